"""Hardening: bad input of every kind gives exit 2 with one line on stderr (or a success code), never exit 4, a
traceback or a hang. Each failure the attack campaign found has its own test; then a seeded mutator feeds each
input kind (snapshot, baseline, config, rule YAML, price file, ip-ranges.json, flow logs) through the CLI."""

from __future__ import annotations

import gzip
import json
import random
import time
from pathlib import Path

import pytest
import yaml
from hardening_fuzz import NASTY, expand, mutate, mutate_bytes, nested, toml_document

from vpclint.cli import main
from vpclint.demo import demo_snapshot_text
from vpclint.limits import MAX_DEPTH

BUILTIN_RULE = Path(__file__).resolve().parents[1] / "rules" / "ecr-dkr-endpoint-missing.yaml"
NAT_ENI = "eni-024f1e6a76e008ddf"  # a NAT gateway interface of the demo's us-east-1
IP_RANGES = {"syncToken": "1", "createDate": "2025-01-01-00-00-00",
             "prefixes": [{"ip_prefix": "52.216.0.0/15", "region": "us-east-1", "service": "S3"}],
             "ipv6_prefixes": [{"ipv6_prefix": "2600:1fa0::/32", "region": "us-east-1", "service": "S3"}]}
FLOW_LOG = (b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
            b"log-status\n" + b"".join(b"2 1 %s 10.0.0.%d 52.216.0.%d 1 443 6 1 %d 1 2 ACCEPT OK\n" % (NAT_ENI.encode(), i, i, 100 * i)
                                      for i in range(20)))
CASES_PER_KIND = 60
# no input may make vpclint hang: each case must finish within this much CPU time (CPU, not wall time, so that a
# loaded machine doesn't fail the check; a loop burns CPU) and a generous wall-clock bound (a wait burns none)
CPU_SECONDS_PER_CASE = 10
WALL_SECONDS_PER_CASE = 120


@pytest.fixture
def cli(capsys, no_aws):
    """``cli(args) -> (exit code, stderr)``, in-process; argparse's own exit becomes its code."""
    def run(args: list[str]) -> tuple[int, str]:
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code
        return code, capsys.readouterr().err
    return run


def assert_handled(code: int, err: str, allowed: tuple[int, ...] = (0, 1, 2, 3)) -> None:
    """A success code, or exit 2 with one ``vpclint: error:`` line; never a traceback or an internal error."""
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in allowed, err
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("vpclint: error: "), err


def assert_one_error(code: int, err: str, *needles: str) -> None:
    assert_handled(code, err, (2,))
    for needle in needles:
        assert needle in err, err


def _demo() -> dict:
    return json.loads(demo_snapshot_text())


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return path


# --- each failure the campaign found --------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deeply_nested_snapshot_and_baseline(cli, tmp_path, depth):
    snap = _demo()
    snap["accounts"][0]["regions"][0]["vpc_endpoints"][0]["policy"] = "DEEP"
    text = json.dumps(snap).replace('"DEEP"', "[" * depth + "]" * depth)
    path = _write(tmp_path / "snap.json", text)
    assert_one_error(*cli(["scan", "--snapshot", str(path)]), f"snapshot {path}", f"limit of {MAX_DEPTH} levels")
    baseline = _write(tmp_path / "base.json", '{"schema": "vpclint.baseline", "version": 1, "entries": ' + "[" * depth + "]" * depth + "}")
    assert_one_error(*cli(["scan", "--demo", "--baseline", str(baseline)]), f"baseline {baseline}", "levels")


def test_nesting_within_the_limit_is_accepted(cli, tmp_path):
    snap = _demo()
    snap["accounts"][0]["regions"][0]["vpc_endpoints"][0]["policy"] = "DEEP"
    text = json.dumps(snap).replace('"DEEP"', "[" * 90 + "]" * 90)
    path = _write(tmp_path / "snap.json", text)
    code, err = cli(["scan", "--snapshot", str(path), "--format", "json", "-o", str(tmp_path / "out.json")])
    assert_handled(code, err, (0, 1))


def test_deeply_nested_config_and_rule_yaml(cli, tmp_path):
    config = _write(tmp_path / "c.toml", "regions = " + "[" * 1000 + "]" * 1000 + "\n")
    assert_one_error(*cli(["scan", "--demo", "--config", str(config)]), f"config {config}", "levels")
    rules = tmp_path / "rules"
    rules.mkdir()
    _write(rules / "r.yaml", "tags: " + "[" * 500 + "]" * 500 + "\n")
    assert_one_error(*cli(["scan", "--demo", "--rules", str(rules)]), "rule file", "levels")


@pytest.mark.parametrize("when", ["(" * 1000 + "vpc_id" + ")" * 1000, " && ".join(["vpc_id"] * 3000),
                                  "[" * 600 + "vpc_id" + "]" * 600])
def test_deep_jmespath_is_a_one_line_error(cli, tmp_path, when):
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = yaml.safe_load(BUILTIN_RULE.read_text()) | {"id": "custom-rule", "when": when}
    _write(rules / "r.yaml", yaml.safe_dump(rule))
    assert_one_error(*cli(["scan", "--demo", "--rules", str(rules)]), "field when")


def test_huge_integers_in_json_and_toml(cli, tmp_path):
    snap = demo_snapshot_text().replace('"schema_version": 3', '"schema_version": ' + "9" * 5000, 1)
    path = _write(tmp_path / "snap.json", snap)
    assert_one_error(*cli(["scan", "--snapshot", str(path)]), f"snapshot {path}", "digits")
    config = _write(tmp_path / "c.toml", "regions = [" + "9" * 5000 + "]\n")
    assert_one_error(*cli(["scan", "--demo", "--config", str(config)]), f"config {config}", "digits")
    prices = _write(tmp_path / "p.json", '{"version": 1, "x": ' + "1" * 5000 + "}")
    assert_one_error(*cli(["pricing", "show", "--prices", str(prices)]), f"price file {prices}", "digits")


def test_lone_surrogate_in_a_resource_id_names_the_field(cli, tmp_path):
    path = _write(tmp_path / "snap.json", demo_snapshot_text().replace('"vpc_id": "vpc-', '"vpc_id": "\\ud800vpc-', 1))
    assert_one_error(*cli(["scan", "--snapshot", str(path)]), f"snapshot {path}", "field accounts.0.regions.", "surrogate")


def test_snapshot_versions_ids_references_and_cidrs(cli, tmp_path):
    cases = []
    flag = _demo() | {"schema_version": True}
    cases.append((flag, "field schema_version"))
    duplicate = _demo()
    duplicate["accounts"][0]["regions"][0]["subnets"].append(duplicate["accounts"][0]["regions"][0]["subnets"][0])
    cases.append((duplicate, "duplicate id"))
    dangling = _demo()
    dangling["accounts"][0]["regions"][0]["route_tables"][0]["vpc_id"] = "vpc-elsewhere"
    cases.append((dangling, "field accounts.0.regions.0.route_tables.0.vpc_id"))
    cidr = _demo()
    cidr["accounts"][0]["regions"][0]["vpcs"][0]["cidr_blocks"] = ["10.0.0.0/33"]
    cases.append((cidr, "field accounts.0.regions.0.vpcs.0.cidr_blocks.0: '10.0.0.0/33' is not a valid CIDR"))
    for data, needle in cases:
        path = _write(tmp_path / "snap.json", json.dumps(data))
        assert_one_error(*cli(["scan", "--snapshot", str(path)]), needle)


def test_dangling_vpc_references_are_allowed_when_vpcs_were_not_collected(cli, tmp_path):
    data = _demo()
    region = data["accounts"][0]["regions"][0]
    region["collected"] = [s for s in region["collected"] if s != "vpcs"]
    region["vpcs"] = []
    path = _write(tmp_path / "snap.json", json.dumps(data))
    assert_handled(*cli(["scan", "--snapshot", str(path), "-o", str(tmp_path / "out.txt")]), (1, 3))


def test_baseline_version_true_is_refused(cli, tmp_path):
    path = _write(tmp_path / "b.json", '{"schema": "vpclint.baseline", "version": true, "entries": []}')
    assert_one_error(*cli(["scan", "--demo", "--baseline", str(path)]), "field version", "True")


@pytest.mark.parametrize("field, value", [("nat_gateway_per_gb", "1e30"), ("nat_gateway_hourly", "1e999"),
                                          ("cross_az_per_gb", "NaN"), ("nat_gateway_per_gb", "-1")])
def test_price_file_prices_are_finite_and_bounded(cli, tmp_path, field, value):
    table = json.loads((Path(__file__).resolve().parents[1] / "vpclint" / "cost" / "prices.json").read_text())
    table["regions"]["us-east-1"][field] = "VALUE"
    path = _write(tmp_path / "p.json", json.dumps(table).replace('"VALUE"', value))
    args = ["cost", "model", "--prices", str(path), "--region", "us-east-1", "--nat-gateways", "1", "--azs", "1",
            "--gb-per-month", "1"]
    assert_one_error(*cli(args), f"price file {path}")


@pytest.mark.parametrize("flag, value", [("--gb-per-month", "1e30"), ("--gb-per-month", "Infinity"),
                                         ("--nat-gateways", "9" * 30), ("--control-gb", "1e30")])
def test_cost_model_volumes_are_bounded(cli, flag, value):
    options = {"--region": "us-east-1", "--nat-gateways": "1", "--azs": "1", "--gb-per-month": "1", flag: value}
    code, err = cli(["cost", "model", *[part for pair in options.items() for part in pair]])
    assert code == 2 and "Traceback" not in err and "expected a number" in err


def test_largest_volumes_and_prices_still_compute(cli, capsys):
    code, err = cli(["cost", "model", "--region", "us-east-1", "--nat-gateways", "10000", "--azs", "10000",
                     "--gb-per-month", "1000000000000", "--format", "json"])
    assert code == 0, err


def test_invalid_cidr_in_ip_ranges_names_the_field(cli, tmp_path):
    ranges = json.loads(json.dumps(IP_RANGES))
    ranges["prefixes"][0]["ip_prefix"] = "52.216.0.0/40"
    path = _write(tmp_path / "ip.json", json.dumps(ranges))
    logs = _write(tmp_path / "f.log", FLOW_LOG)
    assert_one_error(*cli(["cost", "--demo", "--flow-logs", str(logs), "--ip-ranges", str(path)]),
                     f"ip ranges {path}", "field prefixes.0.ip_prefix")


def test_corrupt_gzip_flow_log_is_one_line_naming_the_file(cli, tmp_path):
    data = bytearray(gzip.compress(FLOW_LOG * 50))
    data[len(data) // 2:len(data) // 2 + 20] = b"\x00" * 20
    logs = _write(tmp_path / "f.log.gz", bytes(data))
    ranges = _write(tmp_path / "ip.json", json.dumps(IP_RANGES))
    assert_one_error(*cli(["cost", "--demo", "--flow-logs", str(logs), "--ip-ranges", str(ranges)]),
                     f"flow log {logs}: cannot decompress")


def test_https_coverage_with_non_objects_is_a_rule_error(cli, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, call in [("a", "https_coverage(`[1]`, `[]`, `{}`)"), ("b", "https_coverage(`[]`, `[1, 2]`, `{}`)"),
                       ("c", "https_coverage(`[]`, `[]`, `{\"sg\": 5}`)"),
                       ("d", "https_coverage(`[\"sg\"]`, `[{\"subnet_id\": \"s\", \"cidr_block\": {}}]`, `{}`)")]:
        rule = yaml.safe_load(BUILTIN_RULE.read_text()) | {"id": f"custom-{name}", "when": f"{call}.uncovered"}
        for old in rules.iterdir():
            old.unlink()
        _write(rules / f"{name}.yaml", yaml.safe_dump(rule))
        assert_one_error(*cli(["scan", "--demo", "--rules", str(rules)]), "field when", "https_coverage")


def test_a_file_larger_than_the_limit_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("vpclint.limits.MAX_FILE_BYTES", 20_000)  # above any rule file, below the demo snapshot
    path = _write(tmp_path / "snap.json", demo_snapshot_text())
    assert_one_error(*cli(["scan", "--snapshot", str(path)]), f"snapshot {path}", "larger than the limit")


# --- generated inputs --------------------------------------------------------------------------------------------


def _run_cases(cli, make_args, texts) -> None:
    for text in texts:
        start, cpu_start = time.monotonic(), time.process_time()
        code, err = cli(make_args(text))
        assert time.process_time() - cpu_start < CPU_SECONDS_PER_CASE
        assert time.monotonic() - start < WALL_SECONDS_PER_CASE
        assert_handled(code, err)


def _structural(base: object, seed: int, render) -> list:
    rng = random.Random(seed)
    return [render(mutate(base, rng)) for _ in range(CASES_PER_KIND)]


def _bytes(base: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [mutate_bytes(base, rng) for _ in range(CASES_PER_KIND // 2)]


def test_generated_snapshots(cli, tmp_path):
    path = tmp_path / "snap.json"
    base = _demo()
    base["accounts"][0]["regions"] = base["accounts"][0]["regions"][:1]

    def args(text):
        _write(path, text)
        return ["scan", "--snapshot", str(path), "--format", "json", "-o", str(tmp_path / "out.json")]
    texts = _structural(base, 1, lambda d: expand(json.dumps(d)))
    _run_cases(cli, args, texts + _bytes(json.dumps(base).encode(), 2))


def test_generated_baselines(cli, tmp_path):
    path = tmp_path / "base.json"
    baseline = tmp_path / "made.json"
    assert main(["baseline", "create", "--demo", "-o", str(baseline)]) in (0, 1)
    base = json.loads(baseline.read_text())

    def args(text):
        _write(path, text)
        return ["scan", "--demo", "--baseline", str(path), "-o", str(tmp_path / "out.txt")]
    _run_cases(cli, args, _structural(base, 3, lambda d: expand(json.dumps(d))) + _bytes(baseline.read_bytes(), 4))


def test_generated_configs(cli, tmp_path):
    path = tmp_path / "c.toml"
    base = {"regions": ["us-east-1"], "fail_on": "high", "ignore": ["vpc-custom-dns-servers"],
            "required_endpoints": ["logs", "sts"], "baseline": "b.json"}

    def args(text):
        _write(path, text)
        return ["scan", "--demo", "--config", str(path), "-o", str(tmp_path / "out.txt")]
    texts = _structural(base, 5, lambda d: expand(toml_document(d) if isinstance(d, dict) else str(d), toml=True))
    _run_cases(cli, args, texts + _bytes(toml_document(base).encode(), 6))


def test_generated_rule_files(cli, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    base = yaml.safe_load(BUILTIN_RULE.read_text()) | {"id": "custom-rule"}

    def args(text):
        _write(rules / "r.yaml", text)
        return ["scan", "--demo", "--rules", str(rules), "-o", str(tmp_path / "out.txt")]
    texts = _structural(base, 7, lambda d: expand(json.dumps(d)))
    _run_cases(cli, args, texts + _bytes(BUILTIN_RULE.read_bytes(), 8))


def test_generated_price_files(cli, tmp_path):
    path = tmp_path / "p.json"
    source = Path(__file__).resolve().parents[1] / "vpclint" / "cost" / "prices.json"
    base = json.loads(source.read_text())
    base["regions"] = {"us-east-1": base["regions"]["us-east-1"]}

    def args(text):
        _write(path, text)
        return ["cost", "model", "--prices", str(path), "--region", "us-east-1", "--nat-gateways", "3", "--azs", "3",
                "--gb-per-month", "178000"]
    _run_cases(cli, args, _structural(base, 9, lambda d: expand(json.dumps(d))) + _bytes(json.dumps(base).encode(), 10))


def test_generated_ip_ranges(cli, tmp_path):
    path = tmp_path / "ip.json"
    logs = _write(tmp_path / "f.log", FLOW_LOG)

    def args(text):
        _write(path, text)
        return ["cost", "--demo", "--flow-logs", str(logs), "--ip-ranges", str(path), "-o", str(tmp_path / "o.txt")]
    texts = _structural(IP_RANGES, 11, lambda d: expand(json.dumps(d)))
    _run_cases(cli, args, texts + _bytes(json.dumps(IP_RANGES).encode(), 12))


def test_generated_flow_logs(cli, tmp_path):
    ranges = _write(tmp_path / "ip.json", json.dumps(IP_RANGES))
    rng = random.Random(13)
    texts = [mutate_bytes(FLOW_LOG, rng) for _ in range(CASES_PER_KIND)]
    texts += [gzip.compress(t, mtime=0) for t in texts[:10]] + [mutate_bytes(gzip.compress(FLOW_LOG), rng) for _ in range(20)]
    counter = iter(range(10**6))

    def args(text):
        path = _write(tmp_path / f"f{next(counter)}.log", text)
        return ["cost", "--demo", "--flow-logs", str(path), "--ip-ranges", str(ranges), "-o", str(tmp_path / "o.txt")]
    _run_cases(cli, args, texts)


def test_nasty_values_cover_the_campaign():
    """The mutator's values include every kind of value the campaign used."""
    assert "\ud800" in NASTY and "[/x]" in NASTY and 10**30 in NASTY and nested(1200) == "__deep_1200_list__"
