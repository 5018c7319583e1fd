"""Last contact in the record lists: read with the page, sortable in the query."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select, union_all, update

from crm.domain import (
    Event,
    Interaction,
    InteractionKind,
    InteractionParticipant,
    Municipality,
    Organisation,
    OrganisationKind,
    Person,
)
from crm.domain.events import event_organiser
from crm.domain.interactions import interaction_organisation
from crm.services.listing_rows import (
    LAST_CONTACT,
    MUNICIPALITIES,
    ORGANISATIONS,
    PERSONS,
    SORTABLE,
    ListFilter,
    Sort,
)
from crm.services.timeline import last_contact_query

KINDS = (PERSONS, ORGANISATIONS, MUNICIPALITIES)


@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


def _all(app: Any, kind: str, sort: Sort) -> list[Any]:
    total = app.listing.count(kind)
    return app.listing.page(kind, ListFilter(), sort, 0, total + 10)


@pytest.mark.parametrize("kind", KINDS)
def test_page_rows_carry_the_last_contact(demo_app: Any, kind: str) -> None:
    rows = _all(demo_app, kind, Sort())
    expected = demo_app.interactions.last_contacts(kind)
    assert expected, "the demo data has contacts"
    assert {r.uid: r.last_contact for r in rows if r.last_contact} == {
        uid: day for uid, day in expected.items() if uid in {r.uid for r in rows}}
    assert all(isinstance(r.last_contact, date) for r in rows if r.last_contact)


@pytest.mark.parametrize("kind", KINDS)
def test_sorting_by_last_contact_is_newest_first_never_contacted_last(
        demo_app: Any, kind: str) -> None:
    assert LAST_CONTACT in SORTABLE[kind]
    by_name = _all(demo_app, kind, Sort())
    newest = _all(demo_app, kind, Sort(LAST_CONTACT, descending=True))
    assert sorted(r.uid for r in newest) == sorted(r.uid for r in by_name)
    days = [r.last_contact for r in newest]
    contacted = [d for d in days if d is not None]
    assert contacted and contacted == sorted(contacted, reverse=True)
    assert days == [*contacted, *[None] * (len(days) - len(contacted))]
    assert {r.uid: r.last_contact for r in newest} == {r.uid: r.last_contact for r in by_name}
    oldest = _all(demo_app, kind, Sort(LAST_CONTACT))
    quiet = [r.last_contact for r in oldest]
    never = len(days) - len(contacted)
    assert quiet[:never] == [None] * never
    assert quiet[never:] == sorted(contacted)


def test_last_contact_sort_pages_without_gaps(demo_app: Any) -> None:
    sort = Sort(LAST_CONTACT, descending=True)
    whole = [r.uid for r in _all(demo_app, PERSONS, sort)]
    paged = [r.uid for offset in range(0, len(whole), 7)
             for r in demo_app.listing.page(PERSONS, ListFilter(), sort, offset, 7)]
    assert paged == whole


def _joined_reference(kind: str, moment: datetime) -> Any:
    """The last contacts as first written: every contact joined to its interaction or
    event (before the link tables kept a copy of the interaction's time, migration 0007)."""
    i, part, linked = Interaction, InteractionParticipant, interaction_organisation.c
    ev, org = Event, event_organiser.c
    past_i, past_e = i.occurred_at <= moment, ev.starts_at <= moment
    if kind == ORGANISATIONS:
        parts = [
            select(linked.organisation_id.label("id"), i.occurred_at.label("at"))
            .join(i, i.id == linked.interaction_id).where(past_i),
            select(part.organisation_id.label("id"), i.occurred_at.label("at"))
            .join(i, i.id == part.interaction_id).where(past_i),
            select(org.organisation_id.label("id"), ev.starts_at.label("at"))
            .join(ev, ev.id == org.event_id).where(past_e),
        ]
    else:
        located = Organisation.municipality_id.label("id")
        parts = [
            select(i.municipality_id.label("id"), i.occurred_at.label("at")).where(past_i),
            select(located, i.occurred_at.label("at")).select_from(interaction_organisation)
            .join(i, i.id == linked.interaction_id)
            .join(Organisation, Organisation.id == linked.organisation_id).where(past_i),
            select(located, i.occurred_at.label("at")).select_from(part)
            .join(i, i.id == part.interaction_id)
            .join(Organisation, Organisation.id == part.organisation_id).where(past_i),
            select(ev.municipality_id.label("id"), ev.starts_at.label("at")).where(past_e),
            select(located, ev.starts_at.label("at")).select_from(event_organiser)
            .join(ev, ev.id == org.event_id)
            .join(Organisation, Organisation.id == org.organisation_id).where(past_e),
        ]
    moments = union_all(*parts).subquery()
    return (select(moments.c.id, func.max(moments.c.at))
            .where(moments.c.id.is_not(None)).group_by(moments.c.id))


@pytest.mark.parametrize("kind", [ORGANISATIONS, MUNICIPALITIES])
def test_last_contacts_match_the_joined_contacts(demo_app: Any, kind: str) -> None:
    moment = datetime.now(UTC)
    with demo_app.db.sessions() as session:
        expected = dict(session.execute(_joined_reference(kind, moment)).all())
        found = dict(session.execute(last_contact_query(kind, moment)).all())
        some = sorted(expected)[::3]
        page = dict(session.execute(last_contact_query(kind, moment, ids=some)).all())
    assert expected and found == expected
    assert page == {k: v for k, v in expected.items() if k in some}


def test_link_tables_follow_the_interaction_time(app: Any) -> None:
    """The copies of ``occurred_at`` are kept by triggers: on insert (ORM or Core), when an
    interaction's time changes and when a link moves to another interaction."""
    early, late = datetime(2024, 5, 1, 9, tzinfo=UTC), datetime(2025, 6, 2, 10, tzinfo=UTC)
    with app.db.sessions.begin() as session:
        place = session.scalars(select(Municipality).limit(1)).one()
        orgs = [Organisation(name=f"Verein {n}", kind=OrganisationKind.ADMINISTRATION,
                             municipality=place) for n in range(3)]
        person = Person(full_name="Hans Müller")
        first = Interaction(kind=InteractionKind.MEETING, subject="Erstes", occurred_at=early,
                            organisations=[orgs[0]])
        first.participants.append(InteractionParticipant(person=person, organisation=orgs[1]))
        second = Interaction(kind=InteractionKind.CALL, subject="Zweites", occurred_at=late)
        session.add_all([*orgs, person, first, second])
        session.flush()
        ids = [o.id for o in orgs]
        first_id, second_id = first.id, second.id
        session.execute(insert(interaction_organisation).values(
            interaction_id=second_id, organisation_id=ids[2]))

    def lasts() -> dict[int, datetime]:
        with app.db.sessions() as session:
            return dict(session.execute(
                last_contact_query(ORGANISATIONS, ids=ids)).all())

    assert lasts() == {ids[0]: early, ids[1]: early, ids[2]: late}
    moved = datetime(2026, 1, 3, 8, 30, tzinfo=UTC)
    with app.db.sessions.begin() as session:
        session.get(Interaction, first_id).occurred_at = moved  # type: ignore[union-attr]
    assert lasts() == {ids[0]: moved, ids[1]: moved, ids[2]: late}
    with app.db.sessions.begin() as session:
        session.execute(update(InteractionParticipant)
                        .where(InteractionParticipant.interaction_id == first_id)
                        .values(interaction_id=second_id))
        session.execute(update(interaction_organisation)
                        .where(interaction_organisation.c.interaction_id == second_id)
                        .values(interaction_id=first_id))
    assert lasts() == {ids[0]: moved, ids[1]: late, ids[2]: moved}
    with app.db.sessions() as session:
        copies = session.execute(
            select(InteractionParticipant.occurred_at, Interaction.occurred_at)
            .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)).all()
    assert copies and all(copy == at for copy, at in copies)
