"""Results: one entry per benchmark, printed as a table and written to ``bench/results.json``.

An entry compares Brücke's ``value`` with the ``baseline`` measured in the same run. ``ok``
is decided by the comparison alone (the ratio, or for memory the difference), never by an
absolute time: absolute numbers are reported beside it in ``details``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
RATIO = "ratio"  # ok when value / baseline ≤ target
DIFFERENCE = "difference"  # ok when value - baseline ≤ target
REPORTED = "reported"  # no target: the value is only reported


@dataclass
class Entry:
    name: str
    value: float
    unit: str
    baseline: float | None
    target: float | None
    compare: str = RATIO
    dataset: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    @property
    def difference(self) -> float | None:
        return None if self.baseline is None else self.value - self.baseline

    @property
    def ok(self) -> bool:
        if self.compare == REPORTED or self.target is None:
            return True
        measured = self.difference if self.compare == DIFFERENCE else self.ratio
        return measured is not None and measured <= self.target

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(data["name"], data["value"], data["unit"], data["baseline"], data["target"],
                   data.get("compare", RATIO), data.get("dataset", ""),
                   dict(data.get("details") or {}))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        ratio = self.ratio
        data["ratio"] = None if ratio is None else round(ratio, 3)
        data["ok"] = self.ok
        for key in ("value", "baseline"):
            if data[key] is not None:
                data[key] = _round(data[key])
        order = ("name", "value", "unit", "baseline", "ratio", "target", "ok", "compare",
                 "dataset", "details")
        return {key: data[key] for key in order}


def _round(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    digits = max(0, 4 - int(math.floor(math.log10(abs(value)))))
    return round(value, digits)


def write_results(entries: list[Entry], path: Path = RESULTS_PATH,
                  meta: dict[str, Any] | None = None) -> Path:
    payload: dict[str, Any] = {"benchmarks": [e.to_json() for e in entries]}
    if meta:
        payload["meta"] = meta
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:.3g} {unit}".strip()


def _comparison(entry: Entry) -> str:
    if entry.compare == REPORTED:
        return "–"
    if entry.compare == DIFFERENCE:
        diff = entry.difference
        return "–" if diff is None else f"+{diff:.0f} {entry.unit}"
    ratio = entry.ratio
    return "–" if ratio is None else f"{ratio:.2f}×"


def _target(entry: Entry) -> str:
    if entry.target is None or entry.compare == REPORTED:
        return "reported"
    if entry.compare == DIFFERENCE:
        return f"≤ +{entry.target:g} {entry.unit}"
    return f"≤ {entry.target:g}×"


def table(entries: list[Entry], skipped: list[str] | None = None) -> str:
    """The results as a plain-text (Markdown) table."""
    rows = [("benchmark", "data", "Brücke", "baseline", "compared", "target", "ok")]
    for e in entries:
        rows.append((e.name, e.dataset, _number(e.value, e.unit),
                     _number(e.baseline, e.unit), _comparison(e), _target(e),
                     "yes" if e.ok else "NO"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {e.name}: {_details(e.details)}" for e in entries if e.details]
    notes += [f"- {name}: skipped" for name in skipped or []]
    return "\n".join(lines + ([""] + notes if notes else []))


def _details(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if isinstance(value, float):
            parts.append(f"{key}={value:.4g}")
        elif isinstance(value, (str, int, bool)) or value is None:
            parts.append(f"{key}={value}")
    return ", ".join(parts)
