"""The human report: findings grouped by account, region and VPC, then a summary line."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.table import Table

from vpclint.emitters import ScanResult
from vpclint.findings import Finding, VpcRow
from vpclint.rules import SEVERITIES
from vpclint.text import terminal_safe as escape

VERDICT_STYLES = {"private": "green", "nat": "yellow", "broken": "bold red", "unknown": "magenta", "not_in_scope": "dim"}
SEVERITY_STYLES = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


class ConsoleEmitter:
    """Writes a rich text report; colours only when the stream is a terminal."""

    def emit(self, result: ScanResult, stream: TextIO) -> None:
        """Write the grouped findings (new ones only under a baseline, unless accepted ones are asked for),
        fixed baseline entries, collection errors, rules not evaluated and the summary line."""
        console = Console(file=stream, width=None if stream.isatty() else 120, highlight=False, soft_wrap=True)
        report = result.report
        console.print(f"[bold]vpclint[/bold] {report.tool.version} - account {escape(report.account_id)} ({escape(report.partition)})")
        if report.vpcs:
            console.print(verdict_table(report.vpcs))
        shown = result.shown_findings
        for region, region_findings in groupby(shown, key=lambda f: f.region):
            console.print(f"\n[bold]{escape(region)}[/bold]")
            for vpc_id, vpc_findings in groupby(region_findings, key=lambda f: f.vpc_id):
                console.print(f"  [bold]{escape(vpc_id or '(no VPC)')}[/bold]")
                for finding in vpc_findings:
                    style = SEVERITY_STYLES[finding.severity]
                    console.print(
                        f"    [{style}]{finding.severity.upper():<8}[/{style}] {finding.rule_id}  "
                        f"{escape(finding.resource_id)}{baseline_note(finding)}"
                    )
                    console.print(f"             {escape(finding.message)}")
                    console.print(f"             [dim]fix:[/dim] {escape(finding.remediation)}")
        if report.fixed:
            console.print(f"\n[bold green]Fixed[/bold green] (in the baseline {escape(report.baseline or '')}, no longer found):")
            for entry in report.fixed:
                console.print(f"  {escape(entry.region)}  {escape(entry.rule_id)}  {escape(entry.resource_id)}")
        if report.errors:
            console.print("\n[bold red]Could not read[/bold red] (the scan is incomplete):")
            for error in report.errors:
                console.print(f"  {escape(error.region)}  {escape(error.api)}: {escape(error.code)}: {escape(error.message)}")
        if report.skipped:
            console.print("\n[bold yellow]Skipped by tag[/bold yellow] (vpclint:skip; --no-skip-tags scans them):")
            for vpc in report.skipped:
                console.print(f"  {escape(vpc.region)}  {escape(vpc.vpc_id)}  {escape(vpc.name or '-')}: {escape(vpc.reason)}")
        if report.not_evaluated:
            console.print("\n[bold yellow]Rules not evaluated[/bold yellow] (their data could not be read):")
            for item in report.not_evaluated:
                console.print(f"  {escape(item.region)}  {item.rule_id} (missing {', '.join(item.missing)})")
        console.print("\n" + summary_line(result))


def verdict_table(vpcs: list[VpcRow]) -> Table:
    """The pull-path verdict of every VPC: region, VPC, Name, verdict and what breaks or what pays."""
    table = Table(title="Image pulls by VPC", title_justify="left", show_lines=False, expand=False)
    for header in ("Region", "VPC", "Name", "Verdict", "What breaks, is unknown or pays"):
        table.add_column(header, overflow="fold")
    for row in vpcs:
        style = VERDICT_STYLES[row.verdict]
        table.add_row(
            escape(row.region), escape(row.vpc_id), escape(row.name or "-"),
            f"[{style}]{row.verdict}[/{style}]", escape(row.summary),
        )
    return table


def baseline_note(finding: Finding) -> str:
    """What the baseline says of a finding, for its heading line: accepted, or accepted until a day now past."""
    if finding.baseline_state == "accepted":
        return "  [dim](accepted)[/dim]"
    if finding.baseline_expired is not None:
        return f"  [bold](baseline entry expired {finding.baseline_expired.isoformat()})[/bold]"
    return ""


def summary_line(result: ScanResult) -> str:
    """One line: counts by severity, regions, completeness."""
    report = result.report
    s = report.summary
    counts = ", ".join(f"{s.by_severity[sev]} {sev}" for sev in SEVERITIES if s.by_severity[sev])
    status = "complete" if s.complete else "INCOMPLETE"
    expired = f" ({s.expired} of them from expired baseline entries)" if s.expired else ""
    baseline = f": {s.new} new{expired}, {s.accepted} accepted, {s.fixed} fixed" if report.baseline is not None else ""
    return (
        f"{s.total} finding{'s' if s.total != 1 else ''}{baseline}"
        f"{f' ({counts})' if counts else ''}, {s.failing} {'new ' if baseline else ''}at or above --fail-on {s.fail_on}; "
        f"{s.rules_evaluated} rules, {len(report.regions)} region{'s' if len(report.regions) != 1 else ''}; "
        f"{f'{s.skipped} VPC skipped by tag; ' if s.skipped else ''}"
        f"scan {status}"
    )
