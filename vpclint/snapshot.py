"""The snapshot: what the collector read from one AWS account, as a versioned pydantic model.

A snapshot is plain data. It holds what AWS returned, normalised and sorted, and nothing derived: the derived
view the rules read is computed from it by :mod:`vpclint.view`. Every region records which data sources it read
completely (``collected``) and the errors that stopped the others, so that no rule claims anything about data that
could not be read.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from vpclint.documents import parse_versioned_json, read_text, write_text

SCHEMA_VERSION = 1

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
)
"""The data sources a region is read from; rules name the ones they need in ``requires``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Vpc(_Model):
    vpc_id: str
    owner_id: Optional[str] = None
    is_default: bool = False
    cidr_blocks: list[str] = Field(default_factory=list)
    ipv6_cidr_blocks: list[str] = Field(default_factory=list)
    dhcp_options_id: Optional[str] = None
    enable_dns_support: Optional[bool] = None
    enable_dns_hostnames: Optional[bool] = None
    tags: dict[str, str] = Field(default_factory=dict)


class DhcpOptions(_Model):
    dhcp_options_id: str
    domain_name_servers: list[str] = Field(default_factory=list)
    domain_name: Optional[str] = None


class Subnet(_Model):
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
    "unknown",
]


class Route(_Model):
    destination_cidr_block: Optional[str] = None
    destination_ipv6_cidr_block: Optional[str] = None
    destination_prefix_list_id: Optional[str] = None
    target_type: RouteTargetType
    target_id: Optional[str] = None
    state: Optional[str] = None
    origin: Optional[str] = None


class RouteTableAssociation(_Model):
    association_id: Optional[str] = None
    main: bool = False
    subnet_id: Optional[str] = None
    gateway_id: Optional[str] = None
    state: Optional[str] = None


class RouteTable(_Model):
    route_table_id: str
    vpc_id: str
    routes: list[Route] = Field(default_factory=list)
    associations: list[RouteTableAssociation] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class SecurityGroupRule(_Model):
    """One normalised permission: a single protocol/port range and a single source or destination."""

    protocol: str  # "-1" (all), "tcp", "udp", "icmp", "icmpv6" or an IP protocol number
    from_port: Optional[int] = None
    to_port: Optional[int] = None
    cidr_ipv4: Optional[str] = None
    cidr_ipv6: Optional[str] = None
    prefix_list_id: Optional[str] = None
    referenced_group_id: Optional[str] = None
    description: Optional[str] = None


class SecurityGroup(_Model):
    group_id: str
    group_name: str
    vpc_id: Optional[str] = None
    ingress: list[SecurityGroupRule] = Field(default_factory=list)
    egress: list[SecurityGroupRule] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class VpcEndpoint(_Model):
    vpc_endpoint_id: str
    vpc_id: str
    vpc_endpoint_type: Optional[str] = None  # Interface, Gateway, GatewayLoadBalancer, Resource, ServiceNetwork
    service_name: str
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


class NatGateway(_Model):
    nat_gateway_id: str
    vpc_id: str
    subnet_id: Optional[str] = None
    state: Optional[str] = None
    connectivity_type: Optional[str] = None
    network_interface_ids: list[str] = Field(default_factory=list)
    private_ips: list[str] = Field(default_factory=list)


class NatGatewayTraffic(_Model):
    """One NAT gateway's processed bytes over the window (CloudWatch ``AWS/NATGateway``, Sum)."""

    nat_gateway_id: str
    bytes_in_from_source: int = Field(ge=0)
    bytes_in_from_destination: int = Field(ge=0)

    @property
    def processed_bytes(self) -> int:
        """The bytes AWS bills as NAT data processing."""
        return self.bytes_in_from_source + self.bytes_in_from_destination


class NatGatewayMetrics(_Model):
    """The region's NAT gateway traffic, read by ``collect --with-metrics`` (optional in a snapshot)."""

    start: datetime
    end: datetime
    days: int = Field(ge=1)
    gateways: list[NatGatewayTraffic] = Field(default_factory=list)


class InternetGateway(_Model):
    internet_gateway_id: str
    attached_vpc_ids: list[str] = Field(default_factory=list)


class PrefixList(_Model):
    prefix_list_id: str
    prefix_list_name: str
    cidrs: list[str] = Field(default_factory=list)


class CollectionError(_Model):
    """A data source that could not be read: the rules that need it are reported as not evaluated."""

    region: str
    api: str
    code: str
    message: str


class RegionSnapshot(_Model):
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
    nat_gateway_metrics: Optional[NatGatewayMetrics] = None  # only with ``collect --with-metrics``


class Snapshot(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    generator: str = "vpclint"
    account_id: str
    partition: str = "aws"
    regions: list[RegionSnapshot] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)  # account-level: identity, region discovery

    def all_errors(self) -> list[CollectionError]:
        """Account-level and per-region collection errors, in a stable order."""
        errors = list(self.errors)
        for region in self.regions:
            errors.extend(region.errors)
        return sorted(errors, key=lambda e: (e.region, e.api, e.code, e.message))


def dumps(snapshot: Snapshot) -> str:
    """Serialise deterministically: sorted keys, two-space indent, trailing newline."""
    return json.dumps(snapshot.model_dump(mode="json"), sort_keys=True, indent=2) + "\n"


def save(snapshot: Snapshot, path: Path) -> None:
    """Write the snapshot to ``path`` atomically."""
    write_text(path, dumps(snapshot), "snapshot")


def parse(text: str, source: str) -> Snapshot:
    """Parse snapshot JSON text; ``source`` names the file in error messages."""
    return parse_versioned_json(text, source, "snapshot", Snapshot, "schema_version", SCHEMA_VERSION)


def load(path: Path) -> Snapshot:
    """Read and validate a snapshot file."""
    return parse(read_text(path, "snapshot"), str(path))
