"""Opening databases: creation, refusal of foreign, damaged or newer files, migrations."""

from __future__ import annotations

import os
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from crm.app import open_app
from crm.errors import DatabaseError
from crm.persistence import dialect
from crm.persistence.database import alembic_config, head_revision, open_database
from crm.services.listing_rows import PERSONS

# Timestamps and version of a row written straight into an older schema.
STAMP = "'2025-01-01 10:00:00', '2025-01-01 10:00:00', 1"


@contextmanager
def _at_revision(target: str, revision: str) -> Iterator[Any]:
    """A connection (in a transaction) to a new database upgraded only to ``revision``:
    the test writes the rows an older Brücke had, then opens it for the real upgrade."""
    db = open_database(target, upgrade=False)
    cfg = alembic_config()
    try:
        with db.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            yield connection
    finally:
        db.dispose()


def _digest(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
def empty_target(db_engine: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new database on the PostgreSQL server."""
    if db_engine == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        name = f"bruecke_empty_{uuid.uuid4().hex[:12]}"
        url = cluster.create_database(name)
        yield url
        cluster.drop_database(name)
        return
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    yield str(path)


def _snapshot(target: str) -> object:
    """What must not change: the file's bytes, or the server database's tables and version."""
    if not target.startswith("postgresql"):
        return _digest(Path(target))
    engine = create_engine(target)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
            people = conn.exec_driver_sql("SELECT count(*) FROM person").scalar()
    finally:
        engine.dispose()
    return tables, [tuple(r) for r in version], people


def test_new_database_is_owner_only_wal_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = open_database(path)
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert revision == head_revision()
        assert db.backup_path is None
    finally:
        db.dispose()


def test_reopening_current_database_makes_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_database(path).dispose()
    again = open_database(path)
    again.dispose()
    assert again.backup_path is None
    assert sorted(p.name for p in tmp_path.iterdir() if "before-upgrade" in p.name) == []


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n" + os.urandom(3000), b"hello, this is a text file\n" * 50,
     b"\xff\xd8\xff\xe0" + os.urandom(5000)],
)
def test_foreign_file_is_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "foreign.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert info.value.code == "not_sqlite"
    assert path.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["foreign.db"]


def test_other_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert info.value.code == "not_bruecke"
    assert _digest(path) == before


def test_newer_schema_is_refused_and_untouched(empty_target: str) -> None:
    db = open_database(empty_target)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    db.dispose()
    if not empty_target.startswith("postgresql"):
        conn = sqlite3.connect(empty_target)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    before = _snapshot(empty_target)
    with pytest.raises(DatabaseError) as info:
        open_database(empty_target)
    assert info.value.code == "too_new"
    assert _snapshot(empty_target) == before


def test_truncated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    open_database(path).dispose()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    before = _digest(path)
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert info.value.code in {"damaged", "not_bruecke"}
    assert _digest(path) == before


def test_read_only_database_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ro.db"
    open_database(path).dispose()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK
                        else real_access(p, mode))
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert info.value.code == "read_only"


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as info:
        open_database(tmp_path)
    assert info.value.code == "not_a_file"


def test_upgrade_from_first_revision_keeps_data_and_copies_file(empty_target: str) -> None:
    db = open_database(empty_target, upgrade=False)
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
        connection.exec_driver_sql(
            "INSERT INTO person (id, uid, created_at, updated_at, version, full_name, "
            "salutation, languages, notes, sort_key) VALUES (1, "
            "'11111111-2222-4333-8444-555555555555', '2025-01-01 10:00:00', "
            "'2025-01-01 10:00:00', 1, 'Şahin Yılmaz', 'herr', 'tr,de', 'Notiz <b>&', "
            "'yilmaz sahin')"
        )
    db.dispose()
    upgraded = open_database(empty_target)
    try:
        with upgraded.engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT full_name, notes FROM person WHERE id = 1").one()
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar()
        assert tuple(row) == ("Şahin Yılmaz", "Notiz <b>&")
        assert revision == head_revision()
        if empty_target.startswith("postgresql"):
            assert upgraded.backup_path is None  # a server's backups are pg_dump's job
            return
        assert upgraded.backup_path is not None and upgraded.backup_path.exists()
        backup = sqlite3.connect(upgraded.backup_path)
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        backup.close()
    finally:
        upgraded.dispose()


def test_empty_database_upgrades_to_head(empty_target: str) -> None:
    db = open_database(empty_target)
    try:
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert {"person", "organisation", "municipality", "role", "interaction",
                "audit_entry"} <= tables
    finally:
        db.dispose()


def test_upgrade_to_0008_adds_the_trigram_index_on_postgresql(empty_target: str) -> None:
    """0008: pg_trgm and a GIN trigram index on the search words; nothing on SQLite."""
    db = open_database(empty_target)
    try:
        with db.engine.connect() as connection:
            found = dialect.has_trigram_index(connection)
            if dialect.is_postgresql(connection):
                definition = connection.exec_driver_sql(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_terms_trgm'"
                ).scalar()
                assert definition is not None and "gin (term gin_trgm_ops)" in definition
            else:
                assert connection.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE name LIKE '%trgm%'").scalar() == 0
        assert found == empty_target.startswith("postgresql")
    finally:
        db.dispose()


def test_without_the_right_to_create_extensions_0008_skips_the_trigram_index(
        pg_cluster) -> None:  # noqa: ANN001
    """A login that may create tables but not extensions still upgrades; typos are then
    found through the letter lists."""
    from crm.app import open_app

    name = f"bruecke_notrgm_{uuid.uuid4().hex[:12]}"
    login = f"clerk_{uuid.uuid4().hex[:8]}"
    pg_cluster.create_database(name)
    pg_cluster.execute(f"CREATE ROLE {login} LOGIN")
    pg_cluster.execute(f"GRANT CREATE, USAGE ON SCHEMA public TO {login}", database=name)
    try:
        application = open_app(pg_cluster.url(name, login), staff="TS")
        try:
            with application.db.engine.connect() as connection:
                assert connection.exec_driver_sql(
                    "SELECT version_num FROM alembic_version").scalar() == head_revision()
                assert not dialect.has_trigram_index(connection)
            hits = [hit.title for hit in application.search.search(
                "nordhasuen", types={"municipality"})]
            assert "Nordhausen, Stadt" in hits
        finally:
            application.close()
    finally:
        pg_cluster.drop_database(name)
        pg_cluster.execute(f"DROP ROLE IF EXISTS {login}")


def test_upgrade_to_0007_copies_interaction_times_into_the_link_tables(
        empty_target: str) -> None:
    """0007: the link tables get their interaction's occurred_at (backfilled, then kept by
    triggers) and the last-contact indexes."""
    with _at_revision(empty_target, "0006") as connection:
        for n in (1, 2):
            connection.exec_driver_sql(
                "INSERT INTO organisation (id, uid, created_at, updated_at, version, name, kind, "
                f"notes, sort_key) VALUES ({n}, '{uuid.uuid4()}', {STAMP}, 'Verein {n}', "
                f"'administration', '', 'verein {n}')")
            connection.exec_driver_sql(
                "INSERT INTO interaction (id, uid, created_at, updated_at, version, kind, "
                f"occurred_at, subject, notes) VALUES ({n}, '{uuid.uuid4()}', {STAMP}, "
                f"'meeting', '2025-0{n}-15 09:30:00', 'Treffen {n}', '')")
        connection.exec_driver_sql(
            "INSERT INTO interaction_participant (id, interaction_id, organisation_id, "
            "role_title) VALUES (1, 1, 2, 'Leitung'), (2, 2, 1, '')")
        connection.exec_driver_sql(
            "INSERT INTO interaction_organisation (interaction_id, organisation_id) "
            "VALUES (1, 1), (2, 2)")
    upgraded = open_database(empty_target)
    same = ("SELECT count(*) FROM {0} AS link JOIN interaction ON interaction.id = "
            "link.interaction_id WHERE link.occurred_at = interaction.occurred_at")
    try:
        with upgraded.engine.begin() as connection:
            for table in ("interaction_participant", "interaction_organisation"):
                assert connection.exec_driver_sql(same.format(table)).scalar() == 2
            indexes = {table: {i["name"] for i in inspect(connection).get_indexes(table)}
                       for table in ("interaction", "interaction_participant",
                                     "interaction_organisation")}
            # The triggers run on the upgraded database too.
            connection.exec_driver_sql(
                "UPDATE interaction SET occurred_at = '2025-03-01 08:00:00' WHERE id = 1")
            connection.exec_driver_sql(
                "INSERT INTO interaction_participant (id, interaction_id, organisation_id, "
                "role_title) VALUES (3, 2, 2, '')")
            for table, count in (("interaction_participant", 3), ("interaction_organisation", 2)):
                assert connection.exec_driver_sql(same.format(table)).scalar() == count
            moved = connection.exec_driver_sql(
                "SELECT count(*) FROM interaction_organisation WHERE occurred_at = "
                "'2025-03-01 08:00:00'").scalar()
        assert moved == 1
        assert "ix_interaction_municipality_at" in indexes["interaction"]
        assert "ix_interaction_municipality_id" not in indexes["interaction"]
        assert {"ix_interaction_participant_organisation_at",
                "ix_interaction_participant_role_id"} <= indexes["interaction_participant"]
        assert indexes["interaction_organisation"] >= {
            "ix_interaction_organisation_organisation_at"}
        assert "ix_interaction_organisation_organisation_id" not in indexes[
            "interaction_organisation"]
    finally:
        upgraded.dispose()


def test_upgrade_to_0009_indexes_a_persons_newest_contact(empty_target: str) -> None:
    """0009: ``(person_id, occurred_at)`` on the participants; the persons list then reads a
    person's last contact from it, and the data of an 0008 database stays as it was."""
    from crm.services.listing_rows import PERSONS
    from crm.services.timeline import last_contact_query

    with _at_revision(empty_target, "0008") as connection:
        connection.exec_driver_sql(
            "INSERT INTO person (id, uid, created_at, updated_at, version, full_name, "
            "family_name, transliteration, notes, sort_key, salutation, languages) VALUES (1, "
            f"'{uuid.uuid4()}', {STAMP}, 'Nguyễn Thị Lan', 'Nguyễn', 'Nguyen Thi Lan', '', "
            "'nguyen thi lan', 'none', '')")
        for n in (1, 2):
            connection.exec_driver_sql(
                "INSERT INTO interaction (id, uid, created_at, updated_at, version, kind, "
                f"occurred_at, subject, notes) VALUES ({n}, '{uuid.uuid4()}', {STAMP}, "
                f"'meeting', '2025-0{n}-15 09:30:00', 'Treffen {n}', '')")
            connection.exec_driver_sql(
                "INSERT INTO interaction_participant (id, interaction_id, person_id, "
                f"role_title) VALUES ({n}, {n}, 1, '')")
    upgraded = open_database(empty_target)
    try:
        with upgraded.engine.begin() as connection:
            indexes = {i["name"] for i in inspect(connection).get_indexes(
                "interaction_participant")}
            rows = connection.execute(last_contact_query(PERSONS, ids=[1])).all()
        assert "ix_interaction_participant_person_at" in indexes
        assert [(pid, last.replace(tzinfo=None).isoformat(" ")) for pid, last in rows] == [
            (1, "2025-02-15 09:30:00")]
    finally:
        upgraded.dispose()


def test_upgrade_to_0010_keeps_the_data_with_leaner_indexes(empty_target: str) -> None:
    """0010: the two indexes other indexes already begin with are gone; the contact points'
    organisation and role indexes hold only points with such an owner, and a look-up by
    owner still uses them. The data of an 0009 database stays as it was."""
    with _at_revision(empty_target, "0009") as connection:
        connection.exec_driver_sql(
            "INSERT INTO person (id, uid, created_at, updated_at, version, full_name, notes, "
            f"sort_key, salutation, languages) VALUES (1, '{uuid.uuid4()}', {STAMP}, "
            "'Ayşe Yılmaz', '', 'yilmaz ayse', 'none', '')")
        connection.exec_driver_sql(
            "INSERT INTO organisation (id, uid, created_at, updated_at, version, kind, name, "
            f"notes, sort_key) VALUES (1, '{uuid.uuid4()}', {STAMP}, 'member', 'Verein', '', "
            "'verein')")
        connection.exec_driver_sql(
            "INSERT INTO role (id, uid, created_at, updated_at, version, person_id, "
            f"organisation_id, title) VALUES (1, '{uuid.uuid4()}', {STAMP}, 1, 1, 'Vorsitz')")
        for n, owner in ((1, "person_id"), (2, "organisation_id"), (3, "role_id")):
            connection.exec_driver_sql(
                "INSERT INTO contact_point (id, uid, created_at, updated_at, version, kind, "
                f"label, value, preferred, {owner}) VALUES ({n}, '{uuid.uuid4()}', {STAMP}, "
                f"'email', 'work', 'p{n}@example.org', {'true' if n == 1 else 'false'}, 1)")
    upgraded = open_database(empty_target)
    try:
        with upgraded.engine.begin() as connection:
            found = inspect(connection)
            person = {i["name"] for i in found.get_indexes("person")}
            role = {i["name"] for i in found.get_indexes("role")}
            points = {i["name"]: i for i in found.get_indexes("contact_point")}
            owners = connection.exec_driver_sql(
                "SELECT id, person_id, organisation_id, role_id FROM contact_point "
                "ORDER BY id").all()
            by_org = connection.exec_driver_sql(
                "SELECT value FROM contact_point WHERE organisation_id = 1").scalars().all()
            definition = connection.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = "
                "'ix_contact_point_organisation_id'" if dialect.is_postgresql(connection) else
                "SELECT sql FROM sqlite_master WHERE name = 'ix_contact_point_organisation_id'"
            ).scalar()
            plan = "" if dialect.is_postgresql(connection) else " ".join(
                str(r[-1]) for r in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT value FROM contact_point "
                    "WHERE organisation_id = 1"))
        assert "ix_person_archived_sort" in person  # (0011 adds ix_person_archived_at back)
        assert "ix_role_organisation_id" not in role and "ix_role_org_title_end" in role
        assert {"ix_contact_point_organisation_id", "ix_contact_point_role_id",
                "ix_contact_point_person_id"} <= set(points)
        assert [tuple(r) for r in owners] == [(1, 1, None, None), (2, None, 1, None),
                                              (3, None, None, 1)]
        assert by_org == ["p2@example.org"]
        assert "organisation_id IS NOT NULL" in definition.replace("(", "").replace(")", "")
        if plan:
            assert "ix_contact_point_organisation_id" in plan
    finally:
        upgraded.dispose()


def test_upgrade_to_0011_counts_persons_by_the_narrow_index(empty_target: str) -> None:
    """0011: persons are counted (active and archived) off an index of ``archived_at``
    alone, not off the wide uid index; an 0010 database's persons stay as they were."""
    with _at_revision(empty_target, "0010") as connection:
        for n in range(1, 6):
            archived = "'2025-06-01 09:00:00'" if n == 5 else "NULL"
            connection.exec_driver_sql(
                "INSERT INTO person (id, uid, created_at, updated_at, version, full_name, "
                f"notes, sort_key, salutation, languages, archived_at) VALUES ({n}, "
                f"'{uuid.uuid4()}', {STAMP}, 'Person {n}', '', 'person {n}', 'none', '', "
                f"{archived})")
    upgraded = open_database(empty_target)
    try:
        with upgraded.engine.begin() as connection:
            person = {i["name"] for i in inspect(connection).get_indexes("person")}
            names = connection.exec_driver_sql(
                "SELECT full_name FROM person WHERE archived_at IS NULL ORDER BY id"
            ).scalars().all()
            plan = "" if dialect.is_postgresql(connection) else " ".join(
                str(r[-1]) for r in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT count(*) FROM person"))
        assert {"ix_person_archived_at", "ix_person_archived_sort"} <= person
        assert names == [f"Person {n}" for n in range(1, 5)]
        if plan:
            assert "ix_person_archived_at" in plan
        assert head_revision() == "0011"
        app = open_app(empty_target, staff="TS")
        try:
            assert app.listing.count(PERSONS) == 4
            assert app.listing.counts().persons == 4
        finally:
            app.close()
    finally:
        upgraded.dispose()
