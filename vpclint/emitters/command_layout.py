"""A shell command laid out for a width, so that it still pastes into a shell and parses to the same arguments.

The command is split into shell words at unquoted whitespace (quotes kept as written) and the words into
``--option value…`` groups, which are packed onto lines ending in `` \\`` (a line continuation). A group longer
than a line breaks between its words, its values continuing :data:`VALUE_INDENT` further in. A single-quoted JSON
value (``--ip-permissions '[{…}]'``) breaks between its members and elements inside the quotes, where a newline and
spaces are JSON whitespace, so no backslash ends those lines. It is written anew in ASCII, so that an escape such
as ``\\u001b`` stays an escape and never reaches the terminal as a control character. Only a word or JSON value
that is itself longer than a line overflows it, on a line of its own.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

CONTINUE = " \\"
"""What ends a line that the command continues after (outside quotes)."""
VALUE_INDENT = "  "
"""The extra indent of a broken option's values on the lines after the option's own."""


class Atom(NamedTuple):
    """A piece the layout never splits; ``quoted``: a line break before it falls inside single quotes."""

    text: str
    quoted: bool = False


Unit = list[Atom]
"""Atoms kept on one line when they fit there (a JSON member's key and its value)."""


def shell_words(command: str) -> list[str]:
    """The words of ``command``, split at whitespace outside quotes and backslash escapes, written as they are."""
    words: list[str] = []
    current, quote, escaped = "", "", False
    for char in command:
        if escaped:
            escaped = False
        elif quote:
            quote = "" if char == quote else quote
            escaped = char == "\\" and quote == '"'
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char.isspace():
            if current:
                words.append(current)
            current = ""
            continue
        current += char
    return words + [current] if current else words


def command_lines(command: str, width: int) -> list[str]:
    """``command`` on one line when it fits in ``width`` columns, else laid out over lines of at most ``width``
    (see the module's docstring). Callers indent the lines after the first."""
    if len(command) <= width:
        return [command]
    layout = _Layout(width - len(CONTINUE))
    broke = False
    for group in _option_groups(shell_words(command)):
        joined = " ".join(group)
        if len(joined) <= layout.room:
            layout.place([Atom(joined)], "", same_line=not broke)
            broke = False
        else:
            layout.place([Atom(group[0])], "", same_line=False)
            for word in group[1:]:
                for unit in _word_units(word):
                    layout.place(unit, VALUE_INDENT, same_line=True)
            broke = True
    return layout.text()


class _Layout:
    """Lines being filled; each line but the last continues outside quotes (`` \\``) or inside them."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.lines: list[str] = []
        self.inside_quotes: list[bool] = []

    def place(self, unit: Unit, indent: str, same_line: bool) -> None:
        """Put ``unit`` on the current line when asked and it fits, else start a line with it; a unit longer than
        a line is placed atom by atom."""
        joined = " ".join(atom.text for atom in unit)
        if self.lines and same_line and len(self.lines[-1]) + 1 + len(joined) <= self.room:
            self.lines[-1] += " " + joined
        elif len(indent) + len(joined) <= self.room or len(unit) == 1:
            self._start(indent + joined, unit[0].quoted)
        else:
            self._start(indent + unit[0].text, unit[0].quoted)
            for atom in unit[1:]:
                self.place([atom], indent, same_line=True)

    def _start(self, text: str, quoted: bool) -> None:
        if self.lines:
            self.inside_quotes.append(quoted)
        self.lines.append(text)

    def text(self) -> list[str]:
        """The lines, continued with `` \\`` where the break falls outside quotes."""
        ends = ["" if quoted else CONTINUE for quoted in self.inside_quotes] + [""]
        return [line + end for line, end in zip(self.lines, ends)]


def _option_groups(words: list[str]) -> list[list[str]]:
    """The words before the first ``--option``, then each option with the words up to the next."""
    groups: list[list[str]] = [[]]
    for word in words:
        if word.startswith("--") and groups[-1]:
            groups.append([])
        groups[-1].append(word)
    return groups


def _word_units(word: str) -> list[Unit]:
    """A word as units: a single-quoted JSON value in pieces between its members and elements (the first opening
    the quote, the rest inside it), any other word whole."""
    document = quoted_json(word)
    if document is None:
        return [[Atom(word)]]
    units = [[Atom(text, quoted=True) for text in unit] for unit in json_units(document)]
    units[0][0] = Atom("'" + units[0][0].text)
    units[-1][-1] = units[-1][-1]._replace(text=units[-1][-1].text + "'")
    return units


def quoted_json(word: str) -> Any:
    """The JSON object or array that ``word`` single-quotes whole (``'{…}'``), or None."""
    if len(word) < 2 or word[0] != "'" or word[-1] != "'" or "'" in word[1:-1] or word[1:2] not in ("{", "["):
        return None
    try:
        value = json.loads(word[1:-1])
        json.dumps(value, allow_nan=False)
    except ValueError:
        return None
    return value


def json_units(value: Any) -> list[list[str]]:
    """``value`` as JSON in units of pieces (a member's key and its value; an element): joined with single
    spaces, units and pieces alike, they read as ``json.dumps(value)`` (ASCII); a break between any two is
    whitespace."""
    if isinstance(value, dict) and value:
        members = []
        for key, item in value.items():
            inner = json_units(item)
            members.append([[json.dumps(key) + ":", *inner[0]], *inner[1:]])
        return _enclose("{", members, "}")
    if isinstance(value, list) and value:
        return _enclose("[", [json_units(item) for item in value], "]")
    return [[json.dumps(value)]]


def _enclose(opening: str, parts: list[list[list[str]]], closing: str) -> list[list[str]]:
    """The units of each part in order, a comma after each part but the last, in ``opening`` … ``closing``."""
    units: list[list[str]] = []
    for index, part in enumerate(parts):
        part = [list(unit) for unit in part]
        if index < len(parts) - 1:
            part[-1][-1] += ","
        units += part
    units[0][0] = opening + units[0][0]
    units[-1][-1] += closing
    return units
