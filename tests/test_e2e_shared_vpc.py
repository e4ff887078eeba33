"""End to end: a shared VPC's owner and a participant in one scan, ``vpclint scan --snapshot owner.json --snapshot
participant.json``.

moto does not show RAM-shared subnets to a participant account (it sees nothing of them), so the participant's
snapshot is built from what AWS shows it: the VPC and the shared subnets (``OwnerId`` the owner), its own network
interfaces and security groups in them, and none of the owner's route tables, network ACLs, endpoints or DHCP
options. Everything else comes from moto: the owner's VPC is built and collected there, with the participant's
instances and groups created in the owner's account and then moved to the participant's snapshot (in AWS they
belong to the participant, and the owner can't see its groups).
"""

from __future__ import annotations

import json
from pathlib import Path

from scenarios import add_workloads, build_private_vpc, workload_group

REGION = "us-east-1"
OWNER = "123456789012"  # moto's account
PARTICIPANT = "210987654321"


def build_snapshots(moto_server, run_vpclint, tmp_path: Path) -> tuple[str, list[str], str]:
    """owner.json and participant.json: a VPC of three private subnets (each with the owner's endpoints), the
    participant's workloads in the first (open egress) and the second (HTTPS to 10.0.0.0/8 only). Returns the VPC
    id, the private subnets and the narrow group's id."""
    session = moto_server.session(REGION)
    net = build_private_vpc(session, REGION, "shared", cidr="10.30.0.0/16", workloads=False)
    opened = workload_group(session, net, name="participant-app")
    narrow = workload_group(session, net, name="participant-batch", egress=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    add_workloads(session, net, [net.private_subnets[0]], [opened])
    add_workloads(session, net, [net.private_subnets[1]], [narrow])
    collected = run_vpclint(["collect", "--region", REGION, "-o", str(tmp_path / "owner.json")], env=moto_server.env(REGION))
    assert collected.returncode == 0, collected.stderr
    owner = json.loads((tmp_path / "owner.json").read_text())
    (region,) = owner["accounts"][0]["regions"]
    theirs = {opened, narrow}
    moved = [i for i in region["network_interfaces"] if set(i["group_ids"]) & theirs]
    assert sorted(i["subnet_id"] for i in moved) == sorted(net.private_subnets[:2])
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i not in moved]
    groups = [g for g in region["security_groups"] if g["group_id"] in theirs]
    region["security_groups"] = [g for g in region["security_groups"] if g["group_id"] not in theirs]
    (tmp_path / "owner.json").write_text(json.dumps(owner))
    shared = [v for v in region["vpcs"] if v["vpc_id"] == net.vpc_id]
    assert [v["owner_id"] for v in shared] == [OWNER]
    participant = {"schema_version": 3, "accounts": [{"account_id": PARTICIPANT, "account_name": "payments", "regions": [{
        "region": REGION, "collected": region["collected"],
        "vpcs": shared, "subnets": [s for s in region["subnets"] if s["vpc_id"] == net.vpc_id],
        "security_groups": groups, "network_interfaces": moved,
        "prefix_lists": region["prefix_lists"],  # AWS-managed lists: every account sees them
        "hosted_zone_vpc_ids": [net.vpc_id],
    }]}]}
    (tmp_path / "participant.json").write_text(json.dumps(participant))
    return net.vpc_id, net.private_subnets, narrow


def scan(run_vpclint, tmp_path: Path, *names: str) -> tuple[int, dict]:
    result = run_vpclint(["scan", *[a for n in names for a in ("--snapshot", n)], "--format", "json"], cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, result.json()


def row_of(report: dict, vpc_id: str) -> dict:
    (row,) = [r for r in report["vpcs"] if r["vpc_id"] == vpc_id]
    return row


def test_a_shared_vpc_is_judged_with_the_owners_tables_and_endpoints_and_the_participants_workloads(
        moto_server, run_vpclint, tmp_path):
    vpc_id, subnets, narrow = build_snapshots(moto_server, run_vpclint, tmp_path)

    _, both = scan(run_vpclint, tmp_path, "owner.json", "participant.json")
    assert [a["account_id"] for a in both["accounts"]] == [OWNER, PARTICIPANT]
    row = row_of(both, vpc_id)
    assert (row["account_id"], row["verdict"]) == (OWNER, "broken"), row["summary"]
    by_id = {s["subnet_id"]: s for s in row["subnets"]}
    assert sorted(by_id) == sorted(subnets[:2])  # the third holds the owner's endpoint interfaces only
    opened, batch = (by_id[s] for s in subnets[:2])
    assert opened["workloads"] == batch["workloads"] == ["ec2_instance"]
    assert opened["verdict"] == "private"
    for flow in ("registry", "registry_api"):  # through the owner's endpoints, routes and ACLs
        assert opened["flows"][flow]["path"] == "endpoint" and opened["flows"][flow]["via"].startswith("vpce-")
    assert opened["flows"]["layers"]["path"] == "endpoint"
    link = batch["flows"]["layers"]["link"]
    assert (batch["verdict"], link["kind"], link["group_ids"]) == ("broken", "workload-sg", [narrow])
    found = [(f["rule_id"], f["resource_id"], f["account_id"], f["evidence"]["blocked_by"]["group_ids"])
             for f in both["findings"] if f["vpc_id"] == vpc_id]
    assert found == [("workload-egress-blocks-pull", subnets[1], OWNER, [narrow])]  # the subnet is the owner's

    _, owner_only = scan(run_vpclint, tmp_path, "owner.json")
    row = row_of(owner_only, vpc_id)  # the participant's workloads unseen: every subnet holds endpoints only
    assert (row["verdict"], row["subnets"]) == ("not_in_scope", [])

    _, participant_only = scan(run_vpclint, tmp_path, "participant.json")
    row = row_of(participant_only, vpc_id)
    assert (row["account_id"], row["verdict"]) == (PARTICIPANT, "unknown")
    assert f"owned by account {OWNER}: scan that account" in row["summary"]
    findings = [f for f in participant_only["findings"] if f["vpc_id"] == vpc_id]
    assert [(f["rule_id"], f["account_id"]) for f in findings] == [("shared-vpc-owner-not-scanned", PARTICIPANT)]
