"""The attachment subnets a transit gateway's traffic passes on the way to a hub endpoint and back
(vpclint.path.attachments): AWS evaluates an attachment subnet's network ACL inbound rules for traffic
into the gateway (by the sender's address) and its outbound rules for traffic the gateway delivers (not when the
destination is in that subnet); the delivered packets go on by the attachment subnet's route table. The gateway
keeps traffic in the AZ it came from."""

from __future__ import annotations

import pytest
from hubworld import attachment, find, hub_and_spoke, peered_pair, region_of
from test_hub import SPOKE_A, SPOKE_B, flow, routes
from test_hub_links import blocked, unknown

from vpclint.path.attachments import zone_key
from vpclint.path.index import build_index
from vpclint.snapshot import Snapshot

HTTPS_ONLY = {"protocol": "6", "from_port": 443, "to_port": 443}
REPLIES = {"protocol": "6", "from_port": 1024, "to_port": 65535}


def _entry(number: int, egress: bool, action: str, cidr: str, **rest) -> dict:
    return {"rule_number": number, "egress": egress, "protocol": "-1", "rule_action": action, "cidr_block": cidr, **rest}


def gateway_subnets() -> dict:
    """hub_and_spoke with the attachments in their own subnets (tgw-hub-a/b in vpc-app, tgw-spoke-a/b in
    vpc-spoke), each VPC's on one open network ACL (acl-tgw-hub, acl-tgw-spoke), on their VPC's main table."""
    data = hub_and_spoke()
    open_entries = [_entry(100, False, "allow", "0.0.0.0/0"), _entry(100, True, "allow", "0.0.0.0/0")]
    for vpc_id, subnet_ids in _subnet_pairs(data, "tgw", "250", open_entries).items():
        next(a for a in region_of(data)["transit_gateway_attachments"] if a["vpc_id"] == vpc_id)["subnet_ids"] = subnet_ids
    return data


def _subnet_pairs(data: dict, kind: str, third: str, entries: list[dict]) -> dict[str, list[str]]:
    """Add subnet-<kind>-hub-a/b to vpc-app and subnet-<kind>-spoke-a/b to vpc-spoke (/28s of 10.0.<third> and
    10.1.<third>), each pair on a network ACL acl-<kind>-hub/spoke with ``entries``; the pairs by VPC id."""
    region = region_of(data)
    pairs = {}
    for vpc_id, name, prefix in (("vpc-app", "hub", "10.0"), ("vpc-spoke", "spoke", "10.1")):
        subnet_ids = pairs[vpc_id] = [f"subnet-{kind}-{name}-a", f"subnet-{kind}-{name}-b"]
        for subnet_id, zone, start in zip(subnet_ids, ("us-east-1a", "us-east-1b"), (0, 16)):
            region["subnets"].append({"subnet_id": subnet_id, "vpc_id": vpc_id, "availability_zone": zone,
                                      "cidr_block": f"{prefix}.{third}.{start}/28"})
        region["network_acls"].append({"network_acl_id": f"acl-{kind}-{name}", "vpc_id": vpc_id, "subnet_ids": subnet_ids,
                                       "entries": entries})
    return pairs


def _replies_over_pcx_9(data: dict) -> None:
    """An active peering connection pcx-9 between the two VPCs, which the hub subnets route the spoke through."""
    region_of(data)["vpc_peering_connections"] = [{
        "vpc_peering_connection_id": "pcx-9", "status": "active",
        "requester": {"vpc_id": "vpc-spoke", "owner_id": "111122223333", "region": "us-east-1", "cidr_blocks": ["10.1.0.0/16"]},
        "accepter": {"vpc_id": "vpc-app", "owner_id": "111122223333", "region": "us-east-1", "cidr_blocks": ["10.0.0.0/16"]}}]
    for table_id in ("rtb-priv-a", "rtb-priv-b"):
        routes(data, table_id)[-1].update(target_id="pcx-9", target_type="vpc_peering_connection")


def acl_entries(data: dict, name: str) -> list[dict]:
    return find(data, "network_acls", "network_acl_id", f"acl-tgw-{name}")["entries"]


def acl_link(data: dict, subnet: str = SPOKE_A) -> tuple:
    link = blocked(data, subnet=subnet)
    return link["kind"], link["resource_id"], link["subnet_id"], link["direction"]


def test_attachments_in_their_own_open_subnets_are_private():
    data = gateway_subnets()
    assert (flow(data).path, flow(data, subnet=SPOKE_B).path) == ("endpoint", "endpoint")


def test_the_spoke_attachment_subnet_acl_must_let_the_requests_in_by_the_workload_address():
    """Into the gateway: the attachment subnet in the workload's AZ, inbound, from the workload subnet, TCP 443."""
    data = gateway_subnets()
    acl_entries(data, "spoke").insert(0, _entry(50, False, "deny", "10.1.1.0/24", **HTTPS_ONLY))
    assert acl_link(data) == ("network-acl", "acl-tgw-spoke", "subnet-tgw-spoke-a", "inbound")
    assert flow(data, subnet=SPOKE_B).path == "endpoint"  # another workload subnet, through the same ACL


def test_the_hub_attachment_subnet_acl_must_let_the_requests_out_to_the_endpoint():
    """Out of the gateway into the hub: the attachment subnet in the workload's AZ, outbound, to the endpoint's
    address in that AZ, TCP 443; the one in the other AZ carries only the other AZ's traffic."""
    data = gateway_subnets()
    acl = find(data, "network_acls", "network_acl_id", "acl-tgw-hub")
    acl["subnet_ids"] = ["subnet-tgw-hub-a"]
    region_of(data)["network_acls"].append({**acl, "network_acl_id": "acl-tgw-hub-b", "subnet_ids": ["subnet-tgw-hub-b"],
                                            "entries": [_entry(100, False, "allow", "0.0.0.0/0")]})  # no outbound rule
    assert flow(data).path == "endpoint"
    assert acl_link(data, SPOKE_B) == ("network-acl", "acl-tgw-hub-b", "subnet-tgw-hub-b", "outbound")


@pytest.mark.parametrize("name, egress, subnet_id, direction", [
    ("hub", False, "subnet-tgw-hub-a", "inbound"),  # the replies into the gateway, from the endpoint's address
    ("spoke", True, "subnet-tgw-spoke-a", "outbound"),  # the replies out of it, to the workload subnet
])
def test_the_replies_pass_the_attachment_subnet_acls_on_the_ephemeral_ports(name, egress, subnet_id, direction):
    data = gateway_subnets()
    acl_entries(data, name).insert(0, _entry(50, egress, "deny", "0.0.0.0/0", **REPLIES))
    assert acl_link(data) == ("network-acl", f"acl-tgw-{name}", subnet_id, direction)
    acl_entries(data, name).insert(0, _entry(40, egress, "allow", "0.0.0.0/0", **HTTPS_ONLY))
    assert acl_link(data)[1] == f"acl-tgw-{name}"  # 443 alone does not carry the replies


def test_the_outbound_rules_are_not_evaluated_for_a_destination_in_the_attachment_subnet_itself():
    """hub_and_spoke's attachments share the endpoint and workload subnets: their ACLs have no outbound rule for
    the traffic the gateway delivers to them (AWS does not evaluate it), only the inbound rules they always had."""
    data = hub_and_spoke()
    spoke_acl = find(data, "network_acls", "network_acl_id", "acl-vpc-spoke")
    spoke_acl["entries"] = [_entry(100, True, "allow", "0.0.0.0/0"), _entry(100, False, "allow", "0.0.0.0/0", **REPLIES),
                            _entry(110, False, "allow", "10.1.0.0/16", **HTTPS_ONLY)]
    assert flow(data).path == "endpoint"
    spoke_acl["entries"].pop()
    assert acl_link(data) == ("network-acl", "acl-vpc-spoke", SPOKE_A, "inbound")  # 443 into the gateway, from itself


def test_without_an_attachment_subnet_in_the_sender_az_any_may_deliver_and_one_that_blocks_is_not_known():
    """The registry endpoint only in us-east-1b and the hub's attachment only there: a request from us-east-1a
    may enter the hub through either attachment subnet the gateway picks (here the only one, by the fallback)."""
    data = gateway_subnets()
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-b"], ["eni-dkr-b"]
    attachment = next(a for a in region_of(data)["transit_gateway_attachments"] if a["vpc_id"] == "vpc-app")
    attachment["subnet_ids"] = ["subnet-tgw-hub-b", "subnet-gone"]
    assert unknown(data) == "the way on from tgw-1 into vpc-app through subnet-gone: no route table of subnet-gone is in the snapshot"
    attachment["subnet_ids"] = ["subnet-tgw-hub-b"]
    assert flow(data).path == "endpoint"
    acl_entries(data, "hub").insert(0, _entry(50, True, "deny", "10.0.2.0/24", **HTTPS_ONLY))
    assert unknown(data) == ("tgw-1 may deliver into vpc-app through subnet-tgw-hub-b, where acl-tgw-hub blocks: "
                             "network ACL rule 50 denies TCP 443 outbound to 10.0.2.5/32")


def test_an_attachment_subnet_route_to_an_appliance_for_the_destination_is_not_known():
    data = gateway_subnets()
    routes(data, "rtb-main").append({"destination_cidr_block": "10.0.1.0/24", "target_type": "network_interface",
                                     "target_id": "eni-firewall", "state": "active"})
    assert unknown(data) == ("rtb-main of subnet-tgw-hub-a, where tgw-1 delivers into vpc-app, does not take "
                             "10.0.1.5/32 by the local route alone: vpclint does not follow that way")


def test_the_route_tables_of_the_attachment_subnets_in_the_traffic_s_az_decide():
    """Each AZ's attachment subnet has its own table here: a route to an appliance for the endpoint subnet in
    tgw-hub-b's table concerns only requests from us-east-1b; one for the workload subnet in tgw-spoke-a's table
    only the replies from the endpoint's interface in us-east-1a."""
    data = gateway_subnets()
    region = region_of(data)
    for name, vpc_id, cidr in (("hub-b", "vpc-app", "10.0.0.0/16"), ("spoke-a", "vpc-spoke", "10.1.0.0/16")):
        region["route_tables"].append({
            "route_table_id": f"rtb-tgw-{name}", "vpc_id": vpc_id,
            "associations": [{"association_id": f"a-tgw-{name}", "subnet_id": f"subnet-tgw-{name}", "state": "associated"}],
            "routes": [{"destination_cidr_block": cidr, "target_type": "local", "target_id": "local", "state": "active"}]})
    assert (flow(data).path, flow(data, subnet=SPOKE_B).path) == ("endpoint", "endpoint")
    routes(data, "rtb-tgw-hub-b").append({"destination_cidr_block": "10.0.1.0/24", "target_type": "network_interface",
                                          "target_id": "eni-firewall", "state": "active"})
    assert flow(data).path == "endpoint"
    assert unknown(data, subnet=SPOKE_B) == ("rtb-tgw-hub-b of subnet-tgw-hub-b, where tgw-1 delivers into vpc-app, does "
                                             "not take 10.0.1.5/32 by the local route alone: vpclint does not follow that way")
    routes(data, "rtb-tgw-hub-b").pop()
    routes(data, "rtb-tgw-spoke-a").append({"destination_cidr_block": "10.1.2.0/24", "target_id": "eni-x",
                                            "target_type": "network_interface", "state": "blackhole"})
    assert flow(data).path == "endpoint"
    assert unknown(data, subnet=SPOKE_B) == ("rtb-tgw-spoke-a of subnet-tgw-spoke-a, where tgw-1 delivers into vpc-spoke, "
                                             "does not take 10.1.2.0/24 by the local route alone: vpclint does not follow "
                                             "that way")


def test_an_attachment_table_left_out_is_not_known():
    data = gateway_subnets()
    region_of(data)["notes"] = [{"api": "vpclint:route_tables", "item_id": "rtb-odd", "message": "left out: odd"}]
    for table_id, subnet_id in (("rtb-vpc-spoke", SPOKE_A), ("rtb-vpc-spoke", SPOKE_B)):
        find(data, "route_tables", "route_table_id", table_id)["associations"].append(
            {"association_id": f"a-{subnet_id}", "subnet_id": subnet_id, "state": "associated"})
    for subnet_id in ("subnet-priv-a", "subnet-priv-b"):  # the hub endpoint subnets are associated in the base
        assert subnet_id in str(find(data, "route_tables", "route_table_id", f"rtb-priv-{subnet_id[-1]}")["associations"])
    reason = unknown(data)
    assert reason.startswith("the way on from tgw-1 into vpc-") and "may be associated" in reason


def test_replies_over_another_connection_do_not_pass_the_attachment_subnets():
    """The replies come back over peering pcx-9: the spoke attachment subnet's ACL that lets no reply out of the
    gateway does not concern them; the requests still pass the attachment subnets."""
    data = gateway_subnets()
    _replies_over_pcx_9(data)
    acl_entries(data, "spoke").insert(0, _entry(50, True, "deny", "0.0.0.0/0", **REPLIES))
    assert flow(data).path == "endpoint"
    acl_entries(data, "hub").insert(0, _entry(50, True, "deny", "0.0.0.0/0", **HTTPS_ONLY))
    assert acl_link(data) == ("network-acl", "acl-tgw-hub", "subnet-tgw-hub-a", "outbound")


def test_an_acl_is_not_evaluated_for_what_the_gateway_delivers_into_its_own_subnet():
    """hub_and_spoke's attachment subnets hold the endpoint's interfaces and the workloads. AWS evaluates neither
    direction of a subnet's ACL for the traffic a transit gateway delivers into that subnet itself: the requests
    from us-east-1a reach the interface in subnet-priv-a without its inbound rules, and the replies from the
    interface in us-east-1a reach the workload subnet there without its inbound rules; those in the other AZ pass
    through another subnet and are evaluated."""
    data = hub_and_spoke()
    spoke_acl = find(data, "network_acls", "network_acl_id", "acl-vpc-spoke")
    hub_acl = find(data, "network_acls", "network_acl_id", "acl-default")
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-a"], ["eni-dkr-a"]
    hub_acl["entries"].insert(0, _entry(50, False, "deny", "10.1.1.0/24", **HTTPS_ONLY))
    spoke_acl["entries"].insert(0, _entry(50, False, "deny", "10.0.1.5/32", **REPLIES))
    assert flow(data).path == "endpoint"
    link = blocked(data, subnet=SPOKE_B)  # from us-east-1b: delivered into vpc-spoke through subnet-vpc-spoke-a
    assert (link["resource_id"], link["subnet_id"], link["direction"]) == ("acl-vpc-spoke", SPOKE_B, "inbound")


def test_over_peering_every_subnet_acl_is_evaluated():
    data = peered_pair()
    find(data, "network_acls", "network_acl_id", "acl-default")["entries"].insert(
        0, _entry(50, False, "deny", "10.1.1.0/24", **HTTPS_ONLY))
    link = blocked(data)
    assert (link["resource_id"], link["subnet_id"], link["direction"]) == ("acl-default", "subnet-priv-a", "inbound")


def _split_hub_acl(data: dict) -> None:
    """tgw-hub-b on its own ACL with no outbound rule: what the gateway delivers through it is denied."""
    acl = find(data, "network_acls", "network_acl_id", "acl-tgw-hub")
    acl["subnet_ids"] = ["subnet-tgw-hub-a"]
    region_of(data)["network_acls"].append({**acl, "network_acl_id": "acl-tgw-hub-b", "subnet_ids": ["subnet-tgw-hub-b"],
                                            "entries": [_entry(100, False, "allow", "0.0.0.0/0")]})


@pytest.mark.parametrize("mode", ["enable", None])
def test_with_appliance_mode_on_or_not_read_the_gateway_may_deliver_through_any_az(mode):
    """Appliance mode makes the gateway pick one AZ per flow: the request from us-east-1a may enter the hub through
    tgw-hub-b, whose ACL would block it; an attachment whose mode was not read may have it on."""
    data = gateway_subnets()
    _split_hub_acl(data)
    assert flow(data).path == "endpoint"
    hub_attachment = next(a for a in region_of(data)["transit_gateway_attachments"] if a["vpc_id"] == "vpc-app")
    hub_attachment["appliance_mode_support"] = mode
    assert unknown(data) == ("tgw-1 may deliver into vpc-app through subnet-tgw-hub-b, where acl-tgw-hub-b blocks: "
                             "implicit deny (no rule allows TCP 443 outbound to 10.0.1.5/32)")


def test_with_appliance_mode_on_an_endpoint_subnet_s_inbound_rules_may_or_may_not_be_evaluated():
    """hub_and_spoke's endpoint subnets are the hub's attachment subnets. With appliance mode on, a request from
    us-east-1a may be delivered into subnet-priv-a itself (its ACL not evaluated) or through subnet-priv-b (its
    inbound rules evaluated): a deny there is not known, not a block."""
    data = hub_and_spoke()
    find(data, "network_acls", "network_acl_id", "acl-default")["entries"].insert(
        0, _entry(50, False, "deny", "10.1.1.0/24", **HTTPS_ONLY))
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-a"], ["eni-dkr-a"]
    assert flow(data).path == "endpoint"  # delivered into subnet-priv-a itself
    hub_attachment = next(a for a in region_of(data)["transit_gateway_attachments"] if a["vpc_id"] == "vpc-app")
    hub_attachment["appliance_mode_support"] = "enable"
    assert unknown(data) == ("tgw-1 may deliver into vpc-app through another subnet than subnet-priv-a, where "
                             "acl-default blocks: network ACL rule 50 denies TCP 443 inbound from 10.1.1.0/24")


def test_the_attachments_to_another_gateway_play_no_part():
    """Both VPCs are also attached to tgw-2 through other subnets, whose ACL lets nothing through: the flow
    crosses tgw-1, so only tgw-1's attachment subnets count (into the gateway, out of it, and the inbound rules it
    skips)."""
    data = gateway_subnets()
    for vpc_id, subnet_ids in _subnet_pairs(data, "other", "251", []).items():  # their ACLs allow nothing
        region_of(data)["transit_gateway_attachments"].append(
            attachment(f"tgw-attach-other-{vpc_id}", vpc_id, subnet_ids, gateway="tgw-2"))
    assert (flow(data).path, flow(data, subnet=SPOKE_B).path) == ("endpoint", "endpoint")


def test_the_outbound_rules_of_the_subnet_the_gateway_delivers_into_are_not_evaluated():
    """hub_and_spoke delivers the requests from us-east-1a into subnet-priv-a, the endpoint's subnet there: its
    ACL's outbound rules (which deny TCP 443 to the endpoint subnet) are not evaluated for them."""
    data = hub_and_spoke()
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-a"], ["eni-dkr-a"]
    find(data, "network_acls", "network_acl_id", "acl-default")["entries"].insert(
        0, _entry(50, True, "deny", "10.0.1.0/24", **HTTPS_ONLY))
    assert flow(data).path == "endpoint"
    link = blocked(data, subnet=SPOKE_B)  # from us-east-1b: delivered through subnet-priv-b, whose outbound rules count
    assert (link["resource_id"], link["subnet_id"], link["direction"]) == ("acl-default", "subnet-priv-b", "outbound")


def test_replies_over_peering_pass_the_inbound_rules_of_a_workload_subnet_that_is_also_an_attachment_subnet():
    """The requests cross tgw-1, the replies come back over pcx-9 (not delivered by the gateway): the workload
    subnet's inbound rules are evaluated for them, though it is tgw-1's attachment subnet."""
    data = hub_and_spoke()
    _replies_over_pcx_9(data)
    assert flow(data).path == "endpoint"
    find(data, "network_acls", "network_acl_id", "acl-vpc-spoke")["entries"].insert(
        0, _entry(50, False, "deny", "10.0.1.5/32", **REPLIES))
    assert acl_link(data) == ("network-acl", "acl-vpc-spoke", SPOKE_A, "inbound")


def test_an_attachment_to_another_gateway_does_not_make_the_skipped_inbound_check_uncertain():
    """The workload subnet is tgw-1's attachment subnet in us-east-1a, and vpc-spoke is attached to tgw-2 there
    through another subnet: tgw-1 still surely delivers the replies into the workload subnet itself, so its
    inbound rules (which deny them) are not evaluated."""
    data = hub_and_spoke()
    region = region_of(data)
    region["subnets"].append({"subnet_id": "subnet-other-a", "vpc_id": "vpc-spoke", "availability_zone": "us-east-1a",
                              "cidr_block": "10.1.251.0/28"})
    region["transit_gateway_attachments"].append(attachment("tgw-attach-other", "vpc-spoke", ["subnet-other-a"], gateway="tgw-2"))
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-a"], ["eni-dkr-a"]
    find(data, "network_acls", "network_acl_id", "acl-vpc-spoke")["entries"].insert(
        0, _entry(50, False, "deny", "10.0.1.5/32", **REPLIES))
    assert flow(data).path == "endpoint"


def _only_in_priv_a(data: dict, addresses: tuple[str, ...] = ("10.0.1.5",)) -> None:
    """The registry endpoint with one interface, eni-dkr-a in subnet-priv-a, holding ``addresses``."""
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-a"], ["eni-dkr-a"]
    find(data, "network_interfaces", "network_interface_id", "eni-dkr-a")["private_ips"] = list(addresses)


@pytest.mark.parametrize("change", ["no table", "route to an appliance"])
def test_with_the_way_back_not_known_a_skipped_inbound_check_stays_skipped(change):
    """The hub subnet's route back is not known: the flow is unknown, and the workload subnet's inbound rules,
    which tgw-1 would not evaluate for the replies it delivers into that subnet itself, do not make it blocked."""
    data = hub_and_spoke()
    _only_in_priv_a(data)
    find(data, "network_acls", "network_acl_id", "acl-vpc-spoke")["entries"].insert(
        0, _entry(50, False, "deny", "10.0.1.5/32", **REPLIES))
    region = region_of(data)
    if change == "no table":
        region["route_tables"] = [t for t in region["route_tables"] if t["route_table_id"] not in ("rtb-priv-a", "rtb-main")]
    else:
        routes(data, "rtb-priv-a")[-1].update(target_id="eni-firewall", target_type="network_interface")
    assert flow(data).path == "unknown"


def test_with_the_way_there_not_known_the_way_back_is_not_judged():
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke")[1].update(target_id="eni-firewall", target_type="network_interface")
    routes(data, "rtb-priv-a").pop()  # and no route back
    assert unknown(data).startswith("rtb-vpc-spoke sends the hub endpoint's address in vpc-app (10.0.1.5/32) through "
                                    "network_interface eni-firewall")


def test_every_address_of_an_endpoint_subnet_passes_the_attachment_subnets():
    """eni-dkr-a holds two addresses; tgw-hub-a's ACL lets TCP 443 out to the second only: the first is blocked."""
    data = gateway_subnets()
    _only_in_priv_a(data, ("10.0.1.5", "10.0.1.9"))
    acl_entries(data, "hub").insert(0, _entry(50, True, "deny", "10.0.1.5/32", **HTTPS_ONLY))
    link = blocked(data)
    assert (link["resource_id"], link["subnet_id"], link["peer"]) == ("acl-tgw-hub", "subnet-tgw-hub-a", "10.0.1.5/32")


def test_over_peering_both_ways_the_transit_gateway_attachment_subnets_play_no_part():
    data = gateway_subnets()
    _replies_over_pcx_9(data)
    routes(data, "rtb-vpc-spoke")[1].update(target_id="pcx-9", target_type="vpc_peering_connection")
    for name in ("hub", "spoke"):
        acl_entries(data, name).clear()
    assert flow(data).path == "endpoint"


def test_the_gateway_keeps_traffic_in_the_same_zone_by_zone_id_not_by_name():
    """AZ names map to different zones in different accounts: here the hub's us-east-1b is the spoke's us-east-1a
    (zone use1-az1). A request from the spoke's us-east-1a is delivered through the hub's attachment subnet in
    us-east-1b, whose ACL lets nothing out."""
    data = gateway_subnets()
    _split_hub_acl(data)
    assert flow(data).path == "endpoint"  # no zone IDs: the names of one account's zones
    for subnet in region_of(data)["subnets"]:
        crosswise = subnet["vpc_id"] == "vpc-app"
        subnet["availability_zone_id"] = "use1-az1" if (subnet["availability_zone"] == "us-east-1a") != crosswise else "use1-az2"
    link = blocked(data)
    assert (link["resource_id"], link["subnet_id"], link["direction"]) == ("acl-tgw-hub-b", "subnet-tgw-hub-b", "outbound")


def test_each_address_is_judged_on_its_own_way_there():
    """eni-dkr-a holds 10.0.1.5 and 10.0.1.9; the spoke sends 10.0.1.9 to a firewall (not followed): that address's
    way is not known, and the attachment subnets tgw-1 would pass for 10.0.1.5 say nothing of it."""
    data = gateway_subnets()
    _only_in_priv_a(data, ("10.0.1.5", "10.0.1.9"))
    routes(data, "rtb-vpc-spoke").append({"destination_cidr_block": "10.0.1.9/32", "target_type": "network_interface",
                                          "target_id": "eni-firewall", "state": "active"})
    acl_entries(data, "hub").insert(0, _entry(50, True, "deny", "10.0.1.9/32", **HTTPS_ONLY))
    assert unknown(data).startswith("rtb-vpc-spoke sends the hub endpoint's address in vpc-app (10.0.1.9/32) through "
                                    "network_interface eni-firewall")


def test_an_attachment_with_a_subnet_the_snapshot_lacks_may_have_it_in_the_workload_az():
    data = hub_and_spoke()
    _only_in_priv_a(data)  # the replies come from us-east-1a, where the spoke's attachment subnet is known
    next(a for a in region_of(data)["transit_gateway_attachments"] if a["vpc_id"] == "vpc-spoke")["subnet_ids"] = [
        SPOKE_A, "subnet-gone", "subnet-gone-too"]
    assert flow(data).path == "endpoint"
    assert unknown(data, subnet=SPOKE_B) == (
        "tgw-attach-spoke (vpc-spoke to tgw-1) has subnets subnet-gone, subnet-gone-too the snapshot does not hold: "
        "whether one is in us-east-1b is not known")


def test_zone_key_is_the_az_id_else_the_owner_s_az_name():
    """An AZ name is one account's name for a zone: without the AZ ID, a subnet's zone is its VPC owner's name for
    it (an unnamed owner is the scanned account's)."""
    data = hub_and_spoke()
    find(data, "vpcs", "vpc_id", "vpc-spoke")["owner_id"] = "444455556666"
    find(data, "vpcs", "vpc_id", "vpc-app")["owner_id"] = None
    find(data, "subnets", "subnet_id", "subnet-priv-b")["availability_zone_id"] = "use1-az6"
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    assert [zone_key(index, s) for s in (SPOKE_A, "subnet-priv-a", "subnet-priv-b")] == [
        "444455556666/us-east-1a", "111122223333/us-east-1a", "use1-az6"]


def test_a_group_reference_counts_across_peering_only_when_every_address_of_the_subnet_crosses_it():
    """eni-dkr-a's 10.0.1.5 is reached over tgw-1 and its 10.0.1.9 over pcx-9 (replies over pcx-9 for both). The
    workloads' only egress rule references the endpoint's group across pcx-9: it counts for 10.0.1.9, not for
    10.0.1.5 over the gateway (an outbound rule can't reference a group across a transit gateway)."""
    data = hub_and_spoke()
    _replies_over_pcx_9(data)
    _only_in_priv_a(data, ("10.0.1.5", "10.0.1.9"))
    routes(data, "rtb-vpc-spoke").append({"destination_cidr_block": "10.0.1.9/32", "target_type": "vpc_peering_connection",
                                          "target_id": "pcx-9", "state": "active"})
    assert flow(data).path == "endpoint"
    find(data, "security_groups", "group_id", "sg-vpc-spoke")["egress"] = [
        {**HTTPS_ONLY, "protocol": "tcp", "referenced_group_id": "sg-endpoints", "referenced_group_vpc_id": "vpc-app",
         "vpc_peering_connection_id": "pcx-9"}]
    assert blocked(data)["kind"] == "workload-sg"
