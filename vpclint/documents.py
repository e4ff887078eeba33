"""The files vpclint reads (snapshot, baseline, price file, config, ...): reading and validating them with
one-line errors that name the kind of file, the path and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from vpclint.errors import VpclintError
from vpclint.limits import MAX_DEPTH, MAX_DIGITS, FieldError, check_nesting, check_size, read_text
from vpclint.writer import write_atomic

ModelT = TypeVar("ModelT", bound=BaseModel)
__all__ = ["FieldError", "read_text", "write_atomic"]


def describe_validation_error(exc: ValidationError) -> str:
    """The first pydantic error as ``field path.to.field: message`` (a :class:`FieldError` extends the path)."""
    first = exc.errors()[0]
    cause = (first.get("ctx") or {}).get("error")
    parts = [*first["loc"], *cause.path] if isinstance(cause, FieldError) else first["loc"]
    if isinstance(cause, FieldError):
        first = {**first, "msg": cause.reason}
    location = ".".join(str(part) for part in parts) or "(top level)"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return f"field {location}: {first['msg']}{suffix}"


def load_data(text: str, source: str, kind: str, loads: Callable[[str], Any]) -> Any:
    """``loads(text)`` within the documented limits (size, nesting depth, digits of a number, valid Unicode).

    The loader's own syntax errors propagate for the caller to describe; breaking a limit is a one-line error.
    """
    check_size(text, source, kind)
    try:
        data = loads(text)
    except RecursionError:
        raise VpclintError(f"{kind} {source}: nested deeper than the limit of {MAX_DEPTH} levels") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise VpclintError(f"{kind} {source}: a number has more digits than the limit of {MAX_DIGITS}") from None
    check_nesting(data, source, kind, strings="\\u" in text or "\\U" in text)
    return data


def write_text(path: Path, text: str, kind: str) -> None:
    """Write a file atomically; failure is ``<kind> <path>: cannot write: <reason>``."""
    try:
        write_atomic(Path(path), text)
    except OSError as exc:
        raise VpclintError(f"{kind} {path}: cannot write: {exc.strerror or exc}") from None


def json_error(exc: json.JSONDecodeError) -> str:
    """Where and why JSON text failed to parse, for a one-line error."""
    return f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def load_json(text: str, source: str, kind: str) -> Any:
    """Parse JSON text within the limits of :func:`load_data`; ``NaN`` and ``Infinity`` are not JSON."""
    try:
        return load_data(text, source, kind, lambda t: json.loads(t, parse_constant=_no_constant))
    except json.JSONDecodeError as exc:
        raise VpclintError(f"{kind} {source}: {json_error(exc)}") from None


def parse_versioned_json(
    text: str,
    source: str,
    kind: str,
    model: type[ModelT],
    version_field: str,
    version: int,
    upgrade: Optional[Callable[[dict], dict]] = None,
) -> ModelT:
    """Parse JSON text whose ``version_field`` must equal ``version`` (after ``upgrade``, which turns an older
    version's data into the current one), then validate it as ``model``."""
    data = load_json(text, source, kind)
    if not isinstance(data, dict):
        raise VpclintError(f"{kind} {source}: expected a JSON object at the top level")
    if upgrade is not None:
        data = upgrade(data)
    return validate_versioned(data, source, kind, model, version_field, version)


def validate_versioned(data: dict, source: str, kind: str, model: type[ModelT], version_field: str, version: int) -> ModelT:
    """Check that ``version_field`` equals ``version``, then validate ``data`` as ``model``; one-line errors."""
    found = data.get(version_field)
    if type(found) is not int or found != version:
        raise VpclintError(
            f"{kind} {source}: field {version_field}: unsupported value {found!r} "
            f"(this vpclint reads version {version})"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise VpclintError(f"{kind} {source}: {describe_validation_error(exc)}") from None
