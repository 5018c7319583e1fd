"""On the road: the offline copy of a server database and its outbox (crm.offline, issue 10).

The server is stopped mid-session (``pg_cluster.pause()``, data kept): Brücke opens the
offline copy read-only, queues a quick-log entry, and sends it once the server is back,
exactly once however often the outbox is sent.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crm.app import open_app
from crm.domain import FollowUp, Interaction
from crm.errors import DatabaseError, NotFoundError
from crm.offline import (
    Outbox,
    SnapshotKeeper,
    build_snapshot,
    open_offline,
    open_with_offline_fallback,
    outbox_path,
    snapshot_info,
)
from crm.services.activity_rows import FollowUpInput, LogInput


@pytest.fixture
def paused(pg_cluster) -> Iterator[None]:  # noqa: ANN001
    """Stops the server for the test's ``with`` block; always started again."""
    state = {"paused": False}

    def pause() -> None:
        pg_cluster.pause()
        state["paused"] = True

    def resume() -> None:
        pg_cluster.resume()
        state["paused"] = False

    yield pause, resume  # type: ignore[misc]
    if state["paused"]:
        pg_cluster.resume()


def _server_count(url: str, uid: str) -> int:
    app = open_app(url, staff="TS")
    try:
        with app.db.sessions() as session:
            return int(session.scalar(select(func.count(Interaction.id))
                                      .where(Interaction.uid == uid)) or 0)
    finally:
        app.close()


def test_stop_the_server_work_offline_and_send_the_outbox_once(
        pg_url: str, paused) -> None:  # noqa: ANN001
    pause, resume = paused
    online = open_with_offline_fallback(pg_url, staff="AB")
    person = online.people.save(None, {"full_name": "Olena Shevchenko"})
    online.interactions.log(LogInput(kind="meeting", subject="Vor der Reise",
                                     participants=[person.uid]))
    info = build_snapshot(online)
    online.close()
    assert stat.S_IMODE(os.stat(info.path).st_mode) == 0o600
    assert snapshot_info(pg_url) == info

    pause()  # the network is gone
    app = open_with_offline_fallback(pg_url, staff="AB")
    try:
        assert app.offline is not None and app.read_only
        assert app.offline.snapshot.taken_at == info.taken_at
        # The directory and the history are there, searchable, read-only.
        assert app.people.get(person.uid).name == "Olena Shevchenko"
        assert [e.subject for e in app.interactions.timeline(person=person.uid)] == [
            "Vor der Reise"]
        assert any(h.uid == person.uid for h in app.search.search("Olena"))
        with pytest.raises(DatabaseError):
            app.people.save(None, {"full_name": "Neu Unterwegs"})
        queued = app.interactions.log(LogInput(
            kind="call", subject="Anruf unterwegs", participants=["Olena Shevchenko"],
            occurred_at="gestern 14:30", follow_ups=[FollowUpInput("Freitag", "Rückruf")]))
        assert queued.participants[0].person.uid == person.uid
        assert app.offline.pending() == 1
        assert app.interactions.timeline_count(person=person.uid) == 1  # copy untouched
    finally:
        app.close()

    resume()  # back in the office
    again = open_with_offline_fallback(pg_url, staff="AB")  # sends what is pending
    try:
        assert again.offline is None
        assert again.outbox_report is not None and again.outbox_report.sent == [queued.uid]
        stored = again.interactions.get(queued.uid)
        assert (stored.subject, stored.occurred_at) == ("Anruf unterwegs", queued.occurred_at)
        assert [p.person.uid for p in stored.participants] == [person.uid]
        assert [f.text for f in stored.follow_ups] == ["Rückruf"]
        assert stored.logged_by == "AB"
        # Sending again (a crash before the outbox noted it, a second laptop) adds nothing.
        outbox = Outbox(outbox_path(pg_url))
        try:
            with outbox._engine.begin() as conn:  # forget that it was sent
                from crm.offline import OUTBOX
                conn.execute(OUTBOX.update().values(sent_at=None))
            report = outbox.send(again)
            assert (report.sent, report.already, report.refused) == ([], [queued.uid], {})
            assert outbox.pending() == 0
        finally:
            outbox.close()
        with again.db.sessions() as session:
            follow_ups = session.scalar(select(func.count(FollowUp.id)).join(
                FollowUp.interaction).where(Interaction.uid == queued.uid))
        assert follow_ups == 1
    finally:
        again.close()
    assert _server_count(pg_url, queued.uid) == 1


def test_a_different_entry_under_the_same_uid_is_refused_and_kept(pg_url: str) -> None:
    app = open_app(pg_url, staff="AB")
    try:
        person = app.people.save(None, {"full_name": "Lena Roth"})
        outbox = Outbox(outbox_path(pg_url))
        try:
            uid = outbox.queue_log(LogInput(kind="call", subject="Eins",
                                            participants=[person.uid]))
            app.interactions.log(LogInput(kind="call", subject="Etwas anderes",
                                          participants=[person.uid]), uid=uid)
            report = outbox.send(app)
            assert list(report.refused) == [uid] and report.done == 0
            assert outbox.pending() == 1  # nothing dropped
            (entry,) = outbox.entries()
            assert entry.error and entry.sent_at is None
        finally:
            outbox.close()
        assert app.interactions.get(uid).subject == "Etwas anderes"  # nothing overwritten
    finally:
        app.close()


def test_two_senders_at_once_store_each_entry_once(pg_url: str) -> None:
    apps = [open_app(pg_url, staff="AB") for _ in range(2)]
    try:
        person = apps[0].people.save(None, {"full_name": "Bilal Nguyen"})
        first = Outbox(outbox_path(pg_url))
        uids = [first.queue_log(LogInput(kind="call", subject=f"Nr. {n}",
                                         participants=[person.uid])) for n in range(10)]
        first.close()
        outboxes = [Outbox(outbox_path(pg_url)) for _ in apps]
        barrier = threading.Barrier(2)

        def send(app, outbox) -> None:  # noqa: ANN001
            barrier.wait()
            outbox.send(app)

        threads = [threading.Thread(target=send, args=pair)
                   for pair in zip(apps, outboxes, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        with apps[0].db.sessions() as session:
            count = session.scalar(select(func.count(Interaction.id))
                                   .where(Interaction.uid.in_(uids)))
        assert count == 10
        assert outboxes[0].pending() == 0
        for outbox in outboxes:
            outbox.close()
    finally:
        for app in apps:
            app.close()


def test_without_a_copy_an_unreachable_server_is_reported(pg_url: str, paused) -> None:  # noqa: ANN001
    pause, _resume = paused
    pause()
    with pytest.raises(Exception) as info:
        open_with_offline_fallback(pg_url, staff="AB")
    assert not isinstance(info.value, AssertionError)
    with pytest.raises(DatabaseError) as missing:
        open_offline(pg_url, staff="AB")
    assert missing.value.code == "no_offline_copy"


def test_the_keeper_refreshes_the_copy_in_the_background(pg_url: str) -> None:
    app = open_app(pg_url, staff="AB")
    keeper = SnapshotKeeper(app, interval=3600, min_gap=0.1).start()
    try:
        assert keeper.built.wait(60), keeper.error
        first = keeper.last
        assert first is not None
        keeper.built.clear()
        app.people.save(None, {"full_name": "Neu Nach Kopie"})
        keeper.request()
        assert keeper.built.wait(60), keeper.error
        assert keeper.last is not None and keeper.last.taken_at > first.taken_at
    finally:
        keeper.stop()
        app.close()
    copy = open_app(snapshot_info(pg_url).path, staff="AB")  # type: ignore[union-attr]
    try:
        assert any(h.title == "Neu Nach Kopie" for h in copy.search.search("Neu Nach Kopie"))
    finally:
        copy.close()
    assert datetime.now(UTC) >= keeper.last.taken_at


def test_a_follow_up_of_its_own_is_queued_offline_and_sent_once(
        pg_url: str, paused) -> None:  # noqa: ANN001
    pause, resume = paused
    online = open_with_offline_fallback(pg_url, staff="AB")
    person = online.people.save(None, {"full_name": "Mira Sommer"})
    build_snapshot(online)
    online.close()

    pause()
    app = open_with_offline_fallback(pg_url, staff="AB")
    try:
        assert app.offline is not None
        queued = app.followups.add(FollowUpInput("Freitag", "Angebot schicken"),
                                   person=person.uid)
        assert queued.people[0].uid == person.uid and queued.assignee == "AB"
        assert app.offline.pending() == 1
        with pytest.raises(NotFoundError):  # checked against the copy at once
            app.followups.add(FollowUpInput("morgen", "x"), person="01ZZZZZZZZZZZZZZZZZZZZZZZZ")
        with pytest.raises(DatabaseError):  # only creation works offline
            app.followups.set_done(queued.uid)
        assert app.offline.pending() == 1
        (entry,) = app.offline.outbox.entries()
        assert entry.kind == "follow_up" and entry.data.due == queued.due
    finally:
        app.close()

    resume()
    again = open_with_offline_fallback(pg_url, staff="AB")
    try:
        assert again.outbox_report is not None and again.outbox_report.sent == [queued.uid]
        stored = again.followups.get(queued.uid)
        assert (stored.text, stored.due, stored.assignee) == (
            "Angebot schicken", queued.due, "AB")
        assert [p.uid for p in stored.people] == [person.uid]
        outbox = Outbox(outbox_path(pg_url))
        try:
            with outbox._engine.begin() as conn:  # forget that it was sent
                from crm.offline import OUTBOX
                conn.execute(OUTBOX.update().values(sent_at=None))
            report = outbox.send(again)
            assert (report.sent, report.already, report.refused) == ([], [queued.uid], {})
        finally:
            outbox.close()
        with again.db.sessions() as session:
            assert session.scalar(select(func.count(FollowUp.id))
                                  .where(FollowUp.uid == queued.uid)) == 1
    finally:
        again.close()


def test_a_different_follow_up_under_the_same_uid_is_refused_and_kept(pg_url: str) -> None:
    app = open_app(pg_url, staff="AB")
    try:
        outbox = Outbox(outbox_path(pg_url))
        try:
            uid = outbox.queue_follow_up(FollowUpInput("morgen", "Eins"), staff="AB")
            app.followups.add(FollowUpInput("morgen", "Etwas anderes"), uid=uid)
            report = outbox.send(app)
            assert list(report.refused) == [uid] and report.done == 0
            assert report.refused[uid]
            assert outbox.pending() == 1  # nothing dropped
            (entry,) = outbox.entries()
            assert entry.error == report.refused[uid] and entry.sent_at is None
        finally:
            outbox.close()
        assert app.followups.get(uid).text == "Etwas anderes"  # nothing overwritten
    finally:
        app.close()
