"""Collect a :class:`~vpclint.snapshot.Snapshot` from an AWS account with boto3.

One paginated call per source per region, plus the two ``DescribeVpcAttribute`` calls per VPC and one
``GetManagedPrefixListEntries`` per prefix list whose entries are needed (a customer-managed list a route or a
security-group rule references, or a service list returned without CIDRs); regions run concurrently in a bounded
pool. A data source that cannot be read (AccessDenied, throttling after the adaptive retries, an unreachable
region) is recorded in the snapshot and left out of ``collected``; the rest of the region and the other regions
still complete. An item that can't be normalised costs only itself (see :mod:`vpclint.collect.items`). Each
region's first call goes through a probe client with few retries, so a region that can't be reached fails in
seconds instead of backing off for minutes; any other failure of that call is asked again through the patient
client.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Optional

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from vpclint.collect import ec2_core, ec2_paths, route53, transit
from vpclint.collect.items import ItemReader, paginate
from vpclint.collect.metrics import read_nat_metrics
from vpclint.collect.session import (
    PROBE_ATTEMPTS,
    client_config,
    collection_error,
    error_code,
    error_order,
    open_session,
    resolve_identity,
    resolve_regions,
)
from vpclint.errors import VpclintError
from vpclint.limits import FieldError
from vpclint.snapshot import ItemNote, PrefixList, RegionSnapshot, Snapshot, Vpc
from vpclint.snapshot_checks import check_region

ATTRIBUTE_WORKERS = 4
"""Concurrent DescribeVpcAttribute calls per region (regions themselves run in a pool of ``--max-workers``)."""
FILTER_VALUES = 200
"""Values per EC2 filter in one DescribeManagedPrefixLists call."""
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


class RegionCollector:
    """Reads one region into a :class:`RegionSnapshot`; each source is read once and failures are recorded.

    ``probe``, if given, is an EC2 client of the region with few retries, for the first call.
    """

    def __init__(self, ec2: Any, region: str, probe: Any = None) -> None:
        self.ec2 = ec2
        self.probe = probe
        self.region = region
        self.result = RegionSnapshot(region=region)

    def _record(self, api: str, exc: Exception) -> None:
        self.result.errors.append(collection_error(self.region, api, exc))

    def _record_by_code(self, api: str, failures: Iterable[Exception]) -> None:
        """One error per distinct code of a per-resource call that failed several times."""
        by_code: dict[str, Exception] = {}
        for exc in failures:
            by_code.setdefault(error_code(exc), exc)
        for _, exc in sorted(by_code.items()):
            self._record(api, exc)

    def _try(self, api: str, call: Callable[[], Any]) -> Any:
        """``call()``, or None with the error recorded."""
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            self._record(api, exc)
            return None

    def _describe(self, source: str, api: str, operation: str, key: str) -> Optional[list[dict]]:
        """One paginated describe; the source counts as collected when every page was read."""
        items = self._try(api, lambda: paginate(self.ec2, operation, key))
        if items is not None:
            self.result.collected.append(source)
        return items

    def _reader(self, api: str) -> ItemReader:
        return ItemReader(self.result.notes, api)

    def _read_vpcs(self) -> Optional[list[dict]]:
        """DescribeVpcs, first through the probe: an unreachable endpoint is recorded at once; any other failure
        (throttling, say) is asked again through the patient client."""
        if self.probe is not None:
            try:
                vpcs = paginate(self.probe, "describe_vpcs", "Vpcs")
            except EndpointUnreachable as exc:
                self._record("ec2:DescribeVpcs", exc)
                return None
            except (ClientError, BotoCoreError):
                pass
            else:
                self.result.collected.append("vpcs")
                return vpcs
        return self._describe("vpcs", "ec2:DescribeVpcs", "describe_vpcs", "Vpcs")

    def collect(self) -> RegionSnapshot:
        """Read every source of the region."""
        vpcs = self._read_vpcs()
        if vpcs is None:
            # Nothing else is worth asking a region whose VPC list could not be read.
            return self._finish()
        self.result.vpcs = ec2_core.read_vpcs(self._reader("ec2:DescribeVpcs"), vpcs)
        self._read_vpc_attributes()
        for source, operation, method, key, read in DESCRIBES:
            api = f"ec2:{operation}"
            setattr(self.result, source, read(self._reader(api), self._describe(source, api, method, key)))
        self._read_prefix_lists()
        transit.read_transit(self.ec2, self.result)
        return self._finish()

    def _read_vpc_attributes(self) -> None:
        """The two DescribeVpcAttribute calls per VPC, at most ATTRIBUTE_WORKERS at once (they dominate latency)."""
        requests = [
            (vpc, attribute, field)
            for vpc in self.result.vpcs
            for attribute, field in (("enableDnsSupport", "enable_dns_support"), ("enableDnsHostnames", "enable_dns_hostnames"))
        ]

        def ask(request: tuple[Vpc, str, str]) -> Any:
            try:
                return self.ec2.describe_vpc_attribute(VpcId=request[0].vpc_id, Attribute=request[1])
            except (ClientError, BotoCoreError) as exc:
                return exc

        with ThreadPoolExecutor(max_workers=ATTRIBUTE_WORKERS) as pool:
            answers = list(pool.map(ask, requests))
        failures = [answer for answer in answers if isinstance(answer, Exception)]
        for (vpc, attribute, field), answer in zip(requests, answers):
            if not isinstance(answer, Exception):
                setattr(vpc, field, bool(answer.get(attribute[0].upper() + attribute[1:], {}).get("Value")))
        self._record_by_code("ec2:DescribeVpcAttribute", failures)
        if not failures:
            self.result.collected.append("vpc_attributes")

    def _read_prefix_lists(self) -> None:
        """AWS's service lists (S3's and any referenced), every other referenced list, and the entries of each
        list that came without CIDRs. A list whose entries can't be read is kept with ``cidrs_known`` False."""
        api = "ec2:DescribePrefixLists"
        raws = self._try(api, lambda: paginate(self.ec2, "describe_prefix_lists", "PrefixLists"))
        if raws is None:
            return
        referenced = ec2_paths.referenced_lists(self.result)
        service = ec2_paths.read_service_lists(self._reader(api), raws)
        customer_ids = sorted(referenced - {p.prefix_list_id for p in service})
        customers, complete = self._describe_customer_lists(customer_ids)
        kept = ec2_paths.kept_service_lists(service, referenced)
        failures = []
        for plist in [p for p in kept if not p.cidrs] + customers:
            try:
                entries = paginate(self.ec2, "get_managed_prefix_list_entries", "Entries", PrefixListId=plist.prefix_list_id)
            except (ClientError, BotoCoreError) as exc:
                failures.append(exc)
                plist.cidrs_known = False
            else:
                plist.cidrs = ec2_paths.entry_cidrs(entries)
        self._record_by_code("ec2:GetManagedPrefixListEntries", failures)
        self.result.prefix_lists = kept + customers
        if complete and not failures:
            self.result.collected.append("prefix_lists")

    def _describe_customer_lists(self, ids: list[str]) -> tuple[list[PrefixList], bool]:
        """Names and owners of the referenced lists that are not AWS service lists (one DescribeManagedPrefixLists,
        only when there are any); whether they could be read."""
        if not ids:
            return [], True
        api = "ec2:DescribeManagedPrefixLists"

        def describe() -> list[dict]:
            return [
                item
                for start in range(0, len(ids), FILTER_VALUES)
                for item in paginate(self.ec2, "describe_managed_prefix_lists", "PrefixLists",
                                     Filters=[{"Name": "prefix-list-id", "Values": ids[start:start + FILTER_VALUES]}])
            ]

        listed = self._try(api, describe)
        by_id = {item.get("PrefixListId"): item for item in listed or [] if isinstance(item, dict)}
        reader = self._reader(api)
        for missing in [i for i in ids if listed is not None and i not in by_id]:
            reader.note(missing, "referenced, but not listed by DescribeManagedPrefixLists (deleted or not shared?)")
        return reader.each(ids, lambda i: ec2_paths.customer_list(by_id.get(i), i), "PrefixListId"), listed is not None

    def _finish(self) -> RegionSnapshot:
        r = self.result
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


def collect(
    session: boto3.Session,
    regions: list[str],
    account_id: str,
    partition: str,
    max_workers: int = 8,
    on_region_done: Optional[Callable[[str], None]] = None,
    metrics_days: Optional[int] = None,
) -> Snapshot:
    """Collect every region concurrently (at most ``max_workers`` at once) into one snapshot.

    With ``metrics_days``, each region's NAT gateway traffic over that many days is read from CloudWatch too.
    """
    # Clients are created here, on one thread: a boto3 Session is not safe to share across threads.
    clients = {region: session.client("ec2", region_name=region, config=client_config()) for region in regions}
    probes = {region: session.client("ec2", region_name=region, config=client_config(PROBE_ATTEMPTS)) for region in regions}
    watchers = (
        {region: session.client("cloudwatch", region_name=region, config=client_config()) for region in regions}
        if metrics_days else {}
    )
    dns = route53.DnsReader(session, regions, partition, account_id)

    def run(region: str) -> RegionSnapshot:
        try:
            result = RegionCollector(clients[region], region, probes[region]).collect()
            dns.read(result)
            if metrics_days:
                read_nat_metrics(watchers[region], result, metrics_days)
        except Exception as exc:  # a transport failure nobody expected costs one region, not the scan
            result = RegionSnapshot(region=region, errors=[collection_error(region, "*", exc)])
        if on_region_done:
            on_region_done(region)
        return result

    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        results = list(pool.map(run, regions))
    return Snapshot(account_id=account_id, partition=partition, regions=sorted(results, key=lambda r: r.region))


def collect_account(
    profile: Optional[str],
    regions: Iterable[str],
    all_regions: bool,
    max_workers: int,
    on_start: Optional[Callable[[list[str]], None]] = None,
    on_region_done: Optional[Callable[[str], None]] = None,
    metrics_days: Optional[int] = None,
    on_call: Optional[Callable[[str, str], None]] = None,
) -> Snapshot:
    """Open a session, resolve identity and regions, and collect: the whole live path in one call.

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
    return collect(session, targets, account_id, partition, max_workers, on_region_done, metrics_days)
