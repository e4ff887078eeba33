"""Filters that match nothing fail (exit 2, naming the value and where it came from), and errors that say what to do."""

from __future__ import annotations

import json

import boto3
import pytest

from vpclint.cli import main
from vpclint.collect.session import resolve_regions
from vpclint.demo import demo_snapshot_text

PROD = "vpc-88f31e9a47a594c80"
"""The demo's VPC whose Name tag is prod."""


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["scan", "--demo", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def error_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    return capsys.readouterr().err


def test_a_vpc_that_matches_nothing_is_exit_2_naming_it(capsys):
    assert "--vpc vpc-typo: no such VPC in the scanned regions" in error_of(capsys, ["scan", "--demo", "--vpc", "vpc-typo"])
    assert "--vpc garbage:" in error_of(capsys, ["scan", "--demo", "--vpc", PROD, "--vpc", "garbage"])


def test_vpc_accepts_a_name_tag_or_an_id(capsys):
    for value in ("prod", PROD):
        code, report = scan_json(capsys, "--vpc", value)
        assert code == 1 and [row["vpc_id"] for row in report["vpcs"]] == [PROD], value
        assert report["findings"] and {f["vpc_id"] for f in report["findings"]} == {PROD}


def test_region_filters_the_snapshot_or_is_exit_2_when_absent(capsys):
    code, report = scan_json(capsys, "--region", "eu-west-1")
    assert code == 1 and report["regions"] == ["eu-west-1"]
    assert {f["region"] for f in report["findings"]} == {"eu-west-1"}
    assert "--region ap-south-1: not in the snapshot" in error_of(capsys, ["scan", "--demo", "--region", "ap-south-1"])


def test_region_filters_a_snapshot_file(tmp_path, capsys):
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text(), encoding="utf-8")
    assert "--region us-west-2: not in the snapshot" in error_of(
        capsys, ["scan", "--snapshot", str(snapshot), "--region", "us-west-2"])
    assert main(["scan", "--snapshot", str(snapshot), "--region", "us-east-1", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["regions"] == ["us-east-1"]


def test_an_unknown_rule_id_names_the_flag_or_the_config_file(tmp_path, capsys, monkeypatch):
    assert "--select: unknown rule id nope" in error_of(capsys, ["scan", "--demo", "--select", "nope"])
    assert "--ignore: unknown rule id nope" in error_of(capsys, ["scan", "--demo", "--ignore", "nope"])
    config = tmp_path / "team.toml"
    config.write_text('ignore = ["nope"]\n', encoding="utf-8")
    assert f"config {config}: field ignore: unknown rule id nope" in error_of(
        capsys, ["scan", "--demo", "--config", str(config)])
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vpclint.toml").write_text('select = ["nope"]\n', encoding="utf-8")
    err = error_of(capsys, ["scan", "--demo"])
    assert "field select: unknown rule id nope" in err and ".vpclint.toml" in err and "--select" not in err


def test_a_findings_document_as_snapshot_says_what_it_is(tmp_path, capsys):
    findings = tmp_path / "findings.json"
    assert main(["scan", "--demo", "--format", "json", "-o", str(findings)]) == 1
    capsys.readouterr()
    err = error_of(capsys, ["scan", "--snapshot", str(findings)])
    assert (f"snapshot {findings}: not a vpclint snapshot (it looks like a vpclint findings document; "
            "run `vpclint collect`)") in err
    other = tmp_path / "other.json"
    other.write_text('{"Vpcs": []}', encoding="utf-8")
    assert f"snapshot {other}: not a vpclint snapshot (no schema_version)" in error_of(
        capsys, ["scan", "--snapshot", str(other)])


def test_an_unknown_region_gets_a_suggestion(no_aws):
    session = boto3.Session(region_name="us-east-1")
    with pytest.raises(Exception, match=r"unknown region `useast1` \(did you mean us-east-1\?\)"):
        resolve_regions(session, "aws", ["useast1"], False)
    with pytest.raises(Exception, match=r"unknown region `zzzz` \(not a region"):
        resolve_regions(session, "aws", ["zzzz"], False)


def test_an_unknown_config_key_names_the_file_and_the_key_meant(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vpclint.toml").write_text('fail-on = "high"\n', encoding="utf-8")
    err = error_of(capsys, ["scan", "--demo"])
    assert ".vpclint.toml: unknown key `fail-on` (did you mean fail_on?)" in err
    assert "Extra inputs" not in err


@pytest.mark.parametrize("text", ['fail_on = "often"\n', "regions = [\n", 'required_endpoints = ["Not A Service"]\n'])
def test_every_config_error_names_the_file(tmp_path, capsys, text):
    config = tmp_path / "team.toml"
    config.write_text(text, encoding="utf-8")
    assert str(config) in error_of(capsys, ["scan", "--demo", "--config", str(config)])
