"""Log an interaction: p95 of ``app.interactions.log`` with three participants and a
follow-up, on a private copy of the largest set, against a raw sqlite3 insert of the same
rows (interaction, participants, organisations, follow-up) in one transaction, on a
connection with Brücke's own pragmas.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.cases import Context, interleaved, open_app, percentile, private_copy, rng
from bench.report import Entry

NAME = "log an interaction"
TARGET = 30.0
PARTICIPANTS = 3
WHEN = datetime(2026, 10, 20, 9, 30, tzinfo=UTC)


def run(ctx: Context) -> Entry:
    from crm.services.activity_rows import FollowUpInput, LogInput

    size = ctx.largest
    path = private_copy(ctx, size, "log")
    groups = _participants(path, ctx.repeat(101, 12))
    app = open_app(ctx, path)
    raw = _raw_connection(path, app)
    due = date.today() + timedelta(days=14)
    try:
        turn = {"ours": 0, "theirs": 0}

        def ours() -> None:
            people = groups[turn["ours"] % len(groups)]
            turn["ours"] += 1
            app.interactions.log(LogInput(
                kind="meeting", subject=f"Abstimmung Netzwerktreffen {turn['ours']}",
                participants=[p["uid"] for p in people], occurred_at=WHEN,
                notes="Termin und Tagesordnung besprochen.", duration_minutes=45,
                follow_ups=[FollowUpInput(due, "Protokoll verschicken")]))

        def theirs() -> None:
            people = groups[turn["theirs"] % len(groups)]
            turn["theirs"] += 1
            _raw_log(raw, people, due, turn["theirs"])

        ours()
        theirs()  # warm-up
        runs = len(groups) - 1
        app_times, raw_times = interleaved(ours, theirs, runs)
    finally:
        app.close()
        raw.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    return Entry(NAME, percentile(app_times, 95), "s", percentile(raw_times, 95), TARGET,
                 dataset=size, details={
                     "p50_ms": percentile(app_times, 50) * 1000,
                     "p95_ms": percentile(app_times, 95) * 1000,
                     "raw_p95_ms": percentile(raw_times, 95) * 1000, "runs": runs})


def _participants(path: Path, count: int) -> list[list[dict[str, Any]]]:
    """``count`` groups of persons holding a current role (with the role's organisation)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT p.id, p.uid, r.id, r.title, r.organisation_id, o.municipality_id "
            "FROM person p JOIN role r ON r.person_id = p.id "
            "JOIN organisation o ON o.id = r.organisation_id "
            "WHERE p.archived_at IS NULL AND r.end_date IS NULL "
            "GROUP BY p.id ORDER BY p.id").fetchall()
        staff = conn.execute("SELECT id FROM staff_member WHERE initials = 'BE'").fetchone()
    finally:
        conn.close()
    keys = ("id", "uid", "role_id", "title", "organisation_id", "municipality_id")
    people = [dict(zip(keys, row, strict=True)) | {"staff": staff[0] if staff else None}
              for row in rows]
    pick = rng("log")
    return [pick.sample(people, PARTICIPANTS) for _ in range(count)]


PRAGMAS = ("foreign_keys", "busy_timeout", "journal_mode", "synchronous",
           "wal_autocheckpoint", "cache_size", "temp_store", "mmap_size")


def _raw_connection(path: Path, app: Any) -> sqlite3.Connection:
    """A plain connection set up with the pragmas Brücke's own connections have (read from
    one of them, so the baseline follows crm.persistence.dialect)."""
    with app.db.engine.connect() as brucke:
        values = {name: brucke.exec_driver_sql(f"PRAGMA {name}").scalar() for name in PRAGMAS}
    conn = sqlite3.connect(path, isolation_level=None)
    for name, value in values.items():
        conn.execute(f"PRAGMA {name}={value}")
    return conn


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _raw_log(conn: sqlite3.Connection, people: list[dict[str, Any]], due: date,
             number: int) -> None:
    now = _stamp(datetime.now(UTC))
    staff = people[0]["staff"]
    conn.execute("BEGIN")
    try:
        cursor = conn.execute(
            "INSERT INTO interaction (kind, occurred_at, duration_minutes, subject, notes, "
            "municipality_id, logged_by_id, project_id, uid, created_at, updated_at, version) "
            "VALUES ('meeting', ?, 45, ?, ?, ?, ?, NULL, ?, ?, ?, 1)",
            (_stamp(WHEN), f"Abstimmung Netzwerktreffen {number}",
             "Termin und Tagesordnung besprochen.", people[0]["municipality_id"], staff,
             str(uuid.uuid4()), now, now))
        interaction = cursor.lastrowid
        conn.executemany(
            "INSERT INTO interaction_participant (interaction_id, person_id, role_id, "
            "role_title, organisation_id) VALUES (?, ?, ?, ?, ?)",
            [(interaction, p["id"], p["role_id"], p["title"], p["organisation_id"])
             for p in people])
        conn.executemany(
            "INSERT INTO interaction_organisation (interaction_id, organisation_id) "
            "VALUES (?, ?)",
            [(interaction, org) for org in dict.fromkeys(p["organisation_id"] for p in people)])
        conn.execute(
            "INSERT INTO follow_up (due_on, text, assignee_id, done_at, interaction_id, "
            "person_id, organisation_id, uid, created_at, updated_at, version) "
            "VALUES (?, 'Protokoll verschicken', ?, NULL, ?, ?, ?, ?, ?, ?, 1)",
            (due.isoformat(), staff, interaction, people[0]["id"],
             people[0]["organisation_id"], str(uuid.uuid4()), now, now))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
