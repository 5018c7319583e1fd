"""A complete JSON export of the database, and its restore.

Every table of the model is written with its rows ordered by uid; integer keys never leave
the database: a reference is written as the uid of the record it points to (tables
without uids, such as attendees, are written by their references). Restoring into an
empty database gives back exactly the same export (apart from ``exported_at``).

Restoring into a database that already holds data adds what is missing: a record whose uid
exists is skipped; seeded municipalities and staff members are matched by uid, AGS or
initials and take the dump's values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Date, Table, func, insert, select, update
from sqlalchemy.orm import Session

from crm.domain import Base
from crm.domain.base import StrEnumType, UTCDateTime
from crm.i18n import _
from crm.io import ReadResult, UnreadableFileError
from crm.persistence.dialect import insert_or_ignore

FORMAT = "bruecke-dump"
VERSION = 1
# Every table of the model, parents before children (self-references are filled in a
# second pass), so tables added by later migrations are exported too.
def tables() -> tuple[str, ...]:
    return tuple(t.name for t in Base.metadata.sorted_tables)


MATCHED = {"municipality": "ags", "staff_member": "initials"}
_CONTENT = ("person", "organisation", "interaction", "event", "project", "tag")


def unreadable_text(exc: UnreadableFileError) -> str:
    texts = {
        "empty_file": lambda: _("the file is empty"),
        "binary_file": lambda: _("the file is not a text file (binary data)"),
        "not_vcard": lambda: _("the file holds no vCard"),
        "bad_xlsx": lambda: _("the file is not a readable Excel workbook"),
        "bad_json": lambda: _("the file is not a Brücke JSON export"),
    }
    text = texts.get(exc.code)
    return text() if text else exc.code


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _refs(table: Table) -> dict[str, Table]:
    """Columns that point to a table with uids: written as that uid."""
    found = {}
    for column in table.columns:
        for fk in column.foreign_keys:
            target = fk.column.table
            if "uid" in target.columns:
                found[column.name] = target
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, str, bool)):
        return value.value
    return value


def _typed(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, StrEnumType):
        return column.type.enum_class(value)
    return value


# -- export ------------------------------------------------------------------------------------

def dump(session: Session) -> dict[str, Any]:
    uids: dict[str, dict[int, str]] = {}
    for name in tables():
        table = _table(name)
        if "uid" in table.columns:
            uids[name] = dict(session.execute(select(table.c.id, table.c.uid)).all())
    found: dict[str, list[dict[str, Any]]] = {}
    for name in tables():
        table = _table(name)
        refs = _refs(table)
        rows = []
        for row in session.execute(select(table)).mappings():
            item: dict[str, Any] = {}
            for key, value in row.items():
                if key == "id" and ("uid" in table.columns or refs):
                    continue
                if key in refs and value is not None:
                    item[key] = uids[refs[key].name].get(value)
                else:
                    item[key] = _plain(value)
            rows.append(item)
        rows.sort(key=lambda r: r.get("uid") or json.dumps(r, sort_keys=True))
        found[name] = rows
    from crm.persistence.database import head_revision

    return {"format": FORMAT, "version": VERSION, "schema": head_revision(),
            "exported_at": datetime.now(UTC).isoformat(), "tables": found}


def dump_text(session: Session) -> str:
    return json.dumps(dump(session), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# -- reading and restoring ----------------------------------------------------------------------

def check_dump(data: bytes, source: str = "") -> ReadResult:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnreadableFileError("bad_json", source, str(exc)) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(
            document.get("tables"), dict):
        raise UnreadableFileError("bad_json", source)
    return ReadResult([], [], format="json", encoding="utf-8", payload=document)


def _is_empty(session: Session) -> bool:
    return not any(session.scalar(select(func.count()).select_from(_table(t)))
                   for t in _CONTENT)


class _Restorer:
    def __init__(self, session: Session, document: dict[str, Any], write: bool) -> None:
        self.session = session
        self.tables: dict[str, list[dict[str, Any]]] = document["tables"]
        self.write = write
        self.ids: dict[str, dict[str, int]] = {}
        self.existing: dict[str, set[str]] = {}
        self.counts = {"created": 0, "updated": 0, "skipped": 0}
        self.later: list[tuple[Table, str, str, str, str | None]] = []

    def _load_ids(self, name: str) -> None:
        table = _table(name)
        rows = self.session.execute(select(table.c.id, table.c.uid)).all()
        self.ids[name] = {uid: rid for rid, uid in rows}
        self.existing[name] = set(self.ids[name])

    def run(self, progress: Callable[[int, int], None] | None,
            cancel: Callable[[], bool] | None) -> None:
        if self.write and _is_empty(self.session):
            self.session.execute(_table("audit_entry").delete())
        for number, name in enumerate(tables(), start=1):
            if cancel is not None and cancel():
                from crm.services.imports import ImportCancelled

                raise ImportCancelled
            table = _table(name)
            if "uid" in table.columns:
                self._load_ids(name)
            for row in self.tables.get(name, []):
                self._row(table, row)
            if progress is not None:
                progress(number, len(tables()))
        for table, uid, key, target_uid, stamp in self.later:
            target = _refs(table)[key].name
            values = {key: self.ids[target].get(target_uid)}
            if stamp is not None and "updated_at" in table.columns:
                values["updated_at"] = _typed(table.c.updated_at, stamp)  # not onupdate
            self.session.execute(update(table).where(table.c.uid == uid).values(values))

    def _values(self, table: Table, row: dict[str, Any]) -> dict[str, Any] | None:
        refs = _refs(table)
        values: dict[str, Any] = {}
        for key, value in row.items():
            if key not in table.columns:
                continue
            column = table.columns[key]
            if key in refs and value is not None:
                target = refs[key].name
                if target == table.name:
                    self.later.append((table, row["uid"], key, value,
                                       row.get("updated_at")))
                    values[key] = None
                    continue
                found = self.ids.get(target, {}).get(value)
                if found is None and not column.nullable:
                    return None
                values[key] = found
            else:
                values[key] = _typed(column, value)
        return values

    def _row(self, table: Table, row: dict[str, Any]) -> None:
        name = table.name
        uid = row.get("uid")
        if uid is None:
            self._link(table, row)
            return
        match = self._match(table, row)
        values = self._values(table, row)
        if values is None:
            self.counts["skipped"] += 1
            return
        if match is not None:
            if name in MATCHED and self.write:
                self.session.execute(update(table).where(table.c.id == match).values(values))
                self.ids[name][uid] = match
                self.counts["updated"] += name != "municipality"
            else:
                self.counts["skipped"] += 1
            return
        self.counts["created"] += 1
        if self.write:
            new_id = self.session.execute(insert(table).values(values)).inserted_primary_key[0]
            self.ids[name][uid] = new_id
        else:
            self.ids[name][uid] = -1

    def _match(self, table: Table, row: dict[str, Any]) -> int | None:
        name = table.name
        found = self.ids[name].get(row["uid"])
        if found is not None:
            return found
        key = MATCHED.get(name)
        if key and row.get(key):
            return self.session.scalar(select(table.c.id).where(table.c[key] == row[key]))
        return None

    def _link(self, table: Table, row: dict[str, Any]) -> None:
        refs = _refs(table)
        owner = next(iter(refs), None)
        if owner is not None:
            target = refs[owner].name
            if row.get(owner) in self.existing.get(target, set()):
                return  # belongs to a record that was there already
        values = self._values(table, row)
        if values is None or not self.write:
            return
        self.session.execute(insert_or_ignore(self.session.connection(), table).values(values))


def preview_dump(session: Session, source: ReadResult) -> Any:
    from crm.services.imports import ImportPreview

    restorer = _Restorer(session, source.payload, write=False)
    restorer.run(None, None)
    return ImportPreview(dict(restorer.counts), (), (), ())


def restore(session: Session, source: ReadResult, *,
            progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> Any:
    """Write the dump's records (one transaction); then rebuild the search index."""
    from crm.search import index
    from crm.services.imports import ImportResult

    session.info["audit_disabled"] = True
    session.info["search_index_disabled"] = True
    restorer = _Restorer(session, source.payload, write=True)
    restorer.run(progress, cancel)
    session.flush()
    if index.index_available(session.connection()):
        index.rebuild(session)
    counts = restorer.counts
    return ImportResult(None, counts["created"], counts["updated"], counts["skipped"])
