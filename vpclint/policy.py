"""A small IAM evaluator for VPC endpoint policies: may *any* caller perform these actions on this resource?

The question is the one a VPC endpoint asks of its policy when a workload pulls an image: the caller is not
known offline, so the evaluation is for "any principal". Semantics follow IAM's evaluation logic
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

* an explicit ``Deny`` that applies wins; otherwise an ``Allow`` that applies allows; otherwise the request is
  denied by default. A missing policy (``None``) is the endpoint's full-access default and allows everything;
* ``Action``/``NotAction`` patterns match case-insensitively, ``Resource``/``NotResource`` patterns
  case-sensitively; both use ``*`` (any run of characters, ``/`` and ``:`` included) and ``?`` (one character),
  matched without backtracking (:mod:`vpclint.policy_match`);
* policy variables (``${aws:username}``, ``${aws:RequestedRegion}``, any ``${...}``) in ``Resource``,
  ``NotResource`` and condition values take their value from each request, so under ``"Version": "2012-10-17"`` a
  pattern with one matches some requests but not necessarily all: the statement applies only "depending on the
  request's ${...}" (never fully), and not at all when no value of the variable could match. ``${*}``, ``${?}``
  and ``${$}`` are the literal characters ``*``, ``?`` and ``$``. Under ``2008-10-17`` or without a Version, IAM
  does not substitute: ``${...}`` is literal text there;
* the request's resource may itself be a pattern. It then stands for every resource it matches (for example
  ``arn:aws:s3:::bucket/*``: any object of the bucket). A statement whose resource patterns cover all of them
  applies; one that covers only some of them applies only "for resources X". The request resource ``*`` is
  IAM's notation for actions without resource-level permissions (``ecr:GetAuthorizationToken``) and is
  literal: only statement patterns that match the text ``*`` apply to it;
* a statement applies to everyone only when its ``Principal`` is ``"*"`` or ``{"AWS": "*"}``; naming specific
  principals (or excluding some with ``NotPrincipal``) makes it apply only to some callers;
* conditions cannot be evaluated offline unless the caller knows the request context: ``context`` maps condition
  keys to the value every request has (for an endpoint, ``aws:SourceVpce`` and ``aws:SourceVpc``). Conditions on
  those keys with the common string and ARN operators (:mod:`vpclint.policy_conditions`) are decided, and so are
  conditions on ``aws:SourceIp`` when ``aws:SourceVpce`` is known (no request through an endpoint has it): a false
  one means the statement never applies, true ones are no limit. A statement with any other condition applies only
  "when its conditions hold".

Anything that limits a statement to some callers, resources or contexts makes it *partial*. The verdict is
``allowed`` when an unconditional Allow applies and no Deny may apply, ``denied`` when an unconditional Deny
applies or no Allow applies at all, ``conditional`` when the answer depends on what cannot be known offline
(only partial Allows apply, or a partial Deny may apply), and ``malformed`` when the policy is not a valid
policy document (:mod:`vpclint.policy_parse` validates it; :class:`PolicyError` explains why, and :func:`evaluate`
never raises it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from vpclint.policy_conditions import judge
from vpclint.policy_match import covers_tokens, fold, overlaps_tokens, tokens, variables_of, widen
from vpclint.policy_parse import EVERYONE, PolicyError, Statement, parse_policy

__all__ = ["VERDICTS", "Decision", "Limits", "Match", "PolicyError", "Statement", "action_matches", "applies",
           "covers", "decide", "evaluate", "overlaps", "parse_policy"]

VERDICTS = ("allowed", "denied", "conditional", "malformed")


@dataclass(frozen=True)
class Limits:
    """Why a statement applies only partially to a request; all empty means it applies unconditionally."""

    principals: tuple[str, ...] = ()
    except_principals: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    except_resources: tuple[str, ...] = ()
    condition_keys: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()

    @property
    def unconditional(self) -> bool:
        """True when nothing limits the statement: it applies to every caller, resource and context."""
        limits = (self.principals, self.except_principals, self.resources, self.except_resources, self.condition_keys)
        return not any(limits + (self.variables,))

    def describe(self) -> str:
        """``for principals X and when its conditions hold (keys: ...)`` and the like."""
        parts = []
        if self.principals:
            parts.append(f"for principals {', '.join(self.principals)}")
        if self.except_principals:
            parts.append(f"for principals other than {', '.join(self.except_principals)}")
        if self.resources:
            parts.append(f"for resources {', '.join(self.resources)}")
        if self.except_resources:
            parts.append(f"for resources other than {', '.join(self.except_resources)}")
        if self.condition_keys:
            parts.append(f"when its conditions hold (keys: {', '.join(self.condition_keys)})")
        if self.variables:
            parts.append(f"depending on the request's {', '.join(self.variables)}")
        return " and ".join(parts)


@dataclass(frozen=True)
class Match:
    """A statement that applies to a request, fully or within its limits."""

    statement: Statement
    limits: Limits

    def label(self) -> str:
        """``statement 1 (Sid 'NoPull')``."""
        sid = f" (Sid {self.statement.sid!r})" if self.statement.sid else ""
        return f"statement {self.statement.index}{sid}"


@dataclass(frozen=True)
class Decision:
    """The answer for a set of actions on one resource."""

    verdict: str
    reason: str
    deciding: tuple[Match, ...] = ()
    denied_actions: tuple[str, ...] = ()
    conditional_actions: tuple[str, ...] = ()

    @property
    def condition_keys(self) -> list[str]:
        """The condition keys of the deciding statements, sorted."""
        return sorted({key for m in self.deciding for key in m.limits.condition_keys})

    @property
    def principals(self) -> list[str]:
        """The principals the deciding statements name or exclude, sorted."""
        return sorted({p for m in self.deciding for p in m.limits.principals + m.limits.except_principals})

    @property
    def variables(self) -> list[str]:
        """The policy variables the deciding statements depend on, sorted."""
        return sorted({v for m in self.deciding for v in m.limits.variables})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data, deterministic (statements by index, lists sorted)."""
        statements = {m.statement.index: m.statement for m in self.deciding}
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "deciding_statements": [
                {"index": s.index, "sid": s.sid, "effect": s.effect, "statement": s.raw}
                for s in (statements[i] for i in sorted(statements))
            ],
            "condition_keys": self.condition_keys,
            "principals": self.principals,
            "policy_variables": self.variables,
            "denied_actions": list(self.denied_actions),
            "conditional_actions": list(self.conditional_actions),
        }


# --- patterns ------------------------------------------------------------------------------------------------


def _request_tokens(resource: str) -> tuple:
    """The request resource as tokens: ``*`` alone is literal, any other wildcard stands for a set of resources."""
    return tokens(resource, wildcards=resource != EVERYONE)


def action_matches(pattern: str, action: str) -> bool:
    """IAM action match: ``*`` and ``?`` wildcards, case-insensitive."""
    return covers_tokens(fold(tokens(pattern)), fold(tokens(action, wildcards=False)))


def covers(pattern: str, resource: str) -> bool:
    """True when ``pattern`` matches every resource that the request resource ``resource`` stands for."""
    return covers_tokens(tokens(pattern), _request_tokens(resource))


def overlaps(pattern: str, resource: str) -> bool:
    """True when some resource matched by ``pattern`` is one the request resource ``resource`` stands for."""
    return overlaps_tokens(tokens(pattern), _request_tokens(resource))


# --- evaluation ----------------------------------------------------------------------------------------------


def _resource_limits(statement: Statement, resource: str) -> Optional[dict[str, tuple[str, ...]]]:
    """None when the statement's resources exclude the request; else the resource limits (empty: all of it).

    A pattern with a policy variable never covers the request; it may overlap it (the variable as ``*``).
    """
    request = _request_tokens(resource)
    listed = statement.resources is not None
    partial: list[str] = []
    variables: list[str] = []
    for text in (statement.resources if listed else statement.not_resources) or []:
        pattern = tokens(text, variables=statement.substitutes)
        names = variables_of(pattern)
        if not names and covers_tokens(pattern, request):
            return {} if listed else None
        if overlaps_tokens(widen(pattern), request):
            partial.append(text)
            variables += names
    if not partial:
        return None if listed else {}
    return {"resources" if listed else "except_resources": tuple(partial), "variables": tuple(variables)}


def applies(statement: Statement, action: str, resource: str, context: Optional[Mapping[str, Any]] = None) -> Optional[Limits]:
    """How the statement applies to ``action`` on ``resource`` for an unknown caller; None when it does not.

    ``context``: condition keys with the value every request has (see :func:`evaluate`).
    """
    if statement.actions is not None:
        if not any(action_matches(p, action) for p in statement.actions):
            return None
    elif any(action_matches(p, action) for p in statement.not_actions or []):
        return None
    resource_limits = _resource_limits(statement, resource)
    if resource_limits is None:
        return None
    principal_limits: dict[str, tuple[str, ...]] = {}
    if statement.principals is not None:
        if EVERYONE not in statement.principals:
            principal_limits["principals"] = tuple(statement.principals)
    elif EVERYONE in (statement.not_principals or []):
        return None
    else:
        principal_limits["except_principals"] = tuple(statement.not_principals or [])
    outcome = judge(statement.conditions, context or {}, statement.substitutes)
    if outcome is None:
        return None
    variables = tuple(dict.fromkeys(resource_limits.pop("variables", ()) + outcome.variables))
    return Limits(condition_keys=outcome.open_keys, variables=variables, **resource_limits, **principal_limits)


def _labels(matches: list[Match]) -> str:
    return ", ".join(m.label() for m in matches)


def decide(statements: list[Statement], action: str, resource: str, context: Optional[Mapping[str, Any]] = None) -> Decision:
    """The decision for one action on one resource, given the known request ``context``."""
    matches = []
    for statement in statements:
        limits = applies(statement, action, resource, context)
        if limits is not None:
            matches.append(Match(statement, limits))
    request = f"{action} on {resource}"
    deny_full = [m for m in matches if m.statement.effect == "Deny" and m.limits.unconditional]
    deny_partial = [m for m in matches if m.statement.effect == "Deny" and not m.limits.unconditional]
    allow_full = [m for m in matches if m.statement.effect == "Allow" and m.limits.unconditional]
    allow_partial = [m for m in matches if m.statement.effect == "Allow" and not m.limits.unconditional]
    if deny_full:
        return Decision("denied", f"{_labels(deny_full)} explicitly denies {request}", tuple(deny_full), (action,))
    maybe_denied = "; ".join(f"{m.label()} denies it {m.limits.describe()}" for m in deny_partial)
    if allow_full and not deny_partial:
        return Decision("allowed", f"{_labels(allow_full)} allows {request}", tuple(allow_full))
    if allow_full:
        reason = f"{_labels(allow_full)} allows {request}, but {maybe_denied}"
        return Decision("conditional", reason, tuple(deny_partial), conditional_actions=(action,))
    if allow_partial:
        reason = f"{request} is allowed only " + " or ".join(f"{m.limits.describe()} ({m.label()})" for m in allow_partial)
        if deny_partial:
            reason += f", and {maybe_denied}"
        return Decision("conditional", reason, tuple(allow_partial + deny_partial), conditional_actions=(action,))
    failed = [Match(s, Limits()) for s in statements if s.effect == "Allow" and context and applies(s, action, resource)]
    known = f"; the known request context fails the conditions of {_labels(failed)}" if failed else ""
    return Decision("denied", f"no statement allows {request} (implicit deny{known})", (), (action,))


def evaluate(policy: Any, actions: list[str], resource: str, context: Optional[Mapping[str, Any]] = None) -> Decision:
    """Whether any caller may perform every action in ``actions`` on ``resource`` under ``policy``.

    ``policy`` is a dict, its JSON text, or ``None`` (no policy: the full-access default). ``context`` maps
    condition keys (any case) to the string value every request has, e.g. ``{"aws:SourceVpce": "vpce-0abc"}``;
    other values count as unknown. A malformed policy gives the verdict ``malformed`` with the reason; this
    function does not raise :class:`PolicyError`.
    """
    if policy is None:
        return Decision("allowed", "no endpoint policy: the default policy allows full access")
    if not actions:
        return Decision("allowed", "no actions to check")
    try:
        statements = parse_policy(policy)
    except PolicyError as exc:
        return Decision("malformed", f"the endpoint policy is malformed: {exc}")
    decisions = [decide(statements, action, resource, context) for action in actions]
    denied = tuple(a for a, d in zip(actions, decisions) if d.verdict == "denied")
    conditional = tuple(a for a, d in zip(actions, decisions) if d.verdict == "conditional")
    verdict = "denied" if denied else "conditional" if conditional else "allowed"
    chosen = [d for d in decisions if d.verdict == verdict]
    deciding = tuple(m for d in chosen for m in d.deciding)
    return Decision(verdict, "; ".join(d.reason for d in chosen), deciding, denied, conditional)

