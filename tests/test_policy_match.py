"""Wildcard matching (vpclint.policy_match): equal to the former backtracking implementation, and linear."""

from __future__ import annotations

import itertools
import json
import re
import signal
import sys
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from hypothesis import given
from hypothesis import strategies as st

from vpclint.policy import action_matches, covers, evaluate, overlaps
from vpclint.policy_match import STAR, ONE, Variable, glob_match, tokens, variables_of, widen

# --- the former implementation, kept here only as the reference ---------------------------------------------

_STAR, _ONE = object(), object()


def _old_tokens(pattern: str) -> tuple:
    return tuple(_STAR if c == "*" else _ONE if c == "?" else c for c in pattern)


def _old_request_tokens(resource: str) -> tuple:
    return ("*",) if resource == "*" else _old_tokens(resource)


def old_action_matches(pattern: str, action: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, action, re.IGNORECASE | re.DOTALL) is not None


def old_covers(pattern: str, resource: str) -> bool:
    p, r = _old_tokens(pattern), _old_request_tokens(resource)

    @lru_cache(maxsize=None)
    def walk(i: int, j: int) -> bool:
        if i == len(p):
            return j == len(r)
        if p[i] is _STAR:
            return walk(i + 1, j) or (j < len(r) and walk(i, j + 1))
        if j == len(r) or r[j] is _STAR:
            return False
        if p[i] is _ONE:
            return walk(i + 1, j + 1)
        return r[j] is not _ONE and p[i] == r[j] and walk(i + 1, j + 1)

    return walk(0, 0)


def old_overlaps(pattern: str, resource: str) -> bool:
    p, r = _old_tokens(pattern), _old_request_tokens(resource)

    @lru_cache(maxsize=None)
    def walk(i: int, j: int) -> bool:
        if i < len(p) and p[i] is _STAR and walk(i + 1, j):
            return True
        if j < len(r) and r[j] is _STAR and walk(i, j + 1):
            return True
        if i == len(p) or j == len(r):
            return i == len(p) and j == len(r)
        a, b = p[i], r[j]
        if a is _STAR and b is _STAR:
            return False
        if isinstance(a, str) and isinstance(b, str) and a != b:
            return False
        return walk(i if a is _STAR else i + 1, j if b is _STAR else j + 1)

    return walk(0, 0)


# --- equal to the reference ----------------------------------------------------------------------------------

PATTERNS = st.text(alphabet="ab/:*?", max_size=10)
ACTION_PATTERNS = st.text(alphabet="aAbB:*?", max_size=10)


@given(PATTERNS, PATTERNS)
def test_property_covers_equals_the_former_implementation(pattern, request):
    assert covers(pattern, request) == old_covers(pattern, request)


@given(PATTERNS, PATTERNS)
def test_property_overlaps_equals_the_former_implementation(pattern, request):
    assert overlaps(pattern, request) == old_overlaps(pattern, request)


@given(ACTION_PATTERNS, st.text(alphabet="aAbB:*?", max_size=10))
def test_property_action_matches_equals_the_former_implementation(pattern, action):
    assert action_matches(pattern, action) == old_action_matches(pattern, action)


@given(PATTERNS, st.text(alphabet="ab/:*?", max_size=10))
def test_property_glob_match_is_case_sensitive_unless_asked(pattern, text):
    expected = re.fullmatch("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), text, re.DOTALL)
    assert glob_match(pattern, text) == (expected is not None)
    assert glob_match(pattern.upper(), text, ignore_case=True) == glob_match(pattern, text.upper(), ignore_case=True)


def test_covers_and_overlaps_equal_the_former_implementation_on_every_short_pattern():
    short = ["".join(p) for n in range(4) for p in itertools.product("ab*?", repeat=n)]
    for pattern in short:
        for request in short:
            assert covers(pattern, request) == old_covers(pattern, request), (pattern, request)
            assert overlaps(pattern, request) == old_overlaps(pattern, request), (pattern, request)


def test_glob_match_examples():
    assert glob_match("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y:z")
    assert glob_match("a?c", "abc") and not glob_match("a?c", "ac")
    assert not glob_match("ABC", "abc") and glob_match("ABC", "abc", ignore_case=True)
    assert glob_match("*", "") and not glob_match("?", "")
    # the text is literal: its "*" and "?" are characters, which a pattern's "?" matches one at a time
    assert glob_match("ecr:Get?", "ecr:Get*") and glob_match("a??", "a?*") and not glob_match("ecr:Get", "ecr:Get*")


# --- tokens and variables ------------------------------------------------------------------------------------


def test_tokens_read_variables_and_escapes_only_when_asked():
    assert tokens("a${aws:username}*", variables=True) == ("a", Variable("aws:username"), STAR)
    assert tokens("*?${aws:username}", variables=True) == (STAR, ONE, Variable("aws:username"))  # wildcards before it too
    assert tokens("*${aws:username}", wildcards=False, variables=True) == ("*", Variable("aws:username"))
    assert tokens("${*}${?}${$}?", variables=True) == ("*", "?", "$", ONE)
    assert tokens("${*}") == ("$", "{", STAR, "}")
    assert tokens("a**b*", wildcards=True) == ("a", STAR, "b", STAR)
    assert tokens("a*?", wildcards=False) == ("a", "*", "?")
    assert tokens("${unclosed", variables=True) == tuple("${unclosed")
    pattern = tokens("x/${aws:userid}/${aws:username}/${aws:userid}", variables=True)
    assert variables_of(pattern) == ("${aws:userid}", "${aws:username}")
    assert widen(pattern)[2] is STAR


# --- no backtracking, no recursion ---------------------------------------------------------------------------


@contextmanager
def guard(seconds: int, frames: int) -> Iterator[None]:
    """Fail if the block runs longer than ``seconds`` or nests more than ``frames`` calls deeper than here."""

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_former_worst_cases_finish_at_once():
    with guard(seconds=5, frames=40):
        assert not action_matches("ecr:" + "*" * 30 + "Z", "ecr:" + "a" * 40)
        assert not action_matches("ecr:" + "*a" * 200 + "Z", "ecr:" + "a" * 40)
        assert covers("*" * 1000, "arn:aws:s3:::b/*")
        assert not covers("*a" * 1000 + "b", "a" * 500 + "*")
        assert overlaps("*a" * 1000, "*a*a*")


def test_policy_of_the_maximum_size_full_of_wildcards_evaluates_at_once():
    """AWS caps a VPC endpoint policy at 20,480 characters; one full of wildcards is still a linear walk."""
    statement = {"Effect": "Allow", "Principal": "*", "Action": ["ecr:" + "*a?" * 1990 + "Z", "e*?"], "Resource": "*a" * 2500 + "?"}
    deny = {"Effect": "Deny", "Principal": "*", "NotAction": "*?" * 2000, "NotResource": "arn:*" * 1000 + "Z"}
    document = {"Version": "2012-10-17", "Statement": [statement, deny]}
    text = json.dumps(document)
    assert 20_000 < len(text) <= 20_480
    with guard(seconds=5, frames=40):
        decision = evaluate(text, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "arn:aws:ecr:us-east-1:*:repository/*")
    assert decision.verdict == "conditional"
    assert [m.statement.index for m in decision.deciding] == [0, 1, 0, 1]
