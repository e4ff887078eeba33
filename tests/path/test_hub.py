"""Centralised endpoints: private hosted zones point a spoke's ECR names at a hub VPC's endpoints, reached over a
transit gateway or peering (vpclint.path.zones, vpclint.path.hub). Each case changes one link of the working
hub-and-spoke snapshot of ``hubworld`` and states the flow's path and link, as AWS would behave."""

from __future__ import annotations

from typing import Any

import pytest

from hubworld import alias, find, hub_and_spoke, peered_pair, region_of, tgw_route
from vpclint.path.index import build_index
from vpclint.path.verdicts import subnet_path
from vpclint.snapshot import Snapshot

SPOKE_A, SPOKE_B = "subnet-vpc-spoke-a", "subnet-vpc-spoke-b"


def paths(data: dict) -> dict[str, Any]:
    snapshot = Snapshot.model_validate(data)
    region = snapshot.regions[0]
    index = build_index(snapshot, region)
    return {s.subnet_id: subnet_path(index, s) for s in region.subnets}


def flow(data: dict, name: str = "registry", subnet: str = SPOKE_A):
    return paths(data)[subnet].flows[name]


def link(data: dict, name: str = "registry", subnet: str = SPOKE_A) -> tuple:
    found = flow(data, name, subnet)
    assert found.path == "blocked", found
    return found.link.kind, found.link.resource_id


def routes(data: dict, table_id: str) -> list[dict]:
    return find(data, "route_tables", "route_table_id", table_id)["routes"]


@pytest.mark.parametrize("build, over", [(hub_and_spoke, "tgw-1"), (peered_pair, "pcx-1")])
def test_a_spoke_with_the_hub_zones_and_its_own_s3_gateway_is_private(build, over):
    result = paths(build())
    for subnet in (SPOKE_A, SPOKE_B):
        assert result[subnet].verdict == "private"
        assert {n: (f.path, f.via) for n, f in result[subnet].flows.items()} == {
            "registry_api": ("endpoint", "vpce-api"), "registry": ("endpoint", "vpce-dkr"),
            "layers": ("endpoint", "vpce-s3-vpc-spoke")}
        assert result[subnet].flows["registry"].reason == f"dkr.ecr.us-east-1 through vpce-dkr in vpc-app over {over}"
    assert result["subnet-priv-a"].verdict == "private"  # the hub resolves its own endpoints through the zones


def test_a_spoke_without_its_own_s3_gateway_pays_nat_or_breaks_for_the_layers():
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke").pop()  # the S3 gateway route: S3 can't be reached through the hub
    assert link(data, "layers") == ("route", "rtb-vpc-spoke")


def test_a_hub_group_admitting_only_the_hub_cidr_blocks_the_spokes_naming_the_group_and_cidr():
    data = hub_and_spoke()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"}]
    result = paths(data)
    for subnet, cidr in ((SPOKE_A, "10.1.1.0/24"), (SPOKE_B, "10.1.2.0/24")):
        found = result[subnet].flows["registry_api"]
        assert (found.path, found.link.kind, found.link.group_ids, found.link.peer) == (
            "blocked", "hub-endpoint-sg", ("sg-endpoints",), cidr)
        assert "vpce-api ingress" in found.link.detail
    assert result["subnet-priv-a"].verdict == "private"


@pytest.mark.parametrize("build, rule_extra, expected", [
    (hub_and_spoke, {}, "blocked"),  # references don't cross a transit gateway
    (peered_pair, {"vpc_peering_connection_id": "pcx-1", "referenced_group_vpc_id": "vpc-spoke"}, "endpoint"),
    (peered_pair, {"vpc_peering_connection_id": "pcx-9", "referenced_group_vpc_id": "vpc-spoke"}, "blocked"),
])
def test_a_hub_group_referencing_the_spoke_workloads_group(build, rule_extra, expected):
    data = build()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-vpc-spoke", **rule_extra}]
    assert flow(data).path == expected


def test_a_spoke_without_a_route_to_the_hub_names_its_table_the_hub_cidr_and_the_gateway():
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke").pop(1)
    found = flow(data)
    assert (found.link.kind, found.link.resource_id, found.link.peer, found.link.target_id) == (
        "hub-route", "rtb-vpc-spoke", "10.0.0.0/16", "tgw-1")


@pytest.mark.parametrize("change", [
    {"state": "blackhole"},
    {"target_type": "nat_gateway", "target_id": "nat-a"},
])
def test_a_spoke_route_to_a_blackhole_or_a_nat_gateway_does_not_reach_the_hub(change):
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke")[1].update(change)
    assert link(data) == ("hub-route", "rtb-vpc-spoke")


def test_a_route_through_an_appliance_is_unknown():
    data = hub_and_spoke()
    routes(data, "rtb-vpc-spoke")[1].update({"target_type": "network_interface", "target_id": "eni-fw"})
    found = flow(data)
    assert found.path == "unknown" and "follows only transit gateways and peering" in found.reason


def test_no_attachment_of_the_spoke_blocks():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"].pop(1)
    assert link(data) == ("hub-route", "vpc-spoke")
    assert flow(data).link.target_id == "tgw-1"


def test_an_attachment_without_a_subnet_in_the_workload_az_blocks_that_az_only():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][1]["subnet_ids"] = ["subnet-vpc-spoke-a"]
    assert flow(data).path == "endpoint"
    assert link(data, subnet=SPOKE_B) == ("hub-route", "tgw-attach-spoke")
    assert "cannot reach the transit gateway" in flow(data, subnet=SPOKE_B).link.detail


def test_a_gateway_route_table_without_the_hub_cidr_blocks_naming_it():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_route_tables"][0]["routes"].pop(0)
    found = flow(data)
    assert (found.link.kind, found.link.resource_id, found.link.target_id) == ("hub-route", "tgw-rtb-1", "tgw-attach-hub")


def test_a_blackhole_gateway_route_blocks_and_a_route_elsewhere_is_unknown():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_route_tables"][0]["routes"][0]["state"] = "blackhole"
    assert link(data) == ("hub-route", "tgw-rtb-1")
    data = hub_and_spoke()
    region_of(data)["transit_gateway_route_tables"][0]["routes"][0] = tgw_route("10.0.0.0/16", "tgw-attach-fw", "vpc-fw")
    assert flow(data).path == "unknown" and "inspection VPC" in flow(data).reason


@pytest.mark.parametrize("change, words", [
    (lambda r: r["transit_gateway_route_tables"][0].update(routes_known=False, routes=[]), "are not known"),
    (lambda r: r["collected"].remove("transit_gateway_routes"), "were not read"),
    (lambda r: r["collected"].remove("transit_gateway_attachments"), "attachments were not read"),
    (lambda r: r.update(transit_gateway_route_tables=[]), "another account's transit gateway"),
])
def test_unread_gateway_routes_or_attachments_are_unknown(change, words):
    data = hub_and_spoke()
    change(region_of(data))
    found = flow(data)
    assert found.path == "unknown" and words in found.reason, found


def test_tables_that_disagree_are_unknown_unless_the_association_is_known():
    data = hub_and_spoke()
    region = region_of(data)
    region["transit_gateway_route_tables"].append({
        "transit_gateway_route_table_id": "tgw-rtb-0", "transit_gateway_id": "tgw-1", "routes": []})
    assert flow(data).path == "unknown"
    for attachment in region["transit_gateway_attachments"]:
        attachment["association_route_table_id"] = "tgw-rtb-1"
    assert flow(data).path == "endpoint"
    region["transit_gateway_attachments"][1]["association_route_table_id"] = "tgw-rtb-0"
    assert link(data) == ("hub-route", "tgw-rtb-0")


def test_a_hub_without_an_attachment_blocks():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_attachments"][0]["state"] = "deleted"
    assert link(data) == ("hub-route", "vpc-app")


def test_a_hub_subnet_without_a_route_back_blocks_naming_the_hub_table():
    data = hub_and_spoke()
    routes(data, "rtb-priv-b").pop()
    found = flow(data)
    assert (found.link.kind, found.link.resource_id, found.link.peer, found.link.target_id) == (
        "hub-route", "rtb-priv-b", "10.1.0.0/16", "tgw-1")


def test_a_hub_gateway_route_table_without_the_way_back_blocks():
    data = hub_and_spoke()
    region_of(data)["transit_gateway_route_tables"][0]["routes"].pop(1)
    assert link(data) == ("hub-route", "tgw-rtb-1")


@pytest.mark.parametrize("change, expected", [
    (lambda p: p.update(status="pending-acceptance"), "blocked"),
    (lambda p: p["accepter"].update(cidr_blocks=["10.0.200.0/24"]), "blocked"),
    (lambda p: p["accepter"].update(vpc_id="vpc-other"), "blocked"),
])
def test_a_peering_connection_must_be_active_join_the_vpcs_and_carry_the_addresses(change, expected):
    data = peered_pair()
    change(region_of(data)["vpc_peering_connections"][0])
    assert link(data) == ("hub-route", "pcx-1")


def test_unread_peering_connections_are_unknown():
    data = peered_pair()
    region_of(data)["collected"].remove("vpc_peering_connections")
    assert flow(data).path == "unknown"
    data = peered_pair()
    region_of(data)["vpc_peering_connections"] = []
    assert flow(data).reason == "pcx-1 is not in the snapshot"


def test_a_hub_of_an_account_not_scanned_is_unknown_naming_the_account():
    data = hub_and_spoke()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["owner_id"] = "999988887777"
    found = flow(data)
    assert (found.path, found.reason) == ("unknown", "vpce-dkr is in vpc-app, in account 999988887777: scan that account")


@pytest.mark.parametrize("owner, words", [
    ("999988887777", "in account 999988887777: scan that account"),
    ("111122223333", "(another region, or deleted?)"),
])
def test_an_alias_to_an_endpoint_not_in_the_snapshot_is_unknown(owner, words):
    data = hub_and_spoke()
    zone = region_of(data)["hosted_zones"][0]
    zone["owner_account"] = owner
    zone["record_sets"][1] = alias("\\052.dkr.ecr.us-east-1.amazonaws.com.", "vpce-0f1e2d-xyz.dkr.ecr.us-east-1.vpce.amazonaws.com")
    found = flow(data)
    assert found.path == "unknown" and found.reason.endswith(words), found.reason
    assert paths(data)[SPOKE_A].verdict == "unknown"


def test_a_zone_without_the_wildcard_leaves_the_registry_name_unresolved():
    data = hub_and_spoke()
    region_of(data)["hosted_zones"][0]["record_sets"].pop(1)
    found = flow(data)
    assert (found.path, found.link.kind, found.link.resource_id) == ("blocked", "dns", "Z0DKR")
    assert "has no record for 111122223333.dkr.ecr.us-east-1.amazonaws.com" in found.link.detail
    assert flow(data, "registry_api").path == "endpoint"


def test_a_zone_whose_records_were_not_read_is_unknown():
    data = hub_and_spoke()
    zone = region_of(data)["hosted_zones"][1]
    zone.update(records_read=False, record_sets=[], owner_account="999988887777")
    found = flow(data, "registry_api")
    assert found.path == "unknown"
    assert found.reason == ("the records of zone Z0API (api.ecr.us-east-1.amazonaws.com) were not read: in account "
                            "999988887777: scan that account")


def test_zones_that_could_not_be_listed_are_unknown():
    data = hub_and_spoke()
    region = region_of(data)
    region["collected"].remove("hosted_zones")
    region["hosted_zone_vpc_ids"] = ["vpc-app"]
    region["errors"] = [{"region": "us-east-1", "api": "route53:ListHostedZonesByVPC", "code": "AccessDenied", "message": "no"}]
    assert flow(data).reason == "the private hosted zones of vpc-spoke could not be read"
    assert flow(data, subnet="subnet-priv-a").path == "endpoint"


def rule(domain: str, rule_type: str = "FORWARD") -> dict:
    return {"resolver_rule_id": f"rslvr-rr-{rule_type.lower()}", "domain_name": domain, "rule_type": rule_type,
            "target_ips": [{"ip": "192.168.0.2"}] if rule_type == "FORWARD" else [], "vpc_ids": ["vpc-spoke"]}


@pytest.mark.parametrize("rules, expected", [
    ([rule("amazonaws.com")], "endpoint"),  # less specific than the zones: the zones answer
    ([rule("dkr.ecr.us-east-1.amazonaws.com.")], "unknown"),  # as specific as the zone: the rule wins
    ([rule("ecr.us-east-1.amazonaws.com")], "endpoint"),
    ([rule("."), rule("ecr.us-east-1.amazonaws.com", "SYSTEM")], "endpoint"),
])
def test_resolver_rules_against_the_zones(rules, expected):
    data = hub_and_spoke()
    region_of(data)["resolver_rules"] = rules
    found = flow(data)
    assert found.path == expected, found.reason
    if expected == "unknown":
        assert found.reason == ("Resolver rule rslvr-rr-forward forwards dkr.ecr.us-east-1.amazonaws.com to 192.168.0.2: "
                                "what those servers answer for 111122223333.dkr.ecr.us-east-1.amazonaws.com is not known")


def test_a_forwarding_rule_without_zones_is_unknown_and_a_system_rule_is_not():
    data = hub_and_spoke()
    region = region_of(data)
    region["hosted_zones"] = []
    region["resolver_rules"] = [rule(".")]
    assert flow(data).path == "unknown"
    region["resolver_rules"] = [rule("amazonaws.com", "SYSTEM")]
    assert link(data) == ("route", "rtb-vpc-spoke")  # public DNS, and the spoke has no way out


def test_an_endpoint_private_dns_more_specific_than_a_zone_wins():
    data = hub_and_spoke()
    region = region_of(data)
    region["hosted_zones"] = [{"hosted_zone_id": "Z0WIDE", "name": "amazonaws.com.", "vpc_ids": ["vpc-app"],
                               "records_read": True, "record_sets": []}]
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["private_dns_enabled"] = True
    assert flow(data, subnet="subnet-priv-a").path == "endpoint"
    assert link(data, "registry_api", "subnet-priv-a") == ("dns", "Z0WIDE")  # api has no private DNS: the zone answers


def test_a_zone_in_a_vpc_with_dns_hostnames_off_is_unknown():
    data = hub_and_spoke()
    find(data, "vpcs", "vpc_id", "vpc-spoke")["enable_dns_hostnames"] = False
    assert "needs enableDnsHostnames, which is off in vpc-spoke" in flow(data).reason


def test_custom_dns_servers_keep_their_answer():
    data = hub_and_spoke()
    region = region_of(data)
    region["dhcp_options"].append({"dhcp_options_id": "dopt-corp", "domain_name_servers": ["10.9.0.53"]})
    find(data, "vpcs", "vpc_id", "vpc-spoke")["dhcp_options_id"] = "dopt-corp"
    assert flow(data).reason == ("vpc-spoke uses custom DNS servers 10.9.0.53: what they answer for dkr.ecr.us-east-1 "
                                 "is not known")


@pytest.mark.parametrize("record", [
    {"name": "api.ecr.us-east-1.amazonaws.com.", "type": "A", "values": ["10.0.1.6", "10.0.2.6"]},
    {"name": "api.ecr.us-east-1.amazonaws.com.", "type": "CNAME", "values": ["VPCE-API-ABC.api.ecr.us-east-1.vpce.amazonaws.com."]},
])
def test_a_records_and_cnames_naming_the_endpoint_point_at_it(record):
    data = hub_and_spoke()
    region_of(data)["hosted_zones"][1]["record_sets"] = [record]
    assert flow(data, "registry_api").via == "vpce-api"


@pytest.mark.parametrize("values, words", [
    (["10.0.1.6", "10.0.1.5"], "several endpoints (vpce-api, vpce-dkr)"),
    (["203.0.113.9"], "not an interface endpoint vpclint can follow"),
])
def test_addresses_of_two_endpoints_or_of_none_are_unknown(values, words):
    data = hub_and_spoke()
    region_of(data)["hosted_zones"][1]["record_sets"] = [
        {"name": "api.ecr.us-east-1.amazonaws.com.", "type": "A", "values": values}]
    assert words in flow(data, "registry_api").reason


def test_an_alias_to_another_service_endpoint_blocks():
    data = hub_and_spoke()
    region_of(data)["hosted_zones"][1]["record_sets"] = [alias("api.ecr.us-east-1.amazonaws.com.",
                                                               "vpce-dkr-abc.dkr.ecr.us-east-1.vpce.amazonaws.com")]
    found = flow(data, "registry_api")
    assert (found.path, found.link.kind, found.link.resource_id) == ("blocked", "dns", "Z0API")
    assert found.link.detail.endswith("an endpoint of ecr.dkr, not ecr.api")


@pytest.mark.parametrize("records, expected", [([], "blocked"), ([alias("*.s3.us-east-1.amazonaws.com", "vpce-s3i.s3.x")], "unknown")])
def test_a_zone_for_the_layer_bucket_decides_the_layers(records, expected):
    data = hub_and_spoke()
    region_of(data)["hosted_zones"].append({"hosted_zone_id": "Z0S3", "name": "s3.us-east-1.amazonaws.com",
                                            "vpc_ids": ["vpc-spoke"], "records_read": True, "record_sets": records})
    assert flow(data, "layers").path == expected


def test_the_hub_endpoint_state_policy_and_acls_are_checked_for_the_spoke():
    data = hub_and_spoke()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["state"] = "pendingAcceptance"
    assert link(data) == ("endpoint-state", "vpce-dkr")
    data = hub_and_spoke()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["policy"] = {
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
    assert link(data) == ("endpoint-policy", "vpce-dkr")
    data = hub_and_spoke()
    find(data, "network_acls", "network_acl_id", "acl-default")["entries"].insert(0, {
        "rule_number": 50, "egress": False, "protocol": "6", "rule_action": "deny", "cidr_block": "10.1.0.0/16",
        "from_port": 443, "to_port": 443})
    found = flow(data)
    assert (found.link.kind, found.link.resource_id, found.link.direction, found.link.rule_number) == (
        "network-acl", "acl-default", "inbound", 50)


def test_the_hub_and_spoke_are_no_findings_and_the_view_says_why():
    from vpclint.engine import evaluate
    from vpclint.rules import load_rules
    from vpclint.view import build_view

    snapshot = Snapshot.model_validate(hub_and_spoke())
    report = evaluate(snapshot, load_rules())
    found = [(f.rule_id, f.resource_id) for f in report.findings]
    assert found == [("logs-endpoint-missing", "vpc-spoke")]  # the zones serve ECR only: logs need an endpoint too
    assert {v.vpc_id: v.verdict for v in report.vpcs} == {"vpc-app": "private", "vpc-spoke": "private"}
    view = next(build_view(snapshot))
    spoke = next(i for i in view.items["vpc"] if i["vpc_id"] == "vpc-spoke")
    assert spoke["dns_answers"]["registry"] == {
        "kind": "endpoint", "endpoint_id": "vpce-dkr", "endpoint_vpc_id": "vpc-app", "hosted_zone_id": "Z0DKR",
        "resolver_rule_id": None, "answered_elsewhere": True,
        "reason": "111122223333.dkr.ecr.us-east-1.amazonaws.com resolves to vpce-dkr in vpc-app "
                  "(zone Z0DKR (dkr.ecr.us-east-1.amazonaws.com))"}
    assert spoke["private_zone_gaps"] == []
    dkr = next(i for i in view.items["endpoint"] if i["resource_id"] == "vpce-dkr")
    assert [(a["hosted_zone_id"], a["record"]) for a in dkr["zone_aliases"]] == [
        ("Z0DKR", "*.dkr.ecr.us-east-1.amazonaws.com"), ("Z0DKR", "dkr.ecr.us-east-1.amazonaws.com")]


def test_without_the_zones_the_hub_and_the_spoke_are_findings_again():
    from vpclint.engine import evaluate
    from vpclint.rules import load_rules

    data = hub_and_spoke()
    region_of(data)["hosted_zones"] = []
    report = evaluate(Snapshot.model_validate(data), load_rules())
    found = {(f.rule_id, f.resource_id) for f in report.findings}
    assert {("ecr-dkr-private-dns-disabled", "vpce-dkr"), ("ecr-api-private-dns-disabled", "vpce-api"),
            ("ecr-dkr-endpoint-missing", "vpc-spoke"), ("ecr-api-endpoint-missing", "vpc-spoke")} <= found
