"""Finding duplicates and merging them (undoably).

Finder: persons sharing an e-mail address; sharing a phone number *and* a similar name (a
family sharing a landline is not a duplicate); or with similar names (after the search
fold, so "Nguyen Van An" is "Nguyễn Văn An") in the same organisation or municipality.
Namesakes in different places are not paired. Organisations: similar names in the same
municipality, or a shared e-mail address, phone or website.

Merge keeps one record and moves everything of the other onto it: contact points (equal
values once), roles, interaction participations, event attendances, follow-ups, tags (and
for organisations: members, links to interactions and events, child organisations,
projects). The other record is deleted; its uid is recorded in ``merged_uid`` with a
snapshot of everything the merge changed, so :meth:`DuplicateService.unmerge` restores both
records as they were and an import never brings the merged-away uid back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import combinations
from typing import Any

from sqlalchemy import Table, and_, delete, insert, select, update
from sqlalchemy.orm import Session

from crm.domain import (
    ContactPoint,
    EventAttendee,
    FollowUp,
    InteractionParticipant,
    MergedUid,
    Organisation,
    Person,
    Project,
    Role,
)
from crm.domain.base import new_uid, utcnow
from crm.domain.events import event_organiser
from crm.domain.interactions import interaction_organisation
from crm.domain.organisation import organisation_tag
from crm.domain.person import person_tag
from crm.errors import NotFoundError, ValidationError
from crm.i18n import _
from crm.search import index
from crm.search.documents import INTERACTION, ORG, PERSON
from crm.search.normalize import digits, fold, sort_key
from crm.services.audit import record
from crm.services.base import Service
from crm.services.rows import Ref

NAME_THRESHOLD = 88
PHONE_NAME_THRESHOLD = 90
MODELS: dict[str, Any] = {"person": Person, "organisation": Organisation}
PERSON_FIELDS = ("full_name", "given_name", "family_name", "transliteration", "salutation",
                 "languages", "notes")
ORG_FIELDS = ("name", "short_name", "kind", "notes", "member_since", "member_until",
              "municipality_id", "parent_id")
# (table, column pointing at the record, column that must stay unique with it)
_REFS: dict[str, list[tuple[Table, str, str | None]]] = {
    "person": [
        (Role.__table__, "person_id", None),
        (InteractionParticipant.__table__, "person_id", None),
        (EventAttendee.__table__, "person_id", "event_id"),
        (FollowUp.__table__, "person_id", None),
        (person_tag, "person_id", "tag_id"),
    ],
    "organisation": [
        (Role.__table__, "organisation_id", None),
        (InteractionParticipant.__table__, "organisation_id", None),
        (interaction_organisation, "organisation_id", "interaction_id"),
        (event_organiser, "organisation_id", "event_id"),
        (FollowUp.__table__, "organisation_id", None),
        (Organisation.__table__, "parent_id", None),
        (Project.__table__, "funder_id", None),
        (organisation_tag, "organisation_id", "tag_id"),
    ],
}


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    kind: str  # "person" or "organisation"
    first: Ref
    second: Ref
    score: int
    reason: str  # a code; see reason_text

    @property
    def reason_text(self) -> str:
        return duplicate_reason_text(self.reason)


@dataclass(frozen=True, slots=True)
class MergeResult:
    merge_uid: str
    kind: str
    kept_uid: str
    merged_uid: str


def duplicate_reason_text(code: str) -> str:
    texts: dict[str, Callable[[], str]] = {
        "same_email": lambda: _("same e-mail address"),
        "same_phone": lambda: _("same phone number and a similar name"),
        "same_web": lambda: _("same website"),
        "similar_name_organisation": lambda: _("similar name in the same organisation"),
        "similar_name_municipality": lambda: _("similar name in the same municipality"),
    }
    text = texts.get(code)
    return text() if text else code


@dataclass
class _Candidate:
    id: int
    uid: str
    name: str
    folded: str
    emails: set[str]
    phones: set[str]
    webs: set[str]
    places: set[tuple[str, int]]


def _similar(a: str, b: str) -> int:
    from rapidfuzz import fuzz  # imported when duplicates are looked for, not at start-up

    return int(max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a, b)))


def _score_pairs(items: list[_Candidate], kind: str) -> list[DuplicatePair]:
    from rapidfuzz import fuzz

    by_id = {c.id: c for c in items}
    found: dict[tuple[int, int], tuple[int, str]] = {}

    def offer(a: int, b: int, score: int, reason: str) -> None:
        key = (min(a, b), max(a, b))
        if key not in found or found[key][0] < score:
            found[key] = (score, reason)

    blocks: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for c in items:
        for email in c.emails:
            blocks[("email", email)].append(c.id)
        for phone in c.phones:
            blocks[("phone", phone)].append(c.id)
        for web in c.webs:
            blocks[("web", web)].append(c.id)
        for place in c.places:
            blocks[place].append(c.id)
    for (what, _value), ids in blocks.items():
        if len(ids) < 2 or len(ids) > 200:
            continue
        for a, b in combinations(sorted(set(ids)), 2):
            similarity = _similar(by_id[a].folded, by_id[b].folded)
            if what == "email":
                offer(a, b, 90 + similarity // 10, "same_email")
            elif what == "web" and kind == "organisation":
                offer(a, b, 80 + similarity // 10, "same_web")
            elif what == "phone":
                # A middle initial more is the same person; another given name with the
                # same family name is a relative sharing the landline.
                same = fuzz.token_set_ratio(by_id[a].folded, by_id[b].folded)
                if same >= PHONE_NAME_THRESHOLD or kind == "organisation":
                    offer(a, b, 80 + similarity // 10, "same_phone")
            elif similarity >= NAME_THRESHOLD:
                reason = ("similar_name_organisation" if what == "org"
                          else "similar_name_municipality")
                offer(a, b, similarity, reason)
    pairs = [DuplicatePair(kind, Ref(by_id[a].uid, by_id[a].name),
                           Ref(by_id[b].uid, by_id[b].name), score, reason)
             for (a, b), (score, reason) in found.items()]
    return sorted(pairs, key=lambda p: (-p.score, p.first.name, p.second.name))


def _points(session: Session, column: Any) -> dict[int, dict[str, set[str]]]:
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = session.execute(select(column, ContactPoint.kind, ContactPoint.value)
                           .where(column.is_not(None)))
    for owner, kind, value in rows:
        key = kind.value
        if key in ("phone", "mobile", "fax"):
            found[owner]["phone"].add(digits(value)[-9:])
        elif key == "email":
            found[owner]["email"].add(value.lower())
        elif key == "web":
            found[owner]["web"].add(value.lower().rstrip("/").split("//")[-1])
    return found


def person_candidates(session: Session) -> list[_Candidate]:
    points = _points(session, ContactPoint.person_id)
    places: dict[int, set[tuple[str, int]]] = defaultdict(set)
    rows = session.execute(
        select(Role.person_id, Role.organisation_id, Organisation.municipality_id)
        .join(Organisation, Role.organisation_id == Organisation.id))
    for pid, oid, mid in rows:
        places[pid].add(("org", oid))
        if mid is not None:
            places[pid].add(("place", mid))
    people = session.execute(select(Person.id, Person.uid, Person.full_name, Person
                                    .transliteration).where(Person.archived_at.is_(None)))
    return [_Candidate(pid, uid, name, fold(translit or name), points[pid]["email"],
                       points[pid]["phone"], set(), places[pid])
            for pid, uid, name, translit in people]


def organisation_candidates(session: Session) -> list[_Candidate]:
    points = _points(session, ContactPoint.organisation_id)
    rows = session.execute(select(Organisation.id, Organisation.uid, Organisation.name,
                                  Organisation.municipality_id)
                           .where(Organisation.archived_at.is_(None)))
    return [_Candidate(oid, uid, name, fold(name), points[oid]["email"], points[oid]["phone"],
                       points[oid]["web"], {("place", mid if mid is not None else 0)})
            for oid, uid, name, mid in rows]


class DuplicateService(Service):
    def find(self, kinds: Iterable[str] = ("person", "organisation")) -> list[DuplicatePair]:
        with self._read() as session:
            pairs: list[DuplicatePair] = []
            if "person" in kinds:
                pairs += _score_pairs(person_candidates(session), "person")
            if "organisation" in kinds:
                pairs += _score_pairs(organisation_candidates(session), "organisation")
            return pairs

    def compare(self, kind: str, keep_uid: str, other_uid: str
                ) -> dict[str, tuple[Any, Any]]:
        """Per mergeable field: (value of the kept record, value of the other)."""
        model = _model(kind)
        with self._read() as session:
            keep, other = _load(session, model, keep_uid), _load(session, model, other_uid)
            fields = PERSON_FIELDS if kind == "person" else ORG_FIELDS
            return {f: (_shown(session, f, getattr(keep, f)), _shown(session, f,
                                                                     getattr(other, f)))
                    for f in fields}

    def merge(self, kind: str, keep_uid: str, other_uid: str,
              choices: dict[str, str] | None = None) -> MergeResult:
        """Merge ``other`` into ``keep``. ``choices`` names, per field, the record whose
        value wins ("keep" or "other"); unnamed fields keep a value, or take the other's
        where the kept one is empty (notes: both, if they differ)."""
        model = _model(kind)
        if keep_uid == other_uid:
            raise ValidationError.single("record", "same_record")
        with self._write() as session:
            keep, other = _load(session, model, keep_uid), _load(session, model, other_uid)
            session.flush()
            merger = _Merger(session, kind, keep, other)
            return merger.run(choices or {})

    def unmerge(self, merge_uid: str) -> MergeResult:
        """Take a merge back: the other record returns with its uid and everything it had."""
        with self._write() as session:
            row = session.scalar(select(MergedUid).where(MergedUid.merge_uid == merge_uid))
            if row is None:
                raise NotFoundError("merge", merge_uid)
            return _unmerge(session, row)

    def merged_into(self, uid: str) -> str | None:
        with self._read() as session:
            return session.scalar(select(MergedUid.kept_uid).where(MergedUid.uid == uid))


def _model(kind: str) -> Any:
    if kind not in MODELS:
        raise ValidationError.single("kind", "invalid_choice", value=kind)
    return MODELS[kind]


def _load(session: Session, model: Any, uid: str) -> Any:
    found = session.scalar(select(model).where(model.uid == uid))
    if found is None:
        raise NotFoundError(model.__tablename__, uid)
    return found


def _shown(session: Session, field: str, value: Any) -> Any:
    if field in ("municipality_id", "parent_id") and value is not None:
        from crm.domain import Municipality

        target = Municipality if field == "municipality_id" else Organisation
        return session.get_one(target, value).name
    if hasattr(value, "value") and not isinstance(value, (str, int)):
        return value.value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return {"__date__": value.isoformat(), "dt": isinstance(value, datetime)}
    if hasattr(value, "value") and not isinstance(value, (str, int, bool)):
        return value.value
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and "__date__" in value:
        if value["dt"]:
            return datetime.fromisoformat(value["__date__"])
        return date.fromisoformat(value["__date__"])
    return value


def _row(session: Session, table: Table, where: Any) -> dict[str, Any]:
    found = session.execute(select(table).where(where)).mappings().one()
    return {k: _plain(v) for k, v in found.items()}


class _Merger:
    def __init__(self, session: Session, kind: str, keep: Any, other: Any) -> None:
        self.session = session
        self.kind = kind
        self.keep = keep
        self.other = other
        self.keep_uid, self.other_uid = keep.uid, other.uid
        self.table: Table = MODELS[kind].__table__
        self.moved: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []
        self.reindex: set[tuple[int, int]] = set()

    def run(self, choices: dict[str, str]) -> MergeResult:
        s = self.session
        code = PERSON if self.kind == "person" else ORG
        self.reindex |= {(code, self.keep.id), (code, self.other.id)}
        snapshot = {"record": _row(s, self.table, self.table.c.id == self.other.id),
                    "kept_before": _row(s, self.table, self.table.c.id == self.keep.id)}
        values = self._fields(choices)
        self._contact_points()
        for table, column, unique in _REFS[self.kind]:
            self._repoint(table, column, unique)
        snapshot["chained"] = list(s.scalars(select(MergedUid.uid).where(
            MergedUid.kept_uid == self.other.uid)))
        s.execute(update(MergedUid).where(MergedUid.kept_uid == self.other.uid)
                  .values(kept_uid=self.keep.uid))
        s.execute(update(self.table).where(self.table.c.id == self.keep.id).values(
            **values, version=self.keep.version + 1, updated_at=utcnow()))
        snapshot["moved"], snapshot["deleted"] = self.moved, self.deleted
        merge = MergedUid(uid=self.other.uid, kept_uid=self.keep.uid, record_type=self.kind,
                          merge_uid=new_uid(), snapshot=json.dumps(snapshot,
                                                                   ensure_ascii=False))
        s.add(merge)
        record(s, self.keep, "merge", {"merged": [None, self.other.uid], **{
            k: [_plain(getattr(self.keep, k)), _plain(v)] for k, v in values.items()
            if k != "sort_key"}})
        record(s, self.other, "merged_into", {"kept": [None, self.keep.uid]})
        s.execute(delete(self.table).where(self.table.c.id == self.other.id))
        s.expire_all()
        s.flush()
        _reindex(s, self.reindex)
        return MergeResult(merge.merge_uid, self.kind, self.keep_uid, self.other_uid)

    def _fields(self, choices: dict[str, str]) -> dict[str, Any]:
        fields = PERSON_FIELDS if self.kind == "person" else ORG_FIELDS
        values: dict[str, Any] = {}
        for field in fields:
            mine, theirs = getattr(self.keep, field), getattr(self.other, field)
            choice = choices.get(field)
            empty = mine in (None, "") or (field == "salutation" and mine.value == "none")
            if choice == "other" or (choice is None and empty and theirs not in (None, "")):
                values[field] = theirs
            elif choice is None and field == "notes" and theirs and theirs not in mine:
                values[field] = f"{mine}\n{theirs}".strip()
        if self.kind == "person":
            family = values.get("family_name", self.keep.family_name)
            full = values.get("full_name", self.keep.full_name)
            values["sort_key"] = sort_key(" ".join(p for p in (family, full) if p))
        elif "name" in values:
            values["sort_key"] = sort_key(values["name"])
        return values

    def _contact_points(self) -> None:
        table: Table = ContactPoint.__table__
        column = f"{self.kind}_id"
        have = {(k.value, v.lower()) for k, v in self.session.execute(
            select(table.c.kind, table.c.value).where(table.c[column] == self.keep.id))}
        for row in self.session.execute(select(table).where(
                table.c[column] == self.other.id)).mappings().all():
            if (row["kind"].value, row["value"].lower()) in have:
                self.deleted.append({"table": table.name, "column": column,
                                     "row": {k: _plain(v) for k, v in row.items()}})
                self.session.execute(delete(table).where(table.c.id == row["id"]))
            else:
                have.add((row["kind"].value, row["value"].lower()))
                self._move(table, column, {"id": row["id"]})

    def _repoint(self, table: Table, column: str, unique: str | None) -> None:
        rows = self.session.execute(select(table).where(
            table.c[column] == self.other.id)).mappings().all()
        for row in rows:
            plain = {k: _plain(v) for k, v in row.items()}
            if table.name == "interaction_participant" or unique == "interaction_id":
                self.reindex.add((INTERACTION, row["interaction_id"]))
            if table.name == "role" and self.kind == "organisation":
                self.reindex.add((PERSON, row["person_id"]))
            if unique is not None and self.session.execute(select(table).where(and_(
                    table.c[column] == self.keep.id,
                    table.c[unique] == row[unique]))).first() is not None:
                self.deleted.append({"table": table.name, "column": column, "row": plain})
                self.session.execute(delete(table).where(_key(table, plain)))
                continue
            key = {c.name: plain[c.name] for c in table.primary_key.columns}
            self._move(table, column, key)

    def _move(self, table: Table, column: str, key: dict[str, Any]) -> None:
        self.session.execute(update(table).where(_key(table, key)).values(
            {column: self.keep.id}))
        if column in key:
            key = {**key, column: self.keep.id}
        self.moved.append({"table": table.name, "column": column, "key": key})


def _key(table: Table, values: dict[str, Any]) -> Any:
    cols = [c.name for c in table.primary_key.columns]
    return and_(*(table.c[c] == _typed(values[c]) for c in cols))


def _tables() -> dict[str, Table]:
    from crm.domain import Base

    return dict(Base.metadata.tables)


def _unmerge(session: Session, row: MergedUid) -> MergeResult:
    kind = row.record_type
    model = _model(kind)
    table: Table = model.__table__
    snapshot = json.loads(row.snapshot)
    keep = _load(session, model, row.kept_uid)
    if session.scalar(select(model.id).where(model.uid == row.uid)) is not None:
        raise ValidationError.single("record", "duplicate", value=row.uid)
    restored = {k: _typed(v) for k, v in snapshot["record"].items() if k != "id"}
    new_id = session.execute(insert(table).values(restored)).inserted_primary_key[0]
    tables = _tables()
    keys: set[tuple[int, int]] = {(PERSON if kind == "person" else ORG, keep.id),
                                  (PERSON if kind == "person" else ORG, new_id)}
    for moved in snapshot["moved"]:
        target = tables[moved["table"]]
        column = moved["column"]
        session.execute(update(target).where(_key(target, moved["key"])).where(
            target.c[column] == keep.id).values({column: new_id}))
        if "interaction_id" in moved["key"]:
            keys.add((INTERACTION, moved["key"]["interaction_id"]))
    for gone in snapshot["deleted"]:
        target = tables[gone["table"]]
        values = {k: _typed(v) for k, v in gone["row"].items()}
        values[gone["column"]] = new_id
        if "uid" in target.columns or target.name in ("event_attendee",):
            values.pop("id", None)
        session.execute(insert(target).values(values))
    before = {k: _typed(v) for k, v in snapshot["kept_before"].items()
              if k not in ("id", "uid", "version", "created_at")}
    session.execute(update(table).where(table.c.id == keep.id).values(
        **before, version=keep.version + 1))
    session.expire_all()
    other = session.get_one(model, new_id)
    record(session, keep, "unmerge", {"restored": [None, row.uid]})
    record(session, other, "unmerge", {"kept": [keep.uid, None]})
    result = MergeResult(row.merge_uid, kind, row.kept_uid, row.uid)
    chained = snapshot.get("chained") or []
    if chained:
        session.execute(update(MergedUid).where(MergedUid.uid.in_(chained))
                        .values(kept_uid=row.uid))
    session.delete(row)
    session.flush()
    _reindex(session, keys)
    return result


def _reindex(session: Session, keys: set[tuple[int, int]]) -> None:
    connection = session.connection()
    if index.index_available(connection):
        index.reindex(connection, keys)
