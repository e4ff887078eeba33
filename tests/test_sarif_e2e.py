"""End to end: SARIF from the real vpclint against moto accounts, live and from a snapshot in a repository."""

from __future__ import annotations

import json

from sarif_check import all_results, assert_valid_for_github, keep_for_ci
from scenarios import build_demo_account, build_private_vpc, build_vpc

REGIONS = ["--region", "us-east-1", "--region", "eu-west-1", "--region", "us-west-2", "--region", "eu-central-1"]


def test_sarif_from_live_and_snapshot_scans_is_valid_for_github(moto_server, run_vpclint, tmp_path):
    session = moto_server.session()
    demo = build_demo_account(session)
    bare = build_vpc(session, "us-west-2", "bare")
    build_private_vpc(session, "eu-central-1", "good")
    env = moto_server.env()

    live = run_vpclint(["scan", *REGIONS, "--sarif", "live.sarif", "--json", "live.json"], env=env, cwd=tmp_path)
    assert live.returncode == 1, live.stderr
    text = (tmp_path / "live.sarif").read_text()
    keep_for_ci("e2e-live", text)
    log = json.loads(text)
    assert_valid_for_github(log)
    report = json.loads((tmp_path / "live.json").read_text())
    regions = ["eu-central-1", "eu-west-1", "us-east-1", "us-west-2"]
    assert [run["automationDetails"]["id"] for run in log["runs"]] == [f"vpclint/{report['accounts'][0]['account_id']}/{r}/" for r in regions]
    flagged = {r["locations"][0]["logicalLocations"][0]["name"] for r in all_results(log)}
    assert {demo["prod"].vpc_id, bare.vpc_id} <= flagged
    assert len(all_results(log)) == report["summary"]["total"]

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    collected = run_vpclint(["collect", *REGIONS, "-o", "account.json"], env=env, cwd=repo)
    assert collected.returncode == 0, collected.stderr
    offline = run_vpclint(["scan", "--snapshot", "account.json", "--format", "sarif", "-o", "snapshot.sarif"], cwd=repo)
    assert offline.returncode == 1, offline.stderr
    text = (repo / "snapshot.sarif").read_text()
    keep_for_ci("e2e-snapshot-in-repo", text)
    log = json.loads(text)
    assert_valid_for_github(log)
    lines = (repo / "account.json").read_text().splitlines()
    for result in all_results(log):
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "account.json"
        block = "\n".join(lines[physical["region"]["startLine"] - 1:physical["region"]["startLine"] + 60])
        assert f'"{result["locations"][0]["logicalLocations"][0]["name"]}"' in block
