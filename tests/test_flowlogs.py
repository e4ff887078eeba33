"""Flow-log attribution: both formats, plain and gzipped, CloudWatch exports, malformed lines, both code paths."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from vpclint.cost import flowlogs
from vpclint.cost.flowlogs import Attributor, parse_format
from vpclint.cost.ipranges import PrefixSet, load_ip_ranges
from vpclint.errors import VpclintError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cost"
NAT_A, NAT_B = "eni-0nat0000000000a", "eni-0nat0000000000b"


@pytest.fixture
def s3_prefixes() -> PrefixSet:
    return PrefixSet(load_ip_ranges(FIXTURES / "ip-ranges.json").service_prefixes("S3", "us-east-1"))


@pytest.mark.parametrize("name", ["s3-v2.log", "s3-v2.log.gz", "s3-custom.log", "s3-custom.log.gz",
                                  "cloudwatch-export.log", "cloudwatch-export.log.gz"])
def test_fixture_attribution_in_every_format(name: str, s3_prefixes: PrefixSet) -> None:
    attributor = Attributor({NAT_A: s3_prefixes, NAT_B: s3_prefixes})
    attributor.feed(FIXTURES / name)
    # S3 both directions (client and NAT legs); eu-west-1 S3 and internet count as other; IPv6 S3 counts as S3.
    assert attributor.totals == {NAT_A: [102_000, 10_000], NAT_B: [700, 3_000]}
    stats = attributor.stats
    assert (stats.files, stats.records, stats.nat_records, stats.no_data, stats.malformed) == (1, 12, 8, 1, 2)
    assert len(stats.malformed_examples) == 2
    assert all(example.startswith(str(FIXTURES / name) + ":") for example in stats.malformed_examples)


def test_many_files_accumulate(s3_prefixes: PrefixSet) -> None:
    attributor = Attributor({NAT_A: s3_prefixes})
    attributor.feed(FIXTURES / "s3-v2.log")
    attributor.feed(FIXTURES / "cloudwatch-export.log.gz")
    assert attributor.totals[NAT_A] == [204_000, 20_000]
    assert attributor.stats.files == 2 and attributor.stats.malformed == 4


def test_headerless_custom_format_given_on_the_command_line(tmp_path: Path, s3_prefixes: PrefixSet) -> None:
    path = tmp_path / "custom.log"
    path.write_text(f"{NAT_A} 52.216.1.1 10.0.1.5 700\n{NAT_A} 10.0.1.5 1.1.1.1 300\n")
    attributor = Attributor({NAT_A: s3_prefixes}, fmt="${interface-id} ${srcaddr} ${dstaddr} ${bytes}")
    attributor.feed(path)
    assert attributor.totals[NAT_A] == [700, 300]


def test_a_format_without_the_needed_fields_is_an_error(tmp_path: Path, s3_prefixes: PrefixSet) -> None:
    path = tmp_path / "flow.log"
    path.write_text("version account-id interface-id srcaddr dstaddr packets\n2 1 eni-x 1.1.1.1 2.2.2.2 3\n")
    with pytest.raises(VpclintError, match="no bytes field"):
        Attributor({NAT_A: s3_prefixes}).feed(path)


def test_corrupt_gzip_is_a_clear_error(tmp_path: Path, s3_prefixes: PrefixSet) -> None:
    path = tmp_path / "flow.log.gz"
    path.write_bytes(gzip.compress(b"version interface-id srcaddr dstaddr bytes\n" * 100)[:40])
    with pytest.raises(VpclintError, match="cannot decompress"):
        Attributor({NAT_A: s3_prefixes}).feed(path)


def test_parse_format_accepts_templates_and_parquet_names() -> None:
    assert parse_format("${version} ${interface-id}") == ("version", "interface-id")
    assert parse_format("version interface_id pkt_srcaddr") == ("version", "interface-id", "pkt-srcaddr")


def _random_log(path: Path, records: int, seed: int, enis: list[str]) -> tuple[dict[str, list[int]], list[str]]:
    """A v2 file with a header; returns the expected totals per NAT interface and the lines written."""
    rng = random.Random(seed)
    expected = {eni: [0, 0] for eni in enis if eni.startswith("eni-0nat")}
    lines = [" ".join(flowlogs.DEFAULT_FIELDS)]
    for _ in range(records):
        eni = rng.choice(enis)
        s3 = rng.random() < 0.4
        remote = f"52.216.{rng.randrange(256)}.{rng.randrange(256)}" if s3 else f"8.8.{rng.randrange(256)}.{rng.randrange(256)}"
        local = f"10.0.{rng.randrange(4)}.{rng.randrange(256)}"
        src, dst = (local, remote) if rng.random() < 0.5 else (remote, local)
        size = rng.randrange(40, 100_000)
        if eni in expected:
            expected[eni][0 if s3 else 1] += size
        lines.append(f"2 123456789012 {eni} {src} {dst} 443 40000 6 10 {size} 1700000000 1700000060 ACCEPT OK")
    path.write_text("\n".join(lines) + "\n")
    return expected, lines


@pytest.mark.parametrize("block_size", [64, 997, flowlogs.BLOCK_SIZE, 1 << 20])
def test_block_boundaries_and_fast_path_agree_with_the_expected_sums(
    tmp_path: Path, s3_prefixes: PrefixSet, monkeypatch: pytest.MonkeyPatch, block_size: int
) -> None:
    monkeypatch.setattr(flowlogs, "BLOCK_SIZE", block_size)
    enis = [NAT_A, NAT_B, "eni-0nat0000000000c", "eni-0app0000000000d"]
    expected, _ = _random_log(tmp_path / "flow.log", 3000, seed=block_size, enis=enis)
    attributor = Attributor({eni: s3_prefixes for eni in expected})
    attributor.feed(tmp_path / "flow.log")
    assert attributor.totals == expected
    assert attributor.stats.records == 3000 and attributor.stats.malformed == 0


def test_slow_path_after_a_malformed_line_gives_the_same_sums(tmp_path: Path, s3_prefixes: PrefixSet) -> None:
    expected, lines = _random_log(tmp_path / "clean.log", 2000, seed=3, enis=[NAT_A, NAT_B])
    dirty = lines[:1000] + ["garbage line", "\t"] + lines[1000:]
    (tmp_path / "dirty.log").write_text("\r\n".join(dirty) + "\r\n")  # CRLF and a tab force the per-line path
    attributor = Attributor({NAT_A: s3_prefixes, NAT_B: s3_prefixes})
    attributor.feed(tmp_path / "dirty.log")
    assert attributor.totals == expected
    assert attributor.stats.malformed == 1
    assert attributor.stats.malformed_examples == [f"{tmp_path / 'dirty.log'}:1001: garbage line"]


def test_malformed_examples_show_no_control_bytes(tmp_path: Path, s3_prefixes: PrefixSet) -> None:
    (tmp_path / "binary.log").write_bytes(b"2 123 \x00\x1b[31m\xff junk\n")
    attributor = Attributor({NAT_A: s3_prefixes})
    attributor.feed(tmp_path / "binary.log")
    assert attributor.stats.malformed_examples == [f"{tmp_path / 'binary.log'}:1: 2 123 ??[31m\ufffd junk"]


def test_more_interfaces_than_the_fast_path_groups(tmp_path: Path, s3_prefixes: PrefixSet) -> None:
    enis = [f"eni-0nat{n:011d}" for n in range(flowlogs.MAX_FAST_INTERFACES + 4)]
    expected, _ = _random_log(tmp_path / "flow.log", 2000, seed=5, enis=enis)
    attributor = Attributor({eni: s3_prefixes for eni in enis})
    attributor.feed(tmp_path / "flow.log")
    assert attributor.totals == expected


def test_interfaces_of_two_regions_use_their_own_prefixes(tmp_path: Path) -> None:
    ranges = load_ip_ranges(FIXTURES / "ip-ranges.json")
    east, west = PrefixSet(ranges.service_prefixes("S3", "us-east-1")), PrefixSet(ranges.service_prefixes("S3", "eu-west-1"))
    attributor = Attributor({NAT_A: east, NAT_B: west})
    attributor.feed(FIXTURES / "s3-v2.log")
    # eu-west-1's S3 address (52.218.1.1) is S3 for the eu-west-1 interface; us-east-1's IPv6 S3 is not.
    assert attributor.totals[NAT_B] == [3_000, 700]
    assert attributor.totals[NAT_A] == [102_000, 10_000]


def test_address_cache_stays_bounded(tmp_path: Path, s3_prefixes: PrefixSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flowlogs, "ADDRESS_CACHE_LIMIT", 50)
    monkeypatch.setattr(flowlogs, "BLOCK_SIZE", 2048)
    expected, _ = _random_log(tmp_path / "flow.log", 2000, seed=11, enis=[NAT_A])
    attributor = Attributor({NAT_A: s3_prefixes})
    attributor.feed(tmp_path / "flow.log")
    assert attributor.totals == expected
    cache = attributor._entries[NAT_A.encode()][1]
    assert len(cache) <= 50 + 2048 // 40  # one block's addresses at most beyond the bound
