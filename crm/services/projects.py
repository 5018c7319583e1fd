"""Funded projects (Förderprojekte) that interactions and events belong to."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.config import Preferences, save_preferences
from crm.domain import Project
from crm.errors import ValidationError
from crm.services import refs
from crm.services.activity_rows import ProjectRow
from crm.services.base import Service
from crm.services.followups import staff_id_by_initials
from crm.services.rows import Ref


def project_row(p: Project) -> ProjectRow:
    return ProjectRow(
        uid=p.uid,
        name=p.name,
        funder=Ref(p.funder.uid, p.funder.name) if p.funder else None,
        start_on=p.start_on,
        end_on=p.end_on,
        number=p.number,
        responsible=p.responsible.initials if p.responsible else None,
        version=p.version,
    )


def project_ref(p: Project | None) -> Ref | None:
    return Ref(p.uid, p.name) if p is not None else None


def remember_last_project(prefs: Preferences, uid: str) -> None:
    """Store the project the quick log offers next time (in the preferences file)."""
    if prefs.last_project_uid != uid:
        prefs.last_project_uid = uid
        save_preferences(prefs)


class ProjectService(Service):
    def add(self, name: str, *, funder: str | None = None, start: date | str | None = None,
            end: date | str | None = None, number: str = "",
            responsible: str | None = None) -> ProjectRow:
        """A new project; ``funder`` is an organisation REF, ``responsible`` initials."""
        clean, start_on, end_on, clean_number = validation.collect(
            lambda: validation.required_name("name", name),
            lambda: validation.parse_date("from", start),
            lambda: validation.parse_date("to", end),
            lambda: validation.clean_text("number", number, limit=100),
        )
        if start_on and end_on and end_on < start_on:
            raise ValidationError.single("to", "ends_before_starts")
        with self._write() as session:
            project = Project(name=clean, start_on=start_on, end_on=end_on, number=clean_number)
            if funder:
                project.funder = refs.resolve_organisation(session, funder)
            if responsible:
                project.responsible_id = staff_id_by_initials(session, responsible)
            session.add(project)
            session.flush()
            return project_row(self._load(session, project.uid))

    def get(self, ref: str) -> ProjectRow:
        with self._read() as session:
            return project_row(self._load(session, ref))

    def find(self, uid: str) -> ProjectRow | None:
        """The project with this uid, or None (a remembered project may have gone)."""
        if not uid:
            return None
        with self._read() as session:
            found = session.scalar(_loaded().where(Project.uid == uid))
            return project_row(found) if found else None

    def last_used(self, prefs: Preferences) -> ProjectRow | None:
        """The project the quick log offers first (None if none or gone)."""
        return self.find(prefs.last_project_uid)

    def remember(self, prefs: Preferences, uid: str) -> None:
        """Offer this project first next time (writes the preferences file)."""
        remember_last_project(prefs, uid)

    def projects(self, *, active_on: date | None = None) -> list[ProjectRow]:
        """All projects by name, or those running on ``active_on``."""
        with self._read() as session:
            rows = [project_row(p) for p in session.scalars(_loaded())]
        rows.sort(key=lambda r: (r.name.casefold(), r.uid))
        if active_on is not None:
            rows = [r for r in rows if r.active_on(active_on)]
        return rows

    @staticmethod
    def _load(session: Session, ref: str) -> Project:
        found = session.scalar(_loaded().where(Project.uid == ref))
        return found if found is not None else refs.resolve_project(session, ref)


def _loaded() -> Select[Project]:
    return select(Project).options(selectinload(Project.funder),
                                   selectinload(Project.responsible))
