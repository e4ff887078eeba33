"""The checks of each endpoint interface a workload subnet reaches (vpclint.path.flows), when the shortcuts that
take an endpoint's subnets whole don't settle it: each interface's route, the workload subnet's ACL both ways, the
endpoint subnet's ACL and the workloads' security-group egress, in the order of the endpoint's subnets."""

from __future__ import annotations

from test_flows import ALLOW_ALL_IN, ALLOW_ALL_OUT, _own_acl, add_subnet, base, find, paths, region_of

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


def _layers_through_nat(data: dict) -> dict:
    """subnet-priv-a's route table loses its S3 gateway route: the layers go to S3's known CIDRs through the NAT
    gateway, and the registry too (its endpoint gone)."""
    region = data["regions"][0]
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-dkr"]
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"] = [r for r in table["routes"] if r.get("destination_prefix_list_id") != "pl-s3"]
    return data


def test_through_a_nat_gateway_the_layers_are_checked_against_s3_s_cidrs_and_the_registry_against_everywhere():
    """Egress to the S3 prefix list only: the layers (S3's CIDRs known) pass it, through the NAT gateway; the
    registry, whose addresses are not known, is admitted only in part, so unknown. Egress to one of S3's CIDRs
    only: part of known destinations, so the layers are blocked, naming what they were going to."""
    data = _layers_through_nat(base())
    group = find(data, "security_groups", "group_id", "sg-workloads")
    group["egress"] = [HTTPS_TO_S3, {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"}]
    result = paths(data)
    flows = result["subnet-priv-a"].flows
    assert (flows["layers"].path, flows["layers"].via) == ("nat", "nat-a")
    assert (flows["registry"].path, flows["registry_api"].path) == ("unknown", "endpoint")
    # subnet-priv-b shares the ACL and groups: its registry flow, judged after priv-a's layers, is unknown too
    assert result["subnet-priv-b"].flows["registry"].path == "unknown"
    group["egress"] = [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "52.216.0.0/15"}]
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.link.kind, layers.link.resource_id) == ("blocked", "workload-sg", "sg-workloads")
    assert layers.link.detail == (
        "egress to S3 in us-east-1: security group sg-workloads allows TCP 443 outbound to only part of the peer "
        "(sg-workloads via 52.216.0.0/15); not 3.5.0.0/19, 54.231.0.0/16")


def test_endpoints_in_different_subnets_are_each_checked_against_their_own_subnets_acls():
    """The registry endpoint alone moves to a subnet whose ACL admits HTTPS from subnet-priv-b only: the API
    endpoint's subnets let everything in, the registry endpoint's do not, so only the registry flow of
    subnet-priv-a is blocked there."""
    data = base()
    add_subnet(data, "subnet-ep-a", "10.0.60.0/24")
    dkr = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    dkr.update(subnet_ids=["subnet-ep-a"], network_interface_ids=["eni-dkr-a"])
    find(data, "network_interfaces", "network_interface_id", "eni-dkr-a").update(subnet_id="subnet-ep-a",
                                                                                 private_ips=["10.0.60.5"])
    only_priv_b = {"rule_number": 100, "egress": False, "protocol": "6", "rule_action": "allow",
                   "cidr_block": "10.0.2.0/24", "from_port": 443, "to_port": 443}
    _own_acl(data, "subnet-ep-a", [only_priv_b, ALLOW_ALL_OUT], acl_id="acl-endpoints")
    flows = paths(data)["subnet-priv-a"].flows
    assert flows["registry_api"].path == "endpoint"
    assert (flows["registry"].path, flows["registry"].link.kind, flows["registry"].link.resource_id) == (
        "blocked", "network-acl", "acl-endpoints")
    assert paths(data)["subnet-priv-b"].flows["registry"].path == "endpoint"


def test_filters_decided_for_s3_s_cidrs_are_not_taken_for_the_whole_internet():
    """subnet-priv-a has no default route, only S3's CIDRs to the NAT gateway: its registry flow is unknown (the
    registry's addresses are not known: those routes may carry it) and its layers pass the workloads' egress (to the
    S3 prefix list). subnet-priv-b, with the same ACL and
    groups, goes to the registry by the default route: that egress admits only part of the internet, so it is
    unknown, whatever was decided for S3's CIDRs before."""
    data = _layers_through_nat(base())
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"] = [r for r in table["routes"] if r.get("destination_cidr_block") != "0.0.0.0/0"] + [
        {"destination_cidr_block": cidr, "target_type": "nat_gateway", "target_id": "nat-a", "state": "active"}
        for cidr in ("3.5.0.0/19", "52.216.0.0/15", "54.231.0.0/16")]
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [HTTPS_TO_S3]
    result = paths(data)
    flows = result["subnet-priv-a"].flows
    assert (flows["registry"].path, flows["layers"].path) == ("unknown", "nat")
    assert flows["registry"].reason == ("rtb-priv-a has no default route, but its routes to public addresses (3.5.0.0/19, "
                                        "52.216.0.0/15, 54.231.0.0/16) may carry the service")
    assert result["subnet-priv-b"].flows["registry"].path == "unknown"


def test_a_workload_acl_denying_part_of_the_way_out_blocks_known_destinations_and_leaves_the_internet_unknown():
    """Through the NAT gateway: an ACL rule denying HTTPS out to, or the replies in from, half of one of S3's known
    CIDRs blocks the layers, naming the rule and that CIDR; the same ACL denying part of the internet leaves the registry (whose
    addresses are not known) unknown, since the registry may not be in that part."""
    for egress, ports in ((True, (443, 443)), (False, (1024, 65535))):
        data = _layers_through_nat(base())
        deny = {"rule_number": 50, "egress": egress, "protocol": "6", "rule_action": "deny", "cidr_block": "3.5.0.0/20",
                "from_port": ports[0], "to_port": ports[1]}
        _own_acl(data, "subnet-priv-a", [ALLOW_ALL_IN, ALLOW_ALL_OUT, deny], acl_id="acl-app")
        flows = paths(data)["subnet-priv-a"].flows
        link = flows["layers"].link
        assert (flows["layers"].path, link.kind, link.direction, link.rule_number, link.peer) == (
            "blocked", "network-acl", "outbound" if egress else "inbound", 50, "3.5.0.0/19"), egress
        registry = flows["registry"]
        assert (registry.path, registry.link) == ("unknown", None), egress
        assert registry.reason.startswith("acl-app allows only some addresses of 0.0.0.0/0: "), egress


def test_layers_sent_to_a_gateway_load_balancer_endpoint_by_s3_s_list_are_routed_not_private():
    """rtb-priv-a's S3 route goes to a firewall's GWLB endpoint instead of vpce-s3: the layers leave through the
    appliance (no promise of a private pull), and the workload filters are checked against S3's CIDRs."""
    data = base()
    region_of(data)["vpc_endpoints"].append({
        "vpc_endpoint_id": "vpce-fw", "vpc_id": "vpc-app", "vpc_endpoint_type": "GatewayLoadBalancer", "state": "available",
        "service_name": "com.amazonaws.vpce.us-east-1.vpce-svc-fw", "service_region": "us-east-1"})
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    next(r for r in table["routes"] if r.get("destination_prefix_list_id") == "pl-s3")["target_id"] = "vpce-fw"
    result = paths(data)["subnet-priv-a"]
    assert (result.flows["layers"].path, result.flows["layers"].via, result.verdict) == ("routed", "vpce-fw", "nat")
