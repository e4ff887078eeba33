"""IAM wildcard patterns, matched without backtracking or recursion.

A pattern is read into tokens: one-character strings (literal text), :data:`STAR` (``*``: any run of characters,
``/`` and ``:`` included), :data:`ONE` (``?``: exactly one character) and :class:`Variable` (``${aws:username}``:
a policy variable, its value taken from the request). Variables are read only where the caller says so (policy
``Version`` 2012-10-17); there ``${*}``, ``${?}`` and ``${$}`` are the literal characters ``*``, ``?`` and ``$``.

:func:`covers` (every string the request pattern stands for is matched by the statement pattern; with a literal
request this is plain matching) and :func:`overlaps` (some string is matched by both) are a dynamic programme over
the two patterns, one row per statement token from the end, with the row's request positions packed into the bits
of an integer: ``len(pattern)`` steps on integers of ``len(request) + 1`` bits, linear in the policy's size.
Runs of ``*`` are first collapsed to one, which matches the same strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Union

STAR, ONE = object(), object()
ESCAPES = ("*", "?", "$")
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Variable:
    """A policy variable in a pattern, such as ``${aws:username}``."""

    name: str

    def __str__(self) -> str:
        return "${" + self.name + "}"


Token = Union[str, object, Variable]


def _plain(text: str, wildcards: bool) -> list[Token]:
    if not wildcards:
        return list(text)
    return [STAR if c == "*" else ONE if c == "?" else c for c in text]


def tokens(pattern: str, wildcards: bool = True, variables: bool = False) -> tuple[Token, ...]:
    """``pattern`` as tokens; ``wildcards``: read ``*``/``?``; ``variables``: read ``${...}`` (else literal text)."""
    found: list[Token] = []
    position = 0
    for match in _VARIABLE.finditer(pattern) if variables else ():
        found += _plain(pattern[position : match.start()], wildcards)
        name = match.group(1)
        found.append(name if name in ESCAPES else Variable(name))
        position = match.end()
    found += _plain(pattern[position:], wildcards)
    result: list[Token] = []
    for token in found:
        if not (token is STAR and result and result[-1] is STAR):
            result.append(token)
    return tuple(result)


def variables_of(pattern: tuple[Token, ...]) -> tuple[str, ...]:
    """The policy variables of a pattern as written (``${aws:username}``), in order, each once."""
    return tuple(dict.fromkeys(str(t) for t in pattern if isinstance(t, Variable)))


def widen(pattern: tuple[Token, ...]) -> tuple[Token, ...]:
    """The pattern with each variable as ``*``: it matches every string some value of the variables gives."""
    return tuple(STAR if isinstance(t, Variable) else t for t in pattern)


def fold(pattern: tuple[Token, ...]) -> tuple[Token, ...]:
    """The pattern's literal characters in lower case, for case-insensitive matching."""
    return tuple(t.lower() if isinstance(t, str) else t for t in pattern)


def _mask(request: tuple[Token, ...], accepts: Callable[[Token], bool]) -> int:
    bits = 0
    for j, token in enumerate(request):
        if accepts(token):
            bits |= 1 << j
    return bits


def _rows(pattern: tuple[Token, ...], request: tuple[Token, ...], both: bool) -> bool:
    """Row ``i`` holds bit ``j`` when ``pattern[i:]`` against ``request[j:]`` holds; True when row 0 holds bit 0.

    ``both`` False: every string of ``request[j:]`` is matched by ``pattern[i:]`` (covers); True: some string is
    matched by both (overlaps), so a request ``*`` may also stand for nothing or meet a statement ``?``.
    """
    stars = _mask(request, lambda t: t is STAR) if both else 0
    masks: dict[Token, int] = {}
    row = 1 << len(request)
    row |= (row >> 1) & stars
    for token in reversed(pattern):
        if token is STAR:
            row = (1 << row.bit_length()) - 1
        else:
            if token not in masks:
                if both:
                    masks[token] = _mask(request, lambda t: t is not STAR and (token is ONE or t is ONE or t == token))
                else:
                    masks[token] = _mask(request, lambda t: t is not STAR and (token is ONE or t == token))
            row = ((row >> 1) & masks[token]) | (row & stars)
            row |= (row >> 1) & stars
        if not row:
            return False
    return bool(row & 1)


def covers_tokens(pattern: tuple[Token, ...], request: tuple[Token, ...]) -> bool:
    """True when ``pattern`` matches every string ``request`` stands for (a variable-free pattern)."""
    return _rows(pattern, request, both=False)


def overlaps_tokens(pattern: tuple[Token, ...], request: tuple[Token, ...]) -> bool:
    """True when some string matched by ``pattern`` is one ``request`` stands for (a variable-free pattern)."""
    return _rows(pattern, request, both=True)


def glob_match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """IAM's ``*``/``?`` match of the whole ``text`` (no variables); ``ignore_case`` for actions."""
    p, t = tokens(pattern), tokens(text, wildcards=False)
    return covers_tokens(fold(p), fold(t)) if ignore_case else covers_tokens(p, t)
