"""``org add | show | list``."""

from __future__ import annotations

import argparse

from crm import validation
from crm.cli import serialize
from crm.cli.context import CommandContext, check_date, choice
from crm.cli.interactions import interaction_briefs
from crm.cli.output import table, write, write_json
from crm.cli.parser import Subcommands
from crm.cli.people import (
    add_contact_options,
    add_paging_options,
    check_tags,
    contact_inputs,
    paging,
)
from crm.cli.render import organisation_block
from crm.domain import OrganisationKind
from crm.i18n import _
from crm.messages import value_label
from crm.services.contacts import build_contact_points
from crm.services.organisations import OrganisationInput

KINDS = tuple(k.value for k in OrganisationKind)


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("org", _("organisations: add, show and list"))
    add = group.add("add", _("add an organisation"), handler=add_organisation)
    add.add_argument("name", metavar=_("NAME"), help=_("the name as the organisation writes it"))
    add.add_argument("--kind", required=True, metavar="|".join(KINDS),
                     help=_("kind of organisation"))
    add.add_argument("--short-name", metavar=_("NAME"), help=_("abbreviation"))
    add.add_argument("--municipality", metavar="AGS|NAME",
                     help=_("municipality where it is located"))
    add.add_argument("--parent", metavar="REF", help=_("organisation it belongs to"))
    add.add_argument("--member-since", metavar=_("DATE"),
                     help=_("member of the network since"))
    add_contact_options(add)
    add.add_argument("--tag", action="append", default=[], metavar="T",
                     help=_("tag (repeatable)"))
    add.add_argument("--notes", metavar=_("TEXT"), help=_("notes"))

    show = group.add("show", _("show an organisation with contacts, people and tags"),
                     handler=show_organisation)
    show.add_argument("ref", metavar="REF", help=_("uid or unambiguous name"))

    listing = group.add("list", _("list organisations (archived ones are hidden)"),
                        handler=list_organisations)
    listing.add_argument("--kind", metavar="|".join(KINDS), help=_("only this kind"))
    listing.add_argument("--municipality", metavar="REF",
                         help=_("only organisations in this municipality"))
    add_paging_options(listing)


def add_organisation(ctx: CommandContext) -> None:
    args = ctx.args
    data = OrganisationInput(
        name=args.name,
        kind=args.kind,
        short_name=args.short_name,
        municipality=args.municipality,
        parent=args.parent,
        member_since=args.member_since,
        notes=args.notes or "",
        contact_points=contact_inputs(args),
        tags=list(args.tag),
    )
    # Everything that needs no database is checked before the database is opened.
    validation.collect(
        lambda: validation.required_name("name", data.name),
        lambda: choice("kind", args.kind, KINDS),
        lambda: validation.optional_text("short_name", data.short_name, limit=100),
        lambda: check_date("member_since", args.member_since),
        lambda: validation.notes("notes", data.notes),
        lambda: build_contact_points(data.contact_points),
        lambda: check_tags(data.tags),
    )
    created = ctx.app.organisations.create(data)
    if ctx.json:
        write_json({"uid": created.uid})
    else:
        write(_("Organisation added: {name} ({uid})").format(name=created.name,
                                                             uid=created.uid))


def show_organisation(ctx: CommandContext) -> None:
    detail = ctx.app.organisations.resolve(ctx.args.ref)
    if ctx.json:
        write_json({**serialize.organisation(detail),
                    "interactions": interaction_briefs(ctx, organisation=detail.uid)})
    else:
        organisation_block(detail)


def list_organisations(ctx: CommandContext) -> None:
    args = ctx.args
    choice("kind", args.kind, KINDS)
    limit, offset = paging(args)
    rows = ctx.app.organisations.list(kind=args.kind, municipality=args.municipality,
                                      limit=limit, offset=offset)
    if ctx.json:
        write_json([serialize.organisation_row(r) for r in rows])
        return
    if not rows:
        write(_("No organisations found."))
        return
    table(
        [_("Name"), _("Kind"), _("Municipality"), _("ID")],
        [[r.name, value_label("organisation_kind", r.kind), r.municipality, r.uid]
         for r in rows],
    )
