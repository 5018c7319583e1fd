"""Events: invitations (one by one, by tag, by role title), attendance, and their place in
the histories of attendees and co-organisers."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from crm.domain import AuditEntry, EventAttendee
from crm.errors import NotFoundError, ValidationError
from crm.services.activity_rows import EventInput, LogInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput

WORKSHOP_START = datetime.fromisoformat("2026-01-20T10:00").astimezone()


def _event(app, **extra: object):  # noqa: ANN001, ANN202
    values: dict[str, object] = {"title": "Workshop Förderanträge", "kind": "workshop",
                                 "starts_at": WORKSHOP_START, "venue": "Rathaus Gera"}
    values.update(extra)
    return app.events.create(EventInput(**values))  # type: ignore[arg-type]


def _persons(app, count: int, tags: list[str] | None = None) -> list[str]:  # noqa: ANN001
    return [app.people.create(PersonInput(full_name=f"Teilnehmer:in {i:02d}",
                                          tags=tags or [])).uid for i in range(count)]


def test_thirty_invited_twenty_attended(app) -> None:  # noqa: ANN001
    event = _event(app, municipality="16052")
    people = _persons(app, 30)
    invited = app.events.invite(event.uid, people)
    assert len(invited.added) == 30 and invited.already == ()
    detail = app.events.mark_attended(event.uid, people[:20])
    assert detail.counts == {"invited": 10, "registered": 0, "attended": 20, "cancelled": 0}
    assert len(app.events.attendees(event.uid)) == 30
    again = app.events.invite(event.uid, people[:5])
    assert again.added == () and len(again.already) == 5
    assert app.events.get(event.uid).counts["attended"] == 20  # inviting again changes nothing


def test_statuses_from_a_checklist_and_one_by_one(app) -> None:  # noqa: ANN001
    event = _event(app)
    a, b, c = _persons(app, 3)
    app.events.invite(event.uid, [a, b])
    detail = app.events.record_attendance(event.uid, {a: "attended", b: "cancelled",
                                                      c: "attended"})  # c walked in
    assert {x.person.uid: x.status for x in detail.attendees} == {
        a: "attended", b: "cancelled", c: "attended"}
    row = app.events.set_status(event.uid, b, "registered")
    assert row.status == "registered"
    with pytest.raises(ValidationError) as info:
        app.events.set_status(event.uid, a, "maybe")
    assert info.value.errors["status"][0] == "invalid_choice_of"
    with app.db.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.record_uid == event.uid, AuditEntry.action == "attendees")
            .order_by(AuditEntry.id)).all()
    assert json.loads(entries[-1].changes) == {b: ["cancelled", "registered"]}


def test_invite_by_tag_and_by_current_role_title(app) -> None:  # noqa: ANN001
    event = _event(app)
    tagged = _persons(app, 3, tags=["Modellkommune"])
    _persons(app, 2)
    by_tag = app.events.invite_tag(event.uid, "Modellkommune")
    assert {r.uid for r in by_tag.added} == set(tagged)
    with pytest.raises(ValidationError):
        app.events.invite_tag(event.uid, "gibt es nicht")

    gera = app.organisations.create(OrganisationInput(name="Stadt Gera", kind="administration",
                                                      municipality="16052")).uid
    jena = app.organisations.create(OrganisationInput(name="Stadt Jena", kind="administration",
                                                      municipality="16053")).uid
    current = app.people.create(PersonInput(full_name="Derya Yılmaz")).uid
    former = app.people.create(PersonInput(full_name="Piotr Wróbel")).uid
    other = app.people.create(PersonInput(full_name="Alex Kim")).uid
    app.roles.add(current, gera, "Integrationsbeauftragte:r der Stadt Gera", since="2024-01-01")
    app.roles.add(former, jena, "Integrationsbeauftragte:r", since="2019-01-01")
    app.roles.end(former, jena, on="2025-06-30")
    app.roles.add(other, jena, "Integrationsmanager:in", since="2024-01-01")
    by_role = app.events.invite_role_holders(event.uid, "Integrationsbeauftragte")
    assert [r.name for r in by_role.added] == ["Derya Yılmaz"]
    attendee = next(a for a in app.events.get(event.uid).attendees if a.person.uid == current)
    assert attendee.organisation == "Stadt Gera"


def test_role_titles_and_event_texts_match_in_any_case(app) -> None:  # noqa: ANN001
    """SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not: both engines
    find the same records."""
    event = _event(app)
    gera = app.organisations.create(OrganisationInput(name="Stadt Gera", kind="administration",
                                                      municipality="16052")).uid
    derya = app.people.create(PersonInput(full_name="Derya Yılmaz")).uid
    app.roles.add(derya, gera, "Integrationsbeauftragte:r", since="2024-01-01")
    assert [r.person.uid for r in app.roles.holders("INTEGRATIONSBEAUFTRAGTE")] == [derya]
    by_role = app.events.invite_role_holders(event.uid, "integrationsbeauftragte")
    assert [r.name for r in by_role.added] == ["Derya Yılmaz"]
    assert [e.uid for e in app.interactions.timeline(text="workshop")] == [event.uid]


def test_a_missing_person_invites_nobody(app) -> None:  # noqa: ANN001
    event = _event(app)
    people = _persons(app, 2)
    with pytest.raises(NotFoundError):
        app.events.invite(event.uid, [*people, "Niemand Unbekannt"])
    with app.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(EventAttendee)) == 0


def test_event_fields_are_checked(app) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as info:
        app.events.create(EventInput(title="", kind="party", starts_at="31.02.2026",
                                     ends_at="2026-01-01"))
    assert {k: v[0] for k, v in info.value.errors.items()} == {
        "title": "required", "kind": "invalid_choice_of", "starts_at": "invalid_date"}
    with pytest.raises(ValidationError) as info:
        app.events.create(EventInput(title="X", kind="seminar", starts_at="2026-05-02T10:00",
                                     ends_at="2026-05-01T10:00"))
    assert info.value.errors["ends_at"][0] == "ends_before_starts"


def test_events_appear_in_the_history_of_attendees_and_co_organisers(app) -> None:  # noqa: ANN001
    council = app.organisations.create(OrganisationInput(
        name="Migrationsbeirat Jena", kind="council", municipality="16053")).uid
    project = app.projects.add("Kommunen im Dialog", start="2025-01-01")
    event = _event(app, organisers=[council], project=project.uid, municipality="Jena")
    guest, absent = _persons(app, 2)
    app.events.invite(event.uid, [guest, absent])
    app.events.mark_attended(event.uid, [guest])
    earlier = app.interactions.log(LogInput(kind="call", subject="Vorgespräch",
                                            participants=[guest], occurred_at="2026-01-05"))
    history = app.interactions.timeline(person=guest)
    assert [(e.source, e.kind, e.subject) for e in history] == [
        ("event", "event", "Workshop Förderanträge"), ("interaction", "call", "Vorgespräch")]
    assert history[0].status == "attended" and history[0].attendee_count == 2
    assert history[0].event_kind == "workshop"
    assert history[1].uid == earlier.uid
    assert app.interactions.timeline(person=absent)[0].status == "invited"
    assert [e.uid for e in app.interactions.timeline(organisation=council)] == [event.uid]
    assert [e.uid for e in app.interactions.timeline(municipality="16053")] == [event.uid]
    assert [e.uid for e in app.interactions.timeline(project=project.uid)] == [event.uid]
    assert app.interactions.timeline(person=guest, events=False)[0].uid == earlier.uid
    assert app.interactions.timeline(person=guest, kinds=("call",))[0].uid == earlier.uid
    # Attending counts as contact; being invited does not.
    contacts = app.interactions.last_contacts("persons")
    assert contacts[guest] == WORKSHOP_START.date()
    assert absent not in contacts
    assert app.interactions.last_contacts("organisations")[council] == WORKSHOP_START.date()


def test_event_update_list_and_delete(app) -> None:  # noqa: ANN001
    event = _event(app)
    moved = app.events.update(event.uid, {"venue": "Volkshaus Jena",
                                          "starts_at": "2026-02-03T09:30"},
                              expected_version=event.version)
    assert moved.venue == "Volkshaus Jena" and moved.date == date(2026, 2, 3)
    assert [e.uid for e in app.events.events(date_from=date(2026, 2, 1))] == [event.uid]
    assert app.events.events(date_to=date(2026, 1, 31)) == []
    app.events.delete(event.uid)
    with pytest.raises(NotFoundError):
        app.events.get(event.uid)
