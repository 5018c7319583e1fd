"""Erasure (Art. 17): the plan names what goes; afterwards the person is nowhere in the
database file, its WAL and shared memory, the search index, or a backup made afterwards."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from crm import backup
from crm.domain import AuditEntry, FollowUp, Interaction, InteractionParticipant, Person
from crm.errors import ConflictError
from crm.privacy.erasure import marker_text
from crm.services.activity_rows import EventInput, FollowUpInput, LogInput
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from crm.services.privacy import AuditFilter, PrivacyService

NAME = "Xaverius Quetzalkoatl-Ümmühan"
# Every spelling and value that must vanish, as the database would hold it.
NEEDLES = ("Quetzalkoatl", "quetzalkoatl", "Ümmühan", "ummuhan", "Xaverius", "xaverius",
           "xq.private@example.org", "5559876", "Kreuzgasse 7")


@dataclass
class World:
    app: object
    privacy: PrivacyService
    xaver: str
    bilal: str
    org: str
    shared: str  # an interaction with Bilal too: stays
    alone: str  # an interaction with Xaverius alone: goes


@pytest.fixture
def world(app) -> World:  # noqa: ANN001
    org = app.organisations.create(OrganisationInput(
        name="Migrationsbeirat Gera", kind="council", municipality="16052",
        notes=f"Vorsitz bis 2024: {NAME}.")).uid
    xaver = app.people.create(PersonInput(
        full_name=NAME, given_name="Xaverius", family_name="Quetzalkoatl-Ümmühan",
        notes="mag keine Anrufe", tags=["Beirat"],
        contact_points=[ContactInput(kind="email", value="xq.private@example.org"),
                        ContactInput(kind="phone", value="0365 5559876"),
                        ContactInput(kind="postal", value="Kreuzgasse 7, 07545 Gera")])).uid
    bilal = app.people.create(PersonInput(
        full_name="Bilal Nguyễn", notes="Hat Quetzalkoatl-Ümmühan vorgestellt.")).uid
    # Logged before the role exists: no organisation is linked, Xaverius alone took part.
    alone = app.interactions.log(LogInput(
        kind="call", occurred_at="2025-03-02 10:00", subject="Rückruf wegen Wahl",
        notes="privat", participants=[xaver],
        follow_ups=[FollowUpInput("2025-04-01", "nachfragen")])).uid
    app.roles.add(xaver, org, "Vorsitz", since="2019-01-01")
    shared = app.interactions.log(LogInput(
        kind="meeting", occurred_at="2025-03-01 10:00", subject="Beiratssitzung",
        notes=f"{NAME} berichtet über die Wahl.", participants=[xaver, bilal])).uid
    event = app.events.create(EventInput(title="Fachtag Teilhabe", kind="fachtagung",
                                         starts_at="2025-05-01 09:00"))
    app.events.invite(event.uid, [xaver, bilal])
    privacy = PrivacyService(app.ctx, app.prefs)
    privacy.add_consent(xaver, "newsletter", "2024-01-01", notes="per Formular")
    app.people.update(xaver, {"notes": "mag keine Anrufe, lieber E-Mail"})
    return World(app, privacy, xaver, bilal, org, shared, alone)


def _bytes_of(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.iterdir()
            if p.name.startswith(db.name) and p.is_file()}


def _found(files: dict[str, bytes]) -> list[str]:
    return [f"{needle} in {name}" for name, data in files.items()
            for needle in NEEDLES if needle.encode("utf-8") in data]


def test_the_plan_names_everything_that_will_go(world: World) -> None:
    plan = world.privacy.erasure_plan(world.xaver)
    assert plan.name == NAME
    assert len(plan.contact_points) == 3 and plan.roles == ("Vorsitz, Migrationsbeirat Gera",)
    assert plan.tags == ("Beirat",) and plan.consents == 1
    assert plan.attendances == ("Fachtag Teilhabe",)
    assert [i.uid for i in plan.interactions_kept] == [world.shared]
    assert [i.uid for i in plan.interactions_deleted] == [world.alone]
    assert plan.follow_ups == 1 and plan.audit_entries >= 6
    by_title = {(m.record_type, m.field): m for m in plan.mentions}
    assert set(by_title) == {("organisation", "notes"), ("person", "notes"),
                             ("interaction", "notes")}
    assert by_title[("organisation", "notes")].full_name
    assert not by_title[("person", "notes")].full_name  # family name only: not by default
    assert by_title[("person", "notes")].key not in plan.default_redactions()
    assert world.privacy.erasure_plan(world.xaver) == plan  # planning wrote nothing


def test_erasure_leaves_no_trace_in_file_wal_index_or_later_backup(world: World,
                                                                     db_path: Path) -> None:
    assert _found(_bytes_of(db_path))  # the check can see the data before
    plan = world.privacy.erasure_plan(world.xaver)
    result = world.privacy.erase(world.xaver, {m.key for m in plan.mentions},
                                 expected_version=plan.version)
    assert result.wiped and result.redacted == 3
    assert world.app.search.search("Quetzalkoatl") == []
    assert world.app.search.search("xaverius") == []
    copy = backup.make_backup(db_path, db_path.parent / "after.db")
    files = _bytes_of(db_path) | {copy.name: copy.read_bytes()}
    assert f"{db_path.name}-wal" in files  # the WAL is checked, not merely absent
    assert _found(files) == []
    with sqlite3.connect(db_path) as conn:  # the word list and FTS shadow tables too
        words = {r[0] for r in conn.execute("SELECT term FROM search_terms")}
        assert not {"xaverius", "quetzalkoatl", "ummuhan"} & words
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_what_stays_and_how_it_reads(world: World) -> None:
    app = world.app
    plan = world.privacy.erasure_plan(world.xaver)
    result = world.privacy.erase(world.xaver, plan.default_redactions())
    shared = app.interactions.get(world.shared)
    names = sorted(p.name for p in shared.participants)
    assert names == sorted(["Bilal Nguyễn", "gelöschte Person"])
    assert f"{marker_text()} berichtet" in shared.notes
    assert app.organisations.get(world.org).notes == f"Vorsitz bis 2024: {marker_text()}."
    with app.db.sessions() as session:
        assert session.scalar(select(Person).where(Person.uid == world.xaver)) is None
        assert session.scalar(select(Interaction).where(Interaction.uid == world.alone)) is None
        assert session.scalars(select(FollowUp)).all() == []
        assert session.scalars(select(InteractionParticipant)
                               .where(InteractionParticipant.person_id.is_(None))).all()
        entries = session.scalars(select(AuditEntry)
                                  .where(AuditEntry.record_uid == result.marker)).all()
    assert {e.action for e in entries} >= {"create", "update", "erase"}
    assert all(NAME not in e.changes for e in entries)
    erase_entry = next(e for e in entries if e.action == "erase")
    assert json.loads(erase_entry.changes)["deleted"]["roles"] == 1
    assert world.privacy.audit(AuditFilter(record=result.marker))  # findable by marker


def test_family_name_mention_stays_unless_ticked(world: World) -> None:
    world.privacy.erase(world.xaver)  # default: whole-name mentions only
    assert world.app.people.get(world.bilal).notes == "Hat Quetzalkoatl-Ümmühan vorgestellt."


def test_a_change_after_the_plan_refuses_the_erasure(world: World) -> None:
    plan = world.privacy.erasure_plan(world.xaver)
    world.app.people.update(world.xaver, {"languages": "de"})
    with pytest.raises(ConflictError):
        world.privacy.erase(world.xaver, expected_version=plan.version)
    assert world.app.people.get(world.xaver).name == NAME  # nothing happened


def test_import_and_merge_history_is_scrubbed(world: World, db_path: Path) -> None:
    from crm.domain.imports import ImportBatch, ImportedRecord, MergedUid

    with world.app.db.sessions.begin() as session:
        batch = ImportBatch(source_name="kontakte.csv", format="csv")
        batch.records.append(ImportedRecord(record_type="person", record_uid=world.xaver,
                                            action="created", changes="{}"))
        batch.records.append(ImportedRecord(
            record_type="person", record_uid=world.bilal, action="updated",
            changes=json.dumps({"notes": [NAME, "x"]}, ensure_ascii=False)))
        session.add(batch)
        session.add(MergedUid(uid="dup-1", kept_uid=world.xaver, record_type="person",
                              snapshot=json.dumps({"full_name": NAME}, ensure_ascii=False)))
    plan = world.privacy.erasure_plan(world.xaver)
    world.privacy.erase(world.xaver, {m.key for m in plan.mentions})
    assert _found(_bytes_of(db_path)) == []
    with world.app.db.sessions() as session:
        assert session.scalars(select(MergedUid)).all() == []
        left = session.scalars(select(ImportedRecord)).all()
    assert [r.record_uid for r in left] == [world.bilal]
