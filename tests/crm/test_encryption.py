"""Encryption at rest (SQLCipher): encrypted copies, the passphrase, and the command line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

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
