"""Route selection as AWS does it: the longest prefix wins; on equal length a static route beats a prefix-list
route, which beats a propagated one (https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).

A prefix-list route (``destination_prefix_list_id``) competes with each CIDR of its list. A blackhole route is
still chosen (it drops the traffic: the caller treats it as a break). Routes whose destination can't be parsed
are ignored. A prefix-list route whose entries are unknown may hold any CIDR: an answer it could change is
*unknown*, and :class:`RouteAnswer` names the lists it hinges on. Remaining ties (two prefix lists holding the
same CIDR) go to the route listed first.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Optional, Sequence, Union

from vpclint.path.networks import Net, PrefixLists, as_network, collapse, contains, network_of, prefix_list_networks, span
from vpclint.snapshot import Route

PROPAGATED_ORIGIN = "EnableVgwRoutePropagation"
STATIC, PREFIX_LIST, PROPAGATED = 0, 1, 2
"""Priorities on equal prefix length, lowest first."""

Address = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address]


@dataclass(slots=True)  # never changed once built; not frozen: a frozen dataclass costs four times as much to build
class RouteAnswer:
    """The route an address takes.

    ``route``: the winner among the routes whose destinations are known (None: no route matches).
    ``unknown_prefix_lists``: the sorted ids of routes' prefix lists with unknown entries that would win if they
    held the address. When not empty the answer is unknown: ``route`` holds only if none of them does.
    """

    route: Optional[Route]
    unknown_prefix_lists: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """True when no unknown prefix list can change the answer."""
        return not self.unknown_prefix_lists


class Candidate(NamedTuple):
    """A route with its parsed destinations, ready to compete (see :func:`candidates`)."""

    index: int
    route: Route
    priority: int
    destinations: Optional[tuple[Net, ...]]  # None: a prefix list with unknown entries
    spans: tuple[tuple[int, int, int, int], ...]  # per destination: version, first and last address, prefix length


def priority(route: Route) -> int:
    """The route's rank among routes of equal prefix length: STATIC, PREFIX_LIST or PROPAGATED."""
    if route.origin == PROPAGATED_ORIGIN:
        return PROPAGATED
    return PREFIX_LIST if route.destination_prefix_list_id else STATIC


def candidates(
    routes: Iterable[Route], prefix_lists: Optional[PrefixLists] = None, parsed: Optional[dict[tuple, tuple]] = None
) -> list[Candidate]:
    """The routes parsed once: a table's candidates can answer many :func:`parts` questions. ``parsed`` (for one set
    of ``prefix_lists``) keeps each destination's parse for the tables that name it again."""
    found = []
    for index, route in enumerate(routes):
        key = (route.destination_cidr_block, route.destination_ipv6_cidr_block, route.destination_prefix_list_id, route.origin)
        entry = parsed.get(key) if parsed is not None else None
        if entry is None:
            entry = _parse(route, prefix_lists)
            if parsed is not None:
                parsed[key] = entry
        found.append(Candidate(index, route, *entry))
    return found


def _parse(route: Route, prefix_lists: Optional[PrefixLists]) -> tuple[int, Optional[tuple[Net, ...]], tuple[tuple[int, int, int, int], ...]]:
    """A route's priority, destinations (None: a prefix list with unknown entries) and their spans."""
    destinations: Optional[tuple[Net, ...]]
    if route.destination_prefix_list_id:
        destinations = prefix_list_networks(prefix_lists, route.destination_prefix_list_id)
    else:
        parsed = (network_of(route.destination_cidr_block), network_of(route.destination_ipv6_cidr_block))
        destinations = tuple(n for n in parsed if n is not None)
    return priority(route), destinations, tuple((*span(d), d.prefixlen) for d in destinations or ())


def _answer(table: Sequence[Candidate], part: Net) -> RouteAnswer:
    """The answer for ``part``, a network every known destination either contains or misses."""
    best: Optional[tuple[int, int, int]] = None
    route: Optional[Route] = None
    unknowns = []
    version, first, last = span(part)
    for candidate in table:
        if candidate.destinations is None:
            unknowns.append(candidate)
            continue
        for destination_version, low, high, length in candidate.spans:
            if destination_version == version and low <= first and last <= high:
                key = (-length, candidate.priority, candidate.index)
                if best is None or key < best:
                    best, route = key, candidate.route
    unknown = {
        str(c.route.destination_prefix_list_id)
        for c in unknowns if best is None or (-part.max_prefixlen, c.priority, c.index) < best
    }
    return RouteAnswer(route, tuple(sorted(unknown)))


def choose_route(routes: Iterable[Route], address: Address, prefix_lists: Optional[PrefixLists] = None) -> RouteAnswer:
    """The route one IP address takes (IPv4 routes for an IPv4 address, IPv6 for IPv6)."""
    return _answer(candidates(routes, prefix_lists), as_network(ipaddress.ip_address(address)))


def route_parts(
    routes: Iterable[Route], network: Union[Net, str], prefix_lists: Optional[PrefixLists] = None
) -> list[tuple[Net, RouteAnswer]]:
    """Split ``network`` into disjoint parts, each with the one answer every address of it gets from
    :func:`choose_route`; sorted by address, adjacent parts with the same answer merged."""
    return parts(candidates(routes, prefix_lists), as_network(network))


def parts(table: Sequence[Candidate], network: Net) -> list[tuple[Net, RouteAnswer]]:
    """:func:`route_parts` over routes already parsed by :func:`candidates`."""
    version, first, last = span(network)
    prefixlen = network.prefixlen
    destinations = [
        d for c in table for d, (v, low, high, length) in zip(c.destinations or (), c.spans)
        if length > prefixlen and v == version and first <= low and high <= last
    ]
    if not destinations:
        return [(network, _answer(table, network))]
    leaves: list[tuple[Net, RouteAnswer]] = []

    def walk(part: Net, inner: list[Net]) -> None:
        inner = [d for d in inner if d.prefixlen > part.prefixlen and contains(part, d)]
        if not inner:
            leaves.append((part, _answer(table, part)))
            return
        for half in part.subnets(prefixlen_diff=1):
            walk(half, inner)

    walk(network, destinations)
    return _merge(leaves)


def _merge(leaves: list[tuple[Net, RouteAnswer]]) -> list[tuple[Net, RouteAnswer]]:
    """Adjacent leaves with the same route (the same object) and unknown lists become one part."""
    groups: dict[tuple[int, tuple[str, ...]], tuple[RouteAnswer, list[Net]]] = {}
    for part, answer in leaves:
        key = (id(answer.route), answer.unknown_prefix_lists)
        groups.setdefault(key, (answer, []))[1].append(part)
    merged = [(part, answer) for answer, nets in groups.values() for part in collapse(nets)]
    return sorted(merged, key=lambda item: int(item[0].network_address))
