"""Exit codes and the one error type that the CLI turns into a one-line message."""

from __future__ import annotations

EXIT_OK = 0
"""No finding at or above the ``--fail-on`` severity."""
EXIT_FINDINGS = 1
"""At least one finding at or above the ``--fail-on`` severity."""
EXIT_USAGE = 2
"""Usage or input error: bad flag, malformed file, unknown region, missing credentials."""
EXIT_INCOMPLETE = 3
"""The scan is incomplete: a region or API could not be read. Takes precedence over 1."""


class VpclintError(Exception):
    """An error the user can fix; printed as one line, exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
