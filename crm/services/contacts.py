"""Contact points and tags: shared by persons, organisations and roles."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm import validation
from crm.domain import ContactKind, ContactLabel, ContactPoint, Tag
from crm.errors import ValidationError
from crm.services.rows import ContactInput  # defined there, SQLAlchemy-free, for ui/


def _enum(field: str, enum: type, value: str) -> object:
    try:
        return _member(enum, value)
    except (ValueError, TypeError) as exc:
        raise ValidationError.single(field, "invalid_choice", value=value) from exc


@lru_cache(maxsize=256)
def _member(enum: type, value: str) -> object:
    return enum(value)  # (the import looks up kind and label for every contact point)


def checked_contact(data: ContactInput, field: str | None = None
                    ) -> tuple[ContactKind, ContactLabel, str]:
    """Validate and normalise one contact point (phones to E.164, emails checked): its kind,
    label and stored value, without building a mapped object (the import checks 50,000)."""
    return checked_contact_value(data.kind, data.value, data.label, field)


def checked_contact_value(kind_name: str, text: str, label_name: str,
                          field: str | None = None) -> tuple[ContactKind, ContactLabel, str]:
    """:func:`checked_contact` of the parts (the import has them without a ContactInput)."""
    kind = _enum(field or "kind", ContactKind, kind_name)
    label = _enum(field or "label", ContactLabel, label_name)
    name = field or kind.value  # type: ignore[attr-defined]
    if kind is ContactKind.EMAIL:
        value = validation.normalise_email(name, text)
    elif kind in _PHONE_KINDS:
        value = validation.normalise_phone(name, text)
    elif kind is ContactKind.POSTAL:
        value = validation.parse_postal(name, text)
    else:
        value = validation.required_name(name, text, limit=500)
    return kind, label, value  # type: ignore[return-value]


_PHONE_KINDS = frozenset((ContactKind.PHONE, ContactKind.MOBILE, ContactKind.FAX))


def build_contact_point(data: ContactInput, field: str | None = None) -> ContactPoint:
    """Validate and normalise one contact point (phones to E.164, emails checked)."""
    kind, label, value = checked_contact(data, field)
    return ContactPoint(
        kind=kind,
        label=label,
        value=value,
        preferred=data.preferred,
        verified_on=data.verified_on,
    )


def build_contact_points(items: list[ContactInput]) -> list[ContactPoint]:
    """Validate all, collecting every field error before raising."""
    points: list[ContactPoint] = []
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    for index, item in enumerate(items):
        try:
            points.append(build_contact_point(item))
        except ValidationError as exc:
            for key, value in exc.errors.items():
                errors.setdefault(key if key not in errors else f"{key}[{index}]", value)
    if errors:
        raise ValidationError(errors)
    return points


def get_or_create_tags(session: Session, names: list[str]) -> list[Tag]:
    tags: list[Tag] = []
    for raw in names:
        name = validation.required_name("tag", raw, limit=100)
        tag = session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
        if tag not in tags:
            tags.append(tag)
    return tags
