"""Transit gateway links of the way to a hub endpoint (:mod:`vpclint.path.hub`): the VPC's attachment in the
workload's AZ, and the route of the gateway route table its attachment is associated with.

* An available attachment of the VPC to the gateway must have a subnet in the AZ (AWS: "any resources in
  Availability Zones where there is no transit gateway attachment cannot reach the transit gateway"); one being
  modified still carries traffic, but the flow is ``unknown``.
* The attachment's associated route table must route the destination to the other VPC's attachment: the longest
  prefix wins; to the same CIDR a static route beats one a prefix-list reference added, which beats a propagated
  one (AWS's route evaluation order); two of the same kind that disagree are ``unknown``. An attachment associated
  with no table has its traffic dropped; when the association was not read, every readable table must agree.
"""

from __future__ import annotations

from typing import Optional

from vpclint.path.checks import Judge, Link
from vpclint.path.hubindex import HubIndex
from vpclint.path.index import Network, RegionIndex
from vpclint.path.networks import contains
from vpclint.snapshot import Vpc
from vpclint.snapshot_hub import TransitGatewayAttachment, TransitGatewayRoute, TransitGatewayRouteTable

LIVE_ATTACHMENT = ("available", "modifying")
"""Transit gateway attachment states that carry traffic."""


def gateway_attachment(
    index: RegionIndex, judge: Judge, gateway: str, vpc: Vpc, availability_zone: str,
) -> Optional[TransitGatewayAttachment]:
    """The VPC's available attachment to ``gateway`` with a subnet in ``availability_zone``, or None with the link
    recorded."""
    hub = index.hub
    assert hub is not None
    if not hub.attachments_read:
        judge.not_known(f"the transit gateway attachments were not read: the way through {gateway} is not known")
        return None
    attachments = live_attachments(hub, vpc.vpc_id, gateway)
    if not attachments:
        judge.block(Link("hub-route", vpc.vpc_id, f"{vpc.vpc_id} has no available attachment to {gateway}", target_id=gateway))
        return None
    attachment = attachments[0]
    if (attachment.state or "").lower() != "available":
        judge.not_known(f"{attachment.transit_gateway_attachment_id} ({vpc.vpc_id} to {gateway}) is being modified: "
                        "whether it carries the flow while it changes is not known")
    zones = {index.subnets[s].availability_zone for s in attachment.subnet_ids if s in index.subnets}
    unseen = [s for s in attachment.subnet_ids if s not in index.subnets]
    if availability_zone not in zones and unseen:
        judge.not_known(f"{attachment.transit_gateway_attachment_id} ({vpc.vpc_id} to {gateway}) has subnets "
                        f"{', '.join(unseen)} the snapshot does not hold: whether one is in {availability_zone} is not known")
        return None
    if availability_zone not in zones:
        judge.block(Link(
            "hub-route", attachment.transit_gateway_attachment_id,
            f"{attachment.transit_gateway_attachment_id} ({vpc.vpc_id} to {gateway}) has no subnet in {availability_zone}: "
            "resources in an AZ without an attachment cannot reach the transit gateway", target_id=gateway,
        ))
        return None
    return attachment


def live_attachments(hub: HubIndex, vpc_id: str, gateway: str) -> list[TransitGatewayAttachment]:
    """The VPC's attachments to ``gateway`` that carry traffic, available ones first: ``available``, and
    ``modifying`` (subnets or options being changed; it carries traffic on what it has, so a flow through one is
    not known)."""
    found = [a for a in hub.vpc_attachments(vpc_id, gateway) if (a.state or "").lower() in LIVE_ATTACHMENT]
    return sorted(found, key=lambda a: (a.state or "").lower() != "available")


def check_gateway_route(
    index: RegionIndex, judge: Judge, gateway: str, attachment: TransitGatewayAttachment, destination: Network,
    to_vpc: str, peer: str,
) -> None:
    """The route of the attachment's transit gateway route table to ``destination`` must lead to ``to_vpc``'s
    attachment; when the association is not known, every readable table of the gateway must agree."""
    hub = index.hub
    assert hub is not None
    if not hub.tgw_routes_read:
        judge.not_known(f"the route tables of {gateway} were not read")
        return
    tables = hub.tgw_tables.get(gateway)
    if not tables:
        judge.not_known(f"no route table of {gateway} is in the snapshot (another account's transit gateway?)")
        return
    tables = _associated(index, judge, gateway, attachment, tables, destination, to_vpc)
    if not tables:
        return
    outcomes = {t.transit_gateway_route_table_id: _tgw_decision(t, destination, to_vpc, index) for t in tables}
    if any(o == "unknown" for o in outcomes.values()):
        judge.not_known(f"the routes of {gateway}'s route table(s) {', '.join(k for k, o in sorted(outcomes.items()) if o == 'unknown')} "
                        f"to {destination} are not known")
    elif len(set(outcomes.values())) > 1:
        judge.not_known(f"{attachment.transit_gateway_attachment_id}'s route table is not known, and {gateway}'s tables "
                        f"route {destination} differently")
    elif "missing" in outcomes.values():
        table_id = sorted(outcomes)[0]
        target = next((a.transit_gateway_attachment_id for a in hub.vpc_attachments(to_vpc, gateway)), None)
        judge.block(Link("hub-route", table_id, f"{table_id} ({gateway}) has no route to {destination} in {to_vpc}",
                         peer=peer, target_id=target))
    elif "elsewhere" in outcomes.values():
        judge.not_known(f"{gateway} sends {destination} to another attachment than {to_vpc}'s (an inspection VPC?)")


def _associated(
    index: RegionIndex, judge: Judge, gateway: str, attachment: TransitGatewayAttachment,
    tables: list[TransitGatewayRouteTable], destination: Network, to_vpc: str,
) -> list[TransitGatewayRouteTable]:
    """The gateway route tables that may route the attachment's traffic: its associated table; every readable one
    when the association was not read; none, with the link recorded, when it can't be used. An attachment with no
    association has its traffic dropped (AWS, tgw-policy-tables-disassociate.html: "the attachment has no route
    table or policy table associated with it. All ingressing traffic is dropped"): ``hub-route`` naming the
    attachment, with a table to associate (the gateway's default association table, else one that routes on)."""
    name = attachment.transit_gateway_attachment_id
    table_id, state = attachment.association_route_table_id, (attachment.association_state or "").lower()
    if table_id and state in ("", "associated"):
        chosen = [t for t in tables if t.transit_gateway_route_table_id == table_id]
        if not chosen:
            judge.not_known(f"{name} is associated with {table_id}, which is not in the snapshot")
        return chosen
    if not attachment.association_known:
        return tables
    if state in ("associating", "disassociating"):
        judge.not_known(f"{name}'s association{' with ' + table_id if table_id else ''} is {state}")
    elif state == "associated":
        judge.not_known(f"{name} is associated with a policy table of {gateway}: policy-based routing is not modelled")
    else:
        default = [t for t in tables if t.default_association_route_table]
        routing = [t for t in tables if _tgw_decision(t, destination, to_vpc, index) == "ok"]
        suggestion = next((t.transit_gateway_route_table_id for t in default + routing), None)
        judge.block(Link("hub-route", name, f"{name} ({attachment.vpc_id} to {gateway}) is associated with no route "
                                            f"table of {gateway}: the gateway drops the traffic it sends",
                         target_id=suggestion))
    return []


def _tgw_decision(table: TransitGatewayRouteTable, destination: Network, to_vpc: str, index: RegionIndex) -> str:
    """``ok``, ``missing`` (no route, or a blackhole), ``elsewhere`` (to another attachment) or ``unknown`` (routes
    not read, a prefix-list route, a route without its attachment, or routes of the same rank to the same CIDR that
    disagree: which one AWS takes is not documented)."""
    if not table.routes_known:
        return "unknown"
    best: list[TransitGatewayRoute] = []
    key: Optional[tuple[int, int]] = None
    for route in table.routes:
        if route.prefix_list_id and not route.destination_cidr_block:
            return "unknown"
        network = index.network(route.destination_cidr_block)
        if network is not None and contains(network, destination):
            candidate = (network.prefixlen, -_tgw_rank(route))
            if key is None or candidate > key:
                best, key = [route], candidate
            elif candidate == key:
                best.append(route)
    outcomes = {_tgw_outcome(route, to_vpc) for route in best} or {"missing"}
    return outcomes.pop() if len(outcomes) == 1 else "unknown"


def _tgw_outcome(route: TransitGatewayRoute, to_vpc: str) -> str:
    """What one chosen gateway route does with the traffic (the outcomes of :func:`_tgw_decision`)."""
    if (route.state or "").lower() == "blackhole":
        return "missing"
    if not route.attachments:
        return "unknown"
    return "ok" if any(a.resource_id == to_vpc for a in route.attachments) else "elsewhere"


def _tgw_rank(route: TransitGatewayRoute) -> int:
    """A gateway route's rank among routes to the same CIDR, lowest first (AWS's route evaluation order): a static
    route, then one a prefix-list reference added, then a propagated one."""
    if route.prefix_list_id:
        return 1
    return 0 if (route.type or "").lower() == "static" else 2
