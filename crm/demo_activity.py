"""Three years of the network's work: projects, events, interactions and follow-ups."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from crm.demo_builder import Builder, OrgInfo, PersonInfo, RoleInfo, Row, local_to_utc
from crm.demo_data import (
    FACHTAGUNG_THEMES,
    FOLLOW_UPS,
    NOTES,
    PROJECTS,
    SEMINARS,
    SUBJECTS,
    TOWN_BY_AGS,
    VENUES,
    WORKSHOPS,
    Town,
)

KINDS = ("email", "call", "meeting", "visit", "letter", "event", "other")
KIND_WEIGHTS = tuple(accumulate((30, 25, 20, 8, 4, 6, 7)))
DURATIONS = {"meeting": (45, 150), "call": (5, 45), "visit": (60, 240), "event": (90, 480),
             "other": (15, 90)}
PARTICIPANTS = tuple(accumulate((45, 35, 15, 5)))
EVENT_SUBJECTS = ("Infostand beim Fest der Kulturen {in_place}",
                  "Interkulturelle Woche {place}: Eröffnung", "Sommerfest der Vereine {in_place}")
# Mayors and district administrators join a conversation only now and then.
RARE_TITLES = frozenset({"Oberbürgermeister:in", "Landrät:in"})
FACHTAGUNG_DAYS = (date(2023, 11, 17), date(2024, 11, 15), date(2025, 11, 14),
                   date(2026, 11, 20))
ROMAN = ("I", "II", "III", "IV")
Participant = tuple[int, RoleInfo | None]  # person id, the role held at that moment


@dataclass
class ProjectInfo:
    id: int
    name: str
    start: date
    end: date
    funder_id: int | None

    @property
    def short(self) -> str:
        return self.name.split(" – ")[0]


@dataclass
class EventInfo:
    id: int
    title: str
    day: date
    minutes: int
    organisers: list[OrgInfo]
    municipality_id: int | None
    project_id: int | None
    attended: list[PersonInfo] = field(default_factory=list)


def _project_on(b: Builder, projects: list[ProjectInfo], day: date) -> ProjectInfo | None:
    running = [p for p in projects if p.start <= day <= p.end]
    return b.rng.choice(running) if running else None


def build_projects(b: Builder) -> list[ProjectInfo]:
    funders = {o.row["short_name"]: o for o in b.orgs if o.kind == "funder"}
    result = []
    for spec in PROJECTS:
        funder = funders.get(spec.funder)
        created = local_to_utc(spec.start - timedelta(days=45), 10 * 60)
        row = b.record("project", created, name=spec.name,
                       funder_id=funder.id if funder else None, start_on=spec.start,
                       end_on=spec.end, number=spec.number,
                       responsible_id=b.rng.choice(b.staff_ids))
        result.append(ProjectInfo(row["id"], spec.name, spec.start, spec.end,
                                  funder.id if funder else None))
    return result


# --- events --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    title: str
    kind: str
    day: date
    minutes: int  # start, after midnight local time
    length: int  # minutes
    town: str  # AGS
    size: tuple[int, int]
    pool: str  # "boards", "municipal" or "all"
    host_kinds: tuple[str, ...]


def build_events(b: Builder, projects: list[ProjectInfo]) -> list[EventInfo]:
    plans = sorted(_plans(b), key=lambda p: (p.day, p.title))
    pools = _pools(b)
    events = []
    for plan in plans:
        events.append(_event(b, plan, projects, pools))
    return events


def _plans(b: Builder) -> Iterator[_Plan]:
    last = b.today + timedelta(days=60)
    for day in FACHTAGUNG_DAYS:
        if b.start <= day <= last:
            theme = FACHTAGUNG_THEMES[day.year]
            yield _Plan(f"Fachtagung {day.year}: {theme}", "fachtagung", day, 9 * 60 + 30, 420,
                        "16051", (60, 120), "all", ("administration", "public-body"))
    towns = sorted(VENUES)
    for year in range(b.start.year, last.year + 1):
        for quarter, month in enumerate((3, 6, 9, 12)):
            day = _first_saturday(year, month)
            if b.start <= day <= last:
                yield _Plan(f"Netzwerktreffen {ROMAN[quarter]}/{year}", "network-meeting", day,
                            10 * 60, 240, b.rng.choice(towns), (15, 35), "boards", ("member",))
    per_year = 7 + b.budget // 300
    for _ in range(3 * per_year):
        day = _weekday(b.day_between(b.start, last))
        if b.rng.random() < 0.6:
            yield _Plan(b.rng.choice(WORKSHOPS), "workshop", day, 17 * 60, 180,
                        b.rng.choice(towns), (8, 20), "boards", ("member",))
        else:
            yield _Plan(b.rng.choice(SEMINARS), "seminar", day, 9 * 60, 360,
                        b.rng.choice(towns), (10, 25), "municipal",
                        ("administration", "council"))


def _first_saturday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def _weekday(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))


def _pools(b: Builder) -> dict[str, list[PersonInfo]]:
    kinds = {o.id: o.kind for o in b.orgs}
    boards = [p for p in b.people
              if any(kinds[r.organisation_id] == "member" and r.title != "Mitglied"
                     for r in p.roles)]
    municipal = [p for p in b.people
                 if any(kinds[r.organisation_id] in ("administration", "council")
                        for r in p.roles)]
    return {"boards": boards or b.people, "municipal": municipal or b.people, "all": b.people}


def _event(b: Builder, plan: _Plan, projects: list[ProjectInfo],
           pools: dict[str, list[PersonInfo]]) -> EventInfo:
    rng = b.rng
    town = TOWN_BY_AGS[plan.town]
    starts = local_to_utc(plan.day, plan.minutes)
    project = _project_on(b, projects, plan.day) if rng.random() < 0.7 else None
    row = b.record(
        "event", starts - timedelta(days=rng.randrange(30, 75)), title=plan.title,
        kind=plan.kind, starts_at=starts, ends_at=starts + timedelta(minutes=plan.length),
        venue=_venue(b, plan, town),
        notes="Teilnahmeliste für den Fördermittelgeber führen." if project else "",
        municipality_id=b.context.municipality_ids.get(plan.town),
        project_id=project.id if project else None,
    )
    hosts = [o for o in b.orgs if o.town is town and o.kind in plan.host_kinds]
    organisers = [o for o in (b.network, *rng.sample(hosts, min(len(hosts), 2))) if o]
    for org in organisers:
        b.rows["event_organiser"].append({"event_id": row["id"], "organisation_id": org.id})
    event = EventInfo(row["id"], plan.title, plan.day, plan.minutes, organisers,
                      row["municipality_id"], row["project_id"])
    _attendees(b, event, plan, pools[plan.pool])
    return event


def _venue(b: Builder, plan: _Plan, town: Town) -> str:
    venues = VENUES.get(plan.town, (f"Rathaus {town.name}",))
    return venues[0] if plan.kind == "fachtagung" else b.rng.choice(venues)


def _attendees(b: Builder, event: EventInfo, plan: _Plan, pool: list[PersonInfo]) -> None:
    rng = b.rng
    size = min(len(pool), rng.randrange(plan.size[0], plan.size[1] + 1))
    past = event.day < b.today
    statuses = (("attended", "cancelled", "registered", "invited") if past
                else ("registered", "invited", "cancelled"))
    weights = (70, 10, 10, 10) if past else (45, 45, 10)
    for person in rng.sample(pool, size):
        status = rng.choices(statuses, weights=weights)[0]
        b.rows["event_attendee"].append({"event_id": event.id, "person_id": person.id,
                                         "status": status})
        if status == "attended":
            event.attended.append(person)
        if plan.kind == "fachtagung" and event.day.year == 2025 and status != "cancelled":
            b.tag_person(person, "Fachtagung 2025")


# --- interactions --------------------------------------------------------------------------

@dataclass
class _Stream:
    orgs: list[OrgInfo]
    cum_weights: list[float]
    nearby: dict[int | None, list[OrgInfo]]
    projects: list[ProjectInfo]
    funded: dict[int, list[ProjectInfo]]


def generate_interactions(b: Builder, count: int, projects: list[ProjectInfo],
                          events: list[EventInfo], chunk: int = 20_000) -> Iterator[int]:
    """Interactions in date order (ids rise with time); yields after each chunk of rows."""
    stream = _stream(b, projects)
    slots = _slots(b, count, events)
    for begin in range(0, len(slots), chunk):
        for day, event in slots[begin:begin + chunk]:
            if event is not None:
                _event_interaction(b, event, stream)
            else:
                org = b.rng.choices(stream.orgs, cum_weights=stream.cum_weights)[0]
                _interaction(b, org, day, stream)
        yield min(chunk, len(slots) - begin)


def _stream(b: Builder, projects: list[ProjectInfo]) -> _Stream:
    orgs = [o for o in b.orgs if o.weight > 0]
    nearby: dict[int | None, list[OrgInfo]] = {}
    for org in orgs:
        nearby.setdefault(org.municipality_id, []).append(org)
    funded: dict[int, list[ProjectInfo]] = {}
    for project in projects:
        if project.funder_id is not None:
            funded.setdefault(project.funder_id, []).append(project)
    return _Stream(orgs, list(accumulate(o.weight for o in orgs)), nearby, projects, funded)


def _slots(b: Builder, count: int, events: list[EventInfo]) -> list[tuple[date, EventInfo | None]]:
    past = [e for e in events if e.day < b.today and e.attended][:count]
    span = (b.today - b.start).days
    slots: list[tuple[date, EventInfo | None]] = [(e.day, e) for e in past]
    for _ in range(count - len(past)):
        day = b.start + timedelta(days=b.rng.randrange(span))
        if day.weekday() >= 5 and b.rng.random() < 0.85:
            day -= timedelta(days=day.weekday() - 4)
        slots.append((day, None))
    slots.sort(key=lambda s: s[0])
    return slots


def _staff(b: Builder) -> int:
    return b.rng.choices(b.staff_ids, cum_weights=b.staff_cum_weights)[0]


def _interaction(b: Builder, org: OrgInfo, day: date, s: _Stream) -> None:
    rng = b.rng
    kind = rng.choices(KINDS, cum_weights=KIND_WEIGHTS)[0]
    minutes = 8 * 60 + rng.randrange(0, 10 * 60, 5)
    funded = s.funded.get(org.id)
    project = (rng.choice(funded) if funded else None) if org.kind == "funder" else (
        _project_on(b, s.projects, day) if rng.random() < 0.2 else None)
    orgs = [org]
    if rng.random() < 0.25:
        other = rng.choice(s.nearby.get(org.municipality_id) or s.orgs)
        if other is not org:
            orgs.append(other)
    subject = _subject(b, org, kind, day, project)
    local = org.kind in ("administration", "member", "council", "other")
    row = _interaction_row(b, kind, day, minutes, subject, project,
                           org.municipality_id if local else None, _notes(b))
    wanted = rng.choices((1, 2, 3, 4), cum_weights=PARTICIPANTS)[0]
    people = _participants(b, orgs, day, wanted)
    _links(b, row["id"], [o.id for o in orgs], people)
    if rng.random() < (0.35 if (b.today - day).days < 45 else 0.1):
        _follow_up(b, row, day, people, org.id)


def _notes(b: Builder) -> str:
    if b.rng.random() < 0.6:
        return " ".join(b.rng.sample(NOTES, b.rng.randrange(1, 3)))
    return ""


def _interaction_row(b: Builder, kind: str, day: date, minutes: int, subject: str,
                     project: ProjectInfo | None, municipality_id: int | None,
                     notes: str) -> Row:
    rng = b.rng
    occurred = local_to_utc(day, minutes)
    duration = rng.randrange(*DURATIONS[kind]) // 5 * 5 if kind in DURATIONS else None
    return b.record("interaction", occurred + timedelta(minutes=rng.randrange(5, 240)),
                    kind=kind, occurred_at=occurred, duration_minutes=duration,
                    subject=subject, notes=notes, municipality_id=municipality_id,
                    logged_by_id=_staff(b), project_id=project.id if project else None)


def _subject(b: Builder, org: OrgInfo, kind: str, day: date,
             project: ProjectInfo | None) -> str:
    if kind == "event":
        template = b.rng.choice(EVENT_SUBJECTS)
    else:
        template = b.rng.choice(SUBJECTS.get(org.kind, SUBJECTS["other"]))
    name = org.row.get("short_name") or org.name
    return template.format(place=org.place, in_place=org.in_place, org=name, year=day.year,
                           project=project.short if project else "Brücken bauen")


def _participants(b: Builder, orgs: list[OrgInfo], day: date, wanted: int
                  ) -> list[Participant]:
    """Role holders of the organisations on that day, with the role they had then."""
    rng = b.rng
    chosen: list[Participant] = []
    seen: set[int] = set()
    for org in orgs:
        roles = org.roles
        if not roles:
            continue
        # Mostly the first role holders (board, officers); now and then ordinary members.
        start = rng.randrange(min(len(roles), 8) if rng.random() < 0.8 else len(roles))
        for offset in range(min(len(roles), 12)):
            if len(chosen) >= wanted:
                break
            role = roles[(start + offset) % len(roles)]
            if role.title in RARE_TITLES and rng.random() < 0.85:
                continue
            if role.person_id not in seen and role.active_on(day):
                seen.add(role.person_id)
                chosen.append((role.person_id, role))
    if not chosen or (len(chosen) < wanted and rng.random() < 0.3):
        person = rng.choice(b.people)
        if person.id not in seen:
            chosen.append((person.id, _role_on(person, day)))
    return chosen


def _role_on(person: PersonInfo, day: date) -> RoleInfo | None:
    return next((r for r in person.roles if r.active_on(day)), None)


def _links(b: Builder, interaction_id: int, org_ids: list[int],
           people: list[Participant]) -> None:
    for org_id in org_ids:
        b.rows["interaction_organisation"].append({"interaction_id": interaction_id,
                                                   "organisation_id": org_id})
    for person_id, role in people:
        b.rows["interaction_participant"].append({
            "interaction_id": interaction_id,
            "person_id": person_id,
            "role_id": role.id if role else None,
            "role_title": role.title if role else "",
            "organisation_id": role.organisation_id if role else None,
        })
    b.count("interaction_participant", len(people))


def _event_interaction(b: Builder, event: EventInfo, s: _Stream) -> None:
    project = next((p for p in s.projects if p.id == event.project_id), None)
    row = _interaction_row(b, "event", event.day, event.minutes, event.title, project,
                           event.municipality_id, "Teilnahmeliste liegt vor.")
    people = [(p.id, _role_on(p, event.day))
              for p in b.rng.sample(event.attended, min(4, len(event.attended)))]
    org_ids = [o.id for o in event.organisers if o is not b.network]
    _links(b, row["id"], org_ids, people)


def _follow_up(b: Builder, interaction: Row, day: date, people: list[Participant],
               org_id: int) -> None:
    rng = b.rng
    due = day + timedelta(days=rng.randrange(3, 29 if (b.today - day).days > 45 else 50))
    done: datetime | None = None
    age = (b.today - due).days
    share = 0.92 if age > 21 else 0.5 if age >= 0 else 0.2
    if rng.random() < share:
        done_day = min(max(due + timedelta(days=rng.randrange(-5, 8)), day),
                       b.today - timedelta(days=1))
        done = local_to_utc(max(done_day, day), 9 * 60 + rng.randrange(0, 9 * 60, 5))
    logged = interaction["logged_by_id"]
    b.record("follow_up", interaction["created_at"], due_on=due, text=rng.choice(FOLLOW_UPS),
             assignee_id=logged if rng.random() < 0.8 else _staff(b), done_at=done,
             interaction_id=interaction["id"], person_id=people[0][0] if people else None,
             organisation_id=org_id)
