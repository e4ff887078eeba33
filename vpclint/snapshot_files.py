"""Snapshot files: reading (any version), merging several into one, and writing deterministically.

A scan reads one snapshot file or several (``--snapshot a.json --snapshot b.json``, or a folder of them): the
shards of one organisation collected on separate runners. Merging unions their accounts; the same account in two
files, files of different schema versions or of different partitions are refused (exit 2), so a shard given twice
never counts twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vpclint.documents import parse_versioned_json, read_text, validate_versioned, write_text
from vpclint.errors import VpclintError
from vpclint.snapshot import (
    SCHEMA_VERSION, AccountError, CollectionError, RegionSnapshot, Snapshot, single_account,
)

FINDINGS_KEYS = frozenset({"tool", "summary", "findings"})
"""Top-level keys of vpclint's findings document (``scan --format json``), often given as a snapshot by mistake."""


class _SingleAccountSnapshot(BaseModel):
    """A version 1 or 2 snapshot file: validated as it is written (errors name its own fields), then upgraded."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[2] = 2
    generator: str = "vpclint"
    account_id: str
    partition: str = "aws"
    regions: list[RegionSnapshot] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)


def dumps(snapshot: Snapshot) -> str:
    """Serialise deterministically: sorted keys, two-space indent, trailing newline."""
    return json.dumps(snapshot.model_dump(mode="json"), sort_keys=True, indent=2) + "\n"


def save(snapshot: Snapshot, path: Path) -> None:
    """Write the snapshot to ``path`` atomically."""
    write_text(path, dumps(snapshot), "snapshot")


def parse_versioned(text: str, source: str) -> tuple[int, Snapshot]:
    """The schema version a snapshot's text was written in, and the snapshot (versions 1 and 2 load as one
    account); ``source`` names the file in error messages."""
    found: list[int] = []

    def known_document(data: dict) -> dict:
        if "schema_version" not in data:
            what = ("it looks like a vpclint findings document; run `vpclint collect`" if FINDINGS_KEYS <= data.keys()
                    else "no schema_version")
            raise VpclintError(f"snapshot {source}: not a vpclint snapshot ({what})")
        version = data["schema_version"]
        found.append(version)
        if type(version) is int and version in (1, 2):
            old = validate_versioned({**data, "schema_version": 2}, source, "snapshot", _SingleAccountSnapshot, "schema_version", 2)
            return single_account(old.model_dump())
        return data

    snapshot = parse_versioned_json(text, source, "snapshot", Snapshot, "schema_version", SCHEMA_VERSION, known_document)
    return found[0], snapshot


def parse(text: str, source: str) -> Snapshot:
    """Parse snapshot JSON text (version 3, or 1 and 2, which load as one account)."""
    return parse_versioned(text, source)[1]


def load(path: Path) -> Snapshot:
    """Read and validate a snapshot file."""
    return parse(read_text(path, "snapshot"), str(path))


def snapshot_files(paths: list[Path]) -> list[Path]:
    """The files ``--snapshot`` names: each file as given, each folder's ``*.json`` files (sorted by name)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.json") if p.is_file())
            if not found:
                raise VpclintError(f"--snapshot {path}: the folder holds no *.json snapshot file")
            files += found
        else:
            files.append(path)
    return files


def load_all(paths: list[Path]) -> Snapshot:
    """Read every snapshot file of ``paths`` (files or folders) and merge them into one snapshot."""
    loaded = [(str(path), *parse_versioned(read_text(path, "snapshot"), str(path))) for path in snapshot_files(paths)]
    return merge(loaded)


def merge(loaded: list[tuple[str, int, Snapshot]]) -> Snapshot:
    """One snapshot holding the accounts of every ``(source, version, snapshot)``: accounts and whole-account errors
    unioned and sorted. The same account in two files, or files of different versions or partitions, is an error."""
    if len(loaded) == 1:
        return loaded[0][2]
    first_source, first_version, first = loaded[0]
    owners: dict[str, tuple[int, str]] = {}
    for index, (source, version, snapshot) in enumerate(loaded):
        if version != first_version:
            raise VpclintError(f"snapshot {source}: schema_version {version} differs from {first_source} "
                               f"(version {first_version}): collect every shard with the same vpclint")
        if snapshot.partition != first.partition:
            raise VpclintError(f"snapshot {source}: partition {snapshot.partition} differs from {first_source} "
                               f"({first.partition}): a scan covers one partition")
        for account in [a.account_id for a in snapshot.accounts] + sorted({e.account_id for e in snapshot.errors}):
            if owners.get(account, (index,))[0] != index:
                raise VpclintError(f"snapshot {source}: account {account} is also in {owners[account][1]} "
                                   "(a shard given twice, or shards that overlap)")
            owners[account] = (index, source)
    generators = {snapshot.generator for _, _, snapshot in loaded}
    return Snapshot(
        schema_version=SCHEMA_VERSION,
        generator=first.generator if len(generators) == 1 else "vpclint",
        partition=first.partition,
        accounts=sorted((a for _, _, s in loaded for a in s.accounts), key=lambda a: a.account_id),
        errors=sorted((e for _, _, s in loaded for e in s.errors), key=AccountError.sort_key),
    )
