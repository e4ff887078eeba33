"""What runs in a subnet (vpclint/path/workloads.py): each interface's kind, and which subnets are workload subnets."""

from __future__ import annotations

import pytest
from test_flows import base, find, paths, region_of

from vpclint.path.workloads import interface_kind, subnet_workloads, workload_group_sets
from vpclint.snapshot import NetworkInterface


def _eni(**fields) -> NetworkInterface:
    return NetworkInterface(network_interface_id=fields.pop("network_interface_id", "eni-1"), **fields)


@pytest.mark.parametrize("interface_type, kind", [
    ("nat_gateway", "nat_gateway"),
    ("vpc_endpoint", "vpc_endpoint"),
    ("gateway_load_balancer", "load_balancer"),
    ("gateway_load_balancer_endpoint", "vpc_endpoint"),
    ("network_load_balancer", "load_balancer"),
    ("load_balancer", "load_balancer"),
    ("transit_gateway", "transit_gateway"),
    ("api_gateway_managed", "aws_managed"),
    ("aws_codestar_connections_managed", "aws_managed"),
    ("global_accelerator_managed", "aws_managed"),
    ("iot_rules_managed", "aws_managed"),
    ("quicksight", "aws_managed"),
    ("vpc_lattice", "aws_managed"),
    ("lambda", "lambda"),
])
def test_an_aws_managed_interface_type_names_its_infrastructure_kind(interface_type, kind):
    """The type decides even for an interface attached to an instance (a load balancer node's, say)."""
    assert interface_kind(_eni(interface_type=interface_type, attachment_instance_id="i-1")) == kind


@pytest.mark.parametrize("fields, kind", [
    ({"description": "AWS Lambda VPC ENI-my-function"}, "lambda"),
    ({"description": "ELB app/my-alb/123"}, "load_balancer"),
    ({"description": "arn:aws:ecs:us-east-1:111122223333:attachment/1", "requester_managed": True}, "ecs_task"),
    ({"description": "arn:aws-cn:ecs:cn-north-1:111122223333:attachment/1"}, "ecs_task"),
    ({"description": "arn:aws:lambda:us-east-1:111122223333:function:f"}, "other"),
    ({"description": "ecs task", "requester_managed": True}, "aws_managed"),
    ({"attachment_instance_id": "i-1", "description": "aws-K8S-i-1"}, "eks_node"),
    ({"attachment_instance_id": "i-1", "tags": {"node.k8s.amazonaws.com/instance_id": "i-1"}}, "eks_node"),
    ({"attachment_instance_id": "i-1", "tags": {"k8s.io/role": "node"}}, "ec2_instance"),
    ({"attachment_instance_id": "i-1", "requester_managed": True}, "ec2_instance"),
    ({}, "other"),
    ({"interface_type": None, "description": None}, "other"),
])
def test_an_interface_kind_from_its_description_instance_and_tags(fields, kind):
    assert interface_kind(_eni(**fields)) == kind


def test_the_owner_an_endpoint_or_nat_gateway_lists_decides_first():
    eni = _eni(description="arn:aws:ecs:us-east-1:111122223333:attachment/1")
    assert interface_kind(eni, {"eni-1": "vpc_endpoint"}) == "vpc_endpoint"
    assert interface_kind(eni, {"eni-2": "nat_gateway"}) == "ecs_task"
    assert interface_kind(eni, {}) == "ecs_task"


def test_a_private_subnet_is_a_workload_subnet_when_empty_or_holding_a_workload():
    assert subnet_workloads([]) == (True, [])
    assert subnet_workloads(["vpc_endpoint", "lambda"]) == (False, [])
    assert subnet_workloads(["other", "vpc_endpoint", "ecs_task", "ecs_task", "eks_node"]) == (
        True, ["ecs_task", "eks_node", "other"]
    )
    assert subnet_workloads(["ec2_instance"]) == (True, ["ec2_instance"])


def test_the_workload_group_sets_are_distinct_ordered_and_leave_out_infrastructure():
    interfaces = [
        _eni(group_ids=["sg-b"]), _eni(group_ids=["sg-a", "sg-c"]), _eni(group_ids=["sg-b"]), _eni(group_ids=["sg-e"]),
    ]
    kinds = ["ec2_instance", "ecs_task", "other", "vpc_endpoint"]
    assert workload_group_sets(interfaces, kinds) == [frozenset({"sg-a", "sg-c"}), frozenset({"sg-b"})]
    assert workload_group_sets(interfaces[:1], kinds[:1]) == [frozenset({"sg-b"})]
    assert workload_group_sets(interfaces[3:], kinds[3:]) == []


def test_a_subnet_lists_the_workload_kinds_of_its_interfaces():
    data = base()
    region_of(data)["network_interfaces"].append(
        {"network_interface_id": "eni-node-a", "subnet_id": "subnet-priv-a", "vpc_id": "vpc-app", "interface_type": "interface",
         "attachment_instance_id": "i-node-a", "description": "aws-K8S-i-node-a", "group_ids": ["sg-workloads"]}
    )
    find(data, "network_interfaces", "network_interface_id", "eni-node-b")["tags"] = {"node.k8s.amazonaws.com/x": "y"}
    result = paths(data)
    assert result["subnet-priv-a"].workloads == ("ecs_task", "eks_node")
    assert result["subnet-priv-b"].workloads == ("eks_node",)
    assert result["subnet-iso-b"].workloads == ("ec2_instance",)
