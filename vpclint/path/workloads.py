"""What runs in a subnet, read from its network interfaces: which interfaces are workloads that pull images.

A subnet is judged for pulls only when it is a *workload subnet*: private, and not infrastructure-only. A subnet
is infrastructure-only when it has at least one interface and every interface is an AWS-managed one that never
pulls an image (an endpoint, NAT gateway, load balancer, transit gateway attachment, ...) or a Lambda function's
(the Lambda service fetches container images itself). A subnet without interfaces is a workload subnet: it is
where workloads will start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from vpclint.snapshot import NetworkInterface

if TYPE_CHECKING:
    from vpclint.path.index import RegionIndex

INFRASTRUCTURE_TYPES = {
    "nat_gateway": "nat_gateway",
    "vpc_endpoint": "vpc_endpoint",
    "gateway_load_balancer": "load_balancer",
    "gateway_load_balancer_endpoint": "vpc_endpoint",
    "network_load_balancer": "load_balancer",
    "load_balancer": "load_balancer",
    "transit_gateway": "transit_gateway",
    "api_gateway_managed": "aws_managed",
    "aws_codestar_connections_managed": "aws_managed",
    "global_accelerator_managed": "aws_managed",
    "iot_rules_managed": "aws_managed",
    "quicksight": "aws_managed",
    "vpc_lattice": "aws_managed",
}
"""``InterfaceType`` values of AWS-managed interfaces, mapped to the kind vpclint reports."""

WORKLOAD_KINDS = ("ecs_task", "eks_node", "ec2_instance", "other")
"""Kinds of interface that pull images (``other``: an interface vpclint cannot attribute, counted as a workload)."""


def interface_kind(interface: NetworkInterface, owners: Optional[dict[str, str]] = None) -> str:
    """What an interface is: a workload kind (:data:`WORKLOAD_KINDS`), ``lambda``, or an infrastructure kind.

    ``owners`` maps the interface ids that endpoints and NAT gateways list as theirs to that kind: the surest
    sign, whatever the interface's own type says.
    """
    if owners:
        owned = owners.get(interface.network_interface_id)
        if owned is not None:
            return owned
    description = interface.description or ""
    kind = interface.interface_type or "interface"
    if kind == "lambda" or description.startswith("AWS Lambda VPC ENI"):
        return "lambda"
    infrastructure = INFRASTRUCTURE_TYPES.get(kind)
    if infrastructure is not None:
        return infrastructure
    if description.startswith("ELB "):
        return "load_balancer"
    if description.startswith("arn:aws") and ":ecs:" in description:
        return "ecs_task"
    if interface.attachment_instance_id:
        eks = description.startswith("aws-K8S-") or any(key.startswith("node.k8s.amazonaws.com/") for key in interface.tags)
        return "eks_node" if eks else "ec2_instance"
    if interface.requester_managed:
        return "aws_managed"
    return "other"


def subnet_workloads(kinds: list[str]) -> tuple[bool, list[str]]:
    """``(workload subnet?, sorted workload kinds found)`` for the interface kinds of one private subnet."""
    workloads = sorted({k for k in kinds if k in WORKLOAD_KINDS})
    return (not kinds or bool(workloads)), workloads


def workload_group_sets(interfaces: Iterable[NetworkInterface], kinds: Iterable[str]) -> list[frozenset[str]]:
    """The distinct security-group sets of the workload interfaces (``kinds``: theirs, in order), stably ordered."""
    sets = {frozenset(i.group_ids) for i, kind in zip(interfaces, kinds) if kind in WORKLOAD_KINDS}
    return sorted(sets, key=sorted) if len(sets) > 1 else list(sets)


def subnet_interfaces(index: "RegionIndex", subnet_id: str) -> tuple[list[str], list[frozenset[str]]]:
    """``(interface kinds, workload group sets)`` of one subnet, worked out once per VPC visit."""

    def compute() -> tuple[list[str], list[frozenset[str]]]:
        interfaces = index.interfaces_by_subnet.get(subnet_id, [])
        kinds = [interface_kind(i, index.interface_owners) for i in interfaces]
        return kinds, workload_group_sets(interfaces, kinds)

    return index.remember(("subnet-interfaces", subnet_id), compute)
