"""Route 53 Profiles: the Profiles associated with the region's VPCs and the DNS resources each carries to them
(private hosted zones, Resolver rules, interface endpoints, DNS Firewall rule groups, query logging).

A Profile is regional and often owned by a hub account that shares it through RAM; a VPC has at most one. Per
region: one paginated ``ListProfileAssociations`` (the account's associations; those of the region's VPCs are kept),
then one paginated ``ListProfileResourceAssociations`` per Profile associated with a VPC (a consumer of a shared
Profile may list its resources). Response shapes: botocore's ``route53profiles`` model and the AWS CLI examples
(``list-profile-associations``, ``list-profile-resource-associations``). The zones and rules found here are read like
the others by :mod:`vpclint.collect.route53`. A failed association listing is an error of the ``route53_profiles``
source (every VPC's DNS is then unknown); a Profile whose resources can't be listed is kept with ``resources_read``
False and an error (the DNS of its VPCs is then unknown).
"""

from __future__ import annotations

from typing import Any, Optional

from vpclint.collect.items import ItemReader, attempt, paginate
from vpclint.snapshot import RegionSnapshot
from vpclint.snapshot_hub import ProfileResource, ProfileVpcAssociation, Route53Profile

ASSOCIATIONS_API = "route53profiles:ListProfileAssociations"
RESOURCES_API = "route53profiles:ListProfileResourceAssociations"
ARN_KINDS = (
    # (service, resource type in the ARN, kind)
    ("route53", "hostedzone", "hosted_zone"),
    ("route53resolver", "resolver-rule", "resolver_rule"),
    ("route53resolver", "firewall-rule-group", "firewall_rule_group"),
    ("route53resolver", "resolver-query-log-config", "query_log_config"),
    ("ec2", "vpc-endpoint", "vpc_endpoint"),
)
"""What a resource association's ARN names; anything else is ``other``."""

def arn_kind(arn: str) -> tuple[str, Optional[str]]:
    """``(kind, id)`` of a resource ARN, e.g. ``("hosted_zone", "Z0123")`` for ``arn:aws:route53:::hostedzone/Z0123``."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "other", None
    service, resource = parts[2], parts[5]
    resource_type, _, resource_id = resource.partition("/")
    for known_service, known_type, kind in ARN_KINDS:
        if service == known_service and resource_type == known_type and resource_id:
            return kind, resource_id
    return "other", resource_id or None


def vpc_association(raw: dict) -> ProfileVpcAssociation:
    """One ListProfileAssociations item."""
    return ProfileVpcAssociation(vpc_id=raw["ResourceId"], association_id=raw.get("Id"), owner_id=raw.get("OwnerId"),
                                 status=raw.get("Status"))


def profile_resource(raw: dict) -> ProfileResource:
    """One ListProfileResourceAssociations item."""
    kind, resource_id = arn_kind(raw["ResourceArn"])
    return ProfileResource(
        resource_arn=raw["ResourceArn"], kind=kind, resource_id=resource_id, resource_type=raw.get("ResourceType"),
        association_id=raw.get("Id"), name=raw.get("Name"), owner_id=raw.get("OwnerId"), status=raw.get("Status"),
        properties=raw.get("ResourceProperties"))


def read_profiles(client: Any, result: RegionSnapshot) -> None:
    """Add the Profiles associated with the region's VPCs to ``result`` (a ``route53profiles`` client of the
    region), with their resources."""
    raws = attempt(result, ASSOCIATIONS_API, lambda: paginate(client, "list_profile_associations", "ProfileAssociations"))
    if raws is None:
        return
    vpcs = {v.vpc_id for v in result.vpcs}
    profiles: dict[str, Route53Profile] = {}
    reader = ItemReader(result.notes, ASSOCIATIONS_API)
    for raw in raws:
        kept = reader.each([raw], vpc_association, "Id")
        if not kept or kept[0].vpc_id not in vpcs:
            continue
        profile_id = str(raw.get("ProfileId") or "")
        if not profile_id:
            reader.note(raw.get("Id") if isinstance(raw.get("Id"), str) else None, "left out: missing 'ProfileId'")
            continue
        profile = profiles.setdefault(profile_id, Route53Profile(profile_id=profile_id))
        profile.vpc_associations.append(kept[0])
    resources = ItemReader(result.notes, RESOURCES_API)
    for profile_id, profile in sorted(profiles.items()):
        profile.vpc_associations.sort(key=lambda a: (a.vpc_id, a.association_id or ""))
        listed = attempt(result, RESOURCES_API, lambda: paginate(
            client, "list_profile_resource_associations", "ProfileResourceAssociations", ProfileId=profile_id))
        if listed is None:
            continue
        profile.resources = sorted(resources.each(listed, profile_resource, "Id"),
                                   key=lambda r: (r.kind, r.resource_id or "", r.resource_arn))
        profile.resources_read = True
        profile.owner_id = next((r.owner_id for r in profile.resources if r.owner_id), None)
    result.route53_profiles = [profiles[k] for k in sorted(profiles)]
    if not any(e.api == RESOURCES_API for e in result.errors):
        result.collected.append("route53_profiles")


def profile_zone_ids(result: RegionSnapshot) -> set[str]:
    """The hosted zones the region's Profiles carry."""
    return {r.resource_id for p in result.route53_profiles for r in p.resources if r.kind == "hosted_zone" and r.resource_id}


def profile_rule_ids(result: RegionSnapshot) -> set[str]:
    """The Resolver rules the region's Profiles carry."""
    return {r.resource_id for p in result.route53_profiles for r in p.resources if r.kind == "resolver_rule" and r.resource_id}
