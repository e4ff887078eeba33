"""The engine pauses the cyclic garbage collector while it evaluates and hands it back as it found it."""

from __future__ import annotations

import gc

from vpclint.demo import demo_snapshot_text
from vpclint.engine import evaluate
from vpclint.rules import load_rules
from vpclint.snapshot_files import parse


def test_evaluation_resumes_the_collector_with_nothing_left_frozen() -> None:
    snapshot, rules = parse(demo_snapshot_text(), "demo"), load_rules()
    assert gc.isenabled()
    report = evaluate(snapshot, rules)
    assert report.findings and gc.isenabled() and gc.get_freeze_count() == 0
    cycle: list = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # cyclic garbage is still collected
    gc.disable()
    try:
        evaluate(snapshot, rules)
        assert not gc.isenabled()
    finally:
        gc.enable()
