"""Which accounts' views of one region are joined together: those linked by what they share or name.

A VPC's pulls may go through another account's resources (a shared VPC's owner, a hub's endpoints, zones and
transit gateway), and a source that one of those accounts could not read leaves its flows ``unknown``
(:mod:`vpclint.region_views`). An account that shares nothing with it must not pay for that: in an organization
of hundreds of accounts, one account's denied ``DescribeNetworkAcls`` would otherwise leave every account's
verdicts in the region unknown. So the views are joined in groups. Two accounts are linked when their views hold
the same resource (a shared VPC or subnet, a peering connection, a transit gateway attachment, a private hosted
zone, a Resolver rule, a Route 53 Profile, a customer-managed prefix list, an endpoint a zone's record names) or one names the other
as the owner of something it sees (a VPC, a zone, a rule, a peer, a referenced security group, an endpoint); the
groups are the linked accounts, transitively. AWS-managed prefix lists, in every account, link nothing. Groups
whose accounts read the same sources are joined again (nothing then differs; most regions are one view).
"""

from __future__ import annotations

from typing import Iterator, Optional

from pydantic import BaseModel

from vpclint.snapshot import RegionSnapshot, Snapshot
from vpclint.snapshot_checks import id_field


def linked_accounts(snapshot: Snapshot, name: str) -> list[list[str]]:
    """The accounts with a view of region ``name`` in groups of linked accounts, those reading the same sources
    together (each sorted, the groups by their first account); accounts whose view holds nothing (their VPCs could
    not be read: they are not joined) go with the first group, so each is reported once."""
    views = sorted(((a.account_id, r) for a in snapshot.accounts for r in a.regions if r.region == name), key=lambda v: v[0])
    joined = [(account, region) for account, region in views if "vpcs" in region.collected]
    unread = [account for account, region in views if "vpcs" not in region.collected]
    if len({frozenset(region.collected) for _, region in joined}) <= 1:  # all read alike: one group, links or not
        return [[account for account, _ in joined] + unread] if views else []
    parent = {account: account for account, _ in joined}

    def root(account: str) -> str:
        while parent[account] != account:
            parent[account] = parent[parent[account]]
            account = parent[account]
        return account

    first: dict[str, str] = {}
    for account, region in joined:
        for key in [f"account:{account}", *_links(region, account)]:
            other = first.setdefault(key, account)
            if other != account:
                parent[root(account)] = root(other)
    groups: dict[str, list[str]] = {}
    for account, _ in joined:
        groups.setdefault(root(account), []).append(account)
    collected = {account: frozenset(region.collected) for account, region in joined}
    alike: dict[frozenset[str], list[str]] = {}  # groups that read the same sources decide the same: one view
    for group in groups.values():
        alike.setdefault(frozenset.intersection(*(collected[a] for a in group)), []).extend(group)
    ordered = sorted((sorted(group) for group in alike.values()), key=lambda group: group[0])  # two or more groups
    return [ordered[0] + unread, *ordered[1:]]


def _links(region: RegionSnapshot, account: str) -> Iterator[str]:
    """What links this account's view of the region to others: ``id:`` the resources it holds (AWS-managed prefix
    lists left out), ``account:`` the accounts it names as owners."""
    for key in RegionSnapshot.model_fields:
        items = getattr(region, key)
        if not isinstance(items, list) or not items or not isinstance(items[0], BaseModel):
            continue
        id_key = id_field(type(items[0]))
        for item in items:
            if id_key is not None and not (key == "prefix_lists" and not _account_id(item.owner_id)):
                yield f"id:{getattr(item, id_key)}"
            for owner in _owners(item):
                if _account_id(owner) and owner != account:
                    yield f"account:{owner}"
    for zone in region.hosted_zones:
        for record in zone.record_sets:
            for target in [record.alias_dns_name or "", *record.values]:
                label = target.strip().lower().split(".")[0]
                if label.startswith("vpce-"):
                    yield "id:" + "-".join(label.split("-")[:2])


def _owners(item: BaseModel) -> list[Optional[str]]:
    """The accounts an item names as the owner of itself or of what it refers to."""
    fields = type(item).model_fields
    owners = [getattr(item, name) for name in ("owner_id", "owner_account", "vpc_owner_id") if name in fields]
    owners += [getattr(item, side).owner_id for side in ("requester", "accepter") if side in fields]
    if "ingress" in fields:
        owners += [rule.referenced_group_owner_id for rule in [*item.ingress, *item.egress]]  # type: ignore[attr-defined]
    return owners


def _account_id(value: Optional[str]) -> bool:
    """Whether ``value`` is an AWS account id (12 digits; not ``AWS`` or a service)."""
    return bool(value) and len(value or "") == 12 and (value or "").isdigit()
