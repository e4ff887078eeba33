"""The path sources against moto (``mock_aws``): network ACLs, network interfaces, security-group pairs across a
peering, and prefix-list entries (moto's S3 list comes without Cidrs, so its entries are asked for)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from scenarios import add_interface_endpoint, build_vpc

from vpclint.collect.scheduler import collect
from vpclint.snapshot import SOURCES

MOTO_S3_CIDRS = ["3.5.0.0/19", "52.216.0.0/15", "54.231.0.0/16"]
"""What moto 5 answers GetManagedPrefixListEntries for com.amazonaws.<region>.s3."""


def _region(session: boto3.Session):
    region = collect(session, ["us-east-1"], "123456789012", "aws").regions[0]
    assert region.errors == [] and region.collected == sorted(SOURCES)
    return region


def test_network_acls_custom_entries_default_acl_and_associations(aws_env):
    """A custom ACL keeps its port range and its subnet; the VPC's default ACL keeps AWS's four entries."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        net = build_vpc(session, "us-east-1", "acl", azs=1, nat=False)
        ec2 = session.client("ec2")
        acl = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=True,
                                     CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Protocol="-1", RuleAction="deny", Egress=False,
                                     CidrBlock="10.9.0.0/16")
        subnet = net.public_subnets[0]
        current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
        association = next(a for a in current["Associations"] if a["SubnetId"] == subnet)["NetworkAclAssociationId"]
        ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
        region = _region(session)
    acls = {a.network_acl_id: a for a in region.network_acls if a.vpc_id == net.vpc_id}
    custom = acls[acl]
    assert (custom.is_default, custom.subnet_ids) == (False, [subnet])
    assert [(e.egress, e.rule_number, e.protocol, e.rule_action, e.cidr_block, e.from_port, e.to_port) for e in custom.entries] == [
        (False, 110, "-1", "deny", "10.9.0.0/16", None, None), (True, 100, "6", "allow", "0.0.0.0/0", 443, 443),
    ]
    (default,) = [a for a in acls.values() if a.is_default]
    assert subnet not in default.subnet_ids and set(net.private_subnets) <= set(default.subnet_ids)
    assert [(e.egress, e.rule_number, e.rule_action) for e in default.entries] == [
        (False, 100, "allow"), (False, 32767, "deny"), (True, 100, "allow"), (True, 32767, "deny"),
    ]


def test_network_interfaces_of_an_instance_an_endpoint_and_a_nat_gateway(aws_env):
    """moto creates the instance's, the interface endpoint's and the NAT gateway's ENIs: each is read with its
    subnet, groups, addresses and attachment."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        net = build_vpc(session, "us-east-1", "enis", azs=1)
        ec2 = session.client("ec2")
        group = ec2.create_security_group(GroupName="app", Description="app", VpcId=net.vpc_id)["GroupId"]
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=net.private_subnets[0],
                                     SecurityGroupIds=[group])["Instances"][0]
        endpoint = add_interface_endpoint(session, net, "ecr.dkr", net.private_subnets)
        region = _region(session)
    enis = {e.network_interface_id: e for e in region.network_interfaces}
    (app,) = [e for e in enis.values() if e.attachment_instance_id == instance["InstanceId"]]
    assert (app.subnet_id, app.vpc_id, app.group_ids, app.status) == (net.private_subnets[0], net.vpc_id, [group], "in-use")
    assert app.private_ips == [instance["PrivateIpAddress"]] and app.attachment_instance_owner_id == "123456789012"
    vpce = next(e for e in region.vpc_endpoints if e.vpc_endpoint_id == endpoint)
    assert len(vpce.network_interface_ids) == 1 and vpce.network_interface_ids[0] in enis
    assert enis[vpce.network_interface_ids[0]].subnet_id == net.private_subnets[0]
    nat = next(n for n in region.nat_gateways if n.nat_gateway_id == net.nat_gateways[0])
    (nat_eni,) = nat.network_interface_ids
    assert enis[nat_eni].private_ips == nat.private_ips and enis[nat_eni].subnet_id == nat.subnet_id


def test_security_group_pairs_keep_vpc_owner_and_peering(aws_env):
    """A rule referencing a group of a peered VPC keeps the pair's VpcId, UserId and VpcPeeringConnectionId."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        ec2 = session.client("ec2")
        near = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        far = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        peering = ec2.create_vpc_peering_connection(VpcId=near, PeerVpcId=far)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        mine = ec2.create_security_group(GroupName="near", Description="near", VpcId=near)["GroupId"]
        theirs = ec2.create_security_group(GroupName="far", Description="far", VpcId=far)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=mine, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "UserIdGroupPairs": [{"GroupId": theirs, "VpcId": far, "VpcPeeringConnectionId": peering, "UserId": "123456789012"}],
        }])
        region = _region(session)
    (rule,) = next(g for g in region.security_groups if g.group_id == mine).ingress
    assert (rule.referenced_group_id, rule.referenced_group_vpc_id, rule.referenced_group_owner_id, rule.vpc_peering_connection_id) == (
        theirs, far, "123456789012", peering,
    )


def test_prefix_lists_get_moto_s3_entries_and_referenced_customer_lists(aws_env):
    """moto's DescribePrefixLists has no Cidrs: the S3 list's entries come from GetManagedPrefixListEntries; a
    customer list a security-group rule references is read with its name, owner and entries."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        corp = ec2.create_managed_prefix_list(PrefixListName="corp", MaxEntries=5, AddressFamily="IPv4",
                                              Entries=[{"Cidr": "10.9.0.0/16"}, {"Cidr": "10.8.0.0/16"}])["PrefixList"]["PrefixListId"]
        group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": corp}],
        }])
        region = _region(session)
    lists = {p.prefix_list_name: p for p in region.prefix_lists}
    assert sorted(lists) == ["com.amazonaws.us-east-1.s3", "corp"]
    s3, customer = lists["com.amazonaws.us-east-1.s3"], lists["corp"]
    assert (s3.owner_id, s3.cidrs, s3.cidrs_known) == ("AWS", MOTO_S3_CIDRS, True)
    assert (customer.prefix_list_id, customer.owner_id, customer.cidrs) == (corp, "123456789012", ["10.8.0.0/16", "10.9.0.0/16"])
    assert region.notes == []
