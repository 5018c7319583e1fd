"""Changes by others appear in the open window without restarting (ui.changes, issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from crm.app import open_app
from crm.services.listing_rows import PERSONS
from ui.changes import install_change_watcher, select_uids
from ui.main_window import MainWindow
from ui.settings import WindowSettings

WAIT_MS = 15000


def _window(qtbot: QtBot, app: Any, tmp_path: Path) -> MainWindow:
    window = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _names(browser: Any) -> list[str]:
    model = browser.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def _selected(browser: Any) -> list[str]:
    return [r.uid for r in browser.selected_rows()]


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_a_person_added_elsewhere_appears_and_the_selection_stays(
        qtbot: QtBot, tmp_path: Path, engine: str, request: pytest.FixtureRequest) -> None:
    target = (request.getfixturevalue("pg_url") if engine == "postgresql"
              else request.getfixturevalue("db_target"))
    app, other = open_app(target, staff="AB"), open_app(target, staff="CD")
    try:
        first = app.people.save(None, {"full_name": "Anna Schmidt"})
        second = app.people.save(None, {"full_name": "Bilal Nguyen"})
        window = _window(qtbot, app, tmp_path)
        refresher = install_change_watcher(window, interval=0.1)
        assert refresher.watcher.listener.ready.wait(15)
        browser = window.browsers[PERSONS]
        browser.ensure_loaded()
        select_uids(browser, [first.uid, second.uid])
        assert sorted(_selected(browser)) == sorted([first.uid, second.uid])

        added = other.people.save(None, {"full_name": "Aaron Abel"})  # sorts first
        qtbot.waitUntil(lambda: "Aaron Abel" in _names(browser), timeout=WAIT_MS)
        assert browser.model.row_of(added.uid) >= 0
        assert sorted(_selected(browser)) == sorted([first.uid, second.uid])

        other.people.update(second.uid, {"full_name": "Bilal Nguyễn"})
        qtbot.waitUntil(lambda: "Bilal Nguyễn" in _names(browser), timeout=WAIT_MS)
        assert sorted(_selected(browser)) == sorted([first.uid, second.uid])
        refresher.watcher.stop()
        window.shutdown()
    finally:
        app.close()
        other.close()
