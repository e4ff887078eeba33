"""The collector: pagination, call counts, region discovery, recorded failures and normalisation.

Unit tests use moto's ``mock_aws`` and, for shapes moto can't produce (pages, throttling, opt-in statuses,
disassociated CIDRs), a ``before-call`` hook that answers EC2 calls from canned pages. One end-to-end test runs the
real executable against a moto server that enforces IAM.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from unittest import mock

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from moto import mock_aws

from conftest import _free_port
from scenarios import build_private_vpc, build_vpc, endpoint_security_group

from vpclint.collect import session as collect_session
from vpclint.collect.route53 import DNS_SOURCES
from vpclint.collect.region import RegionCollector
from vpclint.collect.scheduler import collect
from vpclint.collect.session import resolve_regions
from vpclint.engine import evaluate
from vpclint.rules import load_rules
from vpclint.snapshot import SOURCES

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DESCRIBES = {
    "DescribeVpcs", "DescribeDhcpOptions", "DescribeSubnets", "DescribeRouteTables", "DescribeSecurityGroups",
    "DescribeVpcEndpoints", "DescribeNatGateways", "DescribeInternetGateways", "DescribePrefixLists",
    "DescribeNetworkAcls", "DescribeNetworkInterfaces", "DescribeTransitGatewayVpcAttachments", "DescribeVpcPeeringConnections",
}
"""The constant, paginated EC2 calls per region; on top come two DescribeVpcAttribute per VPC, when lists need
their entries one DescribeManagedPrefixLists and one GetManagedPrefixListEntries per list, and when a transit
gateway has a VPC attachment one DescribeTransitGatewayRouteTables and one SearchTransitGatewayRoutes per table."""
EC2_SOURCES = sorted(set(SOURCES) - set(DNS_SOURCES))
"""What one region's EC2 collector reads (the DNS sources are read across regions by route53.DnsReader)."""


class FakeEc2:
    """Answers EC2 calls from canned pages (``NextToken`` is the page index) and records every call.

    ``errors`` maps an operation name to the error code it always fails with.
    """

    def __init__(self, pages: dict[str, list[dict]], errors: dict[str, str] | None = None,
                 attributes: dict[str, dict[str, bool]] | None = None) -> None:
        self.pages, self.errors, self.attributes = pages, errors or {}, attributes or {}
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, model, params, **_):
        body = params["body"]
        self.calls.append((model.name, body.get("NextToken")))
        if model.name in self.errors:
            code = self.errors[model.name]
            return AWSResponse("https://fake", 400, {}, None), {"Error": {"Code": code, "Message": f"{code} on {model.name}"}}
        if model.name == "DescribeVpcAttribute":
            name = body["Attribute"]
            value = self.attributes.get(body["VpcId"], {}).get(name, False)
            return AWSResponse("https://fake", 200, {}, None), {name[0].upper() + name[1:]: {"Value": value}}
        pages = self.pages.get(model.name, [{}])
        index = int(body.get("NextToken") or 0)
        page = dict(pages[index])
        if index + 1 < len(pages):
            page["NextToken"] = str(index + 1)
        return AWSResponse("https://fake", 200, {}, None), page


def fake_client(fake: FakeEc2, region: str = "us-east-1"):
    """A real boto3 EC2 client whose calls ``fake`` answers."""
    client = boto3.client("ec2", region_name=region, **CREDENTIALS)
    client.meta.events.register("before-call.ec2", fake)
    return client


def collect_fake(fake: FakeEc2, region: str = "us-east-1"):
    """One region collected through a real boto3 client whose calls ``fake`` answers."""
    return RegionCollector(fake_client(fake, region), region).collect()


def _route_tables_pages() -> list[dict]:
    targets = [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active", "Origin": "CreateRouteTable"},
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"},
        {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"},
        {"DestinationCidrBlock": "10.1.0.0/16", "NatGatewayId": "nat-1", "State": "blackhole"},
        {"DestinationCidrBlock": "10.2.0.0/16", "InstanceId": "i-1", "InstanceOwnerId": "1", "NetworkInterfaceId": "eni-9"},
        {"DestinationCidrBlock": "10.3.0.0/16", "NetworkInterfaceId": "eni-1"},
        {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-1", "State": "active"},
        {"DestinationCidrBlock": "10.4.0.0/16", "GatewayId": "vgw-1"},
        {"DestinationCidrBlock": "10.5.0.0/16", "TransitGatewayId": "tgw-1"},
        {"DestinationCidrBlock": "10.6.0.0/16", "VpcPeeringConnectionId": "pcx-1"},
        {"DestinationCidrBlock": "10.7.0.0/16", "CarrierGatewayId": "cagw-1"},
        {"DestinationCidrBlock": "10.8.0.0/16", "LocalGatewayId": "lgw-1"},
        {"DestinationCidrBlock": "10.9.0.0/16", "CoreNetworkArn": "arn:aws:networkmanager::1:core-network/core-1"},
        {"DestinationCidrBlock": "10.10.0.0/16"},
    ]
    return [
        {"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": targets, "Associations": [
            {"RouteTableAssociationId": "rtbassoc-2", "SubnetId": "subnet-1", "AssociationState": {"State": "associated"}},
        ]}]},
        {"RouteTables": [{"RouteTableId": "rtb-2", "VpcId": "vpc-1", "Routes": [], "Associations": [
            {"RouteTableAssociationId": "rtbassoc-1", "Main": True, "AssociationState": {"State": "associated"}},
        ]}]},
    ]


def paged_account() -> dict[str, list[dict]]:
    """Two pages for every describe call, each page holding different resources."""
    return {
        "DescribeVpcs": [
            {"Vpcs": [{
                "VpcId": "vpc-1", "OwnerId": "111122223333", "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "dopt-1",
                "CidrBlockAssociationSet": [
                    {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
                    {"CidrBlock": "100.64.0.0/16", "CidrBlockState": {"State": "associated"}},
                    {"CidrBlock": "10.99.0.0/16", "CidrBlockState": {"State": "disassociated"}},
                ],
                "Ipv6CidrBlockAssociationSet": [
                    {"Ipv6CidrBlock": "2600:1f18:1::/56", "Ipv6CidrBlockState": {"State": "associated"}},
                    {"Ipv6CidrBlock": "2600:1f18:2::/56", "Ipv6CidrBlockState": {"State": "disassociated"}},
                ],
                "Tags": [{"Key": "Name", "Value": "one"}],
            }]},
            {"Vpcs": [{"VpcId": "vpc-2", "CidrBlock": "10.1.0.0/16", "DhcpOptionsId": "dopt-2", "IsDefault": True}]},
        ],
        "DescribeDhcpOptions": [
            {"DhcpOptions": [{"DhcpOptionsId": "dopt-1", "DhcpConfigurations": [
                {"Key": "domain-name-servers", "Values": [{"Value": "10.0.0.2"}, {"Value": "10.0.0.3"}]},
                {"Key": "domain-name", "Values": [{"Value": "corp.example"}]},
            ]}]},
            {"DhcpOptions": [{"DhcpOptionsId": "dopt-2", "DhcpConfigurations": [
                {"Key": "domain-name-servers", "Values": [{"Value": "AmazonProvidedDNS"}]},
            ]}]},
        ],
        "DescribeSubnets": [
            {"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1a", "CidrBlock": "10.0.1.0/24",
                          "Ipv6CidrBlockAssociationSet": [
                              {"Ipv6CidrBlock": "2600:1f18:1:1::/64", "Ipv6CidrBlockState": {"State": "associated"}},
                              {"Ipv6CidrBlock": "2600:1f18:1:2::/64", "Ipv6CidrBlockState": {"State": "disassociated"}},
                          ]}]},
            {"Subnets": [{"SubnetId": "subnet-2", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1b", "CidrBlock": "10.0.2.0/24",
                          "MapPublicIpOnLaunch": True}]},
        ],
        "DescribeRouteTables": _route_tables_pages(),
        "DescribeSecurityGroups": [
            {"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "one", "VpcId": "vpc-1", "IpPermissions": [
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}], "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "1"}]},
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "v6"}],
                 "PrefixListIds": [{"PrefixListId": "pl-1"}]},
                {"IpProtocol": "UDP", "FromPort": 1000, "ToPort": 2000, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            ], "IpPermissionsEgress": [{"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]},
            {"SecurityGroups": [{"GroupId": "sg-2", "GroupName": "two", "VpcId": "vpc-1"}]},
        ],
        "DescribeVpcEndpoints": [
            {"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcId": "vpc-1", "VpcEndpointType": "Gateway",
                               "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "RouteTableIds": ["rtb-2", "rtb-1"],
                               "PolicyDocument": json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]})}]},
            {"VpcEndpoints": [
                {"VpcEndpointId": "vpce-2", "VpcId": "vpc-1", "VpcEndpointType": "Interface", "ServiceName": "com.amazonaws.eu-west-1.ecr.dkr",
                 "PrivateDnsEnabled": True, "SubnetIds": ["subnet-2", "subnet-1"], "Groups": [{"GroupId": "sg-1", "GroupName": "one"}],
                 "PolicyDocument": '{"Statement": [', "State": "available"},
                {"VpcEndpointId": "vpce-3", "VpcId": "vpc-1", "VpcEndpointType": "Interface",
                 "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123", "State": "pendingAcceptance"},
            ]},
        ],
        "DescribeNatGateways": [
            {"NatGateways": [{"NatGatewayId": "nat-1", "VpcId": "vpc-1", "SubnetId": "subnet-2", "State": "available",
                              "NatGatewayAddresses": [{"NetworkInterfaceId": "eni-5", "PrivateIp": "10.0.2.9"}]}]},
            {"NatGateways": [{"NatGatewayId": "nat-2", "VpcId": "vpc-2", "State": "deleted"}]},
        ],
        "DescribeInternetGateways": [
            {"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}]},
            {"InternetGateways": [{"InternetGatewayId": "igw-2", "Attachments": []}]},
        ],
        "DescribePrefixLists": [
            {"PrefixLists": [{"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15"]}]},
            {"PrefixLists": [{"PrefixListId": "pl-02cd2c6b", "PrefixListName": "com.amazonaws.us-east-1.dynamodb"}]},
        ],
        "DescribeManagedPrefixLists": [  # asked only for pl-1, the customer list sg-1 references
            {"PrefixLists": []},
            {"PrefixLists": [{"PrefixListId": "pl-1", "PrefixListName": "corp-cidrs", "OwnerId": "111122223333"}]},
        ],
        "GetManagedPrefixListEntries": [
            {"Entries": [{"Cidr": "10.8.0.0/16", "Description": "a"}]},
            {"Entries": [{"Cidr": "10.9.0.0/16"}, {"Cidr": "10.8.0.0/16"}]},
        ],
        "DescribeNetworkAcls": [
            {"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": True, "Entries": [
                {"RuleNumber": 32767, "Egress": False, "Protocol": "-1", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
                {"RuleNumber": 100, "Egress": True, "Protocol": "6", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0",
                 "PortRange": {"From": 443, "To": 443}},
                {"RuleNumber": 100, "Egress": False, "Protocol": "6", "RuleAction": "allow", "Ipv6CidrBlock": "::/0",
                 "PortRange": {"From": 1024, "To": 65535}},
            ], "Associations": [{"NetworkAclAssociationId": "aclassoc-2", "SubnetId": "subnet-2"},
                                {"NetworkAclAssociationId": "aclassoc-1", "SubnetId": "subnet-1"}],
              "Tags": [{"Key": "Name", "Value": "main"}]}]},
            {"NetworkAcls": [{"NetworkAclId": "acl-2", "VpcId": "vpc-2", "IsDefault": False, "Entries": [], "Associations": []}]},
        ],
        "DescribeNetworkInterfaces": [
            {"NetworkInterfaces": [{"NetworkInterfaceId": "eni-5", "SubnetId": "subnet-2", "VpcId": "vpc-1",
                                    "InterfaceType": "nat_gateway", "RequesterManaged": True, "Status": "in-use",
                                    "PrivateIpAddress": "10.0.2.9", "PrivateIpAddresses": [
                                        {"PrivateIpAddress": "10.0.2.9", "Primary": True}, {"PrivateIpAddress": "10.0.2.10"}]}]},
            {"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "VpcId": "vpc-1",
                                    "Groups": [{"GroupId": "sg-2"}, {"GroupId": "sg-1"}],
                                    "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:1:1::5"}],
                                    "Attachment": {"InstanceId": "i-1", "InstanceOwnerId": "111122223333"},
                                    "TagSet": [{"Key": "Name", "Value": "app"}]}]},
        ],
        "DescribeTransitGatewayVpcAttachments": [
            {"TransitGatewayVpcAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-2", "TransitGatewayId": "tgw-1", "VpcId": "vpc-2"}]},
            {"TransitGatewayVpcAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1", "VpcId": "vpc-1",
                                               "SubnetIds": ["subnet-2", "subnet-1"], "State": "available"}]},
        ],
        "DescribeTransitGatewayAttachments": [
            {"TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "ResourceType": "vpc",
                                            "Association": {"TransitGatewayRouteTableId": "tgw-rtb-1", "State": "associated"}}]},
            {"TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-2", "ResourceType": "vpc"}]},
        ],
        "DescribeTransitGatewayRouteTables": [  # tgw-9 has no attachment listed: its table is not searched
            {"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-9", "TransitGatewayId": "tgw-9"}]},
            {"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1"}]},
        ],
        "SearchTransitGatewayRoutes": [
            {"Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "Type": "propagated", "State": "active"}], "AdditionalRoutesAvailable": True},
            {"Routes": [{"DestinationCidrBlock": "10.9.0.0/16", "Type": "static", "State": "blackhole"}]},
        ],
        "DescribeVpcPeeringConnections": [
            {"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-2", "Status": {"Code": "active"}}]},
            {"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "deleted"}}]},
        ],
    }


def test_every_describe_is_paginated_and_every_page_collected():
    """Each describe follows NextToken to the last page; DescribeVpcAttribute is the only per-VPC call."""
    fake = FakeEc2(paged_account(), attributes={"vpc-1": {"enableDnsSupport": True, "enableDnsHostnames": True}})
    region = collect_fake(fake)
    assert region.errors == []
    assert region.collected == EC2_SOURCES
    per_list = ("DescribeManagedPrefixLists", "GetManagedPrefixListEntries")  # for pl-1, the only list without CIDRs
    per_list += ("DescribeTransitGatewayAttachments", "DescribeTransitGatewayRouteTables", "SearchTransitGatewayRoutes")
    assert Counter(call for call in fake.calls if call[0] != "DescribeVpcAttribute") == Counter(
        (operation, token) for operation in DESCRIBES | set(per_list) for token in (None, "1")
    )
    assert [c for c in fake.calls if c[0] == "DescribeVpcAttribute"] == [("DescribeVpcAttribute", None)] * 4
    assert [v.vpc_id for v in region.vpcs] == ["vpc-1", "vpc-2"]
    assert [s.subnet_id for s in region.subnets] == ["subnet-1", "subnet-2"]
    assert [t.route_table_id for t in region.route_tables] == ["rtb-1", "rtb-2"]
    assert [g.group_id for g in region.security_groups] == ["sg-1", "sg-2"]
    assert [e.vpc_endpoint_id for e in region.vpc_endpoints] == ["vpce-1", "vpce-2", "vpce-3"]
    assert [n.nat_gateway_id for n in region.nat_gateways] == ["nat-1", "nat-2"]
    assert [i.internet_gateway_id for i in region.internet_gateways] == ["igw-1", "igw-2"]
    assert [d.dhcp_options_id for d in region.dhcp_options] == ["dopt-1", "dopt-2"]
    assert [a.network_acl_id for a in region.network_acls] == ["acl-1", "acl-2"]
    assert [i.network_interface_id for i in region.network_interfaces] == ["eni-1", "eni-5"]
    assert [(a.transit_gateway_attachment_id, a.association_known, a.association_route_table_id)
            for a in region.transit_gateway_attachments] == [("tgw-attach-1", True, "tgw-rtb-1"), ("tgw-attach-2", True, None)]
    assert [(t.transit_gateway_route_table_id, [r.destination_cidr_block for r in t.routes]) for t in region.transit_gateway_route_tables] == [
        ("tgw-rtb-1", ["10.0.0.0/16", "10.9.0.0/16"])]
    assert [c.vpc_peering_connection_id for c in region.vpc_peering_connections] == ["pcx-1", "pcx-2"]
    # The S3 list (CIDRs from DescribePrefixLists) and the customer list sg-1 references (entries of both pages);
    # the unreferenced DynamoDB list is left out.
    assert [(p.prefix_list_id, p.prefix_list_name, p.owner_id, p.cidrs, p.cidrs_known) for p in region.prefix_lists] == [
        ("pl-1", "corp-cidrs", "111122223333", ["10.8.0.0/16", "10.9.0.0/16"], True),
        ("pl-63a5400a", "com.amazonaws.us-east-1.s3", "AWS", ["52.216.0.0/15"], True),
    ]
    assert region.notes == []


def test_vpcs_subnets_dhcp_and_gateways_are_normalised():
    """Only associated CIDRs count; DNS attributes, DHCP servers and attachments are read."""
    fake = FakeEc2(paged_account(), attributes={"vpc-1": {"enableDnsSupport": True, "enableDnsHostnames": True}})
    region = collect_fake(fake)
    one, two = region.vpcs
    assert one.cidr_blocks == ["10.0.0.0/16", "100.64.0.0/16"]
    assert one.ipv6_cidr_blocks == ["2600:1f18:1::/56"]
    assert (one.enable_dns_support, one.enable_dns_hostnames, one.tags) == (True, True, {"Name": "one"})
    assert (two.enable_dns_support, two.enable_dns_hostnames, two.is_default) == (False, False, True)
    assert region.subnets[0].ipv6_cidr_blocks == ["2600:1f18:1:1::/64"]
    assert region.subnets[1].map_public_ip_on_launch is True
    dhcp = {d.dhcp_options_id: d for d in region.dhcp_options}
    assert (dhcp["dopt-1"].domain_name_servers, dhcp["dopt-1"].domain_name) == (["10.0.0.2", "10.0.0.3"], "corp.example")
    assert (dhcp["dopt-2"].domain_name_servers, dhcp["dopt-2"].domain_name) == (["AmazonProvidedDNS"], None)
    assert region.nat_gateways[0].network_interface_ids == ["eni-5"]
    assert region.nat_gateways[0].private_ips == ["10.0.2.9"]
    assert [i.attached_vpc_ids for i in region.internet_gateways] == [["vpc-1"], []]


def test_routes_of_every_target_type_are_normalised():
    """Each EC2 route target field maps to one target type; state, origin and associations are kept; routes are
    sorted by destination (prefix-list routes, which have no CIDR, first)."""
    table, main = collect_fake(FakeEc2(paged_account())).route_tables
    assert [(r.destination_cidr_block or r.destination_ipv6_cidr_block or r.destination_prefix_list_id, r.target_type, r.target_id)
            for r in table.routes] == [
        ("pl-63a5400a", "vpc_endpoint", "vpce-1"), ("::/0", "egress_only_internet_gateway", "eigw-1"),
        ("0.0.0.0/0", "internet_gateway", "igw-1"), ("10.0.0.0/16", "local", "local"),
        ("10.1.0.0/16", "nat_gateway", "nat-1"), ("10.10.0.0/16", "unknown", None), ("10.2.0.0/16", "instance", "i-1"),
        ("10.3.0.0/16", "network_interface", "eni-1"), ("10.4.0.0/16", "virtual_private_gateway", "vgw-1"),
        ("10.5.0.0/16", "transit_gateway", "tgw-1"), ("10.6.0.0/16", "vpc_peering_connection", "pcx-1"),
        ("10.7.0.0/16", "carrier_gateway", "cagw-1"), ("10.8.0.0/16", "local_gateway", "lgw-1"),
        ("10.9.0.0/16", "core_network", "arn:aws:networkmanager::1:core-network/core-1"),
    ]
    by_destination = {r.destination_cidr_block: r for r in table.routes}
    assert (by_destination["10.0.0.0/16"].origin, by_destination["10.1.0.0/16"].state) == ("CreateRouteTable", "blackhole")
    assert [(a.subnet_id, a.main, a.state) for a in table.associations] == [("subnet-1", False, "associated")]
    assert [(a.subnet_id, a.main) for a in main.associations] == [(None, True)]


def test_security_group_rules_are_one_per_source():
    """Permissions expand to one rule per CIDR, IPv6 CIDR, prefix list or group; protocol -1 has no ports."""
    group = collect_fake(FakeEc2(paged_account())).security_groups[0]
    ingress = {(r.protocol, r.from_port, r.to_port, r.cidr_ipv4, r.cidr_ipv6, r.prefix_list_id, r.referenced_group_id, r.description)
               for r in group.ingress}
    assert ingress == {
        ("-1", None, None, "10.0.0.0/16", None, None, None, None),
        ("-1", None, None, None, None, None, "sg-2", None),
        ("tcp", 443, 443, None, "::/0", None, None, "v6"),
        ("tcp", 443, 443, None, None, "pl-1", None, None),
        ("udp", 1000, 2000, "0.0.0.0/0", None, None, None, None),
    }
    assert len(group.ingress) == 5
    assert [(r.protocol, r.from_port, r.cidr_ipv4) for r in group.egress] == [("-1", None, "0.0.0.0/0")]


def test_endpoints_parse_service_names_and_policies():
    """Service names split into region and service; a malformed policy is kept as policy_error, not a crash."""
    gateway, interface, partner = collect_fake(FakeEc2(paged_account())).vpc_endpoints
    assert (gateway.service_region, gateway.service, gateway.route_table_ids) == ("us-east-1", "s3", ["rtb-1", "rtb-2"])
    assert gateway.policy == {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}
    assert gateway.policy_error is None
    assert (interface.service_region, interface.service) == ("eu-west-1", "ecr.dkr")
    assert interface.policy is None
    assert interface.policy_error.startswith("not valid JSON")
    assert (interface.subnet_ids, interface.group_ids, interface.private_dns_enabled) == (["subnet-1", "subnet-2"], ["sg-1"], True)
    assert (partner.service_region, partner.service, partner.policy, partner.policy_error) == (None, None, None, None)


@pytest.mark.parametrize("code", ["UnauthorizedOperation", "Throttling"])
def test_a_failing_api_is_recorded_and_the_rest_of_the_region_completes(code):
    """A denied or throttled source is left out of ``collected`` with its error; every other source is read."""
    fake = FakeEc2(paged_account(), errors={"DescribeVpcEndpoints": code, "DescribeVpcAttribute": code})
    region = collect_fake(fake)
    assert [(e.region, e.api, e.code) for e in region.errors] == [
        ("us-east-1", "ec2:DescribeVpcAttribute", code), ("us-east-1", "ec2:DescribeVpcEndpoints", code),
    ]
    assert region.collected == sorted(set(EC2_SOURCES) - {"vpc_endpoints", "vpc_attributes"})
    assert region.vpc_endpoints == []
    assert [v.enable_dns_support for v in region.vpcs] == [None, None]
    assert [s.subnet_id for s in region.subnets] == ["subnet-1", "subnet-2"]


def test_a_region_whose_vpcs_cannot_be_read_asks_nothing_else():
    """Without the VPC list nothing else of the region is worth reading."""
    fake = FakeEc2(paged_account(), errors={"DescribeVpcs": "AuthFailure"})
    region = collect_fake(fake)
    assert fake.calls == [("DescribeVpcs", None)]
    assert (region.collected, [e.code for e in region.errors]) == ([], ["AuthFailure"])


def test_collect_counts_calls_uses_adaptive_retries_and_records_a_denied_region(aws_env):
    """One call per source per region plus two per VPC; adaptive retries; a denial in one region only costs it."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        nets = [build_private_vpc(session, "us-east-1", "a"), build_vpc(session, "us-east-1", "b", azs=1),
                build_vpc(session, "eu-west-1", "c", azs=1)]
        calls: list[tuple[str, str]] = []

        def count(model, request_signer, **_):
            calls.append((request_signer.region_name, model.name))
            if request_signer.region_name == "eu-west-1" and model.name == "DescribeVpcEndpoints":
                return AWSResponse("https://fake", 403, {}, None), {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}
            return None

        session.events.register("before-call.ec2", count)
        created = []
        real_client = session.client
        with mock.patch.object(session, "client", lambda *a, **k: created.append(real_client(*a, **k)) or created[-1]):
            snapshot = collect(session, ["eu-west-1", "us-east-1"], "123456789012", "aws")
    # One EC2, one Resolver and one Profiles client per region, one Route 53 client for all.
    assert Counter((c.meta.service_model.service_name, c.meta.region_name) for c in created) == {
        ("ec2", "eu-west-1"): 1, ("ec2", "us-east-1"): 1, ("route53resolver", "eu-west-1"): 1,
        ("route53resolver", "us-east-1"): 1, ("route53profiles", "eu-west-1"): 1, ("route53profiles", "us-east-1"): 1,
        ("route53", "aws-global"): 1}
    assert [c.meta.config.retries for c in created] == [{"mode": "adaptive", "total_max_attempts": collect_session.MAX_ATTEMPTS}] * 7
    assert collect_session.MAX_ATTEMPTS >= 5
    for region in ("eu-west-1", "us-east-1"):
        vpcs = [v for v in snapshot.regions if v.region == region][0].vpcs
        names = [name for r, name in calls if r == region]
        assert sorted(set(names) - {"DescribeVpcAttribute", "GetManagedPrefixListEntries"}) == sorted(DESCRIBES)
        # moto's DescribePrefixLists has no Cidrs: the S3 list's entries take one GetManagedPrefixListEntries.
        assert len(names) == len(DESCRIBES) + 2 * len(vpcs) + 1
        assert names.count("GetManagedPrefixListEntries") == 1
        assert {n.vpc_id for n in nets if n.region == region} < {v.vpc_id for v in vpcs}
    east, west = snapshot.regions[1], snapshot.regions[0]
    assert (east.errors, east.collected) == ([], sorted(SOURCES))
    assert [(e.region, e.api, e.code) for e in west.errors] == [("eu-west-1", "ec2:DescribeVpcEndpoints", "UnauthorizedOperation")]
    report = evaluate(snapshot, load_rules(select=["ecr-dkr-endpoint-missing"]))
    assert [(n.region, n.rule_id, n.missing) for n in report.not_evaluated] == [("eu-west-1", "ecr-dkr-endpoint-missing", ["vpc_endpoints"])]
    assert {f.region for f in report.findings} == {"us-east-1"}
    assert report.exit_code() == 3


def test_an_unreachable_region_is_recorded_after_the_probe_and_the_others_complete(aws_env, monkeypatch):
    """A region whose endpoint refuses connections becomes an error of that region after the first call's few
    attempts (not the client's ten), and never a crash."""
    closed = f"http://127.0.0.1:{_free_port()}"
    attempts: Counter[str] = Counter()
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        net = build_vpc(session, "us-east-1", "reachable", azs=1)
        real_client = session.client

        def client(service, region_name=None, **kwargs):
            if region_name != "ap-southeast-2":
                return real_client(service, region_name=region_name, **kwargs)
            made = real_client(service, region_name=region_name, endpoint_url=closed, **kwargs)
            made.meta.events.register("before-send", lambda request, **_: attempts.update([request.url]))
            return made

        monkeypatch.setattr(session, "client", client)
        snapshot = collect(session, ["ap-southeast-2", "us-east-1"], "123456789012", "aws")
    down, up = snapshot.regions
    assert down.region == "ap-southeast-2"
    assert down.collected == []
    assert [(e.api, e.code) for e in down.errors] == [("ec2:DescribeVpcs", "EndpointConnectionError")]
    assert closed in down.errors[0].message
    assert sum(attempts.values()) == collect_session.PROBE_ATTEMPTS < collect_session.MAX_ATTEMPTS
    assert up.errors == [] and net.vpc_id in {v.vpc_id for v in up.vpcs}
    assert evaluate(snapshot, load_rules()).exit_code() == 3


def test_all_regions_leaves_out_opt_in_and_foreign_partition_regions_from_moto(aws_env):
    """moto lists 38 regions, cn-* and opt-in ones among them: only enabled regions of the partition remain."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        listed = boto3.client("ec2", region_name="us-east-1").describe_regions()["Regions"]
        chosen = resolve_regions(session, "aws", [], all_regions=True)
    not_opted = {r["RegionName"] for r in listed if r["OptInStatus"] == "not-opted-in"}
    foreign = {r["RegionName"] for r in listed if r["RegionName"].startswith(("cn-", "us-gov-"))}
    assert not_opted and foreign
    assert not set(chosen) & (not_opted | foreign)
    assert set(chosen) == {r["RegionName"] for r in listed} - not_opted - foreign
    assert chosen == sorted(chosen)


def test_all_regions_filters_opt_in_status_and_partition_itself(aws_env):
    """Whatever DescribeRegions returns, only opted-in or opt-in-not-required regions of the caller's partition count."""
    session = boto3.Session(region_name="us-east-1")
    real_client = session.client
    stubbed = real_client("ec2", region_name="us-east-1")
    stubber = Stubber(stubbed)
    stubber.add_response("describe_regions", {"Regions": [
        {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
        {"RegionName": "af-south-1", "OptInStatus": "not-opted-in"},
        {"RegionName": "ap-east-1", "OptInStatus": "opted-in"},
        {"RegionName": "cn-north-1", "OptInStatus": "opt-in-not-required"},
        {"RegionName": "us-gov-west-1"},
    ]}, {"AllRegions": False})
    with stubber, mock.patch.object(session, "client", lambda *a, **k: stubbed):
        assert resolve_regions(session, "aws", [], all_regions=True) == ["ap-east-1", "us-east-1"]
    stubber.assert_no_pending_responses()


def test_scan_with_one_api_denied_by_iam_is_incomplete_and_claims_nothing(start_moto_server, run_vpclint):
    """Against a moto server enforcing IAM: a user denied ec2:DescribeVpcEndpoints gets exit 3, the error, and the
    endpoint rule reported as not evaluated in both regions; every other API was read."""
    server = start_moto_server({"INITIAL_NO_AUTH_ACTION_COUNT": "3"})
    root = boto3.Session(region_name="us-east-1", aws_access_key_id="root", aws_secret_access_key="root")
    iam = root.client("iam", endpoint_url=server.url)
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.create_user(UserName="admin")
    iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(allow_all))
    key = iam.create_access_key(UserName="admin")["AccessKey"]  # the third unauthenticated action: IAM applies from here
    admin = boto3.Session(region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    with mock.patch.dict(os.environ, {"AWS_ENDPOINT_URL": server.url}):
        admin_iam = admin.client("iam")
        admin_iam.create_user(UserName="scanner")
        admin_iam.put_user_policy(UserName="scanner", PolicyName="read", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": [
                "ec2:Describe*", "ec2:GetManagedPrefixListEntries", "ec2:SearchTransitGatewayRoutes", "sts:GetCallerIdentity",
                "route53:ListHostedZonesByVPC", "route53:ListResourceRecordSets",
                "route53resolver:ListResolverRules", "route53resolver:ListResolverRuleAssociations"], "Resource": "*"},
                          {"Effect": "Deny", "Action": "ec2:DescribeVpcEndpoints", "Resource": "*"}],
        }))
        scanner = admin_iam.create_access_key(UserName="scanner")["AccessKey"]
        east = build_vpc(admin, "us-east-1", "east", azs=1)
        endpoint_security_group(admin, east, ["10.0.0.0/16"])
        build_vpc(admin, "eu-west-1", "west", azs=1)
    env = {**server.env(), "AWS_ACCESS_KEY_ID": scanner["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": scanner["SecretAccessKey"]}
    del env["AWS_SESSION_TOKEN"]
    result = run_vpclint(["scan", "--region", "us-east-1", "--region", "eu-west-1", "--format", "json"], env=env)
    assert result.returncode == 3, result.stderr
    report = result.json()
    # moto's server fails ListHostedZonesByVPC under IAM enforcement with an empty error, whatever the policy
    # allows (it answers without enforcement): that source is then unread, as AccessDenied would leave it.
    moto_route53 = {e["region"] for e in report["errors"] if e["api"] == "route53:ListHostedZonesByVPC"}
    assert moto_route53 <= {"us-east-1", "eu-west-1"}
    assert {(e["region"], e["api"], e["code"]) for e in report["errors"] if e["api"] != "route53:ListHostedZonesByVPC"} == {
        ("us-east-1", "ec2:DescribeVpcEndpoints", "AccessDenied"), ("eu-west-1", "ec2:DescribeVpcEndpoints", "AccessDenied"),
    }
    assert ("eu-west-1", "ecr-dkr-endpoint-missing") in {(n["region"], n["rule_id"]) for n in report["not_evaluated"]}
    assert ("us-east-1", "ecr-dkr-endpoint-missing") in {(n["region"], n["rule_id"]) for n in report["not_evaluated"]}
    assert all("vpc_endpoints" in n["missing"] for n in report["not_evaluated"])
    assert not any(f["rule_id"] == "ecr-dkr-endpoint-missing" for f in report["findings"])
    assert report["summary"]["complete"] is False
    collected = run_vpclint(["collect", "--region", "us-east-1"], env=env)
    assert collected.returncode == 3
    region = json.loads(collected.stdout)["accounts"][0]["regions"][0]
    assert region["collected"] == sorted(set(SOURCES) - {"vpc_endpoints", "hosted_zones"})
    assert east.vpc_id in {v["vpc_id"] for v in region["vpcs"]}
    assert "could not read 123456789012 us-east-1 ec2:DescribeVpcEndpoints: AccessDenied" in collected.stderr
