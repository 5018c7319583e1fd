"""Del on an archived person or organisation restores it: the archive action says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from crm.i18n import _
from crm.services.listing_rows import ORGANISATIONS, PERSONS, ListFilter
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from ui.app import connect_editing
from ui.main_window import MainWindow
from ui.settings import WindowSettings


@pytest.fixture
def window(app: Any, qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    main = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    connect_editing(main, app)
    yield main
    main.shutdown()


def _show(qtbot: QtBot, window: MainWindow, section: str, kind: str, uid: str,
          archived: bool) -> None:
    browser = window.browsers[section]
    window.show_section(section)
    browser.apply_filter(ListFilter(archived=archived))
    with qtbot.waitSignal(browser.detail.detail_shown, timeout=5000):
        window.open_record(kind, uid)


def test_an_archived_person_is_restored(qtbot: QtBot, window: MainWindow, app: Any) -> None:
    uid = app.people.create(PersonInput(full_name="Erika Musterfrau")).uid
    app.people.archive(uid)
    _show(qtbot, window, PERSONS, "person", uid, archived=True)
    assert window.current_record_archived()
    assert window.archive_action.isEnabled()
    assert window.archive_action.text() == _("&Restore")
    window.archive_action.trigger()
    assert not app.people.get(uid).archived
    window.undo_action.trigger()  # one undoable step
    assert app.people.get(uid).archived


def test_an_active_person_is_archived(qtbot: QtBot, window: MainWindow, app: Any) -> None:
    uid = app.people.create(PersonInput(full_name="Erika Musterfrau")).uid
    _show(qtbot, window, PERSONS, "person", uid, archived=False)
    assert not window.current_record_archived()
    assert window.archive_action.text() == _("&Archive …")
    window.archive_action.trigger()
    assert app.people.get(uid).archived


def test_an_archived_organisation_is_restored(qtbot: QtBot, window: MainWindow,
                                              app: Any) -> None:
    uid = app.organisations.create(OrganisationInput(name="Verein Brücke", kind="member")).uid
    app.organisations.archive(uid)
    _show(qtbot, window, ORGANISATIONS, "organisation", uid, archived=True)
    assert window.archive_action.text() == _("&Restore")
    window.archive_action.trigger()
    assert not app.organisations.get(uid).archived
