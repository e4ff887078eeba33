"""Custom JMESPath functions the rules may call, for logic a query language can't say cleanly.

Each function is a documented, tested method named ``_func_<name>``; jmespath registers them by that prefix.
:func:`rule_options` builds the options a rule evaluation uses. New functions go here, with a test in
``tests/test_functions.py`` and a line in ``docs/rules.md``.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Optional

import jmespath
from jmespath import functions


def cidr_within(inner: Optional[str], outer: Optional[str]) -> bool:
    """True when network ``inner`` lies inside network ``outer`` (same IP version); False for null or junk."""
    if not inner or not outer:
        return False
    try:
        a, b = ipaddress.ip_network(inner, strict=False), ipaddress.ip_network(outer, strict=False)
    except ValueError:
        return False
    return a.version == b.version and a.subnet_of(b)  # type: ignore[arg-type]


class RuleFunctions(functions.Functions):
    """The function registry for rule expressions."""

    @functions.signature({"types": ["object"]}, {"types": ["string"]}, {"types": ["string", "null"]})
    def _func_endpoints_of(self, vpc: dict, service: str, endpoint_type: Optional[str]) -> list:
        """``endpoints_of(vpc, 'ecr.dkr', 'Interface')``: the VPC's same-region endpoints of a service and type.

        A null type matches every type. Endpoints for another region's service never count.
        """
        found = (vpc.get("endpoints_by_service") or {}).get(service) or []
        return [e for e in found if endpoint_type is None or e.get("vpc_endpoint_type") == endpoint_type]

    @functions.signature({"types": ["string", "null"]}, {"types": ["string", "null"]})
    def _func_cidr_within(self, inner: Optional[str], outer: Optional[str]) -> bool:
        """``cidr_within('10.0.1.0/24', '10.0.0.0/16')``: true when the first network lies inside the second."""
        return cidr_within(inner, outer)


def rule_options() -> jmespath.Options:
    """JMESPath options with the rule functions registered; one per evaluation, never shared globally."""
    return jmespath.Options(custom_functions=RuleFunctions())
