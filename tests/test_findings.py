"""Findings: every resource kind's ARN, the fingerprint, the summary counts and the exit code."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from vpclint.engine import evaluate
from vpclint.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from vpclint.findings import AccountRow, account_label, fails, fingerprint, summarise
from vpclint.rules import parse_rule_file
from vpclint.snapshot import Snapshot

BASE = yaml.safe_load((Path(__file__).parent / "rule_fixtures" / "base.yaml").read_text())
ACCOUNT, REGION = "111122223333", "us-east-1"

# resource kind of the view -> the resource type in the ARN (arn:aws:ec2:<region>:<account>:<type>/<id>)
ARN_KINDS = {
    "vpc": "vpc",
    "subnet": "subnet",
    "route_table": "route-table",
    "endpoint": "vpc-endpoint",
    "security_group": "security-group",
}


def every_item_rule(kind: str, severity: str = "low") -> object:
    """A rule that fires on every item of ``kind``."""
    text = yaml.safe_dump({
        "schema_version": 1, "id": f"every-{kind.replace('_', '-')}", "title": f"every {kind}", "severity": severity,
        "resource": kind, "requires": ["vpcs"], "description": "d", "rationale": "r", "when": "`true`",
        "message": "{{ resource_id }}", "evidence": "resource_id", "remediation": "none",
    })
    return parse_rule_file(text, f"{kind}.yaml")


def snapshot(data=None) -> Snapshot:
    return Snapshot.model_validate(data or copy.deepcopy(BASE))


@pytest.mark.parametrize("kind", sorted(ARN_KINDS))
def test_every_resource_kind_has_its_ec2_arn_in_findings(kind):
    report = evaluate(snapshot(), [every_item_rule(kind)])
    region = BASE["regions"][0]
    ids = {
        "vpc": [v["vpc_id"] for v in region["vpcs"]],
        "subnet": [s["subnet_id"] for s in region["subnets"]],
        "route_table": [t["route_table_id"] for t in region["route_tables"]],
        "endpoint": [e["vpc_endpoint_id"] for e in region["vpc_endpoints"]],
        "security_group": [g["group_id"] for g in region["security_groups"]],
    }[kind]
    assert ids and sorted(f.resource_id for f in report.findings) == sorted(ids)
    for finding in report.findings:
        assert finding.resource_type == kind
        assert finding.resource_arn == f"arn:aws:ec2:{REGION}:{ACCOUNT}:{ARN_KINDS[kind]}/{finding.resource_id}"
        assert finding.fingerprint == fingerprint(finding.rule_id, ACCOUNT, REGION, finding.resource_id)
        assert (finding.account_id, finding.region, finding.vpc_id) == (ACCOUNT, REGION, "vpc-app")


def test_arn_uses_the_partition():
    data = copy.deepcopy(BASE)
    data["partition"] = "aws-cn"
    report = evaluate(snapshot(data), [every_item_rule("vpc")])
    assert [f.resource_arn for f in report.findings] == [f"arn:aws-cn:ec2:{REGION}:{ACCOUNT}:vpc/vpc-app"]


def test_fingerprint_is_stable_and_depends_on_each_part():
    base = fingerprint("rule", "1", "us-east-1", "vpc-1")
    assert base == fingerprint("rule", "1", "us-east-1", "vpc-1") and len(base) == 32
    assert base == "d3ff2e278d06da030a605c1b7567685f"  # sha256 of "rule|1|us-east-1|vpc-1", first 32 hex digits
    others = {fingerprint("rule2", "1", "us-east-1", "vpc-1"), fingerprint("rule", "2", "us-east-1", "vpc-1"),
              fingerprint("rule", "1", "us-east-2", "vpc-1"), fingerprint("rule", "1", "us-east-1", "vpc-2")}
    assert base not in others and len(others) == 4


@pytest.mark.parametrize("severity, fail_on, expected", [
    ("critical", "critical", True), ("high", "critical", False), ("high", "high", True), ("medium", "high", False),
    ("low", "low", True), ("low", "medium", False), ("info", "low", False), ("critical", "none", False),
])
def test_fails_at_or_above_fail_on_and_never_for_info(severity, fail_on, expected):
    assert fails(severity, fail_on) is expected


def test_summary_counts_and_exit_codes():
    report = evaluate(snapshot(), [every_item_rule("vpc", "high"), every_item_rule("security_group", "low")], fail_on="high")
    summary = report.summary
    assert (summary.total, summary.failing, summary.new, summary.accepted, summary.expired, summary.fixed) == (3, 1, 3, 0, 0, 0)
    assert summary.by_severity == {"critical": 0, "high": 1, "medium": 0, "low": 2, "info": 0}
    assert (summary.fail_on, summary.rules_evaluated, summary.not_evaluated, summary.complete) == ("high", 2, 0, True)
    assert report.complete and report.exit_code() == EXIT_FINDINGS
    accepted = [f.model_copy(update={"baseline_state": "accepted"}) for f in report.findings]
    quiet = summarise(accepted, "low", 2, 0, True)
    assert (quiet.failing, quiet.new, quiet.accepted) == (0, 0, 3)
    assert report.model_copy(update={"summary": quiet}).exit_code() == EXIT_OK
    incomplete = summarise(report.findings, "high", 2, 1, False)
    assert report.model_copy(update={"summary": incomplete}).exit_code() == EXIT_INCOMPLETE
    assert (incomplete.skipped, incomplete.fixed) == (0, 0)  # none unless told
    assert summarise(report.findings, "high", 2, 0, True, fixed=1, skipped=4).skipped == 4


def test_an_account_is_labelled_with_its_organizations_name_when_known():
    assert account_label("111122223333", "payments-prod") == "111122223333 (payments-prod)"
    assert account_label("111122223333", None) == account_label("111122223333", "") == "111122223333"
    report = evaluate(snapshot(), [every_item_rule("vpc", "high")])
    named = report.model_copy(update={"accounts": [
        AccountRow(account_id="444455556666", account_name="shared-network", regions=["us-east-1"]),
        AccountRow(account_id="111122223333", account_name="payments-prod", regions=["us-east-1"])]})
    assert named.account_label("111122223333") == "111122223333 (payments-prod)"
    assert named.account_label("444455556666") == "444455556666 (shared-network)"
    assert named.account_label("777788889999") == "777788889999"  # not scanned: its id alone


def test_findings_sorted_worst_first_within_a_vpc_and_json_deterministic():
    report = evaluate(snapshot(), [every_item_rule("security_group", "low"), every_item_rule("vpc", "high")])
    assert [f.severity for f in report.findings] == ["high", "low", "low"]
    assert [f.resource_id for f in report.findings[1:]] == sorted(f.resource_id for f in report.findings[1:])
    text = report.to_json()
    assert text.endswith("}\n") and text.startswith('{\n  "accounts"')
    data = json.loads(text)
    assert data["schema"] == "vpclint.findings/v3"
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"


def test_findings_without_a_vpc_sort_before_those_of_a_vpc():
    report = evaluate(snapshot(), [every_item_rule("vpc", "high")])
    in_vpc = report.findings[0]
    account_wide = in_vpc.model_copy(update={"vpc_id": None, "resource_id": "acct", "severity": "low"})
    assert sorted([in_vpc, account_wide], key=type(in_vpc).sort_key) == [account_wide, in_vpc]
