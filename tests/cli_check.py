"""Shared checks of the command line's error output."""

from __future__ import annotations


def assert_one_line_error(code: int, stderr: str, *needles: str) -> None:
    """Exit 2, exactly one stderr line starting ``vpclint: error:``, containing every needle."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("vpclint: error: ")
    for needle in needles:
        assert needle in lines[0]
