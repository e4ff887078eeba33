"""GitHub-flavoured Markdown (``--format markdown``, ``--summary FILE`` for ``$GITHUB_STEP_SUMMARY``): the verdict
table, a Mermaid pull-path diagram per broken or NAT-paying VPC, the findings by VPC with their commands in code
blocks, and the closing summary.

Data from AWS is escaped (:func:`vpclint.text.sarif_markdown`) so that it shows as written: never a link, an
image, emphasis or raw HTML.
"""

from __future__ import annotations

from html import escape
from itertools import groupby
from typing import Iterable, TextIO

from vpclint.emitters import ScanResult
from vpclint.emitters.mermaid import pull_path_diagram
from vpclint.emitters.remedy import split_remediation
from vpclint.emitters.summary import VERDICT_WORDS, account_cell, error_place, plural, summary_lines
from vpclint.findings import Finding, VpcRow
from vpclint.text import code_fence, plain
from vpclint.text import sarif_markdown as md

VERDICT_MARKS = {"private": "✅", "nat": "💸", "broken": "❌", "unknown": "❔", "not_in_scope": "➖"}
MAX_DIAGRAMS = 20
"""Diagrams drawn at most (GitHub shows at most 1 MiB of a step summary); the rest are named."""
DIAGRAMMED = ("broken", "nat")


class MarkdownEmitter:
    """Writes the Markdown report."""

    def emit(self, result: ScanResult, stream: TextIO) -> None:
        """Write the report to ``stream``."""
        stream.write("\n".join(markdown_lines(result)) + "\n")


def markdown_lines(result: ScanResult) -> list[str]:
    """The report, line by line."""
    report = result.report
    status = "scan complete" if report.complete else "**scan INCOMPLETE**"
    accounts = (f"Account `{md(report.account_label(report.accounts[0].account_id))}`" if len(report.accounts) == 1
                else f"{len(report.accounts)} accounts")
    lines = [
        "## vpclint: ECR image pulls by VPC", "",
        f"{accounts} ({md(report.partition)}), regions {md(', '.join(report.regions) or 'none')}: {status}", "",
    ]
    lines += verdict_table(report.vpcs)
    lines += diagrams([v for v in report.vpcs if v.verdict in DIAGRAMMED])
    names = {(v.account_id, v.region, v.vpc_id): v for v in report.vpcs}
    if result.shown_findings:
        lines += ["### Findings", ""]
    for (account, region, vpc_id), findings in groupby(result.shown_findings, key=lambda f: (f.account_id, f.region, f.vpc_id)):
        lines += vpc_findings(f"{report.account_label(account)}, {region}", vpc_id, names.get((account, region, vpc_id)), list(findings))
    if report.errors:
        lines += ["### Could not read (the scan is incomplete)", ""]
        lines += [f"- {md(error_place(e))} `{md(e.api)}`: {md(e.code)}: {md(e.message)}" for e in report.errors] + [""]
    if report.not_evaluated:
        lines += ["### Rules not evaluated", ""]
        lines += [f"- {md(report.account_label(n.account_id))} {md(n.region)} `{n.rule_id}` (missing {md(', '.join(n.missing))})"
                  for n in report.not_evaluated] + [""]
    return lines + [f"**{md(line)}**  " if i == 0 else f"{md(line)}  " for i, line in enumerate(summary_lines(result))]


def vpc_title(vpc_id: str | None, row: VpcRow | None) -> str:
    """``vpc-… (Name)``, escaped."""
    name = f" ({md(row.name)})" if row is not None and row.name else ""
    return f"`{md(vpc_id or '(no VPC)')}`{name}"


def verdict_table(vpcs: list[VpcRow]) -> list[str]:
    """The per-VPC verdicts as a Markdown table."""
    if not vpcs:
        return []
    lines = ["| Account | Region | VPC | Name | Verdict | What breaks, is unknown or pays |", "|---|---|---|---|---|---|"]
    for row in vpcs:
        verdict = f"{VERDICT_MARKS[row.verdict]} {VERDICT_WORDS[row.verdict]}"
        lines.append(f"| {md(account_cell(row))} | {md(row.region)} | `{md(row.vpc_id)}` | {md(row.name or '-')} | {verdict} | {md(row.summary)} |")
    return lines + [""]


def diagrams(vpcs: list[VpcRow]) -> list[str]:
    """A pull-path diagram per VPC, up to :data:`MAX_DIAGRAMS`; the VPCs left out are named."""
    lines: list[str] = []
    for row in vpcs[:MAX_DIAGRAMS]:
        lines += [f"### Pull path of {vpc_title(row.vpc_id, row)}, {md(account_cell(row))}, {md(row.region)}: {VERDICT_WORDS[row.verdict]}", ""]
        lines += ["```mermaid", pull_path_diagram(row), "```", ""]
    if len(vpcs) > MAX_DIAGRAMS:
        rest = ", ".join(f"`{md(v.vpc_id)}`" for v in vpcs[MAX_DIAGRAMS:])
        lines += [f"Not drawn ({len(vpcs) - MAX_DIAGRAMS} more; see the JSON report's `vpcs`): {rest}", ""]
    return lines


def vpc_findings(where: str, vpc_id: str | None, row: VpcRow | None, findings: list[Finding]) -> list[str]:
    """One VPC's findings in a collapsible section (``where``: its account and region), each with its fix."""
    name = f" ({escape(plain(row.name))})" if row is not None and row.name else ""
    title = f"<code>{escape(plain(vpc_id or '(no VPC)'))}</code>{name}, {escape(plain(where))}: {plural(len(findings), 'finding')}"
    lines = [f"<details><summary>{title}</summary>", ""]
    for finding in findings:
        lines += [f"- **{finding.severity.upper()}** `{finding.rule_id}` on `{md(finding.resource_id)}`: {md(finding.message)}", ""]
        lines += ["  " + line if line else "" for line in fix_lines(finding.remediation)]
    return lines + ["</details>", ""]


def fix_lines(remediation: str) -> Iterable[str]:
    """A remediation as prose, ``sh`` blocks for the commands and ``json`` blocks for policies."""
    for block in split_remediation(plain(remediation)):
        if block.kind == "text":
            yield from (md(block.text), "")
        else:
            fence = code_fence(block.text)
            yield from (f"{fence}{'sh' if block.kind == 'command' else 'json'}", *block.text.splitlines(), fence, "")
