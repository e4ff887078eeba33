"""Which route table and network ACL govern each subnet, and the subnet's kind by its default routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from vpclint.snapshot import ItemNote, NetworkAcl, RegionSnapshot, RouteTable

DEFAULT_DESTINATIONS = ("0.0.0.0/0", "::/0")
NAT_TARGETS = ("nat_gateway", "instance", "network_interface")
PRIVATE_KINDS = ("nat", "routed", "isolated")


def subnet_kind(table: Optional[RouteTable]) -> str:
    """Classify a subnet by its effective route table's default routes (blackhole routes do not count).

    ``public`` (a default route to an internet gateway), ``nat`` (to a NAT gateway, instance or interface),
    ``routed`` (to anything else), ``isolated`` (none) or ``unknown`` (no route table).
    """
    if table is None:
        return "unknown"
    kinds = set()
    for route in table.routes:
        destination = route.destination_cidr_block or route.destination_ipv6_cidr_block
        if destination not in DEFAULT_DESTINATIONS or route.state == "blackhole":
            continue
        if route.target_type == "internet_gateway":
            return "public"
        kinds.add("nat" if route.target_type in NAT_TARGETS else "routed")
    if "nat" in kinds:
        return "nat"
    return "routed" if kinds else "isolated"


def effective_route_tables(region: RegionSnapshot) -> dict[str, tuple[Optional[RouteTable], bool]]:
    """Map each subnet id to ``(route table, explicit?)``: its explicit association, else its VPC's main table."""
    main_by_vpc: dict[str, RouteTable] = {}
    explicit: dict[str, RouteTable] = {}
    for table in region.route_tables:
        for association in table.associations:
            if association.main:
                main_by_vpc[table.vpc_id] = table
            elif association.subnet_id and association.state in (None, "associated"):
                explicit[association.subnet_id] = table
    result: dict[str, tuple[Optional[RouteTable], bool]] = {}
    for subnet in region.subnets:
        if subnet.subnet_id in explicit:
            result[subnet.subnet_id] = (explicit[subnet.subnet_id], True)
        else:
            result[subnet.subnet_id] = (main_by_vpc.get(subnet.vpc_id), False)
    return result


def subnet_acls(region: RegionSnapshot) -> dict[str, NetworkAcl]:
    """Map each subnet id to its network ACL: the one it is associated with (every subnet has exactly one)."""
    return {subnet_id: acl for acl in region.network_acls for subnet_id in acl.subnet_ids}


TABLE_APIS = ("vpclint:route_tables", "ec2:DescribeRouteTables")
ACL_APIS = ("vpclint:network_acls", "ec2:DescribeNetworkAcls")


@dataclass(frozen=True)
class TableNotes:
    """What the collector could not keep of the region's route tables (its notes): ``partial`` by table id, the
    note on a table left out whole or in part; ``hiding``, the tables whose subnet associations may be missing
    (left out whole, or an association left out: any subnet on its VPC's main table may be theirs)."""

    partial: dict[str, str] = field(default_factory=dict)
    hiding: tuple[str, ...] = ()


def _first_notes(notes: list[ItemNote], apis: tuple[str, ...]) -> dict[Optional[str], str]:
    """By item id, the first message (in sorted order) of the notes of ``apis``."""
    found: dict[Optional[str], str] = {}
    for note in sorted(notes, key=lambda n: n.message):
        if note.api in apis:
            found.setdefault(note.item_id, note.message)
    return found


def table_notes(notes: list[ItemNote]) -> TableNotes:
    """The route-table notes of a region (:class:`TableNotes`); a note without an id names "(no id)"."""
    first = _first_notes(notes, TABLE_APIS)
    partial = {item_id or "(no id)": message for item_id, message in first.items()}
    hiding = sorted({n.item_id or "(no id)" for n in notes if n.api in TABLE_APIS and not n.message.startswith("route ")})
    return TableNotes(partial, tuple(hiding))


def partial_acls(notes: list[ItemNote]) -> dict[str, str]:
    """By network ACL id, the note on an ACL the collector read only in part (an entry left out may have denied)."""
    return {item_id: message for item_id, message in _first_notes(notes, ACL_APIS).items() if item_id}


def table_doubt(subnet_id: str, table: Optional[RouteTable], explicit: bool, notes: TableNotes) -> Optional[str]:
    """Why the route table governing a subnet is not known (None when it is): none is in the snapshot, it was
    read only in part, or the subnet falls back to its VPC's main table while a table left out of the snapshot
    (or an association left out) may hold its own association."""
    if table is None:
        return f"no route table of {subnet_id} is in the snapshot"
    if table.route_table_id in notes.partial:
        return f"route table {table.route_table_id} of {subnet_id} was read only in part ({notes.partial[table.route_table_id]})"
    if not explicit and notes.hiding:
        return (f"route table(s) {', '.join(notes.hiding)} were left out of the snapshot, whole or an association: "
                f"{subnet_id} may be associated with one of them, not its VPC's main table {table.route_table_id}")
    return None
