"""Persons: create, edit, archive and restore, contact points and tags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import ContactPoint, Person, Role, Salutation, Tag
from crm.domain.base import utcnow
from crm.errors import ConflictError, ValidationError
from crm.services import refs
from crm.services.audit import mark_action, record
from crm.services.base import Service
from crm.services.contacts import (
    ContactInput,
    build_contact_point,
    build_contact_points,
    get_or_create_tags,
)
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
            person = self._load(session, uid, lock=expected_version is not None)
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
                # A collection change alone leaves the row untouched; touching it bumps the
                # version, so a tag change counts for optimistic locking too.
                person.updated_at = utcnow()
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
    def _load(session: Session, uid: str, *, lock: bool = False) -> Person:
        """The person with contacts, tags and roles; ``lock`` holds its row until the
        transaction ends (a version-checked save: a concurrent one waits, then sees the
        new version and reports the conflict with both values)."""
        query = (
            select(Person)
            .where(Person.uid == uid)
            .options(
                selectinload(Person.contact_points),
                selectinload(Person.tags),
                selectinload(Person.roles).selectinload(Role.organisation),
            )
        )
        person = session.scalars(
            query.with_for_update(of=Person) if lock else query).one_or_none()
        if person is None:
            return refs.resolve_person(session, uid)
        return person

    @staticmethod
    def _check_version(person: Person, expected: int | None, values: dict[str, Any]) -> None:
        if expected is not None and expected != person.version:
            theirs = {k: getattr(person, k) for k in values}
            raise ConflictError("person", person.uid, values, theirs)

    # -- whole-dialog saves, live checks and undo (used by the Qt dialogs) ---------------

    def check_fields(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Validate fields while the user types; the normalised values, nothing is saved."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError({k: ("unknown_field", {}) for k in unknown})
        return {k: plain_value(v) for k, v in validated_fields(changes).items()}

    def check_contact_point(self, data: ContactInput) -> str:
        """The normalised value of one contact point (phones in E.164); nothing is saved."""
        return build_contact_point(data).value

    def known_tags(self) -> list[str]:
        """Every tag name in use, for completion."""
        with self._read() as session:
            return list(session.scalars(select(Tag.name).order_by(Tag.name)))

    def save(self, uid: str | None, fields: dict[str, Any],
             contact_points: list[ContactInput] | None = None, tags: list[str] | None = None,
             expected_version: int | None = None) -> PersonDetail:
        """Create (``uid`` None) or change a person with all of a dialog's input at once.

        One transaction: fields, contact points and tags are written together or not at
        all. ``None`` leaves contact points or tags as they are; a list replaces the set
        (unchanged contact points keep their uid). Every field error is reported together
        (contact points as ``email[2]``: kind and position in the list). A stale
        ``expected_version`` raises ConflictError with both values of every given field.
        """
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise ValidationError({k: ("unknown_field", {}) for k in unknown})
        if uid is None:
            fields = {"full_name": "", **fields}
        values, points, names = validated_parts(
            lambda: validated_fields(fields), contact_points, tags)
        with self._write() as session:
            if uid is None:
                person = Person(**values)
                session.add(person)
                session.flush()
            else:
                person = self._load(session, uid, lock=expected_version is not None)
                if expected_version is not None and expected_version != person.version:
                    raise ConflictError(
                        "person", person.uid, conflict_values(values, points, names),
                        current_values(person, values, points, names), person.version)
                for key, value in values.items():
                    setattr(person, key, value)
                person.refresh_sort_key()
            touched = points is not None and sync_contact_points(session, person, points)
            touched = (names is not None and replace_tags(session, person, names)) or touched
            if touched and uid is not None:
                person.updated_at = utcnow()  # a new version: others see the record changed
            session.flush()
            return person_detail(person)

    def update_contact_points(self, uid: str, points: list[ContactInput],
                              expected_version: int | None = None) -> PersonDetail:
        """Replace the person's contact points in one transaction."""
        return self.save(uid, {}, points, None, expected_version)


# -- shared by the whole-record saves of persons and organisations ----------------------

FieldErrorMap = dict[str, tuple[str, dict[str, Any]]]


def collect(errors: FieldErrorMap, check: Callable[[], Any]) -> Any:
    """Run ``check``; on a ValidationError remember its fields and return None."""
    try:
        return check()
    except ValidationError as exc:
        for key, value in exc.errors.items():
            errors.setdefault(key, value)
        return None


def validated_points(items: list[ContactInput]) -> list[ContactPoint]:
    """Every contact point checked; errors keyed by kind and position (``email[2]``)."""
    points: list[ContactPoint] = []
    errors: FieldErrorMap = {}
    for index, item in enumerate(items):
        try:
            points.append(build_contact_point(item))
        except ValidationError as exc:
            for key, value in exc.errors.items():
                errors[f"{key}[{index}]"] = value
    if errors:
        raise ValidationError(errors)
    return points


def clean_tags(names: list[str]) -> list[str]:
    """Tag names checked, duplicates dropped, order kept."""
    result: list[str] = []
    for raw in names:
        try:
            name = validation.required_name("tags", raw, limit=100)
        except ValidationError as exc:
            code, values = exc.errors["tags"]
            raise ValidationError.single("tags", code, value=raw, **values) from exc
        if name not in result:
            result.append(name)
    return result


def validated_parts(fields: Callable[[], dict[str, Any]],
                    contact_points: list[ContactInput] | None, tags: list[str] | None
                    ) -> tuple[dict[str, Any], list[ContactPoint] | None, list[str] | None]:
    """Fields, contact points and tags all checked; one ValidationError with every error."""
    errors: FieldErrorMap = {}
    values = collect(errors, fields) or {}
    points = (collect(errors, lambda: validated_points(contact_points))
              if contact_points is not None else None)
    names = collect(errors, lambda: clean_tags(tags)) if tags is not None else None
    if errors:
        raise ValidationError(errors)
    return values, points, names


def plain_value(value: Any) -> Any:
    """A value as callers show it: enums as their value, records as their name."""
    if isinstance(value, StrEnum):
        return value.value
    name = getattr(value, "name", None)
    if isinstance(name, str) and hasattr(value, "uid"):
        return name
    return value


def contact_input(point: ContactPoint) -> ContactInput:
    return ContactInput(kind=point.kind.value, value=point.value, label=point.label.value,
                        preferred=point.preferred, verified_on=point.verified_on)


def conflict_values(values: dict[str, Any], points: list[ContactPoint] | None,
                    names: list[str] | None) -> dict[str, Any]:
    """What the caller wanted to save, as plain values (for the conflict dialog)."""
    mine = {k: plain_value(v) for k, v in values.items()}
    if points is not None:
        mine["contact_points"] = [contact_input(p) for p in points]
    if names is not None:
        mine["tags"] = list(names)
    return mine


def current_values(record: Any, values: dict[str, Any], points: list[ContactPoint] | None,
                   names: list[str] | None) -> dict[str, Any]:
    """The stored values of the same fields, as plain values."""
    theirs = {k: plain_value(getattr(record, k)) for k in values}
    if points is not None:
        theirs["contact_points"] = [contact_input(p) for p in record.contact_points]
    if names is not None:
        theirs["tags"] = [t.name for t in record.tags]
    return theirs


def _point_text(point: ContactPoint) -> str:
    star = " *" if point.preferred else ""
    return f"{point.kind.value} ({point.label.value}): {point.value}{star}"


def sync_contact_points(session: Session, owner: Any, points: list[ContactPoint]) -> bool:
    """Make the owner's contact points equal to ``points``; True if anything changed.

    A point with the same kind and value as an existing one updates it (its uid stays), so
    re-saving a dialog does not delete and re-create every contact point.
    """
    before = [_point_text(p) for p in owner.contact_points]
    unmatched = list(owner.contact_points)
    for new in points:
        match = next((p for p in unmatched if p.kind == new.kind and p.value == new.value),
                     None)
        if match is None:
            owner.contact_points.append(new)
            continue
        unmatched.remove(match)
        match.label = new.label
        match.preferred = new.preferred
        match.verified_on = new.verified_on
    for old in unmatched:
        owner.contact_points.remove(old)
    after = [_point_text(p) for p in owner.contact_points]
    if sorted(before) == sorted(after):
        return False
    record(session, owner, "contacts", {"contact_points": [before, after]})
    return True


def replace_tags(session: Session, owner: Any, names: list[str]) -> bool:
    """Give the owner exactly these tags; True (and an audit entry) if they changed."""
    old = [t.name for t in owner.tags]
    owner.tags = get_or_create_tags(session, names)
    new = [t.name for t in owner.tags]
    if sorted(old) == sorted(new):
        return False
    record(session, owner, "tags", {"tags": [old, new]})
    return True
