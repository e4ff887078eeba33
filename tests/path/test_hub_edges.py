"""The way to a hub endpoint at its edges (vpclint.path.hub): a hub VPC missing from the snapshot, the gateways
and attachments that are not the ones crossed, ties between transit gateway routes, and the explanations that
name several references or lists."""

from __future__ import annotations

import pytest

from hubworld import attachment, find, hub_and_spoke, region_of, tgw_route
from test_hub import SPOKE_A, flow, routes
from test_hub_links import ACROSS, NOT_ADMITTED, blocked, hub_ingress, hub_route, reference, sg_link, tgw_routes, unknown
from test_hub_links import unread_list
from vpclint.path.index import build_index
from vpclint.path.verdicts import subnet_path
from vpclint.snapshot import Snapshot

# -- the hub VPC and its owner (hub_way) --------------------------------------------------------------------------


@pytest.mark.parametrize("owner, where", [
    (None, "not in the snapshot"),
    ("111122223333", "not in the snapshot"),
    ("999988887777", "in account 999988887777: scan that account"),
])
def test_an_endpoint_whose_vpc_is_not_in_the_index_is_unknown_naming_its_owner_if_not_scanned(owner, where):
    """A snapshot names the VPC of each endpoint it lists, but a view joined from several accounts' regions may
    hold an endpoint of a region whose VPCs were not listed."""
    data = hub_and_spoke()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["owner_id"] = owner
    snapshot = Snapshot.model_validate(data)
    region = snapshot.regions[0]
    index = build_index(snapshot, region)
    del index.vpcs["vpc-app"]
    found = subnet_path(index, index.subnets[SPOKE_A]).flows["registry"]
    assert (found.path, found.via, found.link, found.reason) == ("unknown", "vpce-dkr", None, f"vpce-dkr is in vpc-app, {where}")


def test_an_endpoint_without_an_owner_is_the_hub_vpc_owner_s():
    """The endpoint names no owner: the hub VPC's owner is the one to scan, or, scanned, the flow goes on."""
    data = hub_and_spoke()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["owner_id"] = None
    assert flow(data).path == "endpoint"
    find(data, "vpcs", "vpc_id", "vpc-app")["owner_id"] = "999988887777"
    assert unknown(data) == "vpce-dkr is in vpc-app, in account 999988887777: scan that account"


# -- attachments to other gateways (_there, _tgw_route, _gateway_references) -------------------------------------


def test_a_hub_attached_only_to_another_gateway_has_no_attachment_to_the_one_crossed():
    data = hub_and_spoke()
    find(data, "transit_gateway_attachments", "transit_gateway_attachment_id", "tgw-attach-hub")["transit_gateway_id"] = "tgw-2"
    assert blocked(data) == {"via": "vpce-dkr", "kind": "hub-route", "resource_id": "vpc-app",
                             "detail": "vpc-app has no available attachment to tgw-1", "target_id": "tgw-1"}


def test_a_hub_on_another_gateway_is_unknown_when_the_gateway_crossed_routes_its_address_elsewhere():
    """Transit gateway peering: the spoke's tgw-1 sends the hub's CIDR to its peering attachment with tgw-2, where
    the hub is attached. vpclint does not follow the peering: unknown, not blocked. With no route on tgw-1 (or a
    blackhole) nothing carries it: blocked at the missing attachment."""
    data = hub_and_spoke()
    find(data, "transit_gateway_attachments", "transit_gateway_attachment_id", "tgw-attach-hub")["transit_gateway_id"] = "tgw-2"
    tgw_routes(data)[0]["attachments"] = [{"transit_gateway_attachment_id": "tgw-attach-peer", "resource_id": "tgw-2",
                                           "resource_type": "peering"}]
    assert unknown(data) == ("vpc-app has no available attachment to tgw-1, and tgw-1 sends 10.0.1.5/32 to another "
                             "attachment than vpc-app's (an inspection VPC?)")
    tgw_routes(data)[0]["state"] = "blackhole"
    assert blocked(data)["detail"] == "vpc-app has no available attachment to tgw-1"
    region_of(data)["collected"].remove("transit_gateway_routes")  # the routes not read: they may carry it
    assert unknown(data) == "vpc-app has no available attachment to tgw-1, and the route tables of tgw-1 were not read"


def test_the_hub_attachment_blocks_before_the_way_back_is_looked_at():
    """In the order the packet travels: the hub VPC with no attachment to the gateway crossed blocks the flow, not
    the hub subnet's missing route back, which comes after."""
    data = hub_and_spoke()
    find(data, "transit_gateway_attachments", "transit_gateway_attachment_id", "tgw-attach-hub")["transit_gateway_id"] = "tgw-2"
    routes(data, "rtb-priv-a").pop()
    assert blocked(data)["detail"] == "vpc-app has no available attachment to tgw-1"


def test_a_missing_gateway_route_names_the_attachment_to_that_gateway_not_one_to_another():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"].insert(0, attachment("tgw-attach-app-2", "vpc-app", ["subnet-priv-a"], "tgw-2"))
    tgw_routes(data).pop(0)
    assert blocked(data) == hub_route("tgw-rtb-1", "tgw-rtb-1 (tgw-1) has no route to 10.0.1.5/32 in vpc-app",
                                      "10.0.0.0/16", "tgw-attach-hub")


def test_referencing_enabled_on_an_attachment_to_another_gateway_is_not_named():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"].append(
        {**attachment("tgw-attach-spoke-2", "vpc-spoke", ["subnet-vpc-spoke-a"], "tgw-2"),
         "security_group_referencing_support": "enable"})
    hub_ingress(data, reference())
    assert blocked(data) == sg_link(NOT_ADMITTED + ACROSS.format(""))


# -- which references are explained (_gateway_references) ---------------------------------------------------------


def _spoke_group(data: dict, group_id: str) -> None:
    region_of(data)["security_groups"].append({"group_id": group_id, "group_name": group_id, "vpc_id": "vpc-spoke",
                                               "ingress": [], "egress": [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]})


def test_in_a_subnet_with_workloads_only_references_to_their_groups_are_explained():
    """sg-spoke-other is a group of the spoke that no workload of the subnet is in: a reference to it is not why
    the workloads are refused."""
    data = hub_and_spoke()
    _spoke_group(data, "sg-spoke-other")
    hub_ingress(data, reference("sg-spoke-other"))
    assert blocked(data) == sg_link(NOT_ADMITTED)


def test_references_to_two_groups_of_the_workloads_are_named_together():
    data = hub_and_spoke()
    _spoke_group(data, "sg-spoke-two")
    find(data, "network_interfaces", "network_interface_id", "eni-vpc-spoke-a")["group_ids"] = ["sg-vpc-spoke", "sg-spoke-two"]
    hub_ingress(data, reference(), reference("sg-spoke-two"))
    two = ACROSS.format("").replace("sg-endpoints's reference to sg-vpc-spoke",
                                    "sg-endpoints's reference to sg-spoke-two, sg-endpoints's reference to sg-vpc-spoke")
    assert blocked(data) == sg_link(NOT_ADMITTED + two)


def test_two_gateways_crossed_are_named_together():
    """The spoke routes the endpoint's first subnet through tgw-1 and its second through tgw-2 (each with its
    attachments and route table): the reference admits nobody across either, and the way names both."""
    data = hub_and_spoke()
    region = region_of(data)
    region["transit_gateway_attachments"] += [
        attachment("tgw-attach-hub-2", "vpc-app", ["subnet-priv-a", "subnet-priv-b"], "tgw-2"),
        attachment("tgw-attach-spoke-2", "vpc-spoke", ["subnet-vpc-spoke-a", "subnet-vpc-spoke-b"], "tgw-2")]
    region["transit_gateway_route_tables"].append({
        "transit_gateway_route_table_id": "tgw-rtb-2", "transit_gateway_id": "tgw-2", "state": "available",
        "default_association_route_table": True, "default_propagation_route_table": True,
        "routes": [tgw_route("10.0.0.0/16", "tgw-attach-hub-2", "vpc-app"), tgw_route("10.1.0.0/16", "tgw-attach-spoke-2", "vpc-spoke")]})
    routes(data, "rtb-vpc-spoke").append({"destination_cidr_block": "10.0.2.0/24", "state": "active",
                                          "target_id": "tgw-2", "target_type": "transit_gateway"})
    routes(data, "rtb-priv-b")[-1].update(target_id="tgw-2")
    found = flow(data)
    assert (found.path, found.reason) == ("endpoint", "dkr.ecr.us-east-1 through vpce-dkr in vpc-app over tgw-1, tgw-2")
    hub_ingress(data, reference())
    assert blocked(data) == sg_link(NOT_ADMITTED + ACROSS.format("").replace("across tgw-1", "across tgw-1, tgw-2"))


# -- routes (_hop, _tgw_decision) --------------------------------------------------------------------------------


def test_two_prefix_lists_not_read_are_both_named():
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke").pop(1)
    for list_id in ("pl-b", "pl-a"):
        unread_list(data, list_id, target_type="transit_gateway", target_id="tgw-1")
    assert unknown(data) == "the entries of prefix list(s) pl-a, pl-b were not read: the route to 10.0.1.5/32 is not known"


def test_the_parts_a_prefix_list_not_read_may_take_do_not_stop_the_others_being_followed():
    """The endpoint's interface addresses were not read, so its subnet's CIDR stands for them. A list with unread
    entries may take any part of it: not known. The known routes still send one half nowhere and the other to
    tgw-1; the latter is followed, and a certain block on it (the gateway's table has no route to the hub)
    decides the flow."""
    data = hub_and_spoke()
    region_of(data)["network_interfaces"] = [i for i in region_of(data)["network_interfaces"] if i["network_interface_id"] != "eni-dkr-a"]
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr").update(subnet_ids=["subnet-priv-a"], network_interface_ids=["eni-dkr-a"])
    routes(data, "rtb-vpc-spoke")[1]["destination_cidr_block"] = "10.0.1.128/25"
    unread_list(data, "pl-corp", target_type="nat_gateway", target_id="nat-a")
    assert unknown(data) == "the entries of prefix list(s) pl-corp were not read: the route to 10.0.1.0/25 is not known"
    tgw_routes(data).pop(0)
    assert blocked(data)["detail"] == "tgw-rtb-1 (tgw-1) has no route to 10.0.1.0/24 in vpc-app"


def test_a_gateway_default_route_reaches_the_hub():
    data = hub_and_spoke()
    tgw_routes(data)[0]["destination_cidr_block"] = "0.0.0.0/0"
    assert flow(data).path == "endpoint"


@pytest.mark.parametrize("second, expected", [
    ({}, "endpoint"),  # the same route listed twice: they agree
    ({"state": "blackhole"}, "unknown"),
    ({"attachments": [{"transit_gateway_attachment_id": "tgw-attach-fw", "resource_id": "vpc-fw", "resource_type": "vpc"}]}, "unknown"),
])
def test_two_gateway_routes_of_the_same_kind_to_the_same_cidr_must_agree(second, expected):
    """AWS does not say which of two routes of the same kind to the same CIDR it takes: when they lead to different
    places the flow is unknown, in either order."""
    for first_listed in (True, False):
        data = hub_and_spoke()
        other = {**tgw_route("10.0.0.0/16", "tgw-attach-hub", "vpc-app"), **second}
        tgw_routes(data).insert(1 if first_listed else 0, other)
        assert flow(data).path == expected
    if expected == "unknown":
        assert flow(data).reason == "the routes of tgw-1's route table(s) tgw-rtb-1 to 10.0.1.5/32 are not known"
