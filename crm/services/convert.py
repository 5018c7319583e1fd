"""ORM instances → frozen rows (called inside a session, so relationships can load)."""

from __future__ import annotations

from crm.domain import (
    ContactKind,
    ContactPoint,
    Municipality,
    Organisation,
    Person,
    Role,
)
from crm.services.rows import (
    ContactPointRow,
    MunicipalityRow,
    OrganisationDetail,
    OrganisationRow,
    PersonDetail,
    Ref,
    RoleRow,
)
from crm.validation import display_phone

_PHONE_KINDS = {ContactKind.PHONE, ContactKind.MOBILE, ContactKind.FAX}


def contact_point_row(cp: ContactPoint) -> ContactPointRow:
    display = display_phone(cp.value) if cp.kind in _PHONE_KINDS else cp.value
    return ContactPointRow(
        uid=cp.uid,
        kind=cp.kind.value,
        label=cp.label.value,
        value=cp.value,
        display=display,
        preferred=cp.preferred,
        verified_on=cp.verified_on,
    )


def contact_rows(points: list[ContactPoint]) -> tuple[ContactPointRow, ...]:
    ordered = sorted(points, key=lambda cp: (not cp.preferred, cp.kind.value, cp.id or 0))
    return tuple(contact_point_row(cp) for cp in ordered)


def municipality_ref(m: Municipality | None) -> Ref | None:
    return Ref(m.uid, m.name) if m is not None else None


def role_row(role: Role) -> RoleRow:
    org = role.organisation
    return RoleRow(
        uid=role.uid,
        person=Ref(role.person.uid, role.person.full_name),
        organisation=Ref(org.uid, org.name),
        title=role.title,
        since=role.start_date,
        until=role.end_date,
        current=role.is_current,
        municipality=municipality_ref(org.municipality),
        verified_on=role.verified_on,
        contact_points=contact_rows(role.contact_points),
    )


def _roles_sorted(roles: list[Role]) -> tuple[RoleRow, ...]:
    """Current roles first, then former ones, most recent first."""
    ordered = sorted(
        roles,
        key=lambda r: (
            not r.is_current,
            -(r.end_date.toordinal() if r.end_date else 10**7),
            -(r.start_date.toordinal() if r.start_date else 0),
        ),
    )
    return tuple(role_row(r) for r in ordered)


def person_detail(p: Person) -> PersonDetail:
    return PersonDetail(
        uid=p.uid,
        name=p.full_name,
        given_name=p.given_name,
        family_name=p.family_name,
        transliteration=p.transliteration,
        salutation=p.salutation.value,
        languages=p.languages,
        notes=p.notes,
        tags=tuple(t.name for t in p.tags),
        contact_points=contact_rows(p.contact_points),
        roles=_roles_sorted(p.roles),
        archived=p.archived_at is not None,
        version=p.version,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def organisation_row(o: Organisation) -> OrganisationRow:
    return OrganisationRow(
        uid=o.uid,
        name=o.name,
        short_name=o.short_name,
        kind=o.kind.value,
        municipality=o.municipality.name if o.municipality else None,
        archived=o.archived_at is not None,
        version=o.version,
    )


def organisation_detail(o: Organisation) -> OrganisationDetail:
    return OrganisationDetail(
        uid=o.uid,
        name=o.name,
        short_name=o.short_name,
        kind=o.kind.value,
        parent=Ref(o.parent.uid, o.parent.name) if o.parent else None,
        municipality=municipality_ref(o.municipality),
        member_since=o.member_since,
        member_until=o.member_until,
        notes=o.notes,
        tags=tuple(t.name for t in o.tags),
        contact_points=contact_rows(o.contact_points),
        roles=_roles_sorted(o.roles),
        archived=o.archived_at is not None,
        version=o.version,
    )


def municipality_row(m: Municipality) -> MunicipalityRow:
    return MunicipalityRow(
        uid=m.uid,
        ags=m.ags,
        name=m.name,
        level=m.level.value,
        parent=municipality_ref(m.parent),
        population=m.population,
        retired_on=m.retired_on,
    )
