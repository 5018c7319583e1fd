"""The window on the offline copy (ui.offline, issue 10): the server stops mid-session, the
window opens the copy and says so, the quick log queues an entry, and the entry is sent
once the server is back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class OfflineSession:
    app: Any
    window: MainWindow
    mode: Any
    prepared: Any
    resumed: bool = False


@contextmanager
def offline_window(qtbot: QtBot, tmp_path: Path, pg_cluster: Any, pg_url: str,
                   prepare: Callable[[Any], Any] = lambda app: None
                   ) -> Iterator[OfflineSession]:
    """Online: ``prepare`` the data and build the offline copy; then the server stops and
    the window opens on the copy (German, shown). The server is always started again."""
    set_application_language("de")  # the window's date format, as in the app
    online = open_with_offline_fallback(pg_url, staff="AB")
    prepared = prepare(online)
    build_snapshot(online)
    online.close()

    pg_cluster.pause()
    app = open_with_offline_fallback(pg_url, staff="AB")
    session: OfflineSession | None = None
    try:
        assert app.offline is not None
        window = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
        qtbot.addWidget(window)
        mode = install_offline_mode(window, interval=0.3)
        assert mode is not None
        window.resize(1200, 700)
        window.show()
        qtbot.waitExposed(window)
        session = OfflineSession(app, window, mode, prepared)
        yield session
        mode.stop()
        window.shutdown()
    finally:
        if session is None or not session.resumed:
            pg_cluster.resume()
        app.close()


def test_offline_window_queues_the_quick_log_and_sends_it_when_the_server_is_back(
        qtbot: QtBot, tmp_path: Path, pg_cluster: Any, pg_url: str) -> None:
    def add_person(online: Any) -> Any:
        return online.people.save(None, {"full_name": "Olena Shevchenko"})

    with offline_window(qtbot, tmp_path, pg_cluster, pg_url, add_person) as session:
        app, window, mode, person = session.app, session.window, session.mode, session.prepared
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
            session.resumed = True
        assert sent.args[0].sent == [dialog.saved_result.uid]
        assert "1 Eintrag wurde gesendet" in window.statusBar().currentMessage()
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

    with offline_window(qtbot, tmp_path, pg_cluster, pg_url) as session:
        app, window, mode = session.app, session.window, session.mode
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
            session.resumed = True
        assert sent.args[0].sent == [entry.uid]
    check = open_with_offline_fallback(pg_url, staff="AB")
    try:
        stored = check.followups.get(entry.uid)
        assert (stored.text, stored.assignee, stored.done) == (
            "Unterlagen nachreichen", "AB", False)
    finally:
        check.close()
