"""NAT facts of each VPC for the derived view and ``vpclint cost``: gateways, S3 paths, traffic and the estimate.

Per region, :class:`RegionNat` indexes once (linear time) the live NAT gateways by VPC, the route tables with a
working S3 gateway path (a prefix-list route to an available, same-region S3 gateway endpoint that lists the table,
not a blackhole), and the gateways' CloudWatch traffic when the snapshot carries it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping, Optional

from vpclint.cost.model import ECR_INTERFACE_SERVICES, gb, vpc_estimate
from vpclint.cost.prices import PriceTable
from vpclint.path.flows import REGISTRY_FLOWS
from vpclint.snapshot import RegionSnapshot

GONE_STATES = ("deleted", "deleting", "failed")
UPPER_BOUND = "upper bound: no flow logs, all NAT traffic counted as S3"


class RegionNat:
    """One region's NAT gateways, S3 gateway paths and NAT traffic, indexed by VPC."""

    def __init__(self, region: RegionSnapshot) -> None:
        self.region = region.region
        self.gateways: dict[str, list[dict[str, Any]]] = {}
        for nat in region.nat_gateways:
            if (nat.state or "").lower() in GONE_STATES:
                continue
            self.gateways.setdefault(nat.vpc_id, []).append(
                {"nat_gateway_id": nat.nat_gateway_id, "subnet_id": nat.subnet_id, "state": nat.state,
                 "network_interface_ids": nat.network_interface_ids}
            )
        s3_gateways = {
            e.vpc_endpoint_id: set(e.route_table_ids)
            for e in region.vpc_endpoints
            if e.vpc_endpoint_type == "Gateway" and e.service == "s3" and e.service_region == region.region
            and (e.state or "available").lower() == "available"
        }
        self.s3_tables = {
            table.route_table_id
            for table in region.route_tables
            for route in table.routes
            if route.destination_prefix_list_id and route.target_type == "vpc_endpoint" and route.state != "blackhole"
            and table.route_table_id in s3_gateways.get(route.target_id or "", ())
        }
        metrics = region.nat_gateway_metrics
        self.metrics = metrics
        self.traffic = {g.nat_gateway_id: g.processed_bytes for g in metrics.gateways} if metrics else {}

    def vpc_facts(
        self,
        vpc_id: str,
        nat_subnets: list[dict[str, Any]],
        endpoints_by_service: dict[str, list[dict[str, Any]]],
        private_azs: list[str],
        prices: Optional[PriceTable],
        s3_share: Optional[Decimal] = None,
        share_basis: str = UPPER_BOUND,
        dns_answers: Optional[Mapping[str, Mapping[str, Any]]] = None,
    ) -> dict[str, Any]:
        """The VPC's NAT facts: ``nat_traffic`` when metrics are known, and ``nat_estimate`` when the region is priced
        too (upper bound unless a share; ``prices_verified`` false when only an older or third-party listing
        supports the region's prices). ``dns_answers`` (the view's fact of that name) says where the VPC's ECR names
        resolve: a service whose name resolves to an endpoint elsewhere (a hub's) needs no interface endpoint here."""
        gateways = self.gateways.get(vpc_id, [])
        without = [
            {"subnet_id": s["subnet_id"], "route_table_id": s["route_table_id"], "availability_zone": s["availability_zone"]}
            for s in nat_subnets
            if s["route_table_id"] not in self.s3_tables
        ]
        answers = dns_answers or {}
        resolved = {service for flow, service in REGISTRY_FLOWS if (answers.get(flow) or {}).get("answered_elsewhere")}
        missing = [
            service for service in ECR_INTERFACE_SERVICES
            if service not in resolved
            and not any(e.get("vpc_endpoint_type") == "Interface" for e in endpoints_by_service.get(service, []))
        ]
        facts: dict[str, Any] = {
            "nat_gateways": gateways,
            "nat_subnets_without_s3_gateway": without,
            "missing_ecr_interface_endpoints": missing,
            "nat_traffic": None,
            "nat_estimate": None,
        }
        metrics, nat_ids = self.metrics, [g["nat_gateway_id"] for g in gateways]
        if prices is None or not gateways or metrics is None or any(n not in self.traffic for n in nat_ids):
            return facts
        hours = prices.hours_per_month
        processed = sum(self.traffic[n] for n in nat_ids)
        monthly = Decimal(processed) / Decimal(10**9) * hours / (Decimal(metrics.days) * 24)  # scaled to a month
        facts["nat_traffic"] = {
            "days": metrics.days,
            "start": metrics.start.isoformat(),
            "end": metrics.end.isoformat(),
            "processed_bytes": processed,
            "gb_per_month": gb(monthly),
        }
        region_prices = prices.regions.get(self.region)
        if region_prices is None:  # traffic is known, its price is not: no estimate
            return facts
        estimate = vpc_estimate(
            region_prices,
            hours,
            nat_gateways=len(gateways),
            azs=len(private_azs),
            nat_gb_per_month=monthly,
            s3_share=Decimal(1) if s3_share is None else s3_share,
            share_basis=share_basis,
            missing_interface=missing,
            s3_path_missing=bool(without),
        )
        estimate["prices_as_of"] = region_prices.as_of.isoformat()
        estimate["prices_verified"] = region_prices.verified
        facts["nat_estimate"] = estimate
        return facts
