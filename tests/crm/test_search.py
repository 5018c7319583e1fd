"""Search: one query over persons, organisations, municipalities and interactions that
forgives case, accents, scripts and one typo, ranks sensibly, and never fails on any input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from crm.domain import Interaction, InteractionKind, InteractionParticipant, Person
from crm.errors import ValidationError
from crm.persistence import dialect
from crm.search import documents, index
from crm.services.base import ServiceContext
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput, PersonService
from crm.services.search import SearchHit


def person(app, name: str, **fields) -> str:  # noqa: ANN001
    return app.people.create(PersonInput(full_name=name, **fields)).uid


def org(app, name: str, kind: str = "member", **fields) -> str:  # noqa: ANN001
    return app.organisations.create(OrganisationInput(name=name, kind=kind, **fields)).uid


def titles(app, query: str, **options) -> list[str]:  # noqa: ANN001
    return [hit.title for hit in app.search.search(query, **options)]


def hit_for(app, query: str, uid: str, **options) -> SearchHit | None:  # noqa: ANN001
    return next((h for h in app.search.search(query, **options) if h.uid == uid), None)


def index_rows(app) -> list[tuple]:  # noqa: ANN001
    with app.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT rowid, name, current, former, contact, other, suffix, flags "
            "FROM search_fts ORDER BY rowid"))] + [tuple(r) for r in conn.execute(text(
                "SELECT rowid, name, flags FROM search_names ORDER BY rowid"))]


# -- spelling, accents, scripts -------------------------------------------------------------

@pytest.mark.parametrize(("name", "query"), [
    ("Ayşe Şahin", "sahin"),
    ("Ayşe Şahin", "AYSE SAHIN"),
    ("Nguyễn Thị Minh Khai", "nguyen thi"),
    ("Nguyễn Thị Minh Khai", "minh khai nguyen"),
    ("Hans Müller", "muller"),
    ("Hans Müller", "mueller"),
    ("Hans Müller", "Müller"),
    ("Олена Шевченко", "olena shevchenko"),
    ("Олена Шевченко", "Шевченко"),
    ("Mehmet Yılmaz", "yilmaz"),
    ("Łukasz Wróbel", "lukasz wrobel"),
    ("Søren Østergaard", "ostergaard"),
    ("Đặng Văn Lâm", "dang van lam"),
    ("Seán O'Connor", "oconnor"),
    ("Seán O'Connor", "o'connor"),
    ("Seán O'Connor", "connor"),
    ("Jean-Pierre Dubois", "jeanpierre"),
    ("Jean-Pierre Dubois", "jean pierre"),
])
def test_finds_a_name_whatever_the_spelling(app, name: str, query: str) -> None:
    uid = person(app, name)
    assert uid in [h.uid for h in app.search.search(query)]


def test_strasse_finds_strasse_with_eszett(app) -> None:  # noqa: ANN001
    uid = org(app, "Straße der Vielfalt e.V.")
    assert hit_for(app, "strasse", uid) is not None
    assert hit_for(app, "Straße der", uid) is not None


def test_the_hit_shows_the_name_exactly_as_written(app) -> None:  # noqa: ANN001
    uid = person(app, "Олена Шевченко", transliteration="Olena Shevchenko")
    hit = hit_for(app, "shevchenko", uid)
    assert hit is not None
    assert (hit.type, hit.title) == ("person", "Олена Шевченко")


# -- prefixes and typos ----------------------------------------------------------------------

def test_every_word_matches_as_a_prefix(app) -> None:  # noqa: ANN001
    uid = person(app, "Fatima Al-Khatib")
    assert "Nordhausen, Stadt" in titles(app, "nordh")
    assert hit_for(app, "fat al", uid) is not None
    assert hit_for(app, "khat fati", uid) is not None


@pytest.mark.parametrize("typo", ["Nordhasuen", "Nordhausn", "Nordhaussen", "Nordhauzen",
                                  "nrodhausen", "Nordhasu"])
def test_one_typo_is_forgiven_in_longer_words(app, typo: str) -> None:  # noqa: ANN001
    assert "Nordhausen, Stadt" in titles(app, typo, types={"municipality"})


def test_typos_rank_below_exact_matches(app) -> None:  # noqa: ANN001
    exact = person(app, "Petra Schmitt")
    typo = person(app, "Petra Schmidt")
    assert [h.uid for h in app.search.search("schmitt", types={"person"})] == [exact, typo]
    # Enough exact hits: no fuzzy expansion at all.
    assert [h.uid for h in app.search.search("schmitt", limit=1)] == [exact]
    assert {h.uid for h in app.search.search("schmitd", types={"person"})} == {exact, typo}


def test_short_words_get_no_typo_allowance(app) -> None:  # noqa: ANN001
    assert "Gera" in titles(app, "gera")
    assert "Gera" not in titles(app, "gerq")


# -- contacts -----------------------------------------------------------------------------------

def test_emails_are_found_whole_and_by_parts(app) -> None:  # noqa: ANN001
    uid = person(app, "Amina Haddad",
                 contact_points=[ContactInput("email", "amina.haddad@migranetz-thueringen.de")])
    for query in ("amina.haddad@migranetz-thueringen.de", "amina.haddad", "haddad@migranetz",
                  "migranetz-thueringen.de", "migranetz"):
        assert hit_for(app, query, uid) is not None, query


@pytest.mark.parametrize("query", ["+49 361 2345678", "0361 2345678", "0361/2345678",
                                   "03612345678", "+49 (0)361 2345678", "0049 361 2345678",
                                   "2345678", "5678", "45678", "0361 23"])
def test_phone_numbers_are_found_whole_or_by_their_last_digits(app, query: str) -> None:  # noqa: ANN001
    uid = person(app, "Karim Mansour", contact_points=[ContactInput("phone", "0361 2345678")])
    other = person(app, "Leyla Demir", contact_points=[ContactInput("mobile", "0151 87654321")])
    found = [h.uid for h in app.search.search(query)]
    assert uid in found
    assert other not in found


def test_digits_and_words_combine(app) -> None:  # noqa: ANN001
    uid = person(app, "Karim Mansour", contact_points=[ContactInput("phone", "0361 2345678")])
    person(app, "Karim Nasser", contact_points=[ContactInput("phone", "0365 1112222")])
    assert [h.uid for h in app.search.search("karim 5678")] == [uid]


# -- ranking -------------------------------------------------------------------------------------

def test_exact_name_before_prefix_before_other_fields(app) -> None:  # noqa: ANN001
    other = person(app, "Clara Weiss", notes="Wanderung am Berg mit dem Beirat")
    prefix = person(app, "Paul Bergmann")
    exact = person(app, "Anna Berg")
    hits = app.search.search("berg", types={"person"})
    assert [h.uid for h in hits] == [exact, prefix, other]
    assert hits[0].score > hits[1].score > hits[2].score


def test_equally_good_hits_sort_by_name(app) -> None:  # noqa: ANN001
    zoe = person(app, "Zoë Berg")
    anna = person(app, "Anna Berg")
    ahmad = person(app, "Ahmad Berg")
    assert [h.uid for h in app.search.search("berg", types={"person"})] == [ahmad, anna, zoe]


def test_the_whole_name_ranks_first(app) -> None:  # noqa: ANN001
    longer = person(app, "Anna Maria Krause")
    whole = person(app, "Anna Krause")
    assert [h.uid for h in app.search.search("krause anna")][:2] == [whole, longer]


def test_current_role_holders_before_former_ones(app) -> None:  # noqa: ANN001
    office = org(app, "Stadtverwaltung Gera", kind="administration", municipality="16052")
    former = person(app, "Irina Petrova")
    current = person(app, "Jonas Becker")
    app.roles.add(former, office, "Integrationsbeauftragte", since="2018-01-01")
    app.roles.end(former, office, on="2023-06-30")
    app.roles.add(current, office, "Integrationsbeauftragte", since="2023-07-01")
    hits = app.search.search("integrationsbeauftragte gera", types={"person"})
    assert [h.uid for h in hits] == [current, former]
    assert hits[0].subtitle.startswith("Integrationsbeauftragte · Stadtverwaltung Gera")
    assert hits[1].subtitle == ""


def test_subtitles_describe_each_kind(app) -> None:  # noqa: ANN001
    uid = org(app, "Migrationsbeirat Jena", kind="council", municipality="16053")
    hit = hit_for(app, "migrationsbeirat", uid)
    assert hit is not None and hit.type == "org" and hit.subtitle.endswith("Jena")
    place = app.search.search("weimar", types={"municipality"})[0]
    assert (place.type, place.title) == ("municipality", "Weimar")
    assert place.subtitle.endswith("Thüringen")


# -- options ---------------------------------------------------------------------------------------

def test_types_restrict_the_hits(app) -> None:  # noqa: ANN001
    uid = org(app, "Erfurter Kulturverein", municipality="16051")
    assert {h.type for h in app.search.search("erfurt", types={"org"})} == {"org"}
    assert uid in [h.uid for h in app.search.search("erfurt", types={"organisation"})]
    assert {h.type for h in app.search.search("erfurt", types={"municipality"})} == {
        "municipality"}
    assert app.search.search("erfurt", types=set()) == []
    with pytest.raises(ValidationError):
        app.search.search("erfurt", types={"planet"})


def test_limit(app) -> None:  # noqa: ANN001
    assert len(app.search.search("a", limit=5)) == 5
    assert app.search.search("a", limit=0) == []


def test_archived_records_are_hidden_unless_asked_for(app) -> None:  # noqa: ANN001
    uid = person(app, "Boris Archivowitsch")
    club = org(app, "Archivverein Suhl")
    app.people.archive(uid)
    app.organisations.archive(club)
    assert titles(app, "archiv", types={"person", "org"}) == []
    found = titles(app, "archiv", include_archived=True, types={"person", "org"})
    assert set(found) == {"Boris Archivowitsch", "Archivverein Suhl"}
    app.people.restore(uid)
    assert titles(app, "archiv", types={"person", "org"}) == ["Boris Archivowitsch"]


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "!!!", "'\"", "*", "-", "()"])
def test_empty_queries_find_nothing(app, query: str) -> None:  # noqa: ANN001
    assert app.search.search(query) == []


def test_interactions_are_found_by_subject_participants_and_notes(app) -> None:  # noqa: ANN001
    uid = person(app, "Ngozi Okafor")
    with app.db.sessions.begin() as session:
        someone = session.scalars(select(Person).where(Person.uid == uid)).one()
        meeting = Interaction(kind=InteractionKind.MEETING, subject="Fachtagung Vielfalt",
                              occurred_at=datetime(2025, 3, 14, 9, 0, tzinfo=UTC),
                              notes="Förderantrag besprochen")
        meeting.participants.append(InteractionParticipant(person=someone,
                                                           role_title="Vorsitzende"))
        session.add(meeting)
        session.flush()
        meeting_uid = meeting.uid
    for query in ("fachtagung vielf", "okafor", "foerderantrag", "forderantrag"):
        hit = hit_for(app, query, meeting_uid, types={"interaction"})
        assert hit is not None, query
        assert hit.type == "interaction" and hit.title == "Fachtagung Vielfalt"
        assert "2025" in hit.subtitle
    # The subtitle (cached per day, kind and language) follows the language.
    from crm.i18n import set_language

    assert hit_for(app, "fachtagung", meeting_uid).subtitle == "14.03.2025 · Treffen"
    set_language("en")
    try:
        assert hit_for(app, "fachtagung", meeting_uid).subtitle == "Mar 14, 2025 · meeting"
    finally:
        set_language("de")
    assert hit_for(app, "fachtagung", meeting_uid).subtitle == "14.03.2025 · Treffen"


# -- hostile input ---------------------------------------------------------------------------------

HOSTILE = [
    '"', "'", '"unterminated', "Müller\"", "*", "**", "a*", "-", "--", "-müller", "(", ")",
    "((a)", "NEAR", "NEAR(a b)", "a NEAR b", "OR", "AND", "NOT", "a OR b", "NOT müller",
    "name:müller", "{name}: a", "^a", "a + b", "'; DROP TABLE person; --",
    "\" OR 1=1 --", "%", "_", "\\", "\x00", "\x1b[31m", "😀" * 50, "ﷺ", "🇩🇪 Ümlaut",
    "a" * 2000, "a " * 1000, "\u202e evil", "\ud7ff", "0" * 300, "+" * 40, "Ä" * 2000,
]


def test_only_folded_words_reach_the_match_expression() -> None:
    assert dialect.fts_phrase("abc1", prefix=True) == '"abc1"*'
    for bad in ('a"b', "a b", "A", "a*", "", "ä"):
        with pytest.raises(ValueError):
            dialect.fts_phrase(bad, prefix=False)
    with pytest.raises(ValueError):
        dialect.fts_match_expression([[(("name", "rowid"), "abc", False)]])


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_is_just_text(app, query: str) -> None:  # noqa: ANN001
    person(app, "Hans Müller")
    hits = app.search.search(query)
    assert isinstance(hits, list)
    assert all(isinstance(h, SearchHit) for h in hits)
    assert app.people.count() == 1  # nothing was dropped


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=2000))
def test_any_text_is_safe(app, query: str) -> None:  # noqa: ANN001
    assert isinstance(app.search.search(query, limit=5), list)


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(alphabet=st.characters(codec="utf-8"), min_size=1900, max_size=2000))
def test_long_random_text_is_safe(app, query: str) -> None:  # noqa: ANN001
    assert isinstance(app.search.search(query, types={"person", "org"}), list)


# -- kept in step -------------------------------------------------------------------------------

def test_renaming_a_person_reindexes_them(app) -> None:  # noqa: ANN001
    uid = person(app, "Olga Iwanowa")
    app.people.update(uid, {"full_name": "Olga Petrenko"})
    assert hit_for(app, "iwanowa", uid) is None
    assert hit_for(app, "petrenko", uid) is not None


def test_renaming_an_organisation_reindexes_its_people(app) -> None:  # noqa: ANN001
    club = org(app, "Kulturbrücke Weimar e.V.")
    uid = person(app, "Tariq Aziz")
    app.roles.add(uid, club, "Vorsitzender")
    assert hit_for(app, "kulturbrucke", uid) is not None
    app.organisations.update(club, {"name": "Brückenschlag Weimar e.V."})
    assert hit_for(app, "kulturbrucke", uid) is None
    assert hit_for(app, "bruckenschlag", uid) is not None
    assert hit_for(app, "bruckenschlag", club) is not None


def test_ending_a_role_makes_the_holder_former(app) -> None:  # noqa: ANN001
    club = org(app, "Afrikanischer Elternverein")
    uid = person(app, "Kofi Mensah")
    app.roles.add(uid, club, "Kassenwart", since="2020-01-01")
    before = hit_for(app, "kassenwart", uid)
    app.roles.end(uid, club, on=date.today() - timedelta(days=1))
    after = hit_for(app, "kassenwart", uid)
    assert before is not None and after is not None
    assert after.score < before.score
    assert after.subtitle == ""


def test_a_role_that_ends_by_itself_turns_former_the_next_day(app, monkeypatch) -> None:  # noqa: ANN001
    club = org(app, "Polnischer Kulturverein")
    uid = person(app, "Marta Nowak")
    app.roles.add(uid, club, "Schriftführerin", since="2020-01-01")
    app.roles.update(app.people.get(uid).roles[0].uid,
                     until=date.today() + timedelta(days=1))
    current = hit_for(app, "schriftfuhrerin", uid)
    monkeypatch.setattr(index, "today", lambda: date.today() + timedelta(days=2))
    later = hit_for(app, "schriftfuhrerin", uid)
    assert current is not None and later is not None and later.score < current.score
    with app.db.sessions.begin() as session:
        assert index.check(session) == []


def test_contact_changes_and_tags_are_reindexed(app) -> None:  # noqa: ANN001
    uid = person(app, "Nadia Benali", contact_points=[ContactInput("email", "nadia@benali.de")])
    assert hit_for(app, "nadia@benali.de", uid) is not None
    point = app.people.get(uid).contact_points[0].uid
    app.people.remove_contact_point(point)
    assert hit_for(app, "benali.de", uid) is None
    app.people.set_tags(uid, ["Modellkommune"])
    assert hit_for(app, "modellkommune", uid) is not None
    app.people.set_tags(uid, [])
    assert hit_for(app, "modellkommune", uid) is None


def test_moving_an_organisation_moves_its_people(app) -> None:  # noqa: ANN001
    club = org(app, "Syrischer Kulturverein", municipality="16053")  # Jena
    uid = person(app, "Rami Haddad")
    app.roles.add(uid, club, "Vorsitzender")
    assert hit_for(app, "haddad jena", uid) is not None
    app.organisations.update(club, {"municipality": "16055"})  # Weimar
    assert hit_for(app, "haddad jena", uid) is None
    assert hit_for(app, "haddad weimar", uid) is not None
    assert_index_consistent(app)


def test_renaming_a_place_reaches_organisations_people_and_towns(app) -> None:  # noqa: ANN001
    club = org(app, "Eritreische Gemeinschaft", municipality="16053")
    uid = person(app, "Tesfay Kidane")
    app.roles.add(uid, club, "Kassierer")
    app.municipalities.rename("16053", "Jena-Lichtstadt")
    assert hit_for(app, "kidane lichtstadt", uid) is not None
    assert hit_for(app, "eritreische lichtstadt", club) is not None
    assert_index_consistent(app)


def test_renaming_and_deleting_a_tag_reaches_its_holders(app) -> None:  # noqa: ANN001
    from crm.domain import Tag

    uid = person(app, "Lina Saleh", tags=["Sprachmittlerin"])
    club = org(app, "Frauenverein Gotha", tags=["Sprachmittlerin"])
    with app.db.sessions.begin() as session:
        session.scalars(select(Tag).where(Tag.name == "Sprachmittlerin")).one().name = "Dolmetsch"
    assert hit_for(app, "dolmetsch", uid) is not None
    assert hit_for(app, "dolmetsch", club) is not None
    assert hit_for(app, "sprachmittlerin", uid) is None
    with app.db.sessions.begin() as session:
        session.delete(session.scalars(select(Tag).where(Tag.name == "Dolmetsch")).one())
    assert hit_for(app, "dolmetsch", uid) is None
    assert hit_for(app, "dolmetsch", club) is None
    assert_index_consistent(app)


def test_renaming_a_person_reaches_their_interactions(app) -> None:  # noqa: ANN001
    uid = person(app, "Aliyu Bello")
    with app.db.sessions.begin() as session:
        someone = session.scalars(select(Person).where(Person.uid == uid)).one()
        call = Interaction(kind=InteractionKind.CALL, subject="Rückruf",
                           occurred_at=datetime(2025, 5, 2, tzinfo=UTC))
        call.participants.append(InteractionParticipant(person=someone))
        session.add(call)
        session.flush()
        call_uid = call.uid
    app.people.update(uid, {"full_name": "Aliyu Bello-Sani"})
    assert hit_for(app, "sani", call_uid) is not None
    assert_index_consistent(app)


def assert_index_consistent(app) -> None:  # noqa: ANN001
    with app.db.sessions.begin() as session:
        assert index.check(session) == []


def test_a_failed_transaction_leaves_the_index_as_it_was(app) -> None:  # noqa: ANN001
    before = index_rows(app)
    with pytest.raises(RuntimeError), app.db.sessions.begin() as session:
        session.add(Person(full_name="Ghost Gespenst"))
        session.flush()
        raise RuntimeError("abort")
    assert index_rows(app) == before
    assert titles(app, "gespenst") == []


def test_rebuild_gives_the_same_index_as_the_incremental_updates(app) -> None:  # noqa: ANN001
    _some_network(app)
    incremental = index_rows(app)
    with app.db.sessions.begin() as session:
        assert index.check(session) == []
        index.rebuild(session)
    assert index_rows(app) == incremental
    with app.db.sessions.begin() as session:
        assert index.check(session) == []


def test_check_reports_a_damaged_index(app) -> None:  # noqa: ANN001
    uid = person(app, "Selin Aydın")
    with app.db.sessions.begin() as session:
        pid = session.scalar(select(Person.id).where(Person.uid == uid))
        conn = session.connection()
        conn.execute(text("UPDATE search_fts SET name = 'falsch' WHERE rowid = :r"),
                     {"r": documents.rowid(documents.PERSON, pid)})
        conn.execute(text("DELETE FROM search_fts WHERE rowid = :r"),
                     {"r": documents.rowid(documents.MUNICIPALITY, 1)})
        problems = index.check(session)
    assert f"search index: person {pid} is stale" in problems
    assert "search index: municipality 1 is missing" in problems


def test_installing_maintenance_twice_changes_nothing(app) -> None:  # noqa: ANN001
    index.install_index_maintenance(app.db.sessions)
    uid = person(app, "Duc Tran")
    assert titles(app, "tran") == ["Duc Tran"]
    with app.db.engine.connect() as conn:
        engine = conn.dialect.name
        rows = conn.execute(text(dialect.fts_candidates_sql(False, False, engine=engine)), {
            "expression": dialect.fts_match_expression([[(("name",), "tran", False)]],
                                                       engine=engine),
            "limit": 10}).all()
    assert len(rows) == 1
    assert uid


def test_maintenance_reaches_a_session_factory_at_a_closed_ones_address(app) -> None:  # noqa: ANN001
    """SQLAlchemy's event registry remembers where a listener went by ``id()`` of the session
    factory and never forgets it; Python gives a new factory the address (so the ``id()``) of
    a freed one. Installing maintenance must not mistake the new factory for the old one, or
    nothing saved through it reaches the index (the search then finds nothing)."""
    addresses: set[int] = set()
    reused = 0
    for number in range(40):
        factory = sessionmaker(app.db.engine)
        reused += id(factory) in addresses
        addresses.add(id(factory))
        index.install_index_maintenance(factory)
        name = f"Probe Zeugin{chr(ord('a') + number % 26)}{number}"
        uid = PersonService(ServiceContext(factory)).create(PersonInput(full_name=name)).uid
        assert hit_for(app, name, uid) is not None, (number, reused)
        del factory  # freed at once: the next factory is likely placed at its address
    assert reused, "no factory was placed at a freed one's address: nothing was tested"


def _pg_search_schema(conn) -> set[tuple]:  # noqa: ANN001
    """The search tables' columns, indexes and word function as PostgreSQL describes them."""
    return set(conn.execute(text(
        "SELECT table_name, column_name, data_type, is_generated, "
        "coalesce(generation_expression, '') FROM information_schema.columns "
        "WHERE table_name IN ('search_fts', 'search_names')")).all()) | set(conn.execute(text(
            "SELECT tablename, indexdef, '', '', '' FROM pg_indexes "
            "WHERE tablename IN ('search_fts', 'search_names')")).all()) | set(conn.execute(text(
                "SELECT 'search_words', pg_get_functiondef(p.oid), '', '', '' FROM pg_proc p "
                "WHERE p.proname = 'search_words'")).all())


def test_the_migration_creates_the_tables_dialect_describes(app) -> None:  # noqa: ANN001
    with app.db.engine.connect() as conn:
        if dialect.is_postgresql(conn):
            migrated = _pg_search_schema(conn)
            dialect.recreate_search_index(conn)
            described = _pg_search_schema(conn)
            conn.rollback()
            assert migrated == described
            assert len(migrated) > 10
            return
        sql = set(conn.execute(text(
            "SELECT sql FROM sqlite_master WHERE name IN "
            "('search_fts', 'search_names', 'search_vocab')")).scalars())
    assert sql == set(dialect.SEARCH_DDL)


def test_an_upgraded_database_is_indexed_on_first_search(db_path) -> None:  # noqa: ANN001
    from alembic import command

    from crm.app import open_app
    from crm.persistence.database import alembic_config, open_database

    old = open_database(db_path, upgrade=False)
    cfg = alembic_config()
    with old.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text(
            "INSERT INTO person (full_name, salutation, languages, notes, sort_key, uid, "
            "created_at, updated_at, version) VALUES ('Zeynep Kaya', 'none', '', '', "
            "'kaya zeynep', 'u-1', '2024-01-01', '2024-01-01', 1)"))
    old.dispose()
    application = open_app(db_path, staff="TS")
    try:
        assert titles(application, "zeynep kaya") == ["Zeynep Kaya"]
        assert "Erfurt" in titles(application, "erfurt")
        with application.db.sessions.begin() as session:
            assert index.check(session) == []
    finally:
        application.close()


def _some_network(app) -> None:  # noqa: ANN001
    council = org(app, "Ausländerbeirat Erfurt", kind="council", municipality="16051",
                  contact_points=[ContactInput("phone", "0361 6551234")], tags=["Beirat"])
    member = org(app, "Vietnamesischer Verein Jena", municipality="16053", short_name="VVJ")
    a = person(app, "Nguyễn Văn An", tags=["Vorstand"], notes="spricht Deutsch",
               contact_points=[ContactInput("email", "an.nguyen@vvj.de")])
    b = person(app, "Ayşe Yılmaz", contact_points=[ContactInput("mobile", "0176 1234567")])
    app.roles.add(a, member, "Vorsitzender", since="2019-05-01")
    app.roles.add(b, council, "Vorsitzende", since="2015-01-01")
    app.roles.end(b, council, on="2022-12-31")
    app.roles.add(b, member, "Beisitzerin", since="2023-01-01")
    app.organisations.update(member, {"name": "Vietnamesischer Kulturverein Jena"})
    with app.db.sessions.begin() as session:
        assert session.scalar(select(func.count(Person.id))) == 2


# -- typos through pg_trgm on PostgreSQL ------------------------------------------------------

TYPO_NAMES = ("Nguyễn Văn An", "Ayşe Yılmaz", "Petra Schmidt", "Jens Schneider",
              "Olena Kovalenko", "Zeynep Kaya", "Mehmet Öztürk", "Anastasia Sokolova",
              "Trần Thị Hương", "Volkmar Sonnenberg", "Ute Schmidtke", "Karl Schmitt")
# Typos anywhere, in the first letters of short words too (where trigrams miss them).
TYPO_QUERIES = ("nordhasuen", "nrodhausen", "onrdh", "erfrut", "refurt", "weiamr", "wiemar",
                "eisenahc", "ieesnach", "schmidd", "shcmidt", "cshmi", "schnieder",
                "kovalneko", "okvalenko", "yilmza", "iylmaz", "sonnneberg", "osnneberg",
                "sokolvoa", "muehlhasuen", "apolad", "ozturkk", "anastasai")


def _typo_app(target: str):  # noqa: ANN202 - crm.app.App
    from crm.app import open_app

    application = open_app(target, staff="TS")
    for name in TYPO_NAMES:
        person(application, name)
    titles(application, "erfurt")  # builds the index where it is built on first search
    return application


def _typos(app, queries: tuple[str, ...]) -> dict[str, list]:  # noqa: ANN001
    from crm.search.vocabulary import Vocabulary

    with app.db.engine.connect() as conn:
        return {q: Vocabulary().typos(conn, q, 0) for q in queries}


def test_typos_on_postgresql_come_from_the_trigram_index_with_the_same_results(
        pg_url, seeded_template, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import shutil

    from sqlalchemy import event

    path = tmp_path / "same.db"
    shutil.copyfile(seeded_template, path)
    lite, pg = _typo_app(str(path)), _typo_app(pg_url)
    try:
        expected = _typos(lite, TYPO_QUERIES)
        assert sum(1 for terms in expected.values() if terms) >= 20
        statements: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
            statements.append((statement, parameters))

        with pg.db.engine.connect() as conn:
            assert dialect.has_trigram_index(conn)
        event.listen(pg.db.engine, "before_cursor_execute", record)
        try:
            got = _typos(pg, TYPO_QUERIES)
        finally:
            event.remove(pg.db.engine, "before_cursor_execute", record)
        assert got == expected
        trigram = [s for s, _ in statements if "<%" in s and "word_similarity" in s]
        assert len(trigram) == len(TYPO_QUERIES)
        assert not any(s == dialect.POSTGRES_SEARCH_SQL.terms_range for s, _ in statements)
        # The letter lists on the same server give the same words.
        monkeypatch.setattr(dialect, "has_trigram_index", lambda _connection: False)
        assert _typos(pg, TYPO_QUERIES) == expected
        monkeypatch.undo()
        for query in TYPO_QUERIES:
            assert titles(pg, query) == titles(lite, query), query
    finally:
        lite.close()
        pg.close()
