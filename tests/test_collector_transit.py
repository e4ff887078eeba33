"""The way to a hub: transit gateway VPC attachments and route tables' routes, and VPC peering connections, from
moto and from the aws-cli's example responses; failures recorded per source, odd items costing only themselves."""

from __future__ import annotations

from collections import Counter

import boto3
from moto import mock_aws
from test_collector import FakeEc2, collect_fake
from test_collector_shapes import VPCS, shape

from scenarios import build_vpc

from vpclint.collect.scheduler import collect

ACCOUNT = "123456789012"


def test_hub_and_spoke_over_a_transit_gateway_and_peering_from_moto(aws_env):
    """Two attachments with their subnets, the static route to the hub and the propagated ones, one search per
    route table of an attached gateway; a peering connection with both sides' CIDRs."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        hub = build_vpc(session, "us-east-1", "hub", cidr="10.0.0.0/16", azs=2, workloads=False)
        spoke = build_vpc(session, "us-east-1", "spoke", cidr="10.1.0.0/16", azs=2, workloads=False)
        ec2 = session.client("ec2")
        gateway = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
        tgw = gateway["TransitGatewayId"]
        attachments = {
            net.vpc_id: ec2.create_transit_gateway_vpc_attachment(
                TransitGatewayId=tgw, VpcId=net.vpc_id, SubnetIds=net.private_subnets)["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
            for net in (hub, spoke)
        }
        table = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
        ec2.create_transit_gateway_route(DestinationCidrBlock="10.0.0.0/16", TransitGatewayRouteTableId=table,
                                         TransitGatewayAttachmentId=attachments[hub.vpc_id])
        ec2.create_transit_gateway_route(DestinationCidrBlock="10.9.0.0/16", TransitGatewayRouteTableId=table, Blackhole=True)
        pcx = ec2.create_vpc_peering_connection(VpcId=spoke.vpc_id, PeerVpcId=hub.vpc_id)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        calls: Counter = Counter()
        session.events.register("before-call.ec2", lambda model, **_: calls.update([model.name]))
        snapshot = collect(session, ["us-east-1"], ACCOUNT, "aws")
    region = snapshot.regions[0]
    assert region.errors == [] and region.notes == []
    assert {"transit_gateway_attachments", "transit_gateway_routes", "vpc_peering_connections"} <= set(region.collected)
    by_vpc = {a.vpc_id: a for a in region.transit_gateway_attachments}
    assert sorted(by_vpc) == sorted([hub.vpc_id, spoke.vpc_id])
    spoke_attachment = by_vpc[spoke.vpc_id]
    assert (spoke_attachment.transit_gateway_attachment_id, spoke_attachment.transit_gateway_id) == (attachments[spoke.vpc_id], tgw)
    assert (spoke_attachment.subnet_ids, spoke_attachment.state, spoke_attachment.vpc_owner_id) == (
        sorted(spoke.private_subnets), "available", ACCOUNT)
    default = gateway["Options"]["AssociationDefaultRouteTableId"]  # every attachment is associated with it
    assert {(a.association_known, a.association_route_table_id, a.association_state) for a in by_vpc.values()} == {
        (True, default, "associated")}
    tables = {t.transit_gateway_route_table_id: t for t in region.transit_gateway_route_tables}
    assert table in tables and all(t.transit_gateway_id == tgw and t.routes_known for t in tables.values())
    routes = {r.destination_cidr_block: r for r in tables[table].routes}
    assert (routes["10.0.0.0/16"].type, routes["10.0.0.0/16"].state) == ("static", "active")
    assert routes["10.0.0.0/16"].attachments == []  # moto leaves a route's attachments out (the aws-cli shape has them)
    assert routes["10.9.0.0/16"].state == "blackhole"
    assert calls["SearchTransitGatewayRoutes"] == len(tables)  # one per route table of an attached gateway
    assert calls["DescribeTransitGatewayVpcAttachments"] == calls["DescribeTransitGatewayRouteTables"] == 1
    assert calls["DescribeTransitGatewayAttachments"] == 1
    [peering] = region.vpc_peering_connections
    assert (peering.vpc_peering_connection_id, peering.status) == (pcx, "active")
    assert (peering.requester.vpc_id, peering.requester.cidr_blocks, peering.requester.owner_id) == (spoke.vpc_id, ["10.1.0.0/16"], ACCOUNT)
    assert (peering.accepter.vpc_id, peering.accepter.cidr_blocks, peering.accepter.region) == (hub.vpc_id, ["10.0.0.0/16"], "us-east-1")


def test_attachments_route_tables_routes_and_peering_from_the_aws_cli():
    """The aws-cli examples: the attachment keeps its owner, subnets and options; only the table of the attached
    gateway is searched; the pending peering's accepter has no CIDR."""
    pages = {**VPCS, **shape("describe_transit_gateway_vpc_attachments"), **shape("describe_transit_gateway_route_tables"),
             **shape("search_transit_gateway_routes"), **shape("describe_vpc_peering_connections")}
    fake = FakeEc2(pages)
    region = collect_fake(fake)
    assert region.errors == [] and region.notes == []
    [attachment] = region.transit_gateway_attachments
    assert (attachment.transit_gateway_attachment_id, attachment.transit_gateway_id, attachment.vpc_id, attachment.vpc_owner_id) == (
        "tgw-attach-0a08e88308EXAMPLE", "tgw-0043d72bb4EXAMPLE", "vpc-0f501f7ee8EXAMPLE", "111122223333")
    assert (attachment.subnet_ids, attachment.dns_support, attachment.ipv6_support, attachment.tags) == (
        ["subnet-045d586432EXAMPLE", "subnet-0a0ad478a6EXAMPLE"], "enable", "disable", {"Name": "attachment name"})
    assert attachment.security_group_referencing_support is None  # a 2019 example: the option came in 2024, not read
    [table] = region.transit_gateway_route_tables  # tgw-0bc994abffEXAMPLE has no attachment listed: not searched
    assert (table.transit_gateway_route_table_id, table.default_association_route_table) == ("tgw-rtb-0e8f48f148EXAMPLE", True)
    assert [(r.destination_cidr_block, r.type, r.state, r.attachments[0].transit_gateway_attachment_id) for r in table.routes] == [
        ("10.0.2.0/24", "static", "active", "tgw-attach-09b52ccdb5EXAMPLE"),
        ("10.1.0.0/24", "static", "active", "tgw-attach-09b52ccdb5EXAMPLE"),
    ]
    assert [c for c in fake.calls if c[0] == "SearchTransitGatewayRoutes"] == [("SearchTransitGatewayRoutes", None)]
    active, pending = region.vpc_peering_connections
    assert (active.vpc_peering_connection_id, active.status, active.tags) == ("pcx-11122233", "active", {"Name": "Peering-1"})
    assert (active.requester.owner_id, active.requester.cidr_blocks, active.accepter.cidr_blocks) == (
        "444455556666", ["192.168.0.0/16"], ["10.0.1.0/28"])
    assert (pending.status, pending.accepter.vpc_id, pending.accepter.cidr_blocks) == ("pending-acceptance", "vpc-33cc44dd", [])


def test_failures_cost_their_source_and_odd_items_only_themselves():
    """Denied route searches keep the tables with routes_known False; a denied peering describe leaves only that
    source out; an attachment without an id and a route with a bad CIDR are left out with notes."""
    attachments = shape("describe_transit_gateway_vpc_attachments")
    good = attachments["DescribeTransitGatewayVpcAttachments"][0]["TransitGatewayVpcAttachments"][0]
    broken = {k: v for k, v in good.items() if k != "TransitGatewayAttachmentId"}
    pages = {**VPCS, "DescribeTransitGatewayVpcAttachments": [{"TransitGatewayVpcAttachments": [good, broken]}],
             **shape("describe_transit_gateway_route_tables")}
    denied = collect_fake(FakeEc2(pages, errors={"SearchTransitGatewayRoutes": "UnauthorizedOperation",
                                                 "DescribeVpcPeeringConnections": "UnauthorizedOperation"}))
    assert [(e.api, e.code) for e in denied.errors] == [
        ("ec2:DescribeVpcPeeringConnections", "UnauthorizedOperation"), ("ec2:SearchTransitGatewayRoutes", "UnauthorizedOperation")]
    assert "transit_gateway_attachments" in denied.collected
    assert not {"transit_gateway_routes", "vpc_peering_connections"} & set(denied.collected)
    assert [(t.transit_gateway_route_table_id, t.routes_known) for t in denied.transit_gateway_route_tables] == [("tgw-rtb-0e8f48f148EXAMPLE", False)]
    assert [(n.api, n.item_id) for n in denied.notes] == [("ec2:DescribeTransitGatewayVpcAttachments", None)]
    routes = {"SearchTransitGatewayRoutes": [{"Routes": [{"DestinationCidrBlock": "10.0.0.0/33", "Type": "static"},
                                                         {"DestinationCidrBlock": "10.2.0.0/16", "Type": "propagated"}]}]}
    odd = collect_fake(FakeEc2({**pages, **routes}))
    [table] = odd.transit_gateway_route_tables
    assert [r.destination_cidr_block for r in table.routes] == ["10.2.0.0/16"]
    assert [(n.api, n.item_id, n.message) for n in odd.notes if n.api == "ec2:SearchTransitGatewayRoutes"] == [
        ("ec2:SearchTransitGatewayRoutes", "tgw-rtb-0e8f48f148EXAMPLE", "route 0 left out: ValueError: '10.0.0.0/33' is not a valid CIDR")]


def test_each_vpc_attachments_association_from_the_aws_cli():
    """DescribeTransitGatewayAttachments (the aws-cli example: two VPC and two Direct Connect attachments, all
    associated with one table) gives the association of the VPC attachment it lists; the one it doesn't list
    (the VPC attachments example's) keeps association_known False."""
    vpc_attachments = shape("describe_transit_gateway_vpc_attachments")
    recorded = vpc_attachments["DescribeTransitGatewayVpcAttachments"][0]["TransitGatewayVpcAttachments"][0]
    listed = {**recorded, "TransitGatewayAttachmentId": "tgw-attach-0b5968d3b6EXAMPLE",
              "TransitGatewayId": "tgw-02f776b1a7EXAMPLE", "VpcId": "vpc-0065acced4EXAMPLE"}
    pages = {**VPCS, "DescribeTransitGatewayVpcAttachments": [{"TransitGatewayVpcAttachments": [recorded, listed]}],
             **shape("describe_transit_gateway_attachments")}
    fake = FakeEc2(pages)
    region = collect_fake(fake)
    assert region.errors == [] and region.notes == []
    found = {a.transit_gateway_attachment_id: (a.association_known, a.association_route_table_id, a.association_state)
             for a in region.transit_gateway_attachments}
    assert found == {"tgw-attach-0b5968d3b6EXAMPLE": (True, "tgw-rtb-002573ed1eEXAMPLE", "associated"),
                     "tgw-attach-0a08e88308EXAMPLE": (False, None, None)}
    assert [c for c in fake.calls if c[0] == "DescribeTransitGatewayAttachments"] == [("DescribeTransitGatewayAttachments", None)]


def test_an_unreadable_association_is_an_error_and_leaves_the_attachments_without_one():
    """Denied, the attachments stay collected without their association (the path model then needs every table
    of the gateway to agree); without VPC attachments nothing is asked."""
    pages = {**VPCS, **shape("describe_transit_gateway_vpc_attachments"), **shape("describe_transit_gateway_attachments")}
    denied = collect_fake(FakeEc2(pages, errors={"DescribeTransitGatewayAttachments": "UnauthorizedOperation"}))
    assert [(e.api, e.code) for e in denied.errors] == [("ec2:DescribeTransitGatewayAttachments", "UnauthorizedOperation")]
    assert "transit_gateway_attachments" in denied.collected
    assert [a.association_known for a in denied.transit_gateway_attachments] == [False]
    odd = {"DescribeTransitGatewayAttachments": [{"TransitGatewayAttachments": [{"Association": {"State": "associated"}}]}]}
    noted = collect_fake(FakeEc2({**pages, **odd}))
    assert [(n.api, n.item_id) for n in noted.notes] == [("ec2:DescribeTransitGatewayAttachments", None)]
    assert [a.association_known for a in noted.transit_gateway_attachments] == [False]
    fake = FakeEc2({**VPCS, **shape("describe_transit_gateway_attachments")})
    assert collect_fake(fake).errors == []
    assert "DescribeTransitGatewayAttachments" not in {c[0] for c in fake.calls}


def test_security_group_referencing_support_from_the_transit_gateway_guide_and_from_moto(aws_env):
    """The attachments' ``Options.SecurityGroupReferencingSupport`` comes with the describe already made (the
    Transit Gateway guide's example output: both enabled); moto keeps what the create call asked for (its default,
    like AWS's for an attachment, is enable)."""
    fake = FakeEc2({**VPCS, **shape("describe_transit_gateway_vpc_attachments_tgw_guide")})
    region = collect_fake(fake)
    assert region.errors == [] and region.notes == []
    assert [(a.transit_gateway_attachment_id, a.security_group_referencing_support) for a in region.transit_gateway_attachments] == [
        ("tgw-attach-1234567890abcdef0", "enable"), ("tgw-attach-abcdef1234567890", "enable")]
    assert [c[0] for c in fake.calls].count("DescribeTransitGatewayVpcAttachments") == 1
    found = _moto_attachments({"SecurityGroupReferencingSupport": "enable"}, {"SecurityGroupReferencingSupport": "disable"})
    assert {name: a.security_group_referencing_support for name, a in found.items()} == {"hub": "disable", "spoke": "enable"}


def _moto_attachments(gateway_options: dict, hub_options: dict) -> dict:
    """Collect, from moto, a hub's and a spoke's attachments to one new gateway (the hub's made with
    ``hub_options``, the spoke's with none), by VPC name."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        nets = {name: build_vpc(session, "us-east-1", name, cidr=cidr, azs=1, workloads=False)
                for name, cidr in (("hub", "10.0.0.0/16"), ("spoke", "10.1.0.0/16"))}
        ec2 = session.client("ec2")
        tgw = ec2.create_transit_gateway(Options=gateway_options)["TransitGateway"]["TransitGatewayId"]
        for name, net in nets.items():
            ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=net.vpc_id, SubnetIds=net.private_subnets,
                                                      Options=hub_options if name == "hub" else {})
        region = collect(session, ["us-east-1"], ACCOUNT, "aws").regions[0]
    assert region.errors == []
    names = {net.vpc_id: name for name, net in nets.items()}
    return {names[a.vpc_id]: a for a in region.transit_gateway_attachments}


def test_appliance_mode_support_from_the_transit_gateway_guide_the_aws_cli_and_moto(aws_env):
    """``Options.ApplianceModeSupport``: the Transit Gateway guide's example has it (disable), the older aws-cli
    example does not (not read: None); moto keeps what the create call asked for (default disable)."""
    guide = collect_fake(FakeEc2({**VPCS, **shape("describe_transit_gateway_vpc_attachments_tgw_guide")}))
    assert [a.appliance_mode_support for a in guide.transit_gateway_attachments] == ["disable", "disable"]
    cli = collect_fake(FakeEc2({**VPCS, **shape("describe_transit_gateway_vpc_attachments")}))
    assert [a.appliance_mode_support for a in cli.transit_gateway_attachments] == [None]
    found = _moto_attachments({}, {"ApplianceModeSupport": "enable"})
    assert {name: a.appliance_mode_support for name, a in found.items()} == {"hub": "enable", "spoke": "disable"}
