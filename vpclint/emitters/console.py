"""The human report: the per-VPC verdict table, findings grouped by VPC, then a closing summary.

Text wraps at word boundaries to the console width with a hanging indent; ``aws …`` commands get lines of their
own (laid out within the width by :mod:`vpclint.emitters.command_layout`, so they still paste) and policies show
as indented JSON. The width is ``$COLUMNS`` when set, else the terminal's when the report goes to a terminal, else
80.
"""

from __future__ import annotations

import io
import os
import re
import textwrap
from itertools import groupby
from typing import Iterable, Optional, TextIO

from rich import box
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from vpclint.emitters import ScanResult
from vpclint.emitters.command_layout import command_lines
from vpclint.emitters.remedy import split_remediation
from vpclint.emitters.summary import VERDICT_WORDS, account_cell, error_place, summary_lines
from vpclint.findings import Finding, Report, VpcRow
from vpclint.text import plain

VERDICT_STYLES = {"private": "green", "nat": "yellow", "broken": "bold red", "unknown": "magenta", "not_in_scope": "dim"}
SEVERITY_STYLES = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
DEFAULT_WIDTH = 80
WIDE = 120
"""From this width on the verdict table gives region, VPC and Name a column each."""
MESSAGE_INDENT, FIX_INDENT, CONTINUATION = 4, 6, 4
VPC_ID_WIDTH = len("vpc-0123456789abcdef0")
NARROW_VPC_SHARE = 0.45
"""In the narrow verdict table the line under a VPC id (Name, region, account) wraps at this share of the width, so
that a long Name tag cannot squeeze the verdict out."""
_ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")
_LINE_TAIL = re.compile(r"(?: |\x1b\[[0-9;]*m)+$", re.M)


def console_width(stream: TextIO) -> int:
    """``$COLUMNS`` when it is a positive number, else the terminal's width when ``stream`` is one, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if stream.isatty():
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            pass
    return DEFAULT_WIDTH


def strip_line_ends(text: str) -> str:
    """``text`` without the spaces rich pads lines with (the colour codes among them kept)."""
    return _LINE_TAIL.sub(lambda tail: "".join(_ANSI_STYLE.findall(tail[0])), text)


def make_console(stream: TextIO, color: str = "auto") -> tuple[Console, io.StringIO]:
    """A rich console sized for ``stream`` (see :func:`console_width`) that writes to a buffer, and the buffer.
    Colour: ``always`` (16 colours), ``never``, or ``auto`` (when ``stream`` is a terminal and ``NO_COLOR`` is unset)."""
    buffer = io.StringIO()
    forced = {"always": True, "never": False}.get(color, stream.isatty())
    console = Console(
        file=buffer, width=console_width(stream), force_terminal=forced, no_color=False if color == "always" else None,
        color_system=None if not forced else ("standard" if color == "always" else "auto"),
        highlight=False, emoji=False, markup=False, legacy_windows=False, soft_wrap=False,
    )
    return console, buffer


class ConsoleEmitter:
    """Writes the rich text report; ``result.quiet`` keeps only collection errors and the summary."""

    def emit(self, result: ScanResult, stream: TextIO) -> None:
        """Write the report to ``stream``, without the trailing spaces rich pads lines with."""
        console, buffer = make_console(stream, result.color)
        self._render(result, console)
        stream.write(strip_line_ends(buffer.getvalue()))

    @staticmethod
    def _render(result: ScanResult, console: Console) -> None:
        """The report's parts in order; quiet keeps the collection errors and the summary."""
        report = result.report
        if not result.quiet:
            console.print(Text.assemble(("vpclint", "bold"), f" {report.tool.version} - {plain(scanned_accounts(report))} ({plain(report.partition)})"))
            if report.vpcs:
                console.print(verdict_table(report.vpcs, console.width))
            names = {(v.account_id, v.region, v.vpc_id): v for v in report.vpcs}
            for (account, region, vpc_id), findings in groupby(result.shown_findings, key=lambda f: (f.account_id, f.region, f.vpc_id)):
                console.print()
                console.print(vpc_heading(region, vpc_id, names.get((account, region, vpc_id)), report.account_label(account)))
                for finding in findings:
                    for part in finding_parts(finding, console.width):
                        console.print(part, soft_wrap=isinstance(part, CommandLine))
            for part in other_sections(result):
                console.print(part)
        elif report.errors:
            for part in error_section(result):
                console.print(part)
        console.print()
        for i, line in enumerate(summary_lines(result)):
            console.print(Text(line, style="bold" if i == 0 else ""))


def scanned_accounts(report: Report) -> str:
    """``account 123456789012 (name)``, or ``3 accounts`` when several were scanned."""
    if len(report.accounts) == 1:
        return f"account {report.account_label(report.accounts[0].account_id)}"
    return f"{len(report.accounts)} accounts"


def verdict_table(vpcs: list[VpcRow], width: int = DEFAULT_WIDTH) -> Table:
    """The pull-path verdict of every VPC with its account, region and Name tag, and what breaks, is unknown or
    pays."""
    wide = width >= WIDE
    narrow_vpc = max(VPC_ID_WIDTH, int(width * NARROW_VPC_SHARE))
    table = Table(title="Image pulls by VPC", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for header in (("Account", "Region", "VPC", "Name") if wide else ("VPC",)) + ("Verdict", "What breaks, is unknown or pays"):
        table.add_column(header, overflow="fold", no_wrap=header in ("Region", "VPC", "Verdict"))
    for row in vpcs:
        verdict = Text(VERDICT_WORDS[row.verdict], style=VERDICT_STYLES[row.verdict])
        if wide:
            where = (plain(account_cell(row)), plain(row.region), plain(row.vpc_id), plain(row.name or "-"))
        else:
            place = ", ".join(plain(p) for p in (row.name, row.region, account_cell(row)) if p)
            where = (Text.assemble(plain(row.vpc_id), "\n", ("\n".join(_wrapped(place, narrow_vpc)), "dim")),)
        table.add_row(*where, verdict, plain(row.summary))
    return table


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces (a longer word is folded)."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def vpc_heading(region: str, vpc_id: Optional[str], row: Optional[VpcRow], account: str = "") -> Text:
    """The line above a VPC's findings: id, Name tag, region, account and verdict."""
    text = Text(plain(vpc_id or "(no VPC)"), style="bold")
    if row is not None and row.name:
        text.append(f" ({plain(row.name)})", style="bold")
    text.append(f"  {plain(region)}")
    if account:
        text.append(f"  {plain(account)}")
    if row is not None:
        text.append("  ")
        text.append(VERDICT_WORDS[row.verdict], style=VERDICT_STYLES[row.verdict])
    return text


class CommandLine(Text):
    """A line of a command: printed whole, never folded (a word longer than the line, such as a long DNS name,
    must still paste whole; the terminal soft-wraps it)."""


def finding_parts(finding: Finding, width: int) -> Iterable[RenderableType]:
    """A finding: the heading (severity, rule, resource), its message, then its fix block by block."""
    heading = Text("  ")
    heading.append(f"{finding.severity.upper():<7}", style=SEVERITY_STYLES[finding.severity])
    heading.append(f" {finding.rule_id}  {plain(finding.resource_id)}")
    note = baseline_note(finding)
    if note:
        heading.append(f"  {note}", style="dim")
    yield heading
    yield Padding(Text(plain(finding.message)), (0, 0, 0, MESSAGE_INDENT), expand=False)
    fix = Text("Fix: ", style="bold")
    blocks = split_remediation(plain(finding.remediation))
    if blocks and blocks[0].kind == "text":
        fix.append(blocks.pop(0).text)
    yield Padding(fix, (0, 0, 0, MESSAGE_INDENT), expand=False)
    for block in blocks:
        if block.kind == "text":
            yield Padding(Text(block.text), (0, 0, 0, MESSAGE_INDENT), expand=False)
        elif block.kind == "json":
            yield Padding(Text(block.text, style="dim", overflow="fold"), (0, 0, 0, FIX_INDENT), expand=False)
        else:
            for i, line in enumerate(command_lines(block.text, max(20, width - FIX_INDENT - CONTINUATION))):
                indent = FIX_INDENT + (CONTINUATION if i else 0)
                yield CommandLine.assemble(" " * indent, (line, "cyan"))


def baseline_note(finding: Finding) -> str:
    """What the baseline says of a finding: accepted, or accepted until a day now past."""
    if finding.baseline_state == "accepted":
        return "(accepted)"
    if finding.baseline_expired is not None:
        return f"(baseline entry expired {finding.baseline_expired.isoformat()})"
    return ""


def _section(title: str, style: str, lines: Iterable[str]) -> list[RenderableType]:
    """A titled list after the findings, each entry wrapped with a hanging indent."""
    return [Text(""), Text(title, style=style), *(Padding(Text(line), (0, 0, 0, 2), expand=False) for line in lines)]


def error_section(result: ScanResult) -> list[RenderableType]:
    """The APIs that could not be read (the scan is incomplete)."""
    errors = result.report.errors
    return _section("Could not read (the scan is incomplete):", "bold red",
                    (plain(f"{error_place(e)}  {e.api}: {e.code}: {e.message}") for e in errors)) if errors else []



def other_sections(result: ScanResult) -> list[RenderableType]:
    """Fixed baseline entries, collection errors, VPCs skipped by tag and rules not evaluated."""
    report = result.report
    parts: list[RenderableType] = []
    if report.fixed:
        parts += _section(f"Fixed (in the baseline {plain(report.baseline or '')}, no longer found):", "bold green",
                          (plain(f"{e.account_id} {e.region}  {e.rule_id}  {e.resource_id}") for e in report.fixed))
    parts += error_section(result)
    if report.skipped:
        parts += _section("Skipped by tag (vpclint:skip; --no-skip-tags scans them):", "bold yellow",
                          (plain(f"{report.account_label(v.account_id)} {v.region}  {v.vpc_id}  {v.name or '-'}: {v.reason}") for v in report.skipped))
    if report.not_evaluated:
        parts += _section("Rules not evaluated (their data could not be read):", "bold yellow",
                          (plain(f"{report.account_label(n.account_id)} {n.region}  {n.rule_id} (missing {', '.join(n.missing)})") for n in report.not_evaluated))
    return parts
