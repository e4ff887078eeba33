"""DNS beyond the VPC's own settings: Route 53 private hosted zones associated with the region's VPCs (with the
record sets of the zones that answer ECR or S3 names) and Route 53 Resolver rules for those names.

Route 53 is a global service allowing about five requests per second per account, so one client serves every
region, through at most :data:`ROUTE53_WORKERS` calls at a time and adaptive retries. It is asked only about the
VPCs whose ECR names a local interface endpoint with private DNS does not already answer (AWS refuses a private
hosted zone whose name conflicts with such an endpoint's) and that have a private subnet. Resolver rules are
regional: two paginated calls per region. Route 53 Profiles (:mod:`vpclint.collect.profiles`) are read first: the
zones and rules they carry are read here like the others (a zone's name comes from ``ListHostedZones``, once per
collection, when no VPC association listed it: only the zone's owner can read it). A failed call is recorded as an
error of its source, whose DNS facts are then unknown.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional, TypeVar, Union

import boto3

from vpclint.collect.deadline import CollectionFault
from vpclint.collect.items import MAX_PAGES, ItemReader, attempt, paginate, sorted_unique
from vpclint.collect.profiles import profile_rule_ids, profile_zone_ids, read_profiles
from vpclint.collect.session import CALL_ERRORS, HOME_REGIONS, client_config, collection_error, error_code, error_order
from vpclint.snapshot import RegionSnapshot
from vpclint.snapshot_hub import HostedZone, ResolverRule, ResolverTarget, ResourceRecordSet

T = TypeVar("T")
DNS_SOURCES = ("hosted_zones", "resolver_rules", "route53_profiles")
"""The sources read here, across regions, rather than by each region's EC2 collector."""
ROUTE53_WORKERS = 2
"""Route 53 calls in flight at once, over every region (the API allows about five per second per account)."""
PARTITION_DOMAINS = {"aws-cn": "amazonaws.com.cn"}
"""The service domain of a partition, when it is not ``amazonaws.com``."""
RULE_TYPES = {"FORWARD", "SYSTEM"}
"""Resolver rule types kept (RECURSIVE is the built-in internet resolver; it decides nothing)."""
ECR_SERVICES = ("ecr.api", "ecr.dkr")
NEXT_RECORD = ("RecordName", "RecordType", "RecordIdentifier")
"""ListResourceRecordSets' ``Next*`` answers, asked again as ``Start*``."""
GONE_STATES = {"deleted", "deleting", "failed", "rejected", "expired"}


def service_names(region: str, partition: str) -> list[str]:
    """The names an image pull resolves in ``region``: the ECR API, the registry, and S3 (which serves the layers)."""
    domain = PARTITION_DOMAINS.get(partition, "amazonaws.com")
    return [f"api.ecr.{region}.{domain}", f"dkr.ecr.{region}.{domain}", f"s3.{region}.{domain}"]


def relates(name: str, services: list[str]) -> bool:
    """Whether a zone or rule for ``name`` answers some of ``services``: one of them, a parent of one (such as
    ``ecr.<region>.amazonaws.com``, ``amazonaws.com`` or the root ``.``) or a name below one (a registry's
    ``<account>.dkr.ecr...``, a bucket's ``<bucket>.s3...``)."""
    bare = name.lower().rstrip(".")
    return any(bare in ("", s) or s.endswith("." + bare) or bare.endswith("." + s) for s in services)


def answered_locally(result: RegionSnapshot) -> set[str]:
    """The VPCs with a live interface endpoint of this region's ECR API and registry, both with private DNS."""
    if "vpc_endpoints" not in result.collected:
        return set()
    served: dict[str, set[str]] = {}
    for e in result.vpc_endpoints:
        live = (e.state or "").lower() not in GONE_STATES
        if live and e.private_dns_enabled and e.service in ECR_SERVICES and e.service_region == result.region:
            served.setdefault(e.vpc_id, set()).add(e.service)
    return {vpc for vpc, services in served.items() if services == set(ECR_SERVICES)}


def private_subnet_vpcs(result: RegionSnapshot) -> set[str]:
    """The VPCs with a subnet whose route table has no route to an internet gateway (every VPC when subnets or
    route tables are unknown)."""
    if not {"subnets", "route_tables"} <= set(result.collected):
        return {v.vpc_id for v in result.vpcs}
    main = {t.vpc_id: t for t in result.route_tables if any(a.main for a in t.associations)}
    explicit = {a.subnet_id: t for t in result.route_tables for a in t.associations if a.subnet_id}
    return {
        s.vpc_id for s in result.subnets
        if not any(r.target_type == "internet_gateway" for r in getattr(explicit.get(s.subnet_id) or main.get(s.vpc_id), "routes", []))
    }


def candidate_vpcs(result: RegionSnapshot) -> list[str]:
    """The VPCs whose private hosted zones are worth a Route 53 call."""
    return sorted(private_subnet_vpcs(result) - answered_locally(result))


def record_set(raw: dict) -> ResourceRecordSet:
    """One ListResourceRecordSets item: name, type, alias target and values."""
    alias = raw.get("AliasTarget") or {}
    return ResourceRecordSet(
        name=raw["Name"],
        type=raw["Type"],
        set_identifier=raw.get("SetIdentifier"),
        alias_dns_name=alias.get("DNSName"),
        alias_hosted_zone_id=alias.get("HostedZoneId"),
        values=sorted(r["Value"] for r in raw.get("ResourceRecords") or []),
    )


def zone_summary(raw: dict, vpc_id: str) -> HostedZone:
    """One ListHostedZonesByVPC item, associated with ``vpc_id``."""
    owner = raw.get("Owner") or {}
    return HostedZone(
        hosted_zone_id=raw["HostedZoneId"].split("/")[-1],
        name=raw["Name"],
        owner_account=owner.get("OwningAccount"),
        owner_service=owner.get("OwningService"),
        vpc_ids=[vpc_id],
    )


def resolver_rule(raw: dict, vpc_ids: list[str]) -> ResolverRule:
    """One ListResolverRules item with the region's VPCs associated with it."""
    return ResolverRule(
        resolver_rule_id=raw["Id"],
        domain_name=raw["DomainName"],
        rule_type=raw["RuleType"],
        name=raw.get("Name"),
        status=raw.get("Status"),
        owner_id=raw.get("OwnerId"),
        share_status=raw.get("ShareStatus"),
        resolver_endpoint_id=raw.get("ResolverEndpointId"),
        target_ips=sorted((ResolverTarget(ip=t.get("Ip"), ipv6=t.get("Ipv6"), port=t.get("Port"))
                           for t in raw.get("TargetIps") or []), key=lambda t: t.model_dump_json()),
        vpc_ids=vpc_ids,
    )


def next_page(seen: set[Any], mark: Any, operation: str) -> None:
    """Note that the next page of ``operation`` starts at ``mark`` (its token, marker or next record); a mark seen
    before (the pages go round in a loop) or more than MAX_PAGES pages raises a :class:`CollectionFault`."""
    if mark in seen:
        raise CollectionFault("PaginationLoop", f"{operation} answered a next page seen before: the pages go round in a loop")
    if len(seen) >= MAX_PAGES:
        raise CollectionFault("TooManyPages", f"{operation}: more than {MAX_PAGES:,} pages")
    seen.add(mark)


class DnsReader:
    """Reads each region's DNS sources; one per collection, shared by the regions' threads."""

    def __init__(self, session: boto3.Session, regions: list[str], partition: str, account_id: str) -> None:
        # Clients are created here, on the caller's thread: a boto3 Session is not safe to share across threads.
        self.route53 = session.client("route53", region_name=HOME_REGIONS.get(partition, "us-east-1"), config=client_config())
        self.resolvers = {r: session.client("route53resolver", region_name=r, config=client_config()) for r in regions}
        self.profiles = {r: session.client("route53profiles", region_name=r, config=client_config()) for r in regions}
        self.partition, self.account_id = partition, account_id
        self.gate = threading.Semaphore(ROUTE53_WORKERS)
        self.lock = threading.Lock()
        self.records: dict[str, Union[list[dict], Exception]] = {}
        self.owned: Optional[Union[dict[str, str], Exception]] = None
        """The account's own hosted zones' names by id (ListHostedZones), read once when a Profile needs them."""

    def read(self, result: RegionSnapshot) -> None:
        """Add the region's Route 53 Profiles, hosted zones and Resolver rules to ``result`` (nothing when its VPCs
        are unknown)."""
        if "vpcs" not in result.collected:
            return
        if result.vpcs:
            read_profiles(self.profiles[result.region], result)
        else:
            result.collected.append("route53_profiles")
        self._read_zones(result)
        if result.vpcs:
            self._read_rules(result)
        else:
            result.collected.append("resolver_rules")
        result.collected.sort()
        result.errors.sort(key=error_order)
        result.notes.sort(key=lambda n: (n.api, n.item_id or "", n.message))

    def _ask(self, call: Callable[[], T]) -> T:
        """One Route 53 call, at most ROUTE53_WORKERS at once across regions."""
        with self.gate:
            return call()

    def _zones_of(self, vpc_id: str, region: str) -> list[dict]:
        """Every page of ListHostedZonesByVPC for one VPC."""
        found: list[dict] = []
        token: Optional[str] = None
        seen: set[Any] = set()
        while True:
            page = self._ask(lambda: self.route53.list_hosted_zones_by_vpc(
                VPCId=vpc_id, VPCRegion=region, **({"NextToken": token} if token else {})))
            found.extend(page.get("HostedZoneSummaries") or [])
            token = page.get("NextToken")
            if not token:
                return found
            next_page(seen, token, "ListHostedZonesByVPC")

    def _owned_zone_names(self) -> dict[str, str]:
        """The account's own hosted zones' names by id (every page of ListHostedZones, read once per collection)."""
        with self.lock:
            owned = self.owned
        if owned is None:
            try:
                names: dict[str, str] = {}
                marker: dict[str, str] = {}
                seen: set[Any] = set()
                while True:
                    page = self._ask(lambda: self.route53.list_hosted_zones(**marker))
                    names.update({str(z["Id"]).split("/")[-1]: z["Name"] for z in page.get("HostedZones") or []
                                  if isinstance(z, dict) and z.get("Id") and z.get("Name")})
                    if not page.get("IsTruncated"):
                        break
                    if not page.get("NextMarker"):
                        raise CollectionFault("PaginationLoop", "ListHostedZones was truncated without naming the next marker")
                    next_page(seen, page["NextMarker"], "ListHostedZones")
                    marker = {"Marker": page["NextMarker"]}
                owned = names
            except CALL_ERRORS as exc:
                owned = exc
            with self.lock:
                self.owned = owned
        if isinstance(owned, Exception):
            raise owned
        return owned

    def _profile_zones(self, result: RegionSnapshot, zones: dict[str, HostedZone]) -> None:
        """Add to ``zones`` the zones the region's Profiles carry that no VPC association listed, named from the
        account's own zones; another account's zone is left out with a note (its owner's scan reads it)."""
        missing = sorted(profile_zone_ids(result) - set(zones))
        if not missing:
            return
        reader = ItemReader(result.notes, "route53:ListHostedZones")
        try:
            owned = self._owned_zone_names()
        except CALL_ERRORS as exc:
            result.errors.append(collection_error(result.region, "route53:ListHostedZones", exc))
            return
        for zone_id in missing:
            if zone_id in owned:
                zones[zone_id] = HostedZone(hosted_zone_id=zone_id, name=owned[zone_id], owner_account=self.account_id)
            else:
                reader.note(zone_id, "a zone a Route 53 Profile carries, not this account's: its name and records "
                                     "need its owner's credentials")

    def _records_of(self, zone_id: str) -> list[dict]:
        """The zone's raw record sets (every page), read once per collection whatever the regions asking."""
        with self.lock:
            cached = self.records.get(zone_id)
        if cached is None:
            try:
                cached = self._list_records(zone_id)
            except CALL_ERRORS as exc:
                cached = exc
            with self.lock:
                self.records[zone_id] = cached
        if isinstance(cached, Exception):
            raise cached
        return cached

    def _list_records(self, zone_id: str) -> list[dict]:
        """Every page of ListResourceRecordSets (Route 53 pages by the next record's name, type and identifier)."""
        raws: list[dict] = []
        start: dict[str, str] = {}
        seen: set[Any] = set()
        while True:
            page = self._ask(lambda: self.route53.list_resource_record_sets(HostedZoneId=zone_id, **start))
            raws.extend(page.get("ResourceRecordSets") or [])
            if not page.get("IsTruncated"):
                return raws
            start = {f"Start{key}": page[f"Next{key}"] for key in NEXT_RECORD if page.get(f"Next{key}")}
            if not start:
                raise CollectionFault("PaginationLoop", "ListResourceRecordSets was truncated without naming the next record")
            next_page(seen, tuple(sorted(start.items())), "ListResourceRecordSets")

    def _read_zones(self, result: RegionSnapshot) -> None:
        """The zones of every candidate VPC, and the record sets of those whose names relate to the services."""
        zones: dict[str, HostedZone] = {}
        failures: dict[str, Exception] = {}
        reader = ItemReader(result.notes, "route53:ListHostedZonesByVPC")
        for vpc_id in candidate_vpcs(result):
            try:
                raws = self._zones_of(vpc_id, result.region)
            except CALL_ERRORS as exc:
                failures.setdefault(error_code(exc), exc)
                continue
            result.hosted_zone_vpc_ids.append(vpc_id)
            for zone in reader.each(raws, lambda raw: zone_summary(raw, vpc_id), "HostedZoneId"):
                known = zones.setdefault(zone.hosted_zone_id, zone)
                known.vpc_ids = sorted_unique([*known.vpc_ids, vpc_id])
        self._profile_zones(result, zones)
        services = service_names(result.region, self.partition)
        records = ItemReader(result.notes, "route53:ListResourceRecordSets")
        for zone in zones.values():
            if not relates(zone.name, services):
                continue
            try:
                raws = self._records_of(zone.hosted_zone_id)
            except CALL_ERRORS as exc:
                if zone.owner_account in (None, self.account_id):
                    failures.setdefault(f"records {error_code(exc)}", exc)
                else:  # another account's zone: its records need that account's credentials
                    records.note(zone.hosted_zone_id, f"record sets not read (zone of account {zone.owner_account}): {error_code(exc)}")
                continue
            kept = records.parts(zone.hosted_zone_id, "record set", raws, lambda r: [record_set(r)])
            zone.record_sets = sorted(kept, key=lambda r: (r.name, r.type, r.set_identifier or "", r.values))
            zone.records_read = True
        for key, exc in sorted(failures.items()):
            api = "route53:ListResourceRecordSets" if key.startswith("records ") else "route53:ListHostedZonesByVPC"
            result.errors.append(collection_error(result.region, api, exc))
        result.hosted_zones = sorted(zones.values(), key=lambda z: z.hosted_zone_id)
        if not failures:
            result.collected.append("hosted_zones")

    def _read_rules(self, result: RegionSnapshot) -> None:
        """The region's FORWARD and SYSTEM rules for the service names associated with its VPCs (their COMPLETE
        associations), and every rule its Route 53 Profiles carry (the path model tells a rule it knows from one it
        does not)."""
        client: Any = self.resolvers[result.region]
        rules = attempt(result, "route53resolver:ListResolverRules", lambda: paginate(client, "list_resolver_rules", "ResolverRules"))
        associations = attempt(result, "route53resolver:ListResolverRuleAssociations",
                               lambda: paginate(client, "list_resolver_rule_associations", "ResolverRuleAssociations"))
        if rules is None or associations is None:
            return
        vpcs = {v.vpc_id for v in result.vpcs}
        associated: dict[str, list[str]] = {}
        for a in associations:
            if isinstance(a, dict) and a.get("VPCId") in vpcs and a.get("Status", "COMPLETE") == "COMPLETE":
                associated.setdefault(str(a.get("ResolverRuleId")), []).append(a["VPCId"])
        services = service_names(result.region, self.partition)
        carried = profile_rule_ids(result)
        wanted = [r for r in rules if isinstance(r, dict) and (r.get("Id") in carried or (
            r.get("RuleType") in RULE_TYPES and relates(str(r.get("DomainName")), services) and r.get("Id") in associated))]
        kept = ItemReader(result.notes, "route53resolver:ListResolverRules").each(
            wanted, lambda r: resolver_rule(r, sorted_unique(associated.get(r["Id"], []))), "Id")
        result.resolver_rules = sorted(kept, key=lambda r: r.resolver_rule_id)
        result.collected.append("resolver_rules")
