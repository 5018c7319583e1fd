"""Follow-ups (Aufgaben): what someone promised to do after an interaction, and by when.

Open follow-ups are shown grouped as overdue, today, this week and later; marking one done
can be undone. Every follow-up links back to its interaction and the people in it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import FollowUp, Interaction, InteractionParticipant, StaffMember
from crm.errors import ConflictError, NotFoundError, ValidationError
from crm.services import refs
from crm.services.activity_rows import FollowUpGroups, FollowUpInput, FollowUpRow, group_by_due
from crm.services.audit import mark_action
from crm.services.base import Service
from crm.services.dates import local_date, parse_day
from crm.services.rows import Ref

MAX_TEXT = 2000


def clean_follow_up_text(value: str | None) -> str:
    text = validation.clean_text("follow_up", value, limit=MAX_TEXT, multiline=True)
    if not text:
        raise ValidationError.single("follow_up", "required")
    return text


def staff_id_by_initials(session: Session, initials: str) -> int:
    staff_id = session.scalar(
        select(StaffMember.id).where(StaffMember.initials == initials.strip().upper())
    )
    if staff_id is None:
        raise NotFoundError("staff", initials)
    return staff_id


def follow_up_row(f: FollowUp) -> FollowUpRow:
    interaction = f.interaction
    people: list[Ref] = []
    if interaction is not None:
        people = [Ref(p.person.uid, p.person.full_name)
                  for p in interaction.participants if p.person is not None]
    elif f.person is not None:
        people = [Ref(f.person.uid, f.person.full_name)]
    return FollowUpRow(
        uid=f.uid,
        due=f.due_on,
        text=f.text,
        assignee=f.assignee.initials if f.assignee else None,
        assignee_name=f.assignee.name if f.assignee else None,
        done=f.done_at is not None,
        done_at=f.done_at,
        interaction=Ref(interaction.uid, interaction.subject) if interaction else None,
        interaction_date=local_date(interaction.occurred_at) if interaction else None,
        people=tuple(people),
        organisation=Ref(f.organisation.uid, f.organisation.name) if f.organisation else None,
        version=f.version,
    )


def _loaded(query: Select[FollowUp]) -> Select[FollowUp]:
    return query.options(
        selectinload(FollowUp.assignee),
        selectinload(FollowUp.person),
        selectinload(FollowUp.organisation),
        selectinload(FollowUp.interaction)
        .selectinload(Interaction.participants)
        .selectinload(InteractionParticipant.person),
    )


class FollowUpService(Service):
    def add(self, data: FollowUpInput, *, interaction: str | None = None,
            person: str | None = None, organisation: str | None = None,
            uid: str | None = None) -> FollowUpRow:
        """A follow-up on its own or for an interaction (uid), person or organisation.

        ``uid`` (a follow-up created offline, sent later) makes the call idempotent: if a
        follow-up with that uid exists already, nothing is written and it is returned when
        it is the same one (due date, text), else ConflictError says so.
        """
        due, text = validation.collect(
            lambda: parse_day("due", data.due, direction="future"),
            lambda: clean_follow_up_text(data.text),
        )
        if due is None:
            raise ValidationError.single("due", "required")
        with self._write() as session:
            if uid is not None and session.scalar(
                    select(FollowUp.id).where(FollowUp.uid == uid)) is not None:
                return _same_follow_up(follow_up_row(self._load(session, uid)), due, text)
            item = FollowUp(due_on=due, text=text)
            if uid is not None:
                item.uid = uid
            staff_id = (staff_id_by_initials(session, data.assignee) if data.assignee
                        else self._ctx.staff_id())
            item.assignee = session.get(StaffMember, staff_id) if staff_id else None
            if interaction:
                item.interaction = self._interaction(session, interaction)
            if person:
                item.person = refs.resolve_person(session, person)
            if organisation:
                item.organisation = refs.resolve_organisation(session, organisation)
            session.add(item)
            session.flush()
            return follow_up_row(item)

    def get(self, uid: str) -> FollowUpRow:
        with self._read() as session:
            return follow_up_row(self._load(session, uid))

    def tasks(self, *, assignee: str | None = None, mine: bool = False,
             include_done: bool = False) -> list[FollowUpRow]:
        """Open follow-ups by due date (then done ones, newest first, if asked for).

        Args:
            assignee: Only this staff member's (initials).
            mine: Only the current staff member's.
            include_done: Done follow-ups too.
        """
        with self._read() as session:
            query = _loaded(select(FollowUp))
            staff_id = self._staff_filter(session, assignee, mine)
            if staff_id is not None:
                query = query.where(FollowUp.assignee_id == staff_id)
            if not include_done:
                query = query.where(FollowUp.done_at.is_(None))
            query = query.order_by(FollowUp.done_at.is_not(None), FollowUp.due_on,
                                   FollowUp.done_at.desc(), FollowUp.id)
            return [follow_up_row(f) for f in session.scalars(query)]

    def grouped(self, *, assignee: str | None = None, mine: bool = False,
                today: date | None = None) -> FollowUpGroups:
        rows = self.tasks(assignee=assignee, mine=mine)
        return group_by_due(rows, today or date.today())

    def overdue_for(self, staff: str | None = None, today: date | None = None
                    ) -> list[FollowUpRow]:
        """Open follow-ups past their due date, of ``staff`` (initials) or the current one."""
        cutoff = today or date.today()
        rows = self.tasks(assignee=staff, mine=staff is None)
        return [r for r in rows if r.due < cutoff]

    def set_done(self, uid: str, done: bool = True) -> FollowUpRow:
        """Mark done (or, with ``done=False``, open again: the undo of "done")."""
        with self._write() as session:
            item = self._load(session, uid)
            if (item.done_at is not None) != done:
                item.done_at = datetime.now(UTC) if done else None
                mark_action(session, item, "done" if done else "reopen")
            session.flush()
            return follow_up_row(item)

    def undo_done(self, uid: str) -> FollowUpRow:
        return self.set_done(uid, False)

    def toggle_done(self, uid: str) -> FollowUpRow:
        """What Space does in the task list."""
        return self.set_done(uid, not self.get(uid).done)

    def reschedule(self, uid: str, due: date | str,
                   expected_version: int | None = None) -> FollowUpRow:
        new_due = parse_day("due", due, direction="future")
        if new_due is None:
            raise ValidationError.single("due", "required")
        with self._write() as session:
            item = self._load(session, uid)
            _check_version(item, expected_version)
            item.due_on = new_due
            session.flush()
            return follow_up_row(item)

    def reassign(self, uid: str, initials: str | None,
                 expected_version: int | None = None) -> FollowUpRow:
        """Give the follow-up to another staff member (None: to the current one)."""
        with self._write() as session:
            item = self._load(session, uid)
            _check_version(item, expected_version)
            staff_id = (staff_id_by_initials(session, initials) if initials
                        else self._ctx.staff_id())
            item.assignee = session.get(StaffMember, staff_id) if staff_id else None
            session.flush()
            return follow_up_row(item)

    # -- helpers -------------------------------------------------------------------------

    def _staff_filter(self, session: Session, assignee: str | None, mine: bool) -> int | None:
        if assignee:
            return staff_id_by_initials(session, assignee)
        if mine:
            return self._ctx.staff_id() or -1
        return None

    @staticmethod
    def _interaction(session: Session, uid: str) -> Interaction:
        found = session.scalar(select(Interaction).where(Interaction.uid == uid))
        if found is None:
            raise NotFoundError("interaction", uid)
        return found

    @staticmethod
    def _load(session: Session, uid: str) -> FollowUp:
        item = session.scalar(_loaded(select(FollowUp)).where(FollowUp.uid == uid))
        if item is None:
            raise NotFoundError("follow_up", uid)
        return item


def _check_version(item: FollowUp, expected: int | None) -> None:
    if expected is not None and expected != item.version:
        raise ConflictError("follow_up", item.uid, {}, {}, item.version)


def _same_follow_up(existing: FollowUpRow, due: date, text: str) -> FollowUpRow:
    """A follow-up sent again: the stored one if it is the same, else a conflict."""
    mine = {"due": due, "text": text}
    theirs = {"due": existing.due, "text": existing.text}
    if mine != theirs:
        raise ConflictError("follow_up", existing.uid, mine, theirs, existing.version)
    return existing
