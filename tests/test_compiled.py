"""The compiled JMESPath programs agree with the jmespath library's interpreter: same results, same errors."""

from __future__ import annotations

import jmespath
import pytest

from vpclint.compiled import to_program
from vpclint.functions import rule_options

DATA = [
    {
        "a": 0, "b": 1, "c": True, "d": False, "e": None, "f": "", "g": [], "h": {}, "i": [1, 2, 3, 0],
        "j": {"x": 1, "y": [1, 2], "z": {"w": 0}},
        "k": [{"n": 1, "s": "b", "l": [1, [2, 3]]}, {"n": 0, "s": "a", "l": []}, {"n": True, "s": None}],
        "s": "abc", "m": 1.0, "z": 0.0, "tags": ["x", "y"],
    },
    [1, 2, [3, 4], {"a": 1}],
    "text",
    0,
    None,
    {"k": []},
]

EXPRESSIONS = [
    "a == `0`", "a == `false`", "b == `true`", "c == `1`", "d == `0`", "m == `1`", "z == `false`", "e == null",
    "f == ''", "g == `[]`", "h == `{}`", "a != c", "b != `true`",
    "!a", "!b", "!c", "!d", "!e", "!f", "!g", "!h", "!z", "!m", "!s",
    "a && b", "d && b", "f || s", "e || g || h || a", "g && h", "c && d || s",
    "i[0]", "i[-1]", "i[10]", "i[1:3]", "i[::-1]", "s[0]", "k[0].l[1][0]", "s[1:]",
    "k[*].n", "k[].s", "k[?n].s", "k[?n == `1`]", "k[?!n]", "k[].l[]", "k[].l[][]", "i[]", "j.*", "j.*.w", "h.*",
    "s.*", "k[*].l[*]",
    "{x: a, y: k[0].s}", "[a, b, s]", "e.{x: a}", "e.[a]", "k[*].[n, s]", "k[*].{n: n}",
    "a < b", "a < s", "s < s", "m >= b", "e > a", "`2` > `1.5`", "i[0] <= i[1]",
    "length(i)", "length(s)", "length(e)", "sort_by(k[?s], &s)[].s", "max_by(k[:2], &n).s", "sort(tags)",
    "join(',', tags)", "contains(i, `2`)", "contains(s, 'b')",
    "keys(j)", "values(j)", "abs(a)", "avg(i)", "to_number('3')", "type(a)", "not_null(e, f, a)", "merge(j, h)",
    "reverse(s)", "starts_with(s, 'a')",
    "sum(i)", "sum(tags)", "length(a)", "lower(s)", "lower(a)", 'difference(tags, `["x"]`)', "difference(i, tags)",
    "endpoints_of(@, 'x', null)",
    "@", "@.a", "j | x", "i | [0]", "k[0] | s", "k[*] | [0]", '`{"a": [1]}`.a[0]', "'lit'", "map(&n, k)",
    "min_by(k[:2], &n).n",
    "j.z.w || 'none'", "(a || b) && s", "a.b.c", "s.a", "i.a", "k.n", "k[0].l[1][1]", "max(i)", "max(tags)",
    "max(k)", "min(`[]`)",
    "length(k[?n == `0`]) > `0`", "k[?n != `0`].s", "to_array(a)", "to_string(j)", "ceil(m)", "floor(`1.5`)",
    "cidr_within(s, s)", "'a' == `1`", "`1` == 'a'", "'a' != `1`", "null == a", "a == null", "`0` == `false`",
    "'abc' == s", "s != 'abc'", "'x' == 'x'", "e != null", "k[?s == 'a'].n", "k[?'b' == s].n", "c == `true`",
    "a != `false`", "'x' == j.x", "j.x == k[0].s", "length(i) == `4`",
    "contains(['a', 'b'], s)", "contains([`1`, 'x'], a)", "contains([`0`], d)", "contains([`[1]`, `null`], e)",
    "contains([], s)", "contains(['a', s], s)", "contains([`{}`], h)",
]


def _outcome(run):
    try:
        return ("ok", repr(run()))
    except Exception as exc:  # the error type and text must match too
        return ("error", type(exc).__name__, str(exc))


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_compiled_program_matches_the_interpreter(expression: str) -> None:
    parsed = jmespath.compile(expression)
    for datum in DATA:
        options = rule_options()
        expected = _outcome(lambda: options.interpreter.visit(parsed.parsed, datum))
        compiled = to_program(parsed.parsed, options.custom_functions, options.interpreter)
        assert _outcome(lambda: compiled(datum)) == expected, (expression, datum)


def test_every_builtin_rule_expression_agrees_on_the_demo_view() -> None:
    from vpclint.demo import demo_snapshot_text
    from vpclint.rules import load_rules
    from vpclint.snapshot_files import parse
    from vpclint.view import build_view

    snapshot = parse(demo_snapshot_text(), "demo")
    rules = load_rules()
    checked = 0
    for region in build_view(snapshot):
        for rule in rules:
            parsed = jmespath.compile(rule.when)
            for item in region.items[rule.resource]:
                options = rule_options()
                expected = _outcome(lambda: options.interpreter.visit(parsed.parsed, item))
                compiled = to_program(parsed.parsed, options.custom_functions, options.interpreter)
                assert _outcome(lambda: compiled(item)) == expected, (rule.id, item["resource_id"])
                checked += 1
    assert checked > 100
