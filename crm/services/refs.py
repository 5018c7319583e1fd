"""Resolve a REF typed by a user (uid, name, AGS) to exactly one record."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm.domain import Event, Municipality, Organisation, Person, Project
from crm.errors import AmbiguousError, NotFoundError
from crm.search.normalize import fold, sort_key

T = TypeVar("T", Person, Organisation, Municipality, Event, Project)
_MAX_CANDIDATES = 10


def _pick(kind: str, ref: str, exact: list[Any], partial: list[Any], label: Any) -> Any:
    for group in (exact, partial):
        if len(group) == 1:
            return group[0]
        if len(group) > 1:
            raise AmbiguousError(kind, ref, [label(x) for x in group[:_MAX_CANDIDATES]])
    raise NotFoundError(kind, ref)


def _by_uid(session: Session, model: type[T], ref: str) -> T | None:
    if len(ref) == 36 and ref.count("-") == 4:
        return session.scalar(select(model).where(model.uid == ref.lower()))
    return None


def resolve_person(session: Session, ref: str) -> Person:
    ref = ref.strip()
    found = _by_uid(session, Person, ref)
    if found:
        return found
    key = fold(ref)
    if not key:
        raise NotFoundError("person", ref)
    candidates = session.scalars(
        select(Person)
        .where(Person.archived_at.is_(None))
        .where(
            or_(
                Person.sort_key.contains(key, autoescape=True),
                Person.full_name == ref,
            )
        )
        .limit(200)
    ).all()
    exact = [p for p in candidates if p.full_name == ref or fold(p.full_name) == key]
    partial = [p for p in candidates if key in fold(p.full_name)]
    return _pick("person", ref, exact, partial, lambda p: f"{p.full_name} ({p.uid})")


def resolve_organisation(session: Session, ref: str) -> Organisation:
    ref = ref.strip()
    found = _by_uid(session, Organisation, ref)
    if found:
        return found
    key = fold(ref)
    if not key:
        raise NotFoundError("organisation", ref)
    candidates = session.scalars(
        select(Organisation)
        .where(Organisation.archived_at.is_(None))
        .where(
            or_(
                Organisation.sort_key.contains(key, autoescape=True),
                Organisation.short_name == ref,
            )
        )
        .limit(200)
    ).all()
    exact = [
        o for o in candidates
        if fold(o.name) == key or (o.short_name and fold(o.short_name) == key)
    ]
    partial = [o for o in candidates if key in fold(o.name)]
    return _pick("organisation", ref, exact, partial, lambda o: f"{o.name} ({o.uid})")


def resolve_municipality(session: Session, ref: str) -> Municipality:
    """By uid, AGS, full name, or name without the suffix ("Gera" for "Gera, Stadt")."""
    ref = ref.strip()
    found = _by_uid(session, Municipality, ref)
    if found:
        return found
    if ref.isdigit():
        by_ags = session.scalar(select(Municipality).where(Municipality.ags == ref))
        if by_ags:
            return by_ags
        raise NotFoundError("municipality", ref)
    key = sort_key(ref)
    if not key:
        raise NotFoundError("municipality", ref)
    candidates = session.scalars(
        select(Municipality).where(Municipality.sort_key.startswith(key, autoescape=True))
    ).all()
    exact = [m for m in candidates if fold(m.name) == key]
    short = [m for m in candidates if fold(m.short_name) == key]
    if not exact and short:
        exact = short
    if not exact:
        # Districts are stored as "Landkreis Altenburger Land"; users type "Altenburger Land".
        exact = list(session.scalars(
            select(Municipality).where(Municipality.sort_key == f"landkreis {key}")
        ))
    partial = candidates if len(candidates) <= _MAX_CANDIDATES * 5 else candidates[:50]
    return _pick("municipality", ref, exact, list(partial), lambda m: f"{m.name} ({m.ags})")


def resolve_event(session: Session, ref: str) -> Event:
    ref = ref.strip()
    found = _by_uid(session, Event, ref)
    if found:
        return found
    key = fold(ref)
    candidates = [e for e in session.scalars(select(Event)).all() if key and key in fold(e.title)]
    exact = [e for e in candidates if fold(e.title) == key]
    return _pick("event", ref, exact, candidates, lambda e: f"{e.title} ({e.uid})")


def resolve_project(session: Session, ref: str) -> Project:
    ref = ref.strip()
    found = _by_uid(session, Project, ref)
    if found:
        return found
    key = fold(ref)
    candidates = [
        p for p in session.scalars(select(Project)).all()
        if key and (key in fold(p.name) or p.number == ref)
    ]
    exact = [p for p in candidates if fold(p.name) == key or p.number == ref]
    return _pick("project", ref, exact, candidates, lambda p: f"{p.name} ({p.uid})")
