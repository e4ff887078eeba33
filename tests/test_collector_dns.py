"""The DNS collection: private hosted zones associated with the VPCs (moto), their record sets, Resolver rules, which
VPCs are asked, Route 53 pagination and throttling, and denied APIs recorded per source."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import boto3
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from scenarios import build_private_vpc, build_vpc, make_default_vpc_public

from vpclint.collect import route53
from vpclint.collect import session as collect_session
from vpclint.collect.scheduler import collect
from vpclint.snapshot import SOURCES, RegionSnapshot, Snapshot

from vpclint.snapshot_files import dumps, parse

ACCOUNT = "123456789012"
HUB_ENDPOINT = "vpce-0123456789abcdef0-abcdefgh.dkr.ecr.us-east-1.vpce.amazonaws.com"
SHAPES = Path(__file__).parent / "fixtures" / "aws_shapes"


def private_zone(r53, name: str, vpc_id: str, region: str = "us-east-1") -> str:
    """A private hosted zone associated with ``vpc_id``; its id without the ``/hostedzone/`` prefix."""
    zone = r53.create_hosted_zone(Name=name, CallerReference=name, HostedZoneConfig={"PrivateZone": True},
                                  VPC={"VPCRegion": region, "VPCId": vpc_id})
    return zone["HostedZone"]["Id"].split("/")[-1]


def alias(r53, zone_id: str, name: str) -> None:
    """An alias A record for ``name`` to the hub endpoint's DNS name."""
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": name, "Type": "A",
        "AliasTarget": {"HostedZoneId": "Z7HUB9OE1DBRGE", "DNSName": HUB_ENDPOINT, "EvaluateTargetHealth": False}}}]})


def counting(session: boto3.Session) -> list[tuple[str, str]]:
    """Every (service, operation) the session's clients call."""
    calls: list[tuple[str, str]] = []
    session.events.register("before-call", lambda model, **_: calls.append((model.service_model.service_name, model.name)))
    return calls


def test_spoke_zones_records_and_resolver_rules_from_moto(aws_env):
    """A spoke with Landing Zone Accelerator's zones: both are kept with their alias records; an unrelated zone is
    listed but its records are not read; a VPC answered by its own endpoints is not asked; a forwarding rule for
    amazonaws.com is kept with its targets, one for corp.example is not."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        spoke = build_vpc(session, "us-east-1", "spoke", azs=2)
        local = build_private_vpc(session, "us-east-1", "local", cidr="10.2.0.0/16")  # ECR endpoints, private DNS
        r53 = session.client("route53")
        dkr = private_zone(r53, "dkr.ecr.us-east-1.amazonaws.com", spoke.vpc_id)
        alias(r53, dkr, "dkr.ecr.us-east-1.amazonaws.com")
        alias(r53, dkr, "*.dkr.ecr.us-east-1.amazonaws.com")
        api = private_zone(r53, "api.ecr.us-east-1.amazonaws.com", spoke.vpc_id)
        alias(r53, api, "api.ecr.us-east-1.amazonaws.com")
        other = private_zone(r53, "corp.internal", spoke.vpc_id)
        resolver = session.client("route53resolver")
        ec2 = session.client("ec2")
        outbound_sg = ec2.create_security_group(GroupName="dns", Description="dns", VpcId=spoke.vpc_id)["GroupId"]
        endpoint = resolver.create_resolver_endpoint(
            CreatorRequestId="out", Direction="OUTBOUND", SecurityGroupIds=[outbound_sg],
            IpAddresses=[{"SubnetId": s} for s in spoke.private_subnets[:2]])["ResolverEndpoint"]["Id"]
        rules = {}
        for domain in ("amazonaws.com", "corp.example"):  # named: moto's list calls sort by name (None fails)
            rules[domain] = resolver.create_resolver_rule(
                CreatorRequestId=domain, Name=domain.replace(".", "-"), RuleType="FORWARD", DomainName=domain, ResolverEndpointId=endpoint,
                TargetIps=[{"Ip": "192.0.2.10", "Port": 53}])["ResolverRule"]["Id"]
            resolver.associate_resolver_rule(ResolverRuleId=rules[domain], VPCId=spoke.vpc_id, Name=domain.replace(".", "-"))
        calls = counting(session)
        snapshot = collect(session, ["us-east-1"], ACCOUNT, "aws")
    region = snapshot.regions[0]
    assert region.errors == [] and region.notes == []
    assert region.collected == sorted(SOURCES)
    assert spoke.vpc_id in region.hosted_zone_vpc_ids and local.vpc_id not in region.hosted_zone_vpc_ids
    zones = {z.hosted_zone_id: z for z in region.hosted_zones}
    assert sorted(zones) == sorted([dkr, api, other])
    assert (zones[dkr].name, zones[dkr].owner_account, zones[dkr].vpc_ids, zones[dkr].records_read) == (
        "dkr.ecr.us-east-1.amazonaws.com.", ACCOUNT, [spoke.vpc_id], True)
    aliases = [(r.name, r.type, r.alias_dns_name, r.alias_hosted_zone_id) for r in zones[dkr].record_sets if r.alias_dns_name]
    assert aliases == [
        ("*.dkr.ecr.us-east-1.amazonaws.com.", "A", HUB_ENDPOINT, "Z7HUB9OE1DBRGE"),
        ("dkr.ecr.us-east-1.amazonaws.com.", "A", HUB_ENDPOINT, "Z7HUB9OE1DBRGE"),
    ]
    assert {r.type for r in zones[api].record_sets} >= {"A", "NS", "SOA"}
    assert (zones[other].records_read, zones[other].record_sets) == (False, [])
    assert [(r.resolver_rule_id, r.domain_name.rstrip("."), r.rule_type, r.vpc_ids, r.resolver_endpoint_id) for r in region.resolver_rules] == [
        (rules["amazonaws.com"], "amazonaws.com", "FORWARD", [spoke.vpc_id], endpoint)]
    assert [(t.ip, t.port) for t in region.resolver_rules[0].target_ips] == [("192.0.2.10", 53)]
    r53_calls = [name for service, name in calls if service == "route53"]
    # One zone listing per asked VPC: the spoke and moto's default VPC (no route to its internet gateway).
    assert region.hosted_zone_vpc_ids == sorted(route53.private_subnet_vpcs(region) - {local.vpc_id})
    assert r53_calls.count("ListHostedZonesByVPC") == len(region.hosted_zone_vpc_ids) == 2
    assert r53_calls.count("ListResourceRecordSets") == 2
    assert [name for service, name in calls if service == "route53resolver"] == ["ListResolverRules", "ListResolverRuleAssociations"]
    assert parse(dumps(snapshot), "x") == snapshot


def test_a_public_only_vpc_and_one_answered_locally_are_not_asked(aws_env):
    """No private subnet (the default VPC made public), or ECR API and registry endpoints with private DNS in the
    VPC: no Route 53 call, and the source is still collected."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        make_default_vpc_public(session, "us-east-1")
        build_private_vpc(session, "us-east-1", "local")
        calls = counting(session)
        snapshot = collect(session, ["us-east-1"], ACCOUNT, "aws")
    region = snapshot.regions[0]
    assert len(region.vpcs) == 2 and region.hosted_zone_vpc_ids == []
    assert [c for c in calls if c[0] == "route53"] == []
    assert "hosted_zones" in region.collected and region.errors == []


def test_names_related_to_the_services():
    """Parents (up to the root), the service names themselves and names below them relate; others don't."""
    names = route53.service_names("eu-west-1", "aws")
    for related in (".", "com.", "amazonaws.com.", "eu-west-1.amazonaws.com", "ecr.eu-west-1.amazonaws.com",
                    "dkr.ecr.eu-west-1.amazonaws.com.", "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
                    "S3.eu-west-1.amazonaws.com", "prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com"):
        assert route53.relates(related, names), related
    for unrelated in ("corp.example.", "dkr.ecr.us-east-1.amazonaws.com", "logs.eu-west-1.amazonaws.com", "example.com."):
        assert not route53.relates(unrelated, names), unrelated
    assert route53.service_names("cn-north-1", "aws-cn")[0] == "api.ecr.cn-north-1.amazonaws.com.cn"


class FakeRoute53:
    """Answers Route 53 and Resolver calls from canned pages (in order, the last one repeated) and records them;
    ``errors`` maps an operation to the code it fails with, ``denied_zone`` is a zone whose records are denied."""

    def __init__(self, answers: dict[str, list[dict]], errors: dict[str, str] | None = None, denied_zone: str = "") -> None:
        self.answers, self.errors, self.denied_zone = answers, errors or {}, denied_zone
        self.calls: list[str] = []

    def __call__(self, model, params, **_):
        self.calls.append(model.name)
        denied = self.denied_zone and model.name == "ListResourceRecordSets" and self.denied_zone in params["url_path"]
        if model.name in self.errors or denied:
            code = self.errors.get(model.name, "AccessDenied")
            return AWSResponse("https://fake", 403, {}, None), {"Error": {"Code": code, "Message": f"{code} on {model.name}"}}
        pages = self.answers.get(model.name, [{}])
        return AWSResponse("https://fake", 200, {}, None), pages[min(self.calls.count(model.name) - 1, len(pages) - 1)]


def region_with_private_vpc() -> RegionSnapshot:
    """A region whose one VPC has a private subnet and no endpoints."""
    return RegionSnapshot.model_validate({
        "region": "us-east-1", "collected": ["route_tables", "subnets", "vpc_endpoints", "vpcs"],
        "vpcs": [{"vpc_id": "vpc-1"}], "subnets": [{"subnet_id": "subnet-1", "vpc_id": "vpc-1", "availability_zone": "us-east-1a"}],
        "route_tables": [{"route_table_id": "rtb-1", "vpc_id": "vpc-1", "associations": [{"main": True}]}],
    })


def dns_reader(session: boto3.Session, account: str = ACCOUNT) -> route53.DnsReader:
    return route53.DnsReader(session, ["us-east-1"], "aws", account)


def read_with(fake: FakeRoute53, region: RegionSnapshot) -> RegionSnapshot:
    """``region``'s DNS read through real boto3 clients whose calls ``fake`` answers."""
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    session.events.register("before-call.route53", fake)
    session.events.register("before-call.route53resolver", fake)
    dns_reader(session).read(region)
    return region


def shape(name: str) -> dict:
    """The response of one recorded shape (tests/fixtures/aws_shapes)."""
    document = json.loads((SHAPES / f"{name}.json").read_text())
    assert document["_source"]
    return document["response"]


def test_zone_pages_and_record_pages_are_followed_and_another_accounts_zone_is_noted():
    """ListHostedZonesByVPC follows NextToken; ListResourceRecordSets follows NextRecordName/Type; a zone of another
    account whose records are denied is kept with records_read False and a note, not an error."""
    records = shape("list_resource_record_sets")["ResourceRecordSets"]
    fake = FakeRoute53({
        "ListHostedZonesByVPC": [
            {"HostedZoneSummaries": [{"HostedZoneId": "Z1LZA", "Name": "dkr.ecr.us-east-1.amazonaws.com.",
                                      "Owner": {"OwningAccount": ACCOUNT}}], "MaxItems": "1", "NextToken": "t1"},
            {"HostedZoneSummaries": [{"HostedZoneId": "Z2HUB", "Name": "api.ecr.us-east-1.amazonaws.com.",
                                      "Owner": {"OwningAccount": "444455556666"}},
                                     {"HostedZoneId": "Z3EFS", "Name": "efs.internal.", "Owner": {"OwningService": "efs.amazonaws.com"}}],
             "MaxItems": "2"},
        ],
        "ListResourceRecordSets": [
            {"ResourceRecordSets": records[:2], "IsTruncated": True, "MaxItems": "2",
             "NextRecordName": records[2]["Name"], "NextRecordType": records[2]["Type"]},
            {"ResourceRecordSets": records[2:], "IsTruncated": False, "MaxItems": "2"},
        ],
    }, denied_zone="Z2HUB")
    region = read_with(fake, region_with_private_vpc())
    assert region.errors == [] and "hosted_zones" in region.collected
    zones = {z.hosted_zone_id: z for z in region.hosted_zones}
    assert sorted(zones) == ["Z1LZA", "Z2HUB", "Z3EFS"]
    assert fake.calls.count("ListHostedZonesByVPC") == 2 and fake.calls.count("ListResourceRecordSets") == 3
    assert zones["Z1LZA"].records_read and len(zones["Z1LZA"].record_sets) == len(records)
    assert (zones["Z2HUB"].records_read, zones["Z2HUB"].owner_account, zones["Z2HUB"].vpc_ids) == (False, "444455556666", ["vpc-1"])
    assert (zones["Z3EFS"].owner_service, zones["Z3EFS"].records_read) == ("efs.amazonaws.com", False)
    assert [(n.api, n.item_id) for n in region.notes] == [("route53:ListResourceRecordSets", "Z2HUB")]
    assert "444455556666" in region.notes[0].message


def test_zone_and_record_pages_that_go_round_in_a_loop_cost_their_source_not_a_hang():
    """A NextToken, or a next record, answered again (or a truncated record page naming no next record) is a
    PaginationLoop error of that source after a few calls, never a collection that pages forever."""
    zone = {"HostedZoneId": "Z1LZA", "Name": "dkr.ecr.us-east-1.amazonaws.com.", "Owner": {"OwningAccount": ACCOUNT}}
    looping_zones = FakeRoute53({"ListHostedZonesByVPC": [{"HostedZoneSummaries": [zone], "NextToken": "t1"},
                                                          {"HostedZoneSummaries": [zone], "NextToken": "t2"}]})
    region = read_with(looping_zones, region_with_private_vpc())
    assert [(e.api, e.code) for e in region.errors] == [("route53:ListHostedZonesByVPC", "PaginationLoop")]
    assert "hosted_zones" not in region.collected and looping_zones.calls.count("ListHostedZonesByVPC") == 3
    records = shape("list_resource_record_sets")["ResourceRecordSets"]
    for truncated in ({"NextRecordName": records[0]["Name"], "NextRecordType": records[0]["Type"]}, {}):
        looping_records = FakeRoute53({"ListHostedZonesByVPC": [{"HostedZoneSummaries": [zone]}],
                                       "ListResourceRecordSets": [{"ResourceRecordSets": records, "IsTruncated": True, **truncated}]})
        region = read_with(looping_records, region_with_private_vpc())
        assert [(e.api, e.code) for e in region.errors] == [("route53:ListResourceRecordSets", "PaginationLoop")], truncated
        assert looping_records.calls.count("ListResourceRecordSets") == (2 if truncated else 1)
        assert "hosted_zones" not in region.collected


def test_more_pages_than_the_limit_is_a_fault_of_its_own(monkeypatch):
    """Ever new tokens past MAX_PAGES pages stop the listing too (as TooManyPages)."""
    monkeypatch.setattr(route53, "MAX_PAGES", 3)
    seen: set = set()
    for mark in ("a", "b", "c"):
        route53.next_page(seen, mark, "ListHostedZonesByVPC")
    with pytest.raises(route53.CollectionFault) as fault:
        route53.next_page(seen, "d", "ListHostedZonesByVPC")
    assert (fault.value.code, str(fault.value)) == ("TooManyPages", "ListHostedZonesByVPC: more than 3 pages")
    with pytest.raises(route53.CollectionFault) as fault:
        route53.next_page(seen, "b", "ListResourceRecordSets")
    assert fault.value.code == "PaginationLoop" and "ListResourceRecordSets" in str(fault.value)


def test_route53_is_one_adaptive_client_with_bounded_concurrency(aws_env, monkeypatch):
    """One Route 53 client for every region, adaptive retries, at most ROUTE53_WORKERS calls at once; throttled
    calls are retried until they succeed and no zone is lost."""
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=lambda _: None, time=time.time))
    with mock_aws():
        session = boto3.Session(region_name="eu-west-1")
        vpc = session.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        r53 = session.client("route53")
        zone = private_zone(r53, "amazonaws.com", vpc, "eu-west-1")
        reader = dns_reader(session)
        throttled = [2]

        def throttle(request, **_):
            if throttled[0]:
                throttled[0] -= 1
                body = b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"
                return AWSResponse(request.url, 400, {}, SimpleNamespace(stream=lambda **_: iter([body])))
            return None

        reader.route53.meta.events.register_first("before-send", throttle)
        region = RegionSnapshot.model_validate({"region": "eu-west-1", "collected": ["vpcs"], "vpcs": [{"vpc_id": vpc}]})
        reader.resolvers["eu-west-1"] = session.client("route53resolver", region_name="eu-west-1")
        reader.profiles["eu-west-1"] = session.client("route53profiles", region_name="eu-west-1")
        reader.read(region)
    assert reader.route53.meta.config.retries == {"mode": "adaptive", "total_max_attempts": collect_session.MAX_ATTEMPTS}
    assert reader.route53.meta.endpoint_url == "https://route53.amazonaws.com" and reader.gate._value == route53.ROUTE53_WORKERS == 2
    assert throttled == [0]
    assert [z.hosted_zone_id for z in region.hosted_zones] == [zone] and region.hosted_zones[0].records_read
    assert region.errors == [] and {"hosted_zones", "resolver_rules", "route53_profiles"} <= set(region.collected)


def test_access_denied_costs_only_its_source():
    """A denied Resolver API leaves only resolver_rules out; the zones are still read."""
    zones = {"ListHostedZonesByVPC": [{"HostedZoneSummaries": [{"HostedZoneId": "Z9", "Name": "corp.internal.",
                                                                "Owner": {"OwningAccount": ACCOUNT}}]}]}
    fake = FakeRoute53(zones, errors={"ListResolverRules": "AccessDeniedException"})
    region = read_with(fake, region_with_private_vpc())
    assert [z.hosted_zone_id for z in region.hosted_zones] == ["Z9"]
    assert "hosted_zones" in region.collected and "resolver_rules" not in region.collected
    assert [(e.api, e.code) for e in region.errors] == [("route53resolver:ListResolverRules", "AccessDeniedException")]


def test_denied_route53_is_unknown_not_public():
    """AccessDenied on ListHostedZonesByVPC: hosted_zones is not collected, the VPC is not listed as asked."""
    fake = FakeRoute53({}, errors={"ListHostedZonesByVPC": "AccessDenied"})
    region = read_with(fake, region_with_private_vpc())
    assert "hosted_zones" not in region.collected and "resolver_rules" in region.collected
    assert region.hosted_zone_vpc_ids == [] and region.hosted_zones == []
    assert [(e.api, e.code) for e in region.errors] == [("route53:ListHostedZonesByVPC", "AccessDenied")]


def test_resolver_rules_from_the_aws_cli_shape():
    """The aws-cli example: the built-in RECURSIVE rule is left out; a FORWARD rule is kept only when its domain
    relates to the service names and it is associated with a VPC of the region."""
    listed = shape("list_resolver_rules")
    associations = shape("list_resolver_rule_associations")
    forward = dict(listed["ResolverRules"][1], DomainName="amazonaws.com.")
    fake = FakeRoute53({"ListResolverRules": [{"ResolverRules": [listed["ResolverRules"][0], forward]}],
                        "ListResolverRuleAssociations": [associations]})
    region = RegionSnapshot.model_validate({"region": "us-east-1", "collected": ["vpcs"], "vpcs": [{"vpc_id": "vpc-304bexam"}]})
    read_with(fake, region)
    assert [(r.resolver_rule_id, r.rule_type, r.owner_id, r.share_status, r.vpc_ids) for r in region.resolver_rules] == [
        ("rslvr-rr-42b60677c0example", "FORWARD", "111122223333", "NOT_SHARED", ["vpc-304bexam"])]
    assert [(t.ip, t.port) for t in region.resolver_rules[0].target_ips] == [("192.0.2.45", 53)]
    unrelated = FakeRoute53({"ListResolverRules": [listed], "ListResolverRuleAssociations": [associations]})
    region = RegionSnapshot.model_validate({"region": "us-east-1", "collected": ["vpcs"], "vpcs": [{"vpc_id": "vpc-304bexam"}]})
    assert read_with(unrelated, region).resolver_rules == []


def test_a_snapshot_without_the_new_collections_loads():
    """An older version 2 snapshot has none of the DNS or hub collections: it loads, and they are not collected."""
    old = {"schema_version": 2, "account_id": ACCOUNT, "regions": [{"region": "us-east-1", "collected": ["vpcs"], "vpcs": []}]}
    snapshot = parse(json.dumps(old), "old.json")
    region = snapshot.regions[0]
    assert (region.hosted_zones, region.resolver_rules, region.vpc_peering_connections) == ([], [], [])
    assert "hosted_zones" not in region.collected
    assert isinstance(snapshot, Snapshot)
