"""Where a flow's name resolves when private hosted zones and Route 53 Resolver rules take part.

The Amazon resolver answers a name from the most specific of: a Resolver rule associated with the VPC, a private
hosted zone associated with the VPC, and an interface endpoint's private DNS (a zone AWS manages for the service
name); on a tie a rule wins over a zone, and a zone over an endpoint's private DNS
(https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-overview-forward-vpc-to-network-domain-name-matches.html).
The zones and rules the VPC's Route 53 Profile carries take part too, except for a domain the VPC's own zones or
rules already have (:func:`vpclint.path.hubindex.effective`); a Profile's zone for the very name of the VPC's own
endpoint private DNS is ``unknown`` (AWS does not say which wins), and what a Profile carries that vpclint can't
know leaves every name of the VPC ``unknown``.

* A **FORWARD** rule sends the name to DNS servers vpclint can't see: the flow is ``unknown``. A **SYSTEM** rule
  gives the name back to the resolver (zones, private DNS, public DNS).
* A **zone** answers from its records, and only from them: a name the zone lacks does not resolve (AWS answers
  NXDOMAIN, it never falls back to public DNS). Wildcards (``*``, stored ``\\052``) answer names below the closest
  existing name, as RFC 4592 says. A record (an alias, CNAME or A record) that names an interface endpoint's DNS
  name or interface address points at that endpoint, in this VPC or another; a ``vpce-`` name not in the snapshot
  is ``unknown``, naming the accounts not scanned that may hold it. Zones whose records were not read, and VPCs
  whose zones could not be listed, are ``unknown`` too. AWS documents that zones need both DNS attributes on.
* Otherwise the endpoint's private DNS or the public service answers (:func:`vpclint.path.dns.resolve`).

The names: ``api.ecr.<region>.<domain>`` (``registry_api``), ``<account>.dkr.ecr.<region>.<domain>`` (``registry``,
the VPC owner's registry) and ``prod-<region>-starport-layer-bucket.s3.<region>.<domain>`` (``layers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from vpclint.path.dns import DnsAnswer, endpoint_answer, resolver_answer
from vpclint.path.hubindex import HubIndex, dns_name
from vpclint.snapshot import Vpc, VpcEndpoint
from vpclint.snapshot_hub import HostedZone, ResolverRule, ResourceRecordSet

if TYPE_CHECKING:
    from vpclint.path.index import RegionIndex

DOMAINS = {"aws-cn": "amazonaws.com.cn"}
"""The service domain of a partition, when it is not ``amazonaws.com``."""
ANSWER_TYPES = ("A", "AAAA", "CNAME")
"""Record types that answer an HTTPS client's address query."""


def covers(zone: str, name: str) -> bool:
    """True when the domain ``zone`` (normalised, ``""`` for the root) holds ``name`` (normalised)."""
    return not zone or name == zone or name.endswith("." + zone)


def depth(name: str) -> int:
    """The number of labels of a normalised name (0 for the root)."""
    return len(name.split(".")) if name else 0


def best_zone(zones: Iterable[HostedZone], name: str) -> Optional[HostedZone]:
    """The most specific zone holding ``name`` (the lowest id on a tie), or None."""
    found = [z for z in zones if covers(dns_name(z.name), name)]
    return min(found, key=lambda z: (-depth(dns_name(z.name)), z.hosted_zone_id), default=None)


def best_rule(rules: Iterable[ResolverRule], name: str) -> Optional[ResolverRule]:
    """The most specific Resolver rule whose domain holds ``name`` (a FORWARD rule on a tie, then the lowest id)."""
    found = [r for r in rules if covers(dns_name(r.domain_name), name)]
    return min(found, key=lambda r: (-depth(dns_name(r.domain_name)), r.rule_type != "FORWARD", r.resolver_rule_id),
               default=None)


def lookup(zone: str, records: Iterable[ResourceRecordSet], name: str) -> list[ResourceRecordSet]:
    """The record sets of the zone that answer an address query for ``name``: those named ``name``; else, when
    ``name`` does not exist in the zone, those of the wildcard ``*.<closest encloser>``. Empty: no answer."""
    answering = [r for r in records if r.type.upper() in ANSWER_TYPES]
    owners = {dns_name(r.name) for r in records} | {zone}

    def exists(node: str) -> bool:
        return any(owner == node or owner.endswith("." + node) for owner in owners)

    if exists(name):
        return [r for r in answering if dns_name(r.name) == name]
    node = name
    while node != zone:
        node = node.partition(".")[2]
        if exists(node):
            wildcard = f"*.{node}" if node else "*"
            return [r for r in answering if dns_name(r.name) == wildcard]
    return []


def service_names(index: "RegionIndex", vpc: Vpc) -> dict[str, str]:
    """The name each flow resolves in the VPC's region, by service (``ecr.api``, ``ecr.dkr``, ``s3``)."""
    domain = DOMAINS.get(index.partition, "amazonaws.com")
    region = index.region
    return {
        "ecr.api": f"api.ecr.{region}.{domain}",
        "ecr.dkr": f"{vpc.owner_id or index.account_id}.dkr.ecr.{region}.{domain}",
        "s3": f"prod-{region}-starport-layer-bucket.s3.{region}.{domain}",
    }


def private_dns_zone(index: "RegionIndex", service: str) -> str:
    """The name of the zone an interface endpoint's private DNS answers for (its wildcard answers registries)."""
    return f"{'api' if service == 'ecr.api' else 'dkr'}.ecr.{index.region}.{DOMAINS.get(index.partition, 'amazonaws.com')}"


def local_endpoints(index: "RegionIndex", vpc: Vpc, service: str) -> list[VpcEndpoint]:
    """The VPC's live interface endpoints of ``service`` for its own region."""
    return [
        e for e in index.live_endpoints(vpc.vpc_id)
        if e.service == service and e.service_region == index.region and e.vpc_endpoint_type == "Interface"
    ]


def service_label(index: "RegionIndex", service: str) -> str:
    """How reasons name a registry service: ``api.ecr.<region>`` or ``dkr.ecr.<region>``."""
    return f"{'api' if service == 'ecr.api' else 'dkr'}.ecr.{index.region}"


def flow_answer(index: "RegionIndex", vpc: Vpc, service: str) -> DnsAnswer:
    """Where the name of ``service`` resolves for the VPC's workloads (:func:`resolve_service`), decided once per
    VPC and service for every flow that asks (kept for the region: the view reads the same answers)."""
    return index.keep(("resolve", vpc.vpc_id, service),
                          lambda: resolve_service(index, vpc, service, service_label(index, service)))


def resolve_service(index: "RegionIndex", vpc: Vpc, service: str, what: str) -> DnsAnswer:
    """Where the name of ``service`` (``ecr.api``, ``ecr.dkr``) resolves for the VPC's workloads; ``what`` names
    the service in reasons."""
    name = service_names(index, vpc)[service]
    endpoints = local_endpoints(index, vpc, service)
    servers = index.dns_servers.get(vpc.vpc_id)
    answer = resolver_answer(vpc, servers, what)
    if answer is not None:
        return answer
    private = [e for e in endpoints if e.private_dns_enabled] if vpc.enable_dns_hostnames is not False else []
    decided = _zones_and_rules(index, vpc, name, depth(private_dns_zone(index, service)) if private else -1)
    if decided is None:
        return endpoint_answer(vpc, endpoints, what)  # resolve() without asking the resolver settings again
    if decided.kind != "endpoint" or decided.endpoint is None:
        return decided
    found = decided.endpoint
    if found.service != service or found.vpc_endpoint_type != "Interface":
        return DnsAnswer("none", f"{decided.reason}, an endpoint of {found.service or found.service_name}, not {service}",
                         zone_id=decided.zone_id)
    return decided


def resolve_layers(index: "RegionIndex", vpc: Vpc, dualstack: bool = False) -> DnsAnswer:
    """Where the layer bucket's name resolves (its dual-stack name ``...s3.dualstack.<region>...`` for an IPv6
    client): ``public`` unless a zone or rule decides it. An answer from a zone is ``unknown``: the layers are
    modelled only through S3's public addresses (the gateway endpoint's route)."""
    name = service_names(index, vpc)["s3"]
    if dualstack:
        name = name.replace(f".s3.{index.region}.", f".s3.dualstack.{index.region}.", 1)
    servers = index.dns_servers.get(vpc.vpc_id)
    answer = resolver_answer(vpc, servers, f"s3.{index.region}.amazonaws.com")
    if answer is not None:
        return answer
    decided = _zones_and_rules(index, vpc, name, -1)
    if decided is None:
        return DnsAnswer("public", f"{name} resolves to S3's public addresses")
    if decided.kind == "endpoint":
        return DnsAnswer("unknown", f"{decided.reason}: the layers then don't take S3's public addresses, which "
                                    "vpclint models", zone_id=decided.zone_id)
    return decided


def _zones_and_rules(index: "RegionIndex", vpc: Vpc, name: str, private_depth: int) -> Optional[DnsAnswer]:
    """The answer a Resolver rule or private hosted zone gives for ``name``, or None when neither decides it
    (``private_depth``: the depth of the endpoint private-DNS zone holding the name, -1 for none)."""
    hub: Optional[HubIndex] = index.hub
    if hub is None:
        return None
    if hub.zones_unread(vpc.vpc_id):
        return DnsAnswer("unknown", f"the private hosted zones of {vpc.vpc_id} could not be read")
    if hub.rules_failed:
        return DnsAnswer("unknown", f"the Resolver rules of {index.region} could not be read")
    if hub.profiles_failed:
        return DnsAnswer("unknown", f"the Route 53 Profile associations of {index.region} could not be read")
    if hub.doubts.get(vpc.vpc_id):
        doubt = hub.doubts[vpc.vpc_id][0]
        owner = _owner_reason(index, [doubt.owner])
        if not owner and doubt.owner and doubt.owner != (vpc.owner_id or index.account_id):
            owner = (f": its owner, account {doubt.owner}, was scanned, but vpclint reads what a Profile carries only "
                     "for the VPCs associated with it, and none of that account's is")
        return DnsAnswer("unknown", f"{doubt.reason}{owner}")
    zones, rules = hub.zones_by_vpc.get(vpc.vpc_id), hub.rules_by_vpc.get(vpc.vpc_id)
    if not zones and not rules:  # neither decides: the endpoint's private DNS or the public service answers
        return None
    zone = best_zone(zones or [], name)
    rule = best_rule(rules or [], name)
    zone_depth = depth(dns_name(zone.name)) if zone else -1
    if rule is not None and rule.rule_type == "FORWARD" and depth(dns_name(rule.domain_name)) >= max(zone_depth, private_depth):
        targets = ", ".join(t.ip or t.ipv6 or "?" for t in rule.target_ips) or "no target"
        return DnsAnswer("unknown", f"Resolver rule {rule.resolver_rule_id} forwards {dns_name(rule.domain_name) or '.'} "
                                    f"to {targets}: what those servers answer for {name} is not known",
                         rule_id=rule.resolver_rule_id)
    if zone is None or zone_depth < private_depth:
        return None
    if zone_depth == private_depth and zone.hosted_zone_id in hub.carried_zone_ids.get(vpc.vpc_id, ()):
        return DnsAnswer("unknown", f"zone {zone.hosted_zone_id} ({dns_name(zone.name)}), which the Route 53 Profile of "
                                    f"{vpc.vpc_id} carries, and the private DNS of its own endpoint both answer {name}: "
                                    "AWS gives a VPC's own association precedence over its Profile's for the same domain, "
                                    "but does not say whether an endpoint's private DNS counts as one",
                         zone_id=zone.hosted_zone_id)
    return _zone_answer(index, vpc, zone, name)


def _zone_answer(index: "RegionIndex", vpc: Vpc, zone: HostedZone, name: str) -> DnsAnswer:
    """What the zone answers for ``name``."""
    hub = index.hub
    assert hub is not None
    through = ", through its Route 53 Profile" if zone.hosted_zone_id in hub.carried_zone_ids.get(vpc.vpc_id, ()) else ""
    label = f"zone {zone.hosted_zone_id} ({dns_name(zone.name)}{through})"
    if vpc.enable_dns_hostnames is not True:
        state = "could not be read" if vpc.enable_dns_hostnames is None else "is off"
        return DnsAnswer("unknown", f"{label} needs enableDnsHostnames, which {state} in {vpc.vpc_id}", zone_id=zone.hosted_zone_id)
    if not zone.records_read:
        owner = _owner_reason(index, [zone.owner_account])
        if not owner and zone.owner_account and zone.owner_account != (vpc.owner_id or index.account_id):
            owner = (f": its owner, account {zone.owner_account}, was scanned but lists it for none of its VPCs with a "
                     "private subnet in the region, and only the owner can read a zone's records")
        return DnsAnswer("unknown", f"the records of {label} were not read{owner}", zone_id=zone.hosted_zone_id)
    records = lookup(dns_name(zone.name), zone.record_sets, name)
    if not records:
        return DnsAnswer("none", f"{label} has no record for {name}: the name does not resolve in {vpc.vpc_id}",
                         zone_id=zone.hosted_zone_id)
    found: dict[str, VpcEndpoint] = {}
    for target in sorted({t for r in records for t in record_targets(r)}):
        endpoint = hub.endpoints_by_name.get(target) or hub.endpoints_by_address.get(target)
        if endpoint is not None:
            found[endpoint.vpc_endpoint_id] = endpoint
        elif target.startswith("vpce-"):
            endpoint_id = "-".join(target.split(".")[0].split("-")[:2])
            accounts = _foreign_accounts(index, vpc.vpc_id, zone)
            return DnsAnswer("unknown", f"{label} answers {name} with {target}, an endpoint not in the snapshot"
                                        f"{_owner_reason(index, accounts) or ' (another region, or deleted?)'}",
                             zone_id=zone.hosted_zone_id, target=endpoint_id)
        else:
            return DnsAnswer("unknown", f"{label} answers {name} with {target}: not an interface endpoint vpclint can "
                                        "follow", zone_id=zone.hosted_zone_id)
    if len(found) != 1:
        ids = ", ".join(sorted(found))
        return DnsAnswer("unknown", f"{label} answers {name} with several endpoints ({ids})", zone_id=zone.hosted_zone_id)
    endpoint = next(iter(found.values()))
    where = "" if endpoint.vpc_id == vpc.vpc_id else f" in {endpoint.vpc_id}"
    return DnsAnswer("endpoint", f"{name} resolves to {endpoint.vpc_endpoint_id}{where} ({label})", endpoint,
                     zone_id=zone.hosted_zone_id)


def record_targets(record: ResourceRecordSet) -> list[str]:
    """What a record answers with: its alias target's name, its CNAME's name or its addresses (normalised)."""
    if record.alias_dns_name:
        return [dns_name(record.alias_dns_name)]
    return [dns_name(v) if record.type.upper() == "CNAME" else v.strip() for v in record.values]


def _foreign_accounts(index: "RegionIndex", vpc_id: str, zone: HostedZone) -> list[Optional[str]]:
    """Accounts not scanned that may hold an endpoint a zone names: the zone's owner, the owners of VPCs attached
    to the VPC's transit gateways and of its peers."""
    hub = index.hub
    assert hub is not None
    gateways = {a.transit_gateway_id for a in hub.vpc_attachments(vpc_id)}
    owners = [zone.owner_account] + [a.vpc_owner_id for a in hub.attachments if a.transit_gateway_id in gateways]
    for peering in hub.peerings.values():
        sides = (peering.requester, peering.accepter)
        owners += [s.owner_id for s in sides if any(o.vpc_id == vpc_id for o in sides) and s.vpc_id != vpc_id]
    return owners


def _owner_reason(index: "RegionIndex", accounts: Iterable[Optional[str]]) -> str:
    """``: in account N: scan that account`` for the accounts not scanned (empty when all are)."""
    missing = sorted({a for a in accounts if a and not index.scanned(a)})
    if not missing:
        return ""
    return f": in account {missing[0]}: scan that account" if len(missing) == 1 else \
        f": in one of accounts {', '.join(missing)}: scan them"
