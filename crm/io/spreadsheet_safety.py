"""Formula-injection defence for CSV and XLSX exports.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
taken as a formula by Excel or LibreOffice (OWASP "CSV injection"). Such text is written
with a leading apostrophe, which both programs show as text; in XLSX the cell is also
stored with the string data type, so it can never be evaluated.
"""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(text: str) -> bool:
    return text.startswith(TRIGGERS)


def safe_text(value: Any) -> str:
    """The cell text, with an apostrophe in front if it could start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if is_dangerous(text) else text


def set_safe_cell(cell: Any, value: Any) -> None:
    """Write ``value`` into an openpyxl cell as a plain string that is never a formula."""
    text = safe_text(value)
    cell.value = text
    cell.data_type = "s"
