"""Rule text templates: a message or remediation with ``{{ expression }}`` placeholders, and the expression
compiler every rule field goes through (within the nesting limit)."""

from __future__ import annotations

import re
from typing import Any, Callable, Union

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from vpclint.compiled import program
from vpclint.limits import MAX_DEPTH

PLACEHOLDER = re.compile(r"\{\{(.+?)\}\}", re.S)
"""A ``{{ expression }}`` in a rule's message or remediation template."""

Part = Union[str, Callable[[Any], Any]]


def compile_expression(expression: str) -> ParsedResult:
    """``jmespath.compile`` within the nesting limit (``MAX_DEPTH`` levels of the parsed tree), so that neither
    the parser nor the compiled program can run out of stack; breaking it is a ``JMESPathError``."""
    try:
        parsed = jmespath.compile(expression)
    except RecursionError:
        parsed = None
    stack = [(parsed.parsed, 1)] if parsed is not None else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            parsed = None
            break
        stack.extend((child, depth + 1) for child in node.get("children") or [] if isinstance(child, dict))
    if parsed is None:
        raise JMESPathError(f"the expression nests deeper than the limit of {MAX_DEPTH} levels")
    return parsed


class Template:
    """A text with ``{{ jmespath }}`` placeholders, compiled once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts: list[str | ParsedResult] = []
        position = 0
        for match in PLACEHOLDER.finditer(text):
            self.parts.append(text[position:match.start()])
            self.parts.append(compile_expression(match.group(1).strip()))
            position = match.end()
        self.parts.append(text[position:])

    def programs(self, options: jmespath.Options) -> list[Part]:
        """The parts with each placeholder as a program of ``options``' evaluation (see :func:`fill`)."""
        return [part if isinstance(part, str) else program(part, options) for part in self.parts]

    def render(self, item: Any, options: jmespath.Options) -> str:
        """Fill the placeholders from ``item``; lists are joined with ", " and null shows as "-"."""
        return fill(self.programs(options), item)


def fill(parts: list[Part], item: Any) -> str:
    """A template's :meth:`Template.programs` filled from ``item``."""
    return "".join(part if type(part) is str else as_text(part(item)) for part in parts)  # type: ignore[operator]


def as_text(value: Any) -> str:
    """A value as template text: null "-", booleans lower case, lists joined with ", "."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(as_text(v) for v in value)
    return str(value)
