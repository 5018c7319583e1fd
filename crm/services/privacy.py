"""Data protection: consents, access requests (Art. 15), erasure (Art. 17), stale records
and the audit trail, for the CLI and the window.

Logging names records by uid and counts only (see :mod:`crm.logging_setup`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Select, func, or_, select
from sqlalchemy.orm import Session

from crm import validation
from crm.config import Preferences, load_preferences
from crm.domain import (
    AuditEntry,
    Consent,
    ConsentPurpose,
    ConsentSource,
    Event,
    Interaction,
    Municipality,
    Organisation,
    Person,
    Project,
    StaffMember,
)
from crm.domain.consent import MAILING_PURPOSES
from crm.errors import ConflictError, NotFoundError, ValidationError
from crm.persistence import dialect
from crm.privacy import erasure, retention
from crm.privacy.erasure import ErasurePlan, ErasureResult
from crm.privacy.retention import StaleRow
from crm.services import refs
from crm.services.audit import mark_action
from crm.services.base import Service, ServiceContext
from crm.services.dates import utc_bounds

if TYPE_CHECKING:
    from crm.privacy.access import AccessReport

log = logging.getLogger("bruecke.privacy")
PURPOSES = tuple(p.value for p in ConsentPurpose)
SOURCES = tuple(s.value for s in ConsentSource)
EXPORT_FORMATS = ("pdf", "json")
AUDIT_PAGE = 200
MAILING = tuple(purpose.value for purpose in MAILING_PURPOSES)

__all__ = ["AuditFilter", "AuditRow", "ConsentRow", "ErasurePlan", "ErasureResult",
           "ExportResult", "PrivacyService", "StaleRow", "excluded_by_consent"]


@dataclass(frozen=True, slots=True)
class ConsentRow:
    uid: str
    person_uid: str
    purpose: str
    given_on: date
    source: str
    withdrawn_on: date | None
    notes: str
    version: int

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: str
    format: str
    pages: int  # 0 for JSON


@dataclass(frozen=True, slots=True)
class AuditFilter:
    record: str | None = None  # a uid (also an erasure's marker) or a person/org name
    staff: str | None = None  # initials
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    uid: str
    at: datetime
    staff: str  # initials, "" for changes made without a staff member
    record_type: str
    record_uid: str
    record_name: str  # the record's current name, "" if it is gone
    action: str
    changes: dict[str, Any]


def _consent_row(c: Consent, person_uid: str) -> ConsentRow:
    return ConsentRow(c.uid, person_uid, c.purpose.value, c.given_on, c.source.value,
                      c.withdrawn_on, c.notes, c.version)


def _choice(field: str, value: str | None, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValidationError.single(field, "invalid_choice_of", value=value,
                                     choices=", ".join(choices))
    return value


def _bound(check: Callable[[Any], Any], value: Any) -> Callable[[], Any]:
    return lambda: check(value)


def _day(field: str, value: date | str | None, default: date | None = None) -> date:
    parsed = validation.parse_date(field, value)
    if parsed is None:
        if default is None:
            raise ValidationError.single(field, "required")
        return default
    return parsed


def excluded_by_consent(session: Session, person_ids: Iterable[int],
                        purposes: Iterable[ConsentPurpose] = MAILING_PURPOSES) -> set[int]:
    """Persons whose latest consent for one of ``purposes`` is withdrawn.

    Persons who never recorded a consent for these purposes are not excluded.
    """
    ids = list(person_ids)
    if not ids:
        return set()
    wanted = list(purposes)
    latest: dict[tuple[int, str], Consent] = {}
    for start in range(0, len(ids), 500):
        for consent in session.scalars(
                select(Consent).where(Consent.person_id.in_(ids[start:start + 500]),
                                      Consent.purpose.in_(wanted))
                .order_by(Consent.given_on, Consent.id)):
            latest[(consent.person_id, consent.purpose.value)] = consent
    return {pid for (pid, _purpose), c in latest.items() if c.withdrawn_on is not None}


class PrivacyService(Service):
    def __init__(self, ctx: ServiceContext, prefs: Preferences | None = None) -> None:
        super().__init__(ctx)
        self._prefs = prefs

    @property
    def prefs(self) -> Preferences:
        return self._prefs or load_preferences()

    # -- consents ------------------------------------------------------------------------

    def consents(self, person_ref: str) -> list[ConsentRow]:
        with self._read() as session:
            person = refs.resolve_person(session, person_ref)
            rows = session.scalars(select(Consent).where(Consent.person_id == person.id)
                                   .order_by(Consent.given_on, Consent.id))
            return [_consent_row(c, person.uid) for c in rows]

    def add_consent(self, person_ref: str, purpose: str, given_on: date | str | None = None,
                    source: str = "form", notes: str = "") -> ConsentRow:
        """Record a consent; an active one for the same purpose is refused (duplicate)."""
        chosen, origin, day, text = validation.collect(
            lambda: _choice("purpose", purpose, PURPOSES),
            lambda: _choice("source", source, SOURCES),
            lambda: _day("given_on", given_on, date.today()),
            lambda: validation.notes("notes", notes))
        with self._write() as session:
            person = refs.resolve_person(session, person_ref)
            active = session.scalar(select(Consent.id).where(
                Consent.person_id == person.id, Consent.purpose == ConsentPurpose(chosen),
                Consent.withdrawn_on.is_(None)))
            if active is not None:
                raise ValidationError.single("purpose", "duplicate", value=chosen)
            consent = Consent(person=person, purpose=ConsentPurpose(chosen), given_on=day,
                              source=ConsentSource(origin), notes=text)
            session.add(consent)
            session.flush()
            log.info("consent added uid=%s purpose=%s", consent.uid, chosen)
            return _consent_row(consent, person.uid)

    def update_consent(self, uid: str, changes: dict[str, Any],
                       expected_version: int | None = None) -> ConsentRow:
        """Change ``purpose``, ``given_on``, ``source``, ``withdrawn_on`` or ``notes``."""
        checks = {
            "purpose": lambda v: ConsentPurpose(_choice("purpose", v, PURPOSES)),
            "source": lambda v: ConsentSource(_choice("source", v, SOURCES)),
            "given_on": lambda v: _day("given_on", v),
            "withdrawn_on": lambda v: validation.parse_date("withdrawn_on", v),
            "notes": lambda v: validation.notes("notes", v),
        }
        unknown = set(changes) - set(checks)
        if unknown:
            raise ValidationError({k: ("unknown_field", {}) for k in sorted(unknown)})
        keys = list(changes)
        values = dict(zip(keys, validation.collect(
            *[_bound(checks[k], changes[k]) for k in keys]), strict=True))
        with self._write() as session:
            consent = self._consent(session, uid)
            if expected_version is not None and expected_version != consent.version:
                raise ConflictError("consent", uid, values, {}, consent.version)
            for key, value in values.items():
                setattr(consent, key, value)
            if consent.withdrawn_on is not None and consent.withdrawn_on < consent.given_on:
                raise ValidationError.single("withdrawn_on", "ends_before_starts")
            session.flush()
            log.info("consent changed uid=%s", consent.uid)
            return _consent_row(consent, consent.person.uid)

    def withdraw(self, uid: str, on: date | str | None = None) -> ConsentRow:
        """Withdraw one consent (by its uid) on ``on`` (default: today)."""
        day = _day("withdrawn_on", on, date.today())
        with self._write() as session:
            consent = self._consent(session, uid)
            self._withdraw(session, consent, day)
            return _consent_row(consent, consent.person.uid)

    def withdraw_purpose(self, person_ref: str, purpose: str,
                         on: date | str | None = None) -> list[ConsentRow]:
        """Withdraw the person's active consent(s) for ``purpose``."""
        chosen, day = validation.collect(lambda: _choice("purpose", purpose, PURPOSES),
                                         lambda: _day("withdrawn_on", on, date.today()))
        with self._write() as session:
            person = refs.resolve_person(session, person_ref)
            active = session.scalars(select(Consent).where(
                Consent.person_id == person.id, Consent.purpose == ConsentPurpose(chosen),
                Consent.withdrawn_on.is_(None))).all()
            if not active:
                raise ValidationError.single("purpose", "no_active_consent", value=chosen)
            for consent in active:
                self._withdraw(session, consent, day)
            return [_consent_row(c, person.uid) for c in active]

    def delete_consent(self, uid: str) -> None:
        """Remove a consent entered by mistake (a withdrawal is recorded with withdraw)."""
        with self._write() as session:
            session.delete(self._consent(session, uid))
            log.info("consent deleted uid=%s", uid)

    def excluded(self, person_uids: Collection[str], purposes: Iterable[str] = MAILING
                 ) -> set[str]:
        """The uids among ``person_uids`` that must not be addressed for ``purposes``."""
        wanted = [ConsentPurpose(_choice("purpose", p, PURPOSES)) for p in purposes]
        with self._read() as session:
            ids = dict(session.execute(select(Person.id, Person.uid)
                                       .where(Person.uid.in_(list(person_uids)))).all())
            return {ids[i] for i in excluded_by_consent(session, ids, wanted)}

    @staticmethod
    def _withdraw(session: Session, consent: Consent, day: date) -> None:
        if day < consent.given_on:
            raise ValidationError.single("withdrawn_on", "ends_before_starts")
        consent.withdraw(day)
        mark_action(session, consent, "withdraw")
        session.flush()
        log.info("consent withdrawn uid=%s", consent.uid)

    @staticmethod
    def _consent(session: Session, uid: str) -> Consent:
        consent = session.scalar(select(Consent).where(Consent.uid == uid))
        if consent is None:
            raise NotFoundError("consent", uid)
        return consent

    # -- access request (Art. 15) ------------------------------------------------------

    def access_report(self, person_ref: str) -> AccessReport:
        from crm.privacy import access  # reportlab: loaded only when a report is made

        with self._read() as session:
            return access.collect(session, refs.resolve_person(session, person_ref))

    def export_access(self, person_ref: str, path: str | os.PathLike[str]) -> ExportResult:
        """Write everything held about the person to ``path`` (.pdf or .json, mode 0600)."""
        suffix = Path(path).suffix.lower().lstrip(".")
        if suffix not in EXPORT_FORMATS:
            raise ValidationError.single("output", "invalid_choice_of", value=suffix or path,
                                         choices=", ".join(EXPORT_FORMATS))
        from crm.privacy import access

        report = self.access_report(person_ref)
        pages = 0
        if suffix == "json":
            access.write_json(report, path)
        else:
            prefs = self.prefs
            pages = access.write_pdf(report, path, prefs.network_name, prefs.retention_years,
                                     prefs.logo_path)
        log.info("access export written uid=%s format=%s", report.person["uid"], suffix)
        return ExportResult(os.fspath(path), suffix, pages)

    # -- erasure (Art. 17) ---------------------------------------------------------------

    def erasure_plan(self, person_ref: str) -> ErasurePlan:
        with self._read() as session:
            return erasure.plan(session, refs.resolve_person(session, person_ref))

    def erase(self, person_ref: str, redact: Collection[str] | None = None,
              expected_version: int | None = None) -> ErasureResult:
        """Erase the person for good (see :mod:`crm.privacy.erasure`).

        ``redact``: keys of the plan's mentions to redact (None: those naming the whole
        name). ``expected_version``: the version the plan was made for; a change since
        raises ConflictError, so nothing unseen is erased.
        """
        with self._write() as session:
            session.info["audit_disabled"] = True  # the erasure writes its own entry
            session.info["search_index_disabled"] = True  # rebuilt as a whole
            dialect.secure_delete(session.connection())
            found = refs.resolve_person(session, person_ref)
            if expected_version is not None and expected_version != found.version:
                raise ConflictError("person", found.uid, {}, {}, found.version)
            person = erasure.load_person(session, found.id)
            if redact is None:
                redact = erasure.plan(session, person).default_redactions()
            result = erasure.erase(session, person, redact)
        wiped = erasure.wipe_free_space(self._engine())
        log.info("person erased marker=%s redacted=%d wiped=%s %s", result.marker,
                 result.redacted, wiped, json.dumps(result.deleted, sort_keys=True))
        return replace(result, wiped=wiped)

    def _engine(self) -> Engine:
        with self._ctx.sessions() as session:
            bind = session.get_bind()
        return bind if isinstance(bind, Engine) else bind.engine

    # -- retention -----------------------------------------------------------------------

    def stale(self, years: int | None = None, include_archived: bool = True,
              today: date | None = None) -> list[StaleRow]:
        span = self.prefs.retention_years if years is None else years
        if not 1 <= span <= 100:
            raise ValidationError.single("years", "out_of_range", value=span, minimum=1,
                                         maximum=100)
        with self._read() as session:
            return retention.stale_persons(session, span, today, include_archived)

    def archive_persons(self, uids: Collection[str]) -> int:
        """Archive the given persons (those already archived are left alone)."""
        with self._write() as session:
            persons = session.scalars(select(Person).where(Person.uid.in_(list(uids)),
                                                           Person.archived_at.is_(None))).all()
            now = datetime.now(UTC)
            for person in persons:
                person.archived_at = now
                mark_action(session, person, "archive")
            log.info("stale persons archived count=%d", len(persons))
            return len(persons)

    def erase_persons(self, uids: Collection[str]) -> list[ErasureResult]:
        """Erase several persons, one transaction each (full-name mentions redacted)."""
        return [self.erase(uid) for uid in uids]

    # -- the audit trail -----------------------------------------------------------------

    def audit(self, flt: AuditFilter | None = None, *, offset: int = 0,
              limit: int = AUDIT_PAGE) -> list[AuditRow]:
        """Audit entries, newest first, one page."""
        flt = flt or AuditFilter()
        with self._read() as session:
            query = self._audit_query(session, flt)
            rows = session.execute(
                query.add_columns(StaffMember.initials)
                .outerjoin(StaffMember, StaffMember.id == AuditEntry.staff_id)
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .offset(offset).limit(limit)).all()
            names = _record_names(session, [e for e, _i in rows])
            return [_audit_row(e, initials, names.get((e.record_type, e.record_uid), ""))
                    for e, initials in rows]

    def audit_count(self, flt: AuditFilter | None = None) -> int:
        with self._read() as session:
            query = self._audit_query(session, flt or AuditFilter())
            return int(session.scalar(select(func.count()).select_from(query.subquery()))
                       or 0)

    def staff_initials(self) -> list[str]:
        with self._read() as session:
            return list(session.scalars(select(StaffMember.initials)
                                        .order_by(StaffMember.initials)))

    @staticmethod
    def _audit_query(session: Session, flt: AuditFilter) -> Select[Any]:
        query = select(AuditEntry)
        if flt.record:
            query = query.where(AuditEntry.record_uid.in_(_record_uids(session, flt.record)))
        if flt.staff:
            staff = session.scalar(select(StaffMember.id)
                                   .where(StaffMember.initials == flt.staff.strip().upper()))
            if staff is None:
                raise NotFoundError("staff", flt.staff)
            query = query.where(AuditEntry.staff_id == staff)
        start, end = utc_bounds(flt.date_from, flt.date_to)
        if start is not None:
            query = query.where(AuditEntry.at >= start)
        if end is not None:
            query = query.where(AuditEntry.at < end)
        return query


def _record_uids(session: Session, ref: str) -> list[str]:
    """A person (with their contact points, roles and consents), an organisation, or a
    uid or erasure marker as it is."""
    ref = ref.strip()
    if ref.startswith("erased-"):
        return [ref]
    try:
        person = refs.resolve_person(session, ref)
    except NotFoundError:
        person = None
    if person is not None:
        return sorted(erasure.record_uids(session, erasure.load_person(session, person.id)))
    if len(ref) == 36 and ref.count("-") == 4:
        return [ref.lower()]
    return [refs.resolve_organisation(session, ref).uid]


_NAMED: dict[str, tuple[Any, Any]] = {
    "person": (Person, Person.full_name),
    "organisation": (Organisation, Organisation.name),
    "municipality": (Municipality, Municipality.name),
    "interaction": (Interaction, Interaction.subject),
    "event": (Event, Event.title),
    "project": (Project, Project.name),
}


def _record_names(session: Session, entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.record_type in _NAMED:
            wanted.setdefault(entry.record_type, set()).add(entry.record_uid)
    names: dict[tuple[str, str], str] = {}
    for kind, uids in wanted.items():
        model, column = _NAMED[kind]
        for uid, name in session.execute(select(model.uid, column)
                                         .where(or_(model.uid.in_(list(uids))))):
            names[(kind, uid)] = name
    return names


def _audit_row(entry: AuditEntry, initials: str | None, name: str) -> AuditRow:
    try:
        changes = json.loads(entry.changes or "{}")
    except ValueError:
        changes = {}
    return AuditRow(entry.uid, entry.at, initials or "", entry.record_type, entry.record_uid,
                    name, entry.action, changes if isinstance(changes, dict) else {})
