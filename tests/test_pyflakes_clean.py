"""The package and its tests have none of the mistakes pyflakes finds (unused imports and variables, undefined
names, redefinitions): each would be dead code or a crash waiting for its line to run."""

from __future__ import annotations

import io
from pathlib import Path

from pyflakes.api import checkRecursive
from pyflakes.reporter import Reporter

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_and_the_tests_are_pyflakes_clean():
    warnings, errors = io.StringIO(), io.StringIO()
    found = checkRecursive([str(ROOT / "vpclint"), str(ROOT / "tests")], Reporter(warnings, errors))
    assert (found, warnings.getvalue(), errors.getvalue()) == (0, "", "")
