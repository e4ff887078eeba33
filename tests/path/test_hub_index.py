"""The region's DNS and hub data as the path model looks it up (vpclint.path.hubindex): DNS names compared as
Route 53 compares them, which sources count as read, and the lookups by VPC, name, address and gateway."""

from __future__ import annotations

import copy

import pytest

from hubworld import hub_and_spoke, region_of
from vpclint.path.hubindex import build_hub_index, dns_name
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
