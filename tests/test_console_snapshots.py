"""Snapshot tests of the demo's console report at 80 and 160 columns, with and without colour.

The expected outputs live in ``tests/console_snapshots/``; ``VPCLINT_UPDATE_SNAPSHOTS=1 pytest
tests/test_console_snapshots.py`` rewrites them after an intended change (review the diff).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from vpclint.cli import main

SNAPSHOTS = Path(__file__).parent / "console_snapshots"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _scan(monkeypatch, capsys, columns: int, color: str) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert main(["scan", "--demo", "--color", color]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


@pytest.mark.parametrize("columns", [80, 160])
@pytest.mark.parametrize("color", ["never", "always"])
def test_demo_console_report_matches_its_snapshot(monkeypatch, capsys, columns, color):
    out = _scan(monkeypatch, capsys, columns, color)
    path = SNAPSHOTS / f"demo-{columns}-{'color' if color == 'always' else 'plain'}.txt"
    if os.environ.get("VPCLINT_UPDATE_SNAPSHOTS"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"{path.name} differs (VPCLINT_UPDATE_SNAPSHOTS=1 rewrites it)"


@pytest.mark.parametrize("columns", [80, 160])
def test_lines_fit_the_width_and_colour_changes_nothing_but_colour(monkeypatch, capsys, columns):
    plain = _scan(monkeypatch, capsys, columns, "never")
    coloured = _scan(monkeypatch, capsys, columns, "always")
    assert "\x1b[" not in plain and "\x1b[" in coloured
    assert ANSI.sub("", coloured) == plain
    # Commands too: their long option values continue on lines of their own (see test_console_commands.py).
    assert [line for line in plain.splitlines() if len(line) > columns] == []
    assert not any(line.endswith(" ") for line in plain.splitlines())


def test_wrapping_never_breaks_a_word(monkeypatch, capsys):
    """Every word of every message comes out whole at 80 columns (only a token longer than a line is folded)."""
    import json

    out = _scan(monkeypatch, capsys, 80, "never")
    words = set(out.split())
    assert main(["scan", "--demo", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    for finding in report["findings"]:
        for word in finding["message"].split():
            assert len(word) > 70 or word in words, word


def test_commands_start_their_own_lines_and_continue_with_backslashes(monkeypatch, capsys):
    lines = _scan(monkeypatch, capsys, 80, "never").splitlines()
    commands = [i for i, line in enumerate(lines) if "aws ec2 " in line]
    assert commands and all(re.match(r"      ([a-z_]+=\$\()?aws ec2 ", lines[i]) for i in commands)
    assert any(lines[i].startswith("      sg=$(aws ec2 create-security-group") for i in commands)
    first = next(i for i in commands if lines[i].endswith(" \\"))
    assert lines[first + 1].startswith("          --")  # continuation lines are indented under the command


def test_policy_is_an_indented_json_block(monkeypatch, capsys):
    out = _scan(monkeypatch, capsys, 80, "never")
    assert '      {\n        "Sid": "AllowEcrImageLayers",\n        "Effect": "Allow",' in out


def test_the_readme_shows_the_demo_summary_as_it_is() -> None:
    """The closing summary quoted in the README is the demo's own (a new rule changes the count: keep it true)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    quoted = readme.split("closing summary in the style of Trivy and zizmor:\n\n```text\n", 1)[1].split("```", 1)[0]
    summary = [line for line in quoted.splitlines() if not line.startswith("Files written")]
    demo = (SNAPSHOTS / "demo-80-plain.txt").read_text(encoding="utf-8").splitlines()
    assert len(summary) == 3 and demo[-3:] == summary
