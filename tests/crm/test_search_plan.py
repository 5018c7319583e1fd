"""Search never scans a table: every statement it runs is planned by SQLite as an index or
primary-key lookup, or as a lookup in the full-text index (a virtual table)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm.domain import Interaction, InteractionKind, InteractionParticipant, Person
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from tests.sql_probe import plan, recorded

TABLES = ("person", "organisation", "municipality", "interaction", "role", "contact_point",
          "tag", "person_tag", "organisation_tag", "interaction_participant",
          "interaction_organisation")
SCAN = re.compile(r"\bSCAN (" + "|".join(TABLES) + r")\b")

QUERIES = [
    ("müller", {}),
    ("m", {}),
    ("nordh", {}),
    ("Nordhasuen", {}),
    ("integrationsbeauftragte gera", {}),
    ("0361 2345678", {}),
    ("5678", {}),
    ("haddad@migranetz", {}),
    ("fachtagung", {"types": {"interaction"}}),
    ("erfurt", {"types": {"org", "person"}}),
    ("archiv", {"include_archived": True}),
    ("'; DROP TABLE person; --", {}),
    ("a b c d e f g h i j", {"limit": 50}),
]


@pytest.fixture
def network(app):  # noqa: ANN001, ANN201
    office = app.organisations.create(OrganisationInput(
        name="Stadtverwaltung Gera", kind="administration", municipality="16052",
        contact_points=[ContactInput("phone", "0365 8381234")])).uid
    for i, name in enumerate(["Hans Müller", "Amina Haddad", "Boris Archivowitsch",
                              "Karim Mansour", "Maria Schmidt"]):
        uid = app.people.create(PersonInput(
            full_name=name, tags=["Modellkommune"],
            contact_points=[ContactInput("email", f"p{i}@migranetz.de"),
                            ContactInput("phone", f"0361 234567{i}")])).uid
        app.roles.add(uid, office, "Integrationsbeauftragte", since="2020-01-01")
    with app.db.sessions.begin() as session:
        someone = session.scalars(select(Person).limit(1)).one()
        for n in range(5):
            meeting = Interaction(kind=InteractionKind.MEETING, subject=f"Fachtagung {n}",
                                  occurred_at=datetime(2025, 3, n + 1, tzinfo=UTC))
            meeting.participants.append(InteractionParticipant(person=someone))
            session.add(meeting)
    return app


def test_search_statements_never_scan_a_table(network) -> None:  # noqa: ANN001
    app = network
    app.search.search("warm up")  # any one-off index maintenance happens here
    with recorded(app.db.engine) as statements:
        for query, options in QUERIES:
            app.search.search(query, **options)
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) > len(QUERIES)
    used_index = False
    for statement, parameters in selects:
        details = plan(app.db.engine, statement, parameters)
        scans = [d for d in details if SCAN.search(d)]
        assert not scans, f"{statement}\n{details}"
        used_index |= any("VIRTUAL TABLE" in d for d in details)
    assert used_index


def test_typos_are_looked_up_in_the_word_list_by_range(network) -> None:  # noqa: ANN001
    app = network
    with recorded(app.db.engine) as statements:
        hits = app.search.search("Mueler")  # one letter short of "mueller" (Müller)
    assert "Hans Müller" in [h.title for h in hits]
    lookups = [p for s, p in statements if "FROM search_terms" in s]
    assert all("term >= :low AND term < :high" in s for s, _ in statements if "search_terms" in s)
    # The word as a prefix, then the words starting with its first and second letter.
    assert [p["low"] for p in lookups] == ["mueler", "m", "u"]


def test_hits_are_read_by_primary_key(network) -> None:  # noqa: ANN001
    app = network
    with recorded(app.db.engine) as statements:
        hits = app.search.search("integrationsbeauftragte")
    assert len(hits) == 5
    reads = [s for s, _ in statements if re.search(r"\bFROM person\b", s)]
    assert reads and all("IN (" in s for s in reads)
