"""Gate on Microsoft SARIF Multitool output: ``python sarif/check_multitool.py OUT.sarif...``.

``Sarif.Multitool validate`` exits 0 even when the file it checked is invalid, so CI reads the SARIF log it writes
(``-o OUT.sarif``) and fails on any result whose level (its own, else its rule's default) is ``error``, and on a
failed validator run. Prints one line per problem; exits 1 if there is any, else 0.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def problems(path: Path) -> list[str]:
    """The error-level results and failed invocations in one Multitool output log."""
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{path}: cannot read the validator's output: {exc}"]
    found = []
    for run in log.get("runs", []):
        rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        defaults = {r.get("id"): r.get("defaultConfiguration", {}).get("level", "warning") for r in rules}
        for result in run.get("results", []):
            level = result.get("level") or defaults.get(result.get("ruleId"), "warning")
            if level == "error":
                message = result.get("message", {})
                text = message.get("text") or f"{message.get('id')} {message.get('arguments')}"
                found.append(f"{path}: {result.get('ruleId')}: {text}")
        for invocation in run.get("invocations", []):
            if not invocation.get("executionSuccessful", False):
                found.append(f"{path}: the validator did not run successfully")
    return found


def main(argv: list[str]) -> int:
    """Check every output log given; exit 1 on any problem."""
    if not argv:
        print("usage: check_multitool.py OUT.sarif...", file=sys.stderr)
        return 2
    found = [line for name in argv for line in problems(Path(name))]
    for line in found:
        print(line)
    print(f"multitool: {len(argv)} file(s) checked, {len(found)} error(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
