"""Joining accounts' views of a region: a private hosted zone or a Resolver rule shared across accounts is listed by
each account with its own VPCs only, and its records are read only by its owner, so the joined region must hold one
copy with every association and the owner's records, whatever the order of the accounts; and only linked accounts
are joined together, so a source one account could not read costs only the accounts linked to it."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vpclint.engine import evaluate
from vpclint.fixtures import builtin_base
from vpclint.region_links import linked_accounts
from vpclint.region_views import combine_region
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot
from vpclint.snapshot_hub import ResourceRecordSet

REGION = "eu-west-1"
RECORD = {"name": "\\052.dkr.ecr.eu-west-1.amazonaws.com.", "type": "A",
          "alias_dns_name": "vpce-0hub-x.dkr.ecr.eu-west-1.vpce.amazonaws.com."}
accounts = st.lists(st.text("0123456789", min_size=12, max_size=12), min_size=1, max_size=4, unique=True)


def view(account: str, owner: str, vpcs: int) -> dict:
    """One account's view: its VPCs, the owner's zone and rule as that account lists them (its own VPCs' associations;
    the records only when it owns the zone)."""
    vpc_ids = [f"vpc-{account}-{n}" for n in range(vpcs)]
    zone = {"hosted_zone_id": "Z0DKR", "name": "dkr.ecr.eu-west-1.amazonaws.com.", "owner_account": owner,
            "vpc_ids": vpc_ids, "records_read": account == owner, "record_sets": [RECORD] if account == owner else []}
    rule = {"resolver_rule_id": "rslvr-rr-1", "domain_name": "ecr.eu-west-1.amazonaws.com.", "rule_type": "FORWARD",
            "owner_id": owner, "vpc_ids": vpc_ids}
    return {"account_id": account, "regions": [{
        "region": REGION, "collected": ["vpcs", "hosted_zones", "resolver_rules"],
        "vpcs": [{"vpc_id": v, "owner_id": account, "cidr_blocks": ["10.0.0.0/16"]} for v in vpc_ids],
        "hosted_zones": [zone], "resolver_rules": [rule]}]}


@settings(max_examples=80, deadline=None)
@given(accounts, st.data())
def test_a_zone_and_rule_seen_by_several_accounts_keep_every_association_and_the_owners_records(listed, data):
    owner = data.draw(st.sampled_from(listed + ["999999999999"]), label="owner (maybe not scanned)")
    sizes = {a: data.draw(st.integers(0, 2), label=f"VPCs of {a}") for a in listed}
    snapshot = Snapshot.model_validate({"schema_version": 3, "accounts": [view(a, owner, sizes[a]) for a in listed]})
    joined = combine_region(snapshot, REGION)
    (zone,) = joined.region.hosted_zones
    (rule,) = joined.region.resolver_rules
    every = sorted(f"vpc-{a}-{n}" for a in listed for n in range(sizes[a]))
    assert zone.vpc_ids == every and rule.vpc_ids == every
    records = [ResourceRecordSet.model_validate(RECORD)] if owner in listed else []
    assert (zone.records_read, zone.record_sets) == (owner in listed, records)
    holder = owner if owner in listed else min(listed)
    assert joined.account_of("Z0DKR") == holder and joined.account_of("rslvr-rr-1") == holder


# --- which views are joined together ------------------------------------------------------------------------------

def linked_by_brute_force(holdings: dict[str, dict[str, str]]) -> set[frozenset[str]]:
    """Connected accounts: two hold the same VPC, or one names the other as a VPC's owner."""
    edges = {a: {b for b in holdings if b != a and (set(holdings[a]) & set(holdings[b])
                                                   or b in holdings[a].values() or a in holdings[b].values())}
             for a in holdings}
    groups, seen = set(), set()
    for start in holdings:
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            account = todo.pop()
            if account not in group:
                group.add(account)
                todo.extend(edges[account] - group)
        seen |= group
        groups.add(frozenset(group))
    return groups


@settings(max_examples=150, deadline=None)
@given(accounts, st.data())
def test_views_are_joined_in_groups_of_linked_accounts_reading_alike(listed, data):
    vpcs = st.sampled_from([f"vpc-{n}" for n in range(6)])
    holdings = {a: data.draw(st.dictionaries(vpcs, st.sampled_from(listed), max_size=3), label=f"VPCs of {a} -> owner")
                for a in listed}
    read = {a: ["vpcs", *data.draw(st.sets(st.sampled_from(["subnets", "route_tables"])), label=f"read by {a}")]
            for a in listed}
    snapshot = Snapshot.model_validate({"schema_version": 3, "accounts": [{"account_id": a, "regions": [{
        "region": REGION, "collected": sorted(read[a]),
        "vpcs": [{"vpc_id": v, "owner_id": owner} for v, owner in sorted(held.items())]}]} for a, held in holdings.items()]})
    alike: dict[frozenset[str], set[str]] = {}  # linked groups reading the same sources are joined again
    for group in linked_by_brute_force(holdings):
        alike.setdefault(frozenset.intersection(*(frozenset(read[a]) for a in group)), set()).update(group)
    groups = linked_accounts(snapshot, REGION)
    assert {frozenset(g) for g in groups} == {frozenset(g) for g in alike.values()}
    assert all(g == sorted(g) for g in groups) and [g[0] for g in groups] == sorted(g[0] for g in groups)


def test_an_account_that_could_not_read_a_source_costs_only_the_accounts_linked_to_it():
    base = Snapshot.model_validate(builtin_base()).accounts[0].regions[0].model_dump(mode="json")

    def account(number: str, *, lacking: str = "", peer: str = "") -> dict:
        region = json.loads(re.sub(r'"(vpc|subnet|rtb|sg|vpce|nat|igw|acl|eni|dopt)-([\w-]+)"', rf'"\1-\2-{number}"',
                                   json.dumps(base)))
        region["collected"] = [s for s in region["collected"] if s != lacking]
        if peer:
            region["vpc_peering_connections"] = [{"vpc_peering_connection_id": peer, "status": "active"}]
        return {"account_id": number * 12, "regions": [region]}

    snapshot = Snapshot.model_validate({"schema_version": 3, "accounts": [
        account("1"), account("2", lacking="network_acls", peer="pcx-23"), account("3", peer="pcx-23")]})
    assert linked_accounts(snapshot, "us-east-1") == [["111111111111"], ["222222222222", "333333333333"]]
    report = evaluate(snapshot, load_rules())
    assert {(row.account_id, row.verdict) for row in report.vpcs} == {
        ("111111111111", "private"), ("222222222222", "unknown"), ("333333333333", "unknown")}
    assert {n.account_id for n in report.not_evaluated} == {"222222222222", "333333333333"}
    assert {(n.account_id, n.rule_id) for n in report.not_evaluated} >= {("333333333333", "network-acl-blocks-pull")}


def test_a_zone_whose_scanned_owner_did_not_list_it_says_so():
    """The hub's zone is associated with the spoke's VPC only: the hub account, scanned, never lists it (vpclint asks
    for the zones of its own VPCs), so its records stay unread, and the reason says why rather than 'scan it'."""
    base = Snapshot.model_validate(builtin_base()).accounts[0].regions[0].model_dump(mode="json")
    base["vpc_endpoints"] = [e for e in base["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-dkr"]
    base["hosted_zones"] = [{"hosted_zone_id": "Z0DKR", "name": "dkr.ecr.us-east-1.amazonaws.com.", "owner_account": "999988887777",
                             "vpc_ids": ["vpc-app"], "records_read": False}]
    spoke = {"account_id": "111122223333", "regions": [base]}
    hub = {"account_id": "999988887777", "regions": [{"region": "us-east-1", "collected": base["collected"],
                                                        "vpcs": [{"vpc_id": "vpc-hub", "owner_id": "999988887777"}]}]}
    report = evaluate(Snapshot.model_validate({"schema_version": 3, "accounts": [spoke, hub]}), load_rules())
    (row,) = [r for r in report.vpcs if r.vpc_id == "vpc-app"]
    assert row.verdict == "unknown"
    assert ("its owner, account 999988887777, was scanned but lists it for none of its VPCs with a private subnet"
            in row.subnets[0].flows["registry"].reason)


def test_the_joined_nat_gateway_metrics_hold_every_accounts_gateways_once_in_the_first_window():
    """Each account reads the NAT gateway traffic of its own gateways (a shared VPC's gateway in each view that sees
    it): the joined region prices every gateway once, sorted, over the first view's window."""
    def traffic(gateway: str, sent: int) -> dict:
        return {"nat_gateway_id": gateway, "bytes_in_from_source": sent, "bytes_in_from_destination": 0}

    def account(number: str, day: int, gateways: list[dict]) -> dict:
        return {"account_id": number * 12, "regions": [{
            "region": REGION, "collected": ["vpcs"], "vpcs": [{"vpc_id": "vpc-shared", "owner_id": "1" * 12}],
            "nat_gateway_metrics": {"start": f"2024-01-0{day}T00:00:00Z", "end": "2024-02-01T00:00:00Z", "days": 32 - day,
                                    "gateways": gateways}}]}

    snapshot = Snapshot.model_validate({"schema_version": 3, "accounts": [
        account("2", 2, [traffic("nat-b", 5), traffic("nat-shared", 7)]),
        account("1", 1, [traffic("nat-shared", 7), traffic("nat-a", 3)])]})
    metrics = combine_region(snapshot, REGION).region.nat_gateway_metrics
    assert metrics is not None and metrics.days == 31
    assert [(g.nat_gateway_id, g.bytes_in_from_source) for g in metrics.gateways] == [("nat-a", 3), ("nat-b", 5), ("nat-shared", 7)]


def test_a_region_no_account_could_read_is_attributed_to_the_first_account_and_every_view_is_unread():
    snapshot = Snapshot.model_validate({"schema_version": 3, "accounts": [
        {"account_id": number * 12, "regions": [{"region": REGION, "collected": ["subnets"]}]} for number in "21"]})
    joined = combine_region(snapshot, REGION)
    assert (joined.accounts, joined.default, joined.account_of("vpc-1")) == (frozenset(), "1" * 12, "1" * 12)
    assert joined.unread == {"1" * 12: frozenset({"subnets"}), "2" * 12: frozenset({"subnets"})}
    assert joined.region.collected == [] and joined.region.vpcs == []
