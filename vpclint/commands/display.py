"""``scan``'s options for the people reading it: colour, quiet, progress and the Markdown summary file."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_display_args(parser: argparse.ArgumentParser) -> None:
    """``--color``, ``--quiet``, ``--no-progress`` and ``--summary FILE``."""
    group = parser.add_argument_group("display")
    group.add_argument(
        "--color", default="auto", choices=("auto", "always", "never"),
        help="colour the console report: auto (when it goes to a terminal and NO_COLOR is unset; the default), always, never",
    )
    group.add_argument("-q", "--quiet", action="store_true", help="console: only the summary and collection errors")
    group.add_argument("--no-progress", action="store_true", help="no progress display on stderr while collecting")
    group.add_argument(
        "--summary", type=Path, metavar="FILE",
        help="also write a Markdown summary (verdicts, pull-path diagrams, findings) to FILE, e.g. $GITHUB_STEP_SUMMARY",
    )
