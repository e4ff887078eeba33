"""The README's minimal IAM policy lists every action the collector calls, and nothing else: the actions are
taken from a collection in moto that reaches every reader (hub and spoke, zones with records, Resolver rules, a
Route 53 Profile carrying a zone no VPC association lists (the test harness's Profiles responder), a referenced
customer prefix list, identity and region discovery) and from the recorded API of each source
(``SOURCE_APIS``), so a new call can't drift from the documented policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
from moto import mock_aws
from scenarios import build_vpc

from vpclint.collect.region import SOURCE_APIS
from vpclint.collect.scheduler import collect
from vpclint.collect.session import resolve_identity, resolve_regions

README = Path(__file__).resolve().parents[1] / "README.md"
ACCOUNT = "123456789012"


def readme_policy_actions() -> set[str]:
    """The actions of the JSON policy under the README's "Minimal IAM policy" heading."""
    section = README.read_text(encoding="utf-8").split("## Minimal IAM policy", 1)[1]
    block = re.search(r"```json\n(.*?)\n```", section, re.S)
    assert block, "the README's IAM policy section has no JSON block"
    (statement,) = json.loads(block.group(1))["Statement"]
    return set(statement["Action"])


def every_call_of_a_full_collection(profiles) -> set[str]:
    """``service:Operation`` of every call a collection makes of an account with each kind of resource
    (``profiles``: the Route 53 Profiles responder)."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        calls: set[str] = set()
        session.events.register(
            "before-call", lambda model, **_: calls.add(f"{model.service_model.service_name}:{model.name}"))
        hub = build_vpc(session, "us-east-1", "hub", cidr="10.0.0.0/16", azs=2, workloads=False)
        spoke = build_vpc(session, "us-east-1", "spoke", cidr="10.1.0.0/16", azs=2)
        ec2 = session.client("ec2")
        tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=spoke.vpc_id, SubnetIds=spoke.private_subnets)
        pcx = ec2.create_vpc_peering_connection(VpcId=spoke.vpc_id, PeerVpcId=hub.vpc_id)["VpcPeeringConnection"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx["VpcPeeringConnectionId"])
        corp = ec2.create_managed_prefix_list(PrefixListName="corp", MaxEntries=5, AddressFamily="IPv4",
                                              Entries=[{"Cidr": "10.9.0.0/16"}])["PrefixList"]["PrefixListId"]
        group = ec2.create_security_group(GroupName="corp", Description="corp", VpcId=spoke.vpc_id)["GroupId"]
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": corp}]}])
        session.client("route53").create_hosted_zone(
            Name="dkr.ecr.us-east-1.amazonaws.com", CallerReference="dkr", HostedZoneConfig={"PrivateZone": True},
            VPC={"VPCRegion": "us-east-1", "VPCId": spoke.vpc_id})
        elsewhere = build_vpc(session, "eu-west-1", "elsewhere", cidr="10.2.0.0/16", azs=1, workloads=False)
        carried = session.client("route53").create_hosted_zone(
            Name="api.ecr.us-east-1.amazonaws.com", CallerReference="api", HostedZoneConfig={"PrivateZone": True},
            VPC={"VPCRegion": "eu-west-1", "VPCId": elsewhere.vpc_id})["HostedZone"]["Id"].split("/")[-1]
        profiles.associate("rp-hub", spoke.vpc_id)
        profiles.carry("rp-hub", f"arn:aws:route53:::hostedzone/{carried}", "PRIVATE_HOSTED_ZONE")
        calls.clear()  # what the test built is not the collector's
        account, partition = resolve_identity(session)
        regions = resolve_regions(session, partition, [], all_regions=True)
        snapshot = collect(session, ["us-east-1"], account, partition)
    assert "us-east-1" in regions
    region = snapshot.regions[0]
    assert region.errors == []
    assert {"hosted_zones", "transit_gateway_routes", "prefix_lists", "route53_profiles"} <= set(region.collected)
    assert [z.name for z in region.hosted_zones if z.hosted_zone_id == carried and z.records_read] == [
        "api.ecr.us-east-1.amazonaws.com."]
    return calls


def test_every_api_the_collector_calls_is_in_the_readme_policy_and_every_listed_action_is_called(profiles_service):
    policy = readme_policy_actions()
    called = every_call_of_a_full_collection(profiles_service)
    recorded = set(SOURCE_APIS.values())
    assert called - policy == set(), "add these actions to the README's IAM policy"
    assert recorded - policy == set(), "add these sources' actions to the README's IAM policy"
    assert policy - called - recorded == set(), "the README's IAM policy lists actions vpclint never calls"
    assert {"route53:ListHostedZonesByVPC", "route53:ListResourceRecordSets", "route53resolver:ListResolverRules",
            "route53resolver:ListResolverRuleAssociations", "ec2:DescribeTransitGatewayVpcAttachments",
            "ec2:DescribeTransitGatewayRouteTables", "ec2:SearchTransitGatewayRoutes",
            "ec2:DescribeVpcPeeringConnections", "ec2:GetManagedPrefixListEntries", "route53:ListHostedZones",
            "route53profiles:ListProfileAssociations", "route53profiles:ListProfileResourceAssociations"} <= called
