"""Condition blocks of IAM policy statements, decided where the request context is known.

A statement's conditions all have to hold (operator blocks and keys are ANDed; a key's values are ORed, and the
negated operators hold when no value matches). A condition is *decided* when its key is in the known context
(keys compare in lower case, as IAM's do) and its operator is one of :data:`OPERATORS`, optionally with a
``ForAnyValue:``/``ForAllValues:`` prefix or the ``IfExists`` suffix, or ``Null``. A known key holds one value and
is present in every request, so for it the prefixes and the suffix change nothing.

A key known to be *absent* (:func:`absent_keys`: ``aws:SourceIp`` in a request through a VPC endpoint) decides
every IAM operator at once: a missing key matches no value, so the condition is false, except that it is true for
the negated operators (those with ``Not`` in the name), the ``IfExists`` ones, ``ForAllValues:`` (no value fails
it) and ``Null`` with ``true``. Every other condition depends on the request and is left open; so is one whose
value holds a policy variable (Version 2012-10-17), on a key present in the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from vpclint.policy_match import Token, covers_tokens, fold, tokens, variables_of

Matcher = Callable[[tuple[Token, ...], str], bool]


def _equals(pattern: tuple[Token, ...], value: str) -> bool:
    return pattern == tokens(value, wildcards=False)


def _equals_ignore_case(pattern: tuple[Token, ...], value: str) -> bool:
    return fold(pattern) == fold(tokens(value, wildcards=False))


def _like(pattern: tuple[Token, ...], value: str) -> bool:
    return covers_tokens(pattern, tokens(value, wildcards=False))


def _arn_like(pattern: tuple[Token, ...], value: str) -> bool:
    """Each of the six colon-separated parts of the ARN is matched on its own."""
    parts: list[list[Token]] = [[]]
    for token in pattern:
        if token == ":" and len(parts) < 6:
            parts.append([])
        else:
            parts[-1].append(token)
    values = value.split(":", 5)
    return len(parts) == len(values) == 6 and all(_like(tuple(p), v) for p, v in zip(parts, values))


# operator -> (reads wildcards, matcher, negated)
OPERATORS: dict[str, tuple[bool, Matcher, bool]] = {
    "StringEquals": (False, _equals, False),
    "StringNotEquals": (False, _equals, True),
    "StringEqualsIgnoreCase": (False, _equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (False, _equals_ignore_case, True),
    "StringLike": (True, _like, False),
    "StringNotLike": (True, _like, True),
    "ArnEquals": (True, _arn_like, False),
    "ArnLike": (True, _arn_like, False),
    "ArnNotEquals": (True, _arn_like, True),
    "ArnNotLike": (True, _arn_like, True),
}


IAM_OPERATORS = frozenset({
    *OPERATORS, "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
    *(f"{kind}{test}" for kind in ("Numeric", "Date")
      for test in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")),
})
"""Every IAM condition operator but ``Null``, without prefix or ``IfExists``; a negated one has ``Not`` in its name."""
ABSENT_THROUGH_ENDPOINTS = ("aws:sourceip",)
"""Keys no request through a VPC endpoint has: AWS includes ``aws:SourceIp`` in every request except those that
use a VPC endpoint (a request with a known ``aws:SourceVpce`` does)."""


@dataclass(frozen=True)
class Condition:
    """One key of one operator block; ``values`` is None when they are not strings, numbers or booleans."""

    operator: str
    key: str
    values: Optional[tuple[str, ...]]


@dataclass(frozen=True)
class Outcome:
    """What the known context leaves of a statement's conditions: the open keys and the variables they use."""

    open_keys: tuple[str, ...]
    variables: tuple[str, ...]


def _text(value: Any) -> Optional[str]:
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, (bool, int, float)) else None


def parse_conditions(block: dict) -> tuple[Condition, ...]:
    """The conditions of a validated ``Condition`` object, in document order."""
    found = []
    for operator, keys in block.items():
        for key, raw in keys.items():
            texts = [_text(v) for v in (raw if isinstance(raw, list) else [raw])]
            values = tuple(t for t in texts if t is not None) if texts and None not in texts else None
            found.append(Condition(operator, key, values))
    return tuple(found)


def _variables(condition: Condition, substitutes: bool) -> tuple[str, ...]:
    if not substitutes or condition.values is None:
        return ()
    return tuple(dict.fromkeys(name for v in condition.values for name in variables_of(tokens(v, variables=True))))


def _operator_parts(operator: str) -> tuple[str, str, bool]:
    """An operator's set prefix (``ForAnyValue``, ``ForAllValues`` or ""), its base operator and whether it ends
    in ``IfExists``; any other prefix stays in the base, which then names no operator."""
    prefix, base = operator.split(":", 1) if operator.startswith(("ForAnyValue:", "ForAllValues:")) else ("", operator)
    if_exists = base.endswith("IfExists")
    return prefix, base[: -len("IfExists")] if if_exists else base, if_exists


def _holds(condition: Condition, value: str, substitutes: bool) -> Optional[bool]:
    """Whether the condition holds for a key known to have ``value``; None when that is still open."""
    _, operator, _ = _operator_parts(condition.operator)
    if condition.values is None or not (operator in OPERATORS or condition.operator == "Null"):
        return None
    if condition.operator == "Null":
        return "false" in (v.lower() for v in condition.values)
    wildcards, matcher, negated = OPERATORS[operator]
    return any(matcher(tokens(v, wildcards, substitutes), value) for v in condition.values) != negated


def _holds_absent(condition: Condition) -> Optional[bool]:
    """Whether the condition holds for a key the request does not have; None for an operator IAM does not have."""
    if condition.operator == "Null":
        return None if condition.values is None else "true" in (v.lower() for v in condition.values)
    prefix, operator, if_exists = _operator_parts(condition.operator)
    if operator not in IAM_OPERATORS:
        return None
    if if_exists or prefix == "ForAllValues":
        return True
    return prefix == "" and "Not" in operator


def absent_keys(known: Mapping[str, str]) -> frozenset[str]:
    """The keys (lower case) the request surely lacks, given the known context (lower-case keys): those of
    :data:`ABSENT_THROUGH_ENDPOINTS` when ``aws:SourceVpce`` is known, unless the context gives them a value."""
    if "aws:sourcevpce" not in known:
        return frozenset()
    return frozenset(k for k in ABSENT_THROUGH_ENDPOINTS if k not in known)


def judge(conditions: tuple[Condition, ...], context: Mapping[str, Any], substitutes: bool) -> Optional[Outcome]:
    """None when a decided condition is false (the statement never applies); else the open keys and variables.

    ``context`` maps condition keys (any case) to the value every request has; values that are not strings are
    unknown. Keys the request surely lacks (:func:`absent_keys`) are decided too. ``substitutes``: the policy's
    Version reads policy variables, which leave their condition open.
    """
    known = {key.lower(): value for key, value in context.items() if isinstance(value, str)}
    absent = absent_keys(known)
    open_keys: set[str] = set()
    variables: list[str] = []
    for condition in conditions:
        found = _variables(condition, substitutes)
        key = condition.key.lower()
        if key in absent:
            held = _holds_absent(condition)
        else:
            held = _holds(condition, known[key], substitutes) if key in known and not found else None
        if held is False:
            return None
        if held is None:
            open_keys.add(condition.key)
            variables += found
    return Outcome(tuple(sorted(open_keys)), tuple(dict.fromkeys(variables)))
