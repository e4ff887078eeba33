"""The IPv6 flows in detail (vpclint.path.ipv6_flows): the ``layers`` flow of an IPv6-only subnet through the S3
gateway endpoint (its route, state, IP address type and policy, the groups' S3 prefix list, public IPv6 routes that
may divert part of S3) or by ``::/0``, the bucket's dual-stack name, a subnet whose IPv6 CIDR can't be read, and the
index as an IPv6 client sees it."""

from __future__ import annotations

from test_flows import find, paths, region_of
from test_ipv6 import IPV6_ONLY, ipv6_account

from vpclint.path.flows import REGISTRY_FLOWS, Flow
from vpclint.path.index import build_index
from vpclint.path.ipv6_flows import ipv6_index
from vpclint.path.verdicts import subnet_path
from vpclint.snapshot import Snapshot

BUCKET = "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"
SERVICES = {**dict(REGISTRY_FLOWS), "layers": "s3"}


def layers(data: dict) -> Flow:
    return paths(data)["subnet-priv-a"].flows["layers"]


def s3_route(data: dict) -> dict:
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    return next(r for r in table["routes"] if r.get("destination_prefix_list_id") == "pl-s3")


def gateway(data: dict) -> dict:
    return find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3")


def test_through_a_gateway_carrying_ipv6_the_layers_take_its_route_privately():
    flow = layers(ipv6_account())
    assert (flow.name, flow.service, flow.path, flow.via, flow.link, flow.notes) == (
        "layers", "s3", "endpoint", "vpce-s3", None, ())
    assert flow.reason == "S3 in us-east-1 over IPv6 through gateway endpoint vpce-s3"


def test_a_blackhole_gateway_route_blocks_the_ipv6_layers_at_the_route_table():
    data = ipv6_account()
    s3_route(data)["state"] = "blackhole"
    flow = layers(data)
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "route", "rtb-priv-a")
    assert flow.reason == "rtb-priv-a sends S3 in us-east-1 over IPv6 to pl-s3 -> vpc_endpoint vpce-s3, a blackhole"


def test_a_gateway_not_available_blocks_the_ipv6_layers_naming_its_state():
    data = ipv6_account()
    gateway(data)["state"] = "failed"
    flow = layers(data)
    assert (flow.name, flow.service, flow.path, flow.via) == ("layers", "s3", "blocked", "vpce-s3")
    assert (flow.link.kind, flow.link.resource_id) == ("endpoint-state", "vpce-s3")
    assert flow.reason == flow.link.detail == "vpce-s3 is in state failed, not available"
    gateway(data)["state"] = "pending"
    flow = layers(data)
    assert (flow.path, flow.via, flow.link) == ("unknown", "vpce-s3", None)
    assert flow.reason == "vpce-s3 is in state pending (being created or modified): whether it serves the flow is not known"


def test_a_gateway_whose_ip_address_type_was_not_read_leaves_the_ipv6_layers_unknown():
    flow = layers(ipv6_account(gateway_type=None))
    assert (flow.name, flow.service, flow.path, flow.via, flow.link) == ("layers", "s3", "unknown", "vpce-s3", None)
    assert flow.reason == "vpce-s3's IP address type was not read: whether it carries IPv6 is not known"


def test_the_gateway_policy_must_allow_getting_the_layer_buckets_objects():
    def policy(resource: str, action: str = "s3:GetObject") -> dict:
        data = ipv6_account()
        gateway(data)["policy"] = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}]}
        return data

    for allowed in (policy(BUCKET), policy("arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*", "s3:Get*")):
        flow = layers(allowed)
        assert (flow.path, flow.via, flow.notes) == ("endpoint", "vpce-s3", ())
    for denied in (policy("arn:aws:s3:::another-bucket/*"), policy(BUCKET, "s3:PutObject")):
        flow = layers(denied)
        assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-policy", "vpce-s3")
        assert flow.reason == f"no statement allows s3:GetObject on {BUCKET} (implicit deny)"


def test_a_public_ipv6_route_beside_the_gateway_may_divert_part_of_s3_so_the_layers_are_unknown():
    """As over IPv4, a more specific route inside an S3 CIDR takes that part of S3 away from the gateway; S3's IPv6
    CIDRs are not in the snapshot, so any IPv6 route to possibly public addresses may. Routes inside the VPC's IPv6
    CIDR or the unique-local range can't."""
    data = ipv6_account()
    routes = find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"]
    routes += [{"destination_ipv6_cidr_block": cidr, "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"}
               for cidr in ("fd00::/8", "2600:1f18:aa:5::/64")]
    assert (layers(data).path, layers(data).via) == ("endpoint", "vpce-s3")
    routes += [{"destination_ipv6_cidr_block": cidr, "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"}
               for cidr in ("2600:1f00::/24", "2001:db8::/32")]
    flow = layers(data)
    assert (flow.path, flow.via, flow.link) == ("unknown", "vpce-s3", None)
    assert flow.reason == ("S3's IPv6 addresses are not known: routes 2001:db8::/32, 2600:1f00::/24 of rtb-priv-a may "
                           "divert part of S3 from vpce-s3")


def test_a_gateway_route_is_found_among_other_prefix_list_routes():
    """A route to a customer prefix list (IPv4 office ranges, to a transit gateway) is not the S3 gateway's."""
    data = ipv6_account()
    region_of(data)["prefix_lists"].append({"prefix_list_id": "pl-office", "prefix_list_name": "office",
                                            "owner_id": "111122223333", "cidrs": ["192.168.0.0/16"]})
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"].insert(0, {
        "destination_prefix_list_id": "pl-office", "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"})
    flow = layers(data)
    assert (flow.path, flow.via) == ("endpoint", "vpce-s3")


def test_a_customer_prefix_list_with_a_public_ipv6_entry_or_unread_may_divert_part_of_s3_over_ipv6():
    """A route to a customer prefix list is a route to each of its entries: one holding a public IPv6 entry may
    take part of S3 from the gateway, as may one whose entries were not read, and an AWS-managed one routed
    elsewhere than to its gateway endpoint. IPv4 entries, unique-local ones and the VPC's own IPv6 CIDR can't; nor
    can another gateway endpoint's own route."""
    data = ipv6_account()
    lists = region_of(data)["prefix_lists"]
    for list_id, owner, cidrs in (("pl-safe", "111122223333", ["192.168.0.0/16", "fd00::/8", "2600:1f18:aa:5::/64"]),
                                  ("pl-aws", "AWS", ["2600:1f00::/24"]), ("pl-ddb", "111122223333", ["2600:1f01::/32"])):
        lists.append({"prefix_list_id": list_id, "prefix_list_name": list_id, "owner_id": owner, "cidrs": cidrs})
    region_of(data)["vpc_endpoints"].append(
        {"vpc_endpoint_id": "vpce-ddb", "vpc_id": "vpc-app", "vpc_endpoint_type": "Gateway", "state": "available",
         "service_name": "com.amazonaws.us-east-1.dynamodb", "service_region": "us-east-1", "service": "dynamodb"})
    routes = find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"]
    routes += [{"destination_prefix_list_id": "pl-safe", "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"},
               {"destination_prefix_list_id": "pl-ddb", "target_type": "vpc_endpoint", "target_id": "vpce-ddb", "state": "active"}]
    assert (layers(data).path, layers(data).via) == ("endpoint", "vpce-s3")
    lists += [{"prefix_list_id": "pl-egress", "prefix_list_name": "egress", "owner_id": "111122223333",
               "cidrs": ["10.0.0.0/8", "2600:1f00::/24"]},
              {"prefix_list_id": "pl-corp", "prefix_list_name": "corp", "owner_id": "111122223333", "cidrs_known": False}]
    routes += [{"destination_prefix_list_id": list_id, "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"}
               for list_id in ("pl-egress", "pl-corp", "pl-gone", "pl-aws")]
    flow = layers(data)
    assert (flow.path, flow.via, flow.link) == ("unknown", "vpce-s3", None)
    assert flow.reason == ("S3's IPv6 addresses are not known: routes pl-aws, pl-corp, pl-egress, pl-gone of rtb-priv-a "
                           "may divert part of S3 from vpce-s3")


def test_a_gateway_the_route_table_does_not_route_to_plays_no_part():
    """vpce-s3 is in the VPC but rtb-priv-a has no route to it: S3 over IPv6 takes ::/0, with no note on it."""
    data = ipv6_account()
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"] = [r for r in table["routes"] if not r.get("destination_prefix_list_id")]
    flow = layers(data)
    assert (flow.path, flow.via, flow.notes) == ("routed", "eigw-1", ())
    assert flow.reason == "S3 in us-east-1 over IPv6 leaves through egress-only internet gateway eigw-1 (no NAT data processing)"


def test_an_ipv4_only_gateway_without_an_ipv6_default_route_blocks_unless_a_public_route_may_carry_s3():
    data = ipv6_account(gateway_type="ipv4")
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"] = [r for r in table["routes"] if r.get("destination_ipv6_cidr_block") != "::/0"]
    flow = layers(data)
    assert (flow.name, flow.service, flow.path, flow.via) == ("layers", "s3", "blocked", "vpce-s3")
    assert flow.reason == ("vpce-s3 has IP address type ipv4: it carries no IPv6, and rtb-priv-a has no IPv6 default "
                           "route to S3 either")
    # a route to public IPv6 addresses (here to a transit gateway) may carry S3 instead: not known, not blocked
    table["routes"].append({"destination_ipv6_cidr_block": "2600::/12", "target_type": "transit_gateway",
                            "target_id": "tgw-1", "state": "active"})
    flow = layers(data)
    assert (flow.path, flow.via, flow.link, flow.notes) == (
        "unknown", None, None, ("vpce-s3 carries IPv4 only: S3 over IPv6 takes ::/0 instead",))
    assert flow.reason == ("rtb-priv-a has no default route, but its IPv6 routes to public addresses (2600::/12) may "
                           "carry S3 in us-east-1")


def test_by_the_ipv6_default_route_the_layers_are_unknown_when_part_of_s3_may_go_elsewhere():
    """S3's IPv6 addresses are not known: a public IPv6 route beside ::/0 may take some, and egress allowing part
    of ::/0 may miss them. Either way unknown, with the note on the IPv4-only gateway kept."""
    note = ("vpce-s3 carries IPv4 only: S3 over IPv6 takes ::/0 instead",)
    data = ipv6_account(gateway_type="ipv4")
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"].append(
        {"destination_ipv6_cidr_block": "2001:db8::/32", "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"})
    flow = layers(data)
    assert (flow.name, flow.service, flow.path, flow.via, flow.link, flow.notes) == (
        "layers", "s3", "unknown", "eigw-1", None, note)
    assert flow.reason == "rtb-priv-a has IPv6 routes to public addresses (2001:db8::/32) that may carry part of S3 in us-east-1"
    data = ipv6_account(gateway_type="ipv4")
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [{"protocol": "-1", "cidr_ipv6": "2600::/12"}]
    flow = layers(data)
    assert (flow.name, flow.service, flow.path, flow.via, flow.link, flow.notes) == (
        "layers", "s3", "unknown", "eigw-1", None, note)
    assert flow.reason.startswith("security groups sg-workloads: ")


def test_by_the_ipv6_default_route_through_a_nat_gateway_the_workloads_ipv6_egress_is_checked():
    data = ipv6_account(gateway_type="ipv4")
    default = next(r for r in find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"]
                   if r.get("destination_ipv6_cidr_block") == "::/0")
    default.update({"target_type": "nat_gateway", "target_id": "nat-a"})
    assert (layers(data).path, layers(data).via) == ("nat", "nat-a")
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]
    flow = layers(data)
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "workload-sg", "sg-workloads")


def test_group_egress_to_the_s3_prefix_list_counts_only_through_a_gateway_carrying_ipv6():
    """Through the gateway the prefix list names S3 as a whole; by ::/0 to S3's IPv6 addresses (not in the
    snapshot) only egress to all of ::/0 will do."""
    def prefix_list_egress(gateway_type: str) -> dict:
        data = ipv6_account(gateway_type=gateway_type)
        find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_id": "pl-s3"}]
        return data

    flow = layers(prefix_list_egress("dualstack"))
    assert (flow.path, flow.via) == ("endpoint", "vpce-s3")
    flow = layers(prefix_list_egress("ipv4"))
    assert (flow.path, flow.via, flow.link.kind, flow.link.resource_id) == ("blocked", "eigw-1", "workload-sg", "sg-workloads")
    assert flow.reason == ("egress to S3 in us-east-1: security group sg-workloads allows TCP 443 outbound to none of "
                           "the peer; not ::/0")
    assert flow.notes == ("vpce-s3 carries IPv4 only: S3 over IPv6 takes ::/0 instead",)


def test_two_ipv6_only_subnets_sharing_acl_and_groups_are_each_judged_on_their_own_way_to_s3():
    """subnet-priv-a reaches S3 through the gateway, where egress to the S3 prefix list suffices; subnet-iso-b
    (made IPv6-only, its table routing ::/0 to the egress-only gateway and not to vpce-s3) by ::/0, where it doesn't."""
    data = ipv6_account()
    find(data, "subnets", "subnet_id", "subnet-iso-b").update({"cidr_block": None, "ipv6_cidr_blocks": ["2600:1f18:aa:3::/64"]})
    find(data, "network_interfaces", "network_interface_id", "eni-iso-b").update(
        {"private_ips": [], "ipv6_addresses": ["2600:1f18:aa:3::10"]})
    find(data, "route_tables", "route_table_id", "rtb-main")["routes"] = [
        r for r in find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"] if not r.get("destination_prefix_list_id")]
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_id": "pl-s3"}]
    result = paths(data)
    assert (result["subnet-priv-a"].flows["layers"].path, result["subnet-priv-a"].flows["layers"].via) == ("endpoint", "vpce-s3")
    flow = result["subnet-iso-b"].flows["layers"]
    assert (flow.path, flow.via, flow.link.kind) == ("blocked", "eigw-1", "workload-sg")


def test_without_the_s3_prefix_list_read_the_groups_ipv6_rules_decide_the_layers():
    data = ipv6_account()
    region_of(data)["prefix_lists"] = []
    flow = layers(data)
    assert (flow.path, flow.via) == ("endpoint", "vpce-s3")
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]
    flow = layers(data)
    assert (flow.path, flow.link.kind) == ("blocked", "workload-sg")


def test_the_layer_buckets_dual_stack_name_not_resolving_blocks_at_the_dns_link():
    data = ipv6_account()
    find(data, "vpcs", "vpc_id", "vpc-app")["enable_dns_support"] = False
    flow = layers(data)
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "dns", "vpc-app")
    assert flow.reason == "vpc-app has enableDnsSupport off: the Amazon resolver answers nothing"
    data = ipv6_account()
    region_of(data)["hosted_zones"] = [{"hosted_zone_id": "Z0S3", "name": "s3.dualstack.us-east-1.amazonaws.com",
                                        "vpc_ids": ["vpc-app"], "records_read": True, "record_sets": []}]
    flow = layers(data)
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "dns", "Z0S3")
    assert flow.reason == ("zone Z0S3 (s3.dualstack.us-east-1.amazonaws.com) has no record for "
                           "prod-us-east-1-starport-layer-bucket.s3.dualstack.us-east-1.amazonaws.com: "
                           "the name does not resolve in vpc-app")


def _with_ipv6_cidr(data: dict, subnet_id: str, cidr: str) -> tuple:
    """The index of ``data`` with ``subnet_id``'s IPv6 CIDR replaced by ``cidr`` (a snapshot would refuse junk)."""
    snapshot = Snapshot.model_validate(data)
    index = build_index(snapshot, snapshot.regions[0])
    subnet = index.subnets[subnet_id].model_copy(update={"ipv6_cidr_blocks": [cidr]})
    index.subnets[subnet_id] = subnet
    return index, subnet


def test_an_ipv6_only_subnet_whose_ipv6_cidr_cant_be_read_has_every_flow_unknown():
    index, subnet = _with_ipv6_cidr(ipv6_account(), "subnet-priv-a", "2600:1f18:aa:1::/640")
    result = subnet_path(index, subnet)
    reason = "subnet-priv-a's IPv6 CIDR 2600:1f18:aa:1::/640 can't be read"
    assert {n: (f.name, f.service, f.path, f.reason) for n, f in result.flows.items()} == {
        n: (n, s, "unknown", reason) for n, s in SERVICES.items()}
    assert result.verdict == "unknown"


def test_a_dual_stack_subnet_whose_ipv6_cidr_cant_be_read_reaches_no_aaaa_only_endpoint():
    """The registry endpoints answer AAAA only: those flows are unknown; the layers go over IPv4 as ever."""
    index, subnet = _with_ipv6_cidr(ipv6_account(dns_type="ipv6"), "subnet-priv-b", "2600:1f18:aa:2::/640")
    flows = subnet_path(index, subnet).flows
    reason = "subnet-priv-b's IPv6 CIDR 2600:1f18:aa:2::/640 can't be read"
    assert {n: (f.name, f.service, f.path, f.reason) for n, f in flows.items() if n != "layers"} == {
        n: (n, s, "unknown", reason) for n, s in REGISTRY_FLOWS}
    assert (flows["layers"].path, flows["layers"].via) == ("endpoint", "vpce-s3")


def test_the_ipv6_index_shows_ipv6_cidrs_and_addresses_and_leaves_the_index_as_it_was():
    snapshot = Snapshot.model_validate(ipv6_account())
    index = build_index(snapshot, snapshot.regions[0])
    seen = ipv6_index(index)
    assert "subnet-priv-a" in seen.subnets and "subnet-gone" not in seen.subnets
    assert "eni-task-a" in seen.interfaces and "eni-gone" not in seen.interfaces
    assert seen.subnets["subnet-priv-a"].cidr_block == IPV6_ONLY
    assert seen.subnets.get("subnet-priv-b").cidr_block == "2600:1f18:aa:2::/64"
    assert seen.subnets.get("subnet-pub-a").cidr_block is None  # no IPv6 CIDR: no IPv6 address either
    assert seen.subnets.get("subnet-gone") is None
    assert seen.interfaces["eni-dkr-b"].private_ips == ["2600:1f18:aa:2::5"]
    assert index.subnets["subnet-priv-b"].cidr_block == "10.0.2.0/24"
    assert index.interfaces["eni-dkr-b"].private_ips == ["10.0.2.5"]
    assert ipv6_index(index) is seen
