"""The field names a rule expression reads from its item, checked against the fields items of its kind carry.

Conservative by design: only the first identifier of a path evaluated against the item itself counts. Names
inside a projection or filter of a nested list, on the right of a pipe or a sub-expression, or inside a
function's ``&expression`` argument are read from other values and are never checked. A bare ``null`` parses
as a field that no item has, which reads as null: rules use it so, and it is allowed.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Iterator, Optional

_SAME_CURRENT = frozenset({
    "and_expression", "or_expression", "not_expression", "comparator", "function_expression",
    "multi_select_list", "multi_select_dict", "key_val_pair",
})
"""Node types whose children are all evaluated against the same current value (``&expr`` children aside)."""
_FIRST_ONLY = frozenset({
    "subexpression", "index_expression", "pipe", "projection", "filter_projection", "value_projection", "flatten",
})
"""Node types whose first child is evaluated against the current value and the rest against what it yields."""


def root_fields(node: dict) -> Iterator[str]:
    """The field names a parsed expression reads from its current value (the item), in order."""
    kind = node.get("type")
    children = [child for child in node.get("children") or [] if isinstance(child, dict)]
    if kind == "field":
        yield node["value"]
    elif kind in _FIRST_ONLY and children:
        yield from root_fields(children[0])
    elif kind in _SAME_CURRENT:
        for child in children:
            if child.get("type") != "expref":
                yield from root_fields(child)


def reads(node: dict, names: frozenset[str]) -> bool:
    """True when a parsed expression may read one of ``names`` from its current value, or the current value itself
    (``@``); node types not known here count as reading."""
    kind = node.get("type")
    children = [child for child in node.get("children") or [] if isinstance(child, dict)]
    if kind == "field":
        return node["value"] in names
    if kind == "literal":
        return False
    if kind in _FIRST_ONLY:
        return bool(children) and reads(children[0], names)
    if kind in _SAME_CURRENT:
        return any(reads(child, names) for child in children if child.get("type") != "expref")
    return True


def unknown_field(parsed: Iterable[dict], known: frozenset[str], kind: str) -> Optional[str]:
    """A problem naming the first field the expressions read that is not in ``known`` (the fields of ``kind``
    items), with a suggestion."""
    for node in parsed:
        for name in root_fields(node):
            if name not in known and name != "null":
                close = difflib.get_close_matches(name, sorted(known), n=1)
                return f"no {kind} item has a field {name}" + (f" (did you mean {close[0]}?)" if close else "")
    return None
