"""Interactions (meetings, calls, letters …): the quick log, editing, undoable delete,
and the service face of timelines and "last contact" (queries in :mod:`.timeline`).

Each participant is stored with the organisation and role they held on the day of the
interaction, so the history reads as it was even after people change jobs. Inputs and
rows live in :mod:`crm.services.activity_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import (
    FollowUp,
    Interaction,
    InteractionKind,
    InteractionParticipant,
    Municipality,
    Organisation,
    Person,
    Project,
    Role,
    StaffMember,
)
from crm.errors import ConflictError, NotFoundError, ValidationError
from crm.services import refs, timeline
from crm.services.activity_rows import (
    DeletedInteraction,
    FollowUpInput,
    InteractionDetail,
    LogInput,
    LogSuggestion,
    SavedFollowUp,
    SavedParticipant,
    TimelineEntry,
    TimelineFilter,
)
from crm.services.audit import record
from crm.services.base import Service
from crm.services.dates import local_date, parse_day, parse_moment
from crm.services.followups import clean_follow_up_text, follow_up_row, staff_id_by_initials
from crm.services.projects import project_ref
from crm.services.rows import Ref
from crm.services.search import SearchService
from crm.services.timeline import interaction_kind, named_ref, participant_row

EDITABLE = ("kind", "occurred_at", "subject", "notes", "duration_minutes", "municipality",
            "project", "participants", "organisations")
MAX_DURATION = 7 * 24 * 60
TEXT_LIMIT = 5000  # at most this many interactions match a timeline's text filter
# crm.services.search scores 10 × tier rank + less than 10; ranks 0–2 are the fuzzy tiers.
_NOT_FUZZY = 30.0


# -- the rules ----------------------------------------------------------------------------

def role_on(person: Person, day: date, preferred: Collection[int] = ()) -> Role | None:
    """The role ``person`` held on ``day``; one in a ``preferred`` organisation wins,
    then the most recently started one."""
    held = [r for r in person.roles
            if (r.start_date is None or r.start_date <= day)
            and (r.end_date is None or r.end_date > day)]
    held.sort(key=lambda r: (r.organisation_id not in preferred,
                             -(r.start_date or date.min).toordinal(), r.id or 0))
    return held[0] if held else None


def _participant(person: Person, role: Role | None) -> InteractionParticipant:
    return InteractionParticipant(
        person=person, role=role, role_title=role.title if role else "",
        organisation=role.organisation if role else None)


def _duration(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_DURATION:
        raise ValidationError.single("duration_minutes", "out_of_range", value=value,
                                     minimum=0, maximum=MAX_DURATION)
    return value


def _follow_up_input(item: FollowUpInput | tuple[Any, ...]) -> FollowUpInput:
    return item if isinstance(item, FollowUpInput) else FollowUpInput(*item)


def _follow_ups(items: Sequence[FollowUpInput | tuple[Any, ...]], today: date
                ) -> list[tuple[date, str, str | None]]:
    result = []
    for index, raw in enumerate(items):
        item = _follow_up_input(raw)
        due = parse_day(f"due[{index}]", item.due, today=today, direction="future")
        if due is None:
            raise ValidationError.single(f"due[{index}]", "required")
        result.append((due, clean_follow_up_text(item.text), item.assignee))
    return result


# -- the service --------------------------------------------------------------------------

class InteractionService(Service):
    def log(self, data: LogInput, *, now: datetime | None = None,
            uid: str | None = None) -> InteractionDetail:
        """Store one interaction with its participants and follow-ups, all or nothing.

        ``uid`` (an entry logged offline, sent later) makes the call idempotent: if an
        interaction with that uid exists already, nothing is written and it is returned
        when it is the same entry (kind, moment, subject), else ConflictError says so.

        Raises:
            ValidationError: A bad kind, date, subject, notes, duration or follow-up.
            NotFoundError / AmbiguousError: A participant, organisation, municipality,
                project or assignee that does not exist or is not unique.
        """
        kind, when, subject, notes, duration, follow_ups = validation.collect(
            lambda: interaction_kind(data.kind),
            lambda: parse_moment("date", data.occurred_at, now=now),
            lambda: validation.required_name("subject", data.subject, limit=500),
            lambda: validation.notes("notes", data.notes),
            lambda: _duration(data.duration_minutes),
            lambda: _follow_ups(data.follow_ups, (now or datetime.now().astimezone()).date()),
        )
        if not data.participants and not data.organisations:
            raise ValidationError.single("participants", "required")
        with self._write() as session:
            if uid is not None and session.scalar(
                    select(Interaction.id).where(Interaction.uid == uid)) is not None:
                return _same_entry(self._detail(session, uid), kind.value, when, subject)
            interaction = Interaction(kind=kind, occurred_at=when, subject=subject, notes=notes,
                                      duration_minutes=duration,
                                      logged_by_id=self._ctx.staff_id())
            if uid is not None:
                interaction.uid = uid
            self._fill_context(session, interaction, data.participants, data.organisations,
                               data.municipality)
            if data.project:
                interaction.project = refs.resolve_project(session, data.project)
            first_person = next((p.person for p in interaction.participants), None)
            first_org = interaction.organisations[0] if interaction.organisations else None
            for due, text, assignee in follow_ups:
                staff_id = (staff_id_by_initials(session, assignee) if assignee
                            else self._ctx.staff_id())
                interaction.follow_ups.append(FollowUp(
                    due_on=due, text=text, assignee_id=staff_id, person=first_person,
                    organisation=first_org))
            session.add(interaction)
            session.flush()
            # Described from the objects just written: loading them again cost a third of
            # the whole call (six queries and their lazy loads).
            return _detail_of(interaction)

    def suggest(self, participants: Sequence[str], on: date | datetime | str | None = None,
                organisations: Sequence[str] | None = None) -> LogSuggestion:
        """The roles, organisations and municipality :meth:`log` would store (no writing)."""
        if isinstance(on, date) and not isinstance(on, datetime):
            on = datetime.combine(on, time(12)).astimezone()
        when = parse_moment("date", on)
        with self._read() as session:
            interaction = Interaction(occurred_at=when)
            self._fill_context(session, interaction, participants, organisations, None)
            result = LogSuggestion(
                participants=tuple(participant_row(p) for p in interaction.participants),
                organisations=tuple(Ref(o.uid, o.name) for o in interaction.organisations),
                municipality=named_ref(interaction.municipality),
            )
            session.expunge_all()
            return result

    def get(self, uid: str) -> InteractionDetail:
        with self._read() as session:
            return self._detail(session, uid)

    def update(self, uid: str, changes: Mapping[str, Any],
               expected_version: int | None = None) -> InteractionDetail:
        """Change the given fields (see EDITABLE); a stale version raises ConflictError.

        ``participants``/``organisations`` are lists of REFs replacing the current ones;
        participants already present keep the role recorded for them unless the day of
        the interaction changes.
        """
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValidationError({k: ("unknown_field", {}) for k in sorted(unknown)})
        values = _validated(changes)
        with self._write() as session:
            interaction = self._load(session, uid, lock=expected_version is not None)
            if expected_version is not None and expected_version != interaction.version:
                raise ConflictError("interaction", uid, dict(values), {},
                                    interaction.version)
            old_day = local_date(interaction.occurred_at)
            with session.no_autoflush:  # one flush: one new version, one audit entry
                for key in ("kind", "occurred_at", "subject", "notes", "duration_minutes"):
                    if key in values:
                        setattr(interaction, key, values[key])
                if "municipality" in values:
                    ref = values["municipality"]
                    interaction.municipality = (refs.resolve_municipality(session, ref)
                                                if ref else None)
                if "project" in values:
                    ref = values["project"]
                    interaction.project = refs.resolve_project(session, ref) if ref else None
                self._update_people(session, interaction, values, old_day)
            session.flush()
            return self._detail(session, uid)

    def delete(self, uid: str, expected_version: int | None = None) -> DeletedInteraction:
        """Delete the interaction and its follow-ups; the result undoes it (restore_deleted)."""
        with self._write() as session:
            interaction = self._load(session, uid, lock=expected_version is not None)
            if expected_version is not None and expected_version != interaction.version:
                raise ConflictError("interaction", uid, {}, {}, interaction.version)
            saved = _snapshot(interaction)
            for item in list(interaction.follow_ups):
                session.delete(item)
            session.delete(interaction)
            return saved

    def restore_deleted(self, saved: DeletedInteraction) -> InteractionDetail:
        """Undo :meth:`delete`: the interaction comes back with the same uid."""
        with self._write() as session:
            if session.scalar(select(Interaction.id).where(Interaction.uid == saved.uid)):
                raise ValidationError.single("record", "duplicate", value=saved.uid)
            interaction = _rebuild(session, saved)
            session.add(interaction)
            session.flush()
            record(session, interaction, "restore", {})
            return self._detail(session, saved.uid)

    # -- timelines and last contact -----------------------------------------------------

    def timeline(self, flt: TimelineFilter | None = None, *, offset: int = 0,
                 limit: int = 200, **filters: Any) -> list[TimelineEntry]:
        """Interactions and events, newest first, one page.

        Pass a :class:`TimelineFilter` or its fields as keywords
        (``timeline(person=uid, limit=50)``). Unknown REFs raise NotFoundError.
        """
        flt = flt or TimelineFilter(**filters)
        matching = self._text_matches(flt.text)
        with self._read() as session:
            return timeline.page(session, flt, matching, offset, limit)

    def timeline_count(self, flt: TimelineFilter | None = None, **filters: Any) -> int:
        flt = flt or TimelineFilter(**filters)
        matching = self._text_matches(flt.text)
        with self._read() as session:
            return timeline.count(session, flt, matching)

    def last_contacts(self, kind: str, uids: Sequence[str] | None = None
                      ) -> dict[str, date]:
        """The day of the last interaction (or attended/co-organised past event) per record.

        ``kind`` is "persons", "organisations", "municipalities" or "districts" (a district
        or independent city, by uid, including its towns). Records without contact are
        missing from the result; ``uids`` limits the result to these records.
        """
        if kind not in timeline.CONTACT_KINDS:
            raise ValidationError.single("kind", "invalid_choice_of", value=kind,
                                         choices=", ".join(timeline.CONTACT_KINDS))
        with self._read() as session:
            return timeline.last_contacts(session, kind, uids)

    # -- helpers -------------------------------------------------------------------------

    def _text_matches(self, text: str) -> list[str] | None:
        """Uids of interactions the search index finds for ``text`` (spelling-exact tiers:
        every word in a subject, notes, participant, organisation or place)."""
        if not text.strip():
            return None
        hits = SearchService(self._ctx).search(text, limit=TEXT_LIMIT, types={"interaction"})
        return [h.uid for h in hits if h.score >= _NOT_FUZZY]

    def _fill_context(self, session: Session, interaction: Interaction,
                      participant_refs: Sequence[str], org_refs: Sequence[str] | None,
                      municipality_ref: str | None) -> None:
        """Participants with their roles on the day; organisations and place by default."""
        persons = _unique([refs.resolve_person(session, r) for r in participant_refs])
        given = (None if org_refs is None else
                 _unique([refs.resolve_organisation(session, r) for r in org_refs]))
        day = local_date(interaction.occurred_at)
        preferred = {o.id for o in given or []}
        interaction.participants = [_participant(p, role_on(p, day, preferred))
                                    for p in persons]
        role_orgs = _unique([p.organisation for p in interaction.participants
                             if p.organisation is not None])
        interaction.organisations = given if given is not None else role_orgs
        if municipality_ref is None:
            places = [o.municipality for o in [*interaction.organisations, *role_orgs]
                      if o.municipality is not None]
            interaction.municipality = places[0] if places else None
        elif municipality_ref:
            interaction.municipality = refs.resolve_municipality(session, municipality_ref)

    def _update_people(self, session: Session, interaction: Interaction,
                       values: Mapping[str, Any], old_day: date) -> None:
        changes: dict[str, list[Any]] = {}
        day = local_date(interaction.occurred_at)
        if "organisations" in values:
            orgs = _unique([refs.resolve_organisation(session, r)
                            for r in values["organisations"]])
            old = [o.uid for o in interaction.organisations]
            if old != [o.uid for o in orgs]:
                changes["organisations"] = [old, [o.uid for o in orgs]]
                interaction.organisations = orgs
        if "participants" in values or day != old_day:
            old_people = [_participant_key(p) for p in interaction.participants]
            wanted = (_unique([refs.resolve_person(session, r) for r in values["participants"]])
                      if "participants" in values else
                      [p.person for p in interaction.participants if p.person is not None])
            kept = {p.person_id: p for p in interaction.participants if p.person_id}
            preferred = {o.id for o in interaction.organisations}
            erased = [p for p in interaction.participants if p.person_id is None]
            interaction.participants = erased + [
                kept[p.id] if p.id in kept and day == old_day
                else _participant(p, role_on(p, day, preferred)) for p in wanted]
            new_people = [_participant_key(p) for p in interaction.participants]
            if old_people != new_people:
                changes["participants"] = [old_people, new_people]
        if changes:
            interaction.updated_at = datetime.now(UTC)  # a new version for the parent
            record(session, interaction, "participants", changes)

    @staticmethod
    def _load(session: Session, uid: str, *, lock: bool = False) -> Interaction:
        query = (
            select(Interaction).where(Interaction.uid == uid).options(
                selectinload(Interaction.participants).selectinload(
                    InteractionParticipant.person),
                selectinload(Interaction.participants).selectinload(
                    InteractionParticipant.organisation),
                selectinload(Interaction.participants).selectinload(InteractionParticipant.role),
                selectinload(Interaction.organisations),
                selectinload(Interaction.follow_ups),
            ))
        # lock: hold the row for a version-checked change (see PersonService._load).
        found = session.scalar(query.with_for_update(of=Interaction) if lock else query)
        if found is None:
            raise NotFoundError("interaction", uid)
        return found

    def _detail(self, session: Session, uid: str) -> InteractionDetail:
        return _detail_of(self._load(session, uid))


def _detail_of(i: Interaction) -> InteractionDetail:
    return InteractionDetail(
        uid=i.uid, kind=i.kind.value, occurred_at=i.occurred_at,
        date=local_date(i.occurred_at), duration_minutes=i.duration_minutes,
        subject=i.subject, notes=i.notes,
        participants=tuple(participant_row(p) for p in i.participants),
        organisations=tuple(Ref(o.uid, o.name) for o in i.organisations),
        municipality=named_ref(i.municipality), project=project_ref(i.project),
        logged_by=i.logged_by.initials if i.logged_by else None,
        follow_ups=tuple(follow_up_row(f) for f in sorted(
            i.follow_ups, key=lambda f: (f.due_on, f.id))),
        version=i.version, created_at=i.created_at, updated_at=i.updated_at,
    )


def _same_entry(existing: InteractionDetail, kind: str, when: datetime, subject: str
                ) -> InteractionDetail:
    """An entry sent again: the stored one if it is the same, else a conflict."""
    mine = {"kind": kind, "occurred_at": when, "subject": subject}
    theirs = {"kind": existing.kind, "occurred_at": existing.occurred_at,
              "subject": existing.subject}
    if mine != theirs:
        raise ConflictError("interaction", existing.uid, mine, theirs, existing.version)
    return existing


def _unique(items: Sequence[Any]) -> list[Any]:
    seen: set[int] = set()
    result = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            result.append(item)
    return result


def _participant_key(p: InteractionParticipant) -> str:
    person = p.person.uid if p.person else "-"
    return f"{person}|{p.role_title}" if p.role_title else person


def _validated(changes: Mapping[str, Any]) -> dict[str, Any]:
    checks: dict[str, Callable[[Any], Any]] = {
        "kind": interaction_kind,
        "occurred_at": lambda v: parse_moment("date", v),
        "subject": lambda v: validation.required_name("subject", v, limit=500),
        "notes": lambda v: validation.notes("notes", v),
        "duration_minutes": _duration,
    }
    result: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, value in changes.items():
        try:
            result[key] = checks[key](value) if key in checks else value
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return result


# -- delete and restore -------------------------------------------------------------------

def _snapshot(i: Interaction) -> DeletedInteraction:
    return DeletedInteraction(
        uid=i.uid, kind=i.kind.value, occurred_at=i.occurred_at,
        duration_minutes=i.duration_minutes, subject=i.subject, notes=i.notes,
        municipality_uid=i.municipality.uid if i.municipality else None,
        project_uid=i.project.uid if i.project else None,
        logged_by_id=i.logged_by_id, created_at=i.created_at,
        participants=tuple(SavedParticipant(
            p.person.uid if p.person else None, p.role.uid if p.role else None, p.role_title,
            p.organisation.uid if p.organisation else None) for p in i.participants),
        organisation_uids=tuple(o.uid for o in i.organisations),
        follow_ups=tuple(SavedFollowUp(
            f.uid, f.due_on, f.text, f.assignee_id, f.done_at,
            f.person.uid if f.person else None,
            f.organisation.uid if f.organisation else None, f.created_at)
            for f in i.follow_ups),
    )


def _by_uid(session: Session, model: Any, uid: str | None) -> Any:
    if uid is None:
        return None
    return session.scalar(select(model).where(model.uid == uid))


def _rebuild(session: Session, s: DeletedInteraction) -> Interaction:
    """Records deleted in the meantime are left out (an erased person stays erased)."""
    interaction = Interaction(
        uid=s.uid, kind=InteractionKind(s.kind), occurred_at=s.occurred_at,
        duration_minutes=s.duration_minutes, subject=s.subject, notes=s.notes,
        municipality=_by_uid(session, Municipality, s.municipality_uid),
        project=_by_uid(session, Project, s.project_uid), created_at=s.created_at,
        logged_by=session.get(StaffMember, s.logged_by_id) if s.logged_by_id else None)
    interaction.participants = [InteractionParticipant(
        person=_by_uid(session, Person, p.person_uid), role=_by_uid(session, Role, p.role_uid),
        role_title=p.role_title, organisation=_by_uid(session, Organisation, p.organisation_uid))
        for p in s.participants]
    interaction.organisations = [o for o in (_by_uid(session, Organisation, u)
                                             for u in s.organisation_uids) if o is not None]
    interaction.follow_ups = [FollowUp(
        uid=f.uid, due_on=f.due_on, text=f.text, done_at=f.done_at, created_at=f.created_at,
        assignee=session.get(StaffMember, f.assignee_id) if f.assignee_id else None,
        person=_by_uid(session, Person, f.person_uid),
        organisation=_by_uid(session, Organisation, f.organisation_uid)) for f in s.follow_ups]
    return interaction


