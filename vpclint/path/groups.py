"""Security groups for TCP 443: allow-only and stateful, so a direction is allowed where any rule allows it.

A rule applies when its protocol is "-1", "tcp" or "6" and its port range holds 443 (no ports, or -1: all). Its
source / destination covers part of the peer:

* ``cidr_ipv4`` / ``cidr_ipv6``: the peer's addresses inside the CIDR;
* ``prefix_list_id``: all of the peer when the peer is named by that list (``Peer.prefix_list_ids``), else its
  addresses inside the list's CIDRs; a list with unknown entries makes the answer unknown unless other rules
  already cover the whole peer;
* ``referenced_group_id``: all of the peer when the peer's interfaces are members of that group, and none when
  they are not or the group is a peered VPC's (``vpc_peering_connection_id``, or ``referenced_group_vpc_id`` other
  than the peer's VPC), unless the traffic crosses that peering connection (``Peer.peering_ids``). This is how the default group's self-reference admits only its own members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, Mapping, Optional

from vpclint.path.networks import Net, PrefixLists, collapse, inside, network_of, prefix_list_networks, span, subtract
from vpclint.reachability import DEFAULT_GROUP_NAME, HTTPS_PORT, TCP_PROTOCOLS
from vpclint.snapshot import NetworkInterface, SecurityGroup, SecurityGroupRule

Direction = Literal["egress", "ingress"]
Verdict = Literal["allow", "deny", "partial", "unknown"]


@dataclass(frozen=True)
class Peer:
    """The other end: its addresses (``networks``), the security groups its interfaces are in (``member_of``),
    its VPC and the prefix lists that name it as a whole (e.g. S3's list for S3 traffic)."""

    networks: tuple[Net, ...]
    member_of: frozenset[str] = frozenset()
    vpc_id: Optional[str] = None
    prefix_list_ids: frozenset[str] = frozenset()
    peering_ids: frozenset[str] = frozenset()  # peering connections the traffic crosses: their groups' references hold


@dataclass(frozen=True)
class AllowingRule:
    """A rule of group ``group_id`` that admits ``networks`` (a part of the peer, collapsed)."""

    group_id: str
    rule: SecurityGroupRule
    networks: tuple[Net, ...]


@dataclass(frozen=True)
class GroupDecision:
    """Whether the groups allow TCP 443 to (egress) or from (ingress) every address of the peer.

    ``verdict``: "allow" (the applying rules cover every peer address), "deny" (none), "partial" (some),
    "unknown" (not all covered, and a group not found or a prefix list with unknown entries could cover more).
    ``allowed_by``: the rules covering part of the peer (groups by id, rules in group order); ``uncovered``: the
    peer addresses no known rule covers."""

    direction: Direction
    verdict: Verdict
    groups_checked: tuple[str, ...]
    allowed_by: tuple[AllowingRule, ...]
    uncovered: tuple[Net, ...]
    unknown_prefix_lists: tuple[str, ...] = ()
    groups_not_found: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line, e.g. "security group sg-1 allows TCP 443 outbound to the whole peer (sg-1 via 10.0.0.0/16)"."""
        many = len(self.groups_checked) != 1
        subject = f"security group{'s' if many else ''} {', '.join(self.groups_checked) or '(none)'}"
        way = f"{'allow' if many else 'allows'} TCP 443 {'outbound to' if self.direction == 'egress' else 'inbound from'}"
        via = ", ".join(f"{a.group_id} via {_source(a.rule)}" for a in self.allowed_by)
        if self.verdict == "allow":
            return f"{subject} {way} the whole peer ({via})"
        text = f"{subject} {way} only part of the peer ({via})" if self.allowed_by else f"{subject} {way} none of the peer"
        text += "; not " + ", ".join(map(str, self.uncovered))
        missing = [f"group {g} not found" for g in self.groups_not_found]
        missing += [f"prefix list {p} entries unknown" for p in self.unknown_prefix_lists]
        return text + (f"; unknown: {', '.join(missing)}" if missing else "")


def egress_decision(
    groups: Mapping[str, SecurityGroup],
    group_ids: Iterable[str],
    destination: Peer,
    prefix_lists: Optional[PrefixLists] = None,
) -> GroupDecision:
    """Whether the groups ``group_ids`` let TCP 443 out to every address of ``destination``."""
    return _decide("egress", groups, group_ids, destination, prefix_lists)


def ingress_decision(
    groups: Mapping[str, SecurityGroup],
    group_ids: Iterable[str],
    source: Peer,
    prefix_lists: Optional[PrefixLists] = None,
) -> GroupDecision:
    """Whether the groups ``group_ids`` let TCP 443 in from every address of ``source``."""
    return _decide("ingress", groups, group_ids, source, prefix_lists)


Applying = tuple[tuple[SecurityGroupRule, tuple[tuple[int, int, int], ...]], ...]
"""The rules of some groups that apply to TCP 443, each with its CIDRs as spans (see :func:`~vpclint.path.networks.span`)."""


def applying(groups: Mapping[str, SecurityGroup], group_ids: Iterable[str], direction: Direction) -> Applying:
    """The applying rules of the groups ``group_ids`` (found ones), for :func:`allows_whole` and :func:`open_versions`."""
    found = []
    for group_id in set(group_ids):
        group = groups.get(group_id)
        for rule in getattr(group, direction) if group is not None else ():
            if admits_https(rule):
                found.append((rule, tuple(span(n) for n in (network_of(rule.cidr_ipv4), network_of(rule.cidr_ipv6)) if n is not None)))
    return tuple(found)


def allows_whole(rules: Applying, peer: Peer) -> bool:
    """True when one of the applying ``rules`` covers every address of the peer: then the decision is "allow"
    (False: not known without it)."""
    spans = [span(n) for n in peer.networks]
    for rule, cidrs in rules:
        if rule.referenced_group_id:
            if rule.referenced_group_id in peer.member_of and not _foreign(rule, peer):
                return True
        elif rule.prefix_list_id:
            if rule.prefix_list_id in peer.prefix_list_ids:
                return True
        elif all(any(v == cv and low <= first and last <= high for cv, low, high in cidrs) for v, first, last in spans):
            return True
    return False


def admits_network(rules: Applying, network: Net) -> bool:
    """:func:`allows_whole` for a peer that is only ``network`` (no groups, no prefix lists): a CIDR rule holds it."""
    version, first, last = span(network)
    for rule, cidrs in rules:
        if not rule.referenced_group_id and not rule.prefix_list_id:
            for cidr_version, low, high in cidrs:
                if cidr_version == version and low <= first and last <= high:
                    return True
    return False


def open_versions(rules: Applying) -> frozenset[int]:
    """The IP versions whose every address one of the applying ``rules`` covers by CIDR (0.0.0.0/0, ::/0): a peer
    of those versions only is allowed."""
    return frozenset(
        v for rule, cidrs in rules if not rule.referenced_group_id and not rule.prefix_list_id
        for v, low, high in cidrs if low == 0 and high == (1 << (32 if v == 4 else 128)) - 1
    )


def _foreign(rule: SecurityGroupRule, peer: Peer) -> bool:
    """True when the rule references a group of another VPC than the peer's, or across a peering connection the
    traffic does not cross."""
    if rule.vpc_peering_connection_id and rule.vpc_peering_connection_id not in peer.peering_ids:
        return True
    return rule.referenced_group_vpc_id not in (None, peer.vpc_id)


def default_group_ids(groups: Mapping[str, SecurityGroup]) -> dict[str, str]:
    """Each VPC's default security group (named "default"; the lowest id if several), by VPC id."""
    found: dict[str, str] = {}
    for group in groups.values():
        if group.group_name == DEFAULT_GROUP_NAME and group.vpc_id is not None:
            found[group.vpc_id] = min(group.group_id, found.get(group.vpc_id, group.group_id))
    return found


def default_group_id(groups: Mapping[str, SecurityGroup], vpc_id: str) -> Optional[str]:
    """The id of the VPC's default security group (named "default"), or None."""
    return default_group_ids(groups).get(vpc_id)


def group_sets(interfaces: Iterable[NetworkInterface]) -> list[frozenset[str]]:
    """The distinct sets of security groups the interfaces are in, sorted."""
    distinct = {frozenset(i.group_ids) for i in interfaces}
    return sorted(distinct, key=lambda s: sorted(s))


def _decide(
    direction: Direction,
    groups: Mapping[str, SecurityGroup],
    group_ids: Iterable[str],
    peer: Peer,
    prefix_lists: Optional[PrefixLists],
) -> GroupDecision:
    checked = tuple(sorted(set(group_ids)))
    missing = tuple(g for g in checked if g not in groups)
    allowed_by: list[AllowingRule] = []
    unknown: set[str] = set()
    everything = collapse(peer.networks)
    for group_id in (g for g in checked if g in groups):
        for rule in getattr(groups[group_id], direction):
            if not admits_https(rule):
                continue
            covered = _covers(rule, peer, everything, prefix_lists)
            if covered is None:
                unknown.add(str(rule.prefix_list_id))
            elif covered:
                allowed_by.append(AllowingRule(group_id, rule, covered))
    whole = any(a.networks == everything for a in allowed_by)
    uncovered = () if whole else subtract(everything, (n for a in allowed_by for n in a.networks))
    verdict: Verdict = "allow"
    if uncovered:
        verdict = "unknown" if unknown or missing else "partial" if allowed_by else "deny"
    return GroupDecision(direction, verdict, checked, tuple(allowed_by), uncovered, tuple(sorted(unknown)), missing)


def admits_https(rule: SecurityGroupRule) -> bool:
    """True when a rule's protocol and port range admit TCP 443 (as :func:`vpclint.reachability.admits_https`)."""
    if str(rule.protocol).lower() not in TCP_PROTOCOLS:
        return False
    low, high = rule.from_port, rule.to_port
    return low is None or high is None or low == -1 or low <= HTTPS_PORT <= high


def _covers(
    rule: SecurityGroupRule, peer: Peer, everything: tuple[Net, ...], prefix_lists: Optional[PrefixLists]
) -> Optional[tuple[Net, ...]]:
    """The part of the peer (``everything``: its networks collapsed) a rule's source / destination covers; None
    when it hinges on unknown entries."""
    if rule.referenced_group_id:
        return everything if rule.referenced_group_id in peer.member_of and not _foreign(rule, peer) else ()
    if rule.prefix_list_id:
        if rule.prefix_list_id in peer.prefix_list_ids:
            return everything
        listed = prefix_list_networks(prefix_lists, rule.prefix_list_id)
        return None if listed is None else inside(everything, listed)
    cidrs = (network_of(rule.cidr_ipv4), network_of(rule.cidr_ipv6))
    return inside(everything, (n for n in cidrs if n is not None))


def _source(rule: SecurityGroupRule) -> str:
    """What a rule names as its source / destination."""
    return rule.referenced_group_id or rule.prefix_list_id or rule.cidr_ipv4 or rule.cidr_ipv6 or "nothing"
