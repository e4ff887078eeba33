"""NAT gateway traffic from CloudWatch, read after a region's EC2 sources (``collect --with-metrics``)."""

from __future__ import annotations

from typing import Any

from vpclint.collect.session import CALL_ERRORS, collection_error, error_order
from vpclint.snapshot import RegionSnapshot


def read_nat_metrics(cloudwatch: Any, result: RegionSnapshot, days: int) -> None:
    """Add the region's NAT gateway traffic (batched ``GetMetricData``); a failure is recorded, not raised."""
    if "nat_gateways" not in result.collected:
        return
    from vpclint.cost.facts import GONE_STATES
    from vpclint.cost.metrics import fetch_nat_metrics

    live = [n.nat_gateway_id for n in result.nat_gateways if (n.state or "").lower() not in GONE_STATES]
    try:
        result.nat_gateway_metrics = fetch_nat_metrics(cloudwatch, live, days)
    except CALL_ERRORS as exc:
        result.errors.append(collection_error(result.region, "cloudwatch:GetMetricData", exc))
        result.errors.sort(key=error_order)
