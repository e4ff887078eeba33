"""The region index of the path model (vpclint/path/index.py): what it looks up, and what the flows get from it.
Cases patch the compliant base of the rule fixtures (see test_flows.py)."""

from __future__ import annotations

import ipaddress

from test_flows import base, find, paths, region_of

from vpclint.path.index import build_index
from vpclint.snapshot import Snapshot


def _index(data: dict):
    snapshot = Snapshot.model_validate(data)
    return build_index(snapshot, snapshot.regions[0])


def test_the_index_names_its_account_partition_region_and_the_accounts_it_holds():
    index = _index(base())
    assert (index.account_id, index.partition, index.region, index.accounts) == (
        "111122223333", "aws", "us-east-1", frozenset({"111122223333"})
    )
    assert index.scanned("111122223333") and index.scanned(None)
    assert not index.scanned("444455556666")
    assert index.missing_sources == []


def test_a_cidr_with_host_bits_is_its_network_and_junk_is_none():
    index = _index(base())
    assert index.network("10.0.1.5/24") == ipaddress.ip_network("10.0.1.0/24")
    assert index.network("2001:db8::1/64") == ipaddress.ip_network("2001:db8::/64")
    assert index.network("junk") is None and index.network("") is None and index.network(None) is None


def test_the_region_s3_prefix_list_is_the_one_named_for_the_region():
    data = base()
    region_of(data)["prefix_lists"][:0] = [
        {"prefix_list_id": "pl-west", "prefix_list_name": "com.amazonaws.us-west-2.s3", "owner_id": "AWS", "cidrs": []},
        {"prefix_list_id": "pl-ddb", "prefix_list_name": "com.amazonaws.us-east-1.dynamodb", "owner_id": "AWS", "cidrs": []},
        # a customer list named like S3's (sorted first): an account owns it, so it is not S3's
        {"prefix_list_id": "pl-0corp", "prefix_list_name": "corp.us-east-1.s3", "owner_id": "111122223333", "cidrs": []},
    ]
    assert _index(data).s3_prefix_list().prefix_list_id == "pl-s3"
    find(data, "prefix_lists", "prefix_list_id", "pl-s3")["owner_id"] = None  # a snapshot without owners: by name
    assert _index(data).s3_prefix_list().prefix_list_id == "pl-s3"
    region_of(data)["prefix_lists"] = region_of(data)["prefix_lists"][:3]
    assert _index(data).s3_prefix_list() is None


def test_the_groups_of_a_vpc_and_its_default_group():
    data = base()
    region_of(data)["security_groups"] += [
        {"group_id": "sg-default", "group_name": "default", "vpc_id": "vpc-app", "ingress": [], "egress": []},
        {"group_id": "sg-elsewhere", "group_name": "default", "vpc_id": "vpc-other", "ingress": [], "egress": []},
    ]
    index = _index(data)
    assert index.vpc_groups("vpc-app") == frozenset({"sg-endpoints", "sg-workloads", "sg-default"})
    assert index.vpc_groups("vpc-none") == frozenset()
    assert (index.default_group("vpc-app"), index.default_group("vpc-none")) == ("sg-default", None)


def test_an_endpoint_without_groups_is_judged_by_the_vpc_default_group():
    data = base()
    region_of(data)["security_groups"].append(
        {"group_id": "sg-default", "group_name": "default", "vpc_id": "vpc-app",
         "ingress": [{"protocol": "-1", "referenced_group_id": "sg-default"}], "egress": []}
    )
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["group_ids"] = []
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-sg", "sg-default")


def test_a_deleted_endpoint_is_not_there():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["state"] = "Deleted"
    index = _index(data)
    assert [e.vpc_endpoint_id for e in index.live_endpoints("vpc-app")] == ["vpce-api", "vpce-logs", "vpce-s3"]
    assert index.live_endpoints("vpc-none") == []
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via) == ("nat", "nat-a")


def test_an_interface_a_nat_gateway_lists_as_its_own_is_infrastructure():
    data = base()
    interface = find(data, "network_interfaces", "network_interface_id", "eni-task-a")
    interface.update({"interface_type": "interface", "requester_managed": False, "description": ""})
    find(data, "nat_gateways", "nat_gateway_id", "nat-a")["network_interface_ids"] = ["eni-task-a"]
    index = _index(data)
    assert index.interface_owners["eni-task-a"] == "nat_gateway"
    assert index.interface_owners["eni-dkr-a"] == "vpc_endpoint"
    assert paths(data)["subnet-priv-a"].workload is False


def test_a_vpc_without_a_dhcp_options_set_has_no_dns_servers_and_one_naming_an_unlisted_set_is_unknown():
    """AWS names "no DHCP options" ``default``; a set the listing lacked (left out with a note, or made after the
    listing) is not known, so DNS is unknown for its reason rather than for having no servers."""
    for no_set in ("default", None, ""):
        data = base()
        find(data, "vpcs", "vpc_id", "vpc-app")["dhcp_options_id"] = no_set
        assert _index(data).dns_servers == {"vpc-app": []}
    data = base()
    find(data, "vpcs", "vpc_id", "vpc-app")["dhcp_options_id"] = "dopt-gone"
    assert _index(data).dns_servers == {"vpc-app": None}
    assert "DHCP options could not be read" in paths(data)["subnet-priv-a"].flows["registry"].reason
    assert _index(base()).dns_servers == {"vpc-app": ["AmazonProvidedDNS"]}
    data = base()
    region_of(data)["collected"].remove("dhcp_options")
    assert _index(data).dns_servers == {"vpc-app": None}
    assert _index(data).missing_sources == ["dhcp_options"]


def test_the_interfaces_of_each_subnet_and_the_route_table_and_acl_of_each():
    index = _index(base())
    assert [i.network_interface_id for i in index.interfaces_by_subnet["subnet-priv-a"]] == [
        "eni-task-a", "eni-dkr-a", "eni-api-a", "eni-logs-a"
    ]
    assert index.tables["subnet-iso-b"][0].route_table_id == "rtb-main"
    assert index.acls["subnet-priv-a"].network_acl_id == "acl-default"
    assert set(index.subnets) == {"subnet-pub-a", "subnet-priv-a", "subnet-priv-b", "subnet-iso-b"}
    assert index.interfaces["eni-nat-a"].subnet_id == "subnet-pub-a"


def test_a_region_of_the_second_account_is_indexed_as_that_account_s_view():
    data = base()
    region = region_of(data)
    snapshot = Snapshot.model_validate({
        "schema_version": 3, "generator": "test", "partition": "aws", "errors": [],
        "accounts": [{"account_id": "111122223333", "regions": [region]}, {"account_id": "444455556666", "regions": [region]}],
    })
    second = snapshot.accounts[1].regions[0]
    index = build_index(snapshot, second)
    assert (index.account_id, index.accounts) == ("444455556666", frozenset({"444455556666"}))
