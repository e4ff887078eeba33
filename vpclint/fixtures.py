"""Rule fixtures: cases that patch a base snapshot and say whether a rule must fire, run through the engine.

A fixture file ``<rule-id>.yaml`` holds ``rule: <rule-id>`` and ``cases`` (see ``tests/rule_fixtures/README.md``);
the base is the built-in compliant account (``vpclint/fixture_base.yaml``) or a ``base.yaml`` beside the fixtures.
``vpclint rules test DIR`` and the built-in rules' tests both run them here. The base's view also gives the
fields each resource kind's items carry (:func:`item_fields`), which rule loading checks names against.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml
from pydantic import ValidationError

from vpclint.errors import VpclintError

BASE_FILE = "fixture_base.yaml"
PATCH_OPS = ("set", "set_top", "add", "remove")


class FixtureError(VpclintError):
    """A malformed fixture file or case (exit 2, as every :class:`VpclintError`)."""


@dataclass(frozen=True)
class Case:
    """One fixture case of a rule."""

    rule_id: str
    name: str
    expect: str
    flagged: tuple[str, ...]
    data: dict
    source: str


@dataclass(frozen=True)
class Outcome:
    """What a case did: ``passed``, and when it failed, why."""

    case: Case
    passed: bool
    problem: str = ""


def builtin_base() -> dict:
    """The built-in base snapshot (a compliant account), as data; a new copy each call."""
    return yaml.safe_load(resources.files("vpclint").joinpath(BASE_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def item_fields() -> dict[str, frozenset[str]]:
    """The top-level fields of the view items of each resource kind, from the view of the built-in base."""
    from vpclint.snapshot import Snapshot
    from vpclint.view import RESOURCE_KINDS, build_view

    fields: dict[str, set[str]] = {kind: set() for kind in RESOURCE_KINDS}
    for region in build_view(Snapshot.model_validate(builtin_base())):
        for kind, items in region.items.items():
            for item in items:
                fields[kind].update(item)
    return {kind: frozenset(names) for kind, names in fields.items()}


def _id_of(item: dict) -> str:
    return next((value for key, value in item.items() if key.endswith("_id")), "")


def apply_patch(base: dict, case: Mapping[str, Any]) -> dict:
    """A copy of ``base`` with a case's ``patch`` operations applied in its ``region`` (default: the first);
    a bad operation is a :class:`FixtureError`."""
    data = copy.deepcopy(base)
    regions = {r["region"]: r for r in data["regions"]}
    name = case.get("region") or data["regions"][0]["region"]
    where = f"case {case.get('name')!r}"
    if name not in regions:
        raise FixtureError(f"{where}: region {name} is not in the base snapshot")
    region = regions[name]
    for op in case.get("patch") or []:
        try:
            _apply_op(region, op)
        except KeyError as exc:
            raise FixtureError(f"{where}: patch operation {op.get('op')} needs {exc}") from None
        except LookupError as exc:
            raise FixtureError(f"{where}: {exc.args[0]}") from None
    return data


def _apply_op(region: dict, op: Mapping[str, Any]) -> None:
    """Apply one patch operation to a region of the snapshot data (a copy of the op's value: YAML aliases share
    one value between cases, which later operations must not change)."""
    kind = op["op"]
    value = None if kind == "remove" else copy.deepcopy(op["value"])
    if kind == "set_top":
        region[op["field"]] = value
    elif kind == "add":
        region.setdefault(op["collection"], []).append(value)
    else:
        collection, _, item_id = str(op["target"]).partition("/")
        matches = [item for item in region.get(collection) or [] if _id_of(item) == item_id]
        if not matches:
            raise LookupError(f"patch target {op['target']} not found")
        if kind == "remove":
            region[collection] = [item for item in region[collection] if _id_of(item) != item_id]
        else:
            matches[0][op["field"]] = value


def _case(rule_id: str, raw: Any, source: str) -> Case:
    """One validated case of a fixture file."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise FixtureError(f"{source}: every case needs a 'name'")
    where = f"{source}: case {raw['name']!r}"
    unknown = sorted(set(raw) - {"name", "expect", "flagged", "patch", "region", "settings"})
    if unknown:
        raise FixtureError(f"{where}: unknown key {unknown[0]}")
    if raw.get("expect") not in ("fire", "quiet"):
        raise FixtureError(f"{where}: 'expect' must be fire or quiet")
    flagged = raw.get("flagged") or []
    if raw["expect"] == "fire" and not flagged or not isinstance(flagged, list):
        raise FixtureError(f"{where}: 'flagged' must list the resource ids a firing rule flags")
    patch = raw.get("patch") or []
    if not isinstance(patch, list) or any(not isinstance(op, dict) or op.get("op") not in PATCH_OPS for op in patch):
        raise FixtureError(f"{where}: 'patch' must be a list of operations ({', '.join(PATCH_OPS)})")
    return Case(rule_id, raw["name"], raw["expect"], tuple(str(i) for i in flagged), raw, source)


def load_cases(directory: Path) -> list[Case]:
    """Every case of the fixture files ``<rule-id>.yaml`` in ``directory`` (``base.yaml`` is not one)."""
    if not directory.is_dir():
        raise FixtureError(f"fixtures directory {directory}: not a directory")
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "base.yaml":
            continue
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise FixtureError(f"{path}: cannot read: {' '.join(str(exc).split())}") from None
        if not isinstance(document, dict) or document.get("rule") != path.stem:
            raise FixtureError(f"{path}: 'rule' must be the file's name ({path.stem})")
        if not isinstance(document.get("cases"), list) or not document["cases"]:
            raise FixtureError(f"{path}: 'cases' must be a non-empty list")
        cases += [_case(path.stem, raw, str(path)) for raw in document["cases"]]
    return cases


def load_base(directory: Path) -> dict:
    """``base.yaml`` beside the fixtures, else the built-in base."""
    path = directory / "base.yaml"
    if not path.is_file():
        return builtin_base()
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FixtureError(f"{path}: cannot read: {' '.join(str(exc).split())}") from None


def run_case(case: Case, base: dict, rules: dict[str, Any]) -> Outcome:
    """Run one case through the engine with its rule (``rules`` by id)."""
    from vpclint.engine import evaluate
    from vpclint.snapshot import Snapshot

    if case.rule_id not in rules:
        raise FixtureError(f"{case.source}: no rule {case.rule_id} is loaded")
    try:
        snapshot = Snapshot.model_validate(apply_patch(base, case.data))
    except FixtureError as exc:
        raise FixtureError(f"{case.source}: {exc}") from None
    except ValidationError as exc:
        raise FixtureError(f"{case.source}: case {case.name!r}: the patched snapshot is invalid: "
                           f"{' '.join(str(exc).split())}") from None
    report = evaluate(snapshot, [rules[case.rule_id]], settings=case.data.get("settings"))
    if report.not_evaluated:
        missing = ", ".join(sorted({m for n in report.not_evaluated for m in n.missing}))
        return Outcome(case, False, f"not evaluated: {missing} not collected")
    flagged = sorted(f.resource_id for f in report.findings)
    wanted = sorted(case.flagged) if case.expect == "fire" else []
    if flagged != wanted:
        return Outcome(case, False, f"flagged {flagged or 'nothing'}, expected {wanted or 'nothing'}")
    for finding in report.findings:
        if not finding.evidence:
            return Outcome(case, False, f"{finding.resource_id}: a finding must carry the evidence that made it fire")
        if "{{" in finding.message or "{{" in finding.remediation:
            return Outcome(case, False, f"{finding.resource_id}: an unrendered {{{{ }}}} placeholder")
    return Outcome(case, True)
