"""The way from a workload subnet to an interface endpoint in another VPC (a hub), which a private hosted zone
points the name at: through a transit gateway or a VPC peering connection, and back.

In order, for each subnet holding the hub endpoint's interfaces and each interface address:

1. the hub's owner must be scanned (else ``unknown``: "in account N: scan that account");
2. the endpoint must be ``available`` with interfaces;
3. the workload subnet's route to the address (the route chooser of :mod:`vpclint.path.routes`) must go to a
   transit gateway or an active peering connection: no route, a blackhole, a (public) NAT or internet gateway,
   or the VPC's own local route (overlapping CIDRs) blocks (``hub-route``); other targets, a private NAT gateway
   included, are ``unknown``;
4. transit gateway (:mod:`vpclint.path.tgw`): an available attachment of the workload's VPC with a subnet in the
   workload's AZ (AWS: "any resources in Availability Zones where there is no transit gateway attachment cannot
   reach the transit gateway"), the route of the gateway route table the attachment is associated with to the
   address going to the hub VPC's attachment (an attachment associated with no table blocks; when the association was not read, every
   readable table of the gateway must agree), and an available attachment of the hub VPC, with a subnet in the
   endpoint subnet's AZ for replies through the gateway (with none to that gateway, ``unknown`` when the gateway routes the address to another attachment,
   a peered gateway, say); peering: the connection active, joining the two VPCs, its sides' CIDRs holding both addresses;
5. the way back: the hub subnet's route to the workload subnet through the same gateway or connection (and, for
   a transit gateway, the route table the hub attachment is associated with back to the workload VPC's
   attachment); replies through another peering connection pass when it joins the two VPCs; through another
   transit gateway they are ``unknown``. Through a transit gateway, the attachment subnets the traffic passes each
   way: their network ACLs and the route tables of those it is delivered through (:mod:`vpclint.path.attachments`);
6. the workload subnet's network ACL (443 out, replies in), the hub subnet's (443 in, replies out), the
   workloads' egress; then the hub endpoint's groups, which must admit the workload subnet's CIDR
   (``hub-endpoint-sg``): a rule referencing the workloads' group counts across a peering connection, never
   across a transit gateway: AWS's security group referencing over a transit gateway (the gateway's and the VPC
   attachments' ``SecurityGroupReferencingSupport``) "is not supported for PrivateLink endpoints"
   (tgw-vpc-attachments.html#vpc-attachment-security), so whatever those options say, the block names such a rule
   and says why. The policy is checked by the caller.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

from vpclint.path.attachments import gateway_subnets, subnet_acls, zone_key
from vpclint.path.checks import Judge, Link, check_endpoint_ingress, check_workload_egress
from vpclint.path.endpoints import live_targets
from vpclint.path.groups import Peer, admits_https
from vpclint.path.hubindex import HubIndex
from vpclint.path.index import Network, RegionIndex
from vpclint.path.networks import contains, span
from vpclint.path.routes import parts
from vpclint.path.tgw import check_gateway_route, gateway_attachment, live_attachments
from vpclint.path.ways import Way, known_table, table_candidates
from vpclint.snapshot import RouteTable, Subnet, Vpc, VpcEndpoint

DEAD_ENDS = ("nat_gateway", "internet_gateway", "egress_only_internet_gateway", "local")
"""Route targets that never carry a private address to another VPC (a private NAT gateway excepted: it may)."""


def hub_way(
    index: RegionIndex, judge: Judge, subnet: Subnet, table: RouteTable, source: Network, endpoint: VpcEndpoint,
    group_sets: list[frozenset[str]], what: str,
) -> Way:
    """Check the way from the workload subnet to a hub endpoint's interfaces, and back (the module docstring)."""
    via = endpoint.vpc_endpoint_id
    hub_vpc = index.vpcs.get(endpoint.vpc_id)
    unscanned = next((a for a in (endpoint.owner_id, hub_vpc.owner_id if hub_vpc else None) if not index.scanned(a)), None)
    if hub_vpc is None or unscanned:
        where = f"in account {unscanned}: scan that account" if unscanned else "not in the snapshot"
        judge.not_known(f"{via} is in {endpoint.vpc_id}, {where}")
        return Way("unknown", via, f"{via} is in another account")
    targets = live_targets(index, judge, endpoint)
    if targets is None:
        return Way("blocked", via, f"{via} is not available")
    spoke = index.vpcs[subnet.vpc_id]
    connections: set[str] = set()
    for target_subnet, networks in sorted(targets.items()):
        hops: set[str] = set()
        gateways = []
        for network in networks:
            hop = _there(index, judge, subnet, table, network, spoke, hub_vpc)
            ends = (spoke, subnet.subnet_id, source), (hub_vpc, target_subnet, network)
            gateway = hop if hop and not hop.startswith("pcx-") else None
            same_way = _back(index, judge, target_subnet, source, hop, spoke, hub_vpc) if hop else True
            hops |= {hop} if hop else set()
            gateways += [(gateway, ends, same_way)] if gateway else []
            subnet_acls(index, judge, gateway, gateway if same_way else None, *ends)
        for gateway, ends, same_way in gateways:
            gateway_subnets(index, judge, gateway, *ends, same_way)
        connections |= hops
        crossed = next(iter(hops)) if len(hops) == 1 else None  # the group references count across one peering only
        peering = frozenset({crossed}) if crossed and crossed.startswith("pcx-") else frozenset()
        members = frozenset(endpoint.group_ids) if peering else frozenset()
        destination = Peer(networks=tuple(networks), member_of=members, vpc_id=hub_vpc.vpc_id, peering_ids=peering)
        check_workload_egress(index, judge, group_sets, destination, via)
    _ingress(index, judge, subnet, source, endpoint, group_sets, connections)
    here = zone_key(index, subnet.subnet_id)
    if not any(zone_key(index, s) == here for s in targets if s in index.subnets):
        judge.note(f"{via} has no interface in {subnet.availability_zone}: the flow crosses AZs (cost, availability)")
    over = ", ".join(sorted(connections)) or "?"
    return Way("endpoint", via, f"{what} through {via} in {hub_vpc.vpc_id} over {over}")


def _ingress(
    index: RegionIndex, judge: Judge, subnet: Subnet, source: Network, endpoint: VpcEndpoint,
    group_sets: list[frozenset[str]], connections: set[str],
) -> None:
    """The hub endpoint's groups must admit the workload subnet: group references count across one peering
    connection, never across a transit gateway (its link is ``hub-endpoint-sg``, naming the workload CIDR, and
    the rules that reference the workloads' groups across a transit gateway)."""
    group_ids = endpoint.group_ids or [g for g in [index.default_group(endpoint.vpc_id)] if g]
    peering = next(iter(connections)) if len(connections) == 1 and next(iter(connections)).startswith("pcx-") else None
    scratch = Judge()
    sets = group_sets if peering else [frozenset()]
    check_endpoint_ingress(index, scratch, group_ids, source, subnet.vpc_id, sets, endpoint.vpc_endpoint_id, peering)
    if scratch.blocked is not None and scratch.blocked.kind == "endpoint-sg":
        why = "" if peering else _gateway_references(index, group_ids, subnet.vpc_id, group_sets, endpoint.vpc_id, connections)
        scratch.blocked = dataclasses.replace(scratch.blocked, kind="hub-endpoint-sg", peer=str(source),
                                              detail=scratch.blocked.detail + why)
    judge.replay(scratch)


def _gateway_references(
    index: RegionIndex, group_ids: list[str], spoke_id: str, group_sets: list[frozenset[str]], hub_id: str,
    connections: set[str],
) -> str:
    """Why the hub groups' rules referencing the workloads' groups (any group of the spoke VPC, in a subnet
    without workloads) admit nobody across the transit gateway(s) crossed, naming the attachments that enable
    security group referencing; empty when no such rule."""
    gateways = sorted(c for c in connections if not c.startswith("pcx-"))
    members = frozenset().union(*group_sets) if group_sets else index.vpc_groups(spoke_id)
    groups = [index.groups[g] for g in group_ids if g in index.groups]
    references = sorted({
        f"{group.group_id}'s reference to {rule.referenced_group_id}" for group in groups for rule in group.ingress
        if admits_https(rule) and rule.referenced_group_id in members and not rule.vpc_peering_connection_id
    })
    if not gateways or not references:
        return ""
    hub = index.hub
    assert hub is not None
    enabled = sorted(a.transit_gateway_attachment_id for gateway in gateways for vpc_id in (spoke_id, hub_id)
                     for a in hub.vpc_attachments(vpc_id, gateway) if a.security_group_referencing_support == "enable")
    though = f" (even where enabled: {', '.join(enabled)})" if enabled else ""
    return (f"; {', '.join(references)} admits nobody across {', '.join(gateways)}: AWS does not support security "
            f"group referencing over a transit gateway for PrivateLink endpoints{though}, so admit the CIDR")


def _hop(
    index: RegionIndex, judge: Judge, table: RouteTable, destination: Network, what: str, peer: str,
    suggestion: Optional[str],
) -> Optional[str]:
    """The transit gateway or peering connection the table sends ``destination`` to, or None with the link (or
    why it is not known) recorded (``what`` names the destination in details; ``peer`` and ``suggestion`` go in the
    link). A part a prefix list with unread entries may take is not known: its best known route blocks nothing."""
    routes = table_candidates(index, table)
    found: Optional[str] = None
    for part, answer in index.remember(("route", table.route_table_id, span(destination)), lambda: parts(routes, destination)):
        route = answer.route
        if answer.unknown_prefix_lists:
            judge.not_known(f"the entries of prefix list(s) {', '.join(answer.unknown_prefix_lists)} were not read: "
                            f"the route to {part} is not known")

        def blocked(detail: str) -> None:
            judge.block(Link("hub-route", table.route_table_id, detail, peer=peer, target_id=suggestion))

        if route is not None and (route.state or "").lower() != "blackhole" and route.target_id \
                and route.target_type in ("transit_gateway", "vpc_peering_connection"):
            found = route.target_id
        elif answer.unknown_prefix_lists:
            continue  # a list's route may take the part: that the best known route leads nowhere is not known
        elif route is None:
            blocked(f"{table.route_table_id} has no route to {what} ({part})")
        elif (route.state or "").lower() == "blackhole":
            blocked(f"{table.route_table_id} sends {what} ({part}) to {route.target_id}, a blackhole")
        elif route.target_type in DEAD_ENDS and not (index.hub and route.target_id in index.hub.private_nat_ids):
            blocked(f"{table.route_table_id} sends {what} ({part}) to {route.target_id or route.target_type}, which "
                    "does not lead to the other VPC")
        else:
            judge.not_known(f"{table.route_table_id} sends {what} ({part}) through {route.target_type} "
                            f"{route.target_id or ''}: vpclint follows only transit gateways and peering to a hub")
    return found


def _cidr_of(vpc: Vpc, network: Network, index: RegionIndex) -> str:
    """The VPC CIDR holding ``network`` (for a route to add), else the network itself."""
    for cidr in vpc.cidr_blocks + vpc.ipv6_cidr_blocks:
        outer = index.network(cidr)
        if outer is not None and contains(outer, network):
            return str(outer)
    return str(network)


def _suggestion(hub: HubIndex, first: str, second: str) -> Optional[str]:
    """A transit gateway both VPCs are attached to, else an active peering connection between them."""
    gateways = [a.transit_gateway_id for a in hub.vpc_attachments(first) if (a.state or "") == "available"]
    for gateway in sorted(g for g in gateways if g):
        if any((a.state or "") == "available" for a in hub.vpc_attachments(second, gateway)):
            return gateway
    for peering_id, peering in sorted(hub.peerings.items()):
        if (peering.status or "") == "active" and {peering.requester.vpc_id, peering.accepter.vpc_id} == {first, second}:
            return peering_id
    return None


def _there(
    index: RegionIndex, judge: Judge, subnet: Subnet, table: RouteTable, network: Network, spoke: Vpc, hub_vpc: Vpc,
) -> Optional[str]:
    """The way from the workload subnet to one hub interface address: the connection crossed, or None."""
    hub = index.hub
    assert hub is not None
    what = f"the hub endpoint's address in {hub_vpc.vpc_id}"
    crossed = _hop(index, judge, table, network, what, _cidr_of(hub_vpc, network, index),
                   _suggestion(hub, spoke.vpc_id, hub_vpc.vpc_id))
    if crossed is None:
        return None
    if crossed.startswith("pcx-"):
        return None if _peering_blocks(index, judge, crossed, spoke, hub_vpc, index.network(subnet.cidr_block), network) else crossed
    attachment = gateway_attachment(index, judge, crossed, spoke, subnet.availability_zone)
    hub_attachments = live_attachments(hub, hub_vpc.vpc_id, crossed)
    if attachment is None:
        return None
    if not hub_attachments:
        onward = Judge()  # the gateway may carry the address on (peered to the hub's gateway): its route decides
        check_gateway_route(index, onward, crossed, attachment, network, hub_vpc.vpc_id, _cidr_of(hub_vpc, network, index))
        if onward.blocked is None and onward.unknown is not None:
            judge.not_known(f"{hub_vpc.vpc_id} has no available attachment to {crossed}, and {onward.unknown}")
        else:
            judge.block(Link("hub-route", hub_vpc.vpc_id, f"{hub_vpc.vpc_id} has no available attachment to {crossed}",
                             target_id=crossed))
        return None
    check_gateway_route(index, judge, crossed, attachment, network, hub_vpc.vpc_id, _cidr_of(hub_vpc, network, index))
    return crossed


def _peering_blocks(
    index: RegionIndex, judge: Judge, peering_id: str, spoke: Vpc, hub_vpc: Vpc, source: Optional[Network],
    network: Optional[Network],
) -> bool:
    """True when the peering connection blocks: it must be active, join the two VPCs and share CIDRs holding both
    ends. A connection that was not read is not known, and the flow still crosses it (the route says so): group
    references across it then count, as they would once it is read and passes."""
    hub = index.hub
    assert hub is not None
    if not hub.peerings_read:
        judge.not_known(f"the VPC peering connections were not read: {peering_id} is not known")
        return False
    peering = hub.peerings.get(peering_id)
    if peering is None:
        judge.not_known(f"{peering_id} is not in the snapshot")
        return False
    if (peering.status or "").lower() != "active":
        judge.block(Link("hub-route", peering_id, f"{peering_id} is {peering.status or 'in an unknown state'}, not active"))
        return True
    sides = {peering.requester.vpc_id: peering.requester, peering.accepter.vpc_id: peering.accepter}
    if set(sides) != {spoke.vpc_id, hub_vpc.vpc_id}:
        judge.block(Link("hub-route", peering_id, f"{peering_id} joins {', '.join(sorted(str(v) for v in sides))}, "
                                                  f"not {spoke.vpc_id} and {hub_vpc.vpc_id}"))
        return True
    for vpc_id, address in ((spoke.vpc_id, source), (hub_vpc.vpc_id, network)):
        shared = [n for n in (index.network(c) for c in sides[vpc_id].cidr_blocks + sides[vpc_id].ipv6_cidr_blocks)
                  if n is not None]
        if address is not None and not any(contains(n, address) for n in shared):
            judge.block(Link("hub-route", peering_id, f"{peering_id} does not carry {address}: it is outside the CIDRs "
                                                      f"{vpc_id} shares over it"))
            return True
    return False


def _back(
    index: RegionIndex, judge: Judge, target_subnet: str, source: Network, crossed: str, spoke: Vpc, hub_vpc: Vpc,
) -> bool:
    """The way back from a hub endpoint subnet to the workload subnet, through the same connection; False when the
    replies take another (:func:`_another_way_back`)."""
    table = known_table(index, judge, target_subnet, f"the way back from {target_subnet}")
    if table is None:
        return True
    what = f"the workload subnet in {spoke.vpc_id}"
    peer = _cidr_of(spoke, source, index)
    back = _hop(index, judge, table, source, what, peer, crossed)
    if back is None or back == crossed and crossed.startswith("pcx-"):
        return True
    if back != crossed:
        _another_way_back(index, judge, table, back, crossed, spoke, hub_vpc, source, target_subnet)
        return False
    attachment = gateway_attachment(index, judge, crossed, hub_vpc, index.subnets[target_subnet].availability_zone)
    if attachment is not None:
        check_gateway_route(index, judge, crossed, attachment, source, spoke.vpc_id, peer)
    return True


def _another_way_back(
    index: RegionIndex, judge: Judge, table: RouteTable, back: str, crossed: str, spoke: Vpc, hub_vpc: Vpc,
    source: Network, target_subnet: str,
) -> None:
    """Replies through another connection than the request's still reach the workloads: security groups track
    connections on the interfaces, whatever way the packets take. A peering connection back must pass as on the
    way there (:func:`_peering_blocks`); another transit gateway is not followed (not known)."""
    if back.startswith("pcx-"):
        _peering_blocks(index, judge, back, spoke, hub_vpc, source, index.network(index.subnets[target_subnet].cidr_block))
        return
    judge.not_known(f"{table.route_table_id} sends the replies to the workload subnet in {spoke.vpc_id} through "
                    f"{back}, not back through {crossed}: vpclint does not follow another transit gateway back")
