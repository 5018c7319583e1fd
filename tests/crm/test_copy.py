"""``copy --to``: a local database into an empty PostgreSQL database and back, verified by
rows and checksums per table; search, uids and the audit trail survive the move."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

from crm.app import open_app
from crm.config import Preferences
from crm.errors import DatabaseError
from crm.persistence.database import open_database
from crm.services.copying import copy_database, data_tables, table_checksum
from crm.services.people import PersonInput

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ("Nordhasuen", "Erfurt", "Integrationsbeirat", "Verein", "Sitzung")
_names = count(1)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local database with the small demo network and a few changes made by staff."""
    from crm.demo import build_demo

    path = tmp_path_factory.mktemp("copy-source") / "source.db"
    app = open_app(path, staff="TS", prefs=Preferences())
    try:
        build_demo(app.db.sessions, persons=40)
        person = app.people.create(PersonInput(full_name="Олена Шевченко", notes="copied"))
        app.people.save(person.uid, {"notes": "copied twice"}, expected_version=1)
    finally:
        app.close()
    return path


@pytest.fixture
def empty_pg(pg_cluster) -> Iterator[str]:  # noqa: ANN001
    """A new, empty PostgreSQL database (no tables at all)."""
    name = f"bruecke_copy_{next(_names)}"
    url = pg_cluster.create_database(name)
    yield url
    pg_cluster.drop_database(name)


def _checksums(target: str) -> dict[str, tuple[int, str]]:
    db = open_database(target, upgrade=False)
    try:
        with db.engine.connect() as conn:
            return {t.name: table_checksum(conn, t) for t in data_tables()}
    finally:
        db.dispose()


def _top_hits(target: str) -> dict[str, list[tuple[str, str]]]:
    app = open_app(target, staff="TS", prefs=Preferences())
    try:
        return {q: [(h.type, h.uid) for h in app.search.search(q, limit=5)] for q in QUERIES}
    finally:
        app.close()


def test_copy_to_postgresql_keeps_every_row_uid_and_audit_entry(
        source: Path, empty_pg: str) -> None:
    before = _checksums(str(source))
    report = copy_database(source, empty_pg)
    assert report.ok, report.differing
    assert report.rows == sum(rows for rows, _sum in before.values()) > 3000
    assert {c.table: (c.target_rows, c.target_checksum) for c in report.tables} == before
    assert _checksums(empty_pg) == before

    # search finds the same records in the same order on both engines
    hits = _top_hits(empty_pg)
    assert hits == _top_hits(str(source))
    assert hits["Nordhasuen"][0][0] == "municipality"

    local = open_app(source, staff="TS", prefs=Preferences())
    office = open_app(empty_pg, staff="TS", prefs=Preferences())
    try:
        assert office.db.engine.dialect.name == "postgresql"
        audit_local = [(a.uid, a.at, a.staff, a.record_uid, a.action, a.changes)
                       for a in local.privacy.audit()]
        assert audit_local  # the person created and changed by TS
        assert [(a.uid, a.at, a.staff, a.record_uid, a.action, a.changes)
                for a in office.privacy.audit()] == audit_local
        olena = office.search.search("Olena Shevchenko")[0]
        assert olena.uid == local.search.search("Olena Shevchenko")[0].uid
        # the sequences continue after the copied ids: new records can be added
        added = office.people.create(PersonInput(full_name="Neu Nach Kopie"))
        assert office.search.search("Neu Nach Kopie")[0].uid == added.uid
    finally:
        local.close()
        office.close()


def test_copy_from_postgresql_back_into_a_new_file(source: Path, empty_pg: str,
                                                  tmp_path: Path) -> None:
    assert copy_database(source, empty_pg).ok
    back = tmp_path / "back" / "copy.db"
    back.parent.mkdir()
    report = copy_database(empty_pg, back)
    assert report.ok, report.differing
    assert back.stat().st_mode & 0o777 == 0o600
    assert _checksums(str(back)) == _checksums(str(source))
    assert _top_hits(str(back)) == _top_hits(str(source))


def test_a_target_with_data_is_refused_and_left_alone(source: Path, pg_url: str,
                                                     tmp_path: Path) -> None:
    before = _checksums(pg_url)  # the seeded template: municipalities
    with pytest.raises(DatabaseError) as raised:
        copy_database(source, pg_url)
    assert raised.value.code == "target_not_empty"
    assert _checksums(pg_url) == before

    used = tmp_path / "used.db"
    shutil.copyfile(source, used)
    with pytest.raises(DatabaseError) as raised:
        copy_database(pg_url, used)
    assert raised.value.code == "target_not_empty"
    with pytest.raises(DatabaseError) as raised:
        copy_database(source, source)
    assert raised.value.code == "same_file"
    with pytest.raises(DatabaseError) as raised:
        copy_database(tmp_path / "missing.db", used)
    assert raised.value.code == "missing"


def test_a_server_database_that_does_not_exist_is_reported(source: Path, pg_cluster) -> None:  # noqa: ANN001
    with pytest.raises(DatabaseError) as raised:
        copy_database(source, pg_cluster.url("no_such_database"))
    assert raised.value.code == "unreachable"
    assert "no_such_database" in raised.value.detail


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("BRUECKE_DB", None)
    env.update(BRUECKE_CONFIG=str(home / "config.json"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"))
    return env


def test_cli_copy_to_postgresql_and_refusal(source: Path, empty_pg: str,
                                            tmp_path: Path) -> None:
    env = _environment(tmp_path)

    def bruecke(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "crm", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8", timeout=300)

    done = bruecke("--db", str(source), "--json", "copy", "--to", empty_pg)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True and result["rows"] > 3000
    assert {t["table"] for t in result["tables"]} >= {"person", "audit_entry", "consent",
                                                      "interaction_participant"}
    assert all(t["checksum"] == t["target_checksum"] for t in result["tables"])

    with_password = empty_pg.replace("postgres@", "postgres:Geheim-4711@")  # trust: ignored
    again = bruecke("--db", str(source), "--lang", "en", "copy", "--to", with_password)
    assert again.returncode == 1
    assert "not empty" in again.stderr and again.stdout == ""
    assert "Geheim-4711" not in again.stderr and "***" in again.stderr

    back = bruecke("--db", empty_pg, "--lang", "en", "copy", "--to", str(tmp_path / "b.db"))
    assert back.returncode == 0, back.stderr
    assert "Verified" in back.stdout and "person" in back.stdout

    assert bruecke("--db", str(source), "copy").returncode == 2  # --to is required
