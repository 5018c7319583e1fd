"""Löschung (DSGVO Art. 17): remove a person for good, after a plan that says what goes.

:func:`plan` reads everything the erasure would touch, without writing; :func:`erase`
carries it out in the caller's transaction:

- the person's record, contact points, roles (with their contact points), tags, consents
  and event attendances are deleted;
- in interactions they took part in, their entry becomes "deleted person" (``person_id``
  NULL, no role): interactions with other participants or organisations stay, those that
  were about them alone are deleted with their follow-ups;
- follow-ups about them lose the link;
- audit entries about their records keep what happened and when, but point to a
  pseudonymous marker and lose their values; their name, contact values and uids are
  replaced by the marker in every other audit entry and in import/merge history;
- texts of other records that mention them (notes, subjects, saved filters) are listed as
  :class:`Mention`\\ s; those the user ticks are redacted in the same transaction;
- the search index is rebuilt from the remaining tables, which also empties the FTS
  shadow tables and the ``search_terms`` word list of every word of theirs.

What is freed in the file, its WAL and the search shadow tables is wiped afterwards by
:func:`wipe_free_space` (``secure_delete``, ``VACUUM``, ``wal_checkpoint(TRUNCATE)``), which
needs a connection outside any transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from anyascii import anyascii
from sqlalchemy import Engine, Table, or_, select, update
from sqlalchemy.orm import Session, selectinload

from crm.domain import (
    AuditEntry,
    Consent,
    DistributionList,
    Event,
    EventAttendee,
    FollowUp,
    Interaction,
    InteractionParticipant,
    Organisation,
    Person,
    Role,
)
from crm.domain.interactions import interaction_organisation
from crm.i18n import _
from crm.persistence import dialect
from crm.search import index

EXCERPT = 60  # characters of context on each side of a mention
_MIN_FAMILY = 4  # a family name alone counts as a mention from this length on


@dataclass(frozen=True, slots=True)
class Mention:
    """A text of another record that names the person."""

    key: str  # "<record_type>:<uid>:<field>": what to pass to erase() to redact it
    record_type: str
    record_uid: str
    field: str
    title: str  # the record as the user knows it (subject, name, title)
    excerpt: str
    full_name: bool  # the whole name matched (not only the family name): redact by default


@dataclass(frozen=True, slots=True)
class InteractionItem:
    uid: str
    occurred_at: datetime
    subject: str


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    person_uid: str
    name: str
    version: int  # the person's version when planned: a change since refuses the erasure
    contact_points: tuple[str, ...]
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    consents: int
    attendances: tuple[str, ...]
    interactions_kept: tuple[InteractionItem, ...]  # stay, the person shown as deleted
    interactions_deleted: tuple[InteractionItem, ...]  # about them alone: deleted
    follow_ups: int  # linked to them: unlinked (or deleted with their interaction)
    audit_entries: int  # about their records: pseudonymised
    history_entries: int  # other audit, import and merge entries naming them: scrubbed
    mentions: tuple[Mention, ...]

    def default_redactions(self) -> frozenset[str]:
        return frozenset(m.key for m in self.mentions if m.full_name)


@dataclass(frozen=True, slots=True)
class ErasureResult:
    marker: str  # the pseudonym that replaced them in the audit trail
    deleted: dict[str, int]
    redacted: int
    wiped: bool = False  # free space wiped and the WAL truncated (see wipe_free_space)


# -- what identifies the person ---------------------------------------------------------

def name_variants(person: Person) -> tuple[list[str], list[str]]:
    """(full-name spellings, family-name-only spellings), longest first.

    Full spellings: the name as written, the transliteration, given + family in both
    orders, and each in Latin letters ("Sahin" for "Şahin").
    """
    given, family = (person.given_name or "").strip(), (person.family_name or "").strip()
    full = {person.full_name.strip(), (person.transliteration or "").strip()}
    if given and family:
        full |= {f"{given} {family}", f"{family} {given}", f"{family}, {given}"}
    full |= {anyascii(v) for v in full}
    partial = {family, anyascii(family)} if len(family) >= _MIN_FAMILY else set()
    ordered = sorted((v for v in full if len(v) >= 3), key=len, reverse=True)
    return ordered, sorted((v for v in partial - full if v), key=len, reverse=True)


def _pattern(variants: Iterable[str]) -> re.Pattern[str] | None:
    words = [re.escape(v) for v in variants if v]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def marker_text() -> str:
    """What a redacted name reads as in a note."""
    return _("[deleted person]")


def mention_text(mention: Mention) -> str:
    """One line for a mention: the record, what it is called, and the text around it."""
    from crm.messages import value_label

    return _("{kind} “{title}” – {excerpt}").format(
        kind=value_label("record_type", mention.record_type), title=mention.title,
        excerpt=mention.excerpt)


def new_pseudonym() -> str:
    return f"erased-{uuid.uuid4().hex[:16]}"


# -- the plan ---------------------------------------------------------------------------

def load_person(session: Session, person_id: int) -> Person:
    return session.scalars(
        select(Person).where(Person.id == person_id).options(
            selectinload(Person.contact_points), selectinload(Person.tags),
            selectinload(Person.roles).selectinload(Role.organisation),
            selectinload(Person.roles).selectinload(Role.contact_points))
    ).one()


def record_uids(session: Session, person: Person) -> set[str]:
    """The uids of the person's record and of everything that belongs to it alone."""
    uids = {person.uid}
    uids |= {cp.uid for cp in person.contact_points}
    for role in person.roles:
        uids.add(role.uid)
        uids |= {cp.uid for cp in role.contact_points}
    uids |= set(session.scalars(select(Consent.uid).where(Consent.person_id == person.id)))
    return uids


def identifying_strings(person: Person) -> list[str]:
    """Names and contact values to remove from history texts, longest first."""
    full, partial = name_variants(person)
    # The family name alone too: a history text that names only it still names them (a
    # namesake's old entry may read "[deleted person]" then; the record itself is kept).
    values = set(full) | set(partial)
    for point in [*person.contact_points, *(cp for r in person.roles for cp in r.contact_points)]:
        if len(point.value.strip()) >= 5:
            values.add(point.value.strip())
    return sorted(values, key=len, reverse=True)


def _interactions(session: Session, person_id: int) -> tuple[list[Interaction],
                                                              list[Interaction]]:
    """(kept, deleted): kept when someone or some organisation else took part too."""
    ids = list(session.scalars(select(InteractionParticipant.interaction_id)
                               .where(InteractionParticipant.person_id == person_id)
                               .distinct()))
    if not ids:
        return [], []
    others = set(session.scalars(
        select(InteractionParticipant.interaction_id).where(
            InteractionParticipant.interaction_id.in_(ids),
            or_(InteractionParticipant.person_id.is_(None),
                InteractionParticipant.person_id != person_id))))
    others |= set(session.scalars(
        select(interaction_organisation.c.interaction_id)
        .where(interaction_organisation.c.interaction_id.in_(ids))))
    found = session.scalars(select(Interaction).where(Interaction.id.in_(ids))
                            .order_by(Interaction.occurred_at, Interaction.id)).all()
    return [i for i in found if i.id in others], [i for i in found if i.id not in others]


def _item(interaction: Interaction) -> InteractionItem:
    return InteractionItem(interaction.uid, interaction.occurred_at, interaction.subject)


def _excerpt(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - EXCERPT), min(len(text), match.end() + EXCERPT)
    snippet = " ".join(text[start:end].split())
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


# (model, field, title attribute) of texts that may name a person
_TEXTS: tuple[tuple[Any, str, str], ...] = (
    (Person, "notes", "full_name"),
    (Organisation, "notes", "name"),
    (Interaction, "subject", "subject"),
    (Interaction, "notes", "subject"),
    (Event, "title", "title"),
    (Event, "notes", "title"),
    (FollowUp, "text", "text"),
    (DistributionList, "criteria", "name"),
)


def find_mentions(session: Session, person: Person,
                  skip: Collection[int] = ()) -> list[Mention]:
    """Texts of other records naming the person (``skip``: interactions deleted anyway)."""
    full, partial = name_variants(person)
    full_re, any_re = _pattern(full), _pattern(full + partial)
    if any_re is None:
        return []
    mentions = []
    for model, field, title_attr in _TEXTS:
        column = getattr(model, field)
        # Case-insensitive like the pattern (PostgreSQL's LIKE is case-sensitive).
        clauses = [column.icontains(v, autoescape=True) for v in full + partial]
        clauses += [column.icontains(v.lower(), autoescape=True) for v in full + partial]
        query = select(model).where(or_(*clauses))
        if model is Person:
            query = query.where(Person.id != person.id)
        for record in session.scalars(query):
            if model is Interaction and record.id in skip:
                continue
            text = getattr(record, field) or ""
            match = any_re.search(text)
            if match is None:
                continue
            kind = model.__tablename__
            title = str(getattr(record, title_attr) or "")
            mentions.append(Mention(
                f"{kind}:{record.uid}:{field}", kind, record.uid, field,
                " ".join(title.split())[:120], _excerpt(text, match),
                bool(full_re and full_re.search(text))))
    return mentions


def _history_rows(session: Session, strings: list[str], uids: set[str]) -> int:
    """Audit entries of other records (and import/merge history) that name the person."""
    needles = strings + sorted(uids)
    if not needles:
        return 0
    count = 0
    for table, column, owner in _history_columns():
        clauses = [column.icontains(s, autoescape=True) for s in needles]
        query = select(column).select_from(table).where(or_(*clauses))
        if owner is not None:
            query = query.where(owner.not_in(uids))
        count += len(session.execute(query).all())
    return count


def _history_columns() -> list[tuple[Any, Any, Any]]:
    """(table, text column, record-uid column or None) of the history texts."""
    columns: list[tuple[Any, Any, Any]] = [
        (AuditEntry.__table__, AuditEntry.__table__.c.changes,
         AuditEntry.__table__.c.record_uid)]
    try:
        from crm.domain.imports import ImportedRecord, MergedUid
    except ImportError:  # a Brücke without import history
        return columns
    columns.append((ImportedRecord.__table__, ImportedRecord.__table__.c.changes,
                    ImportedRecord.__table__.c.record_uid))
    columns.append((MergedUid.__table__, MergedUid.__table__.c.snapshot,
                    MergedUid.__table__.c.kept_uid))
    return columns


def plan(session: Session, person: Person) -> ErasurePlan:
    """Everything :func:`erase` would do to ``person``; nothing is written."""
    kept, deleted = _interactions(session, person.id)
    uids = record_uids(session, person)
    attendances = session.execute(
        select(Event.title).join(EventAttendee, EventAttendee.event_id == Event.id)
        .where(EventAttendee.person_id == person.id).order_by(Event.starts_at)).scalars()
    follow_ups = session.scalars(select(FollowUp.id).where(
        or_(FollowUp.person_id == person.id,
            FollowUp.interaction_id.in_([i.id for i in deleted])))).all()
    audit = session.scalars(select(AuditEntry.id).where(AuditEntry.record_uid.in_(uids))).all()
    return ErasurePlan(
        person_uid=person.uid, name=person.full_name, version=person.version,
        contact_points=tuple(cp.value for cp in person.contact_points),
        roles=tuple(f"{r.title}, {r.organisation.name}".strip(", ") for r in person.roles),
        tags=tuple(t.name for t in person.tags),
        consents=len(session.scalars(select(Consent.id)
                                     .where(Consent.person_id == person.id)).all()),
        attendances=tuple(attendances),
        interactions_kept=tuple(_item(i) for i in kept),
        interactions_deleted=tuple(_item(i) for i in deleted),
        follow_ups=len(set(follow_ups)),
        audit_entries=len(audit),
        history_entries=_history_rows(session, identifying_strings(person), uids),
        mentions=tuple(find_mentions(session, person, {i.id for i in deleted})),
    )


# -- the erasure ------------------------------------------------------------------------

def erase(session: Session, person: Person, redact: Collection[str] = (),
          marker: str | None = None) -> ErasureResult:
    """Erase ``person`` in the session's transaction (see the module docstring).

    The caller sets ``session.info["audit_disabled"]`` (the automatic audit would copy
    every deleted value into a new entry) and commits; :func:`wipe_free_space` follows.
    """
    pseudonym = marker or new_pseudonym()
    uids = record_uids(session, person)
    strings = identifying_strings(person)
    full, partial = name_variants(person)
    name_re = _pattern(full + partial)
    kept, deleted = _interactions(session, person.id)
    redacted = _redact(session, person, set(redact), name_re, {i.id for i in deleted})
    counts = _unlink(session, person, kept, deleted)
    counts["history"] = _scrub_history(session, uids, strings, pseudonym)
    session.flush()
    if index.index_available(session.connection()):
        index.rebuild(session)  # also empties the FTS shadow tables and the word list
    session.add(AuditEntry(staff_id=session.info.get("staff_id"), record_type="person",
                           record_uid=pseudonym, action="erase",
                           changes=json.dumps({"deleted": counts, "redacted": redacted})))
    session.flush()
    return ErasureResult(pseudonym, counts, redacted)


def _unlink(session: Session, person: Person, kept: list[Interaction],
            deleted: list[Interaction]) -> dict[str, int]:
    pid = person.id
    role_ids = [r.id for r in person.roles]
    session.execute(update(InteractionParticipant)
                    .where(or_(InteractionParticipant.person_id == pid,
                               InteractionParticipant.role_id.in_(role_ids)))
                    .values(person_id=None, role_id=None, role_title=""))
    deleted_ids = [i.id for i in deleted]
    follow_ups = session.scalars(select(FollowUp).where(
        FollowUp.interaction_id.in_(deleted_ids))).all()
    for item in follow_ups:
        session.delete(item)
    for interaction in deleted:
        session.delete(interaction)
    unlinked = _count(session.execute(update(FollowUp).where(FollowUp.person_id == pid)
                                      .values(person_id=None)))
    attendances = session.scalars(select(EventAttendee)
                                  .where(EventAttendee.person_id == pid)).all()
    for attendance in attendances:
        session.delete(attendance)
    consents = session.scalars(select(Consent).where(Consent.person_id == pid)).all()
    for consent in consents:
        session.delete(consent)
    counts = {"contact_points": len(person.contact_points) + sum(
        len(r.contact_points) for r in person.roles), "roles": len(person.roles),
        "consents": len(consents), "attendances": len(attendances),
        "interactions_kept": len(kept), "interactions_deleted": len(deleted),
        "follow_ups": len(follow_ups) + int(unlinked or 0)}
    person.tags = []
    session.flush()
    session.delete(person)
    return counts


def _redact(session: Session, person: Person, keys: set[str],
            name_re: re.Pattern[str] | None, skip: set[int]) -> int:
    if not keys or name_re is None:
        return 0
    chosen = [m for m in find_mentions(session, person, skip) if m.key in keys]
    models = {model.__tablename__: model for model, _f, _t in _TEXTS}
    replacement = marker_text()
    for mention in chosen:
        model = models[mention.record_type]
        record = session.scalars(select(model).where(model.uid == mention.record_uid)).one()
        text = getattr(record, mention.field) or ""
        if mention.record_type == "distribution_list":
            replacement_json = json.dumps(replacement, ensure_ascii=False)[1:-1]
            setattr(record, mention.field, name_re.sub(replacement_json, text))
        else:
            setattr(record, mention.field, name_re.sub(replacement, text))
    return len(chosen)


def _scrub_history(session: Session, uids: set[str], strings: list[str],
                   pseudonym: str) -> int:
    """Pseudonymise history of the person's records; scrub their traces from the rest."""
    audit = cast(Table, AuditEntry.__table__)
    done = _count(session.execute(update(audit).where(audit.c.record_uid.in_(uids))
                                  .values(record_uid=pseudonym, changes="{}")))
    try:
        from crm.domain.imports import ImportedRecord, MergedUid
    except ImportError:
        ImportedRecord = MergedUid = None  # type: ignore[misc,assignment]  # noqa: N806
    if ImportedRecord is not None and MergedUid is not None:
        for table, column in ((cast(Table, ImportedRecord.__table__), "record_uid"),
                              (cast(Table, MergedUid.__table__), "kept_uid")):
            done += _count(session.execute(table.delete().where(table.c[column].in_(uids))))
    texts_re = _pattern(strings)
    uid_re = re.compile("|".join(re.escape(u) for u in sorted(uids))) if uids else None
    for table, column, _owner in _history_columns():
        needles = strings + sorted(uids)
        rows = session.execute(select(table.c.id, column).where(
            or_(*[column.icontains(s, autoescape=True) for s in needles]))).all()
        for row_id, text in rows:
            clean = texts_re.sub(marker_text(), text) if texts_re else text
            clean = uid_re.sub(pseudonym, clean) if uid_re else clean
            if clean != text:
                session.execute(update(table).where(table.c.id == row_id)
                                .values({column.key: clean}))
                done += 1
    return int(done)


def _count(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    return int(getattr(result, "rowcount", 0) or 0)


# -- wiping what SQLite freed ---------------------------------------------------------------

def wipe_free_space(engine: Engine, attempts: int = 20) -> bool:
    """Rewrite the database file without free pages and empty its WAL.

    ``VACUUM`` copies only live rows into a fresh file; ``wal_checkpoint(TRUNCATE)`` then
    writes the WAL back and cuts it to zero bytes. Another connection still reading (a
    second window) delays the truncation: retried for a few seconds; returns whether the
    WAL could be emptied.
    """
    if dialect.is_postgresql(engine):
        return dialect.vacuum_server(engine)
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return False
    raw = engine.raw_connection()
    try:
        connection: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        connection.execute("PRAGMA secure_delete = ON")
        connection.execute("VACUUM")
        for _attempt in range(attempts):
            busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy is None or busy[0] == 0:
                return True
            time.sleep(0.1)
        return False
    finally:
        raw.close()
