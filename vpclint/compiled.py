"""JMESPath expressions compiled to plain Python closures, for rule evaluation at scale.

Each node of a parsed expression becomes a function of the current value that reproduces the jmespath
library's own ``TreeInterpreter`` (including its quirks: 0/1 versus true/false equality, function type errors);
``tests/test_compiled.py`` proves it against the interpreter. Programs are cached per evaluation on the options
object that :func:`vpclint.functions.rule_options` builds, never globally.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import jmespath
from jmespath.parser import ParsedResult
from jmespath.visitor import TreeInterpreter, _equals, _Expression, _is_actual_number, _is_comparable

from vpclint.lets import plain

Program = Callable[[Any], Any]


def program(parsed: ParsedResult, options: jmespath.Options) -> Program:
    """A compiled expression as a function of the item: made once per evaluation by :func:`to_program` and
    cached on options that carry ``programs`` (see ``rule_options``), else ``ParsedResult.search``."""
    programs = getattr(options, "programs", None)
    if programs is None:
        return lambda item: parsed.search(plain(item), options=options)
    found = programs.get(parsed)
    if found is None:
        found = programs[parsed] = to_program(parsed.parsed, options.custom_functions, options.interpreter)
    return found


def search(parsed: ParsedResult, item: Any, options: jmespath.Options) -> Any:
    """Evaluate a compiled expression (see :func:`program`)."""
    return program(parsed, options)(item)


_NOT_NUMBERS = frozenset({str, bool, type(None), list, dict})


def is_false(value: Any) -> bool:
    """JMESPath falsiness (``TreeInterpreter._is_false``): null, false, and empty strings, lists and objects."""
    return value is None or value is False or value == "" or value == [] or value == {}


def _equal(x: Any, y: Any) -> bool:
    """JMESPath ``==`` (``visitor._equals``); only numbers need its special case of 0/1 against booleans."""
    if type(x) in _NOT_NUMBERS and type(y) in _NOT_NUMBERS:
        return x == y
    return _equals(x, y)


def to_program(node: dict, functions: Any, interpreter: TreeInterpreter) -> Program:
    """A parsed JMESPath expression as nested Python closures, with ``TreeInterpreter``'s semantics node by node.

    It skips the interpreter's per-node dispatch and looks functions up once (arity and type checks as
    ``functions.call_function`` makes them). A node type it does not know is left to ``interpreter``.
    """
    kind, value = node["type"], node.get("value")
    if kind in ("slice", "index", "literal"):
        return _leaf(kind, node)
    if kind in ("current", "identity"):
        return plain  # a rule's let scope is the item with its lets (vpclint.lets)
    if kind == "expref":
        expression = node["children"][0]
        return lambda current: _Expression(expression, interpreter)
    if kind in ("and_expression", "or_expression"):
        operands = [to_program(n, functions, interpreter) for n in _operands(node, kind)]
        return _junction(kind == "and_expression", operands)
    if kind == "comparator" and value in ("eq", "ne"):
        return _equality(value == "eq", node["children"], functions, interpreter)
    if kind == "subexpression":
        kids = [_fields(run) if run[0]["type"] == "field" else to_program(run[0], functions, interpreter) for run in _runs(node["children"])]
    else:
        kids = [to_program(child, functions, interpreter) for child in node.get("children") or []]
    if kind == "function_expression" and _is_builtin_contains(value, node["children"], functions):
        values, subject, general = [n["value"] for n in node["children"][0]["children"]], kids[1], _call(value, kids, functions)
        return lambda current: general(current) if current is None else subject(current) in values
    if kind == "field":
        return _fields([node])
    if kind in ("subexpression", "index_expression", "pipe"):
        if len(kids) == 1:  # a.b.c: one lookup chain
            return kids[0]
        if len(kids) == 2:
            first, second = kids
            return lambda current: second(first(current))

        def chain(current: Any) -> Any:
            for kid in kids:
                current = kid(current)
            return current
        return chain
    if kind == "key_val_pair":
        return kids[0]
    if kind in ("not_expression", "comparator"):
        return _logic(kind, value, kids)
    if kind == "function_expression":
        return _call(value, kids, functions)
    if kind in ("projection", "filter_projection", "value_projection", "flatten"):
        return _projection(kind, kids)
    if kind == "multi_select_dict":
        keys = [child["value"] for child in node["children"]]
        dict_cls = interpreter._dict_cls
        pairs = list(zip(keys, kids))

        def select_dict(current: Any) -> Any:
            if current is None:
                return None
            collected = dict_cls()
            for key, kid in pairs:
                collected[key] = kid(current)
            return collected
        return select_dict
    if kind == "multi_select_list":
        return lambda current: None if current is None else [kid(current) for kid in kids]
    return lambda current: interpreter.visit(node, plain(current))


def _runs(nodes: list[dict]) -> list[list[dict]]:
    """A subexpression's steps with consecutive ``field`` nodes grouped (every other node alone)."""
    runs: list[list[dict]] = []
    for node in nodes:
        if node["type"] == "field" and runs and runs[-1][0]["type"] == "field":
            runs[-1].append(node)
        else:
            runs.append([node])
    return runs


def _fields(nodes: list[dict]) -> Program:
    """``field`` nodes in a row (``a.b.c``) as one lookup chain: null as soon as a step is not an object."""
    names = [n["value"] for n in nodes]
    if len(names) == 1:
        (name,) = names

        def field(current: Any) -> Any:
            try:
                return current.get(name)
            except AttributeError:
                return None
        return field

    def path(current: Any) -> Any:
        for step in names:
            try:
                current = current.get(step)
            except AttributeError:
                return None
        return current
    return path


def _is_builtin_contains(name: str, nodes: list[dict], functions: Any) -> bool:
    """True for ``contains([literals...], x)`` with jmespath's own ``contains``: on a non-null current value its
    first argument is always an array, so it is Python's ``in`` (as ``Functions._func_contains``)."""
    spec = functions.FUNCTION_TABLE.get(name) if name == "contains" else None
    return (
        spec is not None
        and spec["function"] is jmespath.functions.Functions._func_contains
        and len(nodes) == 2
        and nodes[0]["type"] == "multi_select_list"
        and all(n["type"] == "literal" for n in nodes[0]["children"])
    )


def _call(name: str, kids: list[Program], functions: Any) -> Program:
    """A function call. The argument count is known now, and the argument types are checked here as
    ``call_function`` checks them (a variadic function's extra arguments are not checked); on any mismatch
    ``call_function`` itself runs, to report it."""
    spec = functions.FUNCTION_TABLE.get(name)
    signature = spec["signature"] if spec else None
    variadic = bool(signature) and signature[-1].get("variadic")
    if not signature or (len(kids) < len(signature) if variadic else len(kids) != len(signature)):
        call = functions.call_function
        return lambda current: call(name, [kid(current) for kid in kids])
    function, checks = spec["function"], []
    for position, argument in enumerate(signature):
        if argument["types"]:
            names, subtypes = functions._get_allowed_pytypes(argument["types"])
            # One element type: every element must have it; several: left to call_function unless empty.
            elements = (frozenset(subtypes[0]) if len(subtypes) == 1 else frozenset()) if subtypes else None
            checks.append((position, frozenset(names), elements))

    if len(kids) == 1 and [c[0] for c in checks] == [0]:  # one checked argument: no argument list, no loop
        (kid,), ((_, names, elements),) = kids, checks

        def invoke_one(current: Any) -> Any:
            arg = kid(current)
            if type(arg).__name__ not in names or (elements is not None and not {type(e).__name__ for e in arg} <= elements):
                return functions.call_function(name, [arg])
            return function(functions, arg)
        return invoke_one

    def invoke(current: Any) -> Any:
        args = [kid(current) for kid in kids]
        for position, names, elements in checks:
            arg = args[position]
            if type(arg).__name__ not in names or (elements is not None and not {type(e).__name__ for e in arg} <= elements):
                return functions.call_function(name, args)
        return function(functions, *args)
    return invoke


def _leaf(kind: str, node: dict) -> Program:
    """``slice``, ``index`` and ``literal``: their values are data, not child expressions."""
    if kind == "literal":
        constant = node["value"]
        return lambda current: constant
    if kind == "index":
        position = node["value"]

        def index(current: Any) -> Any:
            if not isinstance(current, list):
                return None
            try:
                return current[position]
            except IndexError:
                return None
        return index
    window = slice(*node["children"])
    return lambda current: current[window] if isinstance(current, list) else None


def leading(
    parsed: ParsedResult, options: jmespath.Options, alone: Callable[[dict], bool]
) -> tuple[list[Program], Optional[Program]]:
    """``a && b && ...`` (any expression: one operand) split before its first operand that ``alone`` rejects: the
    operands before it, each a program, and the conjunction of it and the rest (None when ``alone`` takes all).
    The expression is true when every leading operand is true (JMESPath truthiness) and then the rest is."""
    nodes = _operands(parsed.parsed, "and_expression")
    count = next((i for i, node in enumerate(nodes) if not alone(node)), len(nodes))
    functions, interpreter = options.custom_functions, options.interpreter  # type: ignore[attr-defined]
    lead = [to_program(node, functions, interpreter) for node in nodes[:count]]
    rest = [to_program(node, functions, interpreter) for node in nodes[count:]]
    return lead, (rest[0] if len(rest) == 1 else _junction(True, rest)) if rest else None


def _operands(node: dict, kind: str) -> list[dict]:
    """The operands of a chain of one operator (``&&`` or ``||``), in order: the parser nests them in pairs."""
    if node["type"] != kind:
        return [node]
    return [operand for child in node["children"] for operand in _operands(child, kind)]


def _junction(conjunction: bool, operands: list[Program]) -> Program:
    """``a && b && ...``: the first false value, else the last value; ``a || b || ...``: the first true value,
    else the last value."""
    *leading, last = operands

    def junction(current: Any) -> Any:
        for operand in leading:
            value = operand(current)
            if value is True or value is False:  # the common case, without a call
                if (value is False) is conjunction:
                    return value
            elif is_false(value) is conjunction:
                return value
        return last(current)
    return junction


def _equality(equal: bool, nodes: list[dict], functions: Any, interpreter: TreeInterpreter) -> Program:
    """``==`` or ``!=``. Against a string or null literal it is Python's ``==`` (no 0/1-boolean special case)."""
    left, right = operands = [to_program(n, functions, interpreter) for n in nodes]
    for index in (1, 0):
        constant = nodes[index].get("value")
        if nodes[index]["type"] == "literal" and (constant is None or type(constant) is str):
            other = operands[1 - index]
            if nodes[1 - index]["type"] == "field":
                return _field_equality(equal, nodes[1 - index]["value"], constant)
            if equal:
                return lambda current: other(current) == constant
            return lambda current: other(current) != constant
    if equal:
        return lambda current: _equal(left(current), right(current))
    return lambda current: not _equal(left(current), right(current))


def _field_equality(equal: bool, name: str, constant: Any) -> Program:
    """``field == constant`` (or ``!=``) as one lookup: a value that is not an object has the field null."""
    def compare(current: Any) -> Any:
        try:
            value = current.get(name)
        except AttributeError:
            value = None
        return (value == constant) is equal
    return compare


def _logic(kind: str, operator: Optional[str], kids: list[Program]) -> Program:
    """``!`` and the ordering comparators."""
    if kind == "not_expression":
        (operand,) = kids

        def negate(current: Any) -> Any:
            result = operand(current)
            if result is None or result is True or result is False:  # the common case, without a call
                return not result
            if _is_actual_number(result) and result == 0:
                return False
            return not result
        return negate
    left, right = kids
    compare = TreeInterpreter.COMPARATOR_FUNC[operator]

    def order(current: Any) -> Any:
        a, b = left(current), right(current)
        if type(a) is int and type(b) is int:  # the common case (lengths), without a call
            return compare(a, b)
        return compare(a, b) if _is_comparable(a) and _is_comparable(b) else None
    return order


def _projection(kind: str, kids: list[Program]) -> Program:
    """``[*]``/``[]`` projections, ``[?filter]``, ``*`` over object values and flattening."""
    if kind == "flatten":
        (base,) = kids

        def flatten(current: Any) -> Any:
            items = base(current)
            if not isinstance(items, list):
                return None
            merged: list = []
            for element in items:
                if isinstance(element, list):
                    merged.extend(element)
                else:
                    merged.append(element)
            return merged
        return flatten
    base, each = kids[0], kids[1]
    keep = kids[2] if kind == "filter_projection" else None

    def project(current: Any) -> Any:
        items = base(current)
        if kind == "value_projection":
            try:
                items = items.values()
            except AttributeError:
                return None
        elif not isinstance(items, list):
            return None
        collected = []
        for element in items:
            if keep is not None and is_false(keep(element)):
                continue
            result = each(element)
            if result is not None:
                collected.append(result)
        return collected
    return project
