"""The JSON findings document (schema ``vpclint.findings/v2``)."""

from __future__ import annotations

from typing import TextIO

from vpclint.emitters import ScanResult


class JsonEmitter:
    """Writes the report as deterministic JSON."""

    def emit(self, result: ScanResult, stream: TextIO) -> None:
        """Write the findings document."""
        stream.write(result.report.to_json())
