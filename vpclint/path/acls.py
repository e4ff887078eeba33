"""Network ACLs: stateless, ordered rules (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).

:func:`evaluate_acl` decides a *set* of packets at once: one protocol from / to every address of a peer network
on every port of a range. The entries of the direction are read in ascending ``rule_number``; an entry matches a
packet when its protocol is "-1" or the packet's, its ``cidr_block`` (``ipv6_cidr_block`` for an IPv6 peer)
contains the peer address and its port range contains the port (no ports, or protocol "-1": every port). The
first match decides; nothing matching is denied by AWS's rule "*" (number 32767, which AWS also lists as an
entry: it is reported as the implicit deny). The packets not yet decided are kept as exact address x port boxes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Literal, Optional, Union

from vpclint.path.networks import Net, as_network, collapse, contains, intersect, network_of, protocol_number, sort_key
from vpclint.snapshot import NetworkAcl, NetworkAclEntry

IMPLICIT_DENY_RULE = 32767
ALL_PORTS = (0, 65535)
_PROTOCOL_NAMES = {"6": "TCP", "17": "UDP"}

Ports = tuple[int, int]
"""An inclusive port range ``(low, high)``."""


@dataclass(frozen=True)
class AclPart:
    """Packets decided alike: every address of ``network`` on every port of ``ports``, decided by rule
    ``rule`` (None: the implicit deny)."""

    network: Net
    ports: Ports
    rule: Optional[int]


@dataclass(frozen=True)
class AclDecision:
    """What one ACL does to the packets (``protocol`` to / from every address of ``peer`` on ``ports``).

    ``allowed`` and ``denied`` partition those packets, sorted by rule number (implicit deny last), network and
    ports. ``verdict``: "allow" (every packet), "deny" (none) or "partial". ``rule``: for "allow" the lowest
    allowing rule number; otherwise the lowest denying one (None: the implicit deny), whose first part is
    ``denied_part``."""

    egress: bool
    peer: Net
    ports: Ports
    protocol: str
    allowed: tuple[AclPart, ...]
    denied: tuple[AclPart, ...]

    @property
    def verdict(self) -> Literal["allow", "deny", "partial"]:
        """"allow" when nothing is denied, "deny" when nothing is allowed, else "partial"."""
        if not self.denied:
            return "allow"
        return "partial" if self.allowed else "deny"

    @property
    def rule(self) -> Optional[int]:
        """The deciding rule number (None: the implicit deny)."""
        return (self.allowed if self.verdict == "allow" else self.denied)[0].rule

    @property
    def denied_part(self) -> Optional[AclPart]:
        """The first part the deciding rule denies; None when everything is allowed."""
        return self.denied[0] if self.denied else None

    def describe(self) -> str:
        """One line, e.g. "network ACL rule 100 denies TCP 443 outbound to 10.0.8.0/24"."""
        if self.verdict == "allow":
            numbers = sorted({str(p.rule) for p in self.allowed}, key=int)
            rules = f"rule {numbers[0]} allows" if len(numbers) == 1 else f"rules {', '.join(numbers)} allow"
            return f"network ACL {rules} {self._scope(self.ports, self.peer)}"
        part = self.denied[0]
        scope = self._scope(part.ports, part.network)
        text = f"implicit deny (no rule allows {scope})" if part.rule is None else f"network ACL rule {part.rule} denies {scope}"
        if part.network != self.peer or part.ports != self.ports:
            text += ", part of " + (str(self.peer) if part.ports == self.ports else self._scope(self.ports, self.peer))
        others = sorted({p.rule for p in self.denied if p.rule != part.rule}, key=_rule_order)
        if others and not self.allowed:
            names = [f"rule {r}" if r is not None else "the implicit deny" for r in others]
            text += f"; the rest is denied by {', '.join(names)}"
        return text

    def _scope(self, ports: Ports, network: Net) -> str:
        name = _PROTOCOL_NAMES.get(self.protocol, f"protocol {self.protocol}")
        port_text = str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"
        return f"{name} {port_text} {'outbound to' if self.egress else 'inbound from'} {network}"


Box = tuple[int, bool, Net, Ports]
"""An entry as :func:`acl_boxes` prepares it: ``(rule number, allows?, network, ports)``."""


def evaluate_acl(
    acl: Union[NetworkAcl, Iterable[NetworkAclEntry]],
    egress: bool,
    peer: Union[Net, str],
    ports: Ports = ALL_PORTS,
    protocol: str = "6",
) -> AclDecision:
    """Decide ``protocol`` packets to (``egress``) or from every address of ``peer`` on every port in ``ports``."""
    entries = acl.entries if isinstance(acl, NetworkAcl) else acl
    peer, protocol = as_network(peer), protocol_number(protocol)
    return decide_acl(acl_boxes(entries, egress, peer.version, protocol), egress, peer, ports, protocol)


def acl_boxes(
    entries: Iterable[NetworkAclEntry], egress: bool, version: int, protocol: str = "6"
) -> tuple[Box, ...]:
    """The entries of one direction that can match ``protocol`` packets of IP ``version``, in rule order
    (parse an ACL once, decide many peers with :func:`decide_acl`)."""
    chosen = (e for e in entries if e.egress == egress and e.rule_number < IMPLICIT_DENY_RULE)
    boxes = []
    for entry in sorted(chosen, key=lambda e: e.rule_number):
        box = _entry_box(entry, version, protocol)
        if box is not None:
            boxes.append((entry.rule_number, entry.rule_action == "allow", *box))
    return tuple(boxes)


def decide_acl(boxes: Iterable[Box], egress: bool, peer: Net, ports: Ports, protocol: str) -> AclDecision:
    """:func:`evaluate_acl` over the prepared entries of the peer's direction, IP version and protocol."""
    pending: list[tuple[Net, Ports]] = [(peer, ports)]
    allowed: list[AclPart] = []
    denied: list[AclPart] = []
    for rule_number, allows, network, span in boxes:
        if not pending:
            break
        still: list[tuple[Net, Ports]] = []
        for pending_network, pending_span in pending:
            matched, rest = _split(pending_network, pending_span, (network, span))
            still.extend(rest)
            if matched is not None:
                (allowed if allows else denied).append(AclPart(*matched, rule_number))
        pending = still
    denied.extend(AclPart(network, span, None) for network, span in pending)
    return AclDecision(egress, peer, ports, protocol, _normalise(allowed), _normalise(denied))


def allows_all(boxes: Iterable[Box], peer: Net, ports: Ports) -> bool:
    """True when the first entry matching any of the packets matches them all and allows them: then
    :func:`decide_acl` says "allow" (False: not known without it)."""
    for _, allows, network, span in boxes:
        if span[0] > ports[1] or span[1] < ports[0] or not (contains(network, peer) or contains(peer, network)):
            continue
        return allows and span[0] <= ports[0] and ports[1] <= span[1] and contains(network, peer)
    return False


EVERYWHERE = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}


def open_to_all(boxes: Iterable[Box], version: int, ports: Ports) -> bool:
    """True when the ACL allows every address of the IP version on ``ports`` (the first entry matching any of
    those packets matches them all and allows): then :func:`allows_all` holds for every peer."""
    return allows_all(boxes, EVERYWHERE[version], ports)


def _entry_box(entry: NetworkAclEntry, version: int, protocol: str) -> Optional[tuple[Net, Ports]]:
    """The packets an entry matches, or None when it matches none of this protocol and IP version."""
    entry_protocol = protocol_number(entry.protocol)
    if entry_protocol not in ("-1", protocol):
        return None
    network = network_of(entry.cidr_block if version == 4 else entry.ipv6_cidr_block)
    if network is None or network.version != version:
        return None
    if entry_protocol == "-1" or entry.from_port is None or entry.to_port is None:
        return network, ALL_PORTS
    return network, (entry.from_port, entry.to_port)


def _split(
    network: Net, span: Ports, box: tuple[Net, Ports]
) -> tuple[Optional[tuple[Net, Ports]], list[tuple[Net, Ports]]]:
    """The part of the box ``network`` x ``span`` inside ``box`` (or None) and the boxes of the rest."""
    common = intersect(network, box[0])
    low, high = max(span[0], box[1][0]), min(span[1], box[1][1])
    if common is None or low > high:
        return None, [(network, span)]
    rest: list[tuple[Net, Ports]] = [(n, span) for n in (network.address_exclude(common) if common != network else ())]  # type: ignore[arg-type]
    rest += [(common, s) for s in ((span[0], low - 1), (high + 1, span[1])) if s[0] <= s[1]]
    return (common, (low, high)), rest


def _rule_order(rule: Optional[int]) -> int:
    return IMPLICIT_DENY_RULE if rule is None else rule


def _normalise(parts: list[AclPart]) -> tuple[AclPart, ...]:
    """Parts of one rule and port range merged into the fewest networks, sorted."""
    groups: dict[tuple[Optional[int], Ports], list[Net]] = {}
    for part in parts:
        groups.setdefault((part.rule, part.ports), []).append(part.network)
    merged = [AclPart(network, ports, rule) for (rule, ports), nets in groups.items() for network in collapse(nets)]
    return tuple(sorted(merged, key=lambda p: (_rule_order(p.rule), sort_key(p.network), p.ports)))
