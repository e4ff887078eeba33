"""Endpoints for another region's service (cross-region PrivateLink), and whether the VPC's own region is
served anyway.

AWS's cross-region PrivateLink lets an interface endpoint reach ``ecr.api``, ``ecr.dkr`` or ``s3`` of another
region (``ServiceRegion`` on the endpoint; https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-cross-region-privatelink-support.html).
Such an endpoint answers the other region's names only: it never serves this region's registry or layer bucket.
Next to this region's own endpoint of the service it is informational; without one, it stands in for nothing.
"""

from __future__ import annotations

from typing import Iterable

from vpclint.snapshot import VpcEndpoint

PULL_ENDPOINT_TYPES = {"ecr.api": "Interface", "ecr.dkr": "Interface", "s3": "Gateway"}
"""The endpoint type that serves each service of a pull in the VPC's own region (ECR layers need an S3 gateway)."""


def local_equivalents(endpoint: VpcEndpoint, endpoints: Iterable[VpcEndpoint], region: str) -> list[str]:
    """For an endpoint of another region's pull service: the sorted ids of the VPC's endpoints that serve the same
    service for ``region`` itself (of the type a pull uses); ``[]`` for any other endpoint."""
    wanted = PULL_ENDPOINT_TYPES.get(endpoint.service or "")
    if wanted is None or endpoint.service_region in (None, region):
        return []
    return sorted(
        e.vpc_endpoint_id for e in endpoints
        if e.vpc_id == endpoint.vpc_id and e.service == endpoint.service and e.service_region == region
        and e.vpc_endpoint_type == wanted
    )
