"""NAT gateway traffic from CloudWatch: ``AWS/NATGateway`` BytesInFromSource + BytesInFromDestination, Sum.

One ``GetMetricData`` call carries up to 500 plain metric queries (two per gateway), so a region with 250 NAT
gateways costs one call (plus pages), never one call per gateway per metric.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional

from vpclint.snapshot_metrics import NatGatewayMetrics, NatGatewayTraffic

NAMESPACE = "AWS/NATGateway"
METRICS = ("BytesInFromSource", "BytesInFromDestination")
MAX_QUERIES = 500
PERIOD_SECONDS = 86400


def metrics_window(days: int, now: Optional[datetime] = None) -> tuple[datetime, datetime]:
    """``(start, end)``: the ``days`` days up to ``now`` rounded down to the hour, in UTC."""
    end = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return end - timedelta(days=days), end


def fetch_nat_metrics(cloudwatch: Any, nat_gateway_ids: list[str], days: int, now: Optional[datetime] = None) -> NatGatewayMetrics:
    """Sum each gateway's processed bytes over the window with batched ``GetMetricData`` calls."""
    start, end = metrics_window(days, now)
    queries = []
    for number, nat_id in enumerate(sorted(nat_gateway_ids)):
        for metric_number, metric in enumerate(METRICS):
            queries.append(
                (
                    f"m{number}_{metric_number}",
                    nat_id,
                    metric,
                    {
                        "Id": f"m{number}_{metric_number}",
                        "MetricStat": {
                            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": [{"Name": "NatGatewayId", "Value": nat_id}]},
                            "Period": PERIOD_SECONDS,
                            "Stat": "Sum",
                        },
                        "ReturnData": True,
                    },
                )
            )
    sums: dict[str, Decimal] = {}
    for offset in range(0, len(queries), MAX_QUERIES):
        batch = queries[offset:offset + MAX_QUERIES]
        kwargs: dict[str, Any] = {"MetricDataQueries": [q[3] for q in batch], "StartTime": start, "EndTime": end}
        while True:
            page = cloudwatch.get_metric_data(**kwargs)
            for result in page.get("MetricDataResults") or []:
                sums[result["Id"]] = sums.get(result["Id"], Decimal(0)) + sum((Decimal(str(v)) for v in result.get("Values") or []), Decimal(0))
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    traffic: dict[str, dict[str, Decimal]] = {}
    for query_id, nat_id, metric, _ in queries:
        traffic.setdefault(nat_id, {})[metric] = sums.get(query_id, Decimal(0))
    return NatGatewayMetrics(
        start=start,
        end=end,
        days=days,
        gateways=[
            NatGatewayTraffic(
                nat_gateway_id=nat_id,
                bytes_in_from_source=int(values["BytesInFromSource"]),
                bytes_in_from_destination=int(values["BytesInFromDestination"]),
            )
            for nat_id, values in sorted(traffic.items())
        ],
    )
