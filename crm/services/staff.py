"""Staff members of the network: who logs, who is assigned, who changed what."""

from __future__ import annotations

from sqlalchemy import select

from crm import validation
from crm.domain import StaffMember
from crm.errors import NotFoundError
from crm.services.base import Service
from crm.services.rows import StaffRow


def _row(s: StaffMember) -> StaffRow:
    return StaffRow(uid=s.uid, name=s.name, initials=s.initials)


def initials_from_name(name: str) -> str:
    parts = [p for p in name.replace(".", " ").replace("_", " ").split() if p]
    letters = "".join(p[0] for p in parts[:3]).upper()
    return letters or "XX"


def initials_for_login(login: str) -> str:
    """The staff initials of a server login: the login itself (upper case) when it is a
    short plain name such as ``ah`` or ``anna``, so that every login has its own staff
    member; otherwise the initials of its parts (``anna.schmidt`` → ``AS``)."""
    clean = login.strip()
    if 0 < len(clean) <= 10 and clean.replace("_", "").isalnum():
        return clean.upper()
    return initials_from_name(clean)


class StaffService(Service):
    def list(self) -> list[StaffRow]:
        with self._read() as session:
            return [_row(s) for s in session.scalars(select(StaffMember).order_by(
                StaffMember.name))]

    def ensure(self, initials: str, name: str | None = None) -> StaffRow:
        """The staff member with these initials, created if missing."""
        clean = validation.required_name("initials", initials, limit=10).upper()
        with self._write() as session:
            staff = session.scalar(select(StaffMember).where(StaffMember.initials == clean))
            if staff is None:
                staff = StaffMember(initials=clean, name=(name or clean).strip() or clean)
                session.add(staff)
                session.flush()
            return _row(staff)

    def for_login(self, login: str) -> StaffRow:
        """The staff member of a server login: the one created for it earlier (its name is
        the login), else a new one with the login's initials — or, when a colleague has
        those already, the next free variant (AH2, AH3 …), never someone else's."""
        wanted = initials_for_login(login)
        with self._write() as session:
            mine = session.scalar(select(StaffMember).where(StaffMember.name == login)
                                  .order_by(StaffMember.id).limit(1))
            if mine is not None:
                return _row(mine)
            taken = set(session.scalars(select(StaffMember.initials)))
            initials, number = wanted, 1
            while initials in taken:
                number += 1
                initials = f"{wanted[:10 - len(str(number))]}{number}"
            staff = StaffMember(initials=initials, name=login)
            session.add(staff)
            session.flush()
            return _row(staff)

    def by_initials(self, initials: str) -> StaffRow:
        with self._read() as session:
            staff = session.scalar(
                select(StaffMember).where(StaffMember.initials == initials.upper())
            )
            if staff is None:
                raise NotFoundError("staff", initials)
            return _row(staff)

    def id_of(self, initials: str) -> int | None:
        with self._read() as session:
            return session.scalar(
                select(StaffMember.id).where(StaffMember.initials == initials.upper())
            )
