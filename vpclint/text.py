"""Text from AWS, a snapshot, a config or a policy made safe for where it is shown.

* :func:`plain` drops terminal escape sequences and control characters (C0, DEL, C1) and replaces lone surrogates,
  so data can neither move the cursor, retitle the window, hide text nor break an output encoding;
* :func:`terminal_safe` is :func:`plain` plus rich markup escaping, for text printed through ``rich``;
* :func:`one_line` is :func:`plain` with every line break and tab turned into a space (error messages);
* :func:`sarif_text` and :func:`sarif_markdown` keep data from becoming SARIF embedded links, Markdown links or
  raw HTML in GitHub code scanning.
"""

from __future__ import annotations

import re

from rich.markup import escape

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement, erasing
    r"|\x1b[P\]X^_].*?(?:\x07|\x1b\\|$)"  # DCS, OSC (titles, hyperlinks), SOS, PM, APC up to their terminator
    r"|\x1b[ -/]*[0-~]?"  # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x9d\x98\x9e\x9f].*?(?:\x07|\x9c|$)",  # 8-bit DCS, OSC, SOS, PM, APC
    re.S,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\t\n\r]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SARIF_LINK = re.compile(r"([\\\[\]])")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#!|~])")


def plain(text: object) -> str:
    """``text`` as a string without escape sequences, control characters (tab and newline kept) or lone surrogates."""
    value = str(text)
    if value.isprintable():
        return value
    value = _ESCAPE_SEQUENCE.sub("", value)
    value = _SURROGATE.sub("\ufffd", value)
    return _CONTROL.sub("", value)


def one_line(text: object) -> str:
    """:func:`plain` on one line: tabs, newlines and carriage returns become single spaces."""
    return _BREAKS.sub(" ", plain(text))


def terminal_safe(text: object) -> str:
    """Data for a ``rich`` console: :func:`plain`, then ``[`` escaped so that it is never read as markup."""
    return escape(plain(text))


def sarif_text(text: object) -> str:
    """A SARIF ``message.text``: :func:`plain`, with ``\\``, ``[`` and ``]`` escaped so that data never forms an
    embedded link (SARIF 2.1.0 section 3.11.6)."""
    return _SARIF_LINK.sub(r"\\\1", plain(text))


def sarif_markdown(text: object) -> str:
    """Data inside a SARIF ``markdown`` field: :func:`plain`, with Markdown and HTML punctuation backslash-escaped,
    so that it shows as written and never as a link, an image, emphasis or raw HTML."""
    return _MARKDOWN.sub(r"\\\1", plain(text))


def code_fence(text: str) -> str:
    """A fence of backticks longer than any run of backticks in ``text``, so that the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)
