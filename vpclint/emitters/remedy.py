"""A finding's remediation split into what a reader does with each part: prose, runnable commands and policies.

Rules write a fix as text in which every ``aws …`` command (or ``name=$(aws …)``, which keeps its output in a shell
variable) starts a line (or follows ``: `` or ``then ``) and runs
to the end of the line, to an unquoted ``" ("``, ``"; "`` or ``", then "``; a JSON object in the text is a policy.
The console and Markdown formats show commands on their own lines and policies as indented JSON blocks.
"""

from __future__ import annotations

import json
import re
from typing import Literal, NamedTuple

Kind = Literal["text", "command", "json"]


class Block(NamedTuple):
    """One part of a remediation: ``text`` (prose), ``command`` (one ``aws …`` command) or ``json`` (a policy,
    pretty-printed with two-space indents)."""

    kind: Kind
    text: str


_COMMAND_START = re.compile(r"(?:^|(?<=: )|(?<=then ))(?:[A-Za-z_][A-Za-z0-9_]*=\$\()?aws [a-z0-9-]+ [a-z][a-z0-9-]+")
_COMMAND_ENDS = (" (", "; ", ", then ")


def split_remediation(text: str) -> list[Block]:
    """The blocks of a remediation, in order; prose is stripped and blocks never empty."""
    blocks: list[Block] = []
    for line in text.splitlines():
        blocks.extend(_split_line(line.strip()))
    return [b for b in blocks if b.text]


def _split_line(line: str) -> list[Block]:
    """The blocks of one line: prose, then at most one command or policy, then the rest of the line."""
    if not line:
        return []
    command = _COMMAND_START.search(line)
    policy = _find_policy(line)
    if policy is not None and (command is None or policy[0] < command.start()):
        start, end, value = policy
        return [Block("text", line[:start].strip()), Block("json", json.dumps(value, indent=2)), *_split_line(line[end:].strip())]
    if command is None:
        return [Block("text", line)]
    end = _command_end(line, command.start())
    return [
        Block("text", line[: command.start()].strip()),
        Block("command", line[command.start():end].strip()),
        *_split_line(line[end:].strip(" ,;")),
    ]


def _find_policy(line: str) -> tuple[int, int, dict] | None:
    """``(start, end, object)`` of the first JSON object in ``line``, or None."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", line):
        try:
            value, end = decoder.raw_decode(line, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and value:
            return match.start(), end, value
    return None


def _command_end(line: str, start: int) -> int:
    """Where the command starting at ``start`` ends: the first end marker outside quotes and ``<placeholders>``,
    else the end of the line."""
    closing = {"'": "'", '"': '"', "<": ">"}
    quote = ""
    for i in range(start, len(line)):
        char = line[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in closing:
            quote = closing[char]
        elif any(line.startswith(marker, i) for marker in _COMMAND_ENDS):
            return i
    return len(line)

