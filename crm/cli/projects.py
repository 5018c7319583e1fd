"""``project add | list``."""

from __future__ import annotations

import argparse
from typing import Any

from crm.cli.context import CommandContext, check_all, check_date
from crm.cli.output import show_date, table, write, write_json
from crm.cli.parser import Subcommands
from crm.i18n import _
from crm.services.activity_rows import ProjectRow


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("project", _("funded projects: add and list"))
    add = group.add("add", _("add a project"), handler=add_project)
    add.add_argument("name", metavar=_("NAME"), help=_("name of the project"))
    add.add_argument("--funder", metavar="REF", help=_("funding organisation"))
    add.add_argument("--from", dest="start", metavar=_("DATE"), help=_("start of the project"))
    add.add_argument("--to", dest="end", metavar=_("DATE"), help=_("end of the project"))
    add.add_argument("--number", metavar=_("TEXT"), help=_("funding reference number"))
    add.add_argument("--responsible", metavar=_("INITIALS"),
                     help=_("staff member responsible"))
    group.add("list", _("list projects"), handler=list_projects)


def project_json(p: ProjectRow) -> dict[str, Any]:
    return {"uid": p.uid, "name": p.name, "funder": p.funder.name if p.funder else None,
            "from": p.start_on, "to": p.end_on, "number": p.number,
            "responsible": p.responsible}


def add_project(ctx: CommandContext) -> None:
    args = ctx.args
    start, end = check_all(lambda: check_date("from", args.start),
                           lambda: check_date("to", args.end))
    row = ctx.app.projects.add(args.name, funder=args.funder, start=start, end=end,
                               number=args.number or "", responsible=args.responsible)
    if ctx.json:
        write_json({"uid": row.uid})
    else:
        write(_("Project added: {name} ({uid})").format(name=row.name, uid=row.uid))


def list_projects(ctx: CommandContext) -> None:
    rows = ctx.app.projects.projects()
    if ctx.json:
        write_json([project_json(r) for r in rows])
        return
    if not rows:
        write(_("No projects yet."))
        return
    table([_("Name"), _("Funder"), _("From"), _("To"), _("Number"), _("ID")],
          [[r.name, r.funder.name if r.funder else "", show_date(r.start_on),
            show_date(r.end_on), r.number, r.uid] for r in rows])
