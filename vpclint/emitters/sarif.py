"""SARIF 2.1.0 for GitHub code scanning, built with the ``sarif-om`` object model and written by our own serializer.

``jschema_to_python.to_json`` (sarif-om's companion) drops every value equal to an attrs default, so an explicit
``level: "warning"`` disappears and falls back to the rule's default level; it writes ``locations: []``, which
GitHub rejects, and it is slow. :func:`to_sarif_dict` writes every value that was set, omits ``None``, SARIF's
``-1`` "not set" sentinels and empty arrays and objects (``run.results`` excepted: an empty list tells GitHub that
every alert of the category is fixed).

One run per account and region read in full, each with its own category (``automationDetails.id``
``vpclint/<account>/<region>/``; with ``--sarif-category PREFIX``, ``PREFIX/<region>/`` for one account and
``PREFIX/<account>/<region>/`` for several): GitHub code scanning closes the open alerts of a category that a new
analysis no longer reports, so a region that was not read, or only in part, gets no run and keeps its alerts.
GitHub accepts at most 20 runs and 10 MB gzipped per file: one file that would break either is an error naming
``--sarif-dir``, which writes as many files as needed (:func:`split_runs`).

Each result points at a cloud resource through a relative uri ``aws/<account>/<region>/<vpc>/<resource>`` with
``startLine`` 1 and a logical location holding the ARN; when the scan read a snapshot file inside the current git
repository, it points at the resource's line in that file instead.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

import attr
import sarif_om as om

from vpclint import __version__
from vpclint.emitters import ScanResult
from vpclint.emitters.summary import error_place
from vpclint.emitters.sarif_locations import git_root, snapshot_lines
from vpclint.errors import VpclintError
from vpclint.findings import Finding, Report
from vpclint.rules import Rule, severity_rank
from vpclint.templates import PLACEHOLDER
from vpclint.text import code_fence, plain, sarif_markdown, sarif_text

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/vpclint/vpclint"
GITHUB_MAX_RESULTS = 25_000
"""GitHub code scanning accepts at most this many results per run."""
GITHUB_MAX_RUNS = 20
"""GitHub code scanning accepts at most this many runs per SARIF file."""
GITHUB_MAX_GZIP_BYTES = 10 * 1024 * 1024
"""GitHub code scanning accepts SARIF files of at most 10 MB gzip-compressed."""
MAX_TAGS = 20
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
"""GitHub's buckets: > 9 critical, 7-8.9 high, 4-6.9 medium, <= 3.9 low."""
_ALWAYS_WRITTEN = frozenset({"results"})

@attr.s
class Suppression:
    """SARIF 2.1.0 ``suppression``: sarif-om 1.0.4 predates the final schema and names ``status`` "state"."""

    kind = attr.ib(metadata={"schema_property_name": "kind"})
    status = attr.ib(default=None, metadata={"schema_property_name": "status"})
    justification = attr.ib(default=None, metadata={"schema_property_name": "justification"})


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """``(attribute, SARIF property, default)`` of an attrs class, computed once per class."""
    return tuple((f.name, f.metadata["schema_property_name"], f.default) for f in attr.fields(cls))


def to_sarif_dict(value: Any) -> Any:
    """Plain JSON data from sarif-om objects: every set value kept, nothing dropped for equalling a default."""
    if attr.has(type(value)):
        out = {}
        for name, prop, default in _fields(type(value)):
            item = getattr(value, name)
            if item is None or (default == -1 and item == -1 and not isinstance(item, bool)):
                continue
            data = to_sarif_dict(item)
            if data in ([], {}) and prop not in _ALWAYS_WRITTEN:
                continue
            out[prop] = data
        return out
    if isinstance(value, dict):
        return {str(k): to_sarif_dict(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_sarif_dict(v) for v in value]
    return value


def _plain(template: str) -> str:
    """A rule template for people: ``{{ vpc_id }}`` becomes ``<vpc_id>``."""
    return PLACEHOLDER.sub(lambda m: f"<{m.group(1).strip()}>", " ".join(template.split()))


def render(data: Any) -> str:
    """SARIF data as deterministic JSON text."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def rule_descriptor(rule: Rule) -> om.ReportingDescriptor:
    """One ``tool.driver.rules[]`` entry with everything GitHub shows for a rule."""
    description, rationale = plain(" ".join(rule.description.split())), plain(" ".join(rule.rationale.split()))
    full = f"{description} {rationale}"
    references = "".join(f"\n- {plain(url)}" for url in rule.references)
    remediation = plain(_plain(rule.remediation))
    text = f"{full}\n\nRemediation: {remediation}" + (f"\n\nReferences:{references}" if references else "")
    fence = code_fence(remediation)
    links = "".join(f"\n- <{sarif_markdown(url)}>" for url in rule.references)
    markdown = (
        f"**{sarif_markdown(rule.title)}**\n\n{sarif_markdown(description)}\n\n{sarif_markdown(rationale)}\n\n"
        f"## Remediation\n\n{fence}sh\n{remediation}\n{fence}\n"
        + (f"\n## References\n{links}\n" if links else "")
    )
    tags = sorted(set(rule.tags) | {"aws", "vpc"})[:MAX_TAGS]
    return om.ReportingDescriptor(
        id=rule.id,
        name="".join(word.capitalize() for word in rule.id.split("-")),
        short_description=om.MultiformatMessageString(text=plain(rule.title)),
        full_description=om.MultiformatMessageString(text=full[:1024]),
        help=om.MultiformatMessageString(text=text, markdown=markdown),
        help_uri=rule.references[0] if rule.references else f"{INFORMATION_URI}#rules",
        default_configuration=om.ReportingConfiguration(level=LEVELS[rule.severity]),
        properties={
            "tags": tags,
            "precision": "very-high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[LEVELS[rule.severity]],
        },
    )


def category(report: Report, account: str, region: str, prefix: Optional[str] = None) -> str:
    """``run.automationDetails.id`` of an account's region: ``vpclint/<account>/<region>/``, or with ``prefix``
    ``<prefix>/<region>/`` (one account) or ``<prefix>/<account>/<region>/`` (several); always ending in ``/`` so
    that GitHub reads the whole id as the category."""
    if prefix is None:
        return f"vpclint/{account}/{region}/"
    base = prefix.rstrip("/") + (f"/{account}" if len(report.accounts) > 1 else "")
    return f"{base}/{region}/"


def runs_read(report: Report) -> list[tuple[str, str]]:
    """The ``(account, region)`` pairs read in full: no collection error there (nor for the whole account) and
    every rule evaluated there."""
    whole = {e.account_id for e in report.errors if e.region is None}
    partial = {(e.account_id, e.region) for e in report.errors} | {(n.account_id, n.region) for n in report.not_evaluated}
    return sorted(pair for pair in report.scanned() if pair not in partial and pair[0] not in whole)


def split_runs(runs: list[dict], gzip_sizes: list[int], max_runs: int, max_gzip_bytes: int) -> list[list[dict]]:
    """Runs packed in order into files of at most ``max_runs`` runs and (by the sum of each run's own gzipped size,
    which a whole file's never exceeds by much) ``max_gzip_bytes``; a run is never split."""
    files: list[list[dict]] = []
    size = 0
    for run, run_size in zip(runs, gzip_sizes):
        if not files or len(files[-1]) >= max_runs or (files[-1] and size + run_size > max_gzip_bytes):
            files.append([])
            size = 0
        files[-1].append(run)
        size += run_size
    return files


class SarifEmitter:
    """Writes a SARIF 2.1.0 log of one run per account and region read in full (:meth:`files`: as many logs as
    GitHub's limits need); warns on stderr when a run's results are capped or an account's region gets no run."""

    def __init__(
        self,
        max_results: Optional[int] = None,
        max_runs: Optional[int] = None,
        max_gzip_bytes: Optional[int] = None,
        warn: Optional[Callable[[str], None]] = None,
        cwd: Optional[Path] = None,
    ) -> None:
        self.max_results = max_results or GITHUB_MAX_RESULTS
        self.max_runs = max_runs or GITHUB_MAX_RUNS
        self.max_gzip_bytes = max_gzip_bytes or GITHUB_MAX_GZIP_BYTES
        self.warn = warn or (lambda message: print(f"vpclint: warning: {message}", file=sys.stderr))
        self.cwd = cwd

    def emit(self, result: ScanResult, stream: TextIO) -> None:
        """Write the SARIF log as one file; one that GitHub would refuse (too many runs, too large) is an error
        that names ``--sarif-dir``."""
        log = to_sarif_dict(self.build(result))
        runs = len(log["runs"])
        if runs > self.max_runs:
            raise VpclintError(
                f"SARIF: {runs} runs (one per account and region read in full), over GitHub's limit of "
                f"{self.max_runs} per file: write them with --sarif-dir DIR (several files within GitHub's limits)")
        text = render(log)
        size = len(gzip.compress(text.encode("utf-8"), mtime=0))
        if size > self.max_gzip_bytes:
            raise VpclintError(
                f"SARIF: {size / 1048576:.1f} MB gzipped, over GitHub's limit of {self.max_gzip_bytes / 1048576:.0f} MB "
                "per file: write it with --sarif-dir DIR (several files within GitHub's limits)")
        stream.write(text)

    def files(self, result: ScanResult) -> list[str]:
        """The SARIF logs to upload, each within GitHub's limits of runs and size (a single run over the size limit
        is written alone, with a warning): none when no account's region was read in full."""
        log = to_sarif_dict(self.build(result))
        runs = log.pop("runs")
        sizes = [len(gzip.compress(render(run).encode("utf-8"), mtime=0)) for run in runs]
        for run, size in zip(runs, sizes):
            if size > self.max_gzip_bytes:
                self.warn(f"SARIF: the run {run['automationDetails']['id']} alone is {size / 1048576:.1f} MB gzipped, "
                          f"over GitHub's limit of {self.max_gzip_bytes / 1048576:.0f} MB: GitHub will reject its file")
        return [render({**log, "runs": chunk}) for chunk in split_runs(runs, sizes, self.max_runs, self.max_gzip_bytes)]

    def build(self, result: ScanResult) -> om.SarifLog:
        """The SARIF log object for a scan result: one run per account and region read in full."""
        report = result.report
        pairs = runs_read(report)
        left_out = sorted(report.scanned() - set(pairs))
        if left_out:
            named = ", ".join(f"{report.account_label(account)} {region}" for account, region in left_out)
            self.warn(
                f"SARIF: no run for {named} (not read in full): GitHub keeps the open alerts of "
                f"{'that region' if len(left_out) == 1 else 'those regions'} until a complete scan of them"
            )
        rules = sorted(result.rules, key=lambda r: r.id)
        descriptors = [rule_descriptor(rule) for rule in rules]
        index = {rule.id: i for i, rule in enumerate(rules)}
        locate = self._locator(result)
        by_pair: dict[tuple[str, str], list[Finding]] = {}
        for finding in result.shown_findings:
            by_pair.setdefault((finding.account_id, finding.region), []).append(finding)
        names = {a.account_id: a.account_name for a in report.accounts}
        runs = []
        for account, region in pairs:
            findings = self._capped(by_pair.get((account, region), []), f"{report.account_label(account)} {region}")
            runs.append(om.Run(
                tool=om.Tool(
                    driver=om.ToolComponent(
                        name="vpclint",
                        semantic_version=__version__,
                        version=__version__,
                        information_uri=INFORMATION_URI,
                        rules=descriptors,
                        contents=None,
                        language=None,
                    )
                ),
                results=[self._result(f, index[f.rule_id], locate) for f in findings],
                automation_details=om.RunAutomationDetails(id=category(report, account, region, result.category)),
                invocations=[self._invocation(report, account, region)],
                properties={"accountId": account, **({"accountName": names[account]} if names.get(account) else {}),
                            "partition": report.partition, "region": region},
                language=None,
                newline_sequences=None,
            ))
        return om.SarifLog(runs=runs, version="2.1.0", schema_uri=SARIF_SCHEMA_URI)

    def _capped(self, findings: list[Finding], region: str) -> list[Finding]:
        """A run's findings, the most severe :attr:`max_results` when there are more (with a warning)."""
        if len(findings) <= self.max_results:
            return findings
        total = len(findings)
        kept = sorted(findings, key=lambda f: (severity_rank(f.severity), f.sort_key()))[: self.max_results]
        self.warn(
            f"{total} results in {region} exceed GitHub's limit of {self.max_results} per SARIF run: kept the "
            f"{self.max_results} most severe, left out {total - self.max_results} "
            "(the JSON report has them all); scan fewer VPCs per run"
        )
        return sorted(kept, key=Finding.sort_key)

    def _locator(self, result: ScanResult) -> Callable[[Finding], tuple[str, int]]:
        """Finding -> (relative uri, line): the snapshot file's line when it lives in this repository."""
        path = result.snapshot_path
        root = git_root(Path(self.cwd or Path.cwd()).resolve())
        lines: dict[tuple[str, str, str, str], int] = {}
        relative = None
        if path is not None and root is not None:
            resolved = Path(path).resolve()
            if resolved.is_relative_to(root):
                relative = resolved.relative_to(root).as_posix()
                lines = snapshot_lines(resolved)

        def locate(finding: Finding) -> tuple[str, int]:
            line = lines.get((finding.account_id, finding.region, finding.resource_type, finding.resource_id))
            if relative is not None and line is not None:
                return relative, line
            parts = ["aws", finding.account_id, finding.region, finding.vpc_id, finding.resource_id]
            return "/".join(p for p in parts if p), 1

        return locate

    @staticmethod
    def _result(finding: Finding, rule_index: int, locate: Callable[[Finding], tuple[str, int]]) -> om.Result:
        uri, line = locate(finding)
        suppressions = None
        if finding.baseline_state == "accepted":
            suppressions = [Suppression(kind="external", status="accepted", justification="accepted in the vpclint baseline")]
        return om.Result(
            rule_id=finding.rule_id,
            rule_index=rule_index,
            level=LEVELS[finding.severity],
            kind=None,
            message=om.Message(text=sarif_text(f"{finding.message} Fix: {finding.remediation}")),
            locations=[
                om.Location(
                    physical_location=om.PhysicalLocation(
                        artifact_location=om.ArtifactLocation(uri=uri), region=om.Region(start_line=line)
                    ),
                    logical_locations=[
                        om.LogicalLocation(
                            name=finding.resource_id, fully_qualified_name=finding.resource_arn, kind="resource"
                        )
                    ],
                )
            ],
            partial_fingerprints={"primaryLocationLineHash": f"{finding.fingerprint}:1"},
            suppressions=suppressions,
            properties={
                "severity": finding.severity,
                "resourceType": finding.resource_type,
                "accountId": finding.account_id,
                "region": finding.region,
                "vpcId": finding.vpc_id,
                "baselineState": finding.baseline_state,
                **({"baselineExpired": finding.baseline_expired.isoformat()} if finding.baseline_expired else {}),
            },
        )

    @staticmethod
    def _invocation(report: Report, account: str, region: str) -> om.Invocation:
        """A run's invocation: successful (only regions read in full get a run), with the VPCs of the region
        skipped by tag, what the account's other regions could not read (why they have no run), and every account
        that could not be read at all."""
        notes = [
            om.Notification(message=om.Message(text=sarif_text(f"could not read {error_place(e)} {e.api}: {e.code}: {e.message}")), level="error")
            for e in report.errors
            if e.account_id == account or e.region is None
        ] + [
            om.Notification(
                message=om.Message(text=sarif_text(f"rule {n.rule_id} not evaluated in {n.region} (missing {', '.join(n.missing)})")),
                level="warning",
            )
            for n in report.not_evaluated
            if n.account_id == account
        ] + [
            om.Notification(
                message=om.Message(text=sarif_text(f"{v.vpc_id} in {v.region} skipped by its vpclint:skip tag: {v.reason}")),
                level="note",
            )
            for v in report.skipped
            if (v.account_id, v.region) == (account, region)
        ]
        return om.Invocation(execution_successful=True, tool_execution_notifications=notes)
