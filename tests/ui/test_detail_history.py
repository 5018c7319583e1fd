"""Detail panes show the latest interactions, with a link to the whole history in Verlauf."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from crm.services.listing_rows import ORGANISATIONS, PERSONS
from ui.detail.pane import history_link
from ui.main_window import MainWindow
from ui.settings import WindowSettings


@pytest.fixture
def window(app: Any, qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    main = MainWindow(app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.shutdown()


def _busiest(app: Any, kind: str) -> str:
    """The uid of the person or organisation taking part in the most interactions."""
    counts: dict[str, int] = {}
    for entry in app.interactions.timeline(limit=5000):
        for participant in entry.participants:
            ref = participant.person if kind == "person" else participant.organisation
            if ref is not None:
                counts[ref.uid] = counts.get(ref.uid, 0) + 1
    return max(counts, key=counts.__getitem__)


def test_the_person_pane_shows_the_newest_interaction(qtbot: QtBot, window: MainWindow,
                                                     app: Any) -> None:
    uid = _busiest(app, "person")
    newest = app.interactions.timeline(person=uid, limit=1)[0]
    persons = window.browsers[PERSONS]
    with qtbot.waitSignal(persons.detail.detail_shown, timeout=5000):
        window.open_record("person", uid)
    assert persons.detail.current_record() == ("person", uid)
    assert newest.subject in persons.detail.toPlainText()
    assert history_link("person", uid) in persons.detail.toHtml()


def test_the_organisation_pane_shows_its_history(qtbot: QtBot, window: MainWindow,
                                                 app: Any) -> None:
    uid = _busiest(app, "organisation")
    newest = app.interactions.timeline(organisation=uid, limit=1)[0]
    organisations = window.browsers[ORGANISATIONS]
    with qtbot.waitSignal(organisations.detail.detail_shown, timeout=5000):
        window.open_record("organisation", uid)
    assert newest.subject in organisations.detail.toPlainText()
    assert history_link("organisation", uid) in organisations.detail.toHtml()


def test_show_all_opens_the_record_history(qtbot: QtBot, window: MainWindow,
                                          app: Any) -> None:
    uid = _busiest(app, "person")
    persons = window.browsers[PERSONS]
    with qtbot.waitSignal(persons.detail.detail_shown, timeout=5000):
        window.open_record("person", uid)
    persons.detail.anchorClicked.emit(QUrl(history_link("person", uid)))
    assert window.section == "history"
    scope = window.activity.history._scope
    assert scope is not None and scope[:2] == ("person", uid)
