"""The three flows of an image pull from one workload subnet, and which way each goes.

* ``registry_api`` — ``api.ecr.<region>.amazonaws.com`` (GetAuthorizationToken), through an ``ecr.api`` endpoint;
* ``registry`` — ``<account>.dkr.ecr.<region>.amazonaws.com`` (manifests, layer URLs), through ``ecr.dkr``;
* ``layers`` — S3 in the region (``prod-<region>-starport-layer-bucket``), through an S3 *gateway* endpoint's
  prefix-list route in the subnet's route table.

Each flow's ``path`` is ``endpoint`` (private), ``nat`` (works, pays NAT data processing), ``routed`` (leaves the
VPC through a transit gateway, peering, VPN or appliance: ``via`` says which), ``blocked`` (``link`` names the
first link that stops it) or ``unknown`` (``reason`` says what could not be read or modelled). Links are checked
in the order: DNS, endpoint state, then for each subnet holding the endpoint's interfaces the route, the workload
subnet's ACL (out, and back in for the replies), the endpoint subnet's ACL (in, and back out), the workloads'
security-group egress; then the endpoint's security-group ingress and the endpoint policy. A known break
outweighs an unknown. docs/pull-path.md explains the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from vpclint.path.checks import (
    EPHEMERAL,
    HTTPS,
    Judge,
    Link,
    check_acl,
    check_endpoint_ingress,
    check_filters,
    acl_passes_all,
    check_workload_egress,
    egress_passes,
    replayed,
)
from vpclint.path.acls import EVERYWHERE
from vpclint.path.endpoints import (
    check_endpoint_state, check_policy, check_reply_routes, live_subnets, remembered_targets, source_acl,
    source_acl_passes,
)
from vpclint.path.groups import Peer
from vpclint.path.hub import hub_way
from vpclint.path.index import Network, RegionIndex
from vpclint.path.ipv6 import check_ip_type, public_way6
from vpclint.path.networks import span
from vpclint.path.ways import Way, is_local, public_way, s3_way
from vpclint.path.zones import flow_answer, resolve_layers, service_label
from vpclint.snapshot import RouteTable, Subnet, VpcEndpoint

REGISTRY_FLOWS = (("registry_api", "ecr.api"), ("registry", "ecr.dkr"))
FLOW_NAMES = ("registry_api", "registry", "layers")
ECR_ACTIONS = {"ecr.api": ["ecr:GetAuthorizationToken"], "ecr.dkr": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}


@dataclass(slots=True)  # never changed once built; not frozen: a frozen dataclass costs four times as much to build
class Flow:
    """One flow's outcome (see the module docstring)."""

    name: str
    service: str
    path: str
    reason: str
    via: Optional[str] = None
    link: Optional[Link] = None
    notes: tuple[str, ...] = ()
    diverted: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The flow as JSON data."""
        return {
            "flow": self.name,
            "service": self.service,
            "path": self.path,
            "via": self.via,
            "link": self.link.to_dict() if self.link else None,
            "reason": self.reason,
            "notes": list(self.notes),
            "diverted": list(self.diverted),
        }


def _finish(name: str, service: str, judge: Judge, way: Way) -> Flow:
    """The flow's outcome from its way and the judge: blocked, else unknown, else the way's path."""
    notes = tuple(judge.notes)
    if judge.blocked is not None:
        return Flow(name, service, "blocked", judge.blocked.detail, way.via, judge.blocked, notes, way.diverted)
    if judge.unknown is not None:
        return Flow(name, service, "unknown", judge.unknown, way.via, None, notes, way.diverted)
    if way.path == "local":  # a public service's addresses inside the VPC: nothing vpclint can promise
        return Flow(name, service, "unknown", f"{way.reason}: the service's addresses route locally", None, None, notes)
    return Flow(name, service, way.path, way.reason, way.via, None, notes, way.diverted)


def _interface_way(
    index: RegionIndex, judge: Judge, subnet: Subnet, table: RouteTable, source: Network,
    endpoint: VpcEndpoint, group_sets: list[frozenset[str]], what: str,
) -> Way:
    """Check the way from the workload subnet to an interface endpoint's interfaces, and back."""
    via = endpoint.vpc_endpoint_id
    subnets = live_subnets(index, judge, endpoint)
    if subnets is None:
        return Way("blocked", via, f"{via} is not available")
    if not any(index.subnets[s].availability_zone == subnet.availability_zone for s in subnets):
        judge.note(f"{via} has no interface in {subnet.availability_zone}: the flow crosses AZs (cost, availability)")
    group_ids = endpoint.group_ids or [g for g in [index.default_group(endpoint.vpc_id)] if g]
    way = Way("endpoint", via, f"{what} through {via}")
    if not _passes_subnets(index, subnet, table, source, endpoint, group_ids, group_sets, subnets):
        targets = remembered_targets(index, endpoint)
        quiet, routed = index.remember(("endpoint-routes", table.route_table_id, via), lambda: _routes(index, table, targets))
        acl = index.acls.get(subnet.subnet_id)
        key = ("endpoint-filters", acl.network_acl_id if acl else None, via, tuple(group_sets))
        if quiet and index.remember(key, lambda: _filters_pass(index, subnet, endpoint, group_ids, group_sets, targets)) \
                and _sources_pass(index, subnet, source, subnets):
            way = routed or way
        else:
            way = _check_targets(index, judge, subnet, table, source, endpoint, group_ids, group_sets, targets, way)
    check_reply_routes(index, judge, tuple(s for s in subnets if s != subnet.subnet_id), source)
    check_endpoint_ingress(index, judge, group_ids, source, subnet.vpc_id, group_sets, via)
    return way


def _routes(index: RegionIndex, table: RouteTable, targets: dict[str, list[Network]]) -> tuple[bool, Optional[Way]]:
    """Route every interface address: ``(quiet, the way of the last one not local)``."""
    scratch, found = Judge(), None
    for _, networks in sorted(targets.items()):
        for network in networks:
            route_way = None if is_local(index, table, network) else public_way(index, scratch, table, [network])
            if route_way is not None and route_way.path != "local":
                found = route_way
    return scratch.quiet, found


def _passes_subnets(
    index: RegionIndex, subnet: Subnet, table: RouteTable, source: Network, endpoint: VpcEndpoint,
    group_ids: list[str], group_sets: list[frozenset[str]], subnets: tuple[str, ...],
) -> bool:
    """True when the endpoint's subnets, each taken whole, pass what :func:`_routes`, :func:`_filters_pass` and
    :func:`_sources_pass` check of the interface addresses in them: each subnet routes locally and the filters
    pass it (a route table whose local route alone takes a network takes each part of it; an ACL or security
    group that allows every packet to a network allows those to each part). Decided per subnets, table, ACL and
    groups, not per endpoint: the endpoints of a VPC share their subnets."""
    local = index.memo.get(("subnets-local", table.route_table_id, subnets))
    if local is None:
        networks = [index.network(index.subnets[s].cidr_block) for s in subnets]
        local = index.memo[("subnets-local", table.route_table_id, subnets)] = all(is_local(index, table, n) for n in networks)  # type: ignore[arg-type]
    if not local:
        return False
    acl = index.acls.get(subnet.subnet_id)
    key = ("subnets-filters", acl.network_acl_id if acl else None, subnets, frozenset(group_ids), endpoint.vpc_id, tuple(group_sets))
    filters = index.memo.get(key)
    if filters is None:
        networks_by_subnet = {s: [index.network(index.subnets[s].cidr_block)] for s in subnets}
        filters = index.memo[key] = _filters_pass(index, subnet, endpoint, group_ids, group_sets, networks_by_subnet)  # type: ignore[arg-type]
    return filters and _sources_pass(index, subnet, source, subnets)


def _filters_pass(
    index: RegionIndex, subnet: Subnet, endpoint: VpcEndpoint, group_ids: list[str], group_sets: list[frozenset[str]],
    targets: dict[str, list[Network]],
) -> bool:
    """True when the filters of :func:`_check_targets` that don't depend on the source record nothing: the workload
    subnet's ACL passes every interface address (a superset of those checked) and the workloads' egress passes all
    the addresses at once (coverage is per address, so then each subnet's)."""
    everything = [n for _, networks in sorted(targets.items()) for n in networks]
    return acl_passes_all(index, subnet.subnet_id, everything, HTTPS, EPHEMERAL) and \
        egress_passes(index, group_sets, Peer(tuple(everything), frozenset(group_ids), endpoint.vpc_id))


def _sources_pass(index: RegionIndex, subnet: Subnet, source: Network, subnets: tuple[str, ...]) -> bool:
    """True when the ACL of each endpoint subnet other than the workload's passes the workload subnet (443 in,
    replies out): at once when the ACLs of all of them pass every address of the source's IP version."""
    if index.remember(("sources-open", subnets, source.version), lambda: _open_to_sources(index, subnets, source.version)):
        return True
    others = tuple(t for t in subnets if t != subnet.subnet_id)
    return index.remember(("source-acls", others, span(source)),
                          lambda: all(source_acl_passes(index, t, source) for t in others))


def _open_to_sources(index: RegionIndex, subnets: tuple[str, ...], version: int) -> bool:
    """True when each subnet's ACL lets TCP 443 in from every address of the IP version and the replies out."""
    return all(acl_passes_all(index, target_subnet, [EVERYWHERE[version]], EPHEMERAL, HTTPS) for target_subnet in subnets)


def _check_targets(
    index: RegionIndex, judge: Judge, subnet: Subnet, table: RouteTable, source: Network, endpoint: VpcEndpoint,
    group_ids: list[str], group_sets: list[frozenset[str]], targets: dict[str, list[Network]], way: Way,
) -> Way:
    """Per subnet holding the endpoint's interfaces, in order: the route, the workload subnet's ACL, the endpoint
    subnet's ACL and the workloads' egress."""
    via = endpoint.vpc_endpoint_id
    for target_subnet, networks in sorted(targets.items()):
        for network in networks:
            route_way = public_way(index, judge, table, [network])
            if route_way.path != "local":
                way = route_way
        if target_subnet != subnet.subnet_id:
            for network in networks:
                check_acl(index, judge, subnet.subnet_id, True, network, HTTPS)
                check_acl(index, judge, subnet.subnet_id, False, network, EPHEMERAL)
            source_acl(index, judge, target_subnet, source)
        members = frozenset(group_ids)
        check_workload_egress(index, judge, group_sets, Peer(networks=tuple(networks), member_of=members, vpc_id=endpoint.vpc_id), via)
    return way


def registry_flow(
    index: RegionIndex, subnet: Subnet, table: RouteTable, source: Network, name: str, service: str,
    group_sets: list[frozenset[str]],
) -> Flow:
    """The ``registry_api`` or ``registry`` flow of one workload subnet."""
    judge = Judge()
    vpc = index.vpcs[subnet.vpc_id]
    what = service_label(index, service)
    answer = flow_answer(index, vpc, service)
    if answer.kind == "unknown":
        judge.not_known(answer.reason)
        return _finish(name, service, judge, Way("unknown", None, answer.reason))
    if answer.kind == "none":
        judge.block(Link("dns", answer.zone_id or vpc.vpc_id, answer.reason))
        return _finish(name, service, judge, Way("blocked", None, answer.reason))
    if answer.kind == "endpoint" and answer.endpoint is not None:
        check_ip_type(judge, answer.endpoint, source)
        if answer.endpoint.vpc_id == vpc.vpc_id:
            way = _interface_way(index, judge, subnet, table, source, answer.endpoint, group_sets, what)
        else:
            way = hub_way(index, judge, subnet, table, source, answer.endpoint, group_sets, what)
        resource = f"arn:{index.partition}:ecr:{index.region}:*:repository/*" if service == "ecr.dkr" else "*"
        check_policy(index, judge, answer.endpoint, ECR_ACTIONS[service], resource)
        return _finish(name, service, judge, way)
    judge.note(answer.reason)
    if source.version == 4:
        way = replayed(index, judge, ("public-way", table.route_table_id), lambda on: public_way(index, on, table, None))
    else:
        way = public_way6(index, judge, table, "the public service endpoint")
    _public_filters(index, judge, subnet, group_sets, way, None, what)
    return _finish(name, service, judge, way)


def _public_filters(
    index: RegionIndex, judge: Judge, subnet: Subnet, group_sets: list[frozenset[str]], way: Way,
    destinations: Optional[list[Network]], what: str,
) -> None:
    """On a way out of the VPC: the workload subnet's ACL both ways and the workloads' egress to the service."""
    if way.path not in ("nat", "routed"):
        return
    exact = destinations is not None
    source = index.network(subnet.cidr_block)
    peers = destinations if destinations is not None else [EVERYWHERE[source.version if source else 4]]
    destination = Peer(networks=tuple(peers), member_of=frozenset(), vpc_id=subnet.vpc_id)
    scope = (tuple(peers), subnet.vpc_id, exact)
    check_filters(index, judge, subnet.subnet_id, peers, group_sets, destination, what, exact, scope)


def layers_flow(
    index: RegionIndex, subnet: Subnet, table: RouteTable, group_sets: list[frozenset[str]]
) -> Flow:
    """The ``layers`` flow, shared by the subnets of a VPC with the same route table, network ACL and group sets:
    the subnet enters it only through its ACL (a link naming another subnet is decided again)."""
    acl = index.acls.get(subnet.subnet_id)
    if acl is None:
        return _layers_flow(index, subnet, table, group_sets)
    key = ("layers", subnet.vpc_id, table.route_table_id, acl.network_acl_id, tuple(group_sets))
    flow = index.memo.get(key)
    if flow is None or (flow.link is not None and flow.link.subnet_id not in (None, subnet.subnet_id)):
        flow = index.memo[key] = _layers_flow(index, subnet, table, group_sets)
    return flow


def _layers_flow(
    index: RegionIndex, subnet: Subnet, table: RouteTable, group_sets: list[frozenset[str]]
) -> Flow:
    """The ``layers`` flow: S3 through the gateway endpoint's prefix-list route, or out of the VPC. S3's names must
    resolve (to S3's public addresses, which the gateway endpoint's route then captures)."""
    judge = Judge()
    what = f"S3 in {index.region}"
    vpc = index.vpcs[subnet.vpc_id]
    answer = index.remember(("resolve", vpc.vpc_id, "s3"), lambda: resolve_layers(index, vpc))
    if answer.kind == "none":
        judge.block(Link("dns", answer.zone_id or vpc.vpc_id, answer.reason))
    elif answer.kind == "unknown":
        judge.not_known(answer.reason)
    s3_list = index.s3_prefix_list()
    way, networks, gateway = replayed(
        index, judge, ("s3-way", table.route_table_id, subnet.vpc_id), lambda on: s3_way(index, on, table, s3_list, subnet.vpc_id)
    )
    if gateway is not None and way.path == "endpoint":
        check_endpoint_state(judge, gateway)
        exact = networks is not None
        peers = networks if networks is not None else [EVERYWHERE[4]]
        lists = frozenset({s3_list.prefix_list_id}) if s3_list else frozenset()
        destination = Peer(networks=tuple(peers), member_of=frozenset(), vpc_id=subnet.vpc_id, prefix_list_ids=lists)
        scope = ("s3", subnet.vpc_id)  # S3's networks are the region's S3 prefix list's
        check_filters(index, judge, subnet.subnet_id, peers, group_sets, destination, what, exact, scope)
        bucket = f"arn:{index.partition}:s3:::prod-{index.region}-starport-layer-bucket/*"
        check_policy(index, judge, gateway, ["s3:GetObject"], bucket)
    else:
        _public_filters(index, judge, subnet, group_sets, way, networks, what)
    return _finish("layers", "s3", judge, way)
