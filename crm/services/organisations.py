"""Organisations: members, advisory councils, administrations, funders …"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import Organisation, OrganisationKind, Role
from crm.errors import ConflictError, ValidationError
from crm.services import refs
from crm.services.audit import mark_action, record
from crm.services.base import Service
from crm.services.contacts import ContactInput, build_contact_point, build_contact_points
from crm.services.contacts import get_or_create_tags
from crm.services.convert import contact_point_row, organisation_detail, organisation_row
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
            org = self._load(session, uid)
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
    def _load(session: Session, uid: str) -> Organisation:
        org = session.scalars(
            select(Organisation)
            .where(Organisation.uid == uid)
            .options(
                selectinload(Organisation.contact_points),
                selectinload(Organisation.tags),
                selectinload(Organisation.roles).selectinload(Role.person),
            )
        ).one_or_none()
        return org if org is not None else refs.resolve_organisation(session, uid)
