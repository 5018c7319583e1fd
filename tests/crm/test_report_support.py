"""Shared checks for the report tests (no tests here): page size, text, outline, scripts."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from pathlib import Path

from pypdf import PdfReader

A4_POINTS = (595.27, 841.89)

# Arabic letters that print with one shared glyph (so one ToUnicode entry) are folded.
_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"})


def reader(path: Path) -> PdfReader:
    return PdfReader(str(path))


def assert_a4(path: Path) -> None:
    for page in reader(path).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_POINTS[0]) <= 1 and abs(height - A4_POINTS[1]) <= 1


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in reader(path).pages]


def plain(text: str) -> str:
    """Extracted text folded for comparison: shaped Arabic forms back to letters, Arabic
    letters sharing a glyph folded, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return re.sub(r"\s+", " ", folded)


def contains(text: str, name: str) -> bool:
    return plain(name) in plain(text)


def has_shaped_arabic(text: str) -> bool:
    """Arabic printed with contextual (joined) forms, not as isolated letters."""
    return any("\ufb50" <= ch <= "\ufeff" for ch in text)


def outline_titles(path: Path) -> list[tuple[int, str, int]]:
    """(level, title, 0-based page) of every bookmark, depth first."""
    pdf = reader(path)
    result: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                result.append((level, item.title, pdf.get_destination_page_number(item)))

    walk(pdf.outline, 0)
    return result


def checkpoint(path: Path) -> None:
    """Fold SQLite's WAL into the file, so that a plain file copy has all the data."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
