"""A seeded mutator for the generated-input tests: structural mutations of JSON-like data and byte mutations."""

from __future__ import annotations

import json
import random
import re
from typing import Any

NASTY: list[Any] = [
    "\ud800", "[/x]", "[link=http://x]y[/link]", "\x1b]8;;http://x\x07a\x1b]8;;\x07", "\x1b[2J", "[a](http://x)",
    "<script>", "10.0.0.0/33", "", "a" * 5000, -1, 0, 10**30, 1e30, 1e308, -1e308, True, None, [], {}, 3.5,
    int("9" * 400), "9" * 5000, "2024-13-45", "x\ny", "-5",
]


DEEP = re.compile(r'"__deep_(\\d+)_(list|dict)__"')


def nested(depth: int, kind: str = "list") -> str:
    """A marker for a value nested ``depth`` levels deep, expanded in the serialised text by :func:`expand`."""
    return f"__deep_{depth}_{kind}__"


def expand(text: str, toml: bool = False) -> str:
    """Replace the markers of :func:`nested` (as quoted strings) with the nesting, in JSON/YAML flow or TOML syntax."""
    def deep(match: re.Match) -> str:
        depth, kind = int(match.group(1)), match.group(2)
        if kind == "list" or toml:
            return "[" * depth + "1" + "]" * depth
        return '{"a": ' * depth + "1" + "}" * depth
    return DEEP.sub(deep, text)


def _paths(data: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*path, index)))
    return found


def mutate(data: Any, rng: random.Random) -> Any:
    """A copy of ``data`` with one value replaced (a nasty value, deep nesting, a duplicate), a key added or
    removed."""
    data = json.loads(json.dumps(data))
    path = rng.choice(_paths(data)[1:] or [()])
    if not path:
        return rng.choice(NASTY)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    action = rng.randrange(6)
    if action == 0:
        parent[last] = nested(rng.choice([99, 101, 150, 1200]), rng.choice(["list", "dict"]))
    elif action == 1 and isinstance(parent, list):
        parent.append(parent[last])
    elif action == 2 and isinstance(parent, dict):
        del parent[last]
    elif action == 3 and isinstance(parent, dict):
        parent[rng.choice(["\ud800", "extra", "[/x]"])] = rng.choice(NASTY)
    else:
        parent[last] = rng.choice(NASTY)
    return data


def mutate_bytes(text: bytes, rng: random.Random) -> bytes:
    """``text`` with a few random cuts, flips, duplications or insertions of awkward bytes."""
    out = bytearray(text)
    for _ in range(rng.randint(1, 4)):
        if not out:
            out.extend(b"{")
        at = rng.randrange(len(out))
        action = rng.randrange(5)
        if action == 0:
            del out[at:at + rng.randint(1, 50)]
        elif action == 1:
            out[at] = rng.randrange(256)
        elif action == 2:
            out[at:at] = rng.choice([b"[" * 2000, b"{" * 1000, b"9" * 5000, b"\\ud800", b"\x00", b"\x1b[2J", b"-",
                                     b"\xff\xfe", b"\n" * 3, b"NaN", b"1e999", b"x" * 70000])
        elif action == 3:
            out[at:at] = out[max(0, at - 100):at]
        else:
            del out[at:]
    return bytes(out)


def toml_value(value: Any) -> str:
    """A JSON-like value as TOML (inline tables for objects)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def toml_document(data: dict) -> str:
    """A flat TOML document of the config's keys."""
    return "".join(f"{json.dumps(str(k))} = {toml_value(v)}\n" for k, v in data.items())
