"""The window's first page without the ORM: the persons list as it opens, read with sqlite3.

Importing SQLAlchemy, its ORM and the declarative domain and configuring the mappers costs
about three times a bare Qt window (issue 9). For a plain local SQLite file whose schema is
already current, :func:`read_first_page` reads what the window paints first — the persons
list's count and first page for the default filter and order, the sidebar counts, the saved
lists, the tags and the districts of the filter bar — with the same SQL the listing service
runs and into the same row types, so the window can paint while the database is opened the
normal way (crm.app.open_app) right after. Anything else (a server URL, an encrypted, new,
locked, damaged or outdated file) answers None: that start takes the normal path.

SQLAlchemy-free (the import-linter contract of ui/ allows it); equality with
:class:`crm.services.listing.ListingService` is tested on the demo data
(tests/ui/test_first_page.py).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from crm.config import Preferences
from crm.paths import default_database_path
from crm.persistence.revisions import declared_head
from crm.persistence.sqlite_files import connect_file, looks_plain
from crm.services.dates import local_date
from crm.services.listing_rows import (
    PAGE_SIZE,
    PERSONS,
    DistributionListRow,
    ListFilter,
    SectionCounts,
    Sort,
    distribution_list_row,
)
from crm.services.rows import MunicipalityRow, PersonRow, Ref, TagRow

DB_ENV = "BRUECKE_DB"

# ListingService._person_statement for ListFilter(), Sort() (SQLAlchemy's SQL for SQLite).
_PERSON_PAGE = """
SELECT page.uid, page.full_name, page.transliteration, organisation.name, role.title,
       municipality.name,
       (SELECT contact_point.value FROM contact_point
        WHERE contact_point.person_id = page.id AND contact_point.kind IN ('email')
        ORDER BY contact_point.preferred DESC, contact_point.id LIMIT 1 OFFSET 0),
       (SELECT contact_point.value FROM contact_point
        WHERE contact_point.person_id = page.id AND contact_point.kind IN ('phone', 'mobile')
        ORDER BY contact_point.preferred DESC, contact_point.id LIMIT 1 OFFSET 0),
       page.archived_at IS NOT NULL, page.version, page.id
FROM (SELECT person.id AS id, person.uid AS uid, person.full_name AS full_name,
             person.transliteration AS transliteration, person.archived_at AS archived_at,
             person.version AS version, person.sort_key AS sort_key
      FROM person WHERE person.archived_at IS NULL ORDER BY person.sort_key, person.id
      LIMIT :limit OFFSET 0) AS page
LEFT OUTER JOIN role ON role.id = (
    SELECT role.id FROM role
    WHERE role.person_id = page.id AND (role.end_date IS NULL OR role.end_date > :today)
    ORDER BY role.start_date, role.id LIMIT 1 OFFSET 0)
LEFT OUTER JOIN organisation ON organisation.id = role.organisation_id
LEFT OUTER JOIN municipality ON municipality.id = organisation.municipality_id
ORDER BY page.sort_key, page.id
"""
# crm.services.timeline.last_contact_query(PERSONS, ids=…).
_LAST_CONTACTS = """
SELECT moments.id, max(moments.at) FROM (
    SELECT interaction_participant.person_id AS id, interaction.occurred_at AS at
    FROM interaction_participant JOIN interaction
         ON interaction.id = interaction_participant.interaction_id
    WHERE interaction.occurred_at <= :now AND interaction_participant.person_id IN ({ids})
    UNION ALL
    SELECT event_attendee.person_id AS id, event.starts_at AS at
    FROM event_attendee JOIN event ON event.id = event_attendee.event_id
    WHERE event.starts_at <= :now AND event_attendee.status = 'attended'
          AND event_attendee.person_id IN ({ids})) AS moments
WHERE moments.id IS NOT NULL GROUP BY moments.id
"""
# ListingService.counts: "all minus archived" for the record kinds.
_COUNTS = """
SELECT (SELECT count(*) FROM person)
         - (SELECT count(*) FROM person WHERE archived_at IS NOT NULL),
       (SELECT count(*) FROM organisation)
         - (SELECT count(*) FROM organisation WHERE archived_at IS NOT NULL),
       (SELECT count(*) FROM municipality)
         - (SELECT count(*) FROM municipality WHERE retired_on IS NOT NULL),
       (SELECT count(*) FROM follow_up WHERE done_at IS NULL),
       (SELECT count(*) FROM event WHERE starts_at >= :now),
       (SELECT count(*) FROM interaction),
       (SELECT count(*) FROM event)
"""
_DISTRICTS = """
SELECT m.uid, m.ags, m.name, m.level, p.uid, p.name, m.population, m.retired_on
FROM municipality AS m LEFT OUTER JOIN municipality AS p ON p.id = m.parent_id
WHERE m.level IN ('district', 'independent-city') AND m.retired_on IS NULL
ORDER BY m.sort_key
"""


@dataclass(frozen=True)
class FirstPage:
    """What the window paints first, read without the ORM (see the module docstring)."""

    path: Path
    total: int  # persons matching the default filter
    rows: list[PersonRow]  # their first page in the default order
    counts: SectionCounts
    lists: list[DistributionListRow] = field(default_factory=list)
    tags: list[Any] = field(default_factory=list)  # TagRow
    districts: list[MunicipalityRow] = field(default_factory=list)
    page_size: int = PAGE_SIZE

    def answers(self, kind: str, flt: ListFilter, sort: Sort, offset: int,
                limit: int) -> bool:
        """Whether ``ListingService.page(kind, flt, sort, offset, limit)`` is :attr:`rows`."""
        return (kind == PERSONS and flt == ListFilter() and sort == Sort() and offset == 0
                and limit == self.page_size)


def database_target(explicit: str | None, prefs: Preferences) -> str:
    """--db, then $BRUECKE_DB, then the configured database, then the default file."""
    for candidate in (explicit, os.environ.get(DB_ENV), prefs.database):
        if candidate:
            return candidate
    return str(default_database_path())


def plain_local_file(target: str) -> Path | None:
    """The file of ``target`` if it is an existing, writable, unencrypted SQLite file that no
    other window holds (no lock file beside it); else None."""
    if "://" in target:
        return None  # a server, or a URL: the normal path
    path = Path(target).expanduser().resolve()
    if not path.is_file() or not looks_plain(path):
        return None
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return None  # opening refuses it ("read_only"): told the normal way
    if Path(f"{path}.lock").exists():  # crm.lockfile.lock_path: the read-only offer
        return None
    return path


def read_first_page(target: str, *, page_size: int = PAGE_SIZE,
                    today: date | None = None) -> FirstPage | None:
    """The first page of the persons list in ``target``, or None when that start must take
    the normal path (see the module docstring). Never raises for a bad file: None."""
    path = plain_local_file(target)
    head = declared_head()
    if path is None or head is None:
        return None
    try:
        conn = connect_file(path, read_only=True)
    except sqlite3.Error:
        return None
    try:
        return _read(conn, path, head, page_size, today or date.today())
    except (sqlite3.Error, ValueError, TypeError):
        return None  # damaged, foreign, unexpected: the normal path tells why
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, path: Path, head: str, page_size: int,
          today: date) -> FirstPage | None:
    tables = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables:
        return None
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if revision is None or revision[0] != head:
        return None  # to migrate (with a backup first): the normal path
    now = _stored(datetime.now(UTC))
    counts = _counts(conn, now)
    if counts.municipalities == 0 and not _any_municipality(conn):
        return None  # a new database: open_app seeds the municipalities first
    rows = conn.execute(_PERSON_PAGE, {"limit": page_size, "today": today.isoformat()}
                        ).fetchall()
    lasts = _last_contacts(conn, [r[-1] for r in rows], now)
    persons = [
        PersonRow(uid=uid, name=name, transliteration=transliteration, organisation=org,
                  role=title, municipality=place, email=email,
                  phone=_display_phone(phone) if phone else None,
                  archived=bool(archived), version=version,
                  last_contact=local_date(lasts[pid]) if pid in lasts else None)
        for (uid, name, transliteration, org, title, place, email, phone, archived,
             version, pid) in rows
    ]
    lists = [distribution_list_row(uid, name, criteria) for uid, name, criteria in
             conn.execute("SELECT uid, name, criteria FROM distribution_list ORDER BY name")]
    tags = [TagRow(uid, name, colour) for uid, name, colour in
            conn.execute("SELECT uid, name, colour FROM tag ORDER BY name")]
    districts = [
        MunicipalityRow(uid=uid, ags=ags, name=name, level=level,
                        parent=Ref(parent_uid, parent_name) if parent_uid else None,
                        population=population,
                        retired_on=date.fromisoformat(retired) if retired else None)
        for uid, ags, name, level, parent_uid, parent_name, population, retired
        in conn.execute(_DISTRICTS)
    ]
    return FirstPage(path=path, total=counts.persons, rows=persons, counts=counts,
                     lists=lists, tags=tags, districts=districts, page_size=page_size)


def _counts(conn: sqlite3.Connection, now: str) -> SectionCounts:
    row = conn.execute(_COUNTS, {"now": now}).fetchone()
    persons, organisations, municipalities, tasks, upcoming, interactions, events = (
        int(v or 0) for v in row)
    return SectionCounts(persons=persons, organisations=organisations,
                         municipalities=municipalities, open_tasks=tasks,
                         upcoming_events=upcoming, interactions=interactions, events=events)


def _any_municipality(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM municipality LIMIT 1").fetchone() is not None


def _last_contacts(conn: sqlite3.Connection, ids: list[int], now: str
                   ) -> dict[int, datetime]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    sql = _LAST_CONTACTS.replace(":now", "?").format(ids=marks)
    params = [now, *ids, now, *ids]
    return {pid: _moment(last) for pid, last in conn.execute(sql, params)}


def _stored(moment: datetime) -> str:
    """A moment as crm.domain.base.UTCDateTime stores it in SQLite (naive UTC text)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _moment(text: str) -> datetime:
    """A stored moment back as an aware UTC datetime (what UTCDateTime returns)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _display_phone(e164: str) -> str:
    from crm.validation import display_phone  # phonenumbers: only when a page has numbers

    return display_phone(e164)

