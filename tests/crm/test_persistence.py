"""Opening databases: creation, refusal of foreign, damaged or newer files, migrations."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command

from crm.errors import DatabaseError
from crm.persistence.database import alembic_config, head_revision, open_database


def _digest(path: Path) -> bytes:
    return path.read_bytes()


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


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    open_database(path).dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert info.value.code == "too_new"
    assert _digest(path) == before


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


def test_upgrade_from_first_revision_keeps_data_and_copies_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.close()
    db = open_database(path, upgrade=False)
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
    upgraded = open_database(path)
    try:
        assert upgraded.backup_path is not None and upgraded.backup_path.exists()
        with upgraded.engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT full_name, notes FROM person WHERE id = 1").one()
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar()
        assert tuple(row) == ("Şahin Yılmaz", "Notiz <b>&")
        assert revision == head_revision()
        backup = sqlite3.connect(upgraded.backup_path)
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        backup.close()
    finally:
        upgraded.dispose()


def test_empty_database_upgrades_to_head(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    db = open_database(path)
    try:
        with db.engine.connect() as connection:
            tables = {r[0] for r in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"person", "organisation", "municipality", "role", "interaction",
                "audit_entry"} <= tables
    finally:
        db.dispose()
