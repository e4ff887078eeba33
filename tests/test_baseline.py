"""Baselines: the file format, create/apply/prune, and one-line errors for bad files."""

from __future__ import annotations

import json
from datetime import date

import pytest

from vpclint.baseline import (
    Baseline,
    apply_baseline,
    create_baseline,
    entry_for,
    load_baseline,
    parse_baseline,
    prune_baseline,
    save_baseline,
)
from vpclint.cli import main
from vpclint.demo import demo_snapshot_text
from vpclint.engine import evaluate
from vpclint.errors import VpclintError
from vpclint.findings import Finding, Report, fingerprint
from vpclint.rules import load_rules
from vpclint.snapshot_files import parse

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def demo():
    rules = load_rules()
    return evaluate(parse(demo_snapshot_text(), "demo"), rules), {r.id for r in rules}


def test_created_baseline_holds_every_finding_sorted_and_diffable(demo):
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    text = baseline.to_json()
    data = json.loads(text)
    assert data["schema"] == "vpclint.baseline" and data["version"] == 1
    assert sorted(e["fingerprint"] for e in data["entries"]) == sorted(f.fingerprint for f in report.findings)
    keys = [(e["account_id"], e["region"], e["rule_id"], e["resource_id"]) for e in data["entries"]]
    assert keys == sorted(keys)
    assert all(e["reason"] == "" and e["expires"] is None for e in data["entries"])
    assert set(data["entries"][0]) == {"fingerprint", "rule_id", "account_id", "region", "vpc_id", "resource_id", "reason", "expires"}
    assert parse_baseline(text, "b.json").to_json() == text  # round trip, byte for byte
    assert create_baseline(report, rule_ids).to_json() == text  # deterministic


def test_regenerating_keeps_reasons_and_expiries_and_out_of_scope_entries(demo):
    report, rule_ids = demo
    first = report.findings[0]
    elsewhere = entry_for(first.model_copy(update={"region": "ap-south-1", "fingerprint": fingerprint(first.rule_id, first.account_id, "ap-south-1", first.resource_id)}))
    vanished = entry_for(first.model_copy(update={"resource_id": "vpc-gone", "fingerprint": fingerprint(first.rule_id, first.account_id, first.region, "vpc-gone")}))
    kept = entry_for(first).model_copy(update={"reason": "legacy VPC, retiring in Q3", "expires": date(2026, 9, 30)})
    previous = Baseline(entries=[kept, elsewhere, vanished])
    regenerated = create_baseline(report, rule_ids, previous).by_fingerprint()
    assert regenerated[first.fingerprint].reason == "legacy VPC, retiring in Q3"
    assert regenerated[first.fingerprint].expires == date(2026, 9, 30)
    assert elsewhere.fingerprint in regenerated  # another region was not scanned: nothing is known about it
    assert vanished.fingerprint not in regenerated


def test_apply_marks_accepted_new_and_fixed_and_only_new_findings_fail(demo):
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    first = report.findings[0]
    vanished = entry_for(first.model_copy(update={"resource_id": "vpc-gone", "fingerprint": fingerprint(first.rule_id, first.account_id, first.region, "vpc-gone")}))
    expired = baseline.entries[0].model_copy(update={"expires": date(2026, 5, 31)})
    still_valid = baseline.entries[1].model_copy(update={"expires": TODAY})
    entries = [expired, still_valid, *baseline.entries[2:], vanished]
    applied = apply_baseline(report, Baseline(entries=entries), "b.json", rule_ids, TODAY)
    states = {f.fingerprint: f.baseline_state for f in applied.findings}
    assert states[expired.fingerprint] == "new"  # expired entries accept nothing
    assert states[still_valid.fingerprint] == "accepted"  # valid through its expiry day
    expiries = {f.fingerprint: f.baseline_expired for f in applied.findings if f.baseline_expired is not None}
    assert expiries == {expired.fingerprint: date(2026, 5, 31)}  # and say when the acceptance ended
    assert sum(1 for s in states.values() if s == "new") == 1
    assert [f.fingerprint for f in applied.fixed] == [vanished.fingerprint]
    summary = applied.summary
    assert (summary.new, summary.accepted, summary.fixed, summary.total) == (1, len(report.findings) - 1, 1, len(report.findings))
    assert summary.expired == 1
    expired_finding = next(f for f in applied.findings if f.fingerprint == expired.fingerprint)
    assert summary.failing == (0 if expired_finding.severity == "info" else 1)
    assert applied.baseline == "b.json"


def test_entries_outside_the_scan_are_never_reported_fixed(demo):
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    only_one_rule = {report.findings[0].rule_id}
    narrowed = report.model_copy(update={"findings": [f for f in report.findings if f.rule_id in only_one_rule]})
    applied = apply_baseline(narrowed, baseline, "b.json", only_one_rule, TODAY)
    assert applied.fixed == []  # the other rules were not evaluated, so their entries are not fixed
    other_vpc = apply_baseline(report.model_copy(update={"findings": []}), baseline, "b.json", rule_ids, TODAY, vpc_ids={"vpc-other"})
    assert other_vpc.fixed == []


def test_prune_drops_only_fixed_entries(demo):
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    fixed_one = report.findings[-1]
    after_fix = report.model_copy(update={"findings": report.findings[:-1]})
    pruned, dropped = prune_baseline(baseline, after_fix, rule_ids)
    assert [e.fingerprint for e in dropped] == [fixed_one.fingerprint]
    assert len(pruned.entries) == len(baseline.entries) - 1


def _write(tmp_path, data) -> str:
    path = tmp_path / "b.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def _entry(**overrides) -> dict:
    entry = {"rule_id": "ecr-dkr-endpoint-missing", "account_id": "123456789012", "region": "us-east-1", "resource_id": "vpc-1", "reason": "", "expires": None}
    entry.update(overrides)
    entry.setdefault("fingerprint", fingerprint(entry["rule_id"], entry["account_id"], entry["region"], entry["resource_id"]))
    return entry


@pytest.mark.parametrize(
    "content,expected",
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ({"schema": "vpclint.baseline", "version": 7, "entries": []}, "field version: unsupported value 7"),
        ({"schema": "vpclint.baseline", "version": 1, "entries": [_entry(), _entry()]}, "duplicate entry"),
        ({"schema": "vpclint.baseline", "version": 1, "entries": [_entry(expires="next spring")]}, "field entries.0.expires"),
        ({"schema": "vpclint.baseline", "version": 1, "entries": [_entry(fingerprint="abc")]}, "fingerprint 'abc' does not match"),
        ({"schema": "vpclint.baseline", "version": 1, "entries": [_entry(note="x")]}, "field entries.0.note"),
        ([], "expected a JSON object"),
    ],
    ids=["malformed", "version", "duplicate", "date", "fingerprint", "unknown-field", "not-object"],
)
def test_bad_baseline_files_fail_with_one_line_and_exit_2(tmp_path, monkeypatch, capsys, content, expected):
    path = _write(tmp_path, content)
    with pytest.raises(VpclintError) as error:
        load_baseline(path)
    message = str(error.value)
    assert message.startswith(f"baseline {path}: ") and expected in message and "\n" not in message
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--demo", "--baseline", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err


def test_missing_baseline_file_is_an_input_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--demo", "--baseline", "nope.json"]) == 2
    assert "baseline nope.json: cannot read" in capsys.readouterr().err


def test_cli_create_then_scan_passes_and_prune_rewrites(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", "create", "--demo", "-o", "b.json"]) == 0
    created = json.loads((tmp_path / "b.json").read_text())
    assert main(["scan", "--demo", "--baseline", "b.json", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {f["baseline_state"] for f in report["findings"]} == {"accepted"}
    assert report["summary"]["accepted"] == len(created["entries"]) and report["fixed"] == []
    assert main(["baseline", "prune", "--demo", "--baseline", "b.json"]) == 0
    assert "0 fixed entries dropped" in capsys.readouterr().err
    assert json.loads((tmp_path / "b.json").read_text()) == created


def _other_vpc_entry(report, vpc_id: str = "vpc-elsewhere"):
    """An accepted entry for a finding of the same rule, account and region, in another VPC of the scan."""
    first = report.findings[0]
    resource = f"{vpc_id}-resource"
    return entry_for(first.model_copy(update={
        "vpc_id": vpc_id, "resource_id": resource,
        "fingerprint": fingerprint(first.rule_id, first.account_id, first.region, resource),
    })).model_copy(update={"reason": "owned by another team"})


def test_create_with_vpc_keeps_the_other_vpcs_accepted_entries(demo):
    """``baseline create --vpc V`` scans only V: entries of other VPCs stay as they are; V's vanished ones go."""
    report, rule_ids = demo
    scanned = report.findings[0].vpc_id
    elsewhere = _other_vpc_entry(report)
    vanished = _other_vpc_entry(report, scanned)
    previous = Baseline(entries=[elsewhere, vanished])
    in_vpc = report.model_copy(update={"findings": [f for f in report.findings if f.vpc_id == scanned]})
    created = create_baseline(in_vpc, rule_ids, previous, vpc_ids={scanned}).by_fingerprint()
    assert created[elsewhere.fingerprint] == elsewhere  # kept, reason and all
    assert vanished.fingerprint not in created  # in the scanned VPC and no longer found
    assert {f.fingerprint for f in in_vpc.findings} <= set(created)
    # without --vpc the whole account was scanned: the other VPC's entry is gone too
    assert elsewhere.fingerprint not in create_baseline(in_vpc, rule_ids, previous).by_fingerprint()


def test_prune_with_vpc_drops_only_that_vpcs_fixed_entries(demo):
    report, rule_ids = demo
    scanned = report.findings[0].vpc_id
    elsewhere = _other_vpc_entry(report)
    vanished = _other_vpc_entry(report, scanned)
    baseline = Baseline(entries=[*create_baseline(report, rule_ids).entries, elsewhere, vanished])
    pruned, dropped = prune_baseline(baseline, report, rule_ids, vpc_ids={scanned})
    assert [e.fingerprint for e in dropped] == [vanished.fingerprint]
    assert elsewhere in pruned.entries and vanished not in pruned.entries
    assert len(pruned.entries) == len(baseline.entries) - 1
    # without --vpc, the other VPC's entry is fixed as well
    _, dropped_all = prune_baseline(baseline, report, rule_ids)
    assert {e.fingerprint for e in dropped_all} == {vanished.fingerprint, elsewhere.fingerprint}


def test_dated_entries_round_trip_byte_for_byte(demo, tmp_path):
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    dated = baseline.entries[0].model_copy(update={"reason": "retiring", "expires": date(2026, 9, 30)})
    text = Baseline(entries=[dated, *baseline.entries[1:]]).to_json()
    assert '"expires": "2026-09-30"' in text
    assert text.startswith('{\n  "entries": [\n    {\n      "account_id": ') and text.endswith("\n}\n")
    data = json.loads(text)
    assert list(data) == sorted(data) and all(list(e) == sorted(e) for e in data["entries"])
    path = tmp_path / "b.json"
    save_baseline(parse_baseline(text, "b.json"), path)
    assert path.read_text() == text
    loaded = load_baseline(path)
    assert loaded.by_fingerprint()[dated.fingerprint].expires == date(2026, 9, 30)
    assert loaded.to_json() == text


def test_a_finding_without_an_entry_is_new(demo):
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    missing = report.findings[0]
    partial = Baseline(entries=[e for e in baseline.entries if e.fingerprint != missing.fingerprint])
    applied = apply_baseline(report, partial, "b.json", rule_ids, TODAY)
    states = {f.fingerprint: (f.baseline_state, f.baseline_expired) for f in applied.findings}
    assert states[missing.fingerprint] == ("new", None)
    assert all(s == ("accepted", None) for k, s in states.items() if k != missing.fingerprint)
    assert (applied.summary.new, applied.summary.accepted, applied.summary.expired, applied.summary.fixed) == (
        1, len(report.findings) - 1, 0, 0)
    empty = apply_baseline(report, Baseline(), "empty.json", rule_ids, TODAY)
    assert {f.baseline_state for f in empty.findings} == {"new"} and empty.summary.new == len(report.findings)


def test_to_json_sorts_entries_whatever_their_order(demo):
    report, rule_ids = demo
    entries = create_baseline(report, rule_ids).entries
    assert len(entries) > 1
    text = Baseline(entries=list(reversed(entries))).to_json()
    assert text == Baseline(entries=entries).to_json()
    keys = [(e["account_id"], e["region"], e["rule_id"], e["resource_id"]) for e in json.loads(text)["entries"]]
    assert keys == sorted(keys)


def test_applying_a_baseline_again_replaces_the_previous_states(demo):
    """Each application judges every finding afresh: nothing of an earlier application (accepted, expired) sticks."""
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    first = baseline.entries[0]
    expired = Baseline(entries=[first.model_copy(update={"expires": date(2026, 5, 31)}), *baseline.entries[1:]])
    once = apply_baseline(report, expired, "old.json", rule_ids, TODAY)
    assert {f.fingerprint: f.baseline_expired for f in once.findings}[first.fingerprint] == date(2026, 5, 31)
    renewed = apply_baseline(once, baseline, "b.json", rule_ids, TODAY)  # the entry renewed: accepted, no expiry
    assert {(f.baseline_state, f.baseline_expired) for f in renewed.findings} == {("accepted", None)}
    accepted = apply_baseline(report, baseline, "b.json", rule_ids, TODAY)
    without = Baseline(entries=baseline.entries[1:])
    again = {f.fingerprint: (f.baseline_state, f.baseline_expired) for f in apply_baseline(accepted, without, "b.json", rule_ids, TODAY).findings}
    assert again[first.fingerprint] == ("new", None)  # its entry was removed
    gone = {f.fingerprint: (f.baseline_state, f.baseline_expired) for f in apply_baseline(once, without, "b.json", rule_ids, TODAY).findings}
    assert gone[first.fingerprint] == ("new", None)  # no entry: nothing expired, it is simply new
    lapsed = apply_baseline(accepted, expired, "old.json", rule_ids, TODAY)
    assert {f.fingerprint: f.baseline_state for f in lapsed.findings}[first.fingerprint] == "new"


def test_an_applied_report_is_a_valid_findings_document(demo):
    report, rule_ids = demo
    baseline = create_baseline(report, rule_ids)
    partial = Baseline(entries=[baseline.entries[0].model_copy(update={"expires": date(2026, 5, 31)}), *baseline.entries[2:]])
    applied = apply_baseline(report, partial, "b.json", rule_ids, TODAY)
    text = applied.to_json()
    assert Report.model_validate_json(text).to_json() == text
    assert {f["baseline_state"] for f in json.loads(text)["findings"]} == {"new", "accepted"}
    assert set(json.loads(text)["findings"][0]) == set(Finding.model_fields)


def test_a_baseline_that_cannot_be_written_is_one_line_naming_it(demo, tmp_path):
    report, rule_ids = demo
    path = tmp_path / "missing-dir" / "b.json"
    with pytest.raises(VpclintError) as error:
        save_baseline(create_baseline(report, rule_ids), path)
    assert str(error.value).startswith(f"baseline {path}: cannot write")
