"""Fill an empty Brücke database with a believable demo network (``bruecke demo``).

The same seed always gives the same data, uids included: every random choice comes from one
``random.Random(seed)`` and every date is counted from a fixed "today" (``DEMO_TODAY``), never
from the clock. Rows go in with SQLAlchemy Core bulk inserts in batches (10,000 persons with
100,000 interactions: about ten seconds); bulk inserts bypass the search index's hooks, so the
index is rebuilt at the end, in the same transaction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from crm.demo_activity import build_events, build_projects, generate_interactions
from crm.demo_builder import Builder, Context
from crm.demo_network import build_network
from crm.domain import (
    Base,
    Interaction,
    Municipality,
    MunicipalityLevel,
    Organisation,
    Person,
    StaffMember,
    Tag,
)
from crm.errors import ValidationError

DEMO_TODAY = date(2026, 11, 1)
BATCH = 5_000
# Demo staff, created when the database has only the current user: (name, initials, weight).
DEMO_STAFF = (("Amina Haddad", "AH", 5.0), ("Jonas Wendt", "JW", 2.0),
              ("Phạm Thu Trang", "PTT", 2.0))
# Insert order: every table after the tables its foreign keys point to.
STRUCTURE = ("tag", "staff_member", "organisation", "person", "role", "contact_point",
             "person_tag", "organisation_tag", "project", "event", "event_organiser",
             "event_attendee")
ACTIVITY = ("interaction", "interaction_organisation", "interaction_participant", "follow_up")


@dataclass(frozen=True)
class DemoSummary:
    persons: int
    organisations: int
    roles: int
    interactions: int
    follow_ups: int
    events: int
    projects: int


def build_demo(sessions: sessionmaker[Session], *, seed: int = 1, persons: int = 300,
               interactions: int | None = None, today: date = DEMO_TODAY) -> DemoSummary:
    """Fill the demo network into a database holding only municipalities and staff.

    Args:
        sessions: the database's session factory.
        seed: the same seed gives the same data.
        persons: how many persons (at least 1; up to 100,000 for benchmarks).
        interactions: how many interactions; default ``max(600, persons * 10)``.
        today: the day the demo history ends; three years of interactions lead up to it.

    Raises:
        ValidationError: ``database/not_empty`` if there is any person, organisation or
            interaction (nothing is written), ``persons/invalid`` for fewer than one person.
    """
    if persons < 1:
        raise ValidationError.single("persons", "invalid", value=persons)
    count = max(600, persons * 10) if interactions is None else max(0, interactions)
    with sessions.begin() as session:
        _refuse_non_empty(session)
        session.info["audit_disabled"] = True
        builder = Builder(random.Random(seed), today, _context(session), persons)
        _demo_staff(builder, session)
        build_network(builder)
        projects = build_projects(builder)
        events = build_events(builder, projects)
        _write(session, builder, STRUCTURE)
        for _ in generate_interactions(builder, count, projects, events):
            _write(session, builder, ACTIVITY)
        _rebuild_search_index(session)
        return _summary(builder)


def _refuse_non_empty(session: Session) -> None:
    for model in (Person, Organisation, Interaction):
        if session.scalar(select(model.id).limit(1)) is not None:
            raise ValidationError.single("database", "not_empty")


def _context(session: Session) -> Context:
    municipalities = session.execute(
        select(Municipality.ags, Municipality.name, Municipality.level, Municipality.id)
        .where(Municipality.ags.is_not(None))
        .order_by(Municipality.ags)
    ).all()
    levels = (MunicipalityLevel.DISTRICT, MunicipalityLevel.INDEPENDENT_CITY)
    max_ids = {}
    for name, table in Base.metadata.tables.items():
        if "id" in table.c:
            max_ids[name] = session.scalar(select(func.max(table.c.id))) or 0
    return Context(
        municipality_ids={m.ags: m.id for m in municipalities},
        districts=[(m.ags, m.name, m.level.value, m.id) for m in municipalities
                   if m.level in levels],
        staff_ids=list(session.scalars(select(StaffMember.id).order_by(StaffMember.id))),
        tag_ids={name: tag_id for name, tag_id in session.execute(select(Tag.name, Tag.id))},
        max_ids=max_ids,
    )


def _demo_staff(b: Builder, session: Session) -> None:
    """Two or three colleagues for the current user, so work is spread over a team."""
    weights = [1.0] * len(b.staff_ids)
    if len(b.staff_ids) <= 1:
        taken = set(session.scalars(select(StaffMember.initials)))
        for name, initials, weight in DEMO_STAFF:
            if initials not in taken:
                row = b.record("staff_member", b.import_time(), name=name, initials=initials)
                b.staff_ids.append(row["id"])
                weights.append(weight)
    if not b.staff_ids:
        row = b.record("staff_member", b.import_time(), name="Amina Haddad", initials="AH")
        b.staff_ids.append(row["id"])
        weights.append(1.0)
    b.staff_cum_weights = list(accumulate(weights))


def _write(session: Session, b: Builder, tables: tuple[str, ...]) -> None:
    """Bulk-insert and forget the rows collected so far, in foreign-key order."""
    for name in tables:
        rows = b.rows.pop(name, [])
        table = Base.metadata.tables[name]
        for start in range(0, len(rows), BATCH):
            session.execute(insert(table), rows[start:start + BATCH])


def _rebuild_search_index(session: Session) -> None:
    from crm.search.index import rebuild  # written alongside; bulk inserts bypass its hooks

    rebuild(session)


def _summary(b: Builder) -> DemoSummary:
    c = b.counts
    return DemoSummary(persons=c["person"], organisations=c["organisation"], roles=c["role"],
                       interactions=c["interaction"], follow_ups=c["follow_up"],
                       events=c["event"], projects=c["project"])
