"""``tasks`` (open follow-ups, grouped by urgency) and ``task done | reopen | move | assign``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import Any

from crm.cli.context import CommandContext
from crm.cli.output import show_date, table, write, write_json
from crm.cli.parser import Subcommands
from crm.errors import ValidationError
from crm.i18n import _
from crm.services.activity_rows import FollowUpRow, group_by_due
from crm.services.dates import parse_day


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    tasks = commands.add("tasks", _("open follow-ups of all staff: overdue, today, this week, "
                                    "later"), handler=list_tasks)
    tasks.add_argument("--mine", action="store_true", help=_("only your own"))
    tasks.add_argument("--done", action="store_true", help=_("done ones too"))

    group = commands.group("task", _("a follow-up: mark done, reopen, move, reassign"))
    done = group.add("done", _("mark a follow-up done"), handler=mark_done)
    done.add_argument("uid", metavar="UID", help=_("the follow-up's ID"))
    reopen = group.add("reopen", _("open a follow-up again"), handler=reopen_task)
    reopen.add_argument("uid", metavar="UID", help=_("the follow-up's ID"))
    move = group.add("move", _("set a new due date"), handler=move_task)
    move.add_argument("uid", metavar="UID", help=_("the follow-up's ID"))
    move.add_argument("due", metavar=_("DATE"), help=_("the new due date"))
    assign = group.add("assign", _("give a follow-up to another staff member"),
                       handler=assign_task)
    assign.add_argument("uid", metavar="UID", help=_("the follow-up's ID"))
    assign.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member"))


def task_json(row: FollowUpRow) -> dict[str, Any]:
    return {
        "uid": row.uid, "due": row.due, "text": row.text, "assignee": row.assignee,
        "done": row.done, "done_at": row.done_at,
        "interaction": row.interaction.uid if row.interaction else None,
        "people": [p.name for p in row.people],
    }


def list_tasks(ctx: CommandContext) -> None:
    args = ctx.args
    rows = ctx.app.followups.tasks(mine=args.mine, include_done=args.done)
    if ctx.json:
        write_json([task_json(r) for r in rows])
        return
    if not rows:
        write(_("No open follow-ups."))
        return
    groups = group_by_due(rows, date.today())
    sections = [(_("Overdue"), groups.overdue), (_("Today"), groups.today),
                (_("This week"), groups.this_week), (_("Later"), groups.later),
                (_("Done"), tuple(r for r in rows if r.done))]
    for title, items in sections:
        if items:
            write(title)
            _task_table(items)
            write()


def _task_table(rows: Sequence[FollowUpRow]) -> None:
    table([_("Due"), _("For"), _("Task"), _("With"), _("ID")],
          [[show_date(r.due), r.assignee, r.text, ", ".join(p.name for p in r.people), r.uid]
           for r in rows])


def _done_line(row: FollowUpRow) -> str:
    if row.done:
        return _("Done: {text}").format(text=row.text)
    return _("Open again: {text}").format(text=row.text)


def mark_done(ctx: CommandContext) -> None:
    _report(ctx, ctx.app.followups.set_done(ctx.args.uid), _done_line)


def reopen_task(ctx: CommandContext) -> None:
    _report(ctx, ctx.app.followups.undo_done(ctx.args.uid), _done_line)


def move_task(ctx: CommandContext) -> None:
    due = parse_day("due", ctx.args.due, direction="future")
    if due is None:
        raise ValidationError.single("due", "required")
    _report(ctx, ctx.app.followups.reschedule(ctx.args.uid, due),
            lambda r: _("Due on {date}: {text}").format(date=show_date(r.due), text=r.text))


def assign_task(ctx: CommandContext) -> None:
    _report(ctx, ctx.app.followups.reassign(ctx.args.uid, ctx.args.initials),
            lambda r: _("For {initials}: {text}").format(initials=r.assignee, text=r.text))


def _report(ctx: CommandContext, row: FollowUpRow, line: Any) -> None:
    if ctx.json:
        write_json(task_json(row))
    else:
        write(line(row))
