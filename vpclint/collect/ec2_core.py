"""Readers of the core EC2 networking sources: VPCs, DHCP options, subnets, route tables, security groups, VPC
endpoints, NAT and internet gateways. Each takes the raw items of one paginated describe and returns snapshot
models; none decides anything."""

from __future__ import annotations

import json
from typing import Optional

from vpclint.collect.items import ItemReader, sorted_unique, tags
from vpclint.documents import json_error
from vpclint.servicename import parse_service_name
from vpclint.snapshot import (
    DhcpOptions,
    DnsEntry,
    InternetGateway,
    NatGateway,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
    VpcEndpoint,
)

ROUTE_TARGETS = (
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
"""The route target fields vpclint knows, in the order they are tried (an instance route also names its ENI)."""
GATEWAY_PREFIXES = (("igw-", "internet_gateway"), ("vpce-", "vpc_endpoint"), ("vgw-", "virtual_private_gateway"))
ROUTE_FIELDS = {"DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId", "InstanceOwnerId", "Origin", "State"}
"""Route fields that name no target."""
OTHER_TARGET_FIELDS = {"IpAddress"}
"""Target fields not ending in Id/Arn: a VPC Route Server route's next-hop address."""


def associated_ipv6(item: dict) -> list[str]:
    """The IPv6 CIDRs of a VPC or subnet that are associated (AWS also lists disassociated ones for a while)."""
    return sorted(
        a["Ipv6CidrBlock"]
        for a in item.get("Ipv6CidrBlockAssociationSet") or []
        if a.get("Ipv6CidrBlock") and (a.get("Ipv6CidrBlockState") or {}).get("State", "associated") == "associated"
    )


def read_vpcs(reader: ItemReader, raws: Optional[list[dict]]) -> list[Vpc]:
    """DescribeVpcs items; only associated CIDRs count."""
    def build(v: dict) -> Vpc:
        associated = {
            a["CidrBlock"] for a in v.get("CidrBlockAssociationSet") or []
            if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated"
        }
        return Vpc(
            vpc_id=v["VpcId"],
            owner_id=v.get("OwnerId"),
            is_default=bool(v.get("IsDefault")),
            cidr_blocks=sorted(associated | ({v["CidrBlock"]} if v.get("CidrBlock") else set())),
            ipv6_cidr_blocks=associated_ipv6(v),
            dhcp_options_id=v.get("DhcpOptionsId"),
            tags=tags(v),
        )
    return reader.each(raws, build, "VpcId")


def _dhcp_values(options: dict, key: str) -> list[str]:
    for conf in options.get("DhcpConfigurations") or []:
        if conf.get("Key") == key:
            return [v["Value"] for v in conf.get("Values") or [] if "Value" in v]
    return []


def read_dhcp_options(reader: ItemReader, raws: Optional[list[dict]]) -> list[DhcpOptions]:
    """DescribeDhcpOptions items: the DNS servers and domain name."""
    return reader.each(raws, lambda d: DhcpOptions(
        dhcp_options_id=d["DhcpOptionsId"],
        domain_name_servers=_dhcp_values(d, "domain-name-servers"),
        domain_name=next(iter(_dhcp_values(d, "domain-name")), None),
    ), "DhcpOptionsId")


def read_subnets(reader: ItemReader, raws: Optional[list[dict]]) -> list[Subnet]:
    """DescribeSubnets items."""
    return reader.each(raws, lambda s: Subnet(
        subnet_id=s["SubnetId"],
        vpc_id=s["VpcId"],
        availability_zone=s["AvailabilityZone"],
        availability_zone_id=s.get("AvailabilityZoneId"),
        cidr_block=s.get("CidrBlock"),
        ipv6_cidr_blocks=associated_ipv6(s),
        map_public_ip_on_launch=bool(s.get("MapPublicIpOnLaunch")),
        tags=tags(s),
    ), "SubnetId")


def route_target(raw: dict) -> tuple[str, Optional[str], Optional[str]]:
    """``(target_type, target_id, target_key)`` of a route; a target vpclint doesn't know is ``other``, kept by
    its AWS field name."""
    gateway = raw.get("GatewayId")
    if gateway:
        if gateway == "local":
            return "local", gateway, None
        kind = next((kind for prefix, kind in GATEWAY_PREFIXES if gateway.startswith(prefix)), None)
        return (kind, gateway, None) if kind else ("other", gateway, "GatewayId")
    for key, kind in ROUTE_TARGETS:
        if raw.get(key):
            return kind, raw[key], None
    known = {key for key, _ in ROUTE_TARGETS} | ROUTE_FIELDS
    for key in sorted(raw):
        value = raw[key]
        named = key.endswith(("Id", "Arn")) or key in OTHER_TARGET_FIELDS
        if named and key not in known and isinstance(value, str) and value:
            return "other", value, key
    return "unknown", None, None


def route(raw: dict) -> Route:
    """One route of a route table."""
    target_type, target_id, target_key = route_target(raw)
    return Route(
        destination_cidr_block=raw.get("DestinationCidrBlock"),
        destination_ipv6_cidr_block=raw.get("DestinationIpv6CidrBlock"),
        destination_prefix_list_id=raw.get("DestinationPrefixListId"),
        target_type=target_type,
        target_id=target_id,
        target_key=target_key,
        state=raw.get("State"),
        origin=raw.get("Origin"),
    )


def route_order(r: Route) -> tuple[str, str, str, str, str]:
    """Routes by destination (IPv4, IPv6, prefix list), then target: AWS's order is not promised."""
    return (r.destination_cidr_block or "", r.destination_ipv6_cidr_block or "", r.destination_prefix_list_id or "",
            r.target_type, r.target_id or "")


def read_route_tables(reader: ItemReader, raws: Optional[list[dict]]) -> list[RouteTable]:
    """DescribeRouteTables items: routes sorted (a route that can't be read is left out with a note),
    associations main first."""
    def build(t: dict) -> RouteTable:
        table_id = t["RouteTableId"]
        associations = reader.parts(table_id, "association", t.get("Associations"), lambda a: [RouteTableAssociation(
            association_id=a.get("RouteTableAssociationId"),
            main=bool(a.get("Main")),
            subnet_id=a.get("SubnetId"),
            gateway_id=a.get("GatewayId"),
            state=(a.get("AssociationState") or {}).get("State"),
        )])
        return RouteTable(
            route_table_id=table_id,
            vpc_id=t["VpcId"],
            routes=sorted(reader.parts(table_id, "route", t.get("Routes"), lambda r: [route(r)]), key=route_order),
            associations=sorted(associations, key=lambda a: (not a.main, a.subnet_id or "", a.gateway_id or "", a.association_id or "")),
            tags=tags(t),
        )
    return reader.each(raws, build, "RouteTableId")


def permission_rules(perm: dict) -> list[SecurityGroupRule]:
    """One EC2 ``IpPermission`` as one rule per source (CIDR, IPv6 CIDR, prefix list or group)."""
    protocol = str(perm.get("IpProtocol", "-1")).lower()
    common: dict = {"protocol": protocol}
    if protocol != "-1":
        common.update(from_port=perm.get("FromPort"), to_port=perm.get("ToPort"))
    rules = [SecurityGroupRule(cidr_ipv4=r["CidrIp"], description=r.get("Description"), **common) for r in perm.get("IpRanges") or []]
    rules += [SecurityGroupRule(cidr_ipv6=r["CidrIpv6"], description=r.get("Description"), **common) for r in perm.get("Ipv6Ranges") or []]
    rules += [
        SecurityGroupRule(prefix_list_id=r["PrefixListId"], description=r.get("Description"), **common)
        for r in perm.get("PrefixListIds") or []
    ]
    rules += [
        SecurityGroupRule(
            referenced_group_id=r.get("GroupId"),
            referenced_group_vpc_id=r.get("VpcId"),
            referenced_group_owner_id=r.get("UserId"),
            vpc_peering_connection_id=r.get("VpcPeeringConnectionId"),
            description=r.get("Description"),
            **common,
        )
        for r in perm.get("UserIdGroupPairs") or []
    ]
    return rules


def read_security_groups(reader: ItemReader, raws: Optional[list[dict]]) -> list[SecurityGroup]:
    """DescribeSecurityGroups items; a permission that can't be read is left out with a note."""
    def rules(group_id: str, direction: str, permissions: Optional[list[dict]]) -> list[SecurityGroupRule]:
        return sorted(reader.parts(group_id, f"{direction} permission", permissions, permission_rules), key=lambda r: r.model_dump_json())

    def build(g: dict) -> SecurityGroup:
        group_id = g["GroupId"]
        return SecurityGroup(
            group_id=group_id,
            group_name=g.get("GroupName", ""),
            vpc_id=g.get("VpcId"),
            ingress=rules(group_id, "ingress", g.get("IpPermissions")),
            egress=rules(group_id, "egress", g.get("IpPermissionsEgress")),
            tags=tags(g),
        )
    return reader.each(raws, build, "GroupId")


def endpoint(raw: dict) -> VpcEndpoint:
    """One VPC endpoint. VPC Lattice endpoints (``Resource``, ``ServiceNetwork``) have no service name."""
    name = raw.get("ServiceName")
    parsed = parse_service_name(name) if name else None
    policy, policy_error = None, None
    document = raw.get("PolicyDocument")
    if document:
        try:
            policy = json.loads(document)
        except json.JSONDecodeError as exc:
            policy_error = json_error(exc)
    dns = raw.get("DnsOptions") or {}
    return VpcEndpoint(
        vpc_endpoint_id=raw["VpcEndpointId"],
        vpc_id=raw["VpcId"],
        vpc_endpoint_type=raw.get("VpcEndpointType"),
        service_name=name,
        owner_id=raw.get("OwnerId"),
        requester_managed=raw.get("RequesterManaged"),
        resource_configuration_arn=raw.get("ResourceConfigurationArn"),
        service_network_arn=raw.get("ServiceNetworkArn"),
        ip_address_type=raw.get("IpAddressType"),
        dns_record_ip_type=dns.get("DnsRecordIpType"),
        private_dns_only_for_inbound_resolver_endpoint=dns.get("PrivateDnsOnlyForInboundResolverEndpoint"),
        dns_entries=sorted(
            (DnsEntry(dns_name=d["DnsName"], hosted_zone_id=d.get("HostedZoneId")) for d in raw.get("DnsEntries") or []),
            key=lambda d: (d.dns_name, d.hosted_zone_id or ""),
        ),
        network_interface_ids=sorted_unique(raw.get("NetworkInterfaceIds") or []),
        service_region=raw.get("ServiceRegion") or (parsed.region if parsed else None),
        service=parsed.service if parsed else None,
        state=raw.get("State"),
        private_dns_enabled=raw.get("PrivateDnsEnabled"),
        subnet_ids=sorted(raw.get("SubnetIds") or []),
        route_table_ids=sorted(raw.get("RouteTableIds") or []),
        group_ids=sorted(g["GroupId"] for g in raw.get("Groups") or []),
        policy=policy,
        policy_error=policy_error,
        tags=tags(raw),
    )


def read_endpoints(reader: ItemReader, raws: Optional[list[dict]]) -> list[VpcEndpoint]:
    """DescribeVpcEndpoints items."""
    return reader.each(raws, endpoint, "VpcEndpointId")


def read_nat_gateways(reader: ItemReader, raws: Optional[list[dict]]) -> list[NatGateway]:
    """DescribeNatGateways items. A gateway with several addresses lists its one interface once per address."""
    def build(n: dict) -> NatGateway:
        addresses = n.get("NatGatewayAddresses") or []
        return NatGateway(
            nat_gateway_id=n["NatGatewayId"],
            vpc_id=n["VpcId"],
            subnet_id=n.get("SubnetId"),
            state=n.get("State"),
            connectivity_type=n.get("ConnectivityType"),
            network_interface_ids=sorted_unique(a.get("NetworkInterfaceId") for a in addresses),
            private_ips=sorted_unique(a.get("PrivateIp") for a in addresses),
        )
    return reader.each(raws, build, "NatGatewayId")


def read_internet_gateways(reader: ItemReader, raws: Optional[list[dict]]) -> list[InternetGateway]:
    """DescribeInternetGateways items."""
    return reader.each(raws, lambda i: InternetGateway(
        internet_gateway_id=i["InternetGatewayId"],
        attached_vpc_ids=sorted_unique(a.get("VpcId") for a in i.get("Attachments") or []),
    ), "InternetGatewayId")
