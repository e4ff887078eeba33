"""The path model's shortcuts against the exact evaluations they skip: each shortcut's answer equals the exact one
on random inputs, and whole snapshots give the same subnet paths with every shortcut turned off."""

from __future__ import annotations

import importlib.util
import ipaddress
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_acls import entries_strategy, entry, in_order, matches, port
from test_groups import GROUP_IDS, LIST_IDS, applies, covers, group, groups_strategy, list_value, peer, peer_strategy, rule
from test_routes import lists_strategy, routes_strategy
from universe import UNIVERSE, inner_cidrs
from universe import network as parsed_cidr

from vpclint.path import checks, flows, ways
from vpclint.path.acls import acl_boxes, allows_all, evaluate_acl, open_to_all
from vpclint.path.checks import Judge, Link
from vpclint.path.groups import Peer, allows_whole, applying, default_group_id, egress_decision, ingress_decision, open_versions
from vpclint.path.index import build_index
from vpclint.path.networks import collapse, contains, fast_network, sort_key, span
from vpclint.path.routes import candidates, parts, route_parts
from vpclint.path.verdicts import subnet_path
from vpclint.path.ways import is_local
from vpclint.snapshot import RouteTable, SecurityGroup, Snapshot

TESTS = Path(__file__).resolve().parents[1]
networks_strategy = st.one_of(inner_cidrs(), st.sampled_from(["0.0.0.0/0", "10.0.0.0/8", "10.0.1.0/24", "::/0", "2001:db8::/64"]))


@settings(max_examples=300, deadline=None)
@given(networks_strategy, networks_strategy)
def test_contains_and_span_equal_ipaddress(outer, inner):
    a, b = ipaddress.ip_network(outer), ipaddress.ip_network(inner)
    assert contains(a, b) == (a.version == b.version and b.subnet_of(a))  # type: ignore[arg-type]
    assert span(a) == (a.version, int(a.network_address), int(a.broadcast_address))


@settings(max_examples=300, deadline=None)
@given(st.lists(networks_strategy, max_size=6))
def test_collapse_equals_ipaddress(cidrs):
    items = [ipaddress.ip_network(c) for c in cidrs]
    expected = [n for v in (4, 6) for n in ipaddress.collapse_addresses([i for i in items if i.version == v])]
    assert collapse(items) == tuple(sorted(expected, key=sort_key))


ipv4_text = st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
masks = st.integers(0, 32).map(lambda n: str(ipaddress.IPv4Network((0, n)).netmask))
prefix_text = st.one_of(
    st.integers(0, 34).map(str),
    masks,  # ipaddress also reads a netmask ("255.255.255.0") or host mask after the slash
    st.sampled_from(["", "024", "00", "+8", " 8", "-1", "8 ", "\u0668", "x", "0.0.0.255", "255.0.255.0", "8/8"]),
)
network_text = st.builds(lambda n, length: f"{ipaddress.IPv4Network((n, length), strict=False).network_address}/{length}",
                         st.integers(0, 2**32 - 1), st.integers(0, 32))
fast_network_text = st.one_of(
    ipv4_text,
    network_text,  # no host bits
    st.builds(lambda address, prefix: f"{address}/{prefix}", ipv4_text, prefix_text),
    st.sampled_from(["::1", "2001:db8::/32", "2001:db8::1/64", "010.0.0.1", "10.0.0", "10.0.0.1.", "junk", "", "/24", "10.0.0.0/24/1"]),
)


def _parsed(parse, text: str, strict: bool):
    try:
        return parse(text, strict)
    except ValueError as exc:
        return type(exc), str(exc)


@settings(max_examples=500, deadline=None)
@given(fast_network_text, st.booleans())
def test_fast_network_equals_ipaddress_errors_included(text, strict):
    assert _parsed(fast_network, text, strict) == _parsed(ipaddress.ip_network, text, strict)


def test_fast_network_is_strict_by_default():
    assert fast_network("10.0.8.7") == ipaddress.ip_network("10.0.8.7/32")
    assert fast_network("10.0.8.0/24") == ipaddress.ip_network("10.0.8.0/24")
    with pytest.raises(ValueError, match="has host bits set"):
        fast_network("10.0.8.7/24")
    assert fast_network("10.0.8.7/24", strict=False) == ipaddress.ip_network("10.0.8.0/24")


@pytest.mark.parametrize(
    ("entries", "ports", "expected"),
    [
        ([entry(100, "allow", ports=(443, 443))], (443, 443), True),
        ([entry(100, "allow", ports=(440, 450))], (443, 443), True),
        ([entry(100, "allow", ports=(444, 500))], (440, 450), False),  # 440-443 fall to the implicit deny
        ([entry(100, "allow", ports=(400, 443))], (440, 450), False),
        ([entry(100, "deny", ports=(80, 80)), entry(200, "allow", protocol="-1")], (443, 443), True),
        ([entry(100, "deny", ports=(440, 443)), entry(200, "allow")], (443, 445), False),
        ([entry(100, "deny", "10.1.0.0/16"), entry(200, "allow", "10.0.0.0/16")], (443, 443), True),
        ([entry(100, "allow", "10.0.8.0/25"), entry(200, "allow")], (443, 443), False),  # not the whole peer
        ([entry(100, "deny", "10.0.8.0/25"), entry(200, "allow")], (443, 443), False),
    ],
)
def test_allows_all_reads_the_first_entry_touching_the_packets(entries, ports, expected):
    peer = ipaddress.ip_network("10.0.8.0/24")
    assert allows_all(acl_boxes(entries, True, 4), peer, ports) is expected
    assert _first_match_allows_all(entries, True, peer, ports) is expected


def _first_match_allows_all(entries, egress, peer, ports) -> bool:
    """Brute force of :func:`allows_all`: the first entry matching any of the packets matches all and allows."""
    packets = [(a, n) for a in ipaddress.ip_network(peer) for n in range(ports[0], ports[1] + 1)]
    for e in in_order(entries, egress):
        matched = sum(matches(e, a, n) for a, n in packets)
        if matched:
            return e.rule_action == "allow" and matched == len(packets)
    return False


@settings(max_examples=400, deadline=None)
@given(entries_strategy, st.booleans(), st.one_of(inner_cidrs(), st.just(str(UNIVERSE))), st.tuples(port, port).map(sorted))
def test_acl_shortcuts_only_claim_what_the_evaluation_says(entries, egress, peer, ports):
    boxes, ports = acl_boxes(entries, egress, 4), tuple(ports)
    verdict = evaluate_acl(entries, egress, peer, ports).verdict
    if all(e.from_port is None or e.to_port is None or e.from_port <= e.to_port for e in entries):
        # exact by its definition (an inverted port range matches nothing, and allows_all then just says False)
        assert allows_all(boxes, ipaddress.ip_network(peer), ports) == _first_match_allows_all(entries, egress, peer, ports)
    if allows_all(boxes, ipaddress.ip_network(peer), ports):
        assert verdict == "allow"
    if open_to_all(boxes, 4, ports):
        assert verdict == "allow" and evaluate_acl(entries, egress, "0.0.0.0/0", ports).verdict == "allow"


@settings(max_examples=400, deadline=None)
@given(groups_strategy, st.sets(st.sampled_from(GROUP_IDS)), peer_strategy, st.dictionaries(st.sampled_from(LIST_IDS), list_value), st.booleans())
def test_group_shortcuts_only_claim_what_the_decision_says(groups, group_ids, p, lists, egress):
    direction = "egress" if egress else "ingress"
    decide = egress_decision if egress else ingress_decision
    verdict = decide(groups, sorted(group_ids), p, lists).verdict
    rules = applying(groups, group_ids, direction)
    found = [r for g in set(group_ids) if g in groups for r in getattr(groups[g], direction) if applies(r)]
    addresses = [a for n in p.networks for a in n]
    # by their definitions: one rule covers every address (prefix-list entries unread); a CIDR rule holds a /0
    assert allows_whole(rules, p) == any(all(covers(r, p, {}, a) for a in addresses) for r in found)
    assert open_versions(rules) == {
        n.version for r in found if not (r.referenced_group_id or r.prefix_list_id)
        for n in map(parsed_cidr, filter(None, (r.cidr_ipv4, r.cidr_ipv6))) if n is not None and n.prefixlen == 0
    }
    if allows_whole(rules, p):
        assert verdict == "allow"
    if all(n.version in open_versions(rules) for n in p.networks):
        assert verdict == "allow"
    if verdict == "allow":  # coverage is per address: every part of an allowed peer is allowed
        for network in p.networks:
            part = Peer((network,), p.member_of, p.vpc_id, p.prefix_list_ids)
            assert decide(groups, sorted(group_ids), part, lists).verdict == "allow"


def test_group_shortcuts_read_a_rule_by_its_group_or_list_as_the_decision_does():
    everywhere = [rule("sg-2", cidr_ipv4="0.0.0.0/0", cidr_ipv6="::/0"), rule("pl-a", cidr_ipv4="0.0.0.0/0", cidr_ipv6="::/0")]
    groups = {"sg-1": group("sg-1", egress=everywhere)}
    rules = applying(groups, ["sg-1", "sg-9"], "egress")
    outsider = peer("10.0.8.0/24", "2001:db8::/64")
    assert egress_decision(groups, ["sg-1"], outsider).verdict == "unknown"  # pl-a's entries are not given
    assert open_versions(rules) == frozenset() and not allows_whole(rules, outsider)
    assert allows_whole(rules, peer("10.0.8.0/24", member_of={"sg-2"})) and allows_whole(rules, peer("10.0.8.0/24", lists={"pl-a"}))
    open_both = applying({"sg-1": group("sg-1", egress=[rule("0.0.0.0/0"), rule("::/0"), rule("10.0.0.0/8")])}, ["sg-1"], "egress")
    assert open_versions(open_both) == {4, 6} and allows_whole(open_both, peer("10.0.8.0/24"))
    assert not allows_whole(open_both, outsider)  # no one rule covers both versions
    ends = [rule("0.0.0.0/8"), rule("255.0.0.0/8"), rule("::/64"), rule("ffff::/16")]
    assert open_versions(applying({"sg-1": group("sg-1", egress=ends)}, ["sg-1"], "egress")) == frozenset()


@settings(max_examples=300, deadline=None)
@given(routes_strategy, lists_strategy, inner_cidrs())
def test_parts_of_parsed_routes_equal_route_parts(routes, lists, cidr):
    network = ipaddress.ip_network(cidr)
    assert parts(candidates(routes, lists), network) == route_parts(routes, network, lists)


some_local = routes_strategy.flatmap(
    lambda routes: st.lists(st.booleans(), min_size=len(routes), max_size=len(routes)).map(
        lambda flags: [r.model_copy(update={"target_type": "local"}) if local else r for r, local in zip(routes, flags)]
    )
)


@settings(max_examples=300, deadline=None)
@given(some_local, lists_strategy, inner_cidrs())
def test_is_local_only_claims_one_known_local_route(routes, lists, cidr):
    network = ipaddress.ip_network(cidr)
    index = SimpleNamespace(remember=lambda key, compute: compute(), keep=lambda key, compute: compute(), prefix_lists=lists)
    if is_local(index, RouteTable(route_table_id="rtb", vpc_id="vpc", routes=routes), network):  # type: ignore[arg-type]
        [(part, answer)] = route_parts(routes, network, lists)
        assert part == network and answer.known and answer.route is not None
        assert answer.route.target_type == "local" and answer.route.state != "blackhole"


EVENTS = st.lists(
    st.one_of(
        st.sampled_from(["a", "b", "c"]).map(lambda t: ("block", Link("route", t, t))),
        st.sampled_from(["x", "y"]).map(lambda t: ("not_known", t)),
        st.sampled_from(["n1", "n2", "n3"]).map(lambda t: ("note", t)),
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(EVENTS, EVENTS)
def test_replaying_a_judge_equals_running_its_checks_here(first, second):
    def run(judge: Judge, events) -> Judge:
        for method, value in events:
            getattr(judge, method)(value)
        return judge

    direct = run(run(Judge(), first), second)
    replayed = run(Judge(), first)
    replayed.replay(run(Judge(), second))
    assert (replayed.blocked, replayed.unknown, replayed.notes) == (direct.blocked, direct.unknown, direct.notes)


def test_index_default_group_and_members_equal_the_scans():
    groups = [
        SecurityGroup(group_id=g, group_name=n, vpc_id=v)
        for g, n, v in [("sg-3", "default", "vpc-1"), ("sg-1", "default", "vpc-1"), ("sg-2", "app", "vpc-2"), ("sg-4", "default", None)]
    ]
    data = {"account_id": "1", "regions": [{"region": "r", "security_groups": [g.model_dump() for g in groups]}]}
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    for vpc_id in ("vpc-1", "vpc-2", "vpc-3"):
        assert index.default_group(vpc_id) == default_group_id(index.groups, vpc_id)
        assert index.vpc_groups(vpc_id) == frozenset(g for g, group in index.groups.items() if group.vpc_id == vpc_id)


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def _snapshots() -> list[dict]:
    fixtures = _load("rule_fixture_cases", TESTS / "test_rule_fixtures.py")
    generated = _load("gen_snapshot", TESTS / "benchmarks" / "gen_snapshot.py")
    return [fixtures.BASE, generated.generate(12)] + [fixtures.apply_patch(fixtures.BASE, case) for _, case in fixtures.CASES]


def _paths(data: dict, reverse: bool = False) -> dict:
    snapshot = Snapshot.model_validate(data)
    found = {}
    for region in snapshot.regions:
        index = build_index(snapshot, region)
        for subnet in reversed(region.subnets) if reverse else region.subnets:
            found[subnet.subnet_id] = subnet_path(index, subnet)
    return found


def test_every_shortcut_off_gives_the_same_paths(monkeypatch: pytest.MonkeyPatch):
    snapshots = _snapshots()
    fast = [_paths(data) for data in snapshots]
    assert fast == [_paths(data, reverse=True) for data in snapshots]  # the memo is only a cache
    without_shortcuts(monkeypatch)
    assert [_paths(data) for data in snapshots] == fast


def without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn every shortcut of the path model off: each decision is then made the exact way."""
    for module in (checks, flows):
        monkeypatch.setattr(module, "replayed", lambda index, judge, key, run: run(judge))
    monkeypatch.setattr(checks, "filters_pass", lambda *args: False)
    for name in ("_passes_subnets", "_filters_pass", "_sources_pass"):
        monkeypatch.setattr(flows, name, lambda *args: False)
    monkeypatch.setattr(flows, "is_local", lambda index, table, network: False)
    monkeypatch.setattr(flows, "_open_to_sources", lambda index, subnets, version: False)
    monkeypatch.setattr(ways, "one_way", lambda answers: None)
    monkeypatch.setattr(checks, "open_to_all", lambda boxes, version, ports: False)
    monkeypatch.setattr(checks, "allows_all", lambda boxes, peer, ports: False)
    monkeypatch.setattr(checks, "open_versions", lambda rules: frozenset())
    monkeypatch.setattr(checks, "allows_whole", lambda rules, peer: False)
    monkeypatch.setattr(checks, "admits_network", lambda rules, network: False)
