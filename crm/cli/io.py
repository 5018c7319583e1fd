"""``import``, ``export``, ``duplicates``, ``merge``, ``unmerge`` and ``undo-import``."""

from __future__ import annotations

import argparse
from typing import Any

from crm.cli.context import CommandContext, choice
from crm.cli.output import table, write, write_json
from crm.cli.parser import Subcommands
from crm.errors import NotFoundError, ValidationError
from crm.i18n import _, ngettext
from crm.io import FORMATS
from crm.io.plan import where_text
from crm.io.tabular import PRESETS
from crm.services.exports import EXPORT_FORMATS, Selection

VCARD_VERSIONS = ("3.0", "4.0")
DELIMITERS = (";", ",", "tab")


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    imp = commands.add("import", _("import contacts from vCard, CSV, Excel or a JSON export"),
                       handler=import_file)
    imp.add_argument("file", metavar=_("FILE"), help=_("the file to import"))
    imp.add_argument("--format", metavar="|".join(FORMATS),
                     help=_("the file's format (default: detected from its content)"))
    imp.add_argument("--mapping", metavar="|".join(PRESETS),
                     help=_("column names of this program (default: detected)"))
    imp.add_argument("--dry-run", action="store_true",
                     help=_("only show what would be imported; write nothing"))

    exp = commands.add("export", _("export contacts, the whole database or the calendar"),
                       handler=export_file)
    exp.add_argument("--format", required=True, metavar="|".join(EXPORT_FORMATS),
                     help=_("vcf, csv, xlsx, json (everything) or ics (events, follow-ups)"))
    exp.add_argument("-o", "--output", required=True, metavar=_("FILE"),
                     help=_("the file to write (readable only by you)"))
    exp.add_argument("--tag", metavar="T", help=_("only records with this tag"))
    exp.add_argument("--uid", action="append", default=[], metavar="UID",
                     help=_("only these records (repeatable)"))
    exp.add_argument("--event", metavar="REF", help=_("only the attendees of this event"))
    exp.add_argument("--vcard-version", metavar="3.0|4.0", default="4.0",
                     help=_("vCard version (default: 4.0)"))
    exp.add_argument("--delimiter", metavar="';'|','", default=";",
                     help=_("CSV delimiter (default: ';' for German Excel)"))

    dup = commands.add("duplicates", _("list likely duplicate persons and organisations"),
                       handler=list_duplicates)
    dup.add_argument("--kind", metavar="person|organisation",
                     help=_("only persons or only organisations"))

    merge = commands.add("merge", _("merge two persons or two organisations into one"),
                         handler=merge_records)
    merge.add_argument("keep", metavar="KEEP", help=_("the record that stays (uid or name)"))
    merge.add_argument("other", metavar="OTHER", help=_("the record merged into it"))
    merge.add_argument("--take", action="append", default=[], metavar=_("FIELD"),
                       help=_("take this field's value from OTHER (repeatable)"))

    unmerge = commands.add("unmerge", _("take a merge back"), handler=unmerge_records)
    unmerge.add_argument("merge", metavar="MERGE", help=_("the merge's ID"))

    undo = commands.add("undo-import", _("take an import back"), handler=undo_import)
    undo.add_argument("batch", metavar="BATCH", help=_("the import's ID"))


def _summary(counts: dict[str, int], dry_run: bool) -> str:
    created, updated, skipped = counts["created"], counts["updated"], counts["skipped"]
    parts = [ngettext("{n} created", "{n} created", created).format(n=created),
             ngettext("{n} updated", "{n} updated", updated).format(n=updated),
             ngettext("{n} skipped", "{n} skipped", skipped).format(n=skipped)]
    head = _("Preview (nothing written)") if dry_run else _("Imported")
    return f"{head}: {', '.join(parts)}."


def _issue_line(item: dict[str, Any]) -> str:
    where = "card" if "card" in item else "line"
    return f"  {where_text(where, item[where])}: {item['reason']}"


def import_file(ctx: CommandContext) -> None:
    args = ctx.args
    choice("format", args.format, FORMATS)
    choice("mapping", args.mapping, tuple(PRESETS))
    service = ctx.app.imports
    if args.dry_run:
        source = service.read(args.file, args.format, preset=args.mapping)
        preview = service.preview(source)
        counts, errors, warnings = preview.counts, preview.errors, preview.warnings
        batch = None
    else:
        source, result = service.import_file(args.file, args.format, preset=args.mapping)
        counts = {"created": result.created, "updated": result.updated,
                  "skipped": result.skipped}
        errors, warnings, batch = result.errors, result.warnings, result.batch_uid
    if ctx.json:
        write_json({**counts, "errors": list(errors), "warnings": list(warnings),
                    "format": source.format, "encoding": source.encoding,
                    "mapping": source.mapping_name, "batch": batch,
                    "dry_run": bool(args.dry_run)})
    else:
        write(_summary(counts, args.dry_run))
        if errors:
            write(_("Not imported:"))
            for item in errors:
                write(_issue_line(item))
        if warnings:
            write(_("Notes:"))
            for item in warnings:
                write(_issue_line(item))
        if batch:
            write(_("To take this import back: bruecke undo-import {batch}").format(
                batch=batch))
    if errors and not (counts["created"] or counts["updated"]) and not (
            counts["skipped"] > len(errors)):
        raise ValidationError.single("file", "nothing_imported", path=args.file)


def export_file(ctx: CommandContext) -> None:
    args = ctx.args
    fmt = choice("format", args.format, EXPORT_FORMATS)
    choice("vcard_version", args.vcard_version, VCARD_VERSIONS)
    delimiter = choice("delimiter", args.delimiter, DELIMITERS)
    assert fmt is not None
    selection = Selection(tag=args.tag, uids=tuple(args.uid), event=args.event)
    result = ctx.app.exports.export(args.output, fmt, selection,
                                    vcard_version=args.vcard_version,
                                    delimiter="\t" if delimiter == "tab" else str(delimiter))
    if ctx.json:
        write_json({"path": result.path, "format": result.format, "count": result.count})
    else:
        write(ngettext("{n} record exported to {path}.", "{n} records exported to {path}.",
                       result.count).format(n=result.count, path=result.path))


def list_duplicates(ctx: CommandContext) -> None:
    kind = choice("kind", ctx.args.kind, ("person", "organisation"))
    pairs = ctx.app.duplicates.find((kind,) if kind else ("person", "organisation"))
    if ctx.json:
        write_json([{"kind": p.kind, "first": {"uid": p.first.uid, "name": p.first.name},
                     "second": {"uid": p.second.uid, "name": p.second.name},
                     "score": p.score, "reason": p.reason, "reason_text": p.reason_text}
                    for p in pairs])
        return
    if not pairs:
        write(_("No likely duplicates found."))
        return
    table([_("Score"), _("First"), _("Second"), _("Reason")],
          [[str(p.score), f"{p.first.name} ({p.first.uid})",
            f"{p.second.name} ({p.second.uid})", p.reason_text] for p in pairs])


def _resolve(ctx: CommandContext, ref: str) -> tuple[str, str]:
    try:
        return "person", ctx.app.people.resolve(ref).uid
    except NotFoundError:
        return "organisation", ctx.app.organisations.resolve(ref).uid


def merge_records(ctx: CommandContext) -> None:
    args = ctx.args
    kind, keep = _resolve(ctx, args.keep)
    other_kind, other = _resolve(ctx, args.other)
    if kind != other_kind:
        raise ValidationError.single("record", "different_kinds")
    result = ctx.app.duplicates.merge(kind, keep, other, {f: "other" for f in args.take})
    if ctx.json:
        write_json({"merge": result.merge_uid, "kind": result.kind, "kept": result.kept_uid,
                    "merged": result.merged_uid})
    else:
        write(_("Merged {other} into {keep}. To take it back: bruecke unmerge {merge}").format(
            other=result.merged_uid, keep=result.kept_uid, merge=result.merge_uid))


def unmerge_records(ctx: CommandContext) -> None:
    result = ctx.app.duplicates.unmerge(ctx.args.merge)
    if ctx.json:
        write_json({"merge": result.merge_uid, "kept": result.kept_uid,
                    "restored": result.merged_uid})
    else:
        write(_("Merge taken back: {uid} is back.").format(uid=result.merged_uid))


def undo_import(ctx: CommandContext) -> None:
    result = ctx.app.imports.undo(ctx.args.batch)
    if ctx.json:
        write_json({"batch": result.batch.uid, "removed": result.removed,
                    "kept": result.kept})
    else:
        write(_("Import taken back: {removed} records removed, {kept} kept because they "
                "are in use.").format(removed=result.removed, kept=result.kept))
