"""The command line, end to end: ``python -m crm`` in a subprocess, plus main() in-process.

One subprocess costs about half a second, so the shared network below is built in-process
and the subprocess calls check what scripts rely on: exit status, stdout, stderr.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from crm.cli import main
from crm.i18n import set_language
from crm.messages import field_message

ROOT = Path(__file__).resolve().parents[2]
CYRILLIC = "Олена Шевченко"
ARABIC = "محمد الأحمد"
VIETNAMESE = "Nguyễn Thị Minh Khai"


# -- helpers ---------------------------------------------------------------------------


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("BRUECKE_DB", None)
    env.update(BRUECKE_CONFIG=str(home / "config.json"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"))
    return env


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _environment(tmp_path_factory.mktemp("cli-home"))


def bruecke(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m crm ARGS`` as a script would run it."""
    return subprocess.run([sys.executable, "-m", "crm", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def ok_json(*args: str) -> Any:
    code, out, err = in_process(*args, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def assert_user_error(result: subprocess.CompletedProcess[str]) -> str:
    """Exit status 1, nothing on stdout, one line on stderr and no traceback."""
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# -- a small network, built once -------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def net(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """On each engine: a SQLite file the first command creates, or a PostgreSQL database
    copied from the seeded template (what ``init`` would make of an empty one)."""
    home = tmp_path_factory.mktemp("net-home")
    db = str(home / "network.db")
    cluster = None
    if request.param == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        cluster.drop_database("bruecke_cli_net")
        db = cluster.create_database("bruecke_cli_net",
                                     template=request.getfixturevalue("pg_template"))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in _environment(home).items():
            mp.setenv(key, value)
        gera = ok_json("org", "add", "Stadtverwaltung Gera", "--kind", "administration",
                       "--municipality", "16052", "--email", "integration@gera.de",
                       "--phone", "0365 838-0", "--postal", "Kornmarkt 12, 07545 Gera",
                       "--tag", "Modellkommune", "--db", db)["uid"]
        jena = ok_json("org", "add", "Migrationsbeirat Jena", "--kind", "council",
                       "--municipality", "Jena", "--db", db)["uid"]
        olena = ok_json("person", "add", CYRILLIC, "--transliteration", "Olena Shevchenko",
                        "--salutation", "frau", "--email", "olena@example.org",
                        "--phone", "+49 361 1234567", "--postal", "Anger 1, 99084 Erfurt",
                        "--tag", "Modellkommune", "--org", "Stadtverwaltung Gera",
                        "--role", "Integrationsbeauftragte", "--since", "01.03.2024",
                        "--db", db)["uid"]
        schmidt = ok_json("person", "add", "Anna Schmidt", "--db", db)["uid"]
        mueller = ok_json("person", "add", "Anna Müller", "--tag", "Presse", "--db", db)["uid"]
        set_language("de")
        yield {"db": db, "gera": gera, "jena": jena, "olena": olena, "schmidt": schmidt,
               "mueller": mueller, "env": _environment(home)}
    if cluster is not None:
        cluster.drop_database("bruecke_cli_net")


def counts(db: str) -> tuple[int, int]:
    """Persons and organisations in the database (a file or a URL), read without the CLI."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return (conn.scalar(text("SELECT count(*) FROM person")) or 0,
                    conn.scalar(text("SELECT count(*) FROM organisation")) or 0)
    finally:
        engine.dispose()


# -- init and municipalities -----------------------------------------------------------


def test_init_creates_the_database_and_says_where(env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "sub" / "new.db"
    result = bruecke(env, "init", "--json", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"database": str(db), "created": True, "backup": None}
    assert db.is_file()
    again = bruecke(env, "--db", str(db), "init")
    assert again.returncode == 0, again.stderr
    assert str(db) in again.stdout


def test_municipality_list_json_has_state_districts_and_towns(net: dict[str, Any]) -> None:
    result = bruecke(net["env"], "municipality", "list", "--json", "--db", net["db"])
    assert result.returncode == 0, result.stderr
    places = json.loads(result.stdout)
    assert isinstance(places, list)
    levels = [p["level"] for p in places]
    assert levels.count("state") == 1
    assert levels.count("district") + levels.count("independent-city") == 22
    assert levels.count("municipality") > 500
    gera = next(p for p in places if p["ags"] == "16052")
    assert (gera["name"], gera["level"]) == ("Gera", "independent-city")
    assert all({"uid", "ags", "name", "level"} <= set(p) for p in places)


# -- organisations, persons, roles -----------------------------------------------------


def test_org_show_json(net: dict[str, Any]) -> None:
    result = bruecke(net["env"], "org", "show", "Stadtverwaltung Gera", "--json",
                     "--db", net["db"])
    assert result.returncode == 0, result.stderr
    org = json.loads(result.stdout)
    assert org["uid"] == net["gera"]
    assert (org["name"], org["kind"]) == ("Stadtverwaltung Gera", "administration")
    assert org["municipality"]["name"] == "Gera"
    points = {(cp["kind"], cp["value"], cp["label"]) for cp in org["contact_points"]}
    assert points == {("email", "integration@gera.de", "work"),
                      ("phone", "+493658380", "work"),
                      ("postal", "Kornmarkt 12, 07545 Gera", "work")}
    assert org["tags"] == ["Modellkommune"]
    assert [(r["person"]["uid"], r["title"], r["current"]) for r in org["roles"]] == [
        (net["olena"], "Integrationsbeauftragte", True)]


def test_person_add_with_everything_and_show_json(net: dict[str, Any]) -> None:
    result = bruecke(net["env"], "person", "show", net["olena"], "--json", "--db", net["db"])
    assert result.returncode == 0, result.stderr
    person = json.loads(result.stdout)
    assert {"uid", "name", "contact_points", "roles", "tags"} <= set(person)
    assert (person["uid"], person["name"]) == (net["olena"], CYRILLIC)
    assert (person["transliteration"], person["salutation"]) == ("Olena Shevchenko", "frau")
    assert {(cp["kind"], cp["value"]) for cp in person["contact_points"]} == {
        ("email", "olena@example.org"), ("phone", "+493611234567"),
        ("postal", "Anger 1, 99084 Erfurt")}
    assert all(cp["label"] == "work" for cp in person["contact_points"])
    [role] = person["roles"]
    assert role["organisation"] == {"uid": net["gera"], "name": "Stadtverwaltung Gera"}
    assert (role["title"], role["since"], role["until"], role["current"]) == (
        "Integrationsbeauftragte", "2024-03-01", None, True)
    assert person["tags"] == ["Modellkommune"]


def test_role_add_and_end_set_the_current_flag(net: dict[str, Any]) -> None:
    env, db = net["env"], net["db"]
    added = bruecke(env, "role", "add", "Anna Schmidt", "Migrationsbeirat Jena",
                    "--title", "Vorsitzende", "--since", "2020-01-01", "--json", "--db", db)
    assert added.returncode == 0, added.stderr
    role_uid = json.loads(added.stdout)["uid"]
    [role] = ok_json("person", "show", net["schmidt"], "--db", db)["roles"]
    assert (role["uid"], role["current"]) == (role_uid, True)

    ended = bruecke(env, "role", "end", net["schmidt"], "Jena", "--on", "31.12.2023",
                    "--json", "--db", db)
    assert ended.returncode == 0, ended.stderr
    [role] = json.loads(ended.stdout)
    assert (role["uid"], role["until"], role["current"]) == (role_uid, "2023-12-31", False)

    shown = bruecke(env, "person", "show", "Anna Schmidt", "--lang", "en", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "Vorsitzende, Migrationsbeirat Jena" in shown.stdout
    assert "(former)" in shown.stdout


def test_person_show_text_is_a_readable_block(net: dict[str, Any]) -> None:
    code, out, err = in_process("person", "show", "Olena", "--lang", "en", "--db", net["db"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == CYRILLIC
    for expected in ("Olena Shevchenko", "olena@example.org", "0361 1234567",
                     "Anger 1, 99084 Erfurt", "Integrationsbeauftragte, Stadtverwaltung Gera",
                     "Modellkommune"):
        assert expected in out
    assert "(former)" not in out


def test_person_list_filters_by_tag(net: dict[str, Any]) -> None:
    result = bruecke(net["env"], "person", "list", "--tag", "Presse", "--json",
                     "--db", net["db"])
    assert result.returncode == 0, result.stderr
    assert [(p["uid"], p["name"]) for p in json.loads(result.stdout)] == [
        (net["mueller"], "Anna Müller")]
    everyone = ok_json("person", "list", "--db", net["db"])
    assert {p["uid"] for p in everyone} >= {net["olena"], net["schmidt"], net["mueller"]}
    assert len(ok_json("person", "list", "--limit", "1", "--offset", "1",
                       "--db", net["db"])) == 1


def test_person_list_hides_archived_persons(net: dict[str, Any], tmp_path: Path) -> None:
    from crm.app import open_app

    db = str(tmp_path / "archive.db")
    gone = ok_json("person", "add", "Ex Mitglied", "--db", db)["uid"]
    ok_json("person", "add", "Noch Da", "--db", db)
    app = open_app(db, staff="TS")
    try:
        app.people.archive(gone)
    finally:
        app.close()
    assert [p["name"] for p in ok_json("person", "list", "--db", db)] == ["Noch Da"]


# -- REF resolution --------------------------------------------------------------------


def test_municipality_refs_by_ags_short_name_and_uid(net: dict[str, Any]) -> None:
    db = net["db"]
    gera = ok_json("municipality", "show", "16052", "--db", db)
    assert gera["name"] == "Gera"
    for ref in ("Gera", gera["uid"], "16052"):
        assert [o["uid"] for o in ok_json("org", "list", "--municipality", ref,
                                          "--db", db)] == [net["gera"]]
    assert ok_json("municipality", "show", "Altenburger Land", "--db", db)["ags"] == "16077"
    assert ok_json("org", "show", net["jena"], "--db", db)["municipality"]["name"] == "Jena"


def test_unknown_ref_fails_with_one_line(net: dict[str, Any]) -> None:
    line = assert_user_error(bruecke(net["env"], "person", "show", "Niemand Bekannt",
                                     "--db", net["db"]))
    assert "Niemand Bekannt" in line


def test_ambiguous_ref_lists_the_candidates(net: dict[str, Any]) -> None:
    line = assert_user_error(bruecke(net["env"], "person", "show", "Anna", "--db", net["db"]))
    assert "Anna Schmidt" in line and "Anna Müller" in line
    assert net["schmidt"] in line and net["mueller"] in line


# -- search ----------------------------------------------------------------------------


def test_search_json_is_a_ranked_list(net: dict[str, Any]) -> None:
    result = bruecke(net["env"], "search", "Olena", "--json", "--db", net["db"])
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert isinstance(hits, list) and hits
    assert {"type", "uid", "title", "subtitle"} <= set(hits[0])
    assert (hits[0]["type"], hits[0]["uid"], hits[0]["title"]) == (
        "person", net["olena"], CYRILLIC)
    assert "Integrationsbeauftragte" in hits[0]["subtitle"]
    orgs = ok_json("search", "Gera", "--type", "org", "--db", net["db"])
    assert orgs and net["gera"] in [h["uid"] for h in orgs]
    assert all(h["uid"] != net["olena"] for h in orgs)
    code, out, _err = in_process("search", "Olena", "--db", net["db"])
    assert code == 0 and f"{CYRILLIC} — " in out.splitlines()[0]


# -- bad input: exit 1, one line, nothing written --------------------------------------


@pytest.mark.parametrize("args", [
    ["person", "add", "Test Person", "--email", "anna@"],
    ["person", "add", "Test Person", "--phone", "12"],
    ["person", "add", "Test Person", "--org", "Stadtverwaltung Gera", "--role", "X",
     "--since", "31.02.2026"],
    ["person", "add", "Test Person", "--org", "Gibt Es Nicht", "--role", "Vorsitz"],
    ["person", "add", "Test\x07Person"],
    ["person", "add", "Test Person", "--salutation", "dr"],
    ["org", "add", "Test Verein", "--kind", "verein"],
    ["org", "add", "Test Verein", "--kind", "member", "--municipality", "Atlantis"],
    ["person", "list", "--limit", "viele"],
], ids=["email", "phone", "date", "unknown-org", "control-char", "salutation", "kind",
        "municipality", "limit"])
def test_bad_values_exit_1_and_write_nothing(net: dict[str, Any], args: list[str]) -> None:
    before = counts(net["db"])
    assert_user_error(bruecke(net["env"], *args, "--db", net["db"]))
    assert counts(net["db"]) == before


def test_bad_values_are_refused_before_the_database_is_created(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    for args in (["person", "add", "X", "--email", "x@", "--phone", "1", "--tag", " "],
                 ["person", "add", "X", "--org", "Y", "--role", "Z", "--since", "1.13.2020"],
                 ["org", "add", "\x01", "--kind", "member", "--member-since", "gestern"],
                 ["search", "Gera", "--type", "event", "--limit", "-1"]):
        code, out, err = in_process(*args, "--lang", "en", "--db", str(db))
        assert (code, out) == (1, ""), args
        assert len(err.splitlines()) == 1
    assert not db.exists()


def test_person_with_org_is_one_transaction(net: dict[str, Any]) -> None:
    before = counts(net["db"])
    code, _out, err = in_process("person", "add", "Neue Person", "--email", "neu@example.org",
                                 "--tag", "Neu", "--org", "Anna", "--role", "Vorsitz",
                                 "--db", net["db"])
    assert code == 1 and "Anna" in err  # "Anna" is no organisation
    assert counts(net["db"]) == before


def test_ten_thousand_character_notes_are_fine(tmp_path: Path) -> None:
    notes = ("Lange Notiz über Förderanträge. " * 400)[:10_000]
    db = str(tmp_path / "notes.db")
    uid = ok_json("person", "add", "Anna Notiz", "--notes", notes, "--db", db)["uid"]
    assert ok_json("person", "show", uid, "--db", db)["notes"] == notes.strip()
    org = ok_json("org", "add", "Verein Notiz", "--kind", "member", "--notes", notes,
                  "--db", db)["uid"]
    assert ok_json("org", "show", org, "--db", db)["notes"] == notes.strip()


# -- usage errors: exit 2 --------------------------------------------------------------


def test_unknown_command_and_missing_argument_exit_2(env: dict[str, str], tmp_path: Path
                                                     ) -> None:
    db = str(tmp_path / "usage.db")
    assert bruecke(env, "frobnicate", "--db", db).returncode == 2
    missing = bruecke(env, "person", "add", "--db", db)
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert in_process("person", "list", "--frob", "--db", db)[0] == 2
    assert in_process("person", "add", "X", "--org", "Y", "--db", db)[0] == 2  # no --role
    assert in_process("role", "add", "A", "B", "--db", db)[0] == 2  # no --title
    assert in_process()[0] == 2


def test_usage_errors_and_help_speak_the_language_of_the_command_line(
        env: dict[str, str], tmp_path: Path) -> None:
    """argparse's own texts come from Brücke's catalog: German by default, English with
    ``--lang en``; the exit status stays 2."""
    db = str(tmp_path / "usage.db")
    german = bruecke(env, "search", "--db", db)
    assert german.returncode == 2
    assert "Aufruf: bruecke search" in german.stderr
    assert "bruecke search: Fehler: diese Angaben fehlen: SUCHTEXT" in german.stderr
    unknown = bruecke(env, "frobnicate", "--db", db)
    assert "ungültige Auswahl: 'frobnicate'" in unknown.stderr
    assert "error" not in unknown.stderr
    english = bruecke(env, "--lang", "en", "search", "--db", db)
    assert english.returncode == 2
    assert "error: the following arguments are required: QUERY" in english.stderr
    helped = bruecke(env, "--help")
    assert helped.returncode == 0
    assert "Optionen:" in helped.stdout and "diese Hilfe zeigen und beenden" in helped.stdout
    assert "die Versionsnummer zeigen und beenden" in helped.stdout


def test_global_options_work_after_the_command(net: dict[str, Any]) -> None:
    result = bruecke(net["env"], "person", "list", "--json", "--db", net["db"],
                     "--lang", "en", "--as", "XY")
    assert result.returncode == 0, result.stderr
    assert {p["name"] for p in json.loads(result.stdout)} >= {"Anna Müller", CYRILLIC}
    code, out, _err = in_process("--json", "--db", net["db"], "person", "list")
    assert code == 0 and isinstance(json.loads(out), list)


# -- databases that cannot be used -----------------------------------------------------


def test_random_bytes_are_refused_and_left_untouched(env: dict[str, str], tmp_path: Path
                                                     ) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    before = junk.read_bytes()
    line = assert_user_error(bruecke(env, "person", "list", "--db", str(junk)))
    assert str(junk) in line
    assert junk.read_bytes() == before


def test_newer_schema_is_refused_and_left_untouched(env: dict[str, str], tmp_path: Path
                                                    ) -> None:
    db = tmp_path / "future.db"
    assert in_process("init", "--db", str(db))[0] == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    line = assert_user_error(bruecke(env, "person", "add", "Anna", "--db", str(db)))
    assert "9999" in line
    assert db.read_bytes() == before


def test_read_only_database_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    db = tmp_path / "ro.db"
    assert in_process("init", "--db", str(db))[0] == 0
    before = db.read_bytes()
    real_access = os.access

    def no_write(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        # Tests run as root, which may write anywhere: pretend the permissions hold.
        if mode & os.W_OK and Path(path) in (db, tmp_path):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", no_write)
    code, out, err = in_process("person", "add", "Anna", "--db", str(db))
    assert (code, out) == (1, "")
    assert str(db) in err and len(err.splitlines()) == 1
    assert db.read_bytes() == before


def test_a_folder_or_foreign_database_is_refused(tmp_path: Path) -> None:
    code, _out, err = in_process("init", "--db", str(tmp_path))
    assert code == 1 and str(tmp_path) in err
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE kunden (name TEXT)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    assert in_process("init", "--db", str(foreign))[0] == 1
    assert foreign.read_bytes() == before


def test_db_accepts_sqlalchemy_urls(tmp_path: Path) -> None:
    db = tmp_path / "url.db"
    info = ok_json("init", "--db", f"sqlite:///{db}")
    assert info["database"] == str(db) and db.is_file()


# -- names, scripts and languages ------------------------------------------------------


def test_names_in_any_script_round_trip_exactly(env: dict[str, str], tmp_path: Path) -> None:
    db = str(tmp_path / "names.db")
    uids = {}
    for name in (CYRILLIC, ARABIC, VIETNAMESE):
        result = bruecke(env, "person", "add", name, "--json", "--db", db)
        assert result.returncode == 0, result.stderr
        uids[json.loads(result.stdout)["uid"]] = name
    listed = bruecke(env, "person", "list", "--json", "--db", db)
    assert {p["uid"]: p["name"] for p in json.loads(listed.stdout)} == uids
    text = bruecke(env, "person", "list", "--db", db)
    assert text.returncode == 0, text.stderr
    for name in uids.values():
        assert name in text.stdout


def test_control_characters_in_a_name_are_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "ctl.db")
    for name in ("Anna\x1bSchmidt", "Anna\nSchmidt", "Anna\x7f"):
        code, out, err = in_process("person", "add", name, "--lang", "en", "--db", db)
        assert (code, out) == (1, ""), name
        assert "control characters" in err and len(err.splitlines()) == 1
    assert ok_json("person", "list", "--db", db) == []


def test_messages_are_german_by_default_and_english_on_request(net: dict[str, Any]) -> None:
    args = ("person", "add", "Test", "--email", "anna@", "--db", net["db"])
    german = assert_user_error(bruecke(net["env"], *args))
    english = assert_user_error(bruecke(net["env"], *args, "--lang", "en"))
    set_language("en")
    expected_en = field_message("email", "invalid_email", {"value": "anna@"})
    set_language("de")
    expected_de = field_message("email", "invalid_email", {"value": "anna@"})
    assert expected_en in english
    assert expected_de in german
    assert expected_de != expected_en


def test_as_initials_chooses_the_staff_member(tmp_path: Path) -> None:
    from crm.app import open_app

    db = str(tmp_path / "staff.db")
    assert in_process("person", "add", "Anna", "--as", "mk", "--db", db)[0] == 0
    app = open_app(db, staff="MK")
    try:
        assert "MK" in [s.initials for s in app.staff.list()]
    finally:
        app.close()
    assert in_process("person", "list", "--as", "\x07", "--db", db)[0] == 1


# -- interruptions ---------------------------------------------------------------------


def test_ctrl_c_exits_130_quietly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm.cli import people

    def interrupted(ctx: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(people, "list_people", interrupted)
    assert in_process("person", "list", "--db", str(tmp_path / "x.db")) == (130, "", "")


def test_a_bug_is_one_line_without_traceback(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from crm.cli import people

    def broken(ctx: Any) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(people, "list_people", broken)
    code, out, err = in_process("person", "list", "--db", str(tmp_path / "x.db"))
    assert (code, out) == (1, "")
    assert err.splitlines() == [err.strip()] and "RuntimeError: kaputt" in err
    assert "Traceback" not in err


def test_closed_pipe_ends_quietly(net: dict[str, Any]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "crm", "municipality", "list", "--db", net["db"]],
        env=net["env"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait(timeout=60) in (0, 141)
    assert b"Traceback" not in error and b"BrokenPipe" not in error


# -- demo ------------------------------------------------------------------------------


def test_demo_fills_an_empty_database_and_refuses_a_used_one(env: dict[str, str],
                                                             net: dict[str, Any],
                                                             tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    result = bruecke(env, "demo", "--seed", "3", "--persons", "40", "--json", "--db", db)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["database"] == db
    assert counts(db)[0] >= 40
    before = counts(net["db"])
    line = assert_user_error(bruecke(env, "demo", "--db", net["db"]))
    assert line
    assert counts(net["db"]) == before
