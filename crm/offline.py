"""On the road: the "Offline-Kopie" of a server database and its outbox (issue 10).

While Brücke is connected to a PostgreSQL server, :class:`SnapshotKeeper` keeps a local
SQLite copy of the whole database current (built in a new file with SQLAlchemy Core, table
by table, then swapped in; owner-only, in the user data folder), on a thread of its own:
after the start, when told of changes, and periodically.

When the server cannot be reached at start, :func:`open_with_offline_fallback` opens that
copy instead, read-only (``app.offline`` then describes it). Interactions logged meanwhile
(with their follow-ups) and follow-ups created on their own go into the *outbox*, a small
SQLite file next to the copy: each entry gets its interaction's (or follow-up's) uid when
it is queued, so sending it is idempotent (the server skips a uid it already has, see
``InteractionService.log(uid=…)`` and ``FollowUpService.add(uid=…)``). :func:`send_outbox`
sends what is pending once the server is back; an entry the server refuses (a different
entry under the same uid, a person no longer there) stays in the outbox with the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import crm.domain  # noqa: F401 - registers every table on Base.metadata
from crm.domain.base import Base, new_uid
from crm.errors import BrueckeError, DatabaseError, NotFoundError, ValidationError
from crm.paths import user_data_dir
from crm.persistence import dialect
from crm.persistence.database import open_database, resolve_url
from crm.services.activity_rows import FollowUpInput, FollowUpRow, InteractionDetail, LogInput
from crm.services.dates import local_date, parse_day, parse_moment
from crm.services.followups import clean_follow_up_text
from crm.services.rows import Ref

if TYPE_CHECKING:
    from crm.app import App
    from crm.config import Preferences

log = logging.getLogger(__name__)

BATCH = 1000
_NOT_COPIED = ("alembic_version", "search_")  # migrations' own; the index is rebuilt


# -- where ---------------------------------------------------------------------------------

Target = str | os.PathLike[str] | URL


def _url(target: Target) -> URL:
    return target if isinstance(target, URL) else resolve_url(target)


def is_server(target: Target) -> bool:
    return _url(target).get_backend_name() != "sqlite"


def _key(target: Target) -> str:
    shown = _url(target).render_as_string(hide_password=True)
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]


def offline_dir() -> Path:
    return user_data_dir() / "offline"


def snapshot_path(target: Target) -> Path:
    return offline_dir() / f"offline-{_key(target)}.db"


def outbox_path(target: Target) -> Path:
    return offline_dir() / f"outbox-{_key(target)}.db"


def _info_path(target: Target) -> Path:
    return offline_dir() / f"offline-{_key(target)}.json"


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    taken_at: datetime  # UTC
    source: str  # the server, password hidden
    rows: int


def snapshot_info(target: Target) -> SnapshotInfo | None:
    """The offline copy of the server database ``target``, if there is one."""
    path, info = snapshot_path(target), _info_path(target)
    if not path.exists() or not info.exists():
        return None
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
        return SnapshotInfo(path, datetime.fromisoformat(data["taken_at"]), data["source"],
                            int(data.get("rows", 0)))
    except (OSError, ValueError, KeyError):
        return None


# -- building the copy ---------------------------------------------------------------------

def _private_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)


def build_snapshot(app: App) -> SnapshotInfo:
    """Copy the server database of ``app`` into a new local file and swap it in."""
    from crm.search.index import rebuild

    url = app.db.url
    target = snapshot_path(url)
    _private_dir(target.parent)
    temporary = target.with_name(target.stem + ".building.db")
    for leftover in (temporary, *_sidecars(temporary)):
        leftover.unlink(missing_ok=True)
    copy = open_database(temporary)  # created 0600, migrated to the current schema
    rows = 0
    try:
        with app.db.engine.connect() as source, copy.engine.begin() as target_conn:
            dialect.defer_foreign_keys(target_conn)
            tables = [t for t in Base.metadata.sorted_tables
                      if not t.name.startswith(_NOT_COPIED)]
            for table in reversed(tables):
                target_conn.execute(table.delete())
            for table in tables:
                result = source.execute(select(table)).mappings()
                while chunk := result.fetchmany(BATCH):
                    target_conn.execute(insert(table), [dict(r) for r in chunk])
                    rows += len(chunk)
            with Session(bind=target_conn) as session:
                rebuild(session)  # search works offline as well
                session.flush()
    finally:
        copy.dispose()
    os.replace(temporary, target)
    for leftover in _sidecars(temporary):
        leftover.unlink(missing_ok=True)
    os.chmod(target, 0o600)
    info = SnapshotInfo(target, datetime.now(UTC), url.render_as_string(hide_password=True),
                        rows)
    _write_private(_info_path(url), json.dumps({
        "taken_at": info.taken_at.isoformat(), "source": info.source, "rows": rows}))
    return info


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _write_private(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".part")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, path)


class SnapshotKeeper:
    """Keeps the offline copy of ``app``'s server database current, off the GUI thread:
    at once, whenever :meth:`request` is called (changes arrived; at most every
    ``min_gap`` seconds) and every ``interval`` seconds."""

    def __init__(self, app: App, *, interval: float = 900.0, min_gap: float = 60.0,
                 on_built: Callable[[SnapshotInfo], None] | None = None) -> None:
        self._app = app
        self._interval = interval
        self._min_gap = min_gap
        self._on_built = on_built or (lambda _info: None)
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.last: SnapshotInfo | None = None
        self.error: BaseException | None = None
        self.built = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bruecke-offline-copy",
                                        daemon=True)

    def start(self) -> SnapshotKeeper:
        self._wanted.set()
        self._thread.start()
        return self

    def request(self) -> None:
        self._wanted.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wanted.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def build_now(self) -> SnapshotInfo:
        with self._lock:
            info = build_snapshot(self._app)
        self.last, self.error = info, None
        self.built.set()
        self._on_built(info)
        return info

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wanted.wait(self._interval)
            if self._stop.is_set():
                return
            self._wanted.clear()
            try:
                self.build_now()
            except Exception as exc:  # noqa: BLE001 - the server may be gone; try later
                self.error = exc
                log.warning("offline copy not refreshed: %s", exc)
            self._stop.wait(self._min_gap)


# -- the outbox ------------------------------------------------------------------------------

_outbox_meta = MetaData()
OUTBOX = Table(
    "outbox", _outbox_meta,
    Column("uid", String(36), primary_key=True),  # the interaction's uid, made offline
    Column("kind", String(32), nullable=False),  # "interaction" or "follow_up"
    Column("payload", Text, nullable=False),  # LogInput / FollowUpInput as JSON, dates resolved
    Column("staff", String(10)),  # initials of who logged it
    Column("queued_at", String(40), nullable=False),
    Column("sent_at", String(40)),
    Column("error", Text),  # why the server refused it (kept, shown, never dropped)
    Column("attempts", Integer, nullable=False, default=0),
)


@dataclass(frozen=True)
class OutboxEntry:
    uid: str
    data: LogInput | FollowUpInput
    staff: str | None
    queued_at: datetime
    sent_at: datetime | None
    error: str | None
    kind: str = "interaction"  # or "follow_up" (one on its own)
    links: dict[str, str | None] = field(default_factory=dict)  # a follow-up's person, org.


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)  # newly on the server
    already: list[str] = field(default_factory=list)  # were there already (sent before)
    refused: dict[str, str] = field(default_factory=dict)  # uid -> reason; kept

    @property
    def done(self) -> int:
        return len(self.sent) + len(self.already)


class Outbox:
    """Entries logged offline, waiting for the server (a small SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _private_dir(path.parent)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._engine: Engine = create_engine(f"sqlite:///{path}", future=True)
        _outbox_meta.create_all(self._engine)
        self._send_lock = threading.Lock()

    def close(self) -> None:
        self._engine.dispose()

    def queue_log(self, data: LogInput, *, staff: str | None = None,
                  now: datetime | None = None, uid: str | None = None) -> str:
        """Keep one quick-log entry for later; relative dates ("gestern", "Freitag") are
        resolved now. Returns the interaction's uid (the same on the server later)."""
        uid = uid or new_uid()
        when = parse_moment("date", data.occurred_at, now=now)
        today = (now or datetime.now().astimezone()).date()
        follow_ups = []
        for index, raw in enumerate(data.follow_ups):
            item = raw if isinstance(raw, FollowUpInput) else FollowUpInput(*raw)
            due = parse_day(f"due[{index}]", item.due, today=today, direction="future")
            follow_ups.append([due.isoformat() if due else None, item.text, item.assignee])
        payload = {
            "kind": data.kind, "subject": data.subject, "participants": list(data.participants),
            "occurred_at": when.isoformat(),
            "organisations": (None if data.organisations is None
                              else list(data.organisations)),
            "municipality": data.municipality, "notes": data.notes,
            "duration_minutes": data.duration_minutes, "project": data.project,
            "follow_ups": follow_ups,
        }
        with self._engine.begin() as conn:
            conn.execute(insert(OUTBOX).values(
                uid=uid, kind="interaction", payload=json.dumps(payload, ensure_ascii=False),
                staff=staff, queued_at=datetime.now(UTC).isoformat(), attempts=0))
        return uid

    def queue_follow_up(self, data: FollowUpInput, *, person: str | None = None,
                        organisation: str | None = None, staff: str | None = None,
                        now: datetime | None = None, uid: str | None = None) -> str:
        """Keep one follow-up of its own (for ``person`` / ``organisation``, uids) for later;
        a relative due date is resolved now, the assignee defaults to ``staff``. Returns
        the follow-up's uid (the same on the server later)."""
        uid = uid or new_uid()
        today = (now or datetime.now().astimezone()).date()
        due = parse_day("due", data.due, today=today, direction="future")
        if due is None:
            raise ValidationError.single("due", "required")
        payload = {"due": due.isoformat(), "text": data.text,
                   "assignee": data.assignee or staff, "person": person,
                   "organisation": organisation}
        with self._engine.begin() as conn:
            conn.execute(insert(OUTBOX).values(
                uid=uid, kind="follow_up", payload=json.dumps(payload, ensure_ascii=False),
                staff=staff, queued_at=datetime.now(UTC).isoformat(), attempts=0))
        return uid

    def entries(self, *, pending_only: bool = False) -> list[OutboxEntry]:
        query = select(OUTBOX).order_by(OUTBOX.c.queued_at, OUTBOX.c.uid)
        if pending_only:
            query = query.where(OUTBOX.c.sent_at.is_(None))
        with self._engine.connect() as conn:
            return [_entry(r) for r in conn.execute(query).mappings()]

    def pending(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(OUTBOX)
                                   .where(OUTBOX.c.sent_at.is_(None))) or 0)

    def send(self, app: App) -> SendReport:
        """Send every pending entry to the server ``app``; each at most once."""
        report = SendReport()
        with self._send_lock:
            for entry in self.entries(pending_only=True):
                try:
                    new = _send_one(app, entry)
                except BrueckeError as exc:
                    from crm.messages import error_message

                    reason = error_message(exc)
                    report.refused[entry.uid] = reason
                    self._mark(entry.uid, error=reason)
                    continue
                (report.sent if new else report.already).append(entry.uid)
                self._mark(entry.uid, sent=True)
        return report

    def _mark(self, uid: str, *, sent: bool = False, error: str | None = None) -> None:
        values: dict[str, Any] = {"attempts": OUTBOX.c.attempts + 1, "error": error}
        if sent:
            values["sent_at"] = datetime.now(UTC).isoformat()
        with self._engine.begin() as conn:
            conn.execute(update(OUTBOX).where(OUTBOX.c.uid == uid).values(**values))


def _entry(row: Any) -> OutboxEntry:
    data = json.loads(row["payload"])
    if row["kind"] == "follow_up":
        return OutboxEntry(
            row["uid"], FollowUpInput(date.fromisoformat(data["due"]), data["text"],
                                      data["assignee"]),
            row["staff"], datetime.fromisoformat(row["queued_at"]),
            datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
            row["error"], "follow_up",
            {"person": data["person"], "organisation": data["organisation"]})
    log_input = LogInput(
        kind=data["kind"], subject=data["subject"], participants=tuple(data["participants"]),
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        organisations=(None if data["organisations"] is None
                       else tuple(data["organisations"])),
        municipality=data["municipality"], notes=data["notes"],
        duration_minutes=data["duration_minutes"], project=data["project"],
        follow_ups=tuple(FollowUpInput(date.fromisoformat(d) if d else d, text, who)
                         for d, text, who in data["follow_ups"]))
    return OutboxEntry(row["uid"], log_input, row["staff"],
                       datetime.fromisoformat(row["queued_at"]),
                       datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
                       row["error"])


def _send_one(app: App, entry: OutboxEntry) -> bool:
    """Send one entry; True if it is new on the server, False if it was there already."""
    if entry.kind == "follow_up":
        assert isinstance(entry.data, FollowUpInput)
        data = entry.data
        return _send(lambda: app.followups.get(entry.uid),
                     lambda: app.followups.add(data, uid=entry.uid, **entry.links))
    assert isinstance(entry.data, LogInput)
    logged = entry.data
    return _send(lambda: app.interactions.get(entry.uid),
                 lambda: app.interactions.log(logged, uid=entry.uid))


def _send(find: Callable[[], object], write: Callable[[], object]) -> bool:
    """Write an entry under its offline-made uid (the service compares it with a record
    already there under that uid); True if it is new on the server."""
    try:
        find()
        existed = True
    except NotFoundError:
        existed = False
    try:
        write()
    except ValidationError as exc:
        if "record" not in exc.errors:
            raise
        # Two senders at once: the other one's insert won the uid; compare with it.
        write()
        existed = True
    return not existed


# -- offline mode ----------------------------------------------------------------------------

@dataclass
class OfflineState:
    """``app.offline`` of an app running on the offline copy."""

    server: str  # the server's URL (password included: needed to reconnect)
    snapshot: SnapshotInfo
    outbox: Outbox
    staff: str | None = None

    @property
    def taken_at_local(self) -> datetime:
        return self.snapshot.taken_at.astimezone()

    def pending(self) -> int:
        return self.outbox.pending()

    def watch_server(self, on_back: Callable[[SendReport], None], *,
                     interval: float = 15.0,
                     prefs: Preferences | None = None) -> ServerWatcher:
        """Try the server every ``interval`` seconds; once it answers, send the outbox
        and call ``on_back(report)`` (on the watcher's thread)."""
        return ServerWatcher(self, on_back, interval=interval, prefs=prefs).start()


class OfflineInteractions:
    """The interaction service of an offline app: reading from the copy, the quick log
    into the outbox (the rest of the interface as usual)."""

    def __init__(self, inner: Any, outbox: Outbox, staff: str | None) -> None:
        self._inner = inner
        self._outbox = outbox
        self._staff = staff

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def log(self, data: LogInput, *, now: datetime | None = None,
            uid: str | None = None) -> InteractionDetail:
        # Checked against the copy first: unknown people are refused now, not later.
        suggestion = self._inner.suggest(data.participants, data.occurred_at or now,
                                         data.organisations)
        uid = self._outbox.queue_log(data, staff=self._staff, now=now, uid=uid)
        when = parse_moment("date", data.occurred_at, now=now)
        stamp = datetime.now(UTC)
        return InteractionDetail(
            uid=uid, kind=data.kind, occurred_at=when, date=local_date(when),
            duration_minutes=data.duration_minutes, subject=data.subject, notes=data.notes,
            participants=suggestion.participants, organisations=suggestion.organisations,
            municipality=suggestion.municipality, project=None, logged_by=self._staff,
            follow_ups=(), version=0, created_at=stamp, updated_at=stamp)


class OfflineFollowUps:
    """The follow-up service of an offline app: reading from the copy, new follow-ups
    into the outbox; marking done, rescheduling and reassigning are refused (read-only)."""

    def __init__(self, inner: Any, outbox: Outbox, staff: str | None, copy: App) -> None:
        self._inner = inner
        self._outbox = outbox
        self._staff = staff
        self._copy = copy  # to check people and organisations against

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def add(self, data: FollowUpInput, *, interaction: str | None = None,
            person: str | None = None, organisation: str | None = None,
            uid: str | None = None, now: datetime | None = None) -> FollowUpRow:
        if interaction is not None:  # the copy refuses: they go with an interaction's log
            return self._inner.add(data, interaction=interaction, person=person,  # type: ignore[no-any-return]
                                   organisation=organisation)
        today = (now or datetime.now().astimezone()).date()
        due = parse_day("due", data.due, today=today, direction="future")
        text = clean_follow_up_text(data.text)
        if due is None:
            raise ValidationError.single("due", "required")
        # Checked against the copy first: unknown people are refused now, not later.
        people: tuple[Ref, ...] = ()
        org = None
        if person:
            found = self._copy.people.get(person)
            person, people = found.uid, (Ref(found.uid, found.name),)
        if organisation:
            found_org = self._copy.organisations.get(organisation)
            organisation, org = found_org.uid, Ref(found_org.uid, found_org.name)
        assignee = (data.assignee or self._staff or "").strip().upper() or None
        uid = self._outbox.queue_follow_up(
            FollowUpInput(due, text, assignee), person=person, organisation=organisation,
            staff=self._staff, now=now, uid=uid)
        return FollowUpRow(uid=uid, due=due, text=text, assignee=assignee, assignee_name=None,
                           done=False, done_at=None, interaction=None, interaction_date=None,
                           people=people, organisation=org, version=0)


def server_unreachable(exc: BaseException) -> bool:
    """Whether opening failed because the server cannot be reached (not a wrong setting)."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or dialect.is_connection_failure(exc.orig)
    if isinstance(exc, DatabaseError):
        return exc.code in ("operational", "unreachable")
    return isinstance(exc, OSError)


def open_offline(target: str, *, staff: str | None = None, prefs: Preferences | None = None,
                 staff_name: str | None = None) -> App:
    """The offline copy of ``target``, read-only, with its outbox (``app.offline``)."""
    from crm.app import open_app

    info = snapshot_info(target)
    if info is None:
        raise DatabaseError("no_offline_copy", resolve_url(target).render_as_string(
            hide_password=True))
    app = open_app(info.path, staff=staff, prefs=prefs, staff_name=staff_name)
    app.set_read_only()
    initials = app.current_staff.initials if app.current_staff else staff
    outbox = Outbox(outbox_path(target))
    app.offline = OfflineState(target, info, outbox, initials)
    app.interactions = OfflineInteractions(app.interactions, outbox,  # type: ignore[assignment]
                                           initials)
    app.followups = OfflineFollowUps(app.followups, outbox,  # type: ignore[assignment]
                                     initials, app)
    return app


def open_with_offline_fallback(target: str | None, *, staff: str | None = None,
                               prefs: Preferences | None = None,
                               staff_name: str | None = None,
                               passphrase: str | None = None) -> App:
    """Open ``target`` (see crm.app.open_app); a server that cannot be reached opens its
    offline copy instead, if there is one. Online, entries queued earlier are sent."""
    from crm.app import database_target, open_app
    from crm.config import load_preferences

    prefs = prefs or load_preferences()
    where = database_target(target, prefs)
    try:
        app = open_app(where, staff=staff, prefs=prefs, staff_name=staff_name,
                       passphrase=passphrase)
    except Exception as exc:
        if not is_server(where) or not server_unreachable(exc) or snapshot_info(where) is None:
            raise
        log.warning("server unreachable, opening the offline copy: %s", exc)
        return open_offline(where, staff=staff, prefs=prefs, staff_name=staff_name)
    if is_server(where) and outbox_path(where).exists():
        with _outbox(where) as outbox:
            if outbox.pending():
                app.outbox_report = outbox.send(app)
    return app


def start_offline_copy(app: App, *, interval: float = 900.0) -> SnapshotKeeper | None:
    """A server database: keep its offline copy current from now on (``app.offline_copy``;
    ``app.close()`` stops it)."""
    if app.offline is not None or app.db.path is not None or not is_server(app.db.url):
        return None
    app.offline_copy = SnapshotKeeper(app, interval=interval).start()
    return app.offline_copy


@contextlib.contextmanager
def _outbox(target: str) -> Iterator[Outbox]:
    outbox = Outbox(outbox_path(target))
    try:
        yield outbox
    finally:
        outbox.close()


class ServerWatcher:
    """Offline: waits for the server, then sends the outbox (see OfflineState)."""

    def __init__(self, state: OfflineState, on_back: Callable[[SendReport], None], *,
                 interval: float, prefs: Preferences | None) -> None:
        self._state = state
        self._on_back = on_back
        self._interval = interval
        self._prefs = prefs
        self._stop = threading.Event()
        self.report: SendReport | None = None
        self._thread = threading.Thread(target=self._run, name="bruecke-server-watch",
                                        daemon=True)

    def start(self) -> ServerWatcher:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        from crm.app import open_app

        while not self._stop.wait(self._interval):
            try:
                app = open_app(self._state.server, staff=self._state.staff, prefs=self._prefs)
            except Exception as exc:  # noqa: BLE001 - still away
                log.debug("server still unreachable: %s", exc)
                continue
            try:
                self.report = self._state.outbox.send(app)
            finally:
                app.close()
            self._on_back(self.report)
            return
