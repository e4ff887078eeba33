"""The published rule document matches the rule files, and every rule is documented."""

from pathlib import Path

from vpclint.catalogue import render_markdown, render_show, rule_functions
from vpclint.rules import load_rules

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_generated_from_the_rule_files():
    expected = render_markdown(load_rules())
    assert DOC.read_text(encoding="utf-8") == expected, "regenerate it: vpclint rules doc -o docs/rules.md"


def test_every_rule_and_function_has_a_section():
    text = DOC.read_text(encoding="utf-8")
    for rule in load_rules():
        assert f"### {rule.id}\n" in text
        assert all(f"<{url}>" in text for url in rule.references)
    for name, doc in rule_functions():
        assert doc, f"function {name} needs a docstring"
        assert f"### `{name}`" in text


def test_show_names_the_fields_a_user_needs():
    rule = next(r for r in load_rules() if r.id == "s3-gateway-route-table-missing")
    text = render_show(rule)
    assert text.startswith("s3-gateway-route-table-missing  (high, resource route_table)")
    assert "requires:    vpcs, subnets, route_tables, vpc_endpoints" in text
    assert "--add-route-table-ids" in text
