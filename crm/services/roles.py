"""Roles: who holds which title in which organisation, and who held it before."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from crm import validation
from crm.domain import Organisation, Person, Role
from crm.errors import ValidationError
from crm.services import refs
from crm.services.audit import mark_action
from crm.services.base import Service
from crm.services.contacts import ContactInput, build_contact_points
from crm.services.convert import role_row
from crm.services.rows import RoleRow


class RoleService(Service):
    def add(self, person_ref: str, organisation_ref: str, title: str,
            since: date | str | None = None, contact_points: list[ContactInput] | None = None
            ) -> RoleRow:
        clean_title = validation.required_name("title", title, limit=200)
        start = validation.parse_date("since", since)
        points = build_contact_points(contact_points or [])
        with self._write() as session:
            person = refs.resolve_person(session, person_ref)
            org = refs.resolve_organisation(session, organisation_ref)
            role = Role(person=person, organisation=org, title=clean_title, start_date=start)
            role.contact_points.extend(points)
            session.add(role)
            session.flush()
            return role_row(role)

    def end(self, person_ref: str, organisation_ref: str, on: date | str | None = None,
            title: str | None = None) -> list[RoleRow]:
        """End the person's current roles in the organisation (or just the titled one)."""
        end = validation.parse_date("on", on) or date.today()
        with self._write() as session:
            person = refs.resolve_person(session, person_ref)
            org = refs.resolve_organisation(session, organisation_ref)
            roles = [
                r for r in person.roles
                if r.organisation_id == org.id and r.is_current and (not title or r.title == title)
            ]
            if not roles:
                raise ValidationError.single("role", "no_current_role")
            for role in roles:
                if role.start_date and end < role.start_date:
                    raise ValidationError.single("on", "end_before_start")
                role.end_date = end
                mark_action(session, role, "end")
            session.flush()
            return [role_row(r) for r in roles]

    def take_over(self, role_uid: str, new_person_ref: str, on: date | str | None = None
                  ) -> RoleRow:
        """End ``role`` and give the same title in the same organisation to another person."""
        when = validation.parse_date("on", on) or date.today()
        with self._write() as session:
            old = session.scalars(select(Role).where(Role.uid == role_uid)).one_or_none()
            if old is None:
                raise ValidationError.single("role", "not_found", ref=role_uid)
            successor = refs.resolve_person(session, new_person_ref)
            if successor.id == old.person_id:
                raise ValidationError.single("person", "same_person")
            old.end_date = when
            mark_action(session, old, "handover")
            new = Role(person=successor, organisation_id=old.organisation_id, title=old.title,
                       start_date=when)
            session.add(new)
            session.flush()
            return role_row(new)

    def update(self, role_uid: str, *, title: str | None = None,
               since: date | str | None = None, until: date | str | None = None,
               verified_on: date | str | None = None) -> RoleRow:
        with self._write() as session:
            role = session.scalars(select(Role).where(Role.uid == role_uid)).one_or_none()
            if role is None:
                raise ValidationError.single("role", "not_found", ref=role_uid)
            if title is not None:
                role.title = validation.required_name("title", title, limit=200)
            if since is not None:
                role.start_date = validation.parse_date("since", since)
            if until is not None:
                role.end_date = validation.parse_date("until", until)
            if verified_on is not None:
                role.verified_on = validation.parse_date("verified_on", verified_on)
            session.flush()
            return role_row(role)

    def history(self, organisation_ref: str, title: str | None = None) -> list[RoleRow]:
        """All holders of roles in the organisation: current first, then former, newest first."""
        with self._read() as session:
            org = refs.resolve_organisation(session, organisation_ref)
            query = select(Role).where(Role.organisation_id == org.id)
            if title:
                query = query.where(Role.title == title)
            roles = session.scalars(
                query.options(selectinload(Role.person), selectinload(Role.contact_points))
            ).all()
            ordered = sorted(roles, key=lambda r: (not r.is_current,
                                                   -(r.start_date or date.min).toordinal()))
            return [role_row(r) for r in ordered]

    def holders(self, title_contains: str, *, current_only: bool = True) -> list[RoleRow]:
        """Holders of a title across all organisations ("Integrationsbeauftragte")."""
        with self._read() as session:
            query = (
                select(Role)
                .join(Role.person)
                .join(Role.organisation)
                .where(Role.title.contains(title_contains, autoescape=True))
                .where(Person.archived_at.is_(None), Organisation.archived_at.is_(None))
            )
            if current_only:
                query = query.where(or_(Role.end_date.is_(None), Role.end_date > date.today()))
            roles = session.scalars(query.order_by(Person.sort_key)).all()
            return [role_row(r) for r in roles]
