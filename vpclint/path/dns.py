"""Where a service name resolves for the workloads of a VPC: to an interface endpoint or to the public service.

The Amazon resolver answers a service name (``api.ecr.<region>.amazonaws.com``, ``<account>.dkr.ecr...``) with
the interface IPs of the VPC's endpoint for that service when the endpoint has private DNS on and the VPC has
both ``enableDnsSupport`` and ``enableDnsHostnames``; otherwise with the service's public addresses. Custom DNS
servers may forward to the resolver or not: what they answer is not known from the network configuration.

The Amazon resolver is named ``AmazonProvidedDNS`` in a DHCP options set, or by address: ``169.254.169.253``,
``fd00:ec2::253`` or the base of the VPC's IPv4 network plus two (https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Optional

from vpclint.snapshot import Vpc, VpcEndpoint

AMAZON_PROVIDED_DNS = "AmazonProvidedDNS"
RESOLVER_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.253"), ipaddress.ip_address("fd00:ec2::253")})


def is_amazon_resolver(server: str, vpc_cidrs: Iterable[str]) -> bool:
    """True when a DHCP ``domain-name-servers`` value names the Amazon resolver (by name or by address)."""
    if server == AMAZON_PROVIDED_DNS:
        return True
    try:
        address = ipaddress.ip_address(server.strip())
    except ValueError:
        return False
    if address in RESOLVER_ADDRESSES:
        return True
    for cidr in vpc_cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if network.version == address.version and network.network_address + 2 == address:
            return True
    return False


def custom_dns_servers(servers: Optional[list[str]], vpc_cidrs: Iterable[str]) -> Optional[list[str]]:
    """The DNS servers that are not the Amazon resolver (None when the DHCP options were not read)."""
    if servers is None:
        return None
    cidrs = list(vpc_cidrs)
    return [s for s in servers if not is_amazon_resolver(s, cidrs)]


@dataclass(slots=True)  # never changed once built; not frozen: a frozen dataclass costs four times as much to build
class DnsAnswer:
    """How a service name resolves: ``endpoint`` (to ``endpoint``'s interfaces), ``public``, ``unknown`` (with
    the reason) or ``none`` (nothing resolves: the VPC's DNS support is off or it has no DNS servers)."""

    kind: str
    reason: str
    endpoint: Optional[VpcEndpoint] = None
    zone_id: Optional[str] = None  # the private hosted zone that answers (or lacks the record: kind none)
    rule_id: Optional[str] = None  # the Resolver rule that forwards the name
    target: Optional[str] = None  # an endpoint a record names that is not in the snapshot


def resolver_answer(vpc: Vpc, dns_servers: Optional[list[str]], name: str) -> Optional[DnsAnswer]:
    """The answer for ``name`` when the VPC's resolver settings decide it alone (unread, no DHCP servers, custom
    servers, DNS support off); None when the Amazon resolver answers."""
    if vpc.enable_dns_support is None or dns_servers is None:
        return DnsAnswer("unknown", f"{vpc.vpc_id}'s DNS attributes or DHCP options could not be read")
    if not dns_servers:
        return DnsAnswer(
            "unknown",
            f"{vpc.vpc_id} has no DHCP options set: Nitro instances then use the Amazon resolver, Xen instances get "
            "no DNS server",
        )
    custom = custom_dns_servers(dns_servers, vpc.cidr_blocks)
    if custom:
        return DnsAnswer(
            "unknown", f"{vpc.vpc_id} uses custom DNS servers {', '.join(custom)}: what they answer for {name} is not known"
        )
    if not vpc.enable_dns_support:
        return DnsAnswer("none", f"{vpc.vpc_id} has enableDnsSupport off: the Amazon resolver answers nothing")
    return None


def resolve(vpc: Vpc, dns_servers: Optional[list[str]], endpoints: list[VpcEndpoint], name: str) -> DnsAnswer:
    """Resolve service ``name`` for the workloads of ``vpc``, given its DHCP ``dns_servers`` (None: unread) and
    its same-region interface ``endpoints`` of that service (no private hosted zone or Resolver rule: see
    :mod:`vpclint.path.zones`)."""
    answer = resolver_answer(vpc, dns_servers, name)
    return answer if answer is not None else endpoint_answer(vpc, endpoints, name)


def endpoint_answer(vpc: Vpc, endpoints: list[VpcEndpoint], name: str) -> DnsAnswer:
    """:func:`resolve` once the Amazon resolver answers (:func:`resolver_answer` gave None): the endpoint's private
    DNS or the public service."""
    private = [e for e in endpoints if e.private_dns_enabled]
    if private and vpc.enable_dns_hostnames is None:
        return DnsAnswer("unknown", f"{vpc.vpc_id}'s enableDnsHostnames could not be read")
    if private and vpc.enable_dns_hostnames:
        endpoint = min(private, key=lambda e: e.vpc_endpoint_id)
        return DnsAnswer("endpoint", f"{name} resolves to {endpoint.vpc_endpoint_id} (private DNS)", endpoint)
    if private:
        return DnsAnswer("public", f"{vpc.vpc_id} has enableDnsHostnames off, so {name} resolves to the public service")
    if endpoints:
        ids = ", ".join(sorted(e.vpc_endpoint_id for e in endpoints))
        return DnsAnswer("public", f"{ids} has private DNS off, so {name} resolves to the public service")
    return DnsAnswer("public", f"no interface endpoint: {name} resolves to the public service")
