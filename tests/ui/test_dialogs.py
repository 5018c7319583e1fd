"""The editing dialogs, driven like a user would: typing, clicking, keys; the database is
checked through the services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from crm.errors import ConflictError
from crm.i18n import _, set_language
from crm.messages import field_label
from crm.services.contacts import ContactInput
from ui.dialogs.base import salutation_labels
from ui.dialogs.conflict_dialog import ConflictChoice, ConflictDialog
from ui.dialogs.organisation_dialog import OrganisationDialog
from ui.dialogs.person_dialog import PersonDialog
from ui.dialogs.role_dialog import (
    AddRoleDialog,
    TakeOverDialog,
    person_suggestions,
    search_suggestions,
)
from ui.dialogs.tag_editor import TagDialog

SCREENS = Path("/tmp/screens")


@pytest.fixture(autouse=True)
def _discard_when_closed_at_teardown(monkeypatch: pytest.MonkeyPatch) -> None:
    """qtbot closes left-over dialogs after each test: never block on "Discard changes?"."""
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: QMessageBox.StandardButton.Yes)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a keyboard: QTest.keyClicks only knows ASCII, names here are not."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


def _show(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.raise_()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)


def _screenshot(dialog: QWidget, name: str) -> None:
    """The dialog at the size it opens with."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert dialog.grab().save(str(SCREENS / f"dlg_{name}.png"))


def _no_question(*_args: object) -> QMessageBox.StandardButton:
    raise AssertionError("QMessageBox.question must not be asked")


def _person(app, **fields):  # noqa: ANN001, ANN202
    return app.people.save(None, {"full_name": "Ayşe Yılmaz", **fields},
                           [ContactInput("email", "ayse@example.org")], ["Vorstand"])


# -- person dialog ---------------------------------------------------------------------------

def test_invalid_email_is_shown_next_to_the_field_and_nothing_is_saved(
        qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = PersonDialog(app.people)
    _show(qtbot, dialog)
    type_text(qtbot, dialog.edits["full_name"], "Олена Шевченко")
    row = dialog.contacts.rows()[0]
    qtbot.keyClicks(row.value_edit, "olena@@example")

    qtbot.waitUntil(lambda: row.error() != "", timeout=2000)  # while typing
    assert "olena@@example" in row.error()
    assert row.error_label.isVisible()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert app.people.count() == 0
    assert dialog.edits["full_name"].text() == "Олена Шевченко"
    assert row.value_edit.text() == "olena@@example"
    assert row.error() and row.error_label.isVisible()
    assert dialog.focusWidget() is row.value_edit

    row.value_edit.clear()
    qtbot.keyClicks(row.value_edit, "  Olena.Shevchenko@Example.ORG ")
    qtbot.waitUntil(lambda: row.error() == "", timeout=2000)
    qtbot.keyClick(dialog.edits["given_name"], Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)  # Ctrl+Return saves

    assert not dialog.isVisible()
    saved = dialog.saved_result.after
    stored = app.people.get(saved.uid)
    assert stored.name == "Олена Шевченко"
    assert [c.value for c in stored.contact_points] == ["Olena.Shevchenko@example.org"]


def test_required_name_and_bad_phone_are_reported_together(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = PersonDialog(app.people)
    _show(qtbot, dialog)
    qtbot.mouseClick(dialog.contacts.add_button, Qt.MouseButton.LeftButton)
    phone = dialog.contacts.rows()[1]
    phone.kind_combo.setCurrentIndex(phone.kind_combo.findData("phone"))
    qtbot.keyClicks(phone.value_edit, "12")
    qtbot.keyClicks(dialog.tags.line_edit, "Modellkommune")

    dialog.save()

    assert dialog.isVisible()
    assert dialog.field_errors.message("full_name")
    assert "12" in phone.error()
    assert dialog.contacts.rows()[0].error() == ""  # the blank row is ignored
    assert dialog.tags.tags() == ["Modellkommune"]  # the typed tag was not lost
    assert app.people.count() == 0


def test_live_check_of_a_name_field(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = PersonDialog(app.people, app.people.get(_person(app).uid))
    _show(qtbot, dialog)
    dialog.edits["full_name"].selectAll()
    qtbot.keyClick(dialog.edits["full_name"], Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.edits["full_name"], " ")
    qtbot.waitUntil(lambda: dialog.field_errors.message("full_name") != "", timeout=2000)
    type_text(qtbot, dialog.edits["full_name"], "Ayşe")
    qtbot.waitUntil(lambda: dialog.field_errors.message("full_name") == "", timeout=2000)


def test_cancel_on_a_modified_dialog_asks_first(qtbot: QtBot, app, monkeypatch) -> None:  # noqa: ANN001
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton):  # noqa: ANN202
        def question(*args: object) -> QMessageBox.StandardButton:
            asked.append(str(args[1]))
            return button
        return question

    dialog = PersonDialog(app.people)
    _show(qtbot, dialog)
    monkeypatch.setattr(QMessageBox, "question", _no_question)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # unchanged: closes without asking
    assert not dialog.isVisible()

    dialog = PersonDialog(app.people)
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.edits["full_name"], "Alex Kim")
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and len(asked) == 1
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and len(asked) == 2
    assert dialog.edits["full_name"].text() == "Alex Kim"

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert app.people.count() == 0


def _walk_focus(dialog: QWidget, first: QWidget, steps: int) -> list[QWidget]:
    first.setFocus(Qt.FocusReason.TabFocusReason)
    seen = [QApplication.focusWidget()]
    for _step in range(steps):
        dialog.focusNextChild()
        seen.append(QApplication.focusWidget())
    return seen


def test_person_dialog_tab_order(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = PersonDialog(app.people, app.people.get(_person(app).uid))
    _show(qtbot, dialog)
    e = dialog.edits
    row = dialog.contacts.rows()[0]
    expected = [e["full_name"], e["given_name"], e["family_name"], e["transliteration"],
                dialog.salutation_combo, e["languages"], dialog.notes_edit,
                row.kind_combo, row.label_combo, row.value_edit, row.preferred_check,
                row.remove_button, dialog.contacts.add_button, dialog.tags.line_edit,
                dialog.tags.add_button, dialog.tags.list_widget,  # "Remove" is disabled
                dialog.save_button, dialog.cancel_button, e["full_name"]]
    assert _walk_focus(dialog, e["full_name"], len(expected) - 1) == expected

    qtbot.mouseClick(dialog.contacts.add_button, Qt.MouseButton.LeftButton)
    new_row = dialog.contacts.rows()[1]
    qtbot.waitUntil(new_row.isVisible)
    assert QApplication.focusWidget() is new_row.kind_combo
    walked = _walk_focus(dialog, row.remove_button, 6)
    assert walked[1:] == [new_row.kind_combo, new_row.label_combo, new_row.value_edit,
                          new_row.preferred_check, new_row.remove_button,
                          dialog.contacts.add_button]


def test_tags_are_added_with_enter_and_removed_with_delete(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = PersonDialog(app.people, app.people.get(_person(app).uid))
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.tags.line_edit, "Modellkommune")
    qtbot.keyClick(dialog.tags.line_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter added the tag, it did not save
    assert dialog.tags.tags() == ["Vorstand", "Modellkommune"]
    dialog.tags.list_widget.setCurrentRow(0)
    qtbot.keyClick(dialog.tags.list_widget, Qt.Key.Key_Delete)
    assert dialog.tags.tags() == ["Modellkommune"]

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    stored = app.people.get(dialog.saved_result.after.uid)
    assert stored.tags == ("Modellkommune",)
    assert stored.name == "Ayşe Yılmaz"


def test_tag_dialog_saves_only_tags(qtbot: QtBot, app) -> None:  # noqa: ANN001
    person = _person(app)
    dialog = TagDialog(app.people, app.people.get(person.uid))
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.editor.line_edit, "Beirat, Jena")
    qtbot.keyClick(dialog.editor.line_edit, Qt.Key.Key_Return)
    _screenshot(dialog, "tags")
    qtbot.keyClick(dialog.editor.line_edit, Qt.Key.Key_Return)  # empty line: Enter saves
    assert not dialog.isVisible()
    assert app.people.get(person.uid).tags == ("Beirat", "Jena", "Vorstand")


# -- conflicts -------------------------------------------------------------------------------

def _stale_dialog(qtbot: QtBot, app):  # noqa: ANN001, ANN202
    person = _person(app, notes="original")
    dialog = PersonDialog(app.people, app.people.get(person.uid))
    _show(qtbot, dialog)
    app.people.update(person.uid, {"notes": "theirs: moved to Jena"})  # someone else
    dialog.notes_edit.setPlainText("mine: new phone number")
    type_text(qtbot, dialog.edits["family_name"], "Yılmaz")
    return person, dialog


def test_stale_save_shows_both_values_and_overwrites_nothing(
        qtbot: QtBot, app, monkeypatch) -> None:  # noqa: ANN001
    person, dialog = _stale_dialog(qtbot, app)
    shown: list[list[tuple[str, str, str]]] = []

    def ask(parent, error, *, name="", report_only=False):  # noqa: ANN001, ANN202
        conflict = ConflictDialog(error, name, report_only=report_only, parent=parent)
        qtbot.addWidget(conflict)
        shown.append(conflict.rows())
        return None  # "back to editing"

    monkeypatch.setattr(ConflictDialog, "ask", ask)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.notes_edit.toPlainText() == "mine: new phone number"
    rows = {label: (mine, theirs) for label, mine, theirs in shown[0]}
    assert rows[field_label("notes")] == ("mine: new phone number", "theirs: moved to Jena")
    assert rows[field_label("family_name")] == ("Yılmaz", "—")
    assert app.people.get(person.uid).notes == "theirs: moved to Jena"

    monkeypatch.setattr(ConflictDialog, "ask",
                        lambda *a, **k: ConflictChoice.OVERWRITE)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert app.people.get(person.uid).notes == "mine: new phone number"


def test_keep_theirs_closes_without_saving(qtbot: QtBot, app, monkeypatch) -> None:  # noqa: ANN001
    person, dialog = _stale_dialog(qtbot, app)
    monkeypatch.setattr(ConflictDialog, "ask", lambda *a, **k: ConflictChoice.KEEP_THEIRS)
    monkeypatch.setattr(QMessageBox, "question", _no_question)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.saved_result is None
    assert app.people.get(person.uid).notes == "theirs: moved to Jena"


def test_conflict_dialog_buttons(qtbot: QtBot) -> None:
    mine = {"notes": "Neue Telefonnummer seit März", "salutation": "neutral",
            "contact_points": [ContactInput("email", "alex@example.org", preferred=True),
                               ContactInput("phone", "+493611234567")],
            "tags": ["Vorstand", "Modellkommune"]}
    theirs = {"notes": "Umzug nach Jena", "salutation": "frau",
              "contact_points": [ContactInput("email", "alex@example.org", preferred=True)],
              "tags": ["Vorstand"]}
    dialog = ConflictDialog(ConflictError("person", "x", mine, theirs, 3), "Alex Kim")
    _show(qtbot, dialog)
    labels = salutation_labels("Alex Kim")
    assert dialog.rows()[1] == (field_label("salutation"), labels["neutral"], labels["frau"])
    assert "0361 1234567" in dialog.rows()[2][1]
    _screenshot(dialog, "conflict")
    assert dialog.overwrite_button is not None
    qtbot.mouseClick(dialog.overwrite_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is ConflictChoice.OVERWRITE

    report = ConflictDialog(ConflictError("person", "x", {"notes": "v0"}, {"notes": "v2"}),
                            "Alex Kim", report_only=True)
    _show(qtbot, report)
    assert report.overwrite_button is None and report.keep_button is None
    _screenshot(report, "undo_conflict")
    qtbot.keyClick(report, Qt.Key.Key_Escape)
    assert report.choice is None and not report.isVisible()


# -- organisations ---------------------------------------------------------------------------

def _organisation_dialog(app, uid: str | None = None) -> OrganisationDialog:  # noqa: ANN001
    places = {m.name: m.uid for m in app.municipalities.list()}
    orgs = {o.name: o.uid for o in app.organisations.list()}
    detail = app.organisations.get(uid) if uid else None
    return OrganisationDialog(app.organisations, detail, places, orgs)


def test_create_organisation_with_municipality_and_dates(qtbot: QtBot, app) -> None:  # noqa: ANN001
    app.organisations.save(None, {"name": "Landesnetzwerk Thüringen", "kind": "network"})
    dialog = _organisation_dialog(app)
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.edits["name"], "Migrationsbeirat Jena")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("council"))
    qtbot.keyClicks(dialog.edits["municipality"], "Jena")
    type_text(qtbot, dialog.edits["parent"], "Landesnetzwerk Thüringen")
    qtbot.keyClicks(dialog.edits["member_since"], "31.02.2020")
    qtbot.waitUntil(lambda: dialog.field_errors.message("member_since") != "", timeout=2000)
    assert "31.02.2020" in dialog.field_errors.message("member_since")

    dialog.save()
    assert dialog.isVisible() and app.organisations.count() == 1

    dialog.edits["member_since"].clear()
    qtbot.keyClicks(dialog.edits["member_since"], "01.03.2020")
    dialog.save()

    assert not dialog.isVisible()
    stored = app.organisations.get(dialog.saved_result.after.uid)
    assert stored.kind == "council"
    assert stored.municipality is not None and stored.municipality.name == "Jena"
    assert stored.parent is not None and stored.parent.name == "Landesnetzwerk Thüringen"
    assert stored.member_since == date(2020, 3, 1)


def test_unknown_municipality_is_a_field_error(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = _organisation_dialog(app)
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.edits["name"], "MSO Atlantis")
    qtbot.keyClicks(dialog.edits["municipality"], "Atlantis")
    dialog.save()
    assert "Atlantis" in dialog.field_errors.message("municipality")
    assert dialog.edits["municipality"].text() == "Atlantis"
    assert app.organisations.count() == 0


def test_organisation_dialog_tab_order(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = _organisation_dialog(app)
    _show(qtbot, dialog)
    e = dialog.edits
    row = dialog.contacts.rows()[0]
    expected = [e["name"], e["short_name"], dialog.kind_combo, e["parent"],
                e["municipality"], e["member_since"], e["member_until"], dialog.notes_edit,
                row.kind_combo, row.label_combo, row.value_edit, row.preferred_check,
                row.remove_button, dialog.contacts.add_button, dialog.tags.line_edit,
                dialog.tags.add_button, dialog.tags.list_widget, dialog.save_button,
                dialog.cancel_button]
    assert _walk_focus(dialog, e["name"], len(expected) - 1) == expected


def test_ctrl_enter_saves_even_from_the_notes(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = _organisation_dialog(app)
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.edits["name"], "Elternverein Erfurt")
    dialog.notes_edit.setFocus()
    type_text(qtbot, dialog.notes_edit, "Gegründet 2015")
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Enter,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier)
    assert not dialog.isVisible()
    assert app.organisations.get(dialog.saved_result.after.uid).notes == "Gegründet 2015"


def test_language_change_retranslates(qtbot: QtBot, app) -> None:  # noqa: ANN001
    dialog = PersonDialog(app.people)
    qtbot.addWidget(dialog)
    set_language("en")
    QApplication.sendEvent(dialog, QEvent(QEvent.Type.LanguageChange))
    assert dialog.windowTitle() == "New person"
    assert dialog.save_button.text() == "Save"
    set_language("de")
    QApplication.sendEvent(dialog, QEvent(QEvent.Type.LanguageChange))
    assert dialog.windowTitle() == _("New person") != "New person"


# -- roles -----------------------------------------------------------------------------------

def _role_setup(app):  # noqa: ANN001, ANN202
    org = app.organisations.save(None, {"name": "Stadtverwaltung Gera", "kind": "administration",
                                        "municipality": "16052"})
    old = app.people.save(None, {"full_name": "Anna Alt"})
    new = app.people.save(None, {"full_name": "Mehmet Şahin"})
    role = app.roles.add(old.uid, org.uid, "Integrationsbeauftragte:r", since="2019-04-01")
    return org, old, new, role


def test_take_over_role_through_the_dialog(qtbot: QtBot, app) -> None:  # noqa: ANN001
    org, old, new, role = _role_setup(app)
    dialog = TakeOverDialog(app.roles, role, search_suggestions(app.search))
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.successor_edit, "Sahin")
    qtbot.waitUntil(lambda: dialog.successor_edit.suggestions() == ["Mehmet Şahin"],
                    timeout=2000)
    dialog.successor_edit.setText("Mehmet Şahin")
    _screenshot(dialog, "take_over_role")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    result = dialog.saved_result
    assert result.new.person.uid == new.uid and result.new.current
    assert not app.roles.get(role.uid).current
    history = app.roles.history(org.uid)
    assert [(r.person.name, r.current) for r in history] == [("Mehmet Şahin", True),
                                                             ("Anna Alt", False)]


def test_take_over_to_the_same_person_is_a_field_error(qtbot: QtBot, app) -> None:  # noqa: ANN001
    _org, old, _new, role = _role_setup(app)
    dialog = TakeOverDialog(app.roles, role, person_suggestions(app.people))
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.successor_edit, "Anna Alt")
    dialog.save()
    assert dialog.isVisible()
    assert dialog.field_errors.message("person")
    assert app.roles.get(role.uid).current


def test_role_and_tag_dialogs_tab_order(qtbot: QtBot, app) -> None:  # noqa: ANN001
    _org, _old, new, role = _role_setup(app)
    take = TakeOverDialog(app.roles, role, person_suggestions(app.people))
    _show(qtbot, take)
    assert _walk_focus(take, take.successor_edit, 4) == [
        take.successor_edit, take.date_edit, take.save_button, take.cancel_button,
        take.successor_edit]
    add = AddRoleDialog(app.roles, person_suggestions(app.people), {})
    _show(qtbot, add)
    assert _walk_focus(add, add.person_edit, 5) == [
        add.person_edit, add.organisation_edit, add.title_edit, add.since_edit,
        add.save_button, add.cancel_button]
    tags = TagDialog(app.people, app.people.get(new.uid))
    _show(qtbot, tags)
    assert _walk_focus(tags, tags.editor.line_edit, 4) == [
        tags.editor.line_edit, tags.editor.add_button, tags.editor.list_widget,
        tags.save_button, tags.cancel_button]


def test_add_role_dialog(qtbot: QtBot, app) -> None:  # noqa: ANN001
    org, old, new, _role = _role_setup(app)
    orgs = {o.name: o.uid for o in app.organisations.list()}
    dialog = AddRoleDialog(app.roles, person_suggestions(app.people), orgs,
                           person=(new.name, new.uid))
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.organisation_edit, "Stadtverwaltung Gera")
    qtbot.keyClicks(dialog.title_edit, "Integrationsmanager:in")
    qtbot.keyClicks(dialog.since_edit, "01.01.2025")
    _screenshot(dialog, "add_role")
    dialog.save()
    assert not dialog.isVisible()
    roles = app.people.get(new.uid).current_roles
    assert [(r.title, r.organisation.uid, r.since) for r in roles] == [
        ("Integrationsmanager:in", org.uid, date(2025, 1, 1))]


# -- screenshots -----------------------------------------------------------------------------

def test_screenshots_of_the_dialogs(qtbot: QtBot, app) -> None:  # noqa: ANN001
    person = app.people.save(
        None, {"full_name": "Nguyễn Thị Minh Khai", "given_name": "Minh Khai",
               "family_name": "Nguyễn", "transliteration": "Nguyen Thi Minh Khai",
               "salutation": "neutral", "languages": "Vietnamesisch, Deutsch",
               "notes": "Vorsitzende des Vereins; spricht auf Fachtagungen."},
        [ContactInput("email", "minh.khai@example.org", preferred=True),
         ContactInput("mobile", "0151 23456789", label="private")],
        ["Vorstand", "Modellkommune"])
    dialog = PersonDialog(app.people, app.people.get(person.uid))
    _show(qtbot, dialog)
    _screenshot(dialog, "person_edit")

    new = PersonDialog(app.people)
    _show(qtbot, new)
    qtbot.keyClicks(new.edits["full_name"], "Alex Kim")
    qtbot.keyClicks(new.contacts.rows()[0].value_edit, "alex@kim")
    new.flush_checks()
    new.contacts.flush_checks()
    _screenshot(new, "person_new_error")

    org = app.organisations.save(
        None, {"name": "Migrationsbeirat der Stadt Jena", "short_name": "MBR Jena",
               "kind": "council", "municipality": "16053", "member_since": "2016-05-01"},
        [ContactInput("web", "https://beirat-jena.example"),
         ContactInput("postal", "Am Anger 15, 07743 Jena")], ["Beirat"])
    org_dialog = _organisation_dialog(app, org.uid)
    _show(qtbot, org_dialog)
    _screenshot(org_dialog, "organisation_edit")
    for name in ("person_edit", "person_new_error", "organisation_edit", "tags"):
        if name != "tags":
            assert (SCREENS / f"dlg_{name}.png").exists()


