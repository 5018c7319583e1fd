"""Frozen rows that services return: plain data, never ORM instances."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Ref:
    """A link to another record: its uid and a display name."""

    uid: str
    name: str


@dataclass(frozen=True, slots=True)
class ContactInput:
    """A contact point as entered (forms, imports); services validate and store it."""

    kind: str
    value: str
    label: str = "work"
    preferred: bool = False
    verified_on: date | None = None


@dataclass(frozen=True, slots=True)
class ContactPointRow:
    uid: str
    kind: str
    label: str
    value: str  # as stored (phones in E.164)
    display: str  # as shown (phones in national format)
    preferred: bool = False
    verified_on: date | None = None


@dataclass(frozen=True, slots=True)
class RoleRow:
    uid: str
    person: Ref
    organisation: Ref
    title: str
    since: date | None
    until: date | None
    current: bool
    municipality: Ref | None = None
    verified_on: date | None = None
    contact_points: tuple[ContactPointRow, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonRow:
    uid: str
    name: str
    transliteration: str | None
    organisation: str | None  # current main organisation
    role: str | None  # current main role title
    municipality: str | None
    email: str | None
    phone: str | None
    archived: bool
    version: int
    last_contact: date | None = None  # local day of the last interaction or event


@dataclass(frozen=True, slots=True)
class PersonDetail:
    uid: str
    name: str
    given_name: str | None
    family_name: str | None
    transliteration: str | None
    salutation: str
    languages: str
    notes: str
    tags: tuple[str, ...]
    contact_points: tuple[ContactPointRow, ...]
    roles: tuple[RoleRow, ...]
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def current_roles(self) -> tuple[RoleRow, ...]:
        return tuple(r for r in self.roles if r.current)

    @property
    def former_roles(self) -> tuple[RoleRow, ...]:
        return tuple(r for r in self.roles if not r.current)


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    uid: str
    name: str
    short_name: str | None
    kind: str
    municipality: str | None
    archived: bool
    version: int
    last_contact: date | None = None  # filled by the lists only


@dataclass(frozen=True, slots=True)
class OrganisationDetail:
    uid: str
    name: str
    short_name: str | None
    kind: str
    parent: Ref | None
    municipality: Ref | None
    member_since: date | None
    member_until: date | None
    notes: str
    tags: tuple[str, ...]
    contact_points: tuple[ContactPointRow, ...]
    roles: tuple[RoleRow, ...]
    archived: bool
    version: int

    @property
    def current_roles(self) -> tuple[RoleRow, ...]:
        return tuple(r for r in self.roles if r.current)

    @property
    def former_roles(self) -> tuple[RoleRow, ...]:
        return tuple(r for r in self.roles if not r.current)


@dataclass(frozen=True, slots=True)
class MunicipalityRow:
    uid: str
    ags: str | None
    name: str
    level: str
    parent: Ref | None
    population: int | None
    retired_on: date | None = None
    last_contact: date | None = None  # filled by the lists only


@dataclass(frozen=True, slots=True)
class DirectoryOrganisation:
    """One organisation in a municipality's contact directory, with its people."""

    organisation: OrganisationRow
    contact_points: tuple[ContactPointRow, ...]
    current: tuple[RoleRow, ...]
    former: tuple[RoleRow, ...]


@dataclass(frozen=True, slots=True)
class MunicipalityDirectory:
    municipality: MunicipalityRow
    organisations: tuple[DirectoryOrganisation, ...]
    towns: tuple[MunicipalityRow, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class StaffRow:
    uid: str
    name: str
    initials: str


@dataclass(frozen=True, slots=True)
class TagRow:
    uid: str
    name: str
    colour: str
