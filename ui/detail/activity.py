"""A record's activity as text and HTML: interactions and events for the detail panes, the
history's entry view and its lists.

Kept apart from the history view (a widget module) and light to import: the detail pane is
built before the main window's first paint, an activity is shown only after it. (The
activity rows are imported on first use for the same reason.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from crm.i18n import _, ngettext
from crm.messages import value_label
from crm.services.dates import days_since
from ui.detail.html import empty, esc, format_date, format_moment, multiline, page, record_link

if TYPE_CHECKING:
    from crm.services.activity_rows import (
        EventDetail,
        FollowUpRow,
        InteractionDetail,
        TimelineEntry,
    )

App = Any  # crm.app.App


# -- texts ------------------------------------------------------------------------------------

def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def kind_text(entry: TimelineEntry | InteractionDetail | EventDetail) -> str:
    """ "Treffen", or for events "Veranstaltung · Workshop"."""
    from crm.services.activity_rows import EventDetail

    if isinstance(entry, EventDetail) or getattr(entry, "source", "") == "event":
        event_kind = entry.kind if isinstance(entry, EventDetail) else entry.event_kind
        return _("{kind} · {event_kind}").format(
            kind=capital(value_label("interaction_kind", "event")),
            event_kind=capital(value_label("event_kind", event_kind or "other")))
    return capital(value_label("interaction_kind", entry.kind))


def person_with_role(name: str, role_title: str) -> str:
    return _("{name} ({role})").format(name=name, role=role_title) if role_title else name


def participants_text(entry: TimelineEntry) -> str:
    if entry.source == "event":
        count = ngettext("{n} attendee", "{n} attendees", entry.attendee_count).format(
            n=entry.attendee_count)
        if entry.status:
            return _("{status} · {count}").format(
                status=capital(value_label("attendee_status", entry.status)), count=count)
        return count
    return ", ".join(person_with_role(p.name, p.role_title) for p in entry.participants)


def last_contact_text(day: date | None, today: date | None = None) -> str:
    """ "12.03.2026 (5 days ago)", "today", or "no contact yet"."""
    if day is None:
        return _("no contact yet")
    days = days_since(day, today) or 0
    if days == 0:
        return _("{date} (today)").format(date=format_date(day))
    return ngettext("{date} ({n} day ago)", "{date} ({n} days ago)", days).format(
        date=format_date(day), n=days)


# -- HTML -------------------------------------------------------------------------------------

def _fact(label: str, value_html: str) -> str:
    return f'<tr><td class="muted">{esc(label)}</td><td>{value_html}</td></tr>'


def interaction_html(detail: InteractionDetail) -> str:
    """The full entry; every stored value is escaped (notes may hold "<script>" or "&")."""
    when = format_moment(detail.occurred_at)
    if detail.duration_minutes:
        when = _("{moment}, {minutes} min").format(moment=when, minutes=detail.duration_minutes)
    parts = [f"<h1>{esc(detail.subject)}</h1>",
             f'<p class="sub">{esc(kind_text(detail))} · {esc(when)}</p>', "<table>"]
    people = []
    for p in detail.participants:
        name = record_link("person", p.person.uid, p.name) if p.person else esc(p.name)
        role = ", ".join(esc(v) for v in (p.role_title, p.organisation.name if p.organisation
                                          else "") if v)
        people.append(f"{name}{' – ' + role if role else ''}")
    if people:
        parts.append(_fact(_("Participants"), "<br>".join(people)))
    if detail.organisations:
        parts.append(_fact(_("Organisations"), ", ".join(
            record_link("organisation", o.uid, o.name) for o in detail.organisations)))
    if detail.municipality:
        parts.append(_fact(_("Municipality"), record_link(
            "municipality", detail.municipality.uid, detail.municipality.name)))
    if detail.project:
        parts.append(_fact(_("Project"), esc(detail.project.name)))
    if detail.logged_by:
        parts.append(_fact(_("Logged by"), esc(detail.logged_by)))
    parts.append("</table>")
    if detail.notes.strip():
        notes_heading = esc(_("Notes"))
        parts.append(f"<h2>{notes_heading}</h2><p>{multiline(detail.notes)}</p>")
    if detail.follow_ups:
        follow_ups_heading = esc(_("Follow-ups"))
        parts.append(f"<h2>{follow_ups_heading}</h2><table>")
        for f in detail.follow_ups:
            state = _("done") if f.done else _("due {date}").format(date=format_date(f.due))
            who = f" · {esc(f.assignee)}" if f.assignee else ""
            parts.append(f'<tr><td class="muted">{esc(state)}{who}</td>'
                         f"<td>{multiline(f.text)}</td></tr>")
        parts.append("</table>")
    return page(parts)


def event_html(event: EventDetail) -> str:
    counts = event.counts
    summary = ", ".join(f"{capital(value_label('attendee_status', s))}: {n}"
                        for s, n in counts.items())
    parts = [f"<h1>{esc(event.title)}</h1>",
             f'<p class="sub">{esc(kind_text(event))} · '
             f"{esc(format_moment(event.starts_at))}</p>", "<table>"]
    if event.venue:
        parts.append(_fact(_("Venue"), esc(event.venue)))
    if event.municipality:
        parts.append(_fact(_("Municipality"), record_link(
            "municipality", event.municipality.uid, event.municipality.name)))
    if event.organisers:
        parts.append(_fact(_("Co-organisers"), ", ".join(
            record_link("organisation", o.uid, o.name) for o in event.organisers)))
    if event.project:
        parts.append(_fact(_("Project"), esc(event.project.name)))
    parts.append(_fact(_("Attendance"), esc(summary)))
    parts.append("</table>")
    open_text = _("Open in Events")
    parts.append(f'<p>{record_link("event", event.uid, open_text)}</p>')
    if event.notes.strip():
        notes_heading = esc(_("Notes"))
        parts.append(f"<h2>{notes_heading}</h2><p>{multiline(event.notes)}</p>")
    return page(parts)


def load_recent(app: App, kind: str, uid: str, limit: int = 5
                ) -> tuple[list[TimelineEntry], int, date | None]:
    """(latest entries, how many in all, last contact) of a person, organisation or
    municipality. Calls services only: run it on the worker thread."""
    from crm.services.activity_rows import TimelineFilter

    flt = TimelineFilter(**{kind: uid})
    entries = app.interactions.timeline(flt, limit=limit)
    total = app.interactions.timeline_count(flt)
    plural = {"person": "persons", "organisation": "organisations",
              "municipality": "municipalities"}[kind]
    last = app.interactions.last_contacts(plural, [uid]).get(uid)
    return entries, total, last


def recent_html(entries: Sequence[TimelineEntry], total: int, last: date | None,
                more_link: str = "") -> str:
    """An HTML section for a detail pane (no <html> wrapper): last contact, latest entries.

    ``more_link`` is a URL to the whole history (e.g. ``bruecke:history/person/<uid>``).
    """
    heading, last_label = esc(_("History")), esc(_("Last contact"))
    parts = [f"<h2>{heading}</h2>",
             f'<p><span class="muted">{last_label}:</span> '
             f"{esc(last_contact_text(last))}</p>"]
    if not entries:
        parts.append(empty(_("No interactions recorded yet.")))
        return "".join(parts)
    rows = []
    for entry in entries:
        who = participants_text(entry)
        rows.append(f'<tr><td class="muted">{esc(format_date(entry.date))}</td>'
                    f"<td>{esc(kind_text(entry))}: <b>{esc(entry.subject)}</b>"
                    f"{'<br>' + esc(who) if who else ''}</td></tr>")
    parts.append(f"<table>{''.join(rows)}</table>")
    if more_link and total > len(entries):
        text = ngettext("Show all {n} entries", "Show all {n} entries", total).format(n=total)
        parts.append(f'<p><a href="{esc(more_link)}">{esc(text)}</a></p>')
    return "".join(parts)


def overdue_message(rows: Sequence[FollowUpRow], today: date | None = None) -> str | None:
    """The start-up notice for the current staff member, or None if nothing is overdue."""
    if not rows:
        return None
    oldest = min(rows, key=lambda r: r.due)
    return ngettext("{n} overdue follow-up, due {date}",
                    "{n} overdue follow-ups, the oldest due {date}", len(rows)).format(
        n=len(rows), date=format_date(oldest.due))
