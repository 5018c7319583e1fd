"""The "last contact" column of the record lists: shown per row, sorted in the query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from crm.services.listing_rows import LAST_CONTACT, MUNICIPALITIES, ORGANISATIONS, PERSONS
from crm.services.rows import OrganisationRow
from ui.list_models import SORT_ROLE, RecordTableModel, _last_contact
from ui.main_window import MainWindow
from ui.settings import WindowSettings


@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


@pytest.fixture(autouse=True)
def _window_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BRUECKE_WINDOW_STATE", str(tmp_path / "state.ini"))
    yield


def _days(model: RecordTableModel) -> list[date | None]:
    column = model.column_of(LAST_CONTACT)
    return [model.data(model.index(r, column), SORT_ROLE) for r in range(model.rowCount())]


def test_the_cell_tells_the_day_and_how_long_ago() -> None:
    row = OrganisationRow("u", "Rat", None, "council", None, False, 1,
                          last_contact=date.today() - timedelta(days=12))
    assert "12" in _last_contact(row) and _last_contact(row) != "12"
    assert _last_contact(OrganisationRow("u", "Rat", None, "council", None, False, 1)) == ""


@pytest.mark.parametrize("kind", [PERSONS, ORGANISATIONS, MUNICIPALITIES])
def test_sorted_by_last_contact_the_models_keep_the_qt_contract(
        qtmodeltester: ModelTester, demo_app: Any, kind: str) -> None:
    model = RecordTableModel(demo_app.listing, kind, page_size=50)
    column = model.column_of(LAST_CONTACT)
    assert model.column_key(column) == LAST_CONTACT and model.is_sortable(column)
    model.sort(column, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    days = _days(model)
    contacted = [d for d in days if d is not None]
    assert contacted and contacted == sorted(contacted, reverse=True)
    assert days[: len(contacted)] == contacted


@pytest.mark.parametrize("kind", [PERSONS, ORGANISATIONS, MUNICIPALITIES])
def test_clicking_the_last_contact_header_re_sorts(qtbot: QtBot, demo_app: Any,
                                                   tmp_path: Path, kind: str) -> None:
    window = MainWindow(demo_app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(window)
    window.resize(1800, 900)
    window.show()
    window.show_section(kind)
    browser = window.browsers[kind]
    qtbot.waitExposed(browser.view)
    model = browser.model
    column = model.column_of(LAST_CONTACT)
    header = browser.view.horizontalHeader()
    browser.view.scrollTo(model.index(0, column))
    header.setSectionHidden(column, False)
    for _click in range(2):
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        with qtbot.waitSignal(model.modelReset):
            qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                             pos=QPoint(x, header.height() // 2))
        assert model.sort_order.column == LAST_CONTACT
        contacted = [d for d in _days(model) if d is not None]
        assert contacted == sorted(contacted, reverse=model.sort_order.descending)
        first = _days(model)[0]
        assert (first is not None) if model.sort_order.descending else (
            first is None or first == min(contacted))
    window.shutdown()
