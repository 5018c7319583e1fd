"""``init`` and ``demo``: create or upgrade the database, fill in the demo network."""

from __future__ import annotations

import argparse
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from crm import validation
from crm.cli.context import CommandContext, integer
from crm.cli.output import write, write_json
from crm.cli.parser import Subcommands
from crm.i18n import _, ngettext


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    commands.add("init", _("create or upgrade the database and show where it is"),
                 handler=init_database)
    demo = commands.add(
        "demo",
        _("fill the demo network into a database without persons, organisations or "
          "interactions"),
        handler=fill_demo,
    )
    demo.add_argument("--seed", metavar="N", help=_("random seed (default: 1)"))
    demo.add_argument("--persons", metavar="N", help=_("number of persons (default: 300)"))
    demo.add_argument("--interactions", metavar="N",
                      help=_("number of interactions (default: ten per person, at least 600)"))


def _sqlite_file(ctx: CommandContext) -> Path | None:
    from crm.app import database_target
    from crm.persistence.database import resolve_url

    url = resolve_url(database_target(ctx.args.db, ctx.prefs))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database))
    return None


def init_database(ctx: CommandContext) -> None:
    path = _sqlite_file(ctx)
    created = path is not None and not path.exists()
    app = ctx.app
    backup = app.db.backup_path
    if ctx.json:
        write_json({"database": app.location, "created": created,
                    "backup": str(backup) if backup else None})
        return
    if created:
        write(_("Database created: {path}").format(path=app.location))
    elif backup:
        write(_("Database upgraded: {path} (backup of the old version: {backup})").format(
            path=app.location, backup=backup))
    else:
        write(_("Database ready: {path}").format(path=app.location))


def fill_demo(ctx: CommandContext) -> None:
    args = ctx.args
    seed, persons, interactions = validation.collect(
        lambda: integer("seed", args.seed, default=1),
        lambda: integer("persons", args.persons, minimum=1, maximum=100_000, default=300),
        lambda: integer("interactions", args.interactions, maximum=10_000_000),
    )
    from crm.demo import build_demo

    summary = build_demo(ctx.app.db.sessions, seed=seed, persons=persons,
                         interactions=interactions)
    counts = _counts(summary)
    if ctx.json:
        write_json({"database": ctx.app.location, **counts})
        return
    write(_("Demo network added to {path}.").format(path=ctx.app.location))
    for key, value in counts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            write("  " + _count_line(key, value))


def _counts(summary: Any) -> dict[str, Any]:
    if is_dataclass(summary) and not isinstance(summary, type):
        return asdict(summary)
    if isinstance(summary, dict):
        return dict(summary)
    return {"summary": str(summary)}


def _count_line(key: str, n: int) -> str:
    texts = {
        "persons": lambda: ngettext("{n} person", "{n} persons", n),
        "organisations": lambda: ngettext("{n} organisation", "{n} organisations", n),
        "roles": lambda: ngettext("{n} role", "{n} roles", n),
        "interactions": lambda: ngettext("{n} interaction", "{n} interactions", n),
        "events": lambda: ngettext("{n} event", "{n} events", n),
        "projects": lambda: ngettext("{n} project", "{n} projects", n),
        "follow_ups": lambda: ngettext("{n} follow-up", "{n} follow-ups", n),
        "tags": lambda: ngettext("{n} tag", "{n} tags", n),
    }
    text = texts.get(key)
    if text is None:
        return f"{key}: {n}"
    return text().format(n=n)
