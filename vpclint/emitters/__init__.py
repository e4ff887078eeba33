"""Output formats: interchangeable emitters behind one small interface, chosen from an explicit registry."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Optional, Protocol, TextIO

from vpclint.errors import VpclintError
from vpclint.findings import Finding, Report
from vpclint.rules import Rule

EMITTERS = {
    "console": ("vpclint.emitters.console", "ConsoleEmitter"),
    "json": ("vpclint.emitters.json_format", "JsonEmitter"),
    "markdown": ("vpclint.emitters.markdown", "MarkdownEmitter"),
    "sarif": ("vpclint.emitters.sarif", "SarifEmitter"),
}
"""The registry: format name -> (module, class). A format's module is imported only when it is used."""


@dataclass(frozen=True)
class ScanResult:
    """What an emitter renders: the report, the rules that produced it, and the snapshot file if one was read.

    ``include_accepted`` asks formats that hide baseline-accepted findings to show them (marked accepted);
    ``category`` names the scan for tools that track runs (SARIF ``automationDetails.id``; a prefix of one per
    region), derived when None. ``color`` (``auto``, ``always``, ``never``) and ``quiet`` (summary and errors only)
    are for formats people read; ``written`` lists the other files this scan wrote, for the closing line.
    """

    report: Report
    rules: list[Rule]
    snapshot_path: Optional[Path] = None
    include_accepted: bool = False
    category: Optional[str] = None
    color: str = "auto"
    quiet: bool = False
    written: tuple[str, ...] = ()

    @property
    def shown_findings(self) -> list[Finding]:
        """The findings to list: new ones, and accepted ones too when asked for."""
        return [f for f in self.report.findings if self.include_accepted or f.baseline_state == "new"]


class Emitter(Protocol):
    """Writes a scan result to a text stream. Emitters never decide the exit code."""

    def emit(self, result: ScanResult, stream: TextIO) -> None:
        """Write the result."""


def get_emitter(name: str) -> Emitter:
    """An emitter instance by format name."""
    if name not in EMITTERS:
        raise VpclintError(f"--format: unknown format {name!r} (choose from {', '.join(sorted(EMITTERS))})")
    module, cls = EMITTERS[name]
    return getattr(import_module(module), cls)()
