"""Lazy ``let:`` values (vpclint.lets) against the straightforward computation: every let computed first, in order,
on a copy of the item that holds the earlier lets, then the expression interpreted by jmespath on the result."""

from __future__ import annotations

import jmespath
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpclint.compiled import program
from vpclint.functions import rule_options
from vpclint.errors import VpclintError
from vpclint.lets import Lets, Scope
from vpclint.rules import Rule, parse_rule_file

ITEMS = [
    {"a": 0, "b": 1, "c": True, "e": None, "s": "abc", "tags": ["x", "y"], "j": {"x": 1, "y": [1, 2]},
     "k": [{"n": 1, "s": "b", "x0": "inner"}, {"n": 0, "s": "a"}]},
    {"a": 2, "b": 0, "c": False, "e": "z", "s": "", "tags": [], "j": {}, "k": []},
]
FIELDS = ["a", "b", "c", "e", "s", "tags", "j", "k"]
TEMPLATES = [
    "{f}", "{f} && {g}", "{f} || {g}", "[{f}, {g}]", "{{p: {f}, q: {g}}}", "length(to_array({f}))", "@", "keys(@)",
    "{f} == {g}", "!{f}", "to_string({f})", "k[?n].{f}", "k[*].x0", "j.*", "{f}.x", "not_null({f}, {g})",
    "merge(@, `{{}}`).{f}", "values(@)[0]", "@.{f}", "[@][0].{f}", "{f} | [0]", "type({f})", "sort(keys(@))",
    "length({f})", "{f}[0]",
]


def _expression(names: list[str]) -> st.SearchStrategy[str]:
    pool = st.sampled_from(FIELDS + names)
    return st.builds(lambda t, f, g: t.format(f=f, g=g), st.sampled_from(TEMPLATES), pool, pool)


@st.composite
def rules(draw: st.DrawFn) -> tuple[list[tuple[str, str]], str]:
    names = [f"x{position}" for position in range(draw(st.integers(0, 3)))]
    # a let reads the earlier lets; the name of a later one (the loader refuses it) is the item's field
    lets = [(name, draw(_expression(names))) for name in names]
    return lets, draw(_expression(names))


def _outcome(run):
    try:
        return ("ok", run())
    except (jmespath.exceptions.JMESPathError, VpclintError) as exc:
        return ("error", type(exc).__name__)


def _eager(lets: list[tuple[str, str]], when: str, item: dict):
    interpreter = rule_options().interpreter
    bound = dict(item)
    for name, expression in lets:
        bound[name] = interpreter.visit(jmespath.compile(expression).parsed, dict(bound))
    return interpreter.visit(jmespath.compile(when).parsed, bound)


def _lazy(lets: list[tuple[str, str]], when: str, item: dict, options: jmespath.Options, read: list[str]):
    def compute(name: str, run, scope: Scope):
        read.append(name)
        return run(scope)

    made = Lets([(name, program(jmespath.compile(expression), options)) for name, expression in lets], compute)
    scope = made.bind(item)
    assert made.bind(item) is scope
    return program(jmespath.compile(when), options)(scope)


@settings(max_examples=500, deadline=None)
@given(rules(), st.sampled_from(ITEMS), st.booleans())
def test_lazy_lets_equal_computing_every_let_first(rule, item, compiled):
    lets, when = rule
    expected = _outcome(lambda: _eager(lets, when, item))
    options = rule_options() if compiled else jmespath.Options(custom_functions=rule_options().custom_functions)
    read: list[str] = []
    found = _outcome(lambda: _lazy(lets, when, item, options, read))
    if expected[0] == "ok":  # a let the expression never reads may fail without failing it
        assert found == expected, (lets, when)
    else:
        assert found[0] == "ok" or found == expected, (lets, when)
    assert len(read) == len(set(read))  # each let computed at most once per item


def test_a_let_not_read_is_not_computed():
    options = rule_options()
    read: list[str] = []
    lets = [("x0", "length(a)"), ("x1", "x0")]  # length of a number is a type error: never reached while c is false
    assert _lazy(lets, "c && x1", ITEMS[1], options, read) is False and read == []
    assert _outcome(lambda: _lazy(lets, "c && x1", ITEMS[0], options, read)) == ("error", "JMESPathTypeError")
    assert read == ["x1", "x0"]


@st.composite
def conditions(draw: st.DrawFn) -> tuple[list[tuple[str, str]], str]:
    """Lets and a condition: a conjunction whose operands read the lets or not (``@`` too)."""
    lets, _ = draw(rules())
    names = [name for name, _ in lets]
    operands = draw(st.lists(_expression(names), min_size=1, max_size=4))
    return lets, " && ".join(f"({operand})" for operand in operands)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(conditions(), st.sampled_from(ITEMS))
def test_a_condition_reads_its_leading_operands_on_the_item_alike(monkeypatch_rule, rule, item):
    lets, when = rule
    expected = _outcome(lambda: _eager(lets, when, item) not in (None, False, "", [], {}))
    made = monkeypatch_rule(lets, when)
    found = _outcome(lambda: made.condition(rule_options())(item))
    if expected[0] == "ok":
        assert found == expected, (lets, when)
    else:
        assert found[0] == "ok" or found == ("error", "VpclintError"), (lets, when)  # the rule's own error, or unread


@pytest.fixture(scope="module")
def monkeypatch_rule():
    """A rule of the given lets and condition, its field names not checked (the items here are made up)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(Rule, "_check_fields", lambda self: None)

    def make(lets, when):
        return parse_rule_file(yaml.safe_dump({
            "schema_version": 1, "id": "r", "title": "t", "severity": "low", "resource": "endpoint",
            "requires": ["vpc_endpoints"], "description": "d", "rationale": "r", "let": dict(lets), "when": when,
            "message": "m", "evidence": "@", "remediation": "r",
        }), "r.yaml")
    yield make
    patch.undo()
