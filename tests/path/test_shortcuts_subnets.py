"""The shortcuts that decide an endpoint's subnets whole, and a combined route's one way, against the exact
evaluations they skip: what holds for a network holds for each part of it, and the subnets found without reading
an address are those the addresses give."""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from test_acls import entries_strategy, port
from test_groups import GROUP_IDS, LIST_IDS, groups_strategy, list_value
from test_routes import lists_strategy, routes_strategy
from test_shortcuts import _snapshots
from universe import UNIVERSE, inner_cidrs

from vpclint.path.acls import evaluate_acl
from vpclint.path.checks import Judge, acl_passes, acl_passes_all, check_acl, check_workload_egress, egress_passes
from vpclint.path.endpoints import _decide_policy, check_policy, endpoint_targets, target_subnets
from vpclint.path.groups import Peer, admits_network, allows_whole, applying, egress_decision, ingress_decision
from vpclint.path.index import build_index
from vpclint.path.networks import fast_network, network_of
from vpclint.path.routes import candidates
from vpclint.reachability import parse_network
from vpclint.path.ways import combine, is_local, one_way, path_of, route_way
from vpclint.snapshot import NetworkAcl, Route, RouteTable, Snapshot, VpcEndpoint


@st.composite
def network_and_part(draw: st.DrawFn) -> tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]:
    """A network of the universe (or around it) and a network inside it (itself included)."""
    whole = ipaddress.ip_network(draw(st.one_of(inner_cidrs(), st.sampled_from(["0.0.0.0/0", "10.0.0.0/8"]))))
    if whole.prefixlen < UNIVERSE.prefixlen:
        return whole, ipaddress.ip_network(draw(inner_cidrs()))
    prefixlen = draw(st.integers(whole.prefixlen, 32))
    return whole, draw(st.sampled_from(list(whole.subnets(new_prefix=prefixlen))))


def _index(lists) -> SimpleNamespace:
    memo: dict = {}

    def remember(key, compute):
        return memo[key] if key in memo else memo.setdefault(key, compute())
    # routes target t0..t6 (routes_strategy): t0, t2, t4 gateway endpoints, t1, t3 GWLB ones, t5, t6 not in the snapshot
    endpoints = [VpcEndpoint(vpc_endpoint_id=f"t{i}", vpc_id="vpc", vpc_endpoint_type="Gateway" if i % 2 == 0 else
                             "GatewayLoadBalancer") for i in range(5)]
    return SimpleNamespace(remember=remember, keep=remember, prefix_lists=lists, live_endpoints=lambda vpc_id: endpoints)


@settings(max_examples=400, deadline=None)
@given(routes_strategy, lists_strategy, network_and_part(), st.booleans())
def test_a_network_routed_locally_is_routed_locally_in_each_part(routes, lists, networks, local_first):
    whole, part = networks
    if local_first:
        routes = [r.model_copy(update={"target_type": "local"}) for r in routes]
    table = RouteTable(route_table_id="rtb", vpc_id="vpc", routes=routes)
    if is_local(_index(lists), table, whole):  # type: ignore[arg-type]
        assert is_local(_index(lists), table, part)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(entries_strategy, st.booleans(), network_and_part(), st.tuples(port, port).map(sorted))
def test_an_acl_allowing_a_network_allows_each_part(entries, egress, networks, ports):
    whole, part = networks
    if evaluate_acl(entries, egress, whole, tuple(ports)).verdict == "allow":
        assert evaluate_acl(entries, egress, part, tuple(ports)).verdict == "allow"


@settings(max_examples=400, deadline=None)
@given(groups_strategy, st.sets(st.sampled_from(GROUP_IDS)), network_and_part(), st.sets(st.sampled_from(GROUP_IDS)),
       st.dictionaries(st.sampled_from(LIST_IDS), list_value), st.booleans())
def test_groups_allowing_a_network_allow_each_part(groups, group_ids, networks, member_of, lists, egress):
    whole, part = networks
    decide = egress_decision if egress else ingress_decision
    if decide(groups, sorted(group_ids), Peer((whole,), frozenset(member_of), "vpc-1"), lists).verdict == "allow":
        assert decide(groups, sorted(group_ids), Peer((part,), frozenset(member_of), "vpc-1"), lists).verdict == "allow"


target_types = st.sampled_from(["local", "nat_gateway", "vpc_endpoint", "internet_gateway", "transit_gateway"])


@settings(max_examples=300, deadline=None)
@given(routes_strategy, st.lists(target_types, min_size=7, max_size=7))
def test_path_of_is_the_path_of_route_way(routes, kinds):
    routes = [r.model_copy(update={"target_type": kind}) for r, kind in zip(routes, kinds)]
    table = RouteTable(route_table_id="rtb", vpc_id="vpc", routes=routes)
    for route in [None, *routes]:
        assert path_of(route) == route_way(Judge(), table, route, "x").path


@settings(max_examples=300, deadline=None)
@given(routes_strategy, lists_strategy, st.lists(target_types, min_size=7, max_size=7),
       st.lists(inner_cidrs(), min_size=1, max_size=4))
def test_combine_with_its_one_way_shortcut_equals_without(routes, lists, kinds, destinations):
    routes = [r.model_copy(update={"target_type": kind}) for r, kind in zip(routes, kinds)]
    table = RouteTable(route_table_id="rtb", vpc_id="vpc", routes=routes)
    networks = [ipaddress.ip_network(d) for d in destinations]
    fast, exact = Judge(), Judge()
    way = combine(fast, table, networks, _index(lists), "S3")  # type: ignore[arg-type]
    import vpclint.path.ways as ways

    original = ways.one_way
    ways.one_way = lambda answers: None
    try:
        expected = combine(exact, table, networks, _index(lists), "S3")  # type: ignore[arg-type]
    finally:
        ways.one_way = original
    assert way == expected and (fast.blocked, fast.unknown, fast.notes) == (exact.blocked, exact.unknown, exact.notes)


def test_one_way_needs_one_path_and_no_block():
    nat = Route(destination_cidr_block="0.0.0.0/0", target_type="nat_gateway", target_id="nat-1")
    hole = nat.model_copy(update={"state": "blackhole"})
    net = ipaddress.ip_network("10.0.0.0/24")
    assert one_way([(net, nat), (net, nat.model_copy())]) is nat
    assert one_way([(net, nat), (net, None)]) is None and one_way([(net, hole)]) is None


def test_target_subnets_are_the_subnets_of_the_endpoint_targets():
    checked = 0
    for data in _snapshots():
        snapshot = Snapshot.model_validate(data)
        for region in snapshot.regions:
            index = build_index(snapshot, region)
            for endpoint in region.vpc_endpoints:
                assert target_subnets(index, endpoint) == tuple(sorted(endpoint_targets(index, endpoint)))
                checked += 1
    assert checked > 50


@st.composite
def endpoint_worlds(draw: st.DrawFn) -> dict:
    """Subnets (some without a readable CIDR), interfaces in them or in none, with addresses inside or outside, and
    an endpoint listing some of the interfaces (and ids that exist nowhere) and some subnets."""
    cidrs = st.sampled_from(["10.0.0.0/26", "10.0.0.64/26", "10.0.1.0/24", None])
    subnets = [{"subnet_id": f"subnet-{n}", "vpc_id": "vpc-1", "availability_zone": "az",
                "cidr_block": draw(cidrs)} for n in range(draw(st.integers(0, 4)))]
    subnet_ids = [s["subnet_id"] for s in subnets] + ["subnet-gone"]
    interfaces = [{"network_interface_id": f"eni-{n}", "subnet_id": draw(st.sampled_from(subnet_ids + [None])),
                   "private_ips": draw(st.lists(st.sampled_from(["10.0.0.5", "10.0.0.70", "10.0.1.9", "bad"]), max_size=2))}
                  for n in range(draw(st.integers(0, 4)))]
    endpoint = {"vpc_endpoint_id": "vpce-1", "vpc_id": "vpc-1", "vpc_endpoint_type": "Interface",
                "network_interface_ids": draw(st.lists(st.sampled_from([i["network_interface_id"] for i in interfaces] + ["eni-gone"]))),
                "subnet_ids": draw(st.lists(st.sampled_from(subnet_ids)))}
    return {"account_id": "1", "regions": [{"region": "r", "subnets": subnets, "network_interfaces": interfaces,
                                              "vpc_endpoints": [endpoint]}]}


@settings(max_examples=300, deadline=None)
@given(endpoint_worlds())
def test_target_subnets_equal_those_of_the_addresses_on_odd_data(data):
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    endpoint = snapshot.regions[0].vpc_endpoints[0]
    assert target_subnets(index, endpoint) == tuple(sorted(endpoint_targets(index, endpoint)))


class _Index(SimpleNamespace):
    def remember(self, key, compute):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    keep = remember


@settings(max_examples=400, deadline=None)
@given(entries_strategy, st.booleans(), inner_cidrs(), st.sampled_from([(443, 443), (1024, 65535)]), st.booleans(),
       st.booleans())
def test_acl_passes_when_check_acl_records_nothing(entries, egress, peer, ports, exact, partial):
    index = _Index(acls={"subnet-1": NetworkAcl(network_acl_id="acl-1", vpc_id="vpc", entries=entries)}, memo={},
                   partial_acls={"acl-1": "entry 9 left out: odd"} if partial else {})
    judge = Judge()
    check_acl(index, judge, "subnet-1", egress, ipaddress.ip_network(peer), ports, exact)  # type: ignore[arg-type]
    assert acl_passes(index, "subnet-1", egress, ipaddress.ip_network(peer), ports) == judge.quiet  # type: ignore[arg-type]
    assert not acl_passes(index, "subnet-2", egress, ipaddress.ip_network(peer), ports)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(groups_strategy, st.lists(st.sets(st.sampled_from(GROUP_IDS)).map(frozenset), max_size=2),
       st.lists(inner_cidrs(), min_size=1, max_size=2), st.dictionaries(st.sampled_from(LIST_IDS), list_value),
       st.booleans())
def test_egress_passes_when_check_workload_egress_records_nothing(groups, group_sets, cidrs, lists, exact):
    index = _Index(groups=groups, prefix_lists=lists, memo={})
    destination = Peer(tuple(ipaddress.ip_network(c) for c in cidrs), frozenset({"sg-1"}), "vpc-1")
    judge = Judge()
    check_workload_egress(index, judge, group_sets, destination, "x", exact)  # type: ignore[arg-type]
    assert egress_passes(index, group_sets, destination) == judge.quiet  # type: ignore[arg-type]


@given(st.lists(st.sampled_from(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "s3:GetObject", "*"]), max_size=3),
       st.sampled_from(["*", "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"]))
def test_check_policy_skips_only_what_the_default_policy_decides_silently(actions, resource):
    endpoint = VpcEndpoint(vpc_endpoint_id="vpce-1", vpc_id="vpc-1", vpc_endpoint_type="Interface", policy=None)
    exact = Judge()
    _decide_policy(exact, endpoint, actions, resource)
    assert exact.quiet  # what check_policy then skips
    broken, index = Judge(), _Index(memo={})
    check_policy(index, broken, endpoint.model_copy(update={"policy_error": "not JSON"}), actions, resource)  # type: ignore[arg-type]
    assert broken.unknown is not None


@settings(max_examples=400, deadline=None)
@given(groups_strategy, st.sets(st.sampled_from(GROUP_IDS)), inner_cidrs(), st.booleans())
def test_admits_network_is_allows_whole_of_a_bare_network(groups, group_ids, cidr, egress):
    rules = applying(groups, group_ids, "egress" if egress else "ingress")
    network = ipaddress.ip_network(cidr)
    assert admits_network(rules, network) == allows_whole(rules, Peer((network,)))


@settings(max_examples=400, deadline=None)
@given(entries_strategy, st.lists(st.one_of(inner_cidrs(), st.sampled_from(["0.0.0.0/0", "::/0", "2001:db8::/64"])), max_size=3),
       st.sampled_from([((443, 443), (1024, 65535)), ((1024, 65535), (443, 443))]), st.booleans(), st.booleans())
def test_acl_passes_all_is_acl_passes_of_each_peer_both_ways(entries, cidrs, ports, has_acl, partial):
    acls = {"subnet-1": NetworkAcl(network_acl_id="acl-1", vpc_id="vpc", entries=entries)} if has_acl else {}
    peers = [ipaddress.ip_network(c) for c in cidrs]
    noted = {"acl-1": "entry 9 left out: odd"} if partial else {}
    index = _Index(acls=acls, memo={}, partial_acls=noted)
    expected = all(acl_passes(index, "subnet-1", True, p, ports[0]) and acl_passes(index, "subnet-1", False, p, ports[1]) for p in peers)
    assert acl_passes_all(_Index(acls=acls, memo={}, partial_acls=noted), "subnet-1", peers, *ports) == expected  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(routes_strategy, routes_strategy, lists_strategy)
def test_candidates_with_a_shared_parse_equal_those_parsed_alone(first, second, lists):
    parsed: dict = {}
    assert candidates(first, lists, parsed) == candidates(first, lists)
    assert candidates(second, lists, parsed) == candidates(second, lists)  # destinations of the first parsed already


texts = st.one_of(
    st.builds(lambda parts, prefix: ".".join(map(str, parts)) + prefix,
              st.lists(st.integers(0, 300), min_size=3, max_size=5),
              st.sampled_from(["", "/0", "/8", "/16", "/24", "/27", "/32", "/33", "/016", "/-1", "/ 8", "/", "/x"])),
    st.sampled_from(["::/0", "2001:db8::/32", "2001:db8::1", "fe80::1%eth0", "junk", "", " 10.0.0.0/8", "10.0.0.0/8 "]),
)


@settings(max_examples=500, deadline=None)
@given(texts, st.booleans())
def test_fast_network_equals_ipaddress(text, strict):
    def outcome(parse):
        try:
            return parse(text)
        except ValueError:
            return "ValueError"
    expected = outcome(lambda t: ipaddress.ip_network(t, strict))
    assert outcome(lambda t: fast_network(t, strict)) == expected
    assert network_of(text) == parse_network(text)
