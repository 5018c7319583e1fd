"""Import: 50,000 vCards into an empty database the way the command line imports a file
(``ImportService.import_file``: read, check and write; the cards are checked and written
while the rest of the file is read), against parsing the same file with the vCard reader
alone (``crm.io.vcard.read_vcards``).

The cards are the largest set's first persons (name, organisation, title, their emails and
phones, notes) written as vCard 4.0. Runs only where the import service exists
(``crm.services.imports``); otherwise the row is left out of the results.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from bench.cases import Context, connect_readonly, median, open_app, timed
from bench.report import Entry

NAME = "import"
TARGET = 2.0
CARDS = 50_000
QUICK_CARDS = 2_000


def available() -> bool:
    return importlib.util.find_spec("crm.services.imports") is not None


def run(ctx: Context) -> Entry | None:
    if not available():
        return None
    from crm.io.vcard import read_vcards
    from crm.services.imports import ImportService

    size = ctx.largest
    cards = QUICK_CARDS if ctx.quick else CARDS
    source = ctx.work_dir / f"import-{size}-{cards}.vcf"
    count = write_cards(ctx.dataset(size).path, source, cards)  # written now: the writer may change
    runs = ctx.repeat(3, 1)  # (a median of three: one noisy run does not decide)
    ours: list[float] = []
    theirs: list[float] = []
    created = 0
    for number in range(runs):
        theirs.append(timed(lambda: read_vcards(source.read_bytes(), str(source))))
        target = ctx.work_dir / f"import-target-{number}.db"
        _remove(target)
        app = open_app(ctx, target)
        try:
            service = ImportService(app.ctx)

            def load(service: Any = service) -> None:
                nonlocal created
                created = service.import_file(source)[1].created

            ours.append(timed(load))
        finally:
            app.close()
            _remove(target)
    return Entry(NAME, median(ours), "s", median(theirs), TARGET, dataset=size,
                 details={"cards": count, "created": created,
                          "cards_per_s": count / median(ours), "runs": runs})


def write_cards(path: Path, target: Path, limit: int) -> int:
    """The first ``limit`` persons of a data set as a vCard 4.0 file; how many."""
    from crm.io import Point
    from crm.io.vcard import CardData, write_vcards

    conn = connect_readonly(path)
    try:
        persons = conn.execute(
            "SELECT p.id, p.uid, p.full_name, p.given_name, p.family_name, p.notes, "
            "(SELECT o.name || char(31) || r.title FROM role r "
            " JOIN organisation o ON o.id = r.organisation_id "
            " WHERE r.person_id = p.id AND r.end_date IS NULL ORDER BY r.id LIMIT 1) "
            "FROM person p ORDER BY p.id LIMIT ?", (limit,)).fetchall()
        points: dict[int, list[Point]] = {}
        for person_id, kind, value, label, preferred in conn.execute(
                "SELECT person_id, kind, value, label, preferred FROM contact_point "
                "WHERE person_id <= ? AND kind IN ('email', 'phone', 'mobile') ORDER BY id",
                (persons[-1][0] if persons else 0,)):
            points.setdefault(person_id, []).append(
                Point(kind, value, label if label in ("work", "private") else "work",
                      bool(preferred)))
    finally:
        conn.close()
    cards = []
    for pid, uid, full, given, family, notes, job in persons:
        org, title = job.split("\x1f", 1) if job else ("", "")
        cards.append(CardData(uid=uid, full_name=full, given_name=given or "",
                              family_name=family or "", organisation=org, title=title,
                              points=tuple(points.get(pid, ())), notes=notes or ""))
    target.write_text(write_vcards(cards), encoding="utf-8")
    return len(cards)


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
