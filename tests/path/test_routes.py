"""Route selection: hand-written AWS cases and a brute-force reference over a small universe."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from universe import ADDRESSES, UNIVERSE, cidrs, holds
from universe import fields as destination_fields

from vpclint.path.routes import PREFIX_LIST, PROPAGATED, STATIC, RouteAnswer, choose_route, priority, route_parts
from vpclint.snapshot import PrefixList, Route

S3 = "pl-63a5400a"
VGW = "EnableVgwRoutePropagation"


def route(destination: str, target: str, **fields) -> Route:
    """A route to ``target``; ``destination`` is a CIDR (IPv4 or IPv6) or a prefix-list id."""
    kinds = ("destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id")
    return Route(target_type="other", target_id=target, **fields, **destination_fields(destination, *kinds))


def target(answer: RouteAnswer) -> str | None:
    return answer.route.target_id if answer.route else None


def parts(routes, network, prefix_lists=None) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [(str(n), target(a), a.unknown_prefix_lists) for n, a in route_parts(routes, network, prefix_lists)]


MAIN = [
    route("10.0.0.0/16", "local", origin="CreateRouteTable"),
    route("0.0.0.0/0", "nat-1", origin="CreateRoute"),
    route("10.0.5.0/24", "eni-appliance"),
    route(S3, "vpce-s3"),
]
S3_LISTS = {S3: PrefixList(prefix_list_id=S3, prefix_list_name="com.amazonaws.us-east-1.s3", cidrs=["52.216.0.0/15"])}


def test_longest_prefix_wins():
    assert target(choose_route(MAIN, "10.0.5.7", S3_LISTS)) == "eni-appliance"
    assert target(choose_route(MAIN, "10.0.6.1", S3_LISTS)) == "local"
    assert target(choose_route(MAIN, "8.8.8.8", S3_LISTS)) == "nat-1"
    assert target(choose_route(MAIN, "52.217.255.255", S3_LISTS)) == "vpce-s3"
    assert target(choose_route(MAIN, "52.218.0.0", S3_LISTS)) == "nat-1"
    assert choose_route(MAIN, ipaddress.ip_address("52.216.0.0"), S3_LISTS) == RouteAnswer(MAIN[3], ())


@pytest.mark.parametrize("order", [1, -1])
def test_equal_length_static_then_prefix_list_then_propagated(order):
    static = route("52.216.0.0/15", "static", origin="CreateRoute")
    listed = route(S3, "listed")
    propagated = route("52.216.0.0/15", "propagated", origin=VGW)
    lists = {S3: ["52.216.0.0/15"]}
    assert target(choose_route([static, listed, propagated][::order], "52.216.1.1", lists)) == "static"
    assert target(choose_route([propagated, listed][::order], "52.216.1.1", lists)) == "listed"
    assert target(choose_route([propagated, static][::order], "52.216.1.1", lists)) == "static"


def test_longer_prefix_beats_priority():
    lists = {S3: [ipaddress.ip_network("52.216.0.0/15")]}
    assert target(choose_route([route("52.0.0.0/8", "static"), route(S3, "listed")], "52.216.0.1", lists)) == "listed"
    propagated = route("52.216.0.0/16", "propagated", origin=VGW)
    assert target(choose_route([route(S3, "listed"), propagated], "52.216.0.1", lists)) == "propagated"
    assert target(choose_route([route(S3, "listed"), propagated], "52.217.0.1", lists)) == "listed"


def test_priority_values():
    assert (STATIC, PREFIX_LIST, PROPAGATED) == (0, 1, 2)
    assert priority(route("10.0.0.0/8", "x")) == STATIC
    assert priority(route(S3, "x")) == PREFIX_LIST
    assert priority(route("10.0.0.0/8", "x", origin=VGW)) == PROPAGATED


def test_first_listed_wins_a_remaining_tie():
    lists = {"pl-a": ["10.0.0.0/24"], "pl-b": ["10.0.0.0/24"]}
    assert target(choose_route([route("pl-b", "b"), route("pl-a", "a")], "10.0.0.1", lists)) == "b"
    assert target(choose_route([route("pl-a", "a"), route("pl-b", "b")], "10.0.0.1", lists)) == "a"


def test_blackhole_is_chosen():
    blackhole = route("10.0.5.0/24", "eni-gone", state="blackhole")
    assert choose_route([MAIN[0], blackhole], "10.0.5.1").route is blackhole


def test_versions_and_junk():
    routes = [route("0.0.0.0/0", "v4"), route("::/0", "v6"), route("2001:db8::/32", "v6-narrow"), route("bad", "junk")]
    assert target(choose_route(routes, "10.0.0.1")) == "v4"
    assert target(choose_route(routes, "2001:db8::1")) == "v6-narrow"
    assert target(choose_route(routes, "2001:db9::1")) == "v6"
    assert choose_route(routes[2:], "10.0.0.1") == RouteAnswer(None, ())
    assert choose_route([], "10.0.0.1").known


def test_unknown_prefix_list_when_it_could_win():
    unknown = {S3: PrefixList(prefix_list_id=S3, prefix_list_name="s3", cidrs=["1.0.0.0/8"], cidrs_known=False)}
    for lists in (unknown, {}, None):
        answer = choose_route(MAIN, "52.216.0.1", lists)
        assert answer == RouteAnswer(MAIN[1], (S3,))
        assert not answer.known
    assert choose_route([route(S3, "x")], "10.0.0.1") == RouteAnswer(None, (S3,))
    host = route("52.216.0.1/32", "host")
    assert choose_route([route(S3, "x"), host], "52.216.0.1") == RouteAnswer(host, ())
    propagated_host = route("52.216.0.1/32", "host", origin=VGW)
    assert choose_route([propagated_host, route(S3, "x")], "52.216.0.1") == RouteAnswer(propagated_host, (S3,))
    known_list = route("pl-known", "k")
    lists = {"pl-known": ["52.216.0.1/32"]}
    assert choose_route([known_list, route(S3, "x")], "52.216.0.1", lists) == RouteAnswer(known_list, ())
    assert choose_route([route(S3, "x"), known_list], "52.216.0.1", lists) == RouteAnswer(known_list, (S3,))
    v6 = route("::/0", "v6")
    assert choose_route([v6, route("pl-x", "x"), route("pl-y", "y")], "2001:db8::1") == RouteAnswer(v6, ("pl-x", "pl-y"))


def test_prefix_list_entries_that_are_not_cidrs_are_ignored():
    lists = {"pl-a": ["junk", "10.0.0.0/24"]}
    assert target(choose_route([route("pl-a", "a"), route("0.0.0.0/0", "d")], "10.0.0.9", lists)) == "a"


def test_route_parts_split_s3_around_a_more_specific_route():
    routes = MAIN + [route("52.216.0.0/16", "eni-inspect")]
    assert parts(routes, "52.216.0.0/15", S3_LISTS) == [
        ("52.216.0.0/16", "eni-inspect", ()),
        ("52.217.0.0/16", "vpce-s3", ()),
    ]
    assert parts(MAIN, ipaddress.ip_network("52.216.0.0/15"), S3_LISTS) == [("52.216.0.0/15", "vpce-s3", ())]


def test_route_parts_without_route_and_with_unknown_lists():
    routes = [route("10.0.0.0/25", "a"), route("10.0.0.64/26", "b")]
    assert parts(routes, "10.0.0.0/24") == [("10.0.0.0/26", "a", ()), ("10.0.0.64/26", "b", ()), ("10.0.0.128/25", None, ())]
    assert parts(routes + [route("pl-u", "u")], "10.0.0.64/26") == [("10.0.0.64/26", "b", ("pl-u",))]
    assert parts([route("2001:db8::/33", "x")], "2001:db8::/32") == [("2001:db8::/33", "x", ()), ("2001:db8:8000::/33", None, ())]


def test_route_parts_merge_adjacent_parts_of_one_route():
    lists = {"pl-a": ["10.0.0.0/26", "10.0.0.64/26"]}
    assert parts([route("pl-a", "a")], "10.0.0.0/24", lists) == [("10.0.0.0/25", "a", ()), ("10.0.0.128/25", None, ())]
    nested = {"pl-a": ["10.0.0.0/26", "10.0.0.0/25"]}
    assert parts([route("pl-a", "a")], "10.0.0.0/25", nested) == [("10.0.0.0/25", "a", ())]
    static = [route("10.0.0.0/26", "s"), route("10.0.0.0/26", "p", origin=VGW), route("10.0.0.0/25", "wide")]
    assert parts(static, "10.0.0.0/25") == [("10.0.0.0/26", "s", ()), ("10.0.0.64/26", "wide", ())]


# --- property tests against brute force -------------------------------------------------------------------------

LIST_IDS = ["pl-a", "pl-b", "pl-c"]

routes_strategy = st.lists(
    st.builds(
        lambda dest, origin, state: (dest, origin, state),
        st.one_of(cidrs, st.sampled_from(LIST_IDS)),
        st.sampled_from([None, "CreateRoute", VGW]),
        st.sampled_from([None, "active", "blackhole"]),
    ),
    max_size=7,
).map(lambda specs: [route(d, f"t{i}", origin=o, state=s) for i, (d, o, s) in enumerate(specs)])

list_value = st.one_of(
    st.lists(cidrs, max_size=3),
    st.lists(cidrs, max_size=3).map(lambda c: PrefixList(prefix_list_id="pl", prefix_list_name="n", cidrs=c)),
    st.just(PrefixList(prefix_list_id="pl", prefix_list_name="n", cidrs_known=False)),
)
lists_strategy = st.dictionaries(st.sampled_from(LIST_IDS), list_value, max_size=3)


def _list_cidrs(lists, list_id) -> list[str] | None:
    value = lists.get(list_id)
    if value is None or (isinstance(value, PrefixList) and not value.cidrs_known):
        return None
    return value.cidrs if isinstance(value, PrefixList) else value


def reference_route(routes, address, lists) -> Route | None:
    """Brute force: every (route, matching destination), best by prefix length, then static / list / propagated."""
    matches = []
    for index, r in enumerate(routes):
        if r.destination_prefix_list_id:
            destinations = _list_cidrs(lists, r.destination_prefix_list_id) or []
        else:
            destinations = [r.destination_cidr_block, r.destination_ipv6_cidr_block]
        rank = 2 if r.origin == VGW else 1 if r.destination_prefix_list_id else 0
        for d in destinations:
            if holds(d, address):
                matches.append((-ipaddress.ip_network(d).prefixlen, rank, index, r))
    return min(matches, key=lambda m: m[:3])[3] if matches else None


def reference_unknown(routes, address, lists) -> tuple[str, ...]:
    """The unknown lists that change the route when they hold the address (as a /32) and nothing else."""
    base = reference_route(routes, address, lists)
    ids = {r.destination_prefix_list_id for r in routes if r.destination_prefix_list_id}
    unknown = sorted(i for i in ids if _list_cidrs(lists, i) is None)
    return tuple(i for i in unknown if reference_route(routes, address, {**lists, i: [f"{address}/32"]}) is not base)


@settings(max_examples=300, deadline=None)
@given(routes_strategy, lists_strategy)
def test_choose_route_equals_brute_force(routes, lists):
    for address in ADDRESSES:
        answer = choose_route(routes, address, lists)
        assert answer.route is reference_route(routes, address, lists)
        assert answer.unknown_prefix_lists == reference_unknown(routes, address, lists)


@settings(max_examples=300, deadline=None)
@given(routes_strategy, lists_strategy, st.sampled_from([UNIVERSE, ipaddress.ip_network("10.0.0.16/28")]))
def test_route_parts_equal_choose_route_everywhere(routes, lists, network):
    result = route_parts(routes, network, lists)
    assert [n for n, _ in result] == sorted((n for n, _ in result), key=lambda n: int(n.network_address))
    assert sum(n.num_addresses for n, _ in result) == network.num_addresses
    for address in network:
        [answer] = [a for n, a in result if address in n]
        expected = choose_route(routes, address, lists)
        assert answer.route is expected.route and answer.unknown_prefix_lists == expected.unknown_prefix_lists
    for n, a in result:  # merged: no two parts of one answer collapse into one network
        same = [m for m, b in result if b.route is a.route and b.unknown_prefix_lists == a.unknown_prefix_lists]
        assert list(ipaddress.collapse_addresses(same)) == same
