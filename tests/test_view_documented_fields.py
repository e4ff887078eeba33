"""Every item of the view carries exactly the fields docs/view.md documents for its kind, and so do the subnet
facts, endpoint summaries and security groups nested in VPC and route-table items: rules are written against
that page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from vpclint.snapshot import Snapshot
from vpclint.view import RESOURCE_KINDS, build_region_view

DOC = Path(__file__).resolve().parents[1] / "docs" / "view.md"
BASE = Path(__file__).resolve().parents[1] / "vpclint" / "fixture_base.yaml"
ITEM_ONLY = "`endpoint` items only"


def _sections() -> dict[str, str]:
    """docs/view.md's ``## `` sections by heading."""
    parts = re.split(r"^## (.+)$", DOC.read_text(), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def _table_keys(section: str, item_only: bool | None = None) -> set[str]:
    """The backticked names in the first column of a section's table; ``item_only`` keeps only the rows marked
    "`endpoint` items only" (True) or only the others (False)."""
    keys: set[str] = set()
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) < 3 or not cells[1].strip().startswith("`"):
            continue
        if item_only is not None and (ITEM_ONLY in cells[2]) != item_only:
            continue
        keys |= set(re.findall(r"`([a-z0-9_]+)`", cells[1]))
    return keys


def documented() -> dict[str, set[str]]:
    """The documented fields of each item kind and of the nested facts (``subnet_facts``, ``endpoint_summary``,
    ``group``)."""
    sections = _sections()
    context = _table_keys(sections["Context keys (every item)"])
    subnet = _table_keys(sections["Subnet facts"])
    summary = _table_keys(sections["Endpoint summaries and `endpoint` items"], item_only=False)
    endpoint_only = _table_keys(sections["Endpoint summaries and `endpoint` items"], item_only=True)
    group_text = sections["`security_group` items"].split(". ")[0]
    group = set(re.findall(r"`([a-z_]+)`", group_text)) - {"vpc"}
    rule_text = sections["`security_group` items"].split(". ", 1)[1].split("## ")[0]
    rule = set(re.findall(r"`([a-z0-9_]+)`", re.sub(r"\([^)]*\)", "", rule_text)))  # (values) are not fields
    return {
        "vpc": context | _table_keys(sections["`vpc` items"]),
        "subnet": context | subnet | {"vpc"},
        "route_table": context | _table_keys(sections["`route_table` items"]),
        "endpoint": context | summary | endpoint_only | {"vpc"},
        "security_group": context | group | {"vpc"},
        "subnet_facts": subnet,
        "endpoint_summary": summary,
        "group": group,
        "rule": rule,
    }


@pytest.fixture
def view():
    snapshot = Snapshot.model_validate(yaml.safe_load(BASE.read_text()))
    return build_region_view(snapshot, snapshot.regions[0])


@pytest.mark.parametrize("kind", RESOURCE_KINDS)
def test_every_item_carries_exactly_the_documented_fields_of_its_kind(view, kind):
    expected = documented()[kind]
    assert view.items[kind], f"the base snapshot has {kind} items"
    for item in view.items[kind]:
        assert set(item) == expected, (item["resource_id"], set(item) ^ expected)


def test_subnet_facts_endpoint_summaries_and_groups_in_a_vpc_item_are_the_documented_ones(view):
    fields = documented()
    (vpc,) = view.items["vpc"]
    for name in ("subnets", "private_subnets", "workload_subnets", "public_subnets", "nat_subnets", "isolated_subnets"):
        assert all(set(s) == fields["subnet_facts"] for s in vpc[name]), name
    assert all(set(e) == fields["endpoint_summary"] for e in vpc["endpoints"])
    assert all(set(e) == fields["endpoint_summary"] for es in vpc["endpoints_by_service"].values() for e in es)
    assert all(set(g) == fields["group"] for g in vpc["security_groups"].values())
    for table in view.items["route_table"]:
        for name in ("subnets", "private_subnets", "workload_subnets"):
            assert all(set(s) == fields["subnet_facts"] for s in table[name]), (table["route_table_id"], name)


def test_every_security_group_rule_carries_exactly_the_documented_fields(view):
    """The rules of ``security_group`` items (and of the groups nested in VPC items) have the fields the page
    lists, the group-reference ones included."""
    expected = documented()["rule"]
    rules = [r for g in view.items["security_group"] for r in g["ingress"] + g["egress"]]
    assert rules, "the base snapshot's groups have rules"
    assert all(set(r) == expected for r in rules), [sorted(set(r) ^ expected) for r in rules]
    (vpc,) = view.items["vpc"]
    assert all(set(r) == expected for g in vpc["security_groups"].values() for r in g["ingress"] + g["egress"])
