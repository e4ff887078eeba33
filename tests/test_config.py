"""The config file: discovery, flags overriding it, settings reaching the rules as data, one-line errors."""

from __future__ import annotations

import argparse
import json

import pytest

import vpclint.commands.scan as scan_command
from vpclint.cli import main
from vpclint.config import Config, load_config
from vpclint.demo import demo_snapshot_text
from vpclint.engine import evaluate
from vpclint.errors import VpclintError
from vpclint.rules import load_rules
from vpclint.snapshot_files import parse


def _scan_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["scan", "--demo", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_no_config_file_means_defaults(tmp_path):
    assert load_config(None, tmp_path) == Config()


def test_config_in_the_current_folder_sets_fail_on_and_flags_override_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vpclint.toml").write_text('fail_on = "none"\n')
    code, report = _scan_json(capsys)
    assert code == 0 and report["summary"]["fail_on"] == "none" and report["summary"]["total"] > 0
    code, report = _scan_json(capsys, "--fail-on", "low")
    assert code == 1 and report["summary"]["fail_on"] == "low"


def test_select_and_ignore_from_config_and_from_flags(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team.toml").write_text('select = ["ecr-dkr-endpoint-missing"]\n')
    _, report = _scan_json(capsys, "--config", "team.toml")
    assert {f["rule_id"] for f in report["findings"]} == {"ecr-dkr-endpoint-missing"}
    _, report = _scan_json(capsys, "--config", "team.toml", "--select", "logs-endpoint-missing")
    assert {f["rule_id"] for f in report["findings"]} == {"logs-endpoint-missing"}
    (tmp_path / "team.toml").write_text('ignore = ["ecr-dkr-endpoint-missing"]\n')
    _, report = _scan_json(capsys, "--config", "team.toml")
    assert "ecr-dkr-endpoint-missing" not in {f["rule_id"] for f in report["findings"]} and report["findings"]


def test_baseline_path_from_config_is_relative_to_the_config_file(tmp_path, monkeypatch, capsys):
    team = tmp_path / "team"
    team.mkdir()
    (team / ".vpclint.toml").write_text('baseline = "accepted.json"\n')
    monkeypatch.chdir(team)
    assert main(["baseline", "create", "--demo"]) == 0
    assert (team / "accepted.json").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    code, report = _scan_json(capsys, "--config", str(team / ".vpclint.toml"))
    assert code == 0 and report["baseline"] == str(team / "accepted.json")
    assert report["summary"]["new"] == 0 and report["summary"]["accepted"] == report["summary"]["total"] > 0


def test_regions_come_from_config_unless_given_on_the_command_line(tmp_path, monkeypatch):
    (tmp_path / "c.toml").write_text('regions = ["eu-west-1", "us-east-1"]\n')
    seen = []

    def fake_snapshot(args):
        seen.append((args.region, args.all_regions))
        return parse(demo_snapshot_text(), "demo"), None

    monkeypatch.setattr(scan_command, "obtain_snapshot", fake_snapshot)
    for flags in ([], ["ap-south-1"]):
        args = argparse.Namespace(config=tmp_path / "c.toml", region=flags, all_regions=False, rules=[], select=[], ignore=[], vpc=[], no_skip_tags=False)
        scan_command.perform_scan(args)
    assert seen == [(["eu-west-1", "us-east-1"], False), (["ap-south-1"], False)]


def test_required_endpoints_reach_the_rule_as_data(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _, report = _scan_json(capsys, "--select", "required-endpoint-missing")
    assert report["findings"] == []  # no config: the rule checks nothing
    (tmp_path / ".vpclint.toml").write_text('required_endpoints = ["sts", "logs", "ecr.api"]\n')
    code, report = _scan_json(capsys, "--select", "required-endpoint-missing")
    snapshot = parse(demo_snapshot_text(), "demo")
    expected = evaluate(snapshot, load_rules(select=["required-endpoint-missing"]), settings={"required_services": ["ecr.api", "logs", "sts"]})
    assert code == 1 and [f["resource_id"] for f in report["findings"]] == [f.resource_id for f in expected.findings]
    assert expected.findings, "every demo VPC in scope lacks an sts endpoint"
    for finding in report["findings"]:
        assert "sts" in finding["evidence"]["missing_services"]
        assert finding["evidence"]["required_services"] == ["ecr.api", "logs", "sts"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("fail_on = \n", "not valid TOML"),
        ('fail_on = "sometimes"\n', "field fail_on"),
        ('colour = "blue"\n', "unknown key `colour`"),
        ('required_endpoints = ["Logs!"]\n', "field required_endpoints"),
        ('regions = "us-east-1"\n', "field regions"),
    ],
    ids=["malformed", "fail-on", "unknown-key", "service-name", "regions-type"],
)
def test_bad_config_fails_with_one_line_and_exit_2(tmp_path, monkeypatch, capsys, text, expected):
    (tmp_path / "c.toml").write_text(text)
    with pytest.raises(VpclintError) as error:
        load_config(tmp_path / "c.toml")
    assert str(error.value).startswith(f"config {tmp_path / 'c.toml'}: ") and expected in str(error.value)
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--demo", "--config", "c.toml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err


def test_an_explicit_config_file_must_exist(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--demo", "--config", "missing.toml"]) == 2
    assert "config missing.toml: cannot read" in capsys.readouterr().err
