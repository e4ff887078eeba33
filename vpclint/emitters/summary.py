"""The closing summary every human format ends with (findings, rules, VPC verdicts, completeness, files written),
and the labels of accounts and errors they share."""

from __future__ import annotations

from collections import Counter

from vpclint.emitters import ScanResult
from vpclint.findings import SkippedVpc, VpcRow, account_label
from vpclint.rules import SEVERITIES
from vpclint.snapshot import AccountError
from vpclint.text import plain

VERDICT_WORDS = {"private": "private", "nat": "via NAT", "broken": "broken", "unknown": "unknown", "not_in_scope": "not in scope"}


def account_cell(row: VpcRow | SkippedVpc) -> str:
    """A row's account: its id, and its Organizations name when known."""
    return account_label(row.account_id, row.account_name)


def error_place(error: AccountError) -> str:
    """Where a collection error happened: the account (with its name) and the region, or the whole account."""
    return f"{account_label(error.account_id, error.account_name)} {error.region or '(whole account)'}"


def plural(count: int, word: str) -> str:
    """``1 rule``, ``2 rules``."""
    return f"{count} {word if count == 1 else word + 's'}"


def summary_lines(result: ScanResult) -> list[str]:
    """The closing summary: findings by severity, rules, VPC verdicts, completeness and the files written."""
    report, s = result.report, result.report.summary
    counts = ", ".join(f"{s.by_severity[sev]} {sev}" for sev in SEVERITIES if s.by_severity[sev])
    baseline = f" ({s.new} new, {s.accepted} accepted, {s.fixed} fixed)" if report.baseline is not None else ""
    expired = f"; {s.expired} new from expired baseline entries" if s.expired else ""
    findings = f"{plural(s.total, 'finding')}{baseline}{': ' + counts if counts else ''}; {s.failing} {'new ' if baseline else ''}at or above --fail-on {s.fail_on}{expired}"
    not_evaluated = {n.rule_id for n in report.not_evaluated}
    accounts = f"{plural(len(report.accounts), 'account')}, " if len(report.accounts) > 1 else ""
    rules = (f"{plural(s.rules_evaluated - len(not_evaluated), 'rule')} evaluated, {len(not_evaluated)} not evaluated; "
             f"{accounts}{plural(len(report.regions), 'region')}; scan {'complete' if s.complete else 'INCOMPLETE'}")
    verdicts = Counter(v.verdict for v in report.vpcs)
    vpcs = (f"{plural(verdicts['private'], 'VPC')} private, {verdicts['nat']} via NAT, {verdicts['broken']} broken, "
            f"{verdicts['unknown']} unknown, {verdicts['not_in_scope']} not in scope")
    if s.skipped:
        vpcs += f"; {s.skipped} skipped by tag"
    lines = [findings, rules, vpcs]
    if result.written:
        lines.append("Files written: " + ", ".join(plain(path) for path in result.written))
    return lines
