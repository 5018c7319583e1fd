"""The plain data of lists: filters, sort orders, counts and saved lists (Verteiler).

Free of SQLAlchemy, so that ui/ can build filters and read these rows (the import-linter
contract forbids ui/ from importing anything that imports SQLAlchemy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crm.services.rows import MunicipalityRow, OrganisationRow, PersonRow

PERSONS = "persons"
ORGANISATIONS = "organisations"
MUNICIPALITIES = "municipalities"
KINDS = (PERSONS, ORGANISATIONS, MUNICIPALITIES)
ROLE_STATUSES = ("any", "current", "former")
PAGE_SIZE = 200

ListRow = PersonRow | OrganisationRow | MunicipalityRow


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What a list shows. Empty fields do not filter.

    Attributes:
        query: Words that must all occur in the name (folded: "sahin" finds "Şahin").
        tags: Tags the record must all carry (persons, organisations).
        kinds: Organisation kinds: of the organisation, or, for persons, of the organisation
            of a matching role.
        levels: Municipality levels (municipalities only).
        municipality: uid of a place; a district includes its towns. Persons match through
            the organisation of a role, organisations by their seat, municipalities by being
            the place or one of its towns.
        roles: "current" or "former": persons with such a role (matching ``kinds`` and
            ``municipality`` too); organisations that are current or former members.
        archived: Show the archived records (retired municipalities) instead of the others.
    """

    query: str = ""
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    municipality: str | None = None
    roles: str = "any"
    archived: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "tags": list(self.tags), "kinds": list(self.kinds),
                "levels": list(self.levels), "municipality": self.municipality,
                "roles": self.roles, "archived": self.archived}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ListFilter:
        """Build a filter from stored JSON, ignoring what it does not know."""
        def strings(key: str) -> tuple[str, ...]:
            value = raw.get(key) or ()
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

        roles = str(raw.get("roles") or "any")
        municipality = raw.get("municipality")
        return cls(query=str(raw.get("query") or ""), tags=strings("tags"),
                   kinds=strings("kinds"), levels=strings("levels"),
                   municipality=str(municipality) if municipality else None,
                   roles=roles if roles in ROLE_STATUSES else "any",
                   archived=bool(raw.get("archived", False)))

    @property
    def is_empty(self) -> bool:
        return self == ListFilter()


@dataclass(frozen=True, slots=True)
class Sort:
    column: str = "name"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class SectionCounts:
    persons: int
    organisations: int
    municipalities: int
    open_tasks: int
    upcoming_events: int
    interactions: int = 0
    events: int = 0


@dataclass(frozen=True, slots=True)
class DistributionListRow:
    uid: str
    name: str
    section: str
    criteria: ListFilter = field(default_factory=ListFilter)


def distribution_list_row(uid: str, name: str, criteria: str | None) -> DistributionListRow:
    """A saved list as stored: its section and filter from the JSON criteria (what the
    criteria do not say, or say wrongly, is the default)."""
    try:
        raw = json.loads(criteria or "{}")
    except ValueError:
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    section = str(raw.get("section") or PERSONS)
    return DistributionListRow(uid, name, section if section in KINDS else PERSONS,
                               ListFilter.from_dict(raw))


@dataclass(frozen=True, slots=True)
class DistrictContact:
    """Interactions with a district or independent city and its towns."""

    count: int
    last: date | None
    days_since: int | None


@dataclass(frozen=True, slots=True)
class Recipients:
    emails: tuple[str, ...]
    skipped: int


@dataclass(frozen=True, slots=True)
class PersonContacts:
    """A person's own preferred email and phone (as stored, E.164, and as shown)."""

    email: str | None
    phone: str | None
    phone_display: str | None = None


# The columns each list can sort by: all of them stored and indexed, or on small tables.
# "last_contact": descending is newest first, never contacted last; ascending puts the
# never contacted first, then the longest quiet.
SORTABLE: dict[str, tuple[str, ...]] = {
    PERSONS: ("name", "last_contact"),
    ORGANISATIONS: ("name", "short_name", "kind", "municipality", "last_contact"),
    MUNICIPALITIES: ("name", "ags", "level", "population", "last_contact"),
}
LAST_CONTACT = "last_contact"
