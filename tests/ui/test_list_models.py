"""The record lists: paged fetching, sorting and filtering in the query, model contracts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from crm.domain import Person
from crm.search.normalize import sort_key
from crm.services.listing_rows import MUNICIPALITIES, ORGANISATIONS, PERSONS, ListFilter
from ui.list_models import SORT_ROLE, UID_ROLE, RecordTableModel
from ui.main_window import MainWindow
from ui.settings import WindowSettings

PAGE = 200


def insert_persons(app: Any, count: int) -> None:
    """Bulk-insert ``count`` persons with SQLAlchemy Core: seconds even for 100,000."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"uid": f"00000000-0000-4000-8000-{i:012d}", "full_name": f"Person {i:05d}",
         "family_name": f"Person {i:05d}", "salutation": "none", "languages": "",
         "notes": "", "sort_key": sort_key(f"Person {i:05d} Person {i:05d}"),
         "created_at": now, "updated_at": now, "version": 1}
        for i in range(count)
    ]
    with app.db.sessions.begin() as session:
        session.execute(insert(Person.__table__), rows)


@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


@pytest.fixture
def big_app(app: Any) -> Any:
    insert_persons(app, 20_000)
    return app


class CountingListing:
    """The real listing service, counting the pages asked for."""

    def __init__(self, listing: Any) -> None:
        self._listing = listing
        self.pages: list[tuple[str, int, int]] = []

    def page(self, kind: str, flt: ListFilter, sort: Any, offset: int, limit: int) -> list[Any]:
        self.pages.append((kind, offset, limit))
        return self._listing.page(kind, flt, sort, offset, limit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listing, name)


@pytest.mark.parametrize("kind", [PERSONS, ORGANISATIONS, MUNICIPALITIES])
def test_models_keep_the_qt_model_contract(qtmodeltester: ModelTester, demo_app: Any,
                                           kind: str) -> None:
    model = RecordTableModel(demo_app.listing, kind, page_size=50)
    qtmodeltester.check(model)
    model.fetchMore()  # observed by the tester: rows appended at the end
    # (The C++ tester itself fetches while it handles a reset, so each sort order is
    # checked on a model of its own.)
    descending = RecordTableModel(demo_app.listing, kind, page_size=50)
    descending.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(descending)


def test_a_model_fetches_one_page_and_the_next_on_demand(big_app: Any) -> None:
    listing = CountingListing(big_app.listing)
    model = RecordTableModel(listing, PERSONS)
    assert (model.total, model.rowCount()) == (20_000, PAGE)
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE
    assert [offset for _kind, offset, _limit in listing.pages] == [0, PAGE]
    assert model.data(model.index(0, 0)) == "Person 00000"
    assert model.data(model.index(0, 0), UID_ROLE) == "00000000-0000-4000-8000-000000000000"


def test_the_window_opens_on_20000_persons_with_at_most_two_pages(
        qtbot: QtBot, big_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[int] = []
    original = RecordTableModel._fetch

    def counting(self: RecordTableModel, offset: int) -> list[Any]:
        if self.kind == PERSONS:
            fetched.append(offset)
        return original(self, offset)

    monkeypatch.setattr(RecordTableModel, "_fetch", counting)
    window = MainWindow(big_app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    browser = window.browsers[PERSONS]
    qtbot.waitUntil(lambda: browser.view.indexAt(browser.view.rect().topLeft()).isValid())
    assert browser.view.model().data(browser.view.model().index(0, 0)) == "Person 00000"
    assert len(fetched) <= 2
    assert browser.status_text().startswith("20")
    window.shutdown()


def test_scrolling_to_the_end_fetches_the_next_page(qtbot: QtBot, big_app: Any,
                                                    tmp_path: Path) -> None:
    window = MainWindow(big_app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(window)
    window.show()
    browser = window.browsers[PERSONS]
    before = browser.model.rowCount()
    browser.view.scrollToBottom()
    qtbot.waitUntil(lambda: browser.model.rowCount() > before)
    assert browser.model.rowCount() <= before + 2 * PAGE
    window.shutdown()


def test_clicking_the_name_header_sorts_in_the_query(qtbot: QtBot, big_app: Any,
                                                     tmp_path: Path) -> None:
    window = MainWindow(big_app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(window)
    window.show()
    browser = window.browsers[PERSONS]
    header = browser.view.horizontalHeader()
    with qtbot.waitSignal(browser.model.modelReset):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=_section_center(header, 0))
    assert browser.model.sort_order.descending
    assert browser.model.data(browser.model.index(0, 0)) == "Person 19999"
    assert browser.model.rowCount() == PAGE
    window.shutdown()


def test_an_unsortable_column_keeps_the_order(qtbot: QtBot, demo_app: Any) -> None:
    model = RecordTableModel(demo_app.listing, PERSONS)
    first = model.data(model.index(0, 0), SORT_ROLE)
    with qtbot.assertNotEmitted(model.modelReset):
        model.sort(model.column_of("email"), Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 0), SORT_ROLE) == first


def test_filtering_by_tag_re_queries(demo_app: Any) -> None:
    model = RecordTableModel(demo_app.listing, PERSONS)
    everyone = model.total
    tag = demo_app.listing.tags()[0].name
    model.set_filter(ListFilter(tags=(tag,)))
    assert 0 < model.total < everyone
    uids = {model.data(model.index(r, 0), UID_ROLE) for r in range(model.rowCount())}
    assert all(tag in demo_app.people.get(uid).tags for uid in uids)


def test_a_failing_query_empties_the_list_and_reports(qtbot: QtBot, demo_app: Any) -> None:
    class Broken(CountingListing):
        def count(self, kind: str, flt: ListFilter) -> int:
            raise RuntimeError("database gone")

    model = RecordTableModel(demo_app.listing, PERSONS)
    model._listing = Broken(demo_app.listing)
    with qtbot.waitSignal(model.failed):
        model.reload()
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def _section_center(header: Any, section: int) -> QPoint:
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    return QPoint(x, header.height() // 2)


@pytest.fixture(autouse=True)
def _window_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BRUECKE_WINDOW_STATE", str(tmp_path / "state.ini"))
    yield
