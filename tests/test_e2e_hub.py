"""End to end on a moto server: centralised ECR endpoints in a hub VPC, reached by a spoke over a transit gateway
or a peering connection, with private hosted zones aliasing them (built with real boto3 calls), scanned by the
``vpclint`` executable. Each case checks the verdict table and the findings AWS's behaviour calls for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scenarios import build_hub_and_spoke, workload_group
from test_e2e_pull_path import findings, vpc_row

REGION = "us-west-2"
def collect_with_route_attachments(moto_server, run_vpclint, snapshot: Path) -> dict:
    """Collect the moto account into ``snapshot``, giving the transit gateway routes the attachment they lead to;
    returns the snapshot's data.

    The patch works around moto (5.2.5, and getmoto/moto's main branch as of 2026-08): ``create_transit_gateway_route``
    stores the route's attachment as one camelCase dict (``transitGatewayAttachments: {...}``) that its response
    serializer can't map onto AWS's list shape, so ``SearchTransitGatewayRoutes`` (and ``CreateTransitGatewayRoute``
    itself) answer ``TransitGatewayAttachments: []``; no other moto call gives a route's attachment (enabling
    propagation adds no propagated routes). The snapshot's routes then name the attachment of the VPC whose CIDR
    they route, which is what the moto calls asked for; everything else is collected as moto answers."""
    collected = run_vpclint(["collect", "--region", REGION, "-o", str(snapshot)], env=moto_server.env(REGION))
    assert collected.returncode == 0, collected.stderr
    data = json.loads(snapshot.read_text())
    for region in (r for account in data["accounts"] for r in account["regions"]):
        cidrs = {v["vpc_id"]: v["cidr_blocks"] for v in region["vpcs"]}
        for table in region["transit_gateway_route_tables"]:
            for route in table["routes"]:
                route["attachments"] = route["attachments"] or [
                    {"transit_gateway_attachment_id": a["transit_gateway_attachment_id"], "resource_id": a["vpc_id"],
                     "resource_type": "vpc"}
                    for a in region["transit_gateway_attachments"]
                    if route["destination_cidr_block"] in cidrs.get(a["vpc_id"], [])]
    snapshot.write_text(json.dumps(data))
    return data


def scan(moto_server, run_vpclint, tmp_path: Path) -> dict:
    """Collect the moto account (:func:`collect_with_route_attachments`) and scan that."""
    snapshot = tmp_path / "snapshot.json"
    collect_with_route_attachments(moto_server, run_vpclint, snapshot)
    result = run_vpclint(["scan", "--snapshot", str(snapshot), "--format", "json"], env=moto_server.env(REGION))
    assert result.returncode in (0, 1), result.stderr
    report = result.json()
    assert report["summary"]["complete"], report["errors"]
    return report


MISSING = ("ecr-api-endpoint-missing", "ecr-dkr-endpoint-missing", "ecr-api-private-dns-disabled",
           "ecr-dkr-private-dns-disabled")


@pytest.mark.parametrize("via", ["tgw", "pcx"])
def test_a_spoke_reaching_hub_endpoints_through_zones_is_private_and_no_finding(moto_server, run_vpclint, tmp_path, via):
    world = build_hub_and_spoke(moto_server.session(REGION), REGION, via=via)
    assert_private_over_the_hub(scan(moto_server, run_vpclint, tmp_path), world)


def assert_private_over_the_hub(report: dict, world) -> None:
    """The spoke's registry names resolve to the hub endpoints over ``world.connection``, its layers take its own S3
    gateway, hub and spoke are private, and neither is reported missing endpoints or private DNS."""
    spoke = vpc_row(report, world.spoke.vpc_id)
    assert spoke["verdict"] == "private", spoke["summary"]
    for subnet in spoke["subnets"]:
        flows = subnet["flows"]
        assert (flows["registry"]["path"], flows["registry"]["via"]) == ("endpoint", world.hub.endpoints["ecr.dkr"])
        assert (flows["registry_api"]["path"], flows["registry_api"]["via"]) == ("endpoint", world.hub.endpoints["ecr.api"])
        assert world.connection in flows["registry"]["reason"]
        assert (flows["layers"]["path"], flows["layers"]["via"]) == ("endpoint", world.spoke.endpoints["s3"])
    assert vpc_row(report, world.hub.vpc_id)["verdict"] == "private"  # the zones answer the hub's workloads too
    ours = (world.hub.vpc_id, world.spoke.vpc_id)
    assert not [f for f in report["findings"] if f["rule_id"] in MISSING and f["vpc_id"] in ours], report["findings"]


def test_a_hub_group_admitting_only_the_hub_names_the_group_and_the_spoke_cidr(moto_server, run_vpclint, tmp_path):
    world = build_hub_and_spoke(moto_server.session(REGION), REGION, admit_spoke=False)
    report = scan(moto_server, run_vpclint, tmp_path)
    assert vpc_row(report, world.spoke.vpc_id)["verdict"] == "broken"
    flagged = findings(report, "hub-endpoint-ingress-missing")
    assert sorted(flagged) == sorted(world.spoke.private_subnets)
    for finding in flagged.values():
        assert finding["evidence"]["blocked_by"]["group_ids"] == [world.hub.endpoint_sg]
        assert f"--group-id {world.hub.endpoint_sg}" in finding["remediation"]
        assert finding["evidence"]["blocked_by"]["peer"].startswith("10.21.")


@pytest.mark.parametrize("sg_referencing", ["enable", "disable"])
def test_a_hub_group_referencing_the_spoke_workloads_admits_nobody_over_the_transit_gateway(
        moto_server, run_vpclint, tmp_path, sg_referencing):
    """The hub endpoints' group admits the hub CIDR and references the group every spoke workload is in. AWS's
    security group referencing over a transit gateway "is not supported for PrivateLink endpoints", so the spoke is
    blocked whether the gateway and its attachments enable it or not; the finding names the hub group and says why."""
    session = moto_server.session(REGION)
    world = build_hub_and_spoke(session, REGION, admit_spoke=False, sg_referencing=sg_referencing)
    ec2 = session.client("ec2", region_name=REGION)
    spoke_group = workload_group(session, world.spoke, name="spoke-workloads")
    reservations = ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [world.spoke.vpc_id]}])["Reservations"]
    for instance in (i for r in reservations for i in r["Instances"]):
        ec2.modify_instance_attribute(InstanceId=instance["InstanceId"], Groups=[spoke_group])
    ec2.authorize_security_group_ingress(GroupId=world.hub.endpoint_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "UserIdGroupPairs": [{"GroupId": spoke_group, "VpcId": world.spoke.vpc_id}]}])
    snapshot = tmp_path / "snapshot.json"
    data = collect_with_route_attachments(moto_server, run_vpclint, snapshot)
    [region] = [r for account in data["accounts"] for r in account["regions"]]
    assert {a["security_group_referencing_support"] for a in region["transit_gateway_attachments"]} == {sg_referencing}
    result = run_vpclint(["scan", "--snapshot", str(snapshot), "--format", "json"], env=moto_server.env(REGION))
    report = result.json()
    assert result.returncode == 1 and report["summary"]["complete"], result.stderr
    assert vpc_row(report, world.spoke.vpc_id)["verdict"] == "broken"
    flagged = findings(report, "hub-endpoint-ingress-missing")
    assert sorted(flagged) == sorted(world.spoke.private_subnets)
    for finding in flagged.values():
        assert finding["evidence"]["blocked_by"]["group_ids"] == [world.hub.endpoint_sg]
        detail = finding["evidence"]["flows"][0]["detail"]
        assert (f"{world.hub.endpoint_sg}'s reference to {spoke_group} admits nobody across {world.connection}: AWS does "
                "not support security group referencing over a transit gateway for PrivateLink endpoints") in detail
        assert ("even where enabled" in detail) == (sg_referencing == "enable")


def test_a_spoke_without_the_route_to_the_hub_is_told_which_route_to_add(moto_server, run_vpclint, tmp_path):
    session = moto_server.session(REGION)
    world = build_hub_and_spoke(session, REGION)
    ec2 = session.client("ec2", region_name=REGION)
    table = world.spoke.private_route_tables[0]
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="10.20.0.0/16")
    report = scan(moto_server, run_vpclint, tmp_path)
    finding = findings(report, "spoke-route-to-hub-missing")[world.spoke.private_subnets[0]]
    assert (f"aws ec2 create-route --region {REGION} --route-table-id {table} --destination-cidr-block 10.20.0.0/16 "
            f"--transit-gateway-id {world.connection}") in finding["remediation"]
    assert world.spoke.private_subnets[1] not in findings(report, "spoke-route-to-hub-missing")


def test_a_zone_without_the_registry_wildcard(moto_server, run_vpclint, tmp_path):
    session = moto_server.session(REGION)
    world = build_hub_and_spoke(session, REGION)
    route53 = session.client("route53", region_name=REGION)
    zone = world.zones[0]
    wildcard = next(r for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
                    if r["Name"].startswith(("*", "\\052")))
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": wildcard}]})
    report = scan(moto_server, run_vpclint, tmp_path)
    row = vpc_row(report, world.spoke.vpc_id)
    assert row["verdict"] == "broken"
    assert row["subnets"][0]["flows"]["registry"]["link"]["resource_id"] == zone
    gap = findings(report, "private-zone-record-missing")[world.spoke.vpc_id]
    assert gap["evidence"]["gaps"][0]["record"] == f"*.dkr.ecr.{REGION}.amazonaws.com"
    assert f"--hosted-zone-id {zone}" in gap["remediation"]


def test_the_attachments_associated_table_decides_when_another_table_disagrees(moto_server, run_vpclint, tmp_path):
    """A second route table without routes on the hub's gateway: read without associations the tables disagree
    (unknown); DescribeTransitGatewayAttachments says both attachments use the default table, which routes."""
    session = moto_server.session(REGION)
    world = build_hub_and_spoke(session, REGION)
    ec2 = session.client("ec2", region_name=REGION)
    ec2.create_transit_gateway_route_table(TransitGatewayId=world.connection)
    report = scan(moto_server, run_vpclint, tmp_path)
    spoke = vpc_row(report, world.spoke.vpc_id)
    assert spoke["verdict"] == "private", spoke["summary"]
    assert world.connection in spoke["subnets"][0]["flows"]["registry"]["reason"]
