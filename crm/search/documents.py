"""Search documents: the folded words of one record, per ranked column.

Built set-based from the tables (a handful of queries per batch of ids, never one query
per record), so the full rebuild, the incremental update after a flush and the consistency
check all produce exactly the same text for a record.

Columns (see :data:`crm.persistence.dialect.SEARCH_COLUMNS`):

* ``name``    – every spelling of the record's name (persons: full, given, family name and
  transliteration; organisations: name and short name; municipalities: name);
* ``current`` – what the record is now: current role titles, their organisations and
  places (persons); place and parent (organisations, municipalities); subject, participants,
  organisations and place (interactions);
* ``former``  – the same for roles that have ended, and their contact points;
* ``contact`` – emails (whole and in parts), phone digits (international and national), AGS;
* ``other``   – tags, notes, languages;
* ``suffix``  – phone digits reversed, so "the last digits" is a prefix query;
* ``flags``   – ``archived`` for archived persons and organisations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, select
from sqlalchemy.orm import aliased

from crm.domain import (
    ContactKind,
    ContactPoint,
    Interaction,
    InteractionParticipant,
    Municipality,
    Organisation,
    Person,
    Role,
    Tag,
)
from crm.domain.interactions import interaction_organisation
from crm.domain.organisation import organisation_tag
from crm.domain.person import person_tag
from crm.search.normalize import digits, fold, fold_variants

PERSON, ORG, MUNICIPALITY, INTERACTION = 0, 1, 2, 3
TYPE_NAMES = {PERSON: "person", ORG: "org", MUNICIPALITY: "municipality",
              INTERACTION: "interaction"}
TYPE_CODES = {name: code for code, name in TYPE_NAMES.items()}
MODELS: dict[int, Any] = {PERSON: Person, ORG: Organisation, MUNICIPALITY: Municipality,
                          INTERACTION: Interaction}
ARCHIVED = "archived"
FLAG_WORDS = frozenset({ARCHIVED})  # in the flags column only: never in the word list

_PHONES = {ContactKind.PHONE, ContactKind.MOBILE, ContactKind.FAX}
_HYPHENS = re.compile(r"[-‐‑‒–—]")
_APOSTROPHES = re.compile(r"['’‘`´ʼʻ]")
_EMAIL_PARTS = re.compile(r"[._+\-]")
_URL_PARTS = re.compile(r"[./:_\-?=&#]")
_BATCH = 500
_SHORT = 300  # texts up to this length are folded through a cache


_ID_BITS = 40  # a trillion records of each type


def rowid(code: int, record_id: int) -> int:
    """Index rows of one type form one rowid range: persons first, interactions last."""
    return (code << _ID_BITS) | record_id


def split_rowid(value: int) -> tuple[int, int]:
    """(type code, record id) of an index row."""
    return value >> _ID_BITS, value & ((1 << _ID_BITS) - 1)


def rowid_range(code: int) -> tuple[int, int]:
    """The first and last possible rowid of a type."""
    return rowid(code, 0), rowid(code, (1 << _ID_BITS) - 1)


@dataclass(slots=True)  # (not frozen: a frozen one costs a setattr call per field to make)
class Document:
    rowid: int
    name: str = ""
    current: str = ""
    former: str = ""
    contact: str = ""
    other: str = ""
    suffix: str = ""
    flags: str = ""

    def params(self) -> dict[str, Any]:
        return {"rowid": self.rowid, "name": self.name, "current": self.current,
                "former": self.former, "contact": self.contact, "other": self.other,
                "suffix": self.suffix, "flags": self.flags}

    def columns(self) -> tuple[str, ...]:
        return astuple(self)[1:]

    def words(self) -> set[str]:
        """Every word a query may look for (the flags are not searched for)."""
        return set(" ".join((self.name, self.current, self.former, self.contact, self.other,
                             self.suffix)).split())


class Words(dict[str, None]):
    """Folded words in first-seen order, each once (a dict: its keys keep that order, and
    merging the cached words of a text is one C-level update)."""

    def __str__(self) -> str:
        return " ".join(self)

    def add(self, text: str | None) -> None:
        if text:
            self.update(_text_words(text) if len(text) <= _SHORT else _long_text_words(text))

    def add_unique(self, text: str) -> None:
        """A text no other record has (an e-mail address): not worth a cache entry."""
        if text:
            self.update(_long_text_words(text))

    def name(self, text: str | None) -> None:
        """A name: also glued at hyphens (Jeanpierre) and split at apostrophes (O Connor)."""
        if text:
            self.update(_name_words(text))

    def raw(self, word: str) -> None:
        if word:
            self[word] = None


def add_contact(kind: ContactKind, value: str, contact: Words, suffix: Words | None) -> None:
    """One contact point: emails whole and in parts, phones as digit strings."""
    if kind in _PHONES:
        international, national = phone_digits(value)
        contact.raw(international)
        contact.raw(national)
        if suffix is not None:
            suffix.raw(international[::-1])
    elif kind is ContactKind.EMAIL:
        local, _, domain = value.lower().rpartition("@")
        contact.add_unique(value)
        contact.add_unique(_EMAIL_PARTS.sub(" ", local))
        contact.add(domain.replace(".", " "))
    elif kind is ContactKind.WEB:
        contact.add(value)
        contact.add(_URL_PARTS.sub(" ", value))
    else:
        contact.add(value)


def phone_digits(value: str) -> tuple[str, str]:
    """International digits ("493612345678") and national digits ("03612345678")."""
    number = digits(value)
    if not value.lstrip().startswith("+"):
        return number, ""
    if number.startswith("49"):
        return number, "0" + number[2:]
    try:
        import phonenumbers

        parsed = phonenumbers.parse(value, None)
        national = digits(phonenumbers.format_number(parsed,
                                                     phonenumbers.PhoneNumberFormat.NATIONAL))
    except Exception:  # noqa: BLE001 - odd legacy values are indexed by their digits only
        national = ""
    return number, national if national != number else ""


def _long_text_words(text: str) -> dict[str, None]:
    """The folded words of a text, in order, each once (as dict keys)."""
    if text.isascii():  # one spelling only, and folding keeps spaces: the whole at once
        return dict.fromkeys(fold(text).split())
    found: dict[str, None] = {}
    for raw in text.split():
        found.update(dict.fromkeys(_folded(raw)))
    return found


@lru_cache(maxsize=1 << 16)
def _text_words(text: str) -> dict[str, None]:
    """Short texts (titles, places, subjects) recur: fold each only once. (Callers only
    read the cached dict.)"""
    return _long_text_words(text)


@lru_cache(maxsize=1 << 16)
def _name_words(text: str) -> dict[str, None]:
    found = _long_text_words(text)
    if _HYPHENS.search(text):
        found.update(_long_text_words(_HYPHENS.sub("", text)))
    if _APOSTROPHES.search(text):
        found.update(_long_text_words(_APOSTROPHES.sub(" ", text)))
    return found


@lru_cache(maxsize=1 << 18)
def _folded(raw: str) -> tuple[str, ...]:
    """The folded words of one whitespace-free piece of text, every spelling (cached: the
    same names, places and note words recur across thousands of records)."""
    if raw.isascii():
        return tuple(fold(raw).split())
    found: dict[str, None] = {}
    for variant in sorted(fold_variants(raw)):
        found.update(dict.fromkeys(variant.split()))
    return tuple(found)


# -- selecting records -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Selection:
    """Which records to build: a list of ids, or an id range (for the bulk rebuild)."""

    ids: tuple[int, ...] = ()
    low: int | None = None
    high: int | None = None

    def where(self, column: Any) -> ColumnElement[bool]:
        if self.low is not None and self.high is not None:
            return column.between(self.low, self.high)  # type: ignore[no-any-return]
        return column.in_(self.ids)  # type: ignore[no-any-return]


def batches(ids: Iterable[int], size: int = _BATCH) -> Iterator[Selection]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield Selection(ids=tuple(ordered[start:start + size]))


def build(connection: Connection, code: int, selection: Selection,
          today: date) -> list[Document]:
    builder = {PERSON: _persons, ORG: _organisations, MUNICIPALITY: _municipalities,
               INTERACTION: _interactions}[code]
    return builder(connection, selection, today)


def _is_current(end: date | None, today: date) -> bool:
    """Same rule as :attr:`Role.is_current`."""
    return end is None or end > today


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row)
    return groups


# -- persons -------------------------------------------------------------------------------

def _persons(connection: Connection, sel: Selection, today: date) -> list[Document]:
    people = connection.execute(
        select(Person.id, Person.full_name, Person.given_name, Person.family_name,
               Person.transliteration, Person.languages, Person.notes, Person.archived_at)
        .where(sel.where(Person.id))
    ).all()
    if not people:
        return []
    roles = _grouped(connection.execute(
        select(Role.person_id, Role.id, Role.title, Role.end_date, Organisation.name,
               Organisation.short_name, Municipality.name)
        .select_from(Role)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)
        .where(sel.where(Role.person_id))
    ))
    own_points = _grouped(connection.execute(
        select(ContactPoint.person_id, ContactPoint.id, ContactPoint.kind, ContactPoint.value)
        .where(sel.where(ContactPoint.person_id))
    ))
    role_points = _grouped(connection.execute(
        select(Role.person_id, ContactPoint.id, ContactPoint.kind, ContactPoint.value,
               Role.end_date)
        .select_from(ContactPoint)
        .join(Role, Role.id == ContactPoint.role_id)
        .where(sel.where(Role.person_id))
    ))
    tags = _grouped(connection.execute(
        select(person_tag.c.person_id, Tag.name)
        .join(Tag, Tag.id == person_tag.c.tag_id)
        .where(sel.where(person_tag.c.person_id))
    ))
    docs = []
    for p in sorted(people, key=lambda r: r.id):
        jobs = [(title, org, short, place, _is_current(end, today))
                for _pid, _rid, title, end, org, short, place in sorted(roles[p.id],
                                                                        key=lambda r: r[1])]
        points = [(kind, value, False)
                  for _pid, _cid, kind, value in sorted(own_points[p.id], key=lambda r: r[1])]
        points += [(kind, value, not _is_current(end, today))
                   for _pid, _cid, kind, value, end in sorted(role_points[p.id],
                                                              key=lambda r: r[1])]
        docs.append(person_document(
            p.id, (p.full_name, p.given_name, p.family_name, p.transliteration), jobs, points,
            [tag for _pid, tag in sorted(tags[p.id], key=lambda r: r[1])], p.languages,
            p.notes, p.archived_at is not None))
    return docs


Job = tuple[str | None, str | None, str | None, str | None, bool]
"""A role: title, organisation, its short name, its place, whether it is current."""
PointFacts = tuple[ContactKind, str, bool]
"""A contact point: kind, value, whether it belongs to a role that has ended."""


def person_document(person_id: int, names: Iterable[str | None], jobs: Iterable[Job],
                    points: Iterable[PointFacts], tags: Iterable[str], languages: str | None,
                    notes: str | None, archived: bool) -> Document:
    """One person's document from its facts (roles, points and tags in id order): what the
    rebuild reads from the tables and what the import knows before it writes. (Words.name
    and Words.add, spelt out: the import builds 50,000 of these.)"""
    name = Words()
    for text in names:
        if text:
            name.update(_name_words(text))
    current, former = Words(), Words()
    for title, org, short, place, is_current in jobs:
        target = current if is_current else former
        for text in (title, org, short, place):
            if text:
                target.update(_text_words(text) if len(text) <= _SHORT
                              else _long_text_words(text))
    contact, suffix = Words(), Words()
    for kind, value, ended in points:
        if ended:
            add_contact(kind, value, former, None)
        else:
            add_contact(kind, value, contact, suffix)
    other = Words()
    for text in (*tags, languages, notes):
        if text:
            other.update(_text_words(text) if len(text) <= _SHORT else _long_text_words(text))
    return Document(rowid(PERSON, person_id), " ".join(name), " ".join(current),
                    " ".join(former), " ".join(contact), " ".join(other), " ".join(suffix),
                    ARCHIVED if archived else "")


# -- organisations ---------------------------------------------------------------------------

def _organisations(connection: Connection, sel: Selection, _today: date) -> list[Document]:
    parent = aliased(Organisation)
    orgs = connection.execute(
        select(Organisation.id, Organisation.name, Organisation.short_name, Organisation.notes,
               Organisation.archived_at, Municipality.name, parent.name)
        .select_from(Organisation)
        .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)
        .outerjoin(parent, parent.id == Organisation.parent_id)
        .where(sel.where(Organisation.id))
    ).all()
    if not orgs:
        return []
    points = _grouped(connection.execute(
        select(ContactPoint.organisation_id, ContactPoint.id, ContactPoint.kind,
               ContactPoint.value)
        .where(sel.where(ContactPoint.organisation_id))
    ))
    tags = _grouped(connection.execute(
        select(organisation_tag.c.organisation_id, Tag.name)
        .join(Tag, Tag.id == organisation_tag.c.tag_id)
        .where(sel.where(organisation_tag.c.organisation_id))
    ))
    docs = []
    for oid, org_name, short, notes, archived_at, place, parent_name in sorted(orgs):
        name, current, contact, other, suffix = (Words() for _ in range(5))
        name.name(org_name)
        name.name(short)
        current.add(place)
        current.add(parent_name)
        for _oid, _cid, kind, value in sorted(points[oid], key=lambda r: r[1]):
            add_contact(kind, value, contact, suffix)
        for _oid, tag in sorted(tags[oid], key=lambda r: r[1]):
            other.add(tag)
        other.add(notes)
        flags = ARCHIVED if archived_at is not None else ""
        docs.append(Document(rowid(ORG, oid), str(name), str(current), "", str(contact),
                             str(other), str(suffix), flags))
    return docs


# -- municipalities ----------------------------------------------------------------------------

def _municipalities(connection: Connection, sel: Selection, _today: date) -> list[Document]:
    parent = aliased(Municipality)
    places = connection.execute(
        select(Municipality.id, Municipality.name, Municipality.ags, parent.name)
        .select_from(Municipality)
        .outerjoin(parent, parent.id == Municipality.parent_id)
        .where(sel.where(Municipality.id))
    ).all()
    docs = []
    for mid, place_name, ags, parent_name in sorted(places):
        name, current = Words(), Words()
        name.name(place_name)
        current.add(parent_name)
        docs.append(Document(rowid(MUNICIPALITY, mid), str(name), str(current),
                             contact=ags or ""))
    return docs


# -- interactions --------------------------------------------------------------------------

def _interactions(connection: Connection, sel: Selection, _today: date) -> list[Document]:
    rows = connection.execute(
        select(Interaction.id, Interaction.subject, Interaction.notes, Municipality.name)
        .select_from(Interaction)
        .outerjoin(Municipality, Municipality.id == Interaction.municipality_id)
        .where(sel.where(Interaction.id))
    ).all()
    if not rows:
        return []
    participants = _grouped(connection.execute(
        select(InteractionParticipant.interaction_id, InteractionParticipant.id,
               InteractionParticipant.role_title, Person.full_name, Person.transliteration)
        .select_from(InteractionParticipant)
        .outerjoin(Person, Person.id == InteractionParticipant.person_id)
        .where(sel.where(InteractionParticipant.interaction_id))
    ))
    orgs = _grouped(connection.execute(
        select(interaction_organisation.c.interaction_id, Organisation.id, Organisation.name,
               Organisation.short_name)
        .join(Organisation, Organisation.id == interaction_organisation.c.organisation_id)
        .where(sel.where(interaction_organisation.c.interaction_id))
    ))
    docs = []
    for iid, subject, notes, place in sorted(rows):
        current, other = Words(), Words()
        current.add(subject)
        for _iid, _pid, title, full_name, transliteration in sorted(participants[iid],
                                                                    key=lambda r: r[1]):
            current.name(full_name)
            current.name(transliteration)
            current.add(title)
        for _iid, _oid, org_name, short in sorted(orgs[iid], key=lambda r: r[1]):
            current.name(org_name)
            current.name(short)
        current.add(place)
        other.add(notes)
        docs.append(Document(rowid(INTERACTION, iid), current=str(current), other=str(other)))
    return docs


# -- what a change touches ------------------------------------------------------------------

def ids_where(connection: Connection, column: Any, condition_column: Any,
              values: Sequence[int]) -> set[int]:
    """``SELECT column WHERE condition_column IN values``, batched."""
    found: set[int] = set()
    for sel in batches(values):
        found.update(v for (v,) in connection.execute(
            select(column).where(sel.where(condition_column))) if v is not None)
    return found


def persons_with_roles_ending(connection: Connection, after: date, until: date) -> set[int]:
    """Persons whose roles turned from current to former between two days."""
    rows = connection.execute(
        select(Role.person_id).where(Role.end_date > after, Role.end_date <= until)
    )
    return {pid for (pid,) in rows}


