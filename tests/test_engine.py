"""The engine: findings, not-evaluated rules, --fail-on thresholds and exit-code precedence."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vpclint.engine import evaluate
from vpclint.findings import fails
from vpclint.rules import load_rules, parse_rule_file
from vpclint.snapshot import (
    SOURCES, AccountError, CollectionError, RegionSnapshot, Route, RouteTable, RouteTableAssociation, Snapshot, Subnet, Vpc,
)

RULE_FILE = Path(__file__).resolve().parents[1] / "rules" / "ecr-dkr-endpoint-missing.yaml"


def region(name: str, vpc_ids: list[str], collected=SOURCES, errors=()) -> RegionSnapshot:
    """Each VPC has one private (NAT) subnet on its main table and no endpoint."""
    return RegionSnapshot(
        region=name,
        collected=sorted(collected),
        errors=list(errors),
        vpcs=[Vpc(vpc_id=v, cidr_blocks=["10.0.0.0/16"]) for v in vpc_ids],
        subnets=[Subnet(subnet_id=f"subnet-{v}", vpc_id=v, availability_zone=f"{name}a") for v in vpc_ids],
        route_tables=[
            RouteTable(route_table_id=f"rtb-{v}", vpc_id=v, associations=[RouteTableAssociation(main=True)],
                       routes=[Route(destination_cidr_block="0.0.0.0/0", target_type="nat_gateway", target_id="nat-1")])
            for v in vpc_ids
        ],
    )


def rule_with_severity(severity: str):
    data = yaml.safe_load(RULE_FILE.read_text()) | {"id": f"ecr-dkr-{severity}", "severity": severity}
    return parse_rule_file(yaml.safe_dump(data), f"test-{severity}.yaml")


@pytest.fixture
def ecr_rule():
    return load_rules(select=["ecr-dkr-endpoint-missing"])


def test_findings_are_sorted_fingerprinted_and_carry_evidence(ecr_rule):
    snapshot = Snapshot(account_id="111122223333", regions=[region("us-west-2", ["vpc-b", "vpc-a"]), region("eu-west-1", ["vpc-c"])])
    report = evaluate(snapshot, ecr_rule)
    assert [(f.region, f.vpc_id) for f in report.findings] == [("eu-west-1", "vpc-c"), ("us-west-2", "vpc-a"), ("us-west-2", "vpc-b")]
    first = report.findings[0]
    assert (first.rule_id, first.severity, first.resource_type, first.resource_arn) == (
        "ecr-dkr-endpoint-missing", "high", "vpc", "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-c")
    assert first.evidence["workload_subnets"][0]["subnet_id"] == "subnet-vpc-c"
    assert "vpc-c" in first.message and "eu-west-1" in first.remediation
    assert len({f.fingerprint for f in report.findings}) == 3
    assert report.exit_code() == 1
    again = evaluate(snapshot, ecr_rule)
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in report.findings]


def test_vpc_filter_limits_findings(ecr_rule):
    snapshot = Snapshot(account_id="1", regions=[region("us-east-1", ["vpc-a", "vpc-b"])])
    assert [f.vpc_id for f in evaluate(snapshot, ecr_rule, vpc_ids=["vpc-b"]).findings] == ["vpc-b"]


@pytest.mark.parametrize("severity, fail_on, code", [
    ("high", "low", 1), ("high", "high", 1), ("high", "critical", 0), ("high", "none", 0),
    ("critical", "critical", 1), ("medium", "high", 0), ("low", "low", 1), ("low", "medium", 0),
    ("info", "low", 0), ("info", "none", 0),
])
def test_fail_on_thresholds(severity, fail_on, code):
    snapshot = Snapshot(account_id="1", regions=[region("us-east-1", ["vpc-a"])])
    report = evaluate(snapshot, [rule_with_severity(severity)], fail_on=fail_on)
    assert report.summary.total == 1
    assert report.summary.failing == code
    assert report.exit_code() == code
    assert fails(severity, fail_on) is bool(code)


def test_incomplete_scan_exits_3_even_with_failing_findings(ecr_rule):
    """A region error makes the scan incomplete; 3 takes precedence over 1, whatever --fail-on says."""
    error = CollectionError(region="eu-west-1", api="ec2:DescribeVpcs", code="AccessDenied", message="no")
    snapshot = Snapshot(account_id="1", regions=[region("us-east-1", ["vpc-a"]), region("eu-west-1", [], collected=(), errors=[error])])
    for fail_on in ("low", "none"):
        report = evaluate(snapshot, ecr_rule, fail_on=fail_on)
        assert [f.region for f in report.findings] == ["us-east-1"]
        assert [(n.region, n.rule_id) for n in report.not_evaluated] == [("eu-west-1", "ecr-dkr-endpoint-missing")]
        assert report.errors == [AccountError(account_id="1", **error.model_dump())]
        assert (report.summary.complete, report.exit_code()) == (False, 3)


def test_missing_source_means_not_evaluated_not_compliant(ecr_rule):
    """With the endpoint list unread, the rule claims nothing and the scan is incomplete."""
    partial = region("us-east-1", ["vpc-a"], collected=set(SOURCES) - {"vpc_endpoints"})
    report = evaluate(Snapshot(account_id="1", regions=[partial]), ecr_rule)
    assert report.findings == []
    assert [(n.rule_id, n.missing) for n in report.not_evaluated] == [("ecr-dkr-endpoint-missing", ["vpc_endpoints"])]
    assert report.exit_code() == 3


def test_account_level_error_makes_the_scan_incomplete(ecr_rule):
    error = CollectionError(region="us-east-1", api="ec2:DescribeRegions", code="AccessDenied", message="no")
    snapshot = Snapshot(account_id="1", regions=[region("us-east-1", [])], errors=[error])
    report = evaluate(snapshot, ecr_rule)
    assert (report.findings, report.errors, report.exit_code()) == ([], [AccountError(account_id="1", **error.model_dump())], 3)


def test_clean_scan_exits_0(ecr_rule):
    snapshot = Snapshot(account_id="1", regions=[region("us-east-1", [])])
    report = evaluate(snapshot, ecr_rule)
    assert (report.summary.total, report.summary.complete, report.exit_code()) == (0, True, 0)
