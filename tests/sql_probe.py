"""What SQL a piece of Brücke runs, and how SQLite plans it (for the query-plan tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def recorded(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (with its parameters) the engine runs inside the block."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
               _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan(engine: Any, statement: str, parameters: Any) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN lines for one recorded statement."""
    raw = engine.raw_connection()
    try:
        rows = raw.cursor().execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
    finally:
        raw.close()
    return [row[3] for row in rows]
