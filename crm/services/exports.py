"""Exporting: vCard 4.0/3.0, CSV, XLSX, the complete JSON dump, and iCalendar.

Selections: every (not archived) person and organisation, those with a tag, a list of uids
(a search result), or an event's attendees. Files are written owner-only (0600): they hold
personal data.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from crm.domain import (
    Event,
    EventAttendee,
    FollowUp,
    Organisation,
    Person,
    Role,
    Tag,
)
from crm.errors import ValidationError
from crm.i18n import _
from crm.io import Point
from crm.io.ical import EventItem, TaskItem, calendar_bytes
from crm.io.spreadsheet_safety import safe_text, set_safe_cell
from crm.io.vcard import CardData, write_vcards
from crm.services import refs
from crm.services.base import Service
from crm.validation import display_phone

EXPORT_FORMATS = ("vcf", "csv", "xlsx", "json", "ics")


@dataclass(frozen=True, slots=True)
class Selection:
    tag: str | None = None
    uids: tuple[str, ...] = ()
    event: str | None = None  # REF of an event: its attendees

    @property
    def everything(self) -> bool:
        return not (self.tag or self.uids or self.event)


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: str
    format: str
    count: int


def write_private(path: str | Path, data: bytes) -> None:
    """Write a file only its owner can read (0600), also when it existed before."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb", closefd=False) as fh:
            fh.write(data)
    finally:
        os.close(fd)


def _columns() -> list[str]:
    return [_("Name"), _("Given name"), _("Family name"), _("Salutation"),
            _("Organisation"), _("Title"), _("E-mail"), _("E-mail 2"), _("Phone"),
            _("Mobile"), _("Fax"), _("Postal address"), _("Website"), _("Tags"), _("Notes"),
            "ID"]


def _person_query() -> Select[tuple[Person]]:
    return select(Person).options(
        selectinload(Person.contact_points), selectinload(Person.tags),
        selectinload(Person.roles).selectinload(Role.organisation),
        selectinload(Person.roles).selectinload(Role.contact_points))


def _main_role(person: Person) -> Role | None:
    current = person.current_roles
    return current[0] if current else None


def person_card(person: Person) -> CardData:
    role = _main_role(person)
    points = [Point(c.kind.value, c.value, c.label.value, c.preferred)
              for c in person.contact_points]
    if role is not None:
        points += [Point(c.kind.value, c.value, c.label.value, c.preferred)
                   for c in role.contact_points]
    return CardData(uid=person.uid, full_name=person.full_name,
                    given_name=person.given_name or "", family_name=person.family_name or "",
                    salutation=person.salutation.value,
                    organisation=role.organisation.name if role else "",
                    title=role.title if role else "", points=tuple(points),
                    notes=person.notes, tags=tuple(t.name for t in person.tags),
                    updated_at=person.updated_at)


def organisation_card(org: Organisation) -> CardData:
    points = tuple(Point(c.kind.value, c.value, c.label.value, c.preferred)
                   for c in org.contact_points)
    return CardData(uid=org.uid, full_name=org.name, organisation=org.name, points=points,
                    notes=org.notes, tags=tuple(t.name for t in org.tags),
                    is_organisation=True, updated_at=org.updated_at)


def person_cells(person: Person) -> list[str]:
    card = person_card(person)

    def values(kind: str) -> list[str]:
        found = [p.value for p in sorted(card.points, key=lambda p: not p.preferred)
                 if p.kind == kind]
        return [display_phone(v) for v in found] if kind in ("phone", "mobile", "fax") \
            else found

    emails = values("email")
    first = {k: (values(k) or [""])[0] for k in ("phone", "mobile", "fax", "postal", "web")}
    salutation = {"frau": "Frau", "herr": "Herr"}.get(card.salutation, "")
    return [card.full_name, card.given_name, card.family_name, salutation, card.organisation,
            card.title, (emails or [""])[0], emails[1] if len(emails) > 1 else "",
            first["phone"], first["mobile"], first["fax"], first["postal"].replace("\n", ", "),
            first["web"], "; ".join(card.tags), card.notes, card.uid]


class ExportService(Service):
    def persons(self, session: Session, selection: Selection) -> list[Person]:
        query = _person_query().where(Person.archived_at.is_(None))
        if selection.tag:
            query = query.join(Person.tags).where(Tag.name == selection.tag)
        if selection.uids:
            query = query.where(Person.uid.in_(selection.uids))
        if selection.event:
            event = refs.resolve_event(session, selection.event)
            query = query.where(Person.id.in_(
                select(EventAttendee.person_id).where(EventAttendee.event_id == event.id)))
        return list(session.scalars(query.order_by(Person.sort_key, Person.id)).unique())

    def organisations(self, session: Session, selection: Selection) -> list[Organisation]:
        if selection.event and not selection.uids:
            return []
        query = select(Organisation).options(
            selectinload(Organisation.contact_points), selectinload(Organisation.tags)
        ).where(Organisation.archived_at.is_(None))
        if selection.tag:
            query = query.join(Organisation.tags).where(Tag.name == selection.tag)
        if selection.uids:
            query = query.where(Organisation.uid.in_(selection.uids))
        return list(session.scalars(query.order_by(Organisation.sort_key)).unique())

    def export(self, path: str | Path, fmt: str, selection: Selection | None = None, *,
               vcard_version: str = "4.0", delimiter: str = ";") -> ExportResult:
        if fmt not in EXPORT_FORMATS:
            raise ValidationError.single("format", "invalid_choice_of", value=fmt,
                                         choices=", ".join(EXPORT_FORMATS))
        selection = selection or Selection()
        data, count = self.render(fmt, selection, vcard_version=vcard_version,
                                  delimiter=delimiter)
        try:
            write_private(path, data)
        except OSError as exc:
            raise ValidationError.single("output", "cannot_write", path=str(path)) from exc
        return ExportResult(str(path), fmt, count)

    def render(self, fmt: str, selection: Selection, *, vcard_version: str = "4.0",
               delimiter: str = ";") -> tuple[bytes, int]:
        """The file's bytes and the number of records in it."""
        with self._read() as session:
            if fmt == "json":
                from crm.io.json_dump import dump_text

                return dump_text(session).encode("utf-8"), _record_count(session)
            if fmt == "ics":
                return self._calendar(session, selection)
            persons = self.persons(session, selection)
            if fmt == "vcf":
                cards = [person_card(p) for p in persons]
                cards += [organisation_card(o) for o in self.organisations(session, selection)]
                return write_vcards(cards, vcard_version).encode("utf-8"), len(cards)
            rows = [person_cells(p) for p in persons]
        if fmt == "csv":
            return csv_bytes(_columns(), rows, delimiter), len(rows)
        return xlsx_bytes(_columns(), rows), len(rows)

    def _calendar(self, session: Session, selection: Selection) -> tuple[bytes, int]:
        query = select(Event).order_by(Event.starts_at)
        if selection.event:
            query = query.where(Event.id == refs.resolve_event(session, selection.event).id)
        events = [EventItem(e.uid, e.title, e.starts_at, e.ends_at, e.venue, e.notes,
                            e.kind.value, e.updated_at) for e in session.scalars(query)]
        tasks: list[TaskItem] = []
        if not selection.event:
            tasks = [TaskItem(f.uid, f.text, f.due_on, f.done_at, "", f.updated_at)
                     for f in session.scalars(select(FollowUp).order_by(FollowUp.due_on))]
        return calendar_bytes(events, tasks), len(events) + len(tasks)


def _record_count(session: Session) -> int:
    from sqlalchemy import func

    return sum(int(session.scalar(select(func.count(m.id))) or 0)
               for m in (Person, Organisation))


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str = ";"
              ) -> bytes:
    """UTF-8 with BOM (Excel recognises it), CRLF, every cell safe from formula injection."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow([safe_text(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Contacts")[:31]
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col)
        set_safe_cell(cell, header)
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            set_safe_cell(sheet.cell(row=r, column=col), value)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def today() -> date:
    return date.today()
