"""``vpclint rules``: list the catalogue, show one rule, write the rule document (docs/rules.md), or run the
fixtures of one's own rules."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vpclint.catalogue import list_rows, render_list, render_markdown, render_show
from vpclint.commands.common import add_rules_dir_arg, output_stream
from vpclint.errors import EXIT_FINDINGS, EXIT_OK, VpclintError
from vpclint.fixtures import load_base, load_cases, run_case
from vpclint.rules import load_rules


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``rules`` command and its ``list``, ``show``, ``doc`` and ``test`` subcommands."""
    parser = subparsers.add_parser("rules", help="read the rule catalogue")
    actions = parser.add_subparsers(dest="rules_command", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="every rule: id, severity, resource, title")
    listing.add_argument("--format", default="text", choices=("text", "json"), help="output format (default text)")
    show = actions.add_parser("show", help="everything about one rule")
    show.add_argument("rule_id", metavar="RULE_ID")
    doc = actions.add_parser("doc", help="write the Markdown rule document (docs/rules.md)")
    doc.add_argument("-o", "--output", default="-", metavar="FILE", help="write here ('-' for stdout, the default)")
    test = actions.add_parser(
        "test", help="run the rule fixtures in DIR (your rules: --rules)",
        description="Run each case of the fixture files DIR/<rule-id>.yaml (the format of tests/rule_fixtures) "
                    "through the engine with the built-in rules and those of --rules, on the built-in base "
                    "snapshot or DIR/base.yaml when present. Exit 0 when every case passes, 1 when one fails, "
                    "2 for a malformed fixture or rule file.",
    )
    test.add_argument("directory", type=Path, metavar="DIR", help="the fixture files")
    for sub, run in ((listing, run_list), (show, run_show), (doc, run_doc), (test, run_test)):
        add_rules_dir_arg(sub)
        sub.set_defaults(func=run)


def run_list(args: argparse.Namespace) -> int:
    """Print the catalogue, worst severity first."""
    rules = load_rules(args.rules)
    if args.format == "json":
        keys = ("id", "severity", "resource", "title")
        print(json.dumps([dict(zip(keys, row)) for row in list_rows(rules)], indent=2))
    else:
        print(render_list(rules), end="")
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """Print one rule in full."""
    rules = {rule.id: rule for rule in load_rules(args.rules)}
    if args.rule_id not in rules:
        raise VpclintError(f"rules show: unknown rule id {args.rule_id} (see 'vpclint rules list')")
    print(render_show(rules[args.rule_id]), end="")
    return EXIT_OK


def run_doc(args: argparse.Namespace) -> int:
    """Write the Markdown catalogue."""
    with output_stream(args.output) as stream:
        stream.write(render_markdown(load_rules(args.rules)))
    return EXIT_OK


def run_test(args: argparse.Namespace) -> int:
    """Run the fixtures in DIR with the built-in rules and those of ``--rules``; one line per case."""
    rules = {rule.id: rule for rule in load_rules(args.rules)}
    cases, base = load_cases(args.directory), load_base(args.directory)
    if not cases:
        raise VpclintError(f"rules test: no fixture files (<rule-id>.yaml) in {args.directory}")
    failed = 0
    for case in cases:
        outcome = run_case(case, base, rules)
        failed += not outcome.passed
        print(f"{'PASS' if outcome.passed else 'FAIL'}  {case.rule_id}: {case.name}"
              + ("" if outcome.passed else f"\n      {outcome.problem}"))
    print(f"{len(cases) - failed} passed, {failed} failed")
    return EXIT_FINDINGS if failed else EXIT_OK
