"""The command line for logging: ``log``, ``tasks``, ``event``, ``project`` and the
interactions in ``person show`` / ``org show``. Each command runs in a real subprocess.

People and organisations are set up in-process on the same database file (fast); the
commands under test run through ``python -m crm``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.domain import FollowUp, Interaction
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cli:
    db: Path
    config: Path

    def run(self, *args: str, staff: str = "TS") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "BRUECKE_CONFIG": str(self.config), "PYTHONIOENCODING": "utf-8"}
        env.pop("BRUECKE_DB", None)
        return subprocess.run(
            [sys.executable, "-m", "crm", "--db", str(self.db), "--as", staff, *args],
            capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120)

    def json(self, *args: str, staff: str = "TS"):  # noqa: ANN201 - parsed JSON
        result = self.run(*args, "--json", staff=staff)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@dataclass
class Network:
    cli: Cli
    app: object
    org: str
    anna: str
    bilal: str


@pytest.fixture
def net(tmp_path: Path, app) -> Network:  # noqa: ANN001
    org = app.organisations.create(OrganisationInput(
        name="Stadtverwaltung Gera", kind="administration", municipality="16052")).uid
    anna = app.people.create(PersonInput(full_name="Anna Şahin", tags=["Modellkommune"])).uid
    bilal = app.people.create(PersonInput(full_name="Bilal Nguyễn")).uid
    app.roles.add(anna, org, "Integrationsbeauftragte:r", since="2020-01-01")
    app.roles.add(bilal, org, "Referent:in", since="2021-01-01")
    app.staff.ensure("MK", "Mira Krause")
    cli = Cli(app.db.path, tmp_path / "config.json")
    return Network(cli, app, org, anna, bilal)


def _counts(app) -> tuple[int, int]:  # noqa: ANN001
    with app.db.sessions() as session:
        return (int(session.scalar(select(func.count()).select_from(Interaction)) or 0),
                int(session.scalar(select(func.count()).select_from(FollowUp)) or 0))


def _fails(result: subprocess.CompletedProcess[str], status: int = 1) -> str:
    assert result.returncode == status, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    if status == 1:
        assert len(lines) == 1, result.stderr  # one translated line, no traceback
        assert result.stdout == ""
    return result.stderr


def test_log_round_trip_with_follow_up_project_and_show(net: Network) -> None:
    cli, app = net.cli, net.app
    project = cli.json("project", "add", "Kommunen im Dialog", "--from", "2025-01-01",
                       "--to", "31.12.2026", "--number", "TMASGFF-42")["uid"]
    assert [p["name"] for p in cli.json("project", "list")] == ["Kommunen im Dialog"]
    notes = "<script>alert('x')</script> Müller & Söhne"
    created = cli.json(
        "log", "--kind", "meeting", "--with", "Anna Şahin", "--with", net.bilal,
        "--date", "2026-03-02T10:00", "--subject", "Beiratssitzung", "--notes", notes,
        "--follow-up", "2026-03-20", "Protokoll schicken", "--project", "Kommunen im Dialog")
    uid = created["uid"]
    detail = app.interactions.get(uid)  # type: ignore[attr-defined]
    assert detail.notes == notes
    assert [(p.name, p.role_title) for p in detail.participants] == [
        ("Anna Şahin", "Integrationsbeauftragte:r"), ("Bilal Nguyễn", "Referent:in")]
    assert detail.project is not None and detail.project.uid == project
    assert json.loads(cli.config.read_text("utf-8"))["last_project_uid"] == project

    person = cli.json("person", "show", net.anna)
    assert person["interactions"] == [{"uid": uid, "date": "2026-03-02", "kind": "meeting",
                                       "subject": "Beiratssitzung"}]
    org = cli.json("org", "show", net.org)
    assert [i["uid"] for i in org["interactions"]] == [uid]

    tasks = cli.json("tasks")
    assert [(t["due"], t["text"], t["assignee"], t["done"]) for t in tasks] == [
        ("2026-03-20", "Protokoll schicken", "TS", False)]
    assert set(tasks[0]) >= {"uid", "due", "text", "assignee", "done"}
    assert cli.json("tasks", "--mine", staff="MK") == []
    done = cli.json("task", "done", tasks[0]["uid"])
    assert done["done"] is True
    assert cli.json("tasks") == []
    assert [t["done"] for t in cli.json("tasks", "--done")] == [True]

    text = cli.run("history", "--person", net.bilal)
    assert text.returncode == 0 and "Beiratssitzung" in text.stdout


def test_plain_output_is_the_uid_and_long_notes_come_from_a_file(net: Network,
                                                                 tmp_path: Path) -> None:
    notes = ("Zeile mit <b>Markup</b> & Umlauten: äöü ß – Олена\n" * 2200).strip()
    assert len(notes.encode("utf-8")) > 100_000
    path = tmp_path / "notizen.txt"
    path.write_text(notes, encoding="utf-8")
    result = net.cli.run("log", "--kind", "call", "--with", net.anna, "--subject", "Anruf",
                         "--notes-file", str(path), "--date", "gestern")
    assert result.returncode == 0, result.stderr
    uid = result.stdout.strip()
    assert net.app.interactions.get(uid).notes == notes  # type: ignore[attr-defined]


@pytest.mark.parametrize(("args", "status"), [
    (("--with", "Niemand Unbekannt"), 1),  # a participant that does not exist
    (("--date", "31.02.2026"), 1),
    (("--notes-file", "/nonexistent/notes.txt"), 1),
    (("--follow-up", "30.02.2026", "x"), 1),
    (("--kind-missing",), 2),  # unknown option: a usage error
])
def test_errors_write_nothing(net: Network, args: tuple[str, ...], status: int) -> None:
    base = ["log", "--kind", "meeting", "--with", net.anna, "--subject", "Treffen"]
    if args == ("--kind-missing",):
        base = ["log", "--with", net.anna, "--subject", "Treffen"]
        args = ()
    message = _fails(net.cli.run(*base, *args), status)
    assert _counts(net.app) == (0, 0)
    if args and args[0] == "--date":
        assert "31.02.2026" in message
    if args and args[0] == "--with":
        assert "Niemand Unbekannt" in message


def test_event_round_trip(net: Network) -> None:
    cli, app = net.cli, net.app
    event = cli.json("event", "add", "Fachtagung Teilhabe", "--kind", "fachtagung",
                     "--date", "2026-05-12T10:00", "--municipality", "Gera",
                     "--venue", "Rathaus Gera")["uid"]
    guest = app.people.create(PersonInput(full_name="Piotr Wróbel")).uid  # type: ignore[attr-defined]
    invited = cli.json("event", "invite", event, net.bilal, guest)
    assert len(invited["added"]) == 2
    by_tag = cli.json("event", "invite", event, "--tag", "Modellkommune")
    assert by_tag["added"] == [net.anna]
    attended = cli.run("event", "attend", "Fachtagung Teilhabe", net.anna, guest)
    assert attended.returncode == 0, attended.stderr
    shown = cli.json("event", "show", event)
    assert {a["name"]: a["status"] for a in shown["attendees"]} == {
        "Anna Şahin": "attended", "Bilal Nguyễn": "invited", "Piotr Wróbel": "attended"}
    assert all(set(a) >= {"uid", "name", "status"} for a in shown["attendees"])
    _fails(cli.run("event", "invite", event), 2)  # neither persons nor --tag
    _fails(cli.run("event", "attend", event, "Niemand Unbekannt"), 1)
