"""The way to a hub endpoint, link by link (vpclint.path.hub): for each decision the exact flow a user sees —
path, via, reason, and the blocking link's kind, resource, detail, peer (the CIDR needing a route or rule) and
target (the gateway, attachment, table or connection to use) — over a transit gateway and a peering connection."""

from __future__ import annotations

from typing import Any, Callable, Optional

import pytest

from hubworld import find, hub_and_spoke, peered_pair, region_of, tgw_route
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


def test_a_spoke_route_to_a_prefix_list_not_read_is_unknown_though_the_known_route_reaches_the_hub():
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke").append({"destination_prefix_list_id": "pl-fw", "state": "active",
                                          "target_type": "nat_gateway", "target_id": "nat-a"})
    region_of(data)["prefix_lists"].append({"prefix_list_id": "pl-fw", "prefix_list_name": "fw", "cidrs_known": False,
                                            "owner_id": "111122223333"})
    assert unknown(data) == "the entries of prefix list(s) pl-fw were not read: the route to 10.0.1.5/32 is not known"
    region_of(data)["prefix_lists"][-1].update(cidrs_known=True, cidrs=["10.0.2.0/24"])
    assert flow(data).path == "blocked"  # read: it takes the endpoint's other address to a NAT gateway
    assert blocked(data)["detail"] == ("rtb-vpc-spoke sends the hub endpoint's address in vpc-app (10.0.2.5/32) to "
                                       "nat-a, which does not lead to the other VPC")


# The transit gateway attachments (_attachment, _there)

def test_no_available_spoke_attachment_blocks_naming_the_spoke_and_the_gateway():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][1]["state"] = "pending"
    assert blocked(data) == hub_route("vpc-spoke", "vpc-spoke has no available attachment to tgw-1", target_id="tgw-1")


def test_a_spoke_attachment_to_another_gateway_does_not_count():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][1]["transit_gateway_id"] = "tgw-2"
    assert blocked(data) == hub_route("vpc-spoke", "vpc-spoke has no available attachment to tgw-1", target_id="tgw-1")


def test_a_spoke_attachment_without_a_subnet_in_the_workload_az_blocks_that_az():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][1]["subnet_ids"] = [SPOKE_A, "subnet-gone"]
    assert flow(data).path == "endpoint"
    assert blocked(data, subnet=SPOKE_B) == hub_route(
        "tgw-attach-spoke", "tgw-attach-spoke (vpc-spoke to tgw-1) has no subnet in us-east-1b: resources in an AZ "
        "without an attachment cannot reach the transit gateway", target_id="tgw-1")


def test_no_available_hub_attachment_blocks_naming_the_hub():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][0]["state"] = "deleting"
    assert blocked(data) == hub_route("vpc-app", "vpc-app has no available attachment to tgw-1", target_id="tgw-1")


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
