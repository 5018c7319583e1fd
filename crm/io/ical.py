"""Events and follow-ups as iCalendar (RFC 5545) via the icalendar package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PRODID = "-//Brücke//Brücke CRM//DE"


@dataclass(frozen=True, slots=True)
class EventItem:
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    venue: str = ""
    notes: str = ""
    kind: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TaskItem:
    uid: str
    text: str
    due_on: date
    done_at: datetime | None = None
    assignee: str = ""
    updated_at: datetime | None = None


def _summary(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:120]


def calendar_bytes(events: list[EventItem], tasks: list[TaskItem]) -> bytes:
    # icalendar costs ~40 ms to import: only when a calendar is written, not at start-up.
    from icalendar import Calendar
    from icalendar import Event as VEvent
    from icalendar import Todo as VTodo

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    now = datetime.now(UTC)
    for item in events:
        event = VEvent()
        event.add("uid", item.uid)
        event.add("dtstamp", (item.updated_at or now).astimezone(UTC))
        event.add("summary", item.title)
        event.add("dtstart", item.starts_at.astimezone(UTC))
        end = item.ends_at or item.starts_at + timedelta(hours=2)
        event.add("dtend", end.astimezone(UTC))
        if item.venue:
            event.add("location", item.venue)
        if item.notes:
            event.add("description", item.notes)
        if item.kind:
            event.add("categories", [item.kind])
        cal.add_component(event)
    for task in tasks:
        todo = VTodo()
        todo.add("uid", task.uid)
        todo.add("dtstamp", (task.updated_at or now).astimezone(UTC))
        todo.add("summary", _summary(task.text))
        todo.add("description", task.text)
        todo.add("due", task.due_on)
        todo.add("status", "COMPLETED" if task.done_at else "NEEDS-ACTION")
        if task.done_at:
            todo.add("completed", task.done_at.astimezone(UTC))
        cal.add_component(todo)
    return cal.to_ical()
