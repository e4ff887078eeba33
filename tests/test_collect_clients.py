"""The clients a collection makes: service models cut to the operations vpclint calls, one loader shared by every
account's session, one client per service and account-region, each signed with its account's assumed role."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import boto3
import botocore.session
from botocore import xform_name
from botocore.credentials import Credentials
from moto import mock_aws
from moto.sts.models import sts_backends

from vpclint.collect.assume import RoleAssumer
from vpclint.collect.models import CALLED_OPERATIONS, CalledOperationsLoader
from vpclint.collect.region import DESCRIBES, SOURCE_APIS
from vpclint.collect.scheduler import AccountJob, collect_accounts
from vpclint.collect.session import open_session

VPCLINT = Path(__file__).resolve().parents[1] / "vpclint"
NAMED_CALL = re.compile(r"\b(" + "|".join(CALLED_OPERATIONS) + r"):([A-Z][A-Za-z]+)\b")
OWNER, PARTICIPANT, OTHER = "111111111111", "222222222222", "333333333333"
REGIONS = ["eu-west-1", "us-east-1"]


def named_calls() -> set[tuple[str, str]]:
    """Every ``service:Operation`` of a called service the code names (errors are recorded under these names)."""
    found = {m.groups() for path in VPCLINT.rglob("*.py") for m in NAMED_CALL.finditer(path.read_text())}
    return found | {tuple(api.split(":")) for api in SOURCE_APIS.values()} | {("ec2", d[1]) for d in DESCRIBES}


def test_the_called_operations_are_the_ones_the_code_names_and_exist_in_botocore():
    called = {(service, op) for service, ops in CALLED_OPERATIONS.items() for op in ops}
    assert called == named_calls()
    full = botocore.session.get_session()
    for service, ops in CALLED_OPERATIONS.items():
        assert set(ops) <= set(full.get_service_model(service).operation_names), service


@mock_aws
def test_a_client_of_the_loader_has_only_the_called_operations_and_calls_them(aws_env):
    session = open_session(None, CalledOperationsLoader())
    ec2 = session.client("ec2", region_name="us-east-1")
    assert sorted(ec2.meta.service_model.operation_names) == sorted(CALLED_OPERATIONS["ec2"])
    assert all(callable(getattr(ec2, xform_name(op))) for op in CALLED_OPERATIONS["ec2"])
    assert not hasattr(ec2, "create_vpc")
    assert [v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"]] == ["172.31.0.0/16"]  # moto's default VPC
    assert ec2.can_paginate("describe_vpcs")
    assert session.client("organizations", region_name="us-east-1").can_paginate("list_accounts")
    # A service vpclint does not collect with keeps its whole model.
    assert hasattr(session.client("pricing", region_name="us-east-1"), "get_products")


@mock_aws
def test_each_account_gets_one_client_per_service_and_region_signed_with_its_role_from_one_loader(aws_env):
    assumer = RoleAssumer(boto3.Session(region_name="us-east-1"), None, "aws", "vpclint-readonly")
    made: Counter = Counter()
    sessions: dict[str, boto3.Session] = {}

    def open_counting(account: str) -> boto3.Session:
        session = sessions[account] = assumer.open(account)
        real = session.client

        def client(service, region_name=None, **kwargs):
            made[(account, service, region_name)] += 1
            return real(service, region_name=region_name, **kwargs)

        session.client = client  # type: ignore[method-assign]
        return session

    owners: Counter = Counter()
    for account in (OWNER, PARTICIPANT):
        role = f"arn:aws:iam::{account}:role/vpclint-readonly"
        keys = boto3.client("sts", region_name="us-east-1").assume_role(RoleArn=role, RoleSessionName="build")["Credentials"]
        boto3.client("ec2", region_name="eu-west-1", aws_access_key_id=keys["AccessKeyId"],
                     aws_secret_access_key=keys["SecretAccessKey"],
                     aws_session_token=keys["SessionToken"]).create_vpc(CidrBlock="10.9.0.0/16")
    jobs = [AccountJob(a, lambda a=a: open_counting(a), regions=REGIONS) for a in (OWNER, PARTICIPANT)]
    snapshot = collect_accounts(jobs, "aws", max_workers=4, account_workers=2)
    for account in snapshot.accounts:
        for region in account.regions:
            owners.update(v.owner_id for v in region.vpcs if v.cidr_blocks == ["10.9.0.0/16"])
            assert not region.errors, region.errors
    assert owners == {OWNER: 1, PARTICIPANT: 1}  # each account read its own VPC, in its region, with its own role
    regional = ("ec2", "route53resolver", "route53profiles")
    assert made == {(a, s, r): 1 for a in (OWNER, PARTICIPANT) for s in regional for r in REGIONS} | {
        (a, "route53", "us-east-1"): 1 for a in (OWNER, PARTICIPANT)}
    assert all(s._session.get_component("data_loader") is assumer.loader for s in sessions.values())
    paths = assumer.loader.search_paths
    assert len(paths) == len(set(paths)) and any(p.endswith(os.path.join("boto3", "data")) for p in paths)
    arns = {a: s.client("sts", region_name="us-east-1").get_caller_identity()["Arn"] for a, s in sessions.items()}
    assert all(arn.startswith(f"arn:aws:sts::{a}:assumed-role/vpclint-readonly/") for a, arn in arns.items())


@mock_aws
def test_one_sts_client_assumes_every_role_while_the_callers_credentials_stay_the_same(aws_env):
    base = boto3.Session(region_name="us-east-1")
    made: list[str] = []
    real = base.client

    def client(service, **kwargs):
        made.append(kwargs["aws_access_key_id"])
        return real(service, **kwargs)

    base.client = client  # type: ignore[method-assign]
    assumer = RoleAssumer(base, None, "aws", "vpclint-readonly")
    for account in (OWNER, PARTICIPANT):
        assumer.open(account)
    caller = base.get_credentials().get_frozen_credentials().access_key
    assert made == [caller]
    assumer.source = Credentials("AKIDROTATED000000000", "secret")  # the caller's credentials changed (refreshed)
    arn = assumer.open(OTHER).client("sts", region_name="us-east-1").get_caller_identity()["Arn"]
    assert made == [caller, "AKIDROTATED000000000"]
    assert arn.startswith(f"arn:aws:sts::{OTHER}:assumed-role/vpclint-readonly/")
    assert [len(sts_backends[a]["aws"].assumed_roles) for a in (OWNER, PARTICIPANT, OTHER)] == [1, 1, 1]
