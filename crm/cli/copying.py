"""``copy --to URL|FILE``: move the database to another engine (a local file into an empty
PostgreSQL database, or a server database into a new local file), verified table by table.

Exit status 1 if the target is not empty or unreachable, or if the verification finds any
difference (the summary is printed first).
"""

from __future__ import annotations

import argparse

from crm.cli.context import CommandContext
from crm.cli.output import table, write, write_json
from crm.cli.parser import Subcommands
from crm.errors import DatabaseError
from crm.i18n import _


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    copy = commands.add(
        "copy",
        _("copy the whole database into an empty PostgreSQL database (or a server database "
          "into a new file) and verify the copy"),
        handler=copy_database,
    )
    copy.add_argument("--to", metavar=_("URL|FILE"), required=True,
                      help=_("the empty target database: postgresql+psycopg://… or a new "
                             "file"))


def copy_database(ctx: CommandContext) -> None:
    from crm.app import database_target, passphrase_from_env
    from crm.services.copying import copy_database as copy

    report = copy(database_target(ctx.args.db, ctx.prefs), ctx.args.to,
                  passphrase=passphrase_from_env())
    if ctx.json:
        write_json({
            "source": report.source, "target": report.target, "ok": report.ok,
            "rows": report.rows, "seconds": round(report.seconds, 3),
            "search_documents": report.search_documents,
            "tables": [{"table": c.table, "rows": c.source_rows,
                        "target_rows": c.target_rows, "checksum": c.source_checksum,
                        "target_checksum": c.target_checksum, "ok": c.ok}
                       for c in report.tables],
        })
    else:
        table([_("Table"), _("Rows"), _("Copied"), _("Checksum")],
              [[c.table, str(c.source_rows), str(c.target_rows),
                c.target_checksum[:12] + ("" if c.ok else " ≠ " + c.source_checksum[:12])]
               for c in report.tables])
        write(_("Copied {rows} rows from {source} to {target} in {seconds:.1f} s; search "
                "index rebuilt ({documents} records).").format(
            rows=report.rows, source=report.source, target=report.target,
            seconds=report.seconds, documents=report.search_documents))
    if not report.ok:
        raise DatabaseError("copy_differs", report.target, ", ".join(report.differing))
    if not ctx.json:
        write(_("Verified: every table has the same rows and checksum on both sides."))
