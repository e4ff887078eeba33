"""A small address universe for the path evaluators' property tests: brute force enumerates every address of it."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

UNIVERSE = ipaddress.ip_network("10.0.0.0/26")
ADDRESSES = list(UNIVERSE)
OUTSIDE = ["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/25", "10.0.0.64/26", "10.0.1.0/24", "::/0", "2001:db8::/32", "junk"]


@st.composite
def inner_cidrs(draw: st.DrawFn) -> str:
    """A CIDR inside the universe (/26 to /32)."""
    prefixlen = draw(st.integers(UNIVERSE.prefixlen, 32))
    size = 2 ** (32 - prefixlen)
    start = draw(st.integers(0, UNIVERSE.num_addresses // size - 1)) * size
    return f"{UNIVERSE.network_address + start}/{prefixlen}"


cidrs = st.one_of(inner_cidrs(), inner_cidrs(), st.sampled_from(OUTSIDE))
"""Mostly CIDRs inside the universe; sometimes around it, beside it, IPv6 or junk."""


def network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The parsed CIDR or None (the reference's own parser)."""
    try:
        return ipaddress.ip_network(cidr)
    except ValueError:
        return None


def holds(cidr: str | None, address: ipaddress.IPv4Address) -> bool:
    """True when the CIDR parses and contains the address."""
    parsed = network(cidr) if cidr else None
    return parsed is not None and parsed.version == address.version and address in parsed


def fields(name: str, ipv4: str, ipv6: str, prefix_list: str = "", group: str = "") -> dict[str, str]:
    """The model field ``name`` goes in: a prefix list ("pl-"), a group ("sg-"), an IPv6 CIDR (a colon) or else IPv4."""
    if name.startswith("pl-") and prefix_list:
        return {prefix_list: name}
    if name.startswith("sg-") and group:
        return {group: name}
    return {ipv6 if ":" in name else ipv4: name}
