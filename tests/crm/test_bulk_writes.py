"""Bulk writes of the import: rows as one JSON array (SQLite), inserts on a writer thread,
ids handed out before the rows are written, index documents built before the write – and
all of it giving what the plain way gives (bench: issue 9)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
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
        for i in range(dialect.MANY_ROWS * 3)]
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
    path.write_text(_cards(dialect.MANY_ROWS * 2 + 7), encoding="utf-8")
    result = app.imports.run(app.imports.read(path), path.name)
    assert result.created == dialect.MANY_ROWS * 2 + 7
    with app.ctx.sessions() as session:
        assert index.check(session) == []
    titles = [hit.title for hit in app.search.search("kib nguyen 9")]
    assert "Nguyễn Văn An 9" in titles[:3]  # by the organisation's short name and a name
    assert [hit.title for hit in app.search.search("olena koval 2")][0] == "Олена Коваль 2"
    assert _bulk_threads() == []


@pytest.mark.parametrize("when", ["preparing", "writing"])
def test_a_failing_bulk_insert_leaves_the_database_as_it_was(app, tmp_path: Path,  # noqa: ANN001
                                                              monkeypatch, when: str) -> None:  # noqa: ANN001
    path = tmp_path / "cards.vcf"
    path.write_text(_cards(300), encoding="utf-8")
    source = app.imports.read(path)
    original = dialect.prepared_rows_insert

    def failing(connection, statement, rows, **options):  # noqa: ANN001, ANN003, ANN202
        write = original(connection, statement, rows, **options)
        if options["table"] != "role":
            return write
        if when == "preparing":
            raise RuntimeError("disk on fire")

        def broken() -> None:  # (on the writer thread where there is one)
            write()
            raise RuntimeError("disk on fire")
        return broken

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


def _mixed_cards() -> str:
    """Cards that exercise every way of the plan: duplicates within a chunk and across
    chunks, persons known already (by e-mail), tags new and old, organisations known,
    new, or named by many."""
    cards = []
    for i in range(70):
        email = f"dup.{i % 45}@example.org"  # cards 45..69 repeat 0..24: combined
        cards.append(CardData(
            uid="", full_name=f"Person {i % 45}", given_name="Person", family_name=str(i % 45),
            organisation=["Verein A", "Kommunales Integrationsbüro", ""][i % 3],
            title="Mitglied", notes=f"Karte {i}",
            points=(Point("email", email, "work", True),
                    Point("phone", f"+49 361 {500000 + i}", "work", False)),
            tags=("Netzwerk", f"Gruppe {i % 3}")))
    cards.append(CardData(uid="", full_name="Schon Bekannt", given_name="Schon",
                          family_name="Bekannt", points=(Point(
                              "email", "bekannt@example.org", "work", True),
                              Point("mobile", "+49 151 23456789", "work", False))))
    return write_vcards(cards)


def _content(app) -> dict[str, Any]:  # noqa: ANN001
    """What an import leaves, without uids, ids and times."""
    queries = {
        "persons": "SELECT full_name, given_name, family_name, notes, sort_key, salutation "
                   "FROM person ORDER BY full_name, notes",
        "points": "SELECT p.full_name, c.kind, c.label, c.value, c.preferred FROM contact_point c "
                  "JOIN person p ON p.id = c.person_id ORDER BY 1, 2, 4",
        "roles": "SELECT p.full_name, o.name, r.title FROM role r JOIN person p ON "
                 "p.id = r.person_id JOIN organisation o ON o.id = r.organisation_id "
                 "ORDER BY 1, 2, 3",
        "tags": "SELECT p.full_name, t.name FROM person_tag pt JOIN person p ON "
                "p.id = pt.person_id JOIN tag t ON t.id = pt.tag_id ORDER BY 1, 2",
        "orgs": "SELECT name, kind, notes FROM organisation ORDER BY name",
        "audit": "SELECT record_type, action, count(*) FROM audit_entry GROUP BY 1, 2 "
                 "ORDER BY 1, 2",
        "links": "SELECT record_type, action, count(*) FROM imported_record GROUP BY 1, 2 "
                 "ORDER BY 1, 2",
        "batches": "SELECT created_count, updated_count, skipped_count FROM import_batch",
    }
    with app.db.engine.connect() as connection:
        return {name: [tuple(r) for r in connection.execute(text(sql))]
                for name, sql in queries.items()}


@pytest.mark.sqlite_only
def test_writing_while_planning_gives_what_planning_first_gives(
        db_target: str, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Chunks of 20 cards: the import writes each chunk's new persons while it checks the
    next; a card that repeats one of an earlier chunk makes it start over and plan first.
    Either way the database ends the same as when the whole file is planned first."""
    import shutil

    from crm.app import open_app
    from crm.io import plan
    from crm.services import imports

    path = tmp_path / "mixed.vcf"
    path.write_text(_mixed_cards(), encoding="utf-8")
    monkeypatch.setattr(imports, "FLUSH_EVERY", 20)
    monkeypatch.setattr(imports, "FIRST_CHUNK", 10)
    started_over: list[int] = []
    original_chunk = plan.StreamPlanner.chunk

    def chunk(self, records):  # noqa: ANN001, ANN202
        try:
            return original_chunk(self, records)
        except plan.LateCombine:
            started_over.append(len(self.entries))
            raise

    monkeypatch.setattr(plan.StreamPlanner, "chunk", chunk)
    results, contents = {}, {}
    for cards in ("all", "no repeats"):
        for way in ("streaming", "planned"):
            copy = tmp_path / f"{way}-{cards}.db"
            shutil.copyfile(db_target, copy)
            app = open_app(str(copy), staff="TS")
            try:
                app.people.create(PersonInput(full_name="Schon Bekannt", notes="vorher"))
                source = app.imports.read(path)
                if cards == "no repeats":
                    source.records[:] = source.records[:45] + source.records[70:]
                monkeypatch.setattr(imports, "may_stream", plan.may_stream
                                    if way == "streaming" else (lambda records: False))
                result = app.imports.run(source, path.name)
                results[way, cards] = replace(result, batch_uid="")
                contents[way, cards] = _content(app)
                with app.ctx.sessions() as session:
                    assert index.check(session) == []
            finally:
                app.close()
    # The repeats made the streaming import start over once; without them it streamed.
    assert len(started_over) == 1
    for cards in ("all", "no repeats"):
        assert results["streaming", cards] == results["planned", cards]
        assert contents["streaming", cards] == contents["planned", cards]
    assert results["streaming", "all"].created == 45
    assert results["streaming", "all"].skipped == 25
    assert results["streaming", "no repeats"].skipped == 0
    assert results["streaming", "no repeats"].updated == 1  # Schon Bekannt, by name
    combined = [p for p in contents["planned", "all"]["points"] if p[0] == "Person 3"]
    assert {p[3] for p in combined} >= {"dup.3@example.org", "+49361500003", "+49361500048"}
    known = [p for p in contents["streaming", "no repeats"]["points"]
             if p[0] == "Schon Bekannt"]
    assert {p[3] for p in known} == {"bekannt@example.org", "+4915123456789"}
