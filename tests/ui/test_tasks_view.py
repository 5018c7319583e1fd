"""Tasks (Aufgaben): grouped follow-ups, Space marks done (undoable), reschedule, reassign,
links back to the interaction, and the quiet overdue notice at start."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit
from pytestqt.qtbot import QtBot

from crm.services.activity_rows import FollowUpInput, LogInput
from crm.services.people import PersonInput
from ui.detail.activity import overdue_message
from ui.main_window import MainWindow
from ui.settings import WindowSettings
from ui.tasks_view import ASSIGNEE, DUE, FollowUpModel, TasksView

SCREENS = Path("/tmp/screens")
TODAY = date.today()



@pytest.fixture
def logged(app: Any) -> Any:
    """One conversation with four follow-ups: overdue, today, in two days, next month."""
    app.staff.ensure("JW", "Jonas Wendt")
    person = app.people.create(PersonInput(full_name="Wojciech Wróbel"))
    return app.interactions.log(LogInput(
        kind="call", subject="Förderantrag Polnischer Verein", participants=[person.uid],
        occurred_at=(TODAY - timedelta(days=20)).isoformat(),
        follow_ups=[
            FollowUpInput(TODAY - timedelta(days=3), "Unterlagen nachfordern"),
            FollowUpInput(TODAY, "Rückruf"),
            FollowUpInput(TODAY + timedelta(days=2 if TODAY.weekday() < 5 else 1),
                          "Termin bestätigen"),
            FollowUpInput(TODAY + timedelta(days=30), "Bericht lesen"),
        ]))


def make_view(qtbot: QtBot, app: Any) -> TasksView:
    view = TasksView(app)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=5000):
        pass
    return view


def row_texts(view: TasksView) -> list[str]:
    return [r.text for r in view.model.all_rows()]


def test_follow_ups_are_grouped_by_urgency(qtbot: QtBot, app: Any, logged: Any,
                                           qtmodeltester: Any) -> None:
    view = make_view(qtbot, app)
    model = view.model
    groups = [model.group_key(model.index(r, 0)) for r in range(model.rowCount())]
    assert groups[:2] == ["overdue", "today"] and groups[-1] == "later"
    first = model.index(0, 0, model.index(0, 0))
    assert model.data(first) == "Unterlagen nachfordern"
    assert "Wojciech Wróbel" in model.index(0, 3, model.index(0, 0)).data()
    assert "Förderantrag" in model.index(0, 4, model.index(0, 0)).data()
    qtmodeltester.check(model)


def test_space_marks_done_and_undo_opens_it_again(qtbot: QtBot, app: Any,
                                                  logged: Any) -> None:
    view = make_view(qtbot, app)
    row = view.model.all_rows()[0]
    view.select_uid(row.uid)
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_Space)
    assert app.followups.get(row.uid).done
    index = view.model.index_of(row.uid)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert index.data(Qt.ItemDataRole.FontRole).strikeOut()
    assert view.notice.isVisible()
    view.notice.undo_button.click()  # the notice's Undo (Ctrl+Z does the same)
    assert not app.followups.get(row.uid).done
    qtbot.keyClick(view.view, Qt.Key.Key_Space)
    qtbot.keyClick(view.view, Qt.Key.Key_Space)  # Space again: open again
    assert not app.followups.get(row.uid).done
    assert view.undo_stack.count() == 2


def test_reschedule_with_the_date_editor_moves_it_to_its_group(
        qtbot: QtBot, app: Any, logged: Any) -> None:
    view = make_view(qtbot, app)
    row = view.model.all_rows()[0]  # overdue
    view.select_uid(row.uid)
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_F2)
    editor = next(w for w in view.view.findChildren(QDateEdit) if w.isVisible())
    assert view.view.currentIndex().column() == DUE
    later = TODAY + timedelta(days=40)
    editor.setDate(QDate(later.year, later.month, later.day))
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.followups.get(row.uid).due == later, timeout=3000)
    qtbot.waitUntil(lambda: view.model.group_key(
        view.model.index_of(row.uid).parent()) == "later", timeout=5000)


def test_reassign_gives_it_to_another_staff_member(qtbot: QtBot, app: Any,
                                                   logged: Any) -> None:
    view = make_view(qtbot, app)
    scope = view.scope_combo
    scope.setCurrentIndex(scope.findData(""))  # everyone's: it stays in the list
    with qtbot.waitSignal(view.loaded, timeout=5000):
        scope.activated.emit(scope.currentIndex())
    row = view.model.all_rows()[1]
    view.select_uid(row.uid)
    view.reassign_button.click()
    combo = next(w for w in view.view.findChildren(QComboBox) if w.isVisible())
    assert view.view.currentIndex().column() == ASSIGNEE
    combo.setCurrentIndex(combo.findData("JW"))
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.followups.get(row.uid).assignee == "JW", timeout=3000)


def test_enter_opens_the_interaction_it_came_from(qtbot: QtBot, app: Any,
                                                  logged: Any) -> None:
    view = make_view(qtbot, app)
    view.view.setFocus()
    with qtbot.waitSignal(view.record_requested) as opened:
        qtbot.keyClick(view.view, Qt.Key.Key_Return)
    assert opened.args == ["interaction", logged.uid]


def test_my_tasks_show_only_mine(qtbot: QtBot, app: Any, logged: Any) -> None:
    app.followups.reassign(logged.follow_ups[0].uid, "JW")
    view = make_view(qtbot, app)
    assert "Unterlagen nachfordern" not in row_texts(view)
    view.scope_combo.setCurrentIndex(view.scope_combo.findData("JW"))
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.scope_combo.activated.emit(view.scope_combo.currentIndex())
    assert row_texts(view) == ["Unterlagen nachfordern"]


def test_the_model_without_rows_is_valid(qtmodeltester: Any) -> None:
    qtmodeltester.check(FollowUpModel())


def test_the_start_notice_tells_what_is_overdue_quietly(
        qtbot: QtBot, app: Any, logged: Any, tmp_path: Path) -> None:
    assert overdue_message([]) is None
    window = MainWindow(app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    button = window.activity.overdue_button
    qtbot.waitUntil(button.isVisible, timeout=5000)
    assert button.text().startswith("⚠ 1 ")
    assert QApplication.activeModalWidget() is None  # a notice, not a message box
    button.click()
    assert window.section == "tasks"
    assert not button.isVisible()
    tasks = window.activity.tasks
    qtbot.waitUntil(lambda: bool(tasks.model.all_rows()), timeout=5000)
    QThreadPool.globalInstance().waitForDone(3000)
    QApplication.processEvents()
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENS / "log_tasks_section.png"))
    window.shutdown()
