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
from test_acls import entries_strategy, port
from test_groups import GROUP_IDS, LIST_IDS, groups_strategy, list_value, peer_strategy
from test_routes import lists_strategy, routes_strategy
from universe import UNIVERSE, inner_cidrs

from vpclint.path import checks, flows, ways
from vpclint.path.acls import acl_boxes, allows_all, evaluate_acl, open_to_all
from vpclint.path.checks import Judge, Link
from vpclint.path.groups import Peer, allows_whole, applying, default_group_id, egress_decision, ingress_decision, open_versions
from vpclint.path.index import build_index
from vpclint.path.networks import collapse, contains, sort_key, span
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


@settings(max_examples=400, deadline=None)
@given(entries_strategy, st.booleans(), st.one_of(inner_cidrs(), st.just(str(UNIVERSE))), st.tuples(port, port).map(sorted))
def test_acl_shortcuts_only_claim_what_the_evaluation_says(entries, egress, peer, ports):
    boxes, ports = acl_boxes(entries, egress, 4), tuple(ports)
    verdict = evaluate_acl(entries, egress, peer, ports).verdict
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
    if allows_whole(rules, p):
        assert verdict == "allow"
    if all(n.version in open_versions(rules) for n in p.networks):
        assert verdict == "allow"
    if verdict == "allow":  # coverage is per address: every part of an allowed peer is allowed
        for network in p.networks:
            part = Peer((network,), p.member_of, p.vpc_id, p.prefix_list_ids)
            assert decide(groups, sorted(group_ids), part, lists).verdict == "allow"


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
