"""Importing contacts: read a file, preview what happens, write it in one transaction, undo.

The import runs with the per-row audit and search-index hooks switched off (50,000 rows
would otherwise cost a flush hook per batch and an audit row per object): it writes one
audit entry per created or updated record and one for the batch itself with a bulk insert,
and re-indexes exactly the records it touched at the end, in the same transaction.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import (
    AuditEntry,
    ContactKind,
    ContactLabel,
    ContactPoint,
    EventAttendee,
    FollowUp,
    ImportBatch,
    ImportedRecord,
    InteractionParticipant,
    Municipality,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Salutation,
    Tag,
)
from crm.domain.base import new_uid, new_uids, utcnow
from crm.domain.person import person_sort_key, person_tag
from crm.errors import NotFoundError, ValidationError
from crm.io import (
    ContactRecord,
    ReadIssue,
    ReadResult,
    RecordStream,
    UnreadableFileError,
    detect_format,
)
from crm.io.plan import (
    CREATE,
    SKIP,
    UPDATE,
    ImportPlan,
    LateCombine,
    PlanEntry,
    StreamPlanner,
    build_plan,
    may_stream,
    where_text,
)
from crm.persistence.bulk import InsertQueue, bound, bulk_insert
from crm.persistence.dialect import IdSource, large_cache, prepared_import_trail
from crm.search import index
from crm.search.documents import ORG, PERSON, Document, person_document
from crm.search.normalize import fold, sort_key
from crm.services.base import Service

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
FLUSH_EVERY = 5000
FIRST_CHUNK = 500
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_KINDS = {kind.value: kind for kind in ContactKind}
# The columns an imported person starts with, the same for every one.
_NEW_PERSON: dict[str, Any] = {"transliteration": None, "languages": "", "archived_at": None}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class PlanRow:
    where: str
    number: int
    action: str
    name: str
    target_uid: str | None
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportPreview:
    counts: dict[str, int]
    rows: tuple[PlanRow, ...]
    errors: tuple[dict[str, Any], ...]
    warnings: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class ImportResult:
    batch_uid: str | None
    created: int
    updated: int
    skipped: int
    errors: tuple[dict[str, Any], ...] = ()
    warnings: tuple[dict[str, Any], ...] = ()
    cancelled: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"batch": self.batch_uid, "created": self.created, "updated": self.updated,
                "skipped": self.skipped, "errors": list(self.errors),
                "warnings": list(self.warnings), "cancelled": self.cancelled}


@dataclass(frozen=True, slots=True)
class BatchRow:
    uid: str
    created_at: datetime
    source_name: str
    format: str
    created: int
    updated: int
    skipped: int
    undone: bool


@dataclass(frozen=True, slots=True)
class UndoResult:
    batch: BatchRow
    removed: int
    kept: int  # created records in use since (interactions, events …): left in place


class ImportCancelled(Exception):
    """Raised inside the transaction when the user cancels: everything rolls back."""


def _unreadable(path: str, exc: UnreadableFileError) -> ValidationError:
    from crm.io.json_dump import unreadable_text

    return ValidationError.single("file", "unreadable_file", path=path,
                                  detail=unreadable_text(exc))


def read_source(path: str | Path, fmt: str | None = None, *, preset: str | None = None,
                mapping: dict[int, str] | None = None, delimiter: str | None = None,
                header: bool | None = None) -> ReadResult:
    """Read a contact file (format detected from its content unless given)."""
    name = str(path)
    return _read(_file_bytes(name), name, fmt, preset=preset, mapping=mapping,
                 delimiter=delimiter, header=header)


def _read(data: bytes, name: str, fmt: str | None, *, preset: str | None = None,
          mapping: dict[int, str] | None = None, delimiter: str | None = None,
          header: bool | None = None) -> ReadResult:
    from crm.io.tabular import read_table

    try:
        kind = fmt or detect_format(name, data[:4096])
        if kind == "vcf":
            return _open_vcards(data, name).read_all()
        if kind == "json":
            from crm.io.json_dump import check_dump

            return check_dump(data, name)
        return read_table(data, name, fmt="xlsx" if kind == "xlsx" else "csv",
                          preset=None if preset in (None, "auto") else preset,
                          mapping=mapping, delimiter=delimiter, header=header)
    except UnreadableFileError as exc:
        raise _unreadable(name, exc) from exc


def _file_bytes(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise ValidationError.single("file", "unreadable_file", path=name,
                                     detail=exc.strerror or str(exc)) from exc


def _open_vcards(data: bytes, name: str) -> RecordStream:
    from crm.io.vcard import open_vcards

    try:
        return open_vcards(data, name)
    except UnreadableFileError as exc:
        raise _unreadable(name, exc) from exc


def _issue_json(where: str, number: int, text: str, code: str) -> dict[str, Any]:
    return {where: number, "reason": text, "code": code}


def _errors(plan: ImportPlan) -> tuple[dict[str, Any], ...]:
    found = [i.as_json() for i in plan.issues]
    for entry in plan.entries:
        if entry.action == SKIP and entry.reasons and entry.reasons[0].code in (
                "empty_record", "invalid_name"):
            r = entry.record
            found.append(_issue_json(r.where, r.number, entry.reasons[0].text(),
                                     entry.reasons[0].code))
    return tuple(sorted(found, key=lambda e: e.get("line", e.get("card", 0))))


def _warnings(plan: ImportPlan) -> tuple[dict[str, Any], ...]:
    """The notes on what was imported: values left out, and records combined into an
    earlier one of the file (with what of theirs was left out)."""
    found = []
    for entry in plan.entries:
        if entry.combined_into is not None:
            notes = [*entry.reasons, *entry.warnings]
        elif entry.action != SKIP:
            notes = entry.warnings
        else:
            continue
        found += [_issue_json(entry.record.where, entry.record.number, note.text(), note.code)
                  for note in notes]
    return tuple(found)


def _row(entry: PlanEntry) -> PlanRow:
    return PlanRow(entry.record.where, entry.record.number, entry.action, entry.name,
                   entry.target_uid, tuple(entry.reason_texts()),
                   tuple(w.text() for w in entry.warnings))


def batch_row(batch: ImportBatch) -> BatchRow:
    return BatchRow(batch.uid, batch.created_at, batch.source_name, batch.format,
                    batch.created_count, batch.updated_count, batch.skipped_count,
                    batch.undone_at is not None)


class ImportService(Service):
    def read(self, path: str | Path, fmt: str | None = None, **options: Any) -> ReadResult:
        return read_source(path, fmt, **options)

    def preview(self, source: ReadResult, progress: Progress | None = None) -> ImportPreview:
        """What the import would do, record by record; nothing is written."""
        if source.format == "json":
            from crm.io.json_dump import preview_dump

            with self._read() as session:
                return preview_dump(session, source)
        with self._read() as session:
            plan = build_plan(session, source.records, source.issues, progress)
        return ImportPreview(plan.counts, tuple(_row(e) for e in plan.entries),
                             _errors(plan), _warnings(plan))

    def run(self, source: ReadResult, source_name: str = "", *,
            progress: Progress | None = None, cancel: Cancel | None = None) -> ImportResult:
        """Import in one transaction (all or nothing); cancelling rolls everything back."""
        if source.format == "json":
            from crm.io.json_dump import restore

            with self._write() as session:
                return restore(session, source, progress=progress, cancel=cancel)
        try:
            with _collector_paused(), self._write() as session:
                return self._run(session, source, source_name, progress, cancel)
        except ImportCancelled:
            return ImportResult(None, 0, 0, 0, cancelled=True)

    def import_file(self, path: str | Path, fmt: str | None = None,
                    **options: Any) -> tuple[ReadResult, ImportResult]:
        """Read a file and import it in one transaction (the command line's import, where
        no preview comes between): a vCard file's cards are checked and written while the
        rest of the file is still being read. What was read comes back with the result."""
        name = str(path)
        data = _file_bytes(name)
        if (fmt or detect_format(name, data[:4096])) != "vcf":
            source = _read(data, name, fmt, **options)
            return source, self.run(source, name)
        stream = _open_vcards(data, name)
        with _collector_paused(), self._write() as session:
            self._quiet(session)
            result = self._stream_or_plan(session, _stream_chunks(stream),
                                          lambda: stream.issues, stream.read_all,
                                          stream.format, name)
        return stream.read_all(), result

    def _run(self, session: Session, source: ReadResult, source_name: str,
             progress: Progress | None, cancel: Cancel | None) -> ImportResult:
        self._quiet(session)
        if not may_stream(source.records):
            return self._run_planned(session, source, source_name, progress, cancel)
        records = source.records

        def chunks() -> Iterator[list[ContactRecord]]:
            for start, end in _chunks(len(records)):
                yield records[start:end]
                if progress is not None:
                    progress(end, len(records))

        return self._stream_or_plan(session, chunks(), lambda: source.issues,
                                    lambda: source, source.format, source_name, progress,
                                    cancel)

    def _stream_or_plan(self, session: Session, chunks: Iterable[list[ContactRecord]],
                        issues: Callable[[], list[ReadIssue]],
                        whole: Callable[[], ReadResult], fmt: str, source_name: str,
                        progress: Progress | None = None,
                        cancel: Cancel | None = None) -> ImportResult:
        """Write while checking (see :meth:`_run_streaming`); when the file turns out to
        need the whole plan first, roll that back and plan ``whole()`` first."""
        try:
            with session.begin_nested():
                return self._run_streaming(session, chunks, issues,
                                           _new_batch(session, fmt, source_name), progress,
                                           cancel)
        except LateCombine:
            pass  # (what it wrote is rolled back to the savepoint: plan first, below)
        return self._run_planned(session, whole(), source_name, progress, cancel)

    @staticmethod
    def _quiet(session: Session) -> None:
        """The import writes its own index rows and audit entries (in bulk)."""
        session.info["search_index_disabled"] = True
        session.info["audit_disabled"] = True

    def _run_streaming(self, session: Session, chunks: Iterable[list[ContactRecord]],
                       issues: Callable[[], list[ReadIssue]], batch: ImportBatch,
                       progress: Progress | None, cancel: Cancel | None) -> ImportResult:
        """Check the next records while the new persons of the last ones are written (see
        InsertQueue); updates of known persons go through the ORM at the end. ``issues``:
        the file's read issues, asked once all chunks are taken."""
        planner = StreamPlanner(session)
        writer = _Writer(session, batch)
        with writer.bulk():
            for chunk in chunks:
                if cancel is not None and cancel():
                    raise ImportCancelled
                writer.create_persons(planner.chunk(chunk))
        plan = planner.finish(issues())
        for entry in plan.entries:
            if entry.action == UPDATE:
                writer.write(entry)
        return _finish(writer, plan, progress)

    def _run_planned(self, session: Session, source: ReadResult, source_name: str,
                     progress: Progress | None, cancel: Cancel | None) -> ImportResult:
        """Plan the whole file, write what the ORM writes (organisation records, updates),
        then the new persons in bulk."""
        plan = build_plan(session, source.records, source.issues)
        writer = _Writer(session, _new_batch(session, source.format, source_name))
        new_persons = [e for e in plan.entries
                       if e.action == CREATE and not e.record.is_organisation]
        others = [e for e in plan.entries
                  if not (e.action == CREATE and not e.record.is_organisation)]
        total = len(plan.entries)
        for number, entry in enumerate(others, start=1):
            if cancel is not None and number % 100 == 0 and cancel():
                raise ImportCancelled
            writer.write(entry)
            if number % FLUSH_EVERY == 0:
                session.flush()
                if progress is not None:
                    progress(number, total)
        with writer.bulk():
            for start, end in _chunks(len(new_persons)):
                if cancel is not None and cancel():
                    raise ImportCancelled
                writer.create_persons(new_persons[start:end])
                if progress is not None:
                    progress(len(others) + start, total)
        return _finish(writer, plan, progress)

    # -- batches and undo -------------------------------------------------------------------

    def batches(self, limit: int = 20) -> list[BatchRow]:
        with self._read() as session:
            found = session.scalars(select(ImportBatch).order_by(
                ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(limit))
            return [batch_row(b) for b in found]

    def undo(self, batch_uid: str) -> UndoResult:
        """Take an import back: created records go (unless in use since), updates revert."""
        with self._write() as session:
            batch = session.scalar(select(ImportBatch).where(ImportBatch.uid == batch_uid))
            if batch is None:
                raise NotFoundError("import_batch", batch_uid)
            if batch.undone_at is not None:
                raise ValidationError.single("import", "already_undone")
            removed, kept = _Undo(session, batch).run()
            batch.undone_at = utcnow()
            session.flush()
            return UndoResult(batch_row(batch), removed, kept)


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    """Where the chunks of new persons start and end (see :func:`_chunk_sizes`)."""
    start = 0
    for size in _chunk_sizes(count):
        yield start, start + size
        start += size


def _chunk_sizes(count: int) -> Iterator[int]:
    """How many records each chunk takes: a small first one, so that the writer thread gets
    to work early, then FLUSH_EVERY each, and the last ones halving, so that little is left
    to write once the last chunk is built."""
    done, size = 0, FIRST_CHUNK
    while done < count:
        left = count - done
        step = min(size, max(FIRST_CHUNK, left // 2), left)
        yield step
        done += step
        size = FLUSH_EVERY


def _new_batch(session: Session, fmt: str, source_name: str) -> ImportBatch:
    batch = ImportBatch(source_name=Path(source_name).name[:500] if source_name else "",
                        format=fmt, staff_id=session.info.get("staff_id"),
                        created_count=0, updated_count=0, skipped_count=0)
    session.add(batch)
    return batch


def _stream_chunks(stream: RecordStream) -> Iterator[list[ContactRecord]]:
    """The stream's records in the chunks :func:`_chunk_sizes` cuts for the cards the file
    seems to hold (then FLUSH_EVERY each, should it hold more)."""
    for size in _chunk_sizes(stream.expected):
        chunk = stream.take(size)
        if not chunk:
            return
        yield chunk
    while chunk := stream.take(FLUSH_EVERY):
        yield chunk


def _finish(writer: _Writer, plan: ImportPlan, progress: Progress | None) -> ImportResult:
    counts = plan.counts
    batch = writer.batch
    batch.created_count = counts["created"]
    batch.updated_count = counts["updated"]
    batch.skipped_count = counts["skipped"]
    writer.finish()
    if progress is not None:
        progress(len(plan.entries), len(plan.entries))
    return ImportResult(batch.uid, counts["created"], counts["updated"], counts["skipped"],
                        _errors(plan), _warnings(plan))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while an import writes: the records, rows and index
    documents of 50,000 cards are millions of objects that all live until the commit, and
    the collector walked them again and again (~1 s of such an import) to find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- writing ------------------------------------------------------------------------------------

class _Writer:
    """Creates persons with bulk inserts (50,000 rows in seconds); updates through the ORM."""

    def __init__(self, session: Session, batch: ImportBatch) -> None:
        self.session = session
        self.batch = batch
        self.tags = {t.name: t for t in session.scalars(select(Tag))}
        self.orgs: dict[str, Organisation | int] = {}
        self.org_words: dict[int, tuple[str, str | None, str | None]] = {}
        for oid, name, short, place in session.execute(
                select(Organisation.id, Organisation.name, Organisation.short_name,
                       Municipality.name)
                .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)):
            self.orgs.setdefault(fold(name), oid)
            self.org_words[oid] = (name, short, place)
        self.indexed = index.index_available(session.connection())
        self.inserts: InsertQueue | None = None
        self.documents: index.DocumentLoader | None = None
        self.person_ids: IdSource | None = None
        self.trail_at: Any = None
        self.org_ids: IdSource | None = None
        self.tag_ids: IdSource | None = None
        self.org_keys: dict[str, str] = {}
        self.taken = set(session.scalars(select(Person.uid)))
        self.keys: set[tuple[int, int]] = set()
        self.new_orgs: list[Organisation] = []
        self.audit: list[dict[str, Any]] = []
        self.links: list[dict[str, Any]] = []

    def write(self, entry: PlanEntry) -> None:
        """An organisation record or an update, through the ORM."""
        if entry.action == CREATE and entry.record.is_organisation:
            self._create_organisation(entry)
        elif entry.action == UPDATE:
            self._update_person(entry)

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """While new persons are written in bulk (the session stays untouched meanwhile):
        inserts go through an :class:`InsertQueue`, ids come from :class:`IdSource`; the
        queue is drained at the end (its errors raised), then the words are indexed."""
        self.session.flush()  # (the batch row is written: SQLite's write lock is held)
        for org in self.orgs.values():
            if isinstance(org, Organisation):  # (written through the ORM, above)
                place = org.municipality.name if org.municipality is not None else None
                self.org_words[org.id] = (org.name, org.short_name, place)
        connection = self.session.connection()
        self.trail_at = bound(connection, AuditEntry.__table__.c.at, utcnow())
        self.person_ids = IdSource(connection, Person.__tablename__)
        self.org_ids = IdSource(connection, Organisation.__tablename__)
        self.tag_ids = IdSource(connection, Tag.__tablename__)
        with large_cache(connection):
            self.inserts = InsertQueue(connection)
            if self.indexed:
                self.documents = index.DocumentLoader(connection, self.inserts)
            try:
                yield
                if self.documents is not None:
                    self.documents.finish()
            except BaseException:
                self.inserts.close(raise_error=False)
                raise
            self.inserts.close()

    def _link(self, kind: str, uid: str, action: str, changes: dict[str, Any],
              name: str) -> None:
        # The texts json.dumps(..., ensure_ascii=False) writes, composed without a dict per
        # record (50,000 of them add up).
        self.links.append({"record_type": kind, "record_uid": uid, "action": action,
                           "changes": json.dumps(changes, ensure_ascii=False)
                           if changes else "{}"})
        audit = (f'{{"batch": {_ENCODE(self.batch.uid)}, "name": {_ENCODE(name)}, '
                 f'"import": {_ENCODE(action)}}}')
        self.audit.append({"record_type": kind, "record_uid": uid, "action": "import",
                           "changes": audit})

    def _points(self, entry: PlanEntry) -> list[ContactPoint]:
        return [ContactPoint(uid=new_uid(), kind=ContactKind(p.kind),
                             label=ContactLabel(p.label), value=p.value,
                             preferred=p.preferred) for p in entry.points]

    def _tags(self, names: list[str]) -> list[Tag]:
        found = []
        for name in names:
            tag = self.tags.get(name)
            if isinstance(tag, int):  # (made by the bulk inserts)
                tag = self.tags[name] = self.session.get_one(Tag, tag)
            elif tag is None:
                tag = self.tags[name] = Tag(uid=new_uid(), name=name)
                self.session.add(tag)
            found.append(tag)
        return found

    def _bulk_tag_ids(self, names: list[str], now: datetime) -> list[int]:
        """The ids of tags for new persons; missing tags are inserted with them."""
        assert self.inserts is not None and self.tag_ids is not None
        ids = []
        for name in names:
            tag = self.tags.get(name)
            if tag is None:
                tag = self.tags[name] = self.tag_ids.take(1)[0]
                self.inserts.insert(Tag.__table__, [{
                    "id": tag, "uid": new_uid(), "name": name, "colour": "#808080",
                    "created_at": now, "updated_at": now, "version": 1}])
            ids.append(tag if isinstance(tag, int) else tag.id)
        return ids

    def _organisation(self, name: str) -> Organisation:
        key = fold(name)
        known = self.orgs.get(key)
        if isinstance(known, Organisation):
            return known
        if isinstance(known, int):
            org = self.session.get_one(Organisation, known)
        else:
            org = Organisation(uid=new_uid(), name=name[:300], kind=OrganisationKind.OTHER)
            self.session.add(org)
            self.new_orgs.append(org)
            self._link("organisation", org.uid, "created", {}, org.name)
        self.orgs[key] = org
        return org

    def _add_organisations(self, names: list[str], now: datetime) -> None:
        """The organisations new persons work for that are not known yet: one bulk insert
        with ids given, not an ORM flush (or a load) for each."""
        assert self.inserts is not None and self.org_ids is not None
        new: dict[str, dict[str, Any]] = {}
        for name in names:
            key = self._org_key(name) if name else ""
            if key in self.orgs or key in new or not name:
                continue
            new[key] = {"uid": new_uid(), "name": name[:300], "kind": OrganisationKind.OTHER,
                        "notes": "", "sort_key": sort_key(name[:300]), "created_at": now,
                        "updated_at": now, "version": 1}
        if not new:
            return
        ids = self.org_ids.take(len(new))
        for (key, row), org_id in zip(new.items(), ids, strict=True):
            row["id"] = self.orgs[key] = org_id
            self.org_words[org_id] = (row["name"], None, None)
            self.keys.add((ORG, org_id))
        self.inserts.insert(Organisation.__table__, list(new.values()))
        self._add_trail(Organisation.__tablename__, ids)

    def _org_key(self, name: str) -> str:
        """An organisation's name folded (thousands of persons name the same few)."""
        key = self.org_keys.get(name)
        if key is None:
            key = self.org_keys[name] = fold(name)
        return key

    def _add_trail(self, table: str, ids: list[int]) -> None:
        """Audit entries and batch links of new rows, written by the database from them."""
        assert self.inserts is not None
        self.inserts.call(prepared_import_trail(
            self.session.connection(), table=table, ids=ids, batch_id=self.batch.id,
            batch_uid=self.batch.uid, staff_id=self.session.info.get("staff_id"),
            at=self.trail_at))

    def create_persons(self, entries: list[PlanEntry]) -> None:
        """Insert new persons with their contact points, tags, roles and index documents."""
        assert self.inserts is not None and self.person_ids is not None
        now = utcnow()
        self._add_organisations([e.record.organisation for e in entries], now)
        rows = [self._person_row(e) for e in entries]
        ids = self.person_ids.take(len(rows))
        for row, pid in zip(rows, ids, strict=True):
            row["id"] = pid
        same = {"created_at": now, "updated_at": now, "version": 1}
        self.inserts.insert(Person.__table__, rows, same | _NEW_PERSON)
        self._add_trail(Person.__tablename__, ids)
        points, links, roles, documents = [], [], [], []
        uids = iter(new_uids(sum(len(e.points) for e in entries) + len(entries)))
        for entry, row in zip(entries, rows, strict=True):
            pid = row["id"]
            points += [{"uid": next(uids), "kind": p.kind, "label": p.label, "value": p.value,
                        "preferred": p.preferred, "person_id": pid} for p in entry.points]
            links += [{"person_id": pid, "tag_id": tag_id}
                      for tag_id in self._bulk_tag_ids(entry.tags, now)]
            org_id = _id(self.orgs[self._org_key(entry.record.organisation)]) \
                if entry.record.organisation else None
            if org_id is not None:
                roles.append({"uid": next(uids), "person_id": pid, "organisation_id": org_id,
                              "title": _title(entry.record)})
            if self.documents is not None:
                documents.append(self._document(pid, entry, row, org_id))
        self.inserts.insert(ContactPoint.__table__, points, same)
        self.inserts.insert(person_tag, links)
        self.inserts.insert(Role.__table__, roles, same)
        if self.documents is not None:
            self.documents.add(documents)

    def _document(self, pid: int, entry: PlanEntry, row: dict[str, Any],
                  org_id: int | None) -> Document:
        """The new person's index document from what is being written (no read-back)."""
        jobs = []
        if org_id is not None:
            name, short, place = self.org_words[org_id]
            jobs.append((_title(entry.record), name, short, place, True))
        return person_document(
            pid, (row["full_name"], row["given_name"], row["family_name"], None), jobs,
            [(_KINDS[p.kind], p.value, False) for p in entry.points],
            sorted(entry.tags), _NEW_PERSON["languages"], row["notes"], False)

    def _person_row(self, entry: PlanEntry) -> dict[str, Any]:
        """A new person's columns, but those the same for all (:data:`_NEW_PERSON`)."""
        record = entry.record
        uid = record.uid.lower()
        if not _UUID.match(uid) or uid in self.taken:
            uid = new_uid()
        self.taken.add(uid)
        family_name = _opt(record.family_name)
        return {"uid": uid, "full_name": entry.name, "given_name": _opt(record.given_name),
                "family_name": family_name, "salutation": record.salutation or "none",
                "notes": entry.notes[:validation.MAX_NOTES],
                "sort_key": person_sort_key(family_name, entry.name)}

    def _create_organisation(self, entry: PlanEntry) -> None:
        org = self._organisation(entry.name)
        org.contact_points.extend(self._points(entry))
        org.tags.extend(self._tags(entry.tags))
        if entry.notes:
            org.notes = entry.notes

    def _update_person(self, entry: PlanEntry) -> None:
        person = self.session.scalars(
            select(Person).where(Person.uid == entry.target_uid)
            .options(selectinload(Person.contact_points), selectinload(Person.tags))).one()
        parts = entry.parts
        changes: dict[str, Any] = {"fields": {}, "points": [], "roles": [], "tags": []}
        for key, value in (parts.get("fields") or {}).items():
            old = getattr(person, key)
            changes["fields"][key] = [old.value if key == "salutation" else old, value]
            setattr(person, key, Salutation(value) if key == "salutation" else value)
        wanted = {(q.kind, q.value) for q in parts.get("points") or []}
        points = [p for p in self._points(entry) if (p.kind.value, p.value) in wanted]
        person.contact_points.extend(points)
        changes["points"] = [p.uid for p in points]
        new_tags = self._tags(parts.get("tags") or [])
        person.tags.extend(new_tags)
        changes["tags"] = [t.name for t in new_tags]
        if "role" in parts:
            role = Role(uid=new_uid(), person=person,
                        organisation=self._organisation(parts["role"][0]),
                        title=_title(entry.record))
            self.session.add(role)
            changes["roles"] = [role.uid]
        person.refresh_sort_key()
        person.updated_at = utcnow()
        self.session.flush()
        self.keys.add((PERSON, person.id))
        self._link("person", person.uid, "updated", changes, person.full_name)

    def finish(self) -> None:
        """After the bulk inserts: the audit entries and batch links of the records the ORM
        wrote, the batch's own entry, and the index of those records."""
        self.session.flush()
        staff = self.session.info.get("staff_id")
        now = utcnow()
        summary = {"record_type": "import_batch", "record_uid": self.batch.uid,
                   "action": "import", "changes": json.dumps({
                       "source": self.batch.source_name, "created": self.batch.created_count,
                       "updated": self.batch.updated_count,
                       "skipped": self.batch.skipped_count}, ensure_ascii=False)}
        connection = self.session.connection()
        bulk_insert(connection, AuditEntry.__table__, [
            {**row, "uid": uid, "at": now, "staff_id": staff} for row, uid in
            zip([*self.audit, summary], new_uids(len(self.audit) + 1), strict=True)])
        bulk_insert(connection, ImportedRecord.__table__,
                    [{**row, "batch_id": self.batch.id} for row in self.links])
        self.keys |= {(ORG, o.id) for o in self.new_orgs}
        reindex(self.session, self.keys)


def reindex(session: Session, keys: set[tuple[int, int]]) -> None:
    connection = session.connection()
    if keys and index.index_available(connection):
        index.reindex(connection, keys)


def _id(org: Organisation | int) -> int:
    return org if isinstance(org, int) else org.id


def _opt(text: str) -> str | None:
    value = " ".join(text.split())[:200]
    return value or None


def _title(record: Any) -> str:
    title = " ".join((record.title or "").split())
    if record.department and not title:
        title = record.department
    return title[:200]


# -- undo ---------------------------------------------------------------------------------------

class _Undo:
    def __init__(self, session: Session, batch: ImportBatch) -> None:
        self.session = session
        self.batch = batch
        self.keys: set[tuple[int, int]] = set()
        self.audit: list[dict[str, Any]] = []

    def run(self) -> tuple[int, int]:
        self.session.info["search_index_disabled"] = True
        self.session.info["audit_disabled"] = True
        removed, kept = self._run()
        self.session.flush()
        now = utcnow()
        staff = self.session.info.get("staff_id")
        self.audit.append({"record_type": "import_batch", "record_uid": self.batch.uid,
                           "action": "undo", "changes": json.dumps({"removed": removed,
                                                                    "kept": kept})})
        rows = [{**row, "uid": new_uid(), "at": now, "staff_id": staff} for row in self.audit]
        for start in range(0, len(rows), 5000):
            self.session.execute(insert(AuditEntry.__table__), rows[start:start + 5000])
        reindex(self.session, self.keys)
        return removed, kept

    def _run(self) -> tuple[int, int]:
        removed = kept = 0
        records = list(self.batch.records)
        for rec in records:
            if rec.action == "updated" and rec.record_type == "person":
                self._revert(rec)
        persons = [r.record_uid for r in records
                   if r.action == "created" and r.record_type == "person"]
        for start in range(0, len(persons), 500):
            r, k = self._delete_persons(persons[start:start + 500])
            removed, kept = removed + r, kept + k
        self.session.flush()
        for rec in records:
            if rec.action == "created" and rec.record_type == "organisation":
                org = self.session.scalar(
                    select(Organisation).where(Organisation.uid == rec.record_uid))
                if org is None:
                    continue
                if _org_in_use(self.session, org.id):
                    kept += 1
                else:
                    self.keys.add((ORG, org.id))
                    self.audit.append({"record_type": "organisation", "record_uid": org.uid,
                                       "action": "delete", "changes": "{}"})
                    self.session.delete(org)
                    removed += 1
        return removed, kept

    def _delete_persons(self, uids: list[str]) -> tuple[int, int]:
        """Bulk deletes of persons not used since (with contact points, roles, tags)."""
        s = self.session
        found = dict(s.execute(select(Person.id, Person.uid).where(Person.uid.in_(uids)))
                     .all())
        used: set[int] = set()
        for column in (InteractionParticipant.person_id, EventAttendee.person_id,
                       FollowUp.person_id):
            used |= set(s.scalars(select(column).where(column.in_(list(found)))))
        ids = [i for i in found if i not in used]
        if not ids:
            return 0, len(used)
        roles = select(Role.id).where(Role.person_id.in_(ids))
        s.execute(delete(ContactPoint).where(ContactPoint.role_id.in_(roles)))
        s.execute(delete(ContactPoint).where(ContactPoint.person_id.in_(ids)))
        s.execute(delete(Role).where(Role.person_id.in_(ids)))
        s.execute(delete(person_tag).where(person_tag.c.person_id.in_(ids)))
        s.execute(delete(Person).where(Person.id.in_(ids)))
        self.keys |= {(PERSON, i) for i in ids}
        self.audit += [{"record_type": "person", "record_uid": found[i], "action": "delete",
                        "changes": json.dumps({"undo_import": self.batch.uid})} for i in ids]
        return len(ids), len(used)

    def _revert(self, rec: ImportedRecord) -> None:
        person = self.session.scalar(select(Person).where(Person.uid == rec.record_uid))
        if person is None:
            return
        self.keys.add((PERSON, person.id))
        self.audit.append({"record_type": "person", "record_uid": person.uid,
                           "action": "undo_import", "changes": rec.changes})
        changes = json.loads(rec.changes)
        for key, (old, new) in (changes.get("fields") or {}).items():
            current = getattr(person, key)
            current = current.value if key == "salutation" else current
            if current == new:
                setattr(person, key, Salutation(old) if key == "salutation" else old)
        gone = set(changes.get("points", []))
        for point in [p for p in person.contact_points if p.uid in gone]:
            person.contact_points.remove(point)
        for role in [r for r in person.roles if r.uid in set(changes.get("roles", []))]:
            self.session.delete(role)
        names = set(changes.get("tags", []))
        person.tags = [t for t in person.tags if t.name not in names]


def _org_in_use(session: Session, org_id: int) -> bool:
    from crm.domain.events import event_organiser
    from crm.domain.interactions import interaction_organisation

    checks = (
        select(Role.id).where(Role.organisation_id == org_id),
        select(interaction_organisation.c.interaction_id)
        .where(interaction_organisation.c.organisation_id == org_id),
        select(event_organiser.c.event_id).where(event_organiser.c.organisation_id == org_id),
        select(FollowUp.id).where(FollowUp.organisation_id == org_id),
        select(Organisation.id).where(Organisation.parent_id == org_id),
    )
    return any(session.execute(q.limit(1)).first() is not None for q in checks)


def place_text(where: str, number: int) -> str:
    return where_text(where, number)
