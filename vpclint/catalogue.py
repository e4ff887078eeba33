"""The rule catalogue as text: ``vpclint rules list``/``show`` and the generated ``docs/rules.md``.

Everything here is rendered from the rule files and the docstrings of the rule functions, so the published
document can't drift from the code (a test compares ``docs/rules.md`` with :func:`render_markdown`).
"""

from __future__ import annotations

import inspect
import re

from vpclint.functions import RuleFunctions
from vpclint.rules import Rule, severity_rank

SCHEMA_FIELDS = (
    ("schema_version", "always 1"),
    ("id", "kebab-case, unique; part of the public interface (used by --select/--ignore and baselines)"),
    ("title", "one line"),
    ("severity", "critical, high, medium, low or info"),
    ("resource", "the view items the rule iterates: vpc, subnet, route_table, endpoint or security_group"),
    ("requires", "the data sources the rule reads; if one was not collected the rule is reported as not evaluated"),
    ("description, rationale", "what the rule checks and why it matters"),
    ("references", "https:// documentation URLs"),
    ("tags", "security, cost, availability"),
    ("let", "optional: named JMESPath values, each seeing the earlier ones, read by name (as fields) in when, "
            "evidence and the templates and computed at most once per item, when first read; a name must not be a "
            "field of the rule's items"),
    ("when", "JMESPath over one view item; the rule fires when the result is truthy"),
    ("message, remediation", "text with {{ jmespath }} placeholders, rendered for each finding"),
    ("evidence", "JMESPath selecting the facts that made the rule fire"),
)


_SPHINX_ROLE = re.compile(r":(?:mod|func|class|meth|data|attr):`~?([^`]+)`")


def plain_markdown(text: str) -> str:
    """A docstring as plain Markdown: Sphinx roles (``:func:`x` ``) and reST literals (````x````) as `x`."""
    return _SPHINX_ROLE.sub(r"`\1`", text).replace("``", "`")


def rule_functions() -> list[tuple[str, str]]:
    """``(name, docstring)`` of every custom function rule expressions may call, sorted by name, in Markdown."""
    return sorted(
        (name[len("_func_"):], plain_markdown(inspect.getdoc(member) or ""))
        for name, member in vars(RuleFunctions).items()
        if name.startswith("_func_")
    )


def _prose(text: str) -> str:
    """One paragraph of Markdown prose: joined lines, ``<`` escaped so placeholders like <region> show."""
    return " ".join(text.split()).replace("<", "\\<")


def list_rows(rules: list[Rule]) -> list[tuple[str, str, str, str]]:
    """``(id, severity, resource, title)`` for each rule, by severity then id."""
    ordered = sorted(rules, key=lambda r: (severity_rank(r.severity), r.id))
    return [(r.id, r.severity, r.resource, r.title) for r in ordered]


def render_list(rules: list[Rule]) -> str:
    """The plain-text table of ``vpclint rules list``."""
    rows = [("ID", "SEVERITY", "RESOURCE", "TITLE"), *list_rows(rules)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])), row[3]]) for row in rows]
    return "\n".join(lines) + "\n"


def render_show(rule: Rule) -> str:
    """The full text of ``vpclint rules show <id>``."""
    lines = [
        f"{rule.id}  ({rule.severity}, resource {rule.resource})",
        rule.title,
        "",
        f"requires:    {', '.join(rule.requires)}",
        f"tags:        {', '.join(rule.tags) or '-'}",
        f"source:      {rule.source}",
        "",
        "description:",
        f"  {' '.join(rule.description.split())}",
        "rationale:",
        f"  {' '.join(rule.rationale.split())}",
        "references:",
        *(f"  {url}" for url in rule.references),
        *(line for name, expression in rule.let.items() for line in (f"let {name}:", f"  {' '.join(expression.split())}")),
        "when:",
        f"  {' '.join(rule.when.split())}",
        "evidence:",
        f"  {' '.join(rule.evidence.split())}",
        "remediation:",
        f"  {' '.join(rule.remediation.split())}",
    ]
    return "\n".join(lines) + "\n"


def render_markdown(rules: list[Rule]) -> str:
    """``docs/rules.md``: the schema, the catalogue table, one section per rule and the rule functions."""
    ordered = sorted(rules, key=lambda r: r.id)
    out = [
        "# vpclint rules",
        "",
        "<!-- Generated from rules/*.yaml by `vpclint rules doc -o docs/rules.md`; do not edit by hand. -->",
        "",
        "Each rule is one YAML file in `rules/` (add your own with `--rules DIR`). Every rule reports only on",
        "*in-scope* VPCs: VPCs with at least one private subnet and no `vpclint:skip` tag. The fields a rule reads",
        "are documented in [view.md](view.md).",
        "",
        "## Rule file fields",
        "",
        "| field | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in SCHEMA_FIELDS),
        "",
        "## Catalogue",
        "",
        "| id | severity | resource | title |",
        "|---|---|---|---|",
        *(f"| [`{i}`](#{i}) | {s} | {r} | {t} |" for i, s, r, t in list_rows(rules)),
        "",
    ]
    for rule in ordered:
        out += [
            f"### {rule.id}",
            "",
            f"**{rule.title}**",
            "",
            f"- severity: {rule.severity}",
            f"- resource: {rule.resource}",
            f"- requires: {', '.join(f'`{source}`' for source in rule.requires)}",
            f"- tags: {', '.join(rule.tags) or '-'}",
            "",
            _prose(rule.description),
            "",
            f"*Rationale.* {_prose(rule.rationale)}",
            "",
        ]
        if rule.references:
            out += ["References:", "", *(f"- <{url}>" for url in rule.references), ""]
    out += [
        "## Functions for rule expressions",
        "",
        "Besides the JMESPath built-ins, `when`, `evidence` and the templates may call:",
        "",
    ]
    for name, doc in rule_functions():
        out += [f"### `{name}`", "", doc, ""]
    return "\n".join(out).rstrip("\n") + "\n"
