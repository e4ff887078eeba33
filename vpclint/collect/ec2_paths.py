"""Readers of the sources on the packet's path beyond the endpoints: network ACLs, network interfaces and prefix
lists (AWS's service lists and the lists routes and security-group rules reference)."""

from __future__ import annotations

from typing import Iterable, Optional

from vpclint.collect.items import ItemReader, sorted_unique, tags
from vpclint.servicename import parse_service_name
from vpclint.snapshot import NetworkAcl, NetworkAclEntry, NetworkInterface, PrefixList, RegionSnapshot

AWS_OWNER = "AWS"
"""The ``OwnerId`` of AWS-managed prefix lists."""
KEPT_SERVICE_LISTS = {"s3"}
"""AWS service prefix lists kept even when nothing references them (the S3 gateway endpoint's destinations)."""


def acl_entry(raw: dict) -> NetworkAclEntry:
    """One network ACL rule; ports only when AWS gives a PortRange (TCP/UDP rules)."""
    ports = raw.get("PortRange") or {}
    return NetworkAclEntry(
        rule_number=raw["RuleNumber"],
        egress=bool(raw["Egress"]),
        protocol=str(raw["Protocol"]),
        rule_action=raw["RuleAction"],
        cidr_block=raw.get("CidrBlock"),
        ipv6_cidr_block=raw.get("Ipv6CidrBlock"),
        from_port=ports.get("From"),
        to_port=ports.get("To"),
    )


def read_network_acls(reader: ItemReader, raws: Optional[list[dict]]) -> list[NetworkAcl]:
    """DescribeNetworkAcls items: entries by direction then rule number, associated subnets."""
    def build(a: dict) -> NetworkAcl:
        acl_id = a["NetworkAclId"]
        entries = reader.parts(acl_id, "entry", a.get("Entries"), lambda e: [acl_entry(e)])
        return NetworkAcl(
            network_acl_id=acl_id,
            vpc_id=a["VpcId"],
            is_default=bool(a.get("IsDefault")),
            entries=sorted(entries, key=lambda e: (e.egress, e.rule_number, e.model_dump_json())),
            subnet_ids=sorted_unique(s.get("SubnetId") for s in a.get("Associations") or []),
            tags=tags(a),
        )
    return reader.each(raws, build, "NetworkAclId")


def network_interface(raw: dict) -> NetworkInterface:
    """One network interface, with every private address it has."""
    attachment = raw.get("Attachment") or {}
    return NetworkInterface(
        network_interface_id=raw["NetworkInterfaceId"],
        subnet_id=raw.get("SubnetId"),
        vpc_id=raw.get("VpcId"),
        availability_zone=raw.get("AvailabilityZone"),
        interface_type=raw.get("InterfaceType"),
        requester_id=raw.get("RequesterId"),
        requester_managed=bool(raw.get("RequesterManaged")),
        description=raw.get("Description") or None,
        group_ids=sorted_unique(g.get("GroupId") for g in raw.get("Groups") or []),
        private_ips=sorted_unique(
            [raw.get("PrivateIpAddress")] + [p.get("PrivateIpAddress") for p in raw.get("PrivateIpAddresses") or []]
        ),
        ipv6_addresses=sorted_unique(a.get("Ipv6Address") for a in raw.get("Ipv6Addresses") or []),
        attachment_instance_id=attachment.get("InstanceId"),
        attachment_instance_owner_id=attachment.get("InstanceOwnerId"),
        status=raw.get("Status"),
        tags=tags(raw, "TagSet"),
    )


def read_network_interfaces(reader: ItemReader, raws: Optional[list[dict]]) -> list[NetworkInterface]:
    """DescribeNetworkInterfaces items."""
    return reader.each(raws, network_interface, "NetworkInterfaceId")


def read_service_lists(reader: ItemReader, raws: Optional[list[dict]]) -> list[PrefixList]:
    """DescribePrefixLists items: AWS's service prefix lists (Cidrs included in AWS, missing in moto)."""
    return reader.each(raws, lambda p: PrefixList(
        prefix_list_id=p["PrefixListId"],
        prefix_list_name=p["PrefixListName"],
        cidrs=sorted_unique(p.get("Cidrs") or []),
        owner_id=AWS_OWNER,
    ), "PrefixListId")


def referenced_lists(region: RegionSnapshot) -> set[str]:
    """The prefix lists the region's routes and security-group rules name."""
    routes = {r.destination_prefix_list_id for t in region.route_tables for r in t.routes}
    rules = {rule.prefix_list_id for g in region.security_groups for rule in [*g.ingress, *g.egress]}
    return {pl for pl in routes | rules if pl}


def kept_service_lists(service_lists: Iterable[PrefixList], referenced: set[str]) -> list[PrefixList]:
    """The service lists worth keeping: S3's, and any a route or rule references."""
    def service(p: PrefixList) -> Optional[str]:
        parsed = parse_service_name(p.prefix_list_name)
        return parsed.service if parsed else None

    return [p for p in service_lists if p.prefix_list_id in referenced or service(p) in KEPT_SERVICE_LISTS]


def customer_list(raw: Optional[dict], prefix_list_id: str) -> PrefixList:
    """A referenced list that is not an AWS service list, from its DescribeManagedPrefixLists item if it has one."""
    raw = raw or {}
    return PrefixList(
        prefix_list_id=prefix_list_id,
        prefix_list_name=raw.get("PrefixListName") or prefix_list_id,
        owner_id=raw.get("OwnerId"),
    )


def entry_cidrs(raws: list[dict]) -> list[str]:
    """GetManagedPrefixListEntries items as sorted CIDRs."""
    return sorted_unique(e.get("Cidr") for e in raws)
