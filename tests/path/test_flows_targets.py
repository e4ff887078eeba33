"""The checks of each endpoint interface a workload subnet reaches (vpclint.path.flows), when the shortcuts that
take an endpoint's subnets whole don't settle it: each interface's route, the workload subnet's ACL both ways, the
endpoint subnet's ACL and the workloads' security-group egress, in the order of the endpoint's subnets."""

from __future__ import annotations

from test_flows import ALLOW_ALL_IN, ALLOW_ALL_OUT, _own_acl, base, find, paths

HTTPS_TO_ENDPOINT_GROUP = {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-endpoints",
                           "referenced_group_vpc_id": "vpc-app"}
HTTPS_TO_S3 = {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_id": "pl-s3"}


def test_egress_to_the_endpoint_group_of_the_same_vpc_admits_each_interface_checked_one_by_one():
    """subnet-iso-b's ACL lets HTTPS out to the endpoint interfaces in subnet-priv-a but denies those in
    subnet-priv-b: the interfaces are checked one by one. Its workloads' only HTTPS egress references the endpoints'
    group (named with its VPC, as AWS may give it): the interfaces in subnet-priv-a pass that group check, so the
    flow is blocked by the ACL rule for subnet-priv-b, not by the group."""
    data = base()
    deny_priv_b = {"rule_number": 90, "egress": True, "protocol": "6", "rule_action": "deny",
                   "cidr_block": "10.0.2.0/24", "from_port": 443, "to_port": 443}
    _own_acl(data, "subnet-iso-b", [ALLOW_ALL_IN, ALLOW_ALL_OUT, deny_priv_b], acl_id="acl-iso")
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [HTTPS_TO_ENDPOINT_GROUP, HTTPS_TO_S3]
    flow = paths(data)["subnet-iso-b"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.rule_number) == (
        "blocked", "network-acl", "acl-iso", 90)
    find(data, "network_acls", "network_acl_id", "acl-iso")["entries"].remove(deny_priv_b)
    assert paths(data)["subnet-iso-b"].flows["registry"].path == "endpoint"


def _through_transit_gateway(data: dict) -> dict:
    """subnet-priv-a's default route goes to a transit gateway (a central egress VPC), and the registry has no
    endpoint in the VPC: its flow leaves the VPC, routed."""
    region = data["regions"][0]
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-dkr"]
    default = next(r for r in find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"]
                   if r.get("destination_cidr_block") == "0.0.0.0/0")
    default.update(target_type="transit_gateway", target_id="tgw-egress")
    return data


def test_a_flow_routed_out_of_the_vpc_must_pass_the_workloads_egress_and_acl_too():
    data = _through_transit_gateway(base())
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via) == ("routed", "tgw-egress")
    group = find(data, "security_groups", "group_id", "sg-workloads")
    group["egress"] = [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/8"}, HTTPS_TO_S3]
    flow = paths(data)["subnet-priv-a"].flows["registry"]  # the public service's addresses are not known
    assert (flow.path, flow.via) == ("unknown", "tgw-egress")
    assert "sg-workloads allows TCP 443 outbound to only part of the peer" in flow.reason
    group["egress"] = []
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "workload-sg", "sg-workloads")
