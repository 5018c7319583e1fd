"""``search QUERY``: one ranked list over persons, organisations, municipalities …"""

from __future__ import annotations

import argparse

from crm import validation
from crm.cli.context import CommandContext, choice, integer
from crm.cli.output import write, write_json
from crm.cli.parser import Subcommands
from crm.i18n import _
from crm.messages import value_label

# What the user types after --type → what SearchService (and its hits) call it.
TYPES = {
    "person": "person",
    "org": "org",
    "organisation": "org",
    "municipality": "municipality",
    "interaction": "interaction",
}
TYPE_NAMES = ("person", "org", "municipality", "interaction")


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    search = commands.add("search", _("search everything; forgives spelling and accents"),
                          handler=run_search)
    search.add_argument("query", metavar=_("QUERY"), help=_("what to look for"))
    search.add_argument("--limit", metavar="N", help=_("at most N hits (default: 20)"))
    search.add_argument("--type", action="append", default=[], metavar="|".join(TYPE_NAMES),
                        help=_("only this type (repeatable, or comma-separated)"))


def _types(values: list[str]) -> set[str] | None:
    names = [v.strip() for value in values for v in value.split(",") if v.strip()]
    for name in names:
        choice("type", name, tuple(TYPES))
    return {TYPES[n] for n in names} or None


def run_search(ctx: CommandContext) -> None:
    args = ctx.args
    limit, types = validation.collect(
        lambda: integer("limit", args.limit, minimum=1, maximum=10_000, default=20),
        lambda: _types(args.type),
    )
    hits = ctx.app.search.search(args.query, limit=limit, types=types)
    if ctx.json:
        write_json([
            {"type": h.type, "uid": h.uid, "title": h.title, "subtitle": h.subtitle,
             "score": h.score}
            for h in hits
        ])
        return
    if not hits:
        write(_('Nothing found for "{query}".').format(query=args.query))
        return
    for hit in hits:
        kind = value_label("record_type", hit.type)
        if hit.subtitle:
            write(_("{type}  {title} — {subtitle}").format(type=kind, title=hit.title,
                                                          subtitle=hit.subtitle))
        else:
            write(_("{type}  {title}").format(type=kind, title=hit.title))
