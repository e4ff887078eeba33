"""The DNS and hub facts the view gives rules (vpclint.path.hubfacts): the records a VPC's private hosted zones
lack, with the alias target to copy, and the zone records that point at each endpoint, by name or by address."""

from __future__ import annotations

import dataclasses

from hubworld import DKR_NAME, alias, find, hub_and_spoke, region_of
from vpclint.path.hubfacts import zone_aliases, zone_gaps
from vpclint.path.index import build_index
from vpclint.snapshot import Snapshot

REGISTRY = "dkr.ecr.us-east-1.amazonaws.com"
API = "api.ecr.us-east-1.amazonaws.com"
ACCOUNT_REGISTRY = f"111122223333.{REGISTRY}"


def index_of(data: dict):
    snapshot = Snapshot.model_validate(data)
    return build_index(snapshot, snapshot.regions[0])


def gaps(data: dict, vpc_id: str = "vpc-spoke") -> list[dict]:
    index = index_of(data)
    return zone_gaps(index, index.vpcs[vpc_id])


def zone(data: dict, zone_id: str) -> dict:
    return find(data, "hosted_zones", "hosted_zone_id", zone_id)


def test_zones_answering_every_ecr_name_leave_no_gap_and_a_vpc_without_zones_has_none():
    data = hub_and_spoke()
    assert gaps(data) == [] and gaps(data, "vpc-app") == []
    region_of(data)["hosted_zones"] = []
    assert gaps(data) == []


def test_a_registry_zone_without_its_wildcard_record_lacks_it_and_offers_its_apex_alias_to_copy():
    data = hub_and_spoke()
    records = zone(data, "Z0DKR")["record_sets"]
    records[:] = [r for r in records if not r["name"].startswith("\\052")]
    assert gaps(data) == [{
        "hosted_zone_id": "Z0DKR", "zone_name": REGISTRY, "name": ACCOUNT_REGISTRY, "record": f"*.{REGISTRY}",
        "alias_dns_name": DKR_NAME + ".", "alias_hosted_zone_id": "Z1VPCE"}]


def test_each_missing_name_is_a_gap_in_the_zone_that_decides_it():
    """An empty api zone lacks the API name (nothing of the zone to copy); a registry zone with only its NS record
    lacks the apex and the wildcard; the gaps come API first, then the apex, then any registry."""
    data = hub_and_spoke()
    zone(data, "Z0API")["record_sets"] = []
    zone(data, "Z0DKR")["record_sets"] = [r for r in zone(data, "Z0DKR")["record_sets"] if r["type"] == "NS"]
    found = gaps(data)
    assert [(g["hosted_zone_id"], g["zone_name"], g["name"], g["record"]) for g in found] == [
        ("Z0API", API, API, API), ("Z0DKR", REGISTRY, REGISTRY, REGISTRY),
        ("Z0DKR", REGISTRY, ACCOUNT_REGISTRY, f"*.{REGISTRY}")]
    assert all(g["alias_dns_name"] is None and g["alias_hosted_zone_id"] is None for g in found)


def test_only_an_alias_to_an_endpoint_of_the_same_service_with_a_zone_id_is_offered():
    """The API zone lacks its apex: an alias to the registry endpoint, an alias without its hosted zone id and an
    alias to a name that is no endpoint are not offered; an alias to the API endpoint under another name is."""
    data = hub_and_spoke()
    api_name = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["dns_entries"][0]["dns_name"]
    wrong_service = alias(f"registry.{API}.", DKR_NAME)
    no_zone_id = {**alias(f"nozone.{API}.", api_name), "alias_hosted_zone_id": None}
    not_an_endpoint = alias(f"elsewhere.{API}.", "vpce-gone.api.ecr.us-east-1.vpce.amazonaws.com")
    zone(data, "Z0API")["record_sets"] = [wrong_service, no_zone_id, not_an_endpoint]
    assert [(g["record"], g["alias_dns_name"]) for g in gaps(data)] == [(API, None)]
    zone(data, "Z0API")["record_sets"].append(alias(f"copy-me.{API}.", api_name))
    assert [(g["record"], g["alias_dns_name"], g["alias_hosted_zone_id"]) for g in gaps(data)] == [
        (API, api_name + ".", "Z1VPCE")]


def test_a_zone_whose_records_were_not_read_has_no_known_gap_and_the_other_zones_still_have_theirs():
    data = hub_and_spoke()
    zone(data, "Z0API").update(record_sets=[], records_read=False)
    assert gaps(data) == []
    records = zone(data, "Z0DKR")["record_sets"]
    records[:] = [r for r in records if not r["name"].startswith("\\052")]
    assert [(g["hosted_zone_id"], g["record"]) for g in gaps(data)] == [("Z0DKR", f"*.{REGISTRY}")]


def test_a_registry_zone_without_its_apex_record_offers_its_wildcard_alias_to_copy():
    data = hub_and_spoke()
    records = zone(data, "Z0DKR")["record_sets"]
    records[:] = [r for r in records if r["name"].startswith("\\052") or r["type"] == "NS"]
    assert [(g["name"], g["record"], g["alias_dns_name"], g["alias_hosted_zone_id"]) for g in gaps(data)] == [
        (REGISTRY, REGISTRY, DKR_NAME + ".", "Z1VPCE")]


def test_without_a_hub_index_there_are_no_gaps_and_no_aliases():
    index = dataclasses.replace(index_of(hub_and_spoke()), hub=None)
    assert zone_gaps(index, index.vpcs["vpc-spoke"]) == [] and zone_aliases(index) == {}


def test_a_forward_rule_as_specific_as_the_zone_decides_the_name_instead_and_a_broader_one_does_not():
    data = hub_and_spoke()
    zone(data, "Z0API")["record_sets"] = []
    region = region_of(data)
    region["resolver_rules"] = [{
        "resolver_rule_id": "rslvr-rr-1", "domain_name": f"{API}.", "rule_type": "FORWARD", "owner_id": "111122223333",
        "vpc_ids": ["vpc-spoke"], "target_ips": [{"ip": "10.9.0.2", "port": 53}]}]
    assert gaps(data) == []  # the rule decides the API name: what the zone lacks does not matter
    records = zone(data, "Z0DKR")["record_sets"]
    records[:] = [r for r in records if not r["name"].startswith("\\052")]
    assert [g["record"] for g in gaps(data)] == [f"*.{REGISTRY}"]  # the names after it are still looked up
    records.append(alias(f"\\052.{REGISTRY}.", DKR_NAME))
    region["resolver_rules"][0]["domain_name"] = "amazonaws.com."
    assert [g["name"] for g in gaps(data)] == [API]  # the zone is more specific: it decides, and lacks the record
    region["resolver_rules"][0].update(domain_name=f"{API}.", rule_type="SYSTEM")
    assert [g["name"] for g in gaps(data)] == [API]  # a SYSTEM rule forwards nothing


def test_zone_aliases_name_each_endpoint_a_record_points_at_by_name_or_by_interface_address():
    data = hub_and_spoke()
    region = region_of(data)
    dkr_address = find(data, "network_interfaces", "network_interface_id", "eni-dkr-a")["private_ips"][0]
    region["hosted_zones"].append({
        "hosted_zone_id": "Z0CORP", "name": "corp.internal.", "owner_account": "111122223333", "vpc_ids": ["vpc-spoke"],
        "records_read": True, "record_sets": [
            {"name": "registry.corp.internal.", "type": "A", "values": [dkr_address, "10.9.9.9"]},
            {"name": "other.corp.internal.", "type": "A", "values": ["10.9.9.9"]}]})
    region["hosted_zones"].insert(0, {  # the first zone, and no VPC asks it
        "hosted_zone_id": "Z0AAA", "name": "lone.internal.", "owner_account": "111122223333", "vpc_ids": [],
        "records_read": True, "record_sets": [alias("lone.internal.", DKR_NAME)]})
    aliases = zone_aliases(index_of(data))
    assert sorted(aliases) == ["vpce-api", "vpce-dkr"]
    assert [(a["hosted_zone_id"], a["zone_name"], a["record"], a["vpc_ids"]) for a in aliases["vpce-dkr"]] == [
        ("Z0CORP", "corp.internal", "registry.corp.internal", ["vpc-spoke"]),
        ("Z0DKR", REGISTRY, f"*.{REGISTRY}", ["vpc-app", "vpc-spoke"]),
        ("Z0DKR", REGISTRY, REGISTRY, ["vpc-app", "vpc-spoke"])]  # not Z0AAA: no VPC asks it
    assert [a["record"] for a in aliases["vpce-api"]] == [API]
