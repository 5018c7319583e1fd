"""``log`` (the quick log from the keyboard) and ``history`` (a timeline)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import datetime
from typing import Any

from crm.cli.context import CommandContext, check_all, integer
from crm.cli.output import show_date, table, write, write_json
from crm.cli.parser import Subcommands
from crm.errors import ValidationError
from crm.i18n import _
from crm.messages import value_label
from crm.services.activity_rows import (
    INTERACTION_KINDS,
    FollowUpInput,
    LogInput,
    TimelineEntry,
    TimelineFilter,
)
from crm.services.dates import local_date, parse_day, parse_moment
from crm.services.projects import remember_last_project

BRIEF_LIMIT = 500


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    log = commands.add("log", _("log a meeting, call, letter … with its participants"),
                       handler=log_interaction)
    log.add_argument("--kind", required=True, metavar="|".join(INTERACTION_KINDS),
                     help=_("kind of interaction"))
    log.add_argument("--with", dest="participants", action="append", required=True,
                     metavar="REF", help=_("a participant (repeatable)"))
    log.add_argument("--org", action="append", metavar="REF",
                     help=_("organisation concerned (repeatable; default: the "
                            "participants' organisations)"))
    log.add_argument("--date", metavar=_("DATE"),
                     help=_('when: ISO, 12.03.2026 14:30, "gestern", "letzten Dienstag" '
                            "(default: now)"))
    log.add_argument("--subject", required=True, metavar=_("TEXT"), help=_("subject"))
    notes = log.add_mutually_exclusive_group()
    notes.add_argument("--notes", metavar=_("TEXT"), help=_("notes"))
    notes.add_argument("--notes-file", metavar=_("FILE"),
                       help=_("read the notes from a UTF-8 text file (- for standard input)"))
    log.add_argument("--follow-up", nargs=2, action="append", default=[],
                     metavar=(_("DATE"), _("TEXT")),
                     help=_("a follow-up for you, due on DATE (repeatable)"))
    log.add_argument("--duration", metavar=_("MINUTES"), help=_("duration in minutes"))
    log.add_argument("--project", metavar="REF", help=_("project it belongs to"))
    log.add_argument("--municipality", metavar="REF",
                     help=_("municipality concerned (default: from the organisations)"))

    history = commands.add("history", _("interactions and events, newest first"),
                           handler=show_history)
    which = history.add_mutually_exclusive_group()
    which.add_argument("--person", metavar="REF", help=_("of this person"))
    which.add_argument("--org", metavar="REF", help=_("of this organisation"))
    which.add_argument("--municipality", metavar="REF",
                       help=_("of this municipality, its towns and organisations"))
    history.add_argument("--project", metavar="REF", help=_("only this project"))
    history.add_argument("--text", metavar=_("TEXT"), help=_("only entries with these words"))
    history.add_argument("--limit", metavar="N", help=_("show at most N entries"))
    history.add_argument("--offset", metavar="N", help=_("skip the first N entries"))


def read_notes_file(path: str) -> str:
    """The notes file's text, or a ValidationError naming it (exit status 1)."""
    try:
        if path == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        raise ValidationError.single("notes_file", "unreadable_file", path=path,
                                     detail=detail) from exc


def _follow_ups(pairs: list[list[str]]) -> list[FollowUpInput]:
    items = []
    for index, (due, text) in enumerate(pairs):
        day = parse_day(f"due[{index}]", due, direction="future")
        if day is None:
            raise ValidationError.single(f"due[{index}]", "required")
        items.append(FollowUpInput(day, text))
    return items


def log_interaction(ctx: CommandContext) -> None:
    args = ctx.args
    # Every value is checked before the database is opened: a bad one writes nothing.
    when, notes, follow_ups, duration = check_all(
        lambda: parse_moment("date", args.date),
        lambda: read_notes_file(args.notes_file) if args.notes_file else (args.notes or ""),
        lambda: _follow_ups(args.follow_up),
        lambda: integer("duration_minutes", args.duration, maximum=7 * 24 * 60),
    )
    app = ctx.app
    detail = app.interactions.log(LogInput(
        kind=args.kind, subject=args.subject, participants=args.participants,
        occurred_at=when, organisations=args.org, municipality=args.municipality,
        notes=notes, duration_minutes=duration, project=args.project, follow_ups=follow_ups))
    if detail.project is not None:
        with contextlib.suppress(OSError):  # remembering is a convenience, never an error
            remember_last_project(app.prefs, detail.project.uid)
    if ctx.json:
        write_json({"uid": detail.uid})
    else:
        write(detail.uid)


def interaction_briefs(ctx: CommandContext, *, person: str | None = None,
                       organisation: str | None = None) -> list[dict[str, Any]]:
    """For ``person show --json`` / ``org show --json``: their interactions, newest first."""
    entries = ctx.app.interactions.timeline(TimelineFilter(
        person=person, organisation=organisation, events=False), limit=BRIEF_LIMIT)
    return [{"uid": e.uid, "date": e.date, "kind": e.kind, "subject": e.subject}
            for e in entries]


def entry_json(e: TimelineEntry) -> dict[str, Any]:
    return {
        "uid": e.uid, "source": e.source, "kind": e.kind, "date": e.date,
        "occurred_at": e.occurred_at, "subject": e.subject, "excerpt": e.excerpt,
        "participants": [{"uid": p.person.uid if p.person else None, "name": p.name,
                          "role": p.role_title,
                          "organisation": p.organisation.name if p.organisation else None}
                         for p in e.participants],
        "organisations": [o.name for o in e.organisations],
        "municipality": e.municipality.name if e.municipality else None,
        "project": e.project.name if e.project else None,
        "logged_by": e.logged_by, "event_kind": e.event_kind, "status": e.status,
    }


def show_history(ctx: CommandContext) -> None:
    args = ctx.args
    limit, offset = check_all(
        lambda: integer("limit", args.limit, minimum=1, default=50),
        lambda: integer("offset", args.offset, default=0),
    )
    flt = TimelineFilter(person=args.person, organisation=args.org,
                         municipality=args.municipality, project=args.project,
                         text=args.text or "")
    entries = ctx.app.interactions.timeline(flt, offset=offset or 0, limit=limit or 50)
    if ctx.json:
        write_json([entry_json(e) for e in entries])
        return
    if not entries:
        write(_("No interactions found."))
        return
    table([_("Date"), _("Kind"), _("Subject"), _("With")],
          [[show_date(e.date), _kind_label(e), e.subject, _people(e)] for e in entries])


def _kind_label(e: TimelineEntry) -> str:
    return value_label("interaction_kind", e.kind)


def _people(e: TimelineEntry) -> str:
    names = []
    for p in e.participants:
        names.append(_("{name} ({role})").format(name=p.name, role=p.role_title)
                     if p.role_title else p.name)
    if not names and e.source == "event":
        return ", ".join(o.name for o in e.organisations)
    return ", ".join(names)


def show_moment(moment: datetime) -> str:
    """A stored moment as the local day and time: "12.03.2026, 14:30"."""
    local = moment.astimezone()
    return _("{date}, {time}").format(date=show_date(local_date(moment)),
                                      time=local.strftime("%H:%M"))
