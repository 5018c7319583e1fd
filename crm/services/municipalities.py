"""Municipalities (Kommunen) and their contact directory."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import validation
from crm.domain import Municipality, MunicipalityLevel, Organisation, OrganisationKind, Role
from crm.errors import ValidationError
from crm.services import refs
from crm.services.base import Service
from crm.services.convert import contact_rows, municipality_row, organisation_row, role_row
from crm.services.rows import DirectoryOrganisation, MunicipalityDirectory, MunicipalityRow

# The order in which a directory lists organisations: the municipality's own people first.
KIND_ORDER = [
    OrganisationKind.ADMINISTRATION,
    OrganisationKind.COUNCIL,
    OrganisationKind.MEMBER,
    OrganisationKind.PUBLIC_BODY,
    OrganisationKind.NETWORK,
    OrganisationKind.FUNDER,
    OrganisationKind.OTHER,
]


class MunicipalityService(Service):
    def list(self, *, level: str | None = None, parent: str | None = None,
             include_retired: bool = False) -> list[MunicipalityRow]:
        with self._read() as session:
            query = select(Municipality).options(selectinload(Municipality.parent))
            if level:
                query = query.where(Municipality.level == MunicipalityLevel(level))
            if parent:
                query = query.where(
                    Municipality.parent_id == refs.resolve_municipality(session, parent).id
                )
            if not include_retired:
                query = query.where(Municipality.retired_on.is_(None))
            query = query.order_by(Municipality.ags.is_(None), Municipality.ags,
                                   Municipality.sort_key)
            return [municipality_row(m) for m in session.scalars(query)]

    def districts(self) -> list[MunicipalityRow]:
        """The 22 second-level units: districts and independent cities, by name."""
        with self._read() as session:
            query = (
                select(Municipality)
                .where(Municipality.level.in_(
                    [MunicipalityLevel.DISTRICT, MunicipalityLevel.INDEPENDENT_CITY]))
                .where(Municipality.retired_on.is_(None))
                .order_by(Municipality.sort_key)
            )
            return [municipality_row(m) for m in session.scalars(query)]

    def get(self, ref: str) -> MunicipalityRow:
        with self._read() as session:
            return municipality_row(refs.resolve_municipality(session, ref))

    def add(self, name: str, level: str = "municipality", ags: str | None = None,
            parent: str | None = None, population: int | None = None) -> MunicipalityRow:
        clean = validation.required_name("name", name, limit=200)
        try:
            lvl = MunicipalityLevel(level)
        except ValueError as exc:
            raise ValidationError.single("level", "invalid_choice", value=level) from exc
        if ags is not None and not (ags.isdigit() and len(ags) in (2, 5, 8, 12)):
            raise ValidationError.single("ags", "invalid_ags", value=ags)
        with self._write() as session:
            if ags and session.scalar(select(Municipality.id).where(Municipality.ags == ags)):
                raise ValidationError.single("ags", "duplicate", value=ags)
            parent_row = refs.resolve_municipality(session, parent) if parent else None
            place = Municipality(name=clean, level=lvl, ags=ags, population=population,
                                 parent_id=parent_row.id if parent_row else None,
                                 user_modified=True)
            session.add(place)
            session.flush()
            return municipality_row(place)

    def rename(self, ref: str, name: str) -> MunicipalityRow:
        clean = validation.required_name("name", name, limit=200)
        with self._write() as session:
            place = refs.resolve_municipality(session, ref)
            place.rename(clean)
            session.flush()
            return municipality_row(place)

    def retire(self, ref: str, on: date | str | None = None) -> MunicipalityRow:
        when = validation.parse_date("on", on) or date.today()
        with self._write() as session:
            place = refs.resolve_municipality(session, ref)
            place.retired_on = when
            place.user_modified = True
            session.flush()
            return municipality_row(place)

    def directory(self, ref: str) -> MunicipalityDirectory:
        """Every organisation located in the place (and its towns, for a district) with
        current and former role holders: "who is the integration officer in Gera now, and
        who was it before?"."""
        with self._read() as session:
            place = refs.resolve_municipality(session, ref)
            towns = session.scalars(
                select(Municipality).where(Municipality.parent_id == place.id)
                .order_by(Municipality.sort_key)
            ).all()
            place_ids = [place.id] + [t.id for t in towns]
            orgs = session.scalars(
                select(Organisation)
                .where(Organisation.municipality_id.in_(place_ids))
                .where(Organisation.archived_at.is_(None))
                .options(
                    selectinload(Organisation.municipality),
                    selectinload(Organisation.contact_points),
                    selectinload(Organisation.roles).selectinload(Role.person),
                    selectinload(Organisation.roles).selectinload(Role.contact_points),
                )
            ).all()
            ordered = sorted(orgs, key=lambda o: (KIND_ORDER.index(o.kind), o.sort_key))
            entries = []
            for org in ordered:
                roles = [r for r in org.roles if r.person.archived_at is None]
                current = sorted((r for r in roles if r.is_current),
                                 key=lambda r: (r.title, r.person.sort_key))
                former = sorted((r for r in roles if not r.is_current),
                                key=lambda r: -(r.end_date or date.min).toordinal())
                entries.append(
                    DirectoryOrganisation(
                        organisation=organisation_row(org),
                        contact_points=contact_rows(org.contact_points),
                        current=tuple(role_row(r) for r in current),
                        former=tuple(role_row(r) for r in former),
                    )
                )
            return MunicipalityDirectory(
                municipality=municipality_row(place),
                organisations=tuple(entries),
                towns=tuple(municipality_row(t) for t in towns),
            )
