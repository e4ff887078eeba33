"""The savings models against the seed article's table (every row, both models) and the corrected figure."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from vpclint.cli import main
from vpclint.cost.model import Scenario, run_model
from vpclint.cost.prices import load_price_table

# (GB/month, NAT cost, VPC endpoint cost, monthly savings, savings %): the article's table, verbatim.
ARTICLE_TABLE = [
    (100, 103.05, 44.80, 58.25, 56.5),
    (500, 121.05, 48.80, 72.25, 59.7),
    (1_000, 143.55, 53.80, 89.75, 62.5),
    (5_000, 323.55, 93.80, 229.75, 71.0),
    (10_000, 548.55, 143.80, 404.75, 73.8),
    (50_000, 2_348.55, 543.80, 1_804.75, 76.8),
    (100_000, 4_598.55, 1_043.80, 3_554.75, 77.3),
    (178_000, 8_108.55, 1_823.80, 6_284.75, 77.5),
]
# The gateway model for the same rows with no split given (all traffic S3, an upper bound): the NAT gateways stay
# (98.55 of hours), the two ECR interface endpoints in 3 AZs add 43.80, S3 moves to the free gateway endpoint.
# Savings = 0.045 x G - 43.80.
GATEWAY_ALL_S3 = {100: -39.30, 500: -21.30, 1_000: 1.20, 5_000: 181.20, 10_000: 406.20, 50_000: 2_206.20,
                  100_000: 4_456.20, 178_000: 7_966.20}


def _run(model: str, gb: int, **split) -> dict:
    table = load_price_table()
    scenario = Scenario("us-east-1", 3, 3, Decimal(gb), **{k: Decimal(str(v)) for k, v in split.items()})
    return run_model(model, scenario, table.for_region("us-east-1"), table.hours_per_month)


@pytest.mark.parametrize("gb,nat,endpoints,savings,percent", ARTICLE_TABLE)
def test_article_model_reproduces_every_row(gb, nat, endpoints, savings, percent) -> None:
    result = _run("article", gb)
    assert (result["nat_monthly"], result["endpoints_monthly"], result["savings_monthly"], result["savings_percent"]) == (
        nat, endpoints, savings, percent)
    assert result["savings_yearly"] == pytest.approx(savings * 12)


@pytest.mark.parametrize("gb,nat,endpoints,savings,percent", ARTICLE_TABLE)
def test_gateway_model_on_every_row(gb, nat, endpoints, savings, percent) -> None:
    result = _run("gateway", gb)
    assert result["nat_monthly"] == nat  # today's bill is the same in both models
    assert result["endpoints_monthly"] == 142.35  # NAT hours 98.55 + interface hours 43.80; S3 free
    assert result["savings_monthly"] == GATEWAY_ALL_S3[gb]
    assert result["savings_monthly"] == pytest.approx(nat - 142.35)


def test_gateway_model_corrects_the_article_for_its_own_split() -> None:
    result = _run("gateway", 178_000, control_gb=150)
    assert result["traffic"]["s3_gb"] == 177_850 and result["traffic"]["control_gb"] == 150
    assert result["savings_monthly"] == 7_964.70  # 0.045 x 177,850 + (0.045 - 0.01) x 150 - 43.80
    assert result["nat_monthly"] == 8_108.55 and result["endpoints_monthly"] == 143.85
    # break-even: 0.045 x G - 0.01 x 150 - 43.80 = 0
    assert result["break_even_gb_per_month"] == pytest.approx((43.80 + 1.50) / 0.045, abs=0.005)


def test_gateway_model_with_an_s3_share_keeps_the_rest_on_nat() -> None:
    result = _run("gateway", 10_000, s3_share="0.8")
    assert result["traffic"] == {"s3_gb": 8_000.0, "control_gb": 0.0, "other_gb": 2_000.0,
                                 "how": "--s3-share 0.8: the rest stays on NAT"}
    assert result["savings_monthly"] == pytest.approx(0.045 * 8_000 - 43.80)
    assert result["break_even_gb_per_month"] == pytest.approx(43.80 / (0.045 * 0.8), abs=0.005)


def test_article_break_even_is_zero_because_it_removes_the_nat_gateways() -> None:
    assert _run("article", 100)["break_even_gb_per_month"] == 0.0


def test_interface_endpoint_data_is_tiered() -> None:
    prices = load_price_table().for_region("us-east-1")
    petabyte = Decimal(1_048_576)
    assert prices.interface_data_cost(Decimal(1000)) == Decimal("10.00")
    assert prices.interface_data_cost(petabyte) == petabyte * Decimal("0.01")
    six_pb = prices.interface_data_cost(petabyte * 6)
    assert six_pb == petabyte * Decimal("0.01") + petabyte * 4 * Decimal("0.006") + petabyte * Decimal("0.004")


def test_cli_model_json_has_the_documented_fields(capsys) -> None:
    code = main(["cost", "model", "--region", "us-east-1", "--nat-gateways", "3", "--azs", "3",
                 "--gb-per-month", "178,000", "--model", "article", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (document["nat_monthly"], document["endpoints_monthly"], document["savings_monthly"],
            document["savings_percent"]) == (8_108.55, 1_823.80, 6_284.75, 77.5)
    assert document["inputs"] == {"region": "us-east-1", "nat_gateways": 3, "azs": 3, "gb_per_month": 178_000.0,
                                  "s3_share": None, "control_gb": None}
    prices = document["prices"]
    assert prices["nat_gateway_per_gb"] == 0.045 and prices["as_of"] == "2025-10-28" and prices["verified"] is True
    assert all(source["published"] and (source.get("url") or source.get("commit")) for source in prices["sources"])


def test_cli_model_marks_unverified_prices_with_one_legend_line(capsys) -> None:
    """Hong Kong's rates are supported only by AWS's price data of 2025: the console says so, the JSON too."""
    base = ["cost", "model", "--region", "ap-east-1", "--nat-gateways", "1", "--azs", "2", "--gb-per-month", "100"]
    assert main(base) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("Prices (2025-10-28, unverified*): NAT $0.065/h")
    assert out[-1] == "* price unverified: only an older or third-party listing supports it"
    assert main(base + ["--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["prices"]["verified"] is False


def test_cli_model_console_shows_savings_and_break_even(capsys) -> None:
    main(["cost", "model", "--region", "us-east-1", "--nat-gateways", "3", "--azs", "3",
          "--gb-per-month", "178000", "--control-gb", "150"])
    out = capsys.readouterr().out
    assert "$    7,964.70/month" in out and "1,006.67 GB/month" in out


@pytest.mark.parametrize("args,message", [
    (["--model", "article", "--s3-share", "0.5"], "gateway model only"),
    (["--region", "mars-east-1"], "no prices for region 'mars-east-1'"),
])
def test_cli_model_usage_errors_exit_2(args, message, capsys) -> None:
    base = ["cost", "model", "--region", "us-east-1", "--nat-gateways", "1", "--azs", "1", "--gb-per-month", "10"]
    assert main(base + args) == 2
    assert message in capsys.readouterr().err


def test_share_above_one_is_rejected(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["cost", "model", "--region", "us-east-1", "--nat-gateways", "1", "--azs", "1", "--gb-per-month", "10",
              "--s3-share", "1.5"])
    assert exit_info.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err
