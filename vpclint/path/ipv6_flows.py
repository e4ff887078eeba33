"""The three flows of an IPv6-only subnet (no IPv4 CIDR: AWS's ``Ipv6Native`` subnets), over its IPv6 addresses.

The registry flows run the same model as IPv4 ones (:func:`vpclint.path.flows.registry_flow`) on the index as an
IPv6 client sees it: every subnet's ``cidr_block`` is its IPv6 CIDR and every interface's addresses are its IPv6
addresses. Routes, network ACLs (their IPv6 entries) and security groups (their IPv6 rules) are then evaluated for
IPv6 networks, the endpoint's IP address and DNS record types are checked (:mod:`vpclint.path.ipv6`), and the
public way is the default route ``::/0``.

The ``layers`` flow: S3 answers IPv6 on its dual-stack names, through the S3 gateway endpoint when that endpoint
carries IPv6 (IP address type ``ipv6``/``dualstack``), else by ``::/0``. S3's IPv6 ranges are not in the snapshot,
so the workload's ACL and security-group egress must allow all of ``::/0`` (the S3 prefix list counts for the
groups); allowing part of it leaves the flow unknown, and so does a more specific IPv6 route to public addresses
beside the gateway's (it may take part of S3 away from the gateway).

A subnet with an IPv4 CIDR (dual-stack or IPv4-only) keeps the IPv4 model, except for a registry flow whose name
resolves to an endpoint that answers AAAA records only (DNS record IP type ``ipv6``): a dual-stack subnet then
reaches it over IPv6, judged as above from the subnet's IPv6 CIDR; an IPv4-only subnet can't
(:func:`vpclint.path.ipv6.check_ip_type`, link ``endpoint-ip-type``). Every other DNS record IP type answers the
private DNS name with A records, which a dual-stack client can use over IPv4.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Generic, Optional, TypeVar

from vpclint.path.acls import EVERYWHERE
from vpclint.path.checks import Judge, Link, check_filters
from vpclint.path.endpoints import check_endpoint_state, check_policy
from vpclint.path.flows import REGISTRY_FLOWS, Flow, registry_flow
from vpclint.path.groups import Peer
from vpclint.path.index import Network, RegionIndex
from vpclint.path.ipv6 import DEFAULT_IPV6, answers_aaaa_only, gateway_takes_ipv6, public_ipv6_routes, public_way6
from vpclint.path.ways import Way, route_way, s3_gateways
from vpclint.path.zones import flow_answer, resolve_layers
from vpclint.snapshot import NetworkInterface, RouteTable, Subnet

K = TypeVar("K")
V = TypeVar("V")


class _Projected(dict, Generic[K, V]):  # type: ignore[type-arg]
    """A read-only view of ``source`` whose values are projected on first use (``get``, ``[]``, ``in``)."""

    def __init__(self, source: dict[K, V], project: Callable[[V], V]) -> None:
        super().__init__()
        self.source, self.project = source, project

    def __missing__(self, key: K) -> V:
        value = self[key] = self.project(self.source[key])
        return value

    def get(self, key: K, default: Optional[V] = None) -> Optional[V]:  # type: ignore[override]
        return self[key] if key in self.source else default

    def __contains__(self, key: object) -> bool:
        return key in self.source


def is_ipv6_only(subnet: Subnet) -> bool:
    """True for a subnet with IPv6 CIDRs and no IPv4 one."""
    return subnet.cidr_block is None and bool(subnet.ipv6_cidr_blocks)


def _ipv6_subnet(subnet: Subnet) -> Subnet:
    return subnet.model_copy(update={"cidr_block": next(iter(subnet.ipv6_cidr_blocks), None)})


def _ipv6_interface(interface: NetworkInterface) -> NetworkInterface:
    return interface.model_copy(update={"private_ips": interface.ipv6_addresses})


def ipv6_index(index: RegionIndex) -> RegionIndex:
    """The index as an IPv6 client sees it (IPv6 CIDRs and addresses in place of IPv4 ones), with decisions of
    its own (kept for the current VPC)."""
    return index.remember(("ipv6-index",), lambda: dataclasses.replace(
        index,
        subnets=_Projected(index.subnets, _ipv6_subnet),
        interfaces=_Projected(index.interfaces, _ipv6_interface),
        memo={},
        lasting={},
        by_vpc=None,
    ))


def ipv6_flows(index: RegionIndex, subnet: Subnet, table: RouteTable, group_sets: list[frozenset[str]]) -> dict[str, Flow]:
    """The three flows of an IPv6-only workload subnet."""
    seen = ipv6_index(index)
    client = seen.subnets[subnet.subnet_id]
    source = seen.network(client.cidr_block)
    if source is None:
        reason = f"{subnet.subnet_id}'s IPv6 CIDR {client.cidr_block} can't be read"
        return {n: Flow(n, s, "unknown", reason) for n, s in (*REGISTRY_FLOWS, ("layers", "s3"))}
    flows = {name: registry_flow(seen, client, table, source, name, service, group_sets) for name, service in REGISTRY_FLOWS}
    flows["layers"] = _layers(seen, client, table, group_sets)
    return flows


def registry_flows(
    index: RegionIndex, subnet: Subnet, table: RouteTable, source: Network, group_sets: list[frozenset[str]],
) -> dict[str, Flow]:
    """The registry flows of a subnet with an IPv4 CIDR (``source``): over IPv4, or over IPv6 for a dual-stack
    subnet whose name resolves to an endpoint answering AAAA records only (the module docstring)."""
    vpc = index.vpcs[subnet.vpc_id]
    flows = {}
    for name, service in REGISTRY_FLOWS:
        answer = flow_answer(index, vpc, service)
        if answer.kind == "endpoint" and answer.endpoint is not None and answers_aaaa_only(answer.endpoint) \
                and subnet.ipv6_cidr_blocks:
            flows[name] = _over_ipv6(index, subnet, table, name, service, group_sets, answer.endpoint.vpc_endpoint_id)
        else:
            flows[name] = registry_flow(index, subnet, table, source, name, service, group_sets)
    return flows


def _over_ipv6(
    index: RegionIndex, subnet: Subnet, table: RouteTable, name: str, service: str, group_sets: list[frozenset[str]],
    endpoint_id: str,
) -> Flow:
    """A dual-stack subnet's registry flow to an endpoint answering AAAA only, judged over the subnet's IPv6 CIDR."""
    seen = ipv6_index(index)
    client = seen.subnets[subnet.subnet_id]
    source = seen.network(client.cidr_block)
    if source is None:
        return Flow(name, service, "unknown", f"{subnet.subnet_id}'s IPv6 CIDR {client.cidr_block} can't be read")
    flow = registry_flow(seen, client, table, source, name, service, group_sets)
    note = f"{endpoint_id}'s name answers AAAA records only: the dual-stack subnet reaches it over IPv6 ({source})"
    return dataclasses.replace(flow, notes=(note, *flow.notes))


def _layers(index: RegionIndex, subnet: Subnet, table: RouteTable, group_sets: list[frozenset[str]]) -> Flow:
    """The ``layers`` flow over IPv6: the S3 gateway endpoint when it carries IPv6, else ``::/0``."""
    judge = Judge()
    what = f"S3 in {index.region}"
    vpc = index.vpcs[subnet.vpc_id]
    answer = resolve_layers(index, vpc, dualstack=True)
    if answer.kind == "none":
        judge.block(Link("dns", answer.zone_id or vpc.vpc_id, answer.reason))
    elif answer.kind == "unknown":
        judge.not_known(answer.reason)
    gateways = s3_gateways(index, subnet.vpc_id)
    route = next((r for r in table.routes if r.destination_prefix_list_id and r.target_id in gateways), None)
    gateway = gateways[route.target_id or ""] if route is not None else None
    takes = gateway_takes_ipv6(gateway) if gateway is not None else False
    s3_list = index.s3_prefix_list()
    lists = frozenset({s3_list.prefix_list_id}) if s3_list and gateway is not None and takes else frozenset()
    if gateway is not None and route is not None and takes is not False:
        if takes is None:
            judge.not_known(f"{gateway.vpc_endpoint_id}'s IP address type was not read: whether it carries IPv6 is not known")
        way = route_way(judge, table, route, f"{what} over IPv6")
        specific = public_ipv6_routes(index, table)
        if specific:  # S3's IPv6 CIDRs are not known: a more specific route may hold some (as over IPv4, docs/pull-path.md)
            judge.not_known(f"S3's IPv6 addresses are not known: routes {', '.join(specific)} of {table.route_table_id} "
                            f"may divert part of S3 from {gateway.vpc_endpoint_id}")
        check_endpoint_state(judge, gateway)
        bucket = f"arn:{index.partition}:s3:::prod-{index.region}-starport-layer-bucket/*"
        check_policy(index, judge, gateway, ["s3:GetObject"], bucket)
    elif gateway is not None and not any(r.destination_ipv6_cidr_block == DEFAULT_IPV6 for r in table.routes) \
            and not public_ipv6_routes(index, table):  # else such a route may carry S3: public_way6 says so
        detail = (f"{gateway.vpc_endpoint_id} has IP address type {gateway.ip_address_type}: it carries no IPv6, and "
                  f"{table.route_table_id} has no IPv6 default route to S3 either")
        judge.block(Link("endpoint-ip-type", gateway.vpc_endpoint_id, detail))
        way = Way("blocked", gateway.vpc_endpoint_id, detail)
    else:
        if gateway is not None:
            judge.note(f"{gateway.vpc_endpoint_id} carries IPv4 only: S3 over IPv6 takes ::/0 instead")
        way = public_way6(index, judge, table, what)
    if way.path in ("endpoint", "nat", "routed"):
        anywhere = EVERYWHERE[6]
        destination = Peer(networks=(anywhere,), vpc_id=subnet.vpc_id, prefix_list_ids=lists)
        check_filters(index, judge, subnet.subnet_id, [anywhere], group_sets, destination, what, False, ("s3-ipv6", lists))
    return _flow(judge, way)


def _flow(judge: Judge, way: Way) -> Flow:
    """The ``layers`` flow from its way and the judge: blocked, else unknown, else the way's path."""
    notes = tuple(judge.notes)
    if judge.blocked is not None:
        return Flow("layers", "s3", "blocked", judge.blocked.detail, way.via, judge.blocked, notes)
    if judge.unknown is not None:
        return Flow("layers", "s3", "unknown", judge.unknown, way.via, None, notes)
    return Flow("layers", "s3", way.path, way.reason, way.via, None, notes)
