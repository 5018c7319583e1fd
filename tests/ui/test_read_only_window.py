"""A second window on the same database opens it read-only, and read-only is real: every
action that changes data is disabled (and stays so), keyboard shortcuts and the pages'
buttons change nothing, the services refuse writes with a clear message, and the title and
status bar say "schreibgeschützt"."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from crm import lockfile
from crm.errors import DatabaseError
from crm.i18n import set_language
from crm.messages import error_message
from crm.services.activity_rows import FollowUpInput, LogInput
from crm.services.people import PersonInput
from ui import privacy as privacy_ui
from ui.main_window import MainWindow
from ui.privacy.consent_view import ConsentView
from ui.settings import WindowSettings

SCREENS = Path("/tmp/screens")
Ctrl = Qt.KeyboardModifier.ControlModifier



@pytest.fixture
def data(app: Any) -> dict[str, Any]:
    person = app.people.create(PersonInput(full_name="Wojciech Wróbel"))
    logged = app.interactions.log(LogInput(
        kind="call", subject="Förderantrag Polnischer Verein", participants=[person.uid],
        occurred_at=(date.today() - timedelta(days=3)).isoformat(),
        follow_ups=[FollowUpInput(date.today(), "Rückruf")]))
    return {"person": person.uid, "interaction": logged.uid}


def _snapshot(path: Path) -> tuple[Any, ...]:
    """What the database holds (read through a separate connection)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%' "
            "AND name NOT LIKE 'search_%' ORDER BY name")]
        return tuple(conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                     for table in tables)


@pytest.fixture
def window(app: Any, data: dict[str, Any], qtbot: QtBot, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    assert app.db.path is not None  # the lock file belongs to a database file (SQLite)
    app.prefs.backup_folder = str(tmp_path / "backups")
    win = MainWindow(app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(win)
    lock = lockfile.lock_path(app.db.path)  # the first window, still running
    lock.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    session = privacy_ui.start(win, app)
    assert session is not None and session.read_only
    win.resize(1200, 720)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    yield win
    privacy_ui.stop(win, app, session)
    assert lock.exists()  # the other window's lock stays
    win.shutdown()


def _write_actions(window: MainWindow) -> dict[str, Any]:
    return {
        "new person": window.new_person_action, "new org": window.new_organisation_action,
        "edit": window.edit_action, "archive": window.archive_action,
        "undo": window.undo_action, "redo": window.redo_action,
        "save list": window.actions_.save_list, "demo": window.actions_.load_demo,
        "import": window.import_action, "merge": window.duplicates_action,
        "quick log": window.activity.quick_log_action,
        "log record": window.activity.log_record_action,
        "erase": window.privacy_menu.erase, "retention": window.privacy_menu.retention,
    }


def test_the_read_only_window_disables_every_change(qtbot: QtBot, app: Any,
                                                    data: dict[str, Any],
                                                    window: MainWindow) -> None:
    before = _snapshot(app.db.path)
    assert "schreibgeschützt" in window.windowTitle()
    assert window.read_only_label.isVisible()
    assert window.read_only_label.text() == "Schreibgeschützt"
    # A person shown: edit, archive and "log with this record" would now be enabled.
    window.open_record("person", data["person"])
    qtbot.waitUntil(lambda: window.current_record() == ("person", data["person"]))
    detail = window.current_browser().detail
    qtbot.waitUntil(lambda: detail.current_record() == ("person", data["person"]),
                    timeout=5000)
    window.update_actions()
    window.activity.update_enabled()
    enabled = [name for name, action in _write_actions(window).items() if action.isEnabled()]
    assert enabled == []
    # Reading stays possible.
    for action in (window.search_action, window.export_action, window.privacy_menu.export,
                   window.privacy_menu.audit, window.privacy_menu.check):
        assert action.isEnabled()

    # Ctrl+L (and Ctrl+Shift+L, F2, Delete) do nothing.
    for key, modifier in ((Qt.Key.Key_L, Ctrl),
                          (Qt.Key.Key_L, Ctrl | Qt.KeyboardModifier.ShiftModifier),
                          (Qt.Key.Key_F2, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)):
        qtbot.keyClick(window, key, modifier)
    qtbot.wait(100)
    assert window.activity.dialog is None
    assert QApplication.activeModalWidget() is None
    assert _snapshot(app.db.path) == before
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENS / "privacy_read_only_window.png"))


def test_page_buttons_stay_disabled_and_shortcuts_are_refused(qtbot: QtBot, app: Any,
                                                              window: MainWindow) -> None:
    before = _snapshot(app.db.path)
    window.show_section("tasks")
    tasks = window.activity.tasks
    qtbot.waitUntil(lambda: bool(tasks.model.all_rows()), timeout=5000)
    row = tasks.model.all_rows()[0]
    tasks.select_uid(row.uid)  # selecting a task enables its buttons in a writable window
    for button in (tasks.done_button, tasks.reschedule_button, tasks.reassign_button):
        assert not button.isEnabled()
    assert tasks.open_button.isEnabled()  # opening is reading
    tasks.view.setFocus()
    qtbot.keyClick(tasks.view, Qt.Key.Key_Space)  # "done" by keyboard: refused, told
    assert not app.followups.get(row.uid).done
    assert "schreibgeschützt" in tasks.notice.label.text()
    window.show_section("events")
    events = window.activity.events
    assert not events.new_button.isEnabled() and not events.edit_button.isEnabled()
    window.show_section("history")
    history = window.activity.history
    qtbot.waitUntil(lambda: history.timeline.model.rowCount() > 0, timeout=5000)
    history.timeline.view.selectRow(0)
    assert not history.edit_button.isEnabled() and not history.delete_button.isEnabled()
    assert _snapshot(app.db.path) == before


def test_the_consents_of_a_person_can_be_read_not_changed(app: Any, data: dict[str, Any],
                                                          window: MainWindow,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    states: list[tuple[bool, bool, bool, int]] = []

    def look(view: ConsentView) -> int:
        view.table.selectRow(0)
        states.append((view.add_button.isEnabled(), view.withdraw_button.isEnabled(),
                       view.delete_button.isEnabled(), view.model.rowCount()))
        return 0

    monkeypatch.setattr(ConsentView, "exec", look)
    window.open_record("consents", data["person"])  # the person pane's link
    assert states == [(False, False, False, 0)]


def test_the_services_refuse_writes_with_a_clear_message(app: Any, data: dict[str, Any],
                                                         window: MainWindow) -> None:
    before = _snapshot(app.db.path)
    attempts = (
        lambda: app.people.create(PersonInput(full_name="Neu")),
        lambda: app.people.archive(data["person"]),
        lambda: app.privacy.add_consent(data["person"], "newsletter", None, "form", ""),
        lambda: app.privacy.erase(data["person"], set()),
        lambda: app.interactions.log(LogInput(kind="call", subject="x",
                                              participants=[data["person"]])),
    )
    for attempt in attempts:
        with pytest.raises(DatabaseError) as refused:
            attempt()
        assert refused.value.code == "opened_read_only"
    set_language("en")
    assert "read-only" in error_message(refused.value)
    assert "another Brücke window" in error_message(refused.value)
    set_language("de")
    assert "schreibgeschützt" in error_message(refused.value)
    # Under the services, SQLite itself refuses too (PRAGMA query_only).
    with pytest.raises(OperationalError, match="readonly"), \
            app.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM person"))
    assert _snapshot(app.db.path) == before


def test_a_refused_write_below_the_check_reads_as_this_windows_read_only(app: Any) -> None:
    from crm.services.base import _operational

    app.set_read_only()
    try:
        with app.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM person"))
    except OperationalError as exc:
        assert _operational(exc, "x.db", True).code == "opened_read_only"
        assert _operational(exc, "x.db").code == "read_only"
    else:
        pytest.fail("the write was not refused")


