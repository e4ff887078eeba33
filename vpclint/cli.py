"""The ``vpclint`` command line: an explicit registry of subcommands and one place that maps errors to exit codes."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

from vpclint import __version__
from vpclint.errors import EXIT_USAGE, VpclintError
from vpclint.text import one_line

EXIT_INTERNAL = 4
"""An unexpected internal error (a bug): one line, with the traceback only when VPCLINT_DEBUG=1."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from vpclint.commands import baseline, collect, cost, pricing, rules, scan, view

    parser = argparse.ArgumentParser(
        prog="vpclint",
        description="Prove that your VPCs pull container images from Amazon ECR privately, and say what to fix.",
    )
    parser.add_argument("--version", action="version", version=f"vpclint {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in (scan, collect, baseline, rules, view, cost, pricing):
        command.register(subparsers)
    return parser


WRITE_ERRORS = frozenset(getattr(errno, name, -1) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS"))
"""Errors writing to stdout that are the machine's, not vpclint's: a full disk or quota, a read-only file system."""


class Terminated(Exception):
    """SIGTERM, raised so that ``finally`` blocks (temporary files) run before the process exits."""


@contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the command runs (main thread only), then restore the handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    """The command, then stdout flushed, so that a full disk is reported here and not at interpreter exit."""
    code = args.func(args)
    try:
        sys.stdout.flush()
    except OSError:
        sys.stdout = open(os.devnull, "w")  # nothing more can be written; don't fail again at exit
        raise
    return code


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _terminate_cleanly():
            return _run(args)
    except VpclintError as exc:
        print(f"vpclint: error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except Terminated:
        print("vpclint: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            return _internal(exc)
        print(f"vpclint: error: cannot write the output: {one_line(exc.strerror or exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("vpclint: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line unless asked for the traceback
        return _internal(exc)


def _internal(exc: Exception) -> int:
    """Report a bug in one line (the traceback with ``VPCLINT_DEBUG=1``)."""
    if os.environ.get("VPCLINT_DEBUG") == "1":
        raise exc
    print(f"vpclint: internal error: {type(exc).__name__}: {one_line(exc)} (set VPCLINT_DEBUG=1 for details)",
          file=sys.stderr)
    return EXIT_INTERNAL
