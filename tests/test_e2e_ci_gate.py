"""End to end, the CI gate: the real vpclint against a moto server, through a baseline's whole life.

The account is collected once per state (``vpclint collect``) and the baseline steps read that snapshot, which
keeps the test fast; the step that must fail on a new misconfiguration scans the live (moto) account.
"""

from __future__ import annotations

import json

from sarif_check import all_results, assert_valid_for_github, keep_for_ci
from scenarios import add_interface_endpoint, build_private_vpc, build_vpc, endpoint_security_group

REGION = ["--region", "us-east-1"]


def _collect(run_vpclint, env, cwd, name: str) -> list[str]:
    result = run_vpclint(["collect", *REGION, "-o", name], env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return ["--snapshot", name]


def test_baseline_round_trip(moto_server, run_vpclint, tmp_path):
    env = moto_server.env()
    session = moto_server.session()
    build_private_vpc(session, "us-east-1", "good")
    legacy = build_vpc(session, "us-east-1", "legacy", cidr="10.5.0.0/16", azs=2)

    before = _collect(run_vpclint, env, tmp_path, "before.json")
    created = run_vpclint(["baseline", "create", *before, "-o", "b.json"], cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    entries = json.loads((tmp_path / "b.json").read_text())["entries"]
    legacy_dkr = next(e for e in entries if e["rule_id"] == "ecr-dkr-endpoint-missing" and e["resource_id"] == legacy.vpc_id)

    clean = run_vpclint(["scan", *before, "--baseline", "b.json", "--sarif", "accepted.sarif"], cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert f"0 new, {len(entries)} accepted, 0 fixed" in clean.stdout
    accepted_log = json.loads((tmp_path / "accepted.sarif").read_text())
    assert all_results(accepted_log) == []  # accepted findings stay out of code scanning

    newapp = build_vpc(session, "us-east-1", "newapp", cidr="10.6.0.0/16", azs=1)
    failing = run_vpclint(["scan", *REGION, "--baseline", "b.json", "--json", "r.json", "--sarif", "new.sarif"], env=env, cwd=tmp_path)
    assert failing.returncode == 1, failing.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    new = [f for f in report["findings"] if f["baseline_state"] == "new"]
    assert new and {f["vpc_id"] for f in new} == {newapp.vpc_id}
    findings_part = failing.stdout.split("\n\n", 1)[1]  # after the verdict table, which lists every VPC
    assert newapp.vpc_id in findings_part and legacy.vpc_id not in findings_part
    log = json.loads((tmp_path / "new.sarif").read_text())
    assert_valid_for_github(log)
    keep_for_ci("e2e-ci-gate-new", (tmp_path / "new.sarif").read_text())
    assert sorted(r["partialFingerprints"]["primaryLocationLineHash"] for r in all_results(log)) == sorted(f"{f['fingerprint']}:1" for f in new)

    endpoint_security_group(session, legacy, ["10.5.0.0/16"])
    add_interface_endpoint(session, legacy, "ecr.dkr", legacy.private_subnets)
    after = _collect(run_vpclint, env, tmp_path, "after.json")
    fixed = run_vpclint(["scan", *after, "--baseline", "b.json", "--json", "fixed.json"], cwd=tmp_path)
    assert fixed.returncode == 1, fixed.stderr
    fixed_report = json.loads((tmp_path / "fixed.json").read_text())
    assert [e["fingerprint"] for e in fixed_report["fixed"]] == [legacy_dkr["fingerprint"]]
    assert "Fixed" in fixed.stdout and f"ecr-dkr-endpoint-missing  {legacy.vpc_id}" in fixed.stdout

    pruned = run_vpclint(["baseline", "prune", *after, "--baseline", "b.json"], cwd=tmp_path)
    assert pruned.returncode == 0 and "1 fixed entries dropped" in pruned.stderr
    assert legacy_dkr["fingerprint"] not in (tmp_path / "b.json").read_text()

    data = json.loads((tmp_path / "b.json").read_text())
    data["entries"][0].update(reason="legacy VPC, migrating in Q3", expires="2999-12-31")
    (tmp_path / "b.json").write_text(json.dumps(data))
    regenerated = run_vpclint(["baseline", "create", *after, "-o", "b.json"], cwd=tmp_path)
    assert regenerated.returncode == 0, regenerated.stderr
    data = json.loads((tmp_path / "b.json").read_text())
    kept = next(e for e in data["entries"] if e["reason"])
    assert (kept["reason"], kept["expires"]) == ("legacy VPC, migrating in Q3", "2999-12-31")
    rescan = run_vpclint(["scan", *after, "--baseline", "b.json"], cwd=tmp_path)
    assert rescan.returncode == 0, rescan.stdout

    expiring = next(e for e in data["entries"] if e["resource_id"] == newapp.vpc_id)
    expiring["expires"] = "2000-01-01"
    (tmp_path / "b.json").write_text(json.dumps(data))
    expired = run_vpclint(["scan", *after, "--baseline", "b.json", "--format", "json", "--fail-on", "low"], cwd=tmp_path)
    states = {f["fingerprint"]: f["baseline_state"] for f in expired.json()["findings"]}
    assert [k for k, v in states.items() if v == "new"] == [expiring["fingerprint"]]
    assert [f["baseline_expired"] for f in expired.json()["findings"] if f["baseline_expired"]] == ["2000-01-01"]
    assert expired.json()["summary"]["expired"] == 1
    assert expired.returncode == 1
    told = run_vpclint(["scan", *after, "--baseline", "b.json", "--fail-on", "low"], cwd=tmp_path)
    assert told.returncode == 1
    assert f"{newapp.vpc_id} (baseline entry expired 2000-01-01)" in " ".join(told.stdout.split())  # wrapped at 80
    assert "(1 new, " in told.stdout and "; 1 new from expired baseline entries" in told.stdout
