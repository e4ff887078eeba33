"""``vpclint collect``: snapshot an account to a JSON file."""

from __future__ import annotations

import argparse
import sys

from vpclint.commands.common import (
    add_collection_args, add_config_arg, collect_live, output_stream, positive_int, with_config,
)
from vpclint.config import load_config
from vpclint.emitters.summary import error_place
from vpclint.errors import EXIT_INCOMPLETE, EXIT_OK
from vpclint.snapshot_files import dumps


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``collect`` command."""
    parser = subparsers.add_parser("collect", help="snapshot the account's network configuration to JSON")
    add_collection_args(parser)
    add_config_arg(parser)
    parser.add_argument("-o", "--output", default="-", metavar="FILE", help="snapshot file ('-' for stdout, the default)")
    parser.add_argument("--with-metrics", action="store_true", help="also read NAT gateway traffic from CloudWatch (for 'vpclint cost')")
    parser.add_argument("--days", type=positive_int, default=30, metavar="N", help="with --with-metrics: days of traffic to sum (default 30)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Collect and write the snapshot; exit 3 when a region or API could not be read."""
    snapshot = collect_live(with_config(args, load_config(args.config)), args.days if args.with_metrics else None)
    with output_stream(args.output) as stream:
        stream.write(dumps(snapshot))
    errors = snapshot.all_errors()
    for error in errors:
        print(f"vpclint: could not read {error_place(error)} {error.api}: {error.code}: {error.message}", file=sys.stderr)
    return EXIT_INCOMPLETE if errors else EXIT_OK
