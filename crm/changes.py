"""Changes by others appear without restarting (issue 10). Qt-free.

Writing side: :func:`install_change_notices` makes every committing transaction on a
PostgreSQL database announce the tables it wrote (``NOTIFY bruecke_changes``, sent in the
same transaction, so a rollback announces nothing). The payload starts with the writing
app's *origin*, so a window is not told about its own saves (it refreshes after them anyway).

Reading side: :class:`ChangeListener` runs a daemon thread that calls ``on_change(tables)``
whenever another client committed: on PostgreSQL through ``LISTEN`` on its own connection
(reconnecting after an outage, then reporting ``{"*"}``: anything may have changed), on a
SQLite file by polling ``PRAGMA data_version`` (another process, e.g. the command line,
wrote). ``on_status(connected)`` reports when the server goes away and comes back. The
callbacks run on the listener's thread; the Qt side (ui/changes.py) queues them to the GUI.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from crm.persistence import dialect
from crm.persistence.database import Database

log = logging.getLogger(__name__)

_TABLES_KEY = "bruecke_changed_tables"
ANY = "*"  # "something may have changed" (after a reconnect; SQLite cannot say what)


def install_change_notices(db: Database) -> str:
    """Announce every commit's tables on ``db`` (PostgreSQL only); returns the origin tag
    of this app's notifications."""
    origin = uuid.uuid4().hex[:12]
    if not dialect.is_postgresql(db.engine):
        return origin
    sessions: sessionmaker[Session] = db.sessions

    def after_flush(session: Session, _context: Any) -> None:
        tables = session.info.setdefault(_TABLES_KEY, set())
        for obj in (*session.new, *session.dirty, *session.deleted):
            name = getattr(type(obj), "__tablename__", None)
            if name:
                tables.add(name)

    def orm_execute(state: Any) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            name = getattr(table, "name", None)
            if name:
                state.session.info.setdefault(_TABLES_KEY, set()).add(name)

    def before_commit(session: Session) -> None:
        session.flush()  # commit flushes after this hook: count what it would write
        tables = session.info.pop(_TABLES_KEY, None)
        if tables:
            dialect.notify_changes(session.connection(), [f"{origin}:", *sorted(tables)])

    def after_rollback(session: Session) -> None:
        session.info.pop(_TABLES_KEY, None)

    event.listen(sessions, "after_flush", after_flush)
    event.listen(sessions, "do_orm_execute", orm_execute)
    event.listen(sessions, "before_commit", before_commit)
    event.listen(sessions, "after_soft_rollback", lambda s, _t: after_rollback(s))
    return origin


def parse_notice(tables: set[str], own_origin: str) -> set[str]:
    """The tables of notices from other apps (``origin:`` entries name the sender)."""
    origins = {t[:-1] for t in tables if t.endswith(":")}
    if origins and origins <= {own_origin}:
        return set()
    return {t for t in tables if not t.endswith(":")}


class ChangeListener:
    """A daemon thread reporting commits of other clients; ``stop()`` ends it."""

    def __init__(self, db: Database, on_change: Callable[[set[str]], None], *,
                 origin: str = "", interval: float = 0.5,
                 on_status: Callable[[bool], None] | None = None) -> None:
        self._db = db
        self._on_change = on_change
        self._on_status = on_status or (lambda _connected: None)
        self._origin = origin
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bruecke-changes",
                                        daemon=True)
        self.ready = threading.Event()  # set once listening (LISTEN sent / first version)
        self.connected = True

    def start(self) -> ChangeListener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    # -- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            if dialect.is_postgresql(self._db.engine):
                self._listen()
            elif self._db.path is not None and self._db.passphrase is None:
                self._poll_sqlite(str(self._db.path))
        except Exception:  # noqa: BLE001 - a listener never takes the app down
            log.exception("change listener stopped")

    def _status(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self._on_status(connected)

    def _listen(self) -> None:
        missed = False
        while not self._stop.is_set():
            try:
                conn = dialect.listen_for_changes(self._db.engine)
            except Exception:  # noqa: BLE001 - the server is unreachable: try again
                self._status(False)
                missed = True
                self.ready.set()
                self._stop.wait(self._interval * 4)
                continue
            try:
                self._status(True)
                self.ready.set()
                if missed:
                    self._on_change({ANY})  # whatever happened while we were away
                    missed = False
                while not self._stop.is_set():
                    tables = parse_notice(dialect.changed_tables(conn, self._interval),
                                          self._origin)
                    if tables:
                        self._on_change(tables)
            except Exception:  # noqa: BLE001 - connection lost
                self._status(False)
                missed = True
            finally:
                with contextlib.suppress(Exception):  # already gone
                    conn.close()

    def _poll_sqlite(self, path: str) -> None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            version = dialect.sqlite_data_version(conn)
            self.ready.set()
            while not self._stop.wait(self._interval):
                try:
                    now = dialect.sqlite_data_version(conn)
                except sqlite3.Error:
                    continue
                if now != version:
                    version = now
                    self._on_change({ANY})
        finally:
            conn.close()
