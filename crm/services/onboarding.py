"""Adding a person together with a role, in one transaction; the person list row.

``person add NAME --org REF --role TITLE`` must write both or nothing: a bad organisation
leaves no person behind. :class:`OnboardingService` builds both in one ``_write()`` with
the same validation helpers that :class:`~crm.services.people.PersonService` uses.
"""

from __future__ import annotations

from datetime import date

from crm import validation
from crm.domain import ContactKind, Person, Role
from crm.services import refs
from crm.services.base import Service
from crm.services.contacts import build_contact_points, get_or_create_tags
from crm.services.convert import person_detail
from crm.services.people import EDITABLE, PersonInput, validated_fields
from crm.services.rows import PersonDetail, PersonRow


class OnboardingService(Service):
    def create_with_role(self, data: PersonInput, organisation_ref: str, title: str,
                         since: date | str | None = None) -> PersonDetail:
        """Create the person and their role in the organisation, or nothing at all.

        Every field is checked before anything is written; all field errors are reported
        together. An unknown or ambiguous organisation raises NotFoundError/AmbiguousError.
        """
        values, points, clean_title, start = validation.collect(
            lambda: validated_fields({k: getattr(data, k) for k in EDITABLE}),
            lambda: build_contact_points(data.contact_points),
            lambda: validation.required_name("title", title, limit=200),
            lambda: validation.parse_date("since", since),
        )
        with self._write() as session:
            org = refs.resolve_organisation(session, organisation_ref)
            person = Person(**values)
            person.contact_points.extend(points)
            person.tags.extend(get_or_create_tags(session, data.tags))
            person.roles.append(Role(organisation=org, title=clean_title, start_date=start))
            session.add(person)
            session.flush()
            return person_detail(person)


def person_row(p: Person) -> PersonRow:
    """The list row: main current role (earliest started) and preferred email and phone."""
    current = sorted(p.current_roles, key=lambda r: (r.start_date or date.min, r.id or 0))
    main = current[0] if current else None
    org = main.organisation if main else None
    return PersonRow(
        uid=p.uid,
        name=p.full_name,
        transliteration=p.transliteration,
        organisation=org.name if org else None,
        role=main.title if main else None,
        municipality=org.municipality.name if org and org.municipality else None,
        email=_first(p, {ContactKind.EMAIL}),
        phone=_first(p, {ContactKind.PHONE, ContactKind.MOBILE}),
        archived=p.archived_at is not None,
        version=p.version,
    )


def _first(p: Person, kinds: set[ContactKind]) -> str | None:
    points = sorted((cp for cp in p.contact_points if cp.kind in kinds),
                    key=lambda cp: (not cp.preferred, cp.id or 0))
    if not points:
        return None
    if points[0].kind is ContactKind.EMAIL:
        return points[0].value
    return validation.display_phone(points[0].value)
