"""The vpclint:skip tag: a visible, deliberate trust decision, never a silent way to turn a CI gate green."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from vpclint.cli import main

BASE = yaml.safe_load((Path(__file__).parent / "rule_fixtures" / "base.yaml").read_text())


def broken_snapshot(tmp_path: Path, skip_value: str | None) -> Path:
    """The compliant fixture account with its ecr.dkr endpoint removed (a high finding), tagged as asked."""
    data = copy.deepcopy(BASE)
    region = data["regions"][0]
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-dkr"]
    if skip_value is not None:
        region["vpcs"][0]["tags"] = {"vpclint:skip": skip_value, "Name": "payments"}
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def scan(tmp_path: Path, capsys, *extra: str) -> tuple[int, dict]:
    code = main(["scan", "--snapshot", str(broken_snapshot(tmp_path, extra[0] if extra else None)), "--format", "json",
                 *extra[1:]])
    return code, json.loads(capsys.readouterr().out)


def test_a_false_like_value_does_not_skip(tmp_path, capsys):
    for value in ("false", "FALSE", "no", "0", "off", ""):
        code, report = scan(tmp_path, capsys, value)
        assert code == 1 and report["skipped"] == [] and report["summary"]["skipped"] == 0, value
        assert any(f["rule_id"] == "ecr-dkr-endpoint-missing" for f in report["findings"])


def test_a_skipped_vpc_is_listed_with_its_reason_and_counted(tmp_path, capsys):
    code, report = scan(tmp_path, capsys, "retired in Q3")
    assert code == 0 and report["findings"] == []
    assert report["skipped"] == [{"account_id": "111122223333", "account_name": None, "region": "us-east-1", "vpc_id": "vpc-app",
                                  "name": "payments", "reason": "retired in Q3"}]
    assert report["summary"]["skipped"] == 1
    row = report["vpcs"][0]
    assert (row["verdict"], row["summary"]) == ("not_in_scope", "skipped by its vpclint:skip tag: retired in Q3")


def test_no_skip_tags_refuses_tag_based_skips(tmp_path, capsys):
    code, report = scan(tmp_path, capsys, "retired in Q3", "--no-skip-tags")
    assert code == 1 and report["skipped"] == []
    assert report["vpcs"][0]["verdict"] == "broken"
    assert any(f["rule_id"] == "ecr-dkr-endpoint-missing" for f in report["findings"])


def test_the_config_can_refuse_skip_tags(tmp_path, capsys):
    (tmp_path / "strict.toml").write_text("skip_tags = false\n", encoding="utf-8")
    code, report = scan(tmp_path, capsys, "retired in Q3", "--config", str(tmp_path / "strict.toml"))
    assert code == 1 and report["skipped"] == []


def test_console_and_sarif_name_the_skipped_vpc(tmp_path, capsys):
    snapshot = broken_snapshot(tmp_path, "retired in Q3")
    assert main(["scan", "--snapshot", str(snapshot), "--sarif", str(tmp_path / "out.sarif")]) == 0
    console = capsys.readouterr().out
    assert "Skipped by tag" in console and "vpc-app" in console and "retired in Q3" in console
    assert "; 1 skipped by tag" in console
    notes = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("vpc-app" in n["message"]["text"] and "retired in Q3" in n["message"]["text"] for n in notes)
