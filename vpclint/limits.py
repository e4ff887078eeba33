"""The documented limits on the files vpclint reads, checked before a parser can run out of stack or memory.

* a file is at most :data:`MAX_FILE_BYTES` (flow logs excepted: they are streamed);
* data nests at most :data:`MAX_DEPTH` levels (objects, arrays, tables, mappings);
* a number has at most 4,300 digits (Python's limit for converting text to an integer);
* a string holds valid Unicode: a lone surrogate (``"\\ud800"``) is refused, naming the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vpclint.errors import VpclintError

MAX_FILE_BYTES = 512 * 1024 * 1024
"""The largest snapshot, baseline, config, rule, price or ip-ranges file vpclint reads (512 MiB)."""
MAX_DEPTH = 100
"""The deepest nesting of objects and arrays (tables, mappings) vpclint reads."""
MAX_DIGITS = 4300
"""The most digits of a number (Python's default limit for converting text to an integer)."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class FieldError(ValueError):
    """A validation failure below the validated object: ``path`` continues pydantic's location."""

    def __init__(self, path: tuple[Any, ...], reason: str) -> None:
        super().__init__(f"{'.'.join(map(str, path))}: {reason}")
        self.path = path
        self.reason = reason


def read_text(path: Path, kind: str) -> str:
    """A file's UTF-8 text, at most :data:`MAX_FILE_BYTES`; failure is ``<kind> <path>: cannot read: <reason>``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise VpclintError(f"{kind} {path}: cannot read: larger than the limit of {MAX_FILE_BYTES // 2**20} MiB")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise VpclintError(f"{kind} {path}: cannot read: {reason}") from None


def check_size(text: str, source: str, kind: str) -> None:
    """Refuse text longer than the file limit (text that did not come through :func:`read_text`)."""
    if len(text) > MAX_FILE_BYTES:
        raise VpclintError(f"{kind} {source}: larger than the limit of {MAX_FILE_BYTES // 2**20} MiB")


def _first_problem(data: Any, strings: bool) -> tuple[Any, str] | None:
    """``(trail, reason)`` of a container nested too deep or (when ``strings``) a string holding a lone surrogate.

    Iterative; a trail is ``(parent trail, key)``. A shared container (YAML aliases) is walked again only when
    reached deeper than before, so aliases cannot make the walk exponential.
    """
    stack: list[tuple[Any, int, Any]] = [(data, 1, None)]
    seen: dict[int, int] = {}
    while stack:
        value, depth, trail = stack.pop()
        if depth > MAX_DEPTH:
            return trail, f"nested deeper than the limit of {MAX_DEPTH} levels"
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in pairs:
            if isinstance(child, (dict, list)):
                if seen.get(id(child), 0) < depth + 1:
                    seen[id(child)] = depth + 1
                    stack.append((child, depth + 1, (trail, key)))
            elif strings and (_SURROGATE.search(key) if isinstance(key, str) else False):
                return (trail, key), "has a key holding a lone surrogate (not valid Unicode)"
            elif strings and isinstance(child, str) and _SURROGATE.search(child):
                return (trail, key), "contains a lone surrogate (not valid Unicode)"
    return None


def _keys(trail: Any) -> list[str]:
    keys: list[str] = []
    while trail is not None:
        trail, key = trail
        keys.append(str(key))
    return keys[::-1]


def check_nesting(data: Any, source: str, kind: str, strings: bool) -> None:
    """Refuse data nested deeper than :data:`MAX_DEPTH` and, when ``strings``, strings holding lone surrogates."""
    if not isinstance(data, (dict, list)):
        return
    found = _first_problem(data, strings)
    if found is None:
        return
    path = _keys(found[0])
    shown = ".".join(path[:8]) + (f"... ({len(path)} levels)" if len(path) > 8 else "")
    raise VpclintError(f"{kind} {source}: field {shown or '(top level)'}: {found[1]}")
