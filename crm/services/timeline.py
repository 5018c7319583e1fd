"""Timelines and "last contact": the queries behind the history views and the map.

A timeline merges interactions and events, newest first: events count for every attendee
and co-organiser, and for the place they are held in. A municipality's timeline includes
its towns and the organisations located there (also as a participant's organisation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from crm.domain import (
    AttendeeStatus,
    Event,
    EventAttendee,
    Interaction,
    InteractionKind,
    InteractionParticipant,
    Municipality,
    MunicipalityLevel,
    Organisation,
    Person,
    Tag,
)
from crm.domain.base import UTCDateTime
from crm.domain.events import event_organiser
from crm.domain.interactions import interaction_organisation
from crm.domain.organisation import organisation_tag
from crm.domain.person import person_tag
from crm.errors import ValidationError
from crm.i18n import _
from crm.services import refs
from crm.services.activity_rows import (
    INTERACTION_KINDS,
    ParticipantRow,
    TimelineEntry,
    TimelineFilter,
    excerpt,
)
from crm.services.dates import local_date, utc_bounds
from crm.services.followups import staff_id_by_initials
from crm.services.projects import project_ref
from crm.services.rows import Ref

PERSONS, ORGANISATIONS, MUNICIPALITIES, DISTRICTS = (
    "persons", "organisations", "municipalities", "districts")
CONTACT_KINDS = (PERSONS, ORGANISATIONS, MUNICIPALITIES, DISTRICTS)


def participant_row(p: InteractionParticipant) -> ParticipantRow:
    person = p.person
    return ParticipantRow(
        person=Ref(person.uid, person.full_name) if person else None,
        name=person.full_name if person else _("deleted person"),
        role_title=p.role_title,
        organisation=Ref(p.organisation.uid, p.organisation.name) if p.organisation else None,
    )


def named_ref(obj: Organisation | Municipality | None) -> Ref | None:
    return Ref(obj.uid, obj.name) if obj is not None else None


def interaction_kind(value: str) -> InteractionKind:
    try:
        return InteractionKind(value)
    except ValueError:
        raise ValidationError.single("kind", "invalid_choice_of", value=value,
                                     choices=", ".join(INTERACTION_KINDS)) from None


# -- timeline queries ---------------------------------------------------------------------

@dataclass
class Scope:
    """A TimelineFilter with its REFs resolved to ids."""

    flt: TimelineFilter
    person_id: int | None = None
    organisation_id: int | None = None
    place_ids: list[int] | None = None
    staff_id: int | None = None
    tag_id: int | None = None
    project_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    kinds: list[InteractionKind] = field(default_factory=list)
    text_uids: list[str] | None = None  # interactions matching the text, from the index

    @classmethod
    def build(cls, session: Session, flt: TimelineFilter, text_uids: list[str] | None
              ) -> Scope | None:
        """None when the filter cannot match anything (an unknown tag)."""
        scope = cls(flt, text_uids=text_uids)
        if flt.person:
            scope.person_id = refs.resolve_person(session, flt.person).id
        if flt.organisation:
            scope.organisation_id = refs.resolve_organisation(session, flt.organisation).id
        if flt.municipality:
            scope.place_ids = _place_ids(
                session, refs.resolve_municipality(session, flt.municipality).id)
        if flt.staff:
            scope.staff_id = staff_id_by_initials(session, flt.staff)
        if flt.project:
            scope.project_id = refs.resolve_project(session, flt.project).id
        if flt.tag:
            scope.tag_id = session.scalar(select(Tag.id).where(Tag.name == flt.tag.strip()))
            if scope.tag_id is None:
                return None
        scope.kinds = [interaction_kind(k) for k in flt.kinds]
        scope.start, scope.end = utc_bounds(flt.date_from, flt.date_to)
        return scope

    def _orgs_here(self) -> Select[int]:
        return select(Organisation.id).where(Organisation.municipality_id.in_(self.place_ids or []))

    def interactions(self) -> Select[int, datetime]:
        query = select(Interaction.id, Interaction.occurred_at)
        part = InteractionParticipant
        linked = interaction_organisation.c
        conditions: list[ColumnElement[bool]] = []
        if self.person_id is not None:
            conditions.append(exists().where(part.interaction_id == Interaction.id,
                                             part.person_id == self.person_id))
        if self.organisation_id is not None:
            conditions.append(or_(
                exists().where(linked.interaction_id == Interaction.id,
                               linked.organisation_id == self.organisation_id),
                exists().where(part.interaction_id == Interaction.id,
                               part.organisation_id == self.organisation_id)))
        if self.place_ids is not None:
            conditions.append(or_(
                Interaction.municipality_id.in_(self.place_ids),
                exists().where(linked.interaction_id == Interaction.id,
                               linked.organisation_id.in_(self._orgs_here())),
                exists().where(part.interaction_id == Interaction.id,
                               part.organisation_id.in_(self._orgs_here()))))
        if self.tag_id is not None:
            conditions.append(or_(
                exists().where(part.interaction_id == Interaction.id,
                               part.person_id == person_tag.c.person_id,
                               person_tag.c.tag_id == self.tag_id),
                exists().where(linked.interaction_id == Interaction.id,
                               linked.organisation_id == organisation_tag.c.organisation_id,
                               organisation_tag.c.tag_id == self.tag_id)))
        if self.kinds:
            conditions.append(Interaction.kind.in_(self.kinds))
        if self.staff_id is not None:
            conditions.append(Interaction.logged_by_id == self.staff_id)
        if self.project_id is not None:
            conditions.append(Interaction.project_id == self.project_id)
        conditions += _between(Interaction.occurred_at, self.start, self.end)
        if self.text_uids is not None:
            conditions.append(Interaction.uid.in_(self.text_uids))
        return query.where(and_(*conditions)) if conditions else query

    def events(self) -> Select[int, datetime] | None:
        flt = self.flt
        if not flt.events or self.staff_id is not None or (
                self.kinds and InteractionKind.EVENT not in self.kinds):
            return None
        att, org = EventAttendee, event_organiser.c
        conditions: list[ColumnElement[bool]] = []
        if self.person_id is not None:
            conditions.append(exists().where(att.event_id == Event.id,
                                             att.person_id == self.person_id))
        if self.organisation_id is not None:
            conditions.append(exists().where(org.event_id == Event.id,
                                             org.organisation_id == self.organisation_id))
        if self.place_ids is not None:
            conditions.append(or_(Event.municipality_id.in_(self.place_ids),
                                  exists().where(org.event_id == Event.id,
                                                 org.organisation_id.in_(self._orgs_here()))))
        if self.tag_id is not None:
            conditions.append(or_(
                exists().where(att.event_id == Event.id, att.person_id == person_tag.c.person_id,
                               person_tag.c.tag_id == self.tag_id),
                exists().where(org.event_id == Event.id,
                               org.organisation_id == organisation_tag.c.organisation_id,
                               organisation_tag.c.tag_id == self.tag_id)))
        if self.project_id is not None:
            conditions.append(Event.project_id == self.project_id)
        conditions += _between(Event.starts_at, self.start, self.end)
        conditions += _text(flt.text, Event.title, Event.notes)
        query = select(Event.id, Event.starts_at)
        return query.where(and_(*conditions)) if conditions else query


def _between(column: Any, start: datetime | None, end: datetime | None
             ) -> list[ColumnElement[bool]]:
    result = []
    if start is not None:
        result.append(column >= start)
    if end is not None:
        result.append(column < end)
    return result


def _text(text: str, *columns: Any) -> list[ColumnElement[bool]]:
    """Every word in one of the columns (case-insensitive on both engines: SQLite's LIKE
    ignores the case of ASCII letters only, PostgreSQL's ILIKE of all): for events, which
    are not in the search index."""
    return [or_(*(c.icontains(word, autoescape=True) for c in columns))
            for word in text.split()]


def _place_ids(session: Session, place_id: int) -> list[int]:
    """The place and everything below it (a district's towns)."""
    ids, frontier = [place_id], [place_id]
    for _depth in range(3):
        frontier = list(session.scalars(
            select(Municipality.id).where(Municipality.parent_id.in_(frontier))))
        if not frontier:
            break
        ids += frontier
    return ids


def entries(session: Session, page: list[tuple[str, int, datetime]], person_id: int | None
             ) -> list[TimelineEntry]:
    interaction_ids = [i for source, i, _at in page if source == "i"]
    event_ids = [i for source, i, _at in page if source == "e"]
    interactions = {i.id: i for i in session.scalars(
        select(Interaction).where(Interaction.id.in_(interaction_ids)).options(
            selectinload(Interaction.participants).selectinload(InteractionParticipant.person),
            selectinload(Interaction.participants).selectinload(
                InteractionParticipant.organisation),
            selectinload(Interaction.organisations), selectinload(Interaction.municipality),
            selectinload(Interaction.project), selectinload(Interaction.logged_by)))}
    events = {e.id: e for e in session.scalars(
        select(Event).where(Event.id.in_(event_ids)).options(
            selectinload(Event.organisers), selectinload(Event.municipality),
            selectinload(Event.project)))}
    counts: dict[int, int] = dict(session.execute(
        select(EventAttendee.event_id, func.count()).where(EventAttendee.event_id.in_(event_ids))
        .group_by(EventAttendee.event_id)).all())
    statuses: dict[int, str] = {}
    if person_id is not None and event_ids:
        statuses = {e: s.value for e, s in session.execute(
            select(EventAttendee.event_id, EventAttendee.status).where(
                EventAttendee.event_id.in_(event_ids), EventAttendee.person_id == person_id))}
    result = []
    for source, key, _at in page:
        if source == "i":
            result.append(_interaction_entry(interactions[key]))
        else:
            result.append(_event_entry(events[key], statuses.get(key), counts.get(key, 0)))
    return result


def _interaction_entry(i: Interaction) -> TimelineEntry:
    return TimelineEntry(
        uid=i.uid, source="interaction", kind=i.kind.value, occurred_at=i.occurred_at,
        date=local_date(i.occurred_at), subject=i.subject, excerpt=excerpt(i.notes),
        participants=tuple(participant_row(p) for p in i.participants),
        organisations=tuple(Ref(o.uid, o.name) for o in i.organisations),
        municipality=named_ref(i.municipality), project=project_ref(i.project),
        logged_by=i.logged_by.initials if i.logged_by else None)


def _event_entry(e: Event, status: str | None, count: int) -> TimelineEntry:
    return TimelineEntry(
        uid=e.uid, source="event", kind=InteractionKind.EVENT.value, occurred_at=e.starts_at,
        date=local_date(e.starts_at), subject=e.title, excerpt=excerpt(e.notes),
        participants=(), organisations=tuple(Ref(o.uid, o.name) for o in e.organisers),
        municipality=named_ref(e.municipality), project=project_ref(e.project), logged_by=None,
        event_kind=e.kind.value, status=status, attendee_count=count)


def page(session: Session, flt: TimelineFilter, text_uids: list[str] | None, offset: int,
         limit: int) -> list[TimelineEntry]:
    """One page of the merged timeline. ``text_uids``: interactions matching the text
    filter (from the search index), None without one."""
    scope = Scope.build(session, flt, text_uids)
    if scope is None:
        return []
    take = offset + limit
    found = [("i", i, at) for i, at in session.execute(
        scope.interactions().order_by(Interaction.occurred_at.desc(),
                                      Interaction.id.desc()).limit(take))]
    events = scope.events()
    if events is not None:
        found += [("e", i, at) for i, at in session.execute(
            events.order_by(Event.starts_at.desc(), Event.id.desc()).limit(take))]
    found.sort(key=lambda t: (t[2], t[1]), reverse=True)
    return entries(session, found[offset:take], scope.person_id)


def count(session: Session, flt: TimelineFilter, text_uids: list[str] | None) -> int:
    scope = Scope.build(session, flt, text_uids)
    if scope is None:
        return 0
    total = session.scalar(select(func.count()).select_from(
        scope.interactions().subquery())) or 0
    events = scope.events()
    if events is not None:
        total += session.scalar(select(func.count()).select_from(events.subquery())) or 0
    return int(total)


def last_contacts(session: Session, kind: str, uids: Sequence[str] | None
                  ) -> dict[str, date]:
    """See :meth:`InteractionService.last_contacts`."""
    model: Any = Organisation if kind == ORGANISATIONS else (
        Person if kind == PERSONS else Municipality)
    grouped = last_contact_query(MUNICIPALITIES if kind == DISTRICTS else kind).subquery()
    query = select(model.id, model.uid, grouped.c.last).join(grouped, grouped.c.id == model.id)
    if uids is not None and kind != DISTRICTS:
        query = query.where(model.uid.in_(list(uids)))
    rows: Sequence[Any] = session.execute(query).all()
    if kind == DISTRICTS:
        rows = to_districts(session, rows)
    wanted = set(uids) if uids is not None else None
    return {uid: local_date(last) for _id, uid, last in rows
            if last is not None and (wanted is None or uid in wanted)}


# -- last contact -------------------------------------------------------------------------

def last_contact_query(kind: str, now: datetime | BindParameter[Any] | None = None,
                       ids: Sequence[int] | BindParameter[Any] | None = None
                       ) -> Select[int, datetime]:
    """``SELECT id, max(moment) AS last … GROUP BY id`` for persons, organisations or
    municipalities: a subquery the lists can outer-join to show and sort by last contact.

    Counts interactions up to ``now`` and events that already began: attended ones for
    persons, co-organised ones for organisations, held there or co-organised by an
    organisation located there for municipalities.

    ``ids`` restricts every part of the union to these records (one page of a list):
    SQLite does not push a filter on the grouped result down into the union, so
    filtering outside grouped every contact ever made (2 s on a million interactions).

    Organisations and places: per record and kind of link one correlated ``max``, each a
    seek in an index ending in the moment (the link tables copy their interaction's time,
    migration 0007) – joining each contact to ``interaction`` took 1.3 s for a page of
    organisations with ~1,000 contacts each, and 2.2 s for a page of places.
    """
    moment = datetime.now(UTC) if now is None else now
    i, part, ev, att = Interaction, InteractionParticipant, Event, EventAttendee
    past_i = i.occurred_at <= moment
    past_e = ev.starts_at <= moment
    if kind == PERSONS:
        parts = _newest_parts(Person.id, ids, [  # one seek each (migration 0009)
            select(func.max(part.occurred_at))
            .where(part.person_id == Person.id, part.occurred_at <= moment),
            select(func.max(ev.starts_at)).select_from(att).join(ev, ev.id == att.event_id)
            .where(att.person_id == Person.id, past_e, att.status == AttendeeStatus.ATTENDED),
        ])
    elif kind == ORGANISATIONS:
        parts = _newest_parts(Organisation.id, ids, _organisation_newest(moment))
    elif kind == MUNICIPALITIES:
        place, located = Municipality.id, Organisation.municipality_id
        held = [  # held there: (municipality_id, occurred_at) and the few events
            # Not max() … WHERE municipality_id = place: PostgreSQL then walks the index on
            # occurred_at alone, newest first, until one is held there (all of them for a
            # place never visited). As a range and sorted by both columns only the
            # (municipality_id, occurred_at) index gives the newest in one step.
            select(i.occurred_at)
            .where(i.municipality_id >= place, i.municipality_id <= place, past_i)
            .order_by(i.municipality_id.desc(), i.occurred_at.desc()).limit(1),
            select(func.max(ev.starts_at)).where(ev.municipality_id == place, past_e),
        ]
        parts = (_newest_parts(place, ids, held)  # and of the organisations located there
                 + _newest_parts(located, ids, _organisation_newest(moment),
                                 located.is_not(None)))
    else:
        raise ValueError(kind)
    moments = union_all(*parts).subquery()
    last = func.max(moments.c.at)
    # HAVING, not WHERE at IS NOT NULL: SQLite would push that into the parts and
    # evaluate each correlated max twice.
    return (select(moments.c.id, last.label("last")).where(moments.c.id.is_not(None))
            .group_by(moments.c.id).having(last.is_not(None)))


@lru_cache(maxsize=8)
def page_last_contact_query(kind: str) -> Select[Any]:
    """:func:`last_contact_query` for one page of a list, built once: its ids and moment are
    parameters ``ids`` and ``now`` (building the statement cost as much as running it)."""
    return last_contact_query(kind, bindparam("now", type_=UTCDateTime()),
                              bindparam("ids", expanding=True))


def _organisation_newest(moment: datetime) -> list[Select[Any]]:
    """An organisation's newest contacts up to ``moment`` per kind of link, each a
    correlated ``max``: one seek in an ``(organisation_id, occurred_at)`` index (the link
    tables' copy of the interaction's time, kept by triggers: migration 0007)."""
    part, linked, org = InteractionParticipant, interaction_organisation.c, event_organiser.c
    return [
        select(func.max(linked.occurred_at))
        .where(linked.organisation_id == Organisation.id, linked.occurred_at <= moment),
        select(func.max(part.occurred_at))
        .where(part.organisation_id == Organisation.id, part.occurred_at <= moment),
        select(func.max(Event.starts_at)).select_from(event_organiser)
        .join(Event, Event.id == org.event_id)
        .where(org.organisation_id == Organisation.id, Event.starts_at <= moment),
    ]


def _newest_parts(key: Any, ids: Sequence[int] | BindParameter[Any] | None,
                  newest: list[Select[Any]], *where: ColumnElement[bool]) -> list[Select[Any]]:
    """``SELECT key AS id, (newest) AS at FROM key's table`` per correlated subquery (the
    newest moment of one kind of contact), for the records ``ids`` (all without)."""
    restrict = [] if ids is None else [
        key.in_(ids if isinstance(ids, BindParameter) else list(ids))]
    return [select(key.label("id"), query.scalar_subquery().label("at")).where(*where, *restrict)
            for query in newest]


def to_districts(session: Session, rows: Sequence[Any]) -> list[tuple[int, str, datetime]]:
    """Per-place last contacts → per district or independent city (the place or a parent)."""
    places = {p.id: p for p in session.execute(
        select(Municipality.id, Municipality.uid, Municipality.level, Municipality.parent_id))}
    levels = (MunicipalityLevel.DISTRICT, MunicipalityLevel.INDEPENDENT_CITY)
    best: dict[int, datetime] = {}
    for place_id, _uid, last in rows:
        current = places.get(place_id)
        for _depth in range(4):
            if current is None or current.level in levels:
                break
            current = places.get(current.parent_id)
        if current is not None and current.level in levels and last is not None:
            best[current.id] = max(best.get(current.id, last), last)
    return [(pid, places[pid].uid, last) for pid, last in best.items()]
