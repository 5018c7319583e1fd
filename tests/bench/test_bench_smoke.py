"""Every benchmark runs end to end on the small set and gives a well-formed results entry.

No times or ratios are checked: CI machines are too noisy for that (``make bench`` is where
the numbers are judged).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import run_all
from bench.cases import CASES, Context
from bench.cases.imports import available as import_service_available
from bench.report import Entry, table, write_results

KEYS = {"name", "value", "unit", "baseline", "ratio", "target", "ok"}


@pytest.fixture(scope="module")
def outcome() -> tuple[list[Entry], list[str], list[str]]:
    return run_all(Context(sizes=("small",), quick=True), list(CASES))


def _positive(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


def test_every_benchmark_runs(outcome: tuple[list[Entry], list[str], list[str]]) -> None:
    entries, failed, skipped = outcome
    assert failed == []
    expected_skips = [] if import_service_available() else ["import"]
    assert skipped == expected_skips
    assert len(entries) == len(CASES) - len(expected_skips)


def test_results_are_well_formed(outcome: tuple[list[Entry], list[str], list[str]],
                                 tmp_path: Path) -> None:
    entries, _failed, _skipped = outcome
    path = write_results(entries, tmp_path / "results.json")
    written = json.loads(path.read_text(encoding="utf-8"))["benchmarks"]
    assert [e["name"] for e in written] == [e.name for e in entries]
    for entry in written:
        assert set(entry) >= KEYS, entry
        assert _positive(entry["value"]), entry
        assert isinstance(entry["unit"], str) and entry["unit"], entry
        assert isinstance(entry["ok"], bool), entry
        if entry["target"] is None:  # reported only (file size)
            assert entry["baseline"] is None and entry["ratio"] is None and entry["ok"]
        else:
            assert _positive(entry["target"]), entry
            assert _positive(entry["baseline"]), entry
            assert _positive(entry["ratio"]), entry


def test_table_lists_every_entry(outcome: tuple[list[Entry], list[str], list[str]]) -> None:
    entries, _failed, skipped = outcome
    text = table(entries, skipped)
    for entry in entries:
        assert entry.name in text
