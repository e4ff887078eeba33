"""End to end: ``vpclint cost``, ``collect --with-metrics`` and the NAT rule, through the real CLI against moto."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from scenarios import add_s3_gateway, build_vpc, put_nat_traffic

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cost"
GB = 10**9


def _account(moto_server):
    """A 3-AZ VPC without endpoints whose NAT gateways processed 1,000 GB each, and a VPC with an S3 gateway."""
    session = moto_server.session()
    bare = build_vpc(session, "us-east-1", "bare", cidr="10.0.0.0/16")
    fixed = build_vpc(session, "us-east-1", "fixed", cidr="10.1.0.0/16", azs=1)
    add_s3_gateway(session, fixed, fixed.private_route_tables)
    for nat in bare.nat_gateways:
        put_nat_traffic(session, "us-east-1", nat, 100 * GB, 900 * GB)
    put_nat_traffic(session, "us-east-1", fixed.nat_gateways[0], 50 * GB, 50 * GB, days_ago=3)
    return session, bare, fixed


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _expected_bare(share: Decimal = Decimal(1)) -> dict:
    monthly = Decimal(3000) * 730 / (30 * 24)
    today = Decimal("0.045") * 3 * 730 + Decimal("0.045") * monthly
    after = Decimal("0.045") * 3 * 730 + Decimal("0.045") * monthly * (1 - share) + Decimal("0.01") * 2 * 3 * 730
    return {"nat_gb_per_month": _cents(monthly), "cost_today_monthly": _cents(today),
            "cost_with_endpoints_monthly": _cents(after), "savings_monthly": _cents(today - after),
            "savings_yearly": _cents((today - after) * 12)}


def _check(row: dict, expected: dict) -> None:
    for key, value in expected.items():
        assert Decimal(str(row["estimate"][key])) == value, key


def test_live_cost_report_from_cloudwatch(moto_server, run_vpclint) -> None:
    _, bare, fixed = _account(moto_server)
    result = run_vpclint(["cost", "--region", "us-east-1", "--format", "json"], env=moto_server.env())
    assert result.returncode == 0, result.stderr
    rows = {row["vpc_id"]: row for row in result.json()["vpcs"]}
    row = rows[bare.vpc_id]
    assert sorted(row["nat_gateways"]) == sorted(bare.nat_gateways)
    assert row["nat_traffic"]["processed_bytes"] == 3000 * GB and row["nat_traffic"]["days"] == 30
    _check(row, _expected_bare())
    assert row["estimate"]["s3_share_basis"].startswith("upper bound")
    assert row["estimate"]["missing_endpoints"] == ["ecr.api", "ecr.dkr", "s3 (gateway)"]
    # the VPC with an S3 gateway on its NAT route table moves nothing: only the ECR endpoints' hours are added
    fixed_estimate = rows[fixed.vpc_id]["estimate"]
    assert fixed_estimate["s3_gb_per_month_moved"] == 0.0 and fixed_estimate["savings_monthly"] == -14.60


def test_snapshot_with_metrics_then_cost_flow_logs_and_scan(moto_server, run_vpclint, tmp_path: Path) -> None:
    session, bare, _ = _account(moto_server)
    snapshot = tmp_path / "snapshot.json"
    collected = run_vpclint(["collect", "--region", "us-east-1", "--with-metrics", "-o", str(snapshot)], env=moto_server.env())
    assert collected.returncode == 0, collected.stderr
    region = json.loads(snapshot.read_text())["accounts"][0]["regions"][0]
    assert {g["nat_gateway_id"] for g in region["nat_gateway_metrics"]["gateways"]} >= set(bare.nat_gateways)

    offline = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    from_snapshot = run_vpclint(["cost", "--snapshot", str(snapshot), "--vpc", bare.vpc_id, "--format", "json"], env=offline)
    assert from_snapshot.returncode == 0, from_snapshot.stderr
    [row] = from_snapshot.json()["vpcs"]
    _check(row, _expected_bare())

    # Flow logs on the first NAT gateway's interface: 3 parts S3 (both directions) to 1 part other.
    ec2 = session.client("ec2", region_name="us-east-1")
    nats = ec2.describe_nat_gateways(NatGatewayIds=bare.nat_gateways)["NatGateways"]
    enis = [a["NetworkInterfaceId"] for n in nats for a in n["NatGatewayAddresses"]]
    log = tmp_path / "flow.log"
    log.write_text(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        f"2 123456789012 {enis[0]} 10.0.1.9 52.216.8.8 40000 443 6 10 1000 1700000000 1700000060 ACCEPT OK\n"
        f"2 123456789012 {enis[1]} 52.216.8.8 10.0.2.9 443 40000 6 10 2000 1700000000 1700000060 ACCEPT OK\n"
        f"2 123456789012 {enis[2]} 10.0.3.9 93.184.216.34 40000 443 6 10 1000 1700000000 1700000060 ACCEPT OK\n"
        "this line is not a flow log record\n"
    )
    measured = run_vpclint(["cost", "--snapshot", str(snapshot), "--vpc", bare.vpc_id, "--flow-logs", str(log),
                            "--ip-ranges", str(FIXTURES / "ip-ranges.json"), "--format", "json"], env=offline)
    assert measured.returncode == 0, measured.stderr
    document = measured.json()
    assert document["flow_logs"]["malformed_lines"] == 1 and document["flow_logs"]["nat_interface_records"] == 3
    [row] = document["vpcs"]
    assert row["estimate"]["s3_share"] == 0.75 and row["estimate"]["s3_share_basis"].startswith("flow logs: 3,000 of 4,000")
    _check(row, _expected_bare(Decimal("0.75")))

    console = run_vpclint(["cost", "--snapshot", str(snapshot), "--vpc", bare.vpc_id, "--s3-share", "0.5"], env=offline)
    assert console.returncode == 0 and "--s3-share 0.5" in " ".join(console.stdout.split()) and "Saves/month" in console.stdout
    expected = _expected_bare(Decimal("0.5"))
    assert f"${expected['savings_monthly']:,}" in console.stdout

    scan = run_vpclint(["scan", "--snapshot", str(snapshot), "--select", "nat-gateway-carries-s3-traffic", "--format", "json"], env=offline)
    assert scan.returncode == 1, scan.stderr
    findings = {f["resource_id"]: f for f in scan.json()["findings"]}
    evidence = findings[bare.vpc_id]["evidence"]
    assert Decimal(str(evidence["estimate"]["nat_gb_per_month"])) == _expected_bare()["nat_gb_per_month"]
    assert evidence["estimate"]["s3_share_basis"].startswith("upper bound")


def test_snapshot_without_metrics_says_so(moto_server, run_vpclint, tmp_path: Path) -> None:
    _, bare, _ = _account(moto_server)
    snapshot = tmp_path / "snapshot.json"
    assert run_vpclint(["collect", "--region", "us-east-1", "-o", str(snapshot)], env=moto_server.env()).returncode == 0
    result = run_vpclint(["cost", "--snapshot", str(snapshot), "--vpc", bare.vpc_id], env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # the console wraps notes to the width
    assert "no NAT metrics" in text and "collect --with-metrics" in text
