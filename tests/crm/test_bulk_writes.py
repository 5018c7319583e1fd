"""Bulk writes of the import: rows as one JSON array (SQLite), inserts on a writer thread,
ids handed out before the rows are written, index documents built before the write – and
all of it giving what the plain way gives (bench: issue 9)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    select,
    text,
)

from crm.domain import ImportBatch, Person
from crm.domain.base import new_uids
from crm.io import Point
from crm.io.vcard import CardData, write_vcards
from crm.persistence import dialect
from crm.persistence.bulk import InsertQueue, bulk_insert
from crm.persistence.dialect import IdSource
from crm.search import index
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput

HOSTILE = ['plain', 'quote " and \' both', "<b>&amp;</b>", "tab\tnew\nline", "Привет",
           "Nguyễn Thị", "ع ر ب ي", "emoji 🙂", '{"looks": "like json"}', "[1, 2]", "null",
           "true", "", "  spaces  ", "back\\slash", "€ 1.000,00"]


def _probe_table() -> Table:
    return Table("bulk_probe", MetaData(), Column("id", Integer, primary_key=True),
                 Column("label", Text), Column("flag", Boolean), Column("note", Text),
                 Column("big", BigInteger), Column("same", Text))


def _bulk_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "bulk-inserts"]


def test_new_uids_are_version_four_uuids_each_once() -> None:
    made = new_uids(5000)
    assert len(set(made)) == 5000
    for value in made[:500]:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert new_uids(0) == []


def test_rows_written_in_bulk_read_back_exactly(app) -> None:  # noqa: ANN001
    """Every value survives the JSON array: quotes, markup, any script, text that looks like
    JSON, None, booleans, numbers beyond 32 bits, and a column with one value throughout."""
    table = _probe_table()
    rows: list[dict[str, Any]] = [
        {"id": i + 1, "label": HOSTILE[i % len(HOSTILE)] + str(i), "flag": i % 3 == 0,
         "note": None if i % 4 == 0 else HOSTILE[(i * 7) % len(HOSTILE)],
         "big": (1 << 41) + i, "same": "überall gleich"}
        for i in range(dialect.JSON_ROWS * 3)]
    with app.db.engine.begin() as connection:
        table.create(connection)
        try:
            bulk_insert(connection, table, rows)
            stored = [dict(r._mapping) for r in connection.execute(
                select(table).order_by(table.c.id))]
        finally:
            table.drop(connection)
    assert stored == rows


def test_insert_queue_keeps_order_and_hands_back_the_first_error(app) -> None:  # noqa: ANN001
    """A failing queued insert surfaces in close(); the transaction rolls back whole."""
    table = _probe_table()
    with app.db.engine.begin() as connection:
        table.create(connection)
    try:
        connection = app.db.engine.connect()
        transaction = connection.begin()
        inserts = InsertQueue(connection)
        first = [{"id": i, "label": "a", "flag": True, "note": None, "big": i, "same": "x"}
                 for i in range(1, 101)]
        inserts.insert(table, first)
        with pytest.raises(Exception, match="(?i)unique|duplicate"):  # noqa: PT012
            inserts.insert(table, first[:60])  # the same ids again: a primary key violation
            inserts.close()  # (where inserts run on a thread, the error surfaces here)
        inserts.close()
        transaction.rollback()
        assert connection.execute(select(func.count()).select_from(table)).scalar() == 0
        connection.close()
        assert _bulk_threads() == []
    finally:
        with app.db.engine.begin() as connection:
            table.drop(connection)


def test_ids_handed_out_are_free_and_in_order(app) -> None:  # noqa: ANN001
    for i in range(3):
        app.people.create(PersonInput(full_name=f"Schon Da {i}"))
    with app.db.engine.begin() as connection:
        highest = connection.execute(select(func.max(Person.id))).scalar()
        connection.execute(text("DELETE FROM person WHERE id = :id"), {"id": highest})
        source = IdSource(connection, "person")
        taken = source.take(3) + source.take(2)
        assert taken == sorted(taken) and len(set(taken)) == 5
        assert min(taken) > connection.execute(select(func.max(Person.id))).scalar()
        assert source.take(0) == []
        connection.rollback()


def _cards(count: int) -> str:
    names = ["Anna-Lena O'Connor", "Jörg Böhm", "Олена Коваль", "Nguyễn Văn An",
             "Ayşe Yılmaz", "محمد علي"]
    cards = []
    for i in range(count):
        org = ["Kommunales Integrationsbüro", "Neuer Verein e.V.", ""][i % 3]
        cards.append(CardData(
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bulk-{i}")),
            full_name=f"{names[i % len(names)]} {i}", given_name=names[i % len(names)],
            family_name=str(i), organisation=org, title="Beraterin" if org else "",
            points=(Point("email", f"p.{i}@Example.org", "work", True),
                    Point("phone", f"+49 361 {700000 + i}", "work", False),
                    Point("mobile", f"0151 {2000000 + i}", "private", False)),
            notes=f"Sommerfest <b>&</b> \"{i}\"", tags=("Netzwerk", f"Gruppe {i % 4}")))
    return write_vcards(cards)


def test_imported_persons_are_indexed_as_a_rebuild_would(app, tmp_path: Path) -> None:  # noqa: ANN001
    """The index documents the import builds before writing equal those built from the
    tables: the consistency check compares every column of every record."""
    app.organisations.create(OrganisationInput(
        name="Kommunales Integrationsbüro", kind="administration", short_name="KIB",
        municipality="Erfurt"))
    path = tmp_path / "cards.vcf"
    path.write_text(_cards(dialect.JSON_ROWS * 2 + 7), encoding="utf-8")
    result = app.imports.run(app.imports.read(path), path.name)
    assert result.created == dialect.JSON_ROWS * 2 + 7
    with app.ctx.sessions() as session:
        assert index.check(session) == []
    titles = [hit.title for hit in app.search.search("kib nguyen 9")]
    assert "Nguyễn Văn An 9" in titles[:3]  # by the organisation's short name and a name
    assert [hit.title for hit in app.search.search("olena koval 2")][0] == "Олена Коваль 2"
    assert _bulk_threads() == []


def test_a_failing_bulk_insert_leaves_the_database_as_it_was(app, tmp_path: Path,  # noqa: ANN001
                                                              monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "cards.vcf"
    path.write_text(_cards(300), encoding="utf-8")
    source = app.imports.read(path)
    original = dialect.prepared_rows_insert

    def failing(connection, statement, rows, *, table, columns):  # noqa: ANN001, ANN202
        if table == "role":
            raise RuntimeError("disk on fire")
        return original(connection, statement, rows, table=table, columns=columns)

    with app.db.engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(Person)).scalar()
    monkeypatch.setattr(dialect, "prepared_rows_insert", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        app.imports.run(source, path.name)
    monkeypatch.undo()
    with app.db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Person)).scalar() == before
        assert connection.execute(select(func.count()).select_from(ImportBatch)).scalar() == 0
    with app.ctx.sessions() as session:
        assert index.check(session) == []
    assert _bulk_threads() == []
    assert app.imports.run(source, path.name).created == 300  # and it can be done again
