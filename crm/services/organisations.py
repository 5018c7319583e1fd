"""Organisations: members, advisory councils, administrations, funders …"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import Organisation, OrganisationKind, Role, Tag
from crm.domain.base import utcnow
from crm.errors import AmbiguousError, ConflictError, NotFoundError, ValidationError
from crm.services import refs
from crm.services.audit import mark_action, record
from crm.services.base import Service
from crm.services.contacts import (
    ContactInput,
    build_contact_point,
    build_contact_points,
    get_or_create_tags,
)
from crm.services.convert import contact_point_row, organisation_detail, organisation_row
from crm.services.people import (
    FieldErrorMap,
    collect,
    conflict_values,
    current_values,
    plain_value,
    replace_tags,
    sync_contact_points,
    validated_parts,
)
from crm.services.rows import ContactPointRow, OrganisationDetail, OrganisationRow

EDITABLE = ("name", "short_name", "kind", "notes", "member_since", "member_until",
            "municipality", "parent")


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    kind: str
    short_name: str | None = None
    municipality: str | None = None  # REF: uid, AGS or name
    parent: str | None = None  # REF of the parent organisation
    member_since: date | str | None = None
    member_until: date | str | None = None
    notes: str = ""
    contact_points: list[ContactInput] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _kind(value: str) -> OrganisationKind:
    try:
        return OrganisationKind(value)
    except ValueError as exc:
        raise ValidationError.single("kind", "invalid_choice", value=value) from exc


def _validated(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    checks: dict[str, Any] = {
        "name": lambda v: validation.required_name("name", v),
        "short_name": lambda v: validation.optional_text("short_name", v, limit=100),
        "kind": _kind,
        "notes": lambda v: validation.notes("notes", v),
        "member_since": lambda v: validation.parse_date("member_since", v),
        "member_until": lambda v: validation.parse_date("member_until", v),
        "municipality": lambda v: refs.resolve_municipality(session, v) if v else None,
        "parent": lambda v: refs.resolve_organisation(session, v) if v else None,
    }
    result: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, value in data.items():
        try:
            result[key] = checks[key](value)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return result


class OrganisationService(Service):
    def create(self, data: OrganisationInput) -> OrganisationDetail:
        points = build_contact_points(data.contact_points)
        with self._write() as session:
            values = _validated(session, {k: getattr(data, k) for k in EDITABLE})
            org = Organisation(**values)
            org.contact_points.extend(points)
            org.tags.extend(get_or_create_tags(session, data.tags))
            session.add(org)
            session.flush()
            return organisation_detail(org)

    def get(self, uid: str) -> OrganisationDetail:
        with self._read() as session:
            return organisation_detail(self._load(session, uid))

    def resolve(self, ref: str) -> OrganisationDetail:
        with self._read() as session:
            return organisation_detail(refs.resolve_organisation(session, ref))

    def update(self, uid: str, changes: dict[str, Any], expected_version: int | None = None
               ) -> OrganisationDetail:
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError({k: ("unknown_field", {}) for k in unknown})
        with self._write() as session:
            org = self._load(session, uid, lock=expected_version is not None)
            values = _validated(session, changes)
            if expected_version is not None and expected_version != org.version:
                theirs = {k: getattr(org, k) for k in values}
                raise ConflictError("organisation", org.uid, values, theirs)
            for key, value in values.items():
                if key == "name":
                    org.rename(value)
                else:
                    setattr(org, key, value)
            session.flush()
            return organisation_detail(org)

    def archive(self, uid: str) -> OrganisationDetail:
        return self._set_archived(uid, datetime.now(UTC), "archive")

    def restore(self, uid: str) -> OrganisationDetail:
        return self._set_archived(uid, None, "restore")

    def add_contact_point(self, uid: str, data: ContactInput) -> ContactPointRow:
        point = build_contact_point(data)
        with self._write() as session:
            org = self._load(session, uid)
            org.contact_points.append(point)
            session.flush()
            return contact_point_row(point)

    def set_tags(self, uid: str, names: list[str]) -> OrganisationDetail:
        with self._write() as session:
            org = self._load(session, uid)
            old = [t.name for t in org.tags]
            org.tags = get_or_create_tags(session, names)
            new = [t.name for t in org.tags]
            if old != new:
                record(session, org, "tags", {"tags": [old, new]})
                # A collection change alone leaves the row untouched; touching it bumps the
                # version, so a tag change counts for optimistic locking too.
                org.updated_at = utcnow()
            session.flush()
            return organisation_detail(org)

    def list(self, *, kind: str | None = None, municipality: str | None = None,
             archived: bool = False, limit: int | None = None, offset: int = 0
             ) -> list[OrganisationRow]:
        with self._read() as session:
            query = select(Organisation).options(selectinload(Organisation.municipality))
            query = query.where(
                Organisation.archived_at.is_not(None) if archived
                else Organisation.archived_at.is_(None)
            )
            if kind:
                query = query.where(Organisation.kind == _kind(kind))
            if municipality:
                place = refs.resolve_municipality(session, municipality)
                query = query.where(Organisation.municipality_id == place.id)
            query = query.order_by(Organisation.sort_key, Organisation.id).offset(offset)
            if limit is not None:
                query = query.limit(limit)
            return [organisation_row(o) for o in session.scalars(query)]

    def count(self, *, archived: bool = False) -> int:
        with self._read() as session:
            query = select(func.count(Organisation.id)).where(
                Organisation.archived_at.is_not(None) if archived
                else Organisation.archived_at.is_(None)
            )
            return int(session.scalar(query) or 0)

    def _set_archived(self, uid: str, when: datetime | None, action: str) -> OrganisationDetail:
        with self._write() as session:
            org = self._load(session, uid)
            org.archived_at = when
            mark_action(session, org, action)
            session.flush()
            return organisation_detail(org)

    @staticmethod
    def _load(session: Session, uid: str, *, lock: bool = False) -> Organisation:
        """``lock``: hold the row for a version-checked save (see PersonService._load)."""
        query = (
            select(Organisation)
            .where(Organisation.uid == uid)
            .options(
                selectinload(Organisation.contact_points),
                selectinload(Organisation.tags),
                selectinload(Organisation.roles).selectinload(Role.person),
            )
        )
        org = session.scalars(
            query.with_for_update(of=Organisation) if lock else query).one_or_none()
        return org if org is not None else refs.resolve_organisation(session, uid)

    # -- whole-dialog saves, live checks and undo (used by the Qt dialogs) ---------------

    def check_fields(self, changes: dict[str, Any], uid: str | None = None) -> dict[str, Any]:
        """Validate fields while the user types; the normalised values, nothing is saved.

        ``uid`` is the organisation being edited (it cannot be its own parent).
        """
        _refuse_unknown(changes)
        with self._read() as session:
            own = self._load(session, uid) if uid else None
            values = _validated_with_refs(session, changes, own)
            return {k: plain_value(v) for k, v in values.items()}

    def check_contact_point(self, data: ContactInput) -> str:
        """The normalised value of one contact point (phones in E.164); nothing is saved."""
        return build_contact_point(data).value

    def known_tags(self) -> builtins.list[str]:
        """Every tag name in use, for completion."""
        with self._read() as session:
            return list(session.scalars(select(Tag.name).order_by(Tag.name)))

    def save(self, uid: str | None, fields: dict[str, Any],
             contact_points: builtins.list[ContactInput] | None = None,
             tags: builtins.list[str] | None = None,
             expected_version: int | None = None) -> OrganisationDetail:
        """Create (``uid`` None) or change an organisation with all of a dialog's input.

        One transaction, like :meth:`PersonService.save`: ``municipality`` and ``parent``
        are REFs (uid, AGS or name); an unknown or ambiguous REF is a field error.
        """
        _refuse_unknown(fields)
        if uid is None:
            fields = {"name": "", "kind": "", **fields}
        with self._write() as session:
            org = self._load(session, uid, lock=expected_version is not None) if uid else None
            values, points, names = validated_parts(
                lambda: _validated_with_refs(session, fields, org), contact_points, tags)
            if org is None:
                org = Organisation(**values)
                session.add(org)
                session.flush()
            else:
                if expected_version is not None and expected_version != org.version:
                    raise ConflictError(
                        "organisation", org.uid, conflict_values(values, points, names),
                        current_values(org, values, points, names), org.version)
                for key, value in values.items():
                    if key == "name":
                        org.rename(value)
                    else:
                        setattr(org, key, value)
            touched = points is not None and sync_contact_points(session, org, points)
            touched = (names is not None and replace_tags(session, org, names)) or touched
            if touched and uid is not None:
                org.updated_at = utcnow()  # a new version: others see the record changed
            session.flush()
            return organisation_detail(org)

    def update_contact_points(self, uid: str, points: builtins.list[ContactInput],
                              expected_version: int | None = None) -> OrganisationDetail:
        """Replace the organisation's contact points in one transaction."""
        return self.save(uid, {}, points, None, expected_version)


def _refuse_unknown(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({k: ("unknown_field", {}) for k in unknown})


def _resolve_ref(session: Session, key: str, ref: str | None, errors: FieldErrorMap) -> Any:
    """A municipality or parent REF; unknown or ambiguous becomes a field error."""
    text = (ref or "").strip()
    if not text:
        return None
    resolve = refs.resolve_municipality if key == "municipality" else refs.resolve_organisation
    try:
        return resolve(session, text)
    except NotFoundError:
        errors[key] = ("not_found", {"ref": text})
    except AmbiguousError as exc:
        errors[key] = ("ambiguous", {"ref": text, "candidates": exc.candidates})
    return None


def _validated_with_refs(session: Session, data: dict[str, Any],
                         own: Organisation | None) -> dict[str, Any]:
    """Like ``_validated``, but REF problems are field errors, and no parent cycles."""
    errors: FieldErrorMap = {}
    simple = {k: v for k, v in data.items() if k not in ("municipality", "parent")}
    result: dict[str, Any] = collect(errors, lambda: _validated(session, simple)) or {}
    for key in ("municipality", "parent"):
        if key in data:
            result[key] = _resolve_ref(session, key, data[key], errors)
    parent = result.get("parent")
    if own is not None and parent is not None and _is_ancestor_or_self(own, parent):
        errors["parent"] = ("invalid_choice", {"value": parent.name})
    if errors:
        raise ValidationError(errors)
    return result


def _is_ancestor_or_self(own: Organisation, candidate: Organisation) -> bool:
    """True if ``own`` is ``candidate`` or one of its parents (a cycle)."""
    seen: set[int] = set()
    node: Organisation | None = candidate
    while node is not None and node.id not in seen:
        if node.id == own.id:
            return True
        seen.add(node.id)
        node = node.parent
    return False
