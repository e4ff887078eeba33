"""Security-group reachability: which subnets may open TCP 443 to an interface endpoint.

An endpoint's security groups admit a subnet when one of their ingress rules has protocol ``tcp`` (``6``) or
all (``-1``), a port range containing 443 (no ports means all), and a source that covers the subnet:

* an IPv4 source CIDR containing the subnet's IPv4 CIDR (for a subnet without IPv4, every IPv6 CIDR of the
  subnet contained in an IPv6 source CIDR: interface endpoints are reached over IPv4 unless the subnet has none);
* a referenced security group or a prefix list: its members can't be known from the network configuration, so
  the rule is taken to admit every subnet, and the evidence says so (``via``).

An endpoint created without security groups uses its VPC's default security group (AWS behaviour), found by
the name ``default``; a VPC without one leaves every subnet uncovered.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Optional

HTTPS_PORT = 443
TCP_PROTOCOLS = ("tcp", "6", "-1")
DEFAULT_GROUP_NAME = "default"

Network = Optional[ipaddress.IPv4Network | ipaddress.IPv6Network]


def parse_network(cidr: Optional[str]) -> Network:
    """The network of a CIDR string; None for null or junk."""
    if not cidr:
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def admits_https(rule: dict[str, Any]) -> bool:
    """True when an ingress rule's protocol and port range admit TCP 443."""
    if str(rule.get("protocol")).lower() not in TCP_PROTOCOLS:
        return False
    low, high = rule.get("from_port"), rule.get("to_port")
    if low is None or high is None or low == -1:
        return True
    return low <= HTTPS_PORT <= high


def network_contains(source: Network, inner: Network) -> bool:
    """True when ``inner`` lies inside ``source`` (same IP version); False when either is None."""
    return source is not None and inner is not None and source.version == inner.version and inner.subnet_of(source)  # type: ignore[arg-type]


def resolve_groups(group_ids: list[str], groups: dict[str, dict]) -> tuple[list[str], Optional[str], list[str]]:
    """``(ids checked, default group used, ids not found)``: an empty list means the VPC's default group."""
    default = None
    if not group_ids:
        default = next((g["group_id"] for g in groups.values() if g.get("group_name") == DEFAULT_GROUP_NAME), None)
        group_ids = [default] if default else []
    checked = sorted(set(group_ids))
    return checked, default, [g for g in checked if g not in groups]


def https_coverage(
    group_ids: list[str],
    subnets: list[dict[str, Any]],
    groups: dict[str, dict[str, Any]],
    network: Callable[[Optional[str]], Network] = parse_network,
) -> dict[str, Any]:
    """Which ``subnets`` the security groups ``group_ids`` (looked up in ``groups`` by id) admit on TCP 443.

    Returns ``groups_checked``, ``default_group_used`` (the default group's id when ``group_ids`` was empty),
    ``groups_not_found``, ``rules_checked`` (the ingress rules admitting TCP 443, with their group), ``subnets``
    (per subnet: ``subnet_id``, ``cidr_block``, ``ipv6_cidr_blocks``, ``allowed``, ``allowed_by``) and
    ``uncovered`` (the ids of the subnets not admitted, sorted). ``network`` parses CIDRs (pass a cached one).
    """
    checked, default, missing = resolve_groups(group_ids, groups)
    candidates = []
    for group_id in checked:
        for rule in (groups.get(group_id) or {}).get("ingress") or []:
            if admits_https(rule):
                candidates.append((group_id, rule))
    results = []
    for subnet in sorted(subnets, key=lambda s: s["subnet_id"]):
        allowed_by = _first_admitting(subnet, candidates, network)
        results.append(
            {
                "subnet_id": subnet["subnet_id"],
                "cidr_block": subnet.get("cidr_block"),
                "ipv6_cidr_blocks": subnet.get("ipv6_cidr_blocks") or [],
                "allowed": allowed_by is not None,
                "allowed_by": allowed_by,
            }
        )
    return {
        "groups_checked": checked,
        "default_group_used": default,
        "groups_not_found": missing,
        "rules_checked": [{"group_id": g, **{k: v for k, v in r.items() if v is not None}} for g, r in candidates],
        "subnets": results,
        "uncovered": [r["subnet_id"] for r in results if not r["allowed"]],
    }


def _first_admitting(
    subnet: dict[str, Any], candidates: list[tuple[str, dict]], network: Callable[[Optional[str]], Network]
) -> Optional[dict[str, Any]]:
    """The first rule admitting the subnet, preferring a CIDR match over a referenced group or prefix list."""
    ipv4 = network(subnet.get("cidr_block"))
    ipv6 = [network(c) for c in subnet.get("ipv6_cidr_blocks") or []]
    for group_id, rule in candidates:
        if ipv4 is not None:
            if network_contains(network(rule.get("cidr_ipv4")), ipv4):
                return {"group_id": group_id, "via": "cidr", "source": rule["cidr_ipv4"]}
        elif ipv6 and all(network_contains(network(rule.get("cidr_ipv6")), n) for n in ipv6):
            return {"group_id": group_id, "via": "cidr", "source": rule["cidr_ipv6"]}
    for group_id, rule in candidates:
        if rule.get("referenced_group_id"):
            return {"group_id": group_id, "via": "security_group", "source": rule["referenced_group_id"]}
        if rule.get("prefix_list_id"):
            return {"group_id": group_id, "via": "prefix_list", "source": rule["prefix_list_id"]}
    return None
