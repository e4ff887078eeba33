"""The way to a hub, continued: which transit gateway route table routes each direction (the route table each
attachment is associated with, as DescribeTransitGatewayAttachments reads it), and a dual-stack spoke reaching a
hub endpoint whose name answers AAAA only, over IPv6."""

from __future__ import annotations

import pytest

from hubworld import find, hub_and_spoke, peered_pair, region_of
from test_hub import SPOKE_A, SPOKE_B, flow, link, routes
from vpclint.snapshot import Snapshot


def _two_tables(data: dict) -> dict:
    """Split tgw-rtb-1 in two (AWS's isolated-VPC pattern): the spoke's table tgw-rtb-1 routes only to the hub,
    the hub's table tgw-rtb-2 only back to the spoke, each attachment associated with its own (as
    DescribeTransitGatewayAttachments reads it)."""
    region = region_of(data)
    first = region["transit_gateway_route_tables"][0]
    back = first["routes"].pop(1)
    region["transit_gateway_route_tables"].append({**first, "transit_gateway_route_table_id": "tgw-rtb-2",
                                                   "default_association_route_table": False, "routes": [back]})
    for attachment, table in zip(region["transit_gateway_attachments"], ("tgw-rtb-2", "tgw-rtb-1")):
        attachment.update(association_known=True, association_route_table_id=table, association_state="associated")
    return region


def test_the_spoke_attachments_table_routes_there_and_the_hub_attachments_table_back():
    data = hub_and_spoke()
    region = _two_tables(data)
    assert flow(data).path == "endpoint"
    for attachment in region["transit_gateway_attachments"]:
        attachment.update(association_known=False, association_route_table_id=None, association_state=None)
    found = flow(data)  # the association not read: the tables disagree
    assert found.path == "unknown" and "route table is not known" in found.reason, found
    region["transit_gateway_attachments"][0].update(
        association_known=True, association_route_table_id="tgw-rtb-1", association_state="associated")
    hub_way_back = flow(data)  # the hub's replies would look up tgw-rtb-1, which has no route to the spoke
    assert (hub_way_back.path, hub_way_back.link.resource_id, hub_way_back.link.peer) == ("blocked", "tgw-rtb-1", "10.1.0.0/16")


@pytest.mark.parametrize("association, path, words", [
    ({"association_route_table_id": None, "association_state": None}, "blocked", "associated with no route table"),
    ({"association_route_table_id": None, "association_state": "disassociated"}, "blocked", "drops the traffic"),
    ({"association_state": "associating"}, "unknown", "association with tgw-rtb-1 is associating"),
    ({"association_route_table_id": None, "association_state": "associated"}, "unknown", "policy table"),
    ({"association_route_table_id": "tgw-rtb-9"}, "unknown", "tgw-rtb-9, which is not in the snapshot"),
])
def test_a_spoke_attachment_without_a_usable_association(association, path, words):
    data = hub_and_spoke()
    region = _two_tables(data)
    spoke = next(a for a in region["transit_gateway_attachments"] if a["vpc_id"] == "vpc-spoke")
    spoke.update(association)
    found = flow(data)
    assert found.path == path and words in found.reason, found
    if path == "blocked":  # associate it with the table that routes to the hub: tgw-rtb-1, the default one
        assert (found.link.kind, found.link.resource_id, found.link.target_id) == ("hub-route", "tgw-attach-spoke", "tgw-rtb-1")

def test_an_unassociated_spoke_attachment_is_told_which_table_to_associate():
    from vpclint.engine import evaluate
    from vpclint.rules import load_rules

    data = hub_and_spoke()
    _two_tables(data)
    spoke = find(data, "transit_gateway_attachments", "transit_gateway_attachment_id", "tgw-attach-spoke")
    spoke.update(association_route_table_id=None, association_state=None)
    report = evaluate(Snapshot.model_validate(data), load_rules(select=["spoke-route-to-hub-missing"]))
    assert sorted(f.resource_id for f in report.findings) == [SPOKE_A, SPOKE_B]
    assert ("aws ec2 associate-transit-gateway-route-table --region us-east-1 --transit-gateway-route-table-id "
            "tgw-rtb-1 --transit-gateway-attachment-id tgw-attach-spoke") in report.findings[0].remediation


def test_a_dual_stack_spoke_reaches_a_hub_endpoint_answering_aaaa_only_over_ipv6_peering():
    """The peering connection carries both VPCs' IPv6 CIDRs; the routes, ACL entries and group rules are IPv6 ones."""
    data = peered_pair()
    region = region_of(data)
    hub6, spoke6 = "2600:1f18:aa::/56", "2600:1f18:bb::/56"
    find(data, "vpcs", "vpc_id", "vpc-app")["ipv6_cidr_blocks"] = [hub6]
    find(data, "vpcs", "vpc_id", "vpc-spoke")["ipv6_cidr_blocks"] = [spoke6]
    for subnet_id, cidr in (("subnet-priv-a", "2600:1f18:aa:1::/64"), ("subnet-priv-b", "2600:1f18:aa:2::/64"),
                            ("subnet-vpc-spoke-a", "2600:1f18:bb:1::/64")):
        find(data, "subnets", "subnet_id", subnet_id)["ipv6_cidr_blocks"] = [cidr]
    for eni, address in (("eni-dkr-a", "2600:1f18:aa:1::5"), ("eni-dkr-b", "2600:1f18:aa:2::5")):
        find(data, "network_interfaces", "network_interface_id", eni)["ipv6_addresses"] = [address]
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr").update(ip_address_type="dualstack", dns_record_ip_type="ipv6")
    peering = region["vpc_peering_connections"][0]
    peering["requester"]["ipv6_cidr_blocks"], peering["accepter"]["ipv6_cidr_blocks"] = [spoke6], [hub6]
    for table_id, cidr in (("rtb-vpc-spoke", hub6), ("rtb-priv-a", spoke6), ("rtb-priv-b", spoke6)):
        routes(data, table_id).append({"destination_ipv6_cidr_block": cidr, "target_type": "vpc_peering_connection",
                                       "target_id": "pcx-1", "state": "active"})
    for acl in region["network_acls"]:
        acl["entries"] += [{"rule_number": 101, "egress": e, "protocol": "-1", "rule_action": "allow",
                            "ipv6_cidr_block": "::/0"} for e in (False, True)]
    find(data, "security_groups", "group_id", "sg-vpc-spoke")["egress"].append({"protocol": "-1", "cidr_ipv6": "::/0"})
    ingress = find(data, "security_groups", "group_id", "sg-endpoints")["ingress"]
    ingress.append({"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": spoke6})
    found = flow(data)
    assert (found.path, found.via) == ("endpoint", "vpce-dkr"), found
    assert "over IPv6 (2600:1f18:bb:1::/64)" in found.notes[0] and "over pcx-1" in found.reason
    assert flow(data, subnet=SPOKE_B).link.kind == "endpoint-ip-type"  # IPv4-only: the AAAA record is no use
    peering["requester"]["ipv6_cidr_blocks"] = []
    assert link(data) == ("hub-route", "pcx-1")  # the connection does not carry the spoke's IPv6 CIDR
    peering["requester"]["ipv6_cidr_blocks"] = [spoke6]
    ingress.pop()
    assert link(data) == ("hub-endpoint-sg", "sg-endpoints")
