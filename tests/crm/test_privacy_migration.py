"""Migration 0004 (consents) upgrades a database that holds data, and goes back down."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from crm.app import open_app
from crm.persistence.database import alembic_config


def _migrate(path: Path, revision: str, down: bool = False) -> None:
    engine = create_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
    engine.dispose()


def test_upgrade_from_0003_keeps_data_and_adds_consents(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _migrate(path, "0003")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO person (full_name, salutation, languages, notes, sort_key, uid, "
            "created_at, updated_at, version) VALUES ('Anna Şahin', 'none', '', 'alt', "
            "'sahin anna', '00000000-0000-4000-8000-000000000001', '2024-01-01', "
            "'2024-01-01', 1)")
    app = open_app(path, staff="TS")  # upgrades to head, with a backup first
    try:
        assert app.db.backup_path is not None and app.db.backup_path.exists()
        person = app.people.get("00000000-0000-4000-8000-000000000001")
        assert (person.name, person.notes) == ("Anna Şahin", "alt")
        from crm.services.privacy import PrivacyService

        privacy = PrivacyService(app.ctx, app.prefs)
        privacy.add_consent(person.uid, "newsletter", "2024-02-01")
        assert len(privacy.consents(person.uid)) == 1
    finally:
        app.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] >= "0004"
        assert conn.execute("SELECT count(*) FROM consent").fetchone()[0] == 1


def test_downgrade_removes_only_the_consent_table(tmp_path: Path) -> None:
    path = tmp_path / "db.db"
    _migrate(path, "0004")
    _migrate(path, "0003", down=True)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "consent" not in tables and {"person", "import_batch"} <= tables
