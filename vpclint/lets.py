"""A rule's ``let:`` values, computed when first read: an item as the rule's compiled expressions see it.

A :class:`Scope` answers a field lookup (``get``) with the item's field or, for a let name, the let's value,
computed on first read and kept for the item (the condition, message, evidence and remediation of one finding
share them). A let sees the item and the earlier lets; ``@`` (compiled by :mod:`vpclint.compiled`) is
:meth:`Scope.whole`, the item with the visible lets added, as a plain dict. So a condition that fails before
reading a let never computes it, and the values are those of computing every let first, in order.
"""

from __future__ import annotations

from typing import Any, Callable

Program = Callable[[Any], Any]
_MISSING = object()


class Lets:
    """A rule's lets compiled for one evaluation: ``(name, program)`` in order, and ``compute`` to run one (it
    may turn an error into the rule's own)."""

    def __init__(self, named: list[tuple[str, Program]], compute: Callable[[str, Program, Scope], Any]) -> None:
        self.named = named
        self.positions = {name: position for position, (name, _) in enumerate(named)}
        self.compute = compute
        self._last: tuple[Any, Any] = (None, None)

    def bind(self, item: dict[str, Any]) -> Scope:
        """``item`` with every let visible (the same scope again for the last item)."""
        last_item, scope = self._last
        if last_item is not item:
            scope = Scope(item, self, {}, len(self.named))
            self._last = (item, scope)
        return scope


class Scope:
    """An item with the first ``limit`` lets of ``lets`` (values shared with the item's other scopes)."""

    __slots__ = ("item", "lets", "values", "limit", "_whole")

    def __init__(self, item: dict[str, Any], lets: Lets, values: dict[str, Any], limit: int) -> None:
        self.item, self.lets, self.values, self.limit = item, lets, values, limit
        self._whole: Any = None

    def get(self, name: str) -> Any:
        """The let's value for a visible let name, else the item's field (None when absent)."""
        position = self.lets.positions.get(name)
        if position is None or position >= self.limit:
            return self.item.get(name)
        return self._value(position)

    def _value(self, position: int) -> Any:
        name, run = self.lets.named[position]
        found = self.values.get(name, _MISSING)
        if found is _MISSING:
            found = self.values[name] = self.lets.compute(name, run, Scope(self.item, self.lets, self.values, position))
        return found

    def whole(self) -> dict[str, Any]:
        """The item with the visible lets, as ``@`` sees it (the item itself when no let is visible)."""
        if self._whole is None:
            if self.limit == 0:
                self._whole = self.item
            else:
                whole = dict(self.item)
                for position in range(self.limit):
                    whole[self.lets.named[position][0]] = self._value(position)
                self._whole = whole
        return self._whole


def plain(value: Any) -> Any:
    """``value``, or for a :class:`Scope` its :meth:`Scope.whole`."""
    return value.whole() if type(value) is Scope else value
