"""Paged, sorted and filtered lists; saved filters (Verteiler); the map's contact statistics."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from crm.domain import Interaction, InteractionKind, Municipality, Person
from crm.errors import NotFoundError, ValidationError
from crm.persistence.database import open_database
from crm.search.normalize import sort_key
from crm.seed import seed_municipalities
from crm.services.audit import install_audit
from crm.services.base import ServiceContext
from crm.services.contacts import ContactInput
from crm.services.listing import ListingService
from crm.services.listing_rows import (
    MUNICIPALITIES,
    ORGANISATIONS,
    PERSONS,
    ListFilter,
    Sort,
)
from crm.services.organisations import OrganisationInput, OrganisationService
from crm.services.people import PersonInput, PersonService
from crm.services.roles import RoleService

GERA = "16052"
JENA = "16053"
ALTENBURGER_LAND = "16077"


@dataclass
class Services:
    ctx: ServiceContext
    listing: ListingService
    people: PersonService
    organisations: OrganisationService
    roles: RoleService


@pytest.fixture
def services(db_target: str, tmp_path: Path) -> Iterator[Services]:
    database = open_database(db_target)
    install_audit(database.sessions)
    with database.sessions.begin() as session:
        session.info["audit_disabled"] = True
        seed_municipalities(session)
    ctx = ServiceContext(database.sessions, location=str(tmp_path))
    yield Services(ctx, ListingService(ctx), PersonService(ctx), OrganisationService(ctx),
                   RoleService(ctx))
    database.dispose()


def _uid(services: Services, ags: str) -> str:
    with services.ctx.sessions() as session:
        return session.scalar(select(Municipality.uid).where(Municipality.ags == ags)) or ""


@pytest.fixture
def network(services: Services) -> Services:
    """Gera's administration with a current and a former integration officer, a council in
    Jena, a member organisation in a town of the Altenburger Land."""
    orgs = services.organisations
    orgs.create(OrganisationInput("Stadtverwaltung Gera", "administration", municipality=GERA,
                                  tags=["Modellkommune"]))
    orgs.create(OrganisationInput("Migrationsbeirat Jena", "council", municipality=JENA))
    orgs.create(OrganisationInput("Deutsch-Türkischer Verein Altenburg", "member",
                                  short_name="DTVA", municipality="16077001",
                                  member_until="2020-12-31"))
    people = services.people
    people.create(PersonInput("Ayşe Şahin", family_name="Şahin", tags=["Presse"],
                              contact_points=[ContactInput("email", "a.sahin@gera.de"),
                                              ContactInput("phone", "0365 838 1234")]))
    people.create(PersonInput("Nguyễn Thị Minh Khai", family_name="Nguyễn"))
    people.create(PersonInput("Олена Шевченко", transliteration="Olena Shevchenko",
                              family_name="Шевченко", tags=["Presse"]))
    people.create(PersonInput("Jan Wróbel", family_name="Wróbel"))
    roles = services.roles
    roles.add("Ayşe Şahin", "Stadtverwaltung Gera", "Integrationsbeauftragte", "2022-01-01")
    old = roles.add("Jan Wróbel", "Stadtverwaltung Gera", "Integrationsbeauftragter",
                    "2015-01-01")
    roles.update(old.uid, until="2021-12-31")
    roles.add("Олена Шевченко", "Migrationsbeirat Jena", "Vorsitzende")
    roles.add("Nguyễn Thị Minh Khai", "Deutsch-Türkischer Verein Altenburg", "Kassenwartin")
    return services


def _names(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [row.name for row in rows]


def test_persons_are_listed_by_sort_key_with_their_main_role(network: Services) -> None:
    rows = network.listing.page(PERSONS)
    assert _names(rows) == ["Nguyễn Thị Minh Khai", "Ayşe Şahin", "Олена Шевченко",
                            "Jan Wróbel"]
    sahin = rows[1]
    assert (sahin.organisation, sahin.role, sahin.email) == (
        "Stadtverwaltung Gera", "Integrationsbeauftragte", "a.sahin@gera.de")
    assert network.listing.count(PERSONS) == 4


def test_sorting_descending_reverses_the_order(network: Services) -> None:
    rows = network.listing.page(PERSONS, sort=Sort("name", descending=True))
    assert _names(rows)[0] == "Jan Wróbel"


def test_paging_returns_consecutive_pages(network: Services) -> None:
    first = network.listing.page(PERSONS, offset=0, limit=3)
    rest = network.listing.page(PERSONS, offset=3, limit=3)
    assert len(first) == 3 and len(rest) == 1
    assert _names(first + rest) == _names(network.listing.page(PERSONS))


def test_query_folds_accents_and_scripts(network: Services) -> None:
    assert _names(network.listing.page(PERSONS, ListFilter(query="sahin"))) == ["Ayşe Şahin"]
    assert _names(network.listing.page(PERSONS, ListFilter(query="olena"))) == [
        "Олена Шевченко"]


def test_filter_by_tag(network: Services) -> None:
    flt = ListFilter(tags=("Presse",))
    assert _names(network.listing.page(PERSONS, flt)) == ["Ayşe Şahin", "Олена Шевченко"]
    assert network.listing.count(PERSONS, flt) == 2
    assert _names(network.listing.page(ORGANISATIONS, ListFilter(tags=("Modellkommune",)))
                  ) == ["Stadtverwaltung Gera"]


def test_current_and_former_role_holders_of_a_municipality(network: Services) -> None:
    gera = _uid(network, GERA)
    current = ListFilter(municipality=gera, roles="current")
    former = ListFilter(municipality=gera, roles="former")
    assert _names(network.listing.page(PERSONS, current)) == ["Ayşe Şahin"]
    assert _names(network.listing.page(PERSONS, former)) == ["Jan Wróbel"]


def test_a_district_includes_its_towns(network: Services) -> None:
    district = ListFilter(municipality=_uid(network, ALTENBURGER_LAND))
    assert _names(network.listing.page(PERSONS, district)) == ["Nguyễn Thị Minh Khai"]
    assert _names(network.listing.page(ORGANISATIONS, district)) == [
        "Deutsch-Türkischer Verein Altenburg"]
    towns = network.listing.page(MUNICIPALITIES, district)
    assert len(towns) > 10 and all(
        t.ags and t.ags.startswith(ALTENBURGER_LAND) for t in towns)


def test_filter_by_organisation_kind(network: Services) -> None:
    councils = ListFilter(kinds=("council",))
    assert _names(network.listing.page(ORGANISATIONS, councils)) == ["Migrationsbeirat Jena"]
    assert _names(network.listing.page(PERSONS, councils)) == ["Олена Шевченко"]
    with pytest.raises(ValidationError):
        network.listing.page(ORGANISATIONS, ListFilter(kinds=("nonsense",)))


def test_former_member_organisations(network: Services) -> None:
    former = network.listing.page(ORGANISATIONS, ListFilter(roles="former"))
    assert _names(former) == ["Deutsch-Türkischer Verein Altenburg"]
    assert network.listing.count(ORGANISATIONS, ListFilter(roles="current")) == 2


def test_archived_records_are_listed_only_on_request(network: Services) -> None:
    wrobel = network.people.resolve("Jan Wróbel")
    network.people.archive(wrobel.uid)
    assert "Jan Wróbel" not in _names(network.listing.page(PERSONS))
    assert _names(network.listing.page(PERSONS, ListFilter(archived=True))) == ["Jan Wróbel"]
    assert network.listing.counts().persons == 3


def test_organisations_sort_by_municipality_and_search_short_name(network: Services) -> None:
    rows = network.listing.page(ORGANISATIONS, sort=Sort("municipality"))
    assert [r.municipality for r in rows] == sorted(r.municipality or "" for r in rows)
    assert _names(network.listing.page(ORGANISATIONS, ListFilter(query="dtva"))) == [
        "Deutsch-Türkischer Verein Altenburg"]


def test_municipalities_filter_by_level_and_sort_by_population(services: Services) -> None:
    cities = ListFilter(levels=("independent-city",))
    rows = services.listing.page(MUNICIPALITIES, cities, Sort("population", descending=True))
    assert [r.name for r in rows][:2] == ["Erfurt", "Jena"]
    assert services.listing.count(MUNICIPALITIES, cities) == 5
    by_key = services.listing.page(MUNICIPALITIES, ListFilter(query=GERA))
    assert [r.ags for r in by_key] == [GERA]


def test_counts_for_the_navigation(network: Services) -> None:
    counts = network.listing.counts()
    assert (counts.persons, counts.organisations) == (4, 3)
    assert counts.municipalities > 600
    assert (counts.open_tasks, counts.upcoming_events, counts.interactions) == (0, 0, 0)


def test_recipients_skip_persons_without_email(network: Services) -> None:
    recipients = network.listing.recipients(ListFilter(tags=("Presse",)))
    assert recipients.emails == ("a.sahin@gera.de",)
    assert recipients.skipped == 1


def test_contacts_of_persons(network: Services) -> None:
    sahin = network.people.resolve("Ayşe Şahin")
    contacts = network.listing.contacts_of([sahin.uid])
    assert contacts[sahin.uid].email == "a.sahin@gera.de"
    assert contacts[sahin.uid].phone == "+493658381234"
    assert contacts[sahin.uid].phone_display == "0365 8381234"


def test_distribution_lists_save_apply_and_delete(network: Services) -> None:
    flt = ListFilter(query="", tags=("Presse",), roles="current")
    saved = network.listing.save_list("Pressekontakte", PERSONS, flt)
    assert [d.name for d in network.listing.lists()] == ["Pressekontakte"]
    applied = network.listing.apply_list(saved.uid)
    assert (applied.section, applied.criteria) == (PERSONS, flt)
    with pytest.raises(ValidationError) as error:
        network.listing.save_list("Pressekontakte", PERSONS, ListFilter())
    assert error.value.errors["name"][0] == "duplicate"
    replaced = network.listing.save_list("Pressekontakte", ORGANISATIONS, ListFilter(),
                                         replace_existing=True)
    assert replaced.uid == saved.uid and replaced.section == ORGANISATIONS
    network.listing.delete_list(saved.uid)
    assert network.listing.lists() == []
    with pytest.raises(NotFoundError):
        network.listing.apply_list(saved.uid)


def test_a_saved_list_with_unknown_criteria_still_opens() -> None:
    flt = ListFilter.from_dict({"query": "x", "roles": "bogus", "tags": "not a list",
                                "colour": "red"})
    assert flt == ListFilter(query="x")


def test_district_contacts_add_up_towns(network: Services) -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    with network.ctx.sessions.begin() as session:
        ids = dict(session.execute(select(Municipality.ags, Municipality.id)).all())
        for ags, days in ((GERA, 3), (GERA, 40), ("16077001", 10), (ALTENBURGER_LAND, 200)):
            session.add(Interaction(kind=InteractionKind.MEETING, subject="Treffen",
                                    occurred_at=now - timedelta(days=days),
                                    municipality_id=ids[ags]))
    stats = network.listing.district_contacts(today=date(2026, 3, 10))
    assert stats[GERA].count == 2 and stats[GERA].days_since == 3
    assert stats[ALTENBURGER_LAND].count == 2 and stats[ALTENBURGER_LAND].days_since == 10
    assert JENA not in stats


def test_a_page_deep_in_a_large_list_is_quick(services: Services) -> None:
    insert_persons(services.ctx, 20_000)
    started = datetime.now()
    rows = services.listing.page(PERSONS, offset=19_900, limit=200)
    assert len(rows) == 100
    assert services.listing.count(PERSONS) == 20_000
    assert (datetime.now() - started).total_seconds() < 2


def insert_persons(ctx: ServiceContext, count: int) -> None:
    """Bulk-insert ``count`` persons with SQLAlchemy Core (seconds, not minutes)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"uid": f"00000000-0000-4000-8000-{i:012d}", "full_name": f"Person {i:05d}",
         "family_name": f"Person {i:05d}", "salutation": "none", "languages": "",
         "notes": "", "sort_key": sort_key(f"Person {i:05d} Person {i:05d}"),
         "created_at": now, "updated_at": now, "version": 1}
        for i in range(count)
    ]
    with ctx.sessions.begin() as session:
        session.execute(insert(Person.__table__), rows)
