"""Printable reports (A4 PDFs): contact sheet, directory, attendance list, activity report,
address labels and phone list.

Every method reads what it needs in one read-only session, lays the pages out after the
session is closed, and writes the file atomically (temporary file + rename, mode 0600).
An output that cannot be written raises ``ValidationError({"output": ("cannot_write", …)})``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy.orm import Session

from crm import validation
from crm.config import Preferences, load_preferences
from crm.errors import NotFoundError, ValidationError
from crm.i18n import _
from crm.services import refs
from crm.services.base import Service, ServiceContext
from crm.services.report_rows import LabelResult, ReportResult, SkippedRecipient

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from crm.reports.document import ReportMeta


class _Lazy:
    """A module imported on first use: reportlab and the report layouts cost ~0.1 s, which
    the window's start-up should not pay before anyone prints."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


activity_report = _Lazy("crm.reports.activity")
attendance_report = _Lazy("crm.reports.attendance")
contact_sheet_report = _Lazy("crm.reports.contact_sheet")
data = _Lazy("crm.reports.data")
directory_report = _Lazy("crm.reports.directory")
labels_report = _Lazy("crm.reports.labels")
phone_list_report = _Lazy("crm.reports.phone_list")
document = _Lazy("crm.reports.document")

Progress: TypeAlias = Callable[[int, int], None]
PathLike: TypeAlias = str | os.PathLike[str]


class ReportService(Service):
    def __init__(self, ctx: ServiceContext, prefs: Preferences | None = None) -> None:
        super().__init__(ctx)
        self._prefs = prefs

    # -- reports ---------------------------------------------------------------------------

    def contact_sheet(self, ref: str, path: PathLike, last_n: int = 10, *,
                      progress: Progress | None = None) -> ReportResult:
        """Kontaktblatt of a person or, if no person matches, an organisation."""
        with self._read() as session:
            try:
                person = refs.resolve_person(session, ref)
            except NotFoundError:
                org = refs.resolve_organisation(session, ref)
                sheet = data.organisation_sheet(session, org, last_n)
            else:
                sheet = data.person_sheet(session, person, last_n)
        story = contact_sheet_report.story(sheet)
        return self._build(path, story, _("Contact sheet"), sheet.name, progress=progress)

    def directory(self, path: PathLike, municipalities: list[str] | None = None, *,
                  progress: Progress | None = None) -> ReportResult:
        """Kontaktverzeichnis Kommunen, for all municipalities or the given ones (REFs)."""
        with self._read() as session:
            ids = None
            if municipalities:
                ids = [refs.resolve_municipality(session, ref).id for ref in municipalities]
            districts = data.directory(session, ids)
        title = _("Municipal contact directory")
        story = directory_report.story(districts, title)
        return self._build(path, story, title, "", progress=progress)

    def attendance(self, event_ref: str, path: PathLike, walk_in_rows: int = 5, *,
                   progress: Progress | None = None) -> ReportResult:
        if not 0 <= walk_in_rows <= 200:
            raise ValidationError.single("walk_ins", "out_of_range", value=walk_in_rows,
                                         minimum=0, maximum=200)
        with self._read() as session:
            event = refs.resolve_event(session, event_ref)
            sheet = data.attendance(session, event)
        prefs = self.prefs
        story = attendance_report.story(sheet, walk_in_rows, prefs.funder_text,
                                        prefs.funder_logo_path)
        return self._build(path, story, _("Attendance list"), sheet.title, progress=progress)

    def activity(self, path: PathLike, date_from: date | str, date_to: date | str,
                 project: str | None = None, *, progress: Progress | None = None
                 ) -> ReportResult:
        start, end = validation.collect(lambda: _required_date("from", date_from),
                                        lambda: _required_date("to", date_to))
        if end < start:
            raise ValidationError.single("to", "ends_before_starts")
        with self._read() as session:
            chosen = refs.resolve_project(session, project) if project else None
            report = data.activity(session, start, end, chosen)
        story = activity_report.story(report)
        return self._build(path, story, _("Activity report"), report.project,
                           progress=progress)

    def labels(self, path: PathLike, layout: str = "3x8", tag: str | None = None,
               person_uids: list[str] | None = None, org_kind: str | None = None,
               event: str | None = None, *, progress: Progress | None = None) -> LabelResult:
        """Address labels (Avery Zweckform 3474 "3x8" or L7163 "2x7"); persons without any
        postal address are skipped and listed in the result, never printed as empty labels."""
        sheet = labels_report.layout_for(layout)
        if org_kind is not None and org_kind not in {k.value for k in data.KIND_ORDER}:
            raise ValidationError.single("kind", "invalid_choice", value=org_kind)
        with self._read() as session:
            chosen = refs.resolve_event(session, event) if event else None
            ids = data.label_person_ids(session, tag=tag, person_uids=person_uids,
                                        org_kind=org_kind, event=chosen)
            withheld = _excluded_by_consent(session, ids)
            people = data.recipients(session, [i for i in ids if i not in withheld])
        addresses, skipped = labels_report.addresses(people)
        meta = self._meta(_("Address labels"), "")
        pages = labels_report.render(path, addresses, sheet, meta, progress=progress)
        return LabelResult(os.fspath(path), pages, len(addresses),
                           tuple(SkippedRecipient(p.uid, p.name) for p in skipped),
                           len(withheld))

    def phone_list(self, path: PathLike, *, progress: Progress | None = None) -> ReportResult:
        with self._read() as session:
            lines = data.phone_list(session)
        title = _("Phone list of municipal contacts")
        return self._build(path, phone_list_report.story(lines, title), title, "",
                           progress=progress)

    # -- helpers ---------------------------------------------------------------------------

    @property
    def prefs(self) -> Preferences:
        """The preferences given at construction, else the current config file."""
        return self._prefs or load_preferences()

    def _meta(self, title: str, subject: str) -> ReportMeta:
        prefs = self.prefs
        full = f"{title}: {subject}" if subject else title
        meta: ReportMeta = document.ReportMeta(
            title=full, network=prefs.network_name, stand=date.today(), subtitle=subject,
            logo_path=prefs.logo_path)
        return meta

    def _build(self, path: PathLike, story: list[Flowable], title: str, subject: str, *,
               progress: Progress | None = None) -> ReportResult:
        pages = document.build_pdf(path, story, self._meta(title, subject), progress=progress)
        return ReportResult(os.fspath(path), pages)


def _required_date(field: str, value: date | str) -> date:
    parsed = validation.parse_date(field, value)
    if parsed is None:
        raise ValidationError.single(field, "required")
    return parsed


def _excluded_by_consent(session: Session, person_ids: list[int]) -> set[int]:
    """Persons who withdrew consent to newsletters or mailings: never addressed on labels."""
    from crm.services.privacy import excluded_by_consent

    return excluded_by_consent(session, person_ids)
