"""The way from a VPC to a hub: transit gateway VPC attachments, the route tables of the transit gateways the
account can read with their routes, and VPC peering connections.

Two paginated describes per region (VPC attachments, peering connections); when there are VPC attachments, one
``DescribeTransitGatewayAttachments`` (the VPC attachments' describe has no association: this one gives each
attachment's associated route table and its state), one ``DescribeTransitGatewayRouteTables`` and one
``SearchTransitGatewayRoutes`` per readable route table of an attached gateway (AWS has no call returning the
routes of every table at once). A failed call is recorded as an error of its source; a table whose routes can't
be read is kept with ``routes_known`` False; attachments whose association can't be read keep
``association_known`` False.
"""

from __future__ import annotations

from typing import Any, Optional

from botocore import xform_name

from vpclint.collect.items import ItemReader, attempt, paginate, sorted_unique, tags
from vpclint.collect.session import CALL_ERRORS, collection_error, error_code
from vpclint.snapshot import RegionSnapshot
from vpclint.snapshot_checks import valid_cidr
from vpclint.snapshot_hub import (
    PeeringVpcInfo,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
    TransitGatewayRouteTarget,
    VpcPeeringConnection,
)

ROUTE_TYPES = ["static", "propagated"]
"""SearchTransitGatewayRoutes needs a filter: every route of a table is static or propagated."""


def attachment(raw: dict) -> TransitGatewayAttachment:
    """One DescribeTransitGatewayVpcAttachments item."""
    options = raw.get("Options") or {}
    return TransitGatewayAttachment(
        transit_gateway_attachment_id=raw["TransitGatewayAttachmentId"],
        transit_gateway_id=raw.get("TransitGatewayId"),
        vpc_id=raw.get("VpcId"),
        vpc_owner_id=raw.get("VpcOwnerId"),
        state=raw.get("State"),
        subnet_ids=sorted_unique(raw.get("SubnetIds") or []),
        dns_support=options.get("DnsSupport"),
        ipv6_support=options.get("Ipv6Support"),
        security_group_referencing_support=options.get("SecurityGroupReferencingSupport"),
        appliance_mode_support=options.get("ApplianceModeSupport"),
        tags=tags(raw),
    )


def association(raw: dict) -> tuple[str, Optional[str], Optional[str]]:
    """One DescribeTransitGatewayAttachments item: its id, associated route table and association state (None,
    None when it has no association; a policy table's association has a state and no route table)."""
    found = raw.get("Association") or {}
    return raw["TransitGatewayAttachmentId"], found.get("TransitGatewayRouteTableId"), found.get("State")


def route_table(raw: dict) -> TransitGatewayRouteTable:
    """One DescribeTransitGatewayRouteTables item, routes not yet read."""
    return TransitGatewayRouteTable(
        transit_gateway_route_table_id=raw["TransitGatewayRouteTableId"],
        transit_gateway_id=raw.get("TransitGatewayId"),
        state=raw.get("State"),
        default_association_route_table=bool(raw.get("DefaultAssociationRouteTable")),
        default_propagation_route_table=bool(raw.get("DefaultPropagationRouteTable")),
    )


def tgw_route(raw: dict) -> TransitGatewayRoute:
    """One SearchTransitGatewayRoutes item with the attachments it leads to (a bad CIDR costs only the route)."""
    destination = raw.get("DestinationCidrBlock")
    if destination is not None and not valid_cidr(destination):
        raise ValueError(f"{destination!r} is not a valid CIDR")
    return TransitGatewayRoute(
        destination_cidr_block=destination,
        prefix_list_id=raw.get("PrefixListId"),
        type=raw.get("Type"),
        state=raw.get("State"),
        attachments=sorted(
            (TransitGatewayRouteTarget(
                transit_gateway_attachment_id=a.get("TransitGatewayAttachmentId"),
                resource_id=a.get("ResourceId"),
                resource_type=a.get("ResourceType"),
            ) for a in raw.get("TransitGatewayAttachments") or []),
            key=lambda t: t.model_dump_json(),
        ),
    )


def peering_side(raw: Optional[dict]) -> PeeringVpcInfo:
    """The requester or accepter side of a peering connection, with every CIDR it shares."""
    raw = raw or {}
    return PeeringVpcInfo(
        vpc_id=raw.get("VpcId"),
        owner_id=raw.get("OwnerId"),
        region=raw.get("Region"),
        cidr_blocks=sorted_unique([raw.get("CidrBlock")] + [c.get("CidrBlock") for c in raw.get("CidrBlockSet") or []]),
        ipv6_cidr_blocks=sorted_unique(c.get("Ipv6CidrBlock") for c in raw.get("Ipv6CidrBlockSet") or []),
    )


def peering(raw: dict) -> VpcPeeringConnection:
    """One DescribeVpcPeeringConnections item."""
    return VpcPeeringConnection(
        vpc_peering_connection_id=raw["VpcPeeringConnectionId"],
        status=(raw.get("Status") or {}).get("Code"),
        requester=peering_side(raw.get("RequesterVpcInfo")),
        accepter=peering_side(raw.get("AccepterVpcInfo")),
        tags=tags(raw),
    )


def describe(ec2: Any, result: RegionSnapshot, operation: str, key: str, source: Optional[str] = None) -> Optional[list[dict]]:
    """One paginated EC2 describe, or None with the error recorded; ``source`` is then collected."""
    items = attempt(result, f"ec2:{operation}", lambda: paginate(ec2, xform_name(operation), key))
    if items is not None and source:
        result.collected.append(source)
    return items


def read_transit(ec2: Any, result: RegionSnapshot) -> None:
    """Add the region's transit gateway attachments and routes and its peering connections to ``result``."""
    api = "ec2:DescribeTransitGatewayVpcAttachments"
    raws = describe(ec2, result, "DescribeTransitGatewayVpcAttachments", "TransitGatewayVpcAttachments",
                    "transit_gateway_attachments")
    attachments = ItemReader(result.notes, api).each(raws, attachment, "TransitGatewayAttachmentId")
    result.transit_gateway_attachments = sorted(attachments, key=lambda a: a.transit_gateway_attachment_id)
    if raws is not None:
        read_associations(ec2, result)
        read_tgw_routes(ec2, result, {a.transit_gateway_id for a in attachments if a.transit_gateway_id})
    api = "ec2:DescribeVpcPeeringConnections"
    raws = describe(ec2, result, "DescribeVpcPeeringConnections", "VpcPeeringConnections", "vpc_peering_connections")
    connections = ItemReader(result.notes, api).each(raws, peering, "VpcPeeringConnectionId")
    result.vpc_peering_connections = sorted(connections, key=lambda c: c.vpc_peering_connection_id)


def read_associations(ec2: Any, result: RegionSnapshot) -> None:
    """The association of each VPC attachment in ``result`` (one describe of every attachment, filtered here: it
    lists VPN, peering and Direct Connect attachments too); failed, the attachments keep ``association_known``
    False and the error is recorded."""
    if not result.transit_gateway_attachments:
        return
    api = "ec2:DescribeTransitGatewayAttachments"
    raws = describe(ec2, result, "DescribeTransitGatewayAttachments", "TransitGatewayAttachments")
    found = {item[0]: item for item in ItemReader(result.notes, api).each(raws, association, "TransitGatewayAttachmentId")}
    for attachment in result.transit_gateway_attachments:
        if attachment.transit_gateway_attachment_id in found:
            _, table_id, state = found[attachment.transit_gateway_attachment_id]
            attachment.association_known = True
            attachment.association_route_table_id, attachment.association_state = table_id, state


def read_tgw_routes(ec2: Any, result: RegionSnapshot, gateways: set[str]) -> None:
    """The readable route tables of ``gateways`` and their routes (one search per table)."""
    if not gateways:
        result.collected.append("transit_gateway_routes")
        return
    api = "ec2:DescribeTransitGatewayRouteTables"
    raws = describe(ec2, result, "DescribeTransitGatewayRouteTables", "TransitGatewayRouteTables")
    reader = ItemReader(result.notes, api)
    tables = [t for t in reader.each(raws, route_table, "TransitGatewayRouteTableId") if t.transit_gateway_id in gateways]
    failures: dict[str, Exception] = {}
    routes_reader = ItemReader(result.notes, "ec2:SearchTransitGatewayRoutes")
    for table in tables:
        try:
            found = paginate(ec2, "search_transit_gateway_routes", "Routes",
                             TransitGatewayRouteTableId=table.transit_gateway_route_table_id,
                             Filters=[{"Name": "type", "Values": ROUTE_TYPES}])
        except CALL_ERRORS as exc:
            failures.setdefault(error_code(exc), exc)
            table.routes_known = False
            continue
        routes = routes_reader.parts(table.transit_gateway_route_table_id, "route", found, lambda r: [tgw_route(r)])
        table.routes = sorted(routes, key=lambda r: r.model_dump_json())
    for _, exc in sorted(failures.items()):
        result.errors.append(collection_error(result.region, "ec2:SearchTransitGatewayRoutes", exc))
    result.transit_gateway_route_tables = sorted(tables, key=lambda t: t.transit_gateway_route_table_id)
    if raws is not None and not failures:
        result.collected.append("transit_gateway_routes")
