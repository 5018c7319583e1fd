"""``person add | show | list``."""

from __future__ import annotations

import argparse
from typing import Any

from crm import validation
from crm.cli import serialize
from crm.cli.context import CommandContext, check_date, choice, integer
from crm.cli.interactions import interaction_briefs
from crm.cli.output import table, write, write_json
from crm.cli.parser import Subcommands
from crm.cli.render import person_block
from crm.domain import Salutation
from crm.i18n import _
from crm.services.contacts import ContactInput, build_contact_points
from crm.services.listing import PAGE_SIZE, PERSONS, ListFilter
from crm.services.onboarding import OnboardingService
from crm.services.people import EDITABLE, PersonInput, validated_fields

SALUTATIONS = tuple(s.value for s in Salutation)


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("person", _("persons: add, show and list"))
    add = group.add("add", _("add a person (with a role in an organisation, if given)"),
                    handler=add_person)
    add.add_argument("name", metavar=_("NAME"), help=_("the name as the person writes it"))
    add.add_argument("--given", metavar="G", help=_("given name"))
    add.add_argument("--family", metavar="F", help=_("family name"))
    add.add_argument("--transliteration", metavar="T",
                     help=_("the name in Latin letters, if written in another script"))
    add.add_argument("--salutation", metavar="|".join(SALUTATIONS),
                     help=_("form of address (default: none)"))
    add.add_argument("--languages", metavar="L", help=_("languages spoken"))
    add_contact_options(add)
    add.add_argument("--tag", action="append", default=[], metavar="T",
                     help=_("tag (repeatable)"))
    add.add_argument("--notes", metavar=_("TEXT"), help=_("notes"))
    add.add_argument("--org", metavar="REF", help=_("organisation of the person's role"))
    add.add_argument("--role", metavar=_("TITLE"), help=_("title of the role (with --org)"))
    add.add_argument("--since", metavar=_("DATE"), help=_("start of the role (with --org)"))

    show = group.add("show", _("show a person with contacts, roles and tags"),
                     handler=show_person)
    show.add_argument("ref", metavar="REF", help=_("uid or unambiguous name"))

    listing = group.add("list", _("list persons (archived ones are hidden)"),
                        handler=list_people)
    listing.add_argument("--tag", metavar="T", help=_("only persons with this tag"))
    add_paging_options(listing)


def add_contact_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", action="append", default=[], metavar="E",
                        help=_("email address (repeatable)"))
    parser.add_argument("--phone", action="append", default=[], metavar="P",
                        help=_("phone number (repeatable)"))
    parser.add_argument("--mobile", action="append", default=[], metavar="P",
                        help=_("mobile number (repeatable)"))
    parser.add_argument("--postal", action="append", default=[], metavar=_("ADDRESS"),
                        help=_('postal address "STREET, ZIP CITY"'))
    parser.add_argument("--web", action="append", default=[], metavar="URL",
                        help=_("website"))


def add_paging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", metavar="N", help=_("show at most N entries"))
    parser.add_argument("--offset", metavar="N", help=_("skip the first N entries"))


def contact_inputs(args: argparse.Namespace) -> list[ContactInput]:
    """The contact options in the order given; the first of each kind is preferred."""
    points: list[ContactInput] = []
    for kind in ("email", "phone", "mobile", "postal", "web"):
        for index, value in enumerate(getattr(args, kind)):
            points.append(ContactInput(kind=kind, value=value, preferred=index == 0))
    return points


def check_tags(tags: list[str]) -> list[str]:
    return [validation.required_name("tag", tag, limit=100) for tag in tags]


def paging(args: argparse.Namespace) -> tuple[int | None, int]:
    limit, offset = validation.collect(
        lambda: integer("limit", args.limit, minimum=1),
        lambda: integer("offset", args.offset, default=0),
    )
    return limit, offset or 0


def add_person(ctx: CommandContext) -> None:
    args = ctx.args
    if (args.org is None) != (args.role is None):
        ctx.usage_error(_("--org and --role must be given together"))
    if args.since is not None and args.org is None:
        ctx.usage_error(_("--since needs --org and --role"))
    data = PersonInput(
        full_name=args.name,
        given_name=args.given,
        family_name=args.family,
        transliteration=args.transliteration,
        salutation=args.salutation or "none",
        languages=args.languages or "",
        notes=args.notes or "",
        contact_points=contact_inputs(args),
        tags=list(args.tag),
    )
    # Everything that needs no database is checked before the database is opened.
    validation.collect(
        lambda: validated_fields({k: getattr(data, k) for k in EDITABLE
                                  if k != "salutation"}),
        lambda: choice("salutation", args.salutation, SALUTATIONS),
        lambda: build_contact_points(data.contact_points),
        lambda: check_tags(data.tags),
        lambda: validation.required_name("title", args.role, limit=200) if args.org else None,
        lambda: check_date("since", args.since),
    )
    app = ctx.app
    if args.org is not None:
        created = OnboardingService(app.ctx).create_with_role(data, args.org, args.role,
                                                              args.since)
    else:
        created = app.people.create(data)
    if ctx.json:
        write_json({"uid": created.uid})
    else:
        write(_("Person added: {name} ({uid})").format(name=created.name, uid=created.uid))


def show_person(ctx: CommandContext) -> None:
    detail = ctx.app.people.resolve(ctx.args.ref)
    if ctx.json:
        write_json({**serialize.person(detail),
                    "interactions": interaction_briefs(ctx, person=detail.uid)})
    else:
        person_block(detail)


def list_people(ctx: CommandContext) -> None:
    limit, offset = paging(ctx.args)
    rows = list_rows(ctx, PERSONS, ListFilter(tags=(ctx.args.tag,) if ctx.args.tag else ()),
                     limit, offset)
    if ctx.json:
        write_json([serialize.person_row(r) for r in rows])
        return
    if not rows:
        write(_("No persons found."))
        return
    headers = [_("Name"), _("Role"), _("Organisation"), _("Municipality"), _("ID")]
    table(headers, [_person_cells(r) for r in rows])


def list_rows(ctx: CommandContext, kind: str, flt: ListFilter, limit: int | None,
              offset: int) -> list[Any]:
    """All rows from ``offset`` (at most ``limit``), read page by page."""
    rows: list[Any] = []
    while limit is None or len(rows) < limit:
        size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(rows))
        page = ctx.app.listing.page(kind, flt, offset=offset + len(rows), limit=size)
        rows.extend(page)
        if len(page) < size:
            break
    return rows


def _person_cells(row: Any) -> list[str | None]:
    return [row.name, row.role, row.organisation, row.municipality, row.uid]
