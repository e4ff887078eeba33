"""End to end on a moto server: each link of the pull path broken in a real (moto) account, found by the CLI.

Each test builds a complete private VPC (ecr.dkr, ecr.api, S3 gateway, an instance in every private subnet),
breaks one link with real boto3 calls, scans it with the ``vpclint`` executable and checks the verdict table
in the JSON document and the finding that names the link.
"""

from __future__ import annotations

from scenarios import (
    add_interface_endpoint,
    add_s3_gateway,
    add_workloads,
    build_vpc,
    endpoint_security_group,
    own_network_acl,
    workload_group,
)

REGION = "us-west-2"


def complete_vpc(session, cidr: str = "10.8.0.0/16", workloads: bool = True, egress=None):
    net = build_vpc(session, REGION, "app", cidr=cidr, azs=2, workloads=False)
    endpoint_security_group(session, net, [cidr])
    for service in ("ecr.dkr", "ecr.api"):
        add_interface_endpoint(session, net, service, net.private_subnets)
    add_s3_gateway(session, net, net.private_route_tables)
    group = workload_group(session, net, egress)
    if workloads:
        add_workloads(session, net, net.private_subnets, [group])
    return net, group


def scan(moto_server, run_vpclint) -> dict:
    result = run_vpclint(["scan", "--region", REGION, "--format", "json"], env=moto_server.env(REGION))
    assert result.returncode in (0, 1), result.stderr
    report = result.json()
    assert report["summary"]["complete"], report["errors"]
    return report


def vpc_row(report: dict, vpc_id: str) -> dict:
    return next(v for v in report["vpcs"] if v["vpc_id"] == vpc_id)


def findings(report: dict, rule_id: str) -> dict[str, dict]:
    return {f["resource_id"]: f for f in report["findings"] if f["rule_id"] == rule_id}


def test_a_complete_vpc_is_private_on_every_flow(moto_server, run_vpclint):
    net, _ = complete_vpc(moto_server.session(REGION))
    report = scan(moto_server, run_vpclint)
    row = vpc_row(report, net.vpc_id)
    assert row["verdict"] == "private", row
    assert [s["subnet_id"] for s in row["subnets"]] == sorted(net.private_subnets)
    for subnet in row["subnets"]:
        assert subnet["workloads"] == ["ec2_instance"]
        assert {name: flow["path"] for name, flow in subnet["flows"].items()} == {
            "registry_api": "endpoint", "registry": "endpoint", "layers": "endpoint"
        }
        assert subnet["flows"]["layers"]["via"] == net.endpoints["s3"]
    assert not [f for f in report["findings"] if f["vpc_id"] == net.vpc_id]


def test_a_workload_acl_denying_outbound_https(moto_server, run_vpclint):
    session = moto_server.session(REGION)
    net, _ = complete_vpc(session)
    subnet = net.private_subnets[0]
    acl = own_network_acl(session, net, subnet, [
        {"RuleNumber": 50, "Protocol": "6", "RuleAction": "deny", "Egress": True, "CidrBlock": "0.0.0.0/0",
         "PortRange": {"From": 443, "To": 443}},
        {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": True, "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0"},
    ])
    report = scan(moto_server, run_vpclint)
    assert vpc_row(report, net.vpc_id)["verdict"] == "broken"
    finding = findings(report, "network-acl-blocks-pull")[subnet]
    assert finding["evidence"]["blocked_by"]["resource_id"] == acl
    assert finding["evidence"]["blocked_by"]["rule_number"] == 50
    assert f"--network-acl-id {acl} --egress --rule-number 49 --protocol tcp" in " ".join(finding["remediation"].split())
    assert net.private_subnets[1] not in findings(report, "network-acl-blocks-pull")


def test_a_workload_acl_without_inbound_replies(moto_server, run_vpclint):
    session = moto_server.session(REGION)
    net, _ = complete_vpc(session)
    subnet = net.private_subnets[1]
    own_network_acl(session, net, subnet, [
        {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": True, "CidrBlock": "0.0.0.0/0"},
    ])
    report = scan(moto_server, run_vpclint)
    blocked = findings(report, "network-acl-blocks-pull")[subnet]["evidence"]["blocked_by"]
    assert (blocked["direction"], blocked["ports"], blocked.get("rule_number")) == ("inbound", "1024-65535", None)


def test_workload_egress_only_to_the_private_range_cannot_reach_s3(moto_server, run_vpclint):
    net, group = complete_vpc(
        moto_server.session(REGION),
        egress=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )
    report = scan(moto_server, run_vpclint)
    row = vpc_row(report, net.vpc_id)
    assert row["verdict"] == "broken"
    for subnet in row["subnets"]:
        assert subnet["flows"]["registry"]["path"] == "endpoint"
        assert subnet["flows"]["layers"]["link"]["kind"] == "workload-sg"
    flagged = findings(report, "workload-egress-blocks-pull")
    assert sorted(flagged) == sorted(net.private_subnets)
    assert f"--group-id {group}" in flagged[net.private_subnets[0]]["remediation"]


def test_a_more_specific_route_diverts_part_of_s3(moto_server, run_vpclint):
    session = moto_server.session(REGION)
    net, _ = complete_vpc(session)
    ec2 = session.client("ec2", region_name=REGION)
    appliance = ec2.create_network_interface(SubnetId=net.public_subnets[0])["NetworkInterface"]["NetworkInterfaceId"]
    table = net.private_route_tables[0]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="52.216.0.0/16", NetworkInterfaceId=appliance)
    report = scan(moto_server, run_vpclint)
    finding = findings(report, "route-diverts-s3-traffic")[table]
    assert finding["evidence"]["diverted"][0]["target_id"] == appliance
    layers = next(s for s in vpc_row(report, net.vpc_id)["subnets"] if s["subnet_id"] == net.private_subnets[0])["flows"]["layers"]
    assert (layers["path"], layers["via"]) == ("routed", appliance)


def test_an_endpoint_group_that_only_references_itself(moto_server, run_vpclint):
    session = moto_server.session(REGION)
    net, _ = complete_vpc(session)
    ec2 = session.client("ec2", region_name=REGION)
    ec2.revoke_security_group_ingress(
        GroupId=net.endpoint_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.8.0.0/16"}]}],
    )
    ec2.authorize_security_group_ingress(
        GroupId=net.endpoint_sg, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": net.endpoint_sg}]}]
    )
    report = scan(moto_server, run_vpclint)
    flagged = findings(report, "endpoint-https-ingress-missing")
    assert sorted(flagged) == sorted(net.endpoints[s] for s in ("ecr.api", "ecr.dkr"))
    assert vpc_row(report, net.vpc_id)["verdict"] == "broken"


def test_a_group_in_a_peered_vpc_admits_nobody_here(moto_server, run_vpclint):
    session = moto_server.session(REGION)
    net, group = complete_vpc(session)
    ec2 = session.client("ec2", region_name=REGION)
    peer_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    peering = ec2.create_vpc_peering_connection(VpcId=net.vpc_id, PeerVpcId=peer_vpc)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    peer_group = ec2.create_security_group(GroupName="peer", Description="peer", VpcId=peer_vpc)["GroupId"]
    ec2.revoke_security_group_ingress(
        GroupId=net.endpoint_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.8.0.0/16"}]}],
    )
    ec2.authorize_security_group_ingress(GroupId=net.endpoint_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "UserIdGroupPairs": [{"GroupId": peer_group, "VpcId": peer_vpc, "VpcPeeringConnectionId": peering}],
    }])
    report = scan(moto_server, run_vpclint)
    assert sorted(findings(report, "endpoint-https-ingress-missing")) == sorted(net.endpoints[s] for s in ("ecr.api", "ecr.dkr"))


def test_subnets_holding_only_endpoint_interfaces_need_no_s3_gateway(moto_server, run_vpclint):
    session = moto_server.session(REGION)
    net, _ = complete_vpc(session)
    ec2 = session.client("ec2", region_name=REGION)
    endpoint_subnet = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.8.60.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=net.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=endpoint_subnet)
    logs = add_interface_endpoint(session, net, "logs", [endpoint_subnet])
    report = scan(moto_server, run_vpclint)
    assert logs
    assert table not in findings(report, "s3-gateway-route-table-missing")
    row = vpc_row(report, net.vpc_id)
    assert endpoint_subnet not in [s["subnet_id"] for s in row["subnets"]]
    assert row["verdict"] == "private"
