"""The SARIF emitter: schema-valid, fit for GitHub code scanning, explicit, deterministic, within GitHub's limits."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
import sarif_om as om
from sarif_check import all_results, assert_valid_for_github, keep_for_ci

from vpclint.cli import main
from vpclint.demo import demo_snapshot_text
from vpclint.emitters import ScanResult
from vpclint.emitters.sarif import SECURITY_SEVERITY, SarifEmitter, rule_descriptor, split_runs, to_sarif_dict
from vpclint.engine import evaluate
from vpclint.errors import VpclintError
from vpclint.rules import load_rules, parse_rule_file, severity_rank
from vpclint.snapshot_files import dumps, parse
from vpclint.text import sarif_text


def _demo_result(**kwargs) -> ScanResult:
    rules = load_rules()
    report = evaluate(parse(demo_snapshot_text(), "demo"), rules)
    return ScanResult(report=report, rules=rules, **kwargs)


def _sarif(result: ScanResult, **emitter_args) -> dict:
    buffer = io.StringIO()
    SarifEmitter(**emitter_args).emit(result, buffer)
    return json.loads(buffer.getvalue())


def test_demo_sarif_from_the_cli_is_valid_for_github(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--demo", "--format", "sarif"]) == 1  # the demo has findings; the format changes nothing
    text = capsys.readouterr().out
    log = json.loads(text)
    assert_valid_for_github(log)
    keep_for_ci("demo", text)
    demo = _demo_result().report
    assert len(all_results(log)) == len(demo.findings) > 0
    for run in log["runs"]:
        assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(r.id for r in load_rules())
    (account,) = demo.accounts
    assert [run["automationDetails"]["id"] for run in log["runs"]] == [f"vpclint/{account.account_id}/{r}/" for r in demo.regions]
    assert {run["properties"]["accountId"] for run in log["runs"]} == {account.account_id}
    for run in log["runs"]:
        region = run["automationDetails"]["id"].split("/")[-2]
        assert {r["properties"]["region"] for r in run["results"]} == {region}


def test_results_point_at_the_cloud_resource_and_carry_the_arn():
    result = _demo_result()
    log = _sarif(result)
    for sarif_result, finding in zip(all_results(log), result.report.findings):
        location = sarif_result["locations"][0]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == f"aws/{finding.account_id}/{finding.region}/{finding.vpc_id}/{finding.resource_id}"
        assert location["physicalLocation"]["region"] == {"startLine": 1}
        assert location["logicalLocations"][0]["fullyQualifiedName"] == finding.resource_arn
        assert sarif_result["partialFingerprints"]["primaryLocationLineHash"] == f"{finding.fingerprint}:1"
        assert sarif_text(finding.remediation) in sarif_result["message"]["text"]  # brackets escaped (SARIF 3.11.6)


def test_levels_and_security_severity_follow_the_severity():
    log = _sarif(_demo_result())
    by_id = {r.id: r for r in load_rules()}
    expected_level = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    for descriptor in log["runs"][0]["tool"]["driver"]["rules"]:
        severity = by_id[descriptor["id"]].severity
        assert descriptor["defaultConfiguration"]["level"] == expected_level[severity]
        assert descriptor["properties"]["security-severity"] == SECURITY_SEVERITY[severity]
        assert set(by_id[descriptor["id"]].tags) <= set(descriptor["properties"]["tags"])
        assert "Remediation" in descriptor["help"]["markdown"]
    scores = [float(SECURITY_SEVERITY[s]) for s in sorted(SECURITY_SEVERITY, key=severity_rank)]
    assert scores == sorted(scores, reverse=True) and scores[0] > 9.0 and 7.0 <= scores[1] < 9.0
    for result in all_results(log):
        assert result["level"] == expected_level[result["properties"]["severity"]]


def test_serializer_keeps_explicit_values_equal_to_attrs_defaults():
    result = om.Result(message=om.Message(text="m"), rule_id="r", rule_index=0, level="warning", locations=[])
    data = to_sarif_dict(result)
    assert data["level"] == "warning"  # equal to the attrs default, but set: kept (jschema_to_python drops it)
    assert data["ruleIndex"] == 0  # index 0 is a value, not the -1 "unset" sentinel
    assert "locations" not in data  # never an empty array: GitHub rejects locations: []
    assert "rank" not in data and "kind" in data  # -1 sentinel omitted; kind set by its default is still written


def test_a_scan_without_findings_still_writes_an_empty_results_list():
    result = _demo_result()
    empty = ScanResult(report=result.report.model_copy(update={"findings": []}), rules=result.rules)
    log = _sarif(empty)
    assert all_results(log) == []  # tells GitHub every alert of the category is fixed
    assert_valid_for_github(log)


def test_output_is_deterministic():
    first, second = io.StringIO(), io.StringIO()
    SarifEmitter().emit(_demo_result(), first)
    SarifEmitter().emit(_demo_result(), second)
    assert first.getvalue() == second.getvalue()
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in all_results(json.loads(first.getvalue()))]
    assert len(set(fingerprints)) == len(fingerprints)


def test_full_description_is_cut_to_github_limit():
    text = Path(__file__).resolve().parents[1].joinpath("rules", "required-endpoint-missing.yaml").read_text()
    long_rule = parse_rule_file(text.replace("rationale: >", "rationale: >\n  " + "x" * 1500), "long.yaml")
    descriptor = to_sarif_dict(rule_descriptor(long_rule))
    assert len(descriptor["fullDescription"]["text"]) == 1024
    assert "x" * 1500 in descriptor["help"]["text"]  # nothing is lost: help carries the whole text


def test_results_over_the_limit_keep_the_most_severe_and_say_so():
    result = _demo_result()
    warnings: list[str] = []
    log = _sarif(result, max_results=2, warn=warnings.append)
    kept = all_results(log)
    assert len(kept) == 2 * len(log["runs"])  # the limit is GitHub's per run, one run per region
    by_region = {region: [f for f in result.report.findings if f.region == region] for region in result.report.regions}
    for region, findings in by_region.items():
        worst = sorted(severity_rank(f.severity) for f in findings)[:2]
        assert sorted(severity_rank(r["properties"]["severity"]) for r in kept if r["properties"]["region"] == region) == worst
    assert len(warnings) == len(by_region)
    account = result.report.accounts[0].account_id
    assert all(f"{len(by_region[r])} results in {account} {r} exceed" in w and f"left out {len(by_region[r]) - 2}" in w
               for r, w in zip(by_region, warnings))


def test_one_file_over_githubs_limits_is_an_error_naming_sarif_dir():
    for limits, what in (({"max_gzip_bytes": 100}, "MB gzipped, over GitHub's limit"), ({"max_runs": 1}, "2 runs")):
        with pytest.raises(VpclintError, match=f"SARIF: .*{what}.*use --sarif-dir|SARIF: .*{what}.*--sarif-dir DIR"):
            _sarif(_demo_result(), **limits)


def test_files_split_the_runs_within_githubs_limits():
    result = _demo_result()
    one = [json.loads(text) for text in SarifEmitter().files(result)]
    assert [len(log["runs"]) for log in one] == [2]
    per_run = [json.loads(text) for text in SarifEmitter(max_runs=1).files(result)]
    assert [[run["automationDetails"]["id"] for run in log["runs"]] for log in per_run] == [[run["automationDetails"]["id"]] for run in one[0]["runs"]]
    for log in per_run:
        assert_valid_for_github(log)
    assert sum(len(all_results(log)) for log in per_run) == len(result.report.findings)
    warnings: list[str] = []
    tiny = SarifEmitter(max_gzip_bytes=100, warn=warnings.append).files(result)
    assert len(tiny) == 2 and len(warnings) == 2 and all("GitHub will reject its file" in w for w in warnings)


def test_split_runs_packs_by_count_and_size_in_order():
    runs = [{"n": i} for i in range(5)]
    assert split_runs(runs, [1] * 5, 2, 100) == [runs[0:2], runs[2:4], runs[4:]]
    assert split_runs(runs, [40, 40, 40, 90, 5], 20, 100) == [runs[0:2], runs[2:3], runs[3:5]]
    assert split_runs(runs, [200, 1, 1, 1, 1], 20, 100) == [runs[0:1], runs[1:]]  # a run over the limit stands alone


def test_accepted_findings_are_left_out_unless_asked_for():
    result = _demo_result()
    accepted = result.report.findings[0].fingerprint
    findings = [f.model_copy(update={"baseline_state": "accepted" if f.fingerprint == accepted else "new"}) for f in result.report.findings]
    report = result.report.model_copy(update={"findings": findings})
    hidden = _sarif(ScanResult(report=report, rules=result.rules))
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in all_results(hidden)]
    assert f"{accepted}:1" not in hashes and len(hashes) == len(findings) - 1
    shown = _sarif(ScanResult(report=report, rules=result.rules, include_accepted=True))
    assert_valid_for_github(shown)
    suppressed = [r for r in all_results(shown) if "suppressions" in r]
    assert [r["partialFingerprints"]["primaryLocationLineHash"] for r in suppressed] == [f"{accepted}:1"]
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"


def test_category_can_be_named_and_always_ends_with_a_slash():
    for name in ("vpclint-prod", "vpclint-prod/"):
        log = _sarif(_demo_result(category=name))
        assert [run["automationDetails"]["id"] for run in log["runs"]] == ["vpclint-prod/eu-west-1/", "vpclint-prod/us-east-1/"]


def test_snapshot_in_the_repository_is_pointed_at_line_by_line(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    snapshot_file = repo / "snapshots" / "account.json"
    snapshot_file.parent.mkdir()
    snapshot_file.write_text(dumps(parse(demo_snapshot_text(), "demo")))
    result = _demo_result(snapshot_path=snapshot_file)
    log = _sarif(result, cwd=repo / "snapshots")
    lines = snapshot_file.read_text().splitlines()
    id_keys = {"vpc": "vpc_id", "subnet": "subnet_id", "route_table": "route_table_id", "endpoint": "vpc_endpoint_id", "security_group": "group_id"}
    for sarif_result, finding in zip(all_results(log), result.report.findings):
        physical = sarif_result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "snapshots/account.json"
        start = physical["region"]["startLine"]
        assert lines[start - 1].strip() == "{"  # the resource's own object opens on that line
        indent = lines[start - 1][: len(lines[start - 1]) - len(lines[start - 1].lstrip())]
        end = next(i for i in range(start, len(lines)) if lines[i].startswith(indent + "}"))
        block = "\n".join(lines[start - 1:end + 1])  # the whole object, up to its closing brace
        assert f'"{id_keys[finding.resource_type]}": "{finding.resource_id}"' in block
    assert_valid_for_github(log)


def test_snapshot_outside_the_repository_keeps_cloud_locations(tmp_path):
    snapshot_file = tmp_path / "account.json"
    snapshot_file.write_text(demo_snapshot_text())
    (tmp_path / "elsewhere").mkdir()
    log = _sarif(_demo_result(snapshot_path=snapshot_file), cwd=tmp_path / "elsewhere")
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("aws/") for r in all_results(log))


def test_one_scan_writes_console_json_and_sarif(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "--demo", "--json", "report.json", "--sarif", "report.sarif"])
    console = capsys.readouterr().out
    assert code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    log = json.loads((tmp_path / "report.sarif").read_text())
    assert f"{report['summary']['total']} findings" in console
    assert len(all_results(log)) == report["summary"]["total"]
    assert_valid_for_github(log)


def test_dash_is_refused_for_the_extra_outputs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--demo", "--sarif", "-"]) == 2
    assert "--sarif: give a file name" in capsys.readouterr().err


def test_incomplete_scan_reports_tool_notifications():
    data = json.loads(demo_snapshot_text())
    data["accounts"][0]["regions"][0]["collected"] = [s for s in data["accounts"][0]["regions"][0]["collected"] if s != "vpc_endpoints"]
    data["accounts"][0]["regions"][0]["errors"] = [{"region": data["accounts"][0]["regions"][0]["region"], "api": "DescribeVpcEndpoints", "code": "AccessDenied", "message": "no"}]
    rules = load_rules()
    report = evaluate(parse(json.dumps(data), "demo"), rules)
    warnings: list[str] = []
    log = _sarif(ScanResult(report=report, rules=rules), warn=warnings.append)
    assert_valid_for_github(log)
    keep_for_ci("incomplete-one-run", json.dumps(log))
    # the region not read in full gets no run, so GitHub keeps its open alerts; the other region's run is whole
    unread = data["accounts"][0]["regions"][0]["region"]
    account = report.accounts[0].account_id
    assert [run["automationDetails"]["id"] for run in log["runs"]] == [f"vpclint/{account}/us-east-1/"]
    assert all(r["properties"]["region"] == "us-east-1" for r in all_results(log))
    assert len(all_results(log)) == sum(f.region == "us-east-1" for f in report.findings)
    assert warnings == [f"SARIF: no run for {account} {unread} (not read in full): GitHub keeps the open alerts of that region until a complete scan of them"]
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("DescribeVpcEndpoints: AccessDenied" in t for t in texts)
    assert sum("not evaluated" in t for t in texts) == len(report.not_evaluated) > 0


def test_a_finding_whose_baseline_entry_expired_is_a_plain_result_that_says_when():
    result = _demo_result()
    lapsed = result.report.findings[0].fingerprint
    findings = [f.model_copy(update={"baseline_expired": date(2026, 9, 30)}) if f.fingerprint == lapsed else f for f in result.report.findings]
    log = _sarif(ScanResult(report=result.report.model_copy(update={"findings": findings}), rules=result.rules))
    assert_valid_for_github(log)
    by_hash = {r["partialFingerprints"]["primaryLocationLineHash"]: r for r in all_results(log)}
    assert "suppressions" not in by_hash[f"{lapsed}:1"]
    assert by_hash[f"{lapsed}:1"]["properties"]["baselineExpired"] == "2026-09-30"
    assert [h for h, r in by_hash.items() if "baselineExpired" in r["properties"]] == [f"{lapsed}:1"]
