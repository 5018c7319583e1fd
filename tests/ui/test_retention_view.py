"""Datenschutz › Aufbewahrung prüfen: stale persons listed, archived in bulk."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from crm.errors import NotFoundError
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from ui.privacy.retention_view import NAME, RetentionView


def _backdate(app: Any, uid: str) -> None:
    """Recorded long ago (the services always stamp ``now``)."""
    conn = sqlite3.connect(app.db.path)
    with conn:
        conn.execute("UPDATE person SET created_at = '2012-03-01 09:00:00.000000' "
                     "WHERE uid = ?", (uid,))
    conn.close()


@pytest.fixture
def persons(app: Any) -> dict[str, str]:
    org = app.organisations.create(OrganisationInput(name="Migrationsbeirat Jena",
                                                     kind="council")).uid
    old = app.people.create(PersonInput(full_name="Olga Altmann")).uid
    recent = app.people.create(PersonInput(full_name="Rana Neumann")).uid
    app.roles.add(recent, org, "Vorsitzende", since="2012-01-01")  # still running
    _backdate(app, old)
    _backdate(app, recent)
    return {"old": old, "recent": recent}


def test_stale_persons_are_listed_and_archived(qtbot: QtBot, app: Any,
                                               persons: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    view = RetentionView(app.privacy)
    qtbot.addWidget(view)
    assert view.windowTitle() == "Aufbewahrung prüfen"
    assert view.years.value() == app.privacy.prefs.retention_years
    assert persons["old"] in view.uids()
    assert persons["recent"] not in view.uids()
    row = view.uids().index(persons["old"])
    item = view.items()[row]
    assert item.text(NAME) == "Olga Altmann"
    assert item.text(2)  # the reason
    assert not view.archive_button.isEnabled()  # nothing ticked yet

    item.setCheckState(NAME, Qt.CheckState.Checked)
    assert view.checked_uids() == [persons["old"]]
    assert view.archive_button.isEnabled() and view.erase_button.isEnabled()
    asked: list[str] = []

    def yes(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    qtbot.mouseClick(view.archive_button, Qt.MouseButton.LeftButton)

    assert asked and "1" in asked[0]
    assert app.people.get(persons["old"]).archived
    assert not app.people.get(persons["recent"]).archived
    assert "archiviert" in view.status.text()


def test_the_privacy_menu_offers_the_review(qtbot: QtBot, app: Any) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(app)
    qtbot.addWidget(window)
    menu = window.privacy_menu
    assert menu.retention in menu.menu.actions()
    assert menu.retention.text() == "Auf&bewahrung prüfen …"


def test_bulk_erasure_names_the_count_and_runs_off_the_gui_thread(
        qtbot: QtBot, app: Any, persons: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    view = RetentionView(app.privacy)
    qtbot.addWidget(view)
    view.set_checked([persons["old"]])
    shown: list[str] = []

    def confirm(box: QMessageBox) -> int:
        shown.append(" ".join([box.text(), box.informativeText()]))
        erase = next(b for b in box.buttons()
                     if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
        erase.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", confirm)
    view.erase()
    assert "1 Person endgültig löschen" in shown[0]
    assert "nicht rückgängig" in shown[0]
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=20000)
    assert persons["old"] not in view.uids()
    with pytest.raises(NotFoundError):
        app.people.get(persons["old"])
    assert app.people.get(persons["recent"]).name == "Rana Neumann"
    assert "gelöscht" in view.status.text()
