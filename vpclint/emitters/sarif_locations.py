"""Where a finding's resource sits for SARIF: the git work tree a snapshot file is in, and the line of each
resource's object in that file (so code scanning can point at it)."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from pathlib import Path
from typing import Optional

SNAPSHOT_COLLECTIONS = {
    "vpc": ("vpcs", "vpc_id"),
    "subnet": ("subnets", "subnet_id"),
    "route_table": ("route_tables", "route_table_id"),
    "endpoint": ("vpc_endpoints", "vpc_endpoint_id"),
    "security_group": ("security_groups", "group_id"),
}
"""The snapshot collection and id field of each view resource type."""


def git_root(start: Path) -> Optional[Path]:
    """The enclosing git work tree of ``start`` (a folder holding ``.git``), or None."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def snapshot_lines(path: Path) -> dict[tuple[str, str, str, str], int]:
    """``(account, region, resource_type, resource_id)`` -> line of that resource's object in the snapshot file
    (version 3, or a one-account version 1 or 2 file)."""
    from json.decoder import JSONObject
    from json.scanner import py_make_scanner

    text = path.read_text(encoding="utf-8")
    starts: dict[int, int] = {}
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, *args):
        obj, end = JSONObject(s_and_end, *args)
        starts[id(obj)] = s_and_end[1] - 1
        return obj, end

    decoder.parse_object = parse_object
    decoder.scan_once = py_make_scanner(decoder)
    data = decoder.decode(text)
    newlines = [m.start() for m in re.finditer("\n", text)]
    lines: dict[tuple[str, str, str, str], int] = {}
    accounts = data.get("accounts") if "accounts" in data else [data]
    for account in accounts:
        for region in account.get("regions", []):
            for kind, (collection, key) in SNAPSHOT_COLLECTIONS.items():
                for item in region.get(collection, []):
                    where = (account.get("account_id"), region.get("region"), kind, item.get(key))
                    lines[where] = bisect_left(newlines, starts[id(item)]) + 1
    return lines
