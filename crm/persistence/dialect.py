"""Everything specific to one database engine lives here (today: SQLite).

A PostgreSQL implementation adds its branch to each function below; the rest of Brücke
only talks to SQLAlchemy Core/ORM.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL

from crm.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def install_connection_pragmas(engine: Engine) -> None:
    """Foreign keys on, WAL journal, and a busy timeout for every new connection."""
    if not is_sqlite(engine):
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy own transactions (pysqlite's legacy behaviour fights BEGIN).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()
        if mode and mode[0] not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint every 16 MB of WAL, not every 4 MB: logging one interaction writes ~45
        # pages (indexes, audit, search index), so the default made every ~20th save pay a
        # 17 ms checkpoint; fewer, larger checkpoints also copy each hot index page once.
        cursor.execute("PRAGMA wal_autocheckpoint=4000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def looks_like_sqlite(header: bytes) -> bool:
    return header.startswith(SQLITE_HEADER)


# -- encryption at rest (SQLCipher through the optional sqlcipher3 package) -------------
#
# An encrypted file has no plain header: every page, the first one included, is encrypted
# with a key derived from the passphrase. ``PRAGMA key`` must be the first statement on
# every connection; a wrong key shows up as "file is not a database" on the first read.

def sqlcipher_module() -> Any | None:
    """The sqlcipher3 module, or None when it is not installed (imported only when used)."""
    try:
        import sqlcipher3  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return sqlcipher3


def encryption_available() -> bool:
    return sqlcipher_module() is not None


def require_sqlcipher(where: str) -> Any:
    module = sqlcipher_module()
    if module is None:
        raise DatabaseError("encryption_unavailable", where)
    return module


def sql_string(text: str) -> str:
    """A single-quoted SQL string literal (for PRAGMA key and ATTACH … KEY)."""
    return "'" + text.replace("'", "''") + "'"


def encrypted_url(path: str, passphrase: str) -> URL:
    """The URL of SQLAlchemy's SQLCipher dialect: it runs ``PRAGMA key`` on every new
    connection before any other listener (and so before the pragmas above)."""
    return URL.create("sqlite+pysqlcipher", password=passphrase, database=path)


def connect_encrypted(path: str, passphrase: str, *, read_only: bool = False) -> Any:
    """A raw sqlcipher3 connection with the key applied (read-only: nothing is written)."""
    module = require_sqlcipher(path)
    conn = (module.connect(f"file:{path}?mode=ro", uri=True) if read_only
            else module.connect(path))
    _quiet(conn)
    conn.execute("PRAGMA key = " + sql_string(passphrase))
    return conn


def _quiet(conn: Any) -> None:
    """No SQLCipher log lines on stderr: a wrong key is reported as a DatabaseError."""
    with suppress(Exception):
        conn.execute("PRAGMA cipher_log_level = NONE").fetchall()


def is_wrong_key(exc: BaseException) -> bool:
    return "not a database" in str(exc).lower()


def export_database(source: str, target: str, *, source_key: str | None,
                    target_key: str | None) -> None:
    """Copy ``source`` into the new, empty file ``target`` with ``sqlcipher_export``:
    encrypting (``target_key``), decrypting (``source_key``) or re-keying."""
    module = require_sqlcipher(source)
    conn = module.connect(source)  # not read-only: ATTACH would inherit that flag
    try:
        _quiet(conn)
        if source_key is not None:
            conn.execute("PRAGMA key = " + sql_string(source_key))
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except module.DatabaseError as exc:
            if source_key is not None and is_wrong_key(exc):
                raise DatabaseError("wrong_passphrase", source) from exc
            raise DatabaseError("damaged", source, str(exc)) from exc
        conn.execute("ATTACH DATABASE " + sql_string(target) + " AS export KEY "
                     + sql_string(target_key or ""))
        conn.execute("SELECT sqlcipher_export('export')").fetchone()
        conn.execute("DETACH DATABASE export")
    finally:
        conn.close()


# -- full-text search index (SQLite FTS5) -----------------------------------------------
#
# ``search_fts`` holds one row per searchable record; ``search_names`` repeats only the name
# column of persons, organisations and municipalities, so that name lookups walk doclists of
# names alone (in ``search_fts`` a common name also occurs in a million interactions). The
# rowid packs the record type into the high bits (``type code << 40 | id``): a record's rows
# are found, replaced and deleted by rowid alone, and each type is one rowid range, which
# FTS5 seeks to directly when a search is restricted to some types.
#
# Every column holds text that :mod:`crm.search.documents` already folded to lower-case ASCII
# words, so the tokenizer only splits on spaces. ``detail=column`` keeps the index small (no
# phrase or NEAR queries are ever built); ``columnsize=0`` drops the per-row sizes that only
# bm25 needs (ranking happens in :mod:`crm.services.search`: bm25 has to visit every match of
# a common prefix). The prefix indexes make one to three letter prefixes (what a user has
# typed so far) a single doclist; longer prefixes are expanded to their words through
# ``search_terms``.

SEARCH_COLUMNS = ("name", "current", "former", "contact", "other", "suffix", "flags")
SEARCH_TABLE = "search_fts"
NAMES_TABLE = "search_names"
_TABLES = (SEARCH_TABLE, NAMES_TABLE)
_OPTIONS = ("tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', "
            "detail = column, columnsize = 0")

SEARCH_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    f"name, current, former, contact, other, suffix, flags, {_OPTIONS})",
    f"CREATE VIRTUAL TABLE search_names USING fts5(name, flags, {_OPTIONS})",
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
)
SEARCH_DROP = (
    "DROP TABLE IF EXISTS search_vocab",
    "DROP TABLE IF EXISTS search_names",
    "DROP TABLE IF EXISTS search_fts",
)

_TERM = re.compile(r"[0-9a-z]+")


def supports_search_index(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def search_index_exists(connection: Connection) -> bool:
    row = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SEARCH_TABLE,)
    ).first()
    return row is not None


def recreate_search_index(connection: Connection) -> None:
    """Drop and create the index tables: the fastest way to empty them before a rebuild."""
    for statement in (*SEARCH_DROP, *SEARCH_DDL):
        connection.exec_driver_sql(statement)


@contextmanager
def bulk_index_load(connection: Connection) -> Iterator[None]:
    """Settings for writing a whole index at once: a large page cache, and no incremental
    segment merging (one ``optimize`` at the end merges everything)."""
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MiB
    for table in _TABLES:
        connection.exec_driver_sql(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
    try:
        yield
        for table in _TABLES:
            connection.exec_driver_sql(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    finally:
        with suppress(Exception):  # never hide the error that got us here
            for table in _TABLES:
                connection.exec_driver_sql(
                    f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 4)")
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache or -2000)}")


def fts_phrase(term: str, prefix: bool) -> str:
    """One quoted FTS5 phrase. Terms are folded words; anything else is refused."""
    if not _TERM.fullmatch(term):
        raise ValueError(f"not a folded search term: {term!r}")
    return f'"{term}"*' if prefix else f'"{term}"'


def fts_match_expression(groups: Sequence[Sequence[tuple[Sequence[str], str, bool]]],
                         exclude_flag: str | None = None) -> str:
    """The MATCH text for: every group matches; a group matches if one alternative does.

    An alternative is ``(columns, term, prefix)``. Column names come from
    :data:`SEARCH_COLUMNS` only, terms from :func:`fts_phrase`; the result is bound as a
    parameter, never spliced into SQL.
    """
    parts = []
    for group in groups:
        alternatives = []
        for columns, term, prefix in group:
            unknown = set(columns) - set(SEARCH_COLUMNS)
            if unknown or not columns:
                raise ValueError(f"unknown search columns: {sorted(unknown)}")
            alternatives.append("{" + " ".join(columns) + "}: " + fts_phrase(term, prefix))
        parts.append("(" + " OR ".join(alternatives) + ")")
    expression = " AND ".join(parts)
    if exclude_flag is not None:
        expression = f"({expression}) NOT {{flags}}: {fts_phrase(exclude_flag, False)}"
    return expression


def fts_candidates_sql(names_only: bool, rowid_range: bool) -> str:
    """Matching rows (rowid and the ranked columns) in index order, at most ``:limit``;
    with ``rowid_range``, only rowids from ``:low`` to ``:high`` (one record type).

    No ``ORDER BY rank``: bm25 would have to visit every match of a short prefix.
    """
    table = NAMES_TABLE if names_only else SEARCH_TABLE
    where = f"{table} MATCH :expression"
    if rowid_range:
        where += " AND rowid BETWEEN :low AND :high"
    columns = ("name, '', '', '', '', ''" if names_only
               else "name, current, former, contact, other, suffix")
    return f"SELECT rowid, {columns} FROM {table} WHERE {where} LIMIT :limit"


FTS_INSERT_SQL = (
    "INSERT INTO search_fts (rowid, name, current, former, contact, other, suffix, flags) "
    "VALUES (:rowid, :name, :current, :former, :contact, :other, :suffix, :flags)"
)
NAMES_INSERT_SQL = "INSERT INTO search_names (rowid, name, flags) VALUES (:rowid, :name, :flags)"
FTS_DELETE_SQL = "DELETE FROM search_fts WHERE rowid = :rowid"
NAMES_DELETE_SQL = "DELETE FROM search_names WHERE rowid = :rowid"
FTS_ROWIDS_SQL = "SELECT rowid FROM search_fts"
NAMES_ROWIDS_SQL = "SELECT rowid FROM search_names"
FTS_RANGE_SQL = (
    "SELECT rowid, name, current, former, contact, other, suffix, flags "
    "FROM search_fts WHERE rowid BETWEEN :low AND :high"
)
NAMES_RANGE_SQL = (
    "SELECT rowid, name, flags FROM search_names WHERE rowid BETWEEN :low AND :high"
)
FTS_INTEGRITY_SQL = tuple(
    f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)" for table in _TABLES
)
VOCAB_TERMS_SQL = "SELECT term FROM search_vocab"

# Every word the index holds, in a plain B-tree: a prefix becomes its list of words with one
# range lookup (FTS5 itself would merge the doclists of all of them before returning the first
# row, and fts5vocab counts every document of every word it lists). Words of deleted
# documents stay until the next rebuild; they only ever match nothing.
TERMS_INSERT_SQL = "INSERT OR IGNORE INTO search_terms (term) VALUES (:term)"
TERMS_RANGE_SQL = (
    "SELECT term FROM search_terms WHERE term >= :low AND term < :high ORDER BY term "
    "LIMIT :limit"
)
TERMS_CLEAR_SQL = "DELETE FROM search_terms"
