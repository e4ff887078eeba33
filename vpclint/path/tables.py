"""Which route table and network ACL govern each subnet, and the subnet's kind by its default routes."""

from __future__ import annotations

from typing import Optional

from vpclint.snapshot import NetworkAcl, RegionSnapshot, RouteTable

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


def table_doubt(subnet_id: str, table: Optional[RouteTable], explicit: bool, left_out: list[str]) -> Optional[str]:
    """Why the route table governing a subnet is not known (None when it is): none is in the snapshot, or the
    subnet falls back to its VPC's main table while route tables ``left_out`` of the snapshot (items the collector
    could not keep) may hold its own association."""
    if table is None:
        return f"no route table of {subnet_id} is in the snapshot"
    if not explicit and left_out:
        return (f"route table(s) {', '.join(left_out)} were left out of the snapshot: {subnet_id} may be associated "
                f"with one of them, not its VPC's main table {table.route_table_id}")
    return None

