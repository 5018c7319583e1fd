"""The import, export, duplicates and merge commands, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "io"
ROOT = Path(__file__).resolve().parents[2]


def _run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRUECKE_DB": str(db), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "crm", "--as", "TS", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def db(db_target: str) -> str:
    """A seeded database of the test's own: a SQLite file or a PostgreSQL URL."""
    return db_target


def test_import_json_summary_with_errors_then_export_and_merge(db: str, tmp_path: Path
                                                               ) -> None:
    dry = _run(db, "import", str(FIXTURES / "malformed.vcf"), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    summary = json.loads(dry.stdout)
    assert (summary["created"], summary["updated"], summary["skipped"]) == (3, 0, 2)
    assert [e["card"] for e in summary["errors"]] == [2, 4]
    assert all(isinstance(e["reason"], str) and e["reason"] for e in summary["errors"])
    done = _run(db, "import", str(FIXTURES / "outlook_de.csv"), "--json")
    data = json.loads(done.stdout)
    assert data["created"] == 5 and data["mapping"] == "outlook" and data["batch"]
    assert any(w["line"] == 4 for w in data["warnings"])
    again = _run(db, "import", str(FIXTURES / "outlook_de.csv"), "--format", "csv",
                 "--mapping", "outlook", "--json")
    assert json.loads(again.stdout)["created"] == 0

    out = tmp_path / "out.csv"
    export = _run(db, "export", "--format", "csv", "--delimiter", ",", "-o", str(out))
    assert export.returncode == 0, export.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")

    for name in ("Mohammed Al-Hassan", "Muhammad Al Hassan"):
        _run(db, "person", "add", name, "--email", "m.alhassan@example.org")
    pairs = json.loads(_run(db, "duplicates", "--json").stdout)
    assert pairs and {"first", "second", "score", "reason"} <= set(pairs[0])
    pair = next(p for p in pairs if "Al" in p["first"]["name"])
    merged = _run(db, "merge", pair["first"]["uid"], pair["second"]["uid"], "--json")
    assert merged.returncode == 0, merged.stderr
    undo = _run(db, "unmerge", json.loads(merged.stdout)["merge"])
    assert undo.returncode == 0, undo.stderr


def test_a_card_combined_into_an_earlier_one_is_told_with_what_it_lost(db: str,
                                                                      tmp_path: Path) -> None:
    """A card repeating an earlier one's e-mail is combined into it: the summary says so
    (German by default) and names the values of that card that were left out."""
    cards = tmp_path / "doppelt.vcf"
    cards.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Олена Коваль\r\nEMAIL:lena@example.org\r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Olena Koval\r\n"
        "EMAIL:LENA@example.org\r\nTEL:12\r\nTEL:0361 7654321\r\nEND:VCARD\r\n",
        encoding="utf-8")
    told = _run(db, "import", str(cards))
    assert told.returncode == 0, told.stderr
    assert "1 angelegt, 0 aktualisiert, 1 übersprungen" in told.stdout
    assert "Karte 2: zusammengeführt mit Karte 1 der Datei" in told.stdout
    assert "Karte 2: „12“ ist keine gültige Telefonnummer" in told.stdout
    again = _run(db, "import", str(cards), "--dry-run", "--json", "--lang", "en")
    notes = [(w["card"], w["code"]) for w in json.loads(again.stdout)["warnings"]]
    assert notes == [(2, "combined"), (2, "invalid_phone")]


@pytest.mark.parametrize(("content", "name"), [(b"", "empty.csv"),
                                               (bytes(range(256)) * 20, "blob.bin")])
def test_unreadable_file_exits_1_without_traceback(db: str, tmp_path: Path,
                                                   content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = _run(db, "import", str(path), "--json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_export_vcard_and_calendar(db: str, tmp_path: Path) -> None:
    _run(db, "import", str(FIXTURES / "thunderbird.vcf"))
    out = tmp_path / "all.vcf"
    result = _run(db, "export", "--format", "vcf", "--vcard-version", "3.0", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "VERSION:3.0" in out.read_text(encoding="utf-8")
    bad = _run(db, "export", "--format", "pdf", "-o", str(out))
    assert bad.returncode == 1
