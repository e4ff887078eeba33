"""The price table: override files (and their errors), and ``pricing update`` from the Price List API (Stubber)."""

from __future__ import annotations

import json
import zlib
from datetime import date
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from vpclint.cli import main
from vpclint.commands import pricing as pricing_command
from vpclint.cost.prices import builtin_price_table, fetch_price_table, load_price_table
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
    assert str(canada.cross_az_per_gb) == "0.01"  # not in these product families: kept from the built-in table
    assert "eu-west-1" in table.regions  # regions the API did not return keep the built-in prices


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
    assert table.regions["us-east-1"].source and "Price List API" in table.regions["us-east-1"].source


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
    path.write_text(json.dumps({"version": 1, "as_of": "2026-02-01", "source": "negotiated", "regions": {"us-east-1": east}}))
    table = load_price_table(path)
    assert str(table.regions["us-east-1"].nat_gateway_per_gb) == "0.05"
    assert str(table.regions["eu-west-1"].nat_gateway_per_gb) == "0.048"
    assert table.source == "negotiated" and str(table.as_of) == "2026-02-01"


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
    (json.dumps({"version": 2, "as_of": "2026-01-01", "source": "x", "regions": {}}), "field version: unsupported value 2"),
    (json.dumps({"version": 1, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(nat_gateway_hourly="-1")}}),
     "field regions.us-east-1.nat_gateway_hourly"),
    (json.dumps({"version": 1, "as_of": "someday", "source": "x", "regions": {}}), "field as_of"),
    (json.dumps({"version": 1, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(typo=1)}}),
     "field regions.us-east-1.typo"),
    (json.dumps({"version": 1, "as_of": "2026-01-01", "source": "x", "regions": {"us-east-1": _region(
        interface_endpoint_per_gb=[{"up_to_gb": None, "per_gb": "0.01"}, {"up_to_gb": 5, "per_gb": "0.01"}])}}),
     "only the last tier"),
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
