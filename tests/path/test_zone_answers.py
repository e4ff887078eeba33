"""Where a flow's name resolves when private hosted zones and Resolver rules take part (vpclint.path.zones): which
of them decides, against a brute-force reference written from the resolver's definition (the most specific of a
Resolver rule, a zone and an endpoint's private DNS; on a tie a FORWARD rule, then a SYSTEM rule, a zone, private
DNS), and the whole answer of each case (kind, reason, endpoint, zone, rule, target), as the view's ``dns_answers``
gives it to rules."""

from __future__ import annotations

import copy
from typing import Any, Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from hubworld import API_NAME, BASE, DKR_NAME, alias, find, hub_and_spoke, region_of
from vpclint.path.dns import DnsAnswer
from vpclint.path.index import RegionIndex, build_index
from vpclint.path.zones import flow_answer, resolve_layers, service_names
from vpclint.snapshot import Snapshot

ACCOUNT = "111122223333"
NAMES = {
    "ecr.dkr": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",
    "ecr.api": "api.ecr.us-east-1.amazonaws.com",
    "s3": "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com",
    "s3-dualstack": "prod-us-east-1-starport-layer-bucket.s3.dualstack.us-east-1.amazonaws.com",
}
ZONE_NAMES = ["com", "amazonaws.com", "us-east-1.amazonaws.com", "ecr.us-east-1.amazonaws.com",
              "dkr.ecr.us-east-1.amazonaws.com", "api.ecr.us-east-1.amazonaws.com", NAMES["ecr.dkr"],
              "s3.us-east-1.amazonaws.com", "s3.dualstack.us-east-1.amazonaws.com", "example.com"]
ENDPOINTS = {"ecr.dkr": ("vpce-dkr", DKR_NAME), "ecr.api": ("vpce-api", API_NAME)}
PRIVATE_DNS_DEPTH = 5
"""An interface endpoint's private DNS answers from a zone of five labels: ``dkr.ecr.<region>.amazonaws.com``."""


def index_of(data: dict) -> RegionIndex:
    snapshot = Snapshot.model_validate(data)
    return build_index(snapshot, snapshot.regions[0])


def answer_of(data: dict, service: str = "ecr.dkr", vpc_id: str = "vpc-spoke") -> DnsAnswer:
    index = index_of(data)
    vpc = index.vpcs[vpc_id]
    if service.startswith("s3"):
        return resolve_layers(index, vpc, dualstack=service == "s3-dualstack")
    return flow_answer(index, vpc, service)


def whole(answer: DnsAnswer) -> tuple:
    endpoint = answer.endpoint.vpc_endpoint_id if answer.endpoint else None
    return answer.kind, answer.reason, endpoint, answer.zone_id, answer.rule_id, answer.target


def zone(zone_id: str, name: str, answers: Optional[str], vpc_id: str = "vpc-app") -> dict[str, Any]:
    """A zone associated with ``vpc_id`` whose apex and wildcard alias the hub endpoint of ``answers`` (None: no
    record)."""
    records = [alias(f"{prefix}{name}", ENDPOINTS[answers][1]) for prefix in ("", "*.")] if answers else []
    return {"hosted_zone_id": zone_id, "name": name, "owner_account": ACCOUNT, "vpc_ids": [vpc_id],
            "records_read": True, "record_sets": records}


def rule(rule_id: str, domain: str, rule_type: str, vpc_id: str = "vpc-app", targets: Optional[list] = None) -> dict:
    return {"resolver_rule_id": rule_id, "domain_name": domain or ".", "rule_type": rule_type, "vpc_ids": [vpc_id],
            "target_ips": [{"ip": "192.168.0.2"}] if targets is None else targets}


def labels(name: str) -> int:
    return len(name.split(".")) if name else 0


@st.composite
def resolvers(draw: st.DrawFn) -> dict[str, Any]:
    zone_ids, rule_ids = draw(st.permutations(["Z1", "Z2", "Z3", "Z4"])), draw(st.permutations(["r1", "r2", "r3"]))
    zones = draw(st.lists(st.tuples(st.sampled_from(ZONE_NAMES), st.sampled_from([None, "ecr.dkr", "ecr.api"])), max_size=4))
    rules = draw(st.lists(st.tuples(st.sampled_from(["", *ZONE_NAMES]), st.sampled_from(["FORWARD", "SYSTEM"])), max_size=3))
    return {
        "zones": [(zone_ids[i], name, answers) for i, (name, answers) in enumerate(zones)],
        "rules": [(f"rslvr-{rule_ids[i]}", domain, kind) for i, (domain, kind) in enumerate(rules)],
        "private_dns": draw(st.booleans()), "hostnames": draw(st.booleans()),
        "service": draw(st.sampled_from(sorted(NAMES))),
    }


def reference(case: dict[str, Any]) -> tuple:
    """(kind, endpoint, zone, rule) from the definition: every rule, zone and private DNS zone holding the name
    competes, the most specific first; a SYSTEM rule hands the name back to the resolver (the zones and private DNS
    then compete alone)."""
    service = case["service"]
    name = NAMES[service]

    def holds(domain: str) -> bool:
        return domain == "" or name == domain or name.endswith("." + domain)

    candidates = [(labels(d), 0 if kind == "FORWARD" else 1, rule_id, kind, None) for rule_id, d, kind in case["rules"] if holds(d)]
    candidates += [(labels(n), 2, zone_id, "zone", answers) for zone_id, n, answers in case["zones"] if holds(n)]
    if service in ENDPOINTS and case["private_dns"] and case["hostnames"]:
        candidates.append((PRIVATE_DNS_DEPTH, 3, "", "private", None))
    ordered = sorted(candidates, key=lambda c: (-c[0], c[1], c[2]))
    if ordered and ordered[0][3] == "SYSTEM":
        ordered = [c for c in ordered if c[3] not in ("FORWARD", "SYSTEM")]
    if not ordered:
        return "public", None, None, None
    _, _, decider, kind, answers = ordered[0]
    if kind == "FORWARD":
        return "unknown", None, None, decider
    if kind == "private":
        return "endpoint", ENDPOINTS[service][0], None, None
    if not case["hostnames"]:
        return "unknown", None, decider, None  # a zone needs enableDnsHostnames
    if answers is None:
        return "none", None, decider, None
    if service not in ENDPOINTS:
        return "unknown", None, decider, None  # the layers are modelled through S3's public addresses only
    if answers != service:
        return "none", None, decider, None  # an endpoint of the other service
    return "endpoint", ENDPOINTS[service][0], decider, None


@settings(max_examples=400, deadline=None)
@given(resolvers())
def test_which_rule_zone_or_private_dns_decides_against_a_reference(case):
    data = hub_and_spoke()
    region = region_of(data)
    region["hosted_zones"] = [zone(zone_id, name, answers) for zone_id, name, answers in case["zones"]]
    region["resolver_rules"] = [rule(rule_id, domain, kind) for rule_id, domain, kind in case["rules"]]
    find(data, "vpcs", "vpc_id", "vpc-app")["enable_dns_hostnames"] = case["hostnames"]
    for endpoint_id in ("vpce-dkr", "vpce-api"):
        find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)["private_dns_enabled"] = case["private_dns"]
    found = answer_of(data, case["service"], "vpc-app")
    assert (found.kind, found.endpoint.vpc_endpoint_id if found.endpoint else None, found.zone_id, found.rule_id) == \
        reference(case), found.reason


def test_a_zone_answers_with_the_endpoint_naming_its_vpc_when_another():
    data = hub_and_spoke()
    label = "(zone Z0DKR (dkr.ecr.us-east-1.amazonaws.com))"
    assert whole(answer_of(data)) == (
        "endpoint", f"{NAMES['ecr.dkr']} resolves to vpce-dkr in vpc-app {label}", "vpce-dkr", "Z0DKR", None, None)
    assert whole(answer_of(data, vpc_id="vpc-app")) == (
        "endpoint", f"{NAMES['ecr.dkr']} resolves to vpce-dkr {label}", "vpce-dkr", "Z0DKR", None, None)


def test_a_zone_needs_dns_hostnames_unread_or_off():
    for hostnames, state in ((None, "could not be read"), (False, "is off")):
        data = hub_and_spoke()
        find(data, "vpcs", "vpc_id", "vpc-spoke")["enable_dns_hostnames"] = hostnames
        assert whole(answer_of(data, "ecr.api")) == (
            "unknown", f"zone Z0API (api.ecr.us-east-1.amazonaws.com) needs enableDnsHostnames, which {state} in vpc-spoke",
            None, "Z0API", None, None)


def test_a_zone_whose_records_were_not_read_names_the_zone():
    data = hub_and_spoke()
    region_of(data)["hosted_zones"][1].update(records_read=False, record_sets=[])
    assert whole(answer_of(data, "ecr.api")) == (
        "unknown", "the records of zone Z0API (api.ecr.us-east-1.amazonaws.com) were not read", None, "Z0API", None, None)


def test_a_zone_not_read_owned_by_the_scanned_account_is_not_blamed_on_its_owner():
    """The zone's owner is the account scanned, which owns the VPC (no owner named means the account's own): the
    owner is not said to list the zone for none of its VPCs."""
    data = hub_and_spoke()
    region_of(data)["hosted_zones"][1].update(records_read=False, record_sets=[], owner_account="111122223333")
    find(data, "vpcs", "vpc_id", "vpc-spoke")["owner_id"] = None
    assert whole(answer_of(data, "ecr.api"))[1] == "the records of zone Z0API (api.ecr.us-east-1.amazonaws.com) were not read"


def test_an_endpoint_not_in_the_snapshot_is_named_with_every_unscanned_account_that_may_hold_it():
    """The accounts that may hold it: the zone's owner, the owners of VPCs attached to the spoke's transit gateways
    and of the spoke's peers; not those of other gateways or of peerings between other VPCs."""
    data = hub_and_spoke()
    region = region_of(data)
    target = "vpce-0f1e2d-xyz.dkr.ecr.us-east-1.vpce.amazonaws.com"
    region["hosted_zones"][0].update(owner_account="444444444444", record_sets=[
        alias("\\052.dkr.ecr.us-east-1.amazonaws.com.", target)])
    region["transit_gateway_attachments"][0]["vpc_owner_id"] = "999999999999"  # the hub's, on the spoke's tgw-1
    region["transit_gateway_attachments"].append({
        "transit_gateway_attachment_id": "tgw-attach-other", "transit_gateway_id": "tgw-2", "vpc_id": "vpc-other",
        "vpc_owner_id": "555555555555", "state": "available", "subnet_ids": []})

    def peering(peering_id: str, requester: tuple[str, str], accepter: tuple[str, str]) -> dict:
        sides = [{"vpc_id": v, "owner_id": o, "region": "us-east-1", "cidr_blocks": []} for v, o in (requester, accepter)]
        return {"vpc_peering_connection_id": peering_id, "status": "active", "requester": sides[0], "accepter": sides[1]}

    region["vpc_peering_connections"] = [peering("pcx-peer", ("vpc-spoke", ACCOUNT), ("vpc-peer", "777777777777")),
                                         peering("pcx-others", ("vpc-x", "888888888888"), ("vpc-y", "666666666666"))]
    assert whole(answer_of(data)) == (
        "unknown", f"zone Z0DKR (dkr.ecr.us-east-1.amazonaws.com) answers {NAMES['ecr.dkr']} with {target}, an endpoint "
                   "not in the snapshot: in one of accounts 444444444444, 777777777777, 999999999999: scan them",
        None, "Z0DKR", None, "vpce-0f1e2d")


def test_records_that_name_no_endpoint_or_several_are_unknown_naming_the_zone():
    label = "zone Z0API (api.ecr.us-east-1.amazonaws.com) answers api.ecr.us-east-1.amazonaws.com with"
    for record, reason in (
            ({"type": "A", "values": ["203.0.113.9"]}, f"{label} 203.0.113.9: not an interface endpoint vpclint can follow"),
            ({"type": "AAAA", "values": ["2600:1F18:AA:2::5"]},  # quoted as the zone holds it
             f"{label} 2600:1F18:AA:2::5: not an interface endpoint vpclint can follow"),
            ({"type": "A", "values": ["10.0.1.6", "10.0.1.5"]}, f"{label} several endpoints (vpce-api, vpce-dkr)")):
        data = hub_and_spoke()
        region_of(data)["hosted_zones"][1]["record_sets"] = [{"name": "api.ecr.us-east-1.amazonaws.com.", **record}]
        assert whole(answer_of(data, "ecr.api")) == ("unknown", reason, None, "Z0API", None, None)


def test_a_forwarding_rule_names_its_domain_and_targets():
    for domain, targets, said in (
            ("dkr.ecr.us-east-1.amazonaws.com", [{"ip": "192.168.0.2"}, {"ipv6": "fd00::53"}, {"port": 53}],
             "dkr.ecr.us-east-1.amazonaws.com to 192.168.0.2, fd00::53, ?"),
            ("", [], ". to no target")):  # without the zones, which are more specific than "."
        data = hub_and_spoke()
        if not domain:
            region_of(data)["hosted_zones"] = []
        region_of(data)["resolver_rules"] = [rule("rslvr-rr-1", domain, "FORWARD", "vpc-spoke", targets)]
        assert whole(answer_of(data)) == (
            "unknown", f"Resolver rule rslvr-rr-1 forwards {said}: what those servers answer for {NAMES['ecr.dkr']} is "
                       "not known", None, None, "rslvr-rr-1", None)
    assert whole(answer_of(data, "s3"))[::4] == ("unknown", "rslvr-rr-1")  # the layers' name too


def test_unread_resolver_rules_are_unknown():
    data = hub_and_spoke()
    region = region_of(data)
    region["collected"].remove("resolver_rules")
    region["errors"] = [{"region": "us-east-1", "api": "route53resolver:ListResolverRules", "code": "AccessDenied",
                         "message": "no"}]
    for service in ("ecr.dkr", "s3"):
        assert whole(answer_of(data, service)) == (
            "unknown", "the Resolver rules of us-east-1 could not be read", None, None, None, None)


def test_the_layers_resolve_publicly_unless_a_zone_decides_and_an_endpoint_there_is_unknown():
    data = hub_and_spoke()
    assert whole(answer_of(data, "s3")) == (
        "public", f"{NAMES['s3']} resolves to S3's public addresses", None, None, None, None)
    region_of(data)["hosted_zones"].append(zone("Z0S3", "s3.us-east-1.amazonaws.com", "ecr.dkr", "vpc-spoke"))
    assert whole(answer_of(data, "s3")) == (
        "unknown", f"{NAMES['s3']} resolves to vpce-dkr in vpc-app (zone Z0S3 (s3.us-east-1.amazonaws.com)): the layers "
                   "then don't take S3's public addresses, which vpclint models", None, "Z0S3", None, None)


def test_custom_dns_servers_are_named_with_the_service_asked_for():
    data = hub_and_spoke()
    region_of(data)["dhcp_options"].append({"dhcp_options_id": "dopt-corp", "domain_name_servers": ["10.9.0.53"]})
    find(data, "vpcs", "vpc_id", "vpc-spoke")["dhcp_options_id"] = "dopt-corp"
    for service, what in (("ecr.api", "api.ecr.us-east-1"), ("ecr.dkr", "dkr.ecr.us-east-1"),
                          ("s3", "s3.us-east-1.amazonaws.com")):
        assert whole(answer_of(data, service)) == (
            "unknown", f"vpc-spoke uses custom DNS servers 10.9.0.53: what they answer for {what} is not known",
            None, None, None, None)


def test_without_a_deciding_zone_private_dns_answers_naming_the_service():
    data = copy.deepcopy(BASE)
    region_of(data)["collected"].append("hosted_zones")
    assert whole(answer_of(data, "ecr.api", "vpc-app")) == (
        "endpoint", "api.ecr.us-east-1 resolves to vpce-api (private DNS)", "vpce-api", None, None, None)


def test_a_zone_covers_the_endpoints_private_dns_of_a_vpc_with_dns_hostnames_off():
    """Private DNS needs enableDnsHostnames: with it off, a zone less specific than the private DNS zone decides
    (and needs the attribute too)."""
    data = hub_and_spoke()
    find(data, "vpcs", "vpc_id", "vpc-app")["enable_dns_hostnames"] = False
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["private_dns_enabled"] = True
    region_of(data)["hosted_zones"] = [zone("Z0WIDE", "amazonaws.com", None)]
    assert whole(answer_of(data, vpc_id="vpc-app")) == (
        "unknown", "zone Z0WIDE (amazonaws.com) needs enableDnsHostnames, which is off in vpc-app", None, "Z0WIDE", None, None)


def test_the_names_of_a_shared_vpc_and_of_the_china_partition():
    data = hub_and_spoke()
    find(data, "vpcs", "vpc_id", "vpc-spoke")["owner_id"] = "444455556666"
    index = index_of(data)
    assert service_names(index, index.vpcs["vpc-spoke"])["ecr.dkr"] == "444455556666.dkr.ecr.us-east-1.amazonaws.com"
    assert service_names(index, index.vpcs["vpc-app"])["ecr.dkr"] == NAMES["ecr.dkr"]
    data = hub_and_spoke()
    data["partition"] = "aws-cn"
    region_of(data)["region"] = "cn-north-1"
    index = index_of(data)
    assert service_names(index, index.vpcs["vpc-spoke"]) == {
        "ecr.api": "api.ecr.cn-north-1.amazonaws.com.cn",
        "ecr.dkr": f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn",
        "s3": "prod-cn-north-1-starport-layer-bucket.s3.cn-north-1.amazonaws.com.cn",
    }


def test_in_the_china_partition_private_dns_is_more_specific_than_a_zone_for_ecr():
    """dkr.ecr.cn-north-1.amazonaws.com.cn has six labels: a zone for ecr.cn-north-1.amazonaws.com.cn (five) is
    less specific than the endpoint's private DNS, one for the registry zone itself wins the tie."""
    for zone_name, expected in (("ecr.cn-north-1.amazonaws.com.cn", ("endpoint", None)),
                                ("dkr.ecr.cn-north-1.amazonaws.com.cn", ("none", "Z0CN"))):
        data = copy.deepcopy(BASE)
        data["partition"] = "aws-cn"
        region = region_of(data)
        region["region"] = "cn-north-1"
        region["collected"].append("hosted_zones")
        for endpoint in region["vpc_endpoints"]:
            endpoint["service_region"] = "cn-north-1"
        region["hosted_zones"] = [zone("Z0CN", zone_name, None)]
        found = answer_of(data, vpc_id="vpc-app")
        assert (found.kind, found.zone_id) == expected, found.reason


def test_an_endpoint_not_in_the_snapshot_is_named_by_the_id_in_the_first_label_of_its_name():
    for target in ("vpce-0f1e2d-xyz.dkr.ecr.us-east-1.vpce.amazonaws.com",  # regional name
                   "vpce-0f1e2d-xyz-us-east-1a.dkr.ecr.us-east-1.vpce.amazonaws.com",  # zonal name
                   "vpce-0f1e2d.dkr.ecr.us-east-1.vpce.amazonaws.com"):  # the id alone
        data = hub_and_spoke()
        region_of(data)["hosted_zones"][0]["record_sets"] = [alias("\\052.dkr.ecr.us-east-1.amazonaws.com.", target)]
        found = answer_of(data)
        assert (found.kind, found.target, found.zone_id) == ("unknown", "vpce-0f1e2d", "Z0DKR"), target
