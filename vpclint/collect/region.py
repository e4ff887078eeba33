"""Collect a :class:`~vpclint.snapshot.Snapshot` from an AWS account with boto3.

One paginated call per source per region, plus the two ``DescribeVpcAttribute`` calls per VPC and one
``GetManagedPrefixListEntries`` per prefix list whose entries are needed (a customer-managed list a route or a
security-group rule references, or a service list returned without CIDRs); regions run concurrently in a bounded
pool. A data source that cannot be read (AccessDenied, throttling or a transient fault after the retries, a
pagination loop, an unreachable region, a deadline) is recorded in the snapshot and left out of ``collected``; the
rest of the region and the other regions still complete. An item that can't be normalised costs only itself (see
:mod:`vpclint.collect.items`). A region's first call, DescribeVpcs, gives up after PROBE_ATTEMPTS attempts when the
endpoint can't be reached, so such a region fails in seconds instead of backing off for minutes; any other failure
of that call (throttling, say) gets the client's full retries. One client serves the whole region.

Time limits (see :mod:`vpclint.collect.deadline` and :mod:`vpclint.collect.scheduler`, which runs the regions): a
worker commits a source only once it is read completely, under the region's lock, so what the scheduler takes from
a region given up at its deadline is never half a source.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Optional

from botocore.exceptions import ReadTimeoutError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from vpclint.collect import ec2_core, ec2_paths, transit
from vpclint.collect.deadline import CollectionFault, Deadline, daemon_map, guard_client
from vpclint.collect.items import ItemReader, paginate
from vpclint.collect.metrics import read_nat_metrics
from vpclint.collect.session import CALL_ERRORS, PROBE_ATTEMPTS, collection_error, error_code, error_order
from vpclint.limits import FieldError
from vpclint.snapshot import SOURCES, ItemNote, PrefixList, RegionSnapshot, Vpc
from vpclint.snapshot_checks import check_region

ATTRIBUTE_WORKERS = 4
"""Concurrent DescribeVpcAttribute calls per region (regions themselves run in a pool of ``--max-workers``)."""
FILTER_VALUES = 200
"""Values per EC2 filter in one DescribeManagedPrefixLists call."""
UNREACHABLE = (EndpointUnreachable, ReadTimeoutError)
"""Failures of a region's first call that end the region after PROBE_ATTEMPTS attempts: no connection, or a
connection that never answers."""
METRICS_API = "cloudwatch:GetMetricData"
DESCRIBES = (
    # source (also the RegionSnapshot field), EC2 operation, boto3 method, response key, reader
    ("dhcp_options", "DescribeDhcpOptions", "describe_dhcp_options", "DhcpOptions", ec2_core.read_dhcp_options),
    ("subnets", "DescribeSubnets", "describe_subnets", "Subnets", ec2_core.read_subnets),
    ("route_tables", "DescribeRouteTables", "describe_route_tables", "RouteTables", ec2_core.read_route_tables),
    ("security_groups", "DescribeSecurityGroups", "describe_security_groups", "SecurityGroups", ec2_core.read_security_groups),
    ("vpc_endpoints", "DescribeVpcEndpoints", "describe_vpc_endpoints", "VpcEndpoints", ec2_core.read_endpoints),
    ("nat_gateways", "DescribeNatGateways", "describe_nat_gateways", "NatGateways", ec2_core.read_nat_gateways),
    ("internet_gateways", "DescribeInternetGateways", "describe_internet_gateways", "InternetGateways", ec2_core.read_internet_gateways),
    ("network_acls", "DescribeNetworkAcls", "describe_network_acls", "NetworkAcls", ec2_paths.read_network_acls),
    ("network_interfaces", "DescribeNetworkInterfaces", "describe_network_interfaces", "NetworkInterfaces", ec2_paths.read_network_interfaces),
)
"""The sources read by one paginated describe each, after the VPCs; prefix lists come last (they need the
references of routes and rules)."""
SOURCE_APIS = {
    "vpcs": "ec2:DescribeVpcs",
    "vpc_attributes": "ec2:DescribeVpcAttribute",
    "prefix_lists": "ec2:DescribePrefixLists",
    **{source: f"ec2:{operation}" for source, operation, *_ in DESCRIBES},
    "transit_gateway_attachments": "ec2:DescribeTransitGatewayVpcAttachments",
    "transit_gateway_routes": "ec2:SearchTransitGatewayRoutes",
    "vpc_peering_connections": "ec2:DescribeVpcPeeringConnections",
    "hosted_zones": "route53:ListHostedZonesByVPC",
    "resolver_rules": "route53resolver:ListResolverRules",
    "route53_profiles": "route53profiles:ListProfileAssociations",
}
"""The API each source is recorded under when it is not read at all (a deadline)."""
TRANSIT_SOURCES = ("transit_gateway_attachments", "transit_gateway_routes", "vpc_peering_connections")
"""The sources :mod:`vpclint.collect.transit` reads (committed together)."""
assert set(SOURCE_APIS) == set(SOURCES)


class RegionCollector:
    """Reads one region into a :class:`RegionSnapshot`; each source is read once and failures are recorded.

    ``ec2`` is the region's EC2 client (its DescribeVpcs made to give up early on an unreachable endpoint, see
    :func:`probe_first_call`); ``watcher`` and ``metrics_days``, a CloudWatch client for NAT gateway metrics. No
    call starts after ``deadline``. Every source is committed whole under a lock, so :meth:`abandon` (from another
    thread) takes only finished sources.
    """

    def __init__(self, ec2: Any, region: str, deadline: Optional[Deadline] = None,
                 watcher: Any = None, metrics_days: Optional[int] = None) -> None:
        self.deadline = deadline or Deadline(None)
        self.ec2 = probe_first_call(guard_client(ec2, self.deadline))
        self.watcher = guard_client(watcher, self.deadline) if watcher is not None and metrics_days else None
        self.metrics_days = metrics_days
        self.region = region
        self.result = RegionSnapshot(region=region)
        self.settled: set[str] = set()
        """Sources (and METRICS_API) read or recorded as failed."""
        self._lock = threading.Lock()
        self._closed = False
        self._final: Optional[RegionSnapshot] = None

    def _commit(self, settle: Iterable[str], change: Callable[[RegionSnapshot], None] = lambda r: None) -> None:
        """Apply ``change`` to the result and mark ``settle`` as settled, unless the region was given up."""
        with self._lock:
            if not self._closed:
                change(self.result)
                self.settled.update(settle)

    def _record(self, api: str, exc: Exception, source: Optional[str] = None) -> None:
        error = collection_error(self.region, api, exc)
        self._commit([source] if source else [], lambda r: r.errors.append(error))

    def _record_by_code(self, api: str, failures: Iterable[Exception]) -> list:
        """One error per distinct code of a per-resource call that failed several times."""
        by_code: dict[str, Exception] = {}
        for exc in failures:
            by_code.setdefault(error_code(exc), exc)
        return [collection_error(self.region, api, exc) for _, exc in sorted(by_code.items())]

    def _try(self, api: str, call: Callable[[], Any], source: Optional[str] = None) -> Any:
        """``call()``, or None with the error recorded (and ``source`` settled as unread)."""
        try:
            return call()
        except CALL_ERRORS as exc:
            self._record(api, exc, source)
            return None

    def _pages(self, client: Any, operation: str, key: str, **kwargs: Any) -> list[dict]:
        return paginate(client, operation, key, deadline=self.deadline, **kwargs)

    def _read_source(self, source: str, api: str, operation: str, key: str, read: Callable[[ItemReader, Any], list]) -> None:
        """One paginated describe, normalised and committed; the source counts as collected when every page was
        read."""
        raws = self._try(api, lambda: self._pages(self.ec2, operation, key), source)
        if raws is None:
            return
        notes: list[ItemNote] = []
        items = read(ItemReader(notes, api), raws)

        def change(r: RegionSnapshot) -> None:
            setattr(r, source, items)
            r.notes.extend(notes)
            r.collected.append(source)
        self._commit([source], change)

    def collect(self) -> RegionSnapshot:
        """Read every source of the region (a source that fails unexpectedly costs only itself)."""
        raws = self._try("ec2:DescribeVpcs", lambda: self._pages(self.ec2, "describe_vpcs", "Vpcs"), "vpcs")
        if raws is None:
            # Nothing else is worth asking a region whose VPC list could not be read.
            return self.close()
        notes: list[ItemNote] = []
        vpcs = ec2_core.read_vpcs(ItemReader(notes, "ec2:DescribeVpcs"), raws)
        self._commit(["vpcs"], lambda r: (setattr(r, "vpcs", vpcs), r.notes.extend(notes), r.collected.append("vpcs")))
        steps: list[tuple[str, Callable[[], None]]] = [("vpc_attributes", lambda: self._read_vpc_attributes(vpcs))]
        for source, operation, method, key, read in DESCRIBES:
            steps.append((source, lambda s=source, o=operation, m=method, k=key, f=read: self._read_source(s, f"ec2:{o}", m, k, f)))
        steps.append(("prefix_lists", self._read_prefix_lists))
        steps.append(("transit_gateway_attachments", self._read_transit))
        if self.watcher is not None:
            steps.append((METRICS_API, self._read_metrics))
        for source, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - a failure nobody expected costs this source, not the region
                self._record(SOURCE_APIS.get(source, source), exc, source)
        return self.close()

    def _read_vpc_attributes(self, vpcs: list[Vpc]) -> None:
        """The two DescribeVpcAttribute calls per VPC, at most ATTRIBUTE_WORKERS at once (they dominate latency)."""
        requests = [
            (vpc, attribute, field)
            for vpc in vpcs
            for attribute, field in (("enableDnsSupport", "enable_dns_support"), ("enableDnsHostnames", "enable_dns_hostnames"))
        ]

        def ask(request: tuple[Vpc, str, str]) -> Any:
            try:
                self.deadline.check()
                return self.ec2.describe_vpc_attribute(VpcId=request[0].vpc_id, Attribute=request[1])
            except CALL_ERRORS as exc:
                return exc

        answers = daemon_map(ask, requests, ATTRIBUTE_WORKERS, f"vpclint-{self.region}-attributes")
        failures = [answer for answer in answers if isinstance(answer, Exception)]
        errors = self._record_by_code("ec2:DescribeVpcAttribute", failures)

        def change(r: RegionSnapshot) -> None:
            for (vpc, attribute, field), answer in zip(requests, answers):
                if not isinstance(answer, Exception):
                    setattr(vpc, field, bool(answer.get(attribute[0].upper() + attribute[1:], {}).get("Value")))
            r.errors.extend(errors)
            if not failures:
                r.collected.append("vpc_attributes")
        self._commit(["vpc_attributes"], change)

    def _read_transit(self) -> None:
        """Transit gateway attachments and routes and VPC peering (:mod:`vpclint.collect.transit`), read apart and
        committed together."""
        scratch = RegionSnapshot(region=self.region)
        transit.read_transit(self.ec2, scratch)

        def change(r: RegionSnapshot) -> None:
            r.transit_gateway_attachments = scratch.transit_gateway_attachments
            r.transit_gateway_route_tables = scratch.transit_gateway_route_tables
            r.vpc_peering_connections = scratch.vpc_peering_connections
            r.collected.extend(scratch.collected)
            r.errors.extend(scratch.errors)
            r.notes.extend(scratch.notes)

        self._commit(TRANSIT_SOURCES, change)

    def _read_prefix_lists(self) -> None:
        """AWS's service lists (S3's and any referenced), every other referenced list, and the entries of each
        list that came without CIDRs. A list whose entries can't be read is kept with ``cidrs_known`` False."""
        api = "ec2:DescribePrefixLists"
        raws = self._try(api, lambda: self._pages(self.ec2, "describe_prefix_lists", "PrefixLists"), "prefix_lists")
        if raws is None:
            return
        notes: list[ItemNote] = []
        with self._lock:
            referenced = ec2_paths.referenced_lists(self.result)
        service = ec2_paths.read_service_lists(ItemReader(notes, api), raws)
        customer_ids = sorted(referenced - {p.prefix_list_id for p in service})
        customers, complete, errors = self._describe_customer_lists(customer_ids, notes)
        kept = ec2_paths.kept_service_lists(service, referenced)
        failures = []
        for plist in [p for p in kept if not p.cidrs] + customers:
            try:
                entries = self._pages(self.ec2, "get_managed_prefix_list_entries", "Entries", PrefixListId=plist.prefix_list_id)
            except CALL_ERRORS as exc:
                failures.append(exc)
                plist.cidrs_known = False
            else:
                plist.cidrs = ec2_paths.entry_cidrs(entries)
        errors += self._record_by_code("ec2:GetManagedPrefixListEntries", failures)

        def change(r: RegionSnapshot) -> None:
            r.prefix_lists = kept + customers
            r.notes.extend(notes)
            r.errors.extend(errors)
            if complete and not failures:
                r.collected.append("prefix_lists")
        self._commit(["prefix_lists"], change)

    def _describe_customer_lists(self, ids: list[str], notes: list[ItemNote]) -> tuple[list[PrefixList], bool, list]:
        """Names and owners of the referenced lists that are not AWS service lists (one DescribeManagedPrefixLists,
        only when there are any); whether they could be read, and the error if not."""
        if not ids:
            return [], True, []
        api = "ec2:DescribeManagedPrefixLists"

        def describe() -> list[dict]:
            return [
                item
                for start in range(0, len(ids), FILTER_VALUES)
                for item in self._pages(self.ec2, "describe_managed_prefix_lists", "PrefixLists",
                                        Filters=[{"Name": "prefix-list-id", "Values": ids[start:start + FILTER_VALUES]}])
            ]

        errors = []
        try:
            listed: Optional[list[dict]] = describe()
        except CALL_ERRORS as exc:
            listed = None
            errors.append(collection_error(self.region, api, exc))
        by_id = {item.get("PrefixListId"): item for item in listed or [] if isinstance(item, dict)}
        reader = ItemReader(notes, api)
        for missing in [i for i in ids if listed is not None and i not in by_id]:
            reader.note(missing, "referenced, but not listed by DescribeManagedPrefixLists (deleted or not shared?)")
        return reader.each(ids, lambda i: ec2_paths.customer_list(by_id.get(i), i), "PrefixListId"), listed is not None, errors

    def _read_metrics(self) -> None:
        """NAT gateway traffic from CloudWatch, read into a scratch region and committed with its error, if any."""
        with self._lock:
            scratch = RegionSnapshot(region=self.region, collected=list(self.result.collected),
                                     nat_gateways=list(self.result.nat_gateways))
        read_nat_metrics(self.watcher, scratch, self.metrics_days or 0)

        def change(r: RegionSnapshot) -> None:
            r.nat_gateway_metrics = scratch.nat_gateway_metrics
            r.errors.extend(scratch.errors)
        self._commit([METRICS_API], change)

    def close(self) -> RegionSnapshot:
        """The finished region (called by the worker when every source is done)."""
        with self._lock:
            if self._final is None:
                self._closed = True
                self._final = finish(self.result)
            return self._final

    def abandon(self, fault: CollectionFault) -> RegionSnapshot:
        """Give the region up (its deadline passed): the sources committed so far, and ``fault`` recorded for
        every source not settled. The worker may go on with its call in flight; nothing it does counts any more.
        A region the worker already closed is returned as it is."""
        with self._lock:
            if self._final is not None:
                return self._final
            self._closed = True
            result = self.result.model_copy(deep=True)
            settled = set(self.settled)
        wanted = list(SOURCES) + ([METRICS_API] if self.watcher is not None else [])
        result.errors += [collection_error(self.region, SOURCE_APIS.get(s, s), fault) for s in wanted if s not in settled]
        with self._lock:
            self._final = finish(result)
            return self._final


def probe_first_call(ec2: Any) -> Any:
    """Make ``ec2``'s DescribeVpcs (a region's first call) stop retrying after PROBE_ATTEMPTS attempts when the
    endpoint can't be reached (:data:`UNREACHABLE`); its other failures keep the client's own retries."""
    def needs_retry(attempts: int, caught_exception: Optional[Exception] = None, **_: Any) -> None:
        if isinstance(caught_exception, UNREACHABLE) and attempts >= PROBE_ATTEMPTS:
            raise caught_exception

    ec2.meta.events.register_first("needs-retry.ec2.DescribeVpcs", needs_retry)
    return ec2


def unread_region(region: str, fault: CollectionFault) -> RegionSnapshot:
    """A region never started (the overall timeout passed first): every source recorded as not read."""
    return finish(RegionSnapshot(region=region, errors=[collection_error(region, SOURCE_APIS[s], fault) for s in SOURCES]))


def finish(r: RegionSnapshot) -> RegionSnapshot:
    """Sort everything (the same account gives the same file) and leave out what the snapshot checks refuse."""
    r.collected.sort()
    r.errors.sort(key=error_order)
    r.notes.sort(key=lambda n: (n.api, n.item_id or "", n.message))
    r.vpcs.sort(key=lambda x: x.vpc_id)
    r.dhcp_options.sort(key=lambda x: x.dhcp_options_id)
    r.subnets.sort(key=lambda x: x.subnet_id)
    r.route_tables.sort(key=lambda x: x.route_table_id)
    r.security_groups.sort(key=lambda x: x.group_id)
    r.vpc_endpoints.sort(key=lambda x: x.vpc_endpoint_id)
    r.nat_gateways.sort(key=lambda x: x.nat_gateway_id)
    r.internet_gateways.sort(key=lambda x: x.internet_gateway_id)
    r.prefix_lists.sort(key=lambda x: x.prefix_list_id)
    r.network_acls.sort(key=lambda x: x.network_acl_id)
    r.network_interfaces.sort(key=lambda x: x.network_interface_id)
    leave_out_inconsistent(r)
    r.notes.sort(key=lambda n: (n.api, n.item_id or "", n.message))
    return r


def leave_out_inconsistent(region: RegionSnapshot) -> None:
    """Leave out, with a note, each item the snapshot checks refuse (a duplicate id, an invalid CIDR, a resource
    of a VPC created after DescribeVpcs ran): one odd item costs only itself, and the file written loads again."""
    for _ in range(sum(len(v) for v in region.__dict__.values() if isinstance(v, list)) + 1):
        try:
            check_region(region)
            return
        except FieldError as problem:
            holder: Any = region
            for step in problem.path[:-1]:
                if isinstance(step, int):
                    break
                holder = getattr(holder, step)
            index = next(step for step in problem.path if isinstance(step, int))
            item = holder.pop(index)
            item_id = next((v for k, v in item.__dict__.items() if k.endswith("_id") and isinstance(v, str)), None)
            region.notes.append(ItemNote(api=f"vpclint:{problem.path[0]}", item_id=item_id, message=f"left out: {problem.reason}"))
