"""Persons: create, edit, archive and restore, contact points and tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import ContactPoint, Person, Role, Salutation
from crm.errors import ConflictError, ValidationError
from crm.services import refs
from crm.services.audit import mark_action, record
from crm.services.base import Service
from crm.services.contacts import ContactInput, build_contact_point, build_contact_points
from crm.services.contacts import get_or_create_tags
from crm.services.convert import contact_point_row, person_detail
from crm.services.rows import ContactPointRow, PersonDetail

EDITABLE = ("full_name", "given_name", "family_name", "transliteration", "salutation",
            "languages", "notes")


@dataclass(frozen=True)
class PersonInput:
    full_name: str
    given_name: str | None = None
    family_name: str | None = None
    transliteration: str | None = None
    salutation: str = "none"
    languages: str = ""
    notes: str = ""
    contact_points: list[ContactInput] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def validated_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Check every given person field; collect all errors before raising."""
    checks = {
        "full_name": lambda v: validation.required_name("full_name", v),
        "given_name": lambda v: validation.optional_text("given_name", v),
        "family_name": lambda v: validation.optional_text("family_name", v),
        "transliteration": lambda v: validation.optional_text("transliteration", v),
        "languages": lambda v: validation.clean_text("languages", v, limit=200),
        "notes": lambda v: validation.notes("notes", v),
        "salutation": _salutation,
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


def _salutation(value: str | None) -> Salutation:
    try:
        return Salutation(value or "none")
    except ValueError as exc:
        raise ValidationError.single("salutation", "invalid_choice", value=value) from exc


class PersonService(Service):
    def create(self, data: PersonInput) -> PersonDetail:
        values, points = validation.collect(
            lambda: validated_fields({k: getattr(data, k) for k in EDITABLE}),
            lambda: build_contact_points(data.contact_points),
        )
        with self._write() as session:
            person = Person(**values)
            person.contact_points.extend(points)
            person.tags.extend(get_or_create_tags(session, data.tags))
            session.add(person)
            session.flush()
            return person_detail(person)

    def get(self, uid: str) -> PersonDetail:
        with self._read() as session:
            return person_detail(self._load(session, uid))

    def resolve(self, ref: str) -> PersonDetail:
        with self._read() as session:
            return person_detail(refs.resolve_person(session, ref))

    def update(self, uid: str, changes: dict[str, Any], expected_version: int | None = None
               ) -> PersonDetail:
        """Change the given fields; a stale ``expected_version`` raises ConflictError."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError({k: ("unknown_field", {}) for k in unknown})
        values = validated_fields(changes)
        with self._write() as session:
            person = self._load(session, uid)
            self._check_version(person, expected_version, values)
            for key, value in values.items():
                setattr(person, key, value)
            person.refresh_sort_key()
            session.flush()
            return person_detail(person)

    def archive(self, uid: str) -> PersonDetail:
        return self._set_archived(uid, datetime.now(UTC), "archive")

    def restore(self, uid: str) -> PersonDetail:
        return self._set_archived(uid, None, "restore")

    def add_contact_point(self, uid: str, data: ContactInput) -> ContactPointRow:
        point = build_contact_point(data)
        with self._write() as session:
            person = self._load(session, uid)
            person.contact_points.append(point)
            session.flush()
            return contact_point_row(point)

    def remove_contact_point(self, point_uid: str) -> None:
        with self._write() as session:
            point = session.scalars(
                select(ContactPoint).where(ContactPoint.uid == point_uid)
            ).one_or_none()
            if point is None:
                raise ValidationError.single("contact_point", "not_found", ref=point_uid)
            session.delete(point)

    def set_tags(self, uid: str, names: list[str]) -> PersonDetail:
        with self._write() as session:
            person = self._load(session, uid)
            old = [t.name for t in person.tags]
            person.tags = get_or_create_tags(session, names)
            new = [t.name for t in person.tags]
            if old != new:
                record(session, person, "tags", {"tags": [old, new]})
            session.flush()
            return person_detail(person)

    def count(self, *, archived: bool = False) -> int:
        with self._read() as session:
            query = select(func.count(Person.id))
            query = query.where(
                Person.archived_at.is_not(None) if archived else Person.archived_at.is_(None)
            )
            return int(session.scalar(query) or 0)

    def list_uids_with_tag(self, tag: str) -> list[str]:
        from crm.domain import Tag

        with self._read() as session:
            return list(
                session.scalars(
                    select(Person.uid)
                    .join(Person.tags)
                    .where(Tag.name == tag, Person.archived_at.is_(None))
                    .order_by(Person.sort_key)
                )
            )

    # -- helpers -------------------------------------------------------------------------

    def _set_archived(self, uid: str, when: datetime | None, action: str) -> PersonDetail:
        with self._write() as session:
            person = self._load(session, uid)
            person.archived_at = when
            mark_action(session, person, action)
            session.flush()
            return person_detail(person)

    @staticmethod
    def _load(session: Session, uid: str) -> Person:
        person = session.scalars(
            select(Person)
            .where(Person.uid == uid)
            .options(
                selectinload(Person.contact_points),
                selectinload(Person.tags),
                selectinload(Person.roles).selectinload(Role.organisation),
            )
        ).one_or_none()
        if person is None:
            return refs.resolve_person(session, uid)
        return person

    @staticmethod
    def _check_version(person: Person, expected: int | None, values: dict[str, Any]) -> None:
        if expected is not None and expected != person.version:
            theirs = {k: getattr(person, k) for k in values}
            raise ConflictError("person", person.uid, values, theirs)
