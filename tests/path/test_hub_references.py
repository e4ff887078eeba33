"""Security group references to a hub endpoint across a transit gateway (vpclint.path.hub): AWS's security group
referencing over a transit gateway (``SecurityGroupReferencingSupport`` on the gateway and its VPC attachments)
"is not supported for PrivateLink endpoints" (Transit Gateway guide, tgw-vpc-attachments.html#vpc-attachment-security),
so only a CIDR admits a spoke subnet to a hub interface endpoint over a transit gateway, whatever the options say;
the block names the referencing rule and says why. Across peering a reference still counts."""

from __future__ import annotations

import ipaddress
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubworld import find, hub_and_spoke, peered_pair, region_of
from test_hub import SPOKE_A, SPOKE_B, paths

HTTPS = {"protocol": "tcp", "from_port": 443, "to_port": 443}
REFERENCE = {**HTTPS, "referenced_group_id": "sg-vpc-spoke", "referenced_group_vpc_id": "vpc-spoke"}
OPTIONS = st.sampled_from(["enable", "disable", None])
RULES = [
    {**HTTPS, "cidr_ipv4": "10.0.0.0/16"},  # the hub's own CIDR
    {**HTTPS, "cidr_ipv4": "10.1.0.0/16"},  # the whole spoke
    {**HTTPS, "cidr_ipv4": "10.1.1.0/24"},  # spoke subnet a only
    {**HTTPS, "cidr_ipv4": "10.1.2.0/25"},  # half of spoke subnet b
    {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_ipv4": "10.1.0.0/16"},  # not HTTPS
    REFERENCE,
    {**HTTPS, "referenced_group_id": "sg-vpc-spoke"},  # no VpcId on the pair
    {**HTTPS, "referenced_group_id": "sg-vpc-spoke", "referenced_group_vpc_id": "vpc-spoke",
     "vpc_peering_connection_id": "pcx-1"},  # a peering reference
    {**HTTPS, "referenced_group_id": "sg-endpoints"},  # the hub group's self-reference
]
SUBNET_CIDRS = {SPOKE_A: "10.1.1.0/24", SPOKE_B: "10.1.2.0/24"}


def over_gateway(ingress: list[dict], options: tuple[Optional[str], Optional[str]] = ("enable", "enable")) -> dict:
    """The hub and spoke over tgw-1, the hub endpoints' group with ``ingress``, and the hub's and the spoke's
    attachment with ``SecurityGroupReferencingSupport`` ``options``."""
    data = hub_and_spoke()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = ingress
    hub, spoke = region_of(data)["transit_gateway_attachments"]
    hub["security_group_referencing_support"], spoke["security_group_referencing_support"] = options
    return data


def registry(data: dict, subnet: str = SPOKE_A) -> Any:
    return paths(data)[subnet].flows["registry"]


@pytest.mark.parametrize("options", [("enable", "enable"), ("disable", "enable"), ("enable", None), (None, None)])
def test_a_reference_to_the_spoke_workloads_never_admits_them_across_a_transit_gateway(options):
    flow = registry(over_gateway([REFERENCE], options))
    assert (flow.path, flow.link.kind, flow.link.group_ids, flow.link.peer) == (
        "blocked", "hub-endpoint-sg", ("sg-endpoints",), "10.1.1.0/24")
    assert ("sg-endpoints's reference to sg-vpc-spoke admits nobody across tgw-1: AWS does not support security group "
            "referencing over a transit gateway for PrivateLink endpoints") in flow.link.detail
    enabled = [a for a, o in zip(("tgw-attach-hub", "tgw-attach-spoke"), options) if o == "enable"]
    assert (f"(even where enabled: {', '.join(enabled)})" in flow.link.detail) == bool(enabled)
    assert flow.link.detail.endswith("so admit the CIDR")


def test_the_spoke_cidr_admits_it_with_or_without_the_reference():
    assert registry(over_gateway([REFERENCE, {**HTTPS, "cidr_ipv4": "10.1.0.0/16"}])).path == "endpoint"


def test_a_block_without_a_reference_to_the_workloads_says_nothing_of_referencing():
    flow = registry(over_gateway([{**HTTPS, "cidr_ipv4": "10.0.0.0/16"}, {**HTTPS, "referenced_group_id": "sg-endpoints"}]))
    assert flow.path == "blocked" and "referencing" not in flow.link.detail


def test_in_a_subnet_without_workloads_a_reference_to_a_group_of_the_spoke_is_named():
    data = over_gateway([REFERENCE])
    region_of(data)["network_interfaces"] = [i for i in region_of(data)["network_interfaces"] if i["vpc_id"] != "vpc-spoke"]
    flow = registry(data)
    assert flow.path == "blocked" and "sg-endpoints's reference to sg-vpc-spoke admits nobody" in flow.link.detail


def test_across_peering_the_reference_still_counts_and_a_block_there_names_no_gateway():
    data = peered_pair()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [{**REFERENCE, "vpc_peering_connection_id": "pcx-1"}]
    assert registry(data).path == "endpoint"
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [{**REFERENCE, "vpc_peering_connection_id": "pcx-9"}]
    flow = registry(data)
    assert flow.path == "blocked" and "referencing" not in flow.link.detail


def _brute_force(ingress: list[dict], cidr: str) -> str:
    """The registry flow's path by AWS's rules: over a transit gateway only an HTTPS rule whose CIDR holds the
    whole subnet admits it (references never do, for a PrivateLink endpoint)."""
    subnet = ipaddress.ip_network(cidr)
    for rule in ingress:
        if rule["from_port"] <= 443 <= rule["to_port"] and rule.get("cidr_ipv4"):
            if subnet.subnet_of(ipaddress.ip_network(rule["cidr_ipv4"])):
                return "endpoint"
    return "blocked"


@settings(max_examples=60, deadline=None)
@given(ingress=st.lists(st.sampled_from(RULES), max_size=4), hub_option=OPTIONS, spoke_option=OPTIONS,
       subnet=st.sampled_from([SPOKE_A, SPOKE_B]))
def test_over_a_transit_gateway_only_cidrs_admit_whatever_the_options(ingress, hub_option, spoke_option, subnet):
    """Against the brute force above: the options never change the outcome, and a block names the references to
    the workloads' group (no peering connection on the pair) exactly when the hub groups have one."""
    flow = registry(over_gateway(ingress, (hub_option, spoke_option)), subnet)
    assert flow.path == _brute_force(ingress, SUBNET_CIDRS[subnet])
    if flow.path == "blocked":
        assert (flow.link.kind, flow.link.peer) == ("hub-endpoint-sg", SUBNET_CIDRS[subnet])
        named = any(r.get("referenced_group_id") == "sg-vpc-spoke" and not r.get("vpc_peering_connection_id") for r in ingress)
        assert ("sg-endpoints's reference to sg-vpc-spoke admits nobody across tgw-1" in flow.link.detail) == named
