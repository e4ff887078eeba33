"""Route 53 Profiles in the path model (vpclint.path.hubindex, vpclint.path.zones): the zones and Resolver rules a
VPC's Profile carries answer beside the VPC's own, the VPC's own winning for the same domain and the most specific
domain otherwise (against a brute-force reference), and what a Profile carries that vpclint can't know leaves the
VPC's names unknown, never private or public. Built on hubworld's hub-and-spoke snapshot, with the hub's zones
reaching the spoke through a Profile instead of a direct association."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubworld import find, hub_and_spoke, region_of
from test_zone_answers import answer_of, whole
from test_zones import LABELS, Name, below, render
from vpclint.engine import evaluate
from vpclint.path.hubindex import dns_name, effective
from vpclint.path.index import build_index
from vpclint.path.verdicts import subnet_path
from vpclint.path.zones import best_rule, best_zone
from vpclint.region_views import combine_region
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot
from vpclint.snapshot_hub import HostedZone, ResolverRule
from vpclint.view import build_view

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_region_views_reference import hub_and_spoke_accounts  # noqa: E402

SPOKE_A = "subnet-vpc-spoke-a"
HUB_ACCOUNT = "111122223333"
PROFILES_API = "route53profiles:ListProfileAssociations"


def carried(zone_id: str) -> dict[str, Any]:
    return {"resource_arn": f"arn:aws:route53:::hostedzone/{zone_id}", "kind": "hosted_zone", "resource_id": zone_id,
            "resource_type": "PRIVATE_HOSTED_ZONE", "owner_id": HUB_ACCOUNT, "status": "COMPLETE"}


def profile(vpc_ids: list[str], resources: Optional[list[dict]] = None, owner: str = HUB_ACCOUNT, **extra: Any) -> dict:
    """The hub account's Profile rp-hub, associated with ``vpc_ids``, carrying the two ECR zones unless told."""
    return {"profile_id": "rp-hub", "owner_id": owner, "resources_read": True,
            "vpc_associations": [{"vpc_id": v, "association_id": f"rpassoc-{v}", "status": "COMPLETE"} for v in vpc_ids],
            "resources": [carried("Z0API"), carried("Z0DKR")] if resources is None else resources, **extra}


def through_profile() -> dict:
    """hubworld's hub and spoke, the ECR zones associated with the hub only and reaching the spoke through rp-hub."""
    data = hub_and_spoke()
    region = region_of(data)
    region["collected"] = sorted([*region["collected"], "route53_profiles"])
    for zone in region["hosted_zones"]:
        zone["vpc_ids"] = ["vpc-app"]
    region["route53_profiles"] = [profile(["vpc-spoke"])]
    return data


def flows(data: dict, subnet: str = SPOKE_A) -> dict[str, Any]:
    snapshot = Snapshot.model_validate(data)
    region = snapshot.regions[0]
    found = subnet_path(build_index(snapshot, region), next(s for s in region.subnets if s.subnet_id == subnet))
    return found.flows


def test_a_spoke_whose_only_zones_come_through_a_profile_is_private_over_the_hub():
    found = flows(through_profile())
    assert {n: (f.path, f.via) for n, f in found.items()} == {
        "registry_api": ("endpoint", "vpce-api"), "registry": ("endpoint", "vpce-dkr"), "layers": ("endpoint", "vpce-s3-vpc-spoke")}
    snapshot = Snapshot.model_validate(through_profile())
    spoke = next(i for i in next(build_view(snapshot)).items["vpc"] if i["vpc_id"] == "vpc-spoke")
    assert spoke["dns_answers"]["registry"]["reason"] == (
        "111122223333.dkr.ecr.us-east-1.amazonaws.com resolves to vpce-dkr in vpc-app "
        "(zone Z0DKR (dkr.ecr.us-east-1.amazonaws.com, through its Route 53 Profile))")
    report = evaluate(snapshot, load_rules())
    assert {v.vpc_id: v.verdict for v in report.vpcs} == {"vpc-app": "private", "vpc-spoke": "private"}
    # The hub endpoints' private DNS is off, and the Profile's zones alias them: no private-dns-disabled finding.
    assert [(f.rule_id, f.resource_id) for f in report.findings] == [("logs-endpoint-missing", "vpc-spoke")]


def test_without_the_profile_the_spoke_is_findings_again():
    data = through_profile()
    region_of(data)["route53_profiles"] = []
    report = evaluate(Snapshot.model_validate(data), load_rules())
    assert {("ecr-dkr-endpoint-missing", "vpc-spoke"), ("ecr-api-endpoint-missing", "vpc-spoke")} <= {
        (f.rule_id, f.resource_id) for f in report.findings}


def spoke_and_hub_accounts(with_hub: bool = True) -> Snapshot:
    """The hub (111111111111) and spoke (222222222222) in two accounts: the spoke account reads the Profile the hub
    shares with it and its resources, not the hub's zones (only their owner can name them); the hub account reads
    its zones (associated with its own VPC) with their records."""
    hub, spoke = "111111111111", "222222222222"
    data = hub_and_spoke_accounts(hub, spoke).model_dump()
    for account in data["accounts"]:
        region = account["regions"][0]
        region["collected"] = sorted([*region["collected"], "route53_profiles"])
        if account["account_id"] == spoke:
            region["hosted_zones"] = []
            region["route53_profiles"] = [profile(["vpc-spoke"], owner=hub)]
    if not with_hub:
        data["accounts"] = [a for a in data["accounts"] if a["account_id"] == spoke]
    return Snapshot.model_validate(data)


def test_a_profile_shared_from_a_scanned_hub_account_joins_its_zones_and_the_spoke_is_private():
    snapshot = spoke_and_hub_accounts()
    joined = combine_region(snapshot, "us-east-1")
    index = build_index(snapshot, joined.region, joined)
    spoke = next(s for s in joined.region.subnets if s.subnet_id == SPOKE_A)
    found = subnet_path(index, spoke)
    assert (found.verdict, found.flows["registry"].via, found.flows["registry_api"].via) == ("private", "vpce-dkr", "vpce-api")


def test_without_the_hub_account_the_profiles_zones_are_unknown_naming_the_account():
    snapshot = spoke_and_hub_accounts(with_hub=False)
    region = snapshot.regions[0]
    found = subnet_path(build_index(snapshot, region), next(s for s in region.subnets if s.subnet_id == SPOKE_A))
    assert found.verdict == "unknown"
    assert {f.path for f in found.flows.values()} == {"unknown"}
    assert "the name and records of hosted zone Z0API of Route 53 Profile rp-hub were not read: in account " \
           "111111111111: scan that account" in found.flows["registry"].reason


def test_a_scanned_hub_account_whose_view_lacks_the_profiles_zones_is_named():
    snapshot = spoke_and_hub_accounts()
    data = snapshot.model_dump()
    for account in data["accounts"]:
        account["regions"][0]["hosted_zones"] = []
    snapshot = Snapshot.model_validate(data)
    joined = combine_region(snapshot, "us-east-1")
    found = subnet_path(build_index(snapshot, joined.region, joined),
                        next(s for s in joined.region.subnets if s.subnet_id == SPOKE_A))
    assert found.flows["registry"].reason == (
        "the name and records of hosted zone Z0API of Route 53 Profile rp-hub were not read: its owner, account "
        "111111111111, was scanned, but vpclint reads what a Profile carries only for the VPCs associated with it, "
        "and none of that account's is")


def test_the_vpcs_own_zone_wins_over_its_profiles_zone_for_the_same_domain():
    """The spoke's own dkr.ecr zone, without the registry's record, decides (AWS answers NXDOMAIN) though the
    Profile's zone of the same name would answer."""
    data = through_profile()
    region_of(data)["hosted_zones"].append({
        "hosted_zone_id": "Z9OWN", "name": "dkr.ecr.us-east-1.amazonaws.com.", "owner_account": HUB_ACCOUNT,
        "vpc_ids": ["vpc-spoke"], "records_read": True, "record_sets": []})
    found = flows(data)
    assert (found["registry"].path, found["registry"].link.kind, found["registry"].link.resource_id) == ("blocked", "dns", "Z9OWN")
    assert (found["registry_api"].path, found["registry_api"].via) == ("endpoint", "vpce-api")


def test_a_more_specific_profile_zone_wins_over_the_vpcs_own_parent_zone():
    data = through_profile()
    region_of(data)["hosted_zones"].append({
        "hosted_zone_id": "Z9OWN", "name": "ecr.us-east-1.amazonaws.com.", "owner_account": HUB_ACCOUNT,
        "vpc_ids": ["vpc-spoke"], "records_read": True, "record_sets": []})
    found = flows(data)
    assert (found["registry"].via, found["registry_api"].via) == ("vpce-dkr", "vpce-api")


def test_the_vpcs_own_forwarding_rule_for_the_domain_of_a_profile_rule_decides():
    data = through_profile()
    region = region_of(data)
    domain = "dkr.ecr.us-east-1.amazonaws.com"
    region["resolver_rules"] = [
        {"resolver_rule_id": "rslvr-rr-own", "domain_name": domain, "rule_type": "SYSTEM", "vpc_ids": ["vpc-spoke"]},
        {"resolver_rule_id": "rslvr-rr-hub", "domain_name": domain, "rule_type": "FORWARD",
         "target_ips": [{"ip": "10.9.9.9", "port": 53}], "vpc_ids": []}]
    region["route53_profiles"][0]["resources"].append(
        {"resource_arn": f"arn:aws:route53resolver:us-east-1:{HUB_ACCOUNT}:resolver-rule/rslvr-rr-hub",
         "kind": "resolver_rule", "resource_id": "rslvr-rr-hub", "status": "COMPLETE"})
    assert flows(data)["registry"].via == "vpce-dkr"  # the VPC's own SYSTEM rule shadows the Profile's FORWARD rule
    region["resolver_rules"] = region["resolver_rules"][1:]
    found = flows(data)["registry"]
    assert found.path == "unknown" and f"Resolver rule rslvr-rr-hub forwards {domain} to 10.9.9.9" in found.reason


def change_profile(**extra: Any) -> dict:
    data = through_profile()
    region_of(data)["route53_profiles"][0].update(extra)
    return data


@pytest.mark.parametrize("data, words", [
    (change_profile(vpc_associations=[{"vpc_id": "vpc-spoke", "status": "CREATING"}]),
     "its association with Route 53 Profile rp-hub is CREATING"),
    (change_profile(resources_read=False, resources=[]), "the resources of Route 53 Profile rp-hub could not be read"),
    (change_profile(resources=[{**carried("Z0API"), "status": "DELETING"}, carried("Z0DKR")]),
     "hosted zone Z0API of Route 53 Profile rp-hub is DELETING"),
    (change_profile(resources=[carried("Z0API"), carried("Z0DKR"), carried("Z0GONE")], owner_id="999988887777"),
     "the name and records of hosted zone Z0GONE of Route 53 Profile rp-hub were not read: in account 999988887777"),
    (change_profile(resources=[carried("Z0API"), carried("Z0DKR"), {
        "resource_arn": "arn:aws:route53resolver:us-east-1:999988887777:resolver-rule/rslvr-rr-x", "kind": "resolver_rule",
        "resource_id": "rslvr-rr-x"}]),
     "the domain of resolver rule rslvr-rr-x of Route 53 Profile rp-hub was not read (another account's rule?): in account 999988887777"),
    (change_profile(resources=[carried("Z0API"), carried("Z0DKR"), {
        "resource_arn": f"arn:aws:ec2:us-east-1:{HUB_ACCOUNT}:vpc-endpoint/vpce-dkr", "kind": "vpc_endpoint",
        "resource_id": "vpce-dkr"}]),
     "vpc endpoint vpce-dkr of Route 53 Profile rp-hub (ecr.dkr) answers its service's names there, which vpclint "
     "does not model"),
    (change_profile(resources=[carried("Z0API"), carried("Z0DKR"), {
        "resource_arn": "arn:aws:route53:::newthing/x1", "kind": "other", "resource_id": "x1", "resource_type": "NEW_THING"}]),
     "other x1 of Route 53 Profile rp-hub (NEW_THING): a kind of resource vpclint does not model"),
    (change_profile(resources=[carried("Z0API"), carried("Z0DKR"), {
        "resource_arn": "arn:aws:route53:::newthing/x2", "kind": "other", "resource_id": "x2"}]),
     "other x2 of Route 53 Profile rp-hub (unknown type): a kind of resource vpclint does not model"),
    (change_profile(resources=[carried("Z0API"), carried("Z0DKR"), {
        "resource_arn": "arn:aws:ec2:us-east-1:999988887777:vpc-endpoint/vpce-gone", "kind": "vpc_endpoint",
        "resource_id": "vpce-gone"}]),
     "vpc endpoint vpce-gone of Route 53 Profile rp-hub is not in the snapshot: in account 999988887777"),
])
def test_what_a_profile_carries_that_vpclint_cannot_know_leaves_every_name_unknown(data, words):
    found = flows(data)
    assert {f.path for f in found.values()} == {"unknown"}, found
    assert words in found["registry"].reason and words in found["layers"].reason


@pytest.mark.parametrize("resource", [
    {"resource_arn": f"arn:aws:route53resolver:us-east-1:{HUB_ACCOUNT}:firewall-rule-group/rslvr-frg-1",
     "kind": "firewall_rule_group", "resource_id": "rslvr-frg-1", "properties": '{"priority":102}'},
    {"resource_arn": f"arn:aws:route53resolver:us-east-1:{HUB_ACCOUNT}:resolver-query-log-config/rqlc-1",
     "kind": "query_log_config", "resource_id": "rqlc-1"},
    {**carried("Z0OLD"), "status": "DELETED"},
])
def test_firewall_rule_groups_query_logging_and_deleted_resources_take_no_part(resource):
    data = change_profile(resources=[carried("Z0API"), carried("Z0DKR"), resource])
    assert flows(data)["registry"].via == "vpce-dkr"


def test_an_unread_profile_listing_is_unknown_and_a_snapshot_that_never_read_profiles_is_judged_without():
    data = through_profile()
    region = region_of(data)
    region["collected"].remove("route53_profiles")
    region["errors"] = [{"region": "us-east-1", "api": PROFILES_API, "code": "AccessDeniedException", "message": "no"}]
    found = flows(data)
    assert {f.path for f in found.values()} == {"unknown"}
    assert found["registry"].reason == "the Route 53 Profile associations of us-east-1 could not be read"
    hub = flows(data, "subnet-priv-a")  # the hub's VPC too: any VPC may have a Profile
    assert hub["registry"].path == "unknown"
    old = hub_and_spoke()  # written before vpclint read Profiles: no source, no error
    assert "route53_profiles" not in region_of(old)["collected"]
    assert flows(old)["registry"].via == "vpce-dkr"


def test_a_profile_zone_for_the_name_of_the_vpcs_own_private_dns_is_unknown():
    """The hub's endpoints answer with private DNS, and the Profile carries zones of the same names to the hub."""
    data = through_profile()
    region = region_of(data)
    for endpoint_id in ("vpce-dkr", "vpce-api"):
        find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)["private_dns_enabled"] = True
    for zone in region["hosted_zones"]:
        zone["vpc_ids"] = []
    region["route53_profiles"] = [profile(["vpc-app", "vpc-spoke"])]
    found = flows(data, "subnet-priv-a")["registry"]
    reason = ("zone Z0DKR (dkr.ecr.us-east-1.amazonaws.com), which the Route 53 Profile of vpc-app carries, and the "
              "private DNS of its own endpoint both answer 111122223333.dkr.ecr.us-east-1.amazonaws.com: AWS gives a "
              "VPC's own association precedence over its Profile's for the same domain, but does not say whether an "
              "endpoint's private DNS counts as one")
    assert (found.path, found.reason) == ("unknown", reason)
    assert whole(answer_of(data, "ecr.dkr", "vpc-app")) == ("unknown", reason, None, "Z0DKR", None, None)


@st.composite
def own_and_carried(draw: st.DrawFn) -> tuple[list[tuple[str, Name, bool]], Name]:
    """Zones (or rules) by id, domain and whether they come through the Profile; one domain at most once per side
    (AWS refuses two associations of the same domain with one VPC)."""
    items = draw(st.lists(st.tuples(st.sampled_from(["Z1", "Z2", "Z3", "Z4", "Z5"]), st.lists(LABELS, max_size=3).map(tuple),
                                    st.booleans()), max_size=6, unique_by=(lambda i: i[0], lambda i: (i[1], i[2]))))
    return items, tuple(draw(st.lists(LABELS, max_size=4)))


@settings(max_examples=300, deadline=None)
@given(own_and_carried(), st.data())
def test_the_vpcs_own_domain_wins_and_the_most_specific_otherwise_against_a_reference(case, data):
    items, name = case
    holding = [(len(labels), through, zone_id) for zone_id, labels, through in items if below(name, labels)]
    expected = min(holding, key=lambda h: (-h[0], h[1]))[2] if holding else None  # on a tie the VPC's own (False < True)
    zones = {through: [HostedZone(hosted_zone_id=z, name=render(labels, data.draw)) for z, labels, t in items if t == through]
             for through in (False, True)}
    found = best_zone(effective(zones[False], zones[True], lambda z: dns_name(z.name)), ".".join(name))
    assert (found.hosted_zone_id if found else None) == expected
    rules = {through: [ResolverRule(resolver_rule_id=z, domain_name=render(labels, data.draw), rule_type="FORWARD")
                       for z, labels, t in items if t == through] for through in (False, True)}
    rule = best_rule(effective(rules[False], rules[True], lambda r: dns_name(r.domain_name)), ".".join(name))
    assert (rule.resolver_rule_id if rule else None) == expected


def test_effective_keeps_the_vpcs_own_and_adds_the_profiles_other_domains():
    own = [HostedZone(hosted_zone_id="Z1", name="a.example."), HostedZone(hosted_zone_id="Z2", name="b.example.")]
    carried_zones = [HostedZone(hosted_zone_id="Z3", name="A.example"), HostedZone(hosted_zone_id="Z4", name="c.example")]
    kept = effective(own, carried_zones, lambda z: dns_name(z.name))
    assert [z.hosted_zone_id for z in kept] == ["Z1", "Z2", "Z4"]
