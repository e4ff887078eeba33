"""The snapshot's models of DNS and of the ways out of a VPC to a hub: Route 53 private hosted zones and their
records, Route 53 Resolver rules, Route 53 Profiles, transit gateway attachments and route tables, and VPC peering
connections (read by :mod:`vpclint.collect.route53`, :mod:`vpclint.collect.profiles` and
:mod:`vpclint.collect.transit`; part of :class:`vpclint.snapshot.RegionSnapshot`)."""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from vpclint.strict import StrictModel


class ResourceRecordSet(StrictModel):
    """One record set of a private hosted zone, as Route 53 names it (a wildcard reads ``\\052``)."""

    name: str
    type: str
    set_identifier: Optional[str] = None
    alias_dns_name: Optional[str] = None  # AliasTarget.DNSName: an interface endpoint's ``vpce-...`` name, say
    alias_hosted_zone_id: Optional[str] = None
    values: list[str] = Field(default_factory=list)  # ResourceRecords[].Value


class HostedZone(StrictModel):
    """A private hosted zone associated with VPCs of the region (whatever account or service owns it), or one of this
    account's zones that a Route 53 Profile of the region carries (``vpc_ids`` lists only direct associations)."""

    hosted_zone_id: str
    name: str
    owner_account: Optional[str] = None  # Owner.OwningAccount
    owner_service: Optional[str] = None  # Owner.OwningService, e.g. efs.amazonaws.com
    vpc_ids: list[str] = Field(default_factory=list)  # the region's VPCs it is associated with
    records_read: bool = False  # only zones whose name relates to an ECR or S3 service name are read
    record_sets: list[ResourceRecordSet] = Field(default_factory=list)


class ResolverTarget(StrictModel):
    ip: Optional[str] = None
    ipv6: Optional[str] = None
    port: Optional[int] = None


class ResolverRule(StrictModel):
    """A Route 53 Resolver FORWARD or SYSTEM rule whose domain relates to an ECR or S3 service name, with the
    region's VPCs it is associated with, or any rule a Route 53 Profile of the region carries (``vpc_ids`` then
    lists only its direct associations)."""

    resolver_rule_id: str
    domain_name: str
    rule_type: str  # FORWARD or SYSTEM
    name: Optional[str] = None
    status: Optional[str] = None
    owner_id: Optional[str] = None
    share_status: Optional[str] = None  # NOT_SHARED, SHARED_WITH_ME, SHARED_BY_ME
    resolver_endpoint_id: Optional[str] = None
    target_ips: list[ResolverTarget] = Field(default_factory=list)
    vpc_ids: list[str] = Field(default_factory=list)


class ProfileVpcAssociation(StrictModel):
    """One VPC of the region associated with a Route 53 Profile (ListProfileAssociations)."""

    vpc_id: str  # ResourceId
    association_id: Optional[str] = None  # Id
    owner_id: Optional[str] = None  # OwnerId: the account that associated the VPC
    status: Optional[str] = None  # COMPLETE, UPDATING, CREATING, DELETING, DELETED, FAILED


class ProfileResource(StrictModel):
    """A DNS resource a Route 53 Profile carries to every VPC associated with it (ListProfileResourceAssociations).
    ``kind`` is read from the ARN: ``hosted_zone`` (``arn:aws:route53:::hostedzone/Z...``), ``resolver_rule``
    (``...:resolver-rule/rslvr-rr-...``), ``vpc_endpoint`` (``...:vpc-endpoint/vpce-...``), ``firewall_rule_group``,
    ``query_log_config`` or ``other``; ``resource_id`` is the id at the end of the ARN."""

    resource_arn: str
    kind: str
    resource_id: Optional[str] = None
    resource_type: Optional[str] = None  # ResourceType as AWS gives it
    association_id: Optional[str] = None  # Id of the resource association
    name: Optional[str] = None  # Name of the resource association (not the zone's or rule's domain)
    owner_id: Optional[str] = None  # OwnerId of the resource association
    status: Optional[str] = None
    properties: Optional[str] = None  # ResourceProperties: a DNS Firewall rule group's priority, as JSON text


class Route53Profile(StrictModel):
    """A Route 53 Profile associated with VPCs of the region (whatever account owns it, often a hub account that
    shares it through RAM), with the resources it carries; ``resources_read`` is False when they could not be
    listed."""

    profile_id: str
    owner_id: Optional[str] = None  # the OwnerId of its resource associations: the Profile's owner
    vpc_associations: list[ProfileVpcAssociation] = Field(default_factory=list)
    resources_read: bool = False
    resources: list[ProfileResource] = Field(default_factory=list)


class TransitGatewayAttachment(StrictModel):
    """A transit gateway VPC attachment: the subnets (one per AZ) through which the VPC reaches the gateway, and the
    gateway route table it is associated with (which routes the traffic the VPC sends into the gateway)."""

    transit_gateway_attachment_id: str
    transit_gateway_id: Optional[str] = None
    vpc_id: Optional[str] = None
    vpc_owner_id: Optional[str] = None
    state: Optional[str] = None
    subnet_ids: list[str] = Field(default_factory=list)
    dns_support: Optional[str] = None  # Options.DnsSupport: enable, disable
    association_known: bool = False  # DescribeTransitGatewayAttachments listed it: the association below is AWS's
    association_route_table_id: Optional[str] = None  # Association.TransitGatewayRouteTableId
    association_state: Optional[str] = None  # Association.State: associating, associated, disassociating, ...
    ipv6_support: Optional[str] = None
    security_group_referencing_support: Optional[str] = None  # Options.SecurityGroupReferencingSupport: enable,
    # disable; None when not read (older snapshots, or AWS left it out)
    appliance_mode_support: Optional[str] = None  # Options.ApplianceModeSupport: enable (the gateway picks one AZ
    # per flow), disable (it keeps traffic in its AZ); None when not read
    tags: dict[str, str] = Field(default_factory=dict)


class TransitGatewayRouteTarget(StrictModel):
    transit_gateway_attachment_id: Optional[str] = None
    resource_id: Optional[str] = None
    resource_type: Optional[str] = None  # vpc, vpn, peering, direct-connect-gateway, connect, ...


class TransitGatewayRoute(StrictModel):
    destination_cidr_block: Optional[str] = None
    prefix_list_id: Optional[str] = None
    type: Optional[str] = None  # static, propagated
    state: Optional[str] = None  # active, blackhole, ...
    attachments: list[TransitGatewayRouteTarget] = Field(default_factory=list)


class TransitGatewayRouteTable(StrictModel):
    """A transit gateway route table the account can read (its own gateways') with its static and propagated
    routes; ``routes_known`` is False when they could not be read."""

    transit_gateway_route_table_id: str
    transit_gateway_id: Optional[str] = None
    state: Optional[str] = None
    default_association_route_table: bool = False
    default_propagation_route_table: bool = False
    routes: list[TransitGatewayRoute] = Field(default_factory=list)
    routes_known: bool = True


class PeeringVpcInfo(StrictModel):
    """One side of a VPC peering connection."""

    vpc_id: Optional[str] = None
    owner_id: Optional[str] = None
    region: Optional[str] = None
    cidr_blocks: list[str] = Field(default_factory=list)
    ipv6_cidr_blocks: list[str] = Field(default_factory=list)


class VpcPeeringConnection(StrictModel):
    vpc_peering_connection_id: str
    status: Optional[str] = None  # Status.Code: active, pending-acceptance, deleted, ...
    requester: PeeringVpcInfo = Field(default_factory=PeeringVpcInfo)
    accepter: PeeringVpcInfo = Field(default_factory=PeeringVpcInfo)
    tags: dict[str, str] = Field(default_factory=dict)
