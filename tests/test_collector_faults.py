"""Collection faults cost only what they touch (issue 13, items 4 and 5).

Real botocore talks to a fault-injecting proxy on 127.0.0.1 (``faultproxy.py``) in front of the session's moto
server: a region that never answers, a plain-text 503, a persistent 500, a body cut short, a connection reset.
Pagination loops come from a ``before-call`` hook (moto never pages). Every proxy stops by itself.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest

from faultproxy import FaultProxy
from scenarios import build_private_vpc, build_vpc
from test_collector import FakeEc2, fake_client, paged_account

from vpclint.collect import items as collect_items
from vpclint.collect import region as collect_region
from vpclint.collect import scheduler as collect_scheduler
from vpclint.collect.deadline import Deadline
from vpclint.collect.region import RegionCollector
from vpclint.collect.scheduler import collect
from vpclint.collect.session import PROBE_ATTEMPTS, client_config
from vpclint.engine import evaluate
from vpclint.rules import load_rules
from vpclint.collect.route53 import DNS_SOURCES
from vpclint.snapshot import SOURCES

ACL_RULES = {"endpoint-https-ingress-missing", "endpoint-ip-type-mismatch", "network-acl-blocks-pull",
             "workload-egress-blocks-pull", "hub-endpoint-ingress-missing", "spoke-route-to-hub-missing"}
"""The built-in rules that need ``network_acls``."""

EC2_SOURCES = sorted(set(SOURCES) - set(DNS_SOURCES))
"""What one region's RegionCollector reads (Route 53 and Resolver are read for the account beside it)."""


@pytest.fixture
def fast_pages(monkeypatch):
    """Page retries back off for milliseconds, not seconds."""
    monkeypatch.setattr(collect_items, "PAGE_BACKOFF", 0.01)


def collect_through(proxy: FaultProxy, regions: list[str], monkeypatch, **kwargs):
    """Collect ``regions`` in-process with every EC2 call going through ``proxy``."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", proxy.url)
    session = boto3.Session(region_name="us-east-1")
    return collect(session, regions, "123456789012", "aws", **kwargs)


def test_a_region_that_never_answers_is_given_up_at_its_deadline_and_the_other_is_complete(moto_server, monkeypatch):
    """eu-west-1 accepts connections and never answers: with a 6 s region deadline it is recorded as unread in
    about six seconds (not 2 x 20 s of read timeouts, not minutes of retries); us-east-1 is complete (6 s, not less:
    a region's deadline includes building its clients, which takes seconds on two overloaded cores)."""
    session = moto_server.session()
    net = build_vpc(session, "us-east-1", "up", azs=1)
    collect(session, ["us-east-1"], "123456789012", "aws")  # warm moto's backend: the deadline is for the hang
    with FaultProxy(moto_server.url, lambda action, n, region: "hang" if region == "eu-west-1" else None, lifetime=60) as proxy:
        started = time.monotonic()
        snapshot = collect_through(proxy, ["eu-west-1", "us-east-1"], monkeypatch, region_deadline=6.0)
        elapsed = time.monotonic() - started
    assert elapsed < 30, elapsed  # the hang alone would cost 2 x 20 s of read timeouts, then retries
    down, up = snapshot.regions
    assert down.region == "eu-west-1" and down.collected == []
    assert {e.code for e in down.errors} == {"DeadlineExceeded"}
    assert {e.api for e in down.errors} == set(collect_region.SOURCE_APIS.values())
    # on a loaded machine the deadline may pass before the region's first call: the error then says so
    assert down.errors[0].message.startswith(("region deadline of 6 s passed", "region deadline passed before this region"))
    assert (up.errors, up.collected) == ([], sorted(SOURCES))
    assert net.vpc_id in {v.vpc_id for v in up.vpcs}
    assert evaluate(snapshot, load_rules()).exit_code() == 3


def test_a_region_past_its_deadline_keeps_the_sources_it_had_read(moto_server, monkeypatch):
    """DescribeNetworkInterfaces hangs: at the deadline every source read before it is kept; it and the prefix
    lists (read after it) are recorded as DeadlineExceeded."""
    session = moto_server.session()
    net = build_vpc(session, "us-east-1", "slow", azs=1)
    collect(session, ["us-east-1"], "123456789012", "aws")  # warm moto's backend: the deadline is for the hang
    hang = lambda action, n, region: "hang" if action == "DescribeNetworkInterfaces" else None  # noqa: E731
    with FaultProxy(moto_server.url, hang, lifetime=60) as proxy:
        snapshot = collect_through(proxy, ["us-east-1"], monkeypatch, region_deadline=3.0)
    region = snapshot.regions[0]
    unread = {"network_interfaces", "prefix_lists", "transit_gateway_attachments", "transit_gateway_routes",
              "vpc_peering_connections"}  # read after the hang; Route 53's sources are read after the region
    assert region.collected == sorted(set(EC2_SOURCES) - unread)
    assert [(e.api, e.code) for e in region.errors] == [(api, "DeadlineExceeded") for api in (
        "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists", "ec2:DescribeTransitGatewayVpcAttachments",
        "ec2:DescribeVpcPeeringConnections", "ec2:SearchTransitGatewayRoutes", "route53:ListHostedZonesByVPC",
        "route53profiles:ListProfileAssociations", "route53resolver:ListResolverRules",
    )]
    assert net.vpc_id in {v.vpc_id for v in region.vpcs}
    assert {s.subnet_id for s in region.subnets} >= set(net.private_subnets)


def test_the_overall_timeout_writes_what_was_read_and_the_process_exits_promptly(moto_server, run_vpclint, tmp_path):
    """The real executable, every EC2 call hanging, ``--timeout 2``: it exits 3 within seconds (no worker thread
    keeps it alive), and the snapshot is written with each region's sources recorded as DeadlineExceeded."""
    out = tmp_path / "snapshot.json"
    with FaultProxy(moto_server.url, lambda action, n, region: "hang", lifetime=90) as proxy:
        env = {**moto_server.env(), "AWS_ENDPOINT_URL_EC2": proxy.url}
        started = time.monotonic()
        result = run_vpclint(["collect", "--region", "us-east-1", "--region", "eu-west-1", "--timeout", "2", "-o", str(out)],
                             env=env, timeout=60)
        elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    assert elapsed < 20, elapsed
    regions = json.loads(out.read_text())["accounts"][0]["regions"]
    assert [r["region"] for r in regions] == ["eu-west-1", "us-east-1"]
    for region in regions:
        assert region["collected"] == []
        assert {e["code"] for e in region["errors"]} == {"DeadlineExceeded"}
        assert "overall timeout of 2 s" in region["errors"][0]["message"]
    assert "could not read 123456789012 us-east-1 ec2:DescribeVpcs: DeadlineExceeded" in result.stderr


@pytest.mark.parametrize("fault", ["plain503", "plain500", "xml500", "truncate", "garbage", "reset"])
def test_a_single_transient_fault_on_describe_subnets_is_retried_and_the_scan_is_complete(moto_server, monkeypatch, fast_pages, fault):
    """A plain-text 503 (no XML body: botocore can't parse it and does not retry it), a plain 500, an XML 500, a
    body cut in the middle, an unparsable 200 and a connection reset, once each on DescribeSubnets: retried (by
    botocore or around the page), and nothing is lost."""
    session = moto_server.session()
    net = build_vpc(session, "us-east-1", "flaky", azs=1)
    once = lambda action, n, region: fault if action == "DescribeSubnets" and n == 0 else None  # noqa: E731
    with FaultProxy(moto_server.url, once) as proxy:
        snapshot = collect_through(proxy, ["us-east-1"], monkeypatch)
    assert proxy.faults == {("DescribeSubnets", "us-east-1", fault): 1}
    assert proxy.seen[("DescribeSubnets", "us-east-1")] == 2
    region = snapshot.regions[0]
    assert (region.errors, region.collected) == ([], sorted(SOURCES))
    assert set(net.private_subnets + net.public_subnets) <= {s.subnet_id for s in region.subnets}


def test_a_first_call_failing_past_the_probe_attempts_keeps_the_clients_retries(moto_server, monkeypatch):
    """Only an unreachable endpoint cuts a region's first call short: DescribeVpcs answering InternalError on as
    many attempts as the probe allows is retried by botocore until it is answered, and nothing is lost."""
    session = moto_server.session()
    net = build_vpc(session, "us-east-1", "busy", azs=1)
    failing = lambda action, n, region: "xml500" if action == "DescribeVpcs" and n < PROBE_ATTEMPTS else None  # noqa: E731
    with FaultProxy(moto_server.url, failing) as proxy:
        snapshot = collect_through(proxy, ["us-east-1"], monkeypatch)
    assert proxy.faults == {("DescribeVpcs", "us-east-1", "xml500"): PROBE_ATTEMPTS}
    assert proxy.seen[("DescribeVpcs", "us-east-1")] == PROBE_ATTEMPTS + 1
    region = snapshot.regions[0]
    assert (region.errors, region.collected) == ([], sorted(SOURCES))
    assert net.vpc_id in {v.vpc_id for v in region.vpcs}


@pytest.mark.parametrize("fault", ["plain500", "xml500", "truncate"])
def test_a_persistent_fault_on_network_acls_costs_only_network_acls(moto_server, monkeypatch, fast_pages, fault):
    """DescribeNetworkAcls fails on every attempt: only network_acls is unread; every other source is collected;
    the rules that need ACLs are not evaluated and the others are; exit 3."""
    monkeypatch.setattr(collect_scheduler, "client_config", lambda attempts=3: client_config(min(attempts, 3)))
    session = moto_server.session()
    build_private_vpc(session, "us-east-1", "private")
    build_vpc(session, "us-east-1", "nat", cidr="10.2.0.0/16", azs=1)
    always = lambda action, n, region: fault if action == "DescribeNetworkAcls" else None  # noqa: E731
    with FaultProxy(moto_server.url, always) as proxy:
        snapshot = collect_through(proxy, ["us-east-1"], monkeypatch)
    attempts = proxy.seen[("DescribeNetworkAcls", "us-east-1")]
    assert attempts == (3 if fault == "xml500" else collect_items.PAGE_ATTEMPTS)  # botocore's retries, or the page's
    region = snapshot.regions[0]
    assert region.collected == sorted(set(SOURCES) - {"network_acls"})
    assert [e.api for e in region.errors] == ["ec2:DescribeNetworkAcls"]
    assert region.network_acls == []
    report = evaluate(snapshot, load_rules())
    assert {n.rule_id for n in report.not_evaluated} == ACL_RULES
    assert all(n.missing == ["network_acls"] for n in report.not_evaluated)
    assert report.findings, "the rules that don't need ACLs were evaluated"
    assert not {f.rule_id for f in report.findings} & ACL_RULES
    assert report.exit_code() == 3


def test_scan_with_a_persistent_plain_text_500_on_network_acls_exits_3_with_the_rest_evaluated(moto_server, run_vpclint):
    """The same through the real executable: exit 3, the error in the JSON report, only ACL rules not evaluated."""
    session = moto_server.session()
    build_vpc(session, "us-east-1", "nat", azs=1)
    always = lambda action, n, region: "plain500" if action == "DescribeNetworkAcls" else None  # noqa: E731
    with FaultProxy(moto_server.url, always) as proxy:
        result = run_vpclint(["scan", "--region", "us-east-1", "--format", "json"],
                             env={**moto_server.env(), "AWS_ENDPOINT_URL_EC2": proxy.url})
    assert result.returncode == 3, result.stderr
    report = result.json()
    assert [(e["api"], e["code"]) for e in report["errors"]] == [("ec2:DescribeNetworkAcls", "ResponseParserError")]
    assert {n["rule_id"] for n in report["not_evaluated"]} == ACL_RULES
    assert {f["rule_id"] for f in report["findings"]} and not {f["rule_id"] for f in report["findings"]} & ACL_RULES


def cycling(tokens: list[str]):
    """A before-call hook answering DescribeSubnets with one subnet per page and NextToken cycling over
    ``tokens`` forever (a counter bounds it: a loop the guard misses fails the test instead of hanging)."""
    calls = {"n": 0}

    def answer(model, params, **_):
        if model.name != "DescribeSubnets":
            return None
        calls["n"] += 1
        assert calls["n"] <= 50, "the pagination guard did not stop a NextToken loop"
        subnet = {"SubnetId": f"subnet-{calls['n']}", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1a", "CidrBlock": "10.0.0.0/24"}
        from botocore.awsrequest import AWSResponse
        return AWSResponse("https://fake", 200, {}, None), {"Subnets": [subnet], "NextToken": tokens[(calls["n"] - 1) % len(tokens)]}
    return answer, calls


@pytest.mark.parametrize("tokens", [["A"], ["A", "B"], ["A", "B", "C"]])
def test_a_repeated_or_cycling_next_token_is_an_error_of_that_source_only(tokens):
    """NextToken A, A (repeated), or A, B, A (cycling), or A, B, C, A: DescribeSubnets is recorded as a
    PaginationLoop after one lap; every other source of the region is collected."""
    fake = FakeEc2(paged_account())
    client = fake_client(fake)
    hook, calls = cycling(tokens)
    client.meta.events.register_first("before-call.ec2.DescribeSubnets", hook)
    region = RegionCollector(client, "us-east-1").collect()
    assert calls["n"] == len(tokens) + 1
    assert [(e.api, e.code) for e in region.errors] == [("ec2:DescribeSubnets", "PaginationLoop")]
    assert region.collected == sorted(set(EC2_SOURCES) - {"subnets"})
    assert region.subnets == []
    assert [v.vpc_id for v in region.vpcs] == ["vpc-1", "vpc-2"]


def test_more_pages_than_the_limit_is_an_error_of_that_source_only(monkeypatch):
    """Ever new tokens past MAX_PAGES: TooManyPages for that source, nothing else lost."""
    monkeypatch.setattr(collect_items, "MAX_PAGES", 5)
    fake = FakeEc2(paged_account())
    client = fake_client(fake)
    hook, calls = cycling([f"T{i}" for i in range(40)])
    client.meta.events.register_first("before-call.ec2.DescribeSubnets", hook)
    region = RegionCollector(client, "us-east-1").collect()
    assert calls["n"] == 5
    assert [(e.api, e.code) for e in region.errors] == [("ec2:DescribeSubnets", "TooManyPages")]
    assert region.collected == sorted(set(EC2_SOURCES) - {"subnets"})


def test_no_call_starts_after_the_deadline():
    """A collector whose deadline has passed makes no call at all: its first call is refused before it is sent."""
    fake = FakeEc2(paged_account())
    region = RegionCollector(fake_client(fake), "us-east-1", deadline=Deadline(0.0)).collect()
    assert fake.calls == []
    assert [(e.api, e.code) for e in region.errors] == [("ec2:DescribeVpcs", "DeadlineExceeded")]


def test_an_unexpected_failure_of_one_source_keeps_the_others(monkeypatch):
    """A bug in one reader costs its source, recorded under its API, not the region's other sources."""
    def broken(reader, raws):
        raise RuntimeError("reader bug")
    describes = tuple(d if d[0] != "route_tables" else d[:4] + (broken,) for d in collect_region.DESCRIBES)
    monkeypatch.setattr(collect_region, "DESCRIBES", describes)
    region = RegionCollector(fake_client(FakeEc2(paged_account())), "us-east-1").collect()
    assert [(e.api, e.code) for e in region.errors] == [("ec2:DescribeRouteTables", "RuntimeError")]
    assert region.collected == sorted(set(EC2_SOURCES) - {"route_tables"})


class _HalfReadDns:
    """A DNS reader that reads the region's Profiles, then meets a bug."""

    def read(self, result):
        result.collected.append("route53_profiles")
        raise SystemError("AST constructor recursion depth mismatch (before=18, after=10)")


def test_an_unexpected_dns_failure_is_recorded_under_each_source_it_left_unread():
    """What the DNS reader read stays read; each DNS source it left unread gets the error under its own API (so
    the rules that need it say so), and a source that already failed keeps its own error."""
    from vpclint.snapshot import RegionSnapshot

    region = RegionSnapshot(region="eu-west-1", collected=["vpcs"])
    region.errors.append(collect_scheduler.collection_error("eu-west-1", "route53resolver:ListResolverRules",
                                                            RuntimeError("denied earlier")))
    collect_scheduler.read_dns(_HalfReadDns(), region, Deadline(60.0))
    assert region.collected == ["vpcs", "route53_profiles"]
    assert [(e.region, e.api, e.code, e.message) for e in region.errors] == [
        ("eu-west-1", "route53:ListHostedZonesByVPC", "SystemError", "AST constructor recursion depth mismatch (before=18, after=10)"),
        ("eu-west-1", "route53resolver:ListResolverRules", "RuntimeError", "denied earlier"),
    ]


@pytest.mark.parametrize("flag, config, expected", [
    (None, None, collect_scheduler.TIMEOUT), (None, "timeout = 7", 7.0), (["--timeout", "2.5"], "timeout = 7", 2.5),
])
def test_timeout_comes_from_the_flag_then_the_config_then_the_default(monkeypatch, tmp_path, flag, config, expected):
    """``--timeout`` overrides the config's ``timeout``, which overrides the default."""
    from vpclint.cli import build_parser
    from vpclint.commands import common
    from vpclint.commands.scan import perform_scan
    from vpclint.snapshot import Snapshot

    seen = []
    monkeypatch.setattr(common, "collect_account", lambda *a, timeout=None, **k: seen.append(timeout) or Snapshot(account_id="1", partition="aws"))
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: False)
    path = tmp_path / "vpclint.toml"
    path.write_text(config or "")
    args = build_parser().parse_args(["scan", "--region", "us-east-1", "--config", str(path), *(flag or [])])
    perform_scan(args)
    assert seen == [expected]
