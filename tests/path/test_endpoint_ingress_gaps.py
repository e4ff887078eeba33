"""Which workload subnets an ECR interface endpoint's security groups fail to admit, whatever DNS answers today
(vpclint.path.coverage, gathered per VPC by vpclint.path.region.region_paths)."""

from __future__ import annotations

import copy

from hubworld import BASE, find, hub_and_spoke
from vpclint.path.index import build_index
from vpclint.path.region import region_paths
from vpclint.snapshot import Snapshot


def gaps_of(data: dict, vpc_ids=None) -> tuple[dict, dict]:
    snapshot = Snapshot.model_validate(data)
    region = snapshot.regions[0]
    return region_paths(build_index(snapshot, region), region.subnets, vpc_ids)


def test_an_endpoint_group_admitting_one_subnet_leaves_the_other_workload_subnets_as_gaps():
    data = copy.deepcopy(BASE)
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.1.0/24"}]
    paths, gaps = gaps_of(data)
    assert sorted(gaps) == ["vpce-api", "vpce-dkr"]  # ECR interface endpoints only: not logs, not the S3 gateway
    for endpoint in ("vpce-api", "vpce-dkr"):
        assert [(g["subnet_id"], g["cidr_block"]) for g in gaps[endpoint]] == [
            ("subnet-priv-b", "10.0.2.0/24"), ("subnet-iso-b", "10.0.50.0/24")]  # subnet-pub-a runs no workload
        assert all("sg-endpoints" in g["detail"] and g["cidr_block"] in g["detail"] for g in gaps[endpoint]), gaps[endpoint]
    assert set(paths) == {s["subnet_id"] for s in data["regions"][0]["subnets"]}


def test_groups_admitting_every_workload_subnet_leave_no_gap():
    _, gaps = gaps_of(copy.deepcopy(BASE))
    assert gaps == {"vpce-api": [], "vpce-dkr": []}


def test_an_endpoint_without_groups_is_judged_by_its_vpcs_default_group():
    data = copy.deepcopy(BASE)
    region = data["regions"][0]
    region["security_groups"].append({"group_id": "sg-default", "group_name": "default", "vpc_id": "vpc-app", "egress": [],
                                      "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.2.0/24"}]})
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["group_ids"] = []
    _, gaps = gaps_of(data)
    assert [g["subnet_id"] for g in gaps["vpce-api"]] == ["subnet-priv-a", "subnet-iso-b"]
    assert all("sg-default" in g["detail"] for g in gaps["vpce-api"]) and gaps["vpce-dkr"] == []


def test_only_the_vpcs_asked_for_are_judged_and_their_endpoints_against_their_own_subnets():
    data = hub_and_spoke()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.1.0/24"}]
    paths, gaps = gaps_of(data, {"vpc-spoke"})
    assert sorted(paths) == ["subnet-vpc-spoke-a", "subnet-vpc-spoke-b"] and gaps == {}  # the hub's endpoints: not asked
    _, gaps = gaps_of(data, {"vpc-app"})
    assert [g["subnet_id"] for g in gaps["vpce-dkr"]] == ["subnet-priv-b", "subnet-iso-b"]  # not the spoke's subnets


def test_an_endpoint_answering_aaaa_only_has_no_ipv4_gaps_and_a_subnet_without_ipv4_is_none():
    data = copy.deepcopy(BASE)
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = []
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["dns_record_ip_type"] = "ipv6"
    subnet = find(data, "subnets", "subnet_id", "subnet-priv-a")  # listed before the others
    subnet.update(cidr_block=None, ipv6_cidr_blocks=["2600:1f18::/64"])
    _, gaps = gaps_of(data)
    assert gaps["vpce-api"] == []
    assert [g["subnet_id"] for g in gaps["vpce-dkr"]] == ["subnet-priv-b", "subnet-iso-b"]


def test_a_rule_admitting_a_referenced_group_admits_its_members_and_a_subnet_without_workloads_yet():
    """An endpoint group that admits only members of sg-workloads: subnets whose workloads are in it are no gap,
    nor is a workload subnet without interfaces yet (membership is not known; the flow notes the group to use);
    a subnet whose workloads are in another group is."""
    data = copy.deepcopy(BASE)
    region = data["regions"][0]
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-workloads"}]
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["network_interface_id"] != "eni-iso-b"]
    region["security_groups"].append({"group_id": "sg-other", "group_name": "other", "vpc_id": "vpc-app", "ingress": [],
                                      "egress": [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]})
    find(data, "network_interfaces", "network_interface_id", "eni-node-b")["group_ids"] = ["sg-other"]
    paths, gaps = gaps_of(data)
    for endpoint in ("vpce-api", "vpce-dkr"):
        assert [g["subnet_id"] for g in gaps[endpoint]] == ["subnet-priv-b"], gaps[endpoint]
    assert paths["subnet-iso-b"].workload
