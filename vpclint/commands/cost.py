"""``vpclint cost``: what each in-scope VPC pays to push S3/ECR traffic through NAT, and what fixing it saves.

``vpclint cost model`` prints the arithmetic for given inputs (the article's model or the gateway model).
"""

from __future__ import annotations

import argparse
import io
import json
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from vpclint.commands.common import (
    add_collection_args, add_config_arg, add_source_args, obtain_snapshot, output_stream, positive_int, resolve_vpcs,
    with_config,
)
from vpclint.config import load_config
from vpclint.cost.facts import UPPER_BOUND
from vpclint.cost.flowlogs import Attributor
from vpclint.cost.ipranges import IP_RANGES_URL, IpRanges, PrefixSet, cached_ip_ranges, load_ip_ranges
from vpclint.cost.model import MODELS, Scenario, money, run_model
from vpclint.cost.prices import MAX_GB, UNVERIFIED_LEGEND, UNVERIFIED_MARK, PriceTable, load_price_table
from vpclint.errors import EXIT_INCOMPLETE, EXIT_OK, VpclintError
from vpclint.snapshot import Snapshot
from vpclint.text import terminal_safe as safe
from vpclint.view import build_view

COST_SCHEMA = "vpclint.cost/v1"
IP_RANGES_URL_ENV = "VPCLINT_IP_RANGES_URL"


MAX_COUNT = 10_000
"""The most NAT gateways or AZs ``cost model`` prices."""
MAX_DAYS = 455
"""CloudWatch keeps hourly NAT metrics for 455 days (15 months)."""


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value.is_finite() or value < 0 or value > MAX_GB:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to {MAX_GB:,}, got {text!r}")
    return value


def _bounded(limit: int) -> Callable[[str], int]:
    """argparse type: a whole number from 1 to ``limit``."""
    def parse(text: str) -> int:
        value = positive_int(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"expected a number <= {limit:,}, got {value}")
        return value
    return parse


def _share(text: str) -> Decimal:
    value = _decimal(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cost`` command and its ``model`` subcommand."""
    parser = subparsers.add_parser("cost", help="price the NAT traffic of each VPC and what the missing endpoints save")
    add_source_args(parser)
    add_collection_args(parser)
    add_config_arg(parser)
    parser.add_argument("--days", type=_bounded(MAX_DAYS), default=30, metavar="N", help="live: days of NAT traffic to sum (default 30)")
    share = parser.add_mutually_exclusive_group()
    share.add_argument("--flow-logs", nargs="+", type=Path, default=[], metavar="FILE",
                       help="VPC flow-log files (plain or gzipped) to measure the S3 share of NAT traffic")
    share.add_argument("--s3-share", type=_share, metavar="X", help="assume this fraction of NAT traffic is S3 (0-1)")
    parser.add_argument("--flow-log-format", metavar="FORMAT", help="format of header-less flow logs, e.g. '${version} ${interface-id} ...' (default: version 2)")
    parser.add_argument("--ip-ranges", type=Path, metavar="FILE", help=f"AWS ip-ranges.json (default: fetched from {IP_RANGES_URL} and cached for a day)")
    parser.add_argument("--vpc", action="append", default=[], metavar="VPC",
                        help="only this VPC, by id or Name tag (repeatable; one that matches no VPC is an error)")
    _add_output_args(parser)
    sub = parser.add_subparsers(dest="cost_command", metavar="SUBCOMMAND")
    model = sub.add_parser("model", help="the savings arithmetic for given traffic (no AWS access)")
    model.add_argument("--region", required=True, help="region whose prices apply")
    model.add_argument("--nat-gateways", type=_bounded(MAX_COUNT), required=True, metavar="N")
    model.add_argument("--azs", type=_bounded(MAX_COUNT), required=True, metavar="N", help="AZs that need the ECR interface endpoints")
    model.add_argument("--gb-per-month", type=_decimal, required=True, metavar="G", help="GB per month through the NAT gateways")
    split = model.add_mutually_exclusive_group()
    split.add_argument("--s3-share", type=_share, metavar="X", help="gateway model: fraction of the traffic that is S3; the rest stays on NAT")
    split.add_argument("--control-gb", type=_decimal, metavar="G", help="gateway model: ECR API/registry GB; the rest is S3")
    model.add_argument("--model", choices=MODELS, default="gateway", help="gateway (default, correct) or article (the seed article's arithmetic)")
    _add_output_args(model)
    parser.set_defaults(func=run)


def _add_output_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prices", type=Path, metavar="FILE", help="price file overriding the built-in table (see 'vpclint pricing')")
    parser.add_argument("--format", choices=("console", "json"), default="console", help="output format (default console)")
    parser.add_argument("-o", "--output", default="-", metavar="FILE", help="write here ('-' for stdout, the default)")


def run(args: argparse.Namespace) -> int:
    """Dispatch ``cost`` and ``cost model``."""
    prices = load_price_table(args.prices)
    if args.cost_command == "model":
        return run_model_command(args, prices)
    return run_report(args, prices)


def run_model_command(args: argparse.Namespace, prices: PriceTable) -> int:
    """Print one model's arithmetic."""
    if args.model == "article" and (args.s3_share is not None or args.control_gb is not None):
        raise VpclintError("--s3-share and --control-gb apply to the gateway model only")
    scenario = Scenario(args.region, args.nat_gateways, args.azs, args.gb_per_month, args.s3_share, args.control_gb)
    result = run_model(args.model, scenario, prices.for_region(args.region), prices.hours_per_month)
    with output_stream(args.output) as stream:
        if args.format == "json":
            stream.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
        else:
            _print_model(result, stream)
    return EXIT_OK


def _print_model(r: dict[str, Any], out: TextIO) -> None:
    i, p = r["inputs"], r["prices"]
    out.write(f"Model: {r['model']}   region {i['region']}, {i['nat_gateways']} NAT gateway(s), {i['azs']} AZ(s), "
              f"{i['gb_per_month']:,.2f} GB/month\n")
    dated = p["as_of"] if p["verified"] else f"{p['as_of']}, unverified{UNVERIFIED_MARK}"
    out.write(f"Prices ({dated}): NAT ${p['nat_gateway_hourly']}/h + ${p['nat_gateway_per_gb']}/GB; interface endpoint "
              f"${p['interface_endpoint_hourly_per_az']}/h per AZ + ${p['interface_endpoint_per_gb'][0]['per_gb']}/GB (tiered); "
              f"S3 gateway endpoint free; {p['hours_per_month']:g} h/month\n")
    out.write(f"Traffic: {r['traffic']['how']}\n")
    out.write(f"NAT today:            ${r['nat_monthly']:>12,.2f}/month\n")
    out.write(f"With endpoints:       ${r['endpoints_monthly']:>12,.2f}/month  "
              + ", ".join(f"{k.replace('_', ' ')} ${v:,.2f}" for k, v in r["endpoints_breakdown"].items()) + "\n")
    percent = "-" if r["savings_percent"] is None else f"{r['savings_percent']}%"
    out.write(f"Savings:              ${r['savings_monthly']:>12,.2f}/month ({percent}), ${r['savings_yearly']:,.2f}/year\n")
    even = r["break_even_gb_per_month"]
    out.write(f"Break-even:           {'-' if even is None else f'{even:,.2f} GB/month'}\n")
    if not p["verified"]:
        out.write(UNVERIFIED_LEGEND + "\n")


def _ip_ranges(args: argparse.Namespace) -> IpRanges:
    if args.ip_ranges:
        return load_ip_ranges(args.ip_ranges)
    url = os.environ.get(IP_RANGES_URL_ENV) or IP_RANGES_URL
    if not url.startswith("https://"):
        raise VpclintError(f"{IP_RANGES_URL_ENV}: {url!r} is not an https:// URL (pass a local file with --ip-ranges FILE)")
    return cached_ip_ranges(url)


def _attribute(args: argparse.Namespace, snapshot: Snapshot) -> tuple[Optional[Attributor], Optional[dict[str, Any]]]:
    """Run the flow logs through the attributor over every NAT interface of the snapshot."""
    if not args.flow_logs:
        return None, None
    ranges = _ip_ranges(args)
    interfaces: dict[str, PrefixSet] = {}
    for region in snapshot.regions:
        prefixes = PrefixSet(ranges.service_prefixes("S3", region.region))
        for nat in region.nat_gateways:
            for eni in nat.network_interface_ids:
                interfaces[eni] = prefixes
    attributor = Attributor(interfaces, args.flow_log_format)
    for path in args.flow_logs:
        attributor.feed(path)
    return attributor, {"sync_token": ranges.syncToken, "create_date": ranges.createDate}


def _share_for(nat_gateways: list[dict[str, Any]], attributor: Optional[Attributor], args: argparse.Namespace) -> tuple[Optional[Decimal], str]:
    if args.s3_share is not None:
        return args.s3_share, f"--s3-share {args.s3_share}"
    if attributor is None:
        return None, UPPER_BOUND
    s3 = other = 0
    for nat in nat_gateways:
        for eni in nat["network_interface_ids"]:
            s3 += attributor.totals[eni][0]
            other += attributor.totals[eni][1]
    if s3 + other == 0:
        return None, "upper bound: the flow logs have no records on this VPC's NAT interfaces"
    return Decimal(s3) / Decimal(s3 + other), f"flow logs: {s3:,} of {s3 + other:,} bytes on the NAT interfaces are S3"


def run_report(args: argparse.Namespace, prices: PriceTable) -> int:
    """The per-VPC cost report."""
    snapshot, snapshot_path = obtain_snapshot(with_config(args, load_config(args.config)), args.days)
    attributor, ranges_info = _attribute(args, snapshot)
    rows = []
    for region_view in build_view(snapshot, resolve_vpcs(snapshot, args.vpc) if args.vpc else None):
        nat = region_view.nat
        for item in region_view.items["vpc"]:
            if not item["in_scope"]:
                continue
            share, basis = _share_for(item["nat_gateways"], attributor, args)
            facts = nat.vpc_facts(item["vpc_id"], item["nat_subnets"], item["endpoints_by_service"], item["private_azs"],
                                  prices, share, basis, dns_answers=item["dns_answers"])
            rows.append(_row(item, facts, prices))
    rows.sort(key=lambda row: (row["region"], row["vpc_id"]))  # a region of unlinked accounts comes in several views
    document = {
        "schema": COST_SCHEMA,
        "accounts": [a.account_id for a in snapshot.accounts],
        "snapshot": str(snapshot_path) if snapshot_path else None,
        "prices": {"as_of": prices.as_of.isoformat(), "source": prices.source, "file": str(args.prices) if args.prices else None},
        "flow_logs": attributor.stats.as_dict() if attributor else None,
        "ip_ranges": ranges_info,
        "vpcs": rows,
        "totals": _totals(rows),
    }
    with output_stream(args.output) as stream:
        if args.format == "json":
            stream.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        else:
            _print_report(document, stream)
    return EXIT_INCOMPLETE if snapshot.all_errors() else EXIT_OK


def _price_status(region: str, prices: PriceTable) -> str:
    """``verified``, ``unverified`` (only an older or third-party listing supports it) or ``unpriced``."""
    if region not in prices.regions:
        return "unpriced"
    return "verified" if prices.regions[region].verified else "unverified"


def _row(item: dict[str, Any], facts: dict[str, Any], prices: PriceTable) -> dict[str, Any]:
    note, region = None, item["region"]
    status = _price_status(region, prices)
    if not facts["nat_gateways"]:
        note = "no NAT gateway: nothing to save on NAT"
    elif status == "unpriced":
        why = prices.unpriced.get(region, "not in the price table")
        note = f"no price for {region}: {why} (pass --prices FILE)"
    elif facts["nat_estimate"] is None:
        note = "no NAT metrics for these gateways (use 'vpclint collect --with-metrics' or a live run)"
    return {
        "account_id": item["account_id"],
        "region": item["region"],
        "vpc_id": item["vpc_id"],
        "name": item["tags"].get("Name"),
        "nat_gateways": [g["nat_gateway_id"] for g in facts["nat_gateways"]],
        "private_azs": item["private_azs"],
        "nat_subnets_without_s3_gateway": [s["subnet_id"] for s in facts["nat_subnets_without_s3_gateway"]],
        "nat_traffic": facts["nat_traffic"],
        "estimate": facts["nat_estimate"],
        "price_status": status,
        "note": note,
    }


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sums over the estimated VPCs, and how many VPCs with NAT gateways could not be priced."""
    keys = ("cost_today_monthly", "cost_with_endpoints_monthly", "savings_monthly", "savings_yearly")
    totals: dict[str, Any] = {
        k: money(sum((Decimal(str(r["estimate"][k])) for r in rows if r["estimate"]), Decimal(0))) for k in keys
    }
    totals["unpriced_vpcs"] = sum(1 for r in rows if r["nat_gateways"] and r["price_status"] == "unpriced")
    return totals


COST_COLUMNS = ("Region", "VPC", "NAT GWs", "NAT GB/month", "S3 share", "Cost today", "With endpoints", "Saves/month",
                "Saves/year", "Break-even GB/mo")
TABLE_WIDTH = 150
"""The cost table needs this many columns; a narrower console gets one block per VPC instead."""


def dollars(value: float) -> str:
    """An amount as ``$1,234.56``, a negative one (endpoints that cost more than the NAT they save) as ``-$32.12``."""
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def _cells(row: dict[str, Any], with_account: bool = False) -> tuple[str, ...]:
    """One VPC's row of the cost table: its region (marked when the estimate's prices are unverified; preceded by
    the account when the report has several), VPC, figures."""
    e, vpc_id = row["estimate"], safe(row["vpc_id"])
    place = f"{safe(row['account_id'])} {safe(row['region'])}" if with_account else safe(row["region"])
    name = f"{vpc_id} ({safe(row['name'])})" if row["name"] else vpc_id
    gateways = str(len(row["nat_gateways"]))
    if e is None:
        traffic = row["nat_traffic"]
        volume = "-" if traffic is None else f"{traffic['gb_per_month']:,.2f}"
        unpriced = bool(row["nat_gateways"]) and row["price_status"] == "unpriced"
        return (place, name, gateways, volume, "-", "unpriced" if unpriced else "-", *["-"] * 4)
    region = place + (UNVERIFIED_MARK if row["price_status"] == "unverified" else "")
    even = e["break_even_nat_gb_per_month"]
    return (
        region, name, gateways, f"{e['nat_gb_per_month']:,.2f}",
        f"{e['s3_share'] * 100:.1f}%", dollars(e['cost_today_monthly']), dollars(e['cost_with_endpoints_monthly']),
        dollars(e['savings_monthly']), dollars(e['savings_yearly']), "-" if even is None else f"{even:,.2f}",
    )


def _note(row: dict[str, Any]) -> str:
    """Why a VPC has no estimate, or how its S3 share was known and what it adds."""
    e, vpc_id = row["estimate"], safe(row["vpc_id"])
    if e is None:
        return f"{vpc_id}: {safe(row['note'])}"
    return f"{vpc_id}: S3 share {safe(e['s3_share_basis'])}; adds {safe(', '.join(e['missing_endpoints']) or 'nothing')}"


def _total_line(document: dict[str, Any]) -> str:
    """The sums over the estimated VPCs, naming the VPCs left unpriced; only "N VPCs unpriced" when none was priced."""
    totals = document["totals"]
    unpriced = totals["unpriced_vpcs"]
    left = f"{unpriced} VPC{'' if unpriced == 1 else 's'} unpriced"
    if unpriced and not any(row["estimate"] for row in document["vpcs"]):
        return f"Total: {left}"
    return (f"Total: today {dollars(totals['cost_today_monthly'])}/month, with endpoints "
            f"{dollars(totals['cost_with_endpoints_monthly'])}/month, saves {dollars(totals['savings_monthly'])}/month "
            f"({dollars(totals['savings_yearly'])}/year)" + (f"; {left}" if unpriced else ""))


def _print_report(document: dict[str, Any], out: TextIO) -> None:
    from rich import box
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from vpclint.emitters.console import console_width, strip_line_ends

    buffer = io.StringIO()
    console = Console(file=buffer, width=console_width(out), force_terminal=False, color_system=None, highlight=False)
    accounts = document["accounts"]
    scope = f"account {safe(accounts[0])}" if len(accounts) == 1 else f"{len(accounts)} accounts"
    title = f"NAT gateway cost per VPC ({scope}, prices of {document['prices']['as_of']})"
    rows = [_cells(row, len(accounts) > 1) for row in document["vpcs"]]
    notes = [_note(row) for row in document["vpcs"]]
    if console.width >= TABLE_WIDTH:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for column in COST_COLUMNS:
            table.add_column(column, justify="left" if column in ("Region", "VPC") else "right")
        for cells in rows:
            table.add_row(*cells)
        console.print(table)
    else:  # one block per VPC, its figures packed onto lines, never split inside a figure
        console.print(title)
        for region, name, *figures in rows:
            console.print(f"{region}  {name}")
            lines: list[str] = []
            for pair in (f"{label} {value}" for label, value in zip(COST_COLUMNS[2:], figures)):
                if lines and len(lines[-1]) + 3 + len(pair) <= console.width - 2:
                    lines[-1] += f" · {pair}"
                else:
                    lines.append(pair)
            for line in lines:
                console.print(f"  {line}")
    console.print(_total_line(document))
    if any(row["estimate"] and row["price_status"] == "unverified" for row in document["vpcs"]):
        console.print(UNVERIFIED_LEGEND)
    for note in notes:
        console.print(Padding(Text(note), (0, 0, 0, 2), expand=False))
    logs = document["flow_logs"]
    if logs:
        console.print(f"Flow logs: {logs['files']} file(s), {logs['records']:,} records, {logs['nat_interface_records']:,} on NAT "
                      f"interfaces, {logs['no_data_records']:,} without data, {logs['malformed_lines']:,} malformed line(s)")
        for example in logs["malformed_examples"]:
            console.print(f"  malformed: {safe(example)}", highlight=False)
    console.print(f"Prices: {safe(document['prices']['source'])}", highlight=False)
    out.write(strip_line_ends(buffer.getvalue()))
