"""The shipped price table: every region of the ``aws`` partition (botocore's own partition data, read at test time)
is priced or named as unpriced with a reason, and every row is well formed, sourced and dated."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from botocore.loaders import Loader

from vpclint.cost.prices import BUILTIN_FILE, builtin_price_table, dumps

DECIMAL = re.compile(r"^(0|[1-9]\d*)(\.\d+)?$")
PRICE_FIELDS = ("nat_gateway_hourly", "nat_gateway_per_gb", "interface_endpoint_hourly_per_az")


def _partitions() -> dict[str, set[str]]:
    """Region codes by partition, from botocore's endpoints data (the installed botocore, not a hand-written list)."""
    return {p["partition"]: set(p["regions"]) for p in Loader().load_data("endpoints")["partitions"]}


def _raw() -> dict:
    return json.loads(resources.files("vpclint.cost").joinpath(BUILTIN_FILE).read_text(encoding="utf-8"))


RECORDED = Path(__file__).parent / "fixtures" / "aws_partition_regions.json"
"""The ``aws`` partition's regions as botocore listed them when the table was last refreshed. A region AWS adds later
is reported unpriced ("not in the price table") until the table is refreshed; recording the list keeps CI from going
red on a botocore upgrade alone, while a refresh must cover every region of the upgraded botocore."""


def test_every_commercial_region_is_priced_or_named_as_unpriced() -> None:
    table = builtin_price_table()
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    commercial = set(recorded["regions"])
    assert recorded["partition"] == "aws" and len(commercial) >= 30
    missing = sorted(commercial - set(table.regions) - set(table.unpriced))
    assert not missing, f"neither priced nor named as unpriced: {missing}"
    assert all(why.strip() for why in table.unpriced.values())


def test_the_recorded_regions_are_botocores_own() -> None:
    """The recorded list is botocore's (no region made up or dropped): every recorded region is still listed."""
    recorded = set(json.loads(RECORDED.read_text(encoding="utf-8"))["regions"])
    assert recorded <= _partitions()["aws"]


def test_the_table_names_only_regions_botocore_knows() -> None:
    known = set().union(*_partitions().values())
    table = builtin_price_table()
    assert not (set(table.regions) | set(table.unpriced)) - known


@pytest.mark.parametrize("region", sorted(_raw()["regions"]))
def test_every_row_has_decimal_prices_ascending_tiers_and_dated_sources(region: str) -> None:
    row = _raw()["regions"][region]
    for field in PRICE_FIELDS:
        assert isinstance(row[field], str) and DECIMAL.match(row[field]), (field, row[field])
    tiers = row["interface_endpoint_per_gb"]
    assert all(isinstance(t["per_gb"], str) and DECIMAL.match(t["per_gb"]) for t in tiers)
    limits = [Decimal(t["up_to_gb"]) for t in tiers[:-1]]
    assert limits == sorted(set(limits)) and "up_to_gb" not in tiers[-1]
    assert row["sources"] and isinstance(row["verified"], bool) and row["note"]
    published = [date.fromisoformat(s["published"]) for s in row["sources"]]
    assert date.fromisoformat(row["as_of"]) == min(published)  # a row is as old as its oldest source
    for source in row["sources"]:
        located = source.get("url", "").startswith("https://") or re.fullmatch(r"[0-9a-f]{40}", source.get("commit", ""))
        assert source["title"] and located, source
        assert ("commit" in source) == ("repository" in source) == ("path" in source)


def test_the_shipped_file_is_in_canonical_form() -> None:
    """``pricing update`` writes the same form: sorted keys, prices as strings, no nulls; so diffs stay readable."""
    text = resources.files("vpclint.cost").joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    table = builtin_price_table()
    assert text == dumps(table)
    assert table.as_of == min(row.as_of for row in table.regions.values())
