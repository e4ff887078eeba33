"""End to end: the rule pack through the real vpclint executable, against moto (two regions) and the demo."""

from __future__ import annotations

import json
import shlex
from collections import defaultdict

from scenarios import build_rule_pack_account

OWN_RULES = {
    "ecr-dkr-endpoint-missing", "ecr-api-endpoint-missing", "ecr-dkr-private-dns-disabled",
    "ecr-api-private-dns-disabled", "s3-gateway-endpoint-missing", "s3-gateway-route-table-missing",
    "endpoint-https-ingress-missing", "endpoint-region-mismatch", "vpc-dns-attributes-disabled",
    "vpc-custom-dns-servers", "interface-endpoint-az-gap", "endpoint-not-available", "logs-endpoint-missing",
    "nat-gateway-carries-s3-traffic", "endpoint-serves-other-region",
}


def test_rule_pack_on_a_two_region_moto_account(moto_server, run_vpclint):
    account = build_rule_pack_account(moto_server.session())
    args = ["scan", "--region", "us-west-2", "--region", "eu-central-1", "--format", "json"]
    for rule_id in sorted(OWN_RULES):
        args += ["--select", rule_id]
    result = run_vpclint(args, env=moto_server.env())
    assert result.returncode == 1, result.stderr
    report = result.json()
    assert report["summary"]["complete"] and report["regions"] == ["eu-central-1", "us-west-2"]
    by_vpc: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for finding in report["findings"]:
        by_vpc[finding["vpc_id"]].add((finding["rule_id"], finding["resource_id"]))
        assert finding["evidence"] and "{{" not in finding["remediation"]

    broken = account.broken
    dkr = broken.endpoints["ecr.dkr"]
    assert by_vpc[broken.vpc_id] == {
        ("ecr-dkr-private-dns-disabled", dkr),
        ("interface-endpoint-az-gap", dkr),
        ("endpoint-https-ingress-missing", dkr),
        ("endpoint-https-ingress-missing", account.default_sg_api),
        # another region's ecr.api next to this region's own: informational, not endpoint-region-mismatch
        ("endpoint-serves-other-region", account.cross_region_api),
        ("vpc-dns-attributes-disabled", broken.vpc_id),
        ("vpc-custom-dns-servers", broken.vpc_id),
        ("logs-endpoint-missing", broken.vpc_id),
        ("s3-gateway-route-table-missing", broken.main_route_table),  # the isolated subnet's table
        ("nat-gateway-carries-s3-traffic", broken.vpc_id),  # the NAT table without the S3 gateway: one finding
    }
    bare = account.bare.vpc_id  # every workload subnet behind NAT: the missing S3 gateway is a cost finding
    assert by_vpc[bare] == {(r, bare) for r in ("ecr-dkr-endpoint-missing", "ecr-api-endpoint-missing", "nat-gateway-carries-s3-traffic")}
    gone = account.gone_dkr.vpc_id
    assert by_vpc[gone] == {("ecr-dkr-endpoint-missing", gone)}  # a deleted endpoint is gone, not "not available"
    assert set(by_vpc) == {broken.vpc_id, bare, gone}  # good, public-only and the default VPCs stay quiet

    findings = {(f["rule_id"], f["resource_id"]): f for f in report["findings"]}
    ingress = findings[("endpoint-https-ingress-missing", dkr)]
    assert [b["subnet_id"] for b in ingress["evidence"]["blocked"]] == sorted(broken.private_subnets[1:] + broken.isolated_subnets)
    (command,) = [shlex.split(line) for line in ingress["remediation"].splitlines() if line.startswith("aws ")]
    (permission,) = json.loads(command[command.index("--ip-permissions") + 1])
    assert sorted(r["CidrIp"] for r in permission["IpRanges"]) == ["10.2.2.0/24", "10.2.3.0/24", "10.2.50.0/24"]
    default_group = findings[("endpoint-https-ingress-missing", account.default_sg_api)]["evidence"]
    ec2 = moto_server.session().client("ec2", region_name="us-west-2")
    default_id = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [broken.vpc_id]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    assert default_group["group_ids"] == [default_id]  # no groups given: the VPC's default group
    table = findings[("s3-gateway-route-table-missing", broken.main_route_table)]
    assert [s["subnet_id"] for s in table["evidence"]["workload_subnets"]] == broken.isolated_subnets
    assert f"--vpc-endpoint-id {broken.endpoints['s3']} --add-route-table-ids {broken.main_route_table}" in table["remediation"]
    assert "--enable-dns-hostnames" in findings[("vpc-dns-attributes-disabled", broken.vpc_id)]["remediation"]


def _scan_demo(run_vpclint, *extra: str) -> dict:
    result = run_vpclint(["scan", "--demo", "--format", "json", *extra])
    assert result.returncode in (0, 1), result.stderr
    return result.json()


def test_vpc_select_ignore_user_rules_and_the_rules_command(run_vpclint, tmp_path):
    everything = _scan_demo(run_vpclint)
    vpcs = sorted({f["vpc_id"] for f in everything["findings"]})
    rule_ids = {f["rule_id"] for f in everything["findings"]}
    assert {"ecr-dkr-endpoint-missing", "s3-gateway-route-table-missing", "endpoint-https-ingress-missing",
            "ecr-api-private-dns-disabled", "interface-endpoint-az-gap", "logs-endpoint-missing"} <= rule_ids

    one = _scan_demo(run_vpclint, "--vpc", vpcs[0])
    assert one["findings"] and {f["vpc_id"] for f in one["findings"]} == {vpcs[0]}

    chosen = _scan_demo(run_vpclint, "--select", "logs-endpoint-missing", "--select", "interface-endpoint-az-gap",
                        "--select", "s3-gateway-route-table-missing", "--ignore", "s3-gateway-route-table-missing")
    assert {f["rule_id"] for f in chosen["findings"]} == {"logs-endpoint-missing", "interface-endpoint-az-gap"}
    assert chosen["summary"]["rules_evaluated"] == 2

    user_rules = tmp_path / "rules"
    user_rules.mkdir()
    (user_rules / "vpc-without-owner-tag.yaml").write_text(
        "schema_version: 1\nid: vpc-without-owner-tag\ntitle: In-scope VPC has no owner tag\nseverity: info\n"
        "resource: vpc\nrequires: [vpcs, subnets, route_tables]\ndescription: Every VPC needs an owner.\n"
        "rationale: Someone must fix the findings.\nwhen: \"in_scope && !(tags.owner)\"\n"
        "message: \"{{ vpc_id }} has no owner tag\"\nevidence: \"{tags: tags}\"\n"
        "remediation: \"aws ec2 create-tags --region {{ region }} --resources {{ vpc_id }} --tags Key=owner,Value=<team>\"\n"
    )
    custom = _scan_demo(run_vpclint, "--rules", str(user_rules), "--select", "vpc-without-owner-tag")
    assert custom["findings"] and {f["rule_id"] for f in custom["findings"]} == {"vpc-without-owner-tag"}
    assert vpcs[0] in {f["resource_id"] for f in custom["findings"]}
    for finding in custom["findings"]:
        assert finding["severity"] == "info" and finding["resource_id"] == finding["vpc_id"]
        assert f"--resources {finding['vpc_id']} --tags" in finding["remediation"]

    listing = run_vpclint(["rules", "list", "--rules", str(user_rules), "--format", "json"])
    assert listing.returncode == 0, listing.stderr
    listed = {row["id"]: row for row in json.loads(listing.stdout)}
    assert OWN_RULES <= set(listed) and listed["vpc-without-owner-tag"]["severity"] == "info"
    show = run_vpclint(["rules", "show", "ecr-dkr-private-dns-disabled"])
    assert show.returncode == 0 and "modify-vpc-endpoint" in show.stdout and "--private-dns-enabled" in show.stdout
    missing = run_vpclint(["rules", "show", "no-such-rule"])
    assert missing.returncode == 2 and "unknown rule id no-such-rule" in missing.stderr
