"""``vpclint scan``: collect (or read a snapshot), evaluate the rules, report, and exit by the findings."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Optional

from vpclint.baseline import apply_baseline, load_baseline
from vpclint.commands.common import (
    add_collection_args, add_config_arg, add_rules_dir_arg, add_source_args, obtain_snapshot, output_stream, resolve_vpcs,
    with_config,
)
from vpclint.commands.display import add_display_args
from vpclint.config import Config, config_path, load_config
from vpclint.emitters import EMITTERS, ScanResult, get_emitter
from vpclint.engine import evaluate
from vpclint.documents import write_text
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
    sarif = parser.add_mutually_exclusive_group()
    sarif.add_argument("--sarif", type=Path, metavar="FILE", help="also write SARIF 2.1.0 (GitHub code scanning) to FILE")
    sarif.add_argument(
        "--sarif-dir", type=Path, metavar="DIR",
        help="also write SARIF as DIR/vpclint-N.sarif, as many files as GitHub's limits need (20 runs, 10 MB gzipped each)",
    )
    parser.add_argument(
        "--fail-on", default=None, choices=FAIL_ON_CHOICES,
        help="lowest severity of a new finding that fails the run (default: the config's fail_on, else low; info never fails)",
    )
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="accepted findings (default: the config's baseline)")
    parser.add_argument(
        "--include-accepted", action="store_true",
        help="also show baseline-accepted findings (console lists them, SARIF includes them as suppressed)",
    )
    parser.add_argument(
        "--sarif-category", metavar="PREFIX",
        help="prefix of the SARIF runs' automationDetails.id, one run per account and region read "
             "(default vpclint/<account>/; with several accounts PREFIX/<account>/)",
    )
    add_display_args(parser)
    parser.set_defaults(func=run)


def add_scan_args(parser: argparse.ArgumentParser) -> None:
    """What every command that evaluates the rules takes: source, collection, rule selection, --vpc, --config."""
    add_source_args(parser)
    add_collection_args(parser)
    add_rule_selection_args(parser)
    parser.add_argument("--vpc", action="append", default=[], metavar="VPC", help="limit the scan to this VPC, by id or Name tag (repeatable; one that matches no VPC is an error)")
    add_config_arg(parser)
    parser.add_argument(
        "--no-skip-tags", action="store_true",
        help="scan VPCs tagged vpclint:skip too (a CI gate that must not be silenced by a tag)",
    )


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
    in_config = f"config {config_path(args.config)}: field"
    rules = load_rules(
        args.rules, args.select or config.select, args.ignore or config.ignore,
        origins=("--select" if args.select else f"{in_config} select", "--ignore" if args.ignore else f"{in_config} ignore"),
    )
    snapshot, snapshot_path = obtain_snapshot(with_config(args, config))
    vpc_ids = resolve_vpcs(snapshot, args.vpc) if args.vpc else None
    fail_on = fail_on or config.fail_on or "low"
    settings = {**config.settings(), **({"skip_tags": False} if args.no_skip_tags else {})}
    report = evaluate(snapshot, rules, fail_on=fail_on, vpc_ids=vpc_ids, settings=settings)
    return Scan(config, rules, report, snapshot_path, set(vpc_ids) if vpc_ids else None)


def sarif_has_runs(report: Report, flag: str = "--sarif") -> bool:
    """False when no account's region was read in full: the SARIF would have no run, which GitHub refuses, so
    ``--sarif`` (``--sarif-dir``) is not written (an upload step conditional on the file then skips, and the open
    alerts stay)."""
    from vpclint.emitters.sarif import runs_read

    if runs_read(report):
        return True
    print(f"vpclint: warning: {flag} not written: no region was read in full (GitHub refuses a SARIF file "
          "without runs, and keeps the open alerts)", file=sys.stderr)
    return False


def write_sarif_dir(result: ScanResult, folder: Path) -> list[str]:
    """Write the SARIF logs as ``folder/vpclint-N.sarif`` (N from 1), removing the ``vpclint-*.sarif`` files an
    earlier scan left there; the files written."""
    from vpclint.emitters.sarif import SarifEmitter

    texts = SarifEmitter().files(result)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VpclintError(f"--sarif-dir {folder}: cannot create the folder: {exc.strerror or exc}") from None
    written = [folder / f"vpclint-{number}.sarif" for number in range(1, len(texts) + 1)]
    for text, path in zip(texts, written):
        write_text(path, text, "output")
    for stale in sorted(set(folder.glob("vpclint-*.sarif")) - set(written)):
        stale.unlink()
    return [str(path) for path in written]


def run(args: argparse.Namespace) -> int:
    """Scan and report; the exit code depends on the new findings and completeness, never on the format."""
    for name in ("json", "sarif", "summary"):
        if str(getattr(args, name) or "") == "-":
            raise VpclintError(f"--{name}: give a file name ('-' is not allowed; use --format {name} for stdout)")
    emitter = get_emitter(args.format)
    scan = perform_scan(args, args.fail_on)
    report = scan.report
    baseline_path = args.baseline or scan.config.baseline
    if baseline_path is not None:
        baseline = load_baseline(baseline_path)
        report = apply_baseline(report, baseline, str(baseline_path), scan.rule_ids, date.today(), scan.vpc_ids)
    files = [(name, target) for name, target in (("json", args.json), ("sarif", args.sarif), ("markdown", args.summary)) if target]
    if args.sarif and not sarif_has_runs(report):
        files.remove(("sarif", args.sarif))
    sarif_dir = args.sarif_dir if args.sarif_dir and sarif_has_runs(report, "--sarif-dir") else None
    result = ScanResult(
        report=report,
        rules=scan.rules,
        snapshot_path=scan.snapshot_path,
        include_accepted=args.include_accepted,
        category=args.sarif_category,
        color=args.color,
        quiet=args.quiet,
        written=tuple(str(target) for _, target in files) + ((args.output,) if args.output != "-" else ()),
    )
    if sarif_dir is not None:
        result = replace(result, written=(*write_sarif_dir(result, sarif_dir), *result.written))
    for name, target in sorted(files, key=lambda file: file[0] != "sarif"):  # SARIF first: it may refuse (--sarif-dir)
        with output_stream(str(target)) as stream:
            get_emitter(name).emit(result, stream)
    with output_stream(args.output) as stream:
        emitter.emit(result, stream)
    return report.exit_code()
