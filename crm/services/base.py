"""What every service shares: the session factory, the current staff member, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import ConflictError, DatabaseError, ValidationError
from crm.persistence import dialect


class ServiceContext:
    """Shared by all services of one open database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        staff_id: Callable[[], int | None] = lambda: None,
        location: str = "",
    ) -> None:
        self.sessions = sessions
        self.staff_id = staff_id
        self.location = location
        # Opened read-only (another window holds the database's lock): every write is
        # refused with "opened_read_only" before it starts.
        self.read_only = False


class Service:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction: commits at the end, rolls everything back on any error."""
        if self._ctx.read_only:
            raise DatabaseError("opened_read_only", self._ctx.location)
        try:
            with self._ctx.sessions.begin() as session:
                session.info["staff_id"] = self._ctx.staff_id()
                yield session
        except StaleDataError as exc:
            raise ConflictError("record", "", {}, {}) from exc
        except IntegrityError as exc:
            raise ValidationError.single("record", "integrity", detail=str(exc.orig)) from exc
        except OperationalError as exc:
            raise _operational(exc, self._ctx.location, self._ctx.read_only) from exc

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with self._ctx.sessions() as session:
                yield session
        except OperationalError as exc:
            raise _operational(exc, self._ctx.location, self._ctx.read_only) from exc


def _operational(exc: OperationalError, location: str,
                 opened_read_only: bool = False) -> DatabaseError:
    text = str(exc.orig).lower()
    if "readonly" in text or "read-only" in text:
        # "attempt to write a readonly database": this window's choice, or the file's.
        return DatabaseError("opened_read_only" if opened_read_only else "read_only",
                             location)
    if "locked" in text or "busy" in text:
        return DatabaseError("locked", location)
    if isinstance(exc.orig, sqlite3.DatabaseError) and "malformed" in text:
        return DatabaseError("damaged", location, str(exc.orig))
    if exc.connection_invalidated or dialect.is_connection_failure(exc.orig):
        return DatabaseError("unreachable", location, str(exc.orig).splitlines()[0])
    return DatabaseError("operational", location, str(exc.orig))
