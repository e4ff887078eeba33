"""The attachment subnets a transit gateway's traffic passes on the way to a hub endpoint and back.

AWS ("How network ACLs work with transit gateways", tgw-nacls.html) evaluates an attachment subnet's network ACL
inbound rules, by the sender's address, for traffic into the gateway, and its outbound rules, by the destination's
address, for traffic the gateway delivers; for traffic it delivers into the attachment subnet itself, neither
direction. The gateway takes traffic only from the attachment subnet in the sender's AZ, and delivers it through
the one in the AZ it came from unless the attachment's appliance mode is on; the delivered packets go on by that
subnet's route table.
"""

from __future__ import annotations

from typing import Optional

from vpclint.path.checks import EPHEMERAL, HTTPS, Judge, check_acl
from vpclint.path.endpoints import routed_locally
from vpclint.path.index import Network, RegionIndex
from vpclint.path.tgw import live_attachments
from vpclint.path.ways import known_table
from vpclint.snapshot import Vpc


End = tuple[Vpc, str, Network]
"""One end of a flow through a transit gateway: the VPC, the subnet and the addresses (the workload subnet's, or
the hub endpoint's interface address)."""


def subnet_acls(
    index: RegionIndex, judge: Judge, there: Optional[str], back: Optional[str], workload: End, endpoint: End,
) -> None:
    """The network ACLs of the workload subnet (443 out, the replies in) and of the hub endpoint subnet (443 in,
    the replies out); the inbound rules as :func:`_inbound_acl` says, for the gateway the requests cross
    (``there``) and the one the replies cross (``back``), if any."""
    (spoke, workload_subnet, source), (hub_vpc, endpoint_subnet, network) = workload, endpoint
    check_acl(index, judge, workload_subnet, True, network, HTTPS)
    _inbound_acl(index, judge, back, spoke.vpc_id, zone_key(index, endpoint_subnet), workload_subnet, network, EPHEMERAL)
    _inbound_acl(index, judge, there, hub_vpc.vpc_id, zone_key(index, workload_subnet), endpoint_subnet, source, HTTPS)
    check_acl(index, judge, endpoint_subnet, True, source, EPHEMERAL)


def _inbound_acl(
    index: RegionIndex, judge: Judge, gateway: Optional[str], vpc_id: str, zone: str, subnet_id: str, peer: Network,
    ports: tuple[int, int],
) -> None:
    """The inbound rules of ``subnet_id``'s network ACL for TCP from ``peer`` on ``ports``. AWS evaluates neither
    direction of an attachment subnet's ACL for the traffic a transit gateway delivers into that subnet itself:
    not checked when ``gateway`` surely does (:func:`_delivering`); when it may, a block is not known."""
    subnets, sure = _delivering(index, vpc_id, gateway, zone) if gateway else ([], True)
    if sure and subnets == [subnet_id]:
        return
    on = Judge() if subnet_id in subnets else judge
    check_acl(index, on, subnet_id, False, peer, ports)
    _maybe(judge, on, f"{gateway} may deliver into {vpc_id} through another subnet than {subnet_id}")


def zone_key(index: RegionIndex, subnet_id: str) -> str:
    """Where a subnet is, comparable across accounts: its AZ ID, else its VPC owner's AZ name (an AZ name such as
    us-east-1a maps to different zones in different accounts; an unnamed owner is the index's account)."""
    subnet = index.subnets[subnet_id]
    if subnet.availability_zone_id:
        return subnet.availability_zone_id
    vpc = index.vpcs.get(subnet.vpc_id)
    return f"{vpc.owner_id if vpc and vpc.owner_id else index.account_id}/{subnet.availability_zone}"


def gateway_subnets(
    index: RegionIndex, judge: Judge, gateway: str, workload: End, endpoint: End, replies: bool,
) -> None:
    """The attachment subnets a transit gateway's traffic passes in each VPC (AWS, "How network ACLs work with
    transit gateways"): into the gateway, the sender's VPC's attachment subnet in the sender's AZ (the gateway
    takes traffic only there), whose network ACL's inbound rules must allow it (by the sender's address); out of
    it, :func:`_delivery`. The requests go to TCP 443; the replies, when they come back through the same gateway
    (``replies``), to the ephemeral ports."""
    assert index.hub is not None
    ways = [(workload, endpoint, HTTPS), (endpoint, workload, EPHEMERAL)]
    for (from_vpc, from_subnet, sender), (to_vpc, to_subnet, receiver), ports in ways[: 2 if replies else 1]:
        zone = zone_key(index, from_subnet)
        entries = [s for a in live_attachments(index.hub, from_vpc.vpc_id, gateway) for s in a.subnet_ids]
        for entry in _in_zone(index, entries, zone):
            check_acl(index, judge, entry, False, sender, ports)
        _delivery(index, judge, gateway, to_vpc.vpc_id, zone, receiver, ports, to_subnet)


def _delivering(index: RegionIndex, vpc_id: str, gateway: str, zone: str) -> tuple[list[str], bool]:
    """The attachment subnets ``gateway`` may deliver traffic from ``zone`` into the VPC through, and whether it
    surely does: the one in that AZ (the gateway keeps traffic in its AZ), unless an attachment's appliance mode is
    on (the gateway picks one AZ per flow) or was not read, or none has a subnet there: then any of them."""
    assert index.hub is not None
    attachments = live_attachments(index.hub, vpc_id, gateway)
    every = [s for a in attachments for s in a.subnet_ids]
    if all(a.appliance_mode_support == "disable" for a in attachments):
        there = _in_zone(index, every, zone)
        if there:
            return there, True
    return every, False


def _in_zone(index: RegionIndex, subnet_ids: list[str], zone: str) -> list[str]:
    """The subnets of ``subnet_ids`` in the snapshot and in ``zone`` (:func:`zone_key`)."""
    return [s for s in subnet_ids if s in index.subnets and zone_key(index, s) == zone]


def _delivery(
    index: RegionIndex, judge: Judge, gateway: str, vpc_id: str, zone: str, destination: Network, ports: tuple[int, int],
    to_subnet: str,
) -> None:
    """The packets a transit gateway delivers into a VPC (through the subnets :func:`_delivering` gives) go on by
    the attachment subnet's route table, which must take ``destination`` by the local route alone (another route,
    to a firewall or a blackhole, is not followed: not known), and its network ACL's outbound rules must allow
    them (not evaluated when the destination is in that subnet). Where any of several subnets may carry them, one
    that would block leaves the flow not known."""
    subnets, sure = _delivering(index, vpc_id, gateway, zone)
    for subnet_id in subnets:
        on = judge if sure else Judge()
        table = known_table(index, on, subnet_id, f"the way on from {gateway} into {vpc_id} through {subnet_id}")
        if table is not None and not routed_locally(index, table, destination):
            on.not_known(f"{table.route_table_id} of {subnet_id}, where {gateway} delivers into {vpc_id}, does not take "
                         f"{destination} by the local route alone: vpclint does not follow that way")
        if subnet_id != to_subnet:
            check_acl(index, on, subnet_id, True, destination, ports)
        _maybe(judge, on, f"{gateway} may deliver into {vpc_id} through {subnet_id}")


def _maybe(judge: Judge, on: Judge, what: str) -> None:
    """What ``on`` (a way the flow may take) recorded, as not known on ``judge`` (nothing when they are one)."""
    if on is judge:
        return
    if on.blocked is not None:
        judge.not_known(f"{what}, where {on.blocked.resource_id} blocks: {on.blocked.detail}")
    elif on.unknown is not None:
        judge.not_known(on.unknown)
