"""Baselines: accepted findings written down in a versioned, sorted file and applied to a report.

A baseline holds one entry per accepted finding, keyed by the finding's fingerprint (rule, account, region,
resource). The file carries no timestamps or line numbers, so it diffs cleanly in review. Applying it marks
findings ``accepted`` or ``new`` (an expired entry accepts nothing: its finding is new again and carries the day
the entry expired) and lists the entries whose finding vanished from the scanned scope as ``fixed``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vpclint.findings import FixedEntry, Finding, Report, fingerprint, summarise
from vpclint.documents import parse_versioned_json, read_text, write_text

BASELINE_SCHEMA = "vpclint.baseline"
BASELINE_VERSION = 1


class Entry(FixedEntry):
    """One accepted finding. ``reason`` is for the reviewer; ``expires`` (YYYY-MM-DD) is the last day it holds."""

    @model_validator(mode="after")
    def _fingerprint_matches(self) -> "Entry":
        expected = fingerprint(self.rule_id, self.account_id, self.region, self.resource_id)
        if self.fingerprint != expected:
            raise ValueError(
                f"fingerprint {self.fingerprint!r} does not match rule_id/account_id/region/resource_id "
                f"(expected {expected!r})"
            )
        return self

    def sort_key(self) -> tuple:
        """Order in the file: account, region, rule, resource."""
        return (self.account_id, self.region, self.rule_id, self.resource_id)

    def expired(self, today: date) -> bool:
        """True after the ``expires`` day."""
        return self.expires is not None and today > self.expires


def scanned_scope(report: Report, rule_ids: Iterable[str], vpc_ids: Optional[set[str]]) -> Callable[[Entry], bool]:
    """A test of whether the scan behind ``report`` could have produced an entry's finding: its account and region
    were scanned (an account not scanned, or whose role could not be assumed, is left alone), its rule evaluated
    there, and its VPC within ``--vpc``."""
    rules, scanned = set(rule_ids), report.scanned()
    skipped = {(n.account_id, n.region, n.rule_id) for n in report.not_evaluated}

    def in_scope(entry: Entry) -> bool:
        return (
            (entry.account_id, entry.region) in scanned
            and entry.rule_id in rules
            and (entry.account_id, entry.region, entry.rule_id) not in skipped
            and (vpc_ids is None or entry.vpc_id in vpc_ids)
        )

    return in_scope


class Baseline(BaseModel):
    """The baseline file: schema name, version and entries unique by fingerprint."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["vpclint.baseline"] = Field(BASELINE_SCHEMA, alias="schema")
    version: Literal[1] = BASELINE_VERSION
    entries: list[Entry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "Baseline":
        seen: dict[str, int] = {}
        for index, entry in enumerate(self.entries):
            if entry.fingerprint in seen:
                raise ValueError(
                    f"duplicate entry {entry.fingerprint} ({entry.rule_id} {entry.resource_id}) "
                    f"at entries.{seen[entry.fingerprint]} and entries.{index}"
                )
            seen[entry.fingerprint] = index
        return self

    def by_fingerprint(self) -> dict[str, Entry]:
        """Entries keyed by fingerprint."""
        return {entry.fingerprint: entry for entry in self.entries}

    def to_json(self) -> str:
        """Deterministic JSON: entries sorted, keys sorted, two-space indent, trailing newline."""
        ordered = self.model_copy(update={"entries": sorted(self.entries, key=Entry.sort_key)})
        return json.dumps(ordered.model_dump(mode="json", by_alias=True), sort_keys=True, indent=2) + "\n"


def parse_baseline(text: str, source: str) -> Baseline:
    """Parse baseline JSON; every problem is one line naming ``source`` and the field."""
    return parse_versioned_json(text, source, "baseline", Baseline, "version", BASELINE_VERSION)


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file."""
    return parse_baseline(read_text(path, "baseline"), str(path))


def save_baseline(baseline: Baseline, path: Path) -> None:
    """Write the baseline atomically."""
    write_text(path, baseline.to_json(), "baseline")


def entry_for(finding: Finding, previous: Optional[Entry] = None) -> Entry:
    """The entry accepting ``finding``, keeping the reason and expiry of ``previous``."""
    return Entry(
        fingerprint=finding.fingerprint,
        rule_id=finding.rule_id,
        account_id=finding.account_id,
        region=finding.region,
        vpc_id=finding.vpc_id,
        resource_id=finding.resource_id,
        reason=previous.reason if previous else "",
        expires=previous.expires if previous else None,
    )


def create_baseline(
    report: Report, rule_ids: Iterable[str], previous: Optional[Baseline] = None, vpc_ids: Optional[set[str]] = None
) -> Baseline:
    """Every current finding as an entry; previous entries keep their reason and expiry, and those outside the
    scanned scope (another account, region, rule or VPC) are kept as they are."""
    old = previous.by_fingerprint() if previous else {}
    in_scope = scanned_scope(report, rule_ids, vpc_ids)
    entries = {f.fingerprint: entry_for(f, old.get(f.fingerprint)) for f in report.findings}
    for key, entry in old.items():
        if key not in entries and not in_scope(entry):
            entries[key] = entry
    return Baseline(entries=sorted(entries.values(), key=Entry.sort_key))


def fixed_entries(
    baseline: Baseline, report: Report, rule_ids: Iterable[str], vpc_ids: Optional[set[str]] = None
) -> list[Entry]:
    """Entries in the scanned scope whose finding no longer occurs."""
    current = {f.fingerprint for f in report.findings}
    in_scope = scanned_scope(report, rule_ids, vpc_ids)
    return [e for e in sorted(baseline.entries, key=Entry.sort_key) if e.fingerprint not in current and in_scope(e)]


def prune_baseline(
    baseline: Baseline, report: Report, rule_ids: Iterable[str], vpc_ids: Optional[set[str]] = None
) -> tuple[Baseline, list[Entry]]:
    """The baseline without its fixed entries, and the entries dropped."""
    dropped = fixed_entries(baseline, report, rule_ids, vpc_ids)
    gone = {e.fingerprint for e in dropped}
    return Baseline(entries=[e for e in baseline.entries if e.fingerprint not in gone]), dropped


def apply_baseline(
    report: Report,
    baseline: Baseline,
    source: str,
    rule_ids: Iterable[str],
    today: date,
    vpc_ids: Optional[set[str]] = None,
) -> Report:
    """The report with each finding ``accepted`` (an unexpired entry) or ``new`` (with ``baseline_expired`` when
    its entry expired), fixed entries listed, and the summary recounted so that only new findings fail the run."""
    entries = baseline.by_fingerprint()
    findings = []
    for finding in report.findings:
        entry = entries.get(finding.fingerprint)
        if entry is None:
            update = {"baseline_state": "new", "baseline_expired": None}
        elif entry.expired(today):
            update = {"baseline_state": "new", "baseline_expired": entry.expires}
        else:
            update = {"baseline_state": "accepted", "baseline_expired": None}
        findings.append(finding.model_copy(update=update))
    fixed = [FixedEntry(**e.model_dump()) for e in fixed_entries(baseline, report, rule_ids, vpc_ids)]
    s = report.summary
    summary = summarise(findings, s.fail_on, s.rules_evaluated, s.not_evaluated, s.complete, fixed=len(fixed), skipped=s.skipped)
    return report.model_copy(update={"findings": findings, "fixed": fixed, "baseline": source, "summary": summary})
