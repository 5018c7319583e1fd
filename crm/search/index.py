"""The search index: kept in step with every change, rebuilt in bulk, checked on demand.

:func:`install_index_maintenance` hooks ``after_flush`` on the session factory. Every flush
that touches a searchable record, or something its document is made of (roles, contact
points, tags, an organisation's or a place's name …), rewrites those records' index rows
on the same connection, in the same transaction: a rollback takes the index back too.

Writes that bypass the ORM unit of work (Core ``insert()``/``update()``, bulk demo data)
are not seen; call :func:`rebuild` after them (or set ``session.info
["search_index_disabled"]`` for a session whose changes a rebuild will cover anyway).

Whether a role is current depends on the day: :func:`ensure_current` (called by the search
service) re-indexes the holders of roles that ended since the index last looked.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.state import InstanceState

from crm.domain import (
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
from crm.persistence import dialect
from crm.persistence.bulk import InsertQueue
from crm.search import documents as docs
from crm.search.documents import INTERACTION, MODELS, MUNICIPALITY, ORG, PERSON, Selection

_meta = MetaData()
search_meta = Table(
    "search_meta", _meta,
    Column("key", String(40), primary_key=True),
    Column("value", String(40), nullable=False),
)

search_terms = Table("search_terms", _meta, Column("term", String, primary_key=True))

REBUILD_CHUNK = 2000
MAX_REPORTED = 50
_ready: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def today() -> date:
    return date.today()


# -- state kept beside the index ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class IndexState:
    version: int  # bumped by every index write: the fuzzy term cache is valid per version
    rebuild_needed: bool
    roles_as_of: date  # the day current and former roles were last told apart


# All of search_meta (it holds these three keys only): one statement built once, read at
# every search.
_STATE = select(search_meta.c.key, search_meta.c.value)


def read_state(connection: Connection) -> IndexState:
    rows = dict(connection.execute(_STATE).all())
    try:
        as_of = date.fromisoformat(rows.get("roles_as_of", ""))
    except ValueError:
        as_of = date.min
    return IndexState(int(rows.get("version", "0") or 0), rows.get("rebuild_needed") == "1",
                      as_of)


def _set_meta(connection: Connection, key: str, value: str) -> None:
    updated = connection.execute(
        search_meta.update().where(search_meta.c.key == key).values(value=value)
    )
    if not updated.rowcount:
        connection.execute(search_meta.insert().values(key=key, value=value))


def _bump_version(connection: Connection) -> None:
    version = connection.execute(
        select(search_meta.c.value).where(search_meta.c.key == "version")
    ).scalar()
    _set_meta(connection, "version", str(int(version or 0) + 1))


def index_available(connection: Connection) -> bool:
    """Whether this database has the index (it may predate it, or not be SQLite)."""
    if not dialect.supports_search_index(connection):
        return False
    engine = connection.engine
    if _ready.get(engine):
        return True
    found = dialect.search_index_exists(connection)
    if found:
        _ready[engine] = True
    return found


# -- writing documents -----------------------------------------------------------------------

def reindex(connection: Connection, keys: Iterable[tuple[int, int]],
            on: date | None = None) -> int:
    """Rewrite the index rows of the given (type code, id) records; gone records vanish."""
    sql = dialect.search_sql(connection)
    by_type: dict[int, set[int]] = defaultdict(set)
    for code, record_id in keys:
        by_type[code].add(record_id)
    day = on or today()
    written = 0
    words: set[str] = set()
    for code, ids in sorted(by_type.items()):
        for sel in docs.batches(ids):
            built = docs.build(connection, code, sel, day)
            gone = [docs.rowid(code, i) for i in sel.ids]
            dialect.delete_search_rows(connection, sql.fts_delete, gone)
            if code != INTERACTION:
                dialect.delete_search_rows(connection, sql.names_delete, gone)
            words |= _insert(connection, built)
            written += len(sel.ids)
    _add_terms(connection, words)
    if written:
        _bump_version(connection)
    return written


class DocumentLoader:
    """Index rows for records that have none yet (new ones), from documents the caller
    built: the import knows its new persons' words before it writes them. The rows go
    through the caller's insert queue, and so do their words."""

    def __init__(self, connection: Connection, inserts: InsertQueue) -> None:
        self.connection = connection
        self.inserts = inserts
        self.words: set[str] = set()

    def add(self, built: list[docs.Document]) -> None:
        columns = ("rowid", *dialect.SEARCH_COLUMNS)
        self.inserts.insert_prepared(None, list(map(attrgetter(*columns), built)),
                                     table=dialect.SEARCH_TABLE, columns=columns)
        self.inserts.insert_prepared(None, [(d.rowid, d.name, d.flags) for d in built
                                            if d.name],
                                     table=dialect.NAMES_TABLE, columns=("rowid", "name", "flags"))
        new: set[str] = set()
        for d in built:  # (Document.words, without a set per document)
            new.update(" ".join((d.name, d.current, d.former, d.contact, d.other,
                                 d.suffix)).split())
        new -= self.words
        if new:  # (queued chunk by chunk: no big sort and insert left for the end)
            self.words |= new
            self.inserts.call(lambda: _add_terms(self.connection, new))

    def finish(self) -> None:
        self.inserts.call(lambda: _bump_version(self.connection))


def _insert(connection: Connection, built: list[docs.Document]) -> set[str]:
    """Write the documents (their names to the names table too); returns their words."""
    sql = dialect.search_sql(connection)
    if not built:
        return set()
    dialect.insert_rows(connection, sql.fts_insert, [d.params() for d in built],
                        table=dialect.SEARCH_TABLE, columns=("rowid", *dialect.SEARCH_COLUMNS))
    named = [{"rowid": d.rowid, "name": d.name, "flags": d.flags} for d in built if d.name]
    dialect.insert_rows(connection, sql.names_insert, named, table=dialect.NAMES_TABLE,
                        columns=("rowid", "name", "flags"))
    return set().union(*(d.words() for d in built))


def _add_terms(connection: Connection, words: Iterable[str]) -> None:
    ordered = sorted(words)
    for start in range(0, len(ordered), 5000):
        dialect.insert_search_terms(connection, ordered[start:start + 5000])


def rebuild(session: Session) -> int:
    """Build the whole index from the tables; returns the number of documents.

    Set-based: a few queries per chunk of ids and one ``executemany`` per chunk.
    """
    connection = session.connection()
    sql = dialect.search_sql(connection)
    dialect.empty_search_index(connection)
    connection.exec_driver_sql(sql.terms_clear)
    day = today()
    count = 0
    words: set[str] = set()
    with dialect.bulk_index_load(connection):
        for code in (MUNICIPALITY, ORG, PERSON, INTERACTION):
            model = MODELS[code]
            low, high = connection.execute(
                select(func.min(model.id), func.max(model.id))).one()
            if low is None:
                continue
            for start in range(low, high + 1, REBUILD_CHUNK):
                sel = Selection(low=start, high=start + REBUILD_CHUNK - 1)
                built = docs.build(connection, code, sel, day)
                words |= _insert(connection, built)
                count += len(built)
    _add_terms(connection, words)
    _set_meta(connection, "rebuild_needed", "0")
    _set_meta(connection, "roles_as_of", day.isoformat())
    _bump_version(connection)
    return count


def ensure_current(session: Session) -> bool:
    """Bring the index up to date if it has to be: after an upgrade from a database without
    an index, or when roles ended since the index last told current from former ones.
    Returns whether anything was written."""
    connection = session.connection()
    if not index_available(connection):
        return False
    state = read_state(connection)
    if state.rebuild_needed:
        rebuild(session)
        return True
    day = today()
    if state.roles_as_of >= day:
        return False
    persons = docs.persons_with_roles_ending(connection, state.roles_as_of, day)
    reindex(connection, ((PERSON, pid) for pid in persons), day)
    _set_meta(connection, "roles_as_of", day.isoformat())
    return True


def needs_maintenance(state: IndexState) -> bool:
    return state.rebuild_needed or state.roles_as_of < today()


# -- checking -------------------------------------------------------------------------------

def check(session: Session) -> list[str]:
    """Differences between the index and the tables, one line each (empty: all well)."""
    connection = session.connection()
    sql = dialect.search_sql(connection)
    if not index_available(connection):
        return ["search index: missing (the database has no search tables)"]
    problems: list[str] = []
    if read_state(connection).rebuild_needed:
        problems.append("search index: not built yet (rebuild pending)")
    for statement in sql.integrity:
        try:
            connection.exec_driver_sql(statement)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding itself
            problems.append(f"search index: integrity check failed: {exc}")
    known = set(connection.execute(select(search_terms.c.term)).scalars())
    problems += [f"search index: the word {t!r} is missing from the word list"
                 for (t,) in connection.exec_driver_sql(sql.vocab_terms)
                 if t not in known and t not in docs.FLAG_WORDS]
    stored = _keys(connection, sql.fts_rowids)
    named = _keys(connection, sql.names_rowids)
    day = today()
    for code, model in MODELS.items():
        kind = docs.TYPE_NAMES[code]
        ids = set(connection.execute(select(model.id)).scalars())
        problems += [f"search index: {kind} {i} is missing" for i in sorted(ids - stored[code])]
        problems += [f"search index: {kind} {i} is indexed but does not exist"
                     for i in sorted((stored[code] | named[code]) - ids)]
        problems += _stale(connection, code, ids, day)
    if len(problems) > MAX_REPORTED:
        more = len(problems) - MAX_REPORTED
        problems = problems[:MAX_REPORTED] + [f"search index: … and {more} more differences"]
    return problems


def _keys(connection: Connection, statement: str) -> dict[int, set[int]]:
    keys: dict[int, set[int]] = defaultdict(set)
    for (value,) in connection.exec_driver_sql(statement):
        code, record_id = docs.split_rowid(value)
        keys[code].add(record_id)
    return keys


def _stale(connection: Connection, code: int, ids: set[int], day: date) -> list[str]:
    """Records whose index rows differ from what their tables say now."""
    sql = dialect.search_sql(connection)
    kind = docs.TYPE_NAMES[code]
    problems = []
    for sel in docs.batches(ids, REBUILD_CHUNK):
        expected = {d.rowid: d for d in docs.build(connection, code, sel, day)}
        bounds = {"low": docs.rowid(code, sel.ids[0]), "high": docs.rowid(code, sel.ids[-1])}
        rows = {r[0]: tuple(r[1:])
                for r in connection.exec_driver_sql(sql.fts_range, bounds)}
        names = {r[0]: tuple(r[1:])
                 for r in connection.exec_driver_sql(sql.names_range, bounds)}
        for key, doc in expected.items():
            record_id = docs.split_rowid(key)[1]
            if key in rows and rows[key] != doc.columns():
                problems.append(f"search index: {kind} {record_id} is stale")
            if names.get(key) != ((doc.name, doc.flags) if doc.name else None):
                problems.append(f"search index: {kind} {record_id} is stale in the names")
    return problems


# -- keeping in step ---------------------------------------------------------------------------

@dataclass
class _Changes:
    keys: set[tuple[int, int]] = field(default_factory=set)
    renamed_persons: set[int] = field(default_factory=set)
    renamed_orgs: set[int] = field(default_factory=set)
    moved_orgs: set[int] = field(default_factory=set)
    renamed_places: set[int] = field(default_factory=set)
    renamed_tags: set[int] = field(default_factory=set)
    roles: set[int] = field(default_factory=set)


def _pk(state: InstanceState[Any]) -> int | None:
    value = state.dict.get("id")
    if value is None and state.identity:
        value = state.identity[0]
    return value


def _values(state: InstanceState[Any], key: str) -> list[Any]:
    """Old and new values of an attribute, without loading anything from the database."""
    history = state.attrs[key].history
    values = [v for v in chain(history.added or (), history.unchanged or (),
                               history.deleted or ()) if v is not None]
    if not values and key in state.unloaded and not state.deleted and state.persistent:
        value = getattr(state.obj(), key)
        values = [value] if value is not None else []
    return values


def _changed(state: InstanceState[Any], *keys: str) -> bool:
    if state.deleted or state.was_deleted or state.key is None:
        return True
    return any(state.attrs[k].history.has_changes() for k in keys)


def _collect(session: Session) -> _Changes:
    changes = _Changes()
    for obj in chain(session.new, session.dirty, session.deleted):
        state = inspect(obj)
        pk = _pk(state)
        gone = obj in session.deleted
        if isinstance(obj, Person) and pk is not None:
            changes.keys.add((PERSON, pk))
            if gone or _changed(state, "full_name", "transliteration"):
                changes.renamed_persons.add(pk)
        elif isinstance(obj, Organisation) and pk is not None:
            changes.keys.add((ORG, pk))
            if gone or _changed(state, "name", "short_name"):
                changes.renamed_orgs.add(pk)
            if gone or _changed(state, "name", "short_name", "municipality_id",
                                "municipality"):
                changes.moved_orgs.add(pk)
        elif isinstance(obj, Municipality) and pk is not None:
            changes.keys.add((MUNICIPALITY, pk))
            if gone or _changed(state, "name"):
                changes.renamed_places.add(pk)
        elif isinstance(obj, Interaction) and pk is not None:
            changes.keys.add((INTERACTION, pk))
        elif isinstance(obj, Role):
            changes.keys.update((PERSON, v) for v in _values(state, "person_id"))
        elif isinstance(obj, ContactPoint):
            changes.keys.update((PERSON, v) for v in _values(state, "person_id"))
            changes.keys.update((ORG, v) for v in _values(state, "organisation_id"))
            changes.roles.update(_values(state, "role_id"))
        elif isinstance(obj, InteractionParticipant):
            changes.keys.update((INTERACTION, v) for v in _values(state, "interaction_id"))
        elif isinstance(obj, Tag) and pk is not None and _changed(state, "name"):
            changes.renamed_tags.add(pk)
    return changes


def _dependents(connection: Connection, changes: _Changes) -> set[tuple[int, int]]:
    """Records whose documents quote a changed name."""
    keys = set(changes.keys)
    ids = docs.ids_where
    places = changes.renamed_places
    if places:
        keys |= {(MUNICIPALITY, i) for i in ids(connection, Municipality.id,
                                                  Municipality.parent_id, list(places))}
        located = ids(connection, Organisation.id, Organisation.municipality_id, list(places))
        keys |= {(ORG, i) for i in located}
        changes.moved_orgs |= located
        keys |= {(INTERACTION, i) for i in ids(connection, Interaction.id,
                                                 Interaction.municipality_id, list(places))}
    if changes.moved_orgs:
        keys |= {(PERSON, i) for i in ids(connection, Role.person_id, Role.organisation_id,
                                          list(changes.moved_orgs))}
    if changes.renamed_orgs:
        renamed = list(changes.renamed_orgs)
        keys |= {(ORG, i) for i in ids(connection, Organisation.id, Organisation.parent_id,
                                       renamed)}
        keys |= {(INTERACTION, i) for i in ids(
            connection, interaction_organisation.c.interaction_id,
            interaction_organisation.c.organisation_id, renamed)}
    if changes.renamed_persons:
        keys |= {(INTERACTION, i) for i in ids(
            connection, InteractionParticipant.interaction_id, InteractionParticipant.person_id,
            list(changes.renamed_persons))}
    if changes.roles:
        keys |= {(PERSON, i) for i in ids(connection, Role.person_id, Role.id,
                                          list(changes.roles))}
    if changes.renamed_tags:
        tags = list(changes.renamed_tags)
        keys |= {(PERSON, i) for i in ids(connection, person_tag.c.person_id,
                                          person_tag.c.tag_id, tags)}
        keys |= {(ORG, i) for i in ids(connection, organisation_tag.c.organisation_id,
                                       organisation_tag.c.tag_id, tags)}
    return keys


_PENDING = "search_index_pending"


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Deleting a tag deletes its links by ``ON DELETE CASCADE``, out of the ORM's sight:
    note who wore it while the links still exist."""
    tags = [pk for obj in session.deleted
            if isinstance(obj, Tag) and (pk := _pk(inspect(obj))) is not None]
    if not tags or session.info.get("search_index_disabled"):
        return
    connection = session.connection()
    if not index_available(connection):
        return
    pending = session.info.setdefault(_PENDING, set())
    pending |= {(PERSON, i) for i in docs.ids_where(
        connection, person_tag.c.person_id, person_tag.c.tag_id, tags)}
    pending |= {(ORG, i) for i in docs.ids_where(
        connection, organisation_tag.c.organisation_id, organisation_tag.c.tag_id, tags)}


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get("search_index_disabled"):
        return
    changes = _collect(session)
    changes.keys |= session.info.pop(_PENDING, set())
    if not (changes.keys or changes.renamed_tags or changes.roles):
        return
    connection = session.connection()
    if not index_available(connection):
        return
    reindex(connection, _dependents(connection, changes))


# The session factories maintenance is installed on. Not ``event.contains``: SQLAlchemy's
# event registry keys a listener by ``id()`` of the factory and keeps the key after the factory
# is gone, so a new factory that Python places at a freed one's address would look maintained
# already and get no hooks (its flushes would never reach the index). A dead weak reference
# never equals a new one, so this set cannot mistake one factory for another.
_maintained: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


def install_index_maintenance(sessions: sessionmaker[Session]) -> None:
    """Keep the index in step with every flush of sessions from ``sessions`` (idempotent)."""
    if sessions in _maintained:
        return
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "after_flush", _after_flush)
    _maintained.add(sessions)
