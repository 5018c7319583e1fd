"""Several people at once on one PostgreSQL server (issue 10).

Two client processes log interactions at the same time through the command line (the
cluster's Unix socket, nothing else); none may be lost. Two people saving the same record
at once: one save wins, the other reports a ConflictError with both versions and nothing
is overwritten.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from crm.app import open_app
from crm.domain import AuditEntry, Interaction
from crm.errors import ConflictError

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 40

# One process, many ``python -m crm log`` commands in a row (main() in-process: a new
# interpreter per entry would take half a second each). Prints one uid per line.
WORKER = """
import io, json, sys
from contextlib import redirect_stdout
from crm.cli import main
url, staff, person, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for n in range(rounds):
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["log", "--db", url, "--as", staff, "--json", "--kind", "call",
                     "--with", person, "--subject", f"{staff} {n}"])
    if code != 0:
        sys.exit(code)
    sys.stdout.write(json.loads(out.getvalue())["uid"] + "\\n")
    sys.stdout.flush()
"""


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("BRUECKE_DB", None)
    env.update(BRUECKE_CONFIG=str(home / "config.json"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"))
    return env


def test_two_clients_log_concurrently_and_none_is_lost(pg_url: str, tmp_path: Path) -> None:
    setup = open_app(pg_url, staff="TS")
    try:
        person = setup.people.save(None, {"full_name": "Olena Shevchenko"}).uid
        before = setup.interactions.timeline_count(person=person)
    finally:
        setup.close()
    env = _environment(tmp_path)
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, pg_url, staff, person,
                                 str(ROUNDS)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
               for staff in ("AB", "CD")]
    outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    reported = [line for out, _err in outputs for line in out.split()]
    assert len(reported) == len(set(reported)) == 2 * ROUNDS

    check = open_app(pg_url, staff="TS")
    try:
        with check.db.sessions() as session:
            stored = set(session.scalars(select(Interaction.uid)))
            by_staff = dict(session.execute(
                select(AuditEntry.record_uid, AuditEntry.staff_id)
                .where(AuditEntry.record_type == "interaction",
                       AuditEntry.action == "create")).all())
        assert set(reported) <= stored
        assert check.interactions.timeline_count(person=person) == before + 2 * ROUNDS
        # The audit log records who logged what: each entry by its own client.
        ids = {check.staff.id_of(s) for s in ("AB", "CD")}
        assert {by_staff[uid] for uid in reported} == ids
        subjects = {e.subject for e in check.interactions.timeline(person=person, limit=500)}
        assert {f"{s} {n}" for s in ("AB", "CD") for n in range(ROUNDS)} <= subjects
    finally:
        check.close()


def test_concurrent_edits_of_one_record_report_a_conflict_with_both_versions(
        pg_url: str) -> None:
    first, second = open_app(pg_url, staff="AB"), open_app(pg_url, staff="CD")
    try:
        opened = first.people.save(None, {"full_name": "Lena Roth", "notes": "start"})
        for round_ in range(10):
            seen = first.people.get(opened.uid)  # both opened the same version
            barrier = threading.Barrier(2)
            results: dict[str, object] = {}

            def save(app, who: str, version: int = seen.version,  # noqa: ANN001
                     barrier: threading.Barrier = barrier, results: dict = results,
                     round_: int = round_) -> None:
                barrier.wait()
                try:
                    results[who] = app.people.save(
                        opened.uid, {"notes": f"{who} {round_}"}, expected_version=version)
                except ConflictError as exc:
                    results[who] = exc

            threads = [threading.Thread(target=save, args=(app, who))
                       for app, who in ((first, "AB"), (second, "CD"))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            conflicts = {w: r for w, r in results.items() if isinstance(r, ConflictError)}
            saved = {w: r for w, r in results.items() if not isinstance(r, ConflictError)}
            assert len(conflicts) == 1 and len(saved) == 1, results
            (loser, conflict), (winner, detail) = (*conflicts.items(), *saved.items())
            assert conflict.kind == "person" and conflict.uid == opened.uid
            assert conflict.mine == {"notes": f"{loser} {round_}"}
            assert conflict.theirs == {"notes": f"{winner} {round_}"}
            now = first.people.get(opened.uid)
            assert conflict.version == now.version == detail.version  # type: ignore[attr-defined]
            assert now.notes == f"{winner} {round_}"  # nothing overwritten
    finally:
        first.close()
        second.close()


def test_concurrent_quick_logs_in_threads_all_land(pg_url: str) -> None:
    """The same in one process: two apps, two threads, each its own connections."""
    from crm.services.activity_rows import LogInput

    apps = [open_app(pg_url, staff=s) for s in ("AB", "CD")]
    try:
        person = apps[0].people.save(None, {"full_name": "Bilal Nguyen"}).uid
        rounds = 30
        uids: list[str] = []
        errors: list[BaseException] = []

        def run(app, staff: str) -> None:  # noqa: ANN001
            try:
                for n in range(rounds):
                    uids.append(app.interactions.log(LogInput(
                        kind="meeting", subject=f"{staff} {n}", participants=[person])).uid)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(a, s))
                   for a, s in zip(apps, ("AB", "CD"), strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        with apps[0].db.sessions() as session:
            count = session.scalar(select(func.count(Interaction.id)).where(
                Interaction.uid.in_(uids)))
        assert count == len(set(uids)) == 2 * rounds
    finally:
        for app in apps:
            app.close()
