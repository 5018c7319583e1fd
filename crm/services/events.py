"""Events (Veranstaltungen): workshops, seminars, Fachtagungen; invitations and attendance.

Attendees are not records of their own: changes to the list are written to the audit trail
of the event ("attendees": {person uid: [old status, new status]}).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import (
    AttendeeStatus,
    Event,
    EventAttendee,
    EventKind,
    Organisation,
    Person,
    Role,
    Tag,
)
from crm.errors import ConflictError, ValidationError
from crm.services import refs
from crm.services.activity_rows import (
    EVENT_KINDS,
    STATUSES,
    AttendeeRow,
    EventDetail,
    EventInput,
    EventRow,
    InviteResult,
)
from crm.services.audit import record
from crm.services.base import Service
from crm.services.dates import local_date, parse_moment, utc_bounds
from crm.services.projects import project_ref
from crm.services.rows import Ref

EDITABLE = ("title", "kind", "starts_at", "ends_at", "venue", "notes", "municipality",
            "project", "organisers")


def _kind(value: str) -> EventKind:
    try:
        return EventKind(value)
    except ValueError:
        raise ValidationError.single("kind", "invalid_choice_of", value=value,
                                     choices=", ".join(EVENT_KINDS)) from None


def _status(value: str) -> AttendeeStatus:
    try:
        return AttendeeStatus(value)
    except ValueError:
        raise ValidationError.single("status", "invalid_choice_of", value=value,
                                     choices=", ".join(STATUSES)) from None


def _validated(values: Mapping[str, Any]) -> dict[str, Any]:
    checks: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: validation.required_name("title", v),
        "kind": _kind,
        "starts_at": lambda v: _required_moment("starts_at", v),
        "ends_at": lambda v: parse_moment("ends_at", v, direction="future") if v else None,
        "venue": lambda v: validation.clean_text("venue", v, limit=300),
        "notes": lambda v: validation.notes("notes", v),
    }
    result: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, value in values.items():
        try:
            result[key] = checks[key](value) if key in checks else value
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return result


def _required_moment(field: str, value: datetime | str | None) -> datetime:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError.single(field, "required")
    return parse_moment(field, value, direction="future")


def _main_role(person: Person) -> Role | None:
    current = [r for r in person.roles if r.is_current]
    current.sort(key=lambda r: -(r.start_date or date.min).toordinal())
    return current[0] if current else None


def attendee_row(a: EventAttendee) -> AttendeeRow:
    role = _main_role(a.person)
    return AttendeeRow(
        person=Ref(a.person.uid, a.person.full_name), name=a.person.full_name,
        status=a.status.value, role_title=role.title if role else None,
        organisation=role.organisation.name if role else None)


def event_row(e: Event) -> EventRow:
    return EventRow(
        uid=e.uid, title=e.title, kind=e.kind.value, starts_at=e.starts_at, ends_at=e.ends_at,
        date=local_date(e.starts_at), venue=e.venue,
        municipality=Ref(e.municipality.uid, e.municipality.name) if e.municipality else None,
        project=project_ref(e.project))


def event_detail(e: Event) -> EventDetail:
    attendees = sorted(e.attendees, key=lambda a: (a.person.sort_key, a.person.id))
    return EventDetail(
        uid=e.uid, title=e.title, kind=e.kind.value, starts_at=e.starts_at, ends_at=e.ends_at,
        date=local_date(e.starts_at), venue=e.venue, notes=e.notes,
        municipality=Ref(e.municipality.uid, e.municipality.name) if e.municipality else None,
        project=project_ref(e.project),
        organisers=tuple(Ref(o.uid, o.name) for o in e.organisers),
        attendees=tuple(attendee_row(a) for a in attendees), version=e.version)


def _loaded(query: Select[Event]) -> Select[Event]:
    return query.options(
        selectinload(Event.organisers), selectinload(Event.municipality),
        selectinload(Event.project),
        selectinload(Event.attendees).selectinload(EventAttendee.person)
        .selectinload(Person.roles).selectinload(Role.organisation))


class EventService(Service):
    def create(self, data: EventInput) -> EventDetail:
        values = _validated({"title": data.title, "kind": data.kind, "starts_at": data.starts_at,
                             "ends_at": data.ends_at, "venue": data.venue, "notes": data.notes})
        _check_order(values["starts_at"], values["ends_at"])
        with self._write() as session:
            event = Event(**values)
            self._apply_links(session, event, {"municipality": data.municipality,
                                               "project": data.project,
                                               "organisers": data.organisers})
            session.add(event)
            session.flush()
            return event_detail(self._load(session, event.uid))

    def get(self, ref: str) -> EventDetail:
        with self._read() as session:
            return event_detail(self._load(session, ref))

    def events(self, *, date_from: date | None = None, date_to: date | None = None,
               project: str | None = None, offset: int = 0, limit: int = 200
               ) -> list[EventRow]:
        """Events by start, newest first (``date_from``/``date_to`` are local days)."""
        start, end = utc_bounds(date_from, date_to)
        with self._read() as session:
            query = select(Event).options(selectinload(Event.municipality),
                                          selectinload(Event.project))
            if start is not None:
                query = query.where(Event.starts_at >= start)
            if end is not None:
                query = query.where(Event.starts_at < end)
            if project:
                query = query.where(Event.project_id == refs.resolve_project(session, project).id)
            query = query.order_by(Event.starts_at.desc(), Event.id.desc())
            return [event_row(e) for e in session.scalars(query.offset(offset).limit(limit))]

    def update(self, ref: str, changes: Mapping[str, Any],
               expected_version: int | None = None) -> EventDetail:
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError({k: ("unknown_field", {}) for k in sorted(unknown)})
        values = _validated({k: v for k, v in changes.items()
                             if k not in ("municipality", "project", "organisers")})
        with self._write() as session:
            event = self._load(session, ref)
            if expected_version is not None and expected_version != event.version:
                raise ConflictError("event", event.uid, dict(values), {}, event.version)
            for key, value in values.items():
                setattr(event, key, value)
            _check_order(event.starts_at, event.ends_at)
            links = {k: v for k, v in changes.items()
                     if k in ("municipality", "project", "organisers")}
            old_orgs = [o.uid for o in event.organisers]
            self._apply_links(session, event, links)
            new_orgs = [o.uid for o in event.organisers]
            if old_orgs != new_orgs:
                record(session, event, "organisers", {"organisers": [old_orgs, new_orgs]})
            session.flush()
            return event_detail(event)

    def delete(self, ref: str) -> None:
        with self._write() as session:
            session.delete(self._load(session, ref))

    # -- invitations and attendance ------------------------------------------------------

    def invite(self, event_ref: str, person_refs: Sequence[str]) -> InviteResult:
        """Invite persons one by one (REFs); all must exist or nobody is invited."""
        with self._write() as session:
            event = self._load(session, event_ref)
            persons = [refs.resolve_person(session, r) for r in person_refs]
            return self._invite(session, event, persons)

    def invite_tag(self, event_ref: str, tag: str) -> InviteResult:
        """Invite every (not archived) person with the tag."""
        with self._write() as session:
            event = self._load(session, event_ref)
            tag_id = session.scalar(select(Tag.id).where(Tag.name == tag.strip()))
            if tag_id is None:
                raise ValidationError.single("tag", "not_found", ref=tag)
            persons = session.scalars(
                select(Person).join(Person.tags).where(Tag.id == tag_id,
                                                       Person.archived_at.is_(None))
                .order_by(Person.sort_key)).all()
            return self._invite(session, event, list(persons))

    def invite_role_holders(self, event_ref: str, title_contains: str,
                            on: date | None = None) -> InviteResult:
        """Invite everyone currently holding a role whose title contains the text
        ("Integrationsbeauftragte" finds "Integrationsbeauftragte:r der Stadt Gera")."""
        text = validation.required_name("title", title_contains, limit=200)
        day = on or date.today()
        with self._write() as session:
            event = self._load(session, event_ref)
            persons = session.scalars(
                select(Person).join(Role, Role.person_id == Person.id)
                .join(Organisation, Organisation.id == Role.organisation_id)
                .where(Role.title.icontains(text, autoescape=True),
                       or_(Role.start_date.is_(None), Role.start_date <= day),
                       or_(Role.end_date.is_(None), Role.end_date > day),
                       Person.archived_at.is_(None), Organisation.archived_at.is_(None))
                .order_by(Person.sort_key).distinct()).all()
            return self._invite(session, event, list(persons))

    def set_status(self, event_ref: str, person_ref: str, status: str) -> AttendeeRow:
        """Set one person's status (adding them to the list if they were not on it)."""
        detail = self.record_attendance(event_ref, {person_ref: status})
        with self._read() as session:
            uid = refs.resolve_person(session, person_ref).uid
        return next(a for a in detail.attendees if a.person.uid == uid)

    def record_attendance(self, event_ref: str, statuses: Mapping[str, str]) -> EventDetail:
        """Set many statuses at once (the checklist): {person REF: status}."""
        wanted = {ref: _status(value) for ref, value in statuses.items()}
        with self._write() as session:
            event = self._load(session, event_ref)
            by_person = {a.person_id: a for a in event.attendees}
            changes: dict[str, list[str | None]] = {}
            for ref, status in wanted.items():
                person = refs.resolve_person(session, ref)
                entry = by_person.get(person.id)
                if entry is None:
                    entry = EventAttendee(person=person, status=status)
                    event.attendees.append(entry)
                    by_person[person.id] = entry
                    changes[person.uid] = [None, status.value]
                elif entry.status != status:
                    changes[person.uid] = [entry.status.value, status.value]
                    entry.status = status
            if changes:
                record(session, event, "attendees", changes)
            session.flush()
            return event_detail(event)

    def mark_attended(self, event_ref: str, person_refs: Sequence[str]) -> EventDetail:
        """Tick these persons as attended (walk-ins are added)."""
        return self.record_attendance(
            event_ref, dict.fromkeys(person_refs, AttendeeStatus.ATTENDED.value))

    def remove_attendee(self, event_ref: str, person_ref: str) -> EventDetail:
        with self._write() as session:
            event = self._load(session, event_ref)
            person = refs.resolve_person(session, person_ref)
            entry = next((a for a in event.attendees if a.person_id == person.id), None)
            if entry is not None:
                event.attendees.remove(entry)
                record(session, event, "attendees", {person.uid: [entry.status.value, None]})
            session.flush()
            return event_detail(event)

    def attendees(self, event_ref: str) -> list[AttendeeRow]:
        return list(self.get(event_ref).attendees)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _invite(session: Session, event: Event, persons: list[Person]) -> InviteResult:
        present = {a.person_id for a in event.attendees}
        added, already = [], []
        for person in persons:
            if person.id in present:
                already.append(Ref(person.uid, person.full_name))
                continue
            present.add(person.id)
            event.attendees.append(EventAttendee(person=person, status=AttendeeStatus.INVITED))
            added.append(Ref(person.uid, person.full_name))
        if added:
            record(session, event, "invite",
                   {"attendees": [None, [r.uid for r in added]]})
        session.flush()
        return InviteResult(tuple(added), tuple(already))

    @staticmethod
    def _apply_links(session: Session, event: Event, links: Mapping[str, Any]) -> None:
        if "municipality" in links:
            ref = links["municipality"]
            event.municipality = refs.resolve_municipality(session, ref) if ref else None
        if "project" in links:
            ref = links["project"]
            event.project = refs.resolve_project(session, ref) if ref else None
        if "organisers" in links:
            orgs = [refs.resolve_organisation(session, r) for r in links["organisers"] or ()]
            event.organisers = list({o.id: o for o in orgs}.values())

    @staticmethod
    def _load(session: Session, ref: str) -> Event:
        found = session.scalar(_loaded(select(Event)).where(Event.uid == ref))
        return found if found is not None else refs.resolve_event(session, ref)


def _check_order(start: datetime, end: datetime | None) -> None:
    if end is not None and end < start:
        raise ValidationError.single("ends_at", "ends_before_starts")
