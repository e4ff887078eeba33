"""Shared VPCs: a participant's view of a VPC owned by another account is unknown, never private and never
"missing endpoints"; the owner's view, or a scan holding both, is decided as usual."""

from __future__ import annotations

import dataclasses

from test_flows import base, find, paths, region_of

from vpclint.path.index import build_index
from vpclint.path.owners import unscanned_owner
from vpclint.path.verdicts import subnet_path, vpc_verdict
from vpclint.snapshot import Snapshot
from vpclint.view import build_view

OWNER = "444455556666"
PARTICIPANT_SEES = ("vpcs", "subnets", "security_groups", "network_interfaces")
"""What a participant's describes return of a shared VPC: the VPC, the shared subnets, its own groups and
interfaces (the owner's route tables, network ACLs, endpoints and NAT gateways are not listed)."""


def participant_view() -> dict:
    """The base account as a participant of ``OWNER``'s shared VPC: no route table, ACL or endpoint visible."""
    data = base()
    region = region_of(data)
    find(data, "vpcs", "vpc_id", "vpc-app")["owner_id"] = OWNER
    for collection in ("route_tables", "network_acls", "vpc_endpoints", "nat_gateways", "internet_gateways"):
        region[collection] = []
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["interface_type"] == "interface"]
    return data


def test_a_participant_view_of_a_shared_vpc_without_endpoints_is_unknown_naming_the_owner():
    result = paths(participant_view())
    workload = [p for p in result.values() if p.workload]
    # which subnets are public is the owner's route tables' to say: the empty one counts too
    assert sorted(p.subnet_id for p in workload) == ["subnet-iso-b", "subnet-priv-a", "subnet-priv-b", "subnet-pub-a"]
    for subnet in workload:
        assert subnet.verdict == "unknown"
        assert {f.path for f in subnet.flows.values()} == {"unknown"}
        for flow in subnet.flows.values():
            assert f"owned by account {OWNER}: scan that account" in flow.reason
    assert vpc_verdict(list(result.values()), skipped=False) == "unknown"


def test_a_shared_subnet_without_workloads_of_the_participant_is_still_judged_unknown():
    data = participant_view()
    region_of(data)["network_interfaces"] = []
    result = paths(data)
    assert {p.subnet_id for p in result.values() if p.workload} == {s["subnet_id"] for s in region_of(data)["subnets"]}
    assert {p.verdict for p in result.values()} == {"unknown"}


def test_a_shared_vpc_whose_owner_resources_are_listed_is_unknown_until_the_owner_is_scanned():
    data = base()
    find(data, "vpcs", "vpc_id", "vpc-app")["owner_id"] = OWNER
    snapshot = Snapshot.model_validate(data)
    region = snapshot.regions[0]
    index = build_index(snapshot, region)
    assert {subnet_path(index, s).verdict for s in region.subnets} == {"unknown", None}
    both = dataclasses.replace(build_index(snapshot, region), accounts=frozenset({snapshot.accounts[0].account_id, OWNER}))
    decided = [subnet_path(both, s) for s in region.subnets]
    assert {p.verdict for p in decided if p.workload} == {"private"}
    assert vpc_verdict(decided, skipped=False) == "private"


def test_the_owners_own_view_is_decided_as_usual():
    data = base()
    find(data, "vpcs", "vpc_id", "vpc-app")["owner_id"] = data["account_id"]
    assert vpc_verdict(list(paths(data).values()), skipped=False) == "private"


def test_the_view_says_whose_vpc_it_is_and_whether_that_account_was_scanned():
    (region,) = build_view(Snapshot.model_validate(participant_view()))
    (vpc,) = region.items["vpc"]
    assert (vpc["owner_id"], vpc["owner_scanned"], vpc["in_scope"], vpc["verdict"]) == (OWNER, False, True, "unknown")
    assert f"owned by account {OWNER}: scan that account" in vpc["verdict_summary"]
    (own,) = next(build_view(Snapshot.model_validate(base()))).items["vpc"]
    assert (own["owner_id"], own["owner_scanned"]) == (None, True)


def test_the_reason_says_what_a_participant_cant_see_and_a_vpc_not_in_the_index_has_no_unscanned_owner():
    result = paths(participant_view())
    assert result["subnet-priv-a"].flows["registry"].reason == (
        f"vpc-app is owned by account {OWNER}: scan that account (a participant can't see the owner's route tables, "
        "network ACLs or endpoints)")
    snapshot = Snapshot.model_validate(participant_view())
    index = build_index(snapshot, snapshot.regions[0])
    assert (unscanned_owner(index, "vpc-app"), unscanned_owner(index, "vpc-gone")) == (OWNER, None)
