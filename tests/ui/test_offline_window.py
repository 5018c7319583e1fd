"""The window on the offline copy (ui.offline, issue 10): the server stops mid-session, the
window opens the copy and says so, the quick log queues an entry, and the entry is sent
once the server is back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from crm.offline import build_snapshot, open_with_offline_fallback
from crm.services.listing_rows import PERSONS
from ui.app import set_application_language
from ui.main_window import MainWindow
from ui.offline import install_offline_mode
from ui.quick_log import QuickLogDialog
from ui.settings import WindowSettings

SCREENS = Path("/tmp/screens")


def test_offline_window_queues_the_quick_log_and_sends_it_when_the_server_is_back(
        qtbot: QtBot, tmp_path: Path, pg_cluster: Any, pg_url: str) -> None:
    set_application_language("de")  # the window's date format, as in the app
    online = open_with_offline_fallback(pg_url, staff="AB")
    person = online.people.save(None, {"full_name": "Olena Shevchenko"})
    build_snapshot(online)
    online.close()

    pg_cluster.pause()
    resumed = False
    app = open_with_offline_fallback(pg_url, staff="AB")
    try:
        assert app.offline is not None
        window = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
        qtbot.addWidget(window)
        mode = install_offline_mode(window, interval=0.3)
        assert mode is not None
        window.resize(1200, 700)
        window.show()
        qtbot.waitExposed(window)
        assert "Offline-Kopie vom" in window.windowTitle()
        assert "nur lesen, Einträge werden später gesendet" in mode.label.text()
        assert not window.actions_.new_person.isEnabled()
        assert window.activity.quick_log_action.isEnabled()
        browser = window.browsers[PERSONS]
        browser.ensure_loaded()
        assert browser.model.row_of(person.uid) >= 0  # the directory is there

        dialog = QuickLogDialog(app, ("person", person.uid))
        qtbot.addWidget(dialog)
        dialog.subject_edit.setText("Anruf unterwegs")
        dialog.save()
        assert dialog.saved_result is not None
        qtbot.waitUntil(lambda: "1 Eintrag wartet" in mode.label.text(), timeout=5000)
        SCREENS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SCREENS / "offline.png"))

        with qtbot.waitSignal(mode.sent, timeout=30000) as sent:
            pg_cluster.resume()
            resumed = True
        assert sent.args[0].sent == [dialog.saved_result.uid]
        assert "1 Eintrag wurde gesendet" in window.statusBar().currentMessage()
        mode.stop()
        window.shutdown()
    finally:
        if not resumed:
            pg_cluster.resume()
        app.close()
    check = open_with_offline_fallback(pg_url, staff="AB")
    try:
        stored = check.interactions.get(dialog.saved_result.uid)
        assert stored.subject == "Anruf unterwegs"
        assert [p.person.uid for p in stored.participants] == [person.uid]
    finally:
        check.close()


def test_offline_tasks_page_queues_a_new_follow_up_and_sends_it(
        qtbot: QtBot, tmp_path: Path, pg_cluster: Any, pg_url: str,
        monkeypatch: Any) -> None:
    from ui.follow_up_dialog import NewFollowUpDialog

    set_application_language("de")
    online = open_with_offline_fallback(pg_url, staff="AB")
    build_snapshot(online)
    online.close()

    pg_cluster.pause()
    resumed = False
    app = open_with_offline_fallback(pg_url, staff="AB")
    try:
        assert app.offline is not None
        window = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
        qtbot.addWidget(window)
        mode = install_offline_mode(window, interval=0.3)
        assert mode is not None
        window.show()
        qtbot.waitExposed(window)
        tasks = window.activity.tasks
        assert tasks.new_button.isEnabled()
        for button in (tasks.done_button, tasks.reschedule_button, tasks.reassign_button):
            assert not button.isEnabled()
            assert "offline" in button.toolTip().lower()

        def fill_and_save(dialog: NewFollowUpDialog) -> int:
            dialog.due_edit.setText("morgen")
            dialog.text_edit.setText("Unterlagen nachreichen")
            dialog.save()
            return int(dialog.result())

        monkeypatch.setattr(NewFollowUpDialog, "exec", fill_and_save)
        messages: list[str] = []
        tasks.status_message.connect(messages.append)
        tasks.new_button.click()
        assert app.offline.pending() == 1
        (entry,) = app.offline.outbox.entries()
        assert entry.kind == "follow_up" and entry.data.text == "Unterlagen nachreichen"
        assert messages and "gesendet" in messages[-1]
        qtbot.waitUntil(lambda: "1 Eintrag wartet" in mode.label.text(), timeout=5000)

        with qtbot.waitSignal(mode.sent, timeout=30000) as sent:
            pg_cluster.resume()
            resumed = True
        assert sent.args[0].sent == [entry.uid]
        mode.stop()
        window.shutdown()
    finally:
        if not resumed:
            pg_cluster.resume()
        app.close()
    check = open_with_offline_fallback(pg_url, staff="AB")
    try:
        stored = check.followups.get(entry.uid)
        assert (stored.text, stored.assignee, stored.done) == (
            "Unterlagen nachreichen", "AB", False)
    finally:
        check.close()
