"""Every scanned account's view of one region, joined into one region: what the pull-path model and the view read.

The resources a VPC's pulls go through may live in another account: a hub's endpoints and transit gateway, the
owner's route tables of a shared VPC. Each account's view of a region is read apart; this joins them, so that a
lookup by id finds a resource whichever account it came from. A resource seen by several accounts (a shared VPC
and its subnets appear in the owner's and every participant's view; AWS's prefix lists in every account) is kept
once, the owner's copy preferred (the owner's ``owner_id``, else that of the resource's VPC). A private hosted zone
or a Resolver rule is associated with VPCs of several accounts and each account lists it with its own VPCs only:
the copies' VPCs are joined, and a zone's records come from the copy that read them (its owner's); likewise a
Route 53 Profile shared through RAM: every account's VPC associations, and the resources of a copy that read them. A source
counts as read only when every joined account read it: a flow decided on part of the data could claim
``private`` wrongly; so only linked accounts are joined together (:mod:`vpclint.region_links`), and one account's
unread source costs the accounts linked to it, not every account of the region. An account whose view of the region holds nothing (its VPCs could not be read) is not joined: its resources are
not scanned (:meth:`vpclint.path.index.RegionIndex.scanned`), and it is listed in ``unread``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection, Optional

from pydantic import BaseModel

from vpclint.snapshot import RegionSnapshot, Snapshot
from vpclint.snapshot_metrics import NatGatewayMetrics
from vpclint.snapshot_checks import id_field
from vpclint.snapshot_hub import HostedZone, ResolverRule, Route53Profile


@dataclass(frozen=True)
class CombinedRegion:
    """One region as every joined account sees it, and which account each kept resource came from."""

    region: RegionSnapshot
    accounts: frozenset[str]
    """The accounts whose view of the region is joined."""
    default: str
    """The account of a resource not in ``holders`` (a single account's view, or a snapshot without accounts)."""
    holders: dict[str, str] = field(default_factory=dict)
    """Resource id -> the account whose copy was kept (its owner when that account was scanned)."""
    unread: dict[str, frozenset[str]] = field(default_factory=dict)
    """Accounts whose view of the region was not joined (nothing read) -> the sources they did read."""

    def account_of(self, resource_id: str) -> str:
        """The account a resource is attributed to: its owner when scanned, else the account that saw it."""
        return self.holders.get(resource_id, self.default)

    def collected_by_account(self) -> dict[str, frozenset[str]]:
        """The sources counted as read for each account's part of the region (joined or not)."""
        joined = frozenset(self.region.collected)
        return {**{account: joined for account in self.accounts}, **self.unread}

    @classmethod
    def single(cls, snapshot: Snapshot, region: RegionSnapshot) -> "CombinedRegion":
        """``region`` as the one view of the account that holds it (or the snapshot's first account)."""
        holder = next((a.account_id for a in snapshot.accounts if any(r is region for r in a.regions)), None)
        account = holder or (snapshot.accounts[0].account_id if snapshot.accounts else "")
        return cls(region=region, accounts=frozenset({account}) if account else frozenset(), default=account)


def combine_region(snapshot: Snapshot, name: str, accounts: Optional[Collection[str]] = None) -> CombinedRegion:
    """Every account's view of region ``name`` joined, or those of ``accounts`` (a group of
    :func:`vpclint.region_links.linked_accounts`); see the module's documentation."""
    views = sorted(((a.account_id, r) for a in snapshot.accounts for r in a.regions
                    if r.region == name and (accounts is None or a.account_id in accounts)), key=lambda v: v[0])
    if len(views) == 1:
        return CombinedRegion(region=views[0][1], accounts=frozenset({views[0][0]}), default=views[0][0])
    joined = [(account, region) for account, region in views if "vpcs" in region.collected]
    unread = {account: frozenset(region.collected) for account, region in views if "vpcs" not in region.collected}
    default = joined[0][0] if joined else (views[0][0] if views else "")
    holders: dict[str, str] = {}
    fields: dict[str, Any] = {"region": name}
    vpc_owners = {v.vpc_id: v.owner_id for _, region in joined for v in region.vpcs if v.owner_id}
    for key in RegionSnapshot.model_fields:
        values = [(account, getattr(region, key)) for account, region in joined]
        if key == "region":
            continue
        if key == "collected":
            common = set.intersection(*(set(v) for _, v in values)) if values else set()
            fields[key] = sorted(common)
        elif key == "nat_gateway_metrics":
            fields[key] = _metrics([v for _, v in values if v is not None])
        else:  # every other field is a collection
            fields[key] = _union(values, vpc_owners, holders)
    return CombinedRegion(region=RegionSnapshot.model_construct(**fields), accounts=frozenset(a for a, _ in joined),
                          default=default, holders=holders, unread=unread)


def _union(values: list[tuple[str, list]], vpc_owners: dict[str, str], holders: dict[str, str]) -> list:
    """A collection of every joined view: items with an id once (the owner's copy preferred, recorded in
    ``holders``), sorted by id; other items (errors, notes, plain ids) all of them."""
    items = [(account, item) for account, listed in values for item in listed]
    if not items:
        return []
    sample = items[0][1]
    if not isinstance(sample, BaseModel):
        return sorted(set(item for _, item in items))
    id_key = id_field(type(sample))
    if id_key is None:
        return [item for _, item in items]
    kept: dict[str, tuple[str, Any]] = {}
    for account, item in items:
        item_id = getattr(item, id_key)
        if item_id not in kept:
            kept[item_id] = (account, item)
            continue
        held, copy = kept[item_id]
        if _owner(item, vpc_owners) == account != held:
            kept[item_id] = (account, _joined(item, copy))
        else:
            kept[item_id] = (held, _joined(copy, item))
    for item_id, (account, _) in kept.items():
        holders[item_id] = account
    return [kept[item_id][1] for item_id in sorted(kept)]


def _joined(kept: Any, other: Any) -> Any:
    """``kept``, the copy of a resource kept, with what another account's copy adds: the VPCs a zone, Resolver
    rule or Route 53 Profile is associated with, a zone's records and a Profile's resources when only the other
    copy read them."""
    if isinstance(kept, Route53Profile):
        associations = {(a.vpc_id, a.association_id): a for a in [*other.vpc_associations, *kept.vpc_associations]}
        changes: dict[str, Any] = {"vpc_associations": [associations[k] for k in sorted(associations, key=lambda k: (k[0], k[1] or ""))],
                                   "owner_id": kept.owner_id or other.owner_id}
        if not kept.resources_read and other.resources_read:
            changes |= {"resources_read": True, "resources": other.resources}
        return kept.model_copy(update=changes)
    if not isinstance(kept, (HostedZone, ResolverRule)):
        return kept
    update: dict[str, Any] = {"vpc_ids": sorted(set(kept.vpc_ids) | set(other.vpc_ids))}
    if isinstance(kept, HostedZone) and not kept.records_read and other.records_read:
        update |= {"records_read": True, "record_sets": other.record_sets}
    return kept.model_copy(update=update)


def _owner(item: BaseModel, vpc_owners: dict[str, str]) -> Optional[str]:
    """The account that owns an item: its own ``owner_id`` (a zone's ``owner_account``), else the owner of its VPC
    (None when unknown)."""
    owner = getattr(item, "owner_id", None) or getattr(item, "owner_account", None)
    vpc_id = getattr(item, "vpc_id", None)
    return owner if owner is not None else (vpc_owners.get(vpc_id) if isinstance(vpc_id, str) else None)


def _metrics(found: list[NatGatewayMetrics]) -> Optional[NatGatewayMetrics]:
    """The joined views' NAT gateway traffic: one window, every gateway once."""
    if not found:
        return None
    gateways = {g.nat_gateway_id: g for metrics in found for g in metrics.gateways}
    return found[0].model_copy(update={"gateways": [gateways[k] for k in sorted(gateways)]})
