"""Rebuilding the price table from the AWS Price List API (``pricing:GetProducts``): NAT gateways under
``AmazonEC2`` product family "NAT Gateway", interface endpoints under ``AmazonVPC`` product family "VpcEndpoint".

Rows read from the API are verified and cite the API with the latest ``publicationDate`` of the products they come
from; regions the API does not return keep the base table's row (or stay unpriced).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator, Optional

from vpclint.cost.prices import PRICE_FILE_VERSION, PRICE_LIST_SOURCE, PriceTable, RegionPrices, Source, Tier
from vpclint.errors import VpclintError

_NAT_USAGE = re.compile(r"^(?:[A-Z0-9]+-)?NatGateway-(Hours|Bytes)$")
_ENDPOINT_USAGE = re.compile(r"^(?:[A-Z0-9]+-)?VpcEndpoint-(Hours|Bytes)$")
PRICE_LIST_URL = "https://api.pricing.us-east-1.amazonaws.com"
_NEEDED = {"nat_gateway_hourly", "nat_gateway_per_gb", "interface_endpoint_hourly_per_az", "interface_endpoint_per_gb"}


def _dimensions(product: dict) -> list[dict]:
    found = []
    for term in (product.get("terms") or {}).get("OnDemand", {}).values():
        found.extend(term.get("priceDimensions", {}).values())
    return found


def _usd(dimension: dict) -> Decimal:
    return Decimal(dimension["pricePerUnit"]["USD"]).normalize()


def _published(product: dict) -> Optional[date]:
    stamp = product.get("publicationDate")
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date() if isinstance(stamp, str) else None
    except ValueError:
        return None


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


def _tiers(dimensions: list[dict]) -> list[Tier]:
    return sorted(
        (Tier(up_to_gb=None if d.get("endRange", "Inf") == "Inf" else Decimal(d["endRange"]), per_gb=_usd(d)) for d in dimensions),
        key=lambda t: (t.up_to_gb is None, t.up_to_gb or 0),
    )


def _read(client: Any, regions: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, date]]:
    """The prices the API returned per region, and the latest publication date of the products they came from."""
    found: dict[str, dict[str, Any]] = {}
    published: dict[str, date] = {}

    def seen(region: str, product: dict) -> dict[str, Any]:
        stamp = _published(product)
        if stamp is not None and (region not in published or stamp > published[region]):
            published[region] = stamp
        return found.setdefault(region, {})

    for region, unit, product in _priced(client, "AmazonEC2", "NAT Gateway", _NAT_USAGE, regions):
        key = "nat_gateway_hourly" if unit == "Hours" else "nat_gateway_per_gb"
        for dimension in _dimensions(product):
            seen(region, product)[key] = _usd(dimension)
    for region, unit, product in _priced(client, "AmazonVPC", "VpcEndpoint", _ENDPOINT_USAGE, regions):
        dimensions = _dimensions(product)
        if unit == "Hours":
            seen(region, product)["interface_endpoint_hourly_per_az"] = _usd(dimensions[0])
        else:
            seen(region, product)["interface_endpoint_per_gb"] = _tiers(dimensions)
    return found, published


def fetch_price_table(client: Any, regions: Iterable[str], today: date, base: PriceTable) -> PriceTable:
    """Rebuild the table from the Price List API (``pricing`` client); ``base`` supplies cross-AZ prices.

    Regions where the API returned both NAT and interface-endpoint prices are replaced; the others keep ``base``.
    """
    found, published = _read(client, list(regions))
    updated = dict(base.regions)
    replaced = 0
    for region, values in sorted(found.items()):
        if not _NEEDED <= set(values):
            continue
        replaced += 1
        stated = published.get(region, today)
        kept = base.regions.get(region)
        updated[region] = RegionPrices(
            verified=True, as_of=stated, sources=[Source(title=PRICE_LIST_SOURCE, url=PRICE_LIST_URL, published=stated)],
            cross_az_per_gb=kept.cross_az_per_gb if kept else None, **values,
        )
    if not replaced:
        raise VpclintError("the AWS Price List API returned no complete NAT gateway and VPC endpoint prices")
    return PriceTable(
        version=PRICE_FILE_VERSION,
        as_of=today,
        hours_per_month=base.hours_per_month,
        source=PRICE_LIST_SOURCE,
        regions=dict(sorted(updated.items())),
        unpriced={r: why for r, why in sorted(base.unpriced.items()) if r not in updated},
    )
