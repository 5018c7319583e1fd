"""The demo network: deterministic, believable, valid, and only ever written into an empty DB."""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import phonenumbers
import pytest
from email_validator import validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from crm.demo import DEMO_TODAY, DemoSummary, build_demo
from crm.domain import (
    AttendeeStatus,
    Base,
    ContactPoint,
    EventAttendee,
    FollowUp,
    Interaction,
    InteractionParticipant,
    Municipality,
    MunicipalityLevel,
    Organisation,
    Person,
    Role,
)
from crm.errors import ValidationError
from crm.search.normalize import sort_key


@pytest.fixture(scope="module")
def _isolated_module_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What conftest's autouse fixture does per test, for the module-wide databases."""
    home = tmp_path_factory.mktemp("demo-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUECKE_CONFIG", str(home / "config.json"))
        mp.setenv("XDG_DATA_HOME", str(home / "data"))
        mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
        mp.delenv("BRUECKE_DB", raising=False)
        yield


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, _isolated_module_env: None
                    ) -> Path:
    """A database with the seeded municipalities and staff "TS", made once per module."""
    from crm.app import open_app

    path = tmp_path_factory.mktemp("demo-template") / "template.db"
    open_app(path, staff="TS").close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, seeded_template: Path) -> Path:
    """Overrides conftest's: the ``app`` fixture opens a fresh copy of the seeded template."""
    return Path(shutil.copy(seeded_template, tmp_path / "test.db"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, seeded_template: Path,
         _isolated_module_env: None) -> Iterator[tuple[DemoSummary, sessionmaker[Session]]]:
    """The default demo (seed 1, 300 persons), built once for the tests that only read."""
    from crm.app import open_app

    path = tmp_path_factory.mktemp("demo-built") / "demo.db"
    built = open_app(shutil.copy(seeded_template, path), staff="TS")
    try:
        yield build_demo(built.db.sessions, seed=1), built.db.sessions
    finally:
        built.close()


def _digest(session: Session) -> str:
    """Names and uids of everything the demo writes, in id order."""
    sha = hashlib.sha256()
    queries = (
        select(Person.uid, Person.full_name, Person.transliteration).order_by(Person.id),
        select(Organisation.uid, Organisation.name).order_by(Organisation.id),
        select(Role.uid, Role.title, Role.start_date, Role.end_date).order_by(Role.id),
        select(ContactPoint.uid, ContactPoint.value).order_by(ContactPoint.id),
        select(Interaction.uid, Interaction.subject, Interaction.occurred_at)
        .order_by(Interaction.id),
        select(FollowUp.uid, FollowUp.due_on, FollowUp.done_at).order_by(FollowUp.id),
    )
    for query in queries:
        for row in session.execute(query):
            sha.update(repr(tuple(row)).encode())
    return sha.hexdigest()


def _build_elsewhere(template: Path, path: Path, seed: int) -> str:
    from crm.app import open_app

    other = open_app(shutil.copy(template, path), staff="TS")
    try:
        build_demo(other.db.sessions, seed=seed)
        with other.db.sessions() as session:
            return _digest(session)
    finally:
        other.close()


def test_same_seed_gives_the_same_data_and_another_seed_other_data(app, demo, tmp_path,
                                                                    seeded_template):
    with demo[1]() as session:
        first = _digest(session)
    build_demo(app.db.sessions, seed=1)
    with app.db.sessions() as session:
        assert _digest(session) == first
    assert _build_elsewhere(seeded_template, tmp_path / "other.db", seed=2) != first


def test_summary_matches_the_database(demo):
    summary, sessions = demo
    with sessions() as session:
        def count(model: type[Base]) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        kinds = dict(session.execute(
            select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
        assert summary.persons == count(Person) == 300
        assert summary.organisations == count(Organisation)
        assert summary.roles == count(Role)
        assert summary.interactions == count(Interaction) == 3000
        assert summary.follow_ups == count(FollowUp) > 0
        assert summary.events > 20
        assert 2 <= summary.projects <= 3
    assert kinds["network"] == 1
    assert kinds["member"] >= 35
    assert kinds["council"] >= 5
    assert kinds["funder"] >= 3 and kinds["public-body"] >= 2


def test_every_district_and_independent_city_has_a_current_integration_officer(demo):
    sessions = demo[1]
    levels = (MunicipalityLevel.DISTRICT, MunicipalityLevel.INDEPENDENT_CITY)
    with sessions() as session:
        districts = set(session.scalars(
            select(Municipality.id).where(Municipality.level.in_(levels))))
        covered = set(session.scalars(
            select(Organisation.municipality_id)
            .join(Role, Role.organisation_id == Organisation.id)
            .where(Organisation.kind == "administration",
                   Role.title.contains("Integrationsbeauftragte"), Role.end_date.is_(None))))
    assert len(districts) == 22
    assert districts <= covered


def test_roles_change_hands_at_least_ten_times(demo):
    sessions = demo[1]
    old, new = aliased(Role), aliased(Role)
    with sessions() as session:
        takeovers = session.scalar(
            select(func.count()).select_from(old).join(new, (
                (old.organisation_id == new.organisation_id) & (old.title == new.title)
                & (old.end_date == new.start_date) & (old.person_id != new.person_id))))
        several = session.scalar(select(func.count()).select_from(
            select(Role.person_id).where(Role.end_date.is_(None)).group_by(Role.person_id)
            .having(func.count() > 1).subquery()))
    assert takeovers >= 10
    assert several >= 3


def _scripts(text: str) -> set[str]:
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


def test_names_come_in_many_scripts_with_transliterations(demo):
    sessions = demo[1]
    with sessions() as session:
        people = session.execute(
            select(Person.full_name, Person.given_name, Person.family_name,
                   Person.transliteration)).all()
    scripts = set().union(*(_scripts(p.full_name) for p in people))
    assert {"LATIN", "CYRILLIC", "ARABIC", "ETHIOPIC"} <= scripts
    for person in people:
        assert len(_scripts(person.full_name)) == 1, person.full_name  # never mixed
        if _scripts(person.full_name) - {"LATIN"}:
            assert person.transliteration and _scripts(person.transliteration) == {"LATIN"}
    assert any(p.given_name is None and p.family_name is None for p in people)
    vietnamese = [p for p in people if p.family_name in ("Nguyễn", "Trần", "Lê", "Phạm")]
    assert vietnamese and all(p.full_name.startswith(p.family_name) for p in vietnamese)


def test_refuses_a_database_with_data_and_writes_nothing(app):
    from crm.services.organisations import OrganisationInput

    app.organisations.create(OrganisationInput(name="Kulturverein Gotha e.V.", kind="member"))
    with pytest.raises(ValidationError) as raised:
        build_demo(app.db.sessions, seed=1)
    assert raised.value.errors == {"database": ("not_empty", {})}
    with app.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert session.scalar(select(func.count()).select_from(Organisation)) == 1
        assert session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_a_second_run_is_refused_and_changes_nothing(demo):
    sessions = demo[1]
    with sessions() as session:
        before = _digest(session)
    with pytest.raises(ValidationError) as raised:
        build_demo(sessions, seed=2)
    assert raised.value.errors == {"database": ("not_empty", {})}
    with pytest.raises(ValidationError):
        build_demo(sessions, persons=0)
    with sessions() as session:
        assert _digest(session) == before


def test_two_thousand_persons(app):
    summary = build_demo(app.db.sessions, seed=3, persons=2000)
    with app.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2000
        assert session.scalar(select(func.count()).select_from(Interaction)) == 20_000
        assert session.scalar(select(func.count()).select_from(Role)) == summary.roles
    assert summary.persons == 2000 and summary.interactions == 20_000


def test_interaction_count_can_be_set(app):
    summary = build_demo(app.db.sessions, seed=1, persons=50, interactions=120)
    assert summary.persons == 50 and summary.interactions == 120


def test_phones_are_e164_and_emails_valid(demo):
    sessions = demo[1]
    with sessions() as session:
        points = session.execute(select(ContactPoint.kind, ContactPoint.value)).all()
    phones = [v for k, v in points if k.value in ("phone", "mobile", "fax")]
    emails = [v for k, v in points if k.value == "email"]
    assert phones and emails
    for value in phones:
        number = phonenumbers.parse(value, None)
        assert phonenumbers.is_valid_number(number), value
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == value
    for value in emails:
        assert value == value.lower()
        assert validate_email(value, check_deliverability=False).normalized == value
    assert len(set(emails)) == len(emails)


def test_sort_keys_are_computed_as_the_models_do(demo):
    sessions = demo[1]
    with sessions() as session:
        for person in session.scalars(select(Person)):
            expected = sort_key(" ".join(p for p in (person.family_name, person.full_name) if p))
            assert person.sort_key == expected
            assert person.version == 1
        for org in session.scalars(select(Organisation)):
            assert org.sort_key == sort_key(org.name)


def test_participants_keep_the_role_they_had_at_that_moment(demo):
    sessions = demo[1]
    with sessions() as session:
        rows = session.execute(
            select(Interaction.occurred_at, Role, InteractionParticipant)
            .join(InteractionParticipant, InteractionParticipant.interaction_id == Interaction.id)
            .join(Role, Role.id == InteractionParticipant.role_id)).all()
        assert rows
        for occurred, role, participant in rows:
            day = occurred.date()
            assert role.start_date is None or role.start_date <= day
            assert role.end_date is None or day < role.end_date
            assert participant.role_title == role.title
            assert participant.organisation_id == role.organisation_id
            assert participant.person_id == role.person_id


def test_history_spans_three_years_with_open_done_and_overdue_follow_ups(demo):
    sessions = demo[1]
    with sessions() as session:
        first, last = session.execute(
            select(func.min(Interaction.occurred_at), func.max(Interaction.occurred_at))).one()
        follow_ups = session.execute(select(FollowUp.due_on, FollowUp.done_at)).all()
        statuses = set(session.scalars(select(EventAttendee.status).distinct()))
        staff = session.scalar(select(func.count(func.distinct(Interaction.logged_by_id))))
    assert first.date() < date(2023, 12, 1) and last.date() < DEMO_TODAY
    assert any(done for _, done in follow_ups)
    assert any(done is None and due < DEMO_TODAY for due, done in follow_ups)
    assert any(done is None and due >= DEMO_TODAY for due, done in follow_ups)
    assert statuses == set(AttendeeStatus)
    assert staff >= 3
