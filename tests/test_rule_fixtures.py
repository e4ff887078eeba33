"""Every rule fixture case (tests/rule_fixtures/<rule-id>.yaml) through the engine, and the meta-test.

The runner is :mod:`vpclint.fixtures`, the one ``vpclint rules test`` uses; ``BASE``, ``CASES`` and
``apply_patch`` are shared with the tests that replay the fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vpclint.engine import evaluate
from vpclint.fixtures import apply_patch, builtin_base, load_cases, run_case
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot

__all__ = ["BASE", "CASES", "FIXTURES", "apply_patch"]

FIXTURES = Path(__file__).resolve().parent / "rule_fixtures"
BASE = builtin_base()
FIXTURE_CASES = load_cases(FIXTURES)
CASES = [(case.rule_id, case.data) for case in FIXTURE_CASES]
RULES = {rule.id: rule for rule in load_rules()}


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=[f"{c.rule_id}: {c.name}" for c in FIXTURE_CASES])
def test_rule_fixture(case) -> None:
    outcome = run_case(case, BASE, RULES)
    assert outcome.passed, outcome.problem


def test_base_fixture_is_compliant_for_every_rule() -> None:
    report = evaluate(Snapshot.model_validate(BASE), load_rules())
    assert report.findings == [], [f.rule_id for f in report.findings]


def test_every_builtin_rule_has_fire_and_quiet_fixtures() -> None:
    expectations: dict[str, set[str]] = {}
    for rule_id, case in CASES:
        expectations.setdefault(rule_id, set()).add(case["expect"])
    for rule in load_rules():
        assert expectations.get(rule.id, set()) >= {"fire", "quiet"}, f"{rule.id} needs fire and quiet fixtures"


def test_a_vpc_without_subnets_beside_the_base_is_compliant_for_every_rule() -> None:
    """A new VPC as AWS creates it (main route table, default group and network ACL, no subnets) is in no rule's
    scope: no finding, and every rule's expressions take its empty lists."""
    data = apply_patch(BASE, {"patch": [
        {"op": "add", "collection": "vpcs", "value": {"vpc_id": "vpc-new", "cidr_blocks": ["10.9.0.0/16"],
                                                      "dhcp_options_id": "dopt-amazon"}},
        {"op": "add", "collection": "route_tables", "value": {
            "route_table_id": "rtb-new", "vpc_id": "vpc-new", "associations": [{"association_id": "rtbassoc-new", "main": True}],
            "routes": [{"destination_cidr_block": "10.9.0.0/16", "target_type": "local", "target_id": "local", "state": "active"}]}},
        {"op": "add", "collection": "security_groups", "value": {
            "group_id": "sg-new-default", "group_name": "default", "vpc_id": "vpc-new", "ingress": [],
            "egress": [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]}},
        {"op": "add", "collection": "network_acls", "value": {
            "network_acl_id": "acl-new", "vpc_id": "vpc-new", "is_default": True, "subnet_ids": [], "entries": []}},
    ]})
    report = evaluate(Snapshot.model_validate(data), load_rules())
    assert report.findings == [], [(f.rule_id, f.resource_id) for f in report.findings]
    assert {v.vpc_id: v.verdict for v in report.vpcs} == {"vpc-app": "private", "vpc-new": "not_in_scope"}
