"""Run a collection: (account x region) tasks on one bounded pool of daemon workers, each region given up at its
deadline.

Every account is first opened (its session: the caller's own, or a role assumed in it; then its regions, when
they are to be discovered), on the pool like any task; its regions then queue. At most ``max_workers`` tasks run
at once, and at most ``account_workers`` regions of one account, so a large organization neither serialises nor
trips one account's API throttling. Each region has REGION_DEADLINE seconds from its start and the whole
collection ``timeout`` seconds; the main thread stops waiting for a region at its deadline and keeps every source
the region had finished (see :class:`vpclint.collect.region.RegionCollector`), recording the others as
``DeadlineExceeded``. An account that can't be opened (its role can't be assumed) is recorded as a whole and the
rest completes. Route 53 and its Resolver are read for each region once its EC2 sources are in, through one client
per account. An account's session and clients are dropped once its regions are done.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

import boto3
from botocore.exceptions import NoRegionError

from vpclint.collect import route53
from vpclint.collect.deadline import CollectionFault, Deadline, start_daemon
from vpclint.collect.models import CalledOperationsLoader
from vpclint.collect.region import SOURCE_APIS, RegionCollector, unread_region
from vpclint.collect.session import (
    CALL_ERRORS, client_config, collection_error, discovery_region, enabled_regions, error_code,
    error_message, error_order, open_session, resolve_identity, resolve_regions,
)
from vpclint.errors import VpclintError
from vpclint.snapshot import AccountError, AccountSnapshot, CollectionError, RegionSnapshot, Snapshot

REGION_DEADLINE = 300.0
"""Seconds one region may take from its first call; what it has not read by then is recorded as unread."""
TIMEOUT = 900.0
"""Default seconds for the whole collection (``--timeout``, config key ``timeout``)."""
OPEN_API = "sts:AssumeRole"
"""The call an account is opened with, when it is not the caller's."""


@dataclass(frozen=True)
class AccountJob:
    """One account to collect: ``open`` returns its session (called on a worker; what it raises is recorded as
    the account's failure under ``open_api``); ``regions`` None reads the account's enabled regions."""

    account_id: str
    open: Callable[[], boto3.Session]
    name: Optional[str] = None
    regions: Optional[list[str]] = None
    open_api: str = OPEN_API


@dataclass(frozen=True)
class Progress:
    """What a progress display is told: how many accounts, an account opened with its regions (``[]`` when it could
    not be read), a region done, every AWS call as it starts."""

    on_start: Callable[[int], None] = lambda accounts: None
    on_account: Callable[[str, list[str]], None] = lambda account, regions: None
    on_region_done: Callable[[str, str], None] = lambda account, region: None
    on_call: Optional[Callable[[str, str, str], None]] = None


class _Account:
    """One account's state: its session and DNS reader once open, its regions and what they gave."""

    def __init__(self, job: AccountJob) -> None:
        self.job = job
        self.session: Optional[boto3.Session] = None
        self.dns: Optional[route53.DnsReader] = None
        self.lock = threading.Lock()  # a boto3 session is not safe to share across threads: one client at a time
        self.regions: Optional[list[str]] = None
        self.results: dict[str, RegionSnapshot] = {}
        self.errors: list[CollectionError] = []
        self.failure: Optional[AccountError] = None
        self.running = 0

    def client(self, service: str, region: str) -> Any:
        """A client of the account's session (made one at a time)."""
        assert self.session is not None
        with self.lock:
            return self.session.client(service, region_name=region, config=client_config())

    def done(self) -> bool:
        return self.failure is not None or (self.regions is not None and len(self.results) == len(self.regions))

    def fail(self, api: str, exc: BaseException) -> None:
        error = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
        self.failure = AccountError(account_id=self.job.account_id, account_name=self.job.name, api=api,
                                    code=error_code(error), message=error_message(error))


class _Scheduler:
    def __init__(self, jobs: list[AccountJob], partition: str, max_workers: int, account_workers: int,
                 metrics_days: Optional[int], timeout: Optional[float], region_deadline: Optional[float],
                 progress: Progress) -> None:
        self.accounts = {job.account_id: _Account(job) for job in jobs}
        self.partition, self.max_workers, self.account_workers = partition, max(1, max_workers), max(1, account_workers)
        self.metrics_days, self.region_deadline, self.progress = metrics_days, region_deadline, progress
        self.overall = Deadline(timeout, "overall timeout")
        self.unopened = [job.account_id for job in jobs]
        self.opening: set[str] = set()
        self.queue: list[tuple[str, str]] = []
        self.starting: dict[tuple[str, str], Deadline] = {}
        self.running: dict[tuple[str, str], RegionCollector] = {}
        self.changed = threading.Condition()

    def run(self) -> Snapshot:
        self.progress.on_start(len(self.accounts))
        for number in range(min(self.max_workers, max(1, len(self.accounts) * self.account_workers))):
            start_daemon(self._work, f"vpclint-worker-{number}")
        with self.changed:
            while not all(account.done() for account in self.accounts.values()):
                self._give_up_late()
                if all(account.done() for account in self.accounts.values()):
                    break
                ends = [c.deadline.remaining() for c in self.running.values()] + [d.remaining() for d in self.starting.values()]
                known = [end for end in ends + [self.overall.remaining()] if end is not None]
                self.changed.wait(timeout=min(known) + 0.01 if known else None)
        return self._snapshot()

    def _give_up_late(self) -> None:
        """Settle the regions past their deadline and, past the overall timeout, everything not finished."""
        for (account, region), collector in list(self.running.items()):
            if collector.deadline.expired():
                self._settle(account, region, collector.abandon(CollectionFault(
                    "DeadlineExceeded", f"{collector.deadline.what} of {collector.deadline.seconds:g} s passed before this was read")))
        for (account, region), deadline in list(self.starting.items()):
            if deadline.expired():
                self._settle(account, region, unread_region(region, CollectionFault("DeadlineExceeded", f"{deadline.what} passed before this region started")))
        if self.overall.expired():
            late = f"overall timeout of {self.overall.seconds:g} s passed before this"
            for account, region in self.queue:
                self._settle(account, region, unread_region(region, CollectionFault("DeadlineExceeded", f"{late} region was started")))
            self.queue.clear()
            for account in self.unopened + sorted(self.opening):
                self.accounts[account].fail(self.accounts[account].job.open_api, CollectionFault("DeadlineExceeded", f"{late} account was read"))
                self.progress.on_account(account, [])
            self.unopened.clear()
            self.opening.clear()
            self.changed.notify_all()

    def _next(self) -> Optional[tuple[str, Optional[str]]]:
        """The next task (called with ``changed`` held): a queued region whose account has a slot, else an account
        to open."""
        for index, (account, region) in enumerate(self.queue):
            if self.accounts[account].running < self.account_workers:
                self.accounts[account].running += 1
                self.starting[(account, region)] = Deadline(self.region_deadline, "region deadline").earliest(self.overall)
                return self.queue.pop(index)
        if self.unopened:
            account = self.unopened.pop(0)
            self.opening.add(account)
            return account, None
        return None

    def _work(self) -> None:
        while True:
            with self.changed:
                task = None
                while task is None:
                    if self.overall.expired():
                        return
                    task = self._next()
                    if task is None and not (self.queue or self.unopened or self.opening):
                        return
                    if task is None:
                        self.changed.wait()
            account, region = task
            if region is None:
                self._open(self.accounts[account])
            else:
                self._collect(self.accounts[account], region)

    def _open(self, account: _Account) -> None:
        """Open the account's session, find its regions and make its DNS reader; then queue its regions."""
        job, api = account.job, account.job.open_api
        session: Optional[boto3.Session] = None
        try:
            session = job.open()
            if self.progress.on_call:
                _report_calls(session, job.account_id, self.progress.on_call)
            api = "ec2:DescribeRegions"
            regions = job.regions if job.regions is not None else enabled_regions(session, self.partition)
            api = "route53:*"
            dns = route53.DnsReader(session, regions, self.partition, job.account_id)
        except Exception as exc:  # noqa: BLE001 - what fails costs this account, never the others
            with self.changed:
                if job.account_id in self.opening:
                    self.opening.discard(job.account_id)
                    if session is not None and api == "ec2:DescribeRegions" and isinstance(exc, CALL_ERRORS):
                        account.errors.append(collection_error(discovery_region(session, self.partition), api, exc))
                        account.regions = []
                    else:
                        account.fail(api, exc)
                    self.progress.on_account(job.account_id, [])
                    self.changed.notify_all()
            return
        with self.changed:
            if job.account_id not in self.opening:  # given up at the overall timeout meanwhile
                return
            self.opening.discard(job.account_id)
            account.session, account.dns, account.regions = session, dns, list(regions)
            self.queue.extend((job.account_id, region) for region in regions)
            self.progress.on_account(job.account_id, list(regions))
            self.changed.notify_all()

    def _collect(self, account: _Account, region: str) -> None:
        """Collect one region of an open account (its clients are made here, on this worker)."""
        key = (account.job.account_id, region)
        deadline = self.starting[key]
        try:
            collector = RegionCollector(
                account.client("ec2", region), region, deadline,
                account.client("cloudwatch", region) if self.metrics_days else None, self.metrics_days)
        except Exception as exc:  # noqa: BLE001
            with self.changed:
                self._settle(*key, unread_region(region, CollectionFault(error_code(exc), error_message(exc))))
            return
        with self.changed:
            if self.starting.pop(key, None) is None:  # settled meanwhile (deadline)
                return
            self.running[key] = collector
            self.changed.notify_all()  # the main thread now waits for this region's deadline too
        result = collector.collect()
        if account.dns is not None:
            read_dns(account.dns, result, collector.deadline)
        with self.changed:
            self._settle(*key, result)

    def _settle(self, account_id: str, region: str, result: RegionSnapshot) -> None:
        """Record a region's result once (called with ``changed`` held); an account done lets go of its session."""
        account = self.accounts[account_id]
        if region in account.results:
            return
        account.results[region] = result
        account.running -= 1
        self.running.pop((account_id, region), None)
        self.starting.pop((account_id, region), None)
        self.progress.on_region_done(account_id, region)
        if account.done():
            account.session = account.dns = None
        self.changed.notify_all()

    def _snapshot(self) -> Snapshot:
        accounts = [
            AccountSnapshot(account_id=a.job.account_id, account_name=a.job.name, errors=sorted(a.errors, key=error_order),
                            regions=[a.results[r] for r in sorted(a.results)])
            for a in self.accounts.values() if a.failure is None
        ]
        failures = [a.failure for a in self.accounts.values() if a.failure is not None]
        return Snapshot(partition=self.partition, accounts=sorted(accounts, key=lambda a: a.account_id),
                        errors=sorted(failures, key=AccountError.sort_key))


def _report_calls(session: boto3.Session, account_id: str, on_call: Callable[[str, str, str], None]) -> None:
    """Tell ``on_call(account, region, "service:Operation")`` of every call of ``session`` as it starts."""
    def before_call(model: Any, context: Optional[dict] = None, **_: Any) -> None:
        on_call(account_id, (context or {}).get("client_region") or "-", f"{model.service_model.endpoint_prefix}:{model.name}")

    session.events.register("before-call", before_call)


def collect_accounts(jobs: list[AccountJob], partition: str, max_workers: int = 8, account_workers: int = 8,
                     metrics_days: Optional[int] = None, timeout: Optional[float] = TIMEOUT,
                     region_deadline: Optional[float] = REGION_DEADLINE, progress: Optional[Progress] = None) -> Snapshot:
    """Collect every account's regions on one pool (see the module's documentation) into one snapshot; returns
    without waiting for a region given up at its deadline."""
    return _Scheduler(jobs, partition, max_workers, account_workers, metrics_days, timeout, region_deadline,
                      progress or Progress()).run()


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
    """Collect one account's ``regions`` through ``session`` (at most ``max_workers`` at once) into a snapshot.

    With ``metrics_days``, each region's NAT gateway traffic over that many days is read from CloudWatch too. Each
    region gets ``region_deadline`` seconds from its start and the whole collection ``timeout`` seconds (None: no
    limit); a region past either is given up with what it had read.
    """
    done = Progress(on_region_done=lambda account, region: on_region_done(region)) if on_region_done else None
    job = AccountJob(account_id, lambda: session, regions=list(regions))
    return collect_accounts([job], partition, max_workers, max_workers, metrics_days, timeout, region_deadline, done)


def read_dns(dns: route53.DnsReader, result: RegionSnapshot, deadline: Deadline) -> None:
    """The region's private hosted zones and Resolver rules, unless the region's deadline has passed (then they are
    recorded as not read, as for a region given up); a failure nobody expected costs the sources it left unread."""
    if deadline.expired():  # a region given up already has these errors (the scheduler may have settled it first)
        _unread_dns(result, CollectionFault("DeadlineExceeded", f"{deadline.what} of {deadline.seconds:g} s passed before this was read"))
        return
    try:
        dns.read(result)
    except Exception as exc:  # noqa: BLE001
        _unread_dns(result, exc)


def _unread_dns(result: RegionSnapshot, fault: Exception) -> None:
    """Record ``fault`` under the API of each DNS source that was neither read nor already recorded as failed."""
    recorded = {e.api for e in result.errors}
    result.errors.extend(
        collection_error(result.region, SOURCE_APIS[s], fault)
        for s in route53.DNS_SOURCES if s not in result.collected and SOURCE_APIS[s] not in recorded
    )
    result.errors.sort(key=error_order)


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
    """Open a session, resolve identity and regions, and collect the caller's account: the whole live path of a
    single-account scan in one call (``timeout`` seconds for the collection of the regions).

    ``on_call(region, "service:Operation")`` is told of every AWS call as it starts (for a progress display)."""
    session = open_session(profile, CalledOperationsLoader())
    if on_call:
        _report_calls(session, "", lambda account, region, api: on_call(region, api))
    try:
        account_id, partition = resolve_identity(session)
        targets = resolve_regions(session, partition, regions, all_regions)
    except NoRegionError:
        raise VpclintError("no region to scan: pass --region R or --all-regions, or set AWS_REGION") from None
    if on_start:
        on_start(targets)
    return collect(session, targets, account_id, partition, max_workers, on_region_done, metrics_days, timeout)
