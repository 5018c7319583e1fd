"""Copy a whole Brücke database to another engine: a local file into an empty PostgreSQL
database on the office server, or a server database back into a new local file.

Everything is copied as it is (ids, uids, created/updated timestamps, versions, the history
with its participants, the audit trail, consents, the search index's state), table by table
in foreign-key order with SQLAlchemy Core, in one transaction on the target. Then the
target's id sequences continue after the copied ids, its search index is rebuilt, and both
sides are compared: rows per table and a checksum per table over the rows in primary-key
order, with every value written the same way on both engines (UTC timestamps, booleans,
enum values), so a SQLite file and its PostgreSQL copy give the same checksums.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, inspect, select, table
from sqlalchemy.engine import URL

import crm.domain  # noqa: F401 - registers every table on Base.metadata
from crm.domain.base import Base
from crm.errors import DatabaseError
from crm.persistence import dialect
from crm.persistence.database import Database, open_database, resolve_url
from crm.search.index import rebuild, search_meta

BATCH = 2000
# Tables that belong to the schema's machinery or to the search index (rebuilt on the target).
_NOT_DATA = ("alembic_version", "sqlite_", "search_")


@dataclass(frozen=True)
class TableCheck:
    """One table after the copy: rows and checksum on both sides."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows == self.target_rows
                and self.source_checksum == self.target_checksum)


@dataclass(frozen=True)
class CopyReport:
    source: str  # shown with the password hidden
    target: str
    tables: list[TableCheck] = field(default_factory=list)
    search_documents: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(check.target_rows for check in self.tables)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.tables)

    @property
    def differing(self) -> list[str]:
        return [check.table for check in self.tables if not check.ok]


def shown(url: URL) -> str:
    """A database for messages and logs: the path of a file, a URL without its password."""
    if url.get_backend_name() == "sqlite" and url.database:
        return str(url.database)
    return url.render_as_string(hide_password=True)


def data_tables() -> list[Table]:
    """Every table of the data model, parents before the tables that refer to them."""
    return list(Base.metadata.sorted_tables)


def copy_database(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
                  passphrase: str | None = None,
                  progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy the database at ``source`` into the empty database at ``target`` and verify it.

    ``target`` is a PostgreSQL URL of an existing, empty database, or the path of a new
    SQLite file. ``passphrase`` opens an encrypted source file. Raises DatabaseError
    (``missing``, ``same_file``, ``target_not_empty`` …) before anything is written;
    differences found by the verification are in the report (``ok`` is False).
    """
    started = time.perf_counter()
    source_url, target_url = resolve_url(source), resolve_url(target)
    if _same(source_url, target_url):
        raise DatabaseError("same_file", shown(target_url))
    source_file = _sqlite_path(source_url)
    if source_file is not None and not source_file.is_file():
        raise DatabaseError("missing", str(source_file))
    src = open_database(source_url.render_as_string(hide_password=False),
                        passphrase=passphrase if source_file is not None else None)
    try:
        _refuse_non_empty(target_url)
        dst = open_database(target_url.render_as_string(hide_password=False))
        try:
            _refuse_rows(dst, target_url)  # migrated just now: still nothing in it?
            documents = _copy(src, dst, progress)
            checks = verify(src, dst)
        finally:
            dst.dispose()
    finally:
        src.dispose()
    return CopyReport(shown(source_url), shown(target_url), checks, documents,
                      time.perf_counter() - started)


def _same(a: URL, b: URL) -> bool:
    return a.render_as_string(hide_password=False) == b.render_as_string(hide_password=False)


def _sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database))
    return None


def _refuse_non_empty(url: URL) -> None:
    """Look at the target before it is migrated: any row in any table is refused."""
    path = _sqlite_path(url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return  # a new file
    if path is not None and path.is_dir():
        raise DatabaseError("not_a_file", str(path))
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for name in sorted(inspect(conn).get_table_names()):
                if name.startswith(_NOT_DATA):
                    continue
                if conn.execute(select(func.count()).select_from(table(name))).scalar():
                    raise DatabaseError("target_not_empty", shown(url), name)
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - unreachable, no such database, no such file
        raise DatabaseError("unreachable", shown(url), _first_line(exc)) from exc
    finally:
        engine.dispose()


def _refuse_rows(db: Database, url: URL) -> None:
    with db.engine.connect() as conn:
        for tbl in data_tables():
            if conn.execute(select(func.count()).select_from(tbl)).scalar():
                raise DatabaseError("target_not_empty", shown(url), tbl.name)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _copy(src: Database, dst: Database, progress: Callable[[str, int], None] | None) -> int:
    """Every table in one transaction on the target; returns the search documents built."""
    tables = [*data_tables(), search_meta]
    # The reader's one transaction (autobegin) reads one snapshot for the whole copy.
    with src.engine.connect() as reader, dst.engine.begin() as writer:
        writer.execute(search_meta.delete())  # the migration's own state rows
        for tbl in tables:
            count = _copy_table(reader, writer, tbl)
            if progress is not None:
                progress(tbl.name, count)
        dialect.reset_sequences(writer, [t.name for t in tables if "id" in t.c])
    with dst.sessions.begin() as session:
        session.info["audit_disabled"] = True
        return rebuild(session)


def _copy_table(reader: Connection, writer: Connection, tbl: Table) -> int:
    """Rows in primary-key order, in batches; a reference to the same table (a parent
    organisation or municipality) is set afterwards, when every row exists."""
    own = [fk.parent.name for fk in tbl.foreign_keys if fk.column.table is tbl]
    # An UPDATE would stamp a new updated_at (onupdate): those columns keep their value.
    kept = [c.name for c in tbl.columns if c.onupdate is not None and c.name not in own]
    later: list[dict[str, Any]] = []
    count = 0
    result = reader.execution_options(stream_results=True).execute(
        select(tbl).order_by(*tbl.primary_key.columns))
    for batch in result.partitions(BATCH):
        rows = [dict(row._mapping) for row in batch]
        for row in rows:
            if any(row[column] is not None for column in own):
                later.append({"_id": row["id"], **{f"_{c}": row[c] for c in (*own, *kept)}})
                for column in own:
                    row[column] = None
        writer.execute(tbl.insert(), rows)
        count += len(rows)
    if later:
        writer.execute(tbl.update().where(tbl.c.id == bindparam("_id")).values(
            {c: bindparam(f"_{c}") for c in (*own, *kept)}), later)
    return count


# -- verification ------------------------------------------------------------------------

def verify(src: Database, dst: Database) -> list[TableCheck]:
    """Rows and checksum of every data table on both sides."""
    checks = []
    with src.engine.connect() as left, dst.engine.connect() as right:
        for tbl in data_tables():
            rows_a, sum_a = table_checksum(left, tbl)
            rows_b, sum_b = table_checksum(right, tbl)
            checks.append(TableCheck(tbl.name, rows_a, rows_b, sum_a, sum_b))
    return checks


def table_checksum(connection: Connection, tbl: Table) -> tuple[int, str]:
    """(rows, sha256) over the table's rows in primary-key order, engine-neutral values."""
    digest = hashlib.sha256()
    numeric_key = all(c.type.python_type is int for c in tbl.primary_key.columns)
    rows = 0
    lines: list[bytes] = []
    result = connection.execution_options(stream_results=True).execute(
        select(tbl).order_by(*tbl.primary_key.columns))
    for batch in result.partitions(BATCH):
        for row in batch:
            line = _row_bytes(row)
            if numeric_key:
                digest.update(line)
            else:
                lines.append(line)  # text keys sort differently per engine and collation
            rows += 1
    for line in sorted(lines):
        digest.update(line)
    return rows, digest.hexdigest()


def _row_bytes(values: Iterable[Any]) -> bytes:
    return ("\x1f".join(normalised(v) for v in values) + "\x1e").encode("utf-8")


def normalised(value: Any) -> str:
    """One value as text, the same on SQLite and PostgreSQL."""
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)
