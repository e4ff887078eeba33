"""Run the collection of an account: regions on a bounded pool of daemon workers, each given up at its deadline.

Each region has REGION_DEADLINE seconds from its start and the whole collection ``timeout`` seconds; the main thread
stops waiting for a region at its deadline and keeps every source the region had finished (see
:class:`vpclint.collect.region.RegionCollector`), recording the others as ``DeadlineExceeded``. Route 53 and its
Resolver are read for each region once its EC2 sources are in, through one client for the account.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Optional

import boto3
from botocore.exceptions import NoRegionError

from vpclint.collect import route53
from vpclint.collect.deadline import CollectionFault, Deadline, start_daemon
from vpclint.collect.region import SOURCE_APIS, RegionCollector, unread_region
from vpclint.collect.session import (
    PROBE_ATTEMPTS, client_config, collection_error, error_order, open_session, resolve_identity, resolve_regions,
)
from vpclint.errors import VpclintError
from vpclint.snapshot import RegionSnapshot, Snapshot

REGION_DEADLINE = 300.0
"""Seconds one region may take from its first call; what it has not read by then is recorded as unread."""
TIMEOUT = 900.0
"""Default seconds for the whole collection (``--timeout``, config key ``timeout``)."""


def collect(
    session: boto3.Session,
    regions: list[str],
    account_id: str,
    partition: str,
    max_workers: int = 8,
    on_region_done: Optional[Callable[[str], None]] = None,
    metrics_days: Optional[int] = None,
    timeout: Optional[float] = TIMEOUT,
    region_deadline: Optional[float] = REGION_DEADLINE,
) -> Snapshot:
    """Collect every region concurrently (at most ``max_workers`` at once) into one snapshot.

    With ``metrics_days``, each region's NAT gateway traffic over that many days is read from CloudWatch too. Each
    region gets ``region_deadline`` seconds from its start and the whole collection ``timeout`` seconds (None: no
    limit); a region past either is given up with what it had read, and this returns without waiting for it.
    """
    overall = Deadline(timeout, "overall timeout")
    # Clients are created here, on one thread: a boto3 Session is not safe to share across threads.
    clients = {region: session.client("ec2", region_name=region, config=client_config()) for region in regions}
    probes = {region: session.client("ec2", region_name=region, config=client_config(PROBE_ATTEMPTS)) for region in regions}
    watchers = (
        {region: session.client("cloudwatch", region_name=region, config=client_config()) for region in regions}
        if metrics_days else {}
    )
    dns = route53.DnsReader(session, regions, partition, account_id)
    waiting = list(regions)
    running: dict[str, RegionCollector] = {}
    results: dict[str, RegionSnapshot] = {}
    changed = threading.Condition()

    def settle(region: str, result: RegionSnapshot) -> None:
        """Record a region's result once (called with ``changed`` held)."""
        if region not in results:
            results[region] = result
            running.pop(region, None)
            if on_region_done:
                on_region_done(region)
            changed.notify_all()

    def work() -> None:
        while True:
            with changed:
                if not waiting or overall.expired():
                    return
                region = waiting.pop(0)
                deadline = Deadline(region_deadline, "region deadline").earliest(overall)
                collector = RegionCollector(clients[region], region, probes[region], deadline,
                                            watchers.get(region), metrics_days)
                running[region] = collector
                changed.notify_all()  # the main thread now waits for this region's deadline too
            result = collector.collect()
            read_dns(dns, result, collector.deadline)
            with changed:
                settle(region, result)

    for number in range(min(max(1, max_workers), len(regions))):
        start_daemon(work, f"vpclint-region-{number}")
    with changed:
        while len(results) < len(regions):
            for region, collector in list(running.items()):
                if collector.deadline.expired():
                    settle(region, collector.abandon(CollectionFault(
                        "DeadlineExceeded", f"{collector.deadline.what} of {collector.deadline.seconds:g} s passed before this was read")))
            if overall.expired():
                for region in list(waiting):
                    settle(region, unread_region(region, CollectionFault(
                        "DeadlineExceeded", f"overall timeout of {overall.seconds:g} s passed before this region was started")))
                waiting.clear()
            if len(results) == len(regions):
                break
            ends = [c.deadline.remaining() for c in running.values()] + [overall.remaining()]
            known = [end for end in ends if end is not None]
            changed.wait(timeout=min(known) + 0.01 if known else None)
    return Snapshot(account_id=account_id, partition=partition, regions=[results[r] for r in sorted(results)])


def read_dns(dns: route53.DnsReader, result: RegionSnapshot, deadline: Deadline) -> None:
    """The region's private hosted zones and Resolver rules, unless the region's deadline has passed (then they are
    recorded as not read, as for a region given up); a failure nobody expected costs those sources only."""
    if deadline.expired():  # a region given up already has these errors (the scheduler may have settled it first)
        fault = CollectionFault("DeadlineExceeded", f"{deadline.what} of {deadline.seconds:g} s passed before this was read")
        recorded = {e.api for e in result.errors}
        result.errors.extend(
            collection_error(result.region, SOURCE_APIS[s], fault) for s in route53.DNS_SOURCES if SOURCE_APIS[s] not in recorded
        )
        result.errors.sort(key=error_order)
        return
    try:
        dns.read(result)
    except Exception as exc:  # noqa: BLE001
        result.errors.append(collection_error(result.region, "route53:*", exc))


def collect_account(
    profile: Optional[str],
    regions: Iterable[str],
    all_regions: bool,
    max_workers: int,
    on_start: Optional[Callable[[list[str]], None]] = None,
    on_region_done: Optional[Callable[[str], None]] = None,
    metrics_days: Optional[int] = None,
    on_call: Optional[Callable[[str, str], None]] = None,
    timeout: Optional[float] = TIMEOUT,
) -> Snapshot:
    """Open a session, resolve identity and regions, and collect: the whole live path in one call (``timeout``
    seconds for the collection of the regions).

    ``on_call(region, "service:Operation")`` is told of every AWS call as it starts (for a progress display)."""
    session = open_session(profile)
    if on_call:
        def before_call(model: Any, context: Optional[dict] = None, **_: Any) -> None:
            on_call((context or {}).get("client_region") or "-", f"{model.service_model.endpoint_prefix}:{model.name}")

        session.events.register("before-call", before_call)
    try:
        account_id, partition = resolve_identity(session)
        targets = resolve_regions(session, partition, regions, all_regions)
    except NoRegionError:
        raise VpclintError("no region to scan: pass --region R or --all-regions, or set AWS_REGION") from None
    if on_start:
        on_start(targets)
    return collect(session, targets, account_id, partition, max_workers, on_region_done, metrics_days, timeout)
