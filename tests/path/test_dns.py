"""Where a service name resolves, branch by branch (vpclint.path.dns): the kind of answer and the reason it gives."""

from __future__ import annotations

import pytest

from vpclint.path.dns import custom_dns_servers, is_amazon_resolver, resolve
from vpclint.snapshot import Vpc, VpcEndpoint

NAME = "dkr.ecr.us-east-1"


def vpc(support=True, hostnames=True, cidrs=("10.0.0.0/16",)) -> Vpc:
    return Vpc(vpc_id="vpc-1", cidr_blocks=list(cidrs), enable_dns_support=support, enable_dns_hostnames=hostnames)


def endpoint(endpoint_id: str, private_dns: bool) -> VpcEndpoint:
    return VpcEndpoint(vpc_endpoint_id=endpoint_id, vpc_id="vpc-1", private_dns_enabled=private_dns)


@pytest.mark.parametrize("server, cidrs, expected", [
    ("AmazonProvidedDNS", [], True),
    ("169.254.169.253", [], True),
    ("fd00:ec2::253", [], True),
    ("10.0.0.2", ["10.0.0.0/16"], True),
    ("10.0.0.2", ["10.0.0.5/16"], True),  # host bits in a CIDR are ignored, as AWS writes the network
    ("10.1.0.2", ["junk", "10.1.0.0/16"], True),  # a junk CIDR is skipped, the next one still counts
    ("10.0.0.3", ["10.0.0.0/16"], False),
    ("10.9.0.2", ["10.0.0.0/16"], False),
    ("2600::2", ["10.0.0.0/16"], False),  # another IP version never matches
    ("dns.corp.example", ["10.0.0.0/16"], False),
])
def test_the_amazon_resolver_by_name_or_address(server, cidrs, expected):
    assert is_amazon_resolver(server, cidrs) is expected


def test_custom_servers_are_those_that_are_not_the_amazon_resolver():
    assert custom_dns_servers(None, ["10.0.0.0/16"]) is None
    assert custom_dns_servers([], ["10.0.0.0/16"]) == []
    assert custom_dns_servers(["10.0.0.2", "10.0.0.53", "AmazonProvidedDNS"], ["10.0.0.0/16"]) == ["10.0.0.53"]


@pytest.mark.parametrize("support, servers", [(None, ["AmazonProvidedDNS"]), (True, None), (None, None)])
def test_unread_attributes_or_dhcp_options_are_unknown(support, servers):
    answer = resolve(vpc(support=support), servers, [endpoint("vpce-1", True)], NAME)
    assert (answer.kind, answer.reason, answer.endpoint) == (
        "unknown", "vpc-1's DNS attributes or DHCP options could not be read", None)


def test_no_dhcp_options_set_is_unknown():
    answer = resolve(vpc(), [], [], NAME)
    assert answer.kind == "unknown"
    assert answer.reason == ("vpc-1 has no DHCP options set: Nitro instances then use the Amazon resolver, Xen "
                             "instances get no DNS server")


def test_custom_servers_are_unknown_naming_them():
    answer = resolve(vpc(), ["10.0.0.53", "10.0.1.53"], [], NAME)
    assert (answer.kind, answer.reason) == (
        "unknown", f"vpc-1 uses custom DNS servers 10.0.0.53, 10.0.1.53: what they answer for {NAME} is not known")


def test_dns_support_off_answers_nothing():
    answer = resolve(vpc(support=False), ["AmazonProvidedDNS"], [endpoint("vpce-1", True)], NAME)
    assert (answer.kind, answer.reason) == ("none", "vpc-1 has enableDnsSupport off: the Amazon resolver answers nothing")


def test_private_dns_answers_with_the_endpoint_of_lowest_id():
    endpoints = [endpoint("vpce-b", True), endpoint("vpce-a", True), endpoint("vpce-0", False)]
    answer = resolve(vpc(), ["AmazonProvidedDNS"], endpoints, NAME)
    assert (answer.kind, answer.reason, answer.endpoint.vpc_endpoint_id) == (
        "endpoint", f"{NAME} resolves to vpce-a (private DNS)", "vpce-a")


def test_hostnames_unread_with_private_dns_is_unknown():
    answer = resolve(vpc(hostnames=None), ["AmazonProvidedDNS"], [endpoint("vpce-1", True)], NAME)
    assert (answer.kind, answer.reason) == ("unknown", "vpc-1's enableDnsHostnames could not be read")
    assert resolve(vpc(hostnames=None), ["AmazonProvidedDNS"], [], NAME).kind == "public"  # no private DNS asked


def test_hostnames_off_sends_the_name_to_the_public_service():
    answer = resolve(vpc(hostnames=False), ["AmazonProvidedDNS"], [endpoint("vpce-1", True)], NAME)
    assert (answer.kind, answer.reason, answer.endpoint) == (
        "public", f"vpc-1 has enableDnsHostnames off, so {NAME} resolves to the public service", None)


def test_private_dns_off_names_the_endpoints():
    answer = resolve(vpc(), ["AmazonProvidedDNS"], [endpoint("vpce-b", False), endpoint("vpce-a", False)], NAME)
    assert (answer.kind, answer.reason) == (
        "public", f"vpce-a, vpce-b has private DNS off, so {NAME} resolves to the public service")


def test_no_endpoint_is_the_public_service():
    answer = resolve(vpc(), ["169.254.169.253"], [], NAME)
    assert (answer.kind, answer.reason) == ("public", f"no interface endpoint: {NAME} resolves to the public service")
