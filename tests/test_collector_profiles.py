"""The Route 53 Profiles collection (vpclint.collect.profiles, vpclint.collect.route53) with real boto3 clients:
``route53profiles`` answered by the test harness's responder over HTTP on 127.0.0.1 (moto lacks the service; the
shapes are the AWS CLI examples' -- aws-cli awscli/examples/route53profiles/list-profile-associations.rst and
list-profile-resource-associations.rst -- on botocore's ``route53profiles`` model), Route 53 and Resolver by canned
pages (test_collector_dns.FakeRoute53; ``ListHostedZones`` as the Route 53 API reference shows it)."""

from __future__ import annotations

import boto3
import pytest

from test_collector_dns import ACCOUNT, FakeRoute53, read_with, region_with_private_vpc
from vpclint.collect import route53
from vpclint.collect.profiles import arn_kind
from vpclint.snapshot import RegionSnapshot

HUB = "111122223333"
FIREWALL = "arn:aws:route53resolver:us-east-1:123456789012:firewall-rule-group/rslvr-frg-cfe7f72example"
"""The CLI example's resource."""
RECORDS = {"ResourceRecordSets": [
    {"Name": "api.ecr.us-east-1.amazonaws.com.", "Type": "A",
     "AliasTarget": {"HostedZoneId": "Z7HUDN3WXMJB8", "DNSName": "vpce-0abc-1.api.ecr.us-east-1.vpce.amazonaws.com.",
                     "EvaluateTargetHealth": False}}], "IsTruncated": False, "MaxItems": "300"}
OWN_ZONES = {"HostedZones": [{"Id": "/hostedzone/Z0OWN", "Name": "api.ecr.us-east-1.amazonaws.com.", "CallerReference": "api",
                              "Config": {"PrivateZone": True}, "ResourceRecordSetCount": 3}],
             "IsTruncated": False, "MaxItems": "100"}
RULES = {"ResolverRules": [
    {"Id": "rslvr-rr-corp", "DomainName": "corp.example.", "RuleType": "FORWARD", "OwnerId": HUB, "ShareStatus": "SHARED_WITH_ME",
     "TargetIps": [{"Ip": "10.9.0.2", "Port": 53}]},
    {"Id": "rslvr-rr-other", "DomainName": "other.example.", "RuleType": "FORWARD", "OwnerId": ACCOUNT}]}


def hub_profile(profiles) -> None:
    """rp-hub (another account's, shared) associated with vpc-1 and with a VPC of another region, carrying two zones
    (this account's and the hub's), a Resolver rule, the CLI example's DNS Firewall rule group and an endpoint."""
    profiles.associate("rp-hub", "vpc-1")
    profiles.associate("rp-hub", "vpc-elsewhere")
    for arn, kind in (("arn:aws:route53:::hostedzone/Z0OWN", "PRIVATE_HOSTED_ZONE"),
                      ("arn:aws:route53:::hostedzone/Z0HUB", "PRIVATE_HOSTED_ZONE"),
                      (f"arn:aws:route53resolver:us-east-1:{HUB}:resolver-rule/rslvr-rr-corp", "RESOLVER_RULE"),
                      (FIREWALL, "FIREWALL_RULE_GROUP"),
                      (f"arn:aws:ec2:us-east-1:{HUB}:vpc-endpoint/vpce-0abc", "INTERFACE_VPC_ENDPOINT")):
        profiles.carry("rp-hub", arn, kind, owner=HUB)


def fake_dns(**errors: str) -> FakeRoute53:
    return FakeRoute53({"ListHostedZonesByVPC": [{"HostedZoneSummaries": []}], "ListHostedZones": [OWN_ZONES],
                        "ListResourceRecordSets": [RECORDS], "ListResolverRules": [RULES],
                        "ListResolverRuleAssociations": [{"ResolverRuleAssociations": []}]}, errors=errors)


def test_the_profile_of_a_vpc_and_what_it_carries_are_read_page_by_page(profiles_service):
    profiles_service.page_size = 1
    hub_profile(profiles_service)
    fake = fake_dns()
    region = read_with(fake, region_with_private_vpc())
    (profile,) = region.route53_profiles
    assert (profile.profile_id, profile.owner_id, profile.resources_read) == ("rp-hub", HUB, True)
    assert [(a.vpc_id, a.status, a.owner_id) for a in profile.vpc_associations] == [("vpc-1", "COMPLETE", ACCOUNT)]
    assert [(r.kind, r.resource_id, r.resource_type) for r in profile.resources] == [
        ("firewall_rule_group", "rslvr-frg-cfe7f72example", "FIREWALL_RULE_GROUP"),
        ("hosted_zone", "Z0HUB", "PRIVATE_HOSTED_ZONE"), ("hosted_zone", "Z0OWN", "PRIVATE_HOSTED_ZONE"),
        ("resolver_rule", "rslvr-rr-corp", "RESOLVER_RULE"), ("vpc_endpoint", "vpce-0abc", "INTERFACE_VPC_ENDPOINT")]
    # Two associations and five resources, one a page: every page followed.
    assert (profiles_service.calls["ListProfileAssociations"], profiles_service.calls["ListProfileResourceAssociations"]) == (2, 5)
    # This account's carried zone is named from ListHostedZones and its records read; the hub's is noted.
    assert [(z.hosted_zone_id, z.name, z.vpc_ids, z.records_read, z.owner_account) for z in region.hosted_zones] == [
        ("Z0OWN", "api.ecr.us-east-1.amazonaws.com.", [], True, ACCOUNT)]
    assert [(n.api, n.item_id) for n in region.notes] == [("route53:ListHostedZones", "Z0HUB")]
    # Every rule the Profile carries is kept, whatever its domain; a rule it does not carry only when associated.
    assert [(r.resolver_rule_id, r.vpc_ids) for r in region.resolver_rules] == [("rslvr-rr-corp", [])]
    assert {"hosted_zones", "resolver_rules", "route53_profiles"} <= set(region.collected) and region.errors == []
    assert fake.calls.count("ListHostedZones") == 1


def test_a_denied_association_listing_is_an_error_of_its_source_and_the_zones_are_still_read(profiles_service):
    hub_profile(profiles_service)
    profiles_service.denied = {"ListProfileAssociations"}
    fake = fake_dns()
    region = read_with(fake, region_with_private_vpc())
    assert [(e.api, e.code) for e in region.errors] == [("route53profiles:ListProfileAssociations", "AccessDeniedException")]
    assert "route53_profiles" not in region.collected and {"hosted_zones", "resolver_rules"} <= set(region.collected)
    assert region.route53_profiles == [] and "ListHostedZones" not in fake.calls  # nothing asks for zone names


def test_a_profile_whose_resources_are_denied_is_kept_unread(profiles_service):
    hub_profile(profiles_service)
    profiles_service.denied = {"ListProfileResourceAssociations"}
    region = read_with(fake_dns(), region_with_private_vpc())
    assert [(p.profile_id, p.resources_read, p.resources) for p in region.route53_profiles] == [("rp-hub", False, [])]
    assert [e.api for e in region.errors] == ["route53profiles:ListProfileResourceAssociations"]
    assert "route53_profiles" not in region.collected


def test_zone_names_are_listed_once_per_collection_and_a_denied_listing_leaves_the_zone_out(profiles_service):
    profiles_service.associate("rp-own", "vpc-1")
    profiles_service.carry("rp-own", "arn:aws:route53:::hostedzone/Z0OWN", "PRIVATE_HOSTED_ZONE")
    fake = fake_dns()
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    session.events.register("before-call.route53", fake)
    session.events.register("before-call.route53resolver", fake)
    reader = route53.DnsReader(session, ["us-east-1", "eu-west-1"], "aws", ACCOUNT)
    regions = [region_with_private_vpc(), RegionSnapshot.model_validate({**region_with_private_vpc().model_dump(), "region": "eu-west-1"})]
    for region in regions:
        reader.read(region)
    assert fake.calls.count("ListHostedZones") == 1
    assert [[z.hosted_zone_id for z in r.hosted_zones] for r in regions] == [["Z0OWN"], ["Z0OWN"]]
    denied = read_with(fake_dns(ListHostedZones="AccessDenied"), region_with_private_vpc())
    assert (denied.hosted_zones, [(e.api, e.code) for e in denied.errors]) == ([], [("route53:ListHostedZones", "AccessDenied")])
    looping = fake_dns()
    looping.answers["ListHostedZones"] = [{**OWN_ZONES, "IsTruncated": True, "NextMarker": "Z0NEXT"}]
    stuck = read_with(looping, region_with_private_vpc())
    assert [(e.api, e.code) for e in stuck.errors] == [("route53:ListHostedZones", "PaginationLoop")]
    assert looping.calls.count("ListHostedZones") == 2
    unmarked = fake_dns()  # a truncated page naming no next page: the rest can't be read, so the listing is not whole
    unmarked.answers["ListHostedZones"] = [{**OWN_ZONES, "IsTruncated": True}]
    cut = read_with(unmarked, region_with_private_vpc())
    assert [(e.api, e.code, e.message) for e in cut.errors] == [
        ("route53:ListHostedZones", "PaginationLoop", "ListHostedZones was truncated without naming the next marker")]
    assert (cut.hosted_zones, unmarked.calls.count("ListHostedZones")) == ([], 1)


def test_a_region_without_vpcs_asks_nothing_and_counts_profiles_as_read(profiles_service):
    region = RegionSnapshot.model_validate({"region": "us-east-1", "collected": ["vpcs"]})
    read_with(fake_dns(), region)
    assert "route53_profiles" in region.collected and sum(profiles_service.calls.values()) == 0


@pytest.mark.parametrize("arn, expected", [
    ("arn:aws:route53:::hostedzone/Z0123", ("hosted_zone", "Z0123")),
    ("arn:aws:route53resolver:us-east-1:111122223333:resolver-rule/rslvr-rr-1", ("resolver_rule", "rslvr-rr-1")),
    (FIREWALL, ("firewall_rule_group", "rslvr-frg-cfe7f72example")),
    ("arn:aws:route53resolver:us-east-1:111122223333:resolver-query-log-config/rslvr-rqlc-1", ("query_log_config", "rslvr-rqlc-1")),
    ("arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0abc", ("vpc_endpoint", "vpce-0abc")),
    ("arn:aws:route53:::newthing/x1", ("other", "x1")),
    ("not an arn", ("other", None)),
])
def test_a_resource_is_known_by_its_arn(arn, expected):
    assert arn_kind(arn) == expected
