"""Backups while the app runs, rotation, and restoring — bad files are refused, nothing lost."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import stat
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crm import backup
from crm.cli import main
from crm.errors import DatabaseError
from crm.services.people import PersonInput

JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb0043") + b"\x00" * 4000


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _names(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT full_name FROM person ORDER BY id")]


@pytest.fixture
def good(app, tmp_path: Path) -> Path:  # noqa: ANN001
    app.people.create(PersonInput(full_name="Олена Шевченко"))
    return backup.make_backup(app.db.path, tmp_path / "good.db")


def test_online_backup_is_complete_verified_and_private(app, good: Path) -> None:  # noqa: ANN001
    assert Path(f"{app.db.path}-wal").exists()  # the change is still in the WAL
    assert _names(good) == ["Олена Шевченко"]
    assert stat.S_IMODE(os.stat(good).st_mode) == 0o600
    assert backup.verify(good) >= "0004"
    with sqlite3.connect(good) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def _bad_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    truncated = tmp_path / "truncated.db"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    jpeg = tmp_path / "photo.db"
    jpeg.write_bytes(JPEG)
    newer = tmp_path / "newer.db"
    newer.write_bytes(data)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    return {"backup_damaged": truncated, "not_a_backup": jpeg, "backup_too_new": newer,
            "missing": tmp_path / "nothing.db", "not_a_backup ": foreign}


def test_bad_backups_are_refused_and_the_database_is_untouched(app, good: Path,  # noqa: ANN001
                                                                tmp_path: Path) -> None:
    app.close()
    before = _digest(app.db.path)
    for code, path in _bad_files(tmp_path, good).items():
        with pytest.raises(DatabaseError) as refused:
            backup.restore(path, app.db.path)
        assert refused.value.code == code.strip(), path
        assert _digest(app.db.path) == before
    assert not list(app.db.path.parent.glob("*before-restore*"))


def test_restore_keeps_the_current_database_beside_it(app, good: Path) -> None:  # noqa: ANN001
    app.people.create(PersonInput(full_name="Nguyễn Thị Minh Khai"))
    app.close()
    result = backup.restore(good, app.db.path)
    assert _names(app.db.path) == ["Олена Шевченко"]
    assert result.kept is not None and result.kept.exists()
    assert _names(result.kept) == ["Олена Шевченко", "Nguyễn Thị Minh Khai"]
    assert stat.S_IMODE(os.stat(app.db.path).st_mode) == 0o600


def test_a_failed_restore_puts_everything_back(app, good: Path,  # noqa: ANN001
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app.close()
    before = _digest(app.db.path)

    def broken(_source: Path, _target: Path, *_key: str | None) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(backup, "_copy", broken)
    with pytest.raises(DatabaseError) as failed:
        backup.restore(good, app.db.path)
    assert failed.value.code == "restore_failed"
    assert _digest(app.db.path) == before


def test_read_only_folder_gives_a_message_and_writes_nothing(app, tmp_path: Path,  # noqa: ANN001
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: (
        False if Path(p) == folder and mode & os.W_OK else real(p, mode, *a, **k)))
    with pytest.raises(DatabaseError) as refused:
        backup.automatic_backup(app.db.path, folder)
    assert refused.value.code == "folder_read_only"
    assert list(folder.iterdir()) == []


def test_rotation_keeps_days_weeks_and_months(app, tmp_path: Path) -> None:  # noqa: ANN001
    start = datetime(2026, 1, 1, 12)
    infos = [backup.BackupInfo(tmp_path / f"b{i}", start + timedelta(hours=12 * i), 1)
             for i in range(2 * 400)]
    keep = backup.to_keep(infos)
    newest = max(infos, key=lambda b: b.taken_at)
    assert newest.path in keep
    assert len(keep) <= backup.KEEP_DAILY + backup.KEEP_WEEKLY + backup.KEEP_MONTHLY
    days = {b.taken_at.date() for b in infos if b.path in keep}
    assert len(days) == len(keep)  # one per period, the newest of its day
    months = {(b.taken_at.year, b.taken_at.month) for b in infos if b.path in keep}
    assert len(months) == backup.KEEP_MONTHLY
    folder = tmp_path / "auto"
    for hours in (0, 1, 30, 60):
        backup.automatic_backup(app.db.path, folder, now=start + timedelta(hours=hours))
    kept = backup.backups(folder)
    assert len(kept) == 3  # two on the first day: only the newer one stays
    assert backup.latest_good_backup(folder) == kept[0].path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_cli_backup_and_restore(app, good: Path, tmp_path: Path) -> None:  # noqa: ANN001
    app.close()
    db = ("--db", str(app.db.path))
    code, out, _err = run("backup", "-o", str(tmp_path / "cli.db"), *db)
    assert code == 0 and backup.verify(tmp_path / "cli.db")
    before = _digest(app.db.path)
    for path in _bad_files(tmp_path, good).values():
        code, out, err = run("restore", str(path), *db)
        assert code == 1 and out == "" and err.startswith("Fehler:"), err
    assert _digest(app.db.path) == before
    code, out, _err = run("restore", str(good), *db)
    assert code == 0 and "before-restore" in out


def test_a_copy_that_fails_the_check_after_writing_is_not_kept(app, tmp_path: Path,  # noqa: ANN001
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    def half_written(source: Path, target: Path, *_key: str | None) -> None:
        data = Path(source).read_bytes()
        Path(target).write_bytes(data[: len(data) // 2])  # as if the disk filled up

    folder = tmp_path / "auto"
    monkeypatch.setattr(backup, "_copy", half_written)
    with pytest.raises(DatabaseError) as failed:
        backup.automatic_backup(app.db.path, folder)
    assert failed.value.code == "backup_failed"
    assert list(folder.iterdir()) == []  # neither the bad copy nor its temporary file
