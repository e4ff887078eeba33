"""Security-group decisions for TCP 443: hand-written AWS cases and a brute-force reference."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from universe import cidrs, holds, inner_cidrs
from universe import fields as source_fields

from vpclint.path.groups import AllowingRule, Peer, default_group_id, egress_decision, group_sets, ingress_decision
from vpclint.snapshot import NetworkInterface, PrefixList, SecurityGroup, SecurityGroupRule

S3 = "pl-63a5400a"
S3_CIDRS = ["52.216.0.0/15", "3.5.0.0/19"]


def net(cidr: str):
    return ipaddress.ip_network(cidr)


def rule(source: str | None = None, protocol: str = "tcp", ports=(443, 443), **fields) -> SecurityGroupRule:
    """A rule whose source / destination is a CIDR, a prefix list ("pl-") or a group ("sg-")."""
    if source is not None:
        fields.update(source_fields(source, "cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_group_id"))
    low, high = ports if ports else (None, None)
    return SecurityGroupRule(protocol=protocol, from_port=low, to_port=high, **fields)


def group(group_id: str, ingress=(), egress=(), vpc_id="vpc-1", name=None) -> SecurityGroup:
    return SecurityGroup(group_id=group_id, group_name=name or group_id, vpc_id=vpc_id, ingress=list(ingress), egress=list(egress))


def peer(*networks: str, member_of=(), vpc_id="vpc-1", lists=()) -> Peer:
    return Peer(tuple(net(n) for n in networks), frozenset(member_of), vpc_id, frozenset(lists))


def verdict(decision) -> tuple[str, list[str]]:
    return decision.verdict, [str(n) for n in decision.uncovered]


DEFAULT = group("sg-def", ingress=[rule("sg-def", protocol="-1", ports=None)], egress=[rule("0.0.0.0/0", "-1", None)], name="default")
GROUPS = {"sg-def": DEFAULT}


def test_default_group_admits_only_its_members():
    assert default_group_id(GROUPS, "vpc-1") == "sg-def"
    outsider = ingress_decision(GROUPS, ["sg-def"], peer("10.0.8.0/24", member_of={"sg-app"}))
    assert verdict(outsider) == ("deny", ["10.0.8.0/24"])
    assert outsider.allowed_by == ()
    assert outsider.describe() == "security group sg-def allows TCP 443 inbound from none of the peer; not 10.0.8.0/24"
    member = ingress_decision(GROUPS, ["sg-def"], peer("10.0.8.0/24", member_of={"sg-app", "sg-def"}))
    assert verdict(member) == ("allow", [])
    assert member.allowed_by == (AllowingRule("sg-def", DEFAULT.ingress[0], (net("10.0.8.0/24"),)),)
    assert member.describe() == "security group sg-def allows TCP 443 inbound from the whole peer (sg-def via sg-def)"
    assert (member.direction, member.groups_checked, member.groups_not_found) == ("ingress", ("sg-def",), ())


def test_default_group_id_needs_the_vpc_and_the_name():
    groups = {"sg-b": group("sg-b", vpc_id="vpc-2", name="default"), "sg-c": group("sg-c", name="web"), **GROUPS}
    assert default_group_id(groups, "vpc-2") == "sg-b"
    assert default_group_id(groups, "vpc-3") is None
    assert default_group_id({"sg-z": group("sg-z", name="default"), "sg-a": group("sg-a", name="default")}, "vpc-1") == "sg-a"
    assert default_group_id({"sg-a": group("sg-a", name="default"), "sg-z": group("sg-z", name="default")}, "vpc-1") == "sg-a"


def test_cidr_rules_cover_their_part():
    groups = {"sg-e": group("sg-e", ingress=[rule("10.0.8.0/25"), rule("10.0.0.0/16", ports=(80, 80))])}
    partial = ingress_decision(groups, ["sg-e"], peer("10.0.8.0/24"))
    assert verdict(partial) == ("partial", ["10.0.8.128/25"])
    assert partial.allowed_by == (AllowingRule("sg-e", groups["sg-e"].ingress[0], (net("10.0.8.0/25"),)),)
    assert partial.describe() == (
        "security group sg-e allows TCP 443 inbound from only part of the peer (sg-e via 10.0.8.0/25); not 10.0.8.128/25"
    )
    groups["sg-f"] = group("sg-f", ingress=[rule("10.0.8.128/26"), rule("10.0.8.192/26", protocol="6")])
    both = ingress_decision(groups, ["sg-f", "sg-e", "sg-e"], peer("10.0.8.0/24"))
    assert verdict(both) == ("allow", [])
    assert [a.group_id for a in both.allowed_by] == ["sg-e", "sg-f", "sg-f"]
    assert both.describe().startswith("security groups sg-e, sg-f allow TCP 443 inbound from the whole peer (sg-e via")


@pytest.mark.parametrize(
    ("protocol", "ports", "applies"),
    [
        ("tcp", (443, 443), True),
        ("tcp", (400, 443), True),
        ("tcp", (443, 500), True),
        ("tcp", (444, 500), False),
        ("tcp", (1, 442), False),
        ("6", (443, 443), True),
        ("TCP", (443, 443), True),
        ("-1", (-1, -1), True),
        ("-1", None, True),
        ("tcp", None, True),
        ("udp", (443, 443), False),
        ("17", None, False),
    ],
)
def test_protocol_and_ports(protocol, ports, applies):
    groups = {"sg-a": group("sg-a", egress=[rule("0.0.0.0/0", protocol, ports)])}
    decision = egress_decision(groups, ["sg-a"], peer("10.0.0.0/8"))
    assert verdict(decision) == (("allow", []) if applies else ("deny", ["10.0.0.0/8"]))


def test_egress_to_s3_by_prefix_list():
    groups = {"sg-t": group("sg-t", egress=[rule(S3)], ingress=[rule("0.0.0.0/0")])}
    s3 = peer(*S3_CIDRS, lists={S3})
    allowed = egress_decision(groups, ["sg-t"], s3)
    assert verdict(allowed) == ("allow", [])
    assert allowed.allowed_by[0].networks == (net("3.5.0.0/19"), net("52.216.0.0/15"))
    assert allowed.describe() == "security group sg-t allows TCP 443 outbound to the whole peer (sg-t via pl-63a5400a)"
    by_cidrs = egress_decision(groups, ["sg-t"], peer(*S3_CIDRS), {S3: ["52.216.0.0/16"]})
    assert verdict(by_cidrs) == ("partial", ["3.5.0.0/19", "52.217.0.0/16"])
    listed = {S3: PrefixList(prefix_list_id=S3, prefix_list_name="s3", cidrs=S3_CIDRS)}
    assert verdict(egress_decision(groups, ["sg-t"], peer("52.216.1.0/24"), listed)) == ("allow", [])


def test_unknown_prefix_list_entries():
    groups = {"sg-t": group("sg-t", egress=[rule(S3), rule("52.216.0.0/16")])}
    unread = {S3: PrefixList(prefix_list_id=S3, prefix_list_name="s3", cidrs_known=False)}
    for lists in (unread, {}, None):
        decision = egress_decision(groups, ["sg-t"], peer(*S3_CIDRS), lists)
        assert verdict(decision) == ("unknown", ["3.5.0.0/19", "52.217.0.0/16"])
        assert decision.unknown_prefix_lists == (S3,)
    assert decision.describe() == (
        "security group sg-t allows TCP 443 outbound to only part of the peer (sg-t via 52.216.0.0/16);"
        " not 3.5.0.0/19, 52.217.0.0/16; unknown: prefix list pl-63a5400a entries unknown"
    )
    covered = egress_decision(groups, ["sg-t"], peer("52.216.8.0/24"), unread)
    assert verdict(covered) == ("allow", []) and covered.unknown_prefix_lists == (S3,)


def test_references_to_a_peered_vpcs_group_admit_nothing_here():
    same = rule("sg-app", referenced_group_vpc_id="vpc-1")
    other = rule("sg-app", referenced_group_vpc_id="vpc-2", referenced_group_owner_id="111122223333")
    peered = rule("sg-app", vpc_peering_connection_id="pcx-1")
    workloads = peer("10.0.8.0/24", member_of={"sg-app"})
    for source, expected in ((same, "allow"), (other, "deny"), (peered, "deny")):
        groups = {"sg-e": group("sg-e", ingress=[source])}
        assert ingress_decision(groups, ["sg-e"], workloads).verdict == expected


def test_groups_not_found():
    decision = ingress_decision(GROUPS, ["sg-gone", "sg-def"], peer("10.0.8.0/24"))
    assert verdict(decision) == ("unknown", ["10.0.8.0/24"])
    assert (decision.groups_checked, decision.groups_not_found) == (("sg-def", "sg-gone"), ("sg-gone",))
    assert decision.describe() == (
        "security groups sg-def, sg-gone allow TCP 443 inbound from none of the peer; not 10.0.8.0/24;"
        " unknown: group sg-gone not found"
    )
    enough = ingress_decision(GROUPS, ["sg-gone", "sg-def"], peer("10.0.8.0/24", member_of={"sg-def"}))
    assert verdict(enough) == ("allow", []) and enough.groups_not_found == ("sg-gone",)


def test_no_groups_and_the_other_direction():
    assert verdict(ingress_decision(GROUPS, [], peer("10.0.8.0/24"))) == ("deny", ["10.0.8.0/24"])
    assert ingress_decision(GROUPS, [], peer("10.0.8.0/24")).describe().startswith("security groups (none) allow")
    groups = {"sg-e": group("sg-e", egress=[rule("10.0.0.0/8")])}
    assert ingress_decision(groups, ["sg-e"], peer("10.0.8.0/24")).verdict == "deny"
    assert egress_decision(groups, ["sg-e"], peer("10.0.8.0/24")).direction == "egress"


def test_ipv6():
    groups = {"sg-e": group("sg-e", ingress=[rule("2001:db8::/32"), rule("0.0.0.0/0")])}
    assert verdict(ingress_decision(groups, ["sg-e"], peer("2001:db8:1::/48", "10.0.0.0/24"))) == ("allow", [])
    assert verdict(ingress_decision(groups, ["sg-e"], peer("2001:db9::/48"))) == ("deny", ["2001:db9::/48"])


def test_group_sets():
    interfaces = [
        NetworkInterface(network_interface_id=f"eni-{i}", group_ids=ids)
        for i, ids in enumerate([["sg-b", "sg-a"], ["sg-c"], ["sg-a", "sg-b"], [], ["sg-a"]])
    ]
    assert group_sets(interfaces) == [frozenset(), frozenset({"sg-a"}), frozenset({"sg-a", "sg-b"}), frozenset({"sg-c"})]


# --- property tests against brute force -------------------------------------------------------------------------

LIST_IDS = ["pl-a", "pl-b"]
GROUP_IDS = ["sg-1", "sg-2", "sg-3"]
edge = st.sampled_from([None, -1, 0, 442, 443, 444, 65535])
source = st.one_of(cidrs, st.sampled_from(LIST_IDS + GROUP_IDS))
rule_strategy = st.builds(
    lambda src, protocol, ports, vpc, pcx: rule(src, protocol, ports, **(
        {"referenced_group_vpc_id": vpc, "vpc_peering_connection_id": pcx} if src.startswith("sg-") else {}
    )),
    source,
    st.sampled_from(["-1", "tcp", "6", "udp", "17"]),
    st.tuples(edge, edge),
    st.sampled_from([None, "vpc-1", "vpc-2"]),
    st.sampled_from([None, None, "pcx-1"]),
)
groups_strategy = st.dictionaries(
    st.sampled_from(GROUP_IDS[:2]),
    st.tuples(st.lists(rule_strategy, max_size=4), st.lists(rule_strategy, max_size=4)),
).map(lambda d: {g: group(g, ingress=i, egress=e) for g, (i, e) in d.items()})
list_value = st.one_of(
    st.lists(cidrs, max_size=3),
    st.just(PrefixList(prefix_list_id="pl", prefix_list_name="n", cidrs_known=False)),
)
peer_strategy = st.builds(
    lambda networks, member_of, lists: peer(*networks, member_of=member_of, lists=lists),
    st.lists(inner_cidrs(), min_size=1, max_size=2),
    st.sets(st.sampled_from(GROUP_IDS)),
    st.sets(st.sampled_from(LIST_IDS)),
)


def applies(r: SecurityGroupRule) -> bool:
    """Brute force: the rule is TCP (or all) and its ports hold 443."""
    if r.protocol.lower() not in ("-1", "tcp", "6"):
        return False
    return r.from_port in (None, -1) or r.to_port is None or 443 in range(r.from_port, r.to_port + 1)


def covers(r: SecurityGroupRule, p: Peer, lists, address) -> bool | None:
    """Brute force: whether the rule's source / destination holds the address (None: unknown list entries)."""
    if r.referenced_group_id:
        same_vpc = r.vpc_peering_connection_id is None and r.referenced_group_vpc_id in (None, p.vpc_id)
        return r.referenced_group_id in p.member_of and same_vpc
    if r.prefix_list_id:
        value = lists.get(r.prefix_list_id)
        if r.prefix_list_id in p.prefix_list_ids:
            return True
        return None if value is None or isinstance(value, PrefixList) else any(holds(c, address) for c in value)
    return holds(r.cidr_ipv4, address) or holds(r.cidr_ipv6, address)


@settings(max_examples=400, deadline=None)
@given(groups_strategy, st.sets(st.sampled_from(GROUP_IDS)), peer_strategy, st.dictionaries(st.sampled_from(LIST_IDS), list_value), st.booleans())
def test_decisions_equal_brute_force(groups, group_ids, p, lists, egress):
    decide = egress_decision if egress else ingress_decision
    decision = decide(groups, sorted(group_ids), p, lists)
    rules = [(g, r) for g in sorted(group_ids) if g in groups for r in (groups[g].egress if egress else groups[g].ingress)]
    rules = [(g, r) for g, r in rules if applies(r)]
    addresses = {a for n in p.networks for a in n}
    covered = {(g, id(r)): {a for a in addresses if covers(r, p, lists, a)} for g, r in rules}
    unknown = sorted({r.prefix_list_id for g, r in rules if any(covers(r, p, lists, a) is None for a in addresses)})
    allowed = set().union(*covered.values())
    missing = tuple(sorted(g for g in group_ids if g not in groups))
    assert {a for n in decision.uncovered for a in n} == addresses - allowed
    assert [(a.group_id, a.rule) for a in decision.allowed_by] == [(g, r) for g, r in rules if covered[(g, id(r))]]
    assert all({x for n in a.networks for x in n} == covered[(a.group_id, id(a.rule))] for a in decision.allowed_by)
    assert decision.unknown_prefix_lists == tuple(unknown)
    assert decision.groups_not_found == missing and decision.groups_checked == tuple(sorted(group_ids))
    if allowed == addresses:
        assert decision.verdict == "allow"
    elif unknown or missing:
        assert decision.verdict == "unknown"
    else:
        assert decision.verdict == ("partial" if allowed else "deny")


@pytest.mark.parametrize("ports", [(-1, -1), None], ids=["minus-one", "no-ports"])
@pytest.mark.parametrize("direction", ["ingress", "egress"])
def test_an_all_traffic_rule_allows_443(ports, direction):
    """AWS reports an all-traffic rule (protocol -1) with ports -1/-1: every port, 443 included."""
    everything = rule("10.0.0.0/16", protocol="-1", ports=ports)
    groups = {"sg-all": group("sg-all", **{direction: [everything]})}
    decide = ingress_decision if direction == "ingress" else egress_decision
    decision = decide(groups, ["sg-all"], peer("10.0.8.0/24"))
    assert verdict(decision) == ("allow", [])
    assert decision.allowed_by == (AllowingRule("sg-all", everything, (net("10.0.8.0/24"),)),)


@pytest.mark.parametrize("protocol", ["icmp", "17", "udp"])
def test_other_protocols_with_minus_one_ports_do_not_allow_443(protocol):
    groups = {"sg-x": group("sg-x", ingress=[rule("10.0.0.0/16", protocol=protocol, ports=(-1, -1))])}
    assert verdict(ingress_decision(groups, ["sg-x"], peer("10.0.8.0/24"))) == ("deny", ["10.0.8.0/24"])


def test_group_sets_are_ordered_by_their_sorted_members_whatever_the_interface_order():
    ids = ["sg-e", "sg-d", "sg-c", "sg-b", "sg-a", "sg-b", "sg-a"]
    interfaces = [NetworkInterface(network_interface_id=f"eni-{i}", group_ids=[g]) for i, g in enumerate(ids)]
    interfaces.append(NetworkInterface(network_interface_id="eni-x", group_ids=["sg-c", "sg-a"]))
    assert group_sets(interfaces) == [frozenset({"sg-a"}), frozenset({"sg-a", "sg-c"}), frozenset({"sg-b"}),
                                      frozenset({"sg-c"}), frozenset({"sg-d"}), frozenset({"sg-e"})]


def test_describe_lists_every_allowing_rule_and_every_unknown():
    groups = {"sg-v6": group("sg-v6", ingress=[rule("2600:1f18::/57"), rule("10.0.8.0/25")])}
    v6 = ingress_decision(groups, ["sg-v6", "sg-gone"], peer("2600:1f18::/56", "10.0.8.0/24"), prefix_lists={})
    assert v6.describe() == (
        "security groups sg-gone, sg-v6 allow TCP 443 inbound from only part of the peer"
        " (sg-v6 via 2600:1f18::/57, sg-v6 via 10.0.8.0/25); not 10.0.8.128/25, 2600:1f18:0:80::/57;"
        " unknown: group sg-gone not found"
    )
    groups["sg-pl"] = group("sg-pl", ingress=[rule("pl-1"), rule("pl-2")])
    unknown = ingress_decision(groups, ["sg-pl", "sg-gone"], peer("10.0.8.0/24"), prefix_lists={})
    assert unknown.describe().endswith(
        "; unknown: group sg-gone not found, prefix list pl-1 entries unknown, prefix list pl-2 entries unknown")
