"""The DNS and hub facts the view gives rules: where each VPC's ECR names resolve, the records its private hosted
zones lack, and the zone records that point at each endpoint (centralised endpoints keep private DNS off)."""

from __future__ import annotations

from typing import Any, Optional

from vpclint.path.hubindex import dns_name
from vpclint.path.index import RegionIndex
from vpclint.path.zones import best_rule, best_zone, depth, flow_answer, lookup, record_targets, service_names
from vpclint.snapshot import Vpc, VpcEndpoint
from vpclint.snapshot_hub import HostedZone, ResourceRecordSet

FLOW_SERVICES = (("registry_api", "ecr.api"), ("registry", "ecr.dkr"))


def dns_answers(index: RegionIndex, vpc: Vpc) -> dict[str, dict[str, Any]]:
    """Where the VPC's ``registry_api`` and ``registry`` names resolve: ``kind`` (endpoint, public, unknown, none),
    ``reason``, the ``endpoint_id`` they point at (also one a zone names that is not in the snapshot) and its
    ``endpoint_vpc_id``, the deciding ``hosted_zone_id`` or ``resolver_rule_id``, and ``answered_elsewhere``: the
    name resolves to an endpoint, or a zone decides it with an answer not known (its records unread: another
    account's zone), so an endpoint of the VPC's own is not what it lacks."""
    answers = {}
    for flow, service in FLOW_SERVICES:
        answer = flow_answer(index, vpc, service)
        endpoint = answer.endpoint
        endpoint_id = endpoint.vpc_endpoint_id if endpoint else answer.target
        answers[flow] = {
            "kind": answer.kind,
            "reason": answer.reason,
            "answered_elsewhere": endpoint_id is not None or (answer.kind == "unknown" and answer.zone_id is not None),
            "endpoint_id": endpoint_id,
            "endpoint_vpc_id": endpoint.vpc_id if endpoint else None,
            "hosted_zone_id": answer.zone_id,
            "resolver_rule_id": answer.rule_id,
        }
    return answers


def zone_gaps(index: RegionIndex, vpc: Vpc) -> list[dict[str, Any]]:
    """The ECR names that the VPC's deciding private hosted zone lacks a record for: the API name, the registry
    zone's apex and any registry (``*.dkr.ecr...``). Each gap names the zone, the ``record`` to create and, when
    another record of the zone aliases an endpoint of the service, its alias target to copy."""
    hub = index.hub
    if hub is None or not hub.zones_by_vpc.get(vpc.vpc_id):  # no zone decides a name: nothing is missing
        return []
    zones = hub.zones_by_vpc[vpc.vpc_id]
    names = service_names(index, vpc)
    registry_parent = names["ecr.dkr"].partition(".")[2]
    wanted = ((names["ecr.api"], names["ecr.api"], "ecr.api"), (registry_parent, registry_parent, "ecr.dkr"),
              (names["ecr.dkr"], f"*.{registry_parent}", "ecr.dkr"))
    rules = [r for r in hub.rules_by_vpc.get(vpc.vpc_id, []) if r.rule_type == "FORWARD"]
    gaps = []
    for name, record, service in wanted:
        zone = best_zone(zones, name)
        rule = best_rule(rules, name)
        if zone is None or not zone.records_read:
            continue
        if rule is not None and depth(dns_name(rule.domain_name)) >= depth(dns_name(zone.name)):
            continue
        if lookup(dns_name(zone.name), zone.record_sets, name):
            continue
        target = _alias_for(index, zone, service)
        gaps.append({
            "hosted_zone_id": zone.hosted_zone_id,
            "zone_name": dns_name(zone.name),
            "name": name,
            "record": record,
            "alias_dns_name": target.alias_dns_name if target else None,
            "alias_hosted_zone_id": target.alias_hosted_zone_id if target else None,
        })
    return gaps


def _alias_for(index: RegionIndex, zone: HostedZone, service: str) -> Optional[ResourceRecordSet]:
    """A record of the zone aliasing an interface endpoint of ``service`` (the first by name), or None."""
    hub = index.hub
    assert hub is not None
    for record in zone.record_sets:
        endpoint = hub.endpoints_by_name.get(dns_name(record.alias_dns_name)) if record.alias_dns_name else None
        if endpoint is not None and endpoint.service == service and record.alias_hosted_zone_id:
            return record
    return None


def zone_aliases(index: RegionIndex) -> dict[str, list[dict[str, Any]]]:
    """By endpoint id: the records of private hosted zones (associated with some VPC, directly or through a Route 53
    Profile) that point at it, each with ``hosted_zone_id``, ``zone_name``, ``record`` and the ``vpc_ids`` the zone
    answers for."""
    hub = index.hub
    found: dict[str, list[dict[str, Any]]] = {}
    for zone in hub.zones if hub else []:
        vpc_ids = hub.zone_vpc_ids.get(zone.hosted_zone_id) if hub else None
        if not vpc_ids:
            continue
        for record in zone.record_sets:
            for endpoint in _pointed_at(index, record):
                found.setdefault(endpoint.vpc_endpoint_id, []).append({
                    "hosted_zone_id": zone.hosted_zone_id, "zone_name": dns_name(zone.name),
                    "record": dns_name(record.name), "vpc_ids": vpc_ids})
    return {k: sorted(v, key=lambda a: (a["hosted_zone_id"], a["record"])) for k, v in found.items()}


def _pointed_at(index: RegionIndex, record: ResourceRecordSet) -> list[VpcEndpoint]:
    """The endpoints a record names by DNS name or interface address."""
    hub = index.hub
    assert hub is not None
    found = {}
    for target in record_targets(record):
        endpoint = hub.endpoints_by_name.get(target) or hub.endpoints_by_address.get(target)
        if endpoint is not None:
            found[endpoint.vpc_endpoint_id] = endpoint
    return [found[k] for k in sorted(found)]
