"""The price table: override files (and their errors), and ``pricing update`` from the Price List API (Stubber)."""

from __future__ import annotations

import json
import zlib
from datetime import date
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from vpclint.cli import main
from vpclint.commands import pricing as pricing_command
from vpclint.cost.price_list import fetch_price_table
from vpclint.cost.prices import PRICE_LIST_SOURCE, PriceTable, builtin_price_table, load_price_table
from vpclint.errors import VpclintError


def _product(family: str, service: str, region: str, usagetype: str, dimensions: list[tuple[str, str, str]]) -> str:
    """One Price List entry as the API returns it: a JSON string (shape recorded from pricing:GetProducts)."""
    sku = f"SKU{zlib.crc32(f'{region}{usagetype}'.encode()):010d}"
    term = f"{sku}.JRTCKXETXF"
    return json.dumps({
        "product": {"productFamily": family, "sku": sku, "attributes": {
            "servicecode": service, "location": region, "locationType": "AWS Region", "usagetype": usagetype,
            "operation": "NatGateway" if family == "NAT Gateway" else "VpcEndpoint", "regionCode": region}},
        "serviceCode": service,
        "terms": {"OnDemand": {term: {"offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": "2025-12-01T00:00:00Z",
                                      "termAttributes": {}, "priceDimensions": {
            f"{term}.{n}": {"unit": "Hrs" if usagetype.endswith("Hours") else "GB", "beginRange": begin, "endRange": end,
                            "description": "recorded", "appliesTo": [], "rateCode": f"{term}.{n}",
                            "pricePerUnit": {"USD": price}}
            for n, (begin, end, price) in enumerate(dimensions)}}}},
        "version": "20251201000000", "publicationDate": "2025-12-01T00:00:00Z",
    })


NAT_PAGE_1 = [
    _product("NAT Gateway", "AmazonEC2", "us-east-1", "NatGateway-Hours", [("0", "Inf", "0.0450000000")]),
    _product("NAT Gateway", "AmazonEC2", "us-east-1", "NatGateway-Bytes", [("0", "Inf", "0.0450000000")]),
]
NAT_PAGE_2 = [
    _product("NAT Gateway", "AmazonEC2", "ca-central-1", "CAN1-NatGateway-Hours", [("0", "Inf", "0.0500000000")]),
    _product("NAT Gateway", "AmazonEC2", "ca-central-1", "CAN1-NatGateway-Bytes", [("0", "Inf", "0.0500000000")]),
    _product("NAT Gateway", "AmazonEC2", "ca-central-1", "CAN1-NatGateway-Provisioned-Bytes", [("0", "Inf", "9")]),
]
ENDPOINTS = [
    _product("VpcEndpoint", "AmazonVPC", "us-east-1", "USE1-VpcEndpoint-Hours", [("0", "Inf", "0.0100000000")]),
    _product("VpcEndpoint", "AmazonVPC", "us-east-1", "USE1-VpcEndpoint-Bytes",
             [("5242880", "Inf", "0.0040000000"), ("0", "1048576", "0.0100000000"), ("1048576", "5242880", "0.0060000000")]),
    _product("VpcEndpoint", "AmazonVPC", "ca-central-1", "CAN1-VpcEndpoint-Hours", [("0", "Inf", "0.0110000000")]),
    _product("VpcEndpoint", "AmazonVPC", "ca-central-1", "CAN1-VpcEndpoint-Bytes",
             [("0", "1048576", "0.0100000000"), ("1048576", "5242880", "0.0060000000"), ("5242880", "Inf", "0.0040000000")]),
    _product("VpcEndpoint", "AmazonVPC", "ca-central-1", "CAN1-VpcEndpoint-GWLBE-Hours", [("0", "Inf", "7")]),
]


def _filters(family: str) -> list[dict]:
    return [{"Type": "TERM_MATCH", "Field": "productFamily", "Value": family}]


def pricing_client():
    """A real pricing client with dummy credentials (Stubber answers it)."""
    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def stubbed_client() -> tuple[object, Stubber]:
    client = pricing_client()
    stubber = Stubber(client)
    stubber.add_response("get_products", {"PriceList": NAT_PAGE_1, "FormatVersion": "aws_v1", "NextToken": "page2"},
                         {"ServiceCode": "AmazonEC2", "Filters": _filters("NAT Gateway"), "FormatVersion": "aws_v1"})
    stubber.add_response("get_products", {"PriceList": NAT_PAGE_2, "FormatVersion": "aws_v1"},
                         {"ServiceCode": "AmazonEC2", "Filters": _filters("NAT Gateway"), "FormatVersion": "aws_v1",
                          "NextToken": "page2"})
    stubber.add_response("get_products", {"PriceList": ENDPOINTS, "FormatVersion": "aws_v1"},
                         {"ServiceCode": "AmazonVPC", "Filters": _filters("VpcEndpoint"), "FormatVersion": "aws_v1"})
    return client, stubber


def test_fetch_price_table_reads_nat_and_endpoint_prices_with_tiers() -> None:
    client, stubber = stubbed_client()
    with stubber:
        table = fetch_price_table(client, [], date(2026, 1, 2), builtin_price_table())
    stubber.assert_no_pending_responses()
    assert table.as_of == date(2026, 1, 2) and "Price List API" in table.source
    canada = table.regions["ca-central-1"]
    assert (str(canada.nat_gateway_hourly), str(canada.nat_gateway_per_gb), str(canada.interface_endpoint_hourly_per_az)) == (
        "0.05", "0.05", "0.011")
    assert [(t.up_to_gb, str(t.per_gb)) for t in canada.interface_endpoint_per_gb] == [
        (1048576, "0.01"), (5242880, "0.006"), (None, "0.004")]
    east = table.regions["us-east-1"]
    assert [str(t.per_gb) for t in east.interface_endpoint_per_gb] == ["0.01", "0.006", "0.004"]  # sorted by range
    assert canada.verified and canada.as_of == date(2025, 12, 1)  # the products' publicationDate
    assert [(s.title, s.url, s.published) for s in canada.sources] == [
        (PRICE_LIST_SOURCE, "https://api.pricing.us-east-1.amazonaws.com", date(2025, 12, 1))]
    assert canada.cross_az_per_gb is None  # not in these product families, nor in the built-in table
    assert table.regions["eu-west-1"] == builtin_price_table().regions["eu-west-1"]  # not returned: built-in row kept


def test_fetch_with_regions_filters_by_region_code() -> None:
    client = pricing_client()
    region_filter = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"}]
    with Stubber(client) as stubber:
        stubber.add_response("get_products", {"PriceList": NAT_PAGE_1, "FormatVersion": "aws_v1"},
                             {"ServiceCode": "AmazonEC2", "Filters": _filters("NAT Gateway") + region_filter, "FormatVersion": "aws_v1"})
        stubber.add_response("get_products", {"PriceList": ENDPOINTS[:2], "FormatVersion": "aws_v1"},
                             {"ServiceCode": "AmazonVPC", "Filters": _filters("VpcEndpoint") + region_filter, "FormatVersion": "aws_v1"})
        table = fetch_price_table(client, ["us-east-1"], date(2026, 1, 2), builtin_price_table())
        stubber.assert_no_pending_responses()
    assert [s.title for s in table.regions["us-east-1"].sources] == [PRICE_LIST_SOURCE]


def test_empty_answer_is_an_error() -> None:
    client = pricing_client()
    with Stubber(client) as stubber:
        stubber.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"})
        stubber.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"})
        with pytest.raises(VpclintError, match="no complete NAT gateway and VPC endpoint prices"):
            fetch_price_table(client, [], date(2026, 1, 2), builtin_price_table())


def test_pricing_update_writes_a_price_file_that_cost_model_uses(tmp_path: Path, monkeypatch, capsys) -> None:
    client, stubber = stubbed_client()
    stubber.activate()
    monkeypatch.setattr(pricing_command, "pricing_client", lambda profile: client)
    output = tmp_path / "prices.json"
    assert main(["pricing", "update", "-o", str(output)]) == 0
    written = json.loads(output.read_text())  # the current format, its API rows verified and dated
    assert written["version"] == 2 and written["regions"]["ca-central-1"]["verified"] is True
    assert written["regions"]["ca-central-1"]["sources"][0]["published"] == "2025-12-01"
    assert main(["cost", "model", "--prices", str(output), "--region", "ca-central-1", "--nat-gateways", "1",
                 "--azs", "2", "--gb-per-month", "1000", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["nat_monthly"] == pytest.approx(0.05 * 730 + 0.05 * 1000)
    assert result["prices"]["interface_endpoint_hourly_per_az"] == 0.011


def test_pricing_update_api_failure_exits_3(monkeypatch, capsys) -> None:
    client = pricing_client()
    stubber = Stubber(client)
    stubber.add_client_error("get_products", "AccessDeniedException", "not allowed")
    stubber.activate()
    monkeypatch.setattr(pricing_command, "pricing_client", lambda profile: client)
    assert main(["pricing", "update"]) == 3
    assert "pricing:GetProducts failed" in capsys.readouterr().err


def test_override_file_replaces_only_its_regions(tmp_path: Path) -> None:
    builtin = json.loads(builtin_price_table().model_dump_json())
    east = dict(builtin["regions"]["us-east-1"], nat_gateway_per_gb="0.05")
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"version": 2, "as_of": "2026-02-01", "source": "negotiated", "regions": {"us-east-1": east},
                                "unpriced": {"eu-west-2": "not negotiated yet"}}))
    table = load_price_table(path)
    assert str(table.regions["us-east-1"].nat_gateway_per_gb) == "0.05"
    assert str(table.regions["eu-west-1"].nat_gateway_per_gb) == "0.048"
    assert "eu-west-2" not in table.regions and table.unpriced == {"eu-west-2": "not negotiated yet"}
    assert table.source == "negotiated" and str(table.as_of) == "2026-02-01"


def _v1_row(source=None, **prices) -> dict:
    row = {"nat_gateway_hourly": "0.05", "nat_gateway_per_gb": "0.05", "interface_endpoint_hourly_per_az": "0.011",
           "interface_endpoint_per_gb": [{"up_to_gb": 1048576, "per_gb": "0.01"}, {"up_to_gb": None, "per_gb": "0.006"}],
           "cross_az_per_gb": "0.01", **prices}
    return row if source is None else {**row, "source": source}


def test_a_version_1_file_is_read_as_version_2_and_only_api_rows_are_verified(tmp_path: Path) -> None:
    """A price file written by an older vpclint (or by hand in the old shape) still loads: each row cites its old
    source text with the file's date, and only rows ``pricing update`` wrote from the Price List API are verified."""
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"version": 1, "as_of": "2025-12-19", "source": "negotiated rates", "regions": {
        "ca-central-1": _v1_row(PRICE_LIST_SOURCE), "eu-west-2": _v1_row("a blog post"), "us-east-2": _v1_row()}}))
    table = load_price_table(path)
    canada, london, ohio = (table.regions[r] for r in ("ca-central-1", "eu-west-2", "us-east-2"))
    assert (canada.verified, london.verified, ohio.verified) == (True, False, False)
    assert [s.title for s in london.sources] == ["a blog post"] and [s.title for s in ohio.sources] == ["negotiated rates"]
    assert {r.as_of for r in (canada, london, ohio)} == {date(2025, 12, 19)} and str(ohio.cross_az_per_gb) == "0.01"
    assert table.regions["us-east-1"] == builtin_price_table().regions["us-east-1"]  # the built-in rows stay


def test_pricing_show_marks_unverified_regions_and_names_unpriced_ones(tmp_path: Path, capsys) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"version": 1, "as_of": "2025-12-19", "source": "old table",
                                "regions": {"eu-west-2": _v1_row("a blog post")}}))
    unpriced = tmp_path / "unpriced.json"
    unpriced.write_text(json.dumps({"version": 2, "as_of": "2025-12-19", "source": "old table", "regions": {},
                                    "unpriced": {"eu-west-2": "no listing found"}}))
    assert main(["pricing", "show", "--prices", str(path), "--region", "eu-west-2", "--region", "us-east-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  eu-west-2*: NAT $0.05/h") and lines[2].startswith("  us-east-1: NAT $0.045/h")
    assert lines[-1] == "* price unverified: only an older or third-party listing supports it"
    assert main(["pricing", "show", "--prices", str(unpriced), "--region", "eu-west-2", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["regions"] == {} and shown["unpriced"] == {"eu-west-2": "no listing found"}
    assert main(["pricing", "show", "--prices", str(unpriced), "--region", "eu-west-2"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["  eu-west-2: unpriced (no listing found)"]


def test_cost_model_of_an_unpriced_region_names_the_reason(tmp_path: Path, capsys) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {},
                                "unpriced": {"us-east-1": "withdrawn for review"}}))
    assert main(["cost", "model", "--prices", str(path), "--region", "us-east-1", "--nat-gateways", "1", "--azs", "1",
                 "--gb-per-month", "1"]) == 2
    assert "no prices for region 'us-east-1' in the price table of 2026-01-01: withdrawn for review" in capsys.readouterr().err


def test_pricing_show_json_lists_the_regions(capsys) -> None:
    assert main(["pricing", "show", "--region", "us-east-1", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert list(shown["regions"]) == ["us-east-1"] and shown["regions"]["us-east-1"]["nat_gateway_hourly"] == 0.045


def _region(**changes) -> dict:
    region = json.loads(builtin_price_table().model_dump_json())["regions"]["us-east-1"]
    region.update(changes)
    return region


BAD_FILES = [
    ("{not json", "not valid JSON (line 1"),
    (json.dumps([1]), "expected a JSON object"),
    (json.dumps({"version": 3, "as_of": "2026-01-01", "source": "x", "regions": {}}), "field version: unsupported value 3"),
    (json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(nat_gateway_hourly="-1")}}),
     "field regions.us-east-1.nat_gateway_hourly"),
    (json.dumps({"version": 2, "as_of": "someday", "source": "x", "regions": {}}), "field as_of"),
    (json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(typo=1)}}),
     "field regions.us-east-1.typo"),
    (json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(
        interface_endpoint_per_gb=[{"up_to_gb": None, "per_gb": "0.01"}, {"up_to_gb": 5, "per_gb": "0.01"}])}}),
     "only the last tier"),
    (json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(sources=[])}}),
     "field regions.us-east-1.sources"),
    (json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(
        sources=[{"title": "a file", "repository": "o/r", "published": "2026-01-01"}])}}), "repository, path and commit go together"),
    (json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region()},
                 "unpriced": {"us-east-1": "gone"}}), "region us-east-1 is both priced and named in unpriced"),
    (json.dumps({"version": 1, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _v1_row(nat_gateway_hourly="-1")}}),
     "field regions.us-east-1.nat_gateway_hourly"),
]


@pytest.mark.parametrize("text,message", BAD_FILES)
def test_bad_price_file_is_a_clear_error_with_exit_2(tmp_path: Path, capsys, text: str, message: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(text)
    code = main(["cost", "model", "--prices", str(path), "--region", "us-east-1", "--nat-gateways", "1", "--azs", "1",
                 "--gb-per-month", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"vpclint: error: price file {path}: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_bad_price_file_through_the_real_cli(tmp_path: Path, run_vpclint) -> None:
    missing = tmp_path / "nope.json"
    result = run_vpclint(["cost", "model", "--prices", str(missing), "--region", "us-east-1", "--nat-gateways", "1",
                          "--azs", "1", "--gb-per-month", "1"])
    assert result.returncode == 2
    assert f"price file {missing}: cannot read" in result.stderr and "Traceback" not in result.stderr


def test_pricing_update_prices_a_region_the_base_left_unpriced() -> None:
    base = builtin_price_table()
    base = base.model_copy(update={"regions": {r: p for r, p in base.regions.items() if r != "ca-central-1"},
                                   "unpriced": {"ca-central-1": "no listing found"}})
    client, stubber = stubbed_client()
    with stubber:
        table = fetch_price_table(client, [], date(2026, 1, 2), base)
    assert table.regions["ca-central-1"].verified and "ca-central-1" not in table.unpriced


REGIONS = st.sampled_from(["us-east-1", "us-east-2", "eu-west-1", "eu-west-2", "ap-east-2"])


@given(base_priced=st.sets(REGIONS), base_unpriced=st.sets(REGIONS), over_priced=st.sets(REGIONS),
       over_unpriced=st.sets(REGIONS))
def test_merging_an_override_keeps_every_region_in_exactly_one_place_and_the_override_wins(
        base_priced, base_unpriced, over_priced, over_unpriced) -> None:
    """Against the plain rule: a region the override names (priced or not) is as the override says; any other region
    is as the base says; no region ends up both priced and unpriced."""
    row = builtin_price_table().regions["us-east-1"]
    marked = row.model_copy(update={"note": "override"})

    def table(priced, unpriced, prices):
        return PriceTable(version=2, as_of=date(2026, 1, 1), source="t", regions={r: prices for r in priced},
                          unpriced={r: "why" for r in unpriced - priced})

    base, override = table(base_priced, base_unpriced, row), table(over_priced, over_unpriced, marked)
    merged = base.merged(override)
    assert not set(merged.regions) & set(merged.unpriced)
    for region in base_priced | base_unpriced | over_priced | over_unpriced:
        source = override if region in {*override.regions, *override.unpriced} else base
        assert (region in merged.regions) == (region in source.regions)
        assert (region in merged.unpriced) == (region in source.unpriced)
        if region in merged.regions:
            assert merged.regions[region] == source.regions[region]
