"""Undo and redo through the EditController: every step goes through the services (and so
into the audit trail); a step whose record changed since is reported, never overwritten."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from crm.domain import AuditEntry
from crm.errors import ConflictError
from crm.i18n import _
from crm.services.contacts import ContactInput
from ui.dialogs.conflict_dialog import ConflictDialog
from ui.dialogs.person_dialog import PersonDialog
from ui.dialogs.role_dialog import TakeOverDialog
from ui.dialogs.tag_editor import TagDialog
from ui.editing import EditController


@pytest.fixture(autouse=True)
def _no_blocking_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", _unexpected)
    monkeypatch.setattr(ConflictDialog, "ask", _unexpected)


def _unexpected(*args: object) -> None:
    raise AssertionError(f"unexpected message box: {args[1:]}")


@pytest.fixture
def controller(qtbot: QtBot, app) -> EditController:  # noqa: ANN001
    window = QWidget()
    qtbot.addWidget(window)
    return EditController(app, window)


@pytest.fixture
def reported(monkeypatch: pytest.MonkeyPatch) -> list[tuple[ConflictError, bool]]:
    """Conflicts the controller showed (ConflictDialog.ask is patched)."""
    seen: list[tuple[ConflictError, bool]] = []

    def ask(parent: object, error: ConflictError, *, name: str = "",
            report_only: bool = False) -> None:
        seen.append((error, report_only))

    monkeypatch.setattr(ConflictDialog, "ask", ask)
    return seen


def _audit_actions(app, uid: str) -> list[str]:  # noqa: ANN001
    with app.db.sessions() as session:
        return list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.record_uid == uid).order_by(AuditEntry.id)))


def _drive_person_dialog(monkeypatch: pytest.MonkeyPatch,
                         fill: Callable[[PersonDialog], None]) -> None:
    """PersonDialog.ask opens the real dialog, lets ``fill`` type, and saves."""

    def ask(people: Any, uid: str | None = None, parent: QWidget | None = None) -> Any:
        dialog = PersonDialog(people, people.get(uid) if uid else None, parent)
        fill(dialog)
        dialog.save()
        result = dialog.saved_result
        dialog.deleteLater()
        return result

    monkeypatch.setattr(PersonDialog, "ask", ask)


def _set_notes(text: str) -> Callable[[PersonDialog], None]:
    return lambda dialog: dialog.notes_edit.setPlainText(text)


# -- edits -----------------------------------------------------------------------------------

def test_edit_undo_redo_through_the_services(controller: EditController, app,  # noqa: ANN001
                                             monkeypatch: pytest.MonkeyPatch,
                                             qtbot: QtBot) -> None:
    person = app.people.save(None, {"full_name": "Alex Kim", "notes": "first"},
                             [ContactInput("email", "alex@example.org")])

    def fill(dialog: PersonDialog) -> None:
        dialog.notes_edit.setPlainText("second")
        dialog.salutation_combo.setCurrentIndex(dialog.salutation_combo.findData("neutral"))
        dialog.contacts.rows()[0].value_edit.setText("alex.kim@example.org")

    _drive_person_dialog(monkeypatch, fill)
    with qtbot.waitSignal(controller.record_changed) as changed:
        controller.edit("person", person.uid)
    assert changed.args == ["person", person.uid]
    assert controller.undo_stack.undoText() == _("Edit {name}").format(name="Alex Kim")

    controller.undo()
    back = app.people.get(person.uid)
    assert (back.notes, back.salutation) == ("first", "none")
    assert [c.value for c in back.contact_points] == ["alex@example.org"]
    controller.redo()
    again = app.people.get(person.uid)
    assert (again.notes, again.salutation) == ("second", "neutral")
    assert [c.value for c in again.contact_points] == ["alex.kim@example.org"]
    assert _audit_actions(app, person.uid).count("update") == 3  # edit, undo, redo


def test_undo_after_someone_else_changed_the_record_reports_the_conflict(
        controller: EditController, app, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
        reported: list[tuple[ConflictError, bool]]) -> None:
    person = app.people.save(None, {"full_name": "Alex Kim", "notes": "first"})
    _drive_person_dialog(monkeypatch, _set_notes("mine"))
    controller.edit("person", person.uid)
    app.people.update(person.uid, {"notes": "someone else's"})  # a direct service update

    controller.undo()

    assert app.people.get(person.uid).notes == "someone else's"  # nothing overwritten
    (error, report_only), = reported
    assert report_only
    assert error.mine == {"notes": "first"}
    assert error.theirs == {"notes": "someone else's"}
    assert not controller.undo_stack.canUndo()  # the step can no longer be undone


def test_more_than_twenty_steps_undo_and_redo(controller: EditController, app,  # noqa: ANN001
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    person = app.people.save(None, {"full_name": "Alex Kim", "notes": "v0"})
    for step in range(1, 26):
        _drive_person_dialog(monkeypatch, _set_notes(f"v{step}"))
        controller.edit("person", person.uid)
    assert controller.undo_stack.count() == 25

    for step in range(24, -1, -1):
        controller.undo()
        assert app.people.get(person.uid).notes == f"v{step}"
    assert not controller.undo_stack.canUndo()
    for _step in range(25):
        controller.redo()
    assert app.people.get(person.uid).notes == "v25"


def test_nothing_changed_pushes_no_step(controller: EditController, app,  # noqa: ANN001
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    person = app.people.save(None, {"full_name": "Alex Kim"})
    _drive_person_dialog(monkeypatch, lambda dialog: None)
    assert controller.edit("person", person.uid) is None
    assert controller.undo_stack.count() == 0


# -- create, archive, restore, tags ---------------------------------------------------------------

def test_create_undo_archives_redo_restores(controller: EditController, app,  # noqa: ANN001
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _drive_person_dialog(monkeypatch,
                         lambda dialog: dialog.edits["full_name"].setText("Олена Шевченко"))
    uid = controller.new_person()
    assert uid is not None and not app.people.get(uid).archived
    controller.undo()
    assert app.people.get(uid).archived
    controller.redo()
    assert not app.people.get(uid).archived


def test_archive_and_undo_restores(controller: EditController, app) -> None:  # noqa: ANN001
    person = app.people.save(None, {"full_name": "Mehmet Şahin"})
    controller.archive("person", person.uid)
    assert app.people.get(person.uid).archived
    assert controller.undo_stack.undoText() == _("Archive {name}").format(
        name="Mehmet Şahin")
    controller.undo()
    assert not app.people.get(person.uid).archived
    controller.redo()
    assert app.people.get(person.uid).archived
    assert _audit_actions(app, person.uid) == ["create", "archive", "restore", "archive"]

    controller.restore("person", person.uid)
    controller.undo()
    assert app.people.get(person.uid).archived
    controller.archive("person", person.uid)  # already archived: no new step
    assert controller.undo_stack.undoText() == _("Archive {name}").format(
        name="Mehmet Şahin")


def test_organisation_archive_undo(controller: EditController, app) -> None:  # noqa: ANN001
    org = app.organisations.save(None, {"name": "Stadtverwaltung Gera",
                                        "kind": "administration"})
    controller.archive("organisation", org.uid)
    controller.undo()
    assert not app.organisations.get(org.uid).archived


def test_tags_undo_and_redo(controller: EditController, app,  # noqa: ANN001
                            monkeypatch: pytest.MonkeyPatch) -> None:
    person = app.people.save(None, {"full_name": "Alex Kim"}, tags=["Vorstand"])

    def ask(service: Any, uid: str, parent: QWidget | None = None) -> Any:
        dialog = TagDialog(service, service.get(uid), parent)
        dialog.editor.add_tag("Modellkommune, Beirat")
        dialog.editor.list_widget.setCurrentRow(0)
        dialog.editor.remove_selected()
        dialog.save()
        return dialog.saved_result

    monkeypatch.setattr(TagDialog, "ask", ask)
    controller.edit_tags("person", person.uid)
    assert app.people.get(person.uid).tags == ("Beirat", "Modellkommune")
    assert controller.undo_stack.undoText() == _("Change tags of {name}").format(
        name="Alex Kim")
    controller.undo()
    assert app.people.get(person.uid).tags == ("Vorstand",)
    controller.redo()
    assert app.people.get(person.uid).tags == ("Beirat", "Modellkommune")
    # created with a tag, then the change, its undo and its redo
    assert _audit_actions(app, person.uid) == ["create"] + ["tags"] * 4


# -- roles ---------------------------------------------------------------------------------------

def _handover(app, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN202
    org = app.organisations.save(None, {"name": "Stadtverwaltung Gera",
                                        "kind": "administration"})
    old = app.people.save(None, {"full_name": "Anna Alt"})
    app.people.save(None, {"full_name": "Mehmet Şahin"})
    role = app.roles.add(old.uid, org.uid, "Integrationsbeauftragte:r", since="2019-04-01")

    def ask(roles: Any, role_uid: str, suggest: Any, parent: QWidget | None = None) -> Any:
        dialog = TakeOverDialog(roles, roles.get(role_uid), suggest, parent)
        dialog.successor_edit.setText("Sahin")
        dialog.save()
        return dialog.saved_result

    monkeypatch.setattr(TakeOverDialog, "ask", ask)
    return org, role


def test_take_over_undo_and_redo(controller: EditController, app,  # noqa: ANN001
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    org, role = _handover(app, monkeypatch)
    new_uid = controller.take_over_role(role.uid)
    assert new_uid is not None
    assert [(r.person.name, r.current) for r in app.roles.history(org.uid)] == [
        ("Mehmet Şahin", True), ("Anna Alt", False)]

    controller.undo()

    assert [(r.person.name, r.current) for r in app.roles.history(org.uid)] == [
        ("Anna Alt", True)]
    assert _audit_actions(app, new_uid) == ["create", "delete"]
    assert _audit_actions(app, role.uid)[-2:] == ["handover", "undo_handover"]

    controller.redo()
    history = app.roles.history(org.uid)
    assert [(r.person.name, r.current, r.since) for r in history] == [
        ("Mehmet Şahin", True, date.today()), ("Anna Alt", False, date(2019, 4, 1))]
    controller.undo()  # undo works again on the role the redo created
    assert [r.person.name for r in app.roles.history(org.uid)] == ["Anna Alt"]


def test_take_over_undo_refused_after_the_new_role_changed(
        controller: EditController, app, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
        reported: list[tuple[ConflictError, bool]]) -> None:
    org, role = _handover(app, monkeypatch)
    new_uid = controller.take_over_role(role.uid)
    app.roles.update(new_uid, verified_on=date.today())  # someone confirmed it meanwhile
    controller.undo()
    assert len(reported) == 1 and reported[0][1]
    assert [r.person.name for r in app.roles.history(org.uid)] == ["Mehmet Şahin", "Anna Alt"]


def test_add_role_undo_removes_it(controller: EditController, app,  # noqa: ANN001
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    org = app.organisations.save(None, {"name": "Migrationsbeirat Jena", "kind": "council"})
    person = app.people.save(None, {"full_name": "Nguyễn Thị Minh Khai"})
    from ui.dialogs.role_dialog import AddRoleDialog

    def ask(app_: Any, suggest: Any, person_: Any = None, organisation: Any = None,
            parent: QWidget | None = None) -> Any:
        orgs = {o.name: o.uid for o in app_.organisations.list()}
        dialog = AddRoleDialog(app_.roles, suggest, orgs, person_, organisation, parent)
        dialog.title_edit.setText("Vorsitzende:r")
        dialog.save()
        return dialog.saved_result

    monkeypatch.setattr(AddRoleDialog, "ask", ask)
    role_uid = controller.add_role(person.uid, org.uid)
    assert [r.uid for r in app.people.get(person.uid).current_roles] == [role_uid]
    controller.undo()
    assert app.people.get(person.uid).roles == ()
    assert _audit_actions(app, role_uid) == ["create", "delete"]
    controller.redo()
    assert [r.title for r in app.people.get(person.uid).current_roles] == ["Vorsitzende:r"]


# -- actions -----------------------------------------------------------------------------------

def test_bound_actions_follow_the_stack(controller: EditController, app) -> None:  # noqa: ANN001
    undo_action, redo_action = QAction(), QAction()
    controller.bind_undo_actions(undo_action, redo_action)
    assert not undo_action.isEnabled() and not redo_action.isEnabled()
    person = app.people.save(None, {"full_name": "Alex Kim"})
    controller.archive("person", person.uid)
    assert undo_action.isEnabled()
    assert _("Archive {name}").format(name="Alex Kim") in undo_action.text()
    undo_action.trigger()
    assert not app.people.get(person.uid).archived
    assert redo_action.isEnabled() and not undo_action.isEnabled()
    redo_action.trigger()
    assert app.people.get(person.uid).archived


def test_audit_records_who_undid(controller: EditController, app) -> None:  # noqa: ANN001
    person = app.people.save(None, {"full_name": "Alex Kim"})
    controller.archive("person", person.uid)
    controller.undo()
    with app.db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.record_uid == person.uid).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "restore"
        assert entry.staff_id == app.staff.id_of("TS")
        assert json.loads(entry.changes)["archived_at"][1] is None


def test_mixed_steps_on_one_record_chain_their_versions(
        controller: EditController, app, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    person = app.people.save(None, {"full_name": "Alex Kim", "notes": "v0"}, tags=["A"])
    _drive_person_dialog(monkeypatch, _set_notes("v1"))
    controller.edit("person", person.uid)
    controller.archive("person", person.uid)
    controller.restore("person", person.uid)
    _drive_person_dialog(monkeypatch, lambda dialog: dialog.tags.add_tag("B"))
    controller.edit("person", person.uid)

    for _step in range(4):
        controller.undo()
    undone = app.people.get(person.uid)
    assert (undone.notes, undone.tags, undone.archived) == ("v0", ("A",), False)
    for _step in range(4):
        controller.redo()
    redone = app.people.get(person.uid)
    assert (redone.notes, redone.tags, redone.archived) == ("v1", ("A", "B"), False)


def test_undo_after_overwrite_brings_back_what_was_overwritten(
        controller: EditController, app, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from ui.dialogs.conflict_dialog import ConflictChoice

    person = app.people.save(None, {"full_name": "Alex Kim", "notes": "opened"})

    def fill(dialog: PersonDialog) -> None:
        app.people.update(person.uid, {"notes": "theirs"})  # while the dialog is open
        dialog.notes_edit.setPlainText("mine")

    monkeypatch.setattr(ConflictDialog, "ask", lambda *a, **k: ConflictChoice.OVERWRITE)
    _drive_person_dialog(monkeypatch, fill)
    controller.edit("person", person.uid)
    assert app.people.get(person.uid).notes == "mine"
    controller.undo()
    assert app.people.get(person.uid).notes == "theirs"
