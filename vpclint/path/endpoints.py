"""The checks of an endpoint shared by every way to it (in the workload's VPC or in a hub): where its
interfaces are, the endpoint subnet's network ACL and the endpoint policy."""

from __future__ import annotations

from vpclint.path.checks import EPHEMERAL, HTTPS, Judge, Link, acl_passes, check_acl, replayed
from vpclint.path.index import Network, RegionIndex
from vpclint.path.networks import contains, span
from vpclint.path.ways import address_networks, is_local, known_table, public_way, route_networks
from typing import Optional

from vpclint.policy import evaluate as evaluate_policy
from vpclint.snapshot import RouteTable, VpcEndpoint


def endpoint_targets(index: RegionIndex, endpoint: VpcEndpoint) -> dict[str, list[Network]]:
    """The endpoint's interface addresses by subnet; the subnet's CIDR when its interfaces were not read or their
    addresses lie outside it (AWS never does that; moto does)."""
    targets: dict[str, list[Network]] = {}
    for interface_id in endpoint.network_interface_ids:
        interface = index.interfaces.get(interface_id)
        subnet = index.subnets.get(interface.subnet_id or "") if interface is not None else None
        network = index.network(subnet.cidr_block) if subnet is not None else None
        if interface is not None and subnet is not None and network is not None:
            inside = [a for a in address_networks(interface.private_ips) if contains(network, a)]
            targets.setdefault(subnet.subnet_id, []).extend(inside)
    for subnet_id in endpoint.subnet_ids:
        if not targets.get(subnet_id):
            subnet = index.subnets.get(subnet_id)
            network = index.network(subnet.cidr_block) if subnet else None
            if network is not None:
                targets[subnet_id] = [network]
    return targets


def target_subnets(index: RegionIndex, endpoint: VpcEndpoint) -> tuple[str, ...]:
    """The subnets of :func:`endpoint_targets`, sorted, without reading an address: those holding an interface of
    the endpoint, and those it lists, whose CIDR can be read."""
    found = set()
    for interface_id in endpoint.network_interface_ids:
        interface = index.interfaces.get(interface_id)
        subnet = index.subnets.get(interface.subnet_id or "") if interface is not None else None
        if subnet is not None and index.network(subnet.cidr_block) is not None:
            found.add(subnet.subnet_id)
    for subnet_id in endpoint.subnet_ids:
        subnet = index.subnets.get(subnet_id)
        if subnet is not None and index.network(subnet.cidr_block) is not None:
            found.add(subnet_id)
    return tuple(sorted(found))


def live_targets(index: RegionIndex, judge: Judge, endpoint: VpcEndpoint) -> Optional[dict[str, list[Network]]]:
    """The endpoint's interface addresses by subnet (:func:`endpoint_targets`); None, with the ``endpoint-state``
    link recorded, when the endpoint is not available or has no interface."""
    if live_subnets(index, judge, endpoint) is None:
        return None
    return remembered_targets(index, endpoint)


def remembered_targets(index: RegionIndex, endpoint: VpcEndpoint) -> dict[str, list[Network]]:
    """:func:`endpoint_targets`, worked out once per endpoint and region."""
    return index.remember(("targets", endpoint.vpc_endpoint_id), lambda: endpoint_targets(index, endpoint))


def live_subnets(index: RegionIndex, judge: Judge, endpoint: VpcEndpoint) -> Optional[tuple[str, ...]]:
    """The subnets of :func:`live_targets` (:func:`target_subnets`), or None with the same link recorded. A subnet
    the endpoint lists that the snapshot does not hold leaves the flow not known (None when it is all of them)."""
    via = endpoint.vpc_endpoint_id
    if not check_endpoint_state(judge, endpoint):
        return None
    subnets = index.remember(("target-subnets", via), lambda: target_subnets(index, endpoint))
    unseen = index.remember(("unseen-subnets", via), lambda: _unseen_subnets(index, endpoint))
    if unseen:  # the regional name answers their interfaces too: the way to them is not known
        judge.not_known(f"{via} has interfaces in {', '.join(unseen)}, which the snapshot does not hold")
    if not subnets:
        if not unseen:
            judge.block(Link("endpoint-state", via, f"{via} has no interface in any subnet"))
        return None
    return subnets


def check_endpoint_state(judge: Judge, endpoint: VpcEndpoint) -> bool:
    """The endpoint must be ``available``; ``pending`` (being created, or modified: AWS serves on what it has while
    a change is made) is not known; any other state blocks (``endpoint-state``). False when it blocks."""
    via = endpoint.vpc_endpoint_id
    state = (endpoint.state or "").lower()
    if state == "pending":
        judge.not_known(f"{via} is in state {endpoint.state} (being created or modified): whether it serves the flow "
                        "is not known")
    elif state != "available":
        judge.block(Link("endpoint-state", via, f"{via} is in state {endpoint.state or 'unknown'}, not available"))
        return False
    return True


def _unseen_subnets(index: RegionIndex, endpoint: VpcEndpoint) -> list[str]:
    """The subnets the endpoint lists, or its interfaces are in, that the snapshot does not hold, sorted."""
    interfaces = [index.interfaces.get(i) for i in endpoint.network_interface_ids]
    listed = [*endpoint.subnet_ids, *(i.subnet_id for i in interfaces if i is not None and i.subnet_id)]
    return sorted({s for s in listed if s not in index.subnets})


def check_reply_routes(index: RegionIndex, judge: Judge, target_subnets: tuple[str, ...], source: Network) -> None:
    """Each endpoint subnet's route back to the workload subnet ``source`` in the same VPC (the replies): the local
    route normally; a longer route to a blackhole (or none) blocks (``route``), to anything else (an appliance) it
    is not known; a route table not known is not known either."""
    def check(on: Judge) -> None:
        for target_subnet in target_subnets:
            _reply_route(index, on, target_subnet, source)

    replayed(index, judge, ("reply-routes", target_subnets, span(source)), check)


def _reply_route(index: RegionIndex, judge: Judge, target_subnet: str, source: Network) -> None:
    table = known_table(index, judge, target_subnet, f"the replies from {target_subnet}")
    if table is None:
        return
    if routed_locally(index, table, source):
        return
    way = public_way(index, judge, table, [source])
    if way.path not in ("local", "blocked", "unknown"):
        judge.not_known(f"{table.route_table_id} sends the replies from {target_subnet} to {source} through {way.via}, "
                        "not the local route: vpclint does not follow that way back")


def routed_locally(index: RegionIndex, table: RouteTable, network: Network) -> bool:
    """True when the table takes ``network`` (in its VPC) by the local route alone: at once when the local routes
    take the whole VPC (:func:`_local_inside`, once per table), else by :func:`is_local`."""
    return index.remember(("inward-local", table.route_table_id), lambda: _local_inside(index, table)) \
        or is_local(index, table, network)


def _local_inside(index: RegionIndex, table: RouteTable) -> bool:
    """True when the table's local routes take every address of its VPC: one per VPC CIDR, and no other route as
    specific as a VPC CIDR or more (a local route replaced by an appliance's included), nor a prefix list with
    entries not read, reaches inside it. Then every subnet of the VPC is routed locally (:func:`is_local` of each,
    at once)."""
    vpc = index.vpcs.get(table.vpc_id)
    inside = [n for n in (index.network(c) for c in (vpc.cidr_blocks + vpc.ipv6_cidr_blocks if vpc else [])) if n]
    local = {index.network(r.destination_cidr_block or r.destination_ipv6_cidr_block) for r in table.routes
             if r.target_type == "local" and (r.state or "").lower() != "blackhole"}
    if not inside or any(n not in local for n in inside):
        return False
    for route in table.routes:
        if route.target_type == "local":
            continue
        destinations = route_networks(index, route)
        if destinations is None or any(d is None or any(d.version == n.version and d.prefixlen >= n.prefixlen and d.overlaps(n) for n in inside)  # type: ignore[arg-type]
               for d in destinations):
            return False
    return True


def source_acl(index: RegionIndex, judge: Judge, target_subnet: str, source: Network) -> None:
    """An endpoint subnet's ACL for TCP 443 in from the workload subnet and the replies back out."""
    check_acl(index, judge, target_subnet, False, source, HTTPS)
    check_acl(index, judge, target_subnet, True, source, EPHEMERAL)


def source_acl_passes(index: RegionIndex, target_subnet: str, source: Network) -> bool:
    """True when :func:`source_acl` records nothing."""
    return acl_passes(index, target_subnet, False, source, HTTPS) and acl_passes(index, target_subnet, True, source, EPHEMERAL)


def check_policy(index: RegionIndex, judge: Judge, endpoint: VpcEndpoint, actions: list[str], resource: str) -> None:
    """The endpoint policy must allow the flow's actions (decided once per endpoint, actions and resource)."""
    if endpoint.policy is None and not endpoint.policy_error:  # the default policy allows everything: nothing to record
        return
    key = ("policy", endpoint.vpc_endpoint_id, tuple(actions), resource)
    replayed(index, judge, key, lambda on: _decide_policy(on, endpoint, actions, resource))


def _decide_policy(judge: Judge, endpoint: VpcEndpoint, actions: list[str], resource: str) -> None:
    """The endpoint policy must allow the flow's actions (every request through it comes from this endpoint and
    its VPC: ``aws:SourceVpce`` and ``aws:SourceVpc`` are known)."""
    if endpoint.policy_error:
        judge.not_known(f"{endpoint.vpc_endpoint_id}'s policy could not be parsed: {endpoint.policy_error}")
        return
    context = {"aws:SourceVpce": endpoint.vpc_endpoint_id, "aws:SourceVpc": endpoint.vpc_id}
    decision = evaluate_policy(endpoint.policy, actions, resource, context)
    if decision.verdict == "denied":
        judge.block(Link("endpoint-policy", endpoint.vpc_endpoint_id, decision.reason))
    elif decision.verdict == "malformed":
        judge.not_known(f"{endpoint.vpc_endpoint_id}'s policy is malformed: {decision.reason}")
    elif decision.verdict == "conditional":
        judge.note(f"{endpoint.vpc_endpoint_id}'s policy allows the pull only conditionally: {decision.reason}")
