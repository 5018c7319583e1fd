"""``municipality list | show``."""

from __future__ import annotations

import argparse

from crm.cli import serialize
from crm.cli.context import CommandContext, choice
from crm.cli.output import table, write, write_json
from crm.cli.parser import Subcommands
from crm.domain import MunicipalityLevel
from crm.i18n import _
from crm.messages import value_label

LEVELS = tuple(level.value for level in MunicipalityLevel)


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("municipality", _("municipalities of Thuringia: list and show"))
    listing = group.add("list", _("list municipalities, ordered by AGS"), handler=list_places)
    listing.add_argument("--level", metavar="|".join(LEVELS), help=_("only this level"))
    listing.add_argument("--parent", metavar="REF", help=_("only the towns of this district"))
    show = group.add("show", _("show one municipality"), handler=show_place)
    show.add_argument("ref", metavar="REF", help=_("uid, AGS or name"))


def list_places(ctx: CommandContext) -> None:
    level = choice("level", ctx.args.level, LEVELS)
    rows = ctx.app.municipalities.list(level=level, parent=ctx.args.parent)
    if ctx.json:
        write_json([serialize.municipality(m) for m in rows])
        return
    table(
        [_("AGS"), _("Name"), _("Level"), _("Population")],
        [[m.ags, m.name, value_label("municipality_level", m.level),
          str(m.population) if m.population is not None else ""] for m in rows],
    )


def show_place(ctx: CommandContext) -> None:
    place = ctx.app.municipalities.get(ctx.args.ref)
    if ctx.json:
        write_json(serialize.municipality(place))
        return
    write(place.name)
    write(_("AGS: {ags}").format(ags=place.ags or "–"))
    write(_("Level: {level}").format(level=value_label("municipality_level", place.level)))
    if place.parent:
        write(_("Part of: {value}").format(value=place.parent.name))
    if place.population is not None:
        write(_("Population: {n}").format(n=place.population))
    write(_("ID: {uid}").format(uid=place.uid))
