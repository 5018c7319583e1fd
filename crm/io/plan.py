"""The import preview: what each record of a file will do, and why, before anything is written.

A record is matched to a person already in the database by its uid (also a uid merged away
into another person), then by an e-mail address, then by name and organisation. A match
that would change nothing is skipped as up to date; a second record for the same contact
in the same file is combined with the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import ContactPoint, MergedUid, Organisation, Person, Role
from crm.errors import ValidationError
from crm.i18n import _
from crm.io import ContactRecord, Point, ReadIssue
from crm.search.normalize import fold

REVIEW_TAG = "Import: prüfen"
CREATE, UPDATE, SKIP = "create", "update", "skip"
_PHONES = ("phone", "mobile", "fax")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return reason_text(self.code, self.values)


def _texts() -> dict[str, Callable[[], str]]:
    return {
        "matched_uid": lambda: _("same ID as {name}"),
        "matched_merged": lambda: _("merged earlier into {name}"),
        "matched_email": lambda: _("same e-mail address as {name}"),
        "matched_name": lambda: _("same name and organisation as {name}"),
        "new_record": lambda: _("not in the database yet"),
        "up_to_date": lambda: _("{name} is already up to date"),
        "combined": lambda: _("combined with {place} of the file"),
        "empty_record": lambda: _("no name, e-mail address, phone number or organisation"),
        "card_not_closed": lambda: _("the card is not closed (END:VCARD is missing)"),
        "unreadable_line": lambda: _("line {line} of the card cannot be read"),
        "no_name": lambda: _("the card has no name, organisation or e-mail address"),
        "photo_skipped": lambda: _("a photo was skipped"),
        "invalid_email": lambda: _('"{value}" is not a valid e-mail address and was left out'),
        "invalid_phone": lambda: _('"{value}" is not a valid phone number and was left out'),
        "invalid_value": lambda: _('"{value}" is not valid and was left out'),
        "named_by_contact": lambda: _("no name: named after {value} and tagged for review"),
        "birthday_in_notes": lambda: _("the birthday {value} was kept in the notes"),
        "invalid_name": lambda: _("the name cannot be used: {detail}"),
        "organisation_only": lambda: _("an organisation, not a person"),
        "gone_record": lambda: _("its ID belongs to a record that no longer exists"),
    }


def reason_text(code: str, values: dict[str, Any] | None = None) -> str:
    template = _texts().get(code)
    if template is None:
        return code
    try:
        return template().format(**(values or {}))
    except (KeyError, IndexError, ValueError):
        return code


def where_text(where: str, number: int) -> str:
    return (_("card {number}") if where == "card" else _("line {number}")).format(
        number=number)


@dataclass
class PlanEntry:
    """What one record will do: ``action`` create, update or skip, with reasons."""

    record: ContactRecord
    action: str
    name: str
    reasons: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    target_uid: str | None = None
    points: list[Point] = field(default_factory=list)  # checked and normalised
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    combined_into: PlanEntry | None = None
    parts: dict[str, Any] = field(default_factory=dict)  # what an update adds

    def reason_texts(self) -> list[str]:
        return [r.text() for r in self.reasons]


@dataclass
class ImportPlan:
    entries: list[PlanEntry]
    issues: list[ReadIssue]

    def count(self, action: str) -> int:
        return sum(1 for e in self.entries if e.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {"created": self.count(CREATE), "updated": self.count(UPDATE),
                "skipped": self.count(SKIP) + len(self.issues)}


# -- checking one record --------------------------------------------------------------------

def _checked_points(points: list[Point], warn: list[Reason]) -> list[Point]:
    from crm.services.contacts import checked_contact_value

    result: list[Point] = []
    seen: set[tuple[str, str]] = set()
    for point in points:
        try:
            _kind, _label, value = checked_contact_value(point.kind, point.value, point.label)
        except ValidationError as exc:
            code = next(iter(exc.errors.values()))[0]
            if point.kind == "email":
                warn.append(Reason("invalid_email", values={"value": point.value}))
            elif point.kind in _PHONES:
                warn.append(Reason("invalid_phone", values={"value": point.value}))
            else:
                warn.append(Reason("invalid_value", values={"value": point.value,
                                                            "code": code}))
            continue
        # (Valid: the kind and label are the enums' own values, as they came.)
        key = (point.kind, value.lower())
        if key not in seen:
            seen.add(key)
            result.append(point if value == point.value else
                          Point(point.kind, value, point.label, point.preferred))
    return result


def check_record(record: ContactRecord) -> PlanEntry:
    """Validate names and contact points; decide the name a nameless record gets."""
    entry = PlanEntry(record, CREATE, "")
    entry.warnings.extend(Reason(i.code, values=dict(i.values)) for i in record.issues)
    entry.points = _checked_points(record.points, entry.warnings)
    entry.tags = [t[:100] for t in dict.fromkeys(record.tags) if t.strip()]
    entry.notes = record.notes
    if record.birthday:
        line = _("Birthday: {date}").format(date=record.birthday)
        entry.notes = f"{entry.notes}\n{line}".strip()
        entry.warnings.append(Reason("birthday_in_notes", values={"value": record.birthday}))
    name = record.display_name()
    if not name and record.organisation and not record.title:
        record.is_organisation = True
    if record.is_organisation:
        name = record.organisation or name
    if not name:
        first = next((p for p in entry.points if p.kind == "email"), None) or next(
            (p for p in entry.points if p.kind in _PHONES), None)
        if first is None:
            entry.action = SKIP
            entry.reasons.append(Reason("empty_record"))
            return entry
        name = first.value
        entry.tags.append(REVIEW_TAG)
        entry.warnings.append(Reason("named_by_contact", values={"value": first.value}))
    elif "@" in name and name.lower() in {e.lower() for e in record.emails()}:
        entry.tags.append(REVIEW_TAG)
        entry.warnings.append(Reason("named_by_contact", values={"value": name}))
    try:
        entry.name = validation.required_name("full_name", name)
    except ValidationError as exc:
        entry.action = SKIP
        code, values = next(iter(exc.errors.values()))
        entry.reasons.append(Reason("invalid_name", values={"detail": code, **values}))
    return entry


# -- matching against the database --------------------------------------------------------------

@dataclass
class Existing:
    uid: str
    name: str
    points: set[tuple[str, str]]
    tags: set[str]
    roles: set[tuple[str, str]]  # (folded organisation, title)
    fields: dict[str, str]


class Matcher:
    """Lookups of the persons and organisations in the database, loaded once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.uids: dict[str, int] = {}
        self.merged: dict[str, str] = dict(session.execute(
            select(MergedUid.uid, MergedUid.kept_uid)).all())
        self.emails: dict[str, int] = {}
        self.names: dict[tuple[str, str], int] = {}
        self.orgs: dict[str, int] = {}
        self.org_uids: dict[str, int] = {}
        for pid, uid, name in session.execute(
                select(Person.id, Person.uid, Person.full_name)):
            self.uids[uid] = pid
            self.names.setdefault((fold(name), ""), pid)
        for oid, uid, name in session.execute(
                select(Organisation.id, Organisation.uid, Organisation.name)):
            self.orgs.setdefault(fold(name), oid)
            self.org_uids[uid] = oid
        for pid, value in session.execute(
                select(ContactPoint.person_id, ContactPoint.value)
                .where(ContactPoint.kind == "email", ContactPoint.person_id.is_not(None))
        ):
            self.emails.setdefault(value.lower(), pid)
        rows = session.execute(
            select(Role.person_id, Person.full_name, Organisation.name)
            .join(Person, Role.person_id == Person.id)
            .join(Organisation, Role.organisation_id == Organisation.id))
        with_roles: set[int] = set()
        for pid, person, org in rows:
            self.names.setdefault((fold(person), fold(org)), pid)
            with_roles.add(pid)
        self.names = {k: v for k, v in self.names.items() if k[1] or v not in with_roles}

    def person(self, entry: PlanEntry) -> tuple[int | None, str]:
        record = entry.record
        uid = record.uid.lower()
        if uid in self.merged:
            kept = self.uids.get(self.merged[uid])
            if kept is not None:
                return kept, "matched_merged"
        if uid in self.uids:
            return self.uids[uid], "matched_uid"
        for point in entry.points:
            if point.kind == "email" and point.value.lower() in self.emails:
                return self.emails[point.value.lower()], "matched_email"
        if self.names:  # (an empty database has none: no need to fold 50,000 names)
            name = fold(entry.name)
            for key in ((name, fold(record.organisation)), (name, "")):
                if key in self.names:  # a person without any role matches by name alone
                    return self.names[key], "matched_name"
        return None, "new_record"

    def load(self, ids: list[int]) -> dict[int, Existing]:
        found: dict[int, Existing] = {}
        for start in range(0, len(ids), 500):
            persons = self.session.scalars(
                select(Person).where(Person.id.in_(ids[start:start + 500])).options(
                    selectinload(Person.contact_points), selectinload(Person.tags),
                    selectinload(Person.roles).selectinload(Role.organisation))).all()
            for p in persons:
                found[p.id] = Existing(
                    p.uid, p.full_name,
                    {(c.kind.value, c.value.lower()) for c in p.contact_points},
                    {t.name for t in p.tags},
                    {(fold(r.organisation.name), r.title) for r in p.roles},
                    {"given_name": p.given_name or "", "family_name": p.family_name or "",
                     "salutation": p.salutation.value, "notes": p.notes})
        return found


def missing_parts(entry: PlanEntry, existing: Existing) -> dict[str, Any]:
    """What an update would add to an existing person (never overwriting a value)."""
    record = entry.record
    parts: dict[str, Any] = {}
    points = [p for p in entry.points if (p.kind, p.value.lower()) not in existing.points]
    if points:
        parts["points"] = points
    tags = [t for t in entry.tags if t not in existing.tags and t != REVIEW_TAG]
    if tags:
        parts["tags"] = tags
    if record.organisation and (fold(record.organisation), record.title) not in existing.roles:
        parts["role"] = (record.organisation, record.title)
    fields: dict[str, str] = {}
    for key in ("given_name", "family_name"):
        value = getattr(record, key)
        if value and not existing.fields[key]:
            fields[key] = value
    if record.salutation and existing.fields["salutation"] == "none":
        fields["salutation"] = record.salutation
    if entry.notes and entry.notes not in existing.fields["notes"]:
        fields["notes"] = f"{existing.fields['notes']}\n{entry.notes}".strip()
    if fields:
        parts["fields"] = fields
    return parts


def _file_key(entry: PlanEntry) -> list[tuple[str, str]]:
    keys = [("email", p.value.lower()) for p in entry.points if p.kind == "email"]
    if entry.record.uid:
        keys.append(("uid", entry.record.uid.lower()))
    if not entry.record.is_organisation and entry.name and not keys:
        keys.append(("name", f"{fold(entry.name)}|{fold(entry.record.organisation)}"))
    return keys


def build_plan(session: Session, records: list[ContactRecord], issues: list[ReadIssue],
               progress: Callable[[int, int], None] | None = None) -> ImportPlan:
    """Check and match every record; nothing is written."""
    planner = Planner(session)
    entries = [check_record(r) for r in records]
    for index, entry in enumerate(entries):
        planner.place(entry)
        if progress is not None and index % 2000 == 0:
            progress(index, len(entries))
    return planner.finish(issues)


class LateCombine(Exception):  # noqa: N818 - a signal to start over, not a failure
    """A record combines into an entry that was already handed out to be written."""


class Planner:
    """Matches checked entries one after the other: against the database (loaded once) and
    against the file's earlier records, which a duplicate is combined into."""

    def __init__(self, session: Session) -> None:
        self.matcher = Matcher(session)
        self.entries: list[PlanEntry] = []
        self.seen: dict[tuple[str, str], PlanEntry] = {}
        self.matched: dict[int, int] = {}

    def place(self, entry: PlanEntry) -> PlanEntry | None:
        """Plan one entry; the earlier one it was combined into, if any."""
        index = len(self.entries)
        self.entries.append(entry)
        if entry.action == SKIP:
            return None
        keys = _file_key(entry)
        earlier = next((self.seen[k] for k in keys if k in self.seen), None)
        if earlier is not None:
            _combine(earlier, entry)
            return earlier
        for key in keys:
            self.seen[key] = entry
        if entry.record.is_organisation:
            _plan_organisation(self.matcher, entry)
            return None
        pid, code = self.matcher.person(entry)
        if pid is not None:
            self.matched[index] = pid
        entry.reasons.append(_plain_reason(code))
        return None

    def finish(self, issues: list[ReadIssue]) -> ImportPlan:
        """The plan, with what each update of a known person adds."""
        existing = self.matcher.load(sorted(set(self.matched.values())))
        for index, pid in self.matched.items():
            _plan_update(self.entries[index], existing[pid])
        return ImportPlan(self.entries, issues)


class StreamPlanner(Planner):
    """The plan chunk by chunk, for an import that writes new persons while it checks the
    next records. A new person handed out is final unless a later record of the file
    combines into it: then :class:`LateCombine` is raised and the import starts over with
    :func:`build_plan` (duplicates within one file are rare; a file with organisation
    records takes that path from the start, see :func:`may_stream`)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.handed: set[int] = set()

    def chunk(self, records: list[ContactRecord]) -> list[PlanEntry]:
        """Check and match the records; the new persons among them, to be written now
        (updates of known persons wait for :meth:`finish`)."""
        first = len(self.entries)
        for record in records:
            entry = check_record(record)
            if entry.record.is_organisation:
                raise LateCombine
            earlier = self.place(entry)
            if earlier is not None and id(earlier) in self.handed:
                raise LateCombine
        new = [e for i, e in enumerate(self.entries[first:], start=first)
               if e.action == CREATE and i not in self.matched]
        self.handed.update(id(e) for e in new)
        return new


@lru_cache(maxsize=32)
def _plain_reason(code: str) -> Reason:
    """A reason without values, made once (they are frozen; 50,000 say "new_record")."""
    return Reason(code)


def may_stream(records: list[ContactRecord]) -> bool:
    """Whether a file can be planned chunk by chunk: it has no organisation records (they
    are written first, through the ORM, where persons may refer to them)."""
    return not any(r.is_organisation or (r.organisation and not r.title
                                         and not r.display_name()) for r in records)


def _plan_update(entry: PlanEntry, existing: Existing) -> None:
    entry.target_uid = existing.uid
    reason = entry.reasons[-1]
    entry.reasons[-1] = Reason(reason.code, values={"name": existing.name})
    entry.parts = missing_parts(entry, existing)
    if entry.parts:
        entry.action = UPDATE
    else:
        entry.action = SKIP
        entry.reasons = [Reason("up_to_date", values={"name": existing.name})]


def _plan_organisation(matcher: Matcher, entry: PlanEntry) -> None:
    entry.reasons.append(Reason("organisation_only"))
    uid = entry.record.uid.lower()
    oid = matcher.org_uids.get(uid) or matcher.orgs.get(fold(entry.name))
    if oid is not None:
        entry.action = SKIP
        entry.reasons = [Reason("up_to_date", values={"name": entry.name})]


def _combine(earlier: PlanEntry, entry: PlanEntry) -> None:
    entry.action = SKIP
    entry.reasons = [Reason("combined", values={
        "place": where_text(earlier.record.where, earlier.record.number)})]
    entry.combined_into = earlier
    have = {(p.kind, p.value.lower()) for p in earlier.points}
    earlier.points.extend(p for p in entry.points if (p.kind, p.value.lower()) not in have)
    earlier.tags.extend(t for t in entry.tags if t not in earlier.tags)
    if earlier.action == SKIP and earlier.target_uid:
        earlier.action = UPDATE
