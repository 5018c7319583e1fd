"""Everything specific to one database engine lives here (today: SQLite).

A PostgreSQL implementation adds its branch to each function below; the rest of Brücke
only talks to SQLAlchemy Core/ORM.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, event

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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def looks_like_sqlite(header: bytes) -> bool:
    return header.startswith(SQLITE_HEADER)
