"""Bad input: each case gives exit 2 and one stderr line naming the file, field or region, never a traceback.

Most cases call the CLI in-process (fast); a few run the real executable to prove the same end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from moto import mock_aws

from cli_check import assert_one_line_error

from vpclint.cli import main
from vpclint.demo import demo_snapshot_text

BUILTIN_RULE = Path(__file__).resolve().parents[1] / "rules" / "ecr-dkr-endpoint-missing.yaml"


@pytest.fixture
def cli(capsys):
    """Run ``vpclint`` in-process: ``cli(args) -> (exit code, stderr)``."""

    def run(args: list[str]) -> tuple[int, str]:
        code = main(args)
        return code, capsys.readouterr().err

    return run


def _demo() -> dict:
    return json.loads(demo_snapshot_text())


def _snapshot_cases() -> list[tuple[str, str, list[str]]]:
    """(case id, file text, expected fragments besides the path)."""
    text = demo_snapshot_text()
    unknown_version = _demo() | {"schema_version": 99}
    wrong_type = _demo()
    wrong_type["accounts"][0]["regions"][1]["vpcs"][0]["cidr_blocks"] = "10.0.0.0/16"
    extra_field = _demo()
    extra_field["accounts"][0]["regions"][0]["subnets"][0]["colour"] = "red"
    version2 = {"schema_version": 2, "account_id": "1", "regions": [{"region": "us-east-1", "vpcs": [{"vpc_id": 7}]}]}
    twice = _demo()
    twice["accounts"].append(twice["accounts"][0])
    # identifiers go into the shell commands a remediation prints: a snapshot file can't smuggle a command in one
    injected_id = _demo()
    injected_id["accounts"][0]["regions"][1]["vpcs"][0]["vpc_id"] = "vpc-1; rm -rf ~"
    injected_route = _demo()
    table = next(t for t in injected_route["accounts"][0]["regions"][0]["route_tables"] if t["routes"])
    table["routes"][0]["target_id"] = "igw-$(curl example.com)"
    injected_region = _demo()
    injected_region["accounts"][0]["regions"][0]["region"] = "us-east-1 `id`"
    peer_cidr = _demo()
    peer_cidr["accounts"][0]["regions"][0]["vpc_peering_connections"][0]["accepter"]["cidr_blocks"] = ["10.6.0.0/33"]
    injected_account = _demo()
    injected_account["accounts"][0]["account_id"] = "123456789012 && id"
    return [
        ("malformed", "{not json", ["not valid JSON", "line 1"]),
        ("truncated", text[: len(text) // 2], ["not valid JSON"]),
        ("empty", "", ["not valid JSON"]),
        ("not-an-object", "[1, 2]", ["JSON object"]),
        ("unknown-version", json.dumps(unknown_version), ["field schema_version", "99"]),
        ("wrong-type", json.dumps(wrong_type), ["field accounts.0.regions.1.vpcs.0.cidr_blocks", "list"]),
        ("unknown-field", json.dumps(extra_field), ["field accounts.0.regions.0.subnets.0.colour"]),
        ("version-2-names-its-own-fields", json.dumps(version2), ["field regions.0.vpcs.0.vpc_id"]),
        ("an-account-twice", json.dumps(twice), ["field accounts.1.account_id", "123456789012 appears twice"]),
        ("shell-in-an-id", json.dumps(injected_id), ["field accounts.0.regions.1.vpcs.0.vpc_id", "not an identifier"]),
        ("shell-in-a-nested-id", json.dumps(injected_route), ["field accounts.0.regions.0.route_tables.", ".routes.0.target_id",
                                                                "'igw-$(curl example.com)' is not an identifier"]),
        ("shell-in-a-region", json.dumps(injected_region), ["field accounts.0.regions.0.region", "not an identifier"]),
        ("bad-cidr-on-a-peering-side", json.dumps(peer_cidr), ["field accounts.0.regions.0.vpc_peering_connections.0"
                                                                ".accepter.cidr_blocks.0", "'10.6.0.0/33' is not a valid CIDR"]),
        ("shell-in-an-account-id", json.dumps(injected_account), ["field accounts.0.account_id", "not an identifier"]),
    ]


@pytest.mark.parametrize("text, needles", [pytest.param(text, needles, id=name) for name, text, needles in _snapshot_cases()])
def test_bad_snapshot_file(cli, tmp_path, text, needles):
    path = tmp_path / "snap.json"
    path.write_text(text)
    assert_one_line_error(*cli(["scan", "--snapshot", str(path)]), f"snapshot {path}", *needles)


def test_missing_snapshot_file(cli, tmp_path):
    path = tmp_path / "absent.json"
    assert_one_line_error(*cli(["scan", "--snapshot", str(path)]), f"snapshot {path}", "cannot read")


def _rule(**changes) -> dict:
    rule = yaml.safe_load(BUILTIN_RULE.read_text()) | {"id": "custom-rule"}
    for key, value in changes.items():
        if value is None:
            del rule[key]
        else:
            rule[key] = value
    return rule


RULE_CASES = {
    "bad-yaml": ("id: custom-rule\ntitle: [unclosed\n", ["not valid YAML", "line"]),
    "not-a-mapping": ("- just\n- a list\n", ["mapping"]),
    "no-schema-version": (_rule(schema_version=None), ["field schema_version"]),
    "unknown-field": (_rule(colour="red"), ["field colour"]),
    "missing-field": (_rule(title=None), ["field title"]),
    "unknown-severity": (_rule(severity="urgent"), ["field severity"]),
    "non-kebab-id": (_rule(id="Custom_Rule"), ["field id", "kebab-case"]),
    "unknown-resource": (_rule(resource="bucket"), ["field resource"]),
    "unknown-source": (_rule(requires=["vpcs", "buckets"]), ["field requires.1"]),
    "bad-when": (_rule(when="in_scope &&"), ["field when", "invalid JMESPath"]),
    "bad-evidence": (_rule(evidence="{a: }"), ["field evidence", "invalid JMESPath"]),
    "bad-message-template": (_rule(message="{{ vpc_id[ }} lacks it"), ["field message", "placeholder"]),
    "bad-remediation-template": (_rule(remediation="run {{ ) }}"), ["field remediation"]),
    "unknown-function": (_rule(when="nosuch(@)"), ["field when", "unknown function nosuch()"]),
    "wrong-arity": (_rule(evidence="length(vpc_id, region)"), ["field evidence", "length() takes 1"]),
    "unknown-function-in-template": (_rule(message="{{ shout(vpc_id) }}"), ["field message", "unknown function shout()"]),
    "type-error-at-evaluation": (_rule(when="length(is_default) > `0`"), ["field when", "JMESPath failed on vpc-"]),
    "unknown-view-field": (_rule(when="in_scop"), ["field when", "no vpc item has a field in_scop (did you mean in_scope?)"]),
    "duplicate-of-builtin": (_rule(id="ecr-dkr-endpoint-missing"), ["field id", "already defined in rules/ecr-dkr-endpoint-missing.yaml"]),
}


@pytest.mark.parametrize("case", sorted(RULE_CASES))
def test_bad_rule_file(cli, tmp_path, case):
    content, needles = RULE_CASES[case]
    path = tmp_path / "custom-rule.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    assert_one_line_error(*cli(["scan", "--demo", "--rules", str(tmp_path)]), f"rule file {path}", *needles)


def test_duplicate_rule_id_within_a_directory(cli, tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(_rule()))
    assert_one_line_error(
        *cli(["scan", "--demo", "--rules", str(tmp_path)]), f"rule file {tmp_path / 'b.yaml'}", f"already defined in {tmp_path / 'a.yaml'}"
    )


def test_rules_directory_that_does_not_exist(cli, tmp_path):
    assert_one_line_error(*cli(["scan", "--demo", "--rules", str(tmp_path / "nope")]), f"rules directory {tmp_path / 'nope'}")


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_id(cli, option):
    assert_one_line_error(*cli(["scan", "--demo", option, "no-such-rule"]), option, "no-such-rule")


@pytest.mark.parametrize("region, needles", [
    ("mars-east-1", ["unknown region `mars-east-1`"]),
    ("cn-north-1", ["region 'cn-north-1'", "aws-cn", "credentials are for aws"]),
    ("us-gov-west-1", ["region 'us-gov-west-1'", "aws-us-gov"]),
])
def test_region_that_cannot_be_scanned(cli, no_aws, monkeypatch, region, needles):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        assert_one_line_error(*cli(["scan", "--region", "us-east-1", "--region", region]), *needles)


@pytest.mark.parametrize("command", ["scan", "collect"])
def test_missing_credentials(cli, no_aws, command):
    assert_one_line_error(*cli([command, "--region", "us-east-1"]), "no AWS credentials")


def test_unknown_profile_from_flag_or_environment(cli, no_aws, monkeypatch):
    assert_one_line_error(*cli(["scan", "--profile", "nope", "--region", "us-east-1"]), "profile 'nope' not found")
    assert_one_line_error(*cli(["scan", "--org", "--profile", "nope", "--region", "us-east-1"]), "profile 'nope' not found")
    monkeypatch.setenv("AWS_PROFILE", "gone")
    assert_one_line_error(*cli(["collect", "--region", "us-east-1"]), "profile 'gone' not found")


def test_the_real_executable_reports_bad_input_in_one_line(run_vpclint, no_aws, tmp_path):
    """The installed console script: a truncated snapshot, a bad rule file and missing credentials."""
    truncated = tmp_path / "truncated.json"
    truncated.write_text(demo_snapshot_text()[:500])
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.yaml").write_text(yaml.safe_dump(_rule(severity="urgent")))
    for args, needle in (
        (["scan", "--snapshot", str(truncated)], f"snapshot {truncated}: not valid JSON"),
        (["scan", "--demo", "--rules", str(rules)], f"rule file {rules / 'x.yaml'}: field severity"),
        (["collect", "--region", "eu-west-1"], "no AWS credentials"),
    ):
        result = run_vpclint(args, env=no_aws)
        assert_one_line_error(result.returncode, result.stderr, needle)
        assert result.stdout == ""
