"""The links the checks of vpclint/path/checks.py name: which resource, which rule number to use, what text.

Cases patch the compliant base of the rule fixtures (one VPC, every flow private; see test_flows.py) or build a
network ACL by hand.
"""

from __future__ import annotations

import ipaddress

import pytest
from hubworld import peered_pair
from test_flows import base, find, paths, region_of

from vpclint.path.checks import (
    EPHEMERAL, HTTPS, Judge, acl_passes, acl_passes_all, check_workload_egress, egress_passes, free_rule_number,
)
from vpclint.path.groups import Peer
from vpclint.path.index import build_index
from vpclint.snapshot import NetworkAcl, NetworkAclEntry, Snapshot


def _acl(*numbers: int) -> NetworkAcl:
    return NetworkAcl(network_acl_id="acl-1", vpc_id="vpc-1", entries=[
        NetworkAclEntry(rule_number=n, egress=True, protocol="-1", rule_action="allow", cidr_block="0.0.0.0/0")
        for n in numbers
    ])


def test_a_free_rule_number_is_never_above_the_highest_number_aws_accepts():
    """AWS accepts rule numbers 1 to 32766: after a last rule near the top, the free number stays at 32766."""
    assert free_rule_number(_acl(32760), True, None) == 32766
    assert free_rule_number(_acl(32760, 32766), True, None) == 32765


def test_rule_number_one_is_free_before_a_deciding_rule_two():
    assert free_rule_number(_acl(2), True, 2) == 1
    assert free_rule_number(_acl(1, 2), True, 2) is None


def test_an_endpoint_sg_link_names_every_group_of_the_endpoint():
    """An endpoint with two groups, neither admitting the workloads: the link names both, comma-separated."""
    data = base()
    region = region_of(data)
    region["security_groups"].append(
        {"group_id": "sg-endpoints-2", "group_name": "more", "vpc_id": "vpc-app", "ingress": [], "egress": []}
    )
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = []
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["group_ids"] = ["sg-endpoints-2", "sg-endpoints"]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.group_ids) == (
        "blocked", "endpoint-sg", "sg-endpoints,sg-endpoints-2", ("sg-endpoints", "sg-endpoints-2")
    )
    assert flow.reason.startswith("vpce-dkr ingress: security groups sg-endpoints, sg-endpoints-2 allow TCP 443 inbound")


def test_an_endpoint_without_groups_in_a_vpc_without_a_default_group_admits_nobody():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["group_ids"] = []
    flow = paths(data)["subnet-priv-a"].flows["registry_api"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.group_ids) == (
        "blocked", "endpoint-sg", "(no security group)", ()
    )
    assert flow.reason == "vpce-api ingress: security groups (none) allow TCP 443 inbound from none of the peer; not 10.0.1.0/24"


def test_every_workload_group_set_must_be_admitted_by_the_endpoint():
    """Two group sets in one subnet; the endpoint admits members of one of them only: the other set is blocked."""
    data = base()
    region = region_of(data)
    region["security_groups"].append(
        {"group_id": "sg-batch", "group_name": "batch", "vpc_id": "vpc-app", "ingress": [],
         "egress": [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]}
    )
    region["network_interfaces"].append(
        {"network_interface_id": "eni-batch-a", "subnet_id": "subnet-priv-a", "vpc_id": "vpc-app", "interface_type": "interface",
         "attachment_instance_id": "i-batch", "group_ids": ["sg-batch"], "private_ips": ["10.0.1.11"]}
    )
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-batch"}
    ]
    result = paths(data)
    flow = result["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-sg", "sg-endpoints")
    assert flow.reason == ("vpce-dkr ingress: security group sg-endpoints allows TCP 443 inbound from none of the peer; "
                           "not 10.0.1.0/24")
    assert result["subnet-priv-b"].flows["registry"].link.kind == "endpoint-sg"


def _empty_isolated_subnet(data: dict) -> None:
    region = region_of(data)
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["subnet_id"] != "subnet-iso-b"]


def test_in_an_empty_subnet_a_referencing_rule_counts_with_a_note_to_join_the_group():
    data = base()
    _empty_isolated_subnet(data)
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-workloads"}
    ]
    flow = paths(data)["subnet-iso-b"].flows["registry"]
    assert (flow.path, flow.via) == ("endpoint", "vpce-dkr")
    assert "vpce-dkr admits only members of referenced security groups: put workloads in them" in flow.notes


def test_in_an_empty_subnet_a_reference_to_a_group_of_a_peered_vpc_admits_nobody():
    data = base()
    _empty_isolated_subnet(data)
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-workloads",
         "referenced_group_vpc_id": "vpc-peer", "vpc_peering_connection_id": "pcx-1"}
    ]
    flow = paths(data)["subnet-iso-b"].flows["registry_api"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-sg", "sg-endpoints")
    assert not any("admits only members" in note for note in flow.notes)


def test_in_an_empty_subnet_a_reference_naming_this_vpc_counts():
    """AWS may name the referenced group's VPC even when it is the endpoint's own: the reference still holds."""
    data = base()
    _empty_isolated_subnet(data)
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-workloads",
         "referenced_group_vpc_id": "vpc-app"}
    ]
    flow = paths(data)["subnet-iso-b"].flows["registry"]
    assert flow.path == "endpoint"
    assert "vpce-dkr admits only members of referenced security groups: put workloads in them" in flow.notes


def test_in_an_empty_spoke_subnet_a_hub_reference_across_the_peering_counts():
    data = peered_pair()
    region_of(data)["network_interfaces"] = [
        i for i in region_of(data)["network_interfaces"] if i["network_interface_id"] != "eni-vpc-spoke-a"
    ]
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-vpc-spoke",
         "vpc_peering_connection_id": "pcx-1", "referenced_group_vpc_id": "vpc-spoke"},
    ]
    flow = paths(data)["subnet-vpc-spoke-a"].flows["registry"]
    assert (flow.path, flow.via) == ("endpoint", "vpce-dkr")
    assert "vpce-dkr admits only members of referenced security groups: put workloads in them" in flow.notes


def test_an_endpoint_group_missing_from_the_snapshot_leaves_the_flow_unknown_naming_it():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["group_ids"] = ["sg-gone"]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link) == ("unknown", None)
    assert flow.reason.startswith("vpce-dkr's security groups sg-gone: ")
    assert flow.reason.endswith("; unknown: group sg-gone not found")


def test_a_subnet_in_no_network_acl_is_unknown_never_private():
    data = base()
    find(data, "network_acls", "network_acl_id", "acl-default")["subnet_ids"].remove("subnet-priv-a")
    result = paths(data)["subnet-priv-a"]
    assert result.verdict == "unknown"
    assert result.flows["layers"].reason == "no network ACL of subnet-priv-a is in the snapshot"


def test_an_acl_passing_only_some_reply_ports_from_an_endpoint_interface_blocks_the_registry():
    """The interface addresses are known: an ACL that allows part of the replies from them blocks, never unknown."""
    data = base()
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-b"], ["eni-dkr-b"]
    some_replies = {"rule_number": 100, "egress": False, "protocol": "6", "rule_action": "allow", "cidr_block": "0.0.0.0/0",
                    "from_port": 1024, "to_port": 2047}
    everything_out = {"rule_number": 100, "egress": True, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"}
    default = find(data, "network_acls", "network_acl_id", "acl-default")
    default["subnet_ids"].remove("subnet-priv-a")
    region_of(data)["network_acls"].append(
        {"network_acl_id": "acl-app", "vpc_id": "vpc-app", "subnet_ids": ["subnet-priv-a"], "entries": [some_replies, everything_out]}
    )
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.direction, flow.link.peer, flow.link.ports) == (
        "blocked", "network-acl", "acl-app", "inbound", "10.0.2.5/32", "1024-65535"
    )


def _app_acl(data: dict, *replies: dict) -> None:
    """subnet-priv-a on its own ACL: everything out, and TCP ``replies`` in (rules 100, 101, ...); vpce-dkr's
    interface in subnet-priv-b."""
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-b"], ["eni-dkr-b"]
    everything_out = {"rule_number": 100, "egress": True, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"}
    find(data, "network_acls", "network_acl_id", "acl-default")["subnet_ids"].remove("subnet-priv-a")
    region_of(data)["network_acls"].append({"network_acl_id": "acl-app", "vpc_id": "vpc-app", "subnet_ids": ["subnet-priv-a"],
                                            "entries": [*({"rule_number": 100 + n, "egress": False, "protocol": "6",
                                                           "rule_action": "allow", **r} for n, r in enumerate(replies)),
                                                        everything_out]})


@pytest.mark.parametrize("low, high, served", [
    (32768, 65535, "Linux's default 32768-60999 or Windows's default 49152-65535"),
    (32768, 60999, "Linux's default 32768-60999"),
    (49152, 65535, "Windows's default 49152-65535"),
    (32769, 65535, "Windows's default 49152-65535"),
])
def test_replies_allowed_on_a_clients_default_ephemeral_ports_only_are_unknown_not_blocked(low, high, served):
    """A hardened ACL letting replies in on 32768-65535 only: a Linux client (ports 32768-60999 unless set
    otherwise) or a Windows one (49152-65535) gets them; one whose ports were widened does not. Not known, then."""
    data = base()
    _app_acl(data, {"cidr_block": "0.0.0.0/0", "from_port": low, "to_port": high})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link) == ("unknown", None)
    assert flow.reason.startswith(f"acl-app allows the replies on only some ephemeral ports (implicit deny (no rule "
                                  f"allows TCP 1024-{low - 1} inbound from 10.0.2.5/32)")
    assert flow.reason.endswith(f"): clients using {served} get them, clients using other ports do not")


def test_replies_allowed_on_a_clients_ports_but_not_from_every_address_of_the_peer_still_block():
    """The layers' peers are S3's CIDRs (known): replies on the client ports allowed from half of 54.231.0.0/16
    only block; from all of it, not known. No common client range allowed whole blocks too."""
    client = {"from_port": 32768, "to_port": 65535}
    data = base()
    _app_acl(data, {"cidr_block": "3.5.0.0/19", **client}, {"cidr_block": "52.216.0.0/15", **client},
             {"cidr_block": "54.231.0.0/17", **client})
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.link.kind, flow.link.direction, flow.link.peer, flow.link.ports) == (
        "blocked", "network-acl", "inbound", "54.231.0.0/16", "1024-65535")
    region_of(data)["network_acls"][-1]["entries"][2]["cidr_block"] = "54.231.0.0/16"
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.link) == ("unknown", None)
    assert flow.reason.startswith("acl-app allows the replies on only some ephemeral ports (implicit deny (no rule "
                                  "allows TCP 1024-32767 inbound from 3.5.0.0/19)")
    data = base()
    _app_acl(data, {"cidr_block": "0.0.0.0/0", "from_port": 1024, "to_port": 32767})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.direction, flow.link.ports) == ("blocked", "network-acl", "inbound", "1024-65535")


def test_an_acl_denying_https_out_names_port_443_the_rule_and_a_free_number_of_that_direction():
    """The free number skips the numbers the outbound rules use (88 and 89), not those of the inbound rules."""
    data = base()
    deny = {"protocol": "6", "rule_action": "deny", "cidr_block": "0.0.0.0/0", "from_port": 443, "to_port": 443}
    entries = [
        {"rule_number": 88, "egress": True, "protocol": "17", "rule_action": "allow", "cidr_block": "0.0.0.0/0"},
        {"rule_number": 89, "egress": True, **deny},
        {"rule_number": 100, "egress": True, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"},
        {"rule_number": 87, "egress": False, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"},
    ]
    find(data, "network_acls", "network_acl_id", "acl-default")["entries"] = entries
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    link = flow.link
    assert (link.kind, link.direction, link.rule_number, link.ports, link.free_rule_number, link.subnet_id) == (
        "network-acl", "outbound", 89, "443", 87, "subnet-priv-a"
    )
    assert flow.reason == link.detail
    assert (link.detail, link.peer) == ("network ACL rule 89 denies TCP 443 outbound to 3.5.0.0/19", "3.5.0.0/19")


def test_workload_egress_to_only_some_addresses_of_an_endpoint_blocks_never_unknown():
    """The interface addresses are known: egress allowing one of two interfaces in a subnet blocks the flow."""
    data = base()
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"], endpoint["network_interface_ids"] = ["subnet-priv-b"], ["eni-dkr-b", "eni-dkr-b2"]
    region_of(data)["network_interfaces"].append(
        {"network_interface_id": "eni-dkr-b2", "subnet_id": "subnet-priv-b", "vpc_id": "vpc-app", "interface_type": "vpc_endpoint",
         "requester_managed": True, "group_ids": ["sg-endpoints"], "private_ips": ["10.0.2.8"]}
    )
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.2.5/32"},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/24"},
    ]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.group_ids) == (
        "blocked", "workload-sg", "sg-workloads", ("sg-workloads",)
    )
    assert flow.reason == ("egress to vpce-dkr: security group sg-workloads allows TCP 443 outbound to only part of the peer "
                           "(sg-workloads via 10.0.2.5/32); not 10.0.2.8/32")


def test_an_empty_subnet_says_its_egress_was_not_checked():
    data = base()
    _empty_isolated_subnet(data)
    flows = paths(data)["subnet-iso-b"].flows
    assert flows["registry"].notes == ("no workload interfaces yet: security-group egress not checked",)


def _egress(data: dict, group_id: str, *cidrs: str) -> None:
    find(data, "security_groups", "group_id", group_id)["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": c} for c in cidrs
    ]


def test_a_workload_sg_link_names_every_group_of_the_set_or_says_there_is_none():
    data = base()
    region_of(data)["security_groups"].append(
        {"group_id": "sg-extra", "group_name": "extra", "vpc_id": "vpc-app", "ingress": [],
         "egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/8"}]}
    )
    _egress(data, "sg-workloads", "10.0.0.0/8")
    find(data, "network_interfaces", "network_interface_id", "eni-task-a")["group_ids"] = ["sg-workloads", "sg-extra"]
    find(data, "network_interfaces", "network_interface_id", "eni-node-b")["group_ids"] = []
    result = paths(data)
    layers = result["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.link.kind, layers.link.resource_id, layers.link.group_ids) == (
        "blocked", "workload-sg", "sg-extra,sg-workloads", ("sg-extra", "sg-workloads")
    )
    none = result["subnet-priv-b"].flows["layers"]
    assert (none.path, none.link.kind, none.link.resource_id, none.link.group_ids) == (
        "blocked", "workload-sg", "(no security group)", ()
    )


def test_a_workload_group_missing_from_the_snapshot_leaves_the_flow_unknown():
    data = base()
    find(data, "network_interfaces", "network_interface_id", "eni-task-a")["group_ids"] = ["sg-gone"]
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.link) == ("unknown", None)
    assert flow.reason.startswith("security groups sg-gone: ") and flow.reason.endswith("unknown: group sg-gone not found")


def test_egress_to_part_of_the_internet_leaves_a_public_service_unknown_and_to_none_of_it_blocks():
    """The public service's addresses are not known: egress to part of 0.0.0.0/0 may or may not reach them."""
    data = base()
    region = region_of(data)
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["service"] != "ecr.dkr"]
    _egress(data, "sg-workloads", "10.0.0.0/8", "52.0.0.0/8")
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link) == ("unknown", None)
    assert flow.reason.startswith("security groups sg-workloads: security group sg-workloads allows TCP 443 outbound to only part")
    _egress(data, "sg-workloads")
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert flow.path == "blocked"
    assert (flow.link.kind, flow.link.resource_id) == ("workload-sg", "sg-workloads")


def test_replies_allowed_by_two_rules_that_split_the_ports_pass():
    """No single rule allows all of 1024-65535, so the ACL is decided entry by entry: allowed all the same."""
    data = base()
    _app_acl(data, {"cidr_block": "0.0.0.0/0", "from_port": 1024, "to_port": 30000},
             {"cidr_block": "0.0.0.0/0", "from_port": 30001, "to_port": 65535})
    result = paths(data)["subnet-priv-a"]
    assert {name: f.path for name, f in result.flows.items()} == {"registry_api": "endpoint", "registry": "endpoint",
                                                                 "layers": "endpoint"}
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    peer = ipaddress.ip_network("10.0.2.5/32")
    assert acl_passes(index, "subnet-priv-a", False, peer, EPHEMERAL) is True
    assert acl_passes_all(index, "subnet-priv-a", [peer], HTTPS, EPHEMERAL) is True
    assert acl_passes(index, "subnet-priv-a", False, peer, (1, 1023)) is False


def test_egress_allowed_by_two_rules_that_split_the_peer_passes():
    """No single rule admits all of 10.0.0.0/16, so the groups are decided rule by rule: allowed all the same."""
    data = base()
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/17"},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.128.0/17"}]
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    peer = Peer((ipaddress.ip_network("10.0.0.0/16"),), frozenset(), "vpc-app")
    assert egress_passes(index, [frozenset({"sg-workloads"})], peer) is True
    judge = Judge()
    check_workload_egress(index, judge, [frozenset({"sg-workloads"})], peer, "x")
    assert judge.quiet
