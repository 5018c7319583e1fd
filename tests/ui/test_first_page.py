"""The window paints a first page read without the ORM, then the app opens (issue 9).

crm.first_page reads the persons list's first page with sqlite3; these tests prove it is
what ListingService answers, that the starts it cannot serve take the normal path, and that
the window painted from it becomes the ordinary window once the app has opened.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from crm.first_page import FirstPage, read_first_page
from crm.services.listing_rows import PERSONS, ListFilter, Sort
from ui.main_window import MainWindow
from ui.pending_app import PendingApp
from ui.settings import WindowSettings

Ctrl = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    app.listing.save_list("Vorstand", PERSONS, ListFilter(query="a"))
    return app



def _page(app: Any) -> FirstPage:
    page = read_first_page(str(app.db.path))
    assert page is not None
    return page


# -- the first page is the listing service's ------------------------------------------------

def test_the_first_page_is_what_the_listing_service_answers(demo_app: Any) -> None:
    page = _page(demo_app)
    listing = demo_app.listing
    assert page.total == listing.count(PERSONS, ListFilter()) > 200
    assert page.rows == listing.page(PERSONS, ListFilter(), Sort(), 0, 200)
    assert any(r.last_contact for r in page.rows) and any(r.phone for r in page.rows)
    assert any(r.organisation for r in page.rows)
    assert page.counts == listing.counts()
    assert page.lists == listing.lists() and page.lists
    assert page.tags == listing.tags()
    assert page.districts == demo_app.municipalities.districts()


def test_starts_it_cannot_serve_take_the_normal_path(demo_app: Any, tmp_path: Path) -> None:
    path = Path(demo_app.db.path)
    assert read_first_page("postgresql://server/bruecke") is None
    assert read_first_page(str(tmp_path / "missing.db")) is None
    foreign = tmp_path / "encrypted.db"
    foreign.write_bytes(b"\x8a" * 4096)  # no SQLite header: perhaps encrypted
    assert read_first_page(str(foreign)) is None
    lock = Path(f"{path}.lock")
    lock.write_text("{}", encoding="utf-8")  # another window holds it: the read-only offer
    assert read_first_page(str(path)) is None
    lock.unlink()
    old = tmp_path / "old.db"
    shutil.copyfile(path, old)
    conn = sqlite3.connect(old)
    conn.execute("UPDATE alembic_version SET version_num = '0001'")  # to be migrated
    conn.commit()
    conn.close()
    assert read_first_page(str(old)) is None
    empty = tmp_path / "new.db"
    sqlite3.connect(empty).close()
    assert read_first_page(str(empty)) is None
    assert read_first_page(str(path)) is not None


# -- the window painted from it ---------------------------------------------------------------

@pytest.fixture
def preloaded(qtbot: QtBot, demo_app: Any, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    opened: list[Any] = []

    def opener() -> Any:
        opened.append(demo_app)
        return demo_app

    pending = PendingApp(_page(demo_app), opener)
    window = MainWindow(pending, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(window)
    from ui.app import connect_editing

    connect_editing(window, pending)
    pending.on_open(lambda app: window.app_opened())
    window.show()
    qtbot.waitExposed(window)
    yield window, opened
    window.shutdown()


def test_the_preloaded_window_shows_the_rows_of_the_opened_one(
        qtbot: QtBot, preloaded: tuple[Any, Any], demo_app: Any) -> None:
    window, opened = preloaded
    browser = window.browsers[PERSONS]
    assert not opened  # painted without the app
    shown = [browser.model.row_at(i) for i in range(browser.model.rowCount())]
    assert shown == demo_app.listing.page(PERSONS, ListFilter(), Sort(), 0, 200)
    browser.view.selectRow(3)
    browser.view.verticalScrollBar().setValue(5)
    selected = browser.selected_rows()
    window.app.ensure()
    assert opened == [demo_app]
    assert browser.selected_rows() == selected  # kept: the same rows, no reset
    assert browser.view.verticalScrollBar().value() == 5
    assert [browser.model.row_at(i) for i in range(browser.model.rowCount())] == shown
    assert "TS" in window.staff_label.text()


def test_the_preloaded_window_becomes_fully_functional(
        qtbot: QtBot, preloaded: tuple[Any, Any], demo_app: Any) -> None:
    window, opened = preloaded
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_L, Ctrl)  # before the app opened: it opens first
    qtbot.waitUntil(lambda: window.activity.dialog is not None)
    assert opened == [demo_app]
    window.activity.dialog.reject()
    hits = window.app.search.search("Haddad")
    assert hits == demo_app.search.search("Haddad")


def test_a_search_typed_before_the_app_opened_waits_for_it(
        qtbot: QtBot, preloaded: tuple[Any, Any], demo_app: Any) -> None:
    window, opened = preloaded
    box = window.search_box
    box.setFocus()
    qtbot.keyClicks(box, "Haddad")
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert box.text() == "Haddad"  # nothing typed was lost
    qtbot.waitUntil(lambda: not box._timer.isActive())
    box._runner.wait()  # the search finishes with the opened app
    qtbot.wait(50)


def test_run_paints_the_first_page_then_opens_the_app(
        qtbot: QtBot, demo_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.app
    from crm.config import Preferences, save_preferences

    save_preferences(Preferences(staff_initials="TS"))
    monkeypatch.setattr(demo_app, "close", lambda: None)  # the fixture closes it
    page = _page(demo_app)
    seen: dict[str, Any] = {}

    def opener(initials: str | None, name: str | None) -> Any:
        window = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, QMainWindow) and w.isVisible())
        seen["rows_before_open"] = window.browsers[PERSONS].model.rowCount()
        QTimer.singleShot(0, lambda: check(window))
        return demo_app

    def check(window: Any) -> None:
        seen["app"] = window.app
        seen["rows"] = [window.browsers[PERSONS].model.row_at(i) for i in range(3)]
        window.close()

    assert ui.app.run(opener, None, [], first_page=lambda prefs: page) == 0
    assert seen["rows_before_open"] == len(page.rows)
    assert seen["app"] is demo_app
    assert seen["rows"] == page.rows[:3]
    assert not Path(f"{demo_app.db.path}.lock").exists()  # taken after the paint, released


def test_run_tells_when_the_app_does_not_open_after_the_paint(
        qtbot: QtBot, demo_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.app
    from crm.config import Preferences, save_preferences
    from crm.errors import DatabaseError
    from ui.app import QMessageBox

    save_preferences(Preferences(staff_initials="TS"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))

    def opener(initials: str | None, name: str | None) -> Any:
        raise DatabaseError("not_sqlite", "/tmp/x.db")

    page = _page(demo_app)
    assert ui.app.run(opener, None, [], first_page=lambda prefs: page) == 1
    assert shown and "/tmp/x.db" in shown[0]


def test_the_window_loads_no_dialog_or_activity_page_before_it_is_used() -> None:
    """What the first paint needs is imported at start; the quick log, the editing dialogs
    and the activity pages (and their rows) only when first used (bench: start-up)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import ui.app, ui.main_window, ui.editing, ui.activity_wiring, ui.detail.pane\n"
        "ui.activity_wiring.overdue_message([])  # (the start-up notice, before the paint)\n"
        "later = ('ui.quick_log', 'ui.participant_field', 'ui.history_view', 'ui.tasks_view',"
        " 'ui.events_view', 'ui.dialogs.base', 'ui.dialogs.person_dialog',"
        " 'crm.services.activity_rows', 'phonenumbers', 'sqlalchemy')\n"
        "print(','.join(m for m in later if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=root, check=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.stdout.strip() == ""
