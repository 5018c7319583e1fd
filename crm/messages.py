"""Every error code and exception as one translated sentence, for the CLI and the dialogs.

Services raise :class:`~crm.errors.BrueckeError` subclasses that carry codes, never text.
This module is the one place that turns them into words, through the gettext catalog of
:mod:`crm.i18n`, so the same error reads the same on the command line and in a dialog::

    field_message("email", "invalid_email", {"value": "x@"})
    # 'E-mail: "x@" is not a valid email address.' (or its German translation)

All functions look the text up when they are called, so they follow
:func:`crm.i18n.set_language`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from crm.errors import (
    ENCRYPTED_HINT,
    AmbiguousError,
    BrueckeError,
    ConflictError,
    DatabaseError,
    NotFoundError,
    ValidationError,
)
from crm.i18n import N_, _

# Source strings only (N_): translated by field_label() when shown.
FIELD_LABELS: dict[str, str] = {
    "full_name": N_("Name"),
    "name": N_("Name"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "transliteration": N_("Transliteration"),
    "salutation": N_("Salutation"),
    "languages": N_("Languages"),
    "notes": N_("Notes"),
    "short_name": N_("Short name"),
    "kind": N_("Kind"),
    "label": N_("Label"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "mobile": N_("Mobile"),
    "fax": N_("Fax"),
    "web": N_("Website"),
    "postal": N_("Postal address"),
    "messenger": N_("Messenger"),
    "contact_point": N_("Contact point"),
    "contact_points": N_("Contact points"),
    "tag": N_("Tag"),
    "tags": N_("Tags"),
    "title": N_("Title"),
    "role": N_("Role"),
    "since": N_("Since"),
    "until": N_("Until"),
    "on": N_("End date"),
    "verified_on": N_("Verified on"),
    "member_since": N_("Member since"),
    "member_until": N_("Member until"),
    "municipality": N_("Municipality"),
    "parent": N_("Parent organisation"),
    "organisation": N_("Organisation"),
    "person": N_("Person"),
    "level": N_("Level"),
    "ags": N_("Municipality key (AGS)"),
    "initials": N_("Initials"),
    "staff": N_("Staff member"),
    "database": N_("Database"),
    "record": N_("Record"),
    "query": N_("Search text"),
    "type": N_("Type"),
    "types": N_("Types"),
    "limit": N_("Limit"),
    "offset": N_("Offset"),
    "seed": N_("Seed"),
    "persons": N_("Number of persons"),
    "language": N_("Language"),
    "date": N_("Date"),
    "subject": N_("Subject"),
    "due": N_("Due date"),
    "from": N_("From"),
    "to": N_("To"),
    "number": N_("Number"),
    "kinds": N_("Kinds"),
    "levels": N_("Levels"),
    "section": N_("Section"),
    "follow_up": N_("Follow-up"),
    "participants": N_("Participants"),
    "duration_minutes": N_("Duration (minutes)"),
    "notes_file": N_("Notes file"),
    "starts_at": N_("Start"),
    "ends_at": N_("End"),
    "venue": N_("Venue"),
    "status": N_("Status"),
    "output": N_("Output file"),
    "passphrase": N_("Passphrase"),
    "interactions": N_("Number of interactions"),
    "layout": N_("Label layout"),
    "walk_ins": N_("Rows for walk-ins"),
    "purpose": N_("Purpose"),
    "given_on": N_("Given on"),
    "source": N_("Source"),
    "withdrawn_on": N_("Withdrawn on"),
    "years": N_("Years"),
    "value": N_("Value"),
    "start_date": N_("Since"),
    "end_date": N_("Until"),
    "occurred_at": N_("Date"),
    "yes": N_("Confirmation"),
    "file": N_("File"),
    "format": N_("Format"),
    "mapping": N_("Column mapping"),
    "vcard_version": N_("Version (vCard)"),
    "delimiter": N_("Delimiter"),
    "import": N_("Import"),
}

# What a record kind is called in a sentence ("No person matches …"), for unknown kinds.
KIND_LABELS: dict[str, str] = {
    "person": N_("person"),
    "organisation": N_("organisation"),
    "municipality": N_("municipality"),
    "event": N_("event"),
    "project": N_("project"),
    "interaction": N_("interaction"),
    "staff": N_("staff member"),
    "role": N_("role"),
    "record": N_("record"),
    "follow_up": N_("follow-up"),
    "distribution_list": N_("distribution list"),
    "consent": N_("consent"),
    "import_batch": N_("import"),
    "merge": N_("merge"),
}

_INDEX = re.compile(r"\[\d+\]$")


def field_label(field: str) -> str:
    """The translated label of a field ("email[1]" is labelled like "email")."""
    key = _INDEX.sub("", field)
    source = FIELD_LABELS.get(key)
    return _(source) if source else key


def kind_label(kind: str) -> str:
    source = KIND_LABELS.get(kind)
    return _(source) if source else kind


def _field_texts() -> dict[str, Callable[[], str]]:
    """Message templates per code; placeholders: {field} and the error's values."""
    return {
        "required": lambda: _("{field}: a value is required."),
        "too_long": lambda: _("{field}: the text is too long (at most {limit} characters)."),
        "control_chars": lambda: _(
            "{field}: the text contains control characters or line breaks, "
            "which are not allowed here."
        ),
        "invalid_phone": lambda: _('{field}: "{value}" is not a valid phone number.'),
        "invalid_email": lambda: _('{field}: "{value}" is not a valid email address.'),
        "invalid_date": lambda: _(
            '{field}: "{value}" is not a valid date (use 2026-03-01 or 01.03.2026).'
        ),
        "invalid_choice": lambda: _('{field}: "{value}" is not one of the allowed values.'),
        "invalid_choice_of": lambda: _(
            '{field}: "{value}" is not one of the allowed values ({choices}).'
        ),
        "invalid": lambda: _('{field}: "{value}" is not valid here.'),
        "cannot_write": lambda: _("{field}: the file {path} cannot be written."),
        "invalid_number": lambda: _('{field}: "{value}" is not a valid whole number.'),
        "out_of_range": lambda: _(
            "{field}: {value} is out of range (allowed: {minimum} to {maximum})."
        ),
        "invalid_ags": lambda: _(
            '{field}: "{value}" is not a valid municipality key (2, 5, 8 or 12 digits).'
        ),
        "duplicate": lambda: _('{field}: "{value}" already exists.'),
        "not_found": lambda: _('{field}: nothing found for "{ref}".'),
        "ambiguous": lambda: _('{field}: "{ref}" matches several records: {candidates}'),
        "unknown_field": lambda: _("{field}: this field cannot be changed."),
        "no_current_role": lambda: _(
            "The person has no current role in this organisation."
        ),
        "end_before_start": lambda: _("{field}: a role cannot end before it started."),
        "ends_before_starts": lambda: _("{field}: the end lies before the start."),
        "unreadable_file": lambda: _("{field}: the file {path} cannot be read: {detail}"),
        "same_person": lambda: _("{field}: the successor is the same person."),
        "integrity": lambda: _(
            "The change conflicts with existing data and was not saved."
        ),
        "no_active_consent": lambda: _('{field}: there is no active consent for "{value}".'),
        "confirmation_required": lambda: _(
            "Nothing was erased. Check the list above, then run the command again with "
            "--yes to erase."
        ),
        "passphrases_differ": lambda: _("{field}: the two entries differ."),
        "check_failed": lambda: _("The check found {n} problem(s); see above."),
        "nothing_imported": lambda: _("{field}: nothing in {path} could be imported."),
        "already_undone": lambda: _("This import was already taken back."),
        "same_record": lambda: _("A record cannot be merged with itself."),
        "different_kinds": lambda: _(
            "Only two persons or two organisations can be merged, not one of each."),
        "not_empty": lambda: _(
            "The database already contains persons, organisations or interactions; "
            "the demo network can only be added to a database without them."
        ),
    }


def known_codes() -> frozenset[str]:
    """The field error codes that have their own message."""
    return frozenset(_field_texts())


def field_message(field: str, code: str, values: Mapping[str, Any] | None = None) -> str:
    """One translated sentence for one field error.

    Unknown codes still give a readable sentence naming the field and the code, so a new
    code in a service never shows up as a traceback or an empty message.
    """
    params: dict[str, Any] = {k: _plain(v) for k, v in (values or {}).items()}
    params["field"] = field_label(field)
    template = _field_texts().get(code)
    if template is None:
        return _("{field}: the value is not valid ({code}).").format(
            field=params["field"], code=code
        )
    try:
        return template().format(**params)
    except (KeyError, IndexError, ValueError):
        # A value the template needs is missing: say at least what is wrong.
        return _("{field}: the value is not valid ({code}).").format(
            field=params["field"], code=code
        )


def validation_messages(exc: ValidationError) -> list[str]:
    """One sentence per field, in the order the service reported them."""
    return [field_message(field, code, values) for field, (code, values) in exc.errors.items()]


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Per field, its sentence: for a dialog that shows each error beside its widget."""
    return {field: field_message(field, code, values)
            for field, (code, values) in exc.errors.items()}


def error_message(exc: BaseException) -> str:
    """One translated line for any error meant for the user (and a fallback for others)."""
    if isinstance(exc, ValidationError):
        return " ".join(validation_messages(exc))
    if isinstance(exc, NotFoundError):
        return not_found_message(exc.kind, exc.ref)
    if isinstance(exc, AmbiguousError):
        return ambiguous_message(exc.kind, exc.ref, exc.candidates)
    if isinstance(exc, ConflictError):
        return _(
            "This record was changed by someone else in the meantime. "
            "Reload it and make your change again."
        )
    if isinstance(exc, DatabaseError):
        return database_message(exc.code, exc.path, exc.detail)
    if isinstance(exc, BrueckeError):
        return _("The action failed: {detail}").format(detail=_plain(exc))
    if isinstance(exc, OSError):
        return _("The file {path} cannot be used: {detail}").format(
            path=_plain(exc.filename or "?"), detail=_plain(exc.strerror or exc))
    return _("Unexpected error: {detail}").format(
        detail=f"{type(exc).__name__}: {_plain(exc)}"
    )


def not_found_message(kind: str, ref: str) -> str:
    texts = {
        "person": lambda: _('No person found for "{ref}".'),
        "organisation": lambda: _('No organisation found for "{ref}".'),
        "municipality": lambda: _('No municipality found for "{ref}".'),
        "event": lambda: _('No event found for "{ref}".'),
        "project": lambda: _('No project found for "{ref}".'),
        "interaction": lambda: _('No interaction found for "{ref}".'),
        "staff": lambda: _('No staff member with the initials "{ref}".'),
        "follow_up": lambda: _('No follow-up found for "{ref}".'),
        "distribution_list": lambda: _('No distribution list found for "{ref}".'),
    }
    text = texts.get(kind)
    if text is None:
        return _('No {kind} found for "{ref}".').format(kind=kind_label(kind), ref=ref)
    return text().format(ref=ref)


def ambiguous_message(kind: str, ref: str, candidates: list[str]) -> str:
    texts = {
        "person": lambda: _('"{ref}" matches several persons: {candidates}'),
        "organisation": lambda: _('"{ref}" matches several organisations: {candidates}'),
        "municipality": lambda: _('"{ref}" matches several municipalities: {candidates}'),
        "event": lambda: _('"{ref}" matches several events: {candidates}'),
        "project": lambda: _('"{ref}" matches several projects: {candidates}'),
    }
    text = texts.get(kind)
    listed = "; ".join(candidates)
    if text is None:
        return _('"{ref}" matches several records ({kind}): {candidates}').format(
            ref=ref, kind=kind_label(kind), candidates=listed
        )
    return text().format(ref=ref, candidates=listed)


_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_PASSWORD_PARAMETER = re.compile(r"(password=)[^&\s]+", re.IGNORECASE)


def masked(text: str) -> str:
    """``text`` with any password of a database address replaced by ***."""
    return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD_IN_URL.sub(r"\1***@", text))


def database_message(code: str, path: str, detail: str = "") -> str:
    texts = {
        "cannot_create": lambda: _("The database {path} cannot be created: {detail}"),
        "not_a_file": lambda: _("{path} is a folder, not a database file."),
        "unreadable": lambda: _("The database {path} cannot be read: {detail}"),
        "not_sqlite": lambda: _("{path} is not a database file. It was left unchanged."),
        "wrong_passphrase": lambda: _(
            "The passphrase does not open the encrypted database {path}. It was left "
            "unchanged."
        ),
        "encryption_unavailable": lambda: _(
            "Encrypted databases need the sqlcipher3 package, which is not installed. "
            "{path} was left unchanged."
        ),
        "not_encrypted": lambda: _(
            "The database {path} is not encrypted: open it without a passphrase "
            "(unset BRUECKE_PASSPHRASE)."
        ),
        "output_exists": lambda: _("{path} already exists. Choose a new file name."),
        "read_only": lambda: _(
            "The database {path} is read-only. Check the file's permissions."
        ),
        "damaged": lambda: _(
            "The database {path} is damaged and cannot be opened. Restore it from a backup."
        ),
        "not_bruecke": lambda: _(
            "{path} is a database of another program, not of Brücke. It was left unchanged."
        ),
        "too_new": lambda: _(
            "The database {path} was written by a newer version of Brücke "
            "(schema {detail}). Update Brücke to open it; the file was left unchanged."
        ),
        "locked": lambda: _(
            "The database {path} is in use by another program. Try again in a moment."
        ),
        "operational": lambda: _("The database {path} reported an error: {detail}"),
        "missing": lambda: _("The file {path} does not exist."),
        "no_offline_copy": lambda: _(
            "The server {path} cannot be reached, and there is no offline copy of it yet."
        ),
        "not_a_backup": lambda: _(
            "{path} is not a backup of a Brücke database. Nothing was changed."
        ),
        "backup_wrong_passphrase": lambda: _(
            "The passphrase does not open the backup {path}: it is encrypted with another "
            "passphrase, or it is not a Brücke backup. Nothing was changed."
        ),
        "opened_read_only": lambda: _(
            "This window has the database {path} open read-only, because another Brücke "
            "window is using it: changes are not possible here. Make them in the other "
            "window."
        ),
        "backup_damaged": lambda: _(
            "The backup {path} is damaged or incomplete ({detail}). Nothing was changed."
        ),
        "backup_too_new": lambda: _(
            "The backup {path} was made by a newer version of Brücke (schema {detail}). "
            "Nothing was changed."
        ),
        "backup_failed": lambda: _(
            "No backup could be made of {path}: {detail}. Earlier backups were kept."
        ),
        "same_file": lambda: _("{path} is the database itself, not a separate file."),
        "folder_read_only": lambda: _(
            "The folder {path} cannot be written to. Choose another folder; nothing was "
            "changed."
        ),
        "restore_failed": lambda: _(
            "The backup could not be restored into {path} ({detail}). The database was "
            "left as it was."
        ),
        "in_use": lambda: _(
            "The database {path} is open in a Brücke window. Close the window first."
        ),
        "no_file": lambda: _("{path} is not a database file; this needs a database file."),
        "target_not_empty": lambda: _(
            "The target database {path} is not empty (table {detail}): copy only into an "
            "empty database. Nothing was copied."
        ),
        "unreachable": lambda: _("The database {path} cannot be reached: {detail}"),
        "unsupported_url": lambda: _(
            "{path} is not a database Brücke can use: give a file or a server address "
            "postgresql+psycopg://login@server/database."),
        "copy_differs": lambda: _(
            "The copy in {path} differs from the original in: {detail}. Do not use the copy."
        ),
    }
    text = texts.get(code)
    values = {"path": masked(path), "detail": masked(_one_line(detail))}
    if code == "not_a_backup" and detail == ENCRYPTED_HINT:
        return _(
            "{path} is not a Brücke backup, or it is encrypted and needs its passphrase "
            "(BRUECKE_PASSPHRASE). Nothing was changed."
        ).format(**values)
    if code == "not_sqlite" and detail == ENCRYPTED_HINT:
        return _(
            "{path} is not a Brücke database, or it is encrypted and needs its passphrase "
            "(BRUECKE_PASSPHRASE). It was left unchanged."
        ).format(**values)
    if code == "no_file" and "://" in path:
        return _(
            "{path} is a server database: this command works on database files. On the "
            "server, make backups with pg_dump, or a checked local copy with "
            "\"copy --to FILE.db\" (docs/office.md)."
        ).format(**values)
    if text is None:
        return _("The database {path} cannot be used ({code}).").format(code=code, **values)
    return text().format(**values)


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return "; ".join(_plain(v) for v in value)
    return _one_line(str(value))


def _one_line(text: str) -> str:
    """Messages are one line: control characters from user input are shown escaped."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


# Labels of stored choice values (enum values), for tables, detail views and forms.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "organisation_kind": {
        "member": N_("member organisation"),
        "council": N_("advisory council"),
        "administration": N_("administration"),
        "network": N_("network"),
        "public-body": N_("public body"),
        "funder": N_("funder"),
        "other": N_("other"),
    },
    "municipality_level": {
        "state": N_("state"),
        "district": N_("district"),
        "independent-city": N_("independent city"),
        "municipality": N_("municipality"),
    },
    "salutation": {
        "frau": N_("Ms"),
        "herr": N_("Mr"),
        "neutral": N_("neutral"),
        "none": N_("none"),
    },
    "contact_kind": {
        "email": N_("E-mail"),
        "phone": N_("Phone"),
        "mobile": N_("Mobile"),
        "fax": N_("Fax"),
        "web": N_("Website"),
        "postal": N_("Postal address"),
        "messenger": N_("Messenger"),
    },
    "interaction_kind": {
        "meeting": N_("meeting"),
        "call": N_("call"),
        "email": N_("email"),
        "letter": N_("letter"),
        "visit": N_("visit"),
        "event": N_("event"),
        "other": N_("other"),
    },
    "event_kind": {
        "workshop": N_("workshop"),
        "seminar": N_("seminar"),
        "fachtagung": N_("specialist conference"),
        "network-meeting": N_("network meeting"),
        "other": N_("other"),
    },
    "attendee_status": {
        "invited": N_("invited"),
        "registered": N_("registered"),
        "attended": N_("attended"),
        "cancelled": N_("cancelled"),
    },
    "contact_label": {
        "work": N_("work"),
        "private": N_("private"),
        "other": N_("other"),
    },
    "consent_purpose": {
        "newsletter": N_("newsletter"),
        "event-photos": N_("event photos"),
        "municipal-sharing": N_("sharing contact data with municipalities"),
        "mailings": N_("mailings"),
        "other": N_("other"),
    },
    "consent_source": {
        "form": N_("form"),
        "email": N_("e-mail"),
        "verbal": N_("verbally"),
        "other": N_("other"),
    },
    "audit_action": {
        "create": N_("created"),
        "update": N_("changed"),
        "delete": N_("deleted"),
        "archive": N_("archived"),
        "restore": N_("restored"),
        "tags": N_("tags changed"),
        "contacts": N_("contact details changed"),
        "participants": N_("participants changed"),
        "attendees": N_("attendees changed"),
        "invite": N_("invited"),
        "organisers": N_("organisers changed"),
        "withdraw": N_("withdrawn"),
        "erase": N_("erased (Art. 17)"),
        "merge": N_("merged"),
    },
    "record_type": {
        "contact_point": N_("Contact point"),
        "role": N_("Role"),
        "consent": N_("Consent"),
        "follow_up": N_("Follow-up"),
        "staff_member": N_("Staff member"),
        "tag": N_("Tag"),
        "distribution_list": N_("Distribution list"),
        "person": N_("Person"),
        "organisation": N_("Organisation"),
        "org": N_("Organisation"),
        "municipality": N_("Municipality"),
        "interaction": N_("Interaction"),
        "event": N_("Event"),
        "project": N_("Project"),
    },
}


def value_label(group: str, value: str) -> str:
    """The translated label of a stored choice ("council" → "advisory council")."""
    source = VALUE_LABELS.get(group, {}).get(value)
    return _(source) if source else value
