"""One region's DNS and hub data indexed for the path model: private hosted zones and Resolver rules by VPC, the
interface endpoints by DNS name and interface address, transit gateway attachments and route tables, and VPC
peering connections.

Whether each source was read: zones, Resolver rules and Route 53 Profile associations the collector tried and
failed to read (an error recorded for their APIs) are unread, and the DNS facts that depend on them are unknown; a
snapshot that never tried (written before vpclint read them, or by hand without them) is taken to have none. The
way to a hub is strict: transit gateway attachments, their routes and peering connections count only when
``collected``.

Route 53 Profiles: the zones and rules a VPC's Profile carries take part beside the VPC's own, except those for a
domain one of the VPC's own zones (or rules) already has: AWS gives the VPC's own association precedence over its
Profile's for the same domain, and the most specific domain otherwise (:func:`effective`). What a Profile carries
that vpclint can't know (a zone or rule of another account not in the snapshot, resources not listed, an
association or resource still being created or deleted, an interface endpoint for the ECR or S3 names, a kind of
resource vpclint does not know) is a doubt that leaves the VPC's DNS facts unknown. DNS Firewall rule groups and
query logging take no part (DNS Firewall is not modelled, whoever associates it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, TypeVar

from vpclint.snapshot import RegionSnapshot, VpcEndpoint
from vpclint.snapshot_hub import (
    HostedZone,
    ProfileResource,
    ResolverRule,
    Route53Profile,
    TransitGatewayAttachment,
    TransitGatewayRouteTable,
    VpcPeeringConnection,
)

ZONE_APIS = ("route53:ListHostedZonesByVPC",)
RULE_APIS = ("route53resolver:ListResolverRules", "route53resolver:ListResolverRuleAssociations")
PROFILE_APIS = ("route53profiles:ListProfileAssociations",)
LIVE = {"COMPLETE", "UPDATING"}
"""Profile association and resource states in effect (an UPDATING one is in effect while it changes)."""
GONE = {"DELETED", "FAILED"}
"""States of an association or resource that carries nothing."""
NAME_SERVICES = ("ecr.api", "ecr.dkr", "s3")
"""Services whose interface endpoints answer the names of a pull."""
T = TypeVar("T")


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


@dataclass(frozen=True)
class Doubt:
    """Something a VPC's Route 53 Profile carries that vpclint can't know: ``reason``, and ``owner`` the account
    whose scan may tell (None when none can)."""

    reason: str
    owner: Optional[str] = None


def effective(own: list[T], carried: list[T], domain: Callable[[T], str]) -> list[T]:
    """The zones (or Resolver rules) that answer for a VPC: its own, and those its Profile carries for a domain
    none of its own has (for the same domain the VPC's own association wins; the most specific domain wins
    otherwise, which the resolver decides among these)."""
    taken = {domain(item) for item in own}
    return own + [item for item in carried if domain(item) not in taken]


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
    profiles_failed: bool = False
    carried_zone_ids: dict[str, frozenset[str]] = field(default_factory=dict)
    """By VPC: the zones that answer for it only through its Route 53 Profile."""
    doubts: dict[str, list[Doubt]] = field(default_factory=dict)
    """By VPC: what its Route 53 Profile carries that vpclint can't know."""
    zone_vpc_ids: dict[str, list[str]] = field(default_factory=dict)
    """By zone: the VPCs it answers for, directly or through a Profile."""
    private_nat_ids: frozenset[str] = frozenset()
    """Private NAT gateways: they carry private addresses on to wherever their subnet routes (another VPC too)."""
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
    carried = CarriedDns(region)
    carried_ids: dict[str, frozenset[str]] = {}
    for vpc_id in sorted(set(carried.zones) | set(carried.rules)):
        own_zones = zones_by_vpc.get(vpc_id, [])
        zones_by_vpc[vpc_id] = effective(own_zones, carried.zones.get(vpc_id, []), lambda z: dns_name(z.name))
        rules_by_vpc[vpc_id] = effective(rules_by_vpc.get(vpc_id, []), carried.rules.get(vpc_id, []),
                                         lambda r: dns_name(r.domain_name))
        carried_ids[vpc_id] = frozenset(z.hosted_zone_id for z in zones_by_vpc[vpc_id][len(own_zones):])
    zone_vpcs: dict[str, set[str]] = {}
    for vpc_id, zones in zones_by_vpc.items():
        for zone in zones:
            zone_vpcs.setdefault(zone.hosted_zone_id, set()).add(vpc_id)
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
        profiles_failed=_failed(region, "route53_profiles", PROFILE_APIS),
        carried_zone_ids=carried_ids,
        doubts=carried.doubts,
        zone_vpc_ids={zone_id: sorted(vpcs) for zone_id, vpcs in zone_vpcs.items()},
        private_nat_ids=frozenset(n.nat_gateway_id for n in region.nat_gateways if (n.connectivity_type or "").lower() == "private"),
        region=region,
    )


class CarriedDns:
    """What the region's Route 53 Profiles carry to each associated VPC: ``zones`` and ``rules`` by VPC (those the
    snapshot knows), and ``doubts`` by VPC (see the module's documentation)."""

    def __init__(self, region: RegionSnapshot) -> None:
        self.zones: dict[str, list[HostedZone]] = {}
        self.rules: dict[str, list[ResolverRule]] = {}
        self.doubts: dict[str, list[Doubt]] = {}
        self.zone_by_id = {z.hosted_zone_id: z for z in region.hosted_zones}
        self.rule_by_id = {r.resolver_rule_id: r for r in region.resolver_rules}
        self.endpoint_by_id = {e.vpc_endpoint_id: e for e in region.vpc_endpoints}
        for profile in region.route53_profiles:
            for association in profile.vpc_associations:
                status = (association.status or "COMPLETE").upper()
                if status in GONE:
                    continue
                if status not in LIVE:
                    self._doubt(association.vpc_id, f"its association with Route 53 Profile {profile.profile_id} is {status}")
                elif not profile.resources_read:
                    self._doubt(association.vpc_id, f"the resources of Route 53 Profile {profile.profile_id} could not be read")
                else:
                    for resource in profile.resources:
                        self._carry(association.vpc_id, profile, resource)

    def _doubt(self, vpc_id: str, reason: str, owner: Optional[str] = None) -> None:
        self.doubts.setdefault(vpc_id, []).append(Doubt(reason, owner))

    def _carry(self, vpc_id: str, profile: Route53Profile, resource: ProfileResource) -> None:
        """Add what one resource of the VPC's Profile carries to it."""
        status = (resource.status or "COMPLETE").upper()
        label = f"{resource.kind.replace('_', ' ')} {resource.resource_id or resource.resource_arn} of Route 53 Profile {profile.profile_id}"
        owner = profile.owner_id or resource.owner_id
        if status in GONE or resource.kind in ("firewall_rule_group", "query_log_config"):
            return
        zone = self.zone_by_id.get(resource.resource_id or "") if resource.kind == "hosted_zone" else None
        rule = self.rule_by_id.get(resource.resource_id or "") if resource.kind == "resolver_rule" else None
        if status not in LIVE:
            self._doubt(vpc_id, f"{label} is {status}")
        elif zone is not None:
            self.zones.setdefault(vpc_id, []).append(zone)
        elif resource.kind == "hosted_zone":
            self._doubt(vpc_id, f"the name and records of {label} were not read", owner)
        elif rule is not None:
            self.rules.setdefault(vpc_id, []).append(rule)
        elif resource.kind == "resolver_rule":
            self._doubt(vpc_id, f"the domain of {label} was not read (another account's rule?)",
                        _arn_account(resource.resource_arn) or owner)
        elif resource.kind == "vpc_endpoint":
            endpoint = self.endpoint_by_id.get(resource.resource_id or "")
            if endpoint is None:
                self._doubt(vpc_id, f"{label} is not in the snapshot", _arn_account(resource.resource_arn) or owner)
            elif endpoint.service in NAME_SERVICES:
                self._doubt(vpc_id, f"{label} ({endpoint.service}) answers its service's names there, which vpclint "
                                    "does not model")
        else:
            self._doubt(vpc_id, f"{label} ({resource.resource_type or 'unknown type'}): a kind of resource vpclint "
                                "does not model")


def _arn_account(arn: str) -> Optional[str]:
    """The account field of an ARN (None when it has none)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


def _endpoints_by_address(region: RegionSnapshot) -> dict[str, VpcEndpoint]:
    """The interface endpoints of the region by the private addresses of their interfaces."""
    interface_endpoints = {i: e for e in region.vpc_endpoints for i in e.network_interface_ids}
    return {
        address: interface_endpoints[interface.network_interface_id]
        for interface in region.network_interfaces if interface.network_interface_id in interface_endpoints
        for address in interface.private_ips
    }
