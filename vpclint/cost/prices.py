"""The regional price table: a dated, versioned JSON file shipped in the package, overridable with a file.

Prices are USD ``Decimal``s. A price file has the same shape as the built-in ``prices.json``; the regions it lists
replace the built-in ones and the others stay. :func:`fetch_price_table` rebuilds the table from the AWS Price
List API (``pricing:GetProducts``): NAT gateways under ``AmazonEC2`` product family "NAT Gateway", interface
endpoints under ``AmazonVPC`` product family "VpcEndpoint".
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Iterable, Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vpclint.errors import VpclintError
from vpclint.documents import parse_versioned_json, read_text

PRICE_FILE_VERSION = 1
BUILTIN_FILE = "prices.json"
MAX_PRICE = Decimal(1000)
"""The highest price a price file may give (USD per hour or per GB): keeps every sum exact in cents."""
MAX_GB = Decimal(10**12)
"""The largest monthly volume vpclint prices (GB per month; also the largest tier limit)."""
Price = Annotated[Decimal, Field(ge=0, le=MAX_PRICE, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tier(_Model):
    """One per-GB tier: ``per_gb`` applies to the monthly volume up to ``up_to_gb`` (None: no upper limit)."""

    up_to_gb: Optional[Annotated[Decimal, Field(gt=0, le=MAX_GB, allow_inf_nan=False)]] = None
    per_gb: Price


class RegionPrices(_Model):
    source: Optional[str] = None
    nat_gateway_hourly: Price
    nat_gateway_per_gb: Price
    interface_endpoint_hourly_per_az: Price
    interface_endpoint_per_gb: list[Tier] = Field(min_length=1)
    gateway_endpoint_hourly: Price = Decimal(0)  # S3/DynamoDB gateway endpoints are free
    gateway_endpoint_per_gb: Price = Decimal(0)
    cross_az_per_gb: Price  # each way

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


class PriceTable(_Model):
    version: Literal[1]
    as_of: date
    currency: Literal["USD"] = "USD"
    hours_per_month: Decimal = Field(default=Decimal(730), gt=0, le=744, allow_inf_nan=False)  # 744: 31 days
    source: str = Field(min_length=1)
    regions: dict[str, RegionPrices]

    def for_region(self, region: str) -> RegionPrices:
        """The prices of one region; a clear error when the table has none."""
        try:
            return self.regions[region]
        except KeyError:
            raise VpclintError(
                f"no prices for region {region!r} in the price table of {self.as_of} "
                f"(it has {', '.join(sorted(self.regions))}); pass --prices FILE or run 'vpclint pricing update'"
            ) from None


def dumps(table: PriceTable) -> str:
    """Serialise a price table deterministically (sorted keys, prices as strings)."""
    return json.dumps(table.model_dump(mode="json"), sort_keys=True, indent=2) + "\n"


def parse_price_file(text: str, source: str) -> PriceTable:
    """Validate price-file text; errors name the file and the field (exit 2)."""
    return parse_versioned_json(text, source, "price file", PriceTable, "version", PRICE_FILE_VERSION)


def builtin_price_table() -> PriceTable:
    """The price table shipped with vpclint."""
    text = resources.files("vpclint.cost").joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    return parse_price_file(text, f"(built-in {BUILTIN_FILE})")


def load_price_table(override: Optional[Path] = None) -> PriceTable:
    """The built-in table, with the regions of ``override`` (a price file) replacing the built-in ones."""
    table = builtin_price_table()
    if override is None:
        return table
    user = parse_price_file(read_text(override, "price file"), str(override))
    return user.model_copy(update={"regions": {**table.regions, **user.regions}})


_NAT_USAGE = re.compile(r"^(?:[A-Z0-9]+-)?NatGateway-(Hours|Bytes)$")
_ENDPOINT_USAGE = re.compile(r"^(?:[A-Z0-9]+-)?VpcEndpoint-(Hours|Bytes)$")
PRICE_LIST_SOURCE = "AWS Price List API (pricing:GetProducts: AmazonEC2 'NAT Gateway', AmazonVPC 'VpcEndpoint')"


def _dimensions(product: dict) -> list[dict]:
    found = []
    for term in (product.get("terms") or {}).get("OnDemand", {}).values():
        found.extend(term.get("priceDimensions", {}).values())
    return found


def _usd(dimension: dict) -> Decimal:
    return Decimal(dimension["pricePerUnit"]["USD"]).normalize()


def _products(client: Any, service: str, family: str, regions: Iterable[str]) -> Iterable[dict]:
    filters = [{"Type": "TERM_MATCH", "Field": "productFamily", "Value": family}]
    wanted = sorted(set(regions))
    for region in wanted or [None]:
        region_filter = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}] if region else []
        paginator = client.get_paginator("get_products")
        for page in paginator.paginate(ServiceCode=service, Filters=filters + region_filter, FormatVersion="aws_v1"):
            for entry in page.get("PriceList") or []:
                yield json.loads(entry) if isinstance(entry, str) else entry


def _priced(client: Any, service: str, family: str, usage: re.Pattern[str], regions: Iterable[str]) -> Iterator[tuple[str, str, dict]]:
    """``(region, "Hours" or "Bytes", product)`` for each product of the family whose usage type ``usage`` matches."""
    for product in _products(client, service, family, regions):
        attributes = product.get("product", {}).get("attributes", {})
        match = usage.match(attributes.get("usagetype", ""))
        region = attributes.get("regionCode")
        if match and region:
            yield region, match.group(1), product


def fetch_price_table(client: Any, regions: Iterable[str], today: date, base: PriceTable) -> PriceTable:
    """Rebuild the table from the Price List API (``pricing`` client); ``base`` supplies cross-AZ prices.

    Regions where the API returned both NAT and interface-endpoint prices are replaced; the others keep ``base``.
    """
    regions = list(regions)
    found: dict[str, dict[str, Any]] = {}
    for region, unit, product in _priced(client, "AmazonEC2", "NAT Gateway", _NAT_USAGE, regions):
        key = "nat_gateway_hourly" if unit == "Hours" else "nat_gateway_per_gb"
        for dimension in _dimensions(product):
            found.setdefault(region, {})[key] = _usd(dimension)
    for region, unit, product in _priced(client, "AmazonVPC", "VpcEndpoint", _ENDPOINT_USAGE, regions):
        dimensions = _dimensions(product)
        if unit == "Hours":
            found.setdefault(region, {})["interface_endpoint_hourly_per_az"] = _usd(dimensions[0])
            continue
        tiers = sorted(
            (
                Tier(up_to_gb=None if d.get("endRange", "Inf") == "Inf" else Decimal(d["endRange"]), per_gb=_usd(d))
                for d in dimensions
            ),
            key=lambda t: (t.up_to_gb is None, t.up_to_gb or 0),
        )
        found.setdefault(region, {})["interface_endpoint_per_gb"] = tiers
    updated = dict(base.regions)
    replaced = 0
    needed = {"nat_gateway_hourly", "nat_gateway_per_gb", "interface_endpoint_hourly_per_az", "interface_endpoint_per_gb"}
    for region, values in sorted(found.items()):
        if not needed <= set(values):
            continue
        fallback = base.regions.get(region) or base.regions.get("us-east-1")
        cross_az = fallback.cross_az_per_gb if fallback else Decimal("0.01")
        updated[region] = RegionPrices(source=PRICE_LIST_SOURCE, cross_az_per_gb=cross_az, **values)
        replaced += 1
    if not replaced:
        raise VpclintError("the AWS Price List API returned no complete NAT gateway and VPC endpoint prices")
    return PriceTable(
        version=PRICE_FILE_VERSION,
        as_of=today,
        hours_per_month=base.hours_per_month,
        source=PRICE_LIST_SOURCE,
        regions=dict(sorted(updated.items())),
    )
