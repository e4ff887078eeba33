"""``vpclint scan``: collect (or read a snapshot), evaluate the rules, report, and exit by the findings."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from vpclint.baseline import apply_baseline, load_baseline
from vpclint.commands.common import add_collection_args, add_rules_dir_arg, add_source_args, obtain_snapshot, output_stream
from vpclint.config import Config, load_config
from vpclint.emitters import EMITTERS, ScanResult, get_emitter
from vpclint.engine import evaluate
from vpclint.errors import VpclintError
from vpclint.findings import FAIL_ON_CHOICES, Report
from vpclint.rules import Rule, load_rules


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scan`` command."""
    parser = subparsers.add_parser("scan", help="check that every VPC can pull from ECR privately")
    add_scan_args(parser)
    parser.add_argument("--format", default="console", choices=sorted(EMITTERS), help="output format (default console)")
    parser.add_argument("-o", "--output", default="-", metavar="FILE", help="write the report here ('-' for stdout, the default)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the JSON report to FILE")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="also write SARIF 2.1.0 (GitHub code scanning) to FILE")
    parser.add_argument(
        "--fail-on", default=None, choices=FAIL_ON_CHOICES,
        help="lowest severity of a new finding that fails the run (default: the config's fail_on, else low; info never fails)",
    )
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="accepted findings (default: the config's baseline)")
    parser.add_argument(
        "--include-accepted", action="store_true",
        help="also show baseline-accepted findings (console lists them, SARIF includes them as suppressed)",
    )
    parser.add_argument("--sarif-category", metavar="NAME", help="SARIF automationDetails.id (default vpclint/<account>/<regions>/)")
    parser.set_defaults(func=run)


def add_scan_args(parser: argparse.ArgumentParser) -> None:
    """What every command that evaluates the rules takes: source, collection, rule selection, --vpc, --config."""
    add_source_args(parser)
    add_collection_args(parser)
    add_rule_selection_args(parser)
    parser.add_argument("--vpc", action="append", default=[], metavar="VPC_ID", help="limit the scan to this VPC (repeatable)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file (default: .vpclint.toml in the current folder, if present)")


def add_rule_selection_args(parser: argparse.ArgumentParser) -> None:
    """``--rules DIR``, ``--select`` and ``--ignore``."""
    add_rules_dir_arg(parser)
    parser.add_argument("--select", action="append", default=[], metavar="RULE_ID", help="evaluate only these rules (repeatable)")
    parser.add_argument("--ignore", action="append", default=[], metavar="RULE_ID", help="skip these rules (repeatable)")


@dataclass(frozen=True)
class Scan:
    """An evaluated scan and what produced it: the config, the rules, the snapshot file and the VPC filter."""

    config: Config
    rules: list[Rule]
    report: Report
    snapshot_path: Optional[Path]
    vpc_ids: Optional[set[str]]

    @property
    def rule_ids(self) -> set[str]:
        """Ids of the rules evaluated."""
        return {rule.id for rule in self.rules}


def perform_scan(args: argparse.Namespace, fail_on: Optional[str] = None) -> Scan:
    """Load the config, let flags override it, collect or read the snapshot and evaluate the rules."""
    config = load_config(args.config)
    rules = load_rules(args.rules, args.select or config.select, args.ignore or config.ignore)
    if not args.region and not args.all_regions:
        args = argparse.Namespace(**{**vars(args), "region": list(config.regions), "all_regions": config.all_regions})
    if getattr(args, "timeout", None) is None and config.timeout is not None:
        args = argparse.Namespace(**{**vars(args), "timeout": config.timeout})
    snapshot, snapshot_path = obtain_snapshot(args)
    fail_on = fail_on or config.fail_on or "low"
    report = evaluate(snapshot, rules, fail_on=fail_on, vpc_ids=args.vpc, settings=config.settings())
    return Scan(config, rules, report, snapshot_path, set(args.vpc) if args.vpc else None)


def run(args: argparse.Namespace) -> int:
    """Scan and report; the exit code depends on the new findings and completeness, never on the format."""
    for name in ("json", "sarif"):
        if str(getattr(args, name) or "") == "-":
            raise VpclintError(f"--{name}: give a file name ('-' is not allowed; use --format {name} for stdout)")
    emitter = get_emitter(args.format)
    scan = perform_scan(args, args.fail_on)
    report = scan.report
    baseline_path = args.baseline or scan.config.baseline
    if baseline_path is not None:
        baseline = load_baseline(baseline_path)
        report = apply_baseline(report, baseline, str(baseline_path), scan.rule_ids, date.today(), scan.vpc_ids)
    result = ScanResult(
        report=report,
        rules=scan.rules,
        snapshot_path=scan.snapshot_path,
        include_accepted=args.include_accepted,
        category=args.sarif_category,
    )
    with output_stream(args.output) as stream:
        emitter.emit(result, stream)
    for name, target in (("json", args.json), ("sarif", args.sarif)):
        if target is not None:
            with output_stream(str(target)) as stream:
                get_emitter(name).emit(result, stream)
    return report.exit_code()
