"""The findings document (``--format json``): a versioned pydantic model, its fingerprint and exit code."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Literal, Optional

from pydantic import ConfigDict, Field

from vpclint.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from vpclint.rules import SEVERITIES, severity_rank
from vpclint.snapshot import AccountError
from vpclint.strict import StrictModel

FINDINGS_SCHEMA = "vpclint.findings/v3"
FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "none")


def fingerprint(rule_id: str, account_id: str, region: str, resource_id: str) -> str:
    """Stable identity of a finding: rule, account, region and resource; never the wording."""
    return hashlib.sha256(f"{rule_id}|{account_id}|{region}|{resource_id}".encode()).hexdigest()[:32]


class Finding(StrictModel):
    rule_id: str
    severity: str
    title: str
    message: str
    account_id: str
    account_name: Optional[str] = None  # the account's name in AWS Organizations, when known
    region: str
    vpc_id: Optional[str] = None
    resource_type: str
    resource_id: str
    resource_arn: str
    evidence: Any = None
    remediation: str
    fingerprint: str
    baseline_state: Literal["new", "accepted"] = "new"
    baseline_expired: Optional[date] = None  # a baseline entry accepted this finding until this day; now it is new

    def sort_key(self) -> tuple:
        """Order: account, region, VPC, severity (worst first), rule, resource."""
        return (self.account_id, self.region, self.vpc_id or "", severity_rank(self.severity), self.rule_id, self.resource_id)


class FixedEntry(StrictModel):
    """A baseline entry's fields; in a report, an entry whose finding no longer occurs in the scanned scope."""

    fingerprint: str
    rule_id: str
    account_id: str
    region: str
    vpc_id: Optional[str] = None
    resource_id: str
    reason: str = ""
    expires: Optional[date] = None


class NotEvaluated(StrictModel):
    """A rule that could not be evaluated in an account's region because data it needs could not be read."""

    account_id: str
    rule_id: str
    region: str
    missing: list[str]

    def sort_key(self) -> tuple[str, str, str]:
        """Order: account, region, rule."""
        return (self.account_id, self.region, self.rule_id)


class Tool(StrictModel):
    name: str = "vpclint"
    version: str


class Summary(StrictModel):
    total: int
    by_severity: dict[str, int]
    fail_on: str
    failing: int
    rules_evaluated: int
    not_evaluated: int
    complete: bool
    new: int = 0
    accepted: int = 0
    expired: int = 0
    fixed: int = 0
    skipped: int = 0


class LinkRow(StrictModel):
    """The link that stops a flow (see docs/pull-path.md)."""

    kind: str
    resource_id: str
    detail: str
    direction: Optional[str] = None
    rule_number: Optional[int] = None
    subnet_id: Optional[str] = None
    peer: Optional[str] = None
    ports: Optional[str] = None
    free_rule_number: Optional[int] = None
    group_ids: Optional[list[str]] = None
    target_id: Optional[str] = None


class FlowRow(StrictModel):
    """One flow of a pull from one workload subnet: which way it goes and, when blocked, where."""

    flow: str
    service: str
    path: Literal["endpoint", "nat", "routed", "blocked", "unknown"]
    via: Optional[str] = None
    link: Optional[LinkRow] = None
    reason: str
    notes: list[str] = Field(default_factory=list)
    diverted: list[dict[str, Any]] = Field(default_factory=list)


class SubnetRow(StrictModel):
    subnet_id: str
    availability_zone: str
    kind: str
    verdict: Optional[str]
    workloads: list[str]
    flows: dict[str, FlowRow]


class VpcRow(StrictModel):
    """One VPC's pull-path verdict: ``private``, ``nat``, ``broken``, ``unknown`` or ``not_in_scope``."""

    account_id: str
    account_name: Optional[str] = None
    region: str
    vpc_id: str
    name: Optional[str] = None
    verdict: Literal["private", "nat", "broken", "unknown", "not_in_scope"]
    summary: str
    subnets: list[SubnetRow]

    def sort_key(self) -> tuple[str, str, str]:
        """Order: account, region, VPC."""
        return (self.account_id, self.region, self.vpc_id)


class SkippedVpc(StrictModel):
    """A VPC left out of the scan by its ``vpclint:skip`` tag, with the tag's value as the reason."""

    account_id: str
    account_name: Optional[str] = None
    region: str
    vpc_id: str
    name: Optional[str] = None
    reason: str

    def sort_key(self) -> tuple[str, str, str]:
        """Order: account, region, VPC."""
        return (self.account_id, self.region, self.vpc_id)


class AccountRow(StrictModel):
    """An account scanned: its id, its name in AWS Organizations when known, and the regions read there."""

    account_id: str
    account_name: Optional[str] = None
    regions: list[str]


class Report(StrictModel):
    schema_: str = Field(FINDINGS_SCHEMA, alias="schema")
    tool: Tool
    partition: str
    accounts: list[AccountRow]
    regions: list[str]  # every region scanned in any account
    summary: Summary
    errors: list[AccountError]
    not_evaluated: list[NotEvaluated]
    vpcs: list[VpcRow] = Field(default_factory=list)
    skipped: list[SkippedVpc] = Field(default_factory=list)
    findings: list[Finding]
    baseline: Optional[str] = None
    fixed: list[FixedEntry] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def scanned(self) -> set[tuple[str, str]]:
        """The ``(account, region)`` pairs the scan read (in full or in part)."""
        return {(account.account_id, region) for account in self.accounts for region in account.regions}

    def account_label(self, account_id: str) -> str:
        """The account's id, with its Organizations name when known (see :func:`account_label`)."""
        return account_label(account_id, next((a.account_name for a in self.accounts if a.account_id == account_id), None))

    @property
    def complete(self) -> bool:
        """True when every region and API was read and every rule evaluated."""
        return self.summary.complete

    def exit_code(self) -> int:
        """3 if incomplete, else 1 if a finding is at or above fail-on, else 0; the same for every format."""
        if not self.complete:
            return EXIT_INCOMPLETE
        return EXIT_FINDINGS if self.summary.failing else EXIT_OK

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
        return json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True, indent=2) + "\n"


def account_label(account_id: str, name: Optional[str]) -> str:
    """``123456789012 (name)`` with the account's name in AWS Organizations when known, else the id."""
    return f"{account_id} ({name})" if name else account_id


def fails(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` fails the run under ``--fail-on``; info never fails."""
    if fail_on == "none" or severity == "info":
        return False
    return severity_rank(severity) <= severity_rank(fail_on)


def summarise(
    findings: list[Finding],
    fail_on: str,
    rules_evaluated: int,
    not_evaluated: int,
    complete: bool,
    fixed: int = 0,
    skipped: int = 0,
) -> Summary:
    """Counts for the summary line and the document; accepted (baselined) findings never fail the run."""
    by_severity = {s: 0 for s in SEVERITIES}
    for finding in findings:
        by_severity[finding.severity] += 1
    return Summary(
        total=len(findings),
        by_severity=by_severity,
        fail_on=fail_on,
        failing=sum(1 for f in findings if f.baseline_state == "new" and fails(f.severity, fail_on)),
        rules_evaluated=rules_evaluated,
        not_evaluated=not_evaluated,
        complete=complete,
        new=sum(1 for f in findings if f.baseline_state == "new"),
        accepted=sum(1 for f in findings if f.baseline_state == "accepted"),
        expired=sum(1 for f in findings if f.baseline_expired is not None),
        fixed=fixed,
        skipped=skipped,
    )
