"""Which way a flow's packets take from a workload subnet's route table: to a local interface, an S3 gateway
endpoint, a NAT gateway, another network (``routed``), or nowhere (``blocked``)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Callable, Optional

from vpclint.path.checks import Judge, Link
from vpclint.path.index import Network, RegionIndex
from vpclint.path.networks import fast_network, span
from vpclint.path.routes import Candidate, candidates, parts
from vpclint.path.tables import table_doubt
from vpclint.snapshot import PrefixList, Route, RouteTable, VpcEndpoint

NOT_PUBLIC = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16")
)
"""Ranges no AWS public service address is in: specific routes to them never carry a flow to a public service."""
DEFAULT_ROUTE = ipaddress.ip_network("0.0.0.0/0")
RANK = {"nat": 0, "routed": 1, "local": 2, "endpoint": 3, "unknown": 4}
"""Which way a combined flow reports when its parts differ: the one that costs or leaves first."""


@dataclass(slots=True)  # never changed once built; not frozen: a frozen dataclass costs four times as much to build
class Way:
    """Where a flow goes: ``path`` (local, endpoint, nat, routed, blocked, unknown), ``via`` (the target's id),
    ``reason``, and for S3 the parts of S3 that a more specific route takes away from the gateway endpoint."""

    path: str
    via: Optional[str]
    reason: str
    diverted: tuple[dict[str, Any], ...] = ()


def address_networks(addresses: list[str]) -> list[Network]:
    """IP address strings as one-address networks (junk left out)."""
    networks: list[Network] = []
    for address in addresses:
        try:
            networks.append(fast_network(address))
        except ValueError:
            continue
    return networks


def _destination(route: Route) -> str:
    return route.destination_cidr_block or route.destination_ipv6_cidr_block or route.destination_prefix_list_id or "?"


def no_default(default: Optional[Route]) -> str:
    """How a table lacks a usable default route: ``no default route`` or ``a blackhole default route (dest)``."""
    return "no default route" if default is None else f"a blackhole default route ({_destination(default)})"


def path_of(route: Optional[Route]) -> str:
    """The ``path`` of the way :func:`route_way` gives for ``route``, without building it."""
    if route is None or (route.state or "").lower() == "blackhole":
        return "blocked"
    if route.target_type == "local":
        return "local"
    if route.target_type == "nat_gateway":
        return "nat"
    if route.target_type == "vpc_endpoint" and route.destination_prefix_list_id:
        return "endpoint"
    return "routed"


def one_way(answers: list[tuple[Network, Optional[Route]]]) -> Optional[Route]:
    """The first part's route when every part's route gives the same path and none blocks (then :func:`combine`
    gives that route's way); None otherwise."""
    paths = {path_of(route) for _, route in answers}
    return answers[0][1] if len(paths) == 1 and "blocked" not in paths else None


def route_way(judge: Judge, table: RouteTable, route: Optional[Route], what: str) -> Way:
    """The way one chosen route gives (a missing or blackhole route blocks, naming the route table)."""
    if route is None:
        judge.block(Link("route", table.route_table_id, f"{table.route_table_id} has no route to {what}"))
        return Way("blocked", None, f"no route to {what}")
    target = f"{route.target_type} {route.target_id or ''}".strip()
    if (route.state or "").lower() == "blackhole":
        judge.block(Link("route", table.route_table_id, f"{table.route_table_id} sends {what} to {_destination(route)} -> {target}, a blackhole"))
        return Way("blocked", route.target_id, f"blackhole route to {what}")
    if route.target_type == "local":
        return Way("local", None, f"{what} is local")
    if route.target_type == "nat_gateway":
        return Way("nat", route.target_id, f"{what} through NAT gateway {route.target_id}")
    if route.target_type == "vpc_endpoint" and route.destination_prefix_list_id:
        return Way("endpoint", route.target_id, f"{what} through gateway endpoint {route.target_id}")
    return Way("routed", route.target_id, f"{what} leaves the VPC through {target}")


def _public_specific_routes(index: RegionIndex, table: RouteTable, vpc_cidrs: list[str]) -> list[Route]:
    """Routes more specific than the default that may carry public service addresses: to public CIDRs, and to
    prefix lists with public or unknown entries (a list missing from the snapshot included), except a gateway
    endpoint's own route, to its service's list. An AWS-managed list routed anywhere else may carry them."""
    found = []
    vpc_networks = [n for n in (index.network(c) for c in vpc_cidrs) if n is not None]
    for route in table.routes:
        if route.destination_prefix_list_id:
            if list_may_hold(index, table, route, lambda n: not _not_public(n, vpc_networks)):
                found.append(route)
            continue
        network = index.network(route.destination_cidr_block)
        if network is None or network.prefixlen == 0 or _not_public(network, vpc_networks):
            continue
        found.append(route)
    return found


def list_may_hold(index: RegionIndex, table: RouteTable, route: Route, wanted: Callable[[Network], bool]) -> bool:
    """True when the route's prefix list may hold a ``wanted`` network: an entry is one, or the entries were not
    read (or the list is not in the snapshot); never for a gateway endpoint's own route (:func:`is_gateway_route`)."""
    if is_gateway_route(index, table, route):
        return False
    networks = route_networks(index, route)
    return networks is None or any(n is not None and wanted(n) for n in networks)


def route_networks(index: RegionIndex, route: Route) -> Optional[list[Optional[Network]]]:
    """The networks a route takes: its CIDR's, or its prefix list's entries; None when the list's entries were not
    read or the list is not in the snapshot. A junk CIDR is None in the list."""
    if not route.destination_prefix_list_id:
        return [index.network(route.destination_cidr_block or route.destination_ipv6_cidr_block)]
    listed = index.prefix_lists.get(route.destination_prefix_list_id)
    if listed is None or not listed.cidrs_known:
        return None
    return [index.network(c) for c in listed.cidrs]


def known_table(index: RegionIndex, judge: Judge, subnet_id: str, what: str) -> Optional[RouteTable]:
    """The subnet's route table when it is known; else None, and ``what`` is not known (:func:`table_doubt`: a
    table left out, or read only in part, or none)."""
    table, explicit = index.tables.get(subnet_id, (None, False))
    doubt = table_doubt(subnet_id, table, explicit, index.table_notes)
    if doubt is not None:
        judge.not_known(f"{what}: {doubt}")
    return table if doubt is None else None


def table_way(index: RegionIndex, judge: Judge, table: RouteTable, route: Optional[Route], what: str) -> Way:
    """:func:`route_way`, where a prefix-list route to a VPC endpoint reaches the endpoint only when it is a
    gateway endpoint's own route (:func:`is_gateway_route`): through a Gateway Load Balancer endpoint (an
    appliance, which sends the traffic on) the way is ``routed``; to an endpoint not in the snapshot it is not
    known."""
    way = route_way(judge, table, route, what)
    if route is None or not _foreign_endpoint(index, table, route):
        return way
    endpoint = next((e for e in index.live_endpoints(table.vpc_id) if e.vpc_endpoint_id == route.target_id), None)
    if endpoint is not None:
        return Way("routed", way.via, f"{what} goes to {endpoint.vpc_endpoint_type or 'VPC'} endpoint {way.via}, which "
                                      "sends it on (an appliance), not to a gateway endpoint")
    judge.not_known(f"{table.route_table_id} sends {what} to {_destination(route)} -> {way.via}, an endpoint not in "
                    "the snapshot: what it is and whether it serves is not known")
    return Way("unknown", way.via, f"{way.via} is not in the snapshot")


def _foreign_endpoint(index: RegionIndex, table: RouteTable, route: Optional[Route]) -> bool:
    """True for a prefix-list route to a VPC endpoint that is not a gateway endpoint's own route."""
    return route is not None and path_of(route) == "endpoint" and not is_gateway_route(index, table, route)


def is_gateway_route(index: RegionIndex, table: RouteTable, route: Route) -> bool:
    """True for a route to one of the VPC's gateway endpoints (S3, DynamoDB): AWS adds it, to the service's own
    prefix list, and it can't be edited. A Gateway Load Balancer endpoint (also ``vpc_endpoint``) takes any route."""
    return route.target_type == "vpc_endpoint" and any(
        e.vpc_endpoint_id == route.target_id and e.vpc_endpoint_type == "Gateway" for e in index.live_endpoints(table.vpc_id))


def _not_public(network: Network, vpc_networks: list[Network]) -> bool:
    return any(network.version == n.version and network.subnet_of(n) for n in (*NOT_PUBLIC, *vpc_networks))  # type: ignore[arg-type]


def table_candidates(index: RegionIndex, table: RouteTable) -> list[Candidate]:
    """The table's routes parsed (:func:`candidates`), once per VPC; each destination parsed once per region."""
    return index.remember(("routes", table.route_table_id),
                          lambda: candidates(table.routes, index.prefix_lists, index.keep(("parsed-routes",), dict)))


def is_local(index: RegionIndex, table: RouteTable, network: Network) -> bool:
    """True when the table's local route alone takes all of ``network`` (no route inside it, no prefix list with
    unknown entries, not a blackhole): then :func:`public_way` to it records nothing and gives a local way."""
    routes = table_candidates(index, table)
    version, first, last = span(network)
    best: Optional[tuple[tuple[int, int, int], Route]] = None
    for candidate in routes:
        if candidate.destinations is None:
            return False
        for destination_version, low, high, length in candidate.spans:
            if destination_version != version or high < first or last < low:
                continue
            if not (low <= first and last <= high):
                return False  # a more specific route inside: the network has parts
            key = (-length, candidate.priority, candidate.index)
            if best is None or key < best[0]:
                best = key, candidate.route
    return best is not None and best[1].target_type == "local" and (best[1].state or "").lower() != "blackhole"


def public_way(
    index: RegionIndex, judge: Judge, table: RouteTable, destinations: Optional[list[Network]]
) -> Way:
    """The way to ``destinations`` (None: a public service whose addresses are not known, so the default route
    unless a more specific route to public addresses may take part of it; with no usable default route (none, a
    blackhole) such a route may take all of it, and the way is unknown rather than blocked)."""
    if destinations is None:
        vpc = index.vpcs.get(table.vpc_id)
        specific = _public_specific_routes(index, table, vpc.cidr_blocks if vpc else [])
        default = next((r for r in table.routes if r.destination_cidr_block == str(DEFAULT_ROUTE)), None)
        names = ", ".join(sorted(_destination(r) for r in specific))
        if specific and path_of(default) == "blocked":
            judge.not_known(f"{table.route_table_id} has {no_default(default)}, but its routes to public addresses ({names}) "
                            "may carry the service")
            return Way("unknown", None, "the route to the public service endpoint is not known")
        if specific:
            judge.not_known(f"{table.route_table_id} has routes to public addresses ({names}) that may carry part of the service")
        return route_way(judge, table, default, "the public service endpoint")
    return combine(judge, table, destinations, index, ", ".join(str(d) for d in destinations))


def combine(judge: Judge, table: RouteTable, destinations: list[Network], index: RegionIndex, what: str) -> Way:
    """Route every part of ``destinations`` and combine: blocked if any part is, else the way out that isn't the
    endpoint (with the parts it takes in ``diverted``), else the common way. A part that a route to a prefix list
    whose entries were not read may take is recorded as not known; if its best known route would block (none, a
    blackhole), the part is left out, as that block is not known either; when every part is such, the way is unknown."""
    routes = table_candidates(index, table)
    answers = []
    uncertain = False
    for destination in destinations:
        for part, answer in index.remember(("route", table.route_table_id, span(destination)), lambda: parts(routes, destination)):
            if answer.unknown_prefix_lists:
                lists = ", ".join(answer.unknown_prefix_lists)
                judge.not_known(f"the entries of prefix list(s) {lists} were not read: the route to {part} is not known")
                if path_of(answer.route) == "blocked":
                    uncertain = True
                    continue
            answers.append((part, answer.route))
    if not answers:
        return Way("unknown", None, f"the route to {what} is not known") if uncertain else Way("blocked", None, "no destination")
    single = None if any(_foreign_endpoint(index, table, r) for _, r in answers) else one_way(answers)
    if single is not None:  # then the parts' own ways would record nothing and give the same path
        return route_way(judge, table, single, what)
    ways = [(part, table_way(index, judge, table, route, str(part)), route) for part, route in answers]
    paths = {w.path for _, w, _ in ways}
    if "blocked" in paths:
        return next(w for _, w, _ in ways if w.path == "blocked")
    if len(paths) == 1:
        return table_way(index, judge, table, ways[0][2], what)
    outside = [(p, w, r) for p, w, r in ways if w.path in ("nat", "routed")]
    if not outside:
        return min((w for _, w, _ in ways), key=lambda w: RANK[w.path])
    diverted = tuple(
        {"cidr": str(p), "route": _destination(r), "target_type": r.target_type, "target_id": r.target_id}
        for p, w, r in outside if r is not None
    )
    first = min((w for _, w, _ in outside), key=lambda w: RANK[w.path])
    return Way(first.path, first.via, first.reason, diverted)


def s3_gateways(index: RegionIndex, vpc_id: str) -> dict[str, VpcEndpoint]:
    """The VPC's S3 gateway endpoints of its own region, by id."""
    return {
        e.vpc_endpoint_id: e for e in index.live_endpoints(vpc_id)
        if e.vpc_endpoint_type == "Gateway" and e.service == "s3" and e.service_region == index.region
    }


def s3_way(
    index: RegionIndex, judge: Judge, table: RouteTable, s3_list: Optional[PrefixList], vpc_id: str
) -> tuple[Way, Optional[list[Network]], Optional[VpcEndpoint]]:
    """The way to S3 in the region: ``(way, S3's networks or None when unknown, the gateway endpoint used)``."""
    gateways = s3_gateways(index, vpc_id)
    gateway_route = next(
        (r for r in table.routes if r.destination_prefix_list_id and r.target_id in gateways), None
    )
    gateway = gateways.get(gateway_route.target_id or "") if gateway_route else None
    networks = None
    if s3_list is not None and s3_list.cidrs_known and s3_list.cidrs:
        networks = [n for n in (index.network(c) for c in s3_list.cidrs) if n is not None]
    if networks is None:
        if gateway_route is None:
            return public_way(index, judge, table, None), None, None
        vpc = index.vpcs.get(vpc_id)
        specific = _public_specific_routes(index, table, vpc.cidr_blocks if vpc else [])
        if specific:
            judge.not_known(f"S3's addresses were not read: routes {', '.join(sorted(_destination(r) for r in specific))} may divert part of S3")
        return route_way(judge, table, gateway_route, f"S3 in {index.region}"), None, gateway
    way = combine(judge, table, networks, index, f"S3 in {index.region}")
    if way.diverted and gateway is None:
        way = Way(way.path, way.via, way.reason)
    return way, networks, gateway
