"""Events (Veranstaltungen): create and edit, invite (one by one, by tag, by role title),
statuses, and the attendance checklist on the day."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QThreadPool
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from crm.services.activity_rows import EventInput
from crm.services.people import PersonInput
from ui.attendance_checklist import AttendanceChecklist, attendance_changes
from ui.dialogs.conflict_dialog import ConflictDialog
from ui.event_dialog import EventDialog
from ui.events_view import AttendeeModel, EventsView, EventTableModel
from ui.main_window import MainWindow
from ui.settings import WindowSettings

SCREENS = Path("/tmp/screens")
Ctrl = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def _yes_to_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)


@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_text(qtbot: QtBot, text: str) -> None:
    for char in text:
        if char.isascii():
            qtbot.keyClicks(focused(), char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(focused(), QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                       char))


def show_active(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def make_view(qtbot: QtBot, app: Any) -> EventsView:
    view = EventsView(app)
    qtbot.addWidget(view)
    view.resize(1160, 700)
    view.show()
    qtbot.waitUntil(lambda: not view._runner.busy, timeout=5000)
    QApplication.processEvents()
    return view


# -- creating and editing -----------------------------------------------------------------------

def test_a_fachtagung_is_created_from_the_keyboard(qtbot: QtBot, demo_app: Any) -> None:
    dialog = EventDialog(demo_app)
    show_active(qtbot, dialog)
    assert focused() is dialog.title_edit
    type_text(qtbot, "Fachtagung Teilhabe 2027")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("fachtagung"))
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, "12.05.2027 10:00")
    assert "12.05.2027" in dialog.start_preview.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, "12.05.2027 16:30")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, "Augustinerkloster")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, "Erfurt")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.municipality.uids()), timeout=5000)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, "Stadtverwaltung Erfurt")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.organisers.uids()), timeout=5000)
    SCREENS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SCREENS / "log_event_dialog.png"))
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Ctrl)
    saved = dialog.saved_result
    assert saved is not None and saved.kind == "fachtagung"
    assert saved.municipality.name == "Erfurt"
    assert [o.name for o in saved.organisers] == ["Stadtverwaltung Erfurt"]
    assert saved.starts_at.astimezone().hour == 10
    assert saved.ends_at is not None and saved.ends_at.astimezone().minute == 30


def test_an_end_before_the_start_is_shown_at_the_end_field(qtbot: QtBot, app: Any) -> None:
    dialog = EventDialog(app)
    qtbot.addWidget(dialog)
    dialog.title_edit.setText("Workshop")
    dialog.start_edit.setText("12.05.2027 10:00")
    dialog.end_edit.setText("11.05.2027 10:00")
    dialog.save()
    assert dialog.saved_result is None
    assert dialog.field_errors.message("ends_at")
    assert dialog.title_edit.text() == "Workshop"


def test_editing_an_event_with_a_conflict_shows_both_values(
        qtbot: QtBot, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    event = app.events.create(EventInput("Netzwerktreffen", "network-meeting",
                                         "2027-03-01 09:00"))
    dialog = EventDialog(app, event)
    qtbot.addWidget(dialog)
    dialog.title_edit.setText("Netzwerktreffen I/2027")
    app.events.update(event.uid, {"title": "Netzwerktreffen Frühjahr"})
    seen: list[Any] = []
    monkeypatch.setattr(ConflictDialog, "ask",
                        lambda parent, error, **k: seen.append(error))
    dialog.save()
    assert [list(seen[0].mine.values()), list(seen[0].theirs.values())] == [
        ["Netzwerktreffen I/2027"], ["Netzwerktreffen Frühjahr"]]


# -- invitations --------------------------------------------------------------------------------

def test_thirty_invited_twenty_ticked_present_in_the_checklist(
        qtbot: QtBot, demo_app: Any) -> None:
    app = demo_app
    sahin = app.people.create(PersonInput(full_name="Ayşe Şahin"))
    event = app.events.create(EventInput("Workshop Antragstellung", "workshop",
                                         datetime(2027, 2, 3, 10).astimezone()))
    view = make_view(qtbot, app)
    view.open_record(event.uid)
    qtbot.waitUntil(lambda: getattr(view.current_event, "uid", None) == event.uid,
                    timeout=5000)
    view.invite_field.edit.setFocus()
    qtbot.keyClicks(view.invite_field.edit, "sah")
    qtbot.keyClick(view.invite_field.edit, Qt.Key.Key_Return)  # the top hit, invited
    qtbot.waitUntil(lambda: len(view.current_event.attendees) == 1, timeout=5000)
    assert view.current_event.attendees[0].person.uid == sahin.uid
    view.tag_combo.setCurrentText("Sprachmittlung")
    view.tag_button.click()
    tagged = len(app.people.list_uids_with_tag("Sprachmittlung"))
    assert len(view.current_event.attendees) == 1 + tagged
    view.role_edit.setText("Integrationsmanager:in")
    qtbot.keyClick(view.role_edit, Qt.Key.Key_Return)
    invited = {a.person.uid for a in view.current_event.attendees}
    assert len(invited) > 1 + tagged
    others = [e.participants[0].person.uid for e in app.interactions.timeline(
        events=False, limit=400) if e.participants and e.participants[0].person]
    missing = [uid for uid in dict.fromkeys(others) if uid not in invited][:30 - len(invited)]
    view.invite(missing)
    assert len(view.current_event.attendees) == 30
    assert view.attendees.rowCount() == 30

    checklist = AttendanceChecklist(app, app.events.get(event.uid))
    show_active(qtbot, checklist)
    assert focused() is checklist.list
    for _person in range(20):
        qtbot.keyClick(checklist.list, Qt.Key.Key_Space)
        qtbot.keyClick(checklist.list, Qt.Key.Key_Down)
    assert len(checklist.ticked()) == 20
    assert checklist.count_label.text().startswith("20 ")
    SCREENS.mkdir(parents=True, exist_ok=True)
    checklist.grab().save(str(SCREENS / "log_attendance_checklist.png"))
    qtbot.keyClick(checklist.list, Qt.Key.Key_Return, Ctrl)
    saved = checklist.saved_result
    assert saved is not None
    assert saved.counts == {"invited": 10, "registered": 0, "attended": 20, "cancelled": 0}


def test_mark_all_present_leaves_out_cancellations(qtbot: QtBot, app: Any) -> None:
    people = [app.people.create(PersonInput(full_name=n)).uid
              for n in ("Amira Haddad", "Tomasz Nowak", "Олена Шевченко")]
    event = app.events.create(EventInput("Seminar", "seminar", "2027-01-20 17:00"))
    app.events.invite(event.uid, people)
    app.events.set_status(event.uid, people[1], "cancelled")
    checklist = AttendanceChecklist(app, app.events.get(event.uid))
    qtbot.addWidget(checklist)
    checklist.filter_edit.setText("шевч")
    assert [i.text().split(" (")[0] for i in checklist.items()
            if not i.isHidden()] == ["Олена Шевченко"]
    checklist.filter_edit.clear()
    checklist.all_button.click()
    assert checklist.ticked() == {people[0], people[2]}
    changes = attendance_changes(checklist.event_detail, checklist.ticked())
    assert changes == {people[0]: "attended", people[2]: "attended"}
    checklist.save()
    detail = app.events.get(event.uid)
    assert detail.counts["attended"] == 2 and detail.counts["cancelled"] == 1


def test_the_status_column_sets_a_status(qtbot: QtBot, app: Any) -> None:
    person = app.people.create(PersonInput(full_name="Tomasz Nowak")).uid
    event = app.events.create(EventInput("Seminar", "seminar", "2027-01-20 17:00"))
    app.events.invite(event.uid, [person])
    view = make_view(qtbot, app)
    view.open_record(event.uid)
    qtbot.waitUntil(lambda: getattr(view.current_event, "uid", None) == event.uid,
                    timeout=5000)
    index = view.attendees.index(0, 2)
    view.attendee_view.setCurrentIndex(index)
    view.attendee_view.setFocus()
    qtbot.keyClick(view.attendee_view, Qt.Key.Key_F2)
    combo = next(w for w in view.attendee_view.findChildren(QComboBox) if w.isVisible())
    combo.setCurrentIndex(combo.findData("registered"))
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.events.get(event.uid).attendees[0].status == "registered",
                    timeout=3000)


def test_the_models_pass_the_model_tester(qtmodeltester: Any, demo_app: Any) -> None:
    events = EventTableModel(demo_app.events)
    events.reset_rows(events.first_page())
    qtmodeltester.check(events)
    attendees = AttendeeModel(lambda uid, status: True)
    detail = demo_app.events.get(events.row_at(0).uid)
    attendees.set_rows(detail.attendees)
    qtmodeltester.check(attendees)


def test_events_section_screenshot(qtbot: QtBot, demo_app: Any, tmp_path: Path) -> None:
    window = MainWindow(demo_app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.show_section("events")
    events = window.activity.events
    qtbot.waitUntil(lambda: events.current_event is not None, timeout=5000)
    fachtagung = next(r for r in range(events.model.rowCount())
                      if events.model.row_at(r).kind == "fachtagung")
    events.view.selectRow(fachtagung)
    qtbot.waitUntil(lambda: events.current_event.kind == "fachtagung", timeout=5000)
    QThreadPool.globalInstance().waitForDone(3000)
    QApplication.processEvents()
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENS / "log_events_section.png"))
    window.show_section("tasks")
    qtbot.waitUntil(lambda: bool(window.activity.tasks.model.all_rows()), timeout=5000)
    QApplication.processEvents()
    window.grab().save(str(SCREENS / "log_tasks_demo.png"))
    window.shutdown()
