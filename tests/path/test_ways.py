"""The ways a flow's packets take from a route table (vpclint.path.ways): the public way when the service's
addresses are not known (the default route, unless a more specific route may carry part of it), the parts of
known destinations combined, and S3's way through its gateway endpoint or out of the VPC."""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace
from typing import Optional

import pytest
from hypothesis import given, settings
from test_flows import base, find, paths, region_of
from test_routes import _list_cidrs, lists_strategy
from test_shortcuts import some_local
from universe import inner_cidrs, network

from vpclint.path.checks import Judge, Link
from vpclint.path.index import RegionIndex, build_index
from vpclint.path.routes import route_parts
from vpclint.path.ways import Way, address_networks, combine, is_local, public_way, route_way, s3_gateways, s3_way
from vpclint.snapshot import Route, RouteTable, Snapshot

LOCAL = {"destination_cidr_block": "10.0.0.0/16", "target_type": "local", "target_id": "local"}
TO_NAT = {"destination_cidr_block": "0.0.0.0/0", "target_type": "nat_gateway", "target_id": "nat-a"}
TO_S3 = {"destination_prefix_list_id": "pl-s3", "target_type": "vpc_endpoint", "target_id": "vpce-s3"}
S3_CIDRS = ["3.5.0.0/19", "52.216.0.0/15", "54.231.0.0/16"]


def route(destination: str, target_type: str, target_id: Optional[str], state: str = "active") -> dict:
    """A route to a CIDR (IPv4 or IPv6) or a prefix list (``pl-...``)."""
    field = ("destination_prefix_list_id" if destination.startswith("pl-") else
             "destination_ipv6_cidr_block" if ":" in destination else "destination_cidr_block")
    return {field: destination, "target_type": target_type, "target_id": target_id, "state": state}


def table(*routes: dict, vpc_id: str = "vpc-app") -> RouteTable:
    return RouteTable(route_table_id="rtb-x", vpc_id=vpc_id, routes=[Route(**{"state": "active", **r}) for r in routes])


def index_of(data: dict) -> RegionIndex:
    snapshot = Snapshot.model_validate(data)
    return build_index(snapshot, snapshot.regions[0])


def customer_lists(data: dict, **entries: Optional[list[str]]) -> None:
    """Customer-managed prefix lists by id: their entries, or None when they were not read."""
    for list_id, cidrs in entries.items():
        region_of(data)["prefix_lists"].append({
            "prefix_list_id": list_id.replace("_", "-"), "prefix_list_name": list_id, "owner_id": "111122223333",
            "cidrs": cidrs or [], "cidrs_known": cidrs is not None})


def s3_unread(data: dict) -> None:
    find(data, "prefix_lists", "prefix_list_id", "pl-s3").update({"cidrs": [], "cidrs_known": False})


def s3(data: dict, *routes: dict, vpc_id: str = "vpc-app") -> tuple[Judge, tuple]:
    """S3's way from a table of ``routes`` in ``vpc_id``: the judge and ``(way, networks, gateway id)``."""
    index, judge = index_of(data), Judge()
    way, networks, gateway = s3_way(index, judge, table(*routes, vpc_id=vpc_id), index.s3_prefix_list(), vpc_id)
    return judge, (way, [str(n) for n in networks] if networks is not None else None, gateway and gateway.vpc_endpoint_id)


# -- the public way: the service's addresses not known ----------------------------------------------------------


def test_the_public_way_follows_the_default_route_and_names_each_route_that_may_carry_part_of_the_service():
    """Routes to private ranges, the VPC's own CIDR and IPv6 routes can't take an IPv4 public address; a route to
    public addresses can, whatever its target. The flow is unknown, naming them sorted, and still takes the
    default route."""
    private = ["10.1.0.0/16", "172.16.5.0/24", "192.168.0.0/16", "100.64.0.0/10", "169.254.169.254/32", "10.0.8.0/24"]
    judge = Judge()
    way = public_way(index_of(base()), judge, table(
        LOCAL, TO_NAT, TO_S3, *(route(c, "transit_gateway", "tgw-1") for c in private),
        route("2001:db8::/32", "transit_gateway", "tgw-1"), route("54.231.0.0/16", "network_interface", "eni-fw"),
        route("52.216.0.0/16", "transit_gateway", "tgw-1")), None)
    assert way == Way("nat", "nat-a", "the public service endpoint through NAT gateway nat-a")
    assert judge.unknown == ("rtb-x has routes to public addresses (52.216.0.0/16, 54.231.0.0/16) that may carry part "
                             "of the service")
    assert judge.blocked is None
    judge = Judge()
    assert public_way(index_of(base()), judge, table(LOCAL, TO_NAT, TO_S3, *(route(c, "transit_gateway", "tgw-1") for c in private)), None) == way
    assert judge.quiet


def test_customer_prefix_lists_may_carry_the_service_unless_every_entry_is_private():
    """A customer list with a public entry, with entries not read, or not in the snapshot may take part of the
    service, as may an AWS-managed list routed elsewhere than to its gateway endpoint (S3's list to a transit
    gateway); one whose entries are all private (or the VPC's) can't, and neither can the gateway endpoint's own
    route. Each route is judged on its own: a quiet one before them stops nothing."""
    data = base()
    customer_lists(data, pl_private=["10.9.0.0/16", "10.0.0.0/16", "192.168.1.0/24"], pl_public=["10.9.0.0/16", "8.8.8.0/24"],
                   pl_unread=None)
    judge = Judge()
    way = public_way(index_of(data), judge, table(
        route("pl-private", "transit_gateway", "tgw-1"), LOCAL, route("pl-public", "transit_gateway", "tgw-1"),
        route("pl-unread", "transit_gateway", "tgw-1"), route("pl-gone", "transit_gateway", "tgw-1"),
        route("8.8.4.0/24", "transit_gateway", "tgw-1"), TO_S3, TO_NAT), None)
    assert way.path == "nat"
    assert judge.unknown == ("rtb-x has routes to public addresses (8.8.4.0/24, pl-gone, pl-public, pl-unread) that may "
                             "carry part of the service")
    judge = Judge()
    public_way(index_of(data), judge, table(route("pl-s3", "transit_gateway", "tgw-1"), TO_NAT), None)
    assert judge.unknown == "rtb-x has routes to public addresses (pl-s3) that may carry part of the service"
    judge = Judge()
    public_way(index_of(data), judge, table(route("pl-private", "transit_gateway", "tgw-1"), TO_S3, TO_NAT), None)
    assert judge.quiet


def test_a_route_inside_the_vpcs_own_public_cidr_carries_none_of_the_service():
    """A VPC may use public addresses (here 11.0.0.0/16): a route inside them (to a firewall appliance) keeps to
    the VPC. For a table whose VPC is not in the snapshot its CIDRs are not known, so the route may be public."""
    data = base()
    find(data, "vpcs", "vpc_id", "vpc-app")["cidr_blocks"].append("11.0.0.0/16")
    customer_lists(data, pl_own=["11.0.4.0/24", "10.0.0.0/16"])
    inside = [route("11.0.8.0/24", "network_interface", "eni-fw"), route("pl-own", "network_interface", "eni-fw")]
    judge = Judge()
    way = public_way(index_of(data), judge, table(LOCAL, TO_NAT, *inside, route("11.1.0.0/16", "transit_gateway", "tgw-1")), None)
    assert (way.path, judge.unknown) == ("nat", "rtb-x has routes to public addresses (11.1.0.0/16) that may carry part of the service")
    judge = Judge()
    public_way(index_of(data), judge, table(LOCAL, TO_NAT, *inside), None)
    assert judge.quiet
    judge = Judge()
    way = public_way(index_of(data), judge, table(LOCAL, TO_NAT, *inside, vpc_id="vpc-gone"), None)
    assert (way.path, judge.unknown) == ("nat", "rtb-x has routes to public addresses (11.0.8.0/24, pl-own) that may carry part of the service")


def test_the_public_way_without_a_default_route_or_with_a_blackhole_one_is_blocked_at_the_table():
    judge = Judge()
    assert public_way(index_of(base()), judge, table(LOCAL, TO_S3), None) == Way("blocked", None, "no route to the public service endpoint")
    assert judge.blocked == Link("route", "rtb-x", "rtb-x has no route to the public service endpoint")
    judge = Judge()
    way = public_way(index_of(base()), judge, table(LOCAL, {**TO_NAT, "state": "blackhole"}), None)
    assert way == Way("blocked", "nat-a", "blackhole route to the public service endpoint")
    assert judge.blocked == Link("route", "rtb-x", "rtb-x sends the public service endpoint to 0.0.0.0/0 -> nat_gateway nat-a, a blackhole")


def test_without_a_usable_default_route_a_route_that_may_carry_the_service_leaves_the_way_unknown():
    """Centralised egress without a default route: a route to a public CIDR, or to a prefix list whose entries
    were not read, may take all of the service (its addresses are not known), so nothing is blocked."""
    data = base()
    customer_lists(data, pl_unread=None)
    for routes, names in (([route("52.216.0.0/16", "transit_gateway", "tgw-1")], "52.216.0.0/16"),
                          ([route("pl-unread", "transit_gateway", "tgw-1"), TO_S3], "pl-unread")):
        for default, gap in (([], "no default route"),
                             ([{**TO_NAT, "state": "blackhole"}], "a blackhole default route (0.0.0.0/0)")):
            judge = Judge()
            way = public_way(index_of(data), judge, table(LOCAL, *routes, *default), None)
            assert way == Way("unknown", None, "the route to the public service endpoint is not known")
            assert judge.blocked is None
            assert judge.unknown == f"rtb-x has {gap}, but its routes to public addresses ({names}) may carry the service"


@pytest.mark.parametrize("destination, named", [
    ({"destination_cidr_block": "52.216.0.0/16"}, "52.216.0.0/16"),
    ({"destination_ipv6_cidr_block": "2600:1f18::/36"}, "2600:1f18::/36"),
    ({"destination_prefix_list_id": "pl-corp"}, "pl-corp"),
    ({}, "?"),  # a route whose destination was not read
])
def test_a_blackhole_route_is_named_by_its_destination(destination, named):
    judge = Judge()
    black = Route(**destination, target_type="transit_gateway", target_id="tgw-1", state="Blackhole")
    assert route_way(judge, table(), black, "S3") == Way("blocked", "tgw-1", "blackhole route to S3")
    assert judge.blocked == Link("route", "rtb-x", f"rtb-x sends S3 to {named} -> transit_gateway tgw-1, a blackhole")


def test_a_route_whose_target_id_is_not_known_is_named_by_its_target_type():
    judge = Judge()
    way = route_way(judge, table(), Route(destination_cidr_block="52.216.0.0/16", target_type="transit_gateway"), "S3")
    assert (way, judge.quiet) == (Way("routed", None, "S3 leaves the VPC through transit_gateway"), True)
    black = Route(destination_cidr_block="52.216.0.0/16", target_type="transit_gateway", state="blackhole")
    assert route_way(judge, table(), black, "S3") == Way("blocked", None, "blackhole route to S3")
    assert judge.blocked == Link("route", "rtb-x", "rtb-x sends S3 to 52.216.0.0/16 -> transit_gateway, a blackhole")


# -- known destinations: each part routed, then combined -------------------------------------------------------


def test_the_public_way_to_known_addresses_names_them_all():
    destinations = [ipaddress.ip_network("10.0.1.5/32"), ipaddress.ip_network("10.0.2.5/32")]
    assert public_way(index_of(base()), Judge(), table(LOCAL, TO_NAT), destinations) == Way("local", None, "10.0.1.5/32, 10.0.2.5/32 is local")
    assert public_way(index_of(base()), Judge(), table(TO_NAT), destinations) == Way("nat", "nat-a", "10.0.1.5/32, 10.0.2.5/32 through NAT gateway nat-a")


def test_a_route_to_a_prefix_list_whose_entries_were_not_read_leaves_the_way_unknown_naming_the_lists():
    """Lists whose entries were not read may hold any address: each part they could take is unknown, naming
    them; the way the known routes give stands."""
    data = base()
    customer_lists(data, pl_b=None, pl_a=None)
    judge = Judge()
    way = public_way(index_of(data), judge, table(LOCAL, TO_NAT, route("pl-b", "transit_gateway", "tgw-1"),
                                                  route("pl-a", "transit_gateway", "tgw-2")), [ipaddress.ip_network("10.0.1.5/32")])
    assert way == Way("local", None, "10.0.1.5/32 is local")
    assert judge.unknown == "the entries of prefix list(s) pl-a, pl-b were not read: the route to 10.0.1.5/32 is not known"


def test_a_part_without_a_known_route_that_an_unread_list_may_take_is_unknown_not_blocked():
    """No default route and no S3 gateway, but a route to a customer prefix list whose entries were not read (a
    centralised egress over a transit gateway, say): the list may hold S3's addresses, so "no route" is not known.
    Each part is unknown, none blocks, and the way is unknown; once the list is read and holds none of S3, no route
    blocks again, naming the table."""
    data = base()
    customer_lists(data, pl_egress=None)
    to_egress = route("pl-egress", "transit_gateway", "tgw-1")
    judge, (way, networks, gateway) = s3(data, LOCAL, to_egress)
    assert (way, networks, gateway) == (Way("unknown", None, "the route to S3 in us-east-1 is not known"), S3_CIDRS, None)
    assert (judge.blocked, judge.unknown) == (
        None, "the entries of prefix list(s) pl-egress were not read: the route to 3.5.0.0/19 is not known")
    find(data, "prefix_lists", "prefix_list_id", "pl-egress").update(cidrs=["10.9.0.0/16"], cidrs_known=True)
    judge, (way, _, _) = s3(data, LOCAL, to_egress)
    assert way == Way("blocked", None, "no route to 3.5.0.0/19")
    assert (judge.blocked.resource_id, judge.blocked.detail, judge.unknown) == ("rtb-x", "rtb-x has no route to 3.5.0.0/19", None)


def test_a_blackhole_an_unread_list_may_override_blocks_nothing_and_the_known_parts_keep_their_way():
    """S3's first part has only a blackhole route, which a list with unread entries may beat: not known, and no
    block; the other part, which no list can take, keeps its way through the NAT gateway. With the list read and
    holding none of S3, the blackhole blocks."""
    data = base()
    customer_lists(data, pl_egress=None)
    find(data, "prefix_lists", "prefix_list_id", "pl-s3")["cidrs"] = ["3.5.0.0/19", "52.216.0.0/15"]
    routes = (LOCAL, route("3.5.0.0/19", "nat_gateway", "nat-a", state="blackhole"),
              route("pl-egress", "transit_gateway", "tgw-1"), route("52.216.0.0/15", "nat_gateway", "nat-a"))
    judge, (way, _, _) = s3(data, *routes)
    assert way == Way("nat", "nat-a", "S3 in us-east-1 through NAT gateway nat-a")
    assert (judge.blocked, judge.unknown) == (
        None, "the entries of prefix list(s) pl-egress were not read: the route to 3.5.0.0/19 is not known")
    find(data, "prefix_lists", "prefix_list_id", "pl-egress").update(cidrs=["10.9.0.0/16"], cidrs_known=True)
    judge, (way, _, _) = s3(data, *routes)
    assert way == Way("blocked", "nat-a", "blackhole route to 3.5.0.0/19")
    assert (judge.blocked.detail, judge.unknown) == ("rtb-x sends 3.5.0.0/19 to 3.5.0.0/19 -> nat_gateway nat-a, a blackhole", None)


def test_after_a_part_an_unread_list_leaves_without_a_route_the_other_parts_of_the_cidr_are_still_routed():
    """S3's one CIDR splits in two: its first half has no known route, its second goes to the NAT gateway, and a
    list with unread entries may take either. The first half blocks nothing; the second still gives the way."""
    data = base()
    customer_lists(data, pl_egress=None)
    find(data, "prefix_lists", "prefix_list_id", "pl-s3")["cidrs"] = ["3.5.0.0/19"]
    judge, (way, _, _) = s3(data, LOCAL, route("3.5.16.0/20", "nat_gateway", "nat-a"), route("pl-egress", "transit_gateway", "tgw-1"))
    assert way == Way("nat", "nat-a", "S3 in us-east-1 through NAT gateway nat-a")
    assert (judge.blocked, judge.unknown) == (
        None, "the entries of prefix list(s) pl-egress were not read: the route to 3.5.0.0/20 is not known")


def test_without_s3_s_list_in_the_snapshot_only_a_gateway_endpoint_s_route_is_known_to_divert_nothing():
    """A gateway endpoint's route is to its service's own list (AWS adds it), never one that may divert part of S3,
    even when the list is missing from the snapshot (so S3's addresses are not known). A missing list routed to a
    Gateway Load Balancer endpoint (an inspection appliance, also ``vpc_endpoint``), to an endpoint not in the
    snapshot, or to a transit gateway may hold any address."""
    data = base()
    region_of(data)["prefix_lists"] = [p for p in region_of(data)["prefix_lists"] if p["prefix_list_id"] != "pl-s3"]
    region_of(data)["vpc_endpoints"] += [
        {"vpc_endpoint_id": "vpce-ddb", "vpc_id": "vpc-app", "vpc_endpoint_type": "Gateway", "state": "available",
         "service_name": "com.amazonaws.us-east-1.dynamodb", "service_region": "us-east-1", "service": "dynamodb"},
        {"vpc_endpoint_id": "vpce-fw", "vpc_id": "vpc-app", "vpc_endpoint_type": "GatewayLoadBalancer", "state": "available",
         "service_name": "com.amazonaws.vpce.us-east-1.vpce-svc-fw", "service_region": "us-east-1", "service": "vpce-svc-fw"}]
    judge, found = s3(data, LOCAL, TO_NAT, TO_S3, route("pl-ddb", "vpc_endpoint", "vpce-ddb"))
    assert found == (Way("endpoint", "vpce-s3", "S3 in us-east-1 through gateway endpoint vpce-s3"), None, "vpce-s3")
    assert judge.quiet
    for target_type, target in (("vpc_endpoint", "vpce-fw"), ("vpc_endpoint", "vpce-gone"), ("transit_gateway", "tgw-1")):
        judge, found = s3(data, LOCAL, TO_NAT, TO_S3, route("pl-gone", target_type, target))
        assert found[0].path == "endpoint"
        assert judge.unknown == "S3's addresses were not read: routes pl-gone may divert part of S3"


def test_nothing_to_route_is_blocked_without_a_link():
    judge = Judge()
    assert combine(judge, table(LOCAL, TO_NAT), [], index_of(base()), "S3") == Way("blocked", None, "no destination")
    assert judge.quiet


def test_address_networks_leaves_junk_out_and_keeps_the_addresses_after_it():
    assert [str(n) for n in address_networks(["10.0.1.5", "not an address", "", "2600:1f18::7", "10.0.2.5"])] == [
        "10.0.1.5/32", "2600:1f18::7/128", "10.0.2.5/32"]


# -- the local shortcut ------------------------------------------------------------------------------------------


def local(routes: list[Route], lists: dict, cidr: str) -> bool:
    index = SimpleNamespace(remember=lambda key, compute: compute(), keep=lambda key, compute: compute(), prefix_lists=lists)
    return is_local(index, RouteTable(route_table_id="rtb", vpc_id="vpc", routes=routes), ipaddress.ip_network(cidr))  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(some_local, lists_strategy, inner_cidrs())
def test_is_local_claims_every_network_its_local_route_alone_takes(routes, lists, cidr):
    """The converse of test_is_local_only_claims_one_known_local_route: when every address of the network takes
    one local, active route, no route's destination lies inside the network (it would make a part of its own) and
    no route's prefix list has entries not known, is_local says so."""
    whole = ipaddress.ip_network(cidr)
    destinations = [network(c) for r in routes
                    for c in ((_list_cidrs(lists, r.destination_prefix_list_id) or []) if r.destination_prefix_list_id
                              else [r.destination_cidr_block])]
    unread = any(r.destination_prefix_list_id and _list_cidrs(lists, r.destination_prefix_list_id) is None for r in routes)
    inside = any(d is not None and d.version == 4 and d != whole and d.subnet_of(whole) for d in destinations)
    answers = [answer.route for _, answer in route_parts(routes, whole, lists)]
    alone = len(answers) == 1 and answers[0] is not None and answers[0].target_type == "local" and answers[0].state != "blackhole"
    assert local(routes, lists, cidr) == (not unread and not inside and alone)


def test_is_local_on_a_vpcs_table():
    """The base's private table: local 10.0.0.0/16, the default route to NAT, S3's AWS-managed list."""
    s3_list = {"pl-s3": S3_CIDRS}
    routes = table(LOCAL, TO_NAT, TO_S3).routes
    for cidr in ("10.0.1.0/24", "10.0.0.0/16", "10.0.1.5/32"):
        assert local(routes, s3_list, cidr), cidr
    for cidr in ("10.0.0.0/15", "10.1.0.0/24", "52.216.0.0/24"):
        assert not local(routes, s3_list, cidr), cidr
    assert not local(routes, {}, "10.0.1.0/24")  # S3's list not known: it may hold the subnet
    assert not local(table({**LOCAL, "state": "Blackhole"}).routes, {}, "10.0.1.0/24")
    firewall = table(LOCAL, TO_NAT, route("pl-fw", "network_interface", "eni-fw")).routes
    lists = {"pl-fw": ["3.5.0.0/19", "10.0.1.128/25"]}  # the second entry is inside 10.0.1.0/24, the first outside
    assert (local(firewall, lists, "10.0.1.0/24"), local(firewall, lists, "10.0.2.0/24")) == (False, True)


# -- S3's way ----------------------------------------------------------------------------------------------------


def test_s3_takes_only_the_vpcs_own_s3_gateway_endpoints():
    """A DynamoDB gateway endpoint, an S3 interface endpoint and another VPC's S3 gateway are not S3's gateway
    for the layers."""
    data = base()
    s3_gateway = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3")
    region_of(data)["vpcs"].append({"vpc_id": "vpc-other", "cidr_blocks": ["10.1.0.0/16"]})
    region_of(data)["vpc_endpoints"] += [
        {**s3_gateway, "vpc_endpoint_id": "vpce-ddb", "service_name": "com.amazonaws.us-east-1.dynamodb", "service": "dynamodb"},
        {**s3_gateway, "vpc_endpoint_id": "vpce-s3i", "vpc_endpoint_type": "Interface", "route_table_ids": []},
        {**s3_gateway, "vpc_endpoint_id": "vpce-s3-other", "vpc_id": "vpc-other"},
    ]
    assert list(s3_gateways(index_of(data), "vpc-app")) == ["vpce-s3"]
    region_of(data)["prefix_lists"].append({"prefix_list_id": "pl-ddb", "prefix_list_name": "com.amazonaws.us-east-1.dynamodb",
                                            "owner_id": "AWS", "cidrs": ["3.218.180.0/22"]})
    to_ddb = route("pl-ddb", "vpc_endpoint", "vpce-ddb")
    s3_unread(data)
    judge, (way, networks, gateway) = s3(data, LOCAL, to_ddb, TO_NAT, TO_S3)
    assert (way, networks, gateway, judge.quiet) == (
        Way("endpoint", "vpce-s3", "S3 in us-east-1 through gateway endpoint vpce-s3"), None, "vpce-s3", True)
    judge, (way, networks, gateway) = s3(data, LOCAL, to_ddb, TO_NAT)  # no S3 gateway route: the default route
    assert (way, networks, gateway) == (Way("nat", "nat-a", "the public service endpoint through NAT gateway nat-a"), None, None)


def test_s3_with_its_addresses_known_is_routed_part_by_part():
    judge, result = s3(base(), LOCAL, TO_NAT, TO_S3)
    assert result == (Way("endpoint", "vpce-s3", "S3 in us-east-1 through gateway endpoint vpce-s3"), S3_CIDRS, "vpce-s3")
    assert judge.quiet


def test_s3_without_a_gateway_route_leaves_by_the_parts_ways_and_diverts_nothing():
    """Without a gateway endpoint no part of S3 is taken away from it: the flow leaves the VPC the way that costs
    (NAT), naming the first part that takes it, and ``diverted`` stays empty."""
    judge, result = s3(base(), LOCAL, TO_NAT, route("52.216.0.0/16", "transit_gateway", "tgw-1"))
    assert result == (Way("nat", "nat-a", "3.5.0.0/19 through NAT gateway nat-a"), S3_CIDRS, None)
    assert judge.quiet


@pytest.mark.parametrize("unread, unknown", [
    (s3_unread, None),
    (lambda data: find(data, "prefix_lists", "prefix_list_id", "pl-s3").update({"cidrs": []}), None),  # read, and empty
    # not in the snapshot: the gateway endpoint's route is still to S3's own list (AWS adds it, to the service's list)
    (lambda data: region_of(data)["prefix_lists"].clear(), None),
], ids=["entries not read", "no entries", "no S3 list"])
def test_s3_whose_addresses_are_not_known_takes_the_gateway_route_else_the_public_way(unread, unknown):
    data = base()
    unread(data)
    judge, result = s3(data, LOCAL, TO_NAT, TO_S3)
    assert result == (Way("endpoint", "vpce-s3", "S3 in us-east-1 through gateway endpoint vpce-s3"), None, "vpce-s3")
    assert (judge.unknown, judge.blocked) == (unknown, None)
    judge, result = s3(data, LOCAL, TO_NAT, route("52.216.0.0/16", "transit_gateway", "tgw-1"))
    assert result == (Way("nat", "nat-a", "the public service endpoint through NAT gateway nat-a"), None, None)
    assert judge.unknown == "rtb-x has routes to public addresses (52.216.0.0/16) that may carry part of the service"
    judge, result = s3(data, LOCAL)
    assert result == (Way("blocked", None, "no route to the public service endpoint"), None, None)
    assert judge.blocked == Link("route", "rtb-x", "rtb-x has no route to the public service endpoint")


def test_s3_whose_addresses_are_not_known_names_the_routes_that_may_divert_part_of_it():
    """Through the gateway route, routes to public addresses may still take part of S3 (unknown, naming them);
    routes inside the VPC's own CIDRs can't, unless the VPC is not in the snapshot."""
    data = base()
    s3_unread(data)
    find(data, "vpcs", "vpc_id", "vpc-app")["cidr_blocks"].append("11.0.0.0/16")
    customer_lists(data, pl_corp=["8.8.8.0/24"])
    own = route("11.0.8.0/24", "network_interface", "eni-fw")
    judge, (way, _, gateway) = s3(data, LOCAL, own, TO_S3, TO_NAT, route("pl-corp", "transit_gateway", "tgw-1"),
                                  route("52.216.0.0/16", "transit_gateway", "tgw-1"))
    assert (way.path, way.via, gateway) == ("endpoint", "vpce-s3", "vpce-s3")
    assert judge.unknown == "S3's addresses were not read: routes 52.216.0.0/16, pl-corp may divert part of S3"
    judge, (way, _, _) = s3(data, LOCAL, own, TO_S3, TO_NAT)
    assert (way.path, judge.quiet) == ("endpoint", True)
    region_of(data)["collected"].remove("vpcs")  # the VPCs not read: the VPC's CIDRs are not known
    region_of(data)["vpcs"] = []
    judge, (way, _, gateway) = s3(data, LOCAL, own, TO_S3, TO_NAT)
    assert (way.path, gateway) == ("endpoint", "vpce-s3")
    assert judge.unknown == "S3's addresses were not read: routes 11.0.8.0/24 may divert part of S3"


def test_s3_whose_addresses_are_not_known_through_a_blackhole_gateway_route_is_blocked():
    data = base()
    s3_unread(data)
    judge, result = s3(data, LOCAL, TO_NAT, {**TO_S3, "state": "blackhole"})
    assert result == (Way("blocked", "vpce-s3", "blackhole route to S3 in us-east-1"), None, "vpce-s3")
    assert judge.blocked == Link("route", "rtb-x", "rtb-x sends S3 in us-east-1 to pl-s3 -> vpc_endpoint vpce-s3, a blackhole")


def test_the_layers_pass_a_dynamodb_gateway_route_by():
    """In the full model: a table whose only gateway route is DynamoDB's sends the layers to the NAT gateway."""
    data = base()
    region_of(data)["vpc_endpoints"].append({**find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3"), "vpc_endpoint_id": "vpce-ddb",
                                             "service_name": "com.amazonaws.us-east-1.dynamodb", "service": "dynamodb"})
    region_of(data)["prefix_lists"].append({"prefix_list_id": "pl-ddb", "prefix_list_name": "com.amazonaws.us-east-1.dynamodb",
                                            "owner_id": "AWS", "cidrs": ["3.218.180.0/22"]})
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"][2] = route("pl-ddb", "vpc_endpoint", "vpce-ddb")
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.via, layers.diverted) == ("nat", "nat-a", ())


def _gwlb(data: dict) -> None:
    """A Gateway Load Balancer endpoint in vpc-app (a firewall): it takes any route, prefix lists included."""
    region_of(data)["vpc_endpoints"].append({
        "vpc_endpoint_id": "vpce-fw", "vpc_id": "vpc-app", "vpc_endpoint_type": "GatewayLoadBalancer", "state": "available",
        "service_name": "com.amazonaws.vpce.us-east-1.vpce-svc-fw", "service_region": "us-east-1"})


def test_s3_s_list_routed_to_a_gateway_load_balancer_endpoint_leaves_through_the_appliance_not_the_gateway():
    """S3's prefix list routed to a firewall's GWLB endpoint: the traffic goes on from the appliance, so the way is
    routed, not the endpoint way a gateway endpoint's own route gives; the S3 gateway plays no part."""
    data = base()
    _gwlb(data)
    judge, (way, networks, gateway) = s3(data, LOCAL, route("pl-s3", "vpc_endpoint", "vpce-fw"), TO_NAT)
    assert way == Way("routed", "vpce-fw", "S3 in us-east-1 goes to GatewayLoadBalancer endpoint vpce-fw, which sends it "
                                           "on (an appliance), not to a gateway endpoint")
    assert (networks, gateway, judge.quiet) == (S3_CIDRS, None, True)
    judge, (way, _, gateway) = s3(data, LOCAL, TO_S3, TO_NAT)  # the gateway endpoint's own route
    assert (way.path, way.via, gateway, judge.quiet) == ("endpoint", "vpce-s3", "vpce-s3", True)
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-fw")["vpc_endpoint_type"] = None  # its type not read
    _, (way, _, _) = s3(data, LOCAL, route("pl-s3", "vpc_endpoint", "vpce-fw"), TO_NAT)
    assert way.reason == "S3 in us-east-1 goes to VPC endpoint vpce-fw, which sends it on (an appliance), not to a gateway endpoint"


def test_part_of_s3_through_a_gateway_load_balancer_endpoint_is_diverted_from_the_gateway():
    data = base()
    _gwlb(data)
    customer_lists(data, pl_fw=["52.216.0.0/16"])
    judge, (way, _, gateway) = s3(data, LOCAL, TO_S3, route("pl-fw", "vpc_endpoint", "vpce-fw"), TO_NAT)
    assert (way.path, way.via, gateway) == ("routed", "vpce-fw", "vpce-s3")
    assert way.diverted == ({"cidr": "52.216.0.0/16", "route": "pl-fw", "target_type": "vpc_endpoint", "target_id": "vpce-fw"},)


def test_s3_routed_to_an_endpoint_not_in_the_snapshot_is_unknown():
    """The route's target is a VPC endpoint the snapshot does not hold (left out, or listed after the routes were
    read): whether it is S3's gateway, in what state and under what policy, is not known."""
    data = base()
    region_of(data)["vpc_endpoints"] = [e for e in region_of(data)["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-s3"]
    judge, (way, _, gateway) = s3(data, LOCAL, TO_S3, TO_NAT)
    assert (way.path, way.via, way.reason, gateway) == ("unknown", "vpce-s3", "vpce-s3 is not in the snapshot", None)
    assert judge.unknown == ("rtb-x sends 3.5.0.0/19 to pl-s3 -> vpce-s3, an endpoint not in the snapshot: what it is "
                             "and whether it serves is not known")
    assert judge.blocked is None
