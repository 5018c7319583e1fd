"""``event add | list | show | invite | attend | status``."""

from __future__ import annotations

import argparse
from typing import Any

from crm.cli.context import CommandContext, check_all, integer
from crm.cli.interactions import show_moment
from crm.cli.output import show_date, table, write, write_json
from crm.cli.parser import Subcommands
from crm.i18n import _, ngettext
from crm.messages import value_label
from crm.services.activity_rows import (
    EVENT_KINDS,
    STATUSES,
    EventDetail,
    EventInput,
    InviteResult,
)
from crm.services.dates import parse_moment


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("event", _("events: add, invite, record attendance"))
    add = group.add("add", _("add an event"), handler=add_event)
    add.add_argument("title", metavar=_("TITLE"), help=_("title of the event"))
    add.add_argument("--kind", required=True, metavar="|".join(EVENT_KINDS),
                     help=_("kind of event"))
    add.add_argument("--date", required=True, metavar=_("DATE"),
                     help=_("start: ISO (2026-05-12T10:00) or 12.05.2026 10:00"))
    add.add_argument("--end", metavar=_("DATE"), help=_("end"))
    add.add_argument("--municipality", metavar="REF", help=_("where it takes place"))
    add.add_argument("--venue", metavar=_("TEXT"), help=_("venue"))
    add.add_argument("--org", action="append", default=[], metavar="REF",
                     help=_("co-organising organisation (repeatable)"))
    add.add_argument("--project", metavar="REF", help=_("project it belongs to"))
    add.add_argument("--notes", metavar=_("TEXT"), help=_("notes"))

    listing = group.add("list", _("list events, newest first"), handler=list_events)
    listing.add_argument("--limit", metavar="N", help=_("show at most N entries"))

    show = group.add("show", _("show an event with its attendees"), handler=show_event)
    show.add_argument("event", metavar=_("EVENT"), help=_("uid or unambiguous title"))

    invite = group.add("invite", _("invite persons: by name, by tag or by role title"),
                       handler=invite_persons)
    invite.add_argument("event", metavar=_("EVENT"), help=_("uid or unambiguous title"))
    invite.add_argument("persons", nargs="*", metavar=_("PERSON"), help=_("uid or name"))
    invite.add_argument("--tag", metavar="T", help=_("everyone with this tag"))
    invite.add_argument("--role", metavar=_("TITLE"),
                        help=_('everyone currently holding such a role '
                               '("Integrationsbeauftragte")'))

    attend = group.add("attend", _("tick persons as attended"), handler=attend_persons)
    attend.add_argument("event", metavar=_("EVENT"), help=_("uid or unambiguous title"))
    attend.add_argument("persons", nargs="+", metavar=_("PERSON"), help=_("uid or name"))

    status = group.add("status", _("set one attendee's status"), handler=set_status)
    status.add_argument("event", metavar=_("EVENT"), help=_("uid or unambiguous title"))
    status.add_argument("person", metavar=_("PERSON"), help=_("uid or name"))
    status.add_argument("status", metavar="|".join(STATUSES), help=_("the new status"))


def event_json(e: EventDetail) -> dict[str, Any]:
    return {
        "uid": e.uid, "title": e.title, "kind": e.kind, "starts_at": e.starts_at,
        "ends_at": e.ends_at, "date": e.date, "venue": e.venue, "notes": e.notes,
        "municipality": e.municipality.name if e.municipality else None,
        "project": e.project.name if e.project else None,
        "organisers": [{"uid": o.uid, "name": o.name} for o in e.organisers],
        "attendees": [{"uid": a.person.uid, "name": a.name, "status": a.status,
                       "role": a.role_title, "organisation": a.organisation}
                      for a in e.attendees],
        "counts": e.counts,
        "version": e.version,
    }


def add_event(ctx: CommandContext) -> None:
    args = ctx.args
    start, end = check_all(
        lambda: parse_moment("starts_at", args.date, direction="future"),
        lambda: parse_moment("ends_at", args.end, direction="future") if args.end else None,
    )
    detail = ctx.app.events.create(EventInput(
        title=args.title, kind=args.kind, starts_at=start, ends_at=end, venue=args.venue or "",
        municipality=args.municipality, organisers=args.org, project=args.project,
        notes=args.notes or ""))
    if ctx.json:
        write_json({"uid": detail.uid})
    else:
        write(detail.uid)


def list_events(ctx: CommandContext) -> None:
    limit = integer("limit", ctx.args.limit, minimum=1, default=200)
    rows = ctx.app.events.events(limit=limit or 200)
    if ctx.json:
        write_json([{"uid": r.uid, "title": r.title, "kind": r.kind, "date": r.date,
                     "venue": r.venue} for r in rows])
        return
    if not rows:
        write(_("No events found."))
        return
    table([_("Date"), _("Kind"), _("Title"), _("Venue"), _("ID")],
          [[show_date(r.date), value_label("event_kind", r.kind), r.title, r.venue, r.uid]
           for r in rows])


def show_event(ctx: CommandContext) -> None:
    detail = ctx.app.events.get(ctx.args.event)
    if ctx.json:
        write_json(event_json(detail))
        return
    write(detail.title)
    write(_("Kind: {value}").format(value=value_label("event_kind", detail.kind)))
    write(_("Start: {value}").format(value=show_moment(detail.starts_at)))
    if detail.venue:
        write(_("Venue: {value}").format(value=detail.venue))
    if detail.organisers:
        write(_("Co-organisers: {names}").format(
            names=", ".join(o.name for o in detail.organisers)))
    counts = detail.counts
    write(ngettext("{n} attendee: {attended} attended, {cancelled} cancelled",
                   "{n} attendees: {attended} attended, {cancelled} cancelled",
                   len(detail.attendees)).format(n=len(detail.attendees), **counts))
    if detail.attendees:
        table([_("Name"), _("Status"), _("Organisation"), _("ID")],
              [[a.name, value_label("attendee_status", a.status), a.organisation,
                a.person.uid] for a in detail.attendees])
    write(_("ID: {uid}").format(uid=detail.uid))


def invite_persons(ctx: CommandContext) -> None:
    args = ctx.args
    given = [bool(args.persons), bool(args.tag), bool(args.role)]
    if sum(given) != 1:
        ctx.usage_error(_("name persons, or give --tag or --role (one of them)"))
    events = ctx.app.events
    if args.tag:
        result = events.invite_tag(args.event, args.tag)
    elif args.role:
        result = events.invite_role_holders(args.event, args.role)
    else:
        result = events.invite(args.event, args.persons)
    _invited(ctx, result)


def _invited(ctx: CommandContext, result: InviteResult) -> None:
    if ctx.json:
        write_json({"added": [r.uid for r in result.added],
                    "already": [r.uid for r in result.already]})
        return
    write(ngettext("{n} person invited.", "{n} persons invited.",
                   len(result.added)).format(n=len(result.added)))
    if result.already:
        write(ngettext("{n} was already on the list.", "{n} were already on the list.",
                       len(result.already)).format(n=len(result.already)))


def attend_persons(ctx: CommandContext) -> None:
    detail = ctx.app.events.mark_attended(ctx.args.event, ctx.args.persons)
    _summary(ctx, detail)


def set_status(ctx: CommandContext) -> None:
    args = ctx.args
    ctx.app.events.set_status(args.event, args.person, args.status)
    _summary(ctx, ctx.app.events.get(args.event))


def _summary(ctx: CommandContext, detail: EventDetail) -> None:
    if ctx.json:
        write_json(event_json(detail))
        return
    counts = detail.counts
    write(_("{attended} of {n} attended.").format(n=len(detail.attendees),
                                                  attended=counts["attended"]))
