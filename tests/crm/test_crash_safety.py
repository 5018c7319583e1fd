"""A writing process killed at random moments (SIGKILL) loses nothing it reported saved,
and leaves a database that opens and passes the integrity check."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crm import integrity
from crm.app import open_app

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 12
WRITER = """
import sys
from crm.app import open_app
from crm.services.activity_rows import LogInput
from crm.services.people import PersonInput

app = open_app(sys.argv[1], staff="TS")
other = app.people.create(PersonInput(full_name="Begleitung " + sys.argv[2])).uid
print("person", other, flush=True)
for n in range(10_000):
    uid = app.people.create(PersonInput(full_name=f"Person {sys.argv[2]}-{n}",
                                        notes="x" * 2000)).uid
    print("person", uid, flush=True)  # only after the commit
    saved = app.interactions.log(LogInput(kind="call", occurred_at="2025-01-01 10:00",
                                          subject=f"Anruf {n}", participants=[uid, other]))
    print("interaction", saved.uid, flush=True)
"""


def test_killed_writers_lose_nothing_reported(db_path: Path, seeded_template: Path) -> None:
    db_path.write_bytes(seeded_template.read_bytes())
    rng = random.Random(4711)
    reported: list[tuple[str, str]] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for round_ in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(round_)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the writer runs: kill it somewhere after this
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out = first + proc.stdout.read()
        proc.wait(timeout=30)
        # A line cut off by the kill is not a report.
        lines = [line for line in out.splitlines(keepends=True) if line.endswith("\n")]
        reported += [tuple(line.split()) for line in lines]  # type: ignore[misc]
        findings = integrity.check_file(db_path)
        assert findings == [], (round_, findings)
    assert len(reported) > ROUNDS
    with sqlite3.connect(db_path) as conn:
        persons = {r[0] for r in conn.execute("SELECT uid FROM person")}
        interactions = {r[0] for r in conn.execute("SELECT uid FROM interaction")}
    for kind, uid in reported:
        assert uid in (persons if kind == "person" else interactions), (kind, uid)
    app = open_app(db_path, staff="TS")  # opens, and the search index agrees with the data
    try:
        assert integrity.check(db_path, app.db.sessions).ok
    finally:
        app.close()
