"""``vpclint cost`` on the demo with price files that leave regions unpriced or unverified: the report says
"N VPCs unpriced" instead of a misleading $0.00, marks unverified prices with ``*`` and one legend line, and fits
the console width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpclint.cli import main
from vpclint.cost.prices import UNVERIFIED_LEGEND, builtin_price_table



def _price_file(tmp_path: Path, unpriced: list[str], unverified: list[str]) -> Path:
    """The built-in table with ``unpriced`` regions moved to ``unpriced`` and ``unverified`` ones marked so."""
    table = json.loads(builtin_price_table().model_dump_json())
    for region in unverified:
        table["regions"][region]["verified"] = False
    table["unpriced"] = {region: "withdrawn for review" for region in unpriced}
    table["regions"] = {r: row for r, row in table["regions"].items() if r not in unpriced}
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(table))
    return path


def _cost(monkeypatch, capsys, columns: int, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["cost", "--demo", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("columns", [80, 160])
def test_unpriced_and_unverified_regions_are_marked_and_fit_the_width(tmp_path, monkeypatch, capsys, columns) -> None:
    prices = _price_file(tmp_path, unpriced=["eu-west-1"], unverified=["us-east-1"])
    document = json.loads(_cost(monkeypatch, capsys, columns, "--prices", str(prices), "--format", "json"))
    with_nat = [row for row in document["vpcs"] if row["nat_gateways"]]
    west = [row for row in with_nat if row["region"] == "eu-west-1"]
    east = [row for row in with_nat if row["region"] == "us-east-1"]
    assert west and east and all(row["estimate"] for row in east)
    out = _cost(monkeypatch, capsys, columns, "--prices", str(prices))
    lines = out.splitlines()
    assert all(len(line) <= columns for line in lines), [line for line in lines if len(line) > columns]
    flat = " ".join(out.split())
    total = flat[flat.index("Total:"):]
    today = sum(row["estimate"]["cost_today_monthly"] for row in east)
    assert total.startswith(f"Total: today ${today:,.2f}/month") and f"; {len(west)} VPCs unpriced" in total
    assert lines.count(UNVERIFIED_LEGEND) == 1
    assert sum(line.startswith("us-east-1*") for line in lines) == len(east)
    assert not any(line.startswith("eu-west-1*") for line in lines)
    unpriced_cells = sum(("Cost today unpriced" if columns < 150 else " unpriced ") in line for line in lines)
    assert unpriced_cells == len(west)
    assert flat.count("no price for eu-west-1: withdrawn for review (pass --prices FILE)") == len(west)


def test_nothing_priced_says_so_instead_of_zero_dollars(tmp_path, monkeypatch, capsys) -> None:
    prices = _price_file(tmp_path, unpriced=["eu-west-1", "us-east-1"], unverified=[])
    document = json.loads(_cost(monkeypatch, capsys, 80, "--prices", str(prices), "--format", "json"))
    with_nat = sum(1 for row in document["vpcs"] if row["nat_gateways"])
    assert with_nat > 1 and document["totals"]["unpriced_vpcs"] == with_nat
    out = _cost(monkeypatch, capsys, 80, "--prices", str(prices))
    assert f"Total: {with_nat} VPCs unpriced" in out.splitlines()
    assert "$0.00" not in out and UNVERIFIED_LEGEND not in out


def test_json_rows_carry_the_price_status_and_the_traffic_of_unpriced_vpcs(tmp_path, monkeypatch, capsys) -> None:
    prices = _price_file(tmp_path, unpriced=["eu-west-1"], unverified=["us-east-1"])
    document = json.loads(_cost(monkeypatch, capsys, 80, "--prices", str(prices), "--format", "json"))
    west = [row for row in document["vpcs"] if row["region"] == "eu-west-1" and row["nat_gateways"]]
    east = [row for row in document["vpcs"] if row["region"] == "us-east-1" and row["estimate"]]
    assert document["totals"]["unpriced_vpcs"] == len(west) and west and east
    assert all((row["price_status"], row["estimate"]) == ("unpriced", None) for row in west)
    assert all(row["nat_traffic"]["gb_per_month"] >= 0 for row in west)  # the traffic is known when its price is not
    assert all(row["price_status"] == "unverified" and row["estimate"]["prices_verified"] is False for row in east)
    assert {row["estimate"]["prices_as_of"] for row in east} == {"2025-10-28"}


def test_the_builtin_table_prices_the_demo_verified(monkeypatch, capsys) -> None:
    document = json.loads(_cost(monkeypatch, capsys, 80, "--format", "json"))
    assert {row["price_status"] for row in document["vpcs"]} == {"verified"} and document["totals"]["unpriced_vpcs"] == 0
    assert UNVERIFIED_LEGEND not in _cost(monkeypatch, capsys, 80)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "$0.00"), (1234.5, "$1,234.50"), (-32.12, "-$32.12"), (-0.004, "-$0.00"), (-1234567.891, "-$1,234,567.89")],
)
def test_dollars_put_the_sign_before_the_dollar(value, text) -> None:
    from vpclint.commands.cost import dollars

    assert dollars(value) == text


def test_endpoints_dearer_than_the_nat_they_replace_read_as_negative_savings(monkeypatch, capsys) -> None:
    """The demo's batch VPC pulls nothing measured through NAT: adding ecr.api and ecr.dkr costs more than it saves."""
    monkeypatch.setenv("COLUMNS", "80")
    main(["cost", "--demo"])
    out = capsys.readouterr().out
    assert "Saves/month -$" in out and "$-" not in out


def test_vpc_filter_takes_a_name_tag_and_refuses_a_vpc_not_in_the_snapshot(monkeypatch, capsys) -> None:
    by_name = json.loads(_cost(monkeypatch, capsys, 80, "--vpc", "prod", "--format", "json"))
    assert [row["vpc_id"] for row in by_name["vpcs"]] == ["vpc-88f31e9a47a594c80"]
    by_id = json.loads(_cost(monkeypatch, capsys, 80, "--vpc", "vpc-88f31e9a47a594c80", "--format", "json"))
    assert by_id == by_name
    assert main(["cost", "--demo", "--vpc", "no-such-vpc"]) == 2
    assert capsys.readouterr().err == "vpclint: error: --vpc no-such-vpc: no such VPC in the scanned regions\n"
