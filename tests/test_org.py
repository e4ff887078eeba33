"""Several accounts: shards, account lists, snapshot merges, accounts in the config, joined views of a region
(shared VPCs), assumed-role sessions and the scheduler's per-account limit, and baselines across accounts."""

from __future__ import annotations

import argparse
import copy
import json
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.sts.models import sts_backends

from vpclint.baseline import create_baseline, prune_baseline
from vpclint.collect.accounts import AccountTarget, Shard, account_ids, parse_shard, select_accounts, shard_of
from vpclint.collect.assume import RoleAssumer, role_arn
from vpclint.collect.scheduler import AccountJob, Progress, collect_accounts
from vpclint.commands.common import with_config
from vpclint.config import load_config, parse_config
from vpclint.engine import evaluate
from vpclint.errors import VpclintError
from vpclint.path.index import build_index
from vpclint.region_views import combine_region
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot
from vpclint.snapshot_files import dumps, load_all

BASE = yaml.safe_load((Path(__file__).parent / "rule_fixtures" / "base.yaml").read_text())
OWNER, PARTICIPANT, OTHER = "111111111111", "222222222222", "333333333333"
ids = st.text("0123456789", min_size=12, max_size=12)


# --- shards and account lists ----------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.sets(ids, max_size=40), ids, st.integers(1, 8))
def test_every_account_is_in_exactly_one_shard_and_one_more_account_moves_nothing_else(accounts, extra, count):
    targets = [AccountTarget(a) for a in accounts]
    shards = [select_accounts(targets, [], Shard(k, count)) for k in range(1, count + 1)]
    assert sorted(t.account_id for shard in shards for t in shard) == sorted(accounts)
    grown = [select_accounts(targets + [AccountTarget(extra)], [], Shard(k, count)) for k in range(1, count + 1)]
    for before, after in zip(shards, grown):
        assert [t for t in after if t.account_id != extra] == [t for t in before if t.account_id != extra]


def test_shards_are_stable_across_runs_and_even():
    assert [shard_of(a, 4) for a in ("123456789012", "111122223333", "444455556666")] == [3, 1, 4]  # pinned: CI jobs rely on it
    counts = [0] * 4
    for n in range(2000):
        counts[shard_of(f"{n:012d}", 4) - 1] += 1
    assert all(430 <= c <= 570 for c in counts), counts


def test_shard_and_account_parsing():
    assert parse_shard("2/4") == Shard(2, 4) and Shard(2, 4).holds("444455556666") is False
    for bad in ("0/4", "5/4", "1", "a/b", "1/0"):
        with pytest.raises(argparse.ArgumentTypeError, match="expected K/N"):
            parse_shard(bad)
    assert account_ids(["111122223333,444455556666", " 777788889999 "], "--accounts") == ["111122223333", "444455556666", "777788889999"]
    with pytest.raises(VpclintError, match="--exclude-accounts: '1234' is not an AWS account id"):
        account_ids(["1234"], "--exclude-accounts")
    targets = [AccountTarget("222222222222", "b"), AccountTarget("111111111111", "a"), AccountTarget("222222222222", "b")]
    assert select_accounts(targets, ["333333333333"], None) == [AccountTarget("111111111111", "a"), AccountTarget("222222222222", "b")]


# --- snapshot merges --------------------------------------------------------------------------------------------

def one_account(account: str, partition: str = "aws") -> Snapshot:
    data = copy.deepcopy(BASE) | {"account_id": account, "partition": partition}
    return Snapshot.model_validate(data)


def test_merging_unions_accounts_and_refuses_overlaps_versions_and_partitions(tmp_path):
    (tmp_path / "b.json").write_text(dumps(one_account(PARTICIPANT)))
    (tmp_path / "a.json").write_text(dumps(one_account(OWNER)))
    merged = load_all([tmp_path / "b.json", tmp_path / "a.json"])
    assert [a.account_id for a in merged.accounts] == [OWNER, PARTICIPANT]
    assert dumps(load_all([tmp_path])) == dumps(merged)
    cases = {
        "twice.json": (dumps(one_account(OWNER)), f"account {OWNER} is also in {tmp_path / 'a.json'}"),
        "v2.json": (json.dumps(copy.deepcopy(BASE) | {"account_id": OTHER}), "schema_version 2 differs from"),
        "cn.json": (dumps(one_account(OTHER, "aws-cn")), "partition aws-cn differs from"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / "more").mkdir(exist_ok=True)
        path = tmp_path / "more" / name
        path.write_text(text)
        with pytest.raises(VpclintError, match=f"snapshot {path}: .*{message.replace('(', '.').replace(')', '.')}"):
            load_all([tmp_path / "a.json", path])
        path.unlink()


# --- the config ---------------------------------------------------------------------------------------------------

def test_account_keys_of_the_config_and_flags_over_them(tmp_path):
    (tmp_path / "team.toml").write_text('org = true\nexclude_accounts = ["444455556666"]\nrole_name = "audit/vpclint"\n'
                                        'external_id = "shared-secret"\naccounts_file = "ids.txt"\n')
    config = load_config(tmp_path / "team.toml")
    assert (config.org, config.exclude_accounts, config.role_name, config.external_id) == (True, ["444455556666"], "audit/vpclint", "shared-secret")
    assert config.accounts_file == tmp_path / "ids.txt"
    blank = argparse.Namespace(region=[], all_regions=False, timeout=None, org=None, accounts=[], accounts_file=None,
                               exclude_accounts=[], role_name=None, external_id=None)
    applied = with_config(blank, config)
    assert (applied.org, applied.exclude_accounts, applied.role_name, applied.external_id) == (True, ["444455556666"], "audit/vpclint", "shared-secret")
    flags = with_config(argparse.Namespace(**{**vars(blank), "accounts": ["111122223333"], "role_name": "mine"}), config)
    assert (bool(flags.org), flags.accounts, flags.accounts_file, flags.role_name) == (False, ["111122223333"], None, "mine")
    offline = argparse.Namespace(**{**vars(blank), "snapshot": [tmp_path]})
    assert with_config(offline, config) is offline
    for text, field in (('accounts = ["12"]', "accounts"), ('role_name = "a b"', "role_name"), ('external_id = "x"', "external_id"),
                        ('exclude_accounts = [111122223333]', "exclude_accounts")):
        with pytest.raises(VpclintError, match=f"config c.toml: field {field}"):
            parse_config(text, "c.toml", tmp_path)


# --- one region as every account sees it -------------------------------------------------------------------------

def views(participant_only: bool = False, unread: bool = False) -> Snapshot:
    """A shared VPC: the owner's view (the whole VPC) and a participant's (the VPC and its subnets, tagged apart so
    the copy kept shows, and the participant's own security group)."""
    owner = copy.deepcopy(BASE["regions"][0])
    owner["vpcs"][0]["owner_id"] = OWNER
    participant = {
        "region": owner["region"], "collected": owner["collected"][:], "errors": [],
        "vpcs": [{**owner["vpcs"][0], "tags": {"seen-by": "participant"}}],
        "subnets": [{**s, "tags": {"seen-by": "participant"}} for s in owner["subnets"]],
        "security_groups": [{"group_id": "sg-participant", "group_name": "app", "vpc_id": owner["vpcs"][0]["vpc_id"]}],
    }
    participant["collected"].remove("network_acls")
    accounts = [] if participant_only else [{"account_id": OWNER, "regions": [owner]}]
    accounts.append({"account_id": PARTICIPANT, "account_name": "payments", "regions": [participant]})
    if unread:
        accounts.append({"account_id": OTHER, "regions": [{"region": owner["region"], "collected": []}]})
    return Snapshot.model_validate({"schema_version": 3, "accounts": accounts})


def test_a_shared_vpc_is_joined_once_the_owners_copy_kept_and_sources_read_by_every_account():
    snapshot = views(unread=True)
    joined = combine_region(snapshot, "us-east-1")
    region = joined.region
    assert joined.accounts == {OWNER, PARTICIPANT} and set(joined.unread) == {OTHER}
    assert [v.tags for v in region.vpcs] == [{}] and all(s.tags == {} for s in region.subnets)  # the owner's copies
    assert {g.group_id: joined.account_of(g.group_id) for g in region.security_groups}["sg-participant"] == PARTICIPANT
    assert joined.account_of(region.vpcs[0].vpc_id) == OWNER and joined.account_of("subnet-priv-a") == OWNER
    assert "network_acls" not in region.collected  # the participant did not read them
    index = build_index(snapshot, region, joined)
    assert index.scanned(OWNER) and index.scanned(PARTICIPANT) and not index.scanned(OTHER)
    report = evaluate(snapshot, load_rules())
    assert [(row.vpc_id, row.account_id) for row in report.vpcs] == [("vpc-app", OWNER)]
    assert {(n.account_id, n.region) for n in report.not_evaluated} == {(OWNER, "us-east-1"), (PARTICIPANT, "us-east-1"), (OTHER, "us-east-1")}


def test_a_shared_vpc_seen_only_by_a_participant_is_attributed_to_it():
    report = evaluate(views(participant_only=True), load_rules())
    assert [(row.vpc_id, row.account_id, row.account_name) for row in report.vpcs] == [("vpc-app", PARTICIPANT, "payments")]


# --- baselines across accounts -----------------------------------------------------------------------------------

def test_baseline_prune_leaves_accounts_not_scanned_alone():
    rules = load_rules()
    rule_ids = {r.id for r in rules}
    broken = copy.deepcopy(BASE)
    broken["regions"][0]["vpc_endpoints"] = [e for e in broken["regions"][0]["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-dkr"]
    other = json.loads(re.sub(r'"(vpc|subnet|rtb|sg|vpce|nat|igw|acl|eni|dopt)-([\w-]+)"', r'"\1-\2-two"', json.dumps(broken)))
    both = Snapshot.model_validate({"schema_version": 3, "accounts": [  # resource ids are unique across AWS
        {"account_id": OWNER, "regions": broken["regions"]}, {"account_id": PARTICIPANT, "regions": other["regions"]}]})
    baseline = create_baseline(evaluate(both, rules), rule_ids)
    assert {e.account_id for e in baseline.entries} == {OWNER, PARTICIPANT}
    fixed_owner = Snapshot.model_validate(copy.deepcopy(BASE) | {"account_id": OWNER})
    pruned, dropped = prune_baseline(baseline, evaluate(fixed_owner, rules), rule_ids)
    assert dropped and {e.account_id for e in dropped} == {OWNER}
    assert [e for e in pruned.entries] == [e for e in baseline.entries if e.account_id == PARTICIPANT]


# --- assumed roles and the scheduler -----------------------------------------------------------------------------

def test_role_arns_follow_the_partition():
    assert role_arn("aws-cn", "111122223333", "/audit/vpclint/") == "arn:aws-cn:iam::111122223333:role/audit/vpclint"


@mock_aws
def test_an_assumed_session_reads_its_account_and_refreshes_before_expiry(aws_env):
    assumer = RoleAssumer(boto3.Session(region_name="us-east-1"), None, "aws", "vpclint-readonly", "ext-42")
    session = assumer.open(PARTICIPANT)
    arn = session.client("sts", region_name="us-east-1").get_caller_identity()["Arn"]
    assert arn.startswith(f"arn:aws:sts::{PARTICIPANT}:assumed-role/vpclint-readonly/vpclint-")
    assumed = sts_backends[PARTICIPANT]["aws"].assumed_roles
    assert [r.external_id for r in assumed] == ["ext-42"]
    credentials = session.get_credentials()
    first = credentials.get_frozen_credentials().access_key
    # 50 minutes on (the role's session lasts an hour): botocore's clock for the credentials and its fetcher's cache
    later = datetime.now(timezone.utc) + timedelta(minutes=50)
    credentials._time_fetcher = lambda: later
    credentials._refresh_using.__self__._expiry_window_seconds = 15 * 60 + 50 * 60
    assert credentials.get_frozen_credentials().access_key != first and len(assumed) == 2


@mock_aws
def test_the_scheduler_keeps_to_the_per_account_limit_and_records_an_account_that_cannot_be_opened(aws_env):
    base = boto3.Session(region_name="us-east-1")
    # moto in this process renders its Route 53 answers from Jinja templates compiled on first use; compiling them
    # from several threads at once trips CPython 3.11 ("AST constructor recursion depth mismatch"): compile them now
    vpc = base.client("ec2", region_name="eu-west-1").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    base.client("route53").list_hosted_zones_by_vpc(VPCId=vpc, VPCRegion="eu-west-1")
    assumer = RoleAssumer(base, None, "aws", "vpclint-readonly")
    regions = ["eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1"]
    active: dict[str, set[str]] = {}
    peak: dict[str, int] = {}
    lock = threading.Lock()

    def call(account: str, region: str, api: str) -> None:
        if api.startswith("ec2:") and region in regions:
            with lock:
                active.setdefault(account, set()).add(region)
                peak[account] = max(peak.get(account, 0), len(active[account]))
                peak["all"] = max(peak.get("all", 0), sum(len(r) for r in active.values()))
            time.sleep(0.02)

    def done(account: str, region: str) -> None:
        with lock:
            active.get(account, set()).discard(region)

    def refuse() -> boto3.Session:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no way in"}}, "AssumeRole")

    jobs = [AccountJob(a, lambda a=a: assumer.open(a), name=f"n{a[0]}", regions=regions) for a in (OWNER, PARTICIPANT, OTHER)]
    jobs.append(AccountJob("444444444444", refuse, name="locked"))
    snapshot = collect_accounts(jobs, "aws", max_workers=6, account_workers=2, progress=Progress(on_call=call, on_region_done=done))
    assert [a.account_id for a in snapshot.accounts] == [OWNER, PARTICIPANT, OTHER]
    assert all([r.region for r in a.regions] == sorted(regions) and not a.errors for a in snapshot.accounts)
    assert set(peak) == {OWNER, PARTICIPANT, OTHER, "all"} and peak["all"] > 2
    assert max(peak[a] for a in (OWNER, PARTICIPANT, OTHER)) == 2
    assert [(e.account_id, e.account_name, e.region, e.api, e.code, e.message) for e in snapshot.errors] == [
        ("444444444444", "locked", None, "sts:AssumeRole", "AccessDenied", "no way in")]
    assert all(not r.errors for r in snapshot.regions), [e for r in snapshot.regions for e in r.errors]
