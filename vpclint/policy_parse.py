"""Parsing and validation of IAM policy documents for the endpoint-policy evaluator (:mod:`vpclint.policy`): a
policy (a dict or its JSON text) becomes its list of :class:`Statement`, or :class:`PolicyError` says where and why
it is not a valid policy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from vpclint.documents import json_error
from vpclint.policy_conditions import Condition, parse_conditions

EVERYONE = "*"
VERSIONS = ("2012-10-17", "2008-10-17")
POLICY_KEYS = ("Version", "Id", "Statement")
STATEMENT_KEYS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


class PolicyError(ValueError):
    """The policy document is not a valid IAM policy; the message says where and why."""


@dataclass(frozen=True)
class Statement:
    """One validated statement. Absent elements are ``None``; present ones are normalised to lists."""

    index: int
    sid: Optional[str]
    effect: str
    actions: Optional[list[str]]
    not_actions: Optional[list[str]]
    resources: Optional[list[str]]
    not_resources: Optional[list[str]]
    principals: Optional[list[str]]  # "*" for everyone, else "AWS:arn:..." / "Service:..." entries
    not_principals: Optional[list[str]]
    conditions: tuple[Condition, ...]
    substitutes: bool  # Version 2012-10-17: policy variables take the request's values
    raw: dict


def _string_list(value: Any, where: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"{where} must be a string or a non-empty list of strings")
    return list(values)


def _principals(value: Any, where: str) -> list[str]:
    if value == EVERYONE:
        return [EVERYONE]
    if not isinstance(value, dict) or not value:
        raise PolicyError(f'{where} must be "*" or an object such as {{"AWS": [...]}}')
    found = []
    for kind, names in value.items():
        if kind not in PRINCIPAL_TYPES:
            raise PolicyError(f"{where}: unknown principal type {kind!r} (expected one of {', '.join(PRINCIPAL_TYPES)})")
        for name in _string_list(names, f"{where}.{kind}"):
            found.append(EVERYONE if (kind == "AWS" and name == EVERYONE) else f"{kind}:{name}")
    return [EVERYONE] if EVERYONE in found else sorted(set(found))


def _conditions(value: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(value, dict) or not all(isinstance(block, dict) for block in value.values()):
        raise PolicyError(f"{where} must be an object of operator -> {{key: value}}")
    return parse_conditions(value)


def _exactly_one(raw: dict, a: str, b: str, where: str) -> None:
    if a in raw and b in raw:
        raise PolicyError(f"{where} has both {a} and {b}")
    if a not in raw and b not in raw:
        raise PolicyError(f"{where} has neither {a} nor {b}")


def _statement(index: int, raw: Any, substitutes: bool) -> Statement:
    where = f"statement {index}"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} is not an object")
    unknown = sorted(set(raw) - set(STATEMENT_KEYS))
    if unknown:
        raise PolicyError(f"{where} has unknown element(s) {', '.join(unknown)}")
    if raw.get("Effect") not in ("Allow", "Deny"):
        raise PolicyError(f"{where}: Effect must be 'Allow' or 'Deny', got {raw.get('Effect')!r}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}: Sid must be a string")
    for a, b in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        _exactly_one(raw, a, b, where)

    def strings(key: str) -> Optional[list[str]]:
        return _string_list(raw[key], f"{where}: {key}") if key in raw else None

    def principals(key: str) -> Optional[list[str]]:
        return _principals(raw[key], f"{where}: {key}") if key in raw else None

    return Statement(
        index=index,
        sid=sid,
        effect=raw["Effect"],
        actions=strings("Action"),
        not_actions=strings("NotAction"),
        resources=strings("Resource"),
        not_resources=strings("NotResource"),
        principals=principals("Principal"),
        not_principals=principals("NotPrincipal"),
        conditions=_conditions(raw["Condition"], f"{where}: Condition") if "Condition" in raw else (),
        substitutes=substitutes,
        raw=raw,
    )


def parse_policy(policy: Any) -> list[Statement]:
    """Validate a policy (a dict or its JSON text) and return its statements; raises :class:`PolicyError`."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError as exc:
            raise PolicyError(json_error(exc)) from None
    if not isinstance(policy, dict):
        raise PolicyError(f"the policy must be a JSON object, got {type(policy).__name__}")
    unknown = sorted(set(policy) - set(POLICY_KEYS))
    if unknown:
        raise PolicyError(f"unknown top-level element(s) {', '.join(unknown)}")
    if "Version" in policy and policy["Version"] not in VERSIONS:
        raise PolicyError(f"Version must be one of {', '.join(VERSIONS)}, got {policy['Version']!r}")
    if "Statement" not in policy:
        raise PolicyError("the policy has no Statement")
    statements = policy["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyError("Statement must be an object or a list of objects")
    substitutes = policy.get("Version") == "2012-10-17"
    return [_statement(index, raw, substitutes) for index, raw in enumerate(statements)]
