"""One region's snapshot indexed once for the path model: lookups by id, per subnet and per VPC."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from vpclint.path.groups import default_group_ids
from vpclint.path.hubindex import HubIndex, build_hub_index
from vpclint.path.networks import fast_network
from vpclint.path.tables import TableNotes, effective_route_tables, partial_acls, subnet_acls, table_notes
from vpclint.region_views import CombinedRegion
from vpclint.snapshot import (
    NetworkAcl,
    NetworkInterface,
    PrefixList,
    RegionSnapshot,
    RouteTable,
    SecurityGroup,
    Snapshot,
    Subnet,
    Vpc,
    VpcEndpoint,
)

PATH_SOURCES = (
    "vpcs",
    "vpc_attributes",
    "dhcp_options",
    "subnets",
    "route_tables",
    "security_groups",
    "vpc_endpoints",
    "prefix_lists",
    "network_acls",
    "network_interfaces",
)
"""The data sources the pull-path model reads: a flow is ``unknown`` while any of them is unread."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_MISSING = object()


def _network(cidr: Optional[str]) -> Optional[Network]:
    try:
        return fast_network(cidr, strict=False) if cidr else None
    except ValueError:
        return None


@dataclass
class RegionIndex:
    """Lookups over one region's snapshot, built in linear time."""

    account_id: str
    """The account of a single-account index; with several, the first joined (resources name their owners)."""
    partition: str
    region: str
    accounts: frozenset[str]
    """The accounts whose view of this region the index holds (one in a single-account scan): a resource owned by
    another account is ``unknown`` ("owned by account N: scan that account"), never guessed."""
    missing_sources: list[str]
    table_notes: TableNotes
    """What the collector could not keep of the region's route tables (see the region's notes)."""
    partial_acls: dict[str, str]
    """Network ACLs the collector read only in part, with the note."""
    vpcs: dict[str, Vpc]
    subnets: dict[str, Subnet]
    tables: dict[str, tuple[Optional[RouteTable], bool]]
    acls: dict[str, NetworkAcl]
    groups: dict[str, SecurityGroup]
    interfaces: dict[str, NetworkInterface]
    interfaces_by_subnet: dict[str, list[NetworkInterface]]
    prefix_lists: dict[str, PrefixList]
    dns_servers: dict[str, Optional[list[str]]]
    endpoints_by_vpc: dict[str, list[VpcEndpoint]]
    interface_owners: dict[str, str]
    networks: dict[str, Optional[Network]] = field(default_factory=dict)
    memo: dict[tuple, Any] = field(default_factory=dict)
    """Decisions already made for the current VPC (ACL, security group, route): its subnets ask the same."""
    lasting: dict[tuple, Any] = field(default_factory=dict)
    """Answers kept for the whole region, keyed by all they depend on (a VPC's DNS answers: the view asks again)."""
    by_vpc: Optional[tuple[dict[Optional[str], frozenset[str]], dict[str, str]]] = None
    """Security-group ids and default group by VPC id, built on first use."""
    hub: Optional[HubIndex] = None
    """Private hosted zones, Resolver rules and the ways to a hub (:mod:`vpclint.path.hubindex`)."""

    def remember(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """The cached answer for ``key``, computing it once."""
        found = self.memo.get(key, _MISSING)
        if found is _MISSING:
            found = self.memo[key] = compute()
        return found

    def keep(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """The answer for ``key`` kept for the region (not only the VPC in focus), computing it once."""
        found = self.lasting.get(key, _MISSING)
        if found is _MISSING:
            found = self.lasting[key] = compute()
        return found

    def network(self, cidr: Optional[str]) -> Optional[Network]:
        """A CIDR as a network (cached; None for null or junk)."""
        if cidr not in self.networks:
            self.networks[cidr] = _network(cidr)
        return self.networks[cidr]

    def focus(self, vpc_id: str) -> None:
        """Forget the decisions made for another VPC when the model moves on to ``vpc_id``: they are keyed by the
        VPC's own resources, so the memo stays the size of one VPC's (a later return only decides again)."""
        if self.memo.get(("vpc",)) != vpc_id:
            self.memo.clear()
            self.memo[("vpc",)] = vpc_id

    def vpc_groups(self, vpc_id: str) -> frozenset[str]:
        """The ids of the VPC's security groups."""
        return self._groups_by_vpc()[0].get(vpc_id, frozenset())

    def default_group(self, vpc_id: str) -> Optional[str]:
        """The id of the VPC's default security group (named "default"; the lowest id if several), or None."""
        return self._groups_by_vpc()[1].get(vpc_id)

    def _groups_by_vpc(self) -> tuple[dict[Optional[str], frozenset[str]], dict[str, str]]:
        if self.by_vpc is None:
            members: dict[Optional[str], set[str]] = {}
            for group in self.groups.values():
                members.setdefault(group.vpc_id, set()).add(group.group_id)
            self.by_vpc = {v: frozenset(ids) for v, ids in members.items()}, default_group_ids(self.groups)
        return self.by_vpc

    def s3_prefix_list(self) -> Optional[PrefixList]:
        """The region's AWS-managed S3 prefix list (``com.amazonaws.<region>.s3``, whatever the partition's
        prefix), if read: never a customer-managed list (owned by an account) that happens to be named like it."""
        suffix = f".{self.region}.s3"
        return next((p for p in self.prefix_lists.values()
                     if p.prefix_list_name.endswith(suffix) and p.owner_id in (None, "AWS")), None)

    def scanned(self, account_id: Optional[str]) -> bool:
        """Whether ``account_id``'s resources of this region are in the index (None, an unnamed owner, counts as
        this account's)."""
        return account_id is None or account_id in self.accounts

    def live_endpoints(self, vpc_id: str) -> list[VpcEndpoint]:
        """The VPC's endpoints that exist (AWS lists deleted ones for a while)."""
        return self.endpoints_by_vpc.get(vpc_id, [])


def dhcp_dns_servers(dhcp_options_id: Optional[str], servers_by_set: dict[str, list[str]]) -> Optional[list[str]]:
    """The DNS servers a VPC's DHCP options set gives (``servers_by_set``: the region's sets as read): none when
    the VPC has no set (AWS names that ``default``), None (not known) when it names a set the listing lacked."""
    if not dhcp_options_id or dhcp_options_id == "default":
        return []
    return servers_by_set.get(dhcp_options_id)


def build_index(snapshot: Snapshot, region: RegionSnapshot, combined: Optional[CombinedRegion] = None) -> RegionIndex:
    """Index one region of ``snapshot``: ``region`` as ``combined`` joined it from every scanned account's view
    (:func:`vpclint.region_views.combine_region`), or, without ``combined``, as the view of the account holding it."""
    combined = combined or CombinedRegion.single(snapshot, region)
    collected = set(region.collected)
    dhcp = {d.dhcp_options_id: d.domain_name_servers for d in region.dhcp_options}
    dhcp_read = "dhcp_options" in collected
    interfaces_by_subnet: dict[str, list[NetworkInterface]] = {}
    for interface in region.network_interfaces:
        if interface.subnet_id:
            interfaces_by_subnet.setdefault(interface.subnet_id, []).append(interface)
    endpoints_by_vpc: dict[str, list[VpcEndpoint]] = {}
    for endpoint in region.vpc_endpoints:
        if (endpoint.state or "").lower() != "deleted":
            endpoints_by_vpc.setdefault(endpoint.vpc_id, []).append(endpoint)
    return RegionIndex(
        account_id=combined.default,
        partition=snapshot.partition,
        region=region.region,
        accounts=combined.accounts,
        missing_sources=[s for s in PATH_SOURCES if s not in collected],
        table_notes=table_notes(region.notes),
        partial_acls=partial_acls(region.notes),
        vpcs={v.vpc_id: v for v in region.vpcs},
        subnets={s.subnet_id: s for s in region.subnets},
        tables=effective_route_tables(region),
        acls=subnet_acls(region),
        groups={g.group_id: g for g in region.security_groups},
        interfaces={i.network_interface_id: i for i in region.network_interfaces},
        interfaces_by_subnet=interfaces_by_subnet,
        prefix_lists={p.prefix_list_id: p for p in region.prefix_lists},
        dns_servers={v.vpc_id: dhcp_dns_servers(v.dhcp_options_id, dhcp) if dhcp_read else None for v in region.vpcs},
        endpoints_by_vpc=endpoints_by_vpc,
        interface_owners={
            **{i: "nat_gateway" for n in region.nat_gateways for i in n.network_interface_ids},
            **{i: "vpc_endpoint" for e in region.vpc_endpoints for i in e.network_interface_ids},
        },
        hub=build_hub_index(region),
    )
