"""Collector benchmark (a script, not a test): API calls, scan wall time and memory, and latency scaling.

    python tests/benchmarks/bench_collect.py [--vpcs 50]

Starts a moto server on 127.0.0.1, builds the VPCs round-robin over three regions (and in each region one
customer-managed prefix list that a security group references), then prints:
1. the AWS API calls one collection makes, per region, against the budget: 13 paginated EC2 describes per region
   (transit gateway VPC attachments and peering connections included; the TGW route tables and their searches
   only when a gateway has a VPC attachment, none here), 2 DescribeVpcAttribute per VPC, for prefix lists at most
   one DescribeManagedPrefixLists per region plus one GetManagedPrefixListEntries per kept list that came without
   CIDRs (a referenced customer list; in moto also the S3 list, whose DescribePrefixLists answer lacks Cidrs), the
   2 Resolver listings per region, 1 Route 53 Profiles listing per region plus one per associated Profile (none
   here: the harness's responder answers for moto, which lacks the service), and on the one Route 53 client one ListHostedZonesByVPC per VPC asked (a private
   subnet, no local ECR endpoints with private DNS) plus the record pages of zones for the ECR/S3 names; plus
   identity;
2. the wall time and peak memory of ``vpclint scan`` as a subprocess;
3. with 50 ms added to every call, the collection time of 3 regions vs 1 (target: <= 1.5x).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

import boto3  # noqa: E402
from conftest import _start_server, _stop_server, vpclint_executable  # noqa: E402
from profiles_responder import ProfilesService  # noqa: E402 - moto lacks route53profiles: the harness answers them
from scenarios import build_vpc  # noqa: E402

from vpclint.collect.scheduler import collect  # noqa: E402
from vpclint.collect.session import resolve_identity  # noqa: E402
from vpclint.snapshot import RegionSnapshot, Snapshot  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
LATENCY = 0.05
ROUNDS = 3


DESCRIBES_PER_REGION = 13
RESOLVER_CALLS_PER_REGION = 2  # route53resolver ListResolverRules and ListResolverRuleAssociations
PROFILE_LISTINGS_PER_REGION = 1  # route53profiles ListProfileAssociations (+ one per associated Profile)
PREFIX_LIST_DESCRIBES_PER_REGION = 1  # DescribeManagedPrefixLists, only when a referenced list is not an AWS service list


def populate(session: boto3.Session, count: int) -> Counter:
    """``count`` VPCs (two AZs, public and NAT-private subnets) spread round-robin over REGIONS; in each region's
    first VPC a security group whose egress references a customer-managed prefix list."""
    per_region: Counter = Counter()
    for index in range(count):
        region = REGIONS[index % len(REGIONS)]
        net = build_vpc(session, region, f"bench-{index}", cidr=f"10.{index}.0.0/16", azs=2)
        if not per_region[region]:
            ec2 = session.client("ec2", region_name=region)
            listed = ec2.create_managed_prefix_list(PrefixListName="corp", MaxEntries=2, AddressFamily="IPv4",
                                                    Entries=[{"Cidr": "192.168.0.0/16"}])["PrefixList"]["PrefixListId"]
            group = ec2.create_security_group(GroupName="corp", Description="corp", VpcId=net.vpc_id)["GroupId"]
            ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": listed}]}])
        per_region[region] += 1
    return per_region


def counted_collect(session: boto3.Session, regions: list[str], latency: float = 0.0) -> tuple[Counter, float, Snapshot]:
    """Collect ``regions`` in-process; returns the calls by (region, operation), the wall time and the snapshot."""
    calls: Counter = Counter()

    def count(model: Any, request_signer: Any, **_: Any) -> None:
        calls.update([(request_signer.region_name, f"{model.service_model.service_name}:{model.name}")])

    session.events.register("before-call", count)
    if latency:
        session.events.register("before-send", lambda **_: time.sleep(latency))
    started = time.perf_counter()
    account, partition = resolve_identity(session)
    snapshot = collect(session, regions, account, partition)
    elapsed = time.perf_counter() - started
    assert not snapshot.all_errors(), snapshot.all_errors()
    return calls, elapsed, snapshot


def region_budget(region: RegionSnapshot) -> int:
    """The calls one region may take: constant describes, two per VPC, the prefix-list calls, the Resolver
    listings, and its share of Route 53 (one per VPC asked, one page per zone whose records were read)."""
    route53 = len(region.hosted_zone_vpc_ids) + sum(z.records_read for z in region.hosted_zones)
    return (DESCRIBES_PER_REGION + 2 * len(region.vpcs) + PREFIX_LIST_DESCRIBES_PER_REGION + len(region.prefix_lists)
            + RESOLVER_CALLS_PER_REGION + PROFILE_LISTINGS_PER_REGION + len(region.route53_profiles) + route53)


def report_calls(calls: Counter, snapshot: Snapshot) -> None:
    """Print the calls per region against its budget, and the calls by operation."""
    total = sum(calls.values())
    budget = sum(region_budget(r) for r in snapshot.regions) + 1  # + sts:GetCallerIdentity
    vpcs = sum(len(r.vpcs) for r in snapshot.regions)
    print(f"\n1. API calls for {len(snapshot.regions)} regions, {vpcs} VPCs (moto's default VPCs included): {total}"
          f" (budget {budget}: {'OK' if total <= budget else 'OVER'})")
    for region in snapshot.regions:
        made = sum(n for (name, op), n in calls.items() if name == region.region and op.startswith(("ec2:", "route53resolver:", "route53profiles:")))
        made += len(region.hosted_zone_vpc_ids) + sum(z.records_read for z in region.hosted_zones)  # on the global client
        per_list = sum(n for (name, op), n in calls.items() if name == region.region and "PrefixList" in op and op != "ec2:DescribePrefixLists")
        print(f"     {region.region}: {made} calls for {len(region.vpcs)} VPCs ({per_list} for prefix-list entries/names;"
              f" budget {DESCRIBES_PER_REGION} + 2 x {len(region.vpcs)} + {PREFIX_LIST_DESCRIBES_PER_REGION}"
              f" + {len(region.prefix_lists)} lists + {RESOLVER_CALLS_PER_REGION} Resolver"
              f" + {PROFILE_LISTINGS_PER_REGION + len(region.route53_profiles)} Profiles"
              f" + {len(region.hosted_zone_vpc_ids)} Route 53 = {region_budget(region)})")
    by_operation: Counter = Counter()
    for (_, name), n in calls.items():
        by_operation[name] += n
    for name, n in sorted(by_operation.items()):
        print(f"     {n:4d}  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vpcs", type=int, default=50)
    options = parser.parse_args()
    profiles = ProfilesService()
    profiles.start()
    server = _start_server(profiles_url=profiles.url)
    try:
        env = server.env()
        with mock.patch.dict(os.environ, env, clear=True):
            print(f"moto server {server.url}: building {options.vpcs} VPCs over {len(REGIONS)} regions ...", flush=True)
            per_region = populate(server.session(), options.vpcs)
            print("  VPCs built per region:", dict(per_region))

            calls, _, snapshot = counted_collect(server.session(), REGIONS)
            report_calls(calls, snapshot)

            args = ["scan", *[a for r in REGIONS for a in ("--region", r)], "--format", "json", "-o", os.devnull]
            started = time.perf_counter()
            result = subprocess.run([vpclint_executable(), *args], env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"\n2. vpclint scan ({len(REGIONS)} regions): exit {result.returncode}, wall {wall:.2f} s, peak RSS {peak_mib:.1f} MiB")
            if result.returncode not in (0, 1):
                print(result.stderr)

            samples: dict[int, list[float]] = {1: [], len(REGIONS): []}
            for _ in range(ROUNDS):  # alternate, and keep the best of each: the machine's other load is noise
                for regions in (REGIONS[:1], REGIONS):
                    samples[len(regions)].append(counted_collect(server.session(), regions, LATENCY)[1])
            one, three = min(samples[1]), min(samples[len(REGIONS)])
            ratio = three / one
            print(f"\n3. with {LATENCY * 1000:.0f} ms per call, best of {ROUNDS}: 1 region ({REGIONS[0]}) {one:.2f} s, "
                  f"{len(REGIONS)} regions {three:.2f} s, ratio {ratio:.2f}x (target <= 1.5x: {'OK' if ratio <= 1.5 else 'MISSED'})")
            print("     samples:", {k: [round(v, 2) for v in vs] for k, vs in samples.items()})
    finally:
        _stop_server(server)
        profiles.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
