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


@pytest.mark.parametrize("way", ["run", "import_file"])
@pytest.mark.parametrize("when", ["preparing", "writing"])
def test_a_failing_bulk_insert_leaves_the_database_as_it_was(app, tmp_path: Path,  # noqa: ANN001
                                                              monkeypatch, when: str,  # noqa: ANN001
                                                              way: str) -> None:
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
        if way == "run":
            app.imports.run(source, path.name)
        else:
            app.imports.import_file(path)
    monkeypatch.undo()
    with app.db.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Person)).scalar() == before
        assert connection.execute(select(func.count()).select_from(ImportBatch)).scalar() == 0
    with app.ctx.sessions() as session:
        assert index.check(session) == []
    assert _bulk_threads() == []
    assert app.imports.run(source, path.name).created == 300  # and it can be done again


def _mixed_cards(skip: range = range(0)) -> str:
    """Cards that exercise every way of the plan: duplicates within a chunk and across
    chunks, persons known already (by e-mail), tags new and old, organisations known,
    new, or named by many."""
    cards = []
    for i in range(70):
        if i in skip:
            continue
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
    next (and, importing a file, while it reads the next cards); a card that repeats one of
    an earlier chunk makes it start over and plan first. Every way the database ends the
    same as when the whole file is planned first."""
    import shutil

    from crm.app import open_app
    from crm.io import plan
    from crm.services import imports

    files = {"all": tmp_path / "mixed.vcf", "no repeats": tmp_path / "no-repeats.vcf"}
    files["all"].write_text(_mixed_cards(), encoding="utf-8")
    files["no repeats"].write_text(_mixed_cards(skip=range(45, 70)), encoding="utf-8")
    monkeypatch.setattr(imports, "FLUSH_EVERY", 20)
    monkeypatch.setattr(imports, "FIRST_CHUNK", 10)
    started_over: list[str] = []
    original_chunk = plan.StreamPlanner.chunk

    def chunk(self, records):  # noqa: ANN001, ANN202
        try:
            return original_chunk(self, records)
        except plan.LateCombine:
            started_over.append(way)
            raise

    monkeypatch.setattr(plan.StreamPlanner, "chunk", chunk)
    results, contents = {}, {}
    for cards, path in files.items():
        for way in ("streaming", "reading", "planned"):
            copy = tmp_path / f"{way}-{cards}.db"
            shutil.copyfile(db_target, copy)
            app = open_app(str(copy), staff="TS")
            try:
                app.people.create(PersonInput(full_name="Schon Bekannt", notes="vorher"))
                monkeypatch.setattr(imports, "may_stream", plan.may_stream
                                    if way == "streaming" else (lambda records: False))
                if way == "reading":  # (the file read card by card as it is written)
                    source, result = app.imports.import_file(path)
                    assert len(source.records) == (71 if cards == "all" else 46)
                else:
                    result = app.imports.run(app.imports.read(path), path.name)
                results[way, cards] = replace(result, batch_uid="")
                contents[way, cards] = _content(app)
                with app.ctx.sessions() as session:
                    assert index.check(session) == []
            finally:
                app.close()
    # The repeats made both streaming imports start over once; without them they streamed.
    assert started_over == ["streaming", "reading"]
    for cards in files:
        for way in ("streaming", "reading"):
            assert results[way, cards] == results["planned", cards]
            assert contents[way, cards] == contents["planned", cards]
    assert results["streaming", "all"].created == 45
    assert results["streaming", "all"].skipped == 25
    assert results["streaming", "no repeats"].skipped == 0
    assert results["streaming", "no repeats"].updated == 1  # Schon Bekannt, by name
    combined = [p for p in contents["planned", "all"]["points"] if p[0] == "Person 3"]
    assert {p[3] for p in combined} >= {"dup.3@example.org", "+49361500003", "+49361500048"}
    known = [p for p in contents["streaming", "no repeats"]["points"]
             if p[0] == "Schon Bekannt"]
    assert {p[3] for p in known} == {"bekannt@example.org", "+4915123456789"}


def test_importing_a_file_starts_over_at_an_organisation_card(app, tmp_path: Path,  # noqa: ANN001
                                                              monkeypatch) -> None:  # noqa: ANN001
    """Organisation cards are written first, through the ORM (persons may work there): one
    met after the first chunks were written makes the import plan the whole file first. The
    file's broken cards are reported either way, under their card numbers."""
    from crm.io import plan
    from crm.services import imports

    monkeypatch.setattr(imports, "FLUSH_EVERY", 20)
    monkeypatch.setattr(imports, "FIRST_CHUNK", 10)
    written: list[int] = []
    original_chunk = plan.StreamPlanner.chunk

    def chunk(self, records):  # noqa: ANN001, ANN202
        new = original_chunk(self, records)
        written.append(len(new))
        return new

    monkeypatch.setattr(plan.StreamPlanner, "chunk", chunk)
    persons = write_vcards([CardData(
        uid="", full_name=f"Mitglied {i}", organisation="Verein Brückenbau", title="Mitglied",
        points=(Point("email", f"m{i}@example.org", "work", True),)) for i in range(35)])
    org = write_vcards([CardData(uid="", full_name="Verein Brückenbau", is_organisation=True,
                                 organisation="Verein Brückenbau", notes="Dachverband",
                                 points=(Point("phone", "+49 361 7654321"),))])
    broken = "BEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:kein Name\r\nEND:VCARD\r\n"
    path = tmp_path / "verein.vcf"
    path.write_text(broken + persons + org, encoding="utf-8")
    source, result = app.imports.import_file(path)
    assert written == [10, 13, 10]  # (the last ones halving) then the organisation card
    assert (result.created, result.updated, result.skipped) == (36, 0, 1)
    assert [(e["card"], e["code"]) for e in result.errors] == [(1, "no_name")]
    assert len(source.records) == 36 and source.format == "vcf"
    with app.db.engine.connect() as connection:
        orgs = connection.execute(text(
            "SELECT o.name, o.notes, count(r.id) FROM organisation o JOIN role r ON "
            "r.organisation_id = o.id WHERE o.name = 'Verein Brückenbau' GROUP BY o.id")).all()
        assert [tuple(o) for o in orgs] == [("Verein Brückenbau", "Dachverband", 35)]
        assert connection.execute(text("SELECT count(*) FROM import_batch")).scalar() == 1
    with app.ctx.sessions() as session:
        assert index.check(session) == []


def test_importing_a_file_of_another_format_or_none(app, tmp_path: Path) -> None:  # noqa: ANN001
    """CSV is read whole and imported as ``run`` imports it; a file that is no contact file
    is refused before anything is written."""
    from crm.errors import ValidationError

    table = tmp_path / "liste.csv"
    table.write_text("Name;E-Mail\nAyşe Yılmaz;ayse@example.org\n", encoding="utf-8")
    source, result = app.imports.import_file(table)
    assert source.format == "csv" and result.created == 1
    binary = tmp_path / "bild.vcf"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    with pytest.raises(ValidationError) as refused:
        app.imports.import_file(binary)
    assert "unreadable_file" in str(refused.value.errors)
    with app.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM import_batch")).scalar() == 1


@pytest.mark.parametrize("count", [0, 1, 499, 500, 501, 5_000, 12_345, 50_000])
def test_chunks_cover_every_record_once_and_end_small(count: int) -> None:
    from crm.services.imports import FIRST_CHUNK, FLUSH_EVERY, _chunk_sizes, _chunks

    sizes = list(_chunk_sizes(count))
    assert sum(sizes) == count and all(sizes)
    assert all(size <= FLUSH_EVERY for size in sizes)
    if count:
        assert sizes[0] == min(FIRST_CHUNK, count)
        assert sizes[-1] <= FIRST_CHUNK  # little left to write after the last one
    spans = list(_chunks(count))
    assert [end - start for start, end in spans] == sizes
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_a_record_stream_keeps_what_was_taken() -> None:
    from crm.io.vcard import open_vcards

    cards = write_vcards([CardData(uid="", full_name=f"Karte {i}") for i in range(5)])
    broken = "BEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:ohne Namen\r\nEND:VCARD\r\n"
    stream = open_vcards((cards + broken + cards).encode("utf-8"), "karten.vcf")
    assert stream.expected == 11
    assert [r.full_name for r in stream.take(3)] == ["Karte 0", "Karte 1", "Karte 2"]
    assert [r.number for r in stream.take(4)] == [4, 5, 7, 8]  # card 6 has no name
    whole = stream.read_all()
    assert [r.number for r in whole.records] == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11]
    assert [(i.number, i.code) for i in whole.issues] == [(6, "no_name")]
    assert stream.take(10) == []
