"""What the reports print, read with narrow, set-based queries and returned as frozen rows.

Each loader takes an open Session and returns plain data; the layout modules never touch the
database. Lists that grow with the network (the directory, labels, the activity report) are
read with a handful of queries over whole tables or joins, never one query per record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from crm.domain import (
    AttendeeStatus,
    ContactKind,
    ContactLabel,
    ContactPoint,
    Event,
    EventAttendee,
    FollowUp,
    Interaction,
    InteractionParticipant,
    Municipality,
    MunicipalityLevel,
    Organisation,
    OrganisationKind,
    Person,
    Project,
    Role,
    StaffMember,
    Tag,
)
from crm.domain.events import event_organiser
from crm.domain.interactions import interaction_organisation
from crm.domain.person import person_tag
from crm.validation import display_phone

DISTRICT_LEVELS = (MunicipalityLevel.DISTRICT, MunicipalityLevel.INDEPENDENT_CITY)
KIND_ORDER = (
    OrganisationKind.ADMINISTRATION, OrganisationKind.COUNCIL, OrganisationKind.MEMBER,
    OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK, OrganisationKind.FUNDER,
    OrganisationKind.OTHER,
)
_PHONES = (ContactKind.PHONE, ContactKind.MOBILE)


def today() -> date:
    return date.today()


def _current(on: date) -> Any:
    return or_(Role.end_date.is_(None), Role.end_date > on)


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().date()


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


# --- shared rows -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ContactLine:
    kind: str
    label: str
    display: str
    preferred: bool = False


@dataclass(frozen=True, slots=True)
class Reach:
    """The phone and e-mail to print for someone (role's first, then their own work ones)."""

    phone: str = ""
    email: str = ""


def _contact_line(cp: ContactPoint) -> ContactLine:
    display = display_phone(cp.value) if cp.kind in (*_PHONES, ContactKind.FAX) else cp.value
    return ContactLine(cp.kind.value, cp.label.value, display, cp.preferred)


def _ordered(points: Iterable[ContactPoint]) -> list[ContactPoint]:
    return sorted(points, key=lambda cp: (not cp.preferred, cp.kind.value, cp.id or 0))


class ReachIndex:
    """Phones and e-mails of many roles, persons and organisations, read in three queries.

    Private contact points are never printed in lists for others (directory, phone list).
    """

    def __init__(self, session: Session, role_ids: Any, person_ids: Any, org_ids: Any) -> None:
        self._by: dict[tuple[str, int], Reach] = {}
        kinds = (*_PHONES, ContactKind.EMAIL)
        base = select(ContactPoint.role_id, ContactPoint.person_id, ContactPoint.organisation_id,
                      ContactPoint.kind, ContactPoint.value, ContactPoint.preferred,
                      ContactPoint.id).where(ContactPoint.kind.in_(kinds),
                                             ContactPoint.label != ContactLabel.PRIVATE)
        rows: list[Any] = []
        for column, ids in ((ContactPoint.role_id, role_ids),
                            (ContactPoint.person_id, person_ids),
                            (ContactPoint.organisation_id, org_ids)):
            rows.extend(session.execute(base.where(column.in_(ids))).all())
        rows.sort(key=lambda r: (not r.preferred, r.id))
        found: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
        for row in rows:
            key = (("role", row.role_id) if row.role_id else ("person", row.person_id)
                   if row.person_id else ("org", row.organisation_id))
            slot = "email" if row.kind is ContactKind.EMAIL else "phone"
            if slot not in found[key]:
                found[key][slot] = (row.value if slot == "email" else display_phone(row.value))
        self._by = {k: Reach(v.get("phone", ""), v.get("email", "")) for k, v in found.items()}

    def get(self, kind: str, key: int | None) -> Reach:
        return self._by.get((kind, key), Reach()) if key is not None else Reach()

    def holder(self, role_id: int, person_id: int) -> Reach:
        role, person = self.get("role", role_id), self.get("person", person_id)
        return Reach(role.phone or person.phone, role.email or person.email)


class Places:
    """All municipalities in memory (under 1,000 rows): names and their district."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Municipality.id, Municipality.name, Municipality.ags,
                                      Municipality.level, Municipality.parent_id,
                                      Municipality.sort_key, Municipality.retired_on)).all()
        self.by_id = {r.id: r for r in rows}

    def name(self, place_id: int | None) -> str:
        row = self.by_id.get(place_id) if place_id is not None else None
        return row.name if row else ""

    def short(self, place_id: int | None) -> str:
        """The name without its official suffix: "Apolda" for "Apolda, Stadt"."""
        return self.name(place_id).split(",")[0].strip()

    def district(self, place_id: int | None) -> Any | None:
        current = self.by_id.get(place_id) if place_id is not None else None
        for _depth in range(4):
            if current is None or current.level in DISTRICT_LEVELS:
                return current
            current = self.by_id.get(current.parent_id)
        return None


# --- contact sheet ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RoleLine:
    title: str
    name: str  # the organisation on a person's sheet, the person on an organisation's
    place: str
    since: date | None
    until: date | None
    contacts: tuple[ContactLine, ...] = ()


@dataclass(frozen=True, slots=True)
class InteractionLine:
    occurred_at: datetime
    kind: str
    subject: str
    notes: str
    place: str
    participants: tuple[str, ...]
    organisations: tuple[str, ...]
    logged_by: str
    project: str = ""
    names: tuple[str, ...] = ()  # the participants' names only


@dataclass(frozen=True, slots=True)
class FollowUpLine:
    due_on: date
    text: str
    assignee: str
    about: str = ""


@dataclass(frozen=True, slots=True)
class ContactSheetData:
    kind: str  # "person" or "organisation"
    name: str
    transliteration: str
    salutation: str  # stored value: frau, herr, neutral, none
    details: tuple[tuple[str, Any], ...]  # (field key, text or date): languages, kind …
    current_roles: tuple[RoleLine, ...]
    former_roles: tuple[RoleLine, ...]
    contacts: tuple[ContactLine, ...]
    tags: tuple[str, ...]
    notes: str
    interactions: tuple[InteractionLine, ...]
    follow_ups: tuple[FollowUpLine, ...]
    interaction_total: int


def person_sheet(session: Session, person: Person, last_n: int) -> ContactSheetData:
    on = today()
    roles = session.scalars(
        select(Role).where(Role.person_id == person.id)
        .options(selectinload(Role.organisation).selectinload(Organisation.municipality),
                 selectinload(Role.contact_points))
        .order_by(Role.start_date.desc(), Role.id.desc())
    ).all()
    current = [r for r in roles if r.end_date is None or r.end_date > on]
    former = sorted((r for r in roles if r.end_date is not None and r.end_date <= on),
                    key=lambda r: r.end_date or date.min, reverse=True)
    condition = InteractionParticipant.person_id == person.id
    interactions, total = _interactions(session, select(InteractionParticipant.interaction_id)
                                        .where(condition), last_n, skip_person=person.id)
    ids = [i.id for i in interactions]
    follow_ups = _open_follow_ups(session, or_(FollowUp.person_id == person.id,
                                               FollowUp.interaction_id.in_(ids)))
    details = tuple((k, v) for k, v in (("given_name", person.given_name or ""),
                                        ("family_name", person.family_name or ""),
                                        ("languages", person.languages)) if v)
    return ContactSheetData(
        kind="person", name=person.full_name, transliteration=person.transliteration or "",
        salutation=person.salutation.value, details=details,
        current_roles=tuple(_role_line(r, r.organisation.name) for r in current),
        former_roles=tuple(_role_line(r, r.organisation.name) for r in former),
        contacts=tuple(_contact_line(cp) for cp in _ordered(person.contact_points)),
        tags=tuple(t.name for t in person.tags), notes=person.notes,
        interactions=tuple(interactions), follow_ups=follow_ups, interaction_total=total,
    )


def organisation_sheet(session: Session, org: Organisation, last_n: int) -> ContactSheetData:
    on = today()
    roles = session.scalars(
        select(Role).join(Role.person).where(Role.organisation_id == org.id,
                                             Person.archived_at.is_(None))
        .options(selectinload(Role.person), selectinload(Role.contact_points))
        .order_by(Role.title, Person.sort_key)
    ).all()
    place = org.municipality.name if org.municipality else ""
    current = [r for r in roles if r.end_date is None or r.end_date > on]
    former = sorted((r for r in roles if r.end_date is not None and r.end_date <= on),
                    key=lambda r: r.end_date or date.min, reverse=True)
    linked = select(interaction_organisation.c.interaction_id).where(
        interaction_organisation.c.organisation_id == org.id).union(
        select(InteractionParticipant.interaction_id).where(
            InteractionParticipant.organisation_id == org.id))
    interactions, total = _interactions(session, linked, last_n)
    ids = [i.id for i in interactions]
    follow_ups = _open_follow_ups(session, or_(FollowUp.organisation_id == org.id,
                                               FollowUp.interaction_id.in_(ids)))
    details = tuple((k, v) for k, v in (
        ("short_name", org.short_name or ""), ("kind", org.kind.value),
        ("municipality", place), ("parent", org.parent.name if org.parent else ""),
        ("member_since", org.member_since), ("member_until", org.member_until),
    ) if v)
    return ContactSheetData(
        kind="organisation", name=org.name, transliteration="", salutation="none",
        details=details,
        current_roles=tuple(_role_line(r, r.person.full_name, place) for r in current),
        former_roles=tuple(_role_line(r, r.person.full_name, place) for r in former),
        contacts=tuple(_contact_line(cp) for cp in _ordered(org.contact_points)),
        tags=tuple(t.name for t in org.tags), notes=org.notes,
        interactions=tuple(interactions), follow_ups=follow_ups, interaction_total=total,
    )


def _role_line(role: Role, name: str, place: str | None = None) -> RoleLine:
    if place is None:
        org = role.organisation
        place = org.municipality.name if org.municipality else ""
    return RoleLine(role.title, name, place, role.start_date, role.end_date,
                    tuple(_contact_line(cp) for cp in _ordered(role.contact_points)))


@dataclass(frozen=True, slots=True)
class _Interaction(InteractionLine):
    id: int = 0


def _interactions(session: Session, ids_query: Any, last_n: int, skip_person: int | None = None
                  ) -> tuple[list[_Interaction], int]:
    """The last ``last_n`` interactions among the ids, and how many there are in all.

    ``skip_person``: the sheet's own person, not repeated among the participants."""
    ids = set(session.scalars(ids_query))
    if not ids or last_n <= 0:
        return [], len(ids)
    rows = session.scalars(
        select(Interaction).where(Interaction.id.in_(ids))
        .options(selectinload(Interaction.participants).selectinload(
                     InteractionParticipant.person),
                 selectinload(Interaction.participants).selectinload(
                     InteractionParticipant.organisation),
                 selectinload(Interaction.organisations),
                 selectinload(Interaction.municipality), selectinload(Interaction.logged_by),
                 selectinload(Interaction.project))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(last_n)
    ).all()
    return [_interaction_line(i, skip_person) for i in rows], len(ids)


def _participant(p: InteractionParticipant) -> str:
    name = p.person.full_name if p.person else "–"
    extra = ", ".join(x for x in (p.role_title, p.organisation.name if p.organisation else "")
                      if x)
    return f"{name} ({extra})" if extra else name


def _interaction_line(i: Interaction, skip_person: int | None = None) -> _Interaction:
    return _Interaction(
        occurred_at=i.occurred_at, kind=i.kind.value, subject=i.subject, notes=i.notes,
        place=i.municipality.short_name if i.municipality else "",
        participants=tuple(_participant(p) for p in i.participants
                           if skip_person is None or p.person_id != skip_person),
        organisations=tuple(o.name for o in i.organisations),
        logged_by=i.logged_by.name if i.logged_by else "",
        project=i.project.name if i.project else "", id=i.id,
        names=tuple(p.person.full_name for p in i.participants if p.person),
    )


def _open_follow_ups(session: Session, condition: Any) -> tuple[FollowUpLine, ...]:
    rows = session.scalars(
        select(FollowUp).where(FollowUp.done_at.is_(None), condition)
        .options(selectinload(FollowUp.assignee), selectinload(FollowUp.interaction))
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    return tuple(FollowUpLine(f.due_on, f.text, f.assignee.name if f.assignee else "",
                              f.interaction.subject if f.interaction else "") for f in rows)


# --- municipal directory ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Holder:
    name: str
    transliteration: str
    title: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class DirectoryOrg:
    name: str
    kind: str
    phone: str
    email: str
    holders: tuple[Holder, ...]


@dataclass(frozen=True, slots=True)
class DirectoryPlace:
    name: str
    ags: str
    level: str
    organisations: tuple[DirectoryOrg, ...]  # in KIND_ORDER, then by name


@dataclass(frozen=True, slots=True)
class DirectoryDistrict:
    name: str
    ags: str
    places: tuple[DirectoryPlace, ...]  # the district (or city) itself first, then its towns


def directory(session: Session, place_ids: list[int] | None) -> tuple[DirectoryDistrict, ...]:
    """Current role holders of every organisation located in the places (all when None),
    grouped district → place → organisation; six queries whatever the size."""
    places = Places(session)
    wanted = _expand_places(places, place_ids)
    org_query = select(Organisation.id).where(Organisation.archived_at.is_(None),
                                              Organisation.municipality_id.is_not(None))
    if wanted is not None:
        org_query = org_query.where(Organisation.municipality_id.in_(wanted))
    orgs = session.execute(
        select(Organisation.id, Organisation.name, Organisation.kind,
               Organisation.municipality_id, Organisation.sort_key)
        .where(Organisation.id.in_(org_query))
    ).all()
    role_query = (
        select(Role.id, Role.organisation_id, Role.title, Person.id.label("person_id"),
               Person.full_name, Person.transliteration, Person.sort_key)
        .join(Person, Person.id == Role.person_id)
        .where(Role.organisation_id.in_(org_query), Person.archived_at.is_(None),
               _current(today()))
    )
    roles = session.execute(role_query).all()
    role_ids = select(Role.id).join(Person, Person.id == Role.person_id).where(
        Role.organisation_id.in_(org_query), Person.archived_at.is_(None), _current(today()))
    person_ids = select(Role.person_id).where(Role.organisation_id.in_(org_query),
                                              _current(today()))
    reach = ReachIndex(session, role_ids, person_ids, org_query)
    holders: dict[int, list[Any]] = defaultdict(list)
    for role in roles:
        holders[role.organisation_id].append(role)
    return _group_directory(places, list(orgs), holders, reach)


def _expand_places(places: Places, place_ids: list[int] | None) -> set[int] | None:
    """Selected districts bring their towns along."""
    if place_ids is None:
        return None
    wanted = set(place_ids)
    children = defaultdict(list)
    for row in places.by_id.values():
        children[row.parent_id].append(row.id)
    for pid in list(wanted):
        if places.by_id[pid].level in DISTRICT_LEVELS:
            wanted.update(children[pid])
    return wanted


def _group_directory(places: Places, orgs: list[Any], holders: dict[int, list[Any]],
                     reach: ReachIndex) -> tuple[DirectoryDistrict, ...]:
    by_place: dict[int, list[Any]] = defaultdict(list)
    for org in orgs:
        by_place[org.municipality_id].append(org)
    districts: dict[int, list[int]] = defaultdict(list)
    for place_id in by_place:
        district = places.district(place_id)
        if district is not None:  # the state's own organisations are not municipal
            districts[district.id].append(place_id)
    result = []
    for district_id in sorted(districts, key=lambda d: places.by_id[d].sort_key):
        ids = sorted(districts[district_id],
                     key=lambda p: (p != district_id, places.by_id[p].sort_key))
        result.append(DirectoryDistrict(
            places.by_id[district_id].name, places.by_id[district_id].ags or "",
            tuple(_directory_place(places.by_id[p], by_place[p], holders, reach)
                  for p in ids)))
    return tuple(result)


def _directory_place(place: Any, orgs: list[Any], holders: dict[int, list[Any]],
                     reach: ReachIndex) -> DirectoryPlace:
    ordered = sorted(orgs, key=lambda o: (KIND_ORDER.index(o.kind), o.sort_key))
    entries = []
    for org in ordered:
        people = sorted(holders.get(org.id, ()), key=lambda r: (r.title, r.sort_key))
        org_reach = reach.get("org", org.id)
        entries.append(DirectoryOrg(
            org.name, org.kind.value, org_reach.phone, org_reach.email,
            tuple(Holder(r.full_name, r.transliteration or "", r.title,
                         *_pair(reach.holder(r.id, r.person_id))) for r in people)))
    return DirectoryPlace(place.name, place.ags or "", place.level.value, tuple(entries))


def _pair(reach: Reach) -> tuple[str, str]:
    return reach.phone, reach.email


# --- phone list ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PhoneLine:
    name: str
    title: str
    organisation: str
    place: str
    phone: str
    email: str


CHAIR_WORDS = ("vorsitz", "chair", "sprecher")


def phone_list(session: Session) -> tuple[PhoneLine, ...]:
    """Current holders at administrations (all) and advisory councils (their chairs)."""
    kinds = (OrganisationKind.ADMINISTRATION, OrganisationKind.COUNCIL)
    rows = session.execute(
        select(Role.id, Role.title, Person.id.label("person_id"), Person.full_name,
               Person.sort_key, Organisation.name.label("org"), Organisation.kind,
               Organisation.municipality_id)
        .join(Person, Person.id == Role.person_id)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(Organisation.kind.in_(kinds), Organisation.archived_at.is_(None),
               Person.archived_at.is_(None), _current(today()))
    ).all()
    rows = [r for r in rows if r.kind is OrganisationKind.ADMINISTRATION
            or any(word in r.title.lower() for word in CHAIR_WORDS)]
    if not rows:
        return ()
    places = Places(session)
    reach = ReachIndex(session, [r.id for r in rows], [r.person_id for r in rows], [])
    lines = [PhoneLine(r.full_name, r.title, r.org, places.short(r.municipality_id),
                       *_pair(reach.holder(r.id, r.person_id))) for r in rows]
    return tuple(sorted(lines, key=lambda x: (x.place, x.organisation, x.name)))


# --- attendance list -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AttendeeLine:
    name: str
    transliteration: str
    organisation: str
    place: str
    status: str


@dataclass(frozen=True, slots=True)
class AttendanceData:
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    venue: str
    place: str
    organisers: tuple[str, ...]
    project: str
    project_number: str
    funder: str
    attendees: tuple[AttendeeLine, ...]


def attendance(session: Session, event: Event) -> AttendanceData:
    organisers = session.scalars(
        select(Organisation.name).join(event_organiser,
                                       event_organiser.c.organisation_id == Organisation.id)
        .where(event_organiser.c.event_id == event.id).order_by(Organisation.sort_key)
    ).all()
    rows = session.execute(
        select(Person.id, Person.full_name, Person.transliteration, Person.sort_key,
               EventAttendee.status)
        .join(EventAttendee, EventAttendee.person_id == Person.id)
        .where(EventAttendee.event_id == event.id,
               EventAttendee.status != AttendeeStatus.CANCELLED)
        .order_by(Person.sort_key, Person.id)
    ).all()
    main = main_organisations(session, [r.id for r in rows])
    attendees = tuple(
        AttendeeLine(r.full_name, r.transliteration or "", *main.get(r.id, ("", "")),
                     status=r.status.value) for r in rows)
    project = event.project
    return AttendanceData(
        title=event.title, kind=event.kind.value, starts_at=event.starts_at,
        ends_at=event.ends_at, venue=event.venue,
        place=event.municipality.short_name if event.municipality else "",
        organisers=tuple(organisers), project=project.name if project else "",
        project_number=project.number if project else "",
        funder=project.funder.name if project and project.funder else "",
        attendees=attendees,
    )


def main_organisations(session: Session, person_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each person's current main organisation (the longest held role) and its place."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(Role.person_id, Organisation.name, Organisation.municipality_id)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(Role.person_id.in_(person_ids), _current(today()),
               Organisation.archived_at.is_(None))
        .order_by(Role.person_id, Role.start_date.is_(None), Role.start_date, Role.id)
    ).all()
    places = Places(session)
    result: dict[int, tuple[str, str]] = {}
    for person_id, name, place_id in rows:
        result.setdefault(person_id, (name, places.short(place_id)))
    return result


# --- activity report -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EventLine:
    title: str
    starts_at: datetime
    place: str
    attended: int
    registered: int
    invited: int


@dataclass(frozen=True, slots=True)
class ActivityData:
    date_from: date
    date_to: date
    project: str
    by_kind: tuple[tuple[str, int], ...]
    by_month: tuple[tuple[str, dict[str, int]], ...]  # ("2026-03", {kind: n})
    by_district: tuple[tuple[str, int], ...]  # (district name, n), most first
    by_org_kind: tuple[tuple[str, int], ...]
    district_contacts: dict[str, tuple[int, date]]  # AGS → (count, last contact)
    events: tuple[EventLine, ...]
    interactions: tuple[InteractionLine, ...]

    @property
    def total(self) -> int:
        return sum(n for _k, n in self.by_kind)


def activity(session: Session, date_from: date, date_to: date,
             project: Project | None) -> ActivityData:
    start, end = _utc_start(date_from), _utc_start(date_to + timedelta(days=1))
    query = select(Interaction).where(Interaction.occurred_at >= start,
                                      Interaction.occurred_at < end)
    if project is not None:
        query = query.where(Interaction.project_id == project.id)
    interactions = session.scalars(
        query.options(selectinload(Interaction.participants).selectinload(
                          InteractionParticipant.person),
                      selectinload(Interaction.participants).selectinload(
                          InteractionParticipant.organisation),
                      selectinload(Interaction.organisations),
                      selectinload(Interaction.municipality),
                      selectinload(Interaction.logged_by), selectinload(Interaction.project))
        .order_by(Interaction.occurred_at, Interaction.id)
    ).all()
    places = Places(session)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    districts: Counter[str] = Counter()
    contacts: dict[str, tuple[int, date]] = {}
    org_kinds: Counter[str] = Counter()
    for item in interactions:
        day = local_date(item.occurred_at)
        by_month[f"{day:%Y-%m}"][item.kind.value] += 1
        district = places.district(item.municipality_id)
        if district is not None:
            districts[district.name] += 1
            count, last = contacts.get(district.ags, (0, day))
            contacts[district.ags] = (count + 1, max(last, day))
        kinds = {o.kind.value for o in item.organisations} | {
            p.organisation.kind.value for p in item.participants if p.organisation}
        org_kinds.update(kinds)
    return ActivityData(
        date_from=date_from, date_to=date_to, project=project.name if project else "",
        by_kind=tuple(Counter(i.kind.value for i in interactions).most_common()),
        by_month=tuple((m, dict(c)) for m, c in sorted(by_month.items())),
        by_district=tuple(sorted(districts.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_org_kind=tuple(org_kinds.most_common()), district_contacts=contacts,
        events=_events(session, start, end, project, places),
        interactions=tuple(_interaction_line(i) for i in interactions),
    )


def _events(session: Session, start: datetime, end: datetime, project: Project | None,
            places: Places) -> tuple[EventLine, ...]:
    query = select(Event).where(Event.starts_at >= start, Event.starts_at < end)
    if project is not None:
        query = query.where(Event.project_id == project.id)
    events = session.scalars(query.order_by(Event.starts_at, Event.id)).all()
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    if events:
        for event_id, status in session.execute(
                select(EventAttendee.event_id, EventAttendee.status)
                .where(EventAttendee.event_id.in_([e.id for e in events]))):
            counts[event_id][status.value] += 1
    return tuple(EventLine(e.title, e.starts_at, places.short(e.municipality_id),
                           counts[e.id]["attended"], counts[e.id]["registered"],
                           counts[e.id]["invited"]) for e in events)


# --- address labels --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Address:
    """One DIN 5008 address block, top to bottom, without blank lines."""

    person_uid: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recipient:
    uid: str
    name: str
    transliteration: str
    salutation: str
    own_postal: tuple[tuple[str, str], ...]  # (label, value), best first
    organisation: str
    organisation_postal: str


def label_person_ids(session: Session, *, tag: str | None, person_uids: list[str] | None,
                     org_kind: str | None, event: Event | None) -> list[int]:
    """The persons to address, in name order: every filter given must match."""
    query = select(Person.id).where(Person.archived_at.is_(None))
    if person_uids is not None:
        query = query.where(Person.uid.in_(person_uids))
    if tag:
        query = query.where(Person.id.in_(
            select(person_tag.c.person_id).join(Tag, Tag.id == person_tag.c.tag_id)
            .where(Tag.name == tag)))
    if org_kind:
        query = query.where(Person.id.in_(
            select(Role.person_id).join(Organisation, Organisation.id == Role.organisation_id)
            .where(Organisation.kind == OrganisationKind(org_kind), _current(today()))))
    if event is not None:
        query = query.where(Person.id.in_(
            select(EventAttendee.person_id).where(
                EventAttendee.event_id == event.id,
                EventAttendee.status != AttendeeStatus.CANCELLED)))
    return list(session.scalars(query.order_by(Person.sort_key, Person.id)))


def recipients(session: Session, person_ids: list[int]) -> list[Recipient]:
    """Name, salutation, own postal addresses and the main organisation's, in four queries."""
    if not person_ids:
        return []
    wanted = select(Person.id).where(Person.id.in_(person_ids))
    persons = session.execute(
        select(Person.id, Person.uid, Person.full_name, Person.transliteration,
               Person.salutation)
        .where(Person.id.in_(wanted)).order_by(Person.sort_key, Person.id)).all()
    own: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row in session.execute(
            select(ContactPoint.person_id, ContactPoint.label, ContactPoint.value)
            .where(ContactPoint.person_id.in_(wanted), ContactPoint.kind == ContactKind.POSTAL)
            .order_by(ContactPoint.preferred.desc(), ContactPoint.id)):
        own[row.person_id].append((row.label.value, row.value))
    orgs: dict[int, tuple[str, str]] = {}
    for person_id, org_name, postal in session.execute(
            select(Role.person_id, Organisation.name, ContactPoint.value)
            .join(Organisation, Organisation.id == Role.organisation_id)
            .outerjoin(ContactPoint, and_(ContactPoint.organisation_id == Organisation.id,
                                          ContactPoint.kind == ContactKind.POSTAL))
            .where(Role.person_id.in_(wanted), _current(today()),
                   Organisation.archived_at.is_(None))
            .order_by(Role.person_id, ContactPoint.value.is_(None), Role.start_date.is_(None),
                      Role.start_date, ContactPoint.preferred.desc(), ContactPoint.id)):
        orgs.setdefault(person_id, (org_name, postal or ""))
    return [Recipient(p.uid, p.full_name, p.transliteration or "", p.salutation.value,
                      tuple(own.get(p.id, ())),
                      *orgs.get(p.id, ("", ""))) for p in persons]


def staff_name(session: Session, staff_id: int | None) -> str:
    if staff_id is None:
        return ""
    return session.scalar(select(StaffMember.name).where(StaffMember.id == staff_id)) or ""
