"""Organisation benchmark (a script, not a test): N member accounts x 3 regions x 3 VPCs on a moto server, every
call 50 ms slower.

    python tests/benchmarks/bench_org.py [--accounts 100] [--vpcs 3] [--no-shards]

Starts a moto server on 127.0.0.1 behind a proxy (also on 127.0.0.1) that holds every request 50 ms and counts the
calls by account, region and action; builds an organization of N member accounts plus the management account (the
caller), each with ``--vpcs`` VPCs (two AZs, NAT, an instance per private subnet) in each of 3 regions; then prints:
1. ``vpclint scan`` of the management account alone (the single-account path): wall time, peak memory, calls per
   region;
2. ``vpclint scan --org`` of every account: wall time, peak memory, calls per account-region (each account also
   costs one sts:AssumeRole) and the ratio to (1) (the issue's target: at most 8x for 100 accounts);
3. unless ``--no-shards``: ``vpclint collect --org --shard K/4`` four times, merged by ``scan --snapshot DIR``,
   against one ``collect --org``: whether the JSON reports are byte-identical.
Peak memory is the vpclint process's own high-water resident set (``VmHWM``, see :data:`PEAK`); the CPU seconds of
vpclint, of the moto server and of this process's proxy show which one bounds the wall time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

import boto3  # noqa: E402
from conftest import _start_server, _stop_server, vpclint_executable  # noqa: E402
from profiles_responder import ProfilesService  # noqa: E402 - moto lacks route53profiles: the harness answers them
from faultproxy import FaultProxy, Request  # noqa: E402
from scenarios import build_vpc  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
LATENCY = 0.05
CALLER = "123456789012"
ROLE = "vpclint-readonly"


def build_account(session: boto3.Session, name: str, vpcs: int) -> None:
    """``vpcs`` VPCs in each region of REGIONS."""
    for region in REGIONS:
        for index in range(vpcs):
            build_vpc(session, region, f"{name}-{index}", cidr=f"10.{index}.0.0/16", azs=2)


def build_member(server, number: int, vpcs: int) -> str:
    """One member account of the organization, built through the role vpclint assumes; its id."""
    caller = server.session()
    org = caller.client("organizations", region_name="us-east-1")
    account = org.create_account(AccountName=f"member-{number}", Email=f"m{number}@example.com")["CreateAccountStatus"]["AccountId"]
    creds = caller.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="bench")["Credentials"]
    build_account(boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"]), f"member-{number}", vpcs)
    return account


def build_organization(server, accounts: int, vpcs: int, workers: int) -> list[str]:
    """The organization: the caller's account and ``accounts`` members, each of the same shape, built by ``workers``
    threads (each with its own boto3 session: the server answers one while the next is prepared); the member ids."""
    caller = server.session()
    caller.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
    build_account(caller, "management", vpcs)
    members = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for account in pool.map(lambda number: build_member(server, number, vpcs), range(accounts)):
            members.append(account)
            print(f"  built account {len(members)}/{accounts}", end="\r", flush=True)
    print()
    return members


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a live process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PEAK = """
import atexit, re, sys
from vpclint.cli import main
def report():
    status = open("/proc/self/status").read()
    sys.stderr.write("peak-kib " + re.search(r"VmHWM:\\s+(\\d+)", status)[1] + "\\n")
atexit.register(report)
sys.argv[0] = "vpclint"
sys.exit(main())
"""
"""Runs vpclint and reports its own peak resident set (``VmHWM``: the high-water mark of the memory it mapped since
``exec``; a child's ``ru_maxrss`` on Linux also counts the forking parent's, this process's)."""


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess, float]:
    """``vpclint args``: wall seconds, its peak RSS (MiB), the completed process (stderr without the peak line), its
    CPU seconds (``wait4``)."""
    python = Path(vpclint_executable()).read_text().splitlines()[0].removeprefix("#!")
    started = time.perf_counter()
    process = subprocess.Popen([python, "-c", PEAK, *args], env=env, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        out, err = pool.submit(process.stdout.read), pool.submit(process.stderr.read)  # type: ignore[union-attr]
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        lines = err.result().splitlines(keepends=True)
    wall = time.perf_counter() - started
    peak = int(lines[-1].split()[1]) / 1024 if lines and lines[-1].startswith("peak-kib ") else float("nan")
    done = subprocess.CompletedProcess(process.args, process.returncode, out.result(), "".join(lines[:-1]))
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:])
    return wall, peak, done, usage.ru_utime + usage.ru_stime


class Counting:
    """The proxy's decision: hold each request LATENCY seconds and count it by (account, region, action)."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()

    def __call__(self, request: Request) -> None:
        time.sleep(LATENCY)
        self.calls[(request.account or CALLER, request.region, request.action)] += 1

    def per_account_region(self) -> tuple[float, Counter]:
        """Calls per account-region (AssumeRole and DescribeRegions left out), and the calls by action."""
        regional = Counter({k: n for k, n in self.calls.items() if k[2] not in ("AssumeRole", "GetCallerIdentity", "ListAccounts")})
        pairs = {(account, region) for account, region, _ in regional if region in REGIONS}
        by_action: Counter = Counter()
        for (_, _, action), n in self.calls.items():
            by_action[action] += n
        return sum(regional.values()) / max(1, len(pairs)), by_action


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100, help="member accounts (default 100, as issue 12 asks)")
    parser.add_argument("--vpcs", type=int, default=3, help="VPCs per account and region (default 3)")
    parser.add_argument("--no-shards", action="store_true", help="skip the shard-and-merge comparison")
    parser.add_argument("--build-workers", type=int, default=4, help="threads building the accounts (default 4)")
    options = parser.parse_args()
    profiles = ProfilesService()
    profiles.start()
    server = _start_server(profiles_url=profiles.url)
    region_args = [a for r in REGIONS for a in ("--region", r)]
    try:
        print(f"moto server {server.url}: building {options.accounts} member accounts x {len(REGIONS)} regions x "
              f"{options.vpcs} VPCs (and the management account) ...", flush=True)
        os.environ.update({k: v for k, v in server.env().items() if k.startswith("AWS_")})
        started = time.perf_counter()
        members = build_organization(server, options.accounts, options.vpcs, options.build_workers)
        print(f"  built in {time.perf_counter() - started:.0f} s")
        with tempfile.TemporaryDirectory() as folder:
            cwd = Path(folder)
            walls: dict[str, float] = {}
            for label, args in (
                ("1 account", ["scan", *region_args]),
                (f"{len(members) + 1} accounts", ["scan", "--org", "--role-name", ROLE, *region_args]),
            ):
                counter = Counting()
                moto_cpu, proxy_cpu = cpu_seconds(server.process.pid), time.process_time()
                with FaultProxy(server.url, lambda *_: None, lifetime=3600, max_requests=10**7, decide=counter) as proxy:
                    env = {**server.env(), "AWS_ENDPOINT_URL": proxy.url}
                    walls[label], peak, done, cpu = run([*args, "--format", "json", "-o", "report.json"], env, cwd)
                moto_cpu, proxy_cpu = cpu_seconds(server.process.pid) - moto_cpu, time.process_time() - proxy_cpu
                per_pair, by_action = counter.per_account_region()
                print(f"\n{label}: exit {done.returncode}, wall {walls[label]:.1f} s, peak RSS {peak:.0f} MiB, "
                      f"{per_pair:.1f} calls per account-region, {by_action['AssumeRole']} sts:AssumeRole, "
                      f"{sum(counter.calls.values())} calls; CPU seconds: vpclint {cpu:.1f}, moto {moto_cpu:.1f}, "
                      f"proxy {proxy_cpu:.1f}")
                print("  calls by action:", dict(sorted(by_action.items())))
            single, several = walls.values()
            print(f"\nratio of wall times: {several / single:.1f}x for {len(members) + 1}x the accounts "
                  "(issue 12's target: <= 8x at 100 accounts)")
            if not options.no_shards:
                env = server.env()
                (cwd / "shards").mkdir()
                run(["collect", "--org", *region_args, "-o", "whole.json"], env, cwd)
                for index in range(1, 5):
                    run(["collect", "--org", *region_args, "--shard", f"{index}/4", "-o", f"shards/{index}.json"], env, cwd)
                one = run(["scan", "--snapshot", "whole.json", "--format", "json"], env, cwd)[2].stdout
                merged = run(["scan", "--snapshot", "shards", "--format", "json"], env, cwd)[2].stdout
                print(f"\n4 shards merged vs one run: {'byte-identical' if one == merged and one else 'DIFFERENT'} "
                      f"({len(one):,} bytes of JSON)")
    finally:
        _stop_server(server)
        profiles.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
