"""Rule evaluation wall time and peak memory for 1,000 and 10,000 synthetic VPCs.

Run: ``python tests/benchmarks/bench_rules.py [--sizes 1000 10000]``. Each size runs in a fresh child process:
it generates the snapshot (:mod:`gen_snapshot`), validates it, then times ``evaluate`` with every built-in rule
(view derivation included; wall and CPU time, the latter fair on a busy machine) and reports the process's peak
resident memory. Targets on a 2-core machine: 10,000
VPCs in under 10 s and 2 GiB, and at most 12x the 1,000-VPC time.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_one(vpcs: int) -> dict:
    """Generate, validate and evaluate one size in this process; returns the measurements."""
    sys.path.insert(0, str(HERE))
    from gen_snapshot import generate

    from vpclint.engine import evaluate
    from vpclint.rules import load_rules
    from vpclint.snapshot import Snapshot

    snapshot = Snapshot.model_validate(generate(vpcs))
    rules = load_rules()
    start, cpu_start = time.perf_counter(), time.process_time()
    report = evaluate(snapshot, rules)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"vpcs": vpcs, "rules": len(rules), "findings": report.summary.total, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "peak_mib": round(peak_kib / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    results = []
    for size in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout))
        r = results[-1]
        print(f"{r['vpcs']:>6} VPCs  {r['rules']} rules  {r['findings']:>6} findings  {r['seconds']:>7.2f} s wall  {r['cpu_seconds']:>7.2f} s cpu  peak {r['peak_mib']:>7.1f} MiB")
    if len(results) > 1:
        print(f"time ratio {results[-1]['seconds'] / results[0]['seconds']:.1f}x for {results[-1]['vpcs'] // results[0]['vpcs']}x the VPCs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
