"""Every scanned account's view of a region joined into one (vpclint.region_views): against a brute-force reference
written from the module's definition, and a hub and its spoke in two accounts (the spoke's association with the
hub's private hosted zones is in the spoke account's view, the zones' records in the hub account's)."""

from __future__ import annotations

import copy
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vpclint.path.index import build_index
from vpclint.path.verdicts import subnet_path
from vpclint.region_views import CombinedRegion, combine_region
from vpclint.snapshot import (
    CollectionError,
    DhcpOptions,
    ItemNote,
    PrefixList,
    RegionSnapshot,
    SecurityGroup,
    Snapshot,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from vpclint.snapshot_metrics import NatGatewayMetrics, NatGatewayTraffic
from vpclint.snapshot_hub import (
    HostedZone,
    ProfileResource,
    ProfileVpcAssociation,
    ResolverRule,
    ResourceRecordSet,
    Route53Profile,
)

sys.path.insert(0, str(Path(__file__).parent / "path"))
from hubworld import hub_and_spoke, region_of  # noqa: E402

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
VPC_OWNERS = {"vpc-1": ACCOUNTS[0], "vpc-2": ACCOUNTS[1], "vpc-3": None}
ENDPOINT_OWNERS = {"vpc-1": None, "vpc-2": ACCOUNTS[2], "vpc-3": ACCOUNTS[1]}
"""An endpoint's own owner_id (None: not read, its VPC's owner counts)."""
SOURCES = ["subnets", "security_groups", "hosted_zones", "dhcp_options"]
RECORDS = {z: [ResourceRecordSet(name=f"{z.lower()}.example.com", type="A", values=["10.0.0.1"])] for z in ("Z1", "Z2")}
PROFILE_RESOURCES = [ProfileResource(resource_arn="arn:aws:route53:::hostedzone/Z1", kind="hosted_zone", resource_id="Z1")]
GATEWAYS = {g: NatGatewayTraffic(nat_gateway_id=g, bytes_in_from_source=n, bytes_in_from_destination=n)
            for n, g in enumerate(("nat-1", "nat-2", "nat-3"))}


@st.composite
def view(draw: st.DrawFn, account: str, region: str = "us-east-1") -> RegionSnapshot:
    """One account's view of a region: every resource tagged with the account that saw it, so the kept copy shows."""
    seen = {"seen-by": account}

    def some(items: list[str]) -> list[str]:  # most of them: views overlap, as they do in an organisation
        return [i for i in items if draw(st.integers(0, 3))]

    vpcs = some(sorted(VPC_OWNERS))
    read = draw(st.integers(0, 3)) > 0
    metrics = None
    if draw(st.booleans()):
        day = draw(st.integers(1, 3))
        metrics = NatGatewayMetrics(start=datetime(2024, 1, day, tzinfo=timezone.utc), end=datetime(2024, 2, 1, tzinfo=timezone.utc),
                                    days=31 - day, gateways=[GATEWAYS[g] for g in some(sorted(GATEWAYS))])
    zones = []
    for zone_id in some(sorted(RECORDS)):
        read_records = draw(st.booleans())
        zones.append(HostedZone(hosted_zone_id=zone_id, name="dkr.ecr.us-east-1.amazonaws.com", vpc_ids=sorted(some(vpcs)),
                                records_read=read_records, record_sets=RECORDS[zone_id] if read_records else []))
    return RegionSnapshot(
        region=region,
        collected=sorted(some(SOURCES) + (["vpcs"] if read else [])),
        errors=[CollectionError(region=region, api=f"ec2:Describe{account}", code="x", message="m")] if draw(st.booleans()) else [],
        vpcs=[Vpc(vpc_id=v, owner_id=VPC_OWNERS[v], tags=seen) for v in vpcs],
        subnets=[Subnet(subnet_id=f"subnet-{v}", vpc_id=v, availability_zone="us-east-1a", tags=seen) for v in some(vpcs)],
        security_groups=[SecurityGroup(group_id=f"sg-{v}", group_name=account, vpc_id=v) for v in some(vpcs)],
        vpc_endpoints=[VpcEndpoint(vpc_endpoint_id=f"vpce-{v}", vpc_id=v, owner_id=ENDPOINT_OWNERS[v], service_name=account)
                       for v in some(vpcs)],
        prefix_lists=[PrefixList(prefix_list_id="pl-s3", prefix_list_name=account, owner_id="AWS")] if draw(st.booleans()) else [],
        dhcp_options=[DhcpOptions(dhcp_options_id="dopt-1", domain_name_servers=[account])] if draw(st.booleans()) else [],
        notes=[ItemNote(api="ec2:DescribeVpcs", item_id=account, message="m")] if draw(st.booleans()) else [],
        nat_gateway_metrics=metrics,
        hosted_zones=zones,
        hosted_zone_vpc_ids=sorted(some(vpcs)),
        resolver_rules=[ResolverRule(resolver_rule_id="rslvr-1", domain_name="ecr.us-east-1.amazonaws.com", rule_type="FORWARD",
                                     owner_id=ACCOUNTS[1], vpc_ids=sorted(some(vpcs)))] if draw(st.booleans()) else [],
        route53_profiles=[profile(draw, some(vpcs))] if draw(st.booleans()) else [],
    )


def profile(draw: st.DrawFn, vpcs: list[str]) -> Route53Profile:
    """A hub account's Profile associated with some of the view's VPCs; its resources listed or not, its owner known
    or not."""
    read = draw(st.booleans())
    return Route53Profile(profile_id="rp-1", owner_id=ACCOUNTS[1] if draw(st.booleans()) else None,
                          vpc_associations=[ProfileVpcAssociation(vpc_id=v, association_id=f"rpassoc-{v}") for v in vpcs],
                          resources_read=read, resources=PROFILE_RESOURCES if read else [])


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    accounts = [a for a in draw(st.permutations(ACCOUNTS)) if draw(st.integers(0, 3))]  # in any order
    listed = []
    for account in accounts:
        regions = [draw(view(account))] if draw(st.integers(0, 3)) else []
        if draw(st.booleans()):
            regions.append(draw(view(account, "eu-west-1")))
        listed.append({"account_id": account, "regions": regions})
    return Snapshot.model_validate({"schema_version": 3, "accounts": listed})


def owner(item: Any, vpc_owners: dict[str, str]) -> Optional[str]:
    own = getattr(item, "owner_id", None)
    return own if own is not None else vpc_owners.get(getattr(item, "vpc_id", None) or "")


def reference(snapshot: Snapshot, name: str) -> tuple[dict[str, Any], frozenset[str], str, dict[str, str], dict[str, frozenset[str]]]:
    """(region fields, joined accounts, default account, holders, unread) from the definition."""
    views = sorted(((a.account_id, r) for a in snapshot.accounts for r in a.regions if r.region == name), key=lambda v: v[0])
    if len(views) == 1:
        account, region = views[0]
        return region.model_dump(), frozenset({account}), account, {}, {}
    joined = [(a, r) for a, r in views if "vpcs" in r.collected]
    unread = {a: frozenset(r.collected) for a, r in views if "vpcs" not in r.collected}
    default = joined[0][0] if joined else views[0][0] if views else ""
    vpc_owners = {v.vpc_id: v.owner_id for _, r in joined for v in r.vpcs if v.owner_id}
    fields: dict[str, Any] = {"region": name, "collected": sorted(set.intersection(*(set(r.collected) for _, r in joined))) if joined else []}
    holders: dict[str, str] = {}
    for key in ("vpcs", "subnets", "security_groups", "vpc_endpoints", "prefix_lists", "dhcp_options", "hosted_zones",
                "resolver_rules", "route53_profiles", "nat_gateways", "internet_gateways", "route_tables", "network_acls", "network_interfaces",
                "transit_gateway_attachments", "transit_gateway_route_tables", "vpc_peering_connections"):
        copies: dict[str, list[tuple[str, Any]]] = {}
        for account, region in joined:
            for item in getattr(region, key):
                copies.setdefault(getattr(item, next(f for f in type(item).model_fields if f.endswith("_id"))), []).append((account, item))
        kept = []
        for item_id in sorted(copies):
            account, item = next(((a, i) for a, i in copies[item_id] if owner(i, vpc_owners) == a), copies[item_id][0])
            holders[item_id] = account
            item = item.model_dump()
            if key in ("hosted_zones", "resolver_rules"):  # every view's associations with its own VPCs
                item["vpc_ids"] = sorted({v for _, c in copies[item_id] for v in c.vpc_ids})
            if key == "route53_profiles":  # every view's associations, the resources of any view that read them
                item["vpc_associations"] = [a.model_dump() for a in sorted(
                    {a.vpc_id: a for _, c in copies[item_id] for a in c.vpc_associations}.values(), key=lambda a: a.vpc_id)]
                item["resources_read"] = any(c.resources_read for _, c in copies[item_id])
                item["resources"] = next((c.model_dump()["resources"] for _, c in copies[item_id] if c.resources_read), [])
                item["owner_id"] = next((c.owner_id for a, c in copies[item_id] if c.owner_id and a == holders[item_id]),
                                        next((c.owner_id for _, c in copies[item_id] if c.owner_id), None))
            if key == "hosted_zones":  # the records of any view that read them
                item["records_read"] = any(c.records_read for _, c in copies[item_id])
                item["record_sets"] = next((c.model_dump()["record_sets"] for _, c in copies[item_id] if c.records_read), [])
            kept.append(item)
        fields[key] = kept
    fields["errors"] = [e.model_dump() for _, r in joined for e in r.errors]
    fields["notes"] = [n.model_dump() for _, r in joined for n in r.notes]
    fields["hosted_zone_vpc_ids"] = sorted({v for _, r in joined for v in r.hosted_zone_vpc_ids})
    metrics = [r.nat_gateway_metrics for _, r in joined if r.nat_gateway_metrics is not None]
    gateways = sorted({g.nat_gateway_id for m in metrics for g in m.gateways})
    fields["nat_gateway_metrics"] = {**metrics[0].model_dump(), "gateways": [GATEWAYS[g].model_dump() for g in gateways]} if metrics else None
    return fields, frozenset(a for a, _ in joined), default, holders, unread


@settings(max_examples=300, deadline=None)
@given(snapshots(), st.sampled_from(["us-east-1", "ap-south-1"]))
def test_the_joined_region_against_a_reference(snapshot, name):
    fields, accounts, default, holders, unread = reference(snapshot, name)
    joined = combine_region(snapshot, name)
    assert joined.region.model_dump() == fields
    assert (joined.accounts, joined.default, joined.holders, joined.unread) == (accounts, default, holders, unread)
    assert {i: joined.account_of(i) for i in [*holders, "vpc-unlisted"]} == {**holders, "vpc-unlisted": default}
    assert joined.collected_by_account() == {**{a: frozenset(fields["collected"]) for a in accounts}, **unread}


def test_a_region_of_one_account_is_its_own_view():
    region = RegionSnapshot(region="us-east-1", vpcs=[Vpc(vpc_id="vpc-1")])
    snapshot = Snapshot.model_validate({"schema_version": 3, "accounts": [
        {"account_id": ACCOUNTS[1], "regions": [RegionSnapshot(region="eu-west-1")]},
        {"account_id": ACCOUNTS[0], "regions": [region]}]})
    single = CombinedRegion.single(snapshot, region)
    assert (single.region, single.accounts, single.default, single.account_of("vpc-1")) == (
        region, frozenset({ACCOUNTS[0]}), ACCOUNTS[0], ACCOUNTS[0])
    assert combine_region(snapshot, "us-east-1").region is region
    unheld = RegionSnapshot(region="us-east-1")  # not one of the snapshot's: the first account's
    assert CombinedRegion.single(snapshot, unheld).default == ACCOUNTS[1]
    empty = CombinedRegion.single(Snapshot.model_validate({"schema_version": 3, "accounts": []}), unheld)
    assert (empty.accounts, empty.default, empty.collected_by_account()) == (frozenset(), "", {})


HUB, SPOKE = "111111111111", "222222222222"


def hub_and_spoke_accounts(hub: str, spoke: str) -> Snapshot:
    """hubworld's hub (vpc-app) and spoke (vpc-spoke) in two accounts, each view as its account reads it: the spoke
    account lists its VPC's resources, its attachment and the hub's zones associated with its VPC, without their
    records (only the zones' owner reads them); the hub account the rest, every attachment of its transit gateway
    and its zones with their records."""
    region = region_of(hub_and_spoke())
    views = {hub: copy.deepcopy(region), spoke: copy.deepcopy(region)}
    for key, items in region.items():
        if isinstance(items, list) and items and isinstance(items[0], dict) and "vpc_id" in items[0]:
            views[spoke][key] = [i for i in items if i["vpc_id"] == "vpc-spoke"]
            if key != "transit_gateway_attachments":
                views[hub][key] = [i for i in items if i["vpc_id"] != "vpc-spoke"]
    views[spoke].update(internet_gateways=[], transit_gateway_route_tables=[], hosted_zone_vpc_ids=["vpc-spoke"])
    views[hub]["hosted_zone_vpc_ids"] = ["vpc-app"]
    for account, associated in ((hub, "vpc-app"), (spoke, "vpc-spoke")):
        for vpc in views[account]["vpcs"]:
            vpc["owner_id"] = account
        for attachment in views[account]["transit_gateway_attachments"]:
            attachment["vpc_owner_id"] = hub if attachment["vpc_id"] == "vpc-app" else spoke
        for zone in views[account]["hosted_zones"]:
            zone.update(owner_account=hub, vpc_ids=[associated])
            if account == spoke:
                zone.update(records_read=False, record_sets=[])
    return Snapshot.model_validate({"schema_version": 3, "accounts": [
        {"account_id": account, "regions": [views[account]]} for account in sorted(views)]})


@pytest.mark.parametrize("hub, spoke", [(HUB, SPOKE), (SPOKE, HUB)])
def test_a_spoke_in_another_account_resolves_to_the_hub_through_the_hubs_zones(hub, spoke):
    snapshot = hub_and_spoke_accounts(hub, spoke)
    joined = combine_region(snapshot, "us-east-1")
    assert [(z.hosted_zone_id, z.vpc_ids, z.records_read) for z in joined.region.hosted_zones] == [
        ("Z0API", ["vpc-app", "vpc-spoke"], True), ("Z0DKR", ["vpc-app", "vpc-spoke"], True)]
    index = build_index(snapshot, joined.region, joined)
    for subnet in joined.region.subnets:
        found = subnet_path(index, subnet)
        assert found.verdict == ("private" if found.workload else None), (subnet.subnet_id, found)
        if subnet.vpc_id == "vpc-spoke":
            assert {n: (f.path, f.via) for n, f in found.flows.items()} == {
                "registry_api": ("endpoint", "vpce-api"), "registry": ("endpoint", "vpce-dkr"),
                "layers": ("endpoint", "vpce-s3-vpc-spoke")}
