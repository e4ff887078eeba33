"""Consistency checks of one region of a snapshot, beyond the types pydantic checks field by field.

* ids are unique within each collection (``vpcs``, ``subnets``, ...: the first required ``*_id`` field of the items);
* every field whose name mentions ``cidr`` holds valid CIDRs (``10.0.0.0/33`` is refused);
* every identifier (a field named ``*_id`` or ``*_ids``) and the region's name is one word of safe characters
  (:func:`valid_identifier`): they go into the shell commands a remediation prints, so a snapshot file can't make
  one run something else (``vpc-1; rm -rf ~`` is refused);
* subnets, route tables and endpoints name a VPC of the region's own ``vpcs`` (only when ``vpcs`` was collected);
* NAT gateway metrics stay within :data:`MAX_NAT_BYTES` per gateway and metric.

Failures are :class:`vpclint.limits.FieldError` with the path below the region, so the one-line error names the
field (``field regions.0.subnets.3.cidr_block: ...``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any, Iterator, get_args

from pydantic import BaseModel

from vpclint.limits import FieldError

MAX_NAT_BYTES = 10**18
"""The most bytes one NAT gateway metric may sum to in a snapshot (1 EB)."""
VPC_MEMBERS = ("subnets", "route_tables", "vpc_endpoints")
IDENTIFIER = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.:/@+=,-]{0,255})?")
"""What an AWS identifier, region or account id looks like here: one shell word that needs no quoting (letters,
digits and ``_.:/@+=,-``; a role session name in an interface's requester id uses the most of them), or empty
(a value AWS left blank)."""
DIAGNOSTICS = ("notes", "errors")
"""Collections that record what could not be read (their ids are reported as text, escaped, never run)."""


@lru_cache(maxsize=1 << 16)
def valid_cidr(text: str) -> bool:
    """True for an IPv4 or IPv6 network in CIDR notation (host bits may be set)."""
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def valid_identifier(text: str) -> bool:
    """True for an identifier that a printed shell command can carry as it is (see :data:`IDENTIFIER`)."""
    return IDENTIFIER.fullmatch(text) is not None


def id_field(model: type[BaseModel]) -> str | None:
    """The first required field named ``*_id``: what identifies an item of a collection."""
    for name, info in model.model_fields.items():
        if name.endswith("_id") and info.is_required():
            return name
    return None


def _collections(region: BaseModel) -> Iterator[tuple[str, list[BaseModel]]]:
    for name in type(region).model_fields:
        value = getattr(region, name)
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            yield name, value


def _check_unique(name: str, items: list[BaseModel]) -> None:
    key = id_field(type(items[0]))
    if key is None:
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise FieldError((name, index, key), f"duplicate id {value!r} (also at {name}.{seen[value]})")
        seen[value] = index


@lru_cache(maxsize=None)
def _plan(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The fields of ``model`` the checks read, each with what it holds: ``cidr`` (its name mentions cidr), ``id``
    (named ``*_id`` or ``*_ids``) or ``model`` (models nested in it); worked out once per model class."""
    plan = []
    for name, info in model.model_fields.items():
        if "cidr" in name:
            plan.append((name, "cidr"))
        elif name.endswith(("_id", "_ids")):
            plan.append((name, "id"))
        elif _holds_models(info.annotation):
            plan.append((name, "model"))
    return tuple(plan)


def _holds_models(annotation: Any) -> bool:
    """Whether a field's type is, or contains, a pydantic model (``Optional[X]``, ``list[X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_models(arg) for arg in get_args(annotation))


def _fields(item: BaseModel, path: tuple[Any, ...], ids: bool) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """``(path, kind, value)`` of every string (or string in a list) in a ``cidr`` field of ``item`` and the models
    nested in it, and, with ``ids``, in every ``id`` field (see :func:`_plan`)."""
    for name, kind in _plan(type(item)):
        value = getattr(item, name)
        if kind == "model":
            for index, child in enumerate(value) if isinstance(value, list) else [(None, value)]:
                if isinstance(child, BaseModel):
                    yield from _fields(child, (*path, name) if index is None else (*path, name, index), ids)
        elif kind == "cidr" or ids:
            if isinstance(value, str):
                yield (*path, name), kind, value
            elif isinstance(value, list):
                yield from (((*path, name, i), kind, v) for i, v in enumerate(value) if isinstance(v, str))


def check_unique_keys(keys: list[str], field: str, key: str) -> None:
    """Raise :class:`FieldError` at the second occurrence of a key that must be unique (an account, a region)."""
    seen: dict[str, int] = {}
    for index, value in enumerate(keys):
        if value in seen:
            raise FieldError((field, index, key), f"{value} appears twice (also at {field}.{seen[value]})")
        seen[value] = index


def check_identifier(value: str, *path: Any) -> None:
    """Raise :class:`FieldError` at ``path`` unless ``value`` is an identifier (:func:`valid_identifier`)."""
    if not valid_identifier(value):
        raise FieldError(path, f"{value!r} is not an identifier (letters, digits and _.:/@+=,- only)")


def check_region(region: BaseModel) -> None:
    """Raise :class:`FieldError` at the first inconsistency of one ``RegionSnapshot``."""
    check_identifier(getattr(region, "region", ""), "region")
    for name, items in _collections(region):
        _check_unique(name, items)
        for index, item in enumerate(items):
            for path, kind, value in _fields(item, (name, index), ids=name not in DIAGNOSTICS):
                if kind == "id":
                    check_identifier(value, *path)
                elif not valid_cidr(value):
                    raise FieldError(path, f"{value!r} is not a valid CIDR")
    if "vpcs" in getattr(region, "collected", []):
        vpcs = {vpc.vpc_id for vpc in getattr(region, "vpcs", [])}
        for name in VPC_MEMBERS:
            for index, item in enumerate(getattr(region, name, [])):
                if item.vpc_id not in vpcs:
                    raise FieldError((name, index, "vpc_id"), f"{item.vpc_id!r} is not a VPC of this region's vpcs")
    metrics = getattr(region, "nat_gateway_metrics", None)
    for index, gateway in enumerate(metrics.gateways if metrics else []):
        for field in ("bytes_in_from_source", "bytes_in_from_destination"):
            if getattr(gateway, field) > MAX_NAT_BYTES:
                raise FieldError(("nat_gateway_metrics", "gateways", index, field), f"more than the limit of {MAX_NAT_BYTES} bytes")
