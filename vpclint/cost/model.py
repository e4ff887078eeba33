"""The savings arithmetic: the seed article's model, the gateway model, and the per-VPC estimate.

All arithmetic is ``Decimal``; money is rounded half-up to cents only when shown. A month is the price table's
``hours_per_month`` (730). ECR needs two interface endpoints (``ecr.api``, ``ecr.dkr``) per AZ; the S3 gateway
endpoint is free.

* ``article``: the article's own arithmetic. Today: NAT hours + NAT $/GB x all traffic. After: the NAT gateways
  are gone, and 2 interface endpoints x AZs x hours + interface $/GB x all traffic.
* ``gateway`` (correct): the NAT gateways stay for other traffic. S3 traffic (ECR layers and any other same-region
  S3 traffic) moves to the free gateway endpoint, ECR API/registry traffic (``control_gb``) pays the interface
  rate, and the rest stays on NAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, Optional

from vpclint.cost.prices import RegionPrices

ECR_INTERFACE_SERVICES = ("ecr.api", "ecr.dkr")
CENT = Decimal("0.01")
MODELS = ("gateway", "article")
Model = Literal["gateway", "article"]


def money(value: Decimal) -> float:
    """Round to cents, half up, for display and JSON."""
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def percent(part: Decimal, whole: Decimal) -> Optional[float]:
    """``part / whole`` as a percentage with one decimal (half up); None when ``whole`` is zero."""
    if whole == 0:
        return None
    return float((part / whole * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def gb(value: Decimal) -> float:
    """A volume in GB, rounded to two decimals (half up, like money)."""
    return money(value)


@dataclass(frozen=True)
class Scenario:
    """The inputs of ``vpclint cost model``."""

    region: str
    nat_gateways: int
    azs: int
    gb_per_month: Decimal
    s3_share: Optional[Decimal] = None  # fraction of the traffic that is same-region S3
    control_gb: Optional[Decimal] = None  # ECR API/registry GB; the rest of the traffic is S3


def _split(s: Scenario) -> tuple[Decimal, Decimal, Decimal, str]:
    """``(s3_gb, control_gb, other_gb, how)`` for the gateway model."""
    total = s.gb_per_month
    if s.control_gb is not None:
        control = min(s.control_gb, total)
        return total - control, control, Decimal(0), f"--control-gb {s.control_gb}: the rest is S3"
    if s.s3_share is not None:
        return total * s.s3_share, Decimal(0), total * (1 - s.s3_share), f"--s3-share {s.s3_share}: the rest stays on NAT"
    return total, Decimal(0), Decimal(0), "no split given: all traffic counted as S3 (an upper bound)"


def run_model(model: Model, s: Scenario, prices: RegionPrices, hours: Decimal) -> dict[str, Any]:
    """The arithmetic of one model as a JSON-ready document."""
    nat_hours = prices.nat_gateway_hourly * s.nat_gateways * hours
    endpoint_hours = prices.interface_endpoint_hourly_per_az * len(ECR_INTERFACE_SERVICES) * s.azs * hours
    total = s.gb_per_month
    nat_data = prices.nat_gateway_per_gb * total
    nat_monthly = nat_hours + nat_data
    if model == "article":
        interface_data = prices.interface_data_cost(total)
        endpoints_monthly = endpoint_hours + interface_data
        per_gb_saving = prices.nat_gateway_per_gb - prices.interface_first_tier_per_gb
        fixed = endpoint_hours - nat_hours
        split = {"all_gb": gb(total), "how": "article: all traffic through interface endpoints, NAT gateways removed"}
        lines = {
            "nat_hours": money(nat_hours),
            "nat_data": money(nat_data),
            "interface_endpoint_hours": money(endpoint_hours),
            "interface_endpoint_data": money(interface_data),
        }
        break_even = None if per_gb_saving <= 0 else max(Decimal(0), fixed / per_gb_saving)
    else:
        s3_gb, control_gb, other_gb, how = _split(s)
        interface_data = prices.interface_data_cost(control_gb)
        nat_data_remaining = prices.nat_gateway_per_gb * other_gb
        endpoints_monthly = nat_hours + nat_data_remaining + endpoint_hours + interface_data
        split = {"s3_gb": gb(s3_gb), "control_gb": gb(control_gb), "other_gb": gb(other_gb), "how": how}
        lines = {
            "nat_hours": money(nat_hours),
            "nat_data_remaining": money(nat_data_remaining),
            "interface_endpoint_hours": money(endpoint_hours),
            "interface_endpoint_data": money(interface_data),
            "s3_gateway_endpoint": money(prices.gateway_endpoint_per_gb * s3_gb),
        }
        break_even = _gateway_break_even(s, prices, endpoint_hours)
    savings = nat_monthly - endpoints_monthly
    return {
        "model": model,
        "inputs": {
            "region": s.region,
            "nat_gateways": s.nat_gateways,
            "azs": s.azs,
            "gb_per_month": gb(total),
            "s3_share": None if s.s3_share is None else float(s.s3_share),
            "control_gb": None if s.control_gb is None else gb(s.control_gb),
        },
        "traffic": split,
        "prices": price_facts(prices, hours),
        "nat_monthly": money(nat_monthly),
        "endpoints_monthly": money(endpoints_monthly),
        "endpoints_breakdown": lines,
        "savings_monthly": money(savings),
        "savings_yearly": money(savings * 12),
        "savings_percent": percent(savings, nat_monthly),
        "break_even_gb_per_month": None if break_even is None else gb(break_even),
    }


def _gateway_break_even(s: Scenario, prices: RegionPrices, endpoint_hours: Decimal) -> Optional[Decimal]:
    """The monthly NAT volume at which the gateway model's savings reach zero, holding the split as given."""
    nat, iface = prices.nat_gateway_per_gb, prices.interface_first_tier_per_gb
    if s.control_gb is not None:  # savings = nat x (G - C) + (nat - iface) x C - fixed = nat x G - iface x C - fixed
        return None if nat <= 0 else (endpoint_hours + iface * s.control_gb) / nat
    share = s.s3_share if s.s3_share is not None else Decimal(1)
    return None if nat * share <= 0 else endpoint_hours / (nat * share)


def price_facts(prices: RegionPrices, hours: Decimal) -> dict[str, Any]:
    """The prices a result used, for its output."""
    return {
        "hours_per_month": float(hours),
        "nat_gateway_hourly": float(prices.nat_gateway_hourly),
        "nat_gateway_per_gb": float(prices.nat_gateway_per_gb),
        "interface_endpoint_hourly_per_az": float(prices.interface_endpoint_hourly_per_az),
        "interface_endpoint_per_gb": [
            {"up_to_gb": None if t.up_to_gb is None else float(t.up_to_gb), "per_gb": float(t.per_gb)}
            for t in prices.interface_endpoint_per_gb
        ],
        "gateway_endpoint_per_gb": float(prices.gateway_endpoint_per_gb),
        "cross_az_per_gb": None if prices.cross_az_per_gb is None else float(prices.cross_az_per_gb),
        "verified": prices.verified,
        "as_of": prices.as_of.isoformat(),
        "note": prices.note,
        "sources": [source.model_dump(mode="json", exclude_none=True) for source in prices.sources],
    }


def vpc_estimate(
    prices: RegionPrices,
    hours: Decimal,
    nat_gateways: int,
    azs: int,
    nat_gb_per_month: Decimal,
    s3_share: Decimal,
    share_basis: str,
    missing_interface: list[str],
    s3_path_missing: bool,
) -> dict[str, Any]:
    """One VPC's bill today and with its missing endpoints, by the gateway model.

    Only S3 traffic on NAT subnets without an S3 gateway path moves (``s3_path_missing``); ECR API/registry traffic
    can't be told apart from other AWS traffic, so it stays priced on NAT (a conservative saving).
    """
    movable_share = s3_share if s3_path_missing else Decimal(0)
    s3_gb = nat_gb_per_month * movable_share
    nat_hours = prices.nat_gateway_hourly * nat_gateways * hours
    added_hours = prices.interface_endpoint_hourly_per_az * len(missing_interface) * azs * hours
    today = nat_hours + prices.nat_gateway_per_gb * nat_gb_per_month
    after = nat_hours + prices.nat_gateway_per_gb * (nat_gb_per_month - s3_gb) + added_hours
    savings = today - after
    per_gb = prices.nat_gateway_per_gb * movable_share
    break_even = (added_hours / per_gb) if per_gb > 0 else None
    return {
        "nat_gb_per_month": gb(nat_gb_per_month),
        "s3_share": float(s3_share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)),
        "s3_share_basis": share_basis,
        "s3_gb_per_month_moved": gb(s3_gb),
        "missing_endpoints": sorted(missing_interface + (["s3 (gateway)"] if s3_path_missing else [])),
        "cost_today_monthly": money(today),
        "cost_with_endpoints_monthly": money(after),
        "savings_monthly": money(savings),
        "savings_yearly": money(savings * 12),
        "break_even_nat_gb_per_month": None if break_even is None else gb(break_even),
    }
