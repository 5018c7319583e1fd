"""Roles: who holds which title in which organisation, and who held it before."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import Organisation, Person, Role
from crm.errors import ConflictError, ValidationError
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
                .where(Role.title.icontains(title_contains, autoescape=True))
                .where(Person.archived_at.is_(None), Organisation.archived_at.is_(None))
            )
            if current_only:
                query = query.where(or_(Role.end_date.is_(None), Role.end_date > date.today()))
            roles = session.scalars(query.order_by(Person.sort_key)).all()
            return [role_row(r) for r in roles]

    # -- undo support (used by the Qt undo stack; every step is audited) -----------------

    def get(self, role_uid: str) -> RoleRow:
        with self._read() as session:
            return role_row(_role(session, role_uid))

    def undo_take_over(self, new_role_uid: str, old_role_uid: str,
                       old_until: date | None = None) -> RoleRow:
        """Take a handover back in one transaction: remove the successor's role and reopen
        the old one (its end date becomes ``old_until`` again, usually None).

        If either role changed since the handover (ended, edited, contact points added),
        raises ConflictError and changes nothing.
        """
        with self._write() as session:
            new = _role(session, new_role_uid)
            old = _role(session, old_role_uid)
            untouched = (
                old.end_date == new.start_date and new.end_date is None
                and new.organisation_id == old.organisation_id and new.title == old.title
                and new.verified_on is None and not new.contact_points
            )
            if not untouched:
                raise ConflictError(
                    "role", new.uid,
                    {"person": old.person.full_name, "title": old.title, "until": old_until},
                    {"person": new.person.full_name, "title": new.title,
                     "until": old.end_date},
                )
            session.delete(new)
            old.end_date = old_until
            mark_action(session, old, "undo_handover")
            session.flush()
            return role_row(old)

    def remove(self, role_uid: str, expected: RoleRow | None = None) -> None:
        """Delete a role entered by mistake (undo of "add role"); audited as a deletion.

        With ``expected`` (the role as it was added), a role that changed since raises
        ConflictError and is kept.
        """
        with self._write() as session:
            role = _role(session, role_uid)
            if expected is not None:
                now = (role.title, role.start_date, role.end_date, role.verified_on)
                then = (expected.title, expected.since, expected.until, expected.verified_on)
                if now != then or len(role.contact_points) != len(expected.contact_points):
                    keys = ("title", "since", "until", "verified_on")
                    raise ConflictError("role", role.uid, dict(zip(keys, then, strict=True)),
                                        dict(zip(keys, now, strict=True)), role.version)
            session.delete(role)


def _role(session: Session, role_uid: str) -> Role:
    role = session.scalars(
        select(Role).where(Role.uid == role_uid)
        .options(selectinload(Role.person), selectinload(Role.contact_points))
    ).one_or_none()
    if role is None:
        raise ValidationError.single("role", "not_found", ref=role_uid)
    return role
