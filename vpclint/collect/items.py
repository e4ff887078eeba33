"""What every reader shares: paginated reads, tags, and per-item resilience.

An item (or a part of one: a route, a rule, an entry) that can't be normalised costs only itself: it is left out
and an :class:`~vpclint.snapshot.ItemNote` says which and why; the source still counts as collected.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Iterable, Optional, TypeVar

from botocore.exceptions import IncompleteReadError
from botocore.parsers import ResponseParserError
from pydantic import ValidationError
from urllib3.exceptions import HTTPError as Urllib3Error

from vpclint.collect.deadline import CollectionFault, Deadline
from vpclint.collect.session import CALL_ERRORS, collection_error
from vpclint.snapshot import ItemNote, RegionSnapshot

T = TypeVar("T")

NORMALISE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
"""What an unexpected item shape raises while it is normalised (pydantic's ValidationError is a ValueError)."""


MAX_PAGES = 10_000
"""The most pages one paginated call may take; more is an error of that source (``TooManyPages``)."""
PAGE_ATTEMPTS = 4
"""Attempts per page for the faults botocore's own retries leave alone (see :data:`PAGE_RETRIED`)."""
PAGE_BACKOFF = 0.5
"""Seconds before the second attempt of a page; doubled for each later one, with jitter."""
PAGE_RETRIED = (ResponseParserError, IncompleteReadError, Urllib3Error)
"""What botocore (adaptive mode) does not retry itself but is transient: a body that can't be parsed (a plain-text
503 or 500 from a load balancer, a body cut short, garbage) and a body whose read broke off. botocore already
retries, up to its ``total_max_attempts``, 500/502/503/504 answers it can parse, throttling codes, connection
resets (ConnectionClosedError), read and connect timeouts and EndpointConnectionError; those are not retried again
here."""


def fetch(call: Callable[[], T], deadline: Optional[Deadline] = None) -> T:
    """``call()``, attempted again (at most PAGE_ATTEMPTS in all, backing off) when it fails with one of
    PAGE_RETRIED; the deadline is checked before each attempt and bounds the back-off."""
    for attempt in range(1, PAGE_ATTEMPTS + 1):
        if deadline is not None:
            deadline.check()
        try:
            return call()
        except PAGE_RETRIED:
            if attempt == PAGE_ATTEMPTS:
                raise
        pause = PAGE_BACKOFF * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        if deadline is not None:
            deadline.sleep(pause)
        else:
            time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def paginate(client: Any, operation: str, key: str, *, deadline: Optional[Deadline] = None, **kwargs: Any) -> list[dict]:
    """Every item of every page of a paginated call (``NextToken`` in and out, as every EC2 describe has), each
    page fetched through :func:`fetch`. A ``NextToken`` seen before (repeated, or cycling between values) or more
    than MAX_PAGES pages raises a :class:`CollectionFault` instead of paginating forever."""
    method = getattr(client, operation)
    items: list[dict] = []
    seen: set[str] = set()
    token: Optional[str] = None
    for number in range(1, MAX_PAGES + 1):
        args = dict(kwargs, NextToken=token) if token else kwargs
        page = fetch(lambda: method(**args), deadline)
        items.extend(page.get(key) or [])
        token = page.get("NextToken") or None
        if token is None:
            return items
        if token in seen:
            raise CollectionFault("PaginationLoop", f"NextToken repeated after page {number}: the pages go round in a loop")
        seen.add(token)
    raise CollectionFault("TooManyPages", f"more than {MAX_PAGES:,} pages")


def attempt(result: RegionSnapshot, api: str, call: Callable[[], T]) -> Optional[T]:
    """``call()``, or None with the failure recorded as an error of ``result``'s region."""
    try:
        return call()
    except CALL_ERRORS as exc:
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
