"""The derived view: the snapshot joined and classified once, as plain JSON-like data the rules query.

Rules iterate over one resource kind of the view (``vpc``, ``subnet``, ``route_table``, ``endpoint``,
``security_group``) and test each item with JMESPath. Every item carries the same context keys
(``account_id``, ``partition``, ``region``, ``vpc_id``, ``resource_type``, ``resource_id``, ``arn``) and the
facts below; ``docs/view.md`` in the repository documents every field.

Facts derived here, once per snapshot, in linear time:

* each subnet's *effective route table* (its explicit association, else the VPC's main table) and its *kind*:
  ``public`` (default route to an internet gateway), ``nat`` (default route to a NAT gateway, instance or network
  interface), ``routed`` (default route to something else: transit gateway, virtual private gateway, peering,
  egress-only gateway), ``isolated`` (no default route) or ``unknown`` (no route table could be resolved);
  every kind but ``public`` and ``unknown`` is *private*;
* the pull-path facts of :mod:`vpclint.path`: whether each subnet is a *workload subnet* (private, and not holding
  only infrastructure interfaces), its three flows (``flows``), the first blocking link of each kind
  (``blocked_by``) and its ``verdict``; each VPC's ``verdict`` and ``verdict_summary``;
* whether a VPC is *in scope* (it has a workload subnet and is not tagged ``vpclint:skip``);
* each VPC's DNS answers for the ECR names (``dns_answers``: a private hosted zone, Resolver rule, endpoint
  private DNS or the public service) and the records its zones lack (``private_zone_gaps``), and each endpoint's
  ``zone_aliases`` (zone records pointing at it), from :mod:`vpclint.path.hubfacts`;
* each VPC's endpoints grouped by service, counting only endpoints for the VPC's own region
  (``endpoints_by_service``), with the others kept apart (``foreign_region_endpoints``);
* each route table's served subnets (explicit, plus every unassociated subnet for the main table);
* each VPC's security groups by id (``security_groups``), so rule functions look groups up in constant time.
* for remediations: each VPC's ``subnet_per_az`` (the first workload subnet of each AZ, by AZ) and each interface
  endpoint's ``az_gap_subnet_ids`` (those of AZs the endpoint has no subnet in).
* each VPC's NAT facts (:mod:`vpclint.cost.facts`): live ``nat_gateways``, ``nat_subnets_without_s3_gateway``
  (NAT subnets whose route table has no working S3 gateway route), ``missing_ecr_interface_endpoints`` (none for a
  service whose name resolves to an endpoint elsewhere, per ``dns_answers``), and with
  ``collect --with-metrics`` the ``nat_traffic`` and the built-in-price ``nat_estimate`` (else null);
* the account's settings from the config file (``settings``, e.g. ``required_services``) on every VPC item,
  so rules read them as data.

Endpoints in state ``deleted`` are gone: AWS still lists them for a while, the view leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Optional

from pydantic import BaseModel

from vpclint.cost.facts import RegionNat
from vpclint.cost.prices import builtin_price_table
from vpclint.servicename import service_prefix_for
from vpclint.path.crossregion import local_equivalents
from vpclint.path.dns import custom_dns_servers
from vpclint.path.hubfacts import dns_answers, zone_aliases, zone_gaps
from vpclint.path.index import build_index
from vpclint.path.owners import unscanned_owner
from vpclint.path.tables import PRIVATE_KINDS, subnet_kind
from vpclint.path.region import region_paths
from vpclint.path.verdicts import SubnetPath, vpc_summary, vpc_verdict
from vpclint.region_links import linked_accounts
from vpclint.region_views import CombinedRegion, combine_region
from vpclint.snapshot import RegionSnapshot, Snapshot

SKIP_TAG = "vpclint:skip"
NOT_SKIPPING = ("", "false", "no", "off", "0")
"""``vpclint:skip`` values that do not skip (any case): the value of a skip is its reason."""
DEFAULT_GROUP_NAME = "default"
RESOURCE_KINDS = ("vpc", "subnet", "route_table", "endpoint", "security_group")

Item = dict[str, Any]


@dataclass
class RegionView:
    """The derived items of one region, by resource kind, and its NAT facts (for ``vpclint cost``)."""

    region: str
    collected: frozenset[str]
    nat: RegionNat
    collected_by_account: dict[str, frozenset[str]] = field(default_factory=dict)  # the sources read, by account
    items: dict[str, list[Item]] = field(default_factory=lambda: {kind: [] for kind in RESOURCE_KINDS})
    verdicts: list[Item] = field(default_factory=list)  # one row per VPC: the pull-path verdict and its subnets
    skipped: list[Item] = field(default_factory=list)  # the VPCs left out by their vpclint:skip tag


def _plain(model: BaseModel) -> dict[str, Any]:
    """A flat model's fields as a new dict: ``model_dump`` without its per-call cost (the view makes many)."""
    return dict(model.__dict__)


def blocked_by(path: Optional[SubnetPath], flows: dict[str, Item]) -> dict[str, Item]:
    """The first blocked flow of each link kind, keyed by the kind with ``_`` (``network_acl``, ``workload_sg``,
    ``endpoint_sg``, ``route``, ``endpoint_state``, ``endpoint_policy``, ``dns``): the link plus its ``flow``.
    ``flows``: the path's flows as JSON data already (``path.flows_dict()``), whose link dicts are copied."""
    found: dict[str, Item] = {}
    for name, flow in (path.flows.items() if path else ()):
        if flow.link is not None:
            found.setdefault(flow.link.kind.replace("-", "_"), {**flows[name]["link"], "flow": name, "via": flow.via})
    return found


def skip_reason(tags: Mapping[str, str], honour: bool) -> Optional[str]:
    """Why a VPC is skipped: the value of its ``vpclint:skip`` tag, unless that is empty or false-like (see
    :data:`NOT_SKIPPING`) or skip tags are not honoured (``--no-skip-tags``); None when it is not skipped."""
    value = tags.get(SKIP_TAG)
    if not honour or value is None or value.strip().lower() in NOT_SKIPPING:
        return None
    return value.strip()


def _gateway_route_blocked(flow: Item) -> bool:
    """True when a layers flow is blocked by the route to an S3 gateway endpoint itself (a blackhole)."""
    link = flow["link"]
    return bool(link) and link["kind"] == "route" and str(flow["via"]).startswith("vpce-")


def subnet_per_az(subnets: list[Item]) -> dict[str, str]:
    """The first subnet id (by id) of each AZ of ``subnets``, keyed by AZ in AZ order: one subnet per AZ, as an
    interface endpoint takes them."""
    first: dict[str, str] = {}
    for subnet in sorted(subnets, key=lambda s: (s["availability_zone"], s["subnet_id"])):
        first.setdefault(subnet["availability_zone"], subnet["subnet_id"])
    return first


def build_region_view(
    snapshot: Snapshot,
    region: RegionSnapshot,
    vpc_ids: Optional[Iterable[str]] = None,
    settings: Optional[Mapping[str, Any]] = None,
    combined: Optional[CombinedRegion] = None,
) -> RegionView:
    """Derive one region's items; ``vpc_ids`` limits the view to those VPCs. ``region`` is every scanned account's
    view of the region as ``combined`` joined it (without ``combined``: the view of the account holding it); each
    item names the account it is attributed to (its owner when scanned, else the account that saw it)."""
    combined = combined or CombinedRegion.single(snapshot, region)
    wanted = set(vpc_ids) if vpc_ids else None
    vpc_settings = dict(settings or {})
    partition, name = snapshot.partition, region.region
    nat = RegionNat(region)
    view = RegionView(region=name, collected=frozenset(region.collected), nat=nat,
                      collected_by_account=combined.collected_by_account())
    prefix = service_prefix_for(partition)

    def context(vpc_id: Optional[str], kind: str, resource_id: str, arn_kind: str) -> Item:
        account = combined.account_of(resource_id)
        return {
            "account_id": account,
            "partition": partition,
            "region": name,
            "service_prefix": prefix,
            "vpc_id": vpc_id,
            "resource_type": kind,
            "resource_id": resource_id,
            "arn": f"arn:{partition}:ec2:{name}:{account}:{arn_kind}/{resource_id}",
        }

    nat_prices = builtin_price_table() if region.nat_gateway_metrics else None

    index = build_index(snapshot, region, combined)
    subnets_by_vpc: dict[str, list[Item]] = {}
    subnets_by_id: dict[str, Item] = {}
    paths, ingress = region_paths(index, region.subnets, wanted)
    for subnet in region.subnets:
        table, is_explicit = index.tables[subnet.subnet_id]
        path = paths.get(subnet.subnet_id)
        kind = path.kind if path else subnet_kind(table)
        flows = path.flows_dict() if path else {}
        item = {
            "subnet_id": subnet.subnet_id,
            "cidr_block": subnet.cidr_block,
            "ipv6_cidr_blocks": subnet.ipv6_cidr_blocks,
            "availability_zone": subnet.availability_zone,
            "route_table_id": table.route_table_id if table else None,
            "route_table_explicit": is_explicit,
            "kind": kind,
            "private": kind in PRIVATE_KINDS,
            "workload": bool(path and path.workload),
            "workloads": list(path.workloads) if path else [],
            "flows": flows,
            "blocked_by": blocked_by(path, flows),
            "verdict": path.verdict if path else None,
        }
        subnets_by_vpc.setdefault(subnet.vpc_id, []).append(item)
        subnets_by_id[subnet.subnet_id] = item

    groups_by_vpc: dict[str, dict[str, Item]] = {}
    for group in region.security_groups:
        groups_by_vpc.setdefault(group.vpc_id or "", {})[group.group_id] = {
            "group_id": group.group_id,
            "group_name": group.group_name,
            "ingress": [_plain(r) for r in group.ingress],
            "egress": [_plain(r) for r in group.egress],
        }

    endpoints_by_vpc: dict[str, list[Item]] = {}
    endpoint_summaries: dict[str, Item] = {}
    live_endpoints = [e for e in region.vpc_endpoints if (e.state or "").lower() != "deleted"]
    for endpoint in live_endpoints:
        azs = sorted({subnets_by_id[s]["availability_zone"] for s in endpoint.subnet_ids if s in subnets_by_id})
        summary = {
            "vpc_endpoint_id": endpoint.vpc_endpoint_id,
            "vpc_endpoint_type": endpoint.vpc_endpoint_type,
            "service_name": endpoint.service_name,
            "service": endpoint.service,
            "service_region": endpoint.service_region,
            "same_region": endpoint.service_region == name,
            "state": endpoint.state,
            "private_dns_enabled": endpoint.private_dns_enabled,
            "subnet_ids": endpoint.subnet_ids,
            "availability_zones": azs,
            "route_table_ids": endpoint.route_table_ids,
            "group_ids": endpoint.group_ids,
            "policy": endpoint.policy,
            "policy_error": endpoint.policy_error,
        }
        endpoints_by_vpc.setdefault(endpoint.vpc_id, []).append(summary)
        endpoint_summaries[endpoint.vpc_endpoint_id] = summary

    s3_list = index.s3_prefix_list()
    vpc_items: dict[str, Item] = {}
    per_az: dict[str, dict[str, str]] = {}
    for vpc in region.vpcs:
        if wanted is not None and vpc.vpc_id not in wanted:
            continue
        subnets = subnets_by_vpc.get(vpc.vpc_id, [])
        private = [s for s in subnets if s["private"]]
        workload = [s for s in subnets if s["workload"]]
        endpoints = endpoints_by_vpc.get(vpc.vpc_id, [])
        by_service: dict[str, list[Item]] = {}
        for endpoint in endpoints:
            if endpoint["same_region"] and endpoint["service"]:
                by_service.setdefault(endpoint["service"], []).append(endpoint)
        dns_servers = index.dns_servers[vpc.vpc_id]
        reason = skip_reason(vpc.tags, vpc_settings.get("skip_tags", True))
        skipped = reason is not None
        vpc_paths = [paths[s["subnet_id"]] for s in subnets]
        verdict = vpc_verdict(vpc_paths, skipped)
        per_az[vpc.vpc_id] = subnet_per_az(workload)
        item = context(vpc.vpc_id, "vpc", vpc.vpc_id, "vpc")
        item.update(
            {
                "cidr_blocks": vpc.cidr_blocks,
                "ipv6_cidr_blocks": vpc.ipv6_cidr_blocks,
                "is_default": vpc.is_default,
                "owner_id": vpc.owner_id,
                "owner_scanned": unscanned_owner(index, vpc.vpc_id) is None,
                "enable_dns_support": vpc.enable_dns_support,
                "enable_dns_hostnames": vpc.enable_dns_hostnames,
                "dhcp_options_id": vpc.dhcp_options_id,
                "dns_servers": dns_servers,
                "custom_dns_servers": custom_dns_servers(dns_servers, vpc.cidr_blocks),
                "tags": vpc.tags,
                "skipped": skipped,
                "skip_reason": reason,
                "in_scope": bool(workload) and not skipped,
                "verdict": verdict,
                "s3_prefix_list_id": s3_list.prefix_list_id if s3_list else None,
                "verdict_summary": f"skipped by its {SKIP_TAG} tag: {reason}" if skipped
                else vpc_summary(verdict, [p for p in vpc_paths if p.workload]),
                "workload_subnets": workload,
                "workload_azs": sorted({s["availability_zone"] for s in workload}),
                "workload_route_table_ids": sorted({s["route_table_id"] for s in workload if s["route_table_id"]}),
                "subnet_per_az": list(per_az[vpc.vpc_id].values()),
                "subnets": subnets,
                "private_subnets": private,
                "public_subnets": [s for s in subnets if s["kind"] == "public"],
                "nat_subnets": [s for s in subnets if s["kind"] == "nat"],
                "isolated_subnets": [s for s in subnets if s["kind"] == "isolated"],
                "private_azs": sorted({s["availability_zone"] for s in private}),
                "private_route_table_ids": sorted({s["route_table_id"] for s in private if s["route_table_id"]}),
                "endpoints": endpoints,
                "endpoints_by_service": by_service,
                "foreign_region_endpoints": [e for e in endpoints if e["service"] and not e["same_region"]],
                "security_groups": groups_by_vpc.get(vpc.vpc_id, {}),
                "settings": vpc_settings,
            }
        )
        item.update({"dns_answers": dns_answers(index, vpc), "private_zone_gaps": zone_gaps(index, vpc)})
        workload_nat = [s for s in workload if s["kind"] == "nat"]
        item.update(nat.vpc_facts(vpc.vpc_id, workload_nat, by_service, item["workload_azs"], nat_prices,
                                  dns_answers=item["dns_answers"]))
        vpc_items[vpc.vpc_id] = item
        view.items["vpc"].append(item)
        if skipped:
            view.skipped.append(
                {"account_id": item["account_id"], "region": name, "vpc_id": vpc.vpc_id, "name": vpc.tags.get("Name"), "reason": reason}
            )
        view.verdicts.append(
            {
                "account_id": item["account_id"],
                "region": name,
                "vpc_id": vpc.vpc_id,
                "name": vpc.tags.get("Name"),
                "verdict": verdict,
                "summary": item["verdict_summary"],
                "subnets": [p.to_dict(subnets_by_id[p.subnet_id]["flows"]) for p in vpc_paths if p.workload],
            }
        )

    for subnet in region.subnets:
        vpc_item = vpc_items.get(subnet.vpc_id)
        if vpc_item is None:
            continue
        item = context(subnet.vpc_id, "subnet", subnet.subnet_id, "subnet")
        item.update(subnets_by_id[subnet.subnet_id])
        item["vpc"] = vpc_item
        view.items["subnet"].append(item)

    served: dict[str, list[Item]] = {}
    for subnet_id, (table, _) in index.tables.items():
        if table is not None:
            served.setdefault(table.route_table_id, []).append(subnets_by_id[subnet_id])
    gateway_tables: dict[str, dict[str, list[str]]] = {}
    for endpoint in live_endpoints:
        if endpoint.vpc_endpoint_type == "Gateway" and endpoint.service and endpoint.service_region == name:
            for table_id in endpoint.route_table_ids:
                gateway_tables.setdefault(table_id, {}).setdefault(endpoint.service, []).append(endpoint.vpc_endpoint_id)
    for table in region.route_tables:
        vpc_item = vpc_items.get(table.vpc_id)
        if vpc_item is None:
            continue
        subnets = sorted(served.get(table.route_table_id, []), key=lambda s: s["subnet_id"])
        workload_subnets = [s for s in subnets if s["workload"] and "layers" in s["flows"]]
        item = context(table.vpc_id, "route_table", table.route_table_id, "route-table")
        item.update(
            {
                "route_table_id": table.route_table_id,
                "main": any(a.main for a in table.associations),
                "explicit_subnet_ids": sorted(a.subnet_id for a in table.associations if a.subnet_id),
                "subnets": subnets,
                "private_subnets": [s for s in subnets if s["private"]],
                "workload_subnets": workload_subnets,
                "s3_diverted": next((s["flows"]["layers"]["diverted"] for s in workload_subnets if s["flows"]["layers"]["diverted"]), []),
                "s3_route_blackhole": next(
                    (s["flows"]["layers"]["link"] for s in workload_subnets if _gateway_route_blocked(s["flows"]["layers"])), None
                ),
                "routes": [_plain(r) for r in table.routes],
                "gateway_endpoints_by_service": gateway_tables.get(table.route_table_id, {}),
                "vpc": vpc_item,
            }
        )
        view.items["route_table"].append(item)

    aliases = zone_aliases(index)
    for endpoint in live_endpoints:
        vpc_item = vpc_items.get(endpoint.vpc_id)
        if vpc_item is None:
            continue
        item = context(endpoint.vpc_id, "endpoint", endpoint.vpc_endpoint_id, "vpc-endpoint")
        item["zone_aliases"] = aliases.get(endpoint.vpc_endpoint_id, [])
        item.update(endpoint_summaries[endpoint.vpc_endpoint_id])
        item["effective_group_ids"] = endpoint.group_ids or [
            g["group_id"] for g in vpc_item["security_groups"].values() if g["group_name"] == DEFAULT_GROUP_NAME
        ]
        item["ingress_blocked_subnets"] = ingress.get(endpoint.vpc_endpoint_id, [])
        item["local_equivalent_ids"] = local_equivalents(endpoint, index.live_endpoints(endpoint.vpc_id), name)
        item["az_gap_subnet_ids"] = [
            subnet_id for az, subnet_id in per_az[endpoint.vpc_id].items() if az not in item["availability_zones"]
        ] if endpoint.vpc_endpoint_type == "Interface" else []
        item["vpc"] = vpc_item
        view.items["endpoint"].append(item)

    for group in region.security_groups:
        vpc_item = vpc_items.get(group.vpc_id or "")
        if vpc_item is None:
            continue
        item = context(group.vpc_id, "security_group", group.group_id, "security-group")
        item.update(vpc_item["security_groups"][group.group_id])
        item["vpc"] = vpc_item
        view.items["security_group"].append(item)
    return view


def build_view(
    snapshot: Snapshot, vpc_ids: Optional[Iterable[str]] = None, settings: Optional[Mapping[str, Any]] = None
) -> Iterator[RegionView]:
    """Derive the regions of the snapshot one at a time, each joined from its accounts' views: one view per group of
    linked accounts (:func:`vpclint.region_links.linked_accounts`; one for most regions), so a caller holds one
    region's view at once."""
    wanted = list(vpc_ids) if vpc_ids else None
    for name in snapshot.region_names():
        for accounts in linked_accounts(snapshot, name):
            combined = combine_region(snapshot, name, accounts)
            yield build_region_view(snapshot, combined.region, wanted, settings, combined)
