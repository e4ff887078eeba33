"""The cost inputs: ip-ranges.json (file, cached fetch from a local server), batched NAT metrics, and the rule's estimate."""

from __future__ import annotations

import http.server
import json
import os
import threading
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from test_rule_fixtures import BASE, apply_patch
from test_rule_fixtures import FIXTURES as RULE_FIXTURES

from vpclint.cost.ipranges import CACHE_NAME, PrefixSet, cached_ip_ranges, load_ip_ranges
from vpclint.cost.metrics import MAX_QUERIES, fetch_nat_metrics
from vpclint.engine import evaluate
from vpclint.errors import VpclintError
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cost"


def test_prefix_set_matches_ipv4_and_ipv6_by_range() -> None:
    prefixes = PrefixSet(["52.216.0.0/15", "52.218.0.0/17", "3.5.0.0/19", "2600:1fa0:8000::/39"])
    assert b"52.217.255.255" in prefixes and b"52.218.127.1" in prefixes and b"3.5.31.255" in prefixes
    assert b"52.218.128.0" not in prefixes and b"3.5.32.0" not in prefixes and b"10.0.0.1" not in prefixes
    assert b"2600:1fa0:8000::1" in prefixes and b"2600:1fa1::1" not in prefixes
    assert b"-" not in prefixes and b"not-an-address" not in prefixes


def test_ip_ranges_selects_a_service_in_a_region() -> None:
    ranges = load_ip_ranges(FIXTURES / "ip-ranges.json")
    assert ranges.service_prefixes("S3", "us-east-1") == ["2600:1fa0:8000::/39", "3.5.0.0/19", "52.216.0.0/15"]


@pytest.fixture
def ip_ranges_server():
    """A local HTTP server answering with the fixture ip-ranges.json; counts its requests."""
    body = (FIXTURES / "ip-ranges.json").read_bytes()
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/ip-ranges.json", hits
    server.shutdown()
    server.server_close()


def test_fetch_caches_for_a_day_then_refetches(tmp_path: Path, ip_ranges_server) -> None:
    url, hits = ip_ranges_server
    first = cached_ip_ranges(url, tmp_path)
    assert first.syncToken == "1700000000" and (tmp_path / CACHE_NAME).is_file()
    cached_ip_ranges(url, tmp_path)
    assert len(hits) == 1  # the second call read the cache
    cached_ip_ranges(url, tmp_path, now=(tmp_path / CACHE_NAME).stat().st_mtime + 2 * 86400)
    assert len(hits) == 2


def test_fetch_failure_uses_a_stale_cache_else_says_what_to_do(tmp_path: Path) -> None:
    dead = "http://127.0.0.1:9/ip-ranges.json"
    with pytest.raises(VpclintError, match="pass --ip-ranges FILE"):
        cached_ip_ranges(dead, tmp_path)
    (tmp_path / CACHE_NAME).write_text((FIXTURES / "ip-ranges.json").read_text())
    os.utime(tmp_path / CACHE_NAME, (0, 0))
    assert cached_ip_ranges(dead, tmp_path).createDate == "2023-11-14-22-13-20"


class RecordingCloudWatch:
    """Answers GetMetricData like CloudWatch (one value per query, paged) and records each call."""

    def __init__(self, values: dict[tuple[str, str], float]) -> None:
        self.values = values
        self.calls: list[dict] = []

    def get_metric_data(self, **kwargs):
        self.calls.append(kwargs)
        results = []
        for query in kwargs["MetricDataQueries"]:
            stat = query["MetricStat"]
            key = (stat["Metric"]["Dimensions"][0]["Value"], stat["Metric"]["MetricName"])
            assert stat["Stat"] == "Sum" and stat["Metric"]["Namespace"] == "AWS/NATGateway"
            results.append({"Id": query["Id"], "Values": [self.values.get(key, 0.0) / 2] * 2})
        if "NextToken" not in kwargs and len(results) > 1:  # a second page repeats nothing: sums must not double
            return {"MetricDataResults": results[:1], "NextToken": "t"}
        return {"MetricDataResults": results[1:] if "NextToken" in kwargs else results}


def test_metrics_are_batched_500_queries_per_call() -> None:
    nat_ids = [f"nat-{n:05d}" for n in range(300)]
    values = {(n, m): float(i * 10 + j + 1) for i, n in enumerate(nat_ids) for j, m in enumerate(("BytesInFromSource", "BytesInFromDestination"))}
    cloudwatch = RecordingCloudWatch(values)
    metrics = fetch_nat_metrics(cloudwatch, nat_ids, 30, now=datetime(2026, 1, 31, 10, 42, tzinfo=timezone.utc))
    batches = [len(c["MetricDataQueries"]) for c in cloudwatch.calls if "NextToken" not in c]
    assert batches == [MAX_QUERIES, 600 - MAX_QUERIES]  # 300 gateways x 2 metrics: two calls, not 600
    assert len(cloudwatch.calls) == 4  # each batch had a second page
    assert metrics.start == datetime(2026, 1, 1, 10, tzinfo=timezone.utc) and metrics.days == 30
    by_id = {g.nat_gateway_id: g for g in metrics.gateways}
    assert by_id["nat-00007"].bytes_in_from_source == 71 and by_id["nat-00007"].bytes_in_from_destination == 72
    assert by_id["nat-00299"].processed_bytes == 2991 + 2992


def test_rule_evidence_carries_the_estimate_when_metrics_are_present() -> None:

    cases = yaml.safe_load((RULE_FIXTURES / "nat-gateway-carries-s3-traffic.yaml").read_text())["cases"]
    case = next(c for c in cases if c["name"] == "with NAT metrics the finding carries the estimate")
    report = evaluate(Snapshot.model_validate(apply_patch(BASE, case)), load_rules(select=["nat-gateway-carries-s3-traffic"]))
    [finding] = report.findings
    evidence = finding.evidence
    assert evidence["nat_gateways"] == ["nat-a"]
    assert {s["route_table_id"] for s in evidence["nat_subnets_without_s3_gateway"]} == {"rtb-priv-a", "rtb-priv-b"}
    # 10 TB over 30 days -> per 730-hour month; one NAT gateway; ecr.api and ecr.dkr exist, so nothing is added.
    monthly = Decimal(10_000) * 730 / (30 * 24)
    estimate = evidence["estimate"]
    assert estimate["nat_gb_per_month"] == float(round(monthly, 2))
    assert estimate["s3_share_basis"].startswith("upper bound")
    assert estimate["cost_today_monthly"] == float(round(Decimal("0.045") * 730 + Decimal("0.045") * monthly, 2))
    assert estimate["savings_monthly"] == float(round(Decimal("0.045") * monthly, 2))
    assert estimate["missing_endpoints"] == ["s3 (gateway)"] and estimate["break_even_nat_gb_per_month"] == 0.0
    assert evidence["nat_traffic"]["processed_bytes"] == 10**13


def test_rule_evidence_has_no_estimate_without_metrics() -> None:

    case = {"patch": [{"op": "remove", "target": target}
                      for target in ("vpc_endpoints/vpce-s3", "network_interfaces/eni-iso-b", "subnets/subnet-iso-b")]}
    report = evaluate(Snapshot.model_validate(apply_patch(BASE, case)), load_rules(select=["nat-gateway-carries-s3-traffic"]))
    assert report.findings[0].evidence["estimate"] is None
    assert json.dumps(report.findings[0].evidence)  # JSON-ready
