"""The in-memory state of a demo build: ids, uids, rows per table, people and organisations.

Rows are plain dicts for SQLAlchemy Core bulk inserts. Every random choice goes through the
builder's own ``random.Random``, so one seed always gives the same rows, uids included.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from crm.demo_data import TAG_COLOURS, TOWNS, Town
from crm.demo_names import (
    Community,
    DemoName,
    landline,
    make_name,
    mobile,
    office_local,
    pick_community,
    postal,
    private_email,
)
from crm.search.normalize import sort_key

Row = dict[str, Any]


@dataclass
class RoleInfo:
    id: int
    person_id: int
    organisation_id: int
    title: str
    start: date | None
    end: date | None

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass
class PersonInfo:
    id: int
    name: DemoName
    town: Town
    row: Row
    roles: list[RoleInfo] = field(default_factory=list)


@dataclass
class OrgInfo:
    id: int
    name: str
    kind: str
    municipality_id: int | None
    town: Town
    place: str  # how subjects name the place: "Erfurt", "Landkreis Gotha"
    domain: str
    exchange: str  # first digits of the office phone numbers
    community: str | None = None
    weight: float = 1.0
    women: bool = False
    roles: list[RoleInfo] = field(default_factory=list)
    row: Row = field(default_factory=dict)

    @property
    def in_place(self) -> str:
        """"in Erfurt", "im Landkreis Gotha", "im Wartburgkreis"."""
        district = self.place.startswith("Landkreis ") or self.place.endswith("kreis")
        return f"{'im' if district else 'in'} {self.place}"


@dataclass(frozen=True)
class Context:
    """What the database already holds: municipalities, staff, tags, highest ids."""

    municipality_ids: dict[str, int]  # AGS → id
    districts: list[tuple[str, str, str, int]]  # (ags, name, level, id), districts and cities
    staff_ids: list[int]
    tag_ids: dict[str, int]
    max_ids: dict[str, int]


@lru_cache(maxsize=16)
def _summer_time(year: int) -> tuple[datetime, datetime]:
    """Central European Summer Time: last Sunday of March to last Sunday of October, local."""
    def last_sunday(month: int) -> date:
        day = date(year, month, 31)
        return day - timedelta(days=(day.weekday() + 1) % 7)
    return (datetime.combine(last_sunday(3), datetime.min.time()) + timedelta(hours=2),
            datetime.combine(last_sunday(10), datetime.min.time()) + timedelta(hours=3))


def local_to_utc(day: date, minutes: int) -> datetime:
    """A wall-clock time in Thuringia (minutes after midnight) as an aware UTC datetime."""
    local = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    start, end = _summer_time(day.year)
    offset = 2 if start <= local < end else 1
    return (local - timedelta(hours=offset)).replace(tzinfo=UTC)


class Builder:
    def __init__(self, rng: random.Random, today: date, context: Context, persons: int) -> None:
        self.rng = rng
        self.today = today
        self.start = today - timedelta(days=3 * 365)  # first day of the demo history
        self.context = context
        self.budget = persons
        self._ids = dict(context.max_ids)
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.people: list[PersonInfo] = []
        self._people_by_id: dict[int, PersonInfo] = {}
        self.orgs: list[OrgInfo] = []
        self.network: OrgInfo | None = None
        self.staff_ids: list[int] = list(context.staff_ids)
        self.staff_cum_weights: list[float] = []
        self.counts: dict[str, int] = defaultdict(int)
        self.domains: set[str] = set()
        self.tag_ids = dict(context.tag_ids)
        self._person_tags: set[tuple[int, int]] = set()
        self._emails: set[str] = set()
        self._town_weights = [t.weight for t in TOWNS]

    # --- ids, uids, timestamps ------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def next_id(self, table: str) -> int:
        self._ids[table] = self._ids.get(table, 0) + 1
        return self._ids[table]

    def import_time(self) -> datetime:
        """When a record came in with the initial data import, shortly before the history."""
        day = self.start - timedelta(days=self.rng.randrange(1, 45))
        return local_to_utc(day, self.rng.randrange(8 * 60, 18 * 60))

    def record(self, table: str, created: datetime | None = None, **values: Any) -> Row:
        """A new row with id, uid, timestamps and version 1; appended to the table's rows."""
        stamp = created or self.import_time()
        row: Row = {"id": self.next_id(table), "uid": self.uid(), "created_at": stamp,
                    "updated_at": stamp, "version": 1, **values}
        self.rows[table].append(row)
        self.counts[table] += 1
        return row

    def count(self, table: str, n: int) -> None:
        self.counts[table] += n

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange(max(1, (last - first).days + 1)))

    # --- tags -------------------------------------------------------------------------------
    def tag_id(self, name: str) -> int:
        if name not in self.tag_ids:
            row = self.record("tag", name=name, colour=TAG_COLOURS.get(name, "#808080"))
            self.tag_ids[name] = row["id"]
        return self.tag_ids[name]

    def tag_person(self, person: PersonInfo, name: str) -> None:
        key = (person.id, self.tag_id(name))
        if key not in self._person_tags:
            self._person_tags.add(key)
            self.rows["person_tag"].append({"person_id": key[0], "tag_id": key[1]})

    def tag_organisation(self, org: OrgInfo, name: str) -> None:
        self.rows["organisation_tag"].append({"organisation_id": org.id,
                                              "tag_id": self.tag_id(name)})

    # --- people -----------------------------------------------------------------------------
    def random_town(self) -> Town:
        return self.rng.choices(TOWNS, weights=self._town_weights)[0]

    def person(self, community: str | None = None, town: Town | None = None,
               name: DemoName | None = None, *, female: bool | None = None) -> PersonInfo:
        """A new person while the budget lasts; then someone already there (several roles)."""
        if len(self.people) >= self.budget:
            return self._existing(community)
        chosen = pick_community(self.rng, community)
        demo = name or make_name(self.rng, chosen, female=female)
        row = self.record(
            "person", full_name=demo.full_name, given_name=demo.given_name,
            family_name=demo.family_name, transliteration=demo.transliteration,
            salutation=demo.salutation, languages=demo.languages, notes="", archived_at=None,
            sort_key=sort_key(" ".join(p for p in (demo.family_name, demo.full_name) if p)),
        )
        info = PersonInfo(row["id"], demo, town or self.random_town(), row)
        self.people.append(info)
        self._people_by_id[info.id] = info
        self._private_contacts(info, chosen)
        return info

    def person_by_id(self, person_id: int) -> PersonInfo:
        return self._people_by_id[person_id]

    def _existing(self, community: str | None) -> PersonInfo:
        candidates = self.rng.sample(self.people, min(8, len(self.people)))
        for candidate in candidates:
            if community is None or candidate.name.community == community:
                return candidate
        return candidates[0]

    def unique_email(self, address: str) -> str:
        local, _, domain = address.partition("@")
        candidate, n = address, 1
        while candidate in self._emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self._emails.add(candidate)
        return candidate

    def contact(self, kind: str, value: str, *, person: int | None = None,
                organisation: int | None = None, role: int | None = None,
                label: str = "work", preferred: bool = False) -> None:
        if kind == "email":
            value = self.unique_email(value)
        self.record("contact_point", kind=kind, label=label, value=value, preferred=preferred,
                    verified_on=None, person_id=person, organisation_id=organisation,
                    role_id=role)

    def _private_contacts(self, info: PersonInfo, community: Community) -> None:
        rng, first = self.rng, True
        if rng.random() < 0.55:
            self.contact("email", private_email(rng, info.name.latin), person=info.id,
                         label="private", preferred=first)
            first = False
        if rng.random() < 0.4:
            self.contact("mobile", mobile(rng, community.foreign_prefix), person=info.id,
                         label="private", preferred=first)
            first = False
        if rng.random() < 0.08:
            self.contact("phone", landline(rng, info.town.area), person=info.id,
                         label="private")
        if rng.random() < 0.15:
            self.contact("postal", postal(rng, info.town), person=info.id, label="private")

    # --- roles ------------------------------------------------------------------------------
    def role(self, person: PersonInfo, org: OrgInfo, title: str, start: date | None,
             end: date | None = None, *, office: bool = False) -> RoleInfo:
        """``office``: the role gets a work email and phone at the organisation."""
        verified = None
        if end is None and self.rng.random() < 0.6:
            verified = self.day_between(self.today - timedelta(days=400), self.today)
        row = self.record("role", person_id=person.id, organisation_id=org.id, title=title,
                          start_date=start, end_date=end, verified_on=verified)
        info = RoleInfo(row["id"], person.id, org.id, title, start, end)
        person.roles.append(info)
        org.roles.append(info)
        if office:
            self._office_contacts(person, org, info)
        return info

    def _office_contacts(self, person: PersonInfo, org: OrgInfo, role: RoleInfo) -> None:
        local = office_local(person.name.latin)
        self.contact("email", f"{local}@{org.domain}", role=role.id, preferred=True)
        self.contact("phone", landline(self.rng, org.town.area, org.exchange), role=role.id)
        if self.rng.random() < 0.25:
            self.contact("mobile", mobile(self.rng), role=role.id)
