"""Speicherbegrenzung (DSGVO Art. 5(1)e): persons nobody has had to do with for N years.

A person is *stale* when, within the last ``years`` years, they

- took part in no interaction and attended (or were invited to) no event,
- held no role (a role counts while it runs and until it ended),
- gave, held or withdrew no consent (an active consent always counts),
- and their record was not created.

Stale persons are offered for archiving or erasure in bulk; nothing happens by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from crm.domain import (
    Consent,
    Event,
    EventAttendee,
    Interaction,
    InteractionParticipant,
    Person,
    Role,
)


@dataclass(frozen=True, slots=True)
class StaleRow:
    uid: str
    name: str
    archived: bool
    last_activity: date | None  # the last interaction, event, role end or consent date


def cutoff(years: int, today: date) -> date:
    """The same day ``years`` years ago (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def stale_query(years: int, today: date, include_archived: bool = True) -> Select[Any]:
    since = cutoff(years, today)
    moment = datetime.combine(since, time.min, tzinfo=UTC).replace(tzinfo=None)
    pid = Person.id
    recent_interaction = exists().where(
        InteractionParticipant.person_id == pid,
        InteractionParticipant.interaction_id == Interaction.id,
        Interaction.occurred_at >= moment)
    recent_event = exists().where(EventAttendee.person_id == pid,
                                  EventAttendee.event_id == Event.id,
                                  Event.starts_at >= moment)
    recent_role = exists().where(Role.person_id == pid,
                                 or_(Role.end_date.is_(None), Role.end_date >= since))
    recent_consent = exists().where(
        Consent.person_id == pid,
        or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on >= since,
            Consent.given_on >= since))
    query = select(Person).where(~recent_interaction, ~recent_event, ~recent_role,
                                 ~recent_consent, Person.created_at < moment)
    if not include_archived:
        query = query.where(Person.archived_at.is_(None))
    return query.order_by(Person.sort_key, Person.id)


def stale_persons(session: Session, years: int, today: date | None = None,
                  include_archived: bool = True) -> list[StaleRow]:
    persons = session.scalars(stale_query(years, today or date.today(),
                                          include_archived)).all()
    last = _last_activity(session, [p.id for p in persons])
    return [StaleRow(p.uid, p.full_name, p.archived_at is not None, last.get(p.id))
            for p in persons]


def _last_activity(session: Session, ids: list[int]) -> dict[int, date]:
    if not ids:
        return {}
    result: dict[int, date] = {}

    def keep(person_id: int | None, value: date | datetime | None) -> None:
        if person_id is None or value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        if person_id not in result or result[person_id] < day:
            result[person_id] = day

    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for pid, when in session.execute(
                select(InteractionParticipant.person_id, func.max(Interaction.occurred_at))
                .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
                .where(InteractionParticipant.person_id.in_(part))
                .group_by(InteractionParticipant.person_id)):
            keep(pid, when)
        for pid, started in session.execute(
                select(EventAttendee.person_id, func.max(Event.starts_at))
                .join(Event, Event.id == EventAttendee.event_id)
                .where(EventAttendee.person_id.in_(part)).group_by(EventAttendee.person_id)):
            keep(pid, started)
        for pid, ended in session.execute(
                select(Role.person_id, func.max(Role.end_date))
                .where(Role.person_id.in_(part)).group_by(Role.person_id)):
            keep(pid, ended)
        for pid, given, withdrawn in session.execute(
                select(Consent.person_id, func.max(Consent.given_on),
                       func.max(Consent.withdrawn_on))
                .where(Consent.person_id.in_(part)).group_by(Consent.person_id)):
            keep(pid, given)
            keep(pid, withdrawn)
    return result
