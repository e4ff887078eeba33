"""The wrong verdicts of the enterprise-topology issue, right on the command line: ``vpclint scan --snapshot`` of
a shared VPC seen by a participant, an extra cross-region endpoint, IPv6-only subnets with ipv4 and with
dualstack endpoints, and dual-stack and IPv4-only subnets against endpoints answering AAAA only. Each snapshot is the one a rule fixture case builds (tests/rule_fixtures/)."""

from __future__ import annotations

import json
from pathlib import Path

from vpclint.fixtures import apply_patch, builtin_base, load_cases

FIXTURES = Path(__file__).resolve().parent / "rule_fixtures"


def snapshot_file(tmp_path: Path, rule_id: str, case_name: str) -> Path:
    """The snapshot of one fixture case, written to a file."""
    (case,) = [c for c in load_cases(FIXTURES) if c.rule_id == rule_id and c.name == case_name]
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(apply_patch(builtin_base(), case.data)), encoding="utf-8")
    return path


def scan(run_vpclint, path: Path) -> tuple[int, dict]:
    result = run_vpclint(["scan", "--snapshot", str(path), "--format", "json"])
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, result.json()


def high(report: dict) -> list[tuple[str, str]]:
    return [(f["rule_id"], f["resource_id"]) for f in report["findings"] if f["severity"] in ("critical", "high")]


def test_a_participants_view_of_a_shared_vpc_is_unknown_and_never_a_clean_exit(run_vpclint, tmp_path):
    path = snapshot_file(tmp_path, "shared-vpc-owner-not-scanned",
                         "a participant's view of a shared VPC with no route tables or endpoints visible")
    code, report = scan(run_vpclint, path)
    assert code == 1
    (row,) = report["vpcs"]
    assert row["verdict"] == "unknown"
    assert "owned by account 444455556666: scan that account" in row["summary"]
    rules = sorted(f["rule_id"] for f in report["findings"])
    assert rules == ["shared-vpc-owner-not-scanned"]  # no "missing endpoint" guessed from what is unseen
    console = run_vpclint(["scan", "--snapshot", str(path)])
    assert console.returncode == 1 and "shared-vpc-owner-not-scanned" in console.stdout


def test_an_extra_cross_region_endpoint_next_to_complete_local_ones_is_info_only(run_vpclint, tmp_path):
    path = snapshot_file(tmp_path, "endpoint-serves-other-region",
                         "an extra cross-region ecr.dkr endpoint (ServiceRegion us-west-2) next to complete local endpoints")
    code, report = scan(run_vpclint, path)
    assert code == 0  # info never fails
    assert [(f["rule_id"], f["severity"], f["resource_id"]) for f in report["findings"]] == [
        ("endpoint-serves-other-region", "info", "vpce-dkr-west")]
    assert [row["verdict"] for row in report["vpcs"]] == ["private"]


def test_ipv6_only_subnets_with_ipv4_endpoints_are_broken_and_with_dualstack_ones_private(run_vpclint, tmp_path):
    code, report = scan(run_vpclint, snapshot_file(
        tmp_path, "endpoint-ip-type-mismatch", "an IPv6-only subnet whose ECR interface endpoints are ipv4"))
    assert code == 1
    (row,) = report["vpcs"]
    assert row["verdict"] == "broken"
    subnet = next(s for s in row["subnets"] if s["subnet_id"] == "subnet-priv-a")
    assert subnet["flows"]["registry"]["link"]["kind"] == "endpoint-ip-type"
    assert subnet["flows"]["registry"]["link"]["resource_id"] == "vpce-dkr"
    assert high(report) == [("endpoint-ip-type-mismatch", "subnet-priv-a")]
    code, report = scan(run_vpclint, snapshot_file(
        tmp_path, "endpoint-ip-type-mismatch", "the same IPv6-only subnet with dualstack endpoints pulls privately"))
    assert high(report) == []  # the fixture's endpoints sit in one AZ only: a medium AZ-gap finding remains
    (row,) = report["vpcs"]
    assert row["verdict"] == "private"
    assert {s["verdict"] for s in row["subnets"]} == {"private"}


def test_endpoints_answering_aaaa_only_serve_the_dual_stack_subnet_over_ipv6_and_block_the_ipv4_only_one(
        run_vpclint, tmp_path):
    code, report = scan(run_vpclint, snapshot_file(
        tmp_path, "endpoint-ip-type-mismatch",
        "endpoints answering AAAA only block the IPv4-only subnet; the dual-stack one reaches them over IPv6"))
    assert code == 1
    (row,) = report["vpcs"]
    verdicts = {s["subnet_id"]: s["verdict"] for s in row["subnets"]}
    assert verdicts == {"subnet-priv-a": "private", "subnet-priv-b": "private", "subnet-iso-b": "broken"}
    dual = next(s for s in row["subnets"] if s["subnet_id"] == "subnet-priv-b")["flows"]["registry"]
    assert "reaches it over IPv6 (2600:1f18:aa:2::/64)" in dual["notes"][0]
    assert high(report) == [("endpoint-ip-type-mismatch", "subnet-iso-b")]
