"""``report contact-sheet | directory | attendance | activity | labels | phone-list``.

Every report is written to ``-o FILE.pdf``; an output that cannot be written ends with exit
status 1 and one line on stderr, like every other user error.
"""

from __future__ import annotations

import argparse
from typing import Any

from crm.cli.context import CommandContext, check_all, check_date, choice, integer
from crm.cli.output import write, write_json
from crm.cli.parser import Subcommands
from crm.i18n import _, ngettext
from crm.reports.labels import LAYOUTS
from crm.services.report_rows import LabelResult, ReportResult
from crm.services.reports import ReportService

ORG_KINDS = ("member", "council", "administration", "network", "public-body", "funder", "other")


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("report", _("print reports as A4 PDF files"))

    sheet = _add(group, "contact-sheet", _("contact sheet of a person or organisation"),
                 contact_sheet)
    sheet.add_argument("ref", metavar="REF", help=_("person or organisation (uid or name)"))
    sheet.add_argument("--last", metavar="N", help=_("how many interactions (default: 10)"))

    directory = _add(group, "directory", _("contact directory of the municipalities"),
                     directory_report)
    directory.add_argument("--municipality", action="append", default=[], metavar="REF",
                           help=_("only this municipality or district (repeatable)"))

    attendance = _add(group, "attendance", _("attendance list of an event, to sign"),
                      attendance_report)
    attendance.add_argument("event", metavar="EVENT", help=_("event (uid or title)"))
    attendance.add_argument("--walk-ins", metavar="N",
                            help=_("empty rows for walk-ins (default: 5)"))

    activity = _add(group, "activity", _("activity report for a period"), activity_report)
    activity.add_argument("--from", dest="date_from", metavar=_("DATE"), required=True,
                          help=_("first day of the period"))
    activity.add_argument("--to", dest="date_to", metavar=_("DATE"), required=True,
                          help=_("last day of the period"))
    activity.add_argument("--project", metavar="REF", help=_("only this project"))

    labels = _add(group, "labels", _("address labels (Avery Zweckform 3474 or L7163)"),
                  labels_report)
    labels.add_argument("--layout", metavar="|".join(LAYOUTS), default="3x8",
                        help=_("label sheet (default: 3x8)"))
    labels.add_argument("--tag", metavar="T", help=_("only persons with this tag"))
    labels.add_argument("--kind", metavar="|".join(ORG_KINDS),
                        help=_("only persons with a current role in this kind of organisation"))
    labels.add_argument("--event", metavar="EVENT", help=_("only the attendees of this event"))

    _add(group, "phone-list", _("phone list of the municipal contacts"), phone_list)


def _add(group: Subcommands, name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
    parser = group.add(name, help_text, handler=handler)
    parser.add_argument("-o", "--output", metavar=_("FILE.pdf"), required=True,
                        help=_("the PDF file to write"))
    return parser


def _service(ctx: CommandContext) -> ReportService:
    return ctx.app.reports


def _done(ctx: CommandContext, result: ReportResult) -> None:
    if ctx.json:
        write_json({"path": result.path, "pages": result.pages})
        return
    write(ngettext("Wrote {path} ({n} page).", "Wrote {path} ({n} pages).",
                   result.pages).format(path=result.path, n=result.pages))


def contact_sheet(ctx: CommandContext) -> None:
    last = integer("interactions", ctx.args.last, minimum=0, maximum=1000, default=10)
    _done(ctx, _service(ctx).contact_sheet(ctx.args.ref, ctx.args.output, last_n=last or 0))


def directory_report(ctx: CommandContext) -> None:
    _done(ctx, _service(ctx).directory(ctx.args.output, ctx.args.municipality or None))


def attendance_report(ctx: CommandContext) -> None:
    rows = integer("walk_ins", ctx.args.walk_ins, minimum=0, maximum=200, default=5)
    _done(ctx, _service(ctx).attendance(ctx.args.event, ctx.args.output,
                                        walk_in_rows=rows or 0))


def activity_report(ctx: CommandContext) -> None:
    start, end = check_all(lambda: check_date("from", ctx.args.date_from),
                           lambda: check_date("to", ctx.args.date_to))
    _done(ctx, _service(ctx).activity(ctx.args.output, start, end, project=ctx.args.project))


def labels_report(ctx: CommandContext) -> None:
    layout, kind = check_all(lambda: choice("layout", ctx.args.layout, tuple(LAYOUTS)),
                             lambda: choice("kind", ctx.args.kind, ORG_KINDS))
    result = _service(ctx).labels(ctx.args.output, layout=layout, tag=ctx.args.tag,
                                  org_kind=kind, event=ctx.args.event)
    _labels_done(ctx, result)


def _labels_done(ctx: CommandContext, result: LabelResult) -> None:
    if ctx.json:
        write_json({"path": result.path, "pages": result.pages, "printed": result.printed,
                    "skipped": [{"uid": s.uid, "name": s.name} for s in result.skipped],
                    "withheld": result.withheld})
        return
    write(ngettext("Wrote {path}: {n} label.", "Wrote {path}: {n} labels.",
                   result.printed).format(path=result.path, n=result.printed))
    if result.skipped:
        write(ngettext("{n} person has no postal address and was left out:",
                       "{n} persons have no postal address and were left out:",
                       len(result.skipped)).format(n=len(result.skipped)))
        for person in result.skipped:
            write(f"  {person.name} ({person.uid})")


def phone_list(ctx: CommandContext) -> None:
    _done(ctx, _service(ctx).phone_list(ctx.args.output))
