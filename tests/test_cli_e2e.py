"""The real ``vpclint`` executable end to end: collect to a file, scan it, determinism, entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from cli_check import assert_one_line_error
from scenarios import build_private_vpc, build_vpc

from vpclint import __version__

REGIONS = ["--region", "us-east-1", "--region", "eu-west-1"]


def test_collect_to_file_then_scan_it_equals_a_live_scan(moto_server, run_vpclint, tmp_path):
    """``collect -o`` across two regions; scanning that file gives the live scan's JSON, byte for byte, every time."""
    session = moto_server.session()
    bare = build_vpc(session, "us-east-1", "bare", azs=2, isolated_subnet=True)
    good = build_private_vpc(session, "eu-west-1", "good")
    env = moto_server.env()
    path = tmp_path / "snapshot.json"
    collected = run_vpclint(["collect", *REGIONS, "-o", str(path)], env=env)
    assert (collected.returncode, collected.stdout, collected.stderr) == (0, "", "")
    assert sorted(os.listdir(tmp_path)) == ["snapshot.json"]
    snapshot = json.loads(path.read_text())
    assert (snapshot["schema_version"], [a["account_id"] for a in snapshot["accounts"]]) == (3, ["123456789012"])
    regions = {r["region"]: r for r in snapshot["accounts"][0]["regions"]}
    assert sorted(regions) == ["eu-west-1", "us-east-1"]
    assert bare.vpc_id in {v["vpc_id"] for v in regions["us-east-1"]["vpcs"]}
    assert set(good.endpoints.values()) == {e["vpc_endpoint_id"] for e in regions["eu-west-1"]["vpc_endpoints"]}
    assert all(r["errors"] == [] and len(r["collected"]) >= 10 for r in regions.values())

    live = run_vpclint(["scan", *REGIONS, "--format", "json"], env=env)
    from_file = run_vpclint(["scan", "--snapshot", str(path), "--format", "json"], env=env)
    again = run_vpclint(["scan", "--snapshot", str(path), "--format", "json"], env=env)
    assert live.returncode == from_file.returncode == again.returncode == 1
    assert from_file.stdout == live.stdout
    assert again.stdout == from_file.stdout
    report = from_file.json()
    assert ("us-east-1", bare.vpc_id, "ecr-dkr-endpoint-missing") in {(f["region"], f["vpc_id"], f["rule_id"]) for f in report["findings"]}
    assert not any(f["vpc_id"] == good.vpc_id and f["rule_id"] == "ecr-dkr-endpoint-missing" for f in report["findings"])


def test_collect_into_a_missing_directory_fails_in_one_line_and_writes_nothing(moto_server, run_vpclint, tmp_path):
    target = tmp_path / "missing" / "snapshot.json"
    result = run_vpclint(["collect", "--region", "us-east-1", "-o", str(target)], env=moto_server.env())
    assert_one_line_error(result.returncode, result.stderr, str(target))
    assert os.listdir(tmp_path) == []


def test_failed_collect_leaves_an_existing_snapshot_untouched(run_vpclint, no_aws, tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text("previous")
    result = run_vpclint(["collect", "--region", "us-east-1", "-o", str(path)], env=no_aws)
    assert result.returncode == 2 and "no AWS credentials" in result.stderr
    assert path.read_text() == "previous"
    assert os.listdir(tmp_path) == ["snapshot.json"]


def test_same_snapshot_gives_byte_identical_json_and_python_m_works(run_vpclint, tmp_path):
    """Two runs of the console script and one of ``python -m vpclint`` write the same bytes."""
    outputs = []
    for index in range(2):
        out = tmp_path / f"run{index}.json"
        result = run_vpclint(["scan", "--demo", "--format", "json", "-o", str(out)])
        assert result.returncode == 1, result.stderr
        outputs.append(out.read_bytes())
    module = subprocess.run([sys.executable, "-m", "vpclint", "scan", "--demo", "--format", "json"], capture_output=True)
    assert module.returncode == 1
    assert outputs[0] == outputs[1] == module.stdout
    assert json.loads(outputs[0])["summary"]["total"] > 0


def test_version(run_vpclint):
    result = run_vpclint(["--version"])
    module = subprocess.run([sys.executable, "-m", "vpclint", "--version"], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, f"vpclint {__version__}")
    assert (module.returncode, module.stdout) == (0, result.stdout)
