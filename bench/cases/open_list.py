"""Open a list: the first rows of all persons, through the model and service the window uses
(count, first page, the visible cells' texts), against the same first page as one raw
sqlite3 query (with the list's columns, the last contact included). No step may load all
rows: the model must hold one page only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.cases import Context, connect_readonly, interleaved, median, open_app
from bench.report import Entry

NAME = "open a list"
TARGET = 3.0
VISIBLE_ROWS = 30  # what a 768-pixel window shows

FIRST_PAGE_SQL = """
WITH page AS (
    SELECT id, uid, full_name, transliteration, archived_at, version, sort_key
    FROM person WHERE archived_at IS NULL ORDER BY sort_key, id LIMIT :limit)
SELECT page.uid, page.full_name, page.transliteration, o.name, r.title, m.name,
       (SELECT c.value FROM contact_point c WHERE c.person_id = page.id AND c.kind = 'email'
        ORDER BY c.preferred DESC, c.id LIMIT 1),
       (SELECT c.value FROM contact_point c
        WHERE c.person_id = page.id AND c.kind IN ('phone', 'mobile')
        ORDER BY c.preferred DESC, c.id LIMIT 1),
       page.archived_at IS NOT NULL, page.version,
       -- the list's "last contact" column: newest interaction or attended event so far
       max(coalesce((SELECT max(p.occurred_at) FROM interaction_participant p
                     WHERE p.person_id = page.id AND p.occurred_at <= :now), ''),
           coalesce((SELECT max(e.starts_at) FROM event_attendee a
                     JOIN event e ON e.id = a.event_id
                     WHERE a.person_id = page.id AND a.status = 'attended'
                       AND e.starts_at <= :now), ''))
FROM page
LEFT JOIN role r ON r.id = (
    SELECT id FROM role WHERE person_id = page.id AND (end_date IS NULL OR end_date > :today)
    ORDER BY start_date, id LIMIT 1)
LEFT JOIN organisation o ON o.id = r.organisation_id
LEFT JOIN municipality m ON m.id = o.municipality_id
ORDER BY page.sort_key, page.id
"""


def run(ctx: Context) -> Entry:
    from crm.services.listing_rows import PAGE_SIZE, PERSONS
    from ui.list_models import RecordTableModel

    size = ctx.largest
    path = ctx.dataset(size).path
    app = open_app(ctx, path)
    raw = connect_readonly(path)
    loaded: list[int] = []
    try:
        def ours() -> None:
            model = RecordTableModel(app.listing, PERSONS)
            _visible_texts(model)
            loaded.append(model.rowCount())

        def theirs() -> None:
            raw.execute(FIRST_PAGE_SQL, {"limit": PAGE_SIZE, "today": date.today().isoformat(),
                                         "now": datetime.now(UTC).strftime(
                                             "%Y-%m-%d %H:%M:%S.%f")}).fetchall()

        ours()
        theirs()  # warm-up
        runs = ctx.repeat(30, 5)
        app_times, raw_times = interleaved(ours, theirs, runs)
    finally:
        app.close()
        raw.close()
    if max(loaded) > PAGE_SIZE:
        raise AssertionError(f"the list loaded {max(loaded)} rows, more than one page")
    return Entry(NAME, median(app_times), "s", median(raw_times), TARGET, dataset=size,
                 details={"first_rows_ms": median(app_times) * 1000,
                          "raw_ms": median(raw_times) * 1000, "rows_loaded": max(loaded),
                          "runs": runs})


def _visible_texts(model: Any) -> None:
    from PySide6.QtCore import Qt

    for row in range(min(VISIBLE_ROWS, model.rowCount())):
        for column in range(model.columnCount()):
            model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def first_page(path: Path, limit: int) -> list[tuple[Any, ...]]:
    conn = connect_readonly(path)
    try:
        return conn.execute(FIRST_PAGE_SQL, {"limit": limit,
                                             "today": date.today().isoformat()}).fetchall()
    finally:
        conn.close()
