"""``check``: an intact database, broken references, a stale search index, a damaged file."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from crm import integrity
from crm.cli import main
from crm.services.people import PersonInput


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_a_healthy_database_is_in_order(app) -> None:  # noqa: ANN001
    app.people.create(PersonInput(full_name="Anna Şahin"))
    report = integrity.check(app.db.path, app.db.sessions)
    assert report.ok
    assert integrity.report_lines(report) == [integrity.report_lines(report)[0]]


def test_broken_reference_and_stale_index_are_found_and_the_index_rebuilt(app) -> None:  # noqa: ANN001
    uid = app.people.create(PersonInput(full_name="Anna Şahin")).uid
    app.close()
    with sqlite3.connect(app.db.path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO person_tag (person_id, tag_id) VALUES (9999, 1)")
        conn.execute("UPDATE person SET full_name = 'Bilal' WHERE uid = ?", (uid,))
    code, out, err = run("check", "--json", "--db", str(app.db.path))
    data = json.loads(out)
    assert code == 1 and not data["ok"] and err
    assert {f["code"] for f in data["findings"]} == {"foreign_key"}
    with sqlite3.connect(app.db.path) as conn:
        conn.execute("DELETE FROM person_tag WHERE person_id = 9999")
    code, out, _err = run("check", "--db", str(app.db.path))
    assert code == 1 and ("Suchindex" in out or "search index" in out)
    code, out, _err = run("check", "--rebuild-index", "--json", "--db", str(app.db.path))
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["index_rebuilt"]


def test_a_damaged_file_is_reported_not_changed(app, tmp_path: Path) -> None:  # noqa: ANN001
    app.close()
    damaged = tmp_path / "damaged.db"
    data = bytearray(app.db.path.read_bytes())
    page = 4096
    data[page * 3: page * 3 + 200] = b"\xff" * 200  # garbage over a b-tree page
    damaged.write_bytes(bytes(data))
    before = damaged.read_bytes()
    findings = integrity.check_file(damaged)
    assert findings and findings[0].code == "damaged"
    code, out, _err = run("check", "--db", str(damaged))
    assert code == 1 and out.strip()
    assert damaged.read_bytes() == before
