"""The way to a hub endpoint, link by link (vpclint.path.hub): for each decision the exact flow a user sees —
path, via, reason, and the blocking link's kind, resource, detail, peer (the CIDR needing a route or rule) and
target (the gateway, attachment, table or connection to use) — over a transit gateway and a peering connection."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from hubworld import attachment, find, hub_and_spoke, peered_pair, region_of, tgw_route
from test_hub import SPOKE_A, SPOKE_B, flow, routes

HUB_ADDRESS = "the hub endpoint's address in vpc-app (10.0.1.5/32)"
BACK = "the workload subnet in vpc-spoke (10.1.1.0/24)"


def blocked(data: dict, name: str = "registry", subnet: str = SPOKE_A) -> dict[str, Any]:
    """The blocked flow's via, reason and link fields (nulls left out)."""
    found = flow(data, name, subnet)
    assert found.path == "blocked", found
    assert found.reason == found.link.detail
    return {"via": found.via, **found.link.to_dict()}


def unknown(data: dict, name: str = "registry", subnet: str = SPOKE_A) -> str:
    found = flow(data, name, subnet)
    assert (found.path, found.via, found.link) == ("unknown", "vpce-dkr" if name == "registry" else found.via, None), found
    return found.reason


def hub_route(resource_id: str, detail: str, peer: Optional[str] = None, target_id: Optional[str] = None) -> dict:
    link = {"via": "vpce-dkr", "kind": "hub-route", "resource_id": resource_id, "detail": detail}
    return {**link, **({"peer": peer} if peer else {}), **({"target_id": target_id} if target_id else {})}


def spoke_route(data: dict) -> dict:
    return routes(data, "rtb-vpc-spoke")[1]


# The spoke's route to the hub endpoint's address (_hop)

@pytest.mark.parametrize("build, over", [(hub_and_spoke, "tgw-1"), (peered_pair, "pcx-1")])
def test_the_spoke_route_missing_names_the_table_the_address_the_hub_cidr_and_the_connection_to_use(build, over):
    data = build()
    routes(data, "rtb-vpc-spoke").pop(1)
    assert blocked(data) == hub_route("rtb-vpc-spoke", f"rtb-vpc-spoke has no route to {HUB_ADDRESS}", "10.0.0.0/16", over)


@pytest.mark.parametrize("change, where", [
    ({"state": "blackhole"}, "to tgw-1, a blackhole"),
    ({"state": "BlackHole"}, "to tgw-1, a blackhole"),
    ({"target_type": "nat_gateway", "target_id": "nat-a"}, "to nat-a, which does not lead to the other VPC"),
    ({"target_type": "internet_gateway", "target_id": None}, "to internet_gateway, which does not lead to the other VPC"),
    ({"target_type": "egress_only_internet_gateway", "target_id": "eigw-1"}, "to eigw-1, which does not lead to the other VPC"),
    ({"target_type": "local", "target_id": "local"}, "to local, which does not lead to the other VPC"),
])
def test_a_spoke_route_to_a_blackhole_or_a_dead_end_blocks_suggesting_the_gateway(change, where):
    data = hub_and_spoke()
    spoke_route(data).update(change)
    assert blocked(data) == hub_route("rtb-vpc-spoke", f"rtb-vpc-spoke sends {HUB_ADDRESS} {where}", "10.0.0.0/16", "tgw-1")


@pytest.mark.parametrize("change, words", [
    ({"target_type": "network_interface", "target_id": "eni-fw"}, "through network_interface eni-fw: "),
    ({"target_type": "virtual_private_gateway", "target_id": None}, "through virtual_private_gateway : "),
    ({"target_type": "transit_gateway", "target_id": None}, "through transit_gateway : "),
])
def test_a_spoke_route_through_anything_else_is_unknown(change, words):
    data = hub_and_spoke()
    spoke_route(data).update(change)
    assert unknown(data) == (f"rtb-vpc-spoke sends {HUB_ADDRESS} {words}vpclint follows only transit gateways and "
                             "peering to a hub")


def test_a_spoke_route_through_a_private_nat_gateway_is_unknown_not_a_dead_end():
    """A private NAT gateway carries private addresses on to where its own subnet routes (AWS's use of one: to a
    transit gateway towards overlapping networks), which vpclint does not follow; a public one leads nowhere."""
    data = hub_and_spoke()
    spoke_route(data).update({"target_type": "nat_gateway", "target_id": "nat-priv"})
    region_of(data)["nat_gateways"] = [{"nat_gateway_id": "nat-priv", "vpc_id": "vpc-spoke", "state": "available",
                                        "connectivity_type": "Private"}]
    assert unknown(data) == (f"rtb-vpc-spoke sends {HUB_ADDRESS} through nat_gateway nat-priv: vpclint follows only "
                             "transit gateways and peering to a hub")
    region_of(data)["nat_gateways"][0]["connectivity_type"] = "public"
    assert blocked(data)["detail"] == f"rtb-vpc-spoke sends {HUB_ADDRESS} to nat-priv, which does not lead to the other VPC"


def test_the_longest_prefix_decides_the_spoke_route():
    data = hub_and_spoke()
    table = routes(data, "rtb-vpc-spoke")
    table.append({"destination_cidr_block": "10.0.0.0/8", "state": "blackhole", "target_id": "tgw-1",
                  "target_type": "transit_gateway"})
    assert flow(data).path == "endpoint"  # 10.0.0.0/16 is longer
    table.append({"destination_cidr_block": "10.0.1.0/24", "state": "active", "target_id": "nat-a",
                  "target_type": "nat_gateway"})
    assert blocked(data)["detail"] == f"rtb-vpc-spoke sends {HUB_ADDRESS} to nat-a, which does not lead to the other VPC"
    assert flow(data, subnet=SPOKE_B).path == "blocked"  # each subnet reaches every interface address


def unread_list(data: dict, list_id: str, **route: str) -> dict:
    """A customer prefix list whose entries were not read, and a spoke route to it (``route``'s target) if given."""
    if route:
        routes(data, "rtb-vpc-spoke").append({"destination_prefix_list_id": list_id, "state": "active", **route})
    region_of(data)["prefix_lists"].append({"prefix_list_id": list_id, "prefix_list_name": list_id, "cidrs_known": False,
                                            "owner_id": "111122223333"})
    return region_of(data)["prefix_lists"][-1]


def test_a_spoke_route_to_a_prefix_list_not_read_is_unknown_though_the_known_route_reaches_the_hub():
    data = hub_and_spoke()
    unread_list(data, "pl-fw", target_type="nat_gateway", target_id="nat-a")
    assert unknown(data) == "the entries of prefix list(s) pl-fw were not read: the route to 10.0.1.5/32 is not known"
    region_of(data)["prefix_lists"][-1].update(cidrs_known=True, cidrs=["10.0.2.0/24"])
    assert flow(data).path == "blocked"  # read: it takes the endpoint's other address to a NAT gateway
    assert blocked(data)["detail"] == ("rtb-vpc-spoke sends the hub endpoint's address in vpc-app (10.0.2.5/32) to "
                                       "nat-a, which does not lead to the other VPC")


@pytest.mark.parametrize("build, over", [(hub_and_spoke, "tgw-1"), (peered_pair, "pcx-1")])
def test_a_spoke_reaching_the_hub_only_by_a_prefix_list_not_read_is_unknown_not_without_a_route(build, over):
    """The spoke's route to the hub is by a customer prefix list whose entries were not read: the list may hold the
    endpoint's addresses, so "no route" is not known. Read and holding the hub CIDR, the flow reaches the hub;
    read and holding something else, there is no route, naming the table."""
    data = build()
    spoke_route(data).update(destination_cidr_block=None, destination_prefix_list_id="pl-hub")
    listed = unread_list(data, "pl-hub")
    assert unknown(data) == "the entries of prefix list(s) pl-hub were not read: the route to 10.0.1.5/32 is not known"
    assert flow(data, subnet=SPOKE_B).path == "unknown"
    listed.update(cidrs_known=True, cidrs=["10.0.0.0/16"])
    assert flow(data).path == "endpoint"
    listed.update(cidrs=["10.8.0.0/16"])
    assert blocked(data) == hub_route("rtb-vpc-spoke", f"rtb-vpc-spoke has no route to {HUB_ADDRESS}", "10.0.0.0/16", over)


def test_a_spoke_route_to_a_blackhole_that_a_prefix_list_not_read_may_beat_is_unknown():
    data = hub_and_spoke()
    spoke_route(data)["state"] = "blackhole"
    listed = unread_list(data, "pl-fw", target_type="transit_gateway", target_id="tgw-1")
    assert unknown(data) == "the entries of prefix list(s) pl-fw were not read: the route to 10.0.1.5/32 is not known"
    listed.update(cidrs_known=True, cidrs=["192.168.0.0/16"])
    assert blocked(data)["detail"] == f"rtb-vpc-spoke sends {HUB_ADDRESS} to tgw-1, a blackhole"


# The transit gateway attachments (_attachment, _there)

@pytest.mark.parametrize("position, change, vpc", [
    (1, {"state": "pending"}, "vpc-spoke"),
    (1, {"transit_gateway_id": "tgw-2"}, "vpc-spoke"),  # an attachment to another gateway does not count
    (0, {"state": "deleting"}, "vpc-app"),
])
def test_no_available_attachment_either_side_blocks_naming_the_vpc_and_the_gateway(position, change, vpc):
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][position].update(change)
    assert blocked(data) == hub_route(vpc, f"{vpc} has no available attachment to tgw-1", target_id="tgw-1")


@pytest.mark.parametrize("position, vpc, attachment_id", [(1, "vpc-spoke", "tgw-attach-spoke"), (0, "vpc-app", "tgw-attach-hub")])
def test_an_attachment_being_modified_still_carries_traffic_but_the_flow_is_unknown(position, vpc, attachment_id):
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][position]["state"] = "modifying"
    assert unknown(data) == (f"{attachment_id} ({vpc} to tgw-1) is being modified: whether it carries the flow while "
                             "it changes is not known")
    region_of(data)["transit_gateway_attachments"].append(  # an available attachment of the VPC to the gateway is used
        {**region_of(data)["transit_gateway_attachments"][position], "transit_gateway_attachment_id": "tgw-attach-z",
         "state": "available"})
    assert flow(data).path == "endpoint"


def test_a_spoke_attachment_without_a_subnet_in_the_workload_az_blocks_that_az():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][1]["subnet_ids"] = [SPOKE_A]
    assert flow(data).path == "endpoint"
    assert blocked(data, subnet=SPOKE_B) == hub_route(
        "tgw-attach-spoke", "tgw-attach-spoke (vpc-spoke to tgw-1) has no subnet in us-east-1b: resources in an AZ "
        "without an attachment cannot reach the transit gateway", target_id="tgw-1")


# The attachment subnets' route tables and network ACLs: test_hub_gateway_subnets.py


def test_a_hub_attachment_without_a_subnet_in_the_endpoint_subnet_az_blocks_the_way_back():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][0]["subnet_ids"] = ["subnet-priv-b"]
    assert blocked(data) == hub_route(
        "tgw-attach-hub", "tgw-attach-hub (vpc-app to tgw-1) has no subnet in us-east-1a: resources in an AZ "
        "without an attachment cannot reach the transit gateway", target_id="tgw-1")


def test_unread_attachments_are_unknown_naming_the_gateway():
    data = hub_and_spoke()
    region_of(data)["collected"].remove("transit_gateway_attachments")
    assert unknown(data) == "the transit gateway attachments were not read: the way through tgw-1 is not known"


# The transit gateway route tables (_tgw_route, _tgw_decision)

def tgw_routes(data: dict) -> list[dict]:
    return region_of(data)["transit_gateway_route_tables"][0]["routes"]


def test_a_gateway_table_without_the_hub_route_names_the_hub_attachment():
    data = hub_and_spoke()
    tgw_routes(data).pop(0)
    assert blocked(data) == hub_route("tgw-rtb-1", "tgw-rtb-1 (tgw-1) has no route to 10.0.1.5/32 in vpc-app",
                                      "10.0.0.0/16", "tgw-attach-hub")


@pytest.mark.parametrize("state", ["blackhole", "Blackhole"])
def test_a_blackhole_gateway_route_is_no_route(state):
    data = hub_and_spoke()
    tgw_routes(data)[0]["state"] = state
    assert blocked(data)["detail"] == "tgw-rtb-1 (tgw-1) has no route to 10.0.1.5/32 in vpc-app"


def test_a_gateway_table_without_the_way_back_names_the_spoke_attachment():
    data = hub_and_spoke()
    tgw_routes(data).pop(1)
    assert blocked(data) == hub_route("tgw-rtb-1", "tgw-rtb-1 (tgw-1) has no route to 10.1.1.0/24 in vpc-spoke",
                                      "10.1.0.0/16", "tgw-attach-spoke")


def test_the_longest_gateway_route_decides():
    data = hub_and_spoke()
    tgw_routes(data).append({**tgw_route("10.0.1.0/24", "tgw-attach-hub", "vpc-app"), "state": "blackhole"})
    assert blocked(data)["detail"] == "tgw-rtb-1 (tgw-1) has no route to 10.0.1.5/32 in vpc-app"
    data = hub_and_spoke()
    tgw_routes(data)[0]["state"] = "blackhole"
    tgw_routes(data).append(tgw_route("10.0.0.0/17", "tgw-attach-hub", "vpc-app"))
    tgw_routes(data).append(tgw_route("10.0.0.0/8", "tgw-attach-fw", "vpc-fw"))
    assert flow(data).path == "endpoint"


@pytest.mark.parametrize("first", ["propagated", "static"])
def test_among_gateway_routes_to_the_same_cidr_a_static_one_wins(first):
    """AWS evaluates a static route before a propagated one to the same CIDR, whatever their order: a static
    blackhole takes the hub's CIDR away from the propagated route, and a static route to the hub wins over a
    propagated one to an inspection VPC."""
    to_hub, to_fw = tgw_route("10.0.0.0/16", "tgw-attach-hub", "vpc-app"), tgw_route("10.0.0.0/16", "tgw-attach-fw", "vpc-fw")
    data = hub_and_spoke()
    blackhole = {**to_hub, "type": "static", "state": "blackhole"}
    tgw_routes(data)[0:1] = [to_hub, blackhole] if first == "propagated" else [blackhole, to_hub]
    assert blocked(data)["detail"] == "tgw-rtb-1 (tgw-1) has no route to 10.0.1.5/32 in vpc-app"
    data = hub_and_spoke()
    static_to_hub = {**to_hub, "type": "static"}
    tgw_routes(data)[0:1] = [to_fw, static_to_hub] if first == "propagated" else [static_to_hub, to_fw]
    assert flow(data).path == "endpoint"


def test_a_prefix_list_route_to_the_same_cidr_beats_a_propagated_one_but_not_a_static_one():
    data = hub_and_spoke()
    to_hub = tgw_route("10.0.0.0/16", "tgw-attach-hub", "vpc-app")
    by_list = {**tgw_route("10.0.0.0/16", "tgw-attach-fw", "vpc-fw"), "prefix_list_id": "pl-corp", "type": "static"}
    tgw_routes(data)[0:1] = [to_hub, by_list]
    assert unknown(data) == "tgw-1 sends 10.0.1.5/32 to another attachment than vpc-app's (an inspection VPC?)"
    tgw_routes(data)[0:2] = [by_list, {**to_hub, "type": "static"}]
    assert flow(data).path == "endpoint"


def test_a_gateway_route_naming_neither_a_cidr_nor_a_prefix_list_is_passed_over():
    data = hub_and_spoke()
    tgw_routes(data).insert(0, {"type": "static", "state": "active", "attachments": []})
    assert flow(data).path == "endpoint"


def test_a_gateway_route_to_another_attachment_is_unknown():
    data = hub_and_spoke()
    tgw_routes(data)[0] = tgw_route("10.0.0.0/16", "tgw-attach-fw", "vpc-fw")
    assert unknown(data) == "tgw-1 sends 10.0.1.5/32 to another attachment than vpc-app's (an inspection VPC?)"


@pytest.mark.parametrize("change", [
    lambda r: r.update(attachments=[]),
    lambda r: r.update(destination_cidr_block=None, prefix_list_id="pl-hub"),
])
def test_a_gateway_route_without_attachments_or_by_prefix_list_is_unknown(change):
    data = hub_and_spoke()
    change(tgw_routes(data)[0])
    assert unknown(data) == "the routes of tgw-1's route table(s) tgw-rtb-1 to 10.0.1.5/32 are not known"


def test_a_gateway_table_whose_routes_were_not_read_is_unknown():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_route_tables"][0].update(routes_known=False)
    assert unknown(data) == "the routes of tgw-1's route table(s) tgw-rtb-1 to 10.0.1.5/32 are not known"


def test_unread_or_absent_gateway_tables_are_unknown():
    data = hub_and_spoke()
    region_of(data)["collected"].remove("transit_gateway_routes")
    assert unknown(data) == "the route tables of tgw-1 were not read"
    data = hub_and_spoke()
    region_of(data)["transit_gateway_route_tables"][0]["transit_gateway_id"] = "tgw-2"
    assert unknown(data) == "no route table of tgw-1 is in the snapshot (another account's transit gateway?)"


def second_table(data: dict, routes_: list[dict]) -> None:
    region_of(data)["transit_gateway_route_tables"].append({
        "transit_gateway_route_table_id": "tgw-rtb-0", "transit_gateway_id": "tgw-1", "routes": routes_})


def test_tables_that_agree_decide_without_the_association_and_disagreeing_ones_are_unknown():
    data = hub_and_spoke()
    second_table(data, list(tgw_routes(data)))
    assert flow(data).path == "endpoint"
    data = hub_and_spoke()
    second_table(data, [])
    assert unknown(data) == ("tgw-attach-spoke's route table is not known, and tgw-1's tables route 10.0.1.5/32 "
                             "differently")
    data = hub_and_spoke()
    second_table(data, [])
    tgw_routes(data).clear()
    assert blocked(data) == hub_route("tgw-rtb-0", "tgw-rtb-0 (tgw-1) has no route to 10.0.1.5/32 in vpc-app",
                                      "10.0.0.0/16", "tgw-attach-hub")  # both missing: the first table is named


def test_an_unknown_table_is_named_among_several():
    data = hub_and_spoke()
    second_table(data, [])
    region_of(data)["transit_gateway_route_tables"][1]["routes_known"] = False
    region_of(data)["transit_gateway_route_tables"].append({
        "transit_gateway_route_table_id": "tgw-rtb-9", "transit_gateway_id": "tgw-1", "routes": [],
        "routes_known": False})
    assert unknown(data) == "the routes of tgw-1's route table(s) tgw-rtb-0, tgw-rtb-9 to 10.0.1.5/32 are not known"


# Which connection the missing route should use (_suggestion) and the CIDR it should cover (_cidr_of)

def test_the_route_to_add_names_no_connection_when_the_vpcs_share_no_gateway_and_no_active_peering():
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke").pop(1)
    region_of(data)["transit_gateway_attachments"][1]["transit_gateway_id"] = "tgw-2"
    assert blocked(data) == hub_route("rtb-vpc-spoke", f"rtb-vpc-spoke has no route to {HUB_ADDRESS}", "10.0.0.0/16")
    data = peered_pair()
    routes(data, "rtb-vpc-spoke").pop(1)
    region_of(data)["vpc_peering_connections"][0]["status"] = "deleted"
    assert blocked(data) == hub_route("rtb-vpc-spoke", f"rtb-vpc-spoke has no route to {HUB_ADDRESS}", "10.0.0.0/16")


@pytest.mark.parametrize("hub_state, expected", [("available", "tgw-1"), ("pending", "pcx-1")])
def test_the_route_to_add_prefers_a_gateway_both_vpcs_are_attached_to_over_peering(hub_state, expected):
    data = peered_pair()
    routes(data, "rtb-vpc-spoke").pop(1)
    region_of(data)["transit_gateway_attachments"] = [
        {**attachment("tgw-attach-hub", "vpc-app", ["subnet-priv-a"]), "state": hub_state},
        attachment("tgw-attach-spoke", "vpc-spoke", [SPOKE_A])]
    assert blocked(data)["target_id"] == expected


def test_an_endpoint_address_outside_the_hub_cidrs_is_the_route_to_add():
    data = hub_and_spoke()
    find(data, "vpcs", "vpc_id", "vpc-app")["cidr_blocks"] = ["10.0.2.0/24"]
    routes(data, "rtb-vpc-spoke").pop(1)
    assert blocked(data) == hub_route("rtb-vpc-spoke", f"rtb-vpc-spoke has no route to {HUB_ADDRESS}", "10.0.1.5/32",
                                      "tgw-1")


# The peering connection (_peering)

def peering(data: dict) -> dict:
    return region_of(data)["vpc_peering_connections"][0]


@pytest.mark.parametrize("status, detail", [
    ("pending-acceptance", "pcx-1 is pending-acceptance, not active"),
    ("Deleted", "pcx-1 is Deleted, not active"),
    (None, "pcx-1 is in an unknown state, not active"),
])
def test_a_peering_connection_not_active_blocks_naming_its_status(status, detail):
    data = peered_pair()
    peering(data)["status"] = status
    assert blocked(data) == hub_route("pcx-1", detail)


def test_an_active_peering_connection_is_active_in_any_case():
    data = peered_pair()
    peering(data)["status"] = "Active"
    assert flow(data).path == "endpoint"


def test_a_peering_connection_joining_other_vpcs_blocks_naming_them():
    data = peered_pair()
    peering(data)["accepter"]["vpc_id"] = "vpc-other"
    assert blocked(data) == hub_route("pcx-1", "pcx-1 joins vpc-other, vpc-spoke, not vpc-spoke and vpc-app")


@pytest.mark.parametrize("side, cidrs, subnet, detail", [
    ("accepter", ["10.0.200.0/24"], SPOKE_A, "pcx-1 does not carry 10.0.1.5/32: it is outside the CIDRs vpc-app shares over it"),
    ("accepter", ["10.0.1.0/24"], SPOKE_A,
     "pcx-1 does not carry 10.0.2.5/32: it is outside the CIDRs vpc-app shares over it"),
    ("requester", ["10.1.2.0/24"], SPOKE_A, "pcx-1 does not carry 10.1.1.0/24: it is outside the CIDRs vpc-spoke shares over it"),
])
def test_a_peering_connection_carries_only_the_cidrs_its_sides_share(side, cidrs, subnet, detail):
    data = peered_pair()
    peering(data)[side]["cidr_blocks"] = cidrs
    assert blocked(data, subnet=subnet) == hub_route("pcx-1", detail)


def test_a_peering_connection_sharing_the_spoke_subnet_only_serves_that_subnet():
    data = peered_pair()
    peering(data)["requester"]["cidr_blocks"] = ["10.1.2.0/24"]
    assert flow(data, subnet=SPOKE_B).path == "endpoint"


def test_a_peering_connection_not_read_or_not_in_the_snapshot_is_unknown():
    data = peered_pair()
    region_of(data)["collected"].remove("vpc_peering_connections")
    assert unknown(data) == "the VPC peering connections were not read: pcx-1 is not known"
    data = peered_pair()
    peering(data)["vpc_peering_connection_id"] = "pcx-2"
    assert unknown(data) == "pcx-1 is not in the snapshot"


@pytest.mark.parametrize("unread", ["not read", "not in the snapshot"])
def test_a_peering_connection_not_known_is_still_crossed_so_a_reference_across_it_counts(unread):
    """The route sends the flow to pcx-1 whatever vpclint could read of it: a hub group admitting the spoke's
    workloads only by a reference across pcx-1 blocks nothing (unknown, from the connection), and the way back is
    still checked; a hub group admitting nobody blocks whatever the connection."""
    data = peered_pair()
    if unread == "not read":
        region_of(data)["collected"].remove("vpc_peering_connections")
    else:
        peering(data)["vpc_peering_connection_id"] = "pcx-2"
    group = find(data, "security_groups", "group_id", "sg-endpoints")
    group["ingress"] = [{"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-vpc-spoke",
                         "vpc_peering_connection_id": "pcx-1", "referenced_group_vpc_id": "vpc-spoke"}]
    reason = unknown(data)
    assert reason.startswith("the VPC peering connections were not read" if unread == "not read" else "pcx-1 is not in")
    routes(data, "rtb-priv-a").pop()
    assert blocked(data) == hub_route("rtb-priv-a", f"rtb-priv-a sends {BACK} to nat-a, which does not lead to the "
                                                    "other VPC", "10.1.0.0/16", "pcx-1")
    routes(data, "rtb-priv-a").append({"destination_cidr_block": "10.1.0.0/16", "target_type": "vpc_peering_connection",
                                       "target_id": "pcx-1", "state": "active"})
    group["ingress"] = []
    assert blocked(data)["kind"] == "hub-endpoint-sg"


# The way back (_back)

def _peering(peering_id: str, other: str = "vpc-spoke", status: str = "active", cidr: str = "10.1.0.0/16",
             hub_cidr: str = "10.0.0.0/16") -> dict:
    return {"vpc_peering_connection_id": peering_id, "status": status,
            "requester": {"vpc_id": other, "owner_id": "111122223333", "region": "us-east-1", "cidr_blocks": [cidr]},
            "accepter": {"vpc_id": "vpc-app", "owner_id": "111122223333", "region": "us-east-1", "cidr_blocks": [hub_cidr]}}


@pytest.mark.parametrize("build", [hub_and_spoke, peered_pair])
def test_replies_through_another_peering_connection_reach_the_workloads_when_it_joins_the_two_vpcs(build):
    """Security groups track connections on the interfaces, whatever way the packets take: replies over another
    peering connection than the request's still arrive, when that connection passes as on the way there."""
    data = build()
    region = region_of(data)
    region["vpc_peering_connections"] = [*region.get("vpc_peering_connections", []), _peering("pcx-9")]
    routes(data, "rtb-priv-a")[-1].update(target_id="pcx-9", target_type="vpc_peering_connection")
    assert flow(data, "registry", SPOKE_A).path == "endpoint"
    region["vpc_peering_connections"][-1] = _peering("pcx-9", other="vpc-elsewhere")
    assert blocked(data) == hub_route("pcx-9", "pcx-9 joins vpc-app, vpc-elsewhere, not vpc-spoke and vpc-app")
    region["vpc_peering_connections"][-1] = _peering("pcx-9", status="deleted")
    assert blocked(data) == hub_route("pcx-9", "pcx-9 is deleted, not active")
    region["vpc_peering_connections"][-1] = _peering("pcx-9", cidr="10.1.2.0/24")
    assert blocked(data) == hub_route("pcx-9", "pcx-9 does not carry 10.1.1.0/24: it is outside the CIDRs vpc-spoke "
                                               "shares over it")
    region["vpc_peering_connections"][-1] = _peering("pcx-9", hub_cidr="10.0.9.0/24")  # not the endpoint subnet's
    assert blocked(data) == hub_route("pcx-9", "pcx-9 does not carry 10.0.1.0/24: it is outside the CIDRs vpc-app "
                                               "shares over it")
    region["vpc_peering_connections"].pop()
    assert unknown(data) == "pcx-9 is not in the snapshot"


def test_replies_through_another_transit_gateway_are_not_known():
    data = peered_pair()
    routes(data, "rtb-priv-a")[-1].update(target_id="tgw-1", target_type="transit_gateway")
    assert unknown(data) == ("rtb-priv-a sends the replies to the workload subnet in vpc-spoke through tgw-1, not back "
                             "through pcx-1: vpclint does not follow another transit gateway back")


@pytest.mark.parametrize("build, over", [(hub_and_spoke, "tgw-1"), (peered_pair, "pcx-1")])
def test_a_hub_subnet_without_a_route_back_blocks(build, over):
    data = build()
    routes(data, "rtb-priv-a").pop()
    assert blocked(data) == hub_route("rtb-priv-a", f"rtb-priv-a sends {BACK} to nat-a, which does not lead to the "
                                                    "other VPC", "10.1.0.0/16", over)


@pytest.mark.parametrize("build", [hub_and_spoke, peered_pair])
def test_a_hub_subnet_without_a_route_table_is_unknown(build):
    data = build()
    region = region_of(data)
    region["route_tables"] = [t for t in region["route_tables"] if t["route_table_id"] not in ("rtb-priv-a", "rtb-main")]
    assert unknown(data) == "the way back from subnet-priv-a: no route table of subnet-priv-a is in the snapshot"


def test_a_hub_subnet_on_a_route_table_read_only_in_part_is_unknown_on_the_way_back():
    data = peered_pair()
    region_of(data)["notes"] = [{"api": "ec2:DescribeRouteTables", "item_id": "rtb-priv-a", "message": "route 1 left out: odd"}]
    routes(data, "rtb-priv-a").pop()  # no route back among the routes read: the one left out may be it
    assert unknown(data) == "the way back from subnet-priv-a: route table rtb-priv-a of subnet-priv-a was read only in part (route 1 left out: odd)"


def test_the_way_back_over_peering_needs_no_gateway_check():
    data = peered_pair()
    region_of(data)["collected"].remove("transit_gateway_attachments")
    assert flow(data).path == "endpoint"


# The hub's account, the endpoint (hub_way)

def test_a_hub_vpc_of_an_account_not_scanned_names_that_account_not_the_endpoint_owner():
    """A participant's endpoint in a VPC shared by an account not scanned: that account's routes and ACLs are
    missing, so it is the one to scan."""
    data = hub_and_spoke()
    find(data, "vpcs", "vpc_id", "vpc-app")["owner_id"] = "999988887777"
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["owner_id"] = "111122223333"
    assert unknown(data) == "vpce-dkr is in vpc-app, in account 999988887777: scan that account"
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["owner_id"] = None
    assert unknown(data) == "vpce-dkr is in vpc-app, in account 999988887777: scan that account"


def test_a_hub_endpoint_not_available_blocks_before_any_route():
    data = hub_and_spoke()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["state"] = "deleted"
    routes(data, "rtb-vpc-spoke").pop(1)
    assert blocked(data) == {"via": "vpce-dkr", "kind": "endpoint-state", "resource_id": "vpce-dkr",
                             "detail": "vpce-dkr is in state deleted, not available"}


@pytest.mark.parametrize("build, over", [(hub_and_spoke, "tgw-1"), (peered_pair, "pcx-1")])
def test_a_spoke_subnet_in_an_az_without_a_hub_interface_is_noted_as_crossing_azs(build, over):
    data = build()
    find(data, "subnets", "subnet_id", SPOKE_B)["availability_zone"] = "us-east-1c"
    found = flow(data, subnet=SPOKE_B)
    assert (found.path, found.reason, found.notes) == (
        "endpoint", f"dkr.ecr.us-east-1 through vpce-dkr in vpc-app over {over}",
        ("vpce-dkr has no interface in us-east-1c: the flow crosses AZs (cost, availability)",))
    assert flow(data).notes == ()


# The ACLs both sides and the workloads' egress

def deny(number: int, egress: bool, cidr: str, ports: tuple[int, int]) -> dict:
    return {"rule_number": number, "egress": egress, "protocol": "6", "rule_action": "deny", "cidr_block": cidr,
            "from_port": ports[0], "to_port": ports[1]}


def acl_link(acl: str, subnet: str, number: int, direction: str, peer: str, ports: str, detail: str) -> dict:
    return {"via": "vpce-dkr", "kind": "network-acl", "resource_id": acl, "detail": detail, "direction": direction,
            "rule_number": number, "subnet_id": subnet, "peer": peer, "ports": ports, "free_rule_number": number - 1}


@pytest.mark.parametrize("build", [hub_and_spoke, peered_pair])
@pytest.mark.parametrize("acl, entry, expected", [
    ("acl-default", deny(50, False, "10.1.0.0/16", (443, 443)), acl_link(
        "acl-default", "subnet-priv-a", 50, "inbound", "10.1.1.0/24", "443",
        "network ACL rule 50 denies TCP 443 inbound from 10.1.1.0/24")),
    ("acl-default", deny(60, True, "10.1.1.0/24", (1024, 65535)), acl_link(
        "acl-default", "subnet-priv-a", 60, "outbound", "10.1.1.0/24", "1024-65535",
        "network ACL rule 60 denies TCP 1024-65535 outbound to 10.1.1.0/24")),
    ("acl-vpc-spoke", deny(70, True, "10.0.1.0/24", (443, 443)), acl_link(
        "acl-vpc-spoke", SPOKE_A, 70, "outbound", "10.0.1.5/32", "443",
        "network ACL rule 70 denies TCP 443 outbound to 10.0.1.5/32")),
    ("acl-vpc-spoke", deny(80, False, "10.0.2.5/32", (1024, 65535)), acl_link(
        "acl-vpc-spoke", SPOKE_A, 80, "inbound", "10.0.2.5/32", "1024-65535",
        "network ACL rule 80 denies TCP 1024-65535 inbound from 10.0.2.5/32")),
])
def test_an_acl_either_side_denying_the_requests_or_the_replies_blocks(build, acl, entry, expected):
    data = build()
    find(data, "network_acls", "network_acl_id", acl)["entries"].insert(0, entry)
    if build is hub_and_spoke and (acl, expected["direction"]) == ("acl-default", "inbound"):
        # tgw-1 delivers requests from us-east-1a into subnet-priv-a itself, its attachment subnet there: AWS does
        # not evaluate that subnet's ACL for them. The interface in subnet-priv-b is reached through subnet-priv-a.
        expected = {**expected, "subnet_id": "subnet-priv-b"}
    assert blocked(data) == expected


def test_a_hub_acl_denying_one_spoke_subnet_blocks_only_that_subnet():
    data = hub_and_spoke()
    find(data, "network_acls", "network_acl_id", "acl-default")["entries"].insert(0, deny(60, True, "10.1.1.0/24", (1024, 65535)))
    assert flow(data, subnet=SPOKE_B).path == "endpoint"


def test_workload_egress_not_reaching_the_hub_address_blocks():
    data = hub_and_spoke()
    find(data, "security_groups", "group_id", "sg-vpc-spoke")["egress"] = [{"protocol": "-1", "cidr_ipv4": "10.1.0.0/16"}]
    assert blocked(data) == {
        "via": "vpce-dkr", "kind": "workload-sg", "resource_id": "sg-vpc-spoke", "group_ids": ["sg-vpc-spoke"],
        "detail": "egress to vpce-dkr: security group sg-vpc-spoke allows TCP 443 outbound to none of the peer; not 10.0.1.5/32"}


@pytest.mark.parametrize("build, rule_extra, expected", [
    (peered_pair, {"vpc_peering_connection_id": "pcx-1"}, "endpoint"),
    (peered_pair, {"vpc_peering_connection_id": "pcx-9"}, "blocked"),
    (peered_pair, {"vpc_peering_connection_id": "pcx-1", "referenced_group_vpc_id": "vpc-app"}, "endpoint"),
    (peered_pair, {"vpc_peering_connection_id": "pcx-1", "referenced_group_vpc_id": "vpc-other"}, "blocked"),
    (hub_and_spoke, {}, "blocked"),
])
def test_workload_egress_to_the_hub_endpoint_group_counts_across_its_peering_only(build, rule_extra, expected):
    data = build()
    find(data, "security_groups", "group_id", "sg-vpc-spoke")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-endpoints", **rule_extra}]
    assert flow(data).path == expected
    if expected == "blocked":
        assert blocked(data)["kind"] == "workload-sg"


# The hub endpoint's groups (_ingress, _gateway_references)

CIDR_RULE = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"}
NOT_ADMITTED = "vpce-dkr ingress: security group sg-endpoints allows TCP 443 inbound from none of the peer; not 10.1.1.0/24"
ACROSS = ("; sg-endpoints's reference to sg-vpc-spoke admits nobody across tgw-1: AWS does not support security group "
          "referencing over a transit gateway for PrivateLink endpoints{}, so admit the CIDR")


def hub_ingress(data: dict, *rules: dict) -> None:
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [CIDR_RULE, *rules]


def sg_link(detail: str) -> dict:
    return {"via": "vpce-dkr", "kind": "hub-endpoint-sg", "resource_id": "sg-endpoints", "detail": detail,
            "peer": "10.1.1.0/24", "group_ids": ["sg-endpoints"]}


def reference(group: str = "sg-vpc-spoke", **extra: Any) -> dict:
    return {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": group, **extra}


@pytest.mark.parametrize("build", [hub_and_spoke, peered_pair])
def test_hub_groups_not_admitting_the_spoke_cidr_block_naming_the_subnet_cidr(build):
    data = build()
    hub_ingress(data)
    assert blocked(data) == sg_link(NOT_ADMITTED)
    assert blocked(data, subnet=SPOKE_B)["peer"] == "10.1.2.0/24"


@pytest.mark.parametrize("enabled, though", [
    ([], ""),
    (["tgw-attach-spoke"], " (even where enabled: tgw-attach-spoke)"),
    (["tgw-attach-hub", "tgw-attach-spoke"], " (even where enabled: tgw-attach-hub, tgw-attach-spoke)"),
])
def test_a_reference_to_the_workloads_group_across_a_gateway_is_named_and_explained(enabled, though):
    data = hub_and_spoke()
    hub_ingress(data, reference())
    for item in region_of(data)["transit_gateway_attachments"]:
        item["security_group_referencing_support"] = "enable" if item["transit_gateway_attachment_id"] in enabled else "disable"
    assert blocked(data) == sg_link(NOT_ADMITTED + ACROSS.format(though))


@pytest.mark.parametrize("rule", [
    reference("sg-other"),  # not a group of the spoke
    reference(vpc_peering_connection_id="pcx-9"),  # a reference across a peering connection, not the gateway
    {**reference(), "from_port": 22, "to_port": 22},  # not HTTPS
])
def test_other_references_are_not_explained(rule):
    data = hub_and_spoke()
    hub_ingress(data, rule)
    assert blocked(data) == sg_link(NOT_ADMITTED)


def test_a_reference_to_any_spoke_group_is_explained_when_the_spoke_subnet_has_no_workloads():
    data = hub_and_spoke()
    region = region_of(data)
    region["security_groups"].append({"group_id": "sg-spoke-other", "group_name": "other", "vpc_id": "vpc-spoke",
                                      "ingress": [], "egress": []})
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["subnet_id"] != SPOKE_A]
    hub_ingress(data, reference("sg-spoke-other"))
    assert blocked(data)["detail"] == NOT_ADMITTED + ACROSS.format("").replace("sg-vpc-spoke", "sg-spoke-other")


@pytest.mark.parametrize("peering_id, expected", [("pcx-1", "endpoint"), ("pcx-9", "blocked")])
def test_a_reference_to_the_workloads_group_counts_across_the_peering_connection_crossed(peering_id, expected):
    data = peered_pair()
    hub_ingress(data, reference(vpc_peering_connection_id=peering_id, referenced_group_vpc_id="vpc-spoke"))
    found = flow(data)
    assert found.path == expected
    if expected == "blocked":
        assert blocked(data) == sg_link(NOT_ADMITTED)


def test_an_endpoint_without_groups_is_checked_against_the_hub_default_group():
    data = hub_and_spoke()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["group_ids"] = []
    region_of(data)["security_groups"].append({"group_id": "sg-hub-default", "group_name": "default", "vpc_id": "vpc-app",
                                               "ingress": [CIDR_RULE], "egress": []})
    assert blocked(data) == {**sg_link(NOT_ADMITTED.replace("sg-endpoints", "sg-hub-default")),
                             "resource_id": "sg-hub-default", "group_ids": ["sg-hub-default"]}
    region_of(data)["security_groups"][-1]["ingress"].append({**CIDR_RULE, "cidr_ipv4": "10.1.0.0/16"})
    assert flow(data).path == "endpoint"


# The gateway route table the spoke attachment is associated with (_associated)

def associate(data: dict, **fields: Any) -> dict:
    spoke = find(data, "transit_gateway_attachments", "transit_gateway_attachment_id", "tgw-attach-spoke")
    spoke.update(association_known=True, **fields)
    return spoke


@pytest.mark.parametrize("state", ["associating", "disassociating", "Disassociating"])
def test_an_association_in_progress_is_unknown(state):
    data = hub_and_spoke()
    associate(data, association_route_table_id="tgw-rtb-1", association_state=state)
    assert unknown(data) == f"tgw-attach-spoke's association with tgw-rtb-1 is {state.lower()}"
    associate(data, association_route_table_id=None)
    assert unknown(data) == f"tgw-attach-spoke's association is {state.lower()}"


def test_an_association_with_no_route_table_is_with_a_policy_table():
    data = hub_and_spoke()
    associate(data, association_route_table_id=None, association_state="associated")
    assert unknown(data) == "tgw-attach-spoke is associated with a policy table of tgw-1: policy-based routing is not modelled"


def test_an_associated_table_not_in_the_snapshot_is_unknown():
    data = hub_and_spoke()
    associate(data, association_route_table_id="tgw-rtb-9", association_state="associated")
    assert unknown(data) == "tgw-attach-spoke is associated with tgw-rtb-9, which is not in the snapshot"


def test_an_unassociated_attachment_blocks_suggesting_the_default_table_else_one_routing_to_the_hub():
    data = hub_and_spoke()
    associate(data, association_route_table_id=None, association_state="disassociated")
    region_of(data)["transit_gateway_route_tables"].insert(0, {
        "transit_gateway_route_table_id": "tgw-rtb-0", "transit_gateway_id": "tgw-1", "routes": []})
    detail = ("tgw-attach-spoke (vpc-spoke to tgw-1) is associated with no route table of tgw-1: the gateway drops the "
              "traffic it sends")
    assert blocked(data) == hub_route("tgw-attach-spoke", detail, target_id="tgw-rtb-1")
    region_of(data)["transit_gateway_route_tables"][1]["default_association_route_table"] = False
    assert blocked(data) == hub_route("tgw-attach-spoke", detail, target_id="tgw-rtb-1")  # the one routing on
    region_of(data)["transit_gateway_route_tables"][0]["default_association_route_table"] = True
    assert blocked(data) == hub_route("tgw-attach-spoke", detail, target_id="tgw-rtb-0")  # the default one first
    region_of(data)["transit_gateway_route_tables"][0]["default_association_route_table"] = False
    region_of(data)["transit_gateway_route_tables"][1]["routes"].pop(0)
    assert blocked(data) == hub_route("tgw-attach-spoke", detail)  # none to suggest


# A spoke reaching the hub's endpoint subnets over two connections

def test_two_connections_are_named_and_group_references_count_across_neither():
    """The spoke routes the first endpoint subnet through the gateway, the second through the peering
    connection (the hub's subnets route back the same way): the flow goes over both; a reference to the
    workloads' group admits nobody, and the explanation names the gateway only."""
    data = peered_pair()
    region = region_of(data)
    region["transit_gateway_attachments"] = hub_and_spoke()["regions"][0]["transit_gateway_attachments"]
    region["transit_gateway_route_tables"] = hub_and_spoke()["regions"][0]["transit_gateway_route_tables"]
    routes(data, "rtb-vpc-spoke").append({"destination_cidr_block": "10.0.1.0/24", "state": "active",
                                          "target_id": "tgw-1", "target_type": "transit_gateway"})
    routes(data, "rtb-priv-a")[-1].update(target_id="tgw-1", target_type="transit_gateway")
    found = flow(data)
    assert (found.path, found.reason) == ("endpoint", "dkr.ecr.us-east-1 through vpce-dkr in vpc-app over pcx-1, tgw-1")
    hub_ingress(data, reference(vpc_peering_connection_id="pcx-1", referenced_group_vpc_id="vpc-spoke"))
    assert blocked(data) == sg_link(NOT_ADMITTED)
    hub_ingress(data, reference())
    assert blocked(data) == sg_link(NOT_ADMITTED + ACROSS.format(""))


def test_a_route_table_left_out_leaves_explicitly_associated_hub_subnets_judged():
    """rtb-odd was left out of the snapshot: only subnets on their VPC's main table may be its; the spoke and hub
    subnets here have their own associations, so the way there and back is judged as before."""
    data = hub_and_spoke()
    region_of(data)["notes"] = [{"api": "vpclint:route_tables", "item_id": "rtb-odd", "message": "left out: odd"}]
    spoke_table = next(t for t in region_of(data)["route_tables"] if t["route_table_id"] == "rtb-vpc-spoke")
    assert "may be associated" in flow(data).reason  # the spoke subnet is on its VPC's main table
    spoke_table["associations"].append({"association_id": "rtbassoc-spoke-a", "subnet_id": SPOKE_A, "state": "associated"})
    assert "through subnet-vpc-spoke-b: " in flow(data).reason  # where tgw-1 also delivers into the spoke
    spoke_table["associations"].append({"association_id": "rtbassoc-spoke-b", "subnet_id": SPOKE_B, "state": "associated"})
    assert flow(data).path == "endpoint"
