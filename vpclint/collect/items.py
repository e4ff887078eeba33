"""What every reader shares: paginated reads, tags, and per-item resilience.

An item (or a part of one: a route, a rule, an entry) that can't be normalised costs only itself: it is left out
and an :class:`~vpclint.snapshot.ItemNote` says which and why; the source still counts as collected.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from vpclint.collect.session import collection_error
from vpclint.snapshot import ItemNote, RegionSnapshot

T = TypeVar("T")

NORMALISE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
"""What an unexpected item shape raises while it is normalised (pydantic's ValidationError is a ValueError)."""


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict]:
    """Every item of every page of a paginated call."""
    items: list[dict] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key) or [])
    return items


def attempt(result: RegionSnapshot, api: str, call: Callable[[], T]) -> Optional[T]:
    """``call()``, or None with the failure recorded as an error of ``result``'s region."""
    try:
        return call()
    except (ClientError, BotoCoreError) as exc:
        result.errors.append(collection_error(result.region, api, exc))
        return None


def tags(item: dict, key: str = "Tags") -> dict[str, str]:
    """An item's tags as a dict (``key`` is ``TagSet`` on network interfaces)."""
    return {t["Key"]: t.get("Value", "") for t in item.get(key) or []}


def sorted_unique(values: Iterable[Optional[str]]) -> list[str]:
    """The distinct non-empty values, sorted."""
    return sorted({v for v in values if v})


def why(exc: Exception) -> str:
    """A one-line, deterministic reason a shape could not be normalised."""
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class ItemReader:
    """Normalises a source's raw items one at a time, recording a note for each one that can't be read."""

    def __init__(self, notes: list[ItemNote], api: str) -> None:
        self.notes, self.api = notes, api

    def each(self, raws: Optional[Iterable[Any]], build: Callable[[Any], T], id_key: str) -> list[T]:
        """``build`` applied to every raw item; an item that fails is left out with a note naming its id."""
        kept: list[T] = []
        for raw in raws or []:
            try:
                kept.append(build(raw))
            except NORMALISE_ERRORS as exc:
                item_id = raw.get(id_key) if isinstance(raw, dict) else None
                self.note(item_id if isinstance(item_id, str) else None, f"left out: {why(exc)}")
        return kept

    def parts(self, item_id: str, what: str, raws: Optional[Iterable[Any]], build: Callable[[Any], Iterable[T]]) -> list[T]:
        """The parts of one item (``build`` gives zero or more per raw part); a part that fails is left out and the
        item is kept with the rest, with a note."""
        kept: list[T] = []
        for index, raw in enumerate(raws or []):
            try:
                kept.extend(build(raw))
            except NORMALISE_ERRORS as exc:
                self.note(item_id, f"{what} {index} left out: {why(exc)}")
        return kept

    def note(self, item_id: Optional[str], message: str) -> None:
        """Record one note of this source."""
        self.notes.append(ItemNote(api=self.api, item_id=item_id, message=message))
