"""Joining every account's view of a region: a private hosted zone or a Resolver rule shared across accounts is
listed by each account with its own VPCs only, and its records are read only by its owner; the joined region must
hold one copy with every association and the owner's records, whatever the order of the accounts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vpclint.region_views import combine_region
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
