"""The service models of a collection: botocore's own, each cut to the operations vpclint calls.

botocore gives every client it makes a class of its own, with a method, a docstring and an operation model for
every operation of the service: over 700 for EC2. A collection makes an EC2 client for every account and region,
so over an organization most of vpclint's CPU, and most of what the garbage collector scans, went into methods
never called. A loader (botocore's public ``data_loader`` component) handing out each model of
:data:`CALLED_OPERATIONS` with only those operations makes every client that small; everything else in a model
(shapes, metadata, endpoint rules, paginators) is botocore's, untouched. One loader serves every session of a run,
so each model is read from disk once.
"""

from __future__ import annotations

from typing import Any, Optional

from botocore.loaders import Loader

CALLED_OPERATIONS: dict[str, tuple[str, ...]] = {
    "ec2": (
        "DescribeDhcpOptions", "DescribeInternetGateways", "DescribeManagedPrefixLists", "DescribeNatGateways",
        "DescribeNetworkAcls", "DescribeNetworkInterfaces", "DescribePrefixLists", "DescribeRegions",
        "DescribeRouteTables", "DescribeSecurityGroups", "DescribeSubnets", "DescribeTransitGatewayAttachments",
        "DescribeTransitGatewayRouteTables", "DescribeTransitGatewayVpcAttachments", "DescribeVpcAttribute",
        "DescribeVpcEndpoints", "DescribeVpcPeeringConnections", "DescribeVpcs", "GetManagedPrefixListEntries",
        "SearchTransitGatewayRoutes",
    ),
    "route53": ("ListHostedZones", "ListHostedZonesByVPC", "ListResourceRecordSets"),
    "route53profiles": ("ListProfileAssociations", "ListProfileResourceAssociations"),
    "route53resolver": ("ListResolverRuleAssociations", "ListResolverRules"),
    "sts": ("AssumeRole", "GetCallerIdentity"),
    "cloudwatch": ("GetMetricData",),
    "organizations": ("ListAccounts",),
}
"""Every operation a collection calls, by service (the services not named here keep their whole model)."""


class _SearchPaths(list):
    """A loader's search paths, each once: every boto3 Session given the loader appends boto3's data path again."""

    def append(self, path: Any) -> None:
        if path not in self:
            super().append(path)


class CalledOperationsLoader(Loader):
    """botocore's loader, whose service models of :data:`CALLED_OPERATIONS` list only those operations; shared by
    the sessions of a run, so its search paths keep each path once however many sessions register it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._search_paths = _SearchPaths(self._search_paths)

    def load_service_model(self, service_name: str, type_name: str, api_version: Optional[str] = None) -> Any:
        """The model botocore would load; a ``service-2`` model of a service vpclint calls, cut to its calls."""
        model = super().load_service_model(service_name, type_name, api_version)
        called = CALLED_OPERATIONS.get(service_name)
        if type_name != "service-2" or called is None:
            return model
        return {**model, "operations": {name: model["operations"][name] for name in called}}
