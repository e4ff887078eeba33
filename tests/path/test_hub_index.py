"""The region's DNS and hub data as the path model looks it up (vpclint.path.hubindex): DNS names compared as
Route 53 compares them, which sources count as read, and the lookups by VPC, name, address and gateway."""

from __future__ import annotations

import copy

import pytest

from hubworld import hub_and_spoke, region_of
from vpclint.path.hubindex import _arn_account, build_hub_index, dns_name
from vpclint.snapshot import RegionSnapshot


@pytest.mark.parametrize("name, compared", [
    ("  Api.ECR.us-east-1.amazonaws.com.  ", "api.ecr.us-east-1.amazonaws.com"),
    ("\\052.dkr.ecr.us-east-1.amazonaws.com", "*.dkr.ecr.us-east-1.amazonaws.com"),
    ("a\\052", "a*"),  # an escape at the very end
    ("\\0521", "*1"),  # three digits only
    ("a\\05", "a\\05"),  # too short to be an escape
    ("ns-1234.awsdns-01.org", "ns-1234.awsdns-01.org"),  # digits without a backslash
    ("a\\x52b", "a\\x52b"),  # not digits
    ("\\\\052", "\\*"),  # an escaped backslash's second one starts the escape
    ("example.com..", "example.com"),
    (".example.com", ".example.com"),
])
def test_dns_names_compare_in_lower_case_with_escapes_decoded_and_no_trailing_dot(name, compared):
    assert dns_name(name) == compared


def hub_region(**changes) -> RegionSnapshot:
    region = copy.deepcopy(region_of(hub_and_spoke()))
    region.update(changes)
    return RegionSnapshot.model_validate(region)


@pytest.mark.parametrize("collected, api, failed", [
    (False, "route53:ListHostedZonesByVPC", True),  # asked for and failed: the zones are unknown
    (False, None, False),  # never asked (an older snapshot): no zones
    (False, "ec2:DescribeVpcs", False),  # another API's error says nothing about zones
    (True, "route53:ListHostedZonesByVPC", False),  # read (the error was for another VPC, recorded per VPC)
])
def test_zones_count_as_unread_only_when_their_api_failed(collected, api, failed):
    region = region_of(hub_and_spoke())
    sources = [s for s in region["collected"] if s not in ("hosted_zones", "resolver_rules")]
    errors = [{"region": "us-east-1", "api": api, "code": "AccessDenied", "message": "no"}] if api else []
    if collected:
        sources += ["hosted_zones"]
    hub = build_hub_index(hub_region(collected=sources, errors=errors, hosted_zone_vpc_ids=["vpc-app"]))
    assert hub.zones_failed is failed
    assert hub.zones_unread("vpc-spoke") is failed and hub.zones_unread("vpc-app") is False  # vpc-app's were read
    assert hub.rules_failed is False


@pytest.mark.parametrize("api", ["route53resolver:ListResolverRules", "route53resolver:ListResolverRuleAssociations"])
def test_resolver_rules_count_as_unread_when_either_api_failed(api):
    region = region_of(hub_and_spoke())
    sources = [s for s in region["collected"] if s != "resolver_rules"]
    hub = build_hub_index(hub_region(collected=sources, errors=[{"region": "us-east-1", "api": api, "code": "x", "message": "m"}]))
    assert (hub.rules_failed, hub.zones_failed) == (True, False)
    read = build_hub_index(hub_region(errors=[{"region": "us-east-1", "api": api, "code": "x", "message": "m"}]))
    assert read.rules_failed is False  # collected: the error was for part of them


@pytest.mark.parametrize("source, read", [("transit_gateway_attachments", "attachments_read"),
                                          ("transit_gateway_routes", "tgw_routes_read"),
                                          ("vpc_peering_connections", "peerings_read")])
def test_the_ways_to_a_hub_count_only_when_collected(source, read):
    region = region_of(hub_and_spoke())
    assert getattr(build_hub_index(hub_region()), read) is True
    assert getattr(build_hub_index(hub_region(collected=[s for s in region["collected"] if s != source])), read) is False


def test_zones_rules_names_addresses_and_gateway_tables_are_found_by_what_looks_them_up():
    region = copy.deepcopy(region_of(hub_and_spoke()))
    region["resolver_rules"] = [{"resolver_rule_id": "rslvr-rr-1", "domain_name": "example.com", "rule_type": "FORWARD",
                                 "vpc_ids": ["vpc-spoke", "vpc-app"]}]
    region["transit_gateway_attachments"].append({**region["transit_gateway_attachments"][0],
                                                  "transit_gateway_attachment_id": "tgw-attach-0", "transit_gateway_id": "tgw-2"})
    region["transit_gateway_route_tables"].append({"transit_gateway_route_table_id": "tgw-rtb-x", "routes": []})
    hub = build_hub_index(RegionSnapshot.model_validate(region))
    assert {v: [z.hosted_zone_id for z in zones] for v, zones in hub.zones_by_vpc.items()} == {
        "vpc-app": ["Z0DKR", "Z0API"], "vpc-spoke": ["Z0DKR", "Z0API"]}
    assert {v: [r.resolver_rule_id for r in rules] for v, rules in hub.rules_by_vpc.items()} == {
        "vpc-app": ["rslvr-rr-1"], "vpc-spoke": ["rslvr-rr-1"]}
    assert hub.endpoints_by_name["vpce-dkr-abc.dkr.ecr.us-east-1.vpce.amazonaws.com"].vpc_endpoint_id == "vpce-dkr"
    assert {t: [r.transit_gateway_route_table_id for r in tables] for t, tables in hub.tgw_tables.items()} == {
        "tgw-1": ["tgw-rtb-1"], "": ["tgw-rtb-x"]}
    assert [a.transit_gateway_attachment_id for a in hub.attachments] == ["tgw-attach-0", "tgw-attach-hub", "tgw-attach-spoke"]
    assert [a.transit_gateway_attachment_id for a in hub.vpc_attachments("vpc-app")] == ["tgw-attach-0", "tgw-attach-hub"]
    assert [a.transit_gateway_attachment_id for a in hub.vpc_attachments("vpc-app", "tgw-1")] == ["tgw-attach-hub"]
    assert hub.vpc_attachments("vpc-spoke", "tgw-2") == []
    interfaces = {i["network_interface_id"]: i for i in region["network_interfaces"]}
    dkr = next(e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-dkr")
    addresses = {a for i in dkr["network_interface_ids"] for a in interfaces[i]["private_ips"]}
    assert addresses and {a for a, e in hub.endpoints_by_address.items() if e.vpc_endpoint_id == "vpce-dkr"} == addresses
    assert "10.1.1.10" not in hub.endpoints_by_address  # a workload's interface is no endpoint's


PROFILE_API = "route53profiles:ListProfileAssociations"


@pytest.mark.parametrize("collected, api, failed", [
    (False, PROFILE_API, True),  # asked for and failed: what a Profile carries is unknown
    (False, None, False),  # never asked (an older snapshot): no Profiles
    (False, "route53:ListHostedZonesByVPC", False),  # another API's error says nothing about Profiles
    (True, PROFILE_API, False),  # read
])
def test_profiles_count_as_unread_only_when_their_api_failed(collected, api, failed):
    region = region_of(hub_and_spoke())
    errors = [{"region": "us-east-1", "api": api, "code": "AccessDenied", "message": "no"}] if api else []
    sources = region["collected"] + (["route53_profiles"] if collected else [])
    hub = build_hub_index(hub_region(collected=sources, errors=errors))
    assert hub.profiles_failed is failed
    assert hub.zones_failed is (api == "route53:ListHostedZonesByVPC" and "hosted_zones" not in sources)


def zone(zone_id: str, name: str, vpc_ids: list[str]) -> dict:
    return {"hosted_zone_id": zone_id, "name": name, "vpc_ids": vpc_ids}


def rule(rule_id: str, domain: str, vpc_ids: list[str]) -> dict:
    return {"resolver_rule_id": rule_id, "domain_name": domain, "rule_type": "FORWARD",
            "target_ips": [{"ip": "10.9.9.9", "port": 53}], "vpc_ids": vpc_ids}


def resource(kind: str, resource_id: str, **extra) -> dict:
    arns = {"hosted_zone": f"arn:aws:route53:::hostedzone/{resource_id}",
            "resolver_rule": f"arn:aws:route53resolver:us-east-1:111122223333:resolver-rule/{resource_id}"}
    return {"resource_arn": arns[kind], "kind": kind, "resource_id": resource_id, "status": "COMPLETE", **extra}


def profiled(associations: list[dict], resources: list[dict]) -> RegionSnapshot:
    """hubworld's region with its own zones and rules replaced: vpc-app has zone Z0OWN (example.com) and rule
    rslvr-rr-own (corp.example); Profile rp-hub, associated as told, carries ``resources``."""
    region = region_of(hub_and_spoke())
    return hub_region(
        collected=region["collected"] + ["route53_profiles"],
        hosted_zones=[zone("Z0OWN", "example.com.", ["vpc-app"]), zone("Z0SAME", "Example.COM", []),
                      zone("Z0MORE", "api.example.com", [])],
        resolver_rules=[rule("rslvr-rr-own", "corp.example.", ["vpc-app"]), rule("rslvr-rr-same", "CORP.example", []),
                        rule("rslvr-rr-other", "other.example", [])],
        route53_profiles=[{"profile_id": "rp-hub", "owner_id": "111122223333", "resources_read": True,
                           "vpc_associations": associations, "resources": resources}])


def test_a_profile_adds_its_zones_and_rules_for_domains_the_vpcs_own_do_not_have():
    carried = [resource("hosted_zone", "Z0SAME"), resource("hosted_zone", "Z0MORE"),
               resource("resolver_rule", "rslvr-rr-same"), resource("resolver_rule", "rslvr-rr-other")]
    hub = build_hub_index(profiled([{"vpc_id": "vpc-app", "status": "COMPLETE"}], carried))
    # the VPC's own zone and rule win for their domains (compared as DNS names); the Profile's others are added
    assert [z.hosted_zone_id for z in hub.zones_by_vpc["vpc-app"]] == ["Z0OWN", "Z0MORE"]
    assert [r.resolver_rule_id for r in hub.rules_by_vpc["vpc-app"]] == ["rslvr-rr-own", "rslvr-rr-other"]
    assert hub.carried_zone_ids == {"vpc-app": frozenset({"Z0MORE"})}
    assert hub.zone_vpc_ids == {"Z0OWN": ["vpc-app"], "Z0MORE": ["vpc-app"]}
    assert hub.doubts == {}


def test_a_profile_carrying_only_rules_to_a_vpc_without_zones_leaves_it_without_zones():
    hub = build_hub_index(profiled([{"vpc_id": "vpc-spoke", "status": "UPDATING"}],
                                   [resource("resolver_rule", "rslvr-rr-other")]))
    assert hub.zones_by_vpc["vpc-spoke"] == [] and hub.carried_zone_ids == {"vpc-spoke": frozenset()}
    assert [r.resolver_rule_id for r in hub.rules_by_vpc["vpc-spoke"]] == ["rslvr-rr-other"]


def test_an_association_without_a_status_is_in_effect_and_a_deleted_one_carries_nothing():
    associations = [{"vpc_id": "vpc-gone", "status": "deleted"}, {"vpc_id": "vpc-spoke"},
                    {"vpc_id": "vpc-failed", "status": "FAILED"}, {"vpc_id": "vpc-new", "status": "creating"}]
    hub = build_hub_index(profiled(associations, [resource("hosted_zone", "Z0MORE", status=None)]))
    assert [z.hosted_zone_id for z in hub.zones_by_vpc["vpc-spoke"]] == ["Z0MORE"]
    assert "vpc-gone" not in hub.zones_by_vpc and "vpc-failed" not in hub.zones_by_vpc
    assert {v: [d.reason for d in doubts] for v, doubts in hub.doubts.items()} == {
        "vpc-new": ["its association with Route 53 Profile rp-hub is CREATING"]}


@pytest.mark.parametrize("arn, account", [
    ("arn:aws:route53resolver:us-east-1:999988887777:resolver-rule/rslvr-rr-1", "999988887777"),
    ("arn:aws:route53:::hostedzone/Z0API", None),  # no account field
    ("arn:aws:ec2:us-east-1:999988887777", None),  # five fields: not a whole ARN
    ("vpce-1", None),
    ("arn:aws:ec2:us-east-1:999988887777:", "999988887777"),  # an empty resource still names the account
])
def test_the_account_of_an_arn_is_its_fifth_field_when_the_arn_is_whole(arn, account):
    assert _arn_account(arn) == account
