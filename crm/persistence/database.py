"""Open a Brücke database: create it, refuse foreign or newer files, back up and migrate.

A file that is not SQLite, not Brücke's, or from a newer Brücke is refused with a
:class:`DatabaseError` and left byte-for-byte untouched: every check before the upgrade
reads the file through a read-only connection.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from crm.errors import ENCRYPTED_HINT, DatabaseError
from crm.persistence import dialect
from crm.persistence.revisions import MIGRATIONS_DIR
from crm.persistence.revisions import declared_head as _declared_head

if TYPE_CHECKING:
    from alembic.config import Config

BRUECKE_TABLES = {"person", "organisation", "municipality"}
SUPPORTED_DRIVERS = {"sqlite", "sqlite+pysqlite", "sqlite+pysqlcipher", "postgresql+psycopg"}


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    url: URL
    path: Path | None  # the SQLite file, None for a server database
    backup_path: Path | None = None  # the copy made before a migration, if any
    passphrase: str | None = field(default=None, repr=False)  # SQLCipher key, if encrypted

    def dispose(self) -> None:
        self.engine.dispose()


def resolve_url(target: str | os.PathLike[str]) -> URL:
    """A SQLAlchemy URL from a path or URL; paths become absolute SQLite URLs."""
    text = os.fspath(target)
    if "://" in text:
        try:
            url = make_url(text)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's ArgumentError and friends
            raise DatabaseError("unsupported_url", text) from exc
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")  # the driver Brücke ships
        if url.drivername not in SUPPORTED_DRIVERS:
            raise DatabaseError("unsupported_url", url.render_as_string(hide_password=True))
        return url
    return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def open_database(target: str | os.PathLike[str], *, upgrade: bool = True,
                  passphrase: str | None = None) -> Database:
    """Open (creating if missing) and upgrade the database at ``target``.

    With a ``passphrase`` the file is encrypted with SQLCipher (needs sqlcipher3): a new
    file is created encrypted, an existing one must be encrypted with that passphrase.
    """
    url = resolve_url(target)
    if passphrase is not None:
        dialect.require_sqlcipher(url.render_as_string(hide_password=True))
    path: Path | None = None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)  # type: ignore[arg-type]
        _prepare_sqlite_file(path, encrypted=passphrase is not None)
    if passphrase is not None:
        if path is None:
            raise DatabaseError("no_file", url.render_as_string(hide_password=True))
        engine = create_engine(dialect.encrypted_url(str(path), passphrase), future=True,
                               poolclass=QueuePool)
    else:
        engine = create_engine(url, future=True)
    dialect.install_connection_pragmas(engine)
    db = Database(engine, sessionmaker(engine, expire_on_commit=False), url, path,
                  passphrase=passphrase)
    try:
        if upgrade:
            _upgrade(db)
        elif passphrase is not None:
            _inspect_revision(db)  # a wrong passphrase is refused before anything connects
    except Exception:
        engine.dispose()
        raise
    return db


def _prepare_sqlite_file(path: Path, *, encrypted: bool = False) -> None:
    if not path.exists():
        if not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError("cannot_create", str(path), str(exc)) from exc
        try:
            # Owner-only from the first byte: the data is personal.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError as exc:
            raise DatabaseError("cannot_create", str(path), str(exc)) from exc
        return
    if path.is_dir():
        raise DatabaseError("not_a_file", str(path))
    try:
        with path.open("rb") as fh:
            header = fh.read(len(dialect.SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError("unreadable", str(path), str(exc)) from exc
    if encrypted:
        if dialect.looks_like_sqlite(header):
            raise DatabaseError("not_encrypted", str(path))
    elif header and not dialect.looks_like_sqlite(header):
        # An encrypted database looks like any foreign file: say so when it could be one.
        hint = ENCRYPTED_HINT if dialect.encryption_available() else ""
        raise DatabaseError("not_sqlite", str(path), hint)
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DatabaseError("read_only", str(path))


def _inspect_revision(db: Database) -> tuple[str | None, set[str]]:
    """Read the schema revision and table names without writing anything."""
    if db.path is not None and db.passphrase is not None:
        return _inspect_encrypted(db.path, db.passphrase)
    if db.path is not None:
        uri = f"file:{db.path}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True)
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                revision = None
                if "alembic_version" in tables:
                    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                    revision = row[0] if row else None
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("damaged", str(db.path), str(exc)) from exc
        return revision, tables
    with db.engine.connect() as conn:
        from alembic.runtime.migration import MigrationContext

        revision = MigrationContext.configure(conn).get_current_revision()
        from sqlalchemy import inspect

        return revision, set(inspect(conn).get_table_names())


def _inspect_encrypted(path: Path, passphrase: str) -> tuple[str | None, set[str]]:
    if path.stat().st_size == 0:
        return None, set()  # new: nothing to read (a read-only connection cannot key it)
    module = dialect.require_sqlcipher(str(path))
    try:
        conn = dialect.connect_encrypted(str(path), passphrase, read_only=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except module.DatabaseError as exc:
        if dialect.is_wrong_key(exc):
            raise DatabaseError("wrong_passphrase", str(path)) from exc
        raise DatabaseError("damaged", str(path), str(exc)) from exc
    return revision, tables


def _upgrade(db: Database) -> None:
    revision, tables = _inspect_revision(db)
    if revision is not None and revision == _declared_head():
        return  # nothing to migrate: Alembic (~0.1 s to import) is not needed at all
    from alembic import command
    from alembic.script import ScriptDirectory

    where = str(db.path or db.url.render_as_string(hide_password=True))
    script = ScriptDirectory.from_config(alembic_config())
    if revision is None:
        user_tables = {t for t in tables if not t.startswith("sqlite_")}
        if user_tables:
            raise DatabaseError("not_bruecke", where)
    else:
        known = {rev.revision for rev in script.walk_revisions()}
        if revision not in known:
            raise DatabaseError("too_new", where, revision)
        if revision == script.get_current_head():
            return
        db.backup_path = _backup_before_migration(db.path, db.passphrase)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        dialect.lock_for_migration(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _backup_before_migration(path: Path | None, passphrase: str | None = None) -> Path | None:
    if path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.before-upgrade-{stamp}{path.suffix}")
    if passphrase is not None:
        # The copy stays encrypted with the same passphrase.
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        dialect.export_database(str(path), str(target), source_key=passphrase,
                                target_key=passphrase)
        return target
    # Fold a pending WAL into the copy through SQLite's backup API, not a raw copy.
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError:
        shutil.copy2(path, target)
    finally:
        src.close()
    return target
