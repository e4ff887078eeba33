"""Shared CIDR helpers for the path evaluators: exact set operations on lists of networks.

CIDR networks either nest or are disjoint, so the intersection of two is one of them or nothing, and a set of
addresses is kept as a sorted, collapsed tuple of networks (IPv4 before IPv6).
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from typing import Iterable, Mapping, Optional, Sequence, Union

from vpclint.snapshot import PrefixList

Net = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
PrefixLists = Mapping[str, Union[PrefixList, Sequence[Union[Net, str]]]]
"""Prefix-list id -> its entries: a :class:`PrefixList` (``cidrs_known`` False: entries unknown) or networks."""

_PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1"}


def as_network(value: Union[Net, str, ipaddress.IPv4Address, ipaddress.IPv6Address]) -> Net:
    """A network from a network, an address (as a /32 or /128) or a CIDR / address string."""
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    return ipaddress.ip_network(value, strict=False)


def fast_network(text: str, strict: bool = True) -> Net:
    """``ipaddress.ip_network(text, strict)``, a plain dotted IPv4 address or CIDR parsed without its string
    machinery (any other text is left to it, errors included)."""
    address, slash, prefix = text.partition("/")
    try:
        packed = int.from_bytes(socket.inet_pton(socket.AF_INET, address), "big")
    except OSError:
        return ipaddress.ip_network(text, strict)
    length = int(prefix) if prefix.isascii() and prefix.isdigit() else -1 if slash else 32
    if not 0 <= length <= 32 or (strict and packed & ((1 << (32 - length)) - 1)):
        return ipaddress.ip_network(text, strict)
    return ipaddress.IPv4Network((packed, length), strict=False)


@lru_cache(maxsize=1 << 16)
def network_of(cidr: Optional[str]) -> Optional[Net]:
    """:func:`vpclint.reachability.parse_network` (by :func:`fast_network`), cached: rules and routes name the same
    CIDRs again and again."""
    if not cidr:
        return None
    try:
        return fast_network(cidr, strict=False)
    except ValueError:
        return None


def protocol_number(protocol: str) -> str:
    """An IP protocol as AWS numbers it ("tcp" -> "6"; "-1" all); numbers and unknown names unchanged."""
    text = str(protocol).lower()
    return _PROTOCOL_NUMBERS.get(text, text)


def sort_key(network: Net) -> tuple[int, int, int]:
    """Deterministic order: IPv4 first, then by address, then larger networks first."""
    return network.version, int(network.network_address), network.prefixlen


def span(network: Net) -> tuple[int, int, int]:
    """``(version, first address, last address)`` as integers, for containment tests without address objects.

    It and :func:`contains` run for nearly every route, ACL and group decision, so they read the integer fields
    ``ipaddress`` keeps (``_ip``, ``_prefixlen``) instead of its properties (tests check them against it)."""
    first = network.network_address._ip
    return network._version, first, first + (1 << (network._max_prefixlen - network._prefixlen)) - 1


def contains(outer: Net, inner: Net) -> bool:
    """True when ``inner`` lies inside ``outer`` (same IP version): integer masks, no address objects built."""
    return (
        outer._version == inner._version
        and outer._prefixlen <= inner._prefixlen
        and inner.network_address._ip & outer.netmask._ip == outer.network_address._ip
    )


def collapse(networks: Iterable[Net]) -> tuple[Net, ...]:
    """The fewest networks covering exactly the given ones, sorted."""
    items = sorted(networks, key=sort_key)
    if all(_apart(a, b) for a, b in zip(items, items[1:])):
        return tuple(items)
    merged = [n for v in (4, 6) for n in ipaddress.collapse_addresses([i for i in items if i.version == v])]  # type: ignore[type-var]
    return tuple(sorted(merged, key=sort_key))


def _apart(first: Net, second: Net) -> bool:
    """True when ``second`` (sorted after ``first``) starts beyond the address after ``first``'s last: then
    neither overlaps nor merges with the other."""
    if first.version != second.version:
        return True
    end = int(first.network_address) + (1 << (first.max_prefixlen - first.prefixlen))
    return end < int(second.network_address)


def intersect(first: Net, second: Net) -> Optional[Net]:
    """The common part of two networks (the smaller one when they nest), or None."""
    if contains(first, second):
        return second
    if contains(second, first):
        return first
    return None


def inside(networks: Iterable[Net], within: Iterable[Net]) -> tuple[Net, ...]:
    """The part of ``networks`` lying inside ``within``, collapsed."""
    outer = list(within)
    return collapse(part for n in networks for w in outer if (part := intersect(n, w)) is not None)


def subtract(networks: Iterable[Net], removed: Iterable[Net]) -> tuple[Net, ...]:
    """The part of ``networks`` outside ``removed``, collapsed."""
    remaining = list(networks)
    for cut in removed:
        if not remaining:
            break
        kept: list[Net] = []
        for network in remaining:
            if contains(cut, network):
                continue
            kept.extend(network.address_exclude(cut) if contains(network, cut) else [network])  # type: ignore[arg-type]
        remaining = kept
    return collapse(remaining)


def prefix_list_networks(prefix_lists: Optional[PrefixLists], list_id: str) -> Optional[tuple[Net, ...]]:
    """The networks of one prefix list; None when the list is missing or its entries are unknown.

    Entries that are not CIDRs are left out."""
    entries = (prefix_lists or {}).get(list_id)
    if entries is None or (isinstance(entries, PrefixList) and not entries.cidrs_known):
        return None
    cidrs = entries.cidrs if isinstance(entries, PrefixList) else entries
    parsed = (n if isinstance(n, (ipaddress.IPv4Network, ipaddress.IPv6Network)) else network_of(n) for n in cidrs)
    return tuple(n for n in parsed if n is not None)
