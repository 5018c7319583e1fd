"""Service methods behind the dialogs and the undo stack: whole-record saves in one
transaction, live field checks, conflicts with both values, undoing a handover."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from crm.domain import AuditEntry, ContactPoint, Person, Role
from crm.errors import ConflictError, ValidationError
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput


def _audit(app, uid: str) -> list[tuple[str, dict]]:  # noqa: ANN001
    with app.db.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.record_uid == uid).order_by(AuditEntry.id)
        ).all()
        return [(e.action, json.loads(e.changes)) for e in entries]


def _count(app, model) -> int:  # noqa: ANN001
    with app.db.sessions() as session:
        return len(session.scalars(select(model.id)).all())


def test_save_creates_person_with_contacts_and_tags_in_one_go(app) -> None:  # noqa: ANN001
    detail = app.people.save(
        None, {"full_name": "Ayşe Yılmaz", "salutation": "frau"},
        [ContactInput("email", " Ayse.Yilmaz@Example.org "),
         ContactInput("phone", "0361 655-1234")],
        ["Modellkommune", "Vorstand", "Modellkommune"],
    )
    assert detail.name == "Ayşe Yılmaz"
    assert detail.salutation == "frau"
    assert {c.value for c in detail.contact_points} == {"Ayse.Yilmaz@example.org",
                                                         "+493616551234"}
    assert detail.tags == ("Modellkommune", "Vorstand")
    assert detail.version == 1


def test_save_reports_every_error_keyed_by_position_and_writes_nothing(app) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as info:
        app.people.save(None, {"full_name": " "},
                        [ContactInput("email", "ok@example.org"), ContactInput("email", "x@"),
                         ContactInput("phone", "12")], ["  "])
    errors = info.value.errors
    assert errors["full_name"][0] == "required"
    assert errors["email[1]"] == ("invalid_email", {"value": "x@"})
    assert errors["phone[2]"][0] == "invalid_phone"
    assert errors["tags"][0] == "required"
    assert _count(app, Person) == 0
    assert _count(app, ContactPoint) == 0


def test_save_keeps_unchanged_contact_points_and_bumps_version(app) -> None:  # noqa: ANN001
    first = app.people.save(None, {"full_name": "Max Muster"},
                            [ContactInput("email", "max@example.org"),
                             ContactInput("phone", "0361 1234567")])
    email_uid = next(c.uid for c in first.contact_points if c.kind == "email")
    second = app.people.save(first.uid, {},
                             [ContactInput("email", "max@example.org", label="private",
                                           preferred=True)],
                             None, expected_version=first.version)
    assert second.version > first.version  # contact changes alone are a new version
    (point,) = second.contact_points
    assert (point.uid, point.label, point.preferred) == (email_uid, "private", True)
    assert _count(app, ContactPoint) == 1
    actions = [a for a, _ in _audit(app, first.uid)]
    assert "contacts" in actions


def test_stale_save_raises_conflict_with_both_values_and_changes_nothing(app) -> None:  # noqa: ANN001
    opened = app.people.save(None, {"full_name": "Lena Roth"}, tags=["A"])
    app.people.update(opened.uid, {"notes": "from someone else"})
    with pytest.raises(ConflictError) as info:
        app.people.save(opened.uid, {"notes": "mine"}, None, ["B"],
                        expected_version=opened.version)
    assert info.value.mine == {"notes": "mine", "tags": ["B"]}
    assert info.value.theirs == {"notes": "from someone else", "tags": ["A"]}
    assert info.value.version == app.people.get(opened.uid).version
    now = app.people.get(opened.uid)
    assert (now.notes, now.tags) == ("from someone else", ("A",))


def test_check_fields_and_contact_point_normalise_without_saving(app) -> None:  # noqa: ANN001
    assert app.people.check_fields({"full_name": " Олена Шевченко "}) == {
        "full_name": "Олена Шевченко"}
    assert app.people.check_contact_point(ContactInput("phone", "0361 655-1234")) == \
        "+493616551234"
    with pytest.raises(ValidationError) as info:
        app.people.check_contact_point(ContactInput("email", "anna@"))
    assert info.value.errors == {"email": ("invalid_email", {"value": "anna@"})}
    assert _count(app, Person) == 0


def test_organisation_save_resolves_refs_and_reports_unknown_ones(app) -> None:  # noqa: ANN001
    parent = app.organisations.create(OrganisationInput(name="Landesnetzwerk", kind="network"))
    with pytest.raises(ValidationError) as info:
        app.organisations.save(None, {"name": "MSO Gera", "kind": "member",
                                      "municipality": "Atlantis"})
    assert info.value.errors["municipality"] == ("not_found", {"ref": "Atlantis"})
    org = app.organisations.save(
        None, {"name": "MSO Gera", "kind": "member", "municipality": "16052",
               "parent": parent.uid, "member_since": "01.03.2020"},
        [ContactInput("web", "https://mso-gera.example")], ["Mitglied"])
    assert org.municipality is not None and org.municipality.name.startswith("Gera")
    assert org.parent is not None and org.parent.uid == parent.uid
    assert org.member_since == date(2020, 3, 1)
    assert org.tags == ("Mitglied",)


def test_organisation_cannot_be_its_own_ancestor(app) -> None:  # noqa: ANN001
    top = app.organisations.save(None, {"name": "Dach", "kind": "network"})
    child = app.organisations.save(None, {"name": "Kind", "kind": "member", "parent": top.uid})
    with pytest.raises(ValidationError) as info:
        app.organisations.save(top.uid, {"parent": child.uid}, expected_version=top.version)
    assert info.value.errors["parent"][0] == "invalid_choice"
    assert app.organisations.check_fields({"parent": ""}, uid=top.uid) == {"parent": None}


def test_undo_take_over_removes_new_role_and_reopens_old_one(app) -> None:  # noqa: ANN001
    org = app.organisations.save(None, {"name": "Stadt Gera", "kind": "administration"})
    old_holder = app.people.save(None, {"full_name": "Anna Alt"})
    successor = app.people.save(None, {"full_name": "Ben Neu"})
    old = app.roles.add(old_holder.uid, org.uid, "Integrationsbeauftragte", since="2020-01-01")
    new = app.roles.take_over(old.uid, successor.uid, on=date.today())
    assert not app.roles.get(old.uid).current

    reopened = app.roles.undo_take_over(new.uid, old.uid, old.until)

    assert reopened.current and reopened.until is None
    history = app.roles.history(org.uid)
    assert [r.person.name for r in history] == ["Anna Alt"]
    assert [a for a, _ in _audit(app, new.uid)] == ["create", "delete"]
    assert [a for a, _ in _audit(app, old.uid)][-2:] == ["handover", "undo_handover"]


def test_undo_take_over_refuses_when_the_new_role_changed(app) -> None:  # noqa: ANN001
    org = app.organisations.save(None, {"name": "Stadt Jena", "kind": "administration"})
    a = app.people.save(None, {"full_name": "Anna Alt"})
    b = app.people.save(None, {"full_name": "Ben Neu"})
    old = app.roles.add(a.uid, org.uid, "Integrationsmanagerin")
    new = app.roles.take_over(old.uid, b.uid)
    app.roles.update(new.uid, title="Integrationsmanager")
    with pytest.raises(ConflictError):
        app.roles.undo_take_over(new.uid, old.uid, None)
    assert app.roles.get(new.uid).title == "Integrationsmanager"
    assert not app.roles.get(old.uid).current


def test_remove_role_checks_it_is_unchanged(app) -> None:  # noqa: ANN001
    org = app.organisations.save(None, {"name": "Migrationsbeirat Erfurt", "kind": "council"})
    person = app.people.save(None, {"full_name": "Nguyễn Thị Minh Khai"})
    role = app.roles.add(person.uid, org.uid, "Vorsitzende")
    app.roles.update(role.uid, title="Stellv. Vorsitzende")
    with pytest.raises(ConflictError):
        app.roles.remove(role.uid, expected=role)
    app.roles.remove(role.uid, expected=app.roles.get(role.uid))
    assert _count(app, Role) == 0
    assert [a for a, _ in _audit(app, role.uid)][-1] == "delete"


def test_person_input_create_still_works(app) -> None:  # noqa: ANN001
    detail = app.people.create(PersonInput(full_name="Alex Kim", salutation="neutral"))
    assert app.people.save(detail.uid, {"salutation": "neutral"},
                           expected_version=detail.version).version == detail.version
