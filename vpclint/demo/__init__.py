"""The embedded demo account: a misconfigured multi-AZ VPC, scanned with ``vpclint scan --demo``.

The snapshot is generated from a moto scenario by ``tests/demo/make_demo_snapshot.py``; a test proves the shipped
file matches what the script produces.
"""

from __future__ import annotations

from importlib import resources

DEMO_FILE = "demo-snapshot.json"


def demo_snapshot_text() -> str:
    """The shipped demo snapshot's JSON text."""
    return resources.files("vpclint.demo").joinpath(DEMO_FILE).read_text(encoding="utf-8")
