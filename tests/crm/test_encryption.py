"""Encryption at rest (SQLCipher): encrypted copies, the passphrase, and the command line."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crm import backup, integrity
from crm.app import open_app
from crm.errors import ENCRYPTED_HINT, DatabaseError
from crm.i18n import set_language
from crm.messages import error_message
from crm.persistence import dialect
from crm.persistence.database import open_database
from crm.services.people import PersonInput

pytest.importorskip("sqlcipher3")

ROOT = Path(__file__).resolve().parents[2]
NAME = "Zephyrine Quattlebaum"
SECRET = "korrekt Pferd 'Batterie' Heftklammer"


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    path = tmp_path / "plain.db"
    app = open_app(path, staff="TS")
    try:
        app.people.create(PersonInput(full_name=NAME))
    finally:
        app.close()
    return path


@pytest.fixture
def encrypted(plain: Path, tmp_path: Path) -> Path:
    target = tmp_path / "secret.db"
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    dialect.export_database(str(plain), str(target), source_key=None, target_key=SECRET)
    return target


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crm", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_the_encrypted_file_reveals_nothing(plain: Path, encrypted: Path) -> None:
    assert NAME.encode() in plain.read_bytes()
    raw = encrypted.read_bytes()
    assert not raw.startswith(dialect.SQLITE_HEADER)
    assert NAME.encode() not in raw and b"Zephyrine" not in raw


def test_the_right_passphrase_opens_it_and_search_works(encrypted: Path) -> None:
    app = open_app(encrypted, staff="TS", passphrase=SECRET)
    try:
        assert [hit.title for hit in app.search.search("zephyr")] == [NAME]
        app.people.create(PersonInput(full_name="Ottilie Brennessel"))
        assert [hit.title for hit in app.search.search("ottilie")] == ["Ottilie Brennessel"]
    finally:
        app.close()
    raw = encrypted.read_bytes()
    assert not raw.startswith(dialect.SQLITE_HEADER) and b"Ottilie" not in raw


def test_a_wrong_passphrase_is_refused_and_leaves_the_file_untouched(encrypted: Path) -> None:
    before = encrypted.read_bytes()
    files = sorted(p.name for p in encrypted.parent.iterdir())
    for upgrade in (True, False):
        with pytest.raises(DatabaseError) as info:
            open_database(encrypted, upgrade=upgrade, passphrase="falsch")
        assert info.value.code == "wrong_passphrase"
    assert encrypted.read_bytes() == before
    assert sorted(p.name for p in encrypted.parent.iterdir()) == files


def test_without_a_passphrase_the_message_mentions_encryption(encrypted: Path) -> None:
    before = encrypted.read_bytes()
    with pytest.raises(DatabaseError) as info:
        open_database(encrypted)
    assert info.value.code == "not_sqlite" and info.value.detail == ENCRYPTED_HINT
    set_language("en")
    assert "passphrase" in error_message(info.value)
    assert encrypted.read_bytes() == before


def test_a_plain_file_with_a_passphrase_is_refused(plain: Path) -> None:
    with pytest.raises(DatabaseError) as info:
        open_database(plain, passphrase=SECRET)
    assert info.value.code == "not_encrypted"


def test_a_new_database_with_a_passphrase_is_created_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    app = open_app(path, staff="TS", passphrase=SECRET)
    app.close()
    assert not path.read_bytes().startswith(dialect.SQLITE_HEADER)
    open_database(path, passphrase=SECRET).dispose()


def test_cli_encrypt_then_list_with_and_without_the_passphrase(plain: Path,
                                                              tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("BRUECKE_DB", None)
    env["BRUECKE_PASSPHRASE"] = SECRET
    target = tmp_path / "cli-secret.db"
    done = _cli(env, "--db", str(plain), "--lang", "en", "encrypt", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert NAME.encode() not in target.read_bytes()

    listed = _cli(env, "--db", str(target), "--json", "person", "list")
    assert listed.returncode == 0, listed.stderr
    assert [p["name"] for p in json.loads(listed.stdout)] == [NAME]

    env.pop("BRUECKE_PASSPHRASE")
    refused = _cli(env, "--db", str(target), "--lang", "en", "--json", "person", "list")
    assert refused.returncode == 1
    assert "passphrase" in refused.stderr and "Traceback" not in refused.stderr
    assert refused.stdout == ""

    env["BRUECKE_PASSPHRASE"] = SECRET
    back = tmp_path / "back.db"
    done = _cli(env, "--db", str(target), "decrypt", "-o", str(back))
    assert done.returncode == 0, done.stderr
    assert back.read_bytes().startswith(dialect.SQLITE_HEADER)
    env["BRUECKE_PASSPHRASE"] = "falsch"
    wrong = _cli(env, "--db", str(target), "--lang", "en", "person", "list")
    assert wrong.returncode == 1 and "passphrase" in wrong.stderr


# -- backups, restore and check of an encrypted database ------------------------------------

def _keyed(path: Path, passphrase: str = SECRET) -> Any:
    conn = dialect.connect_encrypted(str(path), passphrase)
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def _names(path: Path, passphrase: str = SECRET) -> list[str]:
    conn = dialect.connect_encrypted(str(path), passphrase, read_only=True)
    try:
        return [r[0] for r in conn.execute("SELECT full_name FROM person ORDER BY id")]
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_of_an_encrypted_database_is_encrypted_and_verified(encrypted: Path,
                                                                     tmp_path: Path) -> None:
    # Written while the database is open and has changes still in its WAL.
    app = open_app(encrypted, staff="TS", passphrase=SECRET)
    try:
        app.people.create(PersonInput(full_name="Ottilie Brennessel"))
        assert Path(f"{encrypted}-wal").exists()
        saved = backup.make_backup(encrypted, tmp_path / "out" / "copy.db", SECRET)
    finally:
        app.close()
    raw = saved.read_bytes()
    assert not raw.startswith(dialect.SQLITE_HEADER)
    for secret in (NAME.encode(), b"Zephyrine", b"Ottilie", b"Brennessel"):
        assert secret not in raw
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert backup.verify(saved, SECRET) >= "0004"
    assert _names(saved) == [NAME, "Ottilie Brennessel"]
    assert sorted(p.name for p in saved.parent.iterdir()) == ["copy.db"]  # no -wal, no tmp
    with pytest.raises(DatabaseError) as wrong:
        backup.verify(saved, "falsch")
    assert wrong.value.code == "backup_wrong_passphrase"
    with pytest.raises(DatabaseError) as without:
        backup.verify(saved)
    assert without.value.code == "not_a_backup" and without.value.detail == ENCRYPTED_HINT
    set_language("en")
    assert "passphrase" in error_message(without.value)
    assert "passphrase" in error_message(wrong.value)


def test_an_encrypted_database_is_not_backed_up_without_or_with_a_wrong_passphrase(
        encrypted: Path, tmp_path: Path) -> None:
    for passphrase, code in ((None, "not_sqlite"), ("falsch", "wrong_passphrase")):
        with pytest.raises(DatabaseError) as refused:
            backup.make_backup(encrypted, tmp_path / "copy.db", passphrase)
        assert refused.value.code == code
        assert list(tmp_path.glob("*copy.db*")) == []


def test_automatic_backups_of_an_encrypted_database_rotate_and_stay_encrypted(
        encrypted: Path, tmp_path: Path) -> None:
    folder = tmp_path / "auto"
    start = datetime(2026, 3, 2, 9)
    for hours in (0, 1, 30, 60):
        conn = _keyed(encrypted)  # a change, so that each backup is really taken
        conn.execute("UPDATE person SET notes = ?", (f"change {hours}",))
        conn.commit()
        conn.close()
        os.utime(encrypted, (start.timestamp() + hours * 3600 - 1,) * 2)
        backup.automatic_backup(encrypted, folder, now=start + timedelta(hours=hours),
                                passphrase=SECRET)
    kept = backup.backups(folder)
    assert len(kept) == 3  # two on the first day: only the newer one stays
    for info in kept:
        assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
        raw = info.path.read_bytes()
        assert not raw.startswith(dialect.SQLITE_HEADER) and b"Zephyrine" not in raw
    assert backup.latest_good_backup(folder, SECRET) == kept[0].path
    assert backup.latest_good_backup(folder) is None  # not readable without it
    assert backup.latest_good_backup(folder, "falsch") is None


def test_restoring_an_encrypted_backup(encrypted: Path, tmp_path: Path) -> None:
    saved = backup.make_backup(encrypted, tmp_path / "saved.db", SECRET)
    conn = _keyed(encrypted)
    conn.execute("UPDATE person SET full_name = 'Changed Afterwards'")
    conn.commit()
    conn.close()
    before = _digest(encrypted)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    jpeg = tmp_path / "photo.db"
    jpeg.write_bytes(bytes.fromhex("ffd8ffe000104a464946") + b"\x00" * 4000)
    refusals = [(saved, "falsch", "backup_wrong_passphrase"), (saved, None, "not_a_backup"),
                (truncated, SECRET, "backup_damaged"), (jpeg, SECRET, "backup_wrong_passphrase"),
                (jpeg, None, "not_a_backup")]
    for path, passphrase, code in refusals:
        with pytest.raises(DatabaseError) as refused:
            backup.restore(path, encrypted, passphrase=passphrase)
        assert refused.value.code == code, (path, passphrase)
        assert _digest(encrypted) == before
    assert not list(tmp_path.glob("*before-restore*"))

    result = backup.restore(saved, encrypted, passphrase=SECRET)
    assert _names(encrypted) == [NAME]
    assert not encrypted.read_bytes().startswith(dialect.SQLITE_HEADER)
    assert result.kept is not None and _names(result.kept) == ["Changed Afterwards"]
    assert stat.S_IMODE(encrypted.stat().st_mode) == 0o600
    open_app(encrypted, staff="TS", passphrase=SECRET).close()


def test_check_runs_every_check_on_an_encrypted_database(encrypted: Path) -> None:
    db = open_database(encrypted, passphrase=SECRET)
    try:
        assert integrity.check(encrypted, db.sessions, passphrase=SECRET).ok
    finally:
        db.dispose()
    conn = _keyed(encrypted)
    conn.execute("INSERT INTO person_tag (person_id, tag_id) VALUES (9999, 1)")
    conn.execute("UPDATE person SET full_name = 'Bilal Renamed'")
    conn.commit()
    conn.close()
    assert {f.code for f in integrity.check_file(encrypted, SECRET)} == {"foreign_key"}
    with pytest.raises(DatabaseError) as wrong:
        integrity.check_file(encrypted, "falsch")
    assert wrong.value.code == "wrong_passphrase"
    with pytest.raises(DatabaseError) as without:
        integrity.check_file(encrypted)
    assert without.value.code == "not_sqlite" and without.value.detail == ENCRYPTED_HINT
    conn = _keyed(encrypted)
    conn.execute("DELETE FROM person_tag WHERE person_id = 9999")
    conn.commit()
    conn.close()
    db = open_database(encrypted, upgrade=False, passphrase=SECRET)
    try:
        report = integrity.check(encrypted, db.sessions, passphrase=SECRET)
        assert [f.code for f in report.findings] == ["search_index"]
        assert integrity.check(encrypted, db.sessions, True, SECRET).index_rebuilt
        assert integrity.check(encrypted, db.sessions, passphrase=SECRET).ok
    finally:
        db.dispose()


def test_a_damaged_encrypted_database_is_reported_by_check(encrypted: Path,
                                                           tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    data = bytearray(encrypted.read_bytes())
    data[4096 * 2 + 100: 4096 * 2 + 300] = b"\x00" * 200  # one page no longer decrypts
    damaged.write_bytes(bytes(data))
    before = damaged.read_bytes()
    findings = integrity.check_file(damaged, SECRET)
    assert findings and findings[0].code == "damaged"
    assert damaged.read_bytes() == before


def test_cli_backup_check_and_restore_of_an_encrypted_database(encrypted: Path,
                                                               tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("BRUECKE_DB", None)
    env.pop("BRUECKE_PASSPHRASE", None)
    db = ("--db", str(encrypted), "--lang", "en")
    copy = tmp_path / "cli-backup.db"
    refused = _cli(env, *db, "backup", "-o", str(copy))
    assert refused.returncode == 1 and "passphrase" in refused.stderr, refused.stderr
    assert not copy.exists() and "Traceback" not in refused.stderr
    refused = _cli(env, *db, "check")
    assert refused.returncode == 1 and "passphrase" in refused.stderr, refused.stderr

    env["BRUECKE_PASSPHRASE"] = SECRET
    done = _cli(env, *db, "backup", "-o", str(copy))
    assert done.returncode == 0, done.stderr
    assert NAME.encode() not in copy.read_bytes() and b"Zephyrine" not in copy.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    checked = _cli(env, *db, "--json", "check")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["ok"] is True
    auto = _cli(env, *db, "backup", "--auto")
    assert auto.returncode == 0, auto.stderr

    conn = _keyed(encrypted)
    conn.execute("UPDATE person SET full_name = 'Changed Afterwards'")
    conn.commit()
    conn.close()
    before = _digest(encrypted)
    env["BRUECKE_PASSPHRASE"] = "falsch"
    wrong = _cli(env, *db, "restore", str(copy))
    assert wrong.returncode == 1 and "passphrase" in wrong.stderr, wrong.stderr
    assert _digest(encrypted) == before and wrong.stdout == ""
    env["BRUECKE_PASSPHRASE"] = SECRET
    restored = _cli(env, *db, "--json", "restore", str(copy))
    assert restored.returncode == 0, restored.stderr
    kept = json.loads(restored.stdout)["kept"]
    assert _names(encrypted) == [NAME] and _names(Path(kept)) == ["Changed Afterwards"]
