"""The regional price table: a dated, versioned JSON file shipped in the package, overridable with a file.

Prices are USD ``Decimal``s. Each priced region names the sources its prices come from and the date those sources
state, and says whether they are verified; a region with no price is named in ``unpriced`` with the reason. A price
file has the same shape as the built-in ``prices.json``; the regions it lists replace the built-in ones and the
others stay. Version 1 files (no sources, no ``verified``) are read as version 2, their rows unverified unless
``vpclint pricing update`` wrote them from the Price List API. :mod:`vpclint.cost.price_list` rebuilds the table
from that API.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import Field, field_validator, model_validator

from vpclint.errors import VpclintError
from vpclint.strict import StrictModel
from vpclint.documents import parse_versioned_json, read_text

PRICE_FILE_VERSION = 2
BUILTIN_FILE = "prices.json"
MAX_PRICE = Decimal(1000)
"""The highest price a price file may give (USD per hour or per GB): keeps every sum exact in cents."""
MAX_GB = Decimal(10**12)
"""The largest monthly volume vpclint prices (GB per month; also the largest tier limit)."""
Price = Annotated[Decimal, Field(ge=0, le=MAX_PRICE, allow_inf_nan=False)]
PRICE_LIST_SOURCE = "AWS Price List API (pricing:GetProducts: AmazonEC2 'NAT Gateway', AmazonVPC 'VpcEndpoint')"
UNVERIFIED_MARK = "*"
"""What human outputs put after a region whose prices are unverified."""
UNVERIFIED_LEGEND = f"{UNVERIFIED_MARK} price unverified: only an older or third-party listing supports it"
"""The one legend line printed under the marked prices."""


class Source(StrictModel):
    """Where prices come from: a page (``url``) or a file in a repository at a commit, and the date it states."""

    title: str = Field(min_length=1)
    url: Optional[str] = Field(default=None, pattern=r"^https://\S+$")
    repository: Optional[str] = Field(default=None, pattern=r"^[\w.-]+/[\w.-]+$")
    path: Optional[str] = Field(default=None, min_length=1)
    commit: Optional[str] = Field(default=None, pattern=r"^[0-9a-f]{40}$")
    published: date

    @model_validator(mode="after")
    def _file_is_whole(self) -> "Source":
        given = [self.repository is not None, self.path is not None, self.commit is not None]
        if any(given) and not all(given):
            raise ValueError("repository, path and commit go together")
        return self

    @property
    def located(self) -> bool:
        """Whether the source says where it can be read: a URL, or a repository file at a commit."""
        return self.url is not None or self.commit is not None


class Tier(StrictModel):
    """One per-GB tier: ``per_gb`` applies to the monthly volume up to ``up_to_gb`` (None: no upper limit)."""

    up_to_gb: Optional[Annotated[Decimal, Field(gt=0, le=MAX_GB, allow_inf_nan=False)]] = None
    per_gb: Price


class RegionPrices(StrictModel):
    """One region's prices, their sources, the date the sources state, and whether they are verified."""

    verified: bool
    as_of: date
    sources: list[Source] = Field(min_length=1)
    note: Optional[str] = None
    nat_gateway_hourly: Price
    nat_gateway_per_gb: Price
    interface_endpoint_hourly_per_az: Price
    interface_endpoint_per_gb: list[Tier] = Field(min_length=1)
    gateway_endpoint_hourly: Price = Decimal(0)  # S3/DynamoDB gateway endpoints are free
    gateway_endpoint_per_gb: Price = Decimal(0)
    cross_az_per_gb: Optional[Price] = None  # each way; shown when a source gives it, used in no estimate

    @field_validator("interface_endpoint_per_gb")
    @classmethod
    def _tiers_ascend(cls, tiers: list[Tier]) -> list[Tier]:
        bounds = [t.up_to_gb for t in tiers]
        if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            raise ValueError("only the last tier may (and must) have up_to_gb null")
        limits = bounds[:-1]
        if any(a >= b for a, b in zip(limits, limits[1:])):
            raise ValueError("tier limits must ascend")
        return tiers

    def interface_data_cost(self, gb: Decimal) -> Decimal:
        """Interface-endpoint data processing for ``gb`` GB in a month, through the tiers."""
        cost, floor = Decimal(0), Decimal(0)
        for tier in self.interface_endpoint_per_gb:
            ceiling = tier.up_to_gb if tier.up_to_gb is not None else max(gb, floor)
            portion = min(gb, ceiling) - floor
            if portion > 0:
                cost += portion * tier.per_gb
            floor = ceiling
        return cost

    @property
    def interface_first_tier_per_gb(self) -> Decimal:
        """The per-GB rate of the first tier (what any volume below 1 PB pays)."""
        return self.interface_endpoint_per_gb[0].per_gb


class PriceTable(StrictModel):
    version: Literal[2]
    as_of: date
    currency: Literal["USD"] = "USD"
    hours_per_month: Decimal = Field(default=Decimal(730), gt=0, le=744, allow_inf_nan=False)  # 744: 31 days
    source: str = Field(min_length=1)
    regions: dict[str, RegionPrices]
    unpriced: dict[str, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)
    """Regions the table names as having no price, each with the reason."""

    @model_validator(mode="after")
    def _priced_or_unpriced(self) -> "PriceTable":
        both = sorted(set(self.regions) & set(self.unpriced))
        if both:
            raise ValueError(f"region {both[0]} is both priced and named in unpriced")
        return self

    def for_region(self, region: str) -> RegionPrices:
        """The prices of one region; a clear error when the table has none."""
        try:
            return self.regions[region]
        except KeyError:
            why = f": {self.unpriced[region]}" if region in self.unpriced else f" (it has {len(self.regions)} regions)"
            raise VpclintError(
                f"no prices for region {region!r} in the price table of {self.as_of}{why}; "
                "pass --prices FILE or run 'vpclint pricing update'"
            ) from None

    def merged(self, override: "PriceTable") -> "PriceTable":
        """This table with ``override``'s regions (priced or unpriced) in place of its own, and its date and source."""
        regions = {**{r: p for r, p in self.regions.items() if r not in override.unpriced}, **override.regions}
        unpriced = {**{r: why for r, why in self.unpriced.items() if r not in override.regions}, **override.unpriced}
        return override.model_copy(update={"regions": dict(sorted(regions.items())), "unpriced": dict(sorted(unpriced.items()))})


def price_marker(prices: Optional[RegionPrices]) -> str:
    """:data:`UNVERIFIED_MARK` after a region whose prices are unverified, else nothing."""
    return UNVERIFIED_MARK if prices is not None and not prices.verified else ""


def dumps(table: PriceTable) -> str:
    """Serialise a price table deterministically (sorted keys, prices as strings, no null fields)."""
    return json.dumps(table.model_dump(mode="json", exclude_none=True), sort_keys=True, indent=2) + "\n"


def upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 price file as version 2: each row cites its old ``source`` text, dated with the file's ``as_of``,
    and is verified only when ``vpclint pricing update`` wrote it from the Price List API."""
    regions = data.get("regions")
    if data.get("version") != 1 or not isinstance(regions, dict) or not all(isinstance(r, dict) for r in regions.values()):
        return data
    as_of, table_source = data.get("as_of"), data.get("source")
    upgraded = {}
    for name, row in regions.items():
        row = dict(row)
        cited = row.pop("source", None) or table_source
        upgraded[name] = {
            "verified": cited == PRICE_LIST_SOURCE,
            "as_of": as_of,
            "sources": [{"title": cited, "published": as_of}] if isinstance(cited, str) and cited else [],
            "note": "read from a version 1 price file",
            **row,
        }
    return {**data, "version": PRICE_FILE_VERSION, "regions": upgraded}


def parse_price_file(text: str, source: str) -> PriceTable:
    """Validate price-file text (version 2, or version 1 upgraded); errors name the file and the field (exit 2)."""
    return parse_versioned_json(text, source, "price file", PriceTable, "version", PRICE_FILE_VERSION, upgrade=upgrade_v1)


def builtin_price_table() -> PriceTable:
    """The price table shipped with vpclint."""
    text = resources.files("vpclint.cost").joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    return parse_price_file(text, f"(built-in {BUILTIN_FILE})")


def load_price_table(override: Optional[Path] = None) -> PriceTable:
    """The built-in table, with the regions of ``override`` (a price file) replacing the built-in ones."""
    table = builtin_price_table()
    if override is None:
        return table
    return table.merged(parse_price_file(read_text(override, "price file"), str(override)))
