"""The embedded demo: the shipped snapshot is what the generator script produces, and ``scan --demo`` needs no AWS."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from vpclint.demo import demo_snapshot_text


def test_shipped_demo_snapshot_matches_the_generator():
    """Generated in a fresh interpreter: moto's seeded ids depend on which backends earlier tests of this process
    built (resetting a Resolver backend rebuilds the EC2 backend it holds, drawing random ids)."""
    script = Path(__file__).resolve().parent / "demo" / "make_demo_snapshot.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, "regenerate with: python tests/demo/make_demo_snapshot.py"


def test_scan_demo_without_any_aws_environment(run_vpclint, no_aws):
    """Exit 1 with findings, grouped by region then VPC, ending in the summary line."""
    result = run_vpclint(["scan", "--demo"], env=no_aws)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    demo = json.loads(demo_snapshot_text())
    (account,) = demo["accounts"]
    region_of = {v["vpc_id"]: r["region"] for r in account["regions"] for v in r["vpcs"]}
    prod = next(v["vpc_id"] for r in account["regions"] for v in r["vpcs"] if v["tags"].get("Name") == "prod")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("vpclint ") and account["account_id"] in lines[0]
    vpcs_listed = []
    for line in lines[1:]:
        heading = re.fullmatch(r"(vpc-\w+)(?: \(\w+\))?  ([a-z0-9-]+)  (\d{12})  (private|via NAT|broken|unknown|not in scope)", line)
        if heading:
            assert region_of[heading[1]] == heading[2], f"{heading[1]} listed under {heading[2]}"
            assert heading[3] == account["account_id"]
            vpcs_listed.append(heading[1])
    assert prod in vpcs_listed and len(vpcs_listed) == len(set(vpcs_listed))
    assert lines[lines.index(f"{prod} (prod)  us-east-1  {account['account_id']}  broken") + 1].startswith("  HIGH    ecr-dkr-endpoint-missing")
    summary = lines[-3:]
    assert re.fullmatch(r"\d+ findings: \d+ high, .*; \d+ at or above --fail-on low", summary[0]), summary
    assert re.fullmatch(r"\d+ rules evaluated, 0 not evaluated; 2 regions; scan complete", summary[1]), summary
    assert re.fullmatch(r"\d+ VPCs private, 1 via NAT, 1 broken, 1 unknown, \d+ not in scope", summary[2]), summary
    assert int(summary[0].split()[0]) > 0


def test_cost_demo_prices_the_demo_nat_traffic(run_vpclint):
    """The demo's made-up NAT metrics give the prod VPC a priced saving: S3 leaves NAT, ecr.dkr is added in 3 AZs."""
    result = run_vpclint(["cost", "--demo", "--format", "json"])
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in result.json()["vpcs"]}
    prod = rows["prod"]
    assert prod["nat_traffic"]["processed_bytes"] == 3 * 14_000 * 10**9
    gb_per_month = 42_000 * 730 / (30 * 24)  # 30 days of traffic scaled to a 730-hour month
    estimate = prod["estimate"]
    assert estimate["nat_gb_per_month"] == round(gb_per_month, 2)
    assert estimate["missing_endpoints"] == ["ecr.dkr", "s3 (gateway)"]
    assert estimate["s3_share_basis"].startswith("upper bound")
    assert estimate["savings_monthly"] == round(0.045 * gb_per_month - 3 * 0.01 * 730, 2)
    assert rows["shared"]["estimate"]["savings_monthly"] == 0.0  # its private path is complete
