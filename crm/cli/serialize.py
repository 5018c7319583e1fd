"""Rows → plain JSON objects (dates stay ``date`` here; output.to_json writes them ISO)."""

from __future__ import annotations

from typing import Any

from crm.services.rows import (
    ContactPointRow,
    MunicipalityRow,
    OrganisationDetail,
    OrganisationRow,
    PersonDetail,
    PersonRow,
    Ref,
    RoleRow,
)

Json = dict[str, Any]


def ref(value: Ref | None) -> Json | None:
    return {"uid": value.uid, "name": value.name} if value is not None else None


def contact_point(cp: ContactPointRow) -> Json:
    return {
        "uid": cp.uid,
        "kind": cp.kind,
        "value": cp.value,
        "label": cp.label,
        "display": cp.display,
        "preferred": cp.preferred,
        "verified_on": cp.verified_on,
    }


def role(r: RoleRow) -> Json:
    return {
        "uid": r.uid,
        "person": ref(r.person),
        "organisation": ref(r.organisation),
        "title": r.title,
        "since": r.since,
        "until": r.until,
        "current": r.current,
        "municipality": ref(r.municipality),
        "verified_on": r.verified_on,
        "contact_points": [contact_point(cp) for cp in r.contact_points],
    }


def person(p: PersonDetail) -> Json:
    return {
        "uid": p.uid,
        "name": p.name,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "transliteration": p.transliteration,
        "salutation": p.salutation,
        "languages": p.languages,
        "notes": p.notes,
        "tags": list(p.tags),
        "contact_points": [contact_point(cp) for cp in p.contact_points],
        "roles": [role(r) for r in p.roles],
        "archived": p.archived,
        "version": p.version,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def person_row(p: PersonRow) -> Json:
    return {
        "uid": p.uid,
        "name": p.name,
        "transliteration": p.transliteration,
        "role": p.role,
        "organisation": p.organisation,
        "municipality": p.municipality,
        "email": p.email,
        "phone": p.phone,
        "archived": p.archived,
    }


def organisation(o: OrganisationDetail) -> Json:
    return {
        "uid": o.uid,
        "name": o.name,
        "short_name": o.short_name,
        "kind": o.kind,
        "municipality": ref(o.municipality),
        "parent": ref(o.parent),
        "member_since": o.member_since,
        "member_until": o.member_until,
        "notes": o.notes,
        "tags": list(o.tags),
        "contact_points": [contact_point(cp) for cp in o.contact_points],
        "roles": [role(r) for r in o.roles],
        "archived": o.archived,
        "version": o.version,
    }


def organisation_row(o: OrganisationRow) -> Json:
    return {
        "uid": o.uid,
        "name": o.name,
        "short_name": o.short_name,
        "kind": o.kind,
        "municipality": o.municipality,
        "archived": o.archived,
    }


def municipality(m: MunicipalityRow) -> Json:
    return {
        "uid": m.uid,
        "ags": m.ags,
        "name": m.name,
        "level": m.level,
        "parent": ref(m.parent),
        "population": m.population,
        "retired_on": m.retired_on,
    }
