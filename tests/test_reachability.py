"""Security-group reachability for TCP 443 (vpclint.reachability): ports, protocols, networks and default groups.

AWS reports an all-traffic rule (protocol ``-1``) with ports -1/-1 (or none): it admits every port, 443 included.
"""

from __future__ import annotations

import pytest

from vpclint.reachability import admits_https, https_coverage, network_contains, parse_network, resolve_groups


@pytest.mark.parametrize("rule", [
    {"protocol": "-1", "from_port": -1, "to_port": -1},
    {"protocol": "-1", "from_port": None, "to_port": None},
    {"protocol": "-1"},
    {"protocol": "tcp", "from_port": -1, "to_port": -1},
    {"protocol": "TCP", "from_port": 443, "to_port": 443},
    {"protocol": "6", "from_port": 443, "to_port": 443},
    {"protocol": "tcp", "from_port": 443, "to_port": 444},
    {"protocol": "tcp", "from_port": 442, "to_port": 443},
    {"protocol": "tcp", "from_port": 443},
    {"protocol": "tcp", "to_port": 443},
], ids=["all-traffic-minus-one", "all-traffic-null-ports", "all-traffic-no-ports", "tcp-minus-one", "TCP-upper",
        "protocol-number", "range-starts-at-443", "range-ends-at-443", "no-to-port", "no-from-port"])
def test_rules_admitting_https(rule):
    assert admits_https(rule) is True


@pytest.mark.parametrize("rule", [
    {"protocol": "tcp", "from_port": 444, "to_port": 444},
    {"protocol": "tcp", "from_port": 442, "to_port": 442},
    {"protocol": "tcp", "from_port": 80, "to_port": 80},
    {"protocol": "udp", "from_port": 443, "to_port": 443},
    {"protocol": "17", "from_port": -1, "to_port": -1},
    {"protocol": "icmp", "from_port": -1, "to_port": -1},
    {"protocol": None, "from_port": 443, "to_port": 443},
    {"from_port": 443, "to_port": 443},
], ids=["444", "442", "80", "udp", "udp-number-all-ports", "icmp", "null-protocol", "no-protocol"])
def test_rules_not_admitting_https(rule):
    assert admits_https(rule) is False


def sg(group_id: str, *ingress: dict, name: str = "") -> dict:
    return {"group_id": group_id, "group_name": name or group_id, "ingress": list(ingress)}


SUBNETS = [{"subnet_id": "subnet-b", "cidr_block": "10.0.2.0/24"}, {"subnet_id": "subnet-a", "cidr_block": "10.0.1.0/24"}]


def test_an_all_traffic_rule_with_minus_one_ports_covers_every_subnet_in_its_cidr():
    everything = {"protocol": "-1", "from_port": -1, "to_port": -1, "cidr_ipv4": "10.0.0.0/16"}
    coverage = https_coverage(["sg-1"], SUBNETS, {"sg-1": sg("sg-1", everything)})
    assert coverage["uncovered"] == []
    assert coverage["rules_checked"] == [{"group_id": "sg-1", **everything}]
    assert [s["subnet_id"] for s in coverage["subnets"]] == ["subnet-a", "subnet-b"]  # sorted by id
    assert coverage["subnets"][0] == {
        "subnet_id": "subnet-a", "cidr_block": "10.0.1.0/24", "ipv6_cidr_blocks": [], "allowed": True,
        "allowed_by": {"group_id": "sg-1", "via": "cidr", "source": "10.0.0.0/16"},
    }
    assert (coverage["groups_checked"], coverage["default_group_used"], coverage["groups_not_found"]) == (["sg-1"], None, [])


def test_rules_checked_keep_only_https_rules_and_drop_null_fields():
    web = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.1.0/24", "cidr_ipv6": None}
    ssh = {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "10.0.0.0/16"}
    coverage = https_coverage(["sg-1"], SUBNETS, {"sg-1": sg("sg-1", ssh, web)})
    assert coverage["rules_checked"] == [{"group_id": "sg-1", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.1.0/24"}]
    assert coverage["uncovered"] == ["subnet-b"]
    assert coverage["subnets"][1]["allowed"] is False and coverage["subnets"][1]["allowed_by"] is None


def test_a_subnet_without_any_cidr_is_covered_only_by_a_group_or_prefix_list():
    bare = [{"subnet_id": "subnet-x"}]
    wide = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}
    assert https_coverage(["sg-1"], bare, {"sg-1": sg("sg-1", wide)})["uncovered"] == ["subnet-x"]
    listed = {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_id": "pl-1"}
    covered = https_coverage(["sg-1"], bare, {"sg-1": sg("sg-1", listed)})
    assert covered["subnets"][0]["allowed_by"] == {"group_id": "sg-1", "via": "prefix_list", "source": "pl-1"}


def test_an_ipv6_only_subnet_needs_every_cidr_inside_the_source():
    subnet = [{"subnet_id": "subnet-6", "ipv6_cidr_blocks": ["2600:1f18::/64", "2600:1f19::/64"]}]
    one = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": "2600:1f18::/56"}
    both = {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": "2600:1f18::/31"}
    assert https_coverage(["sg-1"], subnet, {"sg-1": sg("sg-1", one)})["uncovered"] == ["subnet-6"]
    covered = https_coverage(["sg-1"], subnet, {"sg-1": sg("sg-1", both)})
    assert covered["subnets"][0]["allowed_by"] == {"group_id": "sg-1", "via": "cidr", "source": "2600:1f18::/31"}
    assert covered["subnets"][0]["ipv6_cidr_blocks"] == ["2600:1f18::/64", "2600:1f19::/64"]


def test_resolve_groups_sorts_dedupes_and_finds_the_default_group():
    groups = {"sg-2": sg("sg-2"), "sg-def": sg("sg-def", name="default")}
    assert resolve_groups(["sg-2", "sg-9", "sg-2"], groups) == (["sg-2", "sg-9"], None, ["sg-9"])
    assert resolve_groups([], groups) == (["sg-def"], "sg-def", [])


def test_network_contains_needs_the_same_version_and_both_networks():
    v4, v6 = parse_network("10.0.0.0/16"), parse_network("2600::/16")
    assert network_contains(v4, parse_network("10.0.1.0/24")) is True
    assert network_contains(parse_network("10.0.1.0/24"), v4) is False
    assert network_contains(v4, v4) is True
    assert not network_contains(v6, v4) and not network_contains(v4, v6)
    assert not network_contains(None, v4) and not network_contains(v4, None)
    assert parse_network("") is None and parse_network("10.0.0.300/8") is None


def test_a_referenced_group_admits_every_subnet_and_names_itself_as_the_source():
    referenced = {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-app"}
    coverage = https_coverage(["sg-1"], SUBNETS, {"sg-1": sg("sg-1", referenced)})
    assert coverage["uncovered"] == []
    assert [s["allowed_by"] for s in coverage["subnets"]] == [
        {"group_id": "sg-1", "via": "security_group", "source": "sg-app"}] * 2
