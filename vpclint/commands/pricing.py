"""``vpclint pricing``: show the price table in use (``*`` marks unverified prices; unpriced regions are named with
the reason), or rebuild it from the AWS Price List API."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Optional

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from vpclint.collect.session import client_config, open_session
from vpclint.commands.common import output_stream
from vpclint.cost.model import price_facts
from vpclint.cost.price_list import fetch_price_table
from vpclint.cost.prices import UNVERIFIED_LEGEND, builtin_price_table, dumps, load_price_table, price_marker
from vpclint.errors import EXIT_INCOMPLETE, EXIT_OK, VpclintError
from vpclint.text import plain

PRICING_REGION = "us-east-1"  # the Price List API answers in us-east-1, eu-central-1 and ap-south-1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``pricing show`` and ``pricing update``."""
    parser = subparsers.add_parser("pricing", help="show or refresh the NAT gateway and VPC endpoint price table")
    sub = parser.add_subparsers(dest="pricing_command", metavar="SUBCOMMAND")
    sub.required = True
    show = sub.add_parser("show", help="print the prices in use (built-in, or with --prices FILE)")
    show.add_argument("--prices", type=Path, metavar="FILE", help="price file overriding the built-in table")
    show.add_argument("--region", action="append", default=[], metavar="R", help="only this region (repeatable)")
    show.add_argument("--format", choices=("console", "json"), default="console")
    update = sub.add_parser("update", help="rebuild the table from the AWS Price List API (pricing:GetProducts)")
    update.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    update.add_argument("--region", action="append", default=[], metavar="R", help="only this region (repeatable; default all)")
    update.add_argument("-o", "--output", default="-", metavar="FILE", help="price file to write ('-' for stdout); use it with --prices")
    parser.set_defaults(func=run)


def pricing_client(profile: Optional[str]) -> Any:
    """A Price List API client."""
    return open_session(profile).client("pricing", region_name=PRICING_REGION, config=client_config())


def run(args: argparse.Namespace) -> int:
    """Dispatch ``show`` and ``update``."""
    if args.pricing_command == "show":
        return _show(args)
    return _update(args)


def _show(args: argparse.Namespace) -> int:
    table = load_price_table(args.prices)
    wanted = args.region or sorted({*table.regions, *table.unpriced})
    unpriced = {region: table.unpriced[region] for region in wanted if region in table.unpriced}
    facts = {
        region: price_facts(table.for_region(region), table.hours_per_month) for region in wanted if region not in unpriced
    }
    if args.format == "json":
        print(json.dumps({"as_of": table.as_of.isoformat(), "source": table.source, "regions": facts, "unpriced": unpriced},
                         indent=2, sort_keys=True))
        return EXIT_OK
    print(f"Prices as of {table.as_of} ({table.currency}, {table.hours_per_month} h/month): {plain(table.source)}")
    for region, p in facts.items():
        tiers = ", ".join(
            f"${t['per_gb']}/GB" + (f" to {t['up_to_gb']:,.0f} GB" if t["up_to_gb"] is not None else " beyond")
            for t in p["interface_endpoint_per_gb"]
        )
        cross_az = "" if p["cross_az_per_gb"] is None else f"; cross-AZ ${p['cross_az_per_gb']}/GB"
        print(f"  {plain(region)}{price_marker(table.regions[region])}: NAT ${p['nat_gateway_hourly']}/h + "
              f"${p['nat_gateway_per_gb']}/GB; interface endpoint ${p['interface_endpoint_hourly_per_az']}/h per AZ + "
              f"{tiers}{cross_az} (as of {p['as_of']})")
    for region, why in unpriced.items():
        print(f"  {plain(region)}: unpriced ({plain(why)})")
    if any(not table.regions[region].verified for region in facts):
        print(UNVERIFIED_LEGEND)
    return EXIT_OK


def _update(args: argparse.Namespace) -> int:
    client = pricing_client(args.profile)
    try:
        table = fetch_price_table(client, args.region, _today(), builtin_price_table())
    except NoCredentialsError:
        raise VpclintError("no AWS credentials found for the Price List API (set AWS_PROFILE or --profile)") from None
    except (ClientError, BotoCoreError) as exc:
        raise VpclintError(f"pricing:GetProducts failed: {exc}", EXIT_INCOMPLETE) from None
    with output_stream(args.output) as stream:
        stream.write(dumps(table))
    return EXIT_OK


def _today() -> date:
    return datetime.now(timezone.utc).date()
