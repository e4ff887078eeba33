"""Collect a :class:`~vpclint.snapshot.Snapshot` from an AWS account with boto3.

One call per resource type per region (every describe paginated), plus the two ``DescribeVpcAttribute`` calls per
VPC; regions run concurrently in a bounded pool. A data source that cannot be read (AccessDenied, throttling after
the adaptive retries, an unreachable region) is recorded in the snapshot and left out of ``collected``; the rest of
the region and the other regions still complete. Each region's first call goes through a probe client with few
retries, so a region that can't be reached fails in seconds instead of backing off for minutes; any other failure
of that call is asked again through the patient client.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Optional

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, ProfileNotFound
from botocore.exceptions import ConnectionError as EndpointUnreachable

from vpclint import __version__
from vpclint.documents import json_error
from vpclint.errors import EXIT_INCOMPLETE, VpclintError
from vpclint.servicename import parse_service_name
from vpclint.snapshot import (
    CollectionError,
    DhcpOptions,
    InternetGateway,
    NatGateway,
    PrefixList,
    RegionSnapshot,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Snapshot,
    Subnet,
    Vpc,
    VpcEndpoint,
)

HOME_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
ENABLED_OPT_IN_STATUSES = {"opt-in-not-required", "opted-in"}
ATTRIBUTE_WORKERS = 4
"""Concurrent DescribeVpcAttribute calls per region (regions themselves run in a pool of ``--max-workers``)."""
MAX_ATTEMPTS = 10
"""Attempts per call, the first one included (adaptive retries ride out throttling)."""
PROBE_ATTEMPTS = 2
"""Attempts of a region's first call: enough for a dropped connection, not minutes of back-off for a dead endpoint."""


def client_config(max_attempts: int = MAX_ATTEMPTS) -> Config:
    """botocore settings for every client: adaptive retries for throttling, bounded timeouts."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra=f"vpclint/{__version__}",
    )


def open_session(profile: Optional[str] = None) -> boto3.Session:
    """A boto3 session from the standard credential chain, or the named profile."""
    try:
        return boto3.Session(profile_name=profile)
    except ProfileNotFound as exc:  # from --profile, or from AWS_PROFILE when no --profile was given
        missing = profile or exc.kwargs.get("profile")
        raise VpclintError(f"AWS profile {missing!r} not found in the AWS config files") from None


def _error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "ClientError")
    return type(exc).__name__


def _error_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message") or exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _collection_error(region: str, api: str, exc: Exception) -> CollectionError:
    return CollectionError(region=region, api=api, code=_error_code(exc), message=_error_message(exc))


def _error_order(error: CollectionError) -> tuple[str, str, str]:
    return (error.api, error.code, error.message)


def resolve_identity(session: boto3.Session) -> tuple[str, str]:
    """``(account_id, partition)`` of the caller, from ``sts:GetCallerIdentity``."""
    region = session.region_name or "us-east-1"
    try:
        sts = session.client("sts", region_name=region, config=client_config())
        arn = sts.get_caller_identity()["Arn"]
    except NoCredentialsError:
        raise VpclintError(
            "no AWS credentials found (set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        ) from None
    except (ClientError, BotoCoreError) as exc:
        raise VpclintError(
            f"sts:GetCallerIdentity failed in {region}: {_error_code(exc)}: {_error_message(exc)}"
        ) from None
    parts = arn.split(":")
    return parts[4], parts[1]


def partition_regions(session: boto3.Session) -> dict[str, str]:
    """Every EC2 region botocore knows, mapped to its partition."""
    known: dict[str, str] = {}
    for partition in session.get_available_partitions():
        for region in session.get_available_regions("ec2", partition_name=partition):
            known[region] = partition
    return known


def resolve_regions(
    session: boto3.Session, partition: str, requested: Iterable[str], all_regions: bool
) -> list[str]:
    """The regions to scan: the requested ones (validated), or the account's enabled regions of its partition."""
    known = partition_regions(session)
    requested = sorted(set(requested))
    for region in requested:
        if region not in known:
            raise VpclintError(f"unknown region {region!r}: not a region of any AWS partition known to botocore")
        if known[region] != partition:
            raise VpclintError(
                f"region {region!r} is in partition {known[region]}, but the credentials are for {partition}"
            )
    if not all_regions:
        if requested:
            return requested
        if session.region_name:
            return [session.region_name]
        raise VpclintError("no region to scan: pass --region R (repeatable) or --all-regions, or set AWS_REGION")
    home = session.region_name if known.get(session.region_name or "") == partition else HOME_REGIONS[partition]
    try:
        ec2 = session.client("ec2", region_name=home, config=client_config())
        listed = ec2.describe_regions(AllRegions=False)["Regions"]
    except (ClientError, BotoCoreError) as exc:
        raise VpclintError(
            f"cannot list the account's regions (ec2:DescribeRegions in {home}: {_error_code(exc)}: "
            f"{_error_message(exc)}); pass --region instead",
            EXIT_INCOMPLETE,
        ) from None
    enabled = {
        r["RegionName"]
        for r in listed
        if r.get("OptInStatus", "opt-in-not-required") in ENABLED_OPT_IN_STATUSES and known.get(r["RegionName"]) == partition
    }
    return sorted(enabled | set(requested))


def _tags(item: dict) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in item.get("Tags") or []}


def _associated_ipv6(item: dict) -> list[str]:
    """The IPv6 CIDRs of a VPC or subnet that are associated (AWS also lists disassociated ones for a while)."""
    return sorted(
        a["Ipv6CidrBlock"]
        for a in item.get("Ipv6CidrBlockAssociationSet") or []
        if a.get("Ipv6CidrBlock") and (a.get("Ipv6CidrBlockState") or {}).get("State", "associated") == "associated"
    )


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict]:
    items: list[dict] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key) or [])
    return items


def _route(raw: dict) -> Route:
    targets = (
        ("NatGatewayId", "nat_gateway"),
        ("TransitGatewayId", "transit_gateway"),
        ("VpcPeeringConnectionId", "vpc_peering_connection"),
        ("EgressOnlyInternetGatewayId", "egress_only_internet_gateway"),
        ("CarrierGatewayId", "carrier_gateway"),
        ("LocalGatewayId", "local_gateway"),
        ("CoreNetworkArn", "core_network"),
        ("InstanceId", "instance"),
        ("NetworkInterfaceId", "network_interface"),
    )
    target_type, target_id = "unknown", None
    gateway = raw.get("GatewayId")
    if gateway:
        target_id = gateway
        if gateway == "local":
            target_type = "local"
        elif gateway.startswith("igw-"):
            target_type = "internet_gateway"
        elif gateway.startswith("vpce-"):
            target_type = "vpc_endpoint"
        elif gateway.startswith("vgw-"):
            target_type = "virtual_private_gateway"
    else:
        for key, kind in targets:
            if raw.get(key):
                target_type, target_id = kind, raw[key]
                break
    return Route(
        destination_cidr_block=raw.get("DestinationCidrBlock"),
        destination_ipv6_cidr_block=raw.get("DestinationIpv6CidrBlock"),
        destination_prefix_list_id=raw.get("DestinationPrefixListId"),
        target_type=target_type,
        target_id=target_id,
        state=raw.get("State"),
        origin=raw.get("Origin"),
    )


def normalise_permissions(permissions: list[dict]) -> list[SecurityGroupRule]:
    """Expand EC2 ``IpPermissions`` into one rule per source (CIDR, IPv6 CIDR, prefix list or group)."""
    rules: list[SecurityGroupRule] = []
    for perm in permissions:
        protocol = str(perm.get("IpProtocol", "-1")).lower()
        ports = {}
        if protocol != "-1":
            ports = {"from_port": perm.get("FromPort"), "to_port": perm.get("ToPort")}
        for r in perm.get("IpRanges") or []:
            rules.append(SecurityGroupRule(protocol=protocol, cidr_ipv4=r["CidrIp"], description=r.get("Description"), **ports))
        for r in perm.get("Ipv6Ranges") or []:
            rules.append(SecurityGroupRule(protocol=protocol, cidr_ipv6=r["CidrIpv6"], description=r.get("Description"), **ports))
        for r in perm.get("PrefixListIds") or []:
            rules.append(
                SecurityGroupRule(protocol=protocol, prefix_list_id=r["PrefixListId"], description=r.get("Description"), **ports)
            )
        for r in perm.get("UserIdGroupPairs") or []:
            rules.append(
                SecurityGroupRule(protocol=protocol, referenced_group_id=r.get("GroupId"), description=r.get("Description"), **ports)
            )
    return sorted(rules, key=lambda r: r.model_dump_json())


def _endpoint(raw: dict) -> VpcEndpoint:
    parsed = parse_service_name(raw["ServiceName"])
    policy, policy_error = None, None
    document = raw.get("PolicyDocument")
    if document:
        try:
            policy = json.loads(document)
        except json.JSONDecodeError as exc:
            policy_error = json_error(exc)
    return VpcEndpoint(
        vpc_endpoint_id=raw["VpcEndpointId"],
        vpc_id=raw["VpcId"],
        vpc_endpoint_type=raw.get("VpcEndpointType"),
        service_name=raw["ServiceName"],
        service_region=raw.get("ServiceRegion") or (parsed.region if parsed else None),
        service=parsed.service if parsed else None,
        state=raw.get("State"),
        private_dns_enabled=raw.get("PrivateDnsEnabled"),
        subnet_ids=sorted(raw.get("SubnetIds") or []),
        route_table_ids=sorted(raw.get("RouteTableIds") or []),
        group_ids=sorted(g["GroupId"] for g in raw.get("Groups") or []),
        policy=policy,
        policy_error=policy_error,
        tags=_tags(raw),
    )


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
        self.result.errors.append(_collection_error(self.region, api, exc))

    def _read(self, source: str, api: str, reader: Callable[[], Any]) -> Any:
        try:
            value = reader()
        except (ClientError, BotoCoreError) as exc:
            self._record(api, exc)
            return None
        self.result.collected.append(source)
        return value

    def _read_vpcs(self) -> Optional[list[dict]]:
        """DescribeVpcs, first through the probe: an unreachable endpoint is recorded at once; any other failure
        (throttling, say) is asked again through the patient client."""
        if self.probe is not None:
            try:
                vpcs = _paginate(self.probe, "describe_vpcs", "Vpcs")
            except EndpointUnreachable as exc:
                self._record("ec2:DescribeVpcs", exc)
                return None
            except (ClientError, BotoCoreError):
                pass
            else:
                self.result.collected.append("vpcs")
                return vpcs
        return self._read("vpcs", "ec2:DescribeVpcs", lambda: _paginate(self.ec2, "describe_vpcs", "Vpcs"))

    def collect(self) -> RegionSnapshot:
        """Read every source of the region."""
        r = self.result
        vpcs = self._read_vpcs()
        if vpcs is None:
            # Nothing else is worth asking a region whose VPC list could not be read.
            return self._finish()
        r.vpcs = [
            Vpc(
                vpc_id=v["VpcId"],
                owner_id=v.get("OwnerId"),
                is_default=bool(v.get("IsDefault")),
                cidr_blocks=sorted(
                    {a["CidrBlock"] for a in v.get("CidrBlockAssociationSet") or [] if a.get("CidrBlockState", {}).get("State", "associated") == "associated"}
                    | ({v["CidrBlock"]} if v.get("CidrBlock") else set())
                ),
                ipv6_cidr_blocks=_associated_ipv6(v),
                dhcp_options_id=v.get("DhcpOptionsId"),
                tags=_tags(v),
            )
            for v in vpcs
        ]
        self._read_vpc_attributes()
        self._read_rest()
        return self._finish()

    def _read_vpc_attributes(self) -> None:
        """The two DescribeVpcAttribute calls per VPC, at most ATTRIBUTE_WORKERS at once (they dominate latency)."""
        failures: dict[str, Exception] = {}
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
        for (vpc, attribute, field), answer in zip(requests, answers):
            if isinstance(answer, Exception):
                failures.setdefault(_error_code(answer), answer)
                continue
            key = attribute[0].upper() + attribute[1:]
            setattr(vpc, field, bool(answer.get(key, {}).get("Value")))
        for _, exc in sorted(failures.items()):
            self._record("ec2:DescribeVpcAttribute", exc)
        if not failures:
            self.result.collected.append("vpc_attributes")

    def _read_rest(self) -> None:
        ec2, r = self.ec2, self.result
        dhcp = self._read("dhcp_options", "ec2:DescribeDhcpOptions", lambda: _paginate(ec2, "describe_dhcp_options", "DhcpOptions"))
        r.dhcp_options = [
            DhcpOptions(
                dhcp_options_id=d["DhcpOptionsId"],
                domain_name_servers=_dhcp_values(d, "domain-name-servers"),
                domain_name=next(iter(_dhcp_values(d, "domain-name")), None),
            )
            for d in dhcp or []
        ]
        subnets = self._read("subnets", "ec2:DescribeSubnets", lambda: _paginate(ec2, "describe_subnets", "Subnets"))
        r.subnets = [
            Subnet(
                subnet_id=s["SubnetId"],
                vpc_id=s["VpcId"],
                availability_zone=s["AvailabilityZone"],
                availability_zone_id=s.get("AvailabilityZoneId"),
                cidr_block=s.get("CidrBlock"),
                ipv6_cidr_blocks=_associated_ipv6(s),
                map_public_ip_on_launch=bool(s.get("MapPublicIpOnLaunch")),
                tags=_tags(s),
            )
            for s in subnets or []
        ]
        tables = self._read("route_tables", "ec2:DescribeRouteTables", lambda: _paginate(ec2, "describe_route_tables", "RouteTables"))
        r.route_tables = [
            RouteTable(
                route_table_id=t["RouteTableId"],
                vpc_id=t["VpcId"],
                routes=[_route(x) for x in t.get("Routes") or []],
                associations=sorted(
                    (
                        RouteTableAssociation(
                            association_id=a.get("RouteTableAssociationId"),
                            main=bool(a.get("Main")),
                            subnet_id=a.get("SubnetId"),
                            gateway_id=a.get("GatewayId"),
                            state=(a.get("AssociationState") or {}).get("State"),
                        )
                        for a in t.get("Associations") or []
                    ),
                    key=lambda a: (not a.main, a.subnet_id or "", a.gateway_id or "", a.association_id or ""),
                ),
                tags=_tags(t),
            )
            for t in tables or []
        ]
        groups = self._read("security_groups", "ec2:DescribeSecurityGroups", lambda: _paginate(ec2, "describe_security_groups", "SecurityGroups"))
        r.security_groups = [
            SecurityGroup(
                group_id=g["GroupId"],
                group_name=g.get("GroupName", ""),
                vpc_id=g.get("VpcId"),
                ingress=normalise_permissions(g.get("IpPermissions") or []),
                egress=normalise_permissions(g.get("IpPermissionsEgress") or []),
                tags=_tags(g),
            )
            for g in groups or []
        ]
        endpoints = self._read("vpc_endpoints", "ec2:DescribeVpcEndpoints", lambda: _paginate(ec2, "describe_vpc_endpoints", "VpcEndpoints"))
        r.vpc_endpoints = [_endpoint(e) for e in endpoints or []]
        nats = self._read("nat_gateways", "ec2:DescribeNatGateways", lambda: _paginate(ec2, "describe_nat_gateways", "NatGateways"))
        r.nat_gateways = [
            NatGateway(
                nat_gateway_id=n["NatGatewayId"],
                vpc_id=n["VpcId"],
                subnet_id=n.get("SubnetId"),
                state=n.get("State"),
                connectivity_type=n.get("ConnectivityType"),
                network_interface_ids=sorted(a["NetworkInterfaceId"] for a in n.get("NatGatewayAddresses") or [] if a.get("NetworkInterfaceId")),
                private_ips=sorted(a["PrivateIp"] for a in n.get("NatGatewayAddresses") or [] if a.get("PrivateIp")),
            )
            for n in nats or []
        ]
        igws = self._read("internet_gateways", "ec2:DescribeInternetGateways", lambda: _paginate(ec2, "describe_internet_gateways", "InternetGateways"))
        r.internet_gateways = [
            InternetGateway(
                internet_gateway_id=i["InternetGatewayId"],
                attached_vpc_ids=sorted(a["VpcId"] for a in i.get("Attachments") or [] if a.get("VpcId")),
            )
            for i in igws or []
        ]
        lists = self._read("prefix_lists", "ec2:DescribePrefixLists", lambda: _paginate(ec2, "describe_prefix_lists", "PrefixLists"))
        r.prefix_lists = [
            PrefixList(prefix_list_id=p["PrefixListId"], prefix_list_name=p["PrefixListName"], cidrs=sorted(p.get("Cidrs") or []))
            for p in lists or []
            if (parse_service_name(p.get("PrefixListName", "")) or (None, None, None))[2] == "s3"
        ]

    def _finish(self) -> RegionSnapshot:
        r = self.result
        r.collected.sort()
        r.errors.sort(key=_error_order)
        r.vpcs.sort(key=lambda x: x.vpc_id)
        r.dhcp_options.sort(key=lambda x: x.dhcp_options_id)
        r.subnets.sort(key=lambda x: x.subnet_id)
        r.route_tables.sort(key=lambda x: x.route_table_id)
        r.security_groups.sort(key=lambda x: x.group_id)
        r.vpc_endpoints.sort(key=lambda x: x.vpc_endpoint_id)
        r.nat_gateways.sort(key=lambda x: x.nat_gateway_id)
        r.internet_gateways.sort(key=lambda x: x.internet_gateway_id)
        r.prefix_lists.sort(key=lambda x: x.prefix_list_id)
        return r


def read_nat_metrics(cloudwatch: Any, result: RegionSnapshot, days: int) -> None:
    """Add the region's NAT gateway traffic (batched ``GetMetricData``); a failure is recorded, not raised."""
    if "nat_gateways" not in result.collected:
        return
    from vpclint.cost.facts import GONE_STATES
    from vpclint.cost.metrics import fetch_nat_metrics

    live = [n.nat_gateway_id for n in result.nat_gateways if (n.state or "").lower() not in GONE_STATES]
    try:
        result.nat_gateway_metrics = fetch_nat_metrics(cloudwatch, live, days)
    except (ClientError, BotoCoreError) as exc:
        result.errors.append(_collection_error(result.region, "cloudwatch:GetMetricData", exc))
        result.errors.sort(key=_error_order)


def _dhcp_values(options: dict, key: str) -> list[str]:
    for conf in options.get("DhcpConfigurations") or []:
        if conf.get("Key") == key:
            return [v["Value"] for v in conf.get("Values") or [] if "Value" in v]
    return []


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

    def run(region: str) -> RegionSnapshot:
        try:
            result = RegionCollector(clients[region], region, probes[region]).collect()
            if metrics_days:
                read_nat_metrics(watchers[region], result, metrics_days)
        except Exception as exc:  # an unexpected shape or transport failure costs one region, not the scan
            result = RegionSnapshot(
                region=region,
                errors=[_collection_error(region, "*", exc)],
            )
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
) -> Snapshot:
    """Open a session, resolve identity and regions, and collect: the whole live path in one call."""
    session = open_session(profile)
    try:
        account_id, partition = resolve_identity(session)
        targets = resolve_regions(session, partition, regions, all_regions)
    except NoRegionError:
        raise VpclintError("no region to scan: pass --region R or --all-regions, or set AWS_REGION") from None
    if on_start:
        on_start(targets)
    return collect(session, targets, account_id, partition, max_workers, on_region_done, metrics_days)
