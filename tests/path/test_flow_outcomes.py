"""A flow's outcome as users read it (vpclint.path.flows): blocked, else unknown, else the way's path, each with
the reason, the way's target (``via``), the link that decides, the notes that don't, and the parts of S3 that a
more specific route takes away from the gateway (``diverted``)."""

from __future__ import annotations

from test_flows import add_subnet, base, find, paths, region_of
from test_ipv6 import ipv6_account

from vpclint.path.flows import Flow

DIVERTED = ({"cidr": "52.216.0.0/15", "route": "52.216.0.0/15", "target_type": "nat_gateway", "target_id": "nat-a"},)
CROSS_AZ = "vpce-dkr has no interface in us-east-1a: the flow crosses AZs (cost, availability)"


def _part_of_s3_through_nat(data: dict) -> dict:
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"].append(
        {"destination_cidr_block": "52.216.0.0/15", "target_type": "nat_gateway", "target_id": "nat-a", "state": "active"})
    return data


def test_a_blocked_flow_keeps_its_way_s_target_and_the_parts_diverted():
    data = _part_of_s3_through_nat(base())
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = []
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.via, flow.link.kind, flow.notes, flow.diverted) == ("blocked", "nat-a", "workload-sg", (), DIVERTED)
    assert flow.reason == flow.link.detail == (
        "egress to S3 in us-east-1: security group sg-workloads allows TCP 443 outbound to none of the peer; "
        "not 3.5.0.0/19, 52.216.0.0/15, 54.231.0.0/16")


def test_an_unknown_flow_keeps_its_way_s_target_and_the_parts_diverted():
    """A route to a customer prefix list whose entries were not read could take any part of S3: unknown, naming
    it; the part a known route takes through the NAT gateway is still listed."""
    data = _part_of_s3_through_nat(base())
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"].append(
        {"destination_prefix_list_id": "pl-corp", "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"})
    region_of(data)["prefix_lists"].append(
        {"prefix_list_id": "pl-corp", "prefix_list_name": "corp", "owner_id": "111122223333", "cidrs_known": False})
    assert paths(data)["subnet-priv-a"].flows["layers"] == Flow(
        "layers", "s3", "unknown", "the entries of prefix list(s) pl-corp were not read: the route to 3.5.0.0/19 is not known",
        "nat-a", None, (), DIVERTED)


def test_blocked_and_unknown_flows_keep_their_notes():
    """The registry endpoint only in us-east-1b: subnet-priv-a's flow crosses AZs (a note), and its policy is
    malformed (unknown) or denies (blocked); the note stays either way."""
    data = base()
    dkr = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    dkr.update(subnet_ids=["subnet-priv-b"], network_interface_ids=["eni-dkr-b"], policy={"Statements": []})
    assert paths(data)["subnet-priv-a"].flows["registry"] == Flow(
        "registry", "ecr.dkr", "unknown",
        "vpce-dkr's policy is malformed: the endpoint policy is malformed: unknown top-level element(s) Statements",
        "vpce-dkr", None, (CROSS_AZ,), ())
    dkr["policy"] = {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via, flow.link.kind, flow.notes, flow.diverted) == ("blocked", "vpce-dkr", "endpoint-policy", (CROSS_AZ,), ())


def test_a_service_whose_addresses_route_locally_is_unknown_with_no_target():
    """S3's prefix list naming addresses inside the VPC (and no gateway route): the local route takes S3, which
    vpclint can't promise anything about."""
    data = base()
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"] = [r for r in table["routes"] if r.get("destination_prefix_list_id") != "pl-s3"]
    find(data, "prefix_lists", "prefix_list_id", "pl-s3")["cidrs"] = ["10.0.200.0/24"]
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert flow == Flow("layers", "s3", "unknown", "S3 in us-east-1 is local: the service's addresses route locally", None, None, ())
    assert flow.to_dict()["notes"] == []


def test_the_registry_flows_are_named_by_their_own_service():
    flows = paths(base())["subnet-priv-a"].flows
    assert (flows["registry_api"].reason, flows["registry"].reason) == (
        "api.ecr.us-east-1 through vpce-api", "dkr.ecr.us-east-1 through vpce-dkr")


def test_a_registry_flow_to_the_public_service_names_it_in_its_links():
    """Without a registry endpoint: the workloads' egress blocking the way out names the registry; over IPv6,
    a public route beside ::/0 and a missing ::/0 name the public service endpoint."""
    data = base()
    region_of(data)["vpc_endpoints"] = [e for e in region_of(data)["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-dkr"]
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = []
    assert paths(data)["subnet-priv-a"].flows["registry"].link.detail == (
        "egress to dkr.ecr.us-east-1: security group sg-workloads allows TCP 443 outbound to none of the peer; not 0.0.0.0/0")
    data = ipv6_account()
    region_of(data)["vpc_endpoints"] = [e for e in region_of(data)["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-s3"]
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"].append({"destination_ipv6_cidr_block": "2600:1f00::/24", "target_type": "transit_gateway",
                            "target_id": "tgw-1", "state": "active"})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via, flow.reason) == ("unknown", "eigw-1", "rtb-priv-a has IPv6 routes to public addresses "
                                                  "(2600:1f00::/24) that may carry part of the public service endpoint")
    table["routes"] = [r for r in table["routes"] if r.get("destination_ipv6_cidr_block") not in ("::/0", "2600:1f00::/24")]
    assert paths(data)["subnet-priv-a"].flows["registry"].link.detail == (
        "rtb-priv-a has no route to the public service endpoint over IPv6")


def test_the_api_flow_asks_the_endpoint_policy_for_any_resource_and_the_registry_flow_for_repositories():
    """ecr:GetAuthorizationToken is not a repository action: an API endpoint policy allowing ECR only on
    repositories blocks it; the registry endpoint with the same policy allows the pull."""
    repositories_only = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*",
                                        "Resource": "arn:aws:ecr:us-east-1:*:repository/*"}]}
    data = base()
    for endpoint_id in ("vpce-api", "vpce-dkr"):
        find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)["policy"] = repositories_only
    flows = paths(data)["subnet-priv-a"].flows
    assert (flows["registry_api"].path, flows["registry_api"].link.kind, flows["registry_api"].link.resource_id) == (
        "blocked", "endpoint-policy", "vpce-api")
    assert flows["registry"].path == "endpoint"


def test_the_layers_through_the_gateway_must_pass_the_workloads_egress_to_all_of_s3():
    data = base()
    group = find(data, "security_groups", "group_id", "sg-workloads")
    group["egress"] = [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "52.216.0.0/15"}]
    flow = paths(data)["subnet-priv-a"].flows["layers"]  # S3's CIDRs are known: part of them is a block
    assert (flow.path, flow.via, flow.link.kind, flow.link.detail) == (
        "blocked", "vpce-s3", "workload-sg", "egress to S3 in us-east-1: security group sg-workloads allows TCP 443 "
        "outbound to only part of the peer (sg-workloads via 52.216.0.0/15); not 3.5.0.0/19, 54.231.0.0/16")


def test_an_s3_gateway_not_available_blocks_the_layers_and_one_being_created_or_modified_is_unknown():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3")["state"] = "Deleting"
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.detail) == (
        "blocked", "endpoint-state", "vpce-s3", "vpce-s3 is in state Deleting, not available")
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3")["state"] = "Pending"
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.via, flow.link) == ("unknown", "vpce-s3", None)
    assert flow.reason == "vpce-s3 is in state Pending (being created or modified): whether it serves the flow is not known"


def test_subnets_sharing_a_route_table_and_acl_each_get_a_link_naming_themselves():
    """Two workload subnets with the same route table, ACL and groups share their layers flow, except a link
    that names a subnet: the ACL denying part of S3 is named for each subnet on its own."""
    data = base()
    region = region_of(data)
    add_subnet(data, "subnet-priv-a2", "10.0.3.0/24")
    region["network_interfaces"].append({
        "network_interface_id": "eni-task-a2", "subnet_id": "subnet-priv-a2", "vpc_id": "vpc-app",
        "availability_zone": "us-east-1a", "interface_type": "interface", "attachment_instance_id": "i-a2",
        "group_ids": ["sg-workloads"], "private_ips": ["10.0.3.10"]})
    acl = find(data, "network_acls", "network_acl_id", "acl-default")
    acl["subnet_ids"] = sorted(acl["subnet_ids"] + ["subnet-priv-a2"])
    acl["entries"].append({"rule_number": 50, "egress": True, "protocol": "6", "rule_action": "deny",
                           "cidr_block": "3.5.0.0/19", "from_port": 443, "to_port": 443})
    result = paths(data)
    for subnet_id in ("subnet-priv-a", "subnet-priv-a2"):
        link = result[subnet_id].flows["layers"].link
        assert (link.kind, link.resource_id, link.rule_number, link.subnet_id) == ("network-acl", "acl-default", 50, subnet_id)


def test_egress_to_the_s3_prefix_list_admits_the_layers_even_when_its_entries_were_not_read():
    """The gateway's route and the workloads' egress name the same prefix list: whatever its entries, the egress
    admits S3 through the gateway."""
    data = base()
    find(data, "prefix_lists", "prefix_list_id", "pl-s3").update(cidrs=[], cidrs_known=False)
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_id": "pl-s3"},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"}]
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.via, flow.link) == ("endpoint", "vpce-s3", None)


def test_without_s3_s_prefix_list_in_the_snapshot_the_layers_take_the_gateway_if_the_filters_allow_everything():
    """S3's addresses are not known, but the gateway endpoint's route takes all of S3 (AWS adds it, to S3's list):
    through the gateway, when the ACL and egress allow every address; egress to some CIDRs only is unknown."""
    data = base()
    region_of(data)["prefix_lists"] = []
    assert paths(data)["subnet-priv-a"].flows["layers"] == Flow(
        "layers", "s3", "endpoint", "S3 in us-east-1 through gateway endpoint vpce-s3", "vpce-s3", None, (), ())
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "52.0.0.0/8"}]
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert (flow.path, flow.via, flow.link) == ("unknown", "vpce-s3", None)
