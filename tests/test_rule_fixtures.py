"""Every rule fixture case (tests/rule_fixtures/<rule-id>.yaml) through the engine, and the meta-test."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from vpclint.engine import evaluate
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot

FIXTURES = Path(__file__).resolve().parent / "rule_fixtures"
BASE = yaml.safe_load((FIXTURES / "base.yaml").read_text())


def _cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        if path.name == "base.yaml":
            continue
        document = yaml.safe_load(path.read_text())
        assert document["rule"] == path.stem, f"{path.name}: 'rule' must match the file name"
        for case in document["cases"]:
            cases.append((document["rule"], case))
    return cases


def _id_of(item: dict) -> str:
    return next(value for key, value in item.items() if key.endswith("_id"))


def apply_patch(base: dict, case: dict) -> dict:
    """A copy of ``base`` with the case's patch operations applied."""
    data = copy.deepcopy(base)
    regions = {r["region"]: r for r in data["regions"]}
    region = regions[case.get("region", data["regions"][0]["region"])]
    for op in case.get("patch") or []:
        kind = op["op"]
        if kind == "set_top":
            region[op["field"]] = op["value"]
            continue
        if kind == "add":
            region.setdefault(op["collection"], []).append(op["value"])
            continue
        collection, _, item_id = op["target"].partition("/")
        matches = [item for item in region[collection] if _id_of(item) == item_id]
        assert matches, f"patch target {op['target']} not found"
        if kind == "remove":
            region[collection] = [item for item in region[collection] if _id_of(item) != item_id]
        elif kind == "set":
            matches[0][op["field"]] = op["value"]
        else:
            raise AssertionError(f"unknown patch op {kind!r}")
    return data


CASES = _cases()


@pytest.mark.parametrize("rule_id,case", CASES, ids=[f"{r}: {c['name']}" for r, c in CASES])
def test_rule_fixture(rule_id: str, case: dict) -> None:
    snapshot = Snapshot.model_validate(apply_patch(BASE, case))
    report = evaluate(snapshot, load_rules(select=[rule_id]), settings=case.get("settings"))
    assert not report.not_evaluated, report.not_evaluated
    flagged = sorted(f.resource_id for f in report.findings)
    if case["expect"] == "fire":
        assert flagged == sorted(case["flagged"])
        for finding in report.findings:
            assert finding.evidence, "a finding must carry the evidence that made it fire"
            assert "{{" not in finding.message and "{{" not in finding.remediation
    else:
        assert case["expect"] == "quiet"
        assert flagged == []


def test_base_fixture_is_compliant_for_every_rule() -> None:
    report = evaluate(Snapshot.model_validate(BASE), load_rules())
    assert report.findings == [], [f.rule_id for f in report.findings]


def test_every_builtin_rule_has_fire_and_quiet_fixtures() -> None:
    expectations: dict[str, set[str]] = {}
    for rule_id, case in CASES:
        expectations.setdefault(rule_id, set()).add(case["expect"])
    for rule in load_rules():
        assert expectations.get(rule.id, set()) >= {"fire", "quiet"}, f"{rule.id} needs fire and quiet fixtures"
