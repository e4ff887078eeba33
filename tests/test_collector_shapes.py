"""The collector's normalisers fed REAL AWS response shapes (tests/fixtures/aws_shapes, each naming its source),
plus the odd items real accounts return: VPC Lattice endpoints, multi-address NAT gateways, route targets vpclint
doesn't know, items too broken to read."""

from __future__ import annotations

import json
from pathlib import Path

from test_collector import FakeEc2, collect_fake

from vpclint.collect.route53 import DNS_SOURCES
from vpclint.snapshot import SOURCES, Snapshot

from vpclint.snapshot_files import dumps

SHAPES = Path(__file__).parent / "fixtures" / "aws_shapes"


def _vpc_ids(value: object) -> set[str]:
    """Every ``VpcId`` in a recorded response (its resources' VPCs must be listed for the snapshot to be whole)."""
    if isinstance(value, dict):
        found = {value["VpcId"]} if isinstance(value.get("VpcId"), str) else set()
        return found.union(*(_vpc_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_vpc_ids(v) for v in value))
    return set()


VPCS = {"DescribeVpcs": [{"Vpcs": [
    {"VpcId": vpc_id, "CidrBlock": "10.0.0.0/16"}
    for vpc_id in sorted({"vpc-111122223333aabbc", "vpc-1"}.union(*(_vpc_ids(json.loads(p.read_text())) for p in SHAPES.glob("*.json"))))
]}]}


def shape(name: str) -> dict[str, list[dict]]:
    """One recorded response as FakeEc2 pages (a single page)."""
    document = json.loads((SHAPES / f"{name}.json").read_text())
    assert document["_source"], f"{name}.json names no source"
    return {document["operation"]: [document["response"]]}


def test_every_shape_names_its_source():
    """Each fixture says which repository and path it was copied from (or which AWS guide page, for a response
    the aws-cli's examples predate)."""
    for path in sorted(SHAPES.glob("*.json")):
        sources = json.loads(path.read_text())["_source"]
        assert all(s.startswith(("aws/aws-cli@", "cloud-custodian/cloud-custodian@")) and (".rst" in s or ".json" in s)
                   or s.startswith("docs.aws.amazon.com/") and "example output" in s for s in sources), path


def test_network_acls_from_the_aws_cli_and_custodian():
    """The default ACLs: four entries (IPv4 only) or eight (with the IPv6 rules 101 and 32768), no ports for -1."""
    region = collect_fake(FakeEc2({**VPCS, **shape("describe_network_acls")}))
    acls = {a.network_acl_id: a for a in region.network_acls}
    assert sorted(acls) == ["acl-0e2a78e4e2EXAMPLE", "acl-0ea1f54ca7EXAMPLE", "acl-2495b15d"]
    assert "network_acls" in region.collected and region.notes == []
    one, dual = acls["acl-0ea1f54ca7EXAMPLE"], acls["acl-0e2a78e4e2EXAMPLE"]
    assert (one.is_default, one.subnet_ids, len(one.entries)) == (True, ["subnet-0931fc2fa5EXAMPLE"], 4)
    assert [(e.egress, e.rule_number, e.rule_action) for e in one.entries] == [
        (False, 100, "allow"), (False, 32767, "deny"), (True, 100, "allow"), (True, 32767, "deny"),
    ]
    assert len(dual.entries) == 8 and dual.subnet_ids == []
    v6 = [e for e in dual.entries if e.ipv6_cidr_block]
    assert [(e.egress, e.rule_number, e.ipv6_cidr_block, e.cidr_block) for e in v6] == [
        (False, 101, "::/0", None), (False, 32768, "::/0", None), (True, 101, "::/0", None), (True, 32768, "::/0", None),
    ]
    assert all((e.protocol, e.from_port, e.to_port) == ("-1", None, None) for e in dual.entries)


def test_network_interfaces_keep_every_address_and_the_managed_ones():
    """Instance ENIs keep their attachment; a secondary private IP is kept; endpoint and NAT ENIs are requester
    managed with InstanceOwnerId amazon-aws and no instance."""
    region = collect_fake(FakeEc2({**VPCS, **shape("describe_network_interfaces")}))
    enis = {e.network_interface_id: e for e in region.network_interfaces}
    assert len(enis) == 6 and region.notes == []
    attached = enis["eni-e5aa89a3"]
    assert (attached.attachment_instance_id, attached.attachment_instance_owner_id) == ("i-1234567890abcdef0", "123456789012")
    assert (attached.group_ids, attached.private_ips, attached.description) == (["sg-8637d3e3"], ["10.0.1.17"], "my network interface")
    assert enis["eni-b9a5ac93"].private_ips == ["10.0.1.117", "10.0.1.55"]
    assert enis["eni-b9a5ac93"].tags == {"Purpose": "Prod"}
    endpoint, nat = enis["eni-054de8d628e757d05"], enis["eni-02f9c1d34f40af967"]
    assert (endpoint.interface_type, endpoint.requester_managed, endpoint.group_ids) == ("vpc_endpoint", True, ["sg-031f71960759a8d50"])
    assert (endpoint.attachment_instance_id, endpoint.attachment_instance_owner_id) == (None, "amazon-aws")
    assert endpoint.description == "VPC Endpoint Interface vpce-0dfaa364d994a6a2f"
    assert (nat.interface_type, nat.group_ids, nat.private_ips, nat.subnet_id) == ("nat_gateway", [], ["10.0.1.153"], "subnet-012f22da152a7028e")


def test_vpc_endpoints_of_every_type_including_vpc_lattice():
    """Lattice endpoints (no ServiceName) are kept with their ARN, no note; DNS options, entries, interfaces and
    AWS's ServiceRegion are read."""
    region = collect_fake(FakeEc2({**VPCS, **shape("describe_vpc_endpoints")}))
    assert "vpc_endpoints" in region.collected and region.notes == [] and region.errors == []
    endpoints = {e.vpc_endpoint_id: e for e in region.vpc_endpoints}
    assert len(endpoints) == 9
    resource, network = endpoints["vpce-00939a7ed9EXAMPLE"], endpoints["vpce-0f00567fa8EXAMPLE"]
    assert (resource.vpc_endpoint_type, resource.service_name, resource.service, resource.service_region) == ("Resource", None, None, None)
    assert resource.resource_configuration_arn == "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123abcde98765432"
    assert (resource.ip_address_type, resource.owner_id, resource.group_ids) == ("IPV4", "123456789012", ["sg-03e2f15fbfc09b000"])
    assert network.service_network_arn == "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0101abcd5432abcd0"
    elb = endpoints["vpce-0f89a33420c1931d7"]
    assert elb.network_interface_ids == ["eni-1b4a65cf", "eni-2ec2b084"]
    assert [d.dns_name for d in elb.dns_entries][0] == "vpce-0f89a33420c1931d7-bluzidnv-us-east-1a.elasticloadbalancing.us-east-1.vpce.amazonaws.com"
    assert {d.hosted_zone_id for d in elb.dns_entries} == {"Z7HUB22UULQXV"}
    s3 = endpoints["vpce-0ed5e77b9c6578e6a"]
    assert (s3.service, s3.service_region, s3.dns_record_ip_type, s3.ip_address_type) == ("s3", "us-west-2", "ipv4", "ipv4")
    assert (s3.requester_managed, s3.private_dns_only_for_inbound_resolver_endpoint) == (False, None)
    gwlb = endpoints["vpce-aabbaabbaabbaabba"]
    assert (gwlb.vpc_endpoint_type, gwlb.service, gwlb.network_interface_ids) == ("GatewayLoadBalancer", None, ["eni-01010120203030405"])
    assert endpoints["vpce-0d3fa19c3b50341d2"].dns_record_ip_type == "service-defined"


def test_service_region_from_aws_wins_over_the_parsed_one():
    """A cross-region endpoint: AWS's ServiceRegion is kept even when the service name says otherwise."""
    pages = {**VPCS, "DescribeVpcEndpoints": [{"VpcEndpoints": [{
        "VpcEndpointId": "vpce-1", "VpcId": "vpc-1", "VpcEndpointType": "Interface",
        "ServiceName": "com.amazonaws.us-east-1.ecr.dkr", "ServiceRegion": "eu-west-1",
        "DnsOptions": {"DnsRecordIpType": "ipv4", "PrivateDnsOnlyForInboundResolverEndpoint": True},
    }]}]}
    endpoint = collect_fake(FakeEc2(pages)).vpc_endpoints[0]
    assert (endpoint.service_region, endpoint.service, endpoint.private_dns_only_for_inbound_resolver_endpoint) == ("eu-west-1", "ecr.dkr", True)


def test_a_nat_gateway_with_several_addresses_lists_its_interface_once():
    """AWS lists the one ENI once per address (aws-cli describe-nat-gateways examples 1 and 2)."""
    nats = {n.nat_gateway_id: n for n in collect_fake(FakeEc2({**VPCS, **shape("describe_nat_gateways")})).nat_gateways}
    public, private = nats["nat-01234567890abcdef"], nats["nat-1234567890abcdef0"]
    assert (public.network_interface_ids, public.private_ips) == (["eni-09cc4b2558794f7f9"], ["10.0.0.211", "10.0.0.74"])
    assert private.network_interface_ids == ["eni-0065a61b324d1897a"]
    assert (private.private_ips, private.connectivity_type) == (["10.0.20.197", "10.0.20.240", "10.0.20.33"], "private")


def test_route_tables_from_custodian():
    """A real account's tables: local, internet, NAT and gateway-endpoint prefix-list routes, explicit associations."""
    region = collect_fake(FakeEc2({**VPCS, **shape("describe_route_tables")}))
    assert len(region.route_tables) == 13
    routes = [r for t in region.route_tables for r in t.routes]
    assert len(routes) == 43
    assert {r.target_type for r in routes} == {"local", "internet_gateway", "nat_gateway", "vpc_endpoint"}
    endpoint_routes = [r for r in routes if r.destination_prefix_list_id]
    assert endpoint_routes and all(r.target_type == "vpc_endpoint" and r.target_id.startswith("vpce-") for r in endpoint_routes)
    assert not any(r.target_key for r in routes)
    # No DescribePrefixLists answer here, so the lists the routes name are looked for as customer lists: noted.
    assert [n.item_id for n in region.notes] == sorted({r.destination_prefix_list_id for r in endpoint_routes})


def test_route_targets_vpclint_does_not_know_are_kept_by_name():
    """OdbNetworkArn, a Route Server next hop, a future *Id key and an unfamiliar gateway become ``other`` with the
    AWS field in ``target_key`` (the route shapes are botocore's Route members)."""
    routes = [
        {"DestinationCidrBlock": "10.20.0.0/16", "OdbNetworkArn": "arn:aws:odb:us-east-1:111122223333:odb-network/odb-1", "State": "active"},
        {"DestinationCidrBlock": "10.21.0.0/16", "IpAddress": "10.0.5.9", "State": "active", "Origin": "CreateRoute"},
        {"DestinationCidrBlock": "10.22.0.0/16", "FutureWidgetId": "fw-1", "InstanceOwnerId": "111122223333"},
        {"DestinationCidrBlock": "10.23.0.0/16", "GatewayId": "xgw-1"},
        {"DestinationCidrBlock": "10.24.0.0/16", "GatewayId": "vpce-0aabbccdd", "State": "active"},
    ]
    pages = {**VPCS, "DescribeRouteTables": [{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": routes}]}]}
    table = collect_fake(FakeEc2(pages)).route_tables[0]
    assert [(r.target_type, r.target_id, r.target_key) for r in table.routes] == [  # sorted by destination
        ("other", "arn:aws:odb:us-east-1:111122223333:odb-network/odb-1", "OdbNetworkArn"),
        ("other", "10.0.5.9", "IpAddress"),
        ("other", "fw-1", "FutureWidgetId"),
        ("other", "xgw-1", "GatewayId"),
        ("vpc_endpoint", "vpce-0aabbccdd", None),  # a GWLB endpoint too: the route alone can't tell
    ]


def test_security_group_pairs_keep_vpc_owner_and_peering():
    """A rule naming a group across a peering keeps the pair's VpcId, UserId and VpcPeeringConnectionId."""
    groups = {g.group_id: g for g in collect_fake(FakeEc2({**VPCS, **shape("describe_security_groups")})).security_groups}
    peered = groups["sg-dd8134ac"].ingress
    assert [(r.protocol, r.from_port, r.to_port, r.referenced_group_id, r.referenced_group_vpc_id,
             r.referenced_group_owner_id, r.vpc_peering_connection_id) for r in peered] == [
        ("tcp", 60000, 62000, "sg-e9843198", "vpc-b9c27ac0", "111122223333", "pcx-0a5e2a63"),
    ]
    default_self = [r for g in groups.values() for r in g.ingress if r.referenced_group_id == g.group_id]
    assert default_self and all(r.referenced_group_vpc_id is None and r.referenced_group_owner_id == "111122223333" for r in default_self)


def test_customer_prefix_list_entries_from_the_aws_cli():
    """A route to a customer-managed list: its name and owner from DescribeManagedPrefixLists, its CIDRs from
    GetManagedPrefixListEntries; DescribePrefixLists' S3 list keeps its own CIDRs."""
    pages = {
        **VPCS, **shape("describe_managed_prefix_lists"), **shape("get_managed_prefix_list_entries"),
        "DescribeRouteTables": [{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
            {"DestinationPrefixListId": "pl-0123456abcabcabc1", "TransitGatewayId": "tgw-1", "State": "active"},
        ]}]}],
        "DescribePrefixLists": [{"PrefixLists": [
            {"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-west-2.s3", "Cidrs": ["52.218.128.0/17", "3.5.76.0/22"]},
        ]}],
    }
    fake = FakeEc2(pages)
    region = collect_fake(fake, "us-west-2")
    assert [c for c in fake.calls if c[0] == "GetManagedPrefixListEntries"] == [("GetManagedPrefixListEntries", None)]
    assert [(p.prefix_list_id, p.prefix_list_name, p.owner_id, p.cidrs, p.cidrs_known) for p in region.prefix_lists] == [
        ("pl-0123456abcabcabc1", "vpc-cidrs", "123456789012", ["10.0.0.0/16", "10.2.0.0/16"], True),
        ("pl-63a5400a", "com.amazonaws.us-west-2.s3", "AWS", ["3.5.76.0/22", "52.218.128.0/17"], True),
    ]
    assert "prefix_lists" in region.collected and region.notes == []


def test_unreadable_prefix_list_entries_are_marked_unknown_and_recorded():
    """Entries that can't be read: the list is kept with cidrs_known False, the error recorded once per code, and
    prefix_lists is not collected."""
    pages = {
        **VPCS,
        "DescribeSecurityGroups": [{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1", "IpPermissionsEgress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-a"}, {"PrefixListId": "pl-b"}]},
        ]}]}],
        "DescribeManagedPrefixLists": [{"PrefixLists": [{"PrefixListId": "pl-a", "PrefixListName": "a", "OwnerId": "444455556666"}]}],
    }
    region = collect_fake(FakeEc2(pages, errors={"GetManagedPrefixListEntries": "UnauthorizedOperation"}))
    assert [(p.prefix_list_id, p.prefix_list_name, p.owner_id, p.cidrs_known) for p in region.prefix_lists] == [
        ("pl-a", "a", "444455556666", False), ("pl-b", "pl-b", None, False),
    ]
    assert [(e.api, e.code) for e in region.errors] == [("ec2:GetManagedPrefixListEntries", "UnauthorizedOperation")]
    assert "prefix_lists" not in region.collected
    assert [(n.api, n.item_id) for n in region.notes] == [("ec2:DescribeManagedPrefixLists", "pl-b")]


def test_an_item_that_cannot_be_read_costs_only_itself():
    """A broken item is left out (with a note naming it, or none when even its id is missing), a broken part of an
    item is dropped from it; every source still counts as collected and the rest of the region is read."""
    pages = {
        **VPCS,
        "DescribeVpcEndpoints": [{"VpcEndpoints": [
            {"VpcEndpointId": "vpce-ok", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.s3"},
            {"VpcEndpointId": "vpce-novpc", "VpcEndpointType": "Interface"},
            {"VpcEndpointType": "Interface", "VpcId": "vpc-1"},
        ]}],
        "DescribeNetworkAcls": [{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [
            {"RuleNumber": 100, "Egress": False, "Protocol": "6", "RuleAction": "allow", "CidrBlock": "10.0.0.0/8", "PortRange": {"From": 443, "To": 443}},
            {"RuleNumber": 110, "Egress": False, "Protocol": "6", "RuleAction": "reject", "CidrBlock": "10.0.0.0/8"},
        ]}]}],
        "DescribeSecurityGroups": [{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"Description": "no CidrIp"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
        ]}]}],
    }
    region = collect_fake(FakeEc2(pages))
    assert region.collected == sorted(set(SOURCES) - set(DNS_SOURCES)) and region.errors == []
    assert [e.vpc_endpoint_id for e in region.vpc_endpoints] == ["vpce-ok"]
    assert [(e.rule_number, e.from_port) for e in region.network_acls[0].entries] == [(100, 443)]
    assert [r.cidr_ipv4 for r in region.security_groups[0].ingress] == ["10.0.0.0/16"]
    assert [(n.api, n.item_id, n.message) for n in region.notes] == [
        ("ec2:DescribeNetworkAcls", "acl-1", "entry 1 left out: rule_action: Input should be 'allow' or 'deny'"),
        ("ec2:DescribeSecurityGroups", "sg-1", "ingress permission 0 left out: missing 'CidrIp'"),
        ("ec2:DescribeVpcEndpoints", None, "left out: missing 'VpcEndpointId'"),
        ("ec2:DescribeVpcEndpoints", "vpce-novpc", "left out: missing 'VpcId'"),
    ]


def reverse_routes(item: dict) -> dict:
    """A route table with its routes in the opposite order; any other item as it is."""
    return {**item, "Routes": list(reversed(item["Routes"]))} if "Routes" in item else item


def test_the_same_responses_give_a_byte_identical_snapshot():
    """Items (and each table's routes) in another order give the same file: every list is sorted, notes included."""
    names = ["describe_network_acls", "describe_network_interfaces", "describe_vpc_endpoints", "describe_nat_gateways",
             "describe_route_tables", "describe_security_groups"]
    pages = {op: p for name in names for op, p in shape(name).items()}
    reversed_pages = {op: [{key: [reverse_routes(i) for i in reversed(items)] for key, items in page.items()} for page in p]
                      for op, p in pages.items()}
    first = dumps(Snapshot(account_id="1", regions=[collect_fake(FakeEc2({**VPCS, **pages}))]))
    second = dumps(Snapshot(account_id="1", regions=[collect_fake(FakeEc2({**VPCS, **reversed_pages}))]))
    assert first == second


def test_a_resource_of_a_vpc_created_during_the_scan_costs_only_itself():
    """A route table whose VPC appeared after DescribeVpcs ran is left out with a note; the file still loads."""
    pages = {**VPCS, "DescribeRouteTables": [{"RouteTables": [
        {"RouteTableId": "rtb-new", "VpcId": "vpc-created-later", "Routes": []},
        {"RouteTableId": "rtb-ok", "VpcId": "vpc-1", "Routes": []},
    ]}]}
    region = collect_fake(FakeEc2(pages))
    assert [t.route_table_id for t in region.route_tables] == ["rtb-ok"]
    assert [(n.api, n.item_id) for n in region.notes] == [("vpclint:route_tables", "rtb-new")]
    assert "vpc-created-later" in region.notes[0].message and "route_tables" in region.collected
    snapshot = Snapshot(account_id="111122223333", regions=[region])
    assert Snapshot.model_validate_json(dumps(snapshot)).regions[0].route_tables[0].route_table_id == "rtb-ok"


def test_an_item_whose_id_is_not_one_shell_word_costs_only_itself():
    """An id that a printed command could not carry as one word (never seen from AWS) is left out with a note, like
    any odd item, and the rest of the region and the written file stay good."""
    pages = {**VPCS, "DescribeRouteTables": [{"RouteTables": [
        {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1 `id`"}]},
        {"RouteTableId": "rtb-ok", "VpcId": "vpc-1", "Routes": []},
    ]}]}
    region = collect_fake(FakeEc2(pages))
    assert [t.route_table_id for t in region.route_tables] == ["rtb-ok"]
    assert [(n.api, n.item_id) for n in region.notes] == [("vpclint:route_tables", "rtb-1")]
    assert "'igw-1 `id`' is not an identifier" in region.notes[0].message
    snapshot = Snapshot(account_id="111122223333", regions=[region])
    assert Snapshot.model_validate_json(dumps(snapshot)).regions[0].route_tables[0].route_table_id == "rtb-ok"
