"""Everything specific to one database engine lives here (today: SQLite).

A PostgreSQL implementation adds its branch to each function below; the rest of Brücke
only talks to SQLAlchemy Core/ORM.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, Insert, Table, event, insert
from sqlalchemy.engine import URL

from crm.domain.base import new_uids
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
        # 8 MB of page cache, not 2: a list's first page reads persons, roles, contact points
        # and last contacts from ~1,000 pages, and with 2 MB the next page (or the count's
        # index) had pushed them out again (opening the persons list 9.8 → 7.6 ms on
        # 100,000 persons). Pages are only held once read.
        cursor.execute("PRAGMA cache_size=-8192")
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
    return connection.dialect.name in ("sqlite", POSTGRESQL)


def search_index_exists(connection: Connection) -> bool:
    if is_postgresql(connection):
        return bool(connection.exec_driver_sql(
            "SELECT to_regclass('search_fts') IS NOT NULL").scalar())
    row = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SEARCH_TABLE,)
    ).first()
    return row is not None


def recreate_search_index(connection: Connection) -> None:
    """Drop and create the index tables: the fastest way to empty them before a rebuild."""
    if is_postgresql(connection):
        for statement in (*PG_SEARCH_DROP, *PG_SEARCH_DDL):
            connection.exec_driver_sql(statement)
        return
    for statement in (*SEARCH_DROP, *SEARCH_DDL):
        connection.exec_driver_sql(statement)


def empty_search_index(connection: Connection) -> None:
    """Empty the index tables before a rebuild. SQLite: drop and create them (the fastest
    way, and it leaves no old text in FTS5's shadow tables). PostgreSQL: ``DELETE``, which
    a staff login may do; dropping a table needs its owner (docs/office.md)."""
    if is_postgresql(connection) and search_index_exists(connection):
        for table in (NAMES_TABLE, SEARCH_TABLE):
            connection.exec_driver_sql(f"DELETE FROM {table}")
        return
    recreate_search_index(connection)


@contextmanager
def large_cache(connection: Connection) -> Iterator[None]:
    """A large page cache while one transaction writes many rows: the random-uid indexes
    of 50,000 new records no longer fit SQLite's default 2 MB and were read again and
    again from the file."""
    if is_postgresql(connection):
        yield
        return
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size = -65536")  # 64 MiB, at most
    try:
        yield
    finally:
        with suppress(Exception):  # never hide the error that got us here
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache or -2000)}")


@contextmanager
def bulk_index_load(connection: Connection) -> Iterator[None]:
    """Settings for writing a whole index at once: a large page cache, and no incremental
    segment merging (one ``optimize`` at the end merges everything)."""
    if is_postgresql(connection):
        yield  # GIN indexes batch their own updates (fastupdate)
        return
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


def _check_term(term: str) -> str:
    if not _TERM.fullmatch(term):
        raise ValueError(f"not a folded search term: {term!r}")
    return term


def fts_phrase(term: str, prefix: bool) -> str:
    """One quoted FTS5 phrase. Terms are folded words; anything else is refused."""
    if not _TERM.fullmatch(term):
        raise ValueError(f"not a folded search term: {term!r}")
    return f'"{term}"*' if prefix else f'"{term}"'


def fts_match_expression(groups: Sequence[Sequence[tuple[Sequence[str], str, bool]]],
                         exclude_flag: str | None = None, *, engine: str = "sqlite") -> str:
    """The MATCH text for: every group matches; a group matches if one alternative does.

    An alternative is ``(columns, term, prefix)``. Column names come from
    :data:`SEARCH_COLUMNS` only, terms from :func:`fts_phrase`; the result is bound as a
    parameter, never spliced into SQL. On PostgreSQL it is a ``tsquery`` over the
    column-tagged words (see :data:`PG_SEARCH_DDL`).
    """
    if engine == POSTGRESQL:
        return _tsquery(groups, exclude_flag)
    parts = []
    for group in groups:
        alternatives = []
        for columns, term, prefix in group:
            alternatives.append("{" + " ".join(_checked(columns)) + "}: "
                                + fts_phrase(term, prefix))
        parts.append("(" + " OR ".join(alternatives) + ")")
    expression = " AND ".join(parts)
    if exclude_flag is not None:
        expression = f"({expression}) NOT {{flags}}: {fts_phrase(exclude_flag, False)}"
    return expression


def _checked(columns: Sequence[str]) -> Sequence[str]:
    unknown = set(columns) - set(SEARCH_COLUMNS)
    if unknown or not columns:
        raise ValueError(f"unknown search columns: {sorted(unknown)}")
    return columns


def _tsquery(groups: Sequence[Sequence[tuple[Sequence[str], str, bool]]],
             exclude_flag: str | None) -> str:
    parts = []
    for group in groups:
        alternatives = []
        for columns, term, prefix in group:
            word = _check_term(term)
            alternatives += [f"{COLUMN_TAGS[c]}{word}{':*' if prefix else ''}"
                             for c in _checked(columns)]
        parts.append("(" + " | ".join(alternatives) + ")")
    expression = " & ".join(parts)
    if exclude_flag is not None:
        expression = f"({expression}) & !{COLUMN_TAGS['flags']}{_check_term(exclude_flag)}"
    return expression


def fts_candidates_sql(names_only: bool, rowid_range: bool, *,
                       engine: str = "sqlite") -> str:
    """Matching rows (rowid and the ranked columns) in index order, at most ``:limit``;
    with ``rowid_range``, only rowids from ``:low`` to ``:high`` (one record type).

    No ``ORDER BY rank``: bm25 would have to visit every match of a short prefix.
    """
    table = NAMES_TABLE if names_only else SEARCH_TABLE
    where = f"{table} MATCH :expression"
    if engine == POSTGRESQL:
        where = "doc @@ CAST(:expression AS tsquery)"
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


# -- the same index on PostgreSQL ----------------------------------------------------------
#
# Plain tables with a generated ``tsvector`` of *column-tagged* words: "olena" in the name
# column is the lexeme ``nolena``, in the contact column ``kolena``. A column filter of FTS5
# (``{name current}: "olen"*``) becomes the tsquery ``nolen:* | colen:*``, answered by one
# GIN index. The text is folded by :mod:`crm.search.documents` in Python on both engines, so
# both find and rank exactly the same records; no server extension (unaccent) and so no
# superuser is needed. Typos are found through ``search_terms`` by the same Python code
# (:mod:`crm.search.vocabulary`) as on SQLite, with ``pg_trgm`` where the server has it
# (see "typos through pg_trgm" below).

POSTGRESQL = "postgresql"
COLUMN_TAGS = {"name": "n", "current": "c", "former": "f", "contact": "k", "other": "o",
               "suffix": "s", "flags": "g"}


def is_postgresql(connection: Connection | Engine) -> bool:
    return connection.dialect.name == POSTGRESQL


def _tagged(columns: Sequence[str]) -> str:
    return " || ".join(f"search_words('{COLUMN_TAGS[c]}', {c})" for c in columns)


PG_SEARCH_DDL = (
    "CREATE OR REPLACE FUNCTION search_words(tag text, body text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_remove(regexp_split_to_array("
    "regexp_replace(coalesce(body, ''), '([0-9a-z]+)', tag || '\\1', 'g'), '[^0-9a-z]+'), '') $$",
    "CREATE TABLE search_fts (rowid bigint PRIMARY KEY, name text, current text, former text, "
    "contact text, other text, suffix text, flags text, doc tsvector GENERATED ALWAYS AS "
    f"(array_to_tsvector({_tagged(SEARCH_COLUMNS)})) STORED)",
    "CREATE INDEX ix_search_fts_doc ON search_fts USING gin (doc)",
    "CREATE TABLE search_names (rowid bigint PRIMARY KEY, name text, flags text, "
    f"doc tsvector GENERATED ALWAYS AS (array_to_tsvector({_tagged(('name', 'flags'))})) "
    "STORED)",
    "CREATE INDEX ix_search_names_doc ON search_names USING gin (doc)",
)
PG_SEARCH_DROP = ("DROP TABLE IF EXISTS search_names", "DROP TABLE IF EXISTS search_fts")


@dataclass(frozen=True)
class SearchSQL:
    """The index statements of one engine, for ``exec_driver_sql`` (driver parameter style)."""

    fts_insert: str
    names_insert: str
    fts_delete: str
    names_delete: str
    fts_rowids: str
    names_rowids: str
    fts_range: str
    names_range: str
    integrity: tuple[str, ...]
    vocab_terms: str
    terms_insert: str
    terms_range: str
    terms_clear: str
    no_limit: int | None  # the ``limit`` parameter of terms_range meaning "all"


SQLITE_SEARCH_SQL = SearchSQL(
    FTS_INSERT_SQL, NAMES_INSERT_SQL, FTS_DELETE_SQL, NAMES_DELETE_SQL, FTS_ROWIDS_SQL,
    NAMES_ROWIDS_SQL, FTS_RANGE_SQL, NAMES_RANGE_SQL, FTS_INTEGRITY_SQL, VOCAB_TERMS_SQL,
    TERMS_INSERT_SQL, TERMS_RANGE_SQL, TERMS_CLEAR_SQL, -1,
)


def _pyformat(statement: str) -> str:
    """``:name`` parameters as psycopg's ``%(name)s``."""
    return re.sub(r"(?<![:\w]):([a-z_]+)", r"%(\1)s", statement)


POSTGRES_SEARCH_SQL = SearchSQL(
    _pyformat(FTS_INSERT_SQL), _pyformat(NAMES_INSERT_SQL), _pyformat(FTS_DELETE_SQL),
    _pyformat(NAMES_DELETE_SQL), FTS_ROWIDS_SQL, NAMES_ROWIDS_SQL, _pyformat(FTS_RANGE_SQL),
    _pyformat(NAMES_RANGE_SQL), (),
    "SELECT DISTINCT substr(word, 2) FROM search_fts, unnest(tsvector_to_array(doc)) AS word",
    "INSERT INTO search_terms (term) VALUES (%(term)s) ON CONFLICT DO NOTHING",
    _pyformat(TERMS_RANGE_SQL),  # search_terms.term is COLLATE "C" there (migration 0006)
    TERMS_CLEAR_SQL, None,
)


def search_sql(connection: Connection) -> SearchSQL:
    return POSTGRES_SEARCH_SQL if is_postgresql(connection) else SQLITE_SEARCH_SQL


# -- typos through pg_trgm (PostgreSQL, migration 0008) ---------------------------------------
#
# Where the server has ``pg_trgm`` and the GIN trigram index on ``search_terms.term``, the
# typo lookup (:mod:`crm.search.vocabulary`) asks the server for the words similar to the
# typed one instead of reading every word of its first two letters. ``word <% term`` is
# answered by the index; the threshold is set for the current transaction only. Which words
# finally count as one typo away is decided in Python on both engines, so the results are the
# same; the server only narrows the words down. Without the index (the extension could not be
# created) the letter lists are read as on SQLite.

TRIGRAM_INDEX = "ix_search_terms_trgm"
TRIGRAM_THRESHOLD = "0.3"
PG_TRIGRAM_THRESHOLD_SQL = (
    "SELECT set_config('pg_trgm.word_similarity_threshold', %(threshold)s, true)"
)
PG_TRIGRAM_CANDIDATES_SQL = (
    "SELECT term FROM search_terms WHERE %(word)s <%% term AND (term >= %(low1)s AND "
    "term < %(high1)s OR term >= %(low2)s AND term < %(high2)s) "
    "ORDER BY word_similarity(%(word)s, term) DESC, term LIMIT %(limit)s"
)
# The first ``limit`` words of each start, one index range lookup each, in one round trip.
PG_TERMS_STARTING_SQL = (
    "SELECT s.start, w.term FROM unnest(%(starts)s::text[]) AS s(start) CROSS JOIN LATERAL "
    "(SELECT term FROM search_terms WHERE term >= s.start AND term < s.start || %(high)s "
    "ORDER BY term LIMIT %(limit)s) AS w ORDER BY s.start, w.term"
)
_trigram_engines: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()


def has_trigram_index(connection: Connection) -> bool:
    """Whether typos can be looked up through pg_trgm (checked once per engine)."""
    if not is_postgresql(connection):
        return False
    engine = connection.engine
    found = _trigram_engines.get(engine)
    if found is None:
        found = bool(connection.exec_driver_sql(
            f"SELECT to_regclass('{TRIGRAM_INDEX}') IS NOT NULL").scalar())
        _trigram_engines[engine] = found
    return found


def trigram_candidates(connection: Connection, word: str,
                       ranges: Sequence[tuple[str, str]], limit: int) -> list[str]:
    """Words of ``search_terms`` in one of two ``[low, high)`` ranges (the typed word's
    first and second letter) whose trigrams resemble a part of ``word``, most similar first."""
    (low1, high1), (low2, high2) = (ranges[0], ranges[-1])
    connection.exec_driver_sql(PG_TRIGRAM_THRESHOLD_SQL, {"threshold": TRIGRAM_THRESHOLD})
    rows = connection.exec_driver_sql(PG_TRIGRAM_CANDIDATES_SQL, {
        "word": word, "low1": low1, "high1": high1, "low2": low2, "high2": high2,
        "limit": limit})
    return [term for (term,) in rows]


def terms_starting(connection: Connection, starts: Sequence[str], high: str, limit: int
                   ) -> dict[str, list[str]]:
    """Up to ``limit`` words of ``search_terms`` starting with each of ``starts`` (starts
    without any word are left out)."""
    found: dict[str, list[str]] = {}
    if not starts:
        return found
    rows = connection.exec_driver_sql(PG_TERMS_STARTING_SQL, {
        "starts": list(starts), "high": high, "limit": limit})
    for start, term in rows:
        found.setdefault(start, []).append(term)
    return found


# -- writing many rows at once (imports, the search index) ------------------------------------
#
# SQLite runs an ``executemany`` in-process, row after row, taking Python's lock back for
# every row; an ``INSERT`` of thousands of rows at once runs without it, so the import
# builds its next rows meanwhile (crm/persistence/bulk.py). PostgreSQL answers each
# row of an ``executemany`` with an executor start of its own (psycopg pipelines them, but
# the server still plans, starts and ends every row): 50,000 imported persons with their
# contact points, roles, audit entries and index rows took minutes. ``COPY … FROM STDIN``
# streams the rows into one statement, and the word list takes its words as one array.

COPY_FROM_ROWS = 5  # fewer rows (one saved record's index rows) are as quick one by one
MANY_ROWS = 50  # from here SQLite takes thousands of rows per statement (below: executemany)
PG_TERMS_INSERT_MANY_SQL = (
    "INSERT INTO search_terms (term) SELECT unnest(%(terms)s::text[]) ON CONFLICT DO NOTHING"
)


def insert_rows(connection: Connection, statement: str, rows: Sequence[Any], *, table: str,
                columns: Sequence[str]) -> None:
    """Insert ``rows`` into ``table``: ``statement`` is the driver ``INSERT`` of ``columns``
    and the rows are its parameters (dicts keyed by the column names, or tuples in their
    order for a positional one), values already as the driver takes them (text, numbers,
    ``None``). PostgreSQL gets one ``COPY``; SQLite ``INSERT``s of thousands of rows each
    (a few rows: the ``executemany``)."""
    prepared_rows_insert(connection, statement, rows, table=table, columns=columns)()


def prepared_rows_insert(connection: Connection, statement: str | None, rows: Sequence[Any],
                         *, table: str, columns: Sequence[str],
                         constants: dict[str, Any] | None = None) -> Callable[[], None]:
    """:func:`insert_rows` in two steps: the Python work now (the parameters), the database
    work when the returned function is called (on a writer thread, see ``InsertQueue``).
    ``constants`` are columns with one value for every row (driver values too), given once
    beside the rows; with them, the rows are tuples and ``statement`` is not needed."""
    if not rows:
        return lambda: None
    if constants and not is_postgresql(connection) and len(rows) >= MANY_ROWS:
        return _run_all(connection, _values_rows_insert(rows, table, columns, constants))
    if constants:  # (few rows, or PostgreSQL: each row whole)
        extra = tuple(constants.values())
        rows = [(*row, *extra) for row in rows]
        columns = (*columns, *constants)
        statement = None
    if is_postgresql(connection):
        if len(rows) >= COPY_FROM_ROWS:
            return lambda: _copy_rows(connection, rows, table, columns)
    elif len(rows) >= MANY_ROWS:
        return _run_all(connection, _values_rows_insert(rows, table, columns, {}))
    if statement is None:
        mark = "%s" if is_postgresql(connection) else "?"
        statement = (f"INSERT INTO {_identifier(table)} "
                     f"({', '.join(_identifier(c) for c in columns)}) "
                     f"VALUES ({', '.join(mark for _ in columns)})")
    many = list(rows)
    return lambda: connection.exec_driver_sql(statement, many) and None


def _run_all(connection: Connection, statements: list[tuple[str, list[Any]]]
             ) -> Callable[[], None]:
    def run() -> None:
        for sql, params in statements:
            connection.exec_driver_sql(sql, tuple(params))
    return run


def _values_rows_insert(rows: Sequence[Any], table: str, columns: Sequence[str],
                        constants: dict[str, Any], verb: str = "INSERT"
                        ) -> list[tuple[str, list[Any]]]:
    """Few statements for many rows: ``INSERT … SELECT … FROM (VALUES (…), (…), …)`` of
    thousands of rows each. SQLite inserts them in one step with Python's lock released
    (an ``executemany`` takes it back for every row), so a second thread builds the next
    rows meanwhile. Columns with one value for all rows are bound once."""
    width = len(columns)
    per_statement = max(1, _MAX_VARIABLES // max(width, 1) - len(constants))
    values = [[row[c] for c in columns] if isinstance(row, dict) else row for row in rows]
    statements = []
    for start in range(0, len(values), per_statement):
        part = values[start:start + per_statement]
        statements.append((
            _values_sql(verb, table, tuple(columns), tuple(constants), len(part)),
            [*constants.values(), *chain.from_iterable(part)]))
    return statements


_MAX_VARIABLES = 32766  # SQLite's default limit of parameters per statement


@lru_cache(maxsize=64)
def _values_sql(verb: str, table: str, columns: tuple[str, ...], constants: tuple[str, ...],
                rows: int) -> str:
    names = ", ".join(f'"{_identifier(c)}"' for c in (*columns, *constants))
    picks = ", ".join([f"column{i + 1}" for i in range(len(columns))] + ["?"] * len(constants))
    row = "(" + ", ".join("?" * len(columns)) + ")"
    # (the constants' "?" come first in the text, so their values lead the parameters)
    return (f"{verb} INTO {_identifier(table)} ({names}) SELECT {picks} "
            f"FROM (VALUES {', '.join([row] * rows)})")


def _copy_rows(connection: Connection, rows: Sequence[Any], table: str,
               columns: Sequence[str]) -> None:
    names = ", ".join('"' + _identifier(c) + '"' for c in columns)
    raw = connection.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(  # type: ignore[attr-defined]
            f"COPY {_identifier(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns] if isinstance(row, dict) else row)


_TRAIL_NAMES = {"person": "full_name", "organisation": "name"}


def prepared_import_trail(connection: Connection, *, table: str, ids: Sequence[int],
                          batch_id: int, batch_uid: str, staff_id: int | None,
                          at: Any) -> Callable[[], None]:
    """The trail of rows an import just inserted into ``table`` (persons or organisations),
    written by the database from those rows rather than built row by row in Python: for
    each an audit entry – ``import``, with the same JSON text as the import's other entries
    (``{"batch": …, "name": …, "import": "created"}``) – and its link to the batch.
    ``at`` is the time as the driver takes it. SQLite needs the ids in one unbroken range
    (as :class:`IdSource` hands them out there)."""
    name = _TRAIL_NAMES[table]
    if not ids:
        return lambda: None
    if is_postgresql(connection):
        where, uid = "r.id = ANY(%(ids)s)", "gen_random_uuid()::text"
        quote = "to_json({}::text)::text"
        params: dict[str, Any] = {"ids": list(ids)}
        mark = "%({})s"
        audit_source = f"FROM {_identifier(table)} AS r WHERE {where} ORDER BY r.id"
    else:
        if list(ids) != list(range(ids[0], ids[0] + len(ids))):
            raise ValueError("the ids of an import's rows are not one range")
        where, quote = "r.id BETWEEN :low AND :high", "json_quote({})"
        # The entries' own uids come from Python (cheaper than making them in SQL), one
        # per row in id order: the n-th for the row with id low + n.
        uid = "u.value"
        params = {"low": ids[0], "high": ids[-1], "uids": json.dumps(new_uids(len(ids)))}
        mark = ":{}"
        audit_source = (f"FROM json_each(:uids) AS u JOIN {_identifier(table)} AS r "
                        "ON r.id = :low + u.key")  # (in id order already: no sort)
    params.update(batch=batch_uid, batch_id=batch_id, staff=staff_id, at=at, type=table)
    changes = (f"""'{{"batch": ' || {quote.format(mark.format("batch"))} || ', "name": ' || """
               f"""{quote.format("r." + name)} || ', "import": "created"}}'""")
    audit = ("INSERT INTO audit_entry (uid, at, staff_id, record_type, record_uid, action, "
             f"changes) SELECT {uid}, {mark.format('at')}, {mark.format('staff')}, "
             f"{mark.format('type')}, r.uid, 'import', {changes} {audit_source}")
    links = ("INSERT INTO imported_record (batch_id, record_type, record_uid, action, changes) "
             f"SELECT {mark.format('batch_id')}, {mark.format('type')}, r.uid, 'created', "
             f"'{{}}' FROM {_identifier(table)} AS r WHERE {where} ORDER BY r.id")

    def write() -> None:
        connection.exec_driver_sql(audit, params)
        connection.exec_driver_sql(links, params)
    return write


def inserts_run_apart(connection: Connection) -> bool:
    """Whether bulk inserts gain from running on a thread of their own while the next rows
    are built: SQLite works in-process with Python's lock released (many rows per statement);
    psycopg's ``COPY`` is written row by row in Python, so on PostgreSQL they stay inline."""
    return not is_postgresql(connection)


class IdSource:
    """Ids for new rows of one table, handed out before the rows are written, so a bulk
    writer never reads them back. PostgreSQL: from the table's sequence. SQLite: after the
    highest id – what SQLite itself would give – counted on in memory; the caller must hold
    the transaction's write lock (have written something) before the first ``take``."""

    def __init__(self, connection: Connection, table: str) -> None:
        self.connection = connection
        self.table = table
        self.next: int | None = None

    def take(self, count: int) -> list[int]:
        if count <= 0:
            return []
        if is_postgresql(self.connection):
            return list(self.connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) "
                "FROM generate_series(1, %(count)s)",
                {"table": self.table, "count": count}).scalars())
        if self.next is None:
            highest = self.connection.exec_driver_sql(
                f"SELECT max(id) FROM {_identifier(self.table)}").scalar()
            self.next = int(highest or 0) + 1
        first = self.next
        self.next += count
        return list(range(first, first + count))


def delete_search_rows(connection: Connection, statement: str, rowids: Sequence[int]) -> None:
    """Run ``statement`` (``fts_delete`` or ``names_delete`` of :func:`search_sql`) for the
    rowids: an ``executemany`` on SQLite, one ``= ANY`` array on PostgreSQL."""
    if not rowids:
        return
    if is_postgresql(connection):
        many = statement.replace("WHERE rowid = %(rowid)s", "WHERE rowid = ANY(%(rowid)s)")
        if many == statement:
            raise ValueError(f"not a delete by rowid: {statement!r}")
        connection.exec_driver_sql(many, {"rowid": list(rowids)})
        return
    connection.exec_driver_sql(statement, [{"rowid": r} for r in rowids])


def insert_or_ignore(bind: Connection | Engine, table: Table) -> Insert:
    """An ``INSERT`` into ``table`` that skips a row clashing with a unique key
    (``INSERT OR IGNORE`` on SQLite, ``ON CONFLICT DO NOTHING`` on PostgreSQL)."""
    if is_postgresql(bind):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    return insert(table).prefix_with("OR IGNORE")


def insert_search_terms(connection: Connection, terms: Sequence[str]) -> None:
    """Add words to ``search_terms`` (known ones are left alone)."""
    if not terms:
        return
    if is_postgresql(connection):
        connection.exec_driver_sql(PG_TERMS_INSERT_MANY_SQL, {"terms": list(terms)})
        return
    if len(terms) < MANY_ROWS:
        connection.exec_driver_sql(search_sql(connection).terms_insert,
                                   [{"term": t} for t in terms])
        return
    _run_all(connection, _values_rows_insert(  # (see there)
        [(t,) for t in terms], "search_terms", ("term",), {}, verb="INSERT OR IGNORE"))()


# -- copying between engines, staff logins (crm/services/copying.py, crm/app.py) ---------------

def reset_sequences(connection: Connection, tables: Sequence[str]) -> None:
    """After rows were copied with their ids: let each table's id sequence continue after
    the largest id (PostgreSQL; SQLite takes the next rowid from the table itself)."""
    if not is_postgresql(connection):
        return
    for table in tables:
        connection.exec_driver_sql(
            "SELECT setval(seq::regclass, coalesce((SELECT max(id) FROM " + _identifier(table)
            + "), 0) + 1, false) FROM pg_get_serial_sequence(%(table)s, 'id') AS seq "
            "WHERE seq IS NOT NULL", {"table": table})


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not a table name: {name!r}")
    return name


def server_login(connection: Connection) -> str | None:
    """The login the server knows this connection by (PostgreSQL ``current_user``); None
    for a local file, which has no logins."""
    if not is_postgresql(connection):
        return None
    return str(connection.exec_driver_sql("SELECT current_user").scalar() or "") or None


def connect_args(url: URL, timeout: int) -> dict[str, Any]:
    """Driver options for a quick connection test: give up after ``timeout`` seconds."""
    if url.get_backend_name() == POSTGRESQL:
        return {"connect_timeout": timeout}
    return {}


def connection_problem(exc: BaseException) -> str:
    """What a failed server connection says, as one word: ``host`` (unknown, refused,
    no server on the socket), ``login`` (wrong password or user), ``database`` (no such
    database), or ``other``."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "password authentication failed" in text or "no password supplied" in text or (
            "role" in text and "does not exist" in text) or "authentication failed" in text:
        return "login"
    if "database" in text and "does not exist" in text:
        return "database"
    if any(word in text for word in ("could not translate host name", "connection refused",
                                     "no such file or directory", "timeout expired",
                                     "could not connect", "network is unreachable",
                                     "name or service not known", "no route to host")):
        return "host"
    return "other"


# -- changes by others (issue 10) ------------------------------------------------------------
#
# PostgreSQL: every committing write sends ``NOTIFY bruecke_changes, '<tables>'`` inside its
# transaction (delivered on commit, dropped on rollback); a listener holds its own
# autocommit connection with ``LISTEN``. SQLite: ``PRAGMA data_version`` changes when
# another connection committed; a poller compares it.

CHANGES_CHANNEL = "bruecke_changes"


def notify_changes(connection: Connection, tables: Sequence[str]) -> None:
    """Announce ``tables`` as changed when the current transaction commits (PostgreSQL)."""
    if not is_postgresql(connection):
        return
    payload = ",".join(sorted(set(tables)))[:7000]  # NOTIFY payloads stop at 8000 bytes
    connection.exec_driver_sql("SELECT pg_notify(%(channel)s, %(payload)s)",
                               {"channel": CHANGES_CHANNEL, "payload": payload})


def listen_for_changes(engine: Engine) -> Any:
    """A new autocommit psycopg connection listening on :data:`CHANGES_CHANNEL`."""
    import psycopg

    args, kwargs = engine.dialect.create_connect_args(engine.url)
    conn = psycopg.connect(*args, **{**kwargs, "autocommit": True, "connect_timeout": 5})
    conn.execute(f"LISTEN {CHANGES_CHANNEL}")
    return conn


def changed_tables(listener: Any, timeout: float) -> set[str]:
    """The tables named by the notifications that arrive within ``timeout`` seconds (empty
    when none came). Raises psycopg.OperationalError when the server is gone."""
    tables: set[str] = set()
    for notice in listener.notifies(timeout=timeout, stop_after=1):
        tables.update(t for t in notice.payload.split(",") if t)
    # Drain what arrived together with the first one.
    for notice in listener.notifies(timeout=0.05):
        tables.update(t for t in notice.payload.split(",") if t)
    return tables


def sqlite_data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


# -- erasure (crm/services/privacy.py, crm/privacy/erasure.py) ----------------------------------

def secure_delete(connection: Connection) -> None:
    """Deleted content is overwritten, not just unlinked, for the rest of this connection
    (SQLite ``secure_delete``). PostgreSQL has no such switch: its dead row versions are
    removed by :func:`vacuum_server` after the erasure commits."""
    if not is_postgresql(connection):
        connection.exec_driver_sql("PRAGMA secure_delete = ON")


def vacuum_server(engine: Engine) -> bool:
    """PostgreSQL: ``VACUUM`` (outside any transaction), so the row versions an erasure
    deleted are removed from tables and indexes now rather than by autovacuum later. Returns
    False for other engines (SQLite files are rewritten by the caller)."""
    if not is_postgresql(engine):
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
    return True


# -- the offline copy (crm.offline) --------------------------------------------------------

def defer_foreign_keys(connection: Connection) -> None:
    """Check foreign keys at commit, not per row (copying tables with self-references)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    elif is_postgresql(connection):
        connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")


def is_connection_failure(error: BaseException | None) -> bool:
    """Whether a driver error means the server cannot be reached (refused, no socket,
    timed out, shut down) rather than a wrong name, login or statement."""
    if error is None:
        return False
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    if not isinstance(error, psycopg.OperationalError):
        return False
    if getattr(error, "sqlstate", None) in ("57P01", "57P02", "57P03", "08000", "08001",
                                            "08003", "08004", "08006"):
        return True
    text = str(error).lower()
    return any(s in text for s in (
        "connection refused", "no such file or directory", "timeout expired",
        "could not connect", "server closed the connection", "connection failed",
        "is the server running", "the database system is shutting down",
        "the database system is starting up", "network is unreachable",
        "could not translate host name"))


# -- schema upgrades (crm.persistence.database) ------------------------------------------------

_MIGRATION_LOCK = 0x62727565636B65  # "bruecke": one advisory lock key for schema upgrades


def lock_for_migration(connection: Connection) -> None:
    """Several computers may start a new Brücke on the same server at once: the first one
    upgrades the schema, the others wait here and then find nothing left to do (Alembic
    reads the revision after this lock, in the same transaction). SQLite serialises writers
    by itself."""
    if is_postgresql(connection):
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%(key)s)",
                                   {"key": _MIGRATION_LOCK})
