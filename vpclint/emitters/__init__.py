"""Output formats: interchangeable emitters behind one small interface, chosen from an explicit registry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol, TextIO

from vpclint.errors import VpclintError
from vpclint.findings import Report
from vpclint.rules import Rule


@dataclass(frozen=True)
class ScanResult:
    """What an emitter renders: the report, the rules that produced it, and the snapshot file if one was read.

    ``include_accepted`` asks formats that hide baseline-accepted findings to show them (marked accepted);
    ``category`` names the scan for tools that track runs (SARIF ``automationDetails.id``), derived when None.
    """

    report: Report
    rules: list[Rule]
    snapshot_path: Optional[Path] = None
    include_accepted: bool = False
    category: Optional[str] = None


class Emitter(Protocol):
    """Writes a scan result to a text stream. Emitters never decide the exit code."""

    def emit(self, result: ScanResult, stream: TextIO) -> None:
        """Write the result."""


def emitter_registry() -> dict[str, type]:
    """Format name -> emitter class. Imports happen here, on demand, not at import time of this package."""
    from vpclint.emitters.console import ConsoleEmitter
    from vpclint.emitters.json_format import JsonEmitter
    from vpclint.emitters.sarif import SarifEmitter

    return {"console": ConsoleEmitter, "json": JsonEmitter, "sarif": SarifEmitter}


def get_emitter(name: str) -> Emitter:
    """An emitter instance by format name."""
    registry = emitter_registry()
    if name not in registry:
        raise VpclintError(f"--format: unknown format {name!r} (choose from {', '.join(sorted(registry))})")
    return registry[name]()
