"""Run shell text with a stub ``aws`` in real shells, to see the arguments each printed command would pass."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

STUB = "aws() { printf '\\1\\0' >>\"$ARGV_OUT\"; printf '%s\\0' \"$@\" >>\"$ARGV_OUT\"; printf ID; }\n"
"""A shell function in place of the AWS CLI: appends its arguments to ``$ARGV_OUT``, prints the id ``ID``."""
SHELLS = ("bash", "dash")
"""The shells a printed command must paste into: bash, and dash for POSIX sh."""


def shell_argv(shell: str, script: str) -> list[list[str]]:
    """The arguments of every ``aws`` call when ``shell`` runs ``script``."""
    with tempfile.NamedTemporaryFile(suffix=".argv") as out:
        done = subprocess.run([shell, "-euc", STUB + script], env={"PATH": os.environ["PATH"], "ARGV_OUT": out.name},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stderr == "", (shell, done.stderr, script)
        fields = Path(out.name).read_bytes().decode().split("\0")[:-1]
    calls: list[list[str]] = []
    for field in fields:
        if field == "\1":
            calls.append([])
        else:
            calls[-1].append(field)
    return calls
