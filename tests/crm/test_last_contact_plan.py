"""The "last contact" of organisations and places never scans a contact table: SQLite plans
every statement of a list page (and the grouped query the lists sort by) as index seeks,
one per record and kind of link (migration 0007). With a million interactions a scan or a
look-up of every contact took 1.3 s (organisations) and 2.2 s (places) per page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from crm.domain import (
    Interaction,
    InteractionKind,
    InteractionParticipant,
    Municipality,
    Organisation,
    Person,
)
from crm.services.listing_rows import LAST_CONTACT, MUNICIPALITIES, ORGANISATIONS, ListFilter, Sort
from crm.services.organisations import OrganisationInput
from crm.services.timeline import last_contact_query
from tests.sql_probe import plan, recorded

CONTACT_TABLES = ("interaction", "interaction_participant", "interaction_organisation",
                  "event", "event_organiser")
# Any SCAN of a contact table, also "SCAN … USING INDEX" (every entry of the index).
SCAN = re.compile(r"\bSCAN (" + "|".join(CONTACT_TABLES) + r")\b")
SEEKS = ("ix_interaction_participant_organisation_at",
         "ix_interaction_organisation_organisation_at")


@pytest.fixture
def network(app: Any) -> Any:
    """Organisations in a place, an interaction linking one and with a participant of
    another, and an event co-organised by one."""
    uids = [app.organisations.create(OrganisationInput(
        name=f"Verein {n}", kind="administration", municipality="16052")).uid for n in range(3)]
    with app.db.sessions.begin() as session:
        orgs = list(session.scalars(select(Organisation).where(Organisation.uid.in_(uids))))
        person = Person(full_name="Hans Müller")
        meeting = Interaction(kind=InteractionKind.MEETING, subject="Fachtag",
                              occurred_at=datetime(2025, 3, 1, tzinfo=UTC),
                              municipality=orgs[0].municipality, organisations=[orgs[0]])
        meeting.participants.append(InteractionParticipant(person=person,
                                                           organisation=orgs[1]))
        session.add_all([person, meeting])
    return app


@pytest.mark.parametrize("kind", [ORGANISATIONS, MUNICIPALITIES])
def test_last_contact_queries_seek_indexes(network: Any, kind: str) -> None:
    app = network
    model = Organisation if kind == ORGANISATIONS else Municipality
    with app.db.sessions() as session:
        ids = list(session.scalars(select(model.id).limit(50)))
        with recorded(app.db.engine) as statements:
            for query in (last_contact_query(kind, ids=ids), last_contact_query(kind)):
                assert session.execute(query).all()
    assert len(statements) == 2
    for statement, parameters in statements:
        details = plan(app.db.engine, statement, parameters)
        assert not [d for d in details if SCAN.search(d)], "\n".join(details)
        used = " ".join(details)
        assert all(f"COVERING INDEX {name} (organisation_id=? AND occurred_at<?)" in used
                   for name in SEEKS), "\n".join(details)
        if kind == MUNICIPALITIES:
            assert "COVERING INDEX ix_interaction_municipality_at (municipality_id>? AND " \
                   "municipality_id<?)" in used


@pytest.mark.parametrize("kind", [ORGANISATIONS, MUNICIPALITIES])
@pytest.mark.parametrize("sort", [Sort(), Sort(LAST_CONTACT, descending=True)])
def test_list_pages_never_scan_contacts(network: Any, kind: str, sort: Sort) -> None:
    app = network
    with recorded(app.db.engine) as statements:
        app.listing.page(kind, ListFilter(), sort, 0, 50)
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    contacts = [(s, p) for s, p in selects if "occurred_at" in s]
    assert contacts, "the page read the last contacts"
    for statement, parameters in selects:
        details = plan(app.db.engine, statement, parameters)
        assert not [d for d in details if SCAN.search(d)], f"{statement}\n{details}"
