"""The links of a flow, checked one at a time: each check either passes, blocks the flow (naming the link) or
leaves it unknown (naming what could not be read or modelled). A :class:`Judge` keeps the first blocking link and
the first unknown: a known break outweighs an unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable, Optional, TypeVar

from vpclint.path.acls import AclDecision, Box, acl_boxes, allows_all, decide_acl, open_to_all
from vpclint.path.groups import (
    Applying,
    Direction,
    GroupDecision,
    Peer,
    admits_network,
    allows_whole,
    applying,
    egress_decision,
    ingress_decision,
    open_versions,
)
from vpclint.path.index import Network, RegionIndex
from vpclint.path.networks import span
from vpclint.snapshot import NetworkAcl

HTTPS = (443, 443)
EPHEMERAL = (1024, 65535)
"""The ports of a reply to the client: AWS documents 1024-65535 for network ACLs."""
CLIENT_PORTS = (("Linux", (32768, 60999)), ("Windows", (49152, 65535)))
"""The default ephemeral port ranges of common clients (Linux's ``ip_local_port_range``, Windows Server 2008
and later): replies allowed on all of one of them, but not on all of :data:`EPHEMERAL`, reach such a client, and
not one whose ports were set otherwise, so the flow is unknown rather than blocked."""
MAX_RULE_NUMBER = 32766
T = TypeVar("T")


@dataclass(frozen=True)
class Link:
    """The link that stops a flow: its ``kind`` (route, network-acl, workload-sg, endpoint-sg, endpoint-state,
    endpoint-policy, dns, and on the way to a hub endpoint hub-route and hub-endpoint-sg), the resource that
    decides (route table, ACL, security groups, endpoint, VPC, hosted zone, transit gateway route table or
    attachment, peering connection) and why."""

    kind: str
    resource_id: str
    detail: str
    direction: Optional[str] = None  # network-acl: inbound or outbound
    rule_number: Optional[int] = None  # network-acl: the deciding rule; None for the implicit deny
    subnet_id: Optional[str] = None  # network-acl: the subnet the ACL guards
    peer: Optional[str] = None  # network-acl, hub-route, hub-endpoint-sg: the addresses (CIDR) that need a rule or route
    ports: Optional[str] = None  # network-acl: the ports that need a rule ("443" or "1024-65535")
    free_rule_number: Optional[int] = None  # network-acl: an unused rule number that would decide first
    group_ids: Optional[tuple[str, ...]] = None  # workload-sg, endpoint-sg: the security groups checked
    target_id: Optional[str] = None  # hub-route: the transit gateway, attachment or peering connection to route through

    def to_dict(self) -> dict[str, Any]:
        """The link as JSON data (null fields left out)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items() if v is not None}


class Judge:
    """Collects the outcome of a flow's checks."""

    def __init__(self) -> None:
        self.blocked: Optional[Link] = None
        self.unknown: Optional[str] = None
        self.notes: list[str] = []

    def block(self, link: Link) -> None:
        """Record a blocking link (the first one stands)."""
        if self.blocked is None:
            self.blocked = link

    def not_known(self, reason: str) -> None:
        """Record why the flow can't be decided (the first reason stands)."""
        if self.unknown is None:
            self.unknown = reason

    def note(self, text: str) -> None:
        """Record something true of the flow that doesn't decide it (cross-AZ, a conditional policy)."""
        if text not in self.notes:
            self.notes.append(text)

    @property
    def settled(self) -> bool:
        """True once a link blocks: later checks can't change the outcome."""
        return self.blocked is not None

    @property
    def quiet(self) -> bool:
        """True while nothing is recorded: no block, no unknown, no note."""
        return self.blocked is None and self.unknown is None and not self.notes

    def replay(self, other: Judge) -> None:
        """Record what ``other`` recorded, as if its checks had run on this judge after the ones already here."""
        if other.blocked is not None:
            self.block(other.blocked)
        if other.unknown is not None:
            self.not_known(other.unknown)
        for text in other.notes:
            self.note(text)


def check_acl(
    index: RegionIndex,
    judge: Judge,
    subnet_id: str,
    egress: bool,
    peer: Network,
    ports: tuple[int, int],
    exact: bool = True,
) -> None:
    """The network ACL of ``subnet_id`` for TCP to/from ``peer`` on ``ports``. ``exact`` False means the peer is
    a stand-in for addresses not known (a public service): an ACL that allows only part of it leaves the flow
    unknown instead of blocked."""
    acl = index.acls.get(subnet_id)
    if acl is None:
        judge.not_known(f"no network ACL of {subnet_id} is in the snapshot")
        return
    if acl.network_acl_id in index.partial_acls:
        judge.not_known(f"network ACL {acl.network_acl_id} of {subnet_id} was read only in part "
                        f"({index.partial_acls[acl.network_acl_id]}): a rule left out may decide")
        return
    decision = _acl_decision(index, acl, egress, peer, ports)
    if decision is None or decision.verdict == "allow":
        return
    if decision.verdict == "partial" and not exact:
        judge.not_known(f"{acl.network_acl_id} allows only some addresses of {peer}: {decision.describe()}")
        return
    if ports == EPHEMERAL and decision.verdict == "partial":
        served = [f"{name}'s default {low}-{high}" for name, (low, high) in CLIENT_PORTS
                  if acl_passes(index, subnet_id, egress, peer, (low, high))]
        if served:
            judge.not_known(f"{acl.network_acl_id} allows the replies on only some ephemeral ports ({decision.describe()}): "
                            f"clients using {' or '.join(served)} get them, clients using other ports do not")
            return
    judge.block(
        Link(
            "network-acl",
            acl.network_acl_id,
            decision.describe(),
            direction="outbound" if egress else "inbound",
            rule_number=decision.rule,
            subnet_id=subnet_id,
            peer=str(peer),
            ports=f"{ports[0]}" if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}",
            free_rule_number=free_rule_number(acl, egress, decision.rule),
        )
    )


def acl_passes(index: RegionIndex, subnet_id: str, egress: bool, peer: Network, ports: tuple[int, int]) -> bool:
    """True when :func:`check_acl` records nothing (whatever ``exact``): the subnet's ACL allows every packet."""
    acl = index.acls.get(subnet_id)
    if acl is None or acl.network_acl_id in index.partial_acls:
        return False
    decision = _acl_decision(index, acl, egress, peer, ports)
    return decision is None or decision.verdict == "allow"


def acl_passes_all(
    index: RegionIndex, subnet_id: str, peers: list[Network], out_ports: tuple[int, int], in_ports: tuple[int, int]
) -> bool:
    """True when :func:`acl_passes` holds for every peer out on ``out_ports`` and in on ``in_ports``: at once when
    the ACL lets every address of the peers' IP versions through both ways."""
    acl = index.acls.get(subnet_id)
    if acl is None or acl.network_acl_id in index.partial_acls:
        return not peers
    if all(_acl_open(index, acl, True, v, out_ports) and _acl_open(index, acl, False, v, in_ports) for v in {p.version for p in peers}):
        return True
    return all(acl_passes(index, subnet_id, True, p, out_ports) and acl_passes(index, subnet_id, False, p, in_ports) for p in peers)


def _acl_open(index: RegionIndex, acl: NetworkAcl, egress: bool, version: int, ports: tuple[int, int]) -> bool:
    """Whether the ACL lets every address of the IP version through on ``ports`` (once per VPC, and per region for
    ACLs with the same entries)."""
    key = ("acl-open", acl.network_acl_id, egress, version, ports)
    found = index.memo.get(key)
    if found is None:
        found = index.memo[key] = index.keep(("acl-open", _entries(index, acl), egress, version, ports),
                                             lambda: open_to_all(_boxes(index, acl, egress, version), version, ports))
    return found


def _entries(index: RegionIndex, acl: NetworkAcl) -> tuple:
    """The ACL's entries as a key: they decide, not the ACL's id (ACLs alike in every VPC share their boxes)."""
    return index.remember(("acl-entries", acl.network_acl_id), lambda: tuple(tuple(e.__dict__.values()) for e in acl.entries))


def _boxes(index: RegionIndex, acl: NetworkAcl, egress: bool, version: int) -> tuple[Box, ...]:
    """The ACL's entries of one direction prepared for deciding (:func:`acl_boxes`), once per region."""
    return index.keep(("acl-boxes", _entries(index, acl), egress, version), lambda: acl_boxes(acl.entries, egress, version))


def _acl_decision(
    index: RegionIndex, acl: NetworkAcl, egress: bool, peer: Network, ports: tuple[int, int]
) -> Optional[AclDecision]:
    """The ACL's decision for TCP to/from ``peer`` on ``ports`` (once per VPC); None when it allows every packet,
    known without deciding."""
    version = peer.version
    if _acl_open(index, acl, egress, version, ports):
        return None
    boxes = _boxes(index, acl, egress, version)
    if allows_all(boxes, peer, ports):
        return None
    return index.remember(("acl", acl.network_acl_id, egress, span(peer), ports), lambda: decide_acl(boxes, egress, peer, ports, "6"))


def free_rule_number(acl: NetworkAcl, egress: bool, before: Optional[int]) -> Optional[int]:
    """An unused rule number of the direction that is evaluated before rule ``before`` (None: the implicit
    deny, so after the last rule); None when no number is free."""
    used = {e.rule_number for e in acl.entries if e.egress == egress}
    if before is None:  # ten above the last rule, where there is room
        before = min(max(used, default=0) + 11, MAX_RULE_NUMBER + 1)
    return next((n for n in range(before - 1, 0, -1) if n not in used), None)


def replayed(index: RegionIndex, judge: Judge, key: Hashable, checks: Callable[[Judge], T]) -> T:
    """Run ``checks`` once per ``key`` (which must determine what they record and return) on a judge of their
    own, then record that on ``judge``; returns what they return."""

    def run() -> tuple[Judge, T]:
        scratch = Judge()
        return scratch, checks(scratch)

    recorded, result = index.remember(("replayed", key), run)
    judge.replay(recorded)
    return result


def check_filters(
    index: RegionIndex, judge: Judge, subnet_id: str, peers: list[Network], group_sets: list[frozenset[str]],
    destination: Peer, what: str, exact: bool, scope: Hashable,
) -> None:
    """The network ACL of ``subnet_id`` out to each of ``peers`` (TCP 443) and back (the replies), then the
    workloads' egress to ``destination``; skipped when subnets with the same ACL and group sets passed them.
    ``scope`` (hashable) must determine ``peers``, ``destination`` and ``exact``."""
    acl = index.acls.get(subnet_id)
    key = ("filters", acl.network_acl_id if acl else None, scope, tuple(group_sets))
    passed = index.memo.get(key)
    if passed is None:
        passed = index.memo[key] = filters_pass(index, subnet_id, peers, group_sets, destination)
    if passed:
        return
    for peer in peers:
        check_acl(index, judge, subnet_id, True, peer, HTTPS, exact)
        check_acl(index, judge, subnet_id, False, peer, EPHEMERAL, exact)
    check_workload_egress(index, judge, group_sets, destination, what, exact)


def filters_pass(
    index: RegionIndex, subnet_id: str, peers: list[Network], group_sets: list[frozenset[str]], destination: Peer
) -> bool:
    """True when :func:`check_filters` records nothing: the ACL passes every peer both ways and the egress passes."""
    return acl_passes_all(index, subnet_id, peers, HTTPS, EPHEMERAL) and egress_passes(index, group_sets, destination)


def check_workload_egress(
    index: RegionIndex, judge: Judge, group_sets: list[frozenset[str]], destination: Peer, what: str, exact: bool = True
) -> None:
    """Every workload group set of the subnet must allow TCP 443 out to ``destination``."""
    if not group_sets:
        judge.note("no workload interfaces yet: security-group egress not checked")
        return
    for group_set in group_sets:
        decision = _egress_decision(index, group_set, destination)
        if decision is None or decision.verdict == "allow":
            continue
        resource = ",".join(sorted(group_set)) or "(no security group)"
        if decision.verdict == "unknown" or (decision.verdict == "partial" and not exact):
            judge.not_known(f"security groups {resource}: {decision.describe()}")
        else:
            judge.block(Link("workload-sg", resource, f"egress to {what}: {decision.describe()}", group_ids=tuple(sorted(group_set))))


def egress_passes(index: RegionIndex, group_sets: list[frozenset[str]], destination: Peer) -> bool:
    """True when :func:`check_workload_egress` records nothing (whatever ``exact``): every group set allows all."""
    if not group_sets:
        return False
    for group_set in group_sets:
        decision = _egress_decision(index, group_set, destination)
        if decision is not None and decision.verdict != "allow":
            return False
    return True


def _egress_decision(index: RegionIndex, group_set: frozenset[str], destination: Peer) -> Optional[GroupDecision]:
    """The group set's egress decision to ``destination`` (once per VPC); None when it allows all of it, known
    without deciding."""
    rules, opened = _applying(index, group_set, "egress")
    if all(n.version in opened for n in destination.networks) or allows_whole(rules, destination):
        return None
    return index.remember(
        ("egress", group_set, destination),
        lambda: egress_decision(index.groups, sorted(group_set), destination, index.prefix_lists),
    )


def _applying(index: RegionIndex, group_ids: frozenset[str], direction: Direction) -> tuple[Applying, frozenset[int]]:
    """The groups' applying rules and the IP versions they open entirely, once per group set and direction."""

    def compute() -> tuple[Applying, frozenset[int]]:
        rules = applying(index.groups, group_ids, direction)
        return rules, open_versions(rules)

    return index.remember(("applying", group_ids, direction), compute)


def check_endpoint_ingress(
    index: RegionIndex,
    judge: Judge,
    group_ids: list[str],
    source: Network,
    vpc_id: str,
    group_sets: list[frozenset[str]],
    endpoint_id: str,
    peering_id: Optional[str] = None,
) -> None:
    """The endpoint's security groups must admit TCP 443 from the workload subnet's interfaces (across the peering
    connection ``peering_id``, for a hub endpoint in a peered VPC).

    A rule referencing a group admits only that group's members. In a subnet without workload interfaces yet,
    membership is not known: a referencing rule counts, with a note naming the group to use. Skipped when the
    groups admitted the subnet for another endpoint; otherwise decided once per endpoint and replayed.
    """
    recorded = endpoint_ingress(index, group_ids, source, vpc_id, group_sets, endpoint_id, peering_id)
    if recorded is not None:
        judge.replay(recorded)


def endpoint_ingress(
    index: RegionIndex, group_ids: list[str], source: Network, vpc_id: str, group_sets: list[frozenset[str]],
    endpoint_id: str, peering_id: Optional[str] = None,
) -> Optional[Judge]:
    """What :func:`check_endpoint_ingress` records, on a judge of its own; None when nothing (at once when a rule
    admits the subnet's CIDR, whatever groups its interfaces are in)."""
    key = ("endpoint-ingress", tuple(group_ids), span(source), vpc_id, tuple(group_sets), peering_id)
    if index.memo.get(("passes", key)):  # whether anything is recorded does not depend on the endpoint
        return None
    if admits_network(_applying(index, frozenset(group_ids), "ingress")[0], source):
        index.memo[("passes", key)] = True  # then every group set is admitted too: nothing is recorded
        return None

    def run() -> Judge:
        scratch = Judge()
        _endpoint_ingress(index, scratch, group_ids, source, vpc_id, group_sets, endpoint_id, peering_id)
        return scratch

    recorded = index.remember(("replayed", key, endpoint_id), run)
    index.memo[("passes", key)] = recorded.quiet
    return None if recorded.quiet else recorded


def _endpoint_ingress(
    index: RegionIndex, judge: Judge, group_ids: list[str], source: Network, vpc_id: str,
    group_sets: list[frozenset[str]], endpoint_id: str, peering_id: Optional[str] = None,
) -> None:
    """:func:`check_endpoint_ingress`, every group set checked."""
    sets: Iterable[Optional[frozenset[str]]] = group_sets or [None]
    resource = ",".join(sorted(group_ids)) or "(no security group)"
    rules, _ = _applying(index, frozenset(group_ids), "ingress")
    crossed = frozenset({peering_id}) if peering_id else frozenset()
    for group_set in sets:
        if judge.settled and group_set is not None:  # a later set can only record a block or unknown, which can't count
            break
        peer = Peer(networks=(source,), member_of=group_set or frozenset(), vpc_id=vpc_id, peering_ids=crossed)
        if allows_whole(rules, peer):
            continue
        decision = index.remember(
            ("ingress", tuple(group_ids), peer), lambda: ingress_decision(index.groups, group_ids, peer, index.prefix_lists)
        )
        if decision.verdict == "allow":
            continue
        if group_set is None:
            members = ingress_decision(
                index.groups, group_ids,
                Peer(networks=(source,), member_of=index.vpc_groups(vpc_id), vpc_id=vpc_id, peering_ids=crossed),
                index.prefix_lists,
            )
            if members.verdict == "allow":
                judge.note(f"{endpoint_id} admits only members of referenced security groups: put workloads in them")
                continue
        text = index.remember(("ingress-text", tuple(group_ids), peer), decision.describe)  # the endpoints of the groups share it
        if decision.verdict == "unknown":
            judge.not_known(f"{endpoint_id}'s security groups {resource}: {text}")
        else:
            judge.block(Link("endpoint-sg", resource, f"{endpoint_id} ingress: {text}", group_ids=tuple(sorted(group_ids))))

