"""Writing many rows at once: prepared in bulk, and written on a second thread.

The import writes 50,000 persons with their contact points, roles, audit entries and index
rows. Building those rows is Python work; writing them is SQLite's, which runs with Python's
lock released (see :func:`crm.persistence.dialect.insert_rows`). :class:`InsertQueue` lets
the two overlap: the caller queues finished rows and builds the next ones while a writer
thread inserts, in order, on the same connection and in the same transaction.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Table, bindparam, insert

from crm.persistence import dialect

CHUNK = 5000
_MISSING = object()
_DONE = None


def prepared_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
                    ) -> tuple[str, list[Any], list[str]]:
    """The driver ``INSERT`` of the rows' columns, the rows as its parameters (each value
    through its column's bind processing, memoised per value: most repeat, such as the time
    stamps) and the column order – the same statement and stored values as
    ``connection.execute(insert(table), rows)`` without SQLAlchemy's per-row handling."""
    dialect_ = connection.dialect
    names = list(rows[0])
    compiled = insert(table).values({n: bindparam(n) for n in names}).compile(dialect=dialect_)
    order = list(compiled.positiontup or ()) if compiled.positional else names
    params = _processed_rows(connection, table, rows, order)
    if not compiled.positional:
        params = [dict(zip(order, values, strict=True)) for values in params]
    return compiled.string, params, order


def _processed_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]],
                    order: list[str]) -> list[tuple[Any, ...]]:
    """The rows' values in ``order``, each through its column's bind processing."""
    dialect_ = connection.dialect
    processed = [(i, process, {}) for i, name in enumerate(order)
                 if (process := table.c[name].type.dialect_impl(dialect_)
                     .bind_processor(dialect_)) is not None]
    pick = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
    if not processed:
        return [pick(row) for row in rows]
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(pick(row))
        for i, process, memo in processed:
            raw = values[i]
            done = memo.get(raw, _MISSING)
            if done is _MISSING:
                done = memo[raw] = process(raw)
            values[i] = done
        params.append(tuple(values))
    return params


def bound(connection: Connection, column: Column[Any], value: Any) -> Any:
    """``value`` as the driver takes it for ``column`` (its bind processing)."""
    process = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    return value if process is None else process(value)


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]],
                chunk: int = CHUNK) -> None:
    """``INSERT`` the rows (all with the same keys): one driver statement per chunk."""
    if not rows:
        return
    statement, params, order = prepared_insert(connection, table, rows)
    for start in range(0, len(params), chunk):
        dialect.insert_rows(connection, statement, params[start:start + chunk],
                            table=table.name, columns=order)  # bound by column name


class InsertQueue:
    """Inserts run in the order queued, on a writer thread where the engine gains from it
    (else at once). Nothing else may use the connection until :meth:`close` returns, which
    waits for the queue to drain and raises the first error a queued insert met (the
    inserts after it are dropped: the caller's transaction is to be rolled back)."""

    def __init__(self, connection: Connection, depth: int = 8) -> None:
        self.connection = connection
        self._error: BaseException | None = None
        self._tasks: queue.Queue[Callable[[], None] | None] | None = None
        self._thread: threading.Thread | None = None
        if dialect.inserts_run_apart(connection):
            self._tasks = queue.Queue(maxsize=depth)  # bounded: rows wait in memory only so far
            self._thread = threading.Thread(target=self._work, name="bulk-inserts",
                                            daemon=True)
            self._thread.start()

    def insert(self, table: Table, rows: Sequence[dict[str, Any]],
               same: dict[str, Any] | None = None) -> None:
        """Queue rows as :func:`bulk_insert` writes them (prepared here, written there).
        ``same``: columns with one value for all rows, given once (not in ``rows``)."""
        if not rows:
            return
        if not same:
            statement, params, order = prepared_insert(self.connection, table, rows)
            for start in range(0, len(params), CHUNK):
                self.insert_prepared(statement, params[start:start + CHUNK],
                                     table=table.name, columns=order)
            return
        order = list(rows[0])
        params = _processed_rows(self.connection, table, rows, order)
        constants = dict(zip(same, _processed_rows(self.connection, table, [same],
                                                   list(same))[0], strict=True))
        for start in range(0, len(params), CHUNK):
            self._run(dialect.prepared_rows_insert(
                self.connection, None, params[start:start + CHUNK], table=table.name,
                columns=order, constants=constants))

    def insert_prepared(self, statement: str | None, rows: Sequence[Any], *, table: str,
                        columns: Sequence[str]) -> None:
        """Queue rows as :func:`crm.persistence.dialect.insert_rows` takes them (tuples in
        the order of ``columns`` and no ``statement``: a plain ``INSERT`` of them)."""
        if rows:
            self._run(dialect.prepared_rows_insert(self.connection, statement, rows,
                                                   table=table, columns=columns))

    def call(self, write: Callable[[], None]) -> None:
        """Queue a prepared write (such as ``dialect.prepared_import_trail``)."""
        self._run(write)

    def close(self, raise_error: bool = True) -> None:
        """Wait for the queued inserts; raise the first error one met (unless the caller is
        failing already and only needs the connection back)."""
        if self._thread is not None and self._tasks is not None:
            self._tasks.put(_DONE)
            self._thread.join()
            self._thread = None
            self._tasks = None
        error, self._error = self._error, None
        if error is not None and raise_error:
            raise error

    def _run(self, task: Callable[[], None]) -> None:
        if self._error is not None:
            self.close()  # raises it: no point building more rows
        if self._tasks is None:  # (inline, or closed)
            task()
        else:
            self._tasks.put(task)

    def _work(self) -> None:
        assert self._tasks is not None
        while (task := self._tasks.get()) is not _DONE:
            if self._error is None:
                try:
                    task()
                except BaseException as exc:  # noqa: BLE001 - handed to the caller in close()
                    self._error = exc
