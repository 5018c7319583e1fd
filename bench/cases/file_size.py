"""File size: database bytes per person on the largest set (interactions and the search
index included). Reported only; the details name the largest tables and indexes."""

from __future__ import annotations

import sqlite3

from bench.cases import Context, connect_readonly
from bench.report import REPORTED, Entry

NAME = "file size"
LARGEST = 6


def run(ctx: Context) -> Entry:
    size = ctx.largest
    path = ctx.dataset(size).path
    conn = connect_readonly(path)
    try:
        persons = conn.execute("SELECT count(*) FROM person").fetchone()[0]
        interactions = conn.execute("SELECT count(*) FROM interaction").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0] * page_size
        objects = _largest(conn)
    finally:
        conn.close()
    total = path.stat().st_size
    details: dict[str, object] = {"file_mb": total / 2**20, "persons": persons,
                                  "interactions": interactions, "free_mb": free / 2**20}
    details.update({f"{name}_mb": bytes_ / 2**20 for name, bytes_ in objects})
    return Entry(NAME, total / max(persons, 1), "B/person", None, None, compare=REPORTED,
                 dataset=size, details=details)


def _largest(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    try:
        return conn.execute("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name "
                            "ORDER BY bytes DESC LIMIT ?", (LARGEST,)).fetchall()
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        return []
