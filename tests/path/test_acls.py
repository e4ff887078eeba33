"""Network ACL evaluation: hand-written AWS cases and a brute-force reference over a small universe."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from universe import UNIVERSE, cidrs, fields, holds, inner_cidrs

from vpclint.path.acls import ALL_PORTS, IMPLICIT_DENY_RULE, AclPart, evaluate_acl
from vpclint.snapshot import NetworkAcl, NetworkAclEntry

NET = "10.0.8.0/24"


def entry(rule: int, action: str, cidr: str = "0.0.0.0/0", protocol: str = "6", ports=None, egress=True):
    """One entry; ``cidr`` with a colon is an IPv6 block; ``ports`` (from, to) or None."""
    block = fields(cidr, "cidr_block", "ipv6_cidr_block")
    low, high = ports or (None, None)
    return NetworkAclEntry(
        rule_number=rule, egress=egress, protocol=protocol, rule_action=action, from_port=low, to_port=high, **block
    )


def decide(entries, peer=NET, ports=(443, 443), egress=True, protocol="6"):
    return evaluate_acl(entries, egress, peer, ports, protocol)


def summary(decision) -> tuple[str, int | None]:
    return decision.verdict, decision.rule


def test_default_acl_allows_everything():
    acl = NetworkAcl(
        network_acl_id="acl-1",
        vpc_id="vpc-1",
        entries=[entry(100, "allow", protocol="-1"), entry(32767, "deny", protocol="-1")],
    )
    decision = evaluate_acl(acl, True, NET, (443, 443))
    assert summary(decision) == ("allow", 100)
    assert decision.allowed == (AclPart(ipaddress.ip_network(NET), (443, 443), 100),)
    assert decision.denied == () and decision.denied_part is None
    assert decision.describe() == "network ACL rule 100 allows TCP 443 outbound to 10.0.8.0/24"


def test_no_entries_is_the_implicit_deny():
    decision = decide([entry(100, "allow", protocol="-1", egress=False)])
    assert summary(decision) == ("deny", None)
    assert decision.denied == (AclPart(ipaddress.ip_network(NET), (443, 443), None),)
    assert decision.describe() == "implicit deny (no rule allows TCP 443 outbound to 10.0.8.0/24)"
    listed = decide([entry(32767, "deny", protocol="-1")], ports=ALL_PORTS, egress=True)
    assert summary(listed) == ("deny", None)
    assert listed.describe() == "implicit deny (no rule allows TCP 0-65535 outbound to 10.0.8.0/24)"


@pytest.mark.parametrize("order", [1, -1])
def test_lowest_rule_number_decides(order):
    entries = [entry(100, "deny", ports=(443, 443)), entry(200, "allow")][::order]
    decision = decide(entries)
    assert summary(decision) == ("deny", 100)
    assert decision.describe() == "network ACL rule 100 denies TCP 443 outbound to 10.0.8.0/24"
    assert summary(decide([entry(90, "allow"), entry(100, "deny")][::order])) == ("allow", 90)


@pytest.mark.parametrize(
    ("ports", "expected"),
    [((443, 443), "allow"), ((442, 443), "allow"), ((443, 444), "allow"), ((444, 1000), "deny"), ((1, 442), "deny")],
)
def test_port_range_ends(ports, expected):
    assert decide([entry(100, "allow", ports=ports)]).verdict == expected


def test_partial_ports_name_the_denied_range():
    decision = decide([entry(100, "allow", ports=(1024, 65535), egress=False)], ports=(1000, 65535), egress=False)
    assert summary(decision) == ("partial", None)
    assert decision.denied_part == AclPart(ipaddress.ip_network(NET), (1000, 1023), None)
    assert decision.allowed == (AclPart(ipaddress.ip_network(NET), (1024, 65535), 100),)
    assert decision.describe() == (
        "implicit deny (no rule allows TCP 1000-1023 inbound from 10.0.8.0/24), part of TCP 1000-65535 inbound from 10.0.8.0/24"
    )


def test_partial_networks_name_the_denied_part():
    entries = [entry(100, "deny", "10.0.8.0/25"), entry(110, "allow", "10.0.0.0/16")]
    decision = decide(entries)
    assert summary(decision) == ("partial", 100)
    assert decision.denied == (AclPart(ipaddress.ip_network("10.0.8.0/25"), (443, 443), 100),)
    assert decision.allowed == (AclPart(ipaddress.ip_network("10.0.8.128/25"), (443, 443), 110),)
    assert decision.describe() == "network ACL rule 100 denies TCP 443 outbound to 10.0.8.0/25, part of 10.0.8.0/24"


def test_deny_by_several_rules():
    decision = decide([entry(100, "deny", "10.0.8.0/25"), entry(200, "deny", "10.0.8.128/26")])
    assert summary(decision) == ("deny", 100)
    assert [p.rule for p in decision.denied] == [100, 200, None]
    assert decision.describe() == (
        "network ACL rule 100 denies TCP 443 outbound to 10.0.8.0/25, part of 10.0.8.0/24;"
        " the rest is denied by rule 200, the implicit deny"
    )


def test_allow_by_several_rules():
    decision = decide([entry(120, "allow", "10.0.8.128/25"), entry(110, "allow", "10.0.8.0/25")])
    assert summary(decision) == ("allow", 110)
    assert decision.describe() == "network ACL rules 110, 120 allow TCP 443 outbound to 10.0.8.0/24"


def test_protocols():
    assert summary(decide([entry(100, "allow", protocol="17")])) == ("deny", None)
    assert summary(decide([entry(100, "allow", protocol="-1", ports=(0, 0))])) == ("allow", 100)
    assert summary(decide([entry(100, "allow", protocol="tcp", ports=(443, 443))])) == ("allow", 100)
    assert summary(decide([entry(100, "allow", protocol="6")], protocol="tcp")) == ("allow", 100)
    assert summary(decide([entry(100, "allow", protocol="6")], protocol="17")) == ("deny", None)
    udp = decide([entry(100, "deny", protocol="17")], protocol="udp", ports=(53, 53))
    assert udp.describe() == "network ACL rule 100 denies UDP 53 outbound to 10.0.8.0/24"
    assert decide([], protocol="47").describe() == "implicit deny (no rule allows protocol 47 443 outbound to 10.0.8.0/24)"
    assert decide([], protocol="1").describe() == "implicit deny (no rule allows protocol 1 443 outbound to 10.0.8.0/24)"


def test_direction_and_ingress_wording():
    decision = decide([entry(100, "deny", egress=True), entry(200, "allow", egress=False)], egress=False)
    assert summary(decision) == ("allow", 200)
    assert decision.describe() == "network ACL rule 200 allows TCP 443 inbound from 10.0.8.0/24"


def test_ipv6_peers_use_ipv6_blocks():
    entries = [entry(100, "deny", "0.0.0.0/0"), entry(110, "allow", "2001:db8::/32")]
    assert summary(decide(entries, peer="2001:db8:1::/48")) == ("allow", 110)
    assert summary(decide(entries, peer="2001:db9::/48")) == ("deny", None)
    assert summary(decide(entries[1:], peer="10.0.0.0/8")) == ("deny", None)


def test_host_and_everything():
    assert summary(decide([entry(100, "deny", "10.0.8.7/32"), entry(200, "allow")], peer="10.0.8.7/32")) == ("deny", 100)
    assert summary(decide([entry(100, "deny", "10.0.8.7/32"), entry(200, "allow")], peer="10.0.8.8/32")) == ("allow", 200)
    everything = decide([entry(100, "allow", "10.0.0.0/8")], peer="0.0.0.0/0")
    assert summary(everything) == ("partial", None)
    assert everything.allowed == (AclPart(ipaddress.ip_network("10.0.0.0/8"), (443, 443), 100),)
    assert len(everything.denied) == 8 and sum(p.network.num_addresses for p in everything.denied) == 2**32 - 2**24
    assert everything.denied_part == AclPart(ipaddress.ip_network("0.0.0.0/5"), (443, 443), None)


def test_entries_without_a_usable_block_never_match():
    entries = [entry(100, "deny", "junk"), NetworkAclEntry(rule_number=110, egress=True, protocol="-1", rule_action="deny")]
    assert summary(decide(entries + [entry(200, "allow")])) == ("allow", 200)
    assert summary(decide([entry(100, "allow", ports=(500, 400))])) == ("deny", None)


def test_merges_the_parts_of_one_rule():
    decision = decide([entry(100, "deny", "10.0.8.0/26"), entry(200, "allow")], ports=(440, 446))
    assert decision.allowed == (AclPart(ipaddress.ip_network("10.0.8.64/26"), (440, 446), 200),
                                AclPart(ipaddress.ip_network("10.0.8.128/25"), (440, 446), 200))
    half = decide([entry(100, "deny", "10.0.8.0/25", ports=(443, 443)), entry(200, "allow", "10.0.8.0/25")], ports=(440, 446))
    assert [(str(p.network), p.ports, p.rule) for p in half.allowed] == [
        ("10.0.8.0/25", (440, 442), 200),
        ("10.0.8.0/25", (444, 446), 200),
    ]


def test_allowing_rules_are_named_in_numeric_order():
    decision = decide([entry(100, "allow", "10.0.8.128/25"), entry(90, "allow", "10.0.8.0/25")])
    assert summary(decision) == ("allow", 90)
    assert decision.describe() == "network ACL rules 90, 100 allow TCP 443 outbound to 10.0.8.0/24"


def test_an_entry_with_half_a_port_range_matches_every_port():
    half = [NetworkAclEntry(rule_number=100, egress=True, protocol="6", rule_action="deny", cidr_block="0.0.0.0/0", from_port=443)]
    decision = decide(half + [entry(200, "allow")], ports=(80, 8080))
    assert decision.denied == (AclPart(ipaddress.ip_network(NET), (80, 8080), 100),) and decision.allowed == ()


# --- property tests against brute force -------------------------------------------------------------------------

PORTS = list(range(440, 448))
port = st.sampled_from(PORTS)
NUMBERS = [1, 2, 3, 5, 8, 13, 21, IMPLICIT_DENY_RULE]

entries_strategy = st.lists(
    st.builds(
        lambda rule, action, cidr, protocol, ports, egress: entry(rule, action, cidr, protocol, ports, egress),
        st.sampled_from(NUMBERS),
        st.sampled_from(["allow", "deny"]),
        cidrs,
        st.sampled_from(["-1", "6", "17", "tcp"]),
        st.one_of(st.none(), st.tuples(port, port)),
        st.booleans(),
    ),
    max_size=8,
    unique_by=lambda e: (e.rule_number, e.egress),
)


def in_order(entries, egress) -> list:
    """The entries of one direction in rule order, without AWS's listed rule 32767 (the implicit deny)."""
    chosen = (e for e in entries if e.egress == egress and e.rule_number != IMPLICIT_DENY_RULE)
    return sorted(chosen, key=lambda e: e.rule_number)


def matches(e, address, number) -> bool:
    """Brute force: the entry matches the TCP packet to / from ``address`` on port ``number``."""
    proto = {"tcp": "6"}.get(e.protocol, e.protocol)
    ports_match = proto == "-1" or e.from_port is None or e.from_port <= number <= e.to_port
    return proto in ("-1", "6") and holds(e.cidr_block, address) and ports_match


def reference(entries, egress, address, number) -> tuple[str, int | None]:
    """Brute force for one packet: (action, rule number) of the first matching entry, else the implicit deny
    (AWS's listed rule 32767 is that deny, whatever it says)."""
    for e in in_order(entries, egress):
        if matches(e, address, number):
            return e.rule_action, e.rule_number
    return "deny", None


@settings(max_examples=400, deadline=None)
@given(
    entries_strategy,
    st.booleans(),
    st.one_of(inner_cidrs(), st.just(str(UNIVERSE))),
    st.tuples(port, port).map(sorted),
)
def test_evaluate_acl_equals_brute_force(entries, egress, peer, ports):
    decision = evaluate_acl(entries, egress, peer, tuple(ports))
    parts = [("allow", p) for p in decision.allowed] + [("deny", p) for p in decision.denied]
    packets = [(a, n) for a in ipaddress.ip_network(peer) for n in range(ports[0], ports[1] + 1)]
    assert sum(p.network.num_addresses * (p.ports[1] - p.ports[0] + 1) for _, p in parts) == len(packets)
    results = set()
    for address, number in packets:
        [found] = [(action, p.rule) for action, p in parts if address in p.network and p.ports[0] <= number <= p.ports[1]]
        assert found == reference(entries, egress, address, number)
        results.add(found)
    actions = {action for action, _ in results}
    assert decision.verdict == ("partial" if len(actions) == 2 else "allow" if actions == {"allow"} else "deny")
    winning = [r for a, r in results if a == ("allow" if decision.verdict == "allow" else "deny")]
    assert decision.rule == min(winning, key=lambda r: IMPLICIT_DENY_RULE if r is None else r)
    assert decision.denied_part == (decision.denied[0] if decision.denied else None)
