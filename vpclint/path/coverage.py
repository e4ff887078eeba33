"""Which workload subnets an interface endpoint's security groups admit, whatever DNS answers today.

The flows check an endpoint's groups only for subnets whose names resolve to it. A group that admits too little
is a fault of its own, though: it breaks the pull as soon as private DNS is turned on (or a zone points at the
endpoint), so this check asks it of every workload subnet of the endpoint's VPC.
"""

from __future__ import annotations

from typing import Any

from vpclint.path.checks import Judge, check_endpoint_ingress
from vpclint.path.groups import default_group_id
from vpclint.path.index import RegionIndex
from vpclint.path.ipv6 import answers_aaaa_only
from vpclint.path.workloads import subnet_interfaces
from vpclint.snapshot import Subnet, VpcEndpoint


def ingress_gaps(index: RegionIndex, endpoint: VpcEndpoint, subnets: list[Subnet]) -> list[dict[str, Any]]:
    """The ``subnets`` (with an IPv4 CIDR) whose workloads the endpoint's groups do not admit on TCP 443:
    ``subnet_id``, ``cidr_block`` and the ``detail``; a subnet whose answer is unknown is not a gap. None for an
    endpoint whose name answers AAAA records only: no client reaches it over IPv4."""
    if answers_aaaa_only(endpoint):
        return []
    group_ids = endpoint.group_ids or [g for g in [default_group_id(index.groups, endpoint.vpc_id)] if g]
    gaps = []
    for subnet in subnets:
        source = index.network(subnet.cidr_block)
        if source is None:
            continue
        judge = Judge()
        _, group_sets = subnet_interfaces(index, subnet.subnet_id)
        check_endpoint_ingress(index, judge, group_ids, source, subnet.vpc_id, group_sets, endpoint.vpc_endpoint_id)
        if judge.blocked is not None:
            gaps.append({"subnet_id": subnet.subnet_id, "cidr_block": subnet.cidr_block, "detail": judge.blocked.detail})
    return gaps
