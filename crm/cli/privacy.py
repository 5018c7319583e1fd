"""Data protection and safety on the command line.

``privacy export | erase | stale``, ``audit``, ``consent add | withdraw | list``,
``backup``, ``restore`` and ``check``. ``backup``, ``restore`` and ``check`` work on the
database file directly: they never create, migrate or seed it, and a damaged file is
reported, not opened. An encrypted database (and an encrypted backup) is read with the
passphrase from $BRUECKE_PASSPHRASE; its backups are encrypted with it too.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crm import backup as backups
from crm import integrity
from crm.cli.context import CommandContext, check_all, check_date, choice, integer
from crm.cli.output import show_date, table, write, write_json
from crm.cli.parser import Subcommands
from crm.errors import DatabaseError, ValidationError
from crm.i18n import _, ngettext
from crm.messages import value_label
from crm.privacy.erasure import ErasurePlan, mention_text
from crm.services.privacy import PURPOSES, SOURCES, AuditFilter, PrivacyService


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("privacy", _("data protection: access requests, erasure, "
                                        "stale records"))
    export = group.add("export", _("everything stored about a person (Art. 15 GDPR)"),
                       handler=export_person)
    export.add_argument("person", metavar="PERSON", help=_("uid or unambiguous name"))
    export.add_argument("-o", "--output", metavar=_("FILE.pdf|FILE.json"), required=True,
                        help=_("the file to write (PDF to hand over, JSON for machines)"))
    erase = group.add("erase", _("erase a person for good (Art. 17 GDPR)"),
                      handler=erase_person)
    erase.add_argument("person", metavar="PERSON", help=_("uid or unambiguous name"))
    erase.add_argument("--yes", action="store_true",
                       help=_("really erase (without it, only show what would go)"))
    erase.add_argument("--keep-notes", action="store_true",
                       help=_("do not redact the name in notes of other records"))
    stale = group.add("stale", _("persons without any contact, role or consent for years"),
                      handler=stale_persons)
    stale.add_argument("--years", metavar="N",
                       help=_("how many years (default: from the settings)"))
    action = stale.add_mutually_exclusive_group()
    action.add_argument("--archive", action="store_true", help=_("archive them all"))
    action.add_argument("--erase", action="store_true",
                        help=_("erase them all (needs --yes)"))
    stale.add_argument("--yes", action="store_true", help=_("confirm --erase"))

    audit = commands.add("audit", _("the change log: who changed what, when"),
                         handler=show_audit)
    audit.add_argument("--record", metavar="REF",
                       help=_("only this person or organisation (uid or name)"))
    audit.add_argument("--staff", metavar=_("INITIALS"), help=_("only this staff member"))
    audit.add_argument("--from", dest="date_from", metavar=_("DATE"), help=_("from this day"))
    audit.add_argument("--to", dest="date_to", metavar=_("DATE"), help=_("until this day"))
    audit.add_argument("--limit", metavar="N", help=_("show at most N entries (default: 50)"))

    consent = commands.group("consent", _("consents (GDPR): record, withdraw, list"))
    add = consent.add("add", _("record a consent"), handler=add_consent)
    add.add_argument("person", metavar="PERSON", help=_("uid or unambiguous name"))
    add.add_argument("--purpose", metavar="|".join(PURPOSES), required=True,
                     help=_("what the person agreed to"))
    add.add_argument("--given", metavar=_("DATE"), help=_("when (default: today)"))
    add.add_argument("--source", metavar="|".join(SOURCES), default="form",
                     help=_("how it was given (default: form)"))
    add.add_argument("--notes", metavar=_("TEXT"), help=_("notes"))
    withdraw = consent.add("withdraw", _("record that a consent was withdrawn"),
                           handler=withdraw_consent)
    withdraw.add_argument("person", metavar="PERSON", help=_("uid or unambiguous name"))
    withdraw.add_argument("--purpose", metavar="|".join(PURPOSES), required=True,
                          help=_("which consent"))
    withdraw.add_argument("--on", metavar=_("DATE"), help=_("when (default: today)"))
    listing = consent.add("list", _("a person's consents"), handler=list_consents)
    listing.add_argument("person", metavar="PERSON", help=_("uid or unambiguous name"))

    make = commands.add("backup", _("back up the database to a file (while it is in use)"),
                        handler=make_backup)
    target = make.add_mutually_exclusive_group(required=True)
    target.add_argument("-o", "--output", metavar=_("FILE"), help=_("the backup file"))
    target.add_argument("--auto", action="store_true",
                        help=_("into the backup folder, rotating old backups"))
    restore = commands.add("restore", _("replace the database by a backup (the current "
                                        "file is kept)"), handler=restore_backup)
    restore.add_argument("file", metavar=_("FILE"), help=_("the backup to restore"))
    check = commands.add("check", _("check the database: file, references, search index"),
                         handler=check_database)
    check.add_argument("--rebuild-index", action="store_true",
                       help=_("rebuild the search index if it differs from the data"))


def _service(ctx: CommandContext) -> PrivacyService:
    return PrivacyService(ctx.app.ctx, ctx.prefs)


def _database_file(ctx: CommandContext) -> Path:
    from crm.app import database_target

    target = database_target(ctx.args.db, ctx.prefs)
    if "://" in target and not target.startswith("sqlite:///"):
        raise DatabaseError("no_file", target)
    return Path(target.removeprefix("sqlite:///")).expanduser().resolve()


# -- privacy ------------------------------------------------------------------------------

def export_person(ctx: CommandContext) -> None:
    result = _service(ctx).export_access(ctx.args.person, ctx.args.output)
    if ctx.json:
        write_json({"path": result.path, "format": result.format, "pages": result.pages})
    else:
        write(_("Wrote {path}.").format(path=result.path))


def erase_person(ctx: CommandContext) -> None:
    service = _service(ctx)
    plan = service.erasure_plan(ctx.args.person)
    redact = set() if ctx.args.keep_notes else set(plan.default_redactions())
    if not ctx.args.yes:
        _show_plan(ctx, plan, redact)
        raise ValidationError.single("yes", "confirmation_required")
    result = service.erase(plan.person_uid, redact, expected_version=plan.version)
    if ctx.json:
        write_json({"erased": plan.person_uid, "marker": result.marker,
                    "deleted": result.deleted, "redacted": result.redacted,
                    "wiped": result.wiped})
        return
    write(_("{name} was erased. The change log refers to the erasure as {marker}.").format(
        name=plan.name, marker=result.marker))
    if not result.wiped:
        write(_("Another program still has the database open: the freed space is wiped "
                "when it is closed and the database is next erased from or checked."))


def _show_plan(ctx: CommandContext, plan: ErasurePlan, redact: set[str]) -> None:
    if ctx.json:
        write_json({"plan": plan, "redact": sorted(redact)})
        return
    write(_("Erasing {name} removes for good:").format(name=plan.name))
    lines = [
        ngettext("{n} contact detail", "{n} contact details", len(plan.contact_points)),
        ngettext("{n} role", "{n} roles", len(plan.roles)),
        ngettext("{n} consent", "{n} consents", plan.consents),
        ngettext("{n} event attendance", "{n} event attendances", len(plan.attendances)),
        ngettext("{n} interaction about this person alone",
                 "{n} interactions about this person alone", len(plan.interactions_deleted)),
        ngettext("{n} follow-up link", "{n} follow-up links", plan.follow_ups),
    ]
    counts = (len(plan.contact_points), len(plan.roles), plan.consents,
              len(plan.attendances), len(plan.interactions_deleted), plan.follow_ups)
    for line, n in zip(lines, counts, strict=True):
        if n:
            write("  " + line.format(n=n))
    write("  " + ngettext(
        "in {n} interaction with others the person is shown as “deleted person”",
        "in {n} interactions with others the person is shown as “deleted person”",
        len(plan.interactions_kept)).format(n=len(plan.interactions_kept)))
    write("  " + ngettext(
        "{n} change log entry is kept without names, under a pseudonym",
        "{n} change log entries are kept without names, under a pseudonym",
        plan.audit_entries).format(n=plan.audit_entries))
    if plan.mentions:
        write(_("Other records that mention the name ([x]: the name is replaced):"))
        for m in plan.mentions:
            mark = "[x]" if m.key in redact else "[ ]"
            write(f"  {mark} " + mention_text(m))
    write(_("Backups made before the erasure still contain the person until they are "
            "rotated out."))


def stale_persons(ctx: CommandContext) -> None:
    years = integer("years", ctx.args.years, minimum=1, maximum=100)
    if ctx.args.erase and not ctx.args.yes:
        ctx.usage_error(_("--erase needs --yes"))
    service = _service(ctx)
    rows = service.stale(years)
    if ctx.args.archive:
        done = service.archive_persons([r.uid for r in rows if not r.archived])
        _say(ctx, {"archived": done},
             ngettext("{n} person archived.", "{n} persons archived.", done).format(n=done))
        return
    if ctx.args.erase:
        results = service.erase_persons([r.uid for r in rows])
        _say(ctx, {"erased": len(results), "markers": [r.marker for r in results]},
             ngettext("{n} person erased.", "{n} persons erased.",
                      len(results)).format(n=len(results)))
        return
    if ctx.json:
        write_json([{"uid": r.uid, "name": r.name, "archived": r.archived,
                     "last_activity": r.last_activity} for r in rows])
        return
    if not rows:
        write(_("No stale persons."))
        return
    table([_("Name"), _("Last activity"), _("Archived"), "ID"],
          [[r.name, show_date(r.last_activity) or "–", _("yes") if r.archived else "",
            r.uid] for r in rows])


def _say(ctx: CommandContext, data: dict[str, Any], text: str) -> None:
    if ctx.json:
        write_json(data)
    else:
        write(text)


# -- audit and consents ---------------------------------------------------------------------

def show_audit(ctx: CommandContext) -> None:
    start, end, limit = check_all(lambda: check_date("from", ctx.args.date_from),
                                  lambda: check_date("to", ctx.args.date_to),
                                  lambda: integer("limit", ctx.args.limit, minimum=1,
                                                  maximum=100000, default=50))
    flt = AuditFilter(ctx.args.record, ctx.args.staff, start, end)
    rows = _service(ctx).audit(flt, limit=limit or 50)
    if ctx.json:
        write_json([{"uid": r.uid, "at": r.at, "staff": r.staff, "record_type": r.record_type,
                     "record_uid": r.record_uid, "record": r.record_name,
                     "action": r.action, "changes": r.changes} for r in rows])
        return
    table([_("When"), _("Who"), _("Record"), _("Action"), _("Fields")],
          [[r.at.astimezone().strftime("%Y-%m-%d %H:%M"), r.staff,
            f"{value_label('record_type', r.record_type)}: {r.record_name or r.record_uid}",
            value_label("audit_action", r.action), ", ".join(r.changes)] for r in rows])


def add_consent(ctx: CommandContext) -> None:
    check_all(lambda: choice("purpose", ctx.args.purpose, PURPOSES),
              lambda: choice("source", ctx.args.source, SOURCES),
              lambda: check_date("given_on", ctx.args.given))
    row = _service(ctx).add_consent(ctx.args.person, ctx.args.purpose, ctx.args.given,
                                    ctx.args.source, ctx.args.notes or "")
    _say(ctx, {"uid": row.uid, "purpose": row.purpose, "given_on": row.given_on,
               "source": row.source},
         _("Consent recorded: {purpose}, given on {date}.").format(
             purpose=value_label("consent_purpose", row.purpose), date=show_date(row.given_on)))


def withdraw_consent(ctx: CommandContext) -> None:
    check_all(lambda: choice("purpose", ctx.args.purpose, PURPOSES),
              lambda: check_date("withdrawn_on", ctx.args.on))
    rows = _service(ctx).withdraw_purpose(ctx.args.person, ctx.args.purpose, ctx.args.on)
    _say(ctx, {"withdrawn": [r.uid for r in rows]},
         _("Consent withdrawn: {purpose}, on {date}.").format(
             purpose=value_label("consent_purpose", rows[0].purpose),
             date=show_date(rows[0].withdrawn_on)))


def list_consents(ctx: CommandContext) -> None:
    rows = _service(ctx).consents(ctx.args.person)
    if ctx.json:
        write_json(rows)
        return
    if not rows:
        write(_("No consents recorded."))
        return
    table([_("Purpose"), _("Given on"), _("Source"), _("Withdrawn on")],
          [[value_label("consent_purpose", r.purpose), show_date(r.given_on),
            value_label("consent_source", r.source), show_date(r.withdrawn_on)]
           for r in rows])


# -- backup, restore, check -----------------------------------------------------------------

def _passphrase() -> str | None:
    from crm.app import passphrase_from_env

    return passphrase_from_env()


def _key_for(database: Path) -> str | None:
    """$BRUECKE_PASSPHRASE for an encrypted file; a plain file is read without it."""
    from crm.persistence.sqlite_files import key_for

    return key_for(database, _passphrase())


def make_backup(ctx: CommandContext) -> None:
    database = _database_file(ctx)
    if not database.is_file():
        raise DatabaseError("missing", str(database))
    if ctx.args.auto:
        path = backups.automatic_backup(database, backups.backup_folder(ctx.prefs),
                                        passphrase=_key_for(database))
    else:
        path = backups.make_backup(database, ctx.args.output, _key_for(database))
    _say(ctx, {"path": str(path)}, _("Backup written to {path}.").format(path=path))


def restore_backup(ctx: CommandContext) -> None:
    from crm.lockfile import DatabaseLock, is_stale

    database = _database_file(ctx)
    holder = DatabaseLock(database).owner()
    if holder is not None and not is_stale(holder):
        raise DatabaseError("in_use", str(database))
    result = backups.restore(ctx.args.file, database, passphrase=_passphrase())
    kept = str(result.kept) if result.kept else None
    if ctx.json:
        write_json({"restored_from": str(result.restored_from), "kept": kept,
                    "revision": result.revision})
        return
    write(_("Restored {database} from {backup}.").format(database=database,
                                                         backup=result.restored_from))
    if kept:
        write(_("The previous database was kept as {path}.").format(path=kept))


def check_database(ctx: CommandContext) -> None:
    database = _database_file(ctx)
    if not database.is_file():
        raise DatabaseError("missing", str(database))
    key = _key_for(database)
    report = integrity.check(database, passphrase=key)
    if report.ok:
        from crm.persistence.database import open_database

        db = open_database(database, upgrade=False, passphrase=key)
        try:
            report = integrity.check(database, db.sessions, ctx.args.rebuild_index, key)
        finally:
            db.dispose()
    lines = integrity.report_lines(report)
    if ctx.json:
        write_json({"ok": report.ok, "index_rebuilt": report.index_rebuilt,
                    "findings": [{"code": f.code, "message": integrity.finding_text(f),
                                  **f.values} for f in report.findings]})
    else:
        for line in lines:
            write(line)
    if not report.ok:
        raise ValidationError.single("database", "check_failed", n=len(report.findings))
