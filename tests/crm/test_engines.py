"""Both engines: the same migrations, seed and search on SQLite and PostgreSQL."""

from __future__ import annotations


def test_seeded_database_finds_a_town_on_either_engine(app, db_engine) -> None:  # noqa: ANN001
    hits = app.search.search("Nordhasuen")
    assert hits and hits[0].title == "Nordhausen, Stadt"
    assert app.db.engine.dialect.name == db_engine



def test_lists_sort_bytewise_on_a_server_with_a_german_locale(pg_cluster) -> None:  # noqa: ANN001
    """The folded sort keys order the same as on SQLite whatever the server's locale. A
    German collation that ignores spaces and hyphens, like glibc's de_DE (here ICU with
    "ka-shifted"), puts "annalena" between "anna lena" and "anna lenz"; migration 0006
    gives the keys the "C" collation."""
    from sqlalchemy import select, text

    from crm.app import open_app
    from crm.domain import Person

    pg_cluster.execute("CREATE DATABASE bruecke_german TEMPLATE template0 "
                       "LOCALE_PROVIDER icu ICU_LOCALE 'de-DE-u-ka-shifted' LOCALE 'C.UTF-8'")
    app = open_app(pg_cluster.url("bruecke_german"), staff="TS")
    try:
        for name in ("Anna Lenz", "Annalena Bauer", "Anna Lena Abel", "Anna-Lena Zorn"):
            app.people.save(None, {"full_name": name})
        with app.db.sessions() as session:
            keys = session.scalars(select(Person.sort_key).order_by(Person.sort_key)).all()
            plain = session.scalars(text(
                "SELECT sort_key FROM person ORDER BY sort_key COLLATE \"default\"")).all()
        assert keys == sorted(keys)  # code point order, as SQLite compares
        assert plain != keys, "the server's own collation would order differently"
    finally:
        app.close()
        pg_cluster.drop_database("bruecke_german")


def test_computers_starting_at_once_upgrade_a_new_server_database_once(pg_cluster) -> None:  # noqa: ANN001
    """Three computers open the same new (empty) server database at the same moment: one
    creates the schema, the others wait for it (an advisory lock) and find it done."""
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    url = pg_cluster.create_database("bruecke_race")
    script = ("import sys; from crm.persistence.database import open_database; "
              "open_database(sys.argv[1]).dispose()")
    try:
        runs = [subprocess.Popen([sys.executable, "-c", script, url], stderr=subprocess.PIPE,
                                 text=True) for _ in range(3)]
        errors = [(run.wait(timeout=120), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
        assert [code for code, _ in errors] == [0, 0, 0], errors
        engine = create_engine(url)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
        assert len(versions) == 1
    finally:
        pg_cluster.drop_database("bruecke_race")


def test_messages_never_show_a_database_password() -> None:
    from crm.errors import DatabaseError
    from crm.messages import error_message

    url = "postgresql+psycopg://anna:Geheim123@server/bruecke?password=Zweites1"
    for code in ("operational", "unreachable", "no_file", "not_sqlite"):
        text = error_message(DatabaseError(code, url, f"connection to {url} failed"))
        assert "Geheim123" not in text and "Zweites1" not in text, text
        assert "anna:***@server" in text


def test_an_address_brucke_cannot_use_is_named_as_such() -> None:
    import pytest

    from crm.errors import DatabaseError
    from crm.messages import error_message
    from crm.persistence.database import resolve_url

    assert resolve_url("postgres://anna@server/bruecke").drivername == "postgresql+psycopg"
    assert resolve_url("postgresql://anna@server/bruecke").drivername == "postgresql+psycopg"
    for url in ("mysql://anna@server/bruecke", "postgresql+psycopg2://anna:pw@server/x"):
        with pytest.raises(DatabaseError) as caught:
            resolve_url(url)
        text = error_message(caught.value)
        assert "postgresql+psycopg://" in text and "pw@" not in text


def test_check_is_clean_with_archived_records(app) -> None:  # noqa: ANN001
    """The flags column's "archived" is no searched word: check must not report it missing
    from the word list (it did, on every database with an archived person)."""
    from crm.services.people import PersonInput

    person = app.people.create(PersonInput(full_name="Archiv Probe"))
    app.people.archive(person.uid)
    assert app.search.check() == []
    assert app.search.rebuild() > 0
    assert app.search.check() == []
