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
