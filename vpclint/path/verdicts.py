"""Verdicts: the flows of every workload subnet added up per subnet and per VPC.

A subnet's verdict is ``broken`` when a flow is blocked, else ``unknown`` when a flow is, else ``nat`` when a flow
leaves the VPC (NAT data processing, or a transit gateway/peering/VPN/appliance to a central egress), else
``private``. A VPC's verdict is the worst of its workload subnets' (broken, unknown, nat, private), or
``not_in_scope`` when it has no workload subnet or is skipped. ``unknown`` is never ``private``: a flow that reads
data the snapshot lacks is unknown, and so is every VPC with such a flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from vpclint.path.flows import FLOW_NAMES, REGISTRY_FLOWS, Flow, layers_flow
from vpclint.path.index import RegionIndex
from vpclint.path.ipv6_flows import ipv6_flows, is_ipv6_only, registry_flows
from vpclint.path.owners import owner_reason, unscanned_owner
from vpclint.path.tables import PRIVATE_KINDS, subnet_kind, table_doubt
from vpclint.path.workloads import subnet_interfaces, subnet_workloads
from vpclint.snapshot import Subnet

VERDICTS = ("broken", "unknown", "nat", "private", "not_in_scope")
"""Worst first."""
FLOW_VERDICT = {"blocked": "broken", "unknown": "unknown", "nat": "nat", "routed": "nat", "endpoint": "private"}


@dataclass(slots=True)  # never changed once built; not frozen: a frozen dataclass costs four times as much to build
class SubnetPath:
    """One subnet's place in the model: its kind, whether it is a workload subnet, its flows and verdict."""

    subnet_id: str
    vpc_id: str
    availability_zone: str
    kind: str
    workload: bool
    workloads: tuple[str, ...] = ()
    flows: dict[str, Flow] = field(default_factory=dict)
    verdict: Optional[str] = None

    def to_dict(self, flows: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """The workload subnet as JSON data (for the findings document's ``vpcs``); ``flows``: the flows as JSON
        data already, to share rather than build again."""
        return {
            "subnet_id": self.subnet_id,
            "availability_zone": self.availability_zone,
            "kind": self.kind,
            "verdict": self.verdict,
            "workloads": list(self.workloads),
            "flows": self.flows_dict() if flows is None else flows,
        }

    def flows_dict(self) -> dict[str, Any]:
        """The flows as JSON data, by name."""
        return {name: flow.to_dict() for name, flow in self.flows.items()}


def worst(verdicts: list[str]) -> str:
    """The worst of some verdicts (``private`` for none)."""
    return min(verdicts, key=VERDICTS.index) if verdicts else "private"


def _unknown_flows(reason: str) -> dict[str, Flow]:
    """The three flows, each ``unknown`` for ``reason``."""
    return {n: Flow(n, s, "unknown", reason) for n, s in (*REGISTRY_FLOWS, ("layers", "s3"))}


def subnet_path(index: RegionIndex, subnet: Subnet) -> SubnetPath:
    """Classify one subnet and, when it is a workload subnet, decide its three flows."""
    index.focus(subnet.vpc_id)
    table, explicit = index.tables.get(subnet.subnet_id, (None, False))
    doubt = table_doubt(subnet.subnet_id, table, explicit, index.table_notes)
    kind = "unknown" if doubt else subnet_kind(table)
    kinds, groups = subnet_interfaces(index, subnet.subnet_id)
    workload, workloads = subnet_workloads(kinds)
    base = {"subnet_id": subnet.subnet_id, "vpc_id": subnet.vpc_id, "availability_zone": subnet.availability_zone, "kind": kind}
    if index.missing_sources:
        if kind == "public" or not (workload or "network_interfaces" in index.missing_sources):
            return SubnetPath(**base, workload=False)
        flows = _unknown_flows(f"not read: {', '.join(index.missing_sources)}")
        return SubnetPath(**base, workload=True, workloads=tuple(workloads), flows=flows, verdict="unknown")
    owner = unscanned_owner(index, subnet.vpc_id)
    if owner is not None:  # a shared VPC seen by a participant: the owner's route tables and endpoints are unseen
        if kind == "public" or not workload:
            return SubnetPath(**base, workload=False, workloads=tuple(workloads))
        flows = _unknown_flows(owner_reason(subnet, owner))
        return SubnetPath(**base, workload=True, workloads=tuple(workloads), flows=flows, verdict="unknown")
    if doubt and workload:
        return SubnetPath(**base, workload=True, workloads=tuple(workloads), flows=_unknown_flows(doubt), verdict="unknown")
    if kind not in PRIVATE_KINDS or not workload or table is None:
        return SubnetPath(**base, workload=False, workloads=tuple(workloads))
    source = index.network(subnet.cidr_block)
    if is_ipv6_only(subnet):
        flows = ipv6_flows(index, subnet, table, groups)
    elif source is None:
        flows = _unknown_flows(f"{subnet.subnet_id} has no readable CIDR")
    else:
        flows = registry_flows(index, subnet, table, source, groups)
        flows["layers"] = layers_flow(index, subnet, table, groups)
    verdict = worst([FLOW_VERDICT[flows[name].path] for name in FLOW_NAMES])
    return SubnetPath(**base, workload=True, workloads=tuple(workloads), flows=flows, verdict=verdict)


def vpc_summary(verdict: str, subnets: list[SubnetPath]) -> str:
    """One line: what breaks, what is unknown or what pays (the first such flow), or that every flow is private."""
    if verdict == "not_in_scope":
        return "no workload subnet"
    wanted = {"broken": ("blocked",), "unknown": ("unknown",), "nat": ("nat", "routed")}.get(verdict, ())
    for subnet in subnets:
        for name in FLOW_NAMES:
            flow = subnet.flows.get(name)
            if flow is not None and flow.path in wanted:
                return f"{subnet.subnet_id} {name}: {flow.reason}"
    return "every flow of every workload subnet stays private"


def vpc_verdict(subnets: list[SubnetPath], skipped: bool) -> str:
    """The VPC's verdict from its subnets: the worst of the workload subnets', or ``not_in_scope``."""
    judged = [s.verdict for s in subnets if s.workload and s.verdict]
    if skipped or not judged:
        return "not_in_scope"
    return worst(judged)
