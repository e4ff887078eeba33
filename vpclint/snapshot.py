"""The snapshot: what the collector read from one or more AWS accounts, as a versioned pydantic model.

A snapshot is plain data. It holds what AWS returned, normalised and sorted, and nothing derived: the derived
view the rules read is computed from it by :mod:`vpclint.view`. Every region records which data sources it read
completely (``collected``) and the errors that stopped the others, so that no rule claims anything about data that
could not be read.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field, model_validator

from vpclint.snapshot_checks import check_identifier, check_region, check_unique_keys
from vpclint.snapshot_metrics import NatGatewayMetrics
from vpclint.snapshot_hub import (
    HostedZone,
    ResolverRule,
    Route53Profile,
    TransitGatewayAttachment,
    TransitGatewayRouteTable,
    VpcPeeringConnection,
)
from vpclint.strict import StrictModel

SCHEMA_VERSION = 3
"""Version 3 holds several accounts (``accounts``, each with its regions) and the errors that cost a whole account.
Versions 1 and 2 (one account at the top level) load as one account; a version 1 snapshot lacks the sources
version 2 added (network ACLs, interfaces, prefix-list entries, ...), and the optional collections added within
version 2 (hosted zones, Resolver rules, transit gateways, peering) and within version 3 (Route 53 Profiles) may be
absent: those are not ``collected``."""

SOURCES = (
    "vpcs",
    "vpc_attributes",
    "dhcp_options",
    "subnets",
    "route_tables",
    "security_groups",
    "vpc_endpoints",
    "nat_gateways",
    "internet_gateways",
    "prefix_lists",
    "network_acls",
    "network_interfaces",
    "hosted_zones",
    "resolver_rules",
    "route53_profiles",
    "transit_gateway_attachments",
    "transit_gateway_routes",
    "vpc_peering_connections",
)
"""The data sources a region is read from; rules name the ones they need in ``requires``."""


class Vpc(StrictModel):
    vpc_id: str
    owner_id: Optional[str] = None
    is_default: bool = False
    cidr_blocks: list[str] = Field(default_factory=list)
    ipv6_cidr_blocks: list[str] = Field(default_factory=list)
    dhcp_options_id: Optional[str] = None
    enable_dns_support: Optional[bool] = None
    enable_dns_hostnames: Optional[bool] = None
    tags: dict[str, str] = Field(default_factory=dict)


class DhcpOptions(StrictModel):
    dhcp_options_id: str
    domain_name_servers: list[str] = Field(default_factory=list)
    domain_name: Optional[str] = None


class Subnet(StrictModel):
    subnet_id: str
    vpc_id: str
    availability_zone: str
    availability_zone_id: Optional[str] = None
    cidr_block: Optional[str] = None
    ipv6_cidr_blocks: list[str] = Field(default_factory=list)
    map_public_ip_on_launch: bool = False
    tags: dict[str, str] = Field(default_factory=dict)


RouteTargetType = Literal[
    "local",
    "internet_gateway",
    "egress_only_internet_gateway",
    "nat_gateway",
    "instance",
    "network_interface",
    "vpc_endpoint",
    "virtual_private_gateway",
    "transit_gateway",
    "vpc_peering_connection",
    "carrier_gateway",
    "local_gateway",
    "core_network",
    "gateway_load_balancer_endpoint",
    "other",
    "unknown",
]
"""``other``: a target this vpclint does not know (kept by name in ``target_key``, e.g. ``OdbNetworkArn``);
``unknown``: a route without any target."""


class Route(StrictModel):
    destination_cidr_block: Optional[str] = None
    destination_ipv6_cidr_block: Optional[str] = None
    destination_prefix_list_id: Optional[str] = None
    target_type: RouteTargetType
    target_id: Optional[str] = None
    state: Optional[str] = None
    origin: Optional[str] = None
    target_key: Optional[str] = None  # the AWS field naming the target when target_type is "other"


class RouteTableAssociation(StrictModel):
    association_id: Optional[str] = None
    main: bool = False
    subnet_id: Optional[str] = None
    gateway_id: Optional[str] = None
    state: Optional[str] = None


class RouteTable(StrictModel):
    route_table_id: str
    vpc_id: str
    routes: list[Route] = Field(default_factory=list)
    associations: list[RouteTableAssociation] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class SecurityGroupRule(StrictModel):
    """One normalised permission: a single protocol/port range and a single source or destination."""

    protocol: str  # "-1" (all), "tcp", "udp", "icmp", "icmpv6" or an IP protocol number
    from_port: Optional[int] = None
    to_port: Optional[int] = None
    cidr_ipv4: Optional[str] = None
    cidr_ipv6: Optional[str] = None
    prefix_list_id: Optional[str] = None
    referenced_group_id: Optional[str] = None
    referenced_group_vpc_id: Optional[str] = None  # UserIdGroupPair.VpcId: set for a group in another VPC
    referenced_group_owner_id: Optional[str] = None  # UserIdGroupPair.UserId
    vpc_peering_connection_id: Optional[str] = None  # UserIdGroupPair.VpcPeeringConnectionId (a peered VPC's group)
    description: Optional[str] = None


class SecurityGroup(StrictModel):
    group_id: str
    group_name: str
    vpc_id: Optional[str] = None
    ingress: list[SecurityGroupRule] = Field(default_factory=list)
    egress: list[SecurityGroupRule] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class DnsEntry(StrictModel):
    dns_name: str
    hosted_zone_id: Optional[str] = None


class VpcEndpoint(StrictModel):
    vpc_endpoint_id: str
    vpc_id: str
    vpc_endpoint_type: Optional[str] = None  # Interface, Gateway, GatewayLoadBalancer, Resource, ServiceNetwork
    service_name: Optional[str] = None  # absent on VPC Lattice endpoints (Resource, ServiceNetwork)
    owner_id: Optional[str] = None
    requester_managed: Optional[bool] = None
    resource_configuration_arn: Optional[str] = None  # Resource endpoints
    service_network_arn: Optional[str] = None  # ServiceNetwork endpoints
    ip_address_type: Optional[str] = None  # ipv4, dualstack, ipv6
    dns_record_ip_type: Optional[str] = None  # DnsOptions.DnsRecordIpType: ipv4, dualstack, ipv6, service-defined
    private_dns_only_for_inbound_resolver_endpoint: Optional[bool] = None
    dns_entries: list[DnsEntry] = Field(default_factory=list)
    network_interface_ids: list[str] = Field(default_factory=list)
    service_region: Optional[str] = None  # parsed from service_name (or AWS's ServiceRegion when given)
    service: Optional[str] = None  # the part after the region: "ecr.dkr", "ecr.api", "s3", "logs", ...
    state: Optional[str] = None
    private_dns_enabled: Optional[bool] = None
    subnet_ids: list[str] = Field(default_factory=list)
    route_table_ids: list[str] = Field(default_factory=list)
    group_ids: list[str] = Field(default_factory=list)
    policy: Optional[Any] = None  # the parsed policy document; None when AWS returned none (full access)
    policy_error: Optional[str] = None  # why the returned policy document could not be parsed
    tags: dict[str, str] = Field(default_factory=dict)


class NatGateway(StrictModel):
    nat_gateway_id: str
    vpc_id: str
    subnet_id: Optional[str] = None
    state: Optional[str] = None
    connectivity_type: Optional[str] = None
    network_interface_ids: list[str] = Field(default_factory=list)
    private_ips: list[str] = Field(default_factory=list)


class NetworkAclEntry(StrictModel):
    """One network ACL rule; ``protocol`` as AWS gives it ("-1" all, "6" TCP, "17" UDP, "1" ICMP, ...)."""

    rule_number: int
    egress: bool
    protocol: str
    rule_action: Literal["allow", "deny"]
    cidr_block: Optional[str] = None
    ipv6_cidr_block: Optional[str] = None
    from_port: Optional[int] = None  # PortRange.From; None when the protocol has no ports or for all traffic
    to_port: Optional[int] = None


class NetworkAcl(StrictModel):
    network_acl_id: str
    vpc_id: str
    is_default: bool = False
    entries: list[NetworkAclEntry] = Field(default_factory=list)
    subnet_ids: list[str] = Field(default_factory=list)  # the associated subnets
    tags: dict[str, str] = Field(default_factory=dict)


class NetworkInterface(StrictModel):
    """An elastic network interface: where workloads (and endpoints, NAT gateways, load balancers) sit."""

    network_interface_id: str
    subnet_id: Optional[str] = None
    vpc_id: Optional[str] = None
    availability_zone: Optional[str] = None
    interface_type: Optional[str] = None  # interface, nat_gateway, vpc_endpoint, lambda, network_load_balancer, ...
    requester_id: Optional[str] = None
    requester_managed: bool = False
    description: Optional[str] = None
    group_ids: list[str] = Field(default_factory=list)
    private_ips: list[str] = Field(default_factory=list)
    ipv6_addresses: list[str] = Field(default_factory=list)
    attachment_instance_id: Optional[str] = None
    attachment_instance_owner_id: Optional[str] = None
    status: Optional[str] = None
    tags: dict[str, str] = Field(default_factory=dict)


class InternetGateway(StrictModel):
    internet_gateway_id: str
    attached_vpc_ids: list[str] = Field(default_factory=list)


class PrefixList(StrictModel):
    """An AWS-managed service prefix list (S3's, at least) or a customer-managed list that a route or a
    security-group rule references, with its entries; ``cidrs_known`` is False when the entries could not be read."""

    prefix_list_id: str
    prefix_list_name: str
    cidrs: list[str] = Field(default_factory=list)
    owner_id: Optional[str] = None  # "AWS" for AWS-managed lists
    cidrs_known: bool = True


class ItemNote(StrictModel):
    """One item the collector kept partly or left out (an unexpected shape): it costs only itself."""

    api: str
    item_id: Optional[str] = None
    message: str


class CollectionError(StrictModel):
    """A data source that could not be read: the rules that need it are reported as not evaluated."""

    region: str
    api: str
    code: str
    message: str


class RegionSnapshot(StrictModel):
    region: str
    collected: list[str] = Field(default_factory=list)  # the SOURCES read completely
    errors: list[CollectionError] = Field(default_factory=list)
    vpcs: list[Vpc] = Field(default_factory=list)
    dhcp_options: list[DhcpOptions] = Field(default_factory=list)
    subnets: list[Subnet] = Field(default_factory=list)
    route_tables: list[RouteTable] = Field(default_factory=list)
    security_groups: list[SecurityGroup] = Field(default_factory=list)
    vpc_endpoints: list[VpcEndpoint] = Field(default_factory=list)
    nat_gateways: list[NatGateway] = Field(default_factory=list)
    internet_gateways: list[InternetGateway] = Field(default_factory=list)
    prefix_lists: list[PrefixList] = Field(default_factory=list)
    network_acls: list[NetworkAcl] = Field(default_factory=list)
    network_interfaces: list[NetworkInterface] = Field(default_factory=list)
    notes: list[ItemNote] = Field(default_factory=list)  # items read only in part (see ItemNote)
    nat_gateway_metrics: Optional[NatGatewayMetrics] = None  # only with ``collect --with-metrics``
    hosted_zones: list[HostedZone] = Field(default_factory=list)
    hosted_zone_vpc_ids: list[str] = Field(default_factory=list)  # the VPCs whose zones were asked for
    resolver_rules: list[ResolverRule] = Field(default_factory=list)
    route53_profiles: list[Route53Profile] = Field(default_factory=list)
    transit_gateway_attachments: list[TransitGatewayAttachment] = Field(default_factory=list)
    transit_gateway_route_tables: list[TransitGatewayRouteTable] = Field(default_factory=list)
    vpc_peering_connections: list[VpcPeeringConnection] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "RegionSnapshot":
        """Unique ids, valid CIDRs, no dangling VPC references (see :mod:`vpclint.snapshot_checks`)."""
        check_region(self)
        return self


class AccountError(StrictModel):
    """A failure named by its account: at the top of a snapshot, one that cost a whole account (its role could not
    be assumed); in a report, every collection error (``region`` None: the whole account)."""

    account_id: str
    account_name: Optional[str] = None
    region: Optional[str] = None
    api: str
    code: str
    message: str

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """Order: account, region (the whole account first), API, code, message."""
        return (self.account_id, self.region or "", self.api, self.code, self.message)


class AccountSnapshot(StrictModel):
    """What was read from one account: its regions and the account-level errors (region discovery)."""

    account_id: str
    account_name: Optional[str] = None  # the account's name in AWS Organizations, when it was listed there
    regions: list[RegionSnapshot] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_regions(self) -> "AccountSnapshot":
        check_identifier(self.account_id, "account_id")
        check_unique_keys([r.region for r in self.regions], "regions", "region")
        return self


class Snapshot(StrictModel):
    """Every account scanned (one in a single-account scan), the partition, and the errors that cost a whole
    account. ``Snapshot(account_id=..., regions=[...])`` builds a one-account snapshot."""

    schema_version: Literal[3] = SCHEMA_VERSION
    generator: str = "vpclint"
    partition: str = "aws"
    accounts: list[AccountSnapshot] = Field(default_factory=list)
    errors: list[AccountError] = Field(default_factory=list)  # accounts that could not be read at all

    @model_validator(mode="before")
    @classmethod
    def _one_account(cls, data: Any) -> Any:
        """The single-account shape (``account_id``, ``regions``, ``errors``: version 1 or 2, or no version) as one
        account."""
        version = data.get("schema_version") if isinstance(data, dict) else SCHEMA_VERSION
        if "accounts" not in data and (version is None or (type(version) is int and version in (1, 2))):
            return single_account(data)
        return data

    @model_validator(mode="after")
    def _unique_accounts(self) -> "Snapshot":
        check_identifier(self.partition, "partition")
        check_unique_keys([a.account_id for a in self.accounts], "accounts", "account_id")
        return self

    @property
    def regions(self) -> list[RegionSnapshot]:
        """Every account's regions, account by account (a single-account snapshot: its regions)."""
        return [region for account in self.accounts for region in account.regions]

    def region_names(self) -> list[str]:
        """The regions any account was scanned in, sorted."""
        return sorted({region.region for region in self.regions})

    def account_names(self) -> dict[str, Optional[str]]:
        """Each account's name in AWS Organizations (None when not known), by account id."""
        return {account.account_id: account.account_name for account in self.accounts}

    def all_errors(self) -> list[AccountError]:
        """Every collection error, named by account (whole accounts, account-level, per region), in a stable order."""
        names = self.account_names()
        errors = [e.model_copy(update={"account_name": e.account_name or names.get(e.account_id)}) for e in self.errors]
        for account in self.accounts:
            for error in account.errors + [e for region in account.regions for e in region.errors]:
                errors.append(AccountError(account_id=account.account_id, account_name=account.account_name,
                                           **error.model_dump()))
        return sorted(errors, key=AccountError.sort_key)


def single_account(data: dict) -> dict:
    """A version 1 or 2 snapshot's data (one account at the top level) as version 3 data."""
    rest = {key: value for key, value in data.items() if key not in ("schema_version", "account_id", "regions", "errors")}
    account = {key: data[key] for key in ("account_id", "regions", "errors") if key in data}
    return {**rest, "schema_version": SCHEMA_VERSION, "accounts": [account]}
