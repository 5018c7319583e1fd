"""Backups: automatic and rotating while Brücke runs, by hand, and restoring one safely.

Backups are written with SQLite's online backup API (consistent while the window writes),
into a temporary file that is checked (``integrity_check``, Brücke's tables, a schema
revision this Brücke knows) before it is renamed into place; every file is mode 0600.

An encrypted database (SQLCipher) is backed up encrypted with the same passphrase — never
into a plain file — and its backups are checked, restored and rotated like plain ones; the
functions take the ``passphrase`` (None: a plain database).

Automatic backups (``bruecke-YYYYMMDD-HHMMSS.db`` in the backup folder) are rotated: the
newest of each of the last 7 days, 5 weeks and 12 months that have one are kept.

:func:`restore` checks the chosen file first and never deletes anything: the current
database (with its ``-wal``/``-shm``) is renamed aside before the backup is copied in.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crm.config import Preferences
from crm.errors import ENCRYPTED_HINT, DatabaseError
from crm.paths import user_data_dir
from crm.persistence import sqlite_files

log = logging.getLogger("bruecke.backup")

SQLITE_HEADER = sqlite_files.SQLITE_HEADER
BRUECKE_TABLES = frozenset({"person", "organisation", "municipality", "alembic_version"})
AUTO_NAME = re.compile(r"^bruecke-(\d{8})-(\d{6})(?:-(\d+))?\.db$")
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 5, 12
_SIDE_FILES = ("", "-wal", "-shm", "-journal")
_LAST_BACKUP = ".last-automatic-backup.json"  # which database the newest backup copies


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored_from: Path
    kept: Path | None  # where the previous database file now is
    revision: str


def backup_folder(prefs: Preferences) -> Path:
    """The configured folder, else ``backups`` in the user data folder."""
    if prefs.backup_folder:
        return Path(prefs.backup_folder).expanduser()
    return user_data_dir() / "backups"


# -- checking -------------------------------------------------------------------------

def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from crm.persistence.database import alembic_config

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config())
            .walk_revisions()}


def verify(path: str | os.PathLike[str], passphrase: str | None = None) -> str:
    """Check that ``path`` is an intact Brücke database; return its schema revision.

    A file without SQLite's header is read as an encrypted database when a ``passphrase``
    is given (a plain file is read as it is, whatever the passphrase).

    Raises:
        DatabaseError: ``missing``, ``not_a_backup`` (not SQLite, or not Brücke's; with
            the detail ``ENCRYPTED_HINT`` when it may be encrypted and no passphrase was
            given), ``backup_wrong_passphrase`` (the passphrase does not open it),
            ``backup_damaged`` (fails the integrity check, e.g. truncated) or
            ``backup_too_new`` (written by a newer Brücke).
    """
    file = Path(path)
    where = str(file)
    if not file.is_file():
        raise DatabaseError("missing", where)
    try:
        with file.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError("unreadable", where, str(exc)) from exc
    key = None if header == SQLITE_HEADER else passphrase
    if header != SQLITE_HEADER and key is None:
        maybe_encrypted = (bool(header) and file.stat().st_size % 512 == 0
                           and sqlite_files.encryption_available())
        raise DatabaseError("not_a_backup", where, ENCRYPTED_HINT if maybe_encrypted else "")
    try:
        # immutable: read the file as it is; never create -wal/-shm beside it.
        conn = sqlite_files.connect_file(file, key, immutable=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if key is not None:  # every page's HMAC: a changed byte anywhere shows
                result += [str(r[-1]) for r in conn.execute("PRAGMA cipher_integrity_check")]
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite_files.driver_errors() as exc:
        if key is not None and sqlite_files.is_wrong_key(exc):
            raise DatabaseError("backup_wrong_passphrase", where) from exc
        raise DatabaseError("backup_damaged", where, str(exc)) from exc
    if result != ["ok"]:
        raise DatabaseError("backup_damaged", where, "; ".join(result[:3]))
    if not tables >= BRUECKE_TABLES or revision is None:
        raise DatabaseError("not_a_backup", where)
    if revision not in known_revisions():
        raise DatabaseError("backup_too_new", where, revision)
    return str(revision)


def _writable_folder(folder: Path) -> None:
    if not folder.exists():
        try:
            folder.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise DatabaseError("folder_read_only", str(folder), str(exc)) from exc
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise DatabaseError("folder_read_only", str(folder))


# -- writing ----------------------------------------------------------------------------

def make_backup(source: str | os.PathLike[str], target: str | os.PathLike[str],
                passphrase: str | None = None) -> Path:
    """Copy the database ``source`` to ``target`` (online, verified, mode 0600); an
    encrypted ``source`` (its ``passphrase`` given) gives a backup encrypted with it."""
    src_path, dst_path = Path(source).resolve(), Path(target).expanduser().resolve()
    if not src_path.is_file():
        raise DatabaseError("missing", str(src_path))
    key = sqlite_files.key_for(src_path, passphrase)
    if key is None and not sqlite_files.looks_plain(src_path):  # encrypted, or not SQLite
        hint = ENCRYPTED_HINT if sqlite_files.encryption_available() else ""
        raise DatabaseError("not_sqlite", str(src_path), hint)
    if dst_path == src_path or dst_path.is_dir():
        raise DatabaseError("same_file" if dst_path == src_path else "not_a_file",
                            str(dst_path))
    _writable_folder(dst_path.parent)
    tmp = dst_path.with_name(f".{dst_path.name}.{os.getpid()}.tmp")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
        _copy(src_path, tmp, key)
        verify(tmp, key)
        os.chmod(tmp, 0o600)
        os.replace(tmp, dst_path)
    except DatabaseError as exc:
        _remove(tmp)
        if exc.path == str(tmp):  # the copy is bad: the source is
            raise DatabaseError("backup_failed", str(src_path), exc.detail or exc.code) from exc
        raise
    except (OSError, *sqlite_files.driver_errors()) as exc:
        _remove(tmp)
        if key is not None and sqlite_files.is_wrong_key(exc):
            raise DatabaseError("wrong_passphrase", str(src_path)) from exc
        raise DatabaseError("backup_failed", str(src_path), str(exc)) from exc
    log.info("backup written file=%s bytes=%d", dst_path.name, dst_path.stat().st_size)
    return dst_path


def _copy(source: Path, target: Path, passphrase: str | None = None) -> None:
    """SQLite's backup API: a consistent copy even while another connection writes;
    self-contained (no -wal beside it), encrypted with ``passphrase`` if given."""
    sqlite_files.online_backup(source, target, passphrase)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def automatic_backup(database: str | os.PathLike[str], folder: str | os.PathLike[str],
                     now: datetime | None = None, passphrase: str | None = None) -> Path:
    """A new automatic backup in ``folder``, then the old ones rotated out (the newest
    backup itself when the database was not written since it was taken)."""
    moment = now or datetime.now()
    target_folder = Path(folder).expanduser()
    _writable_folder(target_folder)
    unchanged = _unchanged_since_newest(database, target_folder)
    if unchanged is not None:
        return unchanged
    name = f"bruecke-{moment:%Y%m%d-%H%M%S}.db"
    if (target_folder / name).exists():
        name = f"bruecke-{moment:%Y%m%d-%H%M%S}-{moment:%f}.db"
    path = make_backup(database, target_folder / name, passphrase)
    _remember_backup(database, path, moment)
    rotate(target_folder)
    return path


def _unchanged_since_newest(database: str | os.PathLike[str], folder: Path) -> Path | None:
    """The newest automatic backup, if it was taken of this database and nothing was
    written to the database since: the same copy again is not worth it (100,000 persons:
    a 1.3 GB file, ~15 s of copying and checking at every start and close of the window)."""
    try:
        last = json.loads((folder / _LAST_BACKUP).read_text(encoding="utf-8"))
        source, name, taken = str(last["source"]), str(last["backup"]), float(last["taken"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    newest = next(iter(backups(folder)), None)
    if newest is None or newest.path.name != name or source != str(Path(database).resolve()):
        return None
    base = Path(database)
    wal = Path(f"{base}-wal")
    try:
        written = base.stat().st_mtime
        if wal.exists() and wal.stat().st_size > 0:  # committed pages not checkpointed yet
            written = max(written, wal.stat().st_mtime)
    except OSError:
        return None
    return newest.path if written < taken else None


def _remember_backup(database: str | os.PathLike[str], backup: Path, taken: datetime) -> None:
    """Note what the newest automatic backup is a copy of, and from when."""
    note = {"source": str(Path(database).resolve()), "backup": backup.name,
            "taken": taken.timestamp()}
    with contextlib.suppress(OSError):  # without the note the next backup is just made
        (backup.parent / _LAST_BACKUP).write_text(json.dumps(note), encoding="utf-8")


def backups(folder: str | os.PathLike[str]) -> list[BackupInfo]:
    """The automatic backups in ``folder``, newest first."""
    found = []
    directory = Path(folder).expanduser()
    if not directory.is_dir():
        return []
    for path in directory.iterdir():
        match = AUTO_NAME.match(path.name)
        if not match or not path.is_file():
            continue
        stamp = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
        if match.group(3):
            stamp = stamp.replace(microsecond=int(match.group(3)[:6].ljust(6, "0")))
        found.append(BackupInfo(path, stamp, path.stat().st_size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def to_keep(infos: Iterable[BackupInfo]) -> set[Path]:
    """Newest of each of the last KEEP_DAILY days, KEEP_WEEKLY weeks, KEEP_MONTHLY months."""
    ordered = sorted(infos, key=lambda b: b.taken_at, reverse=True)
    keep: set[Path] = {ordered[0].path} if ordered else set()
    periods = (
        (KEEP_DAILY, lambda t: t.date()),
        (KEEP_WEEKLY, lambda t: t.isocalendar()[:2]),
        (KEEP_MONTHLY, lambda t: (t.year, t.month)),
    )
    for count, period in periods:
        seen: list[object] = []
        for info in ordered:
            key = period(info.taken_at)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(info.path)
    return keep


def rotate(folder: str | os.PathLike[str]) -> list[Path]:
    """Delete automatic backups that the schedule no longer keeps; returns them."""
    infos = backups(folder)
    keep = to_keep(infos)
    removed = []
    for info in infos:
        if info.path not in keep:
            _remove(info.path)
            removed.append(info.path)
    if removed:
        log.info("backups rotated removed=%d kept=%d", len(removed), len(keep))
    return removed


def latest_good_backup(folder: str | os.PathLike[str],
                       passphrase: str | None = None) -> Path | None:
    """The newest automatic backup that passes :func:`verify` (encrypted ones: with
    ``passphrase``)."""
    for info in backups(folder):
        try:
            verify(info.path, passphrase)
        except DatabaseError:
            continue
        return info.path
    return None


# -- restoring --------------------------------------------------------------------------

def restore(backup: str | os.PathLike[str], database: str | os.PathLike[str], *,
            label: str = "before-restore", now: datetime | None = None,
            passphrase: str | None = None) -> RestoreResult:
    """Replace ``database`` by the backup; the current file is renamed aside, not deleted.

    ``label`` names the kept file (``bruecke.<label>-<stamp>.db``; "damaged" after a
    failed start). An encrypted backup needs its ``passphrase`` and is restored encrypted
    with it. The caller closes every connection to ``database`` first.
    """
    source, target = Path(backup).expanduser().resolve(), Path(database).expanduser().resolve()
    if source == target:
        raise DatabaseError("same_file", str(source))
    key = sqlite_files.key_for(source, passphrase)
    revision = verify(source, key)
    _writable_folder(target.parent)
    stamp = f"{now or datetime.now():%Y%m%d-%H%M%S}"
    kept = target.with_name(f"{target.stem}.{label}-{stamp}{target.suffix}")
    moved = _move_aside(target, kept) if target.exists() else []
    tmp = target.with_name(f".{target.name}.restore.tmp")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
        _copy(source, tmp, key)
        verify(tmp, key)
        os.replace(tmp, target)
    except (OSError, DatabaseError, *sqlite_files.driver_errors()) as exc:
        _remove(tmp)
        for original, aside in reversed(moved):  # put everything back as it was
            with contextlib.suppress(OSError):
                os.replace(aside, original)
        raise DatabaseError("restore_failed", str(target), str(exc)) from exc
    log.info("database restored from=%s kept=%s", source.name, kept.name if moved else "-")
    return RestoreResult(source, kept if moved else None, revision)


def _move_aside(target: Path, kept: Path) -> list[tuple[Path, Path]]:
    moved: list[tuple[Path, Path]] = []
    for side in _SIDE_FILES:
        original = Path(f"{target}{side}")
        if original.exists():
            aside = Path(f"{kept}{side}")
            os.replace(original, aside)
            moved.append((original, aside))
    return moved
