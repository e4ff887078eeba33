"""``vpclint view``: print the derived view items rules read (docs/view.md), as JSON, for rule authors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vpclint.commands.common import obtain_snapshot, resolve_vpcs
from vpclint.errors import EXIT_OK
from vpclint.view import RESOURCE_KINDS, build_view


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``view`` command."""
    parser = subparsers.add_parser(
        "view", help="print the derived view items rules read, as JSON",
        description="Print the items of the derived view (docs/view.md) that rule expressions read, as JSON with "
                    "sorted keys: {region: {kind: [item, ...]}}. An item's 'vpc' back-reference (on subnet, "
                    "route_table, endpoint and security_group items) is printed as the VPC's id; the VPC item "
                    "itself is under 'vpc'.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--snapshot", type=Path, metavar="FILE", help="read this snapshot file")
    source.add_argument("--demo", action="store_true", help="use the embedded demo account")
    parser.add_argument("--vpc", action="append", default=[], metavar="ID",
                        help="only this VPC, by id or Name tag (repeatable)")
    parser.add_argument("--kind", action="append", default=[], choices=RESOURCE_KINDS,
                        help="only items of this resource kind (repeatable; default every kind)")
    parser.set_defaults(func=run)


def readable(item: dict[str, Any]) -> dict[str, Any]:
    """The item with its ``vpc`` back-reference replaced by the VPC's id, so the output is finite and short."""
    if isinstance(item.get("vpc"), dict):
        return {**item, "vpc": item["vpc"]["vpc_id"]}
    return item


def run(args: argparse.Namespace) -> int:
    """Print the view of the snapshot, by region and resource kind."""
    snapshot, _ = obtain_snapshot(args)
    vpc_ids = resolve_vpcs(snapshot, args.vpc) if args.vpc else None
    kinds = args.kind or list(RESOURCE_KINDS)
    out: dict[str, dict[str, list]] = {}
    for region in build_view(snapshot, vpc_ids):  # a region of unlinked accounts comes in several views
        items = out.setdefault(region.region, {kind: [] for kind in kinds})
        for kind in kinds:
            items[kind].extend(readable(item) for item in region.items[kind])
    print(json.dumps(out, indent=2, sort_keys=True))
    return EXIT_OK
