"""Tools for rule authors: the field check and ``let:`` at load, ``vpclint rules test`` and ``vpclint view``."""

from __future__ import annotations

import json
from pathlib import Path

import jmespath
import pytest
import yaml

from vpclint.catalogue import plain_markdown
from vpclint.cli import main
from vpclint.demo import demo_snapshot_text
from vpclint.errors import VpclintError
from vpclint.fixtures import item_fields
from vpclint.functions import rule_options
from vpclint.rulefields import root_fields
from vpclint.rules import parse_rule_file
from vpclint.view import RESOURCE_KINDS

FIXTURES = Path(__file__).resolve().parent / "rule_fixtures"
RULE = {
    "schema_version": 1, "id": "my-endpoint-rule", "title": "t", "severity": "low", "resource": "endpoint",
    "requires": ["vpc_endpoints"], "description": "d", "rationale": "r",
    "when": "vpc_endpoint_type == 'Interface' && !private_dns_enabled",
    "message": "{{ vpc_endpoint_id }} has no private DNS", "evidence": "{id: vpc_endpoint_id}",
    "remediation": "aws ec2 modify-vpc-endpoint --vpc-endpoint-id {{ vpc_endpoint_id }} --private-dns-enabled",
}


def _rule(**fields: object):
    return parse_rule_file(yaml.safe_dump({**RULE, **fields}), "my-endpoint-rule.yaml")


def test_a_misspelt_field_is_rejected_at_load_with_a_suggestion() -> None:
    with pytest.raises(VpclintError, match=r"field when: no endpoint item has a field vpc_endpont_type "
                                           r"\(did you mean vpc_endpoint_type\?\)"):
        _rule(when="vpc_endpont_type == 'Interface'")
    with pytest.raises(VpclintError, match="field message: .*vpc_endpoint_idd"):
        _rule(message="{{ vpc_endpoint_idd }}")


def test_only_names_read_from_the_item_itself_are_checked() -> None:
    parsed = jmespath.compile("a.b && (c[?d].e | f) && g(&h, i) && {k: j[*].l}").parsed
    assert list(root_fields(parsed)) == ["a", "c", "i", "j"]
    _rule(when="vpc.not_checked && subnet_ids[?anything] && sort_by(ingress_blocked_subnets, &whatever) && state != null")


def test_item_fields_come_from_the_view_of_every_kind() -> None:
    fields = item_fields()
    assert set(fields) == set(RESOURCE_KINDS) and all(fields.values())
    assert {"in_scope", "workload_subnets", "resource_id"} <= fields["vpc"]
    assert {"vpc_endpoint_type", "vpc", "effective_group_ids"} <= fields["endpoint"]


def test_let_values_are_computed_once_per_item_and_read_by_name() -> None:
    rule = _rule(let={"dns_off": "!private_dns_enabled", "label": "join(' ', [vpc_endpoint_id, to_string(dns_off)])"},
                 when="dns_off", message="{{ label }}", evidence="{dns_off: dns_off}")
    options = rule_options()
    item = {"vpc_endpoint_id": "vpce-1", "private_dns_enabled": False}
    assert rule.condition(options)(item)
    bound = rule.bind(item, options)
    assert rule.bind(item, options) is bound and "label" not in item
    assert rule.render("message", item, options) == "vpce-1 true"
    assert rule.evidence_for(item, options) == {"dns_off": True}
    assert not rule.condition(options)({"vpc_endpoint_id": "vpce-2", "private_dns_enabled": True})


def test_bad_let_names_are_refused() -> None:
    with pytest.raises(VpclintError, match="let.service: the name is a field of endpoint items"):
        _rule(let={"service": "'x'"})
    with pytest.raises(VpclintError, match="not lowercase letters"):
        _rule(let={"Bad-Name": "'x'"})
    with pytest.raises(VpclintError, match="field let.first: no endpoint item has a field second"):
        _rule(let={"first": "second", "second": "'x'"})


def test_rules_doc_is_plain_markdown() -> None:
    assert plain_markdown("see :func:`vpclint.policy.evaluate` and ``x``") == "see `vpclint.policy.evaluate` and `x`"
    text = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text()
    assert ":mod:" not in text and ":func:" not in text and "``" not in text


def _own_rule_dirs(tmp_path: Path, fixture: dict, base: dict | None = None) -> tuple[Path, Path]:
    rules, fixtures = tmp_path / "rules", tmp_path / "fixtures"
    rules.mkdir()
    fixtures.mkdir()
    (rules / "my-endpoint-rule.yaml").write_text(yaml.safe_dump(RULE))
    (fixtures / "my-endpoint-rule.yaml").write_text(yaml.safe_dump(fixture))
    if base is not None:
        (fixtures / "base.yaml").write_text(yaml.safe_dump(base))
    return rules, fixtures


DNS_OFF = [{"op": "set", "target": "vpc_endpoints/vpce-dkr", "field": "private_dns_enabled", "value": False}]


def test_rules_test_runs_the_fixtures_of_ones_own_rules(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cases = [{"name": "dns off", "expect": "fire", "flagged": ["vpce-dkr"], "patch": DNS_OFF},
             {"name": "compliant", "expect": "quiet"}]
    rules, fixtures = _own_rule_dirs(tmp_path, {"rule": "my-endpoint-rule", "cases": cases})
    assert main(["rules", "test", "--rules", str(rules), str(fixtures)]) == 0
    out = capsys.readouterr().out
    assert "PASS  my-endpoint-rule: dns off" in out and "2 passed, 0 failed" in out


def test_rules_test_fails_a_wrong_expectation(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rules, fixtures = _own_rule_dirs(tmp_path, {"rule": "my-endpoint-rule", "cases": [
        {"name": "wrong", "expect": "quiet", "patch": DNS_OFF}]})
    assert main(["rules", "test", "--rules", str(rules), str(fixtures)]) == 1
    assert "FAIL  my-endpoint-rule: wrong\n      flagged ['vpce-dkr'], expected nothing" in capsys.readouterr().out


def test_rules_test_uses_a_base_beside_the_fixtures(tmp_path: Path) -> None:
    base = yaml.safe_load((FIXTURES / "base.yaml").read_text())
    base["regions"][0]["vpc_endpoints"] = [
        {**e, "private_dns_enabled": False} if e["vpc_endpoint_id"] == "vpce-dkr" else e
        for e in base["regions"][0]["vpc_endpoints"]]
    rules, fixtures = _own_rule_dirs(tmp_path, {"rule": "my-endpoint-rule", "cases": [
        {"name": "base has DNS off", "expect": "fire", "flagged": ["vpce-dkr"]}]}, base)
    assert main(["rules", "test", "--rules", str(rules), str(fixtures)]) == 0


@pytest.mark.parametrize("fixture,problem", [
    ({"rule": "other-name", "cases": [{"name": "x", "expect": "quiet"}]}, "'rule' must be the file's name"),
    ({"rule": "my-endpoint-rule", "cases": [{"name": "x", "expect": "maybe"}]}, "'expect' must be fire or quiet"),
    ({"rule": "my-endpoint-rule", "cases": [{"name": "x", "expect": "fire"}]}, "'flagged' must list"),
    ({"rule": "my-endpoint-rule", "cases": [{"name": "x", "expect": "quiet", "patch": [
        {"op": "set", "target": "vpc_endpoints/vpce-nope", "field": "state", "value": "x"}]}]}, "vpce-nope not found"),
])
def test_rules_test_rejects_malformed_fixtures(tmp_path: Path, capsys: pytest.CaptureFixture, fixture: dict,
                                               problem: str) -> None:
    rules, fixtures = _own_rule_dirs(tmp_path, fixture)
    assert main(["rules", "test", "--rules", str(rules), str(fixtures)]) == 2
    assert problem in capsys.readouterr().err


def test_view_prints_items_as_json_with_the_vpc_as_its_id(capsys: pytest.CaptureFixture) -> None:
    assert main(["view", "--demo", "--kind", "endpoint", "--kind", "vpc"]) == 0
    text = capsys.readouterr().out
    view = json.loads(text)
    assert text == json.dumps(view, indent=2, sort_keys=True) + "\n"
    for kinds in view.values():
        assert set(kinds) == {"endpoint", "vpc"}
        vpc_ids = {vpc["vpc_id"] for vpc in kinds["vpc"]}
        assert all(endpoint["vpc"] in vpc_ids for endpoint in kinds["endpoint"])


def test_view_of_one_vpc(capsys: pytest.CaptureFixture) -> None:
    main(["view", "--demo", "--kind", "vpc"])
    vpc_id = next(vpc["vpc_id"] for kinds in json.loads(capsys.readouterr().out).values() for vpc in kinds["vpc"])
    assert main(["view", "--demo", "--vpc", vpc_id]) == 0
    view = json.loads(capsys.readouterr().out)
    items = [item for kinds in view.values() for found in kinds.values() for item in found]
    assert items and {item["vpc_id"] for item in items} == {vpc_id}


def test_view_of_a_snapshot_file_equals_the_demos(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "demo.json").write_text(demo_snapshot_text())
    assert main(["view", "--demo", "--kind", "subnet"]) == 0
    demo = capsys.readouterr().out
    assert main(["view", "--snapshot", str(tmp_path / "demo.json"), "--kind", "subnet"]) == 0
    assert capsys.readouterr().out == demo
