"""One region's DNS and hub data indexed for the path model: private hosted zones and Resolver rules by VPC, the
interface endpoints by DNS name and interface address, transit gateway attachments and route tables, and VPC
peering connections.

Whether each source was read: zones and Resolver rules the collector tried and failed to read (an error recorded
for their APIs) are unread, and the DNS facts that depend on them are unknown; a snapshot that never tried (written
before vpclint read DNS, or by hand without them) is taken to have none. The way to a hub is strict: transit
gateway attachments, their routes and peering connections count only when ``collected``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from vpclint.snapshot import RegionSnapshot, VpcEndpoint
from vpclint.snapshot_hub import (
    HostedZone,
    ResolverRule,
    TransitGatewayAttachment,
    TransitGatewayRouteTable,
    VpcPeeringConnection,
)

ZONE_APIS = ("route53:ListHostedZonesByVPC",)
RULE_APIS = ("route53resolver:ListResolverRules", "route53resolver:ListResolverRuleAssociations")


def dns_name(name: Optional[str]) -> str:
    """A DNS name as Route 53 and EC2 compare it: lower case, no trailing dot, octal escapes (``\\052`` for
    ``*``) decoded."""
    text = (name or "").strip().lower()
    out, index = [], 0
    while index < len(text):
        escape = text[index + 1:index + 4]
        if text[index] == "\\" and len(escape) == 3 and escape.isdigit():
            out.append(chr(int(escape, 8)))
            index += 4
        else:
            out.append(text[index])
            index += 1
    return "".join(out).rstrip(".")


@dataclass
class HubIndex:
    """The region's zones, rules, endpoint names and ways to a hub (see the module docstring)."""

    zones_by_vpc: dict[str, list[HostedZone]]
    zone_vpcs_asked: frozenset[str]
    zones_failed: bool
    rules_by_vpc: dict[str, list[ResolverRule]]
    rules_failed: bool
    endpoints_by_name: dict[str, VpcEndpoint]
    attachments: list[TransitGatewayAttachment]
    attachments_read: bool
    tgw_tables: dict[str, list[TransitGatewayRouteTable]]
    tgw_routes_read: bool
    peerings: dict[str, VpcPeeringConnection]
    peerings_read: bool
    zones: list[HostedZone] = field(default_factory=list)
    region: Optional[RegionSnapshot] = None
    """The region indexed: the endpoints by interface address are read from it on first use."""
    by_address: Optional[dict[str, VpcEndpoint]] = None

    @property
    def endpoints_by_address(self) -> dict[str, VpcEndpoint]:
        """The interface endpoints by the private addresses of their interfaces (built on first use)."""
        if self.by_address is None:
            self.by_address = _endpoints_by_address(self.region) if self.region is not None else {}
        return self.by_address

    def zones_unread(self, vpc_id: str) -> bool:
        """True when the VPC's associated zones were asked for and could not be read."""
        return self.zones_failed and vpc_id not in self.zone_vpcs_asked

    def vpc_attachments(self, vpc_id: str, gateway_id: Optional[str] = None) -> list[TransitGatewayAttachment]:
        """The VPC's transit gateway attachments (to ``gateway_id`` only, when given), by id."""
        return [a for a in self.attachments if a.vpc_id == vpc_id and gateway_id in (None, a.transit_gateway_id)]


def _failed(region: RegionSnapshot, source: str, apis: tuple[str, ...]) -> bool:
    """True when ``source`` was not read and the collector recorded an error for one of its APIs."""
    return source not in region.collected and any(e.api in apis for e in region.errors)


def build_hub_index(region: RegionSnapshot) -> HubIndex:
    """Index one region's DNS and hub data."""
    zones_by_vpc: dict[str, list[HostedZone]] = {}
    for zone in region.hosted_zones:
        for vpc_id in zone.vpc_ids:
            zones_by_vpc.setdefault(vpc_id, []).append(zone)
    rules_by_vpc: dict[str, list[ResolverRule]] = {}
    for rule in region.resolver_rules:
        for vpc_id in rule.vpc_ids:
            rules_by_vpc.setdefault(vpc_id, []).append(rule)
    by_name: dict[str, VpcEndpoint] = {}
    for endpoint in region.vpc_endpoints:
        for entry in endpoint.dns_entries:
            by_name.setdefault(dns_name(entry.dns_name), endpoint)
    tables: dict[str, list[TransitGatewayRouteTable]] = {}
    for table in region.transit_gateway_route_tables:
        tables.setdefault(table.transit_gateway_id or "", []).append(table)
    return HubIndex(
        zones_by_vpc=zones_by_vpc,
        zone_vpcs_asked=frozenset(region.hosted_zone_vpc_ids),
        zones_failed=_failed(region, "hosted_zones", ZONE_APIS),
        rules_by_vpc=rules_by_vpc,
        rules_failed=_failed(region, "resolver_rules", RULE_APIS),
        endpoints_by_name=by_name,
        attachments=sorted(region.transit_gateway_attachments, key=lambda a: a.transit_gateway_attachment_id),
        attachments_read="transit_gateway_attachments" in region.collected,
        tgw_tables=tables,
        tgw_routes_read="transit_gateway_routes" in region.collected,
        peerings={p.vpc_peering_connection_id: p for p in region.vpc_peering_connections},
        peerings_read="vpc_peering_connections" in region.collected,
        zones=list(region.hosted_zones),
        region=region,
    )


def _endpoints_by_address(region: RegionSnapshot) -> dict[str, VpcEndpoint]:
    """The interface endpoints of the region by the private addresses of their interfaces."""
    interface_endpoints = {i: e for e in region.vpc_endpoints for i in e.network_interface_ids}
    return {
        address: interface_endpoints[interface.network_interface_id]
        for interface in region.network_interfaces if interface.network_interface_id in interface_endpoints
        for address in interface.private_ips
    }
