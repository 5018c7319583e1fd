"""Paged, sorted and filtered lists for the window, saved filters (Verteiler) and the
contact statistics behind the cooperation map.

Lists never load every row: :meth:`ListingService.page` reads one page in the order of a
stored, indexed sort key, and :meth:`ListingService.count` counts in the database.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, null, or_, select
from sqlalchemy.orm import Session, selectinload

from crm import validation
from crm.domain import (
    ContactKind,
    ContactPoint,
    DistributionList,
    Event,
    FollowUp,
    Interaction,
    Municipality,
    MunicipalityLevel,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Tag,
)
from crm.errors import NotFoundError, ValidationError
from crm.search.normalize import fold
from crm.services.base import Service
from crm.services.convert import municipality_row, organisation_row
from crm.services.dates import local_date
from crm.services.listing_rows import (
    KINDS,
    LAST_CONTACT,
    MUNICIPALITIES,
    ORGANISATIONS,
    PAGE_SIZE,
    PERSONS,
    DistributionListRow,
    DistrictContact,
    ListFilter,
    ListRow,
    PersonContacts,
    Recipients,
    SectionCounts,
    Sort,
    distribution_list_row,
)
from crm.services.rows import MunicipalityRow, OrganisationRow, PersonRow, TagRow
from crm.services.timeline import last_contact_query, page_last_contact_query
from crm.validation import display_phone

_DISTRICT_LEVELS = (MunicipalityLevel.DISTRICT, MunicipalityLevel.INDEPENDENT_CITY)


def _today() -> date:
    return date.today()


def _current_role(today: date) -> ColumnElement[bool]:
    return or_(Role.end_date.is_(None), Role.end_date > today)


def _text_filter(query: str, *columns: Any) -> list[ColumnElement[bool]]:
    """Every folded word must occur in one of the (folded) columns."""
    return [or_(*(c.contains(word, autoescape=True) for c in columns))
            for word in fold(query).split()]


class ListingService(Service):
    # -- lists ---------------------------------------------------------------------------

    def page(self, kind: str, flt: ListFilter = ListFilter(), sort: Sort = Sort(),
             offset: int = 0, limit: int = PAGE_SIZE) -> list[ListRow]:
        """One page of the list, in the order of ``sort``."""
        with self._read() as session:
            if kind == PERSONS:
                return list(self._person_page(session, flt, sort, offset, limit))
            if kind == ORGANISATIONS:
                return list(self._organisation_page(session, flt, sort, offset, limit))
            if kind == MUNICIPALITIES:
                return list(self._municipality_page(session, flt, sort, offset, limit))
        raise ValueError(kind)

    def count(self, kind: str, flt: ListFilter = ListFilter()) -> int:
        model = {PERSONS: Person, ORGANISATIONS: Organisation, MUNICIPALITIES: Municipality}
        with self._read() as session:
            if flt.is_empty:
                return _count_not_archived(session, kind)
            # count(*), not count(id): SQLite then skips reading each row's id (2× faster).
            query = select(func.count()).select_from(model[kind])
            query = query.where(*self._conditions(session, kind, flt))
            return int(session.scalar(query) or 0)

    def counts(self) -> SectionCounts:
        """What the navigation shows beside each section: one statement, not seven (each
        statement is compiled on its first use, at start-up before the first paint)."""
        def number(model: Any, *where: ColumnElement[bool]) -> Any:
            return select(func.count()).select_from(model).where(*where).scalar_subquery()

        with self._read() as session:
            row = session.execute(select(
                _not_archived(PERSONS),
                _not_archived(ORGANISATIONS),
                _not_archived(MUNICIPALITIES),
                number(FollowUp, FollowUp.done_at.is_(None)),
                number(Event, Event.starts_at >= datetime.now(UTC)),
                number(Interaction),
                number(Event),
            )).one()
        persons, organisations, municipalities, tasks, upcoming, interactions, events = (
            int(value or 0) for value in row)
        return SectionCounts(persons=persons, organisations=organisations,
                             municipalities=municipalities, open_tasks=tasks,
                             upcoming_events=upcoming, interactions=interactions,
                             events=events)

    def tags(self) -> list[TagRow]:
        with self._read() as session:
            return [TagRow(t.uid, t.name, t.colour)
                    for t in session.scalars(select(Tag).order_by(Tag.name))]

    def recipients(self, flt: ListFilter = ListFilter()) -> Recipients:
        """Every filtered person's preferred email; how many persons have none."""
        with self._read() as session:
            persons = select(Person.id).where(*self._conditions(session, PERSONS, flt))
            rows = session.execute(
                select(ContactPoint.person_id, ContactPoint.value)
                .where(ContactPoint.kind == ContactKind.EMAIL)
                .where(ContactPoint.person_id.in_(persons))
                .order_by(ContactPoint.person_id, ContactPoint.preferred.desc(),
                          ContactPoint.id)
            ).all()
            total = int(session.scalar(select(func.count()).select_from(persons.subquery()))
                        or 0)
        first: dict[int, str] = {}
        for person_id, value in rows:
            first.setdefault(person_id, value)
        return Recipients(tuple(first.values()), total - len(first))

    def contacts_of(self, person_uids: list[str]) -> dict[str, PersonContacts]:
        """Each person's own preferred email and phone, in one query (for directories)."""
        if not person_uids:
            return {}
        kinds = (ContactKind.EMAIL, ContactKind.PHONE, ContactKind.MOBILE)
        with self._read() as session:
            rows = session.execute(
                select(Person.uid, ContactPoint.kind, ContactPoint.value)
                .join(ContactPoint, ContactPoint.person_id == Person.id)
                .where(Person.uid.in_(person_uids), ContactPoint.kind.in_(kinds))
                .order_by(ContactPoint.preferred.desc(), ContactPoint.id)
            ).all()
        email: dict[str, str] = {}
        phone: dict[str, str] = {}
        for uid, kind, value in rows:
            if kind is ContactKind.EMAIL:
                email.setdefault(uid, value)
            else:
                phone.setdefault(uid, value)
        return {uid: PersonContacts(email.get(uid), phone.get(uid),
                                    display_phone(phone[uid]) if uid in phone else None)
                for uid in set(email) | set(phone)}

    # -- saved filters (Verteiler) -------------------------------------------------------

    def lists(self) -> list[DistributionListRow]:
        with self._read() as session:
            found = session.scalars(select(DistributionList).order_by(DistributionList.name))
            return [_list_row(d) for d in found]

    def save_list(self, name: str, section: str, flt: ListFilter, *,
                  replace_existing: bool = False) -> DistributionListRow:
        """Save the filter under ``name``; an existing name is refused unless replaced."""
        clean = validation.required_name("name", name, limit=200)
        if section not in KINDS:
            raise ValidationError.single("section", "invalid_choice", value=section)
        criteria = json.dumps({"section": section, **flt.to_dict()}, ensure_ascii=False)
        with self._write() as session:
            saved = session.scalar(select(DistributionList)
                                   .where(DistributionList.name == clean))
            if saved is not None and not replace_existing:
                raise ValidationError.single("name", "duplicate", value=clean)
            if saved is None:
                saved = DistributionList(name=clean)
                session.add(saved)
            saved.criteria = criteria
            session.flush()
            return _list_row(saved)

    def apply_list(self, uid: str) -> DistributionListRow:
        """The saved list with its section and filter, to show it."""
        with self._read() as session:
            return _list_row(self._saved(session, uid))

    def delete_list(self, uid: str) -> None:
        with self._write() as session:
            session.delete(self._saved(session, uid))

    @staticmethod
    def _saved(session: Session, uid: str) -> DistributionList:
        saved = session.scalar(select(DistributionList).where(DistributionList.uid == uid))
        if saved is None:
            raise NotFoundError("distribution_list", uid)
        return saved

    # -- the cooperation map -------------------------------------------------------------

    def district_contacts(self, today: date | None = None) -> dict[str, DistrictContact]:
        """Per district or independent city (by AGS): interactions there or in its towns."""
        today = today or _today()
        with self._read() as session:
            places = session.execute(
                select(Municipality.id, Municipality.ags, Municipality.level,
                       Municipality.parent_id)
            ).all()
            per_place = session.execute(
                select(Interaction.municipality_id, func.count(Interaction.id),
                       func.max(Interaction.occurred_at))
                .where(Interaction.municipality_id.is_not(None))
                .group_by(Interaction.municipality_id)
            ).all()
        district_of = _district_ags(places)
        totals: dict[str, tuple[int, datetime | None]] = {}
        for place_id, count, last in per_place:
            ags = district_of.get(place_id)
            if ags is None:
                continue
            old_count, old_last = totals.get(ags, (0, None))
            newest = max((d for d in (old_last, last) if d is not None), default=None)
            totals[ags] = (old_count + count, newest)
        result = {}
        for ags, (count, last) in totals.items():
            day = _local_date(last) if last else None
            days = max(0, (today - day).days) if day else None
            result[ags] = DistrictContact(count, day, days)
        return result

    # -- queries -------------------------------------------------------------------------

    def _person_page(self, session: Session, flt: ListFilter, sort: Sort, offset: int,
                     limit: int) -> list[PersonRow]:
        """One query: the page's persons (straight off the sort-key index), then for each
        its main current role (earliest started) and preferred email and phone. Loading
        the persons with all their roles and contact points as ORM objects took 5× longer."""
        rows = session.connection().execute(  # Core rows: no ORM result processing
            self._person_statement(session, flt, sort), {"offset": offset, "limit": limit}
        ).all()
        if sort.column != LAST_CONTACT:  # the page's last contacts: one narrow query
            lasts = _last_contacts(session, PERSONS, [r[-2] for r in rows])
            rows = [(*r[:-1], lasts.get(r[-2])) for r in rows]
        return [
            PersonRow(uid=uid, name=name, transliteration=transliteration, organisation=org,
                      role=title, municipality=place, email=email,
                      phone=display_phone(phone) if phone else None,
                      archived=bool(archived), version=version,
                      last_contact=local_date(last) if last is not None else None)
            for (uid, name, transliteration, org, title, place, email, phone, archived,
                 version, _id, last) in rows
        ]

    def _person_statement(self, session: Session, flt: ListFilter, sort: Sort) -> Select[Any]:
        """The page query of a filter and order, built once a day (every scroll asks for a
        page; building the statement cost as much as running it)."""
        key = (flt, sort, _today())
        cache: dict[Any, Select[Any]] = self.__dict__.setdefault("_person_statements", {})
        if key in cache:
            return cache[key]
        by_contact = sort.column == LAST_CONTACT
        columns: list[Any] = [Person.id, Person.uid, Person.full_name, Person.transliteration,
                              Person.archived_at, Person.version, Person.sort_key]
        if by_contact:  # join the grouped last contacts only when sorting by them
            grouped = last_contact_query(PERSONS).subquery("last_contact")
            columns.append(grouped.c.last)
            order: tuple[Any, ...] = (_last_order(grouped.c.last, sort.descending),
                                      Person.sort_key, Person.id)
        else:
            order = (Person.sort_key.desc(), Person.id.desc()) if sort.descending else (
                Person.sort_key, Person.id)
        query = select(*columns)
        if by_contact:
            query = query.outerjoin(grouped, grouped.c.id == Person.id)
        page = (
            query.where(*self._conditions(session, PERSONS, flt))
            .order_by(*order).offset(bindparam("offset")).limit(bindparam("limit"))
            .subquery("page")
        )
        main_role = (
            select(Role.id).where(Role.person_id == page.c.id, _current_role(_today()))
            .order_by(Role.start_date, Role.id).limit(1).correlate(page).scalar_subquery()
        )
        statement = (
            select(page.c.uid, page.c.full_name, page.c.transliteration, Organisation.name,
                   Role.title, Municipality.name,
                   _first_contact(page.c.id, (ContactKind.EMAIL,)),
                   _first_contact(page.c.id, (ContactKind.PHONE, ContactKind.MOBILE)),
                   page.c.archived_at.is_not(None), page.c.version, page.c.id,
                   page.c.last if by_contact else null())
            .select_from(page)
            .outerjoin(Role, Role.id == main_role)
            .outerjoin(Organisation, Organisation.id == Role.organisation_id)
            .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)
            .order_by(*((_last_order(page.c.last, sort.descending), page.c.sort_key,
                         page.c.id) if by_contact else
                        (c.desc() if sort.descending else c
                         for c in (page.c.sort_key, page.c.id))))
        )
        # Not cached when sorting by last contact: that counts contacts up to now.
        if flt.municipality is None and not by_contact:
            if len(cache) >= 32:
                cache.clear()
            cache[key] = statement
        return statement

    def _organisation_page(self, session: Session, flt: ListFilter, sort: Sort, offset: int,
                           limit: int) -> list[OrganisationRow]:
        seat = Municipality.__table__.alias("seat")
        keys: dict[str, Any] = {
            "name": Organisation.sort_key,
            "short_name": func.coalesce(Organisation.short_name, ""),
            "kind": Organisation.kind,
            "municipality": func.coalesce(seat.c.sort_key, ""),
        }
        key = keys.get(sort.column, Organisation.sort_key)
        columns = [key, Organisation.sort_key, Organisation.id]
        query = (
            select(Organisation)
            .outerjoin(seat, seat.c.id == Organisation.municipality_id)
            .where(*self._conditions(session, ORGANISATIONS, flt))
            .options(selectinload(Organisation.municipality))
            .order_by(*(c.desc() if sort.descending else c for c in columns))
            .offset(offset).limit(limit)
        )
        return _with_last_contacts(session, ORGANISATIONS, query, sort, organisation_row)

    def _municipality_page(self, session: Session, flt: ListFilter, sort: Sort, offset: int,
                           limit: int) -> list[MunicipalityRow]:
        keys: dict[str, Any] = {
            "name": Municipality.sort_key,
            "ags": func.coalesce(Municipality.ags, ""),
            "level": Municipality.level,
            "population": func.coalesce(Municipality.population, -1),
        }
        key = keys.get(sort.column, Municipality.sort_key)
        columns = [key, Municipality.sort_key, Municipality.id]
        query = (
            select(Municipality)
            .where(*self._conditions(session, MUNICIPALITIES, flt))
            .options(selectinload(Municipality.parent))
            .order_by(*(c.desc() if sort.descending else c for c in columns))
            .offset(offset).limit(limit)
        )
        return _with_last_contacts(session, MUNICIPALITIES, query, sort, municipality_row)

    def _conditions(self, session: Session, kind: str, flt: ListFilter
                    ) -> list[ColumnElement[bool]]:
        if kind == PERSONS:
            return _person_conditions(flt, self._place_ids(session, flt.municipality))
        if kind == ORGANISATIONS:
            return _organisation_conditions(flt, self._place_ids(session, flt.municipality))
        if kind == MUNICIPALITIES:
            return _municipality_conditions(flt, self._place_ids(session, flt.municipality))
        raise ValueError(kind)

    @staticmethod
    def _place_ids(session: Session, uid: str | None) -> list[int] | None:
        """The place and its towns; None without a place."""
        if not uid:
            return None
        place = session.scalar(select(Municipality.id).where(Municipality.uid == uid))
        if place is None:
            raise NotFoundError("municipality", uid)
        towns = session.scalars(select(Municipality.id).where(Municipality.parent_id == place))
        return [place, *towns]


def _count_not_archived(session: Session, kind: str) -> int:
    # (Core, and the statement built once: each list opens with this count.)
    return int(session.connection().scalar(_count_statement(kind)) or 0)


@lru_cache(maxsize=4)
def _count_statement(kind: str) -> Select[Any]:
    return select(_not_archived(kind))


def _not_archived(kind: str) -> Any:
    """How many are not archived (retired), as a column: all rows minus the archived ones.
    SQLite counts a whole table from its pages alone, while counting the ~98 % that are not
    archived reads every index entry (0.05 vs 2 ms for 100,000 persons)."""
    column = {PERSONS: Person.archived_at, ORGANISATIONS: Organisation.archived_at,
              MUNICIPALITIES: Municipality.retired_on}[kind]
    table = column.class_
    every = select(func.count()).select_from(table).scalar_subquery()
    archived = select(func.count()).select_from(table).where(column.is_not(None))
    return (every - archived.scalar_subquery()).label(None)


def _last_order(last: Any, descending: bool) -> Any:
    """Newest first with the never contacted last, or the reverse."""
    return last.desc().nulls_last() if descending else last.asc().nulls_first()


def _last_contacts(session: Session, kind: str, ids: list[int]) -> dict[int, datetime]:
    """The last contact moments of these records only (one page: a narrow query)."""
    if not ids:
        return {}
    # Each part of the union filtered by the page (persons: 20 ms instead of 1.2 s on a
    # million interactions; organisations and places: one index seek per record and part,
    # 1.3 s / 2.2 s before, see last_contact_query).
    return {i: last for i, last in session.execute(
        page_last_contact_query(kind), {"now": datetime.now(UTC), "ids": ids})}


def _with_last_contacts(session: Session, kind: str, query: Select[Any], sort: Sort,
                        convert: Any) -> list[Any]:
    """Run a page query of ORM records and add each row's last contact: joined and
    sorted in the query when sorting by it, else read for the page's ids."""
    if sort.column == LAST_CONTACT:
        model = query.column_descriptions[0]["entity"]
        grouped = last_contact_query(kind).subquery("last_contact")
        query = (query.add_columns(grouped.c.last)
                 .outerjoin(grouped, grouped.c.id == model.id)
                 .order_by(None)
                 .order_by(_last_order(grouped.c.last, sort.descending), model.sort_key,
                           model.id))
        found = [(record, last) for record, last in session.execute(query)]
    else:
        records = list(session.scalars(query))
        lasts = _last_contacts(session, kind, [r.id for r in records])
        found = [(r, lasts.get(r.id)) for r in records]
    return [replace(convert(record), last_contact=local_date(last) if last else None)
            for record, last in found]


def _first_contact(person_id: Any, kinds: tuple[ContactKind, ...]) -> Any:
    """The person's preferred (else first) contact point of these kinds, as a column."""
    return (
        select(ContactPoint.value)
        .where(ContactPoint.person_id == person_id, ContactPoint.kind.in_(kinds))
        .order_by(ContactPoint.preferred.desc(), ContactPoint.id).limit(1)
        .scalar_subquery()
    )


def _kinds(values: tuple[str, ...]) -> list[OrganisationKind]:
    try:
        return [OrganisationKind(v) for v in values]
    except ValueError as exc:
        raise ValidationError.single("kinds", "invalid_choice", value=",".join(values)) from exc


def _person_conditions(flt: ListFilter, places: list[int] | None) -> list[ColumnElement[bool]]:
    conditions = [Person.archived_at.is_not(None) if flt.archived
                  else Person.archived_at.is_(None)]
    conditions += _text_filter(flt.query, Person.sort_key)
    conditions += [Person.tags.any(Tag.name == tag) for tag in flt.tags]
    role_terms: list[ColumnElement[bool]] = []
    if flt.roles == "current":
        role_terms.append(_current_role(_today()))
    elif flt.roles == "former":
        role_terms.append(and_(Role.end_date.is_not(None), Role.end_date <= _today()))
    if flt.kinds:
        role_terms.append(Organisation.kind.in_(_kinds(flt.kinds)))
    if places is not None:
        role_terms.append(Organisation.municipality_id.in_(places))
    if role_terms:
        conditions.append(exists(
            select(Role.id).join(Organisation, Organisation.id == Role.organisation_id)
            .where(Role.person_id == Person.id, *role_terms)
        ))
    return conditions


def _organisation_conditions(flt: ListFilter, places: list[int] | None
                             ) -> list[ColumnElement[bool]]:
    conditions = [Organisation.archived_at.is_not(None) if flt.archived
                  else Organisation.archived_at.is_(None)]
    words = fold(flt.query).split()
    short = func.lower(func.coalesce(Organisation.short_name, ""))
    conditions += [or_(Organisation.sort_key.contains(w, autoescape=True),
                       short.contains(w, autoescape=True)) for w in words]
    conditions += [Organisation.tags.any(Tag.name == tag) for tag in flt.tags]
    if flt.kinds:
        conditions.append(Organisation.kind.in_(_kinds(flt.kinds)))
    if places is not None:
        conditions.append(Organisation.municipality_id.in_(places))
    today = _today()
    if flt.roles == "current":
        conditions.append(or_(Organisation.member_until.is_(None),
                              Organisation.member_until > today))
    elif flt.roles == "former":
        conditions.append(Organisation.member_until <= today)
    return conditions


def _municipality_conditions(flt: ListFilter, places: list[int] | None
                             ) -> list[ColumnElement[bool]]:
    conditions = [Municipality.retired_on.is_not(None) if flt.archived
                  else Municipality.retired_on.is_(None)]
    words = fold(flt.query).split()
    for word in words:
        if word.isdigit():
            conditions.append(Municipality.ags.startswith(word))
        else:
            conditions.append(Municipality.sort_key.contains(word, autoescape=True))
    if flt.levels:
        try:
            levels = [MunicipalityLevel(v) for v in flt.levels]
        except ValueError as exc:
            raise ValidationError.single("levels", "invalid_choice",
                                         value=",".join(flt.levels)) from exc
        conditions.append(Municipality.level.in_(levels))
    if places is not None:
        conditions.append(Municipality.id.in_(places))
    return conditions


def _district_ags(places: list[Any]) -> dict[int, str]:
    """Map every place id to the AGS of its district or independent city."""
    by_id = {p.id: p for p in places}
    result: dict[int, str] = {}
    for place in places:
        current = place
        for _depth in range(4):  # state > district > municipality: never deeper
            if current.level in _DISTRICT_LEVELS and current.ags:
                result[place.id] = current.ags
                break
            current = by_id.get(current.parent_id)
            if current is None:
                break
    return result


def _local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().date()


def _list_row(saved: DistributionList) -> DistributionListRow:
    return distribution_list_row(saved.uid, saved.name, saved.criteria)
