"""The rule engine: evaluate rules over the derived view of a snapshot and build the findings report.

Generic by design: it knows resource kinds, ``requires`` and JMESPath, and nothing about any one rule.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping, Optional

from vpclint import __version__
from vpclint.findings import AccountRow, Finding, NotEvaluated, Report, SkippedVpc, Tool, VpcRow, fingerprint, summarise
from vpclint.functions import rule_options
from vpclint.rules import Rule
from vpclint.snapshot import Snapshot
from vpclint.view import build_view


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the view and findings are many small acyclic objects, and collections
    triggered while they accumulate rescan the whole growing heap (superlinear time on large accounts). On resuming,
    the objects that survived go to the oldest generation (frozen, then unfrozen) rather than being scanned at once
    by the young generation's collection the first allocation would trigger."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def evaluate(
    snapshot: Snapshot,
    rules: list[Rule],
    fail_on: str = "low",
    vpc_ids: Optional[Iterable[str]] = None,
    settings: Optional[Mapping[str, Any]] = None,
) -> Report:
    """Evaluate every rule on every region; rules whose data could not be read are reported as not evaluated.

    ``settings`` (from the config file, e.g. ``required_services``) reach the rules as data: every VPC item
    carries them under ``settings``.
    """
    with _gc_paused():
        findings, not_evaluated, vpcs, skipped = _evaluate_regions(snapshot, rules, vpc_ids, settings)
        findings.sort(key=Finding.sort_key)
        not_evaluated.sort(key=NotEvaluated.sort_key)
        errors = snapshot.all_errors()
        complete = not errors and not not_evaluated
        accounts = [AccountRow(account_id=a.account_id, account_name=a.account_name, regions=sorted(r.region for r in a.regions))
                    for a in sorted(snapshot.accounts, key=lambda a: a.account_id)]
        return Report(
            tool=Tool(version=__version__),
            partition=snapshot.partition,
            accounts=accounts,
            regions=snapshot.region_names(),
            summary=summarise(findings, fail_on, len(rules), len(not_evaluated), complete, skipped=len(skipped)),
            errors=errors,
            not_evaluated=not_evaluated,
            vpcs=sorted(vpcs, key=VpcRow.sort_key),
            skipped=sorted(skipped, key=SkippedVpc.sort_key),
            findings=findings,
        )


def _evaluate_regions(
    snapshot: Snapshot, rules: list[Rule], vpc_ids: Optional[Iterable[str]], settings: Optional[Mapping[str, Any]]
) -> tuple[list[Finding], list[NotEvaluated], list[VpcRow], list[SkippedVpc]]:
    """The findings, not-evaluated rules, VPC verdicts and VPCs skipped by tag of every region (every account's
    view of it joined), each naming its account. Each region's view is dropped once evaluated, and the rest of the
    evaluation's state on return, so the collector does not rescan them when it resumes."""
    options = rule_options()
    findings: list[Finding] = []
    not_evaluated: list[NotEvaluated] = []
    vpcs: list[VpcRow] = []
    skipped: list[SkippedVpc] = []
    names = snapshot.account_names()
    for region_view in build_view(snapshot, vpc_ids, settings):
        region = region_view.region
        vpcs.extend(VpcRow.model_validate({**row, "account_name": names.get(row["account_id"])}) for row in region_view.verdicts)
        skipped.extend(SkippedVpc.model_validate({**row, "account_name": names.get(row["account_id"])}) for row in region_view.skipped)
        for rule in rules:
            for account, collected in sorted(region_view.collected_by_account.items()):
                missing = sorted(set(rule.requires) - collected)
                if missing:
                    not_evaluated.append(NotEvaluated(account_id=account, rule_id=rule.id, region=region, missing=missing))
            if set(rule.requires) - region_view.collected:
                continue
            holds = rule.condition(options)
            for item in region_view.items[rule.resource]:
                if holds(item):
                    account = item["account_id"]
                    findings.append(
                        Finding(
                            rule_id=rule.id,
                            severity=rule.severity,
                            title=rule.title,
                            message=rule.render("message", item, options),
                            account_id=account,
                            account_name=names.get(account),
                            region=region,
                            vpc_id=item["vpc_id"],
                            resource_type=item["resource_type"],
                            resource_id=item["resource_id"],
                            resource_arn=item["arn"],
                            evidence=rule.evidence_for(item, options),
                            remediation=rule.render("remediation", item, options),
                            fingerprint=fingerprint(rule.id, account, region, item["resource_id"]),
                        )
                    )
    return findings, not_evaluated, vpcs, skipped
