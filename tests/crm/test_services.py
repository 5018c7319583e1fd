"""Service operations: validation, one transaction each, audit, role history, conflicts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.domain import AuditEntry, ContactPoint, Municipality, Person
from crm.errors import AmbiguousError, ConflictError, NotFoundError, ValidationError
from crm.seed import seed_municipalities, uid_for_ags
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput


def _count(app, model) -> int:  # noqa: ANN001
    with app.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_person_keeps_name_as_written_in_any_script(app) -> None:  # noqa: ANN001
    names = ["Олена Шевченко", "Nguyễn Thị Minh Khai", "محمد رضایی", "ሰላም ተስፋይ", "Ali",
             "Jean-Luc O'Connor <b>&amp;\"'"]
    for name in names:
        detail = app.people.create(PersonInput(full_name=name))
        assert app.people.get(detail.uid).name == name


def test_invalid_fields_are_all_reported_and_nothing_is_written(app) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as info:
        app.people.create(PersonInput(
            full_name="  ",
            contact_points=[ContactInput("email", "not-an-email"),
                            ContactInput("phone", "12")],
        ))
    assert info.value.errors["full_name"][0] == "required"
    assert info.value.errors["email"][0] == "invalid_email"
    assert info.value.errors["phone"][0] == "invalid_phone"
    assert _count(app, Person) == 0
    assert _count(app, ContactPoint) == 0


def test_control_characters_are_refused_long_notes_kept(app) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as info:
        app.people.create(PersonInput(full_name="Anna\x00Bell"))
    assert info.value.errors["full_name"][0] == "control_chars"
    notes = ("Zeile <script>alert(1)</script> & mehr\n" * 300)[:10_000]
    detail = app.people.create(PersonInput(full_name="Anna Bell", notes=notes))
    assert app.people.get(detail.uid).notes == notes.strip()


def test_phone_stored_e164_shown_nationally(app) -> None:  # noqa: ANN001
    detail = app.people.create(PersonInput(
        full_name="Max Muster",
        contact_points=[ContactInput("phone", "0361 655-1234"),
                        ContactInput("email", "Max.Muster@Example.DE")],
    ))
    phone = next(cp for cp in detail.contact_points if cp.kind == "phone")
    assert phone.value == "+493616551234"
    assert phone.display.startswith("0361")


def test_update_is_audited_with_old_and_new_values(app) -> None:  # noqa: ANN001
    detail = app.people.create(PersonInput(full_name="Erika Musterfrau"))
    app.people.update(detail.uid, {"notes": "Kennt den Bürgermeister"},
                      expected_version=detail.version)
    with app.db.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.record_uid == detail.uid).order_by(AuditEntry.id)
        ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert json.loads(entries[1].changes) == {"notes": ["", "Kennt den Bürgermeister"]}
    assert entries[1].staff_id is not None


def test_stale_version_is_a_conflict_and_nothing_is_overwritten(app) -> None:  # noqa: ANN001
    detail = app.people.create(PersonInput(full_name="Erika Musterfrau"))
    app.people.update(detail.uid, {"notes": "theirs"})
    with pytest.raises(ConflictError) as info:
        app.people.update(detail.uid, {"notes": "mine"}, expected_version=detail.version)
    assert info.value.mine == {"notes": "mine"}
    assert info.value.theirs == {"notes": "theirs"}
    assert app.people.get(detail.uid).notes == "theirs"


def test_failure_mid_transaction_rolls_everything_back(app, monkeypatch) -> None:  # noqa: ANN001
    import crm.services.people as people_module

    def broken(session, names):  # noqa: ANN001, ANN202
        session.flush()  # the person and its contact point are already written …
        raise RuntimeError("disk on fire")  # … and then something fails

    audit_before = _count(app, AuditEntry)
    monkeypatch.setattr(people_module, "get_or_create_tags", broken)
    with pytest.raises(RuntimeError):
        app.people.create(PersonInput(full_name="Nobody",
                                      contact_points=[ContactInput("email", "n@example.org")]))
    assert _count(app, Person) == 0
    assert _count(app, ContactPoint) == 0
    assert _count(app, AuditEntry) == audit_before


def test_archive_and_restore(app) -> None:  # noqa: ANN001
    detail = app.people.create(PersonInput(full_name="Archie"))
    assert app.people.archive(detail.uid).archived
    assert app.people.count() == 0
    assert not app.people.restore(detail.uid).archived
    assert app.people.count() == 1


def test_role_takeover_keeps_history_and_directory_shows_now_and_before(app) -> None:  # noqa: ANN001
    gera_admin = app.organisations.create(OrganisationInput(
        name="Stadtverwaltung Gera", kind="administration", municipality="Gera"))
    old = app.people.create(PersonInput(full_name="Petra Alt"))
    new = app.people.create(PersonInput(full_name="Şahin Yılmaz"))
    role = app.roles.add(old.uid, gera_admin.uid, "Integrationsbeauftragte:r",
                         since=date(2019, 5, 1))
    handover = date.today() - timedelta(days=30)
    app.roles.take_over(role.uid, new.uid, on=handover)

    directory = app.municipalities.directory("Gera")
    assert directory.municipality.ags == "16052"
    (entry,) = directory.organisations
    assert [r.person.name for r in entry.current] == ["Şahin Yılmaz"]
    assert [r.person.name for r in entry.former] == ["Petra Alt"]
    assert entry.former[0].until == handover
    history = app.roles.history(gera_admin.uid, "Integrationsbeauftragte:r")
    assert [(r.person.name, r.current) for r in history] == [
        ("Şahin Yılmaz", True), ("Petra Alt", False)]


def test_role_end_before_start_is_refused(app) -> None:  # noqa: ANN001
    org = app.organisations.create(OrganisationInput(name="MSO e.V.", kind="member"))
    person = app.people.create(PersonInput(full_name="Lan Nguyễn"))
    app.roles.add(person.uid, org.uid, "Vorsitzende:r", since="2024-01-01")
    with pytest.raises(ValidationError) as info:
        app.roles.end(person.uid, org.uid, on="2023-12-31")
    assert "on" in info.value.errors
    assert app.people.get(person.uid).current_roles


def test_references_resolve_by_uid_name_ags_and_report_ambiguity(app) -> None:  # noqa: ANN001
    assert app.municipalities.get("16052").name == "Gera, Stadt" or \
        app.municipalities.get("16052").name == "Gera"
    assert app.municipalities.get("Gera").ags == "16052"
    assert app.municipalities.get("Nordhausen").ags == "16062041"
    assert app.municipalities.get(uid_for_ags("16051")).ags == "16051"
    app.people.create(PersonInput(full_name="Anna Schmidt"))
    app.people.create(PersonInput(full_name="Anna Schmitt"))
    with pytest.raises(AmbiguousError) as info:
        app.people.resolve("Anna")
    assert len(info.value.candidates) == 2
    assert app.people.resolve("anna schmidt").name == "Anna Schmidt"
    with pytest.raises(NotFoundError):
        app.people.resolve("Zacharias")


def test_seed_is_complete_deterministic_and_respects_user_changes(app) -> None:  # noqa: ANN001
    districts = app.municipalities.districts()
    assert len(districts) == 22
    assert {d.ags for d in districts if d.level == "independent-city"} == {
        "16051", "16052", "16053", "16054", "16055"}
    altenburg = app.municipalities.get("Altenburg")
    assert altenburg.parent is not None and altenburg.parent.name == "Landkreis Altenburger Land"
    app.municipalities.rename("16077", "Altenburger Land (Landkreis)")
    with app.db.sessions.begin() as session:
        assert seed_municipalities(session) == 0
        renamed = session.scalar(select(Municipality).where(Municipality.ags == "16077"))
        assert renamed is not None and renamed.name == "Altenburger Land (Landkreis)"
        assert renamed.uid == uid_for_ags("16077")


def test_audit_reaches_a_session_factory_at_a_closed_ones_address(app) -> None:  # noqa: ANN001
    """SQLAlchemy remembers listeners by ``id()`` of the session factory and never forgets;
    a new factory often gets a freed one's address. The audit must still be installed on it,
    or changes made through it leave no trace in the audit trail."""
    from sqlalchemy.orm import sessionmaker

    from crm.services.audit import install_audit
    from crm.services.base import ServiceContext
    from crm.services.people import PersonService

    addresses: set[int] = set()
    reused = 0
    for number in range(40):
        factory = sessionmaker(app.db.engine)
        reused += id(factory) in addresses
        addresses.add(id(factory))
        install_audit(factory)
        uid = PersonService(ServiceContext(factory)).create(
            PersonInput(full_name=f"Probe Zeuge {number}")).uid
        with app.db.sessions() as session:
            actions = session.scalars(
                select(AuditEntry.action).where(AuditEntry.record_uid == uid)).all()
        assert actions == ["create"], (number, reused)
        del factory  # freed at once: the next factory is likely placed at its address
    assert reused, "no factory was placed at a freed one's address: nothing was tested"
