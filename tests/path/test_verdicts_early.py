"""The subnets judged before any flow is traced (vpclint.path.verdicts.subnet_path): with a source unread, every
flow of a workload subnet is unknown, naming what was not read; in a shared VPC whose owner was not scanned, every
flow is unknown, naming the owner. Public subnets and subnets of no workload are not judged in either case."""

from __future__ import annotations

import pytest
from test_flows import base, find, paths, region_of

from vpclint.path.flows import REGISTRY_FLOWS

OWNER = "444455556666"
SERVICES = {**dict(REGISTRY_FLOWS), "layers": "s3"}


def unread(*sources: str) -> dict:
    data = base()
    for source in sources:
        region_of(data)["collected"].remove(source)
    return data


def without_task(data: dict) -> dict:
    """subnet-priv-a keeps only its endpoints' interfaces: no workload runs there."""
    region = region_of(data)
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["network_interface_id"] != "eni-task-a"]
    return data


def with_public_instance(data: dict) -> dict:
    """An instance in the public subnet (a bastion, say)."""
    region_of(data)["network_interfaces"].append({
        "network_interface_id": "eni-bastion", "subnet_id": "subnet-pub-a", "vpc_id": "vpc-app",
        "availability_zone": "us-east-1a", "interface_type": "interface", "attachment_instance_id": "i-bastion",
        "group_ids": ["sg-workloads"], "private_ips": ["10.0.100.10"]})
    return data


def test_with_sources_unread_a_workload_subnet_s_three_flows_are_unknown_naming_every_source_unread():
    result = paths(unread("network_acls", "prefix_lists"))["subnet-priv-a"]
    assert (result.workload, result.workloads, result.verdict) == (True, ("ecs_task",), "unknown")
    assert {name: (f.service, f.path, f.reason) for name, f in result.flows.items()} == {
        name: (service, "unknown", "not read: prefix_lists, network_acls") for name, service in SERVICES.items()}


def test_with_sources_unread_public_subnets_and_subnets_of_no_workload_are_not_judged():
    result = paths(with_public_instance(without_task(unread("network_acls"))))
    for subnet_id in ("subnet-pub-a", "subnet-priv-a"):
        assert (result[subnet_id].workload, result[subnet_id].workloads, result[subnet_id].flows,
                result[subnet_id].verdict) == (False, (), {}, None), subnet_id


def test_with_the_interfaces_unread_whether_a_subnet_runs_workloads_is_not_known_so_it_is_judged_unknown():
    result = paths(with_public_instance(without_task(unread("network_interfaces"))))
    assert (result["subnet-priv-a"].workload, result["subnet-priv-a"].verdict) == (True, "unknown")
    assert result["subnet-priv-a"].flows["layers"].reason == "not read: network_interfaces"
    assert (result["subnet-pub-a"].workload, result["subnet-pub-a"].verdict) == (False, None)  # public all the same


def shared(data: dict) -> dict:
    """The base VPC as another account's, shared with this one, that account not scanned."""
    find(data, "vpcs", "vpc_id", "vpc-app")["owner_id"] = OWNER
    return data


@pytest.mark.parametrize("subnet_id, workloads", [("subnet-priv-a", ("ecs_task",)), ("subnet-priv-b", ("ec2_instance",))])
def test_in_a_shared_vpc_not_scanned_a_workload_subnet_is_unknown_and_keeps_its_workloads(subnet_id, workloads):
    result = paths(shared(base()))[subnet_id]
    assert (result.workload, result.workloads, result.verdict) == (True, workloads, "unknown")
    assert {name: f.service for name, f in result.flows.items()} == SERVICES
    assert all(f.path == "unknown" and f"owned by account {OWNER}" in f.reason for f in result.flows.values())


def test_in_a_shared_vpc_not_scanned_public_subnets_and_subnets_of_no_workload_are_not_judged():
    result = paths(with_public_instance(without_task(shared(base()))))
    assert (result["subnet-pub-a"].workload, result["subnet-pub-a"].workloads, result["subnet-pub-a"].flows) == (
        False, ("ec2_instance",), {})  # its workloads are still named
    assert (result["subnet-priv-a"].workload, result["subnet-priv-a"].workloads, result["subnet-priv-a"].flows) == (
        False, (), {})


def test_a_route_table_left_out_of_the_snapshot_leaves_the_subnets_on_the_main_table_unknown():
    """The collector left rtb-odd out (an item it could not keep): subnet-iso-b, on its VPC's main table for want of
    an association, may be associated with rtb-odd, so its flows are unknown; subnet-priv-a's own association is
    known and it is judged as before."""
    data = base()
    region_of(data)["notes"] = [{"api": "vpclint:route_tables", "item_id": "rtb-odd", "message": "left out: 'x' is not a valid CIDR"},
                                {"api": "vpclint:network_interfaces", "item_id": "eni-odd", "message": "left out: odd"}]
    result = paths(data)
    iso = result["subnet-iso-b"]
    reason = ("route table(s) rtb-odd were left out of the snapshot, whole or an association: subnet-iso-b may be "
              "associated with one of them, not its VPC's main table rtb-main")
    assert (iso.kind, iso.workload, iso.workloads, iso.verdict) == ("unknown", True, paths(base())["subnet-iso-b"].workloads,
                                                                     "unknown")
    assert iso.workloads  # what runs there is still said
    assert {name: (f.path, f.reason) for name, f in iso.flows.items()} == {name: ("unknown", reason) for name in SERVICES}
    assert (result["subnet-priv-a"].kind, result["subnet-priv-a"].verdict) == ("nat", "private")
    assert paths(base())["subnet-iso-b"].kind == "isolated"  # without the note: the main table's kind


def test_a_workload_subnet_without_any_route_table_in_the_snapshot_is_unknown_not_left_out():
    data = without_task(base())
    main = find(data, "route_tables", "route_table_id", "rtb-main")
    main["associations"] = [a for a in main["associations"] if not a.get("main")]
    result = paths(data)
    iso = result["subnet-iso-b"]
    assert (iso.kind, iso.workload, iso.verdict) == ("unknown", True, "unknown")
    assert iso.flows["registry"].reason == "no route table of subnet-iso-b is in the snapshot"
    assert (result["subnet-priv-a"].kind, result["subnet-priv-a"].workload) == ("nat", False)  # no workload there


def test_a_route_table_read_only_in_part_leaves_its_subnets_unknown_and_a_lost_association_the_main_tables():
    """The collector's item reader left a route of rtb-priv-a out (a blackhole, a diversion?): subnet-priv-a,
    on that table, is unknown; subnet-iso-b, on the main table, keeps its kind and its layers, but the replies of
    the endpoint interfaces in subnet-priv-a follow rtb-priv-a. A lost association may be subnet-iso-b's own, so
    then all of it is unknown."""
    data = base()
    region_of(data)["notes"] = [{"api": "ec2:DescribeRouteTables", "item_id": "rtb-priv-a",
                                 "message": "route 2 left out: missing 'DestinationCidrBlock'"}]
    result = paths(data)
    assert (result["subnet-priv-a"].kind, result["subnet-priv-a"].verdict) == ("unknown", "unknown")
    assert result["subnet-priv-a"].flows["registry"].reason == (
        "route table rtb-priv-a of subnet-priv-a was read only in part (route 2 left out: missing 'DestinationCidrBlock')")
    iso, before = result["subnet-iso-b"], paths(base())["subnet-iso-b"]
    assert (iso.kind, iso.flows["layers"]) == ("isolated", before.flows["layers"])
    assert (iso.flows["registry"].path, iso.flows["registry"].reason) == (
        "unknown", "the replies from subnet-priv-a: route table rtb-priv-a of subnet-priv-a was read only in part "
                   "(route 2 left out: missing 'DestinationCidrBlock')")
    region_of(data)["notes"][0]["message"] = "association 1 left out: odd"
    result = paths(data)
    assert result["subnet-iso-b"].flows["layers"].reason.startswith("route table(s) rtb-priv-a were left out of the snapshot")
    assert result["subnet-priv-a"].verdict == "unknown"


def test_a_network_acl_read_only_in_part_leaves_every_flow_crossing_it_unknown():
    """An entry of acl-default was left out (it may have been a deny, or the allow the flow needs)."""
    data = base()
    region_of(data)["notes"] = [{"api": "ec2:DescribeNetworkAcls", "item_id": "acl-default", "message": "entry 3 left out: odd"}]
    flows = paths(data)["subnet-priv-a"].flows
    assert (flows["layers"].path, flows["layers"].reason) == (
        "unknown", "network ACL acl-default of subnet-priv-a was read only in part (entry 3 left out: odd): a rule left "
                   "out may decide")
    region_of(data)["notes"][0]["item_id"] = "acl-other"  # another ACL's note costs only that ACL
    assert paths(data)["subnet-priv-a"].verdict == "private"
