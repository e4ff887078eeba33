"""The files vpclint reads (snapshot, baseline, price file, config, ...): reading and validating them with
one-line errors that name the kind of file, the path and the field."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from vpclint.errors import VpclintError

ModelT = TypeVar("ModelT", bound=BaseModel)


def describe_validation_error(exc: ValidationError) -> str:
    """The first pydantic error as ``field path.to.field: message``."""
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return f"field {location}: {first['msg']}{suffix}"


def read_text(path: Path, kind: str) -> str:
    """A file's UTF-8 text; failure is ``<kind> <path>: cannot read: <reason>``."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise VpclintError(f"{kind} {path}: cannot read: {reason}") from None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and an atomic rename.

    A path that exists but is not a regular file (``/dev/null``, a FIFO, ``/dev/stdout``) is written in place:
    renaming over it would replace the device itself.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, kind: str) -> None:
    """Write a file atomically; failure is ``<kind> <path>: cannot write: <reason>``."""
    try:
        write_atomic(Path(path), text)
    except OSError as exc:
        raise VpclintError(f"{kind} {path}: cannot write: {exc.strerror or exc}") from None


def json_error(exc: json.JSONDecodeError) -> str:
    """Where and why JSON text failed to parse, for a one-line error."""
    return f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"


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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VpclintError(f"{kind} {source}: {json_error(exc)}") from None
    if not isinstance(data, dict):
        raise VpclintError(f"{kind} {source}: expected a JSON object at the top level")
    if upgrade is not None:
        data = upgrade(data)
    return validate_versioned(data, source, kind, model, version_field, version)


def validate_versioned(data: dict, source: str, kind: str, model: type[ModelT], version_field: str, version: int) -> ModelT:
    """Check that ``version_field`` equals ``version``, then validate ``data`` as ``model``; one-line errors."""
    if data.get(version_field) != version:
        raise VpclintError(
            f"{kind} {source}: field {version_field}: unsupported value {data.get(version_field)!r} "
            f"(this vpclint reads version {version})"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise VpclintError(f"{kind} {source}: {describe_validation_error(exc)}") from None
