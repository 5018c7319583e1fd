"""The quick log: participants with their roles of that day, follow-ups, timelines, last
contact, editing with version checks and undoable delete."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.domain import AuditEntry, FollowUp, Interaction, InteractionParticipant
from crm.errors import ConflictError, NotFoundError, ValidationError
from crm.services.activity_rows import FollowUpInput, LogInput, TimelineFilter
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput

MEETING_DAY = "2025-11-10T10:00"


@dataclass
class Gera:
    city_hall: str
    council: str
    anna: str  # integration commissioner until January 2026, then head of unit
    bilal: str  # chair of the advisory council


def _count(app, model) -> int:  # noqa: ANN001
    with app.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _org(app, name: str, kind: str, place: str | None, tags: list[str] | None = None) -> str:  # noqa: ANN001
    return app.organisations.create(OrganisationInput(name=name, kind=kind, municipality=place,
                                                      tags=tags or [])).uid


def _person(app, name: str, org: str, title: str, since: str) -> str:  # noqa: ANN001
    uid = app.people.create(PersonInput(full_name=name)).uid
    app.roles.add(uid, org, title, since=since)
    return uid


@pytest.fixture
def gera(app) -> Gera:  # noqa: ANN001
    city_hall = _org(app, "Stadtverwaltung Gera", "administration", "16052")
    council = _org(app, "Migrationsbeirat Gera", "council", "16052")
    anna = _person(app, "Anna Şahin", city_hall, "Integrationsbeauftragte:r", "2020-01-01")
    app.roles.end(anna, city_hall, on="2026-01-31")
    app.roles.add(anna, city_hall, "Referatsleiter:in", since="2026-02-01")
    bilal = _person(app, "Bilal Nguyễn", council, "Vorsitz", "2019-05-01")
    return Gera(city_hall, council, anna, bilal)


def _log(app, who: list[str], subject: str = "Treffen", when: str = MEETING_DAY,  # noqa: ANN001
         **extra: object):
    return app.interactions.log(LogInput(kind="meeting", subject=subject, participants=who,
                                         occurred_at=when, **extra))  # type: ignore[arg-type]


def test_participants_keep_the_roles_they_held_that_day(app, gera: Gera) -> None:  # noqa: ANN001
    logged = _log(app, [gera.anna, gera.bilal], duration_minutes=90)
    detail = app.interactions.get(logged.uid)
    roles = {p.name: (p.role_title, p.organisation.name if p.organisation else None)
             for p in detail.participants}
    assert roles == {
        "Anna Şahin": ("Integrationsbeauftragte:r", "Stadtverwaltung Gera"),
        "Bilal Nguyễn": ("Vorsitz", "Migrationsbeirat Gera"),
    }
    assert detail.date == date(2025, 11, 10)
    assert detail.duration_minutes == 90
    assert detail.logged_by == "TS"
    # Organisations and the municipality come from the participants' roles.
    assert {o.name for o in detail.organisations} == {"Stadtverwaltung Gera",
                                                      "Migrationsbeirat Gera"}
    assert detail.municipality is not None and detail.municipality.name == "Gera"
    # A later meeting sees Anna's new role; the old entry is unchanged.
    later = _log(app, [gera.anna], when="2026-03-02T09:00")
    assert later.participants[0].role_title == "Referatsleiter:in"
    assert app.interactions.get(logged.uid).participants[0].role_title == (
        "Integrationsbeauftragte:r")


def test_organisations_and_municipality_can_be_given(app, gera: Gera) -> None:  # noqa: ANN001
    member = _org(app, "Kulturverein Altenburg", "member", "16077001")
    logged = _log(app, [gera.anna], organisations=[member], municipality="Altenburg")
    assert [o.name for o in logged.organisations] == ["Kulturverein Altenburg"]
    assert logged.municipality is not None and logged.municipality.name.startswith("Altenburg")
    none = _log(app, [gera.anna], organisations=[], municipality="")
    assert none.organisations == () and none.municipality is None


def test_follow_ups_default_to_the_staff_member_who_logged(app, gera: Gera) -> None:  # noqa: ANN001
    app.staff.ensure("MK", "Mira Krause")
    logged = _log(app, [gera.anna], follow_ups=[
        ("2026-04-01", "Protokoll schicken", None),
        FollowUpInput(date(2026, 4, 15), "Einladung Fachtagung", "mk"),
    ])
    assert [(f.text, f.assignee) for f in logged.follow_ups] == [
        ("Protokoll schicken", "TS"), ("Einladung Fachtagung", "MK")]
    first = logged.follow_ups[0]
    assert first.interaction is not None and first.interaction.uid == logged.uid
    assert [p.name for p in first.people] == ["Anna Şahin"]


def test_a_participant_that_does_not_exist_writes_nothing(app, gera: Gera) -> None:  # noqa: ANN001
    with pytest.raises(NotFoundError) as info:
        _log(app, [gera.anna, "Niemand Unbekannt"], follow_ups=[("2026-04-01", "x", None)])
    assert info.value.kind == "person"
    assert _count(app, Interaction) == 0
    assert _count(app, InteractionParticipant) == 0
    assert _count(app, FollowUp) == 0


def test_an_unknown_assignee_writes_nothing(app, gera: Gera) -> None:  # noqa: ANN001
    with pytest.raises(NotFoundError):
        _log(app, [gera.anna], follow_ups=[("2026-04-01", "x", "ZZ")])
    assert _count(app, Interaction) == 0


def test_invalid_input_is_reported_per_field(app, gera: Gera) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as info:
        app.interactions.log(LogInput(kind="party", subject=" ", participants=[gera.anna],
                                      occurred_at="31.02.2026"))
    assert {k: v[0] for k, v in info.value.errors.items()} == {
        "kind": "invalid_choice_of", "subject": "required", "date": "invalid_date"}
    with pytest.raises(ValidationError) as info:
        app.interactions.log(LogInput(kind="call", subject="Anruf"))
    assert info.value.errors["participants"][0] == "required"
    assert _count(app, Interaction) == 0


def test_long_notes_with_markup_are_stored_exactly(app, gera: Gera) -> None:  # noqa: ANN001
    notes = ("<script>alert('x')</script> Müller & Söhne; Олена: 1 < 2 > 0\n" * 1700).strip()
    assert len(notes.encode()) > 100_000
    logged = _log(app, [gera.anna], notes=notes)
    assert app.interactions.get(logged.uid).notes == notes


def test_timelines_of_both_persons_and_their_organisations(app, gera: Gera) -> None:  # noqa: ANN001
    both = _log(app, [gera.anna, gera.bilal], subject="Beiratssitzung")
    anna_only = _log(app, [gera.anna], subject="Telefonat", when="2025-12-01T09:00")
    anna = app.interactions.timeline(person=gera.anna)
    assert [e.uid for e in anna] == [anna_only.uid, both.uid]  # newest first
    assert [e.uid for e in app.interactions.timeline(person=gera.bilal)] == [both.uid]
    council = app.interactions.timeline(TimelineFilter(organisation=gera.council))
    assert [e.uid for e in council] == [both.uid]
    entry = anna[1]
    assert entry.kind == "meeting" and entry.subject == "Beiratssitzung"
    assert {(p.name, p.role_title) for p in entry.participants} == {
        ("Anna Şahin", "Integrationsbeauftragte:r"), ("Bilal Nguyễn", "Vorsitz")}
    assert app.interactions.timeline_count(person=gera.anna) == 2


def test_timeline_filters_and_paging(app, gera: Gera) -> None:  # noqa: ANN001
    app.staff.ensure("MK")
    project = app.projects.add("Brücken bauen", start="2025-01-01", end="2026-12-31")
    for day in range(1, 6):
        _log(app, [gera.bilal], subject=f"Treffen {day}", when=f"2025-10-0{day}T10:00",
             notes="Haushalt" if day % 2 else "Satzung")
    _log(app, [gera.bilal], subject="Projekttreffen", when="2025-10-20T10:00",
         project=project.uid)
    timeline = app.interactions.timeline
    page = timeline(person=gera.bilal, offset=1, limit=2)
    assert [e.subject for e in page] == ["Treffen 5", "Treffen 4"]
    assert [e.subject for e in timeline(project=project.uid)] == ["Projekttreffen"]
    assert len(timeline(date_from=date(2025, 10, 2), date_to=date(2025, 10, 3))) == 2
    assert [e.subject for e in timeline(text="satzung")] == ["Treffen 4", "Treffen 2"]
    assert len(timeline(text="nguyen")) == 6  # the search index: participants, accents
    assert timeline(kinds=("call",)) == []
    assert len(timeline(staff="TS")) == 6 and timeline(staff="MK") == []
    assert [e.excerpt for e in timeline(limit=1, date_to=date(2025, 10, 1))] == ["Haushalt"]


def test_timeline_by_tag(app, gera: Gera) -> None:  # noqa: ANN001
    app.people.set_tags(gera.bilal, ["Modellkommune"])
    tagged = _log(app, [gera.bilal])
    _log(app, [gera.anna])
    assert [e.uid for e in app.interactions.timeline(tag="Modellkommune")] == [tagged.uid]
    assert app.interactions.timeline(tag="unbekannt") == []


def test_municipality_timeline_includes_towns_and_organisations_there(app, gera: Gera  # noqa: ANN001
                                                                      ) -> None:
    member = _org(app, "Kulturverein Schmölln", "member", "Schmölln")
    chair = _person(app, "Olena Shevchenko", member, "Vorsitz", "2018-01-01")
    in_town = _log(app, [gera.anna], subject="In Altenburg", organisations=[],
                   municipality="16077001")
    by_org = _log(app, [chair], subject="Mit dem Kulturverein", municipality="")
    in_gera = _log(app, [gera.bilal], subject="In Gera")
    district = app.interactions.timeline(municipality="16077")
    assert {e.uid for e in district} == {in_town.uid, by_org.uid}
    # Anna took part for Gera's city hall: that meeting is part of Gera's history too.
    assert [e.uid for e in app.interactions.timeline(municipality="16052")] == [
        in_gera.uid, in_town.uid]


def test_last_contact_for_persons_organisations_places_and_districts(app, gera: Gera  # noqa: ANN001
                                                                     ) -> None:
    _log(app, [gera.anna, gera.bilal], when="2025-11-10T10:00")
    _log(app, [gera.bilal], when="2026-01-15T10:00")
    _log(app, [gera.bilal], when=(datetime.now().astimezone() + timedelta(days=30)).isoformat(),
         subject="Geplant")  # not a contact yet
    altenburg = app.municipalities.get("16077001").uid
    _log(app, [gera.anna], when="2025-12-24T10:00", organisations=[], municipality=altenburg)
    svc = app.interactions
    persons = svc.last_contacts("persons")
    assert persons == {gera.anna: date(2025, 12, 24), gera.bilal: date(2026, 1, 15)}
    assert svc.last_contacts("persons", [gera.anna]) == {gera.anna: date(2025, 12, 24)}
    orgs = svc.last_contacts("organisations")
    assert orgs[gera.council] == date(2026, 1, 15)
    assert orgs[gera.city_hall] == date(2025, 12, 24)  # Anna came for the city hall
    gera_uid = app.municipalities.get("16052").uid
    assert svc.last_contacts("municipalities")[gera_uid] == date(2026, 1, 15)
    districts = svc.last_contacts("districts")
    assert districts[app.municipalities.get("16077").uid] == date(2025, 12, 24)
    assert districts[gera_uid] == date(2026, 1, 15)
    assert altenburg not in districts


def test_update_is_version_checked_and_audited_on_the_interaction(app, gera: Gera  # noqa: ANN001
                                                                  ) -> None:
    logged = _log(app, [gera.anna])
    changed = app.interactions.update(
        logged.uid, {"subject": "Beiratssitzung", "participants": [gera.anna, gera.bilal]},
        expected_version=logged.version)
    assert changed.version == logged.version + 1
    assert [p.name for p in changed.participants] == ["Anna Şahin", "Bilal Nguyễn"]
    assert changed.participants[1].role_title == "Vorsitz"
    with pytest.raises(ConflictError) as info:
        app.interactions.update(logged.uid, {"subject": "Alt"}, expected_version=logged.version)
    assert info.value.version == changed.version
    assert app.interactions.get(logged.uid).subject == "Beiratssitzung"
    with app.db.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.record_uid == logged.uid).order_by(AuditEntry.id)).all()
    by_action = {e.action: json.loads(e.changes) for e in entries}
    assert sorted(by_action) == ["create", "participants", "update"]
    assert by_action["update"] == {"subject": ["Treffen", "Beiratssitzung"]}
    old, new = by_action["participants"]["participants"]
    assert len(old) == 1 and len(new) == 2
    with pytest.raises(ValidationError):
        app.interactions.update(logged.uid, {"logged_by": "MK"})


def test_moving_the_date_takes_the_roles_of_the_new_day(app, gera: Gera) -> None:  # noqa: ANN001
    logged = _log(app, [gera.anna])
    moved = app.interactions.update(logged.uid, {"occurred_at": "2026-03-02T10:00"})
    assert moved.participants[0].role_title == "Referatsleiter:in"


def test_delete_can_be_undone_with_the_same_uid(app, gera: Gera) -> None:  # noqa: ANN001
    logged = _log(app, [gera.anna, gera.bilal], notes="<b>&amp;</b>",
                  follow_ups=[("2026-04-01", "Protokoll", None)])
    saved = app.interactions.delete(logged.uid)
    assert _count(app, Interaction) == 0 and _count(app, FollowUp) == 0
    assert app.interactions.timeline(person=gera.anna) == []
    with pytest.raises(NotFoundError):
        app.interactions.get(logged.uid)
    restored = app.interactions.restore_deleted(saved)
    assert restored.uid == logged.uid
    assert restored.notes == "<b>&amp;</b>"
    assert [(p.name, p.role_title) for p in restored.participants] == [
        (p.name, p.role_title) for p in logged.participants]
    assert [f.uid for f in restored.follow_ups] == [f.uid for f in logged.follow_ups]
    assert [e.uid for e in app.interactions.timeline(person=gera.anna)] == [logged.uid]
    with pytest.raises(ValidationError):
        app.interactions.restore_deleted(saved)


def test_suggest_shows_what_the_log_would_store(app, gera: Gera) -> None:  # noqa: ANN001
    hint = app.interactions.suggest([gera.anna, gera.bilal], on=date(2025, 11, 10))
    assert [p.role_title for p in hint.participants] == ["Integrationsbeauftragte:r", "Vorsitz"]
    assert hint.municipality is not None and hint.municipality.name == "Gera"
    assert _count(app, Interaction) == 0


def test_follow_up_lists_grouped_done_and_undone(app, gera: Gera) -> None:  # noqa: ANN001
    app.staff.ensure("MK")
    today = date(2026, 3, 12)  # a Thursday
    _log(app, [gera.anna], follow_ups=[
        (date(2026, 3, 10), "überfällig", None), (today, "heute", None),
        (date(2026, 3, 15), "Sonntag", None), (date(2026, 3, 16), "später", "MK")])
    groups = app.followups.grouped(today=today)
    assert [[r.text for r in g] for g in (groups.overdue, groups.today, groups.this_week,
                                          groups.later)] == [
        ["überfällig"], ["heute"], ["Sonntag"], ["später"]]
    mine = app.followups.grouped(mine=True, today=today)
    assert mine.count == 3
    assert [r.text for r in app.followups.overdue_for(today=today)] == ["überfällig"]
    assert app.followups.overdue_for("MK", today=today) == []
    task = groups.overdue[0]
    done = app.followups.set_done(task.uid)
    assert done.done and done.done_at is not None
    assert "überfällig" not in [r.text for r in app.followups.tasks()]
    assert [r.text for r in app.followups.tasks(include_done=True)][-1] == "überfällig"
    assert not app.followups.undo_done(task.uid).done
    moved = app.followups.reschedule(task.uid, date(2026, 3, 20))
    assert moved.due == date(2026, 3, 20)
    assert app.followups.reassign(task.uid, "MK").assignee == "MK"
    with pytest.raises(ConflictError):
        app.followups.reschedule(task.uid, date(2026, 3, 21), expected_version=task.version)


def test_rows_module_is_plain_data_for_the_ui() -> None:
    """ui/ may import crm.services.activity_rows: no SQLAlchemy, no models behind it."""
    import ast
    from pathlib import Path

    from crm.domain import AttendeeStatus, EventKind, InteractionKind
    from crm.services import activity_rows

    tree = ast.parse(Path(activity_rows.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for a in node.names}
    assert imported <= {"__future__", "collections", "collections.abc", "dataclasses",
                        "datetime", "typing", "crm.services.rows"}
    assert tuple(k.value for k in InteractionKind) == activity_rows.INTERACTION_KINDS
    assert tuple(k.value for k in EventKind) == activity_rows.EVENT_KINDS
    assert tuple(s.value for s in AttendeeStatus) == activity_rows.STATUSES


def test_a_follow_up_sent_again_by_uid_is_stored_once(app) -> None:  # noqa: ANN001
    uid = "01HZFOLLOWUPSENTOFFLINE0001"[:26]
    first = app.followups.add(FollowUpInput("2099-03-02", "Offline angelegt"), uid=uid)
    again = app.followups.add(FollowUpInput(date(2099, 3, 2), "Offline angelegt"), uid=uid)
    assert first.uid == again.uid == uid and again.version == first.version
    with app.db.sessions() as session:
        assert session.scalar(select(func.count(FollowUp.id))
                              .where(FollowUp.uid == uid)) == 1
    with pytest.raises(ConflictError):
        app.followups.add(FollowUpInput("2099-03-02", "Etwas anderes"), uid=uid)
    assert app.followups.get(uid).text == "Offline angelegt"
