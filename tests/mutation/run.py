"""Mutation testing of vpclint's core modules with mutmut, one module at a time, and a table of scores.

    python tests/mutation/run.py                      # every core module (see MODULES)
    python tests/mutation/run.py baseline path.groups # some of them
    python tests/mutation/run.py --report             # only print the table of the last results
    python tests/mutation/run.py --survivors view     # also list each survivor with its diff

mutmut's settings (what is mutated, which fast unit tests run) are in pyproject.toml ``[tool.mutmut]``. Each
module is one ``nice mutmut run "vpclint.<module>.*"`` with a wall-clock ``--timeout``; a module whose run timed
out or failed is reported as such, with the mutants checked so far.

Score per module = killed / (mutants - equivalent): killed counts mutants the tests failed on or that timed out;
equivalent mutants (same behaviour as the original, so no test can kill them) are listed in equivalent.txt next to
this file. Each line names a mutant and the changed line as mutmut shows it; a line whose mutant no longer
changes that text (the code moved on), or that a test now kills, is reported as stale and not counted, so the score
stays honest.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENTS = Path(__file__).resolve().parent / "equivalent.txt"
TARGET = 95.0

# module name -> source file; the mutants of a module are named "vpclint.<module>.<function>__mutmut_<n>"
MODULES = {
    "baseline": "vpclint/baseline.py",
    "findings": "vpclint/findings.py",
    "view": "vpclint/view.py",
    "policy": "vpclint/policy.py",
    "policy_parse": "vpclint/policy_parse.py",
    "policy_match": "vpclint/policy_match.py",
    "policy_conditions": "vpclint/policy_conditions.py",
    "reachability": "vpclint/reachability.py",
    "region_views": "vpclint/region_views.py",
    "region_links": "vpclint/region_links.py",
    **{f"path.{p.stem}": f"vpclint/path/{p.name}" for p in sorted((ROOT / "vpclint" / "path").glob("*.py")) if p.stem != "__init__"},
}

# mutmut 3.8 reads ``item._nodeid``, which pytest 9 no longer has; alias it to ``nodeid`` before mutmut starts
# (its workers are forked from this process, so they inherit the alias).
MUTMUT = (
    "import _pytest.nodes as n\n"
    "if not hasattr(n.Node, '_nodeid'): n.Node._nodeid = property(lambda self: self.nodeid)\n"
    "import sys; from mutmut.__main__ import cli; sys.argv[0] = 'mutmut'; cli()\n"
)

KILLED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass
class Score:
    module: str
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[str] = field(default_factory=list)
    equivalent: int = 0
    stale: list[str] = field(default_factory=list)
    run: str = "not run"  # "ok", "timed out after Ns", "failed (exit N)", "not run"
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unchecked(self) -> int:
        return self.counts.get("not checked", 0)

    @property
    def killed(self) -> int:
        return sum(n for status, n in self.counts.items() if status in KILLED)

    @property
    def percent(self) -> float | None:
        relevant = self.total - self.equivalent - self.unchecked
        return 100.0 * self.killed / relevant if relevant else None


def load_equivalents() -> dict[str, tuple[str, str]]:
    """``{mutant name: (changed line, reason)}`` from equivalent.txt (``name | changed line | reason``)."""
    found = {}
    for line in EQUIVALENTS.read_text().splitlines() if EQUIVALENTS.exists() else []:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, rest = line.split(" | ", 1)
        changed, reason = rest.rsplit(" | ", 1)  # the changed line may hold " | " itself (a bitwise or)
        found[name.strip()] = (changed.strip(), reason.strip())
    return found


def changed_lines(name: str, path: str) -> str:
    """The mutant's added lines, stripped and joined with " / " (how equivalent.txt names the change)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=path)
    return " / ".join(line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++"))


def run_module(module: str, timeout: float, max_children: int) -> tuple[str, float]:
    """One ``mutmut run`` for the module's mutants, niced and bounded by ``timeout`` seconds."""
    command = ["nice", "-n", "10", sys.executable, "-c", MUTMUT, "run", "--max-children", str(max_children), f"vpclint.{module}.*"]
    start = time.monotonic()
    log = ROOT / "mutants" / f"run-{module}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return f"timed out after {timeout:.0f}s", time.monotonic() - start
    return ("ok" if code == 0 else f"failed (exit {code}, see {log.relative_to(ROOT)})"), time.monotonic() - start


def score(module: str, equivalents: dict[str, tuple[str, str]]) -> Score:
    """The module's results as mutmut last recorded them (mutants/<file>.meta)."""
    from mutmut.stats import status_by_exit_code

    result = Score(module)
    meta = ROOT / "mutants" / (MODULES[module] + ".meta")
    if not meta.exists():
        return result
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    for name, code in sorted(codes.items()):
        status = status_by_exit_code[code]
        if status in KILLED:
            status = "killed" if status != "timeout" else "timeout"
            if name in equivalents:  # the line is wrong now: the mutant changed, or a test kills it
                result.stale.append(name)
        elif name in equivalents:
            if changed_lines(name, MODULES[module]) == equivalents[name][0]:
                result.equivalent += 1
                status = "equivalent"
            else:
                result.stale.append(name)
        if status not in KILLED and status not in ("equivalent", "not checked"):
            result.survivors.append(name)
        result.counts[status] = result.counts.get(status, 0) + 1
    return result


def table(scores: list[Score]) -> str:
    rows = [("module", "mutants", "killed", "equivalent", "survived", "unchecked", "score", "run")]
    for s in scores:
        percent = "not measured" if s.percent is None else f"{s.percent:.1f}%"
        run = s.run + (f" ({s.seconds:.0f}s)" if s.seconds else "")
        rows.append((s.module, str(s.total), str(s.killed), str(s.equivalent), str(len(s.survivors)), str(s.unchecked), percent, run))
    path = [s for s in scores if s.module.startswith("path.") and s.percent is not None]
    if path:
        killed, survived = sum(s.killed for s in path), sum(len(s.survivors) for s in path)
        rows.append(("path (measured)", str(sum(s.total for s in path)), str(killed), str(sum(s.equivalent for s in path)),
                     str(survived), str(sum(s.unchecked for s in path)), f"{100.0 * killed / (killed + survived):.1f}%", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i in (0, 7) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"modules to test (default: all): {', '.join(MODULES)}")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per module (default 3600)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs (default 2)")
    parser.add_argument("--report", action="store_true", help="don't run: print the last results")
    parser.add_argument("--survivors", action="store_true", help="list each surviving mutant and its diff")
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    os.chdir(ROOT)
    modules = args.modules or list(MODULES)
    equivalents = load_equivalents()
    scores = []
    started = time.monotonic()
    for module in modules:
        run, seconds = ("not run", 0.0)
        if not args.report:
            print(f"mutmut: {module} ...", file=sys.stderr, flush=True)
            run, seconds = run_module(module, args.timeout, args.max_children)
        result = score(module, equivalents)
        result.run, result.seconds = ("last results" if args.report and result.total else run), seconds
        scores.append(result)
        if args.survivors:
            for name in result.survivors:
                print(f"\n# {name}")
                print(_diff(name, MODULES[module]))
    print(table(scores))
    for s in scores:
        for name in s.stale:
            print(f"stale equivalent (the mutant changed, or a test kills it now; re-judge it): {name}")
    if not args.report:
        print(f"total time {time.monotonic() - started:.0f}s")
    below = [s.module for s in scores if s.percent is None or s.percent < TARGET]
    return 1 if below else 0


def _diff(name: str, path: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(name, path=path)


if __name__ == "__main__":
    sys.exit(main())
