"""CIDR set helpers of the path model: hand-written cases and brute force over the addresses of a small universe."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st
from universe import ADDRESSES, inner_cidrs

from vpclint.path.networks import (
    as_network, collapse, fast_network, inside, intersect, prefix_list_networks, sort_key, subtract,
)
from vpclint.snapshot import PrefixList

net = ipaddress.ip_network


def addresses(networks) -> set:
    """Brute force: the universe's addresses inside any of the networks."""
    return {a for a in ADDRESSES if any(a in n for n in networks)}


def test_as_network_reads_networks_addresses_and_cidrs_with_host_bits():
    network = net("10.0.8.0/24")
    assert as_network(network) is network
    assert as_network("10.0.8.7") == net("10.0.8.7/32")
    assert as_network(ipaddress.ip_address("2001:db8::1")) == net("2001:db8::1/128")
    assert as_network("10.0.8.7/24") == network  # host bits are dropped, as parse_network does
    assert as_network("2001:db8::1/64") == net("2001:db8::/64")


def test_subtract_cuts_holes_and_keeps_what_no_cut_touches():
    assert subtract([net("10.0.0.0/24"), net("10.0.1.0/24")], [net("10.0.0.0/24")]) == (net("10.0.1.0/24"),)
    assert subtract([net("10.0.0.0/24")], [net("10.0.0.0/25")]) == (net("10.0.0.128/25"),)
    assert subtract([net("10.0.0.0/24"), net("::/0")], [net("0.0.0.0/0")]) == (net("::/0"),)


def test_subtract_of_everything_is_empty_whatever_cuts_follow():
    assert subtract([net("10.0.0.0/24")], [net("10.0.0.0/8"), net("10.0.0.0/16"), net("::/0")]) == ()
    assert subtract([], [net("10.0.0.0/8")]) == ()


def test_inside_and_intersect():
    assert intersect(net("10.0.0.0/8"), net("10.1.0.0/16")) == net("10.1.0.0/16")
    assert intersect(net("10.1.0.0/16"), net("10.0.0.0/8")) == net("10.1.0.0/16")
    assert intersect(net("10.1.0.0/16"), net("10.2.0.0/16")) is None
    assert intersect(net("0.0.0.0/0"), net("::/0")) is None
    assert inside([net("10.0.0.0/8"), net("2001:db8::/32")], [net("10.1.0.0/16"), net("10.2.0.0/16")]) == (
        net("10.1.0.0/16"),
        net("10.2.0.0/16"),
    )


def test_prefix_list_networks_reads_entries_and_leaves_out_junk():
    lists = {
        "pl-text": ["10.0.0.0/8", "junk", "2001:db8::/32"],
        "pl-parsed": [net("10.0.0.0/8")],
        "pl-known": PrefixList(prefix_list_id="pl-known", prefix_list_name="known", cidrs=["52.216.0.0/15"]),
        "pl-unknown": PrefixList(prefix_list_id="pl-unknown", prefix_list_name="unknown", cidrs=["52.216.0.0/15"], cidrs_known=False),
    }
    assert prefix_list_networks(lists, "pl-text") == (net("10.0.0.0/8"), net("2001:db8::/32"))
    assert prefix_list_networks(lists, "pl-parsed") == (net("10.0.0.0/8"),)
    assert prefix_list_networks(lists, "pl-known") == (net("52.216.0.0/15"),)
    assert prefix_list_networks(lists, "pl-unknown") is None
    assert prefix_list_networks(lists, "pl-missing") is None
    assert prefix_list_networks(None, "pl-text") is None


def _collapsed(networks: tuple) -> bool:
    """Sorted, and no two networks overlap or could merge into one."""
    return list(networks) == sorted(networks, key=sort_key) and networks == collapse(networks) and len(
        list(ipaddress.collapse_addresses(networks))
    ) == len(networks)


cidr_lists = st.lists(inner_cidrs().map(net), max_size=5)


@settings(max_examples=300, deadline=None)
@given(cidr_lists, cidr_lists)
def test_set_operations_equal_brute_force(first, second):
    union = collapse(first + second)
    assert addresses(union) == addresses(first) | addresses(second) and _collapsed(union)
    common = inside(first, second)
    assert addresses(common) == addresses(first) & addresses(second) and _collapsed(common)
    rest = subtract(first, second)
    assert addresses(rest) == addresses(first) - addresses(second) and _collapsed(rest)


def _reference(text: str, strict: bool):
    try:
        return ipaddress.ip_network(text, strict)
    except ValueError as error:
        return type(error)


@settings(max_examples=300)
@given(octets=st.lists(st.integers(0, 255), min_size=4, max_size=4), length=st.integers(-1, 34),
       form=st.sampled_from(["cidr", "address", "bad prefix"]), strict=st.booleans())
def test_fast_network_is_ip_network_for_every_text(octets, length, form, strict):
    """The fast path gives what ipaddress.ip_network gives (the network, or a ValueError), host bits and strictness
    included: 10.0.0.1/24 is refused when strict, one host bit (the lowest) as much as any."""
    address = ".".join(map(str, octets))
    text = {"cidr": f"{address}/{length}", "address": address, "bad prefix": f"{address}/x{length}"}[form]
    try:
        got = fast_network(text, strict)
    except ValueError as error:
        got = type(error)
    assert got == _reference(text, strict)


def test_fast_network_refuses_host_bits_when_strict():
    for text in ("10.0.0.1/24", "10.0.0.2/24", "10.0.0.128/24", "10.1.0.0/8"):
        try:
            fast_network(text)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{text} was taken with host bits set")
        assert fast_network(text, strict=False) == ipaddress.ip_network(text, strict=False)
