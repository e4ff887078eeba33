"""``vpclint scan``: collect (or read a snapshot), evaluate the rules, report, and exit by the findings."""

from __future__ import annotations

import argparse
from pathlib import Path

from vpclint.commands.common import add_collection_args, add_source_args, obtain_snapshot, output_stream
from vpclint.emitters import ScanResult, emitter_registry, get_emitter
from vpclint.engine import evaluate
from vpclint.findings import FAIL_ON_CHOICES
from vpclint.rules import load_rules


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scan`` command."""
    parser = subparsers.add_parser("scan", help="check that every VPC can pull from ECR privately")
    add_source_args(parser)
    add_collection_args(parser)
    parser.add_argument("--format", default="console", choices=sorted(emitter_registry()), help="output format (default console)")
    parser.add_argument("-o", "--output", default="-", metavar="FILE", help="write the report here ('-' for stdout, the default)")
    parser.add_argument("--fail-on", default="low", choices=FAIL_ON_CHOICES, help="lowest severity that fails the run (default low; info never fails)")
    add_rule_selection_args(parser)
    parser.add_argument("--vpc", action="append", default=[], metavar="VPC_ID", help="limit the scan to this VPC (repeatable)")
    parser.set_defaults(func=run)


def add_rule_selection_args(parser: argparse.ArgumentParser) -> None:
    """``--rules DIR``, ``--select`` and ``--ignore``."""
    parser.add_argument("--rules", action="append", default=[], type=Path, metavar="DIR", help="also load the rule files in DIR (repeatable)")
    parser.add_argument("--select", action="append", default=[], metavar="RULE_ID", help="evaluate only these rules (repeatable)")
    parser.add_argument("--ignore", action="append", default=[], metavar="RULE_ID", help="skip these rules (repeatable)")


def run(args: argparse.Namespace) -> int:
    """Scan and report; the exit code depends on the findings and completeness, never on the format."""
    rules = load_rules(args.rules, args.select, args.ignore)
    emitter = get_emitter(args.format)
    snapshot, snapshot_path = obtain_snapshot(args)
    report = evaluate(snapshot, rules, fail_on=args.fail_on, vpc_ids=args.vpc)
    with output_stream(args.output) as stream:
        emitter.emit(ScanResult(report=report, rules=rules, snapshot_path=snapshot_path), stream)
    return report.exit_code()
