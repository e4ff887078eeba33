"""The checks every way to an interface endpoint shares (vpclint.path.endpoints): the endpoint policy, decided
with the request context every request through the endpoint has (``aws:SourceVpce``, ``aws:SourceVpc``); the
endpoint subnet's network ACL, both ways; and each endpoint's own interface addresses."""

from __future__ import annotations

import pytest
from hubworld import hub_and_spoke
from test_flows import ALLOW_ALL_IN, ALLOW_ALL_OUT, _own_acl, base, find, paths, region_of

from vpclint.path.checks import Judge
from vpclint.path.endpoints import _local_inside, check_reply_routes
from vpclint.path.index import build_index
from vpclint.path.ways import is_local
from vpclint.snapshot import Route, RouteTable, Snapshot


def dkr_policy(data: dict, statement: dict) -> None:
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["policy"] = {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize("key, value", [("aws:SourceVpc", "vpc-app"), ("aws:SourceVpce", "vpce-dkr")])
def test_a_policy_allowing_only_requests_through_this_endpoint_or_its_vpc_allows_the_pull(key, value):
    data = base()
    dkr_policy(data, {"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": "*",
                      "Condition": {"StringEquals": {key: value}}})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.notes) == ("endpoint", ())  # decided, not merely conditional
    dkr_policy(data, {"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": "*",
                      "Condition": {"StringEquals": {key: value + "-other"}}})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-policy", "vpce-dkr")


def test_a_policy_allowing_only_some_source_addresses_blocks_the_pull_through_the_endpoint():
    """No request through a VPC endpoint has aws:SourceIp: an Allow only from corporate addresses never applies
    (before, the flow was private with a note that the policy allows it only conditionally)."""
    data = base()
    dkr_policy(data, {"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": "*",
                      "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-policy", "vpce-dkr")
    assert "the known request context fails the conditions of statement 0" in flow.link.detail
    dkr_policy(data, {"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": "*",
                      "Condition": {"IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}}})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.notes) == ("endpoint", ())


def test_a_malformed_policy_leaves_the_flow_unknown_saying_why():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["policy"] = {"Statements": []}
    result = paths(data)["subnet-priv-a"]
    flow = result.flows["registry"]
    assert (flow.path, result.verdict) == ("unknown", "unknown")
    assert flow.reason.startswith("vpce-dkr's policy is malformed: ") and "Statements" in flow.reason
    assert result.flows["registry_api"].path == "endpoint"


def test_an_endpoint_subnet_acl_denying_the_replies_to_a_workload_subnet_breaks_its_registry_flows():
    """The endpoint subnets' ACL lets HTTPS in from everywhere but not the replies out to subnet-iso-b: its
    registry flows are blocked there, outbound; the workloads inside the endpoint subnets are not affected."""
    data = base()
    deny_replies = {"rule_number": 50, "egress": True, "protocol": "6", "rule_action": "deny",
                    "cidr_block": "10.0.50.0/24", "from_port": 1024, "to_port": 65535}
    for subnet_id, acl_id in (("subnet-priv-a", "acl-ep-a"), ("subnet-priv-b", "acl-ep-b")):
        _own_acl(data, subnet_id, [ALLOW_ALL_IN, ALLOW_ALL_OUT, deny_replies], acl_id=acl_id)
    result = paths(data)
    flow = result["subnet-iso-b"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.direction, flow.link.rule_number, flow.link.ports) == (
        "blocked", "network-acl", "outbound", 50, "1024-65535")
    assert flow.link.resource_id in ("acl-ep-a", "acl-ep-b")
    assert result["subnet-iso-b"].flows["layers"].path == "endpoint"  # the S3 gateway: no endpoint subnet
    assert {result[s].verdict for s in ("subnet-priv-a", "subnet-priv-b")} == {"private"}


@pytest.mark.parametrize("world, group_id, subnet_id", [
    (base, "sg-workloads", "subnet-priv-a"),  # the endpoints in the workloads' VPC
    (hub_and_spoke, "sg-vpc-spoke", "subnet-vpc-spoke-a"),  # a spoke reaching the hub's endpoints
])
def test_each_endpoint_is_reached_at_its_own_interface_addresses(world, group_id, subnet_id):
    """Workload egress to the registry endpoint's two addresses only: the registry flows pass, the API's, whose
    endpoint has other addresses, are blocked by the same group (in the VPC and through a hub alike)."""
    data = world()
    dkr_addresses = [find(data, "network_interfaces", "network_interface_id", eni)["private_ips"][0]
                     for eni in ("eni-dkr-a", "eni-dkr-b")]
    find(data, "security_groups", "group_id", group_id)["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": f"{address}/32"} for address in dkr_addresses
    ] + [{"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_id": "pl-s3"}]
    flows = paths(data)[subnet_id].flows
    assert (flows["registry"].path, flows["registry"].via, flows["layers"].path) == ("endpoint", "vpce-dkr", "endpoint")
    assert (flows["registry_api"].path, flows["registry_api"].link.kind) == ("blocked", "workload-sg")


def test_each_endpoint_s_policy_decides_its_own_flow():
    """A registry endpoint denying everything and an API endpoint allowing everything, decided in one visit of
    the VPC: only the registry flow is blocked, by its own endpoint's policy."""
    data = base()
    dkr_policy(data, {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["policy"] = {
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    for subnet_id in ("subnet-priv-a", "subnet-iso-b"):
        flows = paths(data)[subnet_id].flows
        assert (flows["registry"].path, flows["registry"].link.kind, flows["registry"].link.resource_id) == (
            "blocked", "endpoint-policy", "vpce-dkr")
        assert (flows["registry_api"].path, flows["layers"].path) == ("endpoint", "endpoint")


@pytest.mark.parametrize("world, endpoint_id, flow_name, other_flow, subnet_id", [
    (base, "vpce-api", "registry_api", "registry", "subnet-priv-a"),
    (hub_and_spoke, "vpce-dkr", "registry", "registry_api", "subnet-vpc-spoke-a"),
])
def test_an_endpoint_being_created_or_modified_leaves_its_own_flow_unknown(world, endpoint_id, flow_name, other_flow, subnet_id):
    """pending: a new endpoint, or one whose subnets or options are being changed, which AWS keeps serving on the
    interfaces it has. Whether it serves the flow is not known; a block later on the way still counts."""
    data = world()
    find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)["state"] = "pending"
    flows = paths(data)[subnet_id].flows
    assert (flows[flow_name].path, flows[flow_name].link, flows[flow_name].reason) == (
        "unknown", None, f"{endpoint_id} is in state pending (being created or modified): whether it serves the flow "
                         "is not known")
    assert flows[other_flow].path == "endpoint"


@pytest.mark.parametrize("world, endpoint_id, flow_name, other_flow, subnet_id", [
    (base, "vpce-api", "registry_api", "registry", "subnet-priv-a"),  # the endpoint in the workloads' VPC
    (hub_and_spoke, "vpce-dkr", "registry", "registry_api", "subnet-vpc-spoke-a"),  # a hub's endpoint
])
def test_an_endpoint_without_interfaces_or_not_available_blocks_its_own_flow_only(
    world, endpoint_id, flow_name, other_flow, subnet_id
):
    data = world()
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)
    endpoint.update(network_interface_ids=[], subnet_ids=[])
    flows = paths(data)[subnet_id].flows
    assert (flows[flow_name].path, flows[flow_name].link.kind, flows[flow_name].link.detail) == (
        "blocked", "endpoint-state", f"{endpoint_id} has no interface in any subnet")
    assert flows[other_flow].path == "endpoint"
    del endpoint["state"]
    flow = paths(data)[subnet_id].flows[flow_name]
    assert (flow.link.kind, flow.link.detail) == ("endpoint-state", f"{endpoint_id} is in state unknown, not available")
    endpoint["state"] = "pendingAcceptance"
    flow = paths(data)[subnet_id].flows[flow_name]
    assert (flow.link.kind, flow.link.detail) == ("endpoint-state", f"{endpoint_id} is in state pendingAcceptance, not available")


def test_an_endpoint_subnet_the_snapshot_does_not_hold_leaves_its_flow_unknown():
    """vpce-dkr also lists subnet-gone (left out, or made after the subnets were read), and an interface there:
    the regional name answers that interface too, and the way to it is not known."""
    data = base()
    endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")
    endpoint["subnet_ids"] += ["subnet-gone", "subnet-away"]
    flows = paths(data)["subnet-priv-a"].flows
    assert (flows["registry"].path, flows["registry"].reason) == (
        "unknown", "vpce-dkr has interfaces in subnet-away, subnet-gone, which the snapshot does not hold")
    assert flows["registry_api"].path == "endpoint"
    endpoint["subnet_ids"] = []
    interface = find(data, "network_interfaces", "network_interface_id", endpoint["network_interface_ids"][0])
    interface["subnet_id"] = "subnet-gone-too"  # known only through its interface
    endpoint["network_interface_ids"] = endpoint["network_interface_ids"][:1]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link, flow.reason) == (
        "unknown", None, "vpce-dkr has interfaces in subnet-gone-too, which the snapshot does not hold")


def test_the_endpoint_subnets_route_back_to_the_workload_subnet_must_be_the_local_one():
    """The replies from vpce-dkr's interface in subnet-priv-b follow rtb-priv-b: a longer route there for
    subnet-priv-a's CIDR to a blackhole drops them (blocked, naming rtb-priv-b); to a firewall appliance it is
    not known. subnet-priv-b itself (the interface in its own subnet) is not affected by its own table's route."""
    data = base()
    back = {"destination_cidr_block": "10.0.1.0/24", "target_type": "network_interface", "target_id": "eni-fw",
            "state": "blackhole"}
    find(data, "route_tables", "route_table_id", "rtb-priv-b")["routes"].append(back)
    result = paths(data)
    flow = result["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.detail) == (
        "blocked", "route", "rtb-priv-b", "rtb-priv-b sends 10.0.1.0/24 to 10.0.1.0/24 -> network_interface eni-fw, a blackhole")
    back["state"] = "active"
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.reason) == ("unknown", "rtb-priv-b sends the replies from subnet-priv-b to 10.0.1.0/24 "
                                                   "through eni-fw, not the local route: vpclint does not follow that way back")
    assert paths(base())["subnet-priv-a"].verdict == "private"


def test_a_table_whose_local_route_takes_the_whole_vpc_routes_every_subnet_locally():
    """_local_inside, the shortcut for the replies' route: only a route more specific than a VPC CIDR (or a list
    whose entries are not known) can take part of the VPC from the local route; then each subnet is routed on its
    own (is_local agrees with the shortcut whenever the shortcut holds)."""
    data = base()
    region_of(data)["prefix_lists"].append({"prefix_list_id": "pl-dark", "prefix_list_name": "dark", "cidrs_known": False})
    region_of(data)["prefix_lists"].append({"prefix_list_id": "pl-corp", "prefix_list_name": "corp", "cidrs": ["10.0.1.0/25"]})
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    local = Route(destination_cidr_block="10.0.0.0/16", target_type="local", target_id="local")
    wide = [Route(destination_cidr_block="0.0.0.0/0", target_type="nat_gateway", target_id="nat-a"),
            Route(destination_cidr_block="10.0.0.0/8", target_type="transit_gateway", target_id="tgw-1"),
            Route(destination_prefix_list_id="pl-s3", target_type="vpc_endpoint", target_id="vpce-s3")]
    cases = [([local, *wide], True), ([*wide], False),  # no local route
             ([local, *wide, Route(destination_cidr_block="10.0.1.0/24", target_type="network_interface", target_id="eni-fw")], False),
             ([local, Route(destination_prefix_list_id="pl-dark", target_type="transit_gateway", target_id="tgw-1")], False),
             ([local, Route(destination_prefix_list_id="pl-corp", target_type="transit_gateway", target_id="tgw-1")], False),
             ([local.model_copy(update={"state": "blackhole"})], False)]
    for routes, expected in cases:
        table = RouteTable(route_table_id="rtb-x", vpc_id="vpc-app", routes=routes)
        assert _local_inside(index, table) is expected, routes
        if expected:
            assert all(is_local(index, table, index.network(s.cidr_block)) for s in index.subnets.values())
    assert _local_inside(index, RouteTable(route_table_id="rtb-y", vpc_id="vpc-gone", routes=[local])) is False
    # a second CIDR whose local route was replaced by a middlebox's: that CIDR is not local
    index.vpcs["vpc-app"] = index.vpcs["vpc-app"].model_copy(update={"cidr_blocks": ["10.0.0.0/16", "10.1.0.0/16"]})
    replaced = Route(destination_cidr_block="10.1.0.0/16", target_type="network_interface", target_id="eni-fw")
    assert _local_inside(index, RouteTable(route_table_id="rtb-z", vpc_id="vpc-app", routes=[local, replaced])) is False
    assert _local_inside(index, RouteTable(route_table_id="rtb-w", vpc_id="vpc-app", routes=[local, *wide])) is False
    local_too = Route(destination_cidr_block="10.1.0.0/16", target_type="local", target_id="local")
    assert _local_inside(index, RouteTable(route_table_id="rtb-v", vpc_id="vpc-app", routes=[local, local_too, *wide])) is True


def test_the_replies_route_is_decided_per_table_and_per_workload_subnet():
    """check_reply_routes on one index: each endpoint subnet's own table decides, whatever was decided for another
    table or another workload subnet before (rtb-priv-a routes the VPC locally, rtb-priv-b blackholes
    subnet-iso-b's CIDR)."""
    data = base()
    find(data, "route_tables", "route_table_id", "rtb-priv-b")["routes"].append(
        {"destination_cidr_block": "10.0.50.0/24", "target_type": "network_interface", "target_id": "eni-fw", "state": "blackhole"})
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    source = index.network("10.0.50.0/24")
    first = Judge()
    check_reply_routes(index, first, ("subnet-priv-a",), source)
    assert first.quiet
    other = Judge()
    check_reply_routes(index, other, ("subnet-priv-a",), index.network("10.0.1.0/24"))
    assert other.quiet
    both = Judge()
    check_reply_routes(index, both, ("subnet-priv-a", "subnet-priv-b"), source)
    assert (both.blocked.kind, both.blocked.resource_id) == ("route", "rtb-priv-b")
    clean = Judge()
    check_reply_routes(index, clean, ("subnet-priv-a", "subnet-priv-b"), index.network("10.0.1.0/24"))
    assert clean.quiet  # rtb-priv-b blackholes only 10.0.50.0/24


def test_a_failed_endpoint_blocks_its_flow_through_itself_whatever_routes_its_interfaces():
    """Not available: the flow stops at the endpoint (via names it), not on the way to its interfaces."""
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["state"] = "failed"
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"].append(
        {"destination_cidr_block": "10.0.2.0/24", "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"})
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via, flow.link.kind) == ("blocked", "vpce-dkr", "endpoint-state")
