"""The person pane shows the person's consents (Einwilligungen), withdrawn ones marked, with
a link to the consent view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from crm.services.listing_rows import PERSONS
from crm.services.people import PersonInput
from ui.detail.person import consents_html, consents_link
from ui.main_window import MainWindow
from ui.privacy import consent_view
from ui.settings import WindowSettings

SCREENS = Path("/tmp/screens")



@pytest.fixture
def window(app: Any, qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    main = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.shutdown()


def _show(qtbot: QtBot, window: MainWindow, uid: str) -> Any:
    persons = window.browsers[PERSONS]
    with qtbot.waitSignal(persons.detail.detail_shown, timeout=5000):
        window.open_record("person", uid)
    return persons.detail


def test_the_person_pane_shows_consents_and_marks_withdrawn_ones(
        qtbot: QtBot, window: MainWindow, app: Any) -> None:
    uid = app.people.create(PersonInput(full_name="Ayşe Yılmaz", given_name="Ayşe",
                                        family_name="Yılmaz")).uid
    app.privacy.add_consent(uid, "newsletter", "2023-03-01", "form")
    photos = app.privacy.add_consent(uid, "event-photos", "2023-03-01", "verbal")
    app.privacy.withdraw(photos.uid, "2024-02-15")
    detail = _show(qtbot, window, uid)
    text = detail.toPlainText()
    assert "Einwilligungen" in text
    assert "Newsletter" in text and "Formular" in text and "01.03.2023" in text
    assert "Veranstaltungsfotos" in text
    assert "widerrufen am 15.02.2024" in text
    assert "Keine Einwilligungen erfasst" not in text
    assert consents_link(uid) in detail.toHtml()
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENS / "person_consents.png"))


def test_a_person_without_consents_says_so(qtbot: QtBot, window: MainWindow,
                                           app: Any) -> None:
    uid = app.people.create(PersonInput(full_name="Bilal Nguyễn")).uid
    assert "Keine Einwilligungen erfasst" in _show(qtbot, window, uid).toPlainText()


def test_the_link_opens_the_consent_view_and_shows_changes(
        qtbot: QtBot, window: MainWindow, app: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    uid = app.people.create(PersonInput(full_name="Bilal Nguyễn")).uid
    detail = _show(qtbot, window, uid)
    opened: list[tuple[str, str]] = []

    def fake_exec(view: Any) -> int:
        opened.append((view.person_uid, view.person_name))
        app.privacy.add_consent(uid, "mailings", "2025-01-10", "email")
        return 0

    monkeypatch.setattr(consent_view.ConsentView, "exec", fake_exec)
    with qtbot.waitSignal(detail.detail_shown, timeout=5000):
        detail.anchorClicked.emit(QUrl(consents_link(uid)))
    assert opened == [(uid, "Bilal Nguyễn")]
    assert window.section == PERSONS
    assert "Keine Einwilligungen erfasst" not in detail.toPlainText()


def test_consent_values_are_escaped() -> None:
    class Row:
        purpose = '<img src=x onerror="alert(1)">'
        source = "<b>"
        given_on = None
        withdrawn_on = None

    html = consents_html('"><script>', [Row()])
    assert "<img" not in html and "&lt;img" in html and "&lt;b&gt;" in html
    assert "<script>" not in html
