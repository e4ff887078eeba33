"""Custom JMESPath functions the rules may call, for logic a query language can't say cleanly.

Each function is a documented, tested method named ``_func_<name>``; jmespath registers them by that prefix.
:func:`rule_options` builds the options a rule evaluation uses. New functions go here, with a test in
``tests/test_functions.py`` and a line in ``docs/rules.md``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import jmespath
from jmespath import functions
from jmespath.exceptions import JMESPathTypeError
from jmespath.parser import ParsedResult
from jmespath.visitor import TreeInterpreter

from vpclint.policy import Decision, evaluate as evaluate_policy
from vpclint.reachability import Network, https_coverage, network_contains, parse_network


def cidr_within(inner: Optional[str], outer: Optional[str]) -> bool:
    """True when network ``inner`` lies inside network ``outer`` (same IP version); False for null or junk."""
    return network_contains(parse_network(outer), parse_network(inner))


_OPTIONAL_TEXT = (str, type(None))
_SUBNET_FIELDS = {"subnet_id": (str,), "cidr_block": _OPTIONAL_TEXT, "ipv6_cidr_blocks": (list, type(None))}
_RULE_FIELDS = {"cidr_ipv4": _OPTIONAL_TEXT, "cidr_ipv6": _OPTIONAL_TEXT, "from_port": (int, type(None)),
                "to_port": (int, type(None))}


def _has_shape(item: Any, fields: dict[str, tuple[type, ...]]) -> bool:
    return isinstance(item, dict) and all(isinstance(item.get(k), kinds) for k, kinds in fields.items())


def _check_coverage_args(group_ids: list, subnets: list, groups: dict) -> None:
    """``https_coverage``'s arguments have the view's shapes (a custom rule may pass anything); else a
    ``JMESPathTypeError`` naming the argument, which the rule reports with its file and field."""
    def fail(name: str, wanted: str) -> None:
        raise JMESPathTypeError("https_coverage", name, "invalid", [wanted])

    if not all(isinstance(g, str) for g in group_ids):
        fail("group_ids", "an array of group ids")
    for subnet in subnets:
        if not _has_shape(subnet, _SUBNET_FIELDS) or not all(isinstance(c, str) for c in subnet.get("ipv6_cidr_blocks") or []):
            fail("subnets", "an array of subnet objects (subnet_id, cidr_block, ipv6_cidr_blocks)")
    for group in groups.values():
        ingress = group.get("ingress") if isinstance(group, dict) else "not a group"
        if not isinstance(ingress, (list, type(None))) or not all(_has_shape(r, _RULE_FIELDS) for r in ingress or []):
            fail("groups", "an object of security groups whose ingress rules are objects")


class RuleFunctions(functions.Functions):
    """The function registry for rule expressions; one instance per evaluation (it caches parsed CIDRs,
    coverages and policy decisions)."""

    def __init__(self) -> None:
        self._networks: dict[Optional[str], Network] = {}
        self._coverage: dict[tuple, tuple[list, dict, dict]] = {}
        self._decisions: dict[tuple, tuple[Any, dict]] = {}

    def _network(self, cidr: Optional[str]) -> Network:
        """``parse_network`` with a per-evaluation cache: the same CIDRs recur across many subnets and rules."""
        if cidr not in self._networks:
            self._networks[cidr] = parse_network(cidr)
        return self._networks[cidr]

    @functions.signature({"types": ["array"]}, {"types": ["array"]}, {"types": ["object"]})
    def _func_https_coverage(self, group_ids: list, subnets: list, groups: dict) -> dict:
        """``https_coverage(group_ids, vpc.private_subnets, vpc.security_groups)``: which subnets may reach TCP 443.

        An empty ``group_ids`` means the VPC's default security group. Returns ``uncovered`` (subnet ids),
        per-subnet ``subnets`` with ``allowed_by`` (group, ``via`` cidr/security_group/prefix_list, source),
        ``groups_checked``, ``default_group_used``, ``groups_not_found`` and ``rules_checked``
        (see :mod:`vpclint.reachability`).
        """
        _check_coverage_args(group_ids, subnets, groups)
        # A rule asks several times per item (condition, message, evidence); the view's lists are shared and
        # immutable during an evaluation, so identity is a safe key while the cache holds them alive.
        key = (tuple(group_ids), id(subnets), id(groups))
        if key not in self._coverage:
            self._coverage[key] = (subnets, groups, https_coverage(group_ids, subnets, groups, self._network))
        return self._coverage[key][2]

    @functions.signature({"types": ["array-string"]}, {"types": ["array-string"]})
    def _func_difference(self, items: list, remove: list) -> list:
        """``difference(vpc.private_azs, availability_zones)``: the strings of the first list not in the second, in order."""
        unwanted = set(remove)
        return [item for item in items if item not in unwanted]

    @functions.signature({"types": ["string", "null"]})
    def _func_lower(self, text: Optional[str]) -> Optional[str]:
        """``lower(state)``: the text in lowercase; null stays null."""
        return text.lower() if text is not None else None

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

    @functions.signature(
        {"types": []}, {"types": ["string", "null"]}, {"types": ["array-string"]}, {"types": ["string"], "variadic": True}
    )
    def _func_policy_decision(
        self, policy: Any, policy_error: Optional[str], actions: list, resource: str, *context: Any
    ) -> dict:
        """``policy_decision(policy, policy_error, ['s3:GetObject'], 'arn:aws:s3:::bucket/*')``: may any caller do it?

        Evaluates an endpoint's policy (null: the full-access default) with :func:`vpclint.policy.evaluate`.
        Returns ``verdict`` (``allowed``, ``denied``, ``conditional`` or ``malformed``), ``reason``,
        ``deciding_statements`` (``index``, ``sid``, ``effect``, ``statement``), ``condition_keys``,
        ``principals``, ``policy_variables``, ``denied_actions`` and ``conditional_actions``. A ``policy_error``
        (the document was not valid JSON) gives ``malformed``. The resource may be a pattern (every resource it
        matches); ``*`` is literal. An optional fifth argument, an object such as
        ``{"aws:SourceVpce": vpc_endpoint_id, "aws:SourceVpc": vpc_id}``, gives condition keys whose value every
        request has; conditions on them are then decided (null values are unknown), and with ``aws:SourceVpce``
        known, those on ``aws:SourceIp``, which no request through an endpoint has.
        """
        if len(context) > 1:
            raise jmespath.exceptions.ArityError(5, 4 + len(context), "policy_decision")
        if context and not isinstance(context[0], (dict, type(None))):
            raise jmespath.exceptions.JMESPathTypeError("policy_decision", context[0], type(context[0]).__name__, ["object"])
        # The default policy (None) decides alike whatever the context: its many endpoints share one decision.
        known = {k: v for k, v in (context[0] or {}).items() if isinstance(v, str)} if context and policy is not None else {}
        # Asked per field of a rule and by several rules; like https_coverage, keyed by the policy's identity.
        key = (id(policy), policy_error, tuple(actions), resource, tuple(sorted(known.items())))
        if key not in self._decisions:
            if policy_error:
                decision = Decision("malformed", f"the endpoint policy is malformed: {policy_error}")
            else:
                decision = evaluate_policy(policy, actions, resource, known)
            self._decisions[key] = (policy, decision.to_dict())
        return self._decisions[key][1]


class RuleOptions(jmespath.Options):
    """JMESPath options with the rule functions, one interpreter and the expressions compiled to programs
    (:func:`vpclint.compiled.to_program`), reused for every search of an evaluation."""

    def __init__(self) -> None:
        super().__init__(custom_functions=RuleFunctions())
        # Its own plain options, not self: without a reference cycle the evaluation's state (programs, caches)
        # is freed as soon as the evaluation drops it, not at the next full garbage collection.
        self.interpreter = TreeInterpreter(jmespath.Options(custom_functions=self.custom_functions))
        self.programs: dict[ParsedResult, Callable[[Any], Any]] = {}


def rule_options() -> jmespath.Options:
    """JMESPath options with the rule functions registered; one per evaluation, never shared globally."""
    return RuleOptions()
