"""Changes by others reach an open app without restarting (crm.changes, issue 10)."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from crm.app import open_app
from crm.changes import ANY, ChangeListener
from crm.services.activity_rows import LogInput

WAIT = 15.0


def _listen(app, received: queue.Queue[set[str]], **kwargs) -> ChangeListener:  # noqa: ANN001,ANN003
    listener = ChangeListener(app.db, received.put, origin=app.origin, interval=0.1,
                              **kwargs).start()
    assert listener.ready.wait(WAIT)
    return listener


def _next(received: queue.Queue[set[str]]) -> set[str]:
    return received.get(timeout=WAIT)


def test_postgresql_listener_hears_another_app_commit(pg_url: str) -> None:
    mine, other = open_app(pg_url, staff="AB"), open_app(pg_url, staff="CD")
    received: queue.Queue[set[str]] = queue.Queue()
    listener = _listen(mine, received)
    try:
        person = other.people.save(None, {"full_name": "Olena Shevchenko"})
        assert "person" in _next(received)
        other.interactions.log(LogInput(kind="call", subject="Anruf",
                                        participants=[person.uid]))
        tables = _next(received)
        assert {"interaction", "interaction_participant"} <= tables
        # The app's own saves are not announced to itself (it refreshes after them anyway).
        mine.people.save(None, {"full_name": "Lena Roth"})
        with pytest.raises(queue.Empty):
            received.get(timeout=1.0)
    finally:
        listener.stop()
        mine.close()
        other.close()


def test_postgresql_rollback_announces_nothing(pg_url: str) -> None:
    from crm.domain import Person

    mine, other = open_app(pg_url, staff="AB"), open_app(pg_url, staff="CD")
    received: queue.Queue[set[str]] = queue.Queue()
    listener = _listen(mine, received)
    try:
        with pytest.raises(RuntimeError), other.people._write() as session:
            session.add(Person(full_name="Never Saved"))
            session.flush()  # written, then rolled back
            raise RuntimeError("rolled back")
        with pytest.raises(queue.Empty):
            received.get(timeout=1.0)
    finally:
        listener.stop()
        mine.close()
        other.close()


def test_postgresql_listener_reports_outage_and_catches_up(pg_cluster, pg_url: str) -> None:  # noqa: ANN001
    app = open_app(pg_url, staff="AB")
    received: queue.Queue[set[str]] = queue.Queue()
    status: queue.Queue[bool] = queue.Queue()
    listener = _listen(app, received, on_status=status.put)
    try:
        pg_cluster.pause()
        try:
            assert status.get(timeout=WAIT) is False
        finally:
            pg_cluster.resume()
        assert status.get(timeout=WAIT) is True
        assert _next(received) == {ANY}  # anything may have changed meanwhile
    finally:
        listener.stop()
        app.close()


@pytest.mark.sqlite_only
def test_sqlite_listener_notices_another_connection(db_target: str, tmp_path: Path) -> None:
    mine, other = open_app(db_target, staff="AB"), open_app(db_target, staff="CD")
    received: queue.Queue[set[str]] = queue.Queue()
    listener = _listen(mine, received)
    try:
        other.people.save(None, {"full_name": "Olena Shevchenko"})
        assert _next(received) == {ANY}
    finally:
        listener.stop()
        mine.close()
        other.close()
