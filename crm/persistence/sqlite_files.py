"""Raw connections to a database *file*, plain (sqlite3) or encrypted (SQLCipher).

Backups, restore and ``check`` work on files, not through an opened Brücke database: they
use these helpers, so that an encrypted database is read, copied and checked through
SQLCipher with its passphrase and never copied into a plain file. (The SQLCipher pieces —
the module, keying a connection — live in :mod:`crm.persistence.dialect`; this module
imports no SQLAlchemy, so the window can import :mod:`crm.backup` cheaply.)
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from crm.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"


def _dialect() -> Any:
    from crm.persistence import dialect

    return dialect


def encryption_available() -> bool:
    return bool(_dialect().encryption_available())


def driver_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a connection of :func:`connect_file` may raise."""
    module = _dialect().sqlcipher_module() if _sqlcipher_loaded() else None
    return (sqlite3.Error,) if module is None else (sqlite3.Error, module.Error)


def _sqlcipher_loaded() -> bool:
    import sys

    return "sqlcipher3" in sys.modules or "sqlcipher3.dbapi2" in sys.modules


def looks_plain(path: str | os.PathLike[str]) -> bool:
    """The file starts with SQLite's header: an unencrypted database. False for an
    encrypted, empty, foreign or unreadable file."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def key_for(path: str | os.PathLike[str], passphrase: str | None) -> str | None:
    """The passphrase to open ``path`` with: None for a plain SQLite file."""
    return None if looks_plain(path) else passphrase


def is_wrong_key(exc: BaseException) -> bool:
    """A keyed connection that cannot read page 1: wrong passphrase (or not encrypted
    Brücke data at all — SQLCipher cannot tell the two apart)."""
    return "not a database" in str(exc).lower()


def connect_file(path: str | os.PathLike[str], passphrase: str | None = None, *,
                 read_only: bool = False, immutable: bool = False) -> Any:
    """A DB-API connection to the file ``path``: sqlite3, or with a ``passphrase`` a
    sqlcipher3 connection keyed with it. ``read_only`` never writes; ``immutable`` also
    never creates ``-wal``/``-shm`` files beside it (for files that nothing else writes)."""
    uri = Path(path).resolve().as_uri()
    options = [o for o, on in (("mode=ro", read_only or immutable),
                               ("immutable=1", immutable)) if on]
    if options:
        uri += "?" + "&".join(options)
    if passphrase is None:
        return sqlite3.connect(uri, uri=True, timeout=10)
    dialect = _dialect()
    module = dialect.require_sqlcipher(str(path))
    conn = module.connect(uri, uri=True, timeout=10)
    dialect._quiet(conn)  # a wrong key is reported as a DatabaseError, not on stderr
    conn.execute("PRAGMA key = " + dialect.sql_string(passphrase))
    return conn


def online_backup(source: str | os.PathLike[str], target: str | os.PathLike[str],
                  passphrase: str | None = None) -> None:
    """Copy ``source`` into the new, empty file ``target`` with SQLite's backup API
    (consistent even while another connection writes).

    With a ``passphrase`` both ends are SQLCipher connections keyed with it: the copy is
    encrypted with the same passphrase, never plain (checked after writing). The copy is
    self-contained (rollback journal: it needs no ``-wal`` beside it) and synced to disk.
    """
    src = connect_file(source, passphrase)
    try:
        src.execute("PRAGMA query_only = 1")
        dst = connect_file(target, passphrase)
        try:
            src.backup(dst, pages=4096)
            dst.execute("PRAGMA journal_mode = DELETE")
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())
    if passphrase is not None and looks_plain(target):
        raise DatabaseError("backup_failed", str(source), "the copy is not encrypted")
