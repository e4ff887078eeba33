"""The pull-path model of one region: every subnet's path and every ECR interface endpoint's ingress gaps.

Subnets are taken VPC by VPC (the model keeps the decisions of one VPC at a time: its subnets and endpoints ask
the same questions), whatever order the snapshot lists them in.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from vpclint.path.coverage import ingress_gaps
from vpclint.path.index import RegionIndex
from vpclint.path.verdicts import SubnetPath, subnet_path
from vpclint.snapshot import Subnet

ECR_SERVICES = ("ecr.api", "ecr.dkr")


def region_paths(
    index: RegionIndex, subnets: Iterable[Subnet], vpc_ids: Optional[set[str]] = None
) -> tuple[dict[str, SubnetPath], dict[str, list[dict[str, Any]]]]:
    """``(paths by subnet id, ingress gaps by endpoint id)`` for the subnets of the VPCs in ``vpc_ids`` (all when
    None); gaps are computed for the interface endpoints of ``ecr.api`` and ``ecr.dkr``."""
    by_vpc: dict[str, list[Subnet]] = {}
    for subnet in subnets:
        if vpc_ids is None or subnet.vpc_id in vpc_ids:
            by_vpc.setdefault(subnet.vpc_id, []).append(subnet)
    paths: dict[str, SubnetPath] = {}
    gaps: dict[str, list[dict[str, Any]]] = {}
    for vpc_id, vpc_subnets in by_vpc.items():
        for subnet in vpc_subnets:
            paths[subnet.subnet_id] = subnet_path(index, subnet)
        workload = [s for s in vpc_subnets if paths[s.subnet_id].workload]
        for endpoint in index.live_endpoints(vpc_id):
            if endpoint.vpc_endpoint_type == "Interface" and endpoint.service in ECR_SERVICES:
                gaps[endpoint.vpc_endpoint_id] = ingress_gaps(index, endpoint, workload)
    return paths, gaps
