"""``vpclint baseline create|prune``: write the accepted findings down, and drop the ones that were fixed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vpclint.baseline import create_baseline, load_baseline, prune_baseline, save_baseline
from vpclint.commands.scan import add_scan_args, perform_scan
from vpclint.errors import EXIT_INCOMPLETE, EXIT_OK, VpclintError

DEFAULT_BASELINE = Path("vpclint-baseline.json")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``baseline`` command and its ``create`` and ``prune`` subcommands."""
    parser = subparsers.add_parser("baseline", help="accept current findings so that CI fails on new ones only")
    commands = parser.add_subparsers(dest="baseline_command", metavar="SUBCOMMAND")
    commands.required = True
    create = commands.add_parser("create", help="scan and write every current finding as an accepted entry")
    add_scan_args(create)
    create.add_argument(
        "-o", "--output", type=Path, metavar="FILE",
        help=f"baseline file (default: the config's baseline, else {DEFAULT_BASELINE}); existing reasons and expiries are kept",
    )
    create.set_defaults(func=run_create)
    prune = commands.add_parser("prune", help="scan and drop the entries whose finding was fixed")
    add_scan_args(prune)
    prune.add_argument("--baseline", type=Path, metavar="FILE", help="baseline file (default: the config's baseline)")
    prune.set_defaults(func=run_prune)


def _incomplete(scan_complete: bool) -> int:
    if scan_complete:
        return EXIT_OK
    print("vpclint: warning: the scan is incomplete; entries for what could not be read were kept", file=sys.stderr)
    return EXIT_INCOMPLETE


def run_create(args: argparse.Namespace) -> int:
    """Write the baseline; 3 when the scan was incomplete (the file is still written)."""
    scan = perform_scan(args)
    target = args.output or scan.config.baseline or DEFAULT_BASELINE
    previous = load_baseline(target) if Path(target).exists() else None
    baseline = create_baseline(scan.report, scan.rule_ids, previous, scan.vpc_ids)
    save_baseline(baseline, target)
    kept = len({e.fingerprint for e in baseline.entries} & {e.fingerprint for e in previous.entries}) if previous else 0
    print(f"vpclint: baseline {target}: {len(baseline.entries)} entries ({kept} kept from the previous file)", file=sys.stderr)
    return _incomplete(scan.report.complete)


def run_prune(args: argparse.Namespace) -> int:
    """Drop fixed entries from the baseline file; 3 when the scan was incomplete."""
    scan = perform_scan(args)
    target = args.baseline or scan.config.baseline
    if target is None:
        raise VpclintError("baseline prune: no baseline file (give --baseline FILE or set baseline in the config)")
    baseline = load_baseline(target)
    pruned, dropped = prune_baseline(baseline, scan.report, scan.rule_ids, scan.vpc_ids)
    save_baseline(pruned, target)
    for entry in dropped:
        print(f"vpclint: fixed, dropped: {entry.rule_id} {entry.region} {entry.resource_id}", file=sys.stderr)
    print(f"vpclint: baseline {target}: {len(dropped)} fixed entries dropped, {len(pruned.entries)} left", file=sys.stderr)
    return _incomplete(scan.report.complete)
