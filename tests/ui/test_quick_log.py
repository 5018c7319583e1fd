"""The quick log, driven from the keyboard like the managing director right after a meeting;
what it stored is checked through the services and in the database itself."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QThreadPool
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from crm.services.activity_rows import TimelineFilter
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from ui.drafts import DraftStore, quick_log_path
from ui.main_window import MainWindow
from ui.participant_field import mnemonic_key
from ui.quick_log import QuickLogDialog
from ui.settings import WindowSettings

SCREENS = Path("/tmp/screens")
Ctrl = Qt.KeyboardModifier.ControlModifier


# -- helpers --------------------------------------------------------------------------------

def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
          ) -> None:
    """A key press on whatever has the focus, as the keyboard would send it."""
    qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    """Type into the focused widget; QTest.keyClicks only knows ASCII, names here do not."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(focused(), char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(focused(), QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                       char))


def settle(qtbot: QtBot) -> None:
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(10)



@pytest.fixture
def people(app: Any) -> dict[str, Any]:
    """Ayşe Şahin (Stadt Gera) and Nguyễn Văn Minh (a member organisation in Gera)."""
    gera = app.organisations.create(OrganisationInput(
        name="Stadtverwaltung Gera", kind="administration", municipality="16052"))
    verein = app.organisations.create(OrganisationInput(
        name="Vietnamesischer Verein Gera e.V.", kind="member", municipality="16052"))
    sahin = app.people.create(PersonInput(full_name="Ayşe Şahin"))
    nguyen = app.people.create(PersonInput(full_name="Nguyễn Văn Minh"))
    app.roles.add(sahin.uid, gera.uid, "Integrationsbeauftragte:r", since="2020-01-01")
    app.roles.add(nguyen.uid, verein.uid, "Vorsitzende:r", since="2019-05-01")
    return {"sahin": sahin, "nguyen": nguyen, "gera": gera, "verein": verein}


@pytest.fixture
def window(app: Any, qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    win = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    yield win
    win.shutdown()


def open_quick_log(qtbot: QtBot, window: MainWindow) -> QuickLogDialog:
    window.activateWindow()  # shortcuts need an active window (the dialog may have had it)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_L, Ctrl)
    qtbot.waitUntil(lambda: window.activity.dialog is not None)
    dialog = window.activity.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def pick(qtbot: QtBot, dialog: QuickLogDialog, text: str, count: int) -> None:
    """Type part of a name into the participant field and take the top hit with Enter."""
    type_text(qtbot, text)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(dialog.participants.uids()) == count, timeout=5000)


# -- logging from the keyboard --------------------------------------------------------------

def test_a_meeting_with_two_participants_is_logged_only_from_the_keyboard(
        qtbot: QtBot, window: MainWindow, app: Any, people: dict[str, Any],
        db_path: Path) -> None:
    dialog = open_quick_log(qtbot, window)
    assert focused() is dialog.kind_selector
    press(qtbot, Qt.Key.Key_A)  # not a kind's key: nothing happens
    type_text(qtbot, mnemonic_key(dialog.kind_selector.buttons["meeting"].text()).lower())
    assert dialog.kind_selector.kind() == "meeting"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.date_edit
    type_text(qtbot, "gestern 14:30")
    assert "14:30" in dialog.date_preview.text()
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.participants.edit
    pick(qtbot, dialog, "sah", 1)
    pick(qtbot, dialog, "nguy", 2)
    qtbot.waitUntil(lambda: len(dialog.organisations.uids()) == 2, timeout=5000)
    assert dialog.organisations.uids() == [people["gera"].uid, people["verein"].uid]
    assert [r.name for r in dialog.municipality.records()] == ["Gera"]
    assert "Integrationsbeauftragte:r" in dialog.participants.records()[0].detail
    for _step in range(4):  # organisations, municipality, project, subject
        press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.subject_edit
    type_text(qtbot, "Abstimmung Integrationskonzept Gera")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.notes_edit
    type_text(qtbot, "Beirat soll früher eingebunden werden.")
    press(qtbot, Qt.Key.Key_Tab)  # Tab leaves the notes (no tab character typed)
    assert "\t" not in dialog.notes_edit.toPlainText()
    SCREENS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SCREENS / "log_quick_log.png"))
    with qtbot.waitSignal(dialog.logged, timeout=5000) as saved:
        press(qtbot, Qt.Key.Key_Return, Ctrl)
    detail = saved.args[0]
    qtbot.waitUntil(lambda: window.activity.dialog is None)

    for person in (people["sahin"], people["nguyen"]):
        entries = app.interactions.timeline(TimelineFilter(person=person.uid))
        assert [e.uid for e in entries] == [detail.uid]
    assert detail.kind == "meeting"
    assert detail.occurred_at.astimezone().hour == 14
    rows = sqlite3.connect(db_path).execute(
        "SELECT p.full_name, ip.role_title, o.name FROM interaction_participant ip "
        "JOIN interaction i ON i.id = ip.interaction_id JOIN person p ON p.id = ip.person_id "
        "JOIN organisation o ON o.id = ip.organisation_id WHERE i.uid = ? ORDER BY ip.id",
        (detail.uid,)).fetchall()
    assert rows == [("Ayşe Şahin", "Integrationsbeauftragte:r", "Stadtverwaltung Gera"),
                    ("Nguyễn Văn Minh", "Vorsitzende:r", "Vietnamesischer Verein Gera e.V.")]
    assert not quick_log_path().exists()  # saved: no draft left


def test_opened_from_a_person_it_starts_with_that_person(
        qtbot: QtBot, app: Any, people: dict[str, Any]) -> None:
    dialog = QuickLogDialog(app, ("person", people["sahin"].uid))
    qtbot.addWidget(dialog)
    assert dialog.participants.uids() == [people["sahin"].uid]
    qtbot.waitUntil(lambda: dialog.organisations.uids() == [people["gera"].uid])
    dialog.draft.discard()


def test_opened_from_an_organisation_the_organisation_stays(
        qtbot: QtBot, app: Any, people: dict[str, Any]) -> None:
    dialog = QuickLogDialog(app, ("organisation", people["verein"].uid))
    qtbot.addWidget(dialog)
    dialog.participants.add(people["sahin"].uid, "Ayşe Şahin")
    qtbot.waitUntil(lambda: bool(dialog.participants.records()[0].detail))
    settle(qtbot)
    assert dialog.organisations.uids() == [people["verein"].uid]
    dialog.draft.discard()


def test_alt_and_a_letter_choose_the_kind_from_anywhere_in_the_dialog(
        qtbot: QtBot, app: Any) -> None:
    dialog = QuickLogDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    keys = dialog.kind_selector.keys()
    assert len(keys) == 7 and all(len(k) == 1 for k in keys)  # one key each, no clash
    dialog.subject_edit.setFocus()
    call_key = next(k for k, kind in keys.items() if kind == "call")
    qtbot.keyClick(dialog.subject_edit, getattr(Qt.Key, f"Key_{call_key}"),
                   Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.kind_selector.kind() == "call")
    assert dialog.subject_edit.text() == ""
    dialog.draft.discard()


def test_the_last_project_is_offered_next_time(qtbot: QtBot, app: Any,
                                               people: dict[str, Any]) -> None:
    project = app.projects.add("Brücken bauen")
    dialog = QuickLogDialog(app, ("person", people["sahin"].uid))
    qtbot.addWidget(dialog)
    dialog.project_combo.setCurrentIndex(dialog.project_combo.findData(project.uid))
    dialog.subject_edit.setText("Telefonat")
    dialog.save()
    assert dialog.saved_result is not None
    assert dialog.saved_result.project.uid == project.uid
    again = QuickLogDialog(app)
    qtbot.addWidget(again)
    assert again.project_combo.currentData() == project.uid
    again.draft.discard()


# -- drafts -----------------------------------------------------------------------------------

def test_a_draft_survives_closing_without_saving(
        qtbot: QtBot, window: MainWindow, app: Any, people: dict[str, Any]) -> None:
    dialog = open_quick_log(qtbot, window)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "letzten Dienstag")
    press(qtbot, Qt.Key.Key_Tab)
    pick(qtbot, dialog, "sah", 1)
    dialog.subject_edit.setFocus()
    type_text(qtbot, "Halber Gedanke")
    dialog.notes_edit.setFocus()
    type_text(qtbot, "Noch nicht fertig & <wichtig>")
    press(qtbot, Qt.Key.Key_Escape)  # closes; nothing is asked, nothing is lost
    qtbot.waitUntil(lambda: window.activity.dialog is None)

    saved = json.loads(quick_log_path().read_text(encoding="utf-8"))
    assert saved["data"]["subject"] == "Halber Gedanke"
    assert oct(quick_log_path().stat().st_mode & 0o777) == "0o600"
    again = open_quick_log(qtbot, window)
    assert again.draft_banner.isVisibleTo(again)
    assert again.date_edit.text() == "letzten Dienstag"
    assert again.participants.uids() == [people["sahin"].uid]
    assert again.subject_edit.text() == "Halber Gedanke"
    assert again.notes_edit.toPlainText() == "Noch nicht fertig & <wichtig>"
    assert app.interactions.timeline_count(TimelineFilter()) == 0
    again.discard_button.click()
    qtbot.waitUntil(lambda: window.activity.dialog is None)
    assert not quick_log_path().exists()


def test_the_draft_is_written_while_typing_so_a_crash_loses_nothing(
        qtbot: QtBot, app: Any, tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts" / "quick_log.json")
    dialog = QuickLogDialog(app, store=store)
    qtbot.addWidget(dialog)
    dialog.subject_edit.setText("Gespräch mit dem Beirat")
    qtbot.waitUntil(lambda: store.exists(), timeout=3000)  # debounced, no close needed
    assert store.load()["subject"] == "Gespräch mit dem Beirat"
    assert list(store.path.parent.glob(".draft-*")) == []  # written atomically
    dialog.start_over()
    assert dialog.subject_edit.text() == ""
    assert not store.exists()


def test_an_unreadable_draft_is_ignored(qtbot: QtBot, app: Any, tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "quick_log.json")
    store.path.write_text("{not json", encoding="utf-8")
    dialog = QuickLogDialog(app, store=store)
    qtbot.addWidget(dialog)
    assert not dialog.draft_banner.isVisibleTo(dialog)
    assert dialog.subject_edit.text() == ""


# -- follow-ups --------------------------------------------------------------------------------

def test_a_follow_up_logged_here_appears_in_tasks_and_space_marks_it_done(
        qtbot: QtBot, window: MainWindow, app: Any, people: dict[str, Any]) -> None:
    dialog = open_quick_log(qtbot, window)
    dialog.participants.add(people["nguyen"].uid, "Nguyễn Văn Minh")
    dialog.subject_edit.setText("Vereinsgründung")
    press(qtbot, Qt.Key.Key_T, Ctrl)
    assert focused() is dialog.follow_ups.rows[0].due_edit
    type_text(qtbot, "morgen")
    assert dialog.follow_ups.rows[0].preview.text().startswith("→")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Satzungsentwurf schicken")
    with qtbot.waitSignal(dialog.logged, timeout=5000):
        press(qtbot, Qt.Key.Key_Return, Ctrl)

    window.show_section("tasks")
    tasks = window.activity.tasks
    qtbot.waitUntil(lambda: any(r.text == "Satzungsentwurf schicken"
                                for r in tasks.model.all_rows()), timeout=5000)
    row = next(r for r in tasks.model.all_rows() if r.text == "Satzungsentwurf schicken")
    assert [p.name for p in row.people] == ["Nguyễn Văn Minh"]
    tasks.select_uid(row.uid)
    tasks.view.setFocus()
    qtbot.keyClick(tasks.view, Qt.Key.Key_Space)
    assert app.followups.get(row.uid).done
    tasks.undo_stack.undo()
    assert not app.followups.get(row.uid).done


# -- errors keep the input ---------------------------------------------------------------------

def test_an_impossible_date_shows_a_message_and_saves_nothing(
        qtbot: QtBot, app: Any, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    boxes: list[Any] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: boxes.append(a))
    dialog = QuickLogDialog(app, ("person", people["sahin"].uid))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.date_edit.setText("31.02.2026 10:00")
    dialog.subject_edit.setText("Termin")
    dialog.notes_edit.setPlainText("Alles wichtig.")
    assert dialog.date_preview.text() == ""
    dialog.save()
    assert dialog.isVisible() and dialog.saved_result is None
    assert "31.02.2026" in dialog.field_errors.message("date")
    assert dialog.date_error.isVisible()
    assert dialog.subject_edit.text() == "Termin"
    assert dialog.notes_edit.toPlainText() == "Alles wichtig."
    assert app.interactions.timeline_count(TimelineFilter()) == 0
    assert boxes == []
    SCREENS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SCREENS / "log_quick_log_error.png"))
    dialog.date_edit.setText("31.01.2026 10:00")
    dialog.save()
    assert dialog.saved_result is not None


def test_without_subject_and_participants_the_fields_say_so(
        qtbot: QtBot, app: Any) -> None:
    dialog = QuickLogDialog(app)
    qtbot.addWidget(dialog)
    dialog.save()
    assert dialog.saved_result is None
    assert dialog.field_errors.message("subject")
    dialog.subject_edit.setText("Anruf")
    dialog.save()
    assert dialog.field_errors.message("participants")
    dialog.draft.discard()


def test_a_bad_follow_up_date_is_shown_under_its_row(qtbot: QtBot, app: Any,
                                                     people: dict[str, Any]) -> None:
    dialog = QuickLogDialog(app, ("person", people["sahin"].uid))
    qtbot.addWidget(dialog)
    dialog.subject_edit.setText("Anruf")
    row = dialog.follow_ups.add_row("30.02.", "Rückruf")
    assert row.preview.text()  # "not a date", live
    dialog.save()
    assert dialog.saved_result is None
    assert "30.02." in row.error.text()
    assert app.interactions.timeline_count(TimelineFilter()) == 0
    dialog.draft.discard()


def test_a_hundred_kilobytes_of_notes_are_kept(qtbot: QtBot, app: Any,
                                               people: dict[str, Any]) -> None:
    notes = ("Protokoll der Sitzung des Integrationsbeirats, Tagesordnungspunkt. " * 1600)[
        :100_000]
    dialog = QuickLogDialog(app, ("person", people["sahin"].uid))
    qtbot.addWidget(dialog)
    dialog.subject_edit.setText("Sitzung")
    dialog.notes_edit.setPlainText(notes)
    dialog.save()
    assert dialog.saved_result is not None
    assert app.interactions.get(dialog.saved_result.uid).notes == notes
