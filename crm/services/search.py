"""One search over persons, organisations, municipalities and interactions, as you type.

The index (:mod:`crm.search.index`) is asked tier by tier (:data:`crm.search.query.TIERS`)
for at most a few times ``limit`` rows each, in index order and never sorted by bm25 (which
would have to visit every match of a one-letter prefix); the next tier is asked only while
fewer than ``limit`` records are found. The records found are then read by primary key,
ranked and described with a few batched queries.

``score`` = 10 × tier rank (6 exact name … 0 fuzzy any field) + 4 × closeness (0…1: which
column, whole word or prefix or typo) + 3 for persons, organisations and municipalities
(they come before interactions found the same way) + 2 when the query is the whole name
+ 0.5 when the name starts with the first word typed.
Ties go by the stored sort key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, or_, select, text
from sqlalchemy.orm import aliased

from crm.domain import Interaction, Municipality, Organisation, Person, Role
from crm.errors import DatabaseError, ValidationError
from crm.i18n import current_language
from crm.messages import value_label
from crm.persistence import dialect
from crm.search import index
from crm.search.documents import (
    INTERACTION,
    MUNICIPALITY,
    ORG,
    PERSON,
    TYPE_CODES,
    TYPE_NAMES,
    batches,
    rowid_range,
    split_rowid,
)
from crm.search.query import (
    NAME,
    TIERS,
    Tier,
    Word,
    WordTerms,
    closeness,
    leads,
    match_expression,
    parse,
    same_words,
)
from crm.search.vocabulary import Vocabulary
from crm.services.base import Service, ServiceContext

TYPE_ALIASES = {"organisation": "org"}
_SEPARATOR = " · "


@dataclass(frozen=True, slots=True)
class SearchHit:
    type: str  # "person" | "org" | "municipality" | "interaction"
    uid: str
    title: str  # the name (or an interaction's subject) exactly as written
    subtitle: str
    score: float


@dataclass(slots=True)
class _Candidate:
    code: int
    record_id: int
    tier: Tier
    closeness: float
    leading: bool  # the name starts with the first word typed


@dataclass(slots=True)
class _Record:
    uid: str
    title: str
    sort_key: str
    archived: bool
    subtitle: str = ""
    short_title: str | None = None


class SearchService(Service):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self._vocabulary = Vocabulary()

    def search(self, query: str, *, limit: int = 20, types: set[str] | None = None,
               include_archived: bool = False) -> list[SearchHit]:
        """The best ``limit`` records for ``query``; [] for an empty query."""
        codes = _type_codes(types)
        words = parse(query or "")
        if not words or limit <= 0 or not codes:
            return []
        for attempt in range(2):
            with self._read() as session:
                connection = session.connection()
                state = index.read_state(connection)
                if attempt or not index.needs_maintenance(state):
                    found = self._candidates(connection, words, limit, codes,
                                             include_archived, state.version)
                    return _hits(connection, words, found, limit, include_archived)
            try:
                with self._write() as session:
                    index.ensure_current(session)
            except DatabaseError:
                pass  # read-only or busy: search the index as it is
        return []

    def rebuild(self) -> int:
        """Rebuild the whole index (after bulk imports); returns the number of documents."""
        with self._write() as session:
            return index.rebuild(session)

    def check(self) -> list[str]:
        """Differences between the index and the tables (see :func:`crm.search.index.check`)."""
        with self._write() as session:
            return index.check(session)

    def _candidates(self, connection: Connection, words: tuple[Word, ...], limit: int,
                    codes: tuple[int, ...], include_archived: bool,
                    version: int) -> dict[int, _Candidate]:
        found: dict[int, _Candidate] = {}
        terms = [self._terms(connection, w) for w in words]
        ranges: list[dict[str, int]] = (
            [{}] if len(codes) == len(TYPE_NAMES)
            else [dict(zip(("low", "high"), rowid_range(c), strict=True)) for c in codes]
        )
        engine = connection.dialect.name
        statements = {
            names: text(dialect.fts_candidates_sql(names, len(ranges[0]) > 0, engine=engine))
            for names in (True, False)
        }
        for tier in TIERS:
            if len(found) >= limit:
                break
            if tier.fuzzy and not any(t.typos for t in terms):
                terms = self._with_typos(connection, terms, version)
                if not any(t.typos for t in terms):
                    break
            expression = match_expression(tier, terms, include_archived, engine)
            if expression is None:
                continue
            cap = len(found) + max(3 * limit, 60)
            sql = statements[tier.columns == NAME]
            for bounds in ranges:
                params = {"expression": expression, "limit": cap, **bounds}
                for row in connection.execute(sql, params):
                    if row[0] not in found:
                        found[row[0]] = _candidate(tier, terms, row)
        return found

    def _terms(self, connection: Connection, word: Word) -> WordTerms:
        prefix = tuple(self._vocabulary.prefix(connection, word.text))
        suffix = tuple(self._vocabulary.prefix(connection, word.suffix)) if word.suffix else ()
        return WordTerms(word, prefix, suffix)

    def _with_typos(self, connection: Connection, terms: list[WordTerms],
                    version: int) -> list[WordTerms]:
        return [
            replace(t, typos=tuple(self._vocabulary.typos(connection, t.word.text, version)))
            if t.word.tolerates_typo else t
            for t in terms
        ]


def _candidate(tier: Tier, terms: list[WordTerms], row: Any) -> _Candidate:
    columns = dict(zip(("name", "current", "former", "contact", "other", "suffix"), row[1:],
                       strict=True))
    code, record_id = split_rowid(row[0])
    leading = tier.columns == NAME and leads(terms[0], columns["name"] or "", tier.fuzzy)
    return _Candidate(code, record_id, tier, closeness(tier, terms, columns), leading)


def _type_codes(types: Iterable[str] | None) -> tuple[int, ...]:
    if types is None:
        return tuple(sorted(TYPE_NAMES))
    codes = []
    for name in types:
        key = TYPE_ALIASES.get(name, name)
        if key not in TYPE_CODES:
            raise ValidationError.single("types", "invalid_choice", value=name)
        codes.append(TYPE_CODES[key])
    return tuple(sorted(set(codes)))


def _hits(connection: Connection, words: tuple[Word, ...], found: dict[int, _Candidate],
          limit: int, include_archived: bool) -> list[SearchHit]:
    by_type: dict[int, list[int]] = defaultdict(list)
    for candidate in found.values():
        by_type[candidate.code].append(candidate.record_id)
    records = {code: _LOADERS[code](connection, ids) for code, ids in by_type.items()}
    ranked: list[tuple[float, str, int, int, _Record]] = []
    for candidate in found.values():
        record = records[candidate.code].get(candidate.record_id)
        if record is None or (record.archived and not include_archived):
            continue  # gone or archived meanwhile (another connection's uncommitted view)
        score = _score(candidate, record, words)
        ranked.append((-score, record.sort_key, candidate.code, candidate.record_id, record))
    ranked.sort(key=lambda r: r[:4])
    best = ranked[:limit]
    persons = [r[3] for r in best if r[2] == PERSON]
    roles = _person_subtitles(connection, persons)
    return [
        SearchHit(TYPE_NAMES[code], record.uid, record.title,
                  roles.get(record_id, "") if code == PERSON else record.subtitle,
                  round(-negative, 4))
        for negative, _key, code, record_id, record in best
    ]


def _score(candidate: _Candidate, record: _Record, words: tuple[Word, ...]) -> float:
    score = 10.0 * candidate.tier.rank + 4.0 * candidate.closeness
    if candidate.code != INTERACTION:
        score += 3.0 + (0.5 if candidate.leading else 0.0)
        if candidate.tier.columns == NAME and (
            same_words(words, record.title)
            or (record.short_title and same_words(words, record.short_title))
        ):
            score += 2.0
    return score


# -- reading the records found (by primary key, in batches) -----------------------------------
# The statements are built once (``ids``: an expanding parameter): building a select costs
# more than running it on the few dozen records a search finds.

_IDS = bindparam("ids", expanding=True)


def _id_batches(ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    for sel in batches(ids):
        yield {"ids": list(sel.ids)}


@cache
def _persons_statement() -> Select[Any]:
    return (select(Person.id, Person.uid, Person.full_name, Person.sort_key, Person.archived_at)
            .where(Person.id.in_(_IDS)))


def _persons(connection: Connection, ids: list[int]) -> dict[int, _Record]:
    records = {}
    for params in _id_batches(ids):
        for pid, uid, name, key, archived_at in connection.execute(_persons_statement(),
                                                                   params):
            records[pid] = _Record(uid, name, key, archived_at is not None)
    return records


@cache
def _organisations_statement() -> Select[Any]:
    return (select(Organisation.id, Organisation.uid, Organisation.name, Organisation.sort_key,
                   Organisation.archived_at, Organisation.kind, Municipality.name)
            .select_from(Organisation)
            .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)
            .where(Organisation.id.in_(_IDS)))


def _organisations(connection: Connection, ids: list[int]) -> dict[int, _Record]:
    records = {}
    for params in _id_batches(ids):
        for oid, uid, name, key, archived_at, kind, place in connection.execute(
                _organisations_statement(), params):
            subtitle = _join(value_label("organisation_kind", kind.value), place)
            records[oid] = _Record(uid, name, key, archived_at is not None, subtitle)
    return records


@cache
def _municipalities_statement() -> Select[Any]:
    parent = aliased(Municipality)
    return (select(Municipality.id, Municipality.uid, Municipality.name, Municipality.sort_key,
                   Municipality.level, parent.name)
            .select_from(Municipality)
            .outerjoin(parent, parent.id == Municipality.parent_id)
            .where(Municipality.id.in_(_IDS)))


def _municipalities(connection: Connection, ids: list[int]) -> dict[int, _Record]:
    records = {}
    for params in _id_batches(ids):
        for mid, uid, name, key, level, parent_name in connection.execute(
                _municipalities_statement(), params):
            subtitle = _join(value_label("municipality_level", level.value), parent_name)
            records[mid] = _Record(uid, name, key, False, subtitle,
                                   short_title=name.split(",")[0].strip())
    return records


@cache
def _interactions_statement() -> Select[Any]:
    return (select(Interaction.id, Interaction.uid, Interaction.subject,
                   Interaction.occurred_at, Interaction.kind)
            .where(Interaction.id.in_(_IDS)))


def _interactions(connection: Connection, ids: list[int]) -> dict[int, _Record]:
    records = {}
    language = current_language()
    for params in _id_batches(ids):
        for iid, uid, subject, when, kind in connection.execute(_interactions_statement(),
                                                                params):
            day = _local_day(when)
            # Newest first among equals: the sort key is the inverted date.
            key = f"{99999999 - (day.year * 10000 + day.month * 100 + day.day):08d}" \
                if day else ""
            records[iid] = _Record(uid, subject, key, False,
                                   _interaction_subtitle(day, kind.value, language))
    return records


_LOADERS: dict[int, Any] = {PERSON: _persons, ORG: _organisations,
                            MUNICIPALITY: _municipalities, INTERACTION: _interactions}


@cache
def _roles_statement() -> Select[Any]:
    today = bindparam("today")
    return (select(Role.person_id, Role.start_date, Role.id, Role.title, Organisation.name,
                   Municipality.name)
            .select_from(Role)
            .join(Organisation, Organisation.id == Role.organisation_id)
            .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)
            .where(Role.person_id.in_(_IDS))
            .where(or_(Role.end_date.is_(None), Role.end_date > today)))


def _person_subtitles(connection: Connection, ids: list[int]) -> dict[int, str]:
    """Each person's main current role: title · organisation · place (newest role first)."""
    today = date.today()
    best: dict[int, tuple[Any, ...]] = {}
    for params in _id_batches(ids):
        for row in connection.execute(_roles_statement(), {**params, "today": today}):
            rank = ((row.start_date or date.min).toordinal(), -row.id)
            held = best.get(row.person_id)
            if held is None or rank > held[0]:
                best[row.person_id] = (rank, row[3], row[4], row[5])
    return {pid: _join(title, org, place) for pid, (_rank, title, org, place) in best.items()}


def _join(*parts: str | None) -> str:
    return _SEPARATOR.join(p for p in parts if p)


def _local_day(when: datetime | None) -> date | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().date()


@lru_cache(maxsize=4096)
def _interaction_subtitle(day: date | None, kind: str, language: str) -> str:
    """"12.03.2026 · Treffen" (cached: a search reads dozens of interactions, and Babel
    takes a while to format a date while the days and kinds repeat)."""
    return _join(_format_day(day, language), value_label("interaction_kind", kind))


def _format_day(day: date | None, language: str) -> str:
    if day is None:
        return ""
    from babel.dates import format_date  # Babel's date tables load on first use

    return format_date(day, format="medium", locale=language)
