"""Writing results: JSON for scripts, aligned text for people."""

from __future__ import annotations

import contextlib
import json
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from babel.dates import format_date

from crm.i18n import current_language


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def write(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def write_json(value: Any) -> None:
    write(to_json(value))


def use_utf8_stdout() -> None:
    """JSON is always UTF-8, whatever the locale says."""
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
        # Fails harmlessly on a stream already written to, or not a real one.
        with contextlib.suppress(ValueError, OSError):
            reconfigure(encoding="utf-8")


def never_fail_on_encoding() -> None:
    """A terminal that cannot show a script gets an escape, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def show_date(value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, format="medium", locale=current_language())


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two cells, marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[str | None]]) -> None:
    """An aligned table; the last column is not padded."""
    cells = [[c or "" for c in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], _width(cell))
    for row in [list(headers), *cells]:
        padded = [_pad(c, widths[i]) for i, c in enumerate(row[:-1])]
        write("  ".join([*padded, row[-1]]).rstrip())
