"""The inputs and frozen rows of interactions, follow-ups, projects and events.

Plain data only: this module imports neither SQLAlchemy nor the domain models, so that
``ui/`` can build inputs and read rows without touching the persistence layer (the
"ui writes no SQL" contract counts indirect imports too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from crm.services.rows import Ref

# The stored values of crm.domain.enums (a test keeps them equal).
INTERACTION_KINDS = ("meeting", "call", "email", "letter", "visit", "event", "other")
EVENT_KINDS = ("workshop", "seminar", "fachtagung", "network-meeting", "other")
STATUSES = ("invited", "registered", "attended", "cancelled")
EXCERPT = 200


# -- follow-ups ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FollowUpInput:
    """A follow-up to create: due date (date or text like "Freitag"), what to do, for whom.

    ``assignee`` is a staff member's initials; None assigns the current staff member.
    """

    due: date | str
    text: str
    assignee: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    uid: str
    due: date
    text: str
    assignee: str | None  # initials
    assignee_name: str | None
    done: bool
    done_at: datetime | None
    interaction: Ref | None  # uid and subject of the interaction it came from
    interaction_date: date | None
    people: tuple[Ref, ...]  # the interaction's participants (or the linked person)
    organisation: Ref | None
    version: int


@dataclass(frozen=True, slots=True)
class FollowUpGroups:
    """Open follow-ups by urgency; "this week" runs from tomorrow to Sunday."""

    overdue: tuple[FollowUpRow, ...]
    today: tuple[FollowUpRow, ...]
    this_week: tuple[FollowUpRow, ...]
    later: tuple[FollowUpRow, ...]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.this_week) + len(self.later)


def group_by_due(rows: Sequence[FollowUpRow], today: date) -> FollowUpGroups:
    sunday = today + timedelta(days=6 - today.weekday())
    open_rows = [r for r in rows if not r.done]
    return FollowUpGroups(
        overdue=tuple(r for r in open_rows if r.due < today),
        today=tuple(r for r in open_rows if r.due == today),
        this_week=tuple(r for r in open_rows if today < r.due <= sunday),
        later=tuple(r for r in open_rows if r.due > sunday),
    )



# -- projects -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProjectRow:
    uid: str
    name: str
    funder: Ref | None
    start_on: date | None
    end_on: date | None
    number: str
    responsible: str | None  # initials of the responsible staff member
    version: int

    def active_on(self, day: date) -> bool:
        return (self.start_on is None or self.start_on <= day) and (
            self.end_on is None or day <= self.end_on)



# -- interactions -------------------------------------------------------------------------

@dataclass(frozen=True)
class LogInput:
    """One interaction for :meth:`InteractionService.log`.

    Attributes:
        participants: Person REFs (uid or unambiguous name).
        occurred_at: When: a datetime, text ("gestern 14:30", "12.3.", ISO) or None for now.
        organisations: Organisation REFs; None takes them from the participants' roles.
        municipality: A municipality REF; None takes it from the organisations, "" is none.
        follow_ups: FollowUpInput or (due, text, assignee initials | None) tuples.
    """

    kind: str
    subject: str
    participants: Sequence[str] = ()
    occurred_at: datetime | str | None = None
    organisations: Sequence[str] | None = None
    municipality: str | None = None
    notes: str = ""
    duration_minutes: int | None = None
    project: str | None = None
    follow_ups: Sequence[FollowUpInput | tuple[Any, ...]] = ()


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    person: Ref | None  # None once the person was erased
    name: str  # the person's name, or "deleted person" (translated)
    role_title: str  # the title they held on the day
    organisation: Ref | None  # the organisation of that role

    @property
    def erased(self) -> bool:
        return self.person is None


@dataclass(frozen=True, slots=True)
class InteractionDetail:
    uid: str
    kind: str
    occurred_at: datetime
    date: date  # local calendar day
    duration_minutes: int | None
    subject: str
    notes: str
    participants: tuple[ParticipantRow, ...]
    organisations: tuple[Ref, ...]
    municipality: Ref | None
    project: Ref | None
    logged_by: str | None  # initials
    follow_ups: tuple[FollowUpRow, ...]
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LogSuggestion:
    """What the quick log would store for these participants: for the dialog to show."""

    participants: tuple[ParticipantRow, ...]
    organisations: tuple[Ref, ...]
    municipality: Ref | None


@dataclass(frozen=True, slots=True)
class TimelineFilter:
    """What a timeline shows; empty fields do not filter. REFs are uids or names.

    ``municipality`` includes its towns and the organisations located there; ``kinds``
    holds interaction kinds ("event" also selects events); ``staff`` is who logged it
    (initials; events have no such person and are left out); ``events=False`` leaves
    events out.
    """

    person: str | None = None
    organisation: str | None = None
    municipality: str | None = None
    kinds: tuple[str, ...] = ()
    staff: str | None = None
    tag: str | None = None
    project: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    events: bool = True


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    uid: str
    source: str  # "interaction" or "event"
    kind: str  # the interaction kind; "event" for events
    occurred_at: datetime
    date: date  # local calendar day
    subject: str  # an event's title
    excerpt: str  # the notes' first ~200 characters
    participants: tuple[ParticipantRow, ...]  # empty for events (see attendee_count)
    organisations: tuple[Ref, ...]  # an event's co-organisers
    municipality: Ref | None
    project: Ref | None
    logged_by: str | None  # initials
    event_kind: str | None = None
    status: str | None = None  # in a person's timeline: their status at the event
    attendee_count: int = 0


@dataclass(frozen=True, slots=True)
class SavedParticipant:
    person_uid: str | None
    role_uid: str | None
    role_title: str
    organisation_uid: str | None


@dataclass(frozen=True, slots=True)
class SavedFollowUp:
    uid: str
    due_on: date
    text: str
    assignee_id: int | None
    done_at: datetime | None
    person_uid: str | None
    organisation_uid: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeletedInteraction:
    """Everything :meth:`InteractionService.restore_deleted` needs to undo a delete."""

    uid: str
    kind: str
    occurred_at: datetime
    duration_minutes: int | None
    subject: str
    notes: str
    municipality_uid: str | None
    project_uid: str | None
    logged_by_id: int | None
    created_at: datetime
    participants: tuple[SavedParticipant, ...]
    organisation_uids: tuple[str, ...]
    follow_ups: tuple[SavedFollowUp, ...] = field(default=())


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# -- events -------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventInput:
    """A new event. ``starts_at``/``ends_at``: datetime or text ("2026-05-12 10:00",
    "12.5. 10 Uhr"); REFs are uids or unambiguous names."""

    title: str
    kind: str
    starts_at: datetime | str
    ends_at: datetime | str | None = None
    venue: str = ""
    municipality: str | None = None
    organisers: Sequence[str] = ()
    project: str | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class AttendeeRow:
    person: Ref
    name: str
    status: str  # invited, registered, attended, cancelled
    role_title: str | None  # the person's current main role, for the attendance list
    organisation: str | None


@dataclass(frozen=True, slots=True)
class EventRow:
    uid: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    date: date  # local day of the start
    venue: str
    municipality: Ref | None
    project: Ref | None


@dataclass(frozen=True, slots=True)
class EventDetail:
    uid: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    date: date
    venue: str
    notes: str
    municipality: Ref | None
    project: Ref | None
    organisers: tuple[Ref, ...]
    attendees: tuple[AttendeeRow, ...]  # by name
    version: int

    @property
    def counts(self) -> dict[str, int]:
        """Attendees per status (every status present, 0 if none)."""
        found = Counter(a.status for a in self.attendees)
        return {status: found.get(status, 0) for status in STATUSES}


@dataclass(frozen=True, slots=True)
class InviteResult:
    added: tuple[Ref, ...]  # newly invited
    already: tuple[Ref, ...]  # on the list before (their status is left alone)


