"""The ``vpclint`` command line: an explicit registry of subcommands and one place that maps errors to exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from vpclint import __version__
from vpclint.errors import EXIT_USAGE, VpclintError

EXIT_INTERNAL = 4
"""An unexpected internal error (a bug): one line, with the traceback only when VPCLINT_DEBUG=1."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from vpclint.commands import baseline, collect, cost, pricing, rules, scan

    parser = argparse.ArgumentParser(
        prog="vpclint",
        description="Prove that your VPCs pull container images from Amazon ECR privately, and say what to fix.",
    )
    parser.add_argument("--version", action="version", version=f"vpclint {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in (scan, collect, baseline, rules, cost, pricing):
        command.register(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except VpclintError as exc:
        print(f"vpclint: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vpclint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line unless asked for the traceback
        if os.environ.get("VPCLINT_DEBUG") == "1":
            raise
        print(f"vpclint: internal error: {type(exc).__name__}: {exc} (set VPCLINT_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL
