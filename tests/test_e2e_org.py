"""End to end on a moto server: an AWS Organization scanned in one run, and in shards merged afterwards.

moto serves Organizations, and ``sts:AssumeRole`` into any account: requests signed with the credentials it returns
are served in that account. The organization: the management account (the caller, 123456789012), a hub account
with a VPC whose private ECR path is complete, two spoke accounts with private VPCs and no endpoints, an account
whose role can't be assumed, and a closed account. A fault proxy in front of moto refuses what IAM would refuse in
AWS and moto can't: the locked account's ``AssumeRole``, and every EC2 call of one spoke in one region (an SCP
denying a region to one account).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3
from faultproxy import FaultProxy, Request
from sarif_check import assert_valid_for_github, keep_for_ci
from scenarios import Network, build_private_vpc, build_vpc

from vpclint.collect.accounts import shard_of
from vpclint.snapshot_files import dumps, load_all

REGIONS = ["eu-west-1", "us-west-2"]
REGION_ARGS = [arg for region in REGIONS for arg in ("--region", region)]
ROLE = "vpclint-readonly"
CALLER = "123456789012"


@dataclass
class Organization:
    ids: dict[str, str]
    """Account name -> id (the management account is ``master`` in moto)."""
    hub: Network
    spoke_a: Network
    spoke_b: Network
    closed: str


def member(server, account: str, region: str) -> boto3.Session:
    """A session in ``account`` through the role vpclint assumes."""
    sts = server.session().client("sts", region_name="us-east-1")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="setup")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=region)


def build_organization(server) -> Organization:
    org = server.session().client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = {"master": CALLER}
    for name in ("hub", "spoke-a", "spoke-b", "locked", "closed"):
        ids[name] = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
    closed = ids.pop("closed")
    org.close_account(AccountId=closed)
    hub = build_private_vpc(member(server, ids["hub"], "us-west-2"), "us-west-2", "hub", cidr="10.0.0.0/16")
    spoke_a = build_vpc(member(server, ids["spoke-a"], "us-west-2"), "us-west-2", "spoke-a", cidr="10.1.0.0/16", azs=2)
    spoke_b = build_vpc(member(server, ids["spoke-b"], "us-west-2"), "us-west-2", "spoke-b", cidr="10.2.0.0/16", azs=2)
    return Organization(ids, hub, spoke_a, spoke_b, closed)


def refusing(org: Organization):
    """The proxy's decision: the locked account's role can't be assumed, and spoke-b may not read eu-west-1."""
    def decide(request: Request):
        if request.action == "AssumeRole" and f"::{org.ids['locked']}:" in request.params.get("RoleArn", ""):
            return "denied"
        if request.account == org.ids["spoke-b"] and request.region == "eu-west-1" and request.action.startswith("Describe"):
            return "denied"
        return None
    return decide


def test_an_organization_in_one_scan_names_every_account_and_what_it_could_not_read(moto_server, run_vpclint, tmp_path):
    org = build_organization(moto_server)
    ids = org.ids
    with FaultProxy(moto_server.url, lambda *_: None, lifetime=240, max_requests=20_000, decide=refusing(org)) as proxy:
        env = {**moto_server.env("us-west-2"), "AWS_ENDPOINT_URL": proxy.url, "COLUMNS": "200"}
        result = run_vpclint(["scan", "--org", "--role-name", ROLE, *REGION_ARGS, "--json", "report.json",
                              "--sarif-dir", "sarif", "--summary", "summary.md"], env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 3, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    names = {a["account_id"]: a["account_name"] for a in report["accounts"]}
    assert names == {ids[name]: name for name in ("master", "hub", "spoke-a", "spoke-b")}  # locked failed, closed left out
    assert all(a["regions"] == REGIONS for a in report["accounts"])

    errors = {(e["account_id"], e["account_name"], e["region"], e["api"], e["code"]) for e in report["errors"]}
    locked = (ids["locked"], "locked", None, "sts:AssumeRole", "AccessDenied")
    assert locked in errors
    assert {e[1:] for e in errors - {locked}} == {("spoke-b", "eu-west-1", "ec2:DescribeVpcs", "UnauthorizedOperation")}
    assert {(n["account_id"], n["region"]) for n in report["not_evaluated"]} == {(ids["spoke-b"], "eu-west-1")}

    rows = {row["vpc_id"]: row for row in report["vpcs"]}
    for net, name in ((org.hub, "hub"), (org.spoke_a, "spoke-a"), (org.spoke_b, "spoke-b")):
        assert (rows[net.vpc_id]["account_id"], rows[net.vpc_id]["account_name"]) == (ids[name], name)
    assert rows[org.hub.vpc_id]["verdict"] == "private"
    assert all(row["account_id"] in names and row["account_name"] == names[row["account_id"]] for row in report["vpcs"])
    missing = {f["vpc_id"]: f for f in report["findings"] if f["rule_id"] == "ecr-dkr-endpoint-missing"}
    for net, name in ((org.spoke_a, "spoke-a"), (org.spoke_b, "spoke-b")):
        finding = missing[net.vpc_id]
        assert (finding["account_id"], finding["account_name"]) == (ids[name], name)
        assert finding["resource_arn"] == f"arn:aws:ec2:us-west-2:{ids[name]}:vpc/{net.vpc_id}"
    assert org.hub.vpc_id not in missing
    assert all(f["account_name"] == names[f["account_id"]] for f in report["findings"])

    console = result.stdout
    assert f"{ids['locked']} (locked) (whole account)  sts:AssumeRole: AccessDenied" in console
    assert f"{ids['spoke-b']} (spoke-b) eu-west-1  ec2:DescribeVpcs: UnauthorizedOperation" in console
    assert f"{ids['hub']} (hub)" in console and "4 accounts, 2 regions; scan INCOMPLETE" in console

    files = sorted((tmp_path / "sarif").iterdir())
    for path in files:
        keep_for_ci(f"e2e-organization-{path.stem}", path.read_text())
    logs = [json.loads(path.read_text()) for path in files]
    runs = [run for log in logs for run in log["runs"]]
    read_in_full = sorted((a, r) for a in names for r in REGIONS if (a, r) != (ids["spoke-b"], "eu-west-1"))
    assert [run["automationDetails"]["id"] for run in runs] == [f"vpclint/{a}/{r}/" for a, r in read_in_full]
    for log in logs:
        assert_valid_for_github(log)
    notes = [n["message"]["text"] for run in runs for n in run["invocations"][0].get("toolExecutionNotifications", [])]
    assert sum(f"could not read {ids['locked']} (locked) (whole account) sts:AssumeRole" in note for note in notes) == len(runs)

    summary = (tmp_path / "summary.md").read_text()
    assert "4 accounts (aws)" in summary and f"| {ids['hub']} \\(hub\\) | us-west-2 | `{org.hub.vpc_id}` | hub |" in summary
    assert f"{ids['locked']} \\(locked\\) \\(whole account\\) `sts:AssumeRole`" in summary


def test_shards_collected_apart_and_merged_equal_one_run_byte_for_byte(moto_server, run_vpclint, tmp_path):
    org = build_organization(moto_server)
    env = moto_server.env("us-west-2")
    whole = run_vpclint(["collect", "--org", *REGION_ARGS, "-o", "whole.json"], env=env, cwd=tmp_path, timeout=300)
    assert whole.returncode == 0, whole.stderr
    (tmp_path / "shards").mkdir()
    for index in (1, 2, 3):
        shard = run_vpclint(["collect", "--org", *REGION_ARGS, "--shard", f"{index}/3", "-o", f"shards/{index}.json"],
                            env=env, cwd=tmp_path, timeout=300)
        assert shard.returncode == 0, shard.stderr
        held = [a["account_id"] for a in json.loads((tmp_path / f"shards/{index}.json").read_text())["accounts"]]
        assert held == sorted(a for a in [*org.ids.values()] if shard_of(a, 3) == index)
    text = (tmp_path / "whole.json").read_text()
    assert dumps(load_all([tmp_path / "shards"])) == text

    one = run_vpclint(["scan", "--snapshot", "whole.json", "--format", "json"], cwd=tmp_path)
    merged = run_vpclint(["scan", "--snapshot", "shards", "--format", "json"], cwd=tmp_path)
    listed = run_vpclint(["scan", *[a for i in (3, 1, 2) for a in ("--snapshot", f"shards/{i}.json")], "--format", "json"], cwd=tmp_path)
    assert one.returncode == merged.returncode == listed.returncode == 1, merged.stderr
    assert merged.stdout == one.stdout == listed.stdout

    twice = run_vpclint(["scan", "--snapshot", "shards", "--snapshot", "shards/2.json"], cwd=tmp_path)
    assert twice.returncode == 2 and twice.stderr.count("\n") == 1, twice.stderr
    assert "shards/2.json: account" in twice.stderr and "(a shard given twice, or shards that overlap)" in twice.stderr


def test_an_organization_with_all_regions_reads_each_accounts_enabled_regions(moto_server, run_vpclint, tmp_path):
    org = moto_server.session().client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    other = org.create_account(AccountName="other", Email="other@example.com")["CreateAccountStatus"]["AccountId"]
    build_vpc(member(moto_server, other, "ap-south-1"), "ap-south-1", "far", cidr="10.5.0.0/16", azs=1)
    result = run_vpclint(["scan", "--org", "--role-name", ROLE, "--all-regions", "--format", "json", "--max-workers", "16"],
                         env=moto_server.env("us-east-1"), cwd=tmp_path, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    report = result.json()
    assert report["summary"]["complete"] and [a["account_id"] for a in report["accounts"]] == sorted([CALLER, other])
    enabled = sorted(r["RegionName"] for r in moto_server.session().client("ec2", region_name="us-east-1").describe_regions()["Regions"]
                     if r.get("OptInStatus") in ("opt-in-not-required", "opted-in") and not r["RegionName"].startswith(("cn-", "us-gov-")))
    assert all(a["regions"] == enabled for a in report["accounts"])
    far = [row for row in report["vpcs"] if row["name"] == "far"]
    assert [(row["account_id"], row["region"]) for row in far] == [(other, "ap-south-1")]


def test_exit_codes_of_bad_account_options(run_vpclint, tmp_path, no_aws):
    cases = [
        (["collect", "--shard", "1/2"], "--shard splits several accounts"),
        (["collect", "--org", "--accounts", "111122223333"], "--org lists the accounts itself"),
        (["collect", "--accounts", "12345"], "--accounts: '12345' is not an AWS account id"),
        (["collect", "--accounts", "111122223333", "--shard", "3/2"], "argument --shard: expected K/N"),
        (["collect", "--accounts", "111122223333", "--role-name", "no spaces"], "argument --role-name: expected an IAM role name"),
        (["scan", "--snapshot", str(tmp_path)], f"--snapshot {tmp_path}: the folder holds no *.json snapshot file"),
    ]
    (tmp_path / "ids.txt").write_text("111122223333  # prod\nnot-an-id\n")
    cases.append((["collect", "--accounts-file", str(tmp_path / "ids.txt")], f"accounts file {tmp_path / 'ids.txt'}: 'not-an-id'"))
    for args, message in cases:
        result = run_vpclint(args, env=no_aws, cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr.splitlines()[-1], (args, result.stderr)
        assert result.stderr.count("\n") == 1 or message.startswith("argument "), result.stderr  # argparse adds its usage
