"""Rule files: the documented schema (a pydantic model) and the loader.

A rule file is YAML holding one rule (``schema_version: 1`` plus the fields of :class:`Rule`). Conditions,
evidence and the text templates are JMESPath over one item of the derived view (:mod:`vpclint.view`);
templates embed expressions as ``{{ expression }}``. ``let`` names values computed at most once per item, when
first read (see :meth:`Rule.bind`). Everything is compiled when the file is loaded, so a bad expression is
reported with its file and field before any scan runs.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Literal, Optional

import jmespath
import yaml
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from vpclint.compiled import is_false, leading, program
from vpclint.documents import load_data, validate_versioned
from vpclint.errors import VpclintError
from vpclint.lets import Lets, Scope
from vpclint.functions import RuleFunctions
from vpclint.rulefields import reads, unknown_field
from vpclint.snapshot import SOURCES
from vpclint.templates import Template, compile_expression, fill

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

RULE_SCHEMA_VERSION = 1
SEVERITIES = ("critical", "high", "medium", "low", "info")
Severity = Literal["critical", "high", "medium", "low", "info"]
ResourceKind = Literal["vpc", "subnet", "route_table", "endpoint", "security_group"]
_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LET_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def severity_rank(severity: str) -> int:
    """0 for critical ... 4 for info."""
    return SEVERITIES.index(severity)


class Rule(BaseModel):
    """One rule. See ``docs/rules.md`` for the meaning of each field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1]
    id: str
    title: str = Field(min_length=1)
    severity: Severity
    resource: ResourceKind
    requires: list[Literal[SOURCES]] = Field(min_length=1)  # type: ignore[valid-type]
    description: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    references: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    let: dict[str, str] = Field(default_factory=dict)
    when: str = Field(min_length=1)
    message: str = Field(min_length=1)
    evidence: str = Field(min_length=1)
    remediation: str = Field(min_length=1)

    _source: str = PrivateAttr(default="")
    _compiled: dict[str, Any] = PrivateAttr(default_factory=dict)
    _made: tuple[Any, Any] = PrivateAttr(default=(None, None))

    @field_validator("id")
    @classmethod
    def _kebab_case(cls, value: str) -> str:
        if not _RULE_ID.match(value):
            raise ValueError(f"rule id {value!r} is not kebab-case (lowercase words joined by '-')")
        return value

    @field_validator("let")
    @classmethod
    def _let_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, expression in value.items():
            if not _LET_NAME.match(name):
                raise ValueError(f"let name {name!r} is not lowercase letters, digits and '_'")
            if not isinstance(expression, str) or not expression.strip():
                raise ValueError(f"let {name}: expected a JMESPath expression")
        return value

    @field_validator("references")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith("https://"):
                raise ValueError(f"reference {url!r} is not an https:// URL")
        return value

    @property
    def source(self) -> str:
        """The file the rule came from."""
        return self._source

    def compile(self, source: str) -> None:
        """Compile the JMESPath condition, evidence and templates; errors name the file and field."""
        self._source = source
        self._compiled["let"] = []
        for name, expression in self.let.items():
            try:
                self._compiled["let"].append((name, compile_expression(expression)))
            except JMESPathError as exc:
                raise VpclintError(f"rule file {source}: field let.{name}: invalid JMESPath: {_one_line(exc)}") from None
        for name in ("when", "evidence"):
            try:
                self._compiled[name] = compile_expression(getattr(self, name))
            except JMESPathError as exc:
                raise VpclintError(f"rule file {source}: field {name}: invalid JMESPath: {_one_line(exc)}") from None
        for name in ("message", "remediation"):
            try:
                self._compiled[name] = Template(getattr(self, name))
            except JMESPathError as exc:
                raise VpclintError(
                    f"rule file {source}: field {name}: invalid JMESPath in a {{{{ }}}} placeholder: {_one_line(exc)}"
                ) from None
        for name, parsed in self._expressions():
            problem = _bad_call(parsed.parsed)
            if problem:
                raise VpclintError(f"rule file {source}: field {name}: invalid JMESPath: {problem}")
        self._check_fields()

    def _expressions(self) -> Iterator[tuple[str, ParsedResult]]:
        """``(field, parsed expression)`` of every expression of the rule: lets, condition, evidence, placeholders."""
        yield from ((f"let.{name}", parsed) for name, parsed in self._compiled["let"])
        for name in ("when", "evidence", "message", "remediation"):
            compiled = self._compiled[name]
            for parsed in compiled.parts if isinstance(compiled, Template) else [compiled]:
                if isinstance(parsed, ParsedResult):
                    yield name, parsed

    def _check_fields(self) -> None:
        """Refuse a let name that is a field of the rule's items, and an expression reading a field that no item of
        the kind has (a let sees the earlier lets, the other fields all of them)."""
        from vpclint.fixtures import item_fields

        known = item_fields()[self.resource]
        for name in self.let:
            if name in known:
                raise VpclintError(f"rule file {self._source}: field let.{name}: the name is a field of "
                                   f"{self.resource} items; choose another")
        names = list(self.let)
        for field_name, parsed in self._expressions():
            visible = names[:names.index(field_name[4:])] if field_name.startswith("let.") else names
            problem = unknown_field([parsed.parsed], known | frozenset(visible), self.resource)
            if problem:
                raise VpclintError(f"rule file {self._source}: field {field_name}: {problem}")

    def bind(self, item: Any, options: jmespath.Options) -> Any:
        """The item the expressions see: with ``let``, a :class:`vpclint.lets.Scope` of the item, which computes each
        named value when first read (a let sees the earlier ones); kept for the last item, so one finding computes
        them once."""
        lets = self._programs(options).lets
        return lets.bind(item) if lets is not None else item

    def _programs(self, options: jmespath.Options) -> _Programs:
        """The rule's expressions as programs of ``options``' evaluation, made once per evaluation."""
        made_for, made = self._made
        if made_for is not options:
            made = _Programs(self._compiled, options, self._let)
            self._made = (options, made)
        return made

    def _let(self, name: str, run: Callable[[Any], Any], scope: Scope) -> Any:
        """One let's value in ``scope`` (an error names the file and the let)."""
        try:
            return run(scope)
        except JMESPathError as exc:
            raise self._failure(f"let.{name}", scope.item, exc) from None

    def _failure(self, field_name: str, item: Any, exc: JMESPathError) -> VpclintError:
        """A JMESPath error (e.g. a type error) naming the file and field."""
        return VpclintError(
            f"rule file {self._source}: field {field_name}: JMESPath failed on "
            f"{item.get('resource_id') if isinstance(item, (dict, Scope)) else item}: {_one_line(exc)}"
        )

    def _apply(self, field_name: str, item: Any, options: jmespath.Options) -> Any:
        """Search or render one compiled field."""
        made = self._programs(options)
        if made.lets is not None:
            item = made.lets.bind(item)
        try:
            if field_name == "evidence":
                return made.evidence(item)
            return fill(made.templates[field_name], item)
        except JMESPathError as exc:
            raise self._failure(field_name, item, exc) from None

    def condition(self, options: jmespath.Options) -> Callable[[Any], bool]:
        """The condition with one evaluation's options bound: true for an item when it holds (JMESPath truthiness)."""
        made = self._programs(options)
        test, lead = made.when, made.lead
        if made.bound and made.lets is not None:
            bind = made.lets.bind
            when = lambda item: test(bind(item))  # noqa: E731
        else:
            when = test

        def holds(item: Any) -> bool:
            try:
                for first in lead:  # leading operands that read no let: on the item itself, no scope yet
                    if is_false(first(item)):
                        return False
                value = when(item)
            except JMESPathError as exc:
                raise self._failure("when", item, exc) from None
            if value is True:
                return True
            return value not in (None, False, "", [], {})
        return holds

    def evidence_for(self, item: Any, options: jmespath.Options) -> Any:
        """The facts that made the rule fire, as the evidence expression selects them."""
        return self._apply("evidence", item, options)

    def render(self, field_name: str, item: Any, options: jmespath.Options) -> str:
        """Render the message or remediation template for an item."""
        return self._apply(field_name, item, options)


class _Programs:
    """A rule's expressions as programs of one evaluation's options: its lets (None without), condition, evidence
    and templates."""

    __slots__ = ("lets", "lead", "when", "bound", "evidence", "templates")

    def __init__(self, compiled: dict[str, Any], options: jmespath.Options, compute: Callable[..., Any]) -> None:
        named = [(name, program(parsed, options)) for name, parsed in compiled["let"]]
        self.lets = Lets(named, compute) if named else None
        self.lead: list[Callable[[Any], Any]] = []
        self.when = program(compiled["when"], options)
        self.bound = bool(named)  # whether the condition needs the item with its lets
        if named and getattr(options, "programs", None) is not None:
            names = frozenset(name for name, _ in named)
            lead, rest = leading(compiled["when"], options, lambda node: not reads(node, names))
            if rest is None:
                self.bound = False
            elif lead:
                self.lead, self.when = lead, rest
        self.evidence = program(compiled["evidence"], options)
        self.templates = {name: compiled[name].programs(options) for name in ("message", "remediation")}


def _bad_call(node: dict) -> Optional[str]:
    """The first call in a parsed expression to an unknown function or with the wrong number of arguments."""
    if node.get("type") == "function_expression":
        name, count = node["value"], len(node["children"])
        entry = RuleFunctions.FUNCTION_TABLE.get(name)
        if entry is None:
            return f"unknown function {name}()"
        signature = entry["signature"]
        variadic = bool(signature) and signature[-1].get("variadic", False)
        if count < len(signature) or (count > len(signature) and not variadic):
            return f"{name}() takes {len(signature)}{' or more' if variadic else ''} argument(s), got {count}"
    for child in node.get("children") or []:
        if isinstance(child, dict):
            problem = _bad_call(child)
            if problem:
                return problem
    return None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def parse_rule_file(text: str, source: str) -> Rule:
    """Parse and compile one rule file's text."""
    try:
        data = load_data(text, source, "rule file", yaml.safe_load)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or _one_line(exc)
        raise VpclintError(f"rule file {source}: not valid YAML{where}: {problem}") from None
    except ValueError as exc:  # a value YAML recognises but Python can't hold, e.g. the date 2024-13-45
        raise VpclintError(f"rule file {source}: not valid YAML: {_one_line(exc)}") from None
    if not isinstance(data, dict):
        raise VpclintError(f"rule file {source}: expected a mapping of rule fields at the top level")
    rule = validate_versioned(data, source, "rule file", Rule, "schema_version", RULE_SCHEMA_VERSION)
    rule.compile(source)
    return rule


def builtin_rules_dir() -> Traversable:
    """The shipped rule files: ``vpclint/builtin_rules`` in an installed package, else ``rules/`` in a checkout.

    The wheel carries ``rules/`` as ``vpclint/builtin_rules``; when the source tree is first on ``sys.path``
    (``python -m`` from a checkout) the files are read where they live in the repository.
    """
    packaged = resources.files("vpclint").joinpath("builtin_rules")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def builtin_rule_files() -> list[tuple[str, str]]:
    """``(name, text)`` of every rule file shipped in the package, sorted by name."""
    root = builtin_rules_dir()
    return sorted(
        (f"rules/{entry.name}", entry.read_text(encoding="utf-8"))
        for entry in root.iterdir()
        if entry.name.endswith((".yaml", ".yml"))
    )


def _directory_rule_files(directory: Path) -> list[tuple[str, str]]:
    if not directory.is_dir():
        raise VpclintError(f"rules directory {directory}: not a directory")
    files = []
    for path in sorted(list(directory.glob("*.yaml")) + list(directory.glob("*.yml"))):
        try:
            files.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise VpclintError(f"rule file {path}: cannot read: {exc}") from None
    return files


def load_rules(
    extra_dirs: Iterable[Path] = (),
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    builtin: bool = True,
    origins: tuple[str, str] = ("--select", "--ignore"),
) -> list[Rule]:
    """Load the built-in rules and any extra directories; ``select``/``ignore`` filter by rule id, and an unknown
    id is an error naming where the list came from (``origins``: the flag or the config file's field)."""
    files = builtin_rule_files() if builtin else []
    for directory in extra_dirs:
        files.extend(_directory_rule_files(Path(directory)))
    rules: dict[str, Rule] = {}
    for source, text in files:
        rule = parse_rule_file(text, source)
        if rule.id in rules:
            raise VpclintError(f"rule file {source}: field id: {rule.id!r} is already defined in {rules[rule.id].source}")
        rules[rule.id] = rule
    for option, ids in zip(origins, (select or (), ignore)):
        unknown = sorted(set(ids) - set(rules))
        if unknown:
            raise VpclintError(f"{option}: unknown rule id {', '.join(unknown)} (see 'vpclint rules list')")
    chosen = set(select) if select else set(rules)
    chosen -= set(ignore)
    return [rules[rule_id] for rule_id in sorted(chosen)]
