"""The links that depend on the IP family: the endpoint's IP address and DNS record types, and the IPv6 way out
of the VPC.

* An interface endpoint takes IPv6 only with IP address type ``ipv6`` or ``dualstack``, and its private DNS name
  answers AAAA only with DNS record IP type ``ipv6`` or ``dualstack``. An IPv6-only subnet has no IPv4 address to
  use the A record with, so an ``ipv4`` endpoint (or an ``ipv4`` DNS record type) blocks its flow: link
  ``endpoint-ip-type`` (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html, "IP
  address type" and "DNS record IP type"). ``service-defined`` and unread types are unknown, never assumed.
* The other way round, DNS record IP type ``ipv6`` creates AAAA records only ("Create AAAA records for the private,
  Regional, and zonal DNS names"; IP address type ``ipv6`` allows no other), so a client without an IPv6 address
  can't use the endpoint: link ``endpoint-ip-type`` too. A dual-stack client uses the AAAA record, over IPv6
  (:func:`vpclint.path.ipv6_flows.registry_flows`). Every other type, and an unread one (AWS's default is
  ``ipv4``), gives the private DNS name A records.
* An S3 gateway endpoint carries IPv6 only with IP address type ``ipv6`` or ``dualstack``
  (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html, "IP address type").
* The IPv6 way out is the default route ``::/0``, normally to an egress-only internet gateway: outbound-only IPv6
  to the internet, with no NAT gateway and so no NAT data processing (path ``routed``). A more specific IPv6 route
  outside the VPC's IPv6 CIDRs and the unique-local range may carry part of a public service: unknown. So may a
  route to a prefix list with such an IPv6 entry, or whose entries were not read (as over IPv4,
  :func:`vpclint.path.ways.public_way`), other than a gateway endpoint's own route.
"""

from __future__ import annotations

import ipaddress
from typing import Optional

from vpclint.path.checks import Judge, Link
from vpclint.path.index import Network, RegionIndex
from vpclint.path.networks import contains
from vpclint.path.ways import Way, list_may_hold, no_default, path_of, route_way
from vpclint.snapshot import RouteTable, VpcEndpoint

IPV6_TYPES = ("ipv6", "dualstack")
"""IP address types (and DNS record IP types) that carry (answer) IPv6."""
DEFAULT_IPV6 = "::/0"
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
"""No public service address is in the unique-local range."""


def _takes_ipv6(value: Optional[str]) -> Optional[bool]:
    """True/False for a type that does/doesn't carry IPv6; None when unread or ``service-defined``."""
    kind = (value or "").lower()
    if kind in IPV6_TYPES:
        return True
    return False if kind == "ipv4" else None


def gateway_takes_ipv6(endpoint: VpcEndpoint) -> Optional[bool]:
    """Whether a gateway endpoint carries IPv6 traffic (None: its IP address type was not read)."""
    return _takes_ipv6(endpoint.ip_address_type)


def answers_aaaa_only(endpoint: VpcEndpoint) -> bool:
    """True when the endpoint's DNS names answer AAAA records only (DNS record IP type or IP address type ``ipv6``)."""
    return "ipv6" in ((endpoint.dns_record_ip_type or "").lower(), (endpoint.ip_address_type or "").lower())


def check_ip_type(judge: Judge, endpoint: VpcEndpoint, source: Network) -> None:
    """From an IPv6 ``source``: the interface endpoint must take IPv6 and its DNS name answer AAAA. From an IPv4
    one: its DNS name must answer A records."""
    via = endpoint.vpc_endpoint_id
    if source.version != 6:
        if answers_aaaa_only(endpoint):
            kind = "DNS record IP type" if (endpoint.dns_record_ip_type or "").lower() == "ipv6" else "IP address type"
            judge.block(Link("endpoint-ip-type", via, f"{via} has {kind} ipv6: its name answers AAAA records only, and "
                                                      f"the subnet has no IPv6 address to reach it with"))
        return
    for value, what, why in (
        (endpoint.ip_address_type, "IP address type", "its interfaces have no IPv6 address"),
        (endpoint.dns_record_ip_type, "DNS record IP type", "its private DNS name answers no AAAA record"),
    ):
        takes = _takes_ipv6(value)
        if takes is None:
            judge.not_known(f"{via}'s {what} is {value or 'not read'}: whether an IPv6-only subnet reaches it is not known")
        elif not takes:
            judge.block(Link("endpoint-ip-type", via, f"{via} has {what} {value}: {why}, so an IPv6-only subnet can't reach it"))


def public_way6(index: RegionIndex, judge: Judge, table: RouteTable, what: str) -> Way:
    """The IPv6 way to a public service whose addresses are not known: the default route ``::/0``, unless a more
    specific IPv6 route to possibly public addresses may take part of it (all of it, when the default route is
    missing or a blackhole: the way is then unknown rather than blocked)."""
    specific = public_ipv6_routes(index, table)
    default = next((r for r in table.routes if r.destination_ipv6_cidr_block == DEFAULT_IPV6), None)
    if specific and path_of(default) == "blocked":
        judge.not_known(f"{table.route_table_id} has {no_default(default)}, but its IPv6 routes to public addresses "
                        f"({', '.join(specific)}) may carry {what}")
        return Way("unknown", None, f"the route to {what} over IPv6 is not known")
    if specific:
        judge.not_known(f"{table.route_table_id} has IPv6 routes to public addresses ({', '.join(specific)}) that may carry part of {what}")
    way = route_way(judge, table, default, f"{what} over IPv6")
    if default is not None and default.target_type == "egress_only_internet_gateway" and way.path == "routed":
        return Way("routed", way.via, f"{what} over IPv6 leaves through egress-only internet gateway {way.via} (no NAT data processing)")
    return way


def public_ipv6_routes(index: RegionIndex, table: RouteTable) -> list[str]:
    """The destinations (sorted) of the table's IPv6 routes other than ``::/0`` that may hold public addresses:
    outside the VPC's IPv6 CIDRs and the unique-local range; and the prefix lists, by id, holding such an IPv6
    entry or whose entries were not read, except a gateway endpoint's own route."""
    vpc = index.vpcs.get(table.vpc_id)
    own = [n for n in (index.network(c) for c in (vpc.ipv6_cidr_blocks if vpc else [])) if n is not None]
    found = []
    for route in table.routes:
        if route.destination_prefix_list_id:
            if list_may_hold(index, table, route, lambda n: n.version == 6 and not _not_public(n, own)):
                found.append(route.destination_prefix_list_id)
        elif route.destination_ipv6_cidr_block and route.destination_ipv6_cidr_block != DEFAULT_IPV6 \
                and not _not_public(index.network(route.destination_ipv6_cidr_block), own):
            found.append(route.destination_ipv6_cidr_block)
    return sorted(found)


def _not_public(network: Optional[Network], own: list[Network]) -> bool:
    return network is None or any(contains(n, network) for n in (UNIQUE_LOCAL, *own))
