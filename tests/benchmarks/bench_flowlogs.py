"""Flow-log attribution throughput: records per second and peak memory, at two file sizes.

Run: ``python tests/benchmarks/bench_flowlogs.py [--records 5000000] [--gzip]``. Generates a default-format (v2)
S3-style file with a header (every record on a NAT gateway interface, a third of them to or from S3, 50,000
distinct client addresses), attributes it in a fresh child process per size, and prints records/s and the peak
resident memory of the attribution. The second size is a fifth of the first: equal peaks show that memory does not
grow with the file. Target: >= 500,000 records/s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
NAT_ENIS = ("eni-0aaa0000000000001", "eni-0aaa0000000000002", "eni-0aaa0000000000003")
S3_PREFIXES = ["52.216.0.0/15", "3.5.0.0/19", "54.231.0.0/16"]


def generate(path: Path, records: int, compress: bool, seed: int = 7) -> None:
    """Write ``records`` flow-log records to ``path``."""
    rng = random.Random(seed)
    clients = [f"10.0.{rng.randrange(256)}.{rng.randrange(256)}".encode() for _ in range(50_000)]
    s3 = [f"52.216.{rng.randrange(256)}.{rng.randrange(256)}".encode() for _ in range(2_000)]
    other = [f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}".encode() for _ in range(20_000)]
    opener = gzip.open if compress else open
    with opener(path, "wb") as out:
        out.write(HEADER)
        chunk = []
        for n in range(records):
            eni = NAT_ENIS[n % 3].encode()
            client = clients[n % len(clients)]
            remote = s3[n % len(s3)] if n % 3 == 0 else other[n % len(other)]
            src, dst = (client, remote) if n & 1 else (remote, client)
            chunk.append(b"2 123456789012 %s %s %s 443 %d 6 %d %d 1700000000 1700000060 ACCEPT OK\n"
                         % (eni, src, dst, 30000 + n % 30000, 10 + n % 90, 1000 + n % 100000))
            if len(chunk) == 100_000:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))


def current_rss_mib() -> float:
    """The process's resident memory now (Linux /proc), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: str) -> None:
    """Child process: attribute ``path`` and print a JSON line of figures."""
    from vpclint.cost.flowlogs import Attributor
    from vpclint.cost.ipranges import PrefixSet

    before = current_rss_mib()
    prefixes = PrefixSet(S3_PREFIXES)
    attributor = Attributor({eni: prefixes for eni in NAT_ENIS})
    started, cpu_started = time.perf_counter(), time.process_time()
    attributor.feed(Path(path))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    s3 = sum(t[0] for t in attributor.totals.values())
    total = s3 + sum(t[1] for t in attributor.totals.values())
    print(json.dumps({
        "records": attributor.stats.records, "seconds": round(elapsed, 3),
        "records_per_second": round(attributor.stats.records / elapsed),
        "records_per_cpu_second": round(attributor.stats.records / cpu),
        "peak_rss_mib": round(peak / 1024, 1), "rss_before_mib": round(before, 1),
        "s3_share": round(s3 / total, 4), "malformed": attributor.stats.malformed,
    }))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--gzip", action="store_true", help="gzip the generated file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        for records in (args.records // 5, args.records):
            path = Path(folder) / f"flow-{records}.log{'.gz' if args.gzip else ''}"
            generate(path, records, args.gzip)
            size_mib = path.stat().st_size / 2**20
            child = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True)
            figures = json.loads(child.stdout)
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {records:>10,} records ({size_mib:,.0f} MiB{' gzipped' if args.gzip else ''}): "
                  f"{figures['records_per_second']:>10,} records/s in {figures['seconds']} s "
                  f"({figures['records_per_cpu_second']:,} per CPU second), "
                  f"peak RSS {figures['peak_rss_mib']} MiB (RSS before attribution {figures['rss_before_mib']} MiB), "
                  f"S3 share {figures['s3_share']}, malformed {figures['malformed']}")
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
