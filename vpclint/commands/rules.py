"""``vpclint rules``: list the catalogue, show one rule, or write the rule document (docs/rules.md)."""

from __future__ import annotations

import argparse
import json

from vpclint.catalogue import list_rows, render_list, render_markdown, render_show
from vpclint.commands.common import add_rules_dir_arg, output_stream
from vpclint.errors import EXIT_OK, VpclintError
from vpclint.rules import load_rules


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``rules`` command and its ``list``, ``show`` and ``doc`` subcommands."""
    parser = subparsers.add_parser("rules", help="read the rule catalogue")
    actions = parser.add_subparsers(dest="rules_command", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="every rule: id, severity, resource, title")
    listing.add_argument("--format", default="text", choices=("text", "json"), help="output format (default text)")
    show = actions.add_parser("show", help="everything about one rule")
    show.add_argument("rule_id", metavar="RULE_ID")
    doc = actions.add_parser("doc", help="write the Markdown rule document (docs/rules.md)")
    doc.add_argument("-o", "--output", default="-", metavar="FILE", help="write here ('-' for stdout, the default)")
    for sub, run in ((listing, run_list), (show, run_show), (doc, run_doc)):
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
