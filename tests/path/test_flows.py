"""The pull-path model on hand-built snapshots: each wrong verdict of the pull-path issue, now right.

Every case patches the compliant base of the rule fixtures (one VPC, every flow private) and states the flow's
path, the blocking link and the verdicts AWS would give.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from vpclint.path.index import build_index
from vpclint.path.verdicts import subnet_path, vpc_verdict
from vpclint.snapshot import Snapshot

BASE = yaml.safe_load((Path(__file__).resolve().parents[1] / "rule_fixtures" / "base.yaml").read_text())


def region_of(data: dict) -> dict:
    return data["regions"][0]


def find(data: dict, collection: str, key: str, value: str) -> dict:
    return next(item for item in region_of(data)[collection] if item[key] == value)


def paths(data: dict) -> dict[str, Any]:
    snapshot = Snapshot.model_validate(data)
    region = snapshot.regions[0]
    index = build_index(snapshot, region)
    return {s.subnet_id: subnet_path(index, s) for s in region.subnets}


def add_subnet(data: dict, subnet_id: str, cidr: str, table_id: str = "rtb-priv-a", zone: str = "us-east-1a") -> None:
    """Add a subnet of vpc-app associated with route table ``table_id``."""
    region_of(data)["subnets"].append({"subnet_id": subnet_id, "vpc_id": "vpc-app", "availability_zone": zone,
                                       "cidr_block": cidr})
    find(data, "route_tables", "route_table_id", table_id)["associations"].append(
        {"association_id": f"rtbassoc-{subnet_id}", "subnet_id": subnet_id, "state": "associated"})


def base() -> dict:
    return copy.deepcopy(BASE)


def test_the_base_is_private_on_every_flow():
    result = paths(base())
    for subnet_id in ("subnet-priv-a", "subnet-priv-b", "subnet-iso-b"):
        assert result[subnet_id].verdict == "private"
        assert {n: f.path for n, f in result[subnet_id].flows.items()} == {
            "registry_api": "endpoint", "registry": "endpoint", "layers": "endpoint"
        }
        assert result[subnet_id].flows["registry"].via == "vpce-dkr"
        assert result[subnet_id].flows["layers"].via == "vpce-s3"
    assert result["subnet-pub-a"].workload is False
    assert vpc_verdict(list(result.values()), skipped=False) == "private"
    assert vpc_verdict(list(result.values()), skipped=True) == "not_in_scope"


def _own_acl(data: dict, subnet_id: str, entries: list[dict], acl_id: str = "acl-app") -> None:
    default = find(data, "network_acls", "network_acl_id", "acl-default")
    if subnet_id in default["subnet_ids"]:
        default["subnet_ids"].remove(subnet_id)
    region_of(data)["network_acls"].append(
        {"network_acl_id": acl_id, "vpc_id": "vpc-app", "subnet_ids": [subnet_id], "entries": entries}
    )


ALLOW_ALL_IN = {"rule_number": 100, "egress": False, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"}
ALLOW_ALL_OUT = {"rule_number": 100, "egress": True, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"}


def test_workload_acl_denying_outbound_https_breaks_every_flow_naming_the_rule():
    data = base()
    deny = {"rule_number": 90, "egress": True, "protocol": "6", "rule_action": "deny", "cidr_block": "0.0.0.0/0",
            "from_port": 443, "to_port": 443}
    _own_acl(data, "subnet-priv-a", [ALLOW_ALL_IN, ALLOW_ALL_OUT, deny])
    result = paths(data)["subnet-priv-a"]
    assert result.verdict == "broken"
    for flow in result.flows.values():
        assert flow.path == "blocked"
        assert (flow.link.kind, flow.link.resource_id, flow.link.direction, flow.link.rule_number) == (
            "network-acl", "acl-app", "outbound", 90
        )
    assert result.flows["registry"].link.free_rule_number == 89
    assert paths(data)["subnet-priv-b"].verdict == "private"


def test_workload_acl_without_an_inbound_rule_for_replies_is_an_implicit_deny():
    data = base()
    _own_acl(data, "subnet-priv-a", [ALLOW_ALL_OUT])
    flow = paths(data)["subnet-priv-a"].flows["layers"]
    assert flow.path == "blocked"
    assert (flow.link.kind, flow.link.direction, flow.link.rule_number, flow.link.ports) == (
        "network-acl", "inbound", None, "1024-65535"
    )
    assert flow.link.free_rule_number == 10


def test_endpoint_subnet_acl_denying_https_from_the_workloads_breaks_the_registry_flows():
    data = base()
    add_subnet(data, "subnet-ep-a", "10.0.60.0/24")
    for endpoint_id, eni in (("vpce-dkr", "eni-dkr-a"), ("vpce-api", "eni-api-a")):
        find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)["subnet_ids"] = ["subnet-ep-a"]
        find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)["network_interface_ids"] = [eni]
        interface = find(data, "network_interfaces", "network_interface_id", eni)
        interface["subnet_id"] = "subnet-ep-a"
        interface["private_ips"] = ["10.0.60.5" if "dkr" in eni else "10.0.60.6"]
    only_vpc = {"rule_number": 100, "egress": False, "protocol": "6", "rule_action": "allow", "cidr_block": "10.0.2.0/24",
                "from_port": 443, "to_port": 443}
    _own_acl(data, "subnet-ep-a", [only_vpc, ALLOW_ALL_OUT], acl_id="acl-endpoints")
    result = paths(data)
    assert result["subnet-ep-a"].workload is False  # endpoint interfaces only: infrastructure
    flow = result["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id, flow.link.direction, flow.link.subnet_id) == (
        "blocked", "network-acl", "acl-endpoints", "inbound", "subnet-ep-a"
    )
    assert result["subnet-priv-a"].flows["layers"].path == "endpoint"
    assert result["subnet-priv-b"].flows["registry"].path == "endpoint"


def test_workload_egress_limited_to_the_private_range_blocks_only_the_layers():
    data = base()
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/8"}
    ]
    result = paths(data)["subnet-priv-a"]
    assert result.flows["registry"].path == "endpoint"
    assert result.flows["registry_api"].path == "endpoint"
    layers = result.flows["layers"]
    assert (layers.path, layers.link.kind, layers.link.resource_id, layers.link.group_ids) == (
        "blocked", "workload-sg", "sg-workloads", ("sg-workloads",)
    )
    assert result.verdict == "broken"


def test_workload_egress_to_the_s3_prefix_list_reaches_the_layers():
    data = base()
    find(data, "security_groups", "group_id", "sg-workloads")["egress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_id": "pl-s3"},
    ]
    assert paths(data)["subnet-priv-a"].verdict == "private"


def test_a_more_specific_route_takes_part_of_s3_away_from_the_gateway():
    data = base()
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"].append(
        {"destination_cidr_block": "52.216.0.0/16", "target_type": "network_interface", "target_id": "eni-appliance", "state": "active"}
    )
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.via) == ("routed", "eni-appliance")
    assert layers.diverted == ({"cidr": "52.216.0.0/16", "route": "52.216.0.0/16", "target_type": "network_interface",
                                "target_id": "eni-appliance"},)
    assert paths(data)["subnet-priv-a"].verdict == "nat"


def test_a_blackhole_prefix_list_route_blocks_the_layers():
    data = base()
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    next(r for r in table["routes"] if r.get("destination_prefix_list_id"))["state"] = "blackhole"
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.link.kind, layers.link.resource_id, layers.via) == ("blocked", "route", "rtb-priv-a", "vpce-s3")


def test_an_endpoint_group_that_only_references_itself_admits_no_workload():
    data = base()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "-1", "referenced_group_id": "sg-endpoints"}
    ]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-sg", "sg-endpoints")
    assert flow.via == "vpce-dkr"


def test_a_self_reference_admits_workloads_that_are_members():
    data = base()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "-1", "referenced_group_id": "sg-endpoints"}
    ]
    find(data, "network_interfaces", "network_interface_id", "eni-task-a")["group_ids"] = ["sg-endpoints", "sg-workloads"]
    assert paths(data)["subnet-priv-a"].flows["registry"].path == "endpoint"
    assert paths(data)["subnet-priv-b"].flows["registry"].path == "blocked"


def test_a_group_of_a_peered_vpc_admits_nobody_here():
    data = base()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-workloads",
         "referenced_group_vpc_id": "vpc-peer", "vpc_peering_connection_id": "pcx-1"}
    ]
    flow = paths(data)["subnet-priv-a"].flows["registry_api"]
    assert (flow.path, flow.link.kind) == ("blocked", "endpoint-sg")


def test_subnets_of_endpoint_interfaces_only_are_not_judged():
    data = base()
    region = region_of(data)
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["network_interface_id"] != "eni-task-a"]
    result = paths(data)["subnet-priv-a"]
    assert (result.workload, result.verdict, result.flows) == (False, None, {})


def test_lambda_interfaces_do_not_make_a_workload_subnet():
    data = base()
    interface = find(data, "network_interfaces", "network_interface_id", "eni-task-a")
    interface.update({"interface_type": "lambda", "description": "AWS Lambda VPC ENI-fn"})
    assert paths(data)["subnet-priv-a"].workload is False


def test_an_empty_private_subnet_is_a_workload_subnet():
    data = base()
    region = region_of(data)
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["subnet_id"] != "subnet-iso-b"]
    result = paths(data)["subnet-iso-b"]
    assert (result.workload, result.verdict) == (True, "private")
    assert "no workload interfaces yet" in result.flows["layers"].notes[0]


@pytest.mark.parametrize("missing", ["network_acls", "network_interfaces", "prefix_lists", "security_groups"])
def test_an_unread_source_makes_every_flow_unknown_never_private(missing):
    data = base()
    region_of(data)["collected"].remove(missing)
    result = paths(data)
    assert result["subnet-priv-a"].verdict == "unknown"
    assert all(f.path == "unknown" and missing in f.reason for f in result["subnet-priv-a"].flows.values())
    assert vpc_verdict(list(result.values()), skipped=False) == "unknown"


def test_custom_dns_servers_leave_the_registry_flows_unknown():
    data = base()
    find(data, "dhcp_options", "dhcp_options_id", "dopt-amazon")["domain_name_servers"] = ["10.0.0.53"]
    result = paths(data)["subnet-priv-a"]
    assert result.flows["registry"].path == "unknown"
    assert "custom DNS servers 10.0.0.53" in result.flows["registry"].reason
    assert result.verdict == "unknown"


@pytest.mark.parametrize("server", ["169.254.169.253", "10.0.0.2", "fd00:ec2::253", "AmazonProvidedDNS"])
def test_the_amazon_resolver_named_by_address_is_amazon_dns(server):
    data = base()
    find(data, "dhcp_options", "dhcp_options_id", "dopt-amazon")["domain_name_servers"] = [server]
    assert paths(data)["subnet-priv-a"].verdict == "private"


def test_without_ecr_endpoints_the_registry_goes_through_nat():
    data = base()
    region = region_of(data)
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["service"] not in ("ecr.api", "ecr.dkr")]
    result = paths(data)
    flow = result["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via) == ("nat", "nat-a")
    assert result["subnet-priv-a"].verdict == "nat"
    iso = result["subnet-iso-b"].flows["registry_api"]
    assert (iso.path, iso.link.kind, iso.link.resource_id) == ("blocked", "route", "rtb-main")
    assert vpc_verdict(list(result.values()), skipped=False) == "broken"


def test_on_the_way_out_a_group_reference_in_the_workloads_egress_admits_no_public_address():
    """Through the NAT gateway the registry is the public service: a rule referencing a group (the endpoints' one)
    admits none of its addresses, so egress passes only by the rule to 0.0.0.0/0 beside it."""
    data = base()
    region = region_of(data)
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["service"] not in ("ecr.api", "ecr.dkr")]
    reference = {"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-endpoints"}
    group = find(data, "security_groups", "group_id", "sg-workloads")
    group["egress"] = [reference, {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via) == ("nat", "nat-a")
    group["egress"] = [reference]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "workload-sg", "sg-workloads")


def test_private_dns_off_sends_the_registry_to_the_public_service():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["private_dns_enabled"] = False
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.via) == ("nat", "nat-a")


def test_an_endpoint_not_available_blocks_its_flow():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["state"] = "pendingAcceptance"
    flow = paths(data)["subnet-priv-a"].flows["registry_api"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-state", "vpce-api")


def test_an_endpoint_policy_denying_the_pull_blocks_the_registry():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["policy"] = {
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": "*"},
                      {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]
    }
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-policy", "vpce-dkr")


def test_an_endpoint_in_another_az_only_works_across_azs():
    data = base()
    for endpoint_id in ("vpce-dkr", "vpce-api"):
        endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)
        endpoint["subnet_ids"] = ["subnet-priv-b"]
        endpoint["network_interface_ids"] = [i for i in endpoint["network_interface_ids"] if i.endswith("-b")]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert flow.path == "endpoint"
    assert any("crosses AZs" in note for note in flow.notes)


def test_s3_addresses_unknown_with_a_public_specific_route_is_unknown():
    data = base()
    find(data, "prefix_lists", "prefix_list_id", "pl-s3").update({"cidrs": [], "cidrs_known": False})
    assert paths(data)["subnet-priv-a"].flows["layers"].path == "endpoint"
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"].append(
        {"destination_cidr_block": "52.216.0.0/16", "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"}
    )
    assert paths(data)["subnet-priv-a"].flows["layers"].path == "unknown"


def test_s3_addresses_unknown_and_an_acl_allowing_only_some_is_unknown_not_private():
    data = base()
    find(data, "prefix_lists", "prefix_list_id", "pl-s3").update({"cidrs": [], "cidrs_known": False})
    find(data, "network_acls", "network_acl_id", "acl-default")["entries"] = [
        {"rule_number": 100, "egress": True, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"},
        {"rule_number": 100, "egress": False, "protocol": "-1", "rule_action": "allow", "cidr_block": "10.0.0.0/16"},
        {"rule_number": 110, "egress": False, "protocol": "-1", "rule_action": "allow", "cidr_block": "52.216.0.0/15"},
    ]
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert layers.path == "unknown"
    assert "acl-default" in layers.reason


def test_the_layers_need_dns_too():
    data = base()
    find(data, "vpcs", "vpc_id", "vpc-app")["enable_dns_support"] = False
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.link.kind, layers.link.resource_id) == ("blocked", "dns", "vpc-app")
    data = base()
    find(data, "dhcp_options", "dhcp_options_id", "dopt-amazon")["domain_name_servers"] = ["192.168.0.2"]
    assert paths(data)["subnet-priv-a"].flows["layers"].path == "unknown"


def test_an_s3_gateway_policy_allowing_the_layers_only_through_this_endpoint_is_private():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3")["policy"] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*",
                       "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-s3"}}}],
    }
    assert paths(data)["subnet-priv-a"].flows["layers"].path == "endpoint"
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3")["policy"]["Statement"][0]["Condition"] = {
        "StringEquals": {"aws:SourceVpce": "vpce-other"}
    }
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.link.kind, layers.link.resource_id) == ("blocked", "endpoint-policy", "vpce-s3")


def test_a_policy_variable_makes_the_policy_conditional_not_a_break():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr")["policy"] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*",
                       "Resource": "arn:aws:ecr:${aws:RequestedRegion}:*:repository/*"}],
    }
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert flow.path == "endpoint"
    assert any("conditionally" in note and "${aws:RequestedRegion}" in note for note in flow.notes)


def test_an_interface_an_endpoint_lists_as_its_own_is_infrastructure_whatever_its_type_says():
    """moto gives endpoint interfaces type "interface" and no requester flag; the endpoint's list decides."""
    data = base()
    region = region_of(data)
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["network_interface_id"] != "eni-task-a"]
    for interface in region["network_interfaces"]:
        if interface["network_interface_id"] in ("eni-dkr-a", "eni-api-a", "eni-logs-a"):
            interface.update({"interface_type": "interface", "requester_managed": False, "description": ""})
    assert paths(data)["subnet-priv-a"].workload is False
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-logs")["network_interface_ids"] = ["eni-logs-b"]
    assert paths(data)["subnet-priv-a"].workload is True


def test_no_dhcp_options_set_leaves_dns_unknown():
    """AWS: with no DHCP option set, Nitro instances use 169.254.169.253 and Xen instances get no DNS server."""
    data = base()
    find(data, "vpcs", "vpc_id", "vpc-app")["dhcp_options_id"] = "default"
    result = paths(data)["subnet-priv-a"]
    assert {f.path for f in result.flows.values()} == {"unknown"}
    assert "no DHCP options set" in result.flows["registry"].reason


def test_a_free_rule_number_comes_before_the_deciding_rule_or_ten_after_the_last():
    from vpclint.path.checks import free_rule_number
    from vpclint.snapshot import NetworkAcl, NetworkAclEntry

    def acl(*numbers: int) -> NetworkAcl:
        return NetworkAcl(network_acl_id="acl-1", vpc_id="vpc-1", entries=[
            NetworkAclEntry(rule_number=n, egress=True, protocol="-1", rule_action="allow", cidr_block="0.0.0.0/0")
            for n in numbers
        ])

    assert free_rule_number(acl(), True, None) == 10
    assert free_rule_number(acl(100, 32767), True, None) == 32766  # AWS lists its "*" rule as 32767
    assert free_rule_number(acl(100, 200), True, None) == 210
    assert free_rule_number(acl(100, 200), False, None) == 10  # the other direction's rules don't count
    assert free_rule_number(acl(49, 50), True, 50) == 48
    assert free_rule_number(acl(1), True, 1) is None
