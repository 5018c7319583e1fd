"""The main window: navigation, global search, directories, e-mail, saved lists, state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from crm.config import load_preferences
from crm.i18n import _, current_language
from crm.services.listing_rows import MUNICIPALITIES, ORGANISATIONS, PERSONS, ListFilter
from crm.services.search import SearchHit
from ui.app import set_application_language
from ui.detail.mail import mailto_batches
from ui.main_window import SECTIONS, MainWindow
from ui.search_box import grouped
from ui.settings import WindowSettings
from ui.settings_dialog import SettingsDialog, apply_language

SCREENS = Path("/tmp/screens")
GERA = "16052"


@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "window.ini"


@pytest.fixture
def make_window(qtbot: QtBot, state_file: Path) -> Iterator[Any]:
    windows: list[MainWindow] = []

    def make(app: Any) -> MainWindow:
        window = MainWindow(app, settings=WindowSettings(str(state_file)))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


@pytest.fixture
def window(demo_app: Any, make_window: Any) -> MainWindow:
    return make_window(demo_app)



def _show_first_person(qtbot: QtBot, window: MainWindow) -> None:
    browser = window.browsers[PERSONS]
    with qtbot.waitSignal(browser.detail.detail_shown):
        browser.view.selectRow(0)


# -- navigation and status ------------------------------------------------------------------


def test_the_window_shows_persons_with_counts_and_where_the_data_is(
        window: MainWindow, demo_app: Any) -> None:
    assert window.section == PERSONS
    assert window.browsers[PERSONS].model.total == demo_app.listing.count(PERSONS)
    assert window.location_label.toolTip() == str(demo_app.location)
    assert window.location_label.text().endswith(Path(demo_app.location).name)
    assert demo_app.current_staff.initials in window.staff_label.text()
    assert window.sidebar.item(0).data(Qt.ItemDataRole.UserRole + 3) == (
        demo_app.listing.counts().persons)


def test_every_section_can_be_shown_from_the_view_menu(window: MainWindow) -> None:
    for key in SECTIONS:
        window.actions_.section_actions[key].trigger()
        assert window.stack.currentWidget() is window.pages[key]
        assert window.sidebar.current_key() == ("section", key)


def test_a_plugged_in_page_replaces_the_section_page(window: MainWindow) -> None:
    page = QLabel("history list")
    window.set_section_widget("history", page)
    window.show_section("history")
    assert window.stack.currentWidget() is page


def test_an_empty_database_says_what_to_do_next(app: Any, qtbot: QtBot,
                                                state_file: Path) -> None:
    loaded: list[bool] = []
    window = MainWindow(app, settings=WindowSettings(str(state_file)),
                        demo_loader=lambda: loaded.append(True))
    qtbot.addWidget(window)
    window.show()
    window.resize(1366, 768)
    empty_state = window.browsers[PERSONS].empty_state
    assert empty_state.isVisible()
    assert "Strg+N" in empty_state.text()
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENS / "window-empty.png"))
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=5000):
        empty_state.linkActivated.emit("#demo")
    assert loaded == [True]
    window.shutdown()


# -- search ---------------------------------------------------------------------------------


def test_typing_shows_grouped_results_and_enter_opens_one(qtbot: QtBot,
                                                          window: MainWindow) -> None:
    box = window.search_box
    with qtbot.waitSignal(box.results_shown, timeout=5000) as shown:
        qtbot.keyClicks(box, "Gera")
    assert shown.args[0] > 0
    assert box.results.isVisible()
    first_kind, first_uid = box.results.hit_rows()[0]
    browser = window.browsers.get({"person": PERSONS, "organisation": ORGANISATIONS,
                                   "municipality": MUNICIPALITIES}.get(first_kind, ""))
    assert browser is not None
    with qtbot.waitSignal(browser.detail.detail_shown, timeout=5000):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert browser.detail.current_record() == (first_kind, first_uid)
    assert not box.results.isVisible()


def test_an_organisation_found_opens_in_its_section(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_box
    with qtbot.waitSignal(box.results_shown, timeout=5000):
        qtbot.keyClicks(box, "Stadtverwaltung Gera")
    kind, uid = box.results.hit_rows()[0]
    assert kind == "organisation"
    organisations = window.browsers[ORGANISATIONS]
    with qtbot.waitSignal(organisations.detail.detail_shown, timeout=5000):
        qtbot.mouseClick(box.results.viewport(), Qt.MouseButton.LeftButton,
                         pos=box.results.visualItemRect(box.results.item(1)).center())
    assert window.section == ORGANISATIONS
    assert organisations.detail.current_record() == ("organisation", uid)


def test_results_are_grouped_by_kind_best_group_first() -> None:
    hits = [SearchHit("person", "p1", "A", "", 0.4), SearchHit("org", "o1", "B", "", 0.9),
            SearchHit("person", "p2", "C", "", 0.8)]
    assert [(kind, [h.uid for h in group]) for kind, group in grouped(hits)] == [
        ("organisation", ["o1"]), ("person", ["p2", "p1"])]


def test_escape_clears_the_search(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_box
    with qtbot.waitSignal(box.results_shown, timeout=5000):
        qtbot.keyClicks(box, "Jena")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == ""
    assert not box.results.isVisible()


def test_ctrl_k_focuses_the_search(qtbot: QtBot, window: MainWindow) -> None:
    window.browsers[PERSONS].view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_box.hasFocus)


# -- directories ----------------------------------------------------------------------------


def test_a_map_click_opens_the_municipality_directory(qtbot: QtBot, window: MainWindow,
                                                      demo_app: Any) -> None:
    window.show_section(MUNICIPALITIES)
    assert window.map_widget is not None
    browser = window.browsers[MUNICIPALITIES]
    with qtbot.waitSignal(browser.detail.detail_shown, timeout=5000):
        qtbot.mouseClick(window.map_widget, Qt.MouseButton.LeftButton,
                         pos=window.map_widget.point_for(GERA).toPoint())
    gera = demo_app.municipalities.get(GERA)
    assert browser.detail.current_record() == ("municipality", gera.uid)
    text = browser.detail.toPlainText()
    directory = demo_app.municipalities.directory(gera.uid)
    holder = next(e.current[0] for e in directory.organisations if e.current)
    assert holder.person.name in text and holder.title in text


def test_directory_links_open_the_person(qtbot: QtBot, window: MainWindow,
                                         demo_app: Any) -> None:
    gera = demo_app.municipalities.get(GERA)
    window.open_record("municipality", gera.uid)
    directory = demo_app.municipalities.directory(gera.uid)
    holder = next(e.current[0] for e in directory.organisations if e.current)
    persons = window.browsers[PERSONS]
    with qtbot.waitSignal(persons.detail.detail_shown, timeout=5000):
        window.browsers[MUNICIPALITIES].detail.anchorClicked.emit(
            QUrl(f"bruecke:person/{holder.person.uid}"))
    assert window.section == PERSONS
    assert holder.person.name in persons.detail.toPlainText()


def test_former_roles_are_marked_in_the_person_pane(qtbot: QtBot, window: MainWindow,
                                                   demo_app: Any) -> None:
    gera = demo_app.municipalities.get(GERA)
    former = next(r for e in demo_app.municipalities.directory(gera.uid).organisations
                  for r in e.former)
    persons = window.browsers[PERSONS]
    with qtbot.waitSignal(persons.detail.detail_shown, timeout=5000):
        window.open_record("person", former.person.uid)
    html = persons.detail.toHtml()
    assert _("former") in persons.detail.toPlainText()
    assert former.organisation.name.replace("&", "&amp;") in html


def test_detail_panes_escape_every_value(app: Any) -> None:
    from crm.services.contacts import ContactInput
    from crm.services.organisations import OrganisationInput
    from crm.services.people import PersonInput
    from ui.detail.organisation import organisation_html
    from ui.detail.person import person_html

    evil = '<img src=x onerror="alert(1)"> & Co'
    org = app.organisations.create(OrganisationInput(evil, "member", notes=evil))
    person = app.people.create(PersonInput(
        evil, notes=evil, tags=["<b>tag</b>"],
        contact_points=[ContactInput("email", "a.b@example.org"),
                        ContactInput("phone", "0361 1234567")]))
    role = app.roles.add(person.uid, org.uid, evil, "2019-01-01")
    app.roles.update(role.uid, until="2020-06-30")
    person_page = person_html(app.people.get(person.uid))
    org_page = organisation_html(app.organisations.get(org.uid))
    for page in (person_page, org_page):
        assert "<img" not in page and "<b>tag" not in page
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in page
    assert 'href="mailto:a.b@example.org"' in person_page
    assert 'href="tel:+493611234567"' in person_page
    assert 'class="former"' in person_page and "30.06.2020" in person_page


# -- actions --------------------------------------------------------------------------------


def test_f2_enter_and_del_trigger_edit_and_archive_on_the_selected_record(
        qtbot: QtBot, window: MainWindow) -> None:
    calls: list[tuple[Any, ...]] = []
    window.edit_action.triggered.connect(lambda: calls.append(("edit",
                                                               *window.current_record())))
    window.archive_action.triggered.connect(lambda: calls.append(("archive",
                                                                  *window.current_record())))
    _show_first_person(qtbot, window)
    uid = window.browsers[PERSONS].selected_rows()[0].uid
    view = window.browsers[PERSONS].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert calls == [("edit", "person", uid), ("archive", "person", uid),
                     ("edit", "person", uid)]


def test_municipalities_cannot_be_edited_or_archived(qtbot: QtBot, window: MainWindow,
                                                     demo_app: Any) -> None:
    window.show_section(MUNICIPALITIES)
    with qtbot.waitSignal(window.browsers[MUNICIPALITIES].detail.detail_shown):
        window.open_record("municipality", demo_app.municipalities.get(GERA).uid)
    assert not window.edit_action.isEnabled() and not window.archive_action.isEnabled()


def test_the_editing_controller_is_connected_and_changes_are_shown(
        qtbot: QtBot, window: MainWindow, demo_app: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from crm.services.people import PersonInput
    from ui.app import connect_editing

    editing = connect_editing(window, demo_app)
    created = demo_app.people.create(PersonInput("Aaron Aab", family_name="Aab"))
    persons = window.browsers[PERSONS]
    with qtbot.waitSignal(persons.detail.detail_shown, timeout=5000):
        editing.record_changed.emit("person", created.uid)
    assert persons.model.row_at(0).name == "Aaron Aab"
    assert persons.current_uid() == created.uid
    assert not window.undo_action.isEnabled()


def test_shortcuts_are_shown_in_tooltips(window: MainWindow) -> None:
    assert "N" in window.new_person_action.toolTip()
    assert "Q" in window.quit_action.toolTip()


def test_mail_to_selection_skips_persons_without_email(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString())
                        or True)
    browser = window.browsers[PERSONS]
    rows = [browser.model.row_at(r) for r in range(40)]
    with_mail = [r for r in rows if r and r.email]
    assert 0 < len(with_mail) < len(rows)
    browser.view.selectAll()
    browser.view.clearSelection()
    for row in range(40):
        browser.view.selectionModel().select(
            browser.model.index(row, 0),
            browser.view.selectionModel().SelectionFlag.Select
            | browser.view.selectionModel().SelectionFlag.Rows)
    window.mail_selection_action.trigger()
    assert len(opened) == 1 and opened[0].startswith("mailto:?bcc=")
    assert sorted(unquote(opened[0][len("mailto:?bcc="):]).split(",")) == sorted(
        r.email for r in with_mail)
    skipped = str(len(rows) - len(with_mail))
    assert skipped in window.statusBar().currentMessage()


def test_mail_batches_stay_within_both_limits() -> None:
    addresses = [f"person{i}@example.org" for i in range(120)] + ["PERSON1@example.org", ""]
    urls = mailto_batches(addresses, max_addresses=50, max_chars=1800)
    assert len(urls) == 3
    assert all(len(url) <= 1800 for url in urls)
    found = [a for url in urls for a in unquote(url[len("mailto:?bcc="):]).split(",")]
    assert found == [f"person{i}@example.org" for i in range(120)]
    assert len(mailto_batches(addresses, max_addresses=500, max_chars=400)) > 3
    assert mailto_batches([]) == []


def test_a_filter_is_saved_as_distribution_list_and_applied_from_the_sidebar(
        qtbot: QtBot, window: MainWindow, demo_app: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    browser = window.browsers[PERSONS]
    tag = demo_app.listing.tags()[0].name
    browser.apply_filter(ListFilter(tags=(tag,), roles="current"))
    expected = browser.model.total
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Presseverteiler", True))
    window.actions_.save_list.trigger()
    saved = demo_app.listing.lists()
    assert [s.name for s in saved] == ["Presseverteiler"]
    browser.apply_filter(ListFilter())
    window.show_section(ORGANISATIONS)
    item = next(window.sidebar.item(r) for r in range(window.sidebar.count())
                if window.sidebar.item(r).text() == "Presseverteiler")
    window.sidebar.itemClicked.emit(item)
    assert window.section == PERSONS
    assert browser.model.total == expected
    assert browser.filter_bar.tag_combo.currentText() == tag
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.sidebar.list_delete_requested.emit(saved[0].uid)
    assert demo_app.listing.lists() == []


def test_filtering_by_tag_in_the_filter_bar(qtbot: QtBot, window: MainWindow,
                                            demo_app: Any) -> None:
    browser = window.browsers[PERSONS]
    combo = browser.filter_bar.tag_combo
    tag = demo_app.listing.tags()[0].name
    with qtbot.waitSignal(browser.model.modelReset):
        combo.setCurrentIndex(combo.findData(tag))
        combo.activated.emit(combo.currentIndex())
    assert browser.model.total == demo_app.listing.count(PERSONS, ListFilter(tags=(tag,)))
    assert tag in demo_app.people.get(browser.model.row_at(0).uid).tags


# -- state and language ---------------------------------------------------------------------


def test_geometry_splitters_columns_and_section_are_restored(
        qtbot: QtBot, demo_app: Any, make_window: Any) -> None:
    first = make_window(demo_app)
    first.resize(first.width(), 650)  # the offscreen screen clamps widths above 800
    first.browsers[PERSONS].splitter.setSizes([500, 400])
    first.browsers[PERSONS].view.horizontalHeader().resizeSection(1, 333)
    first.show_section(ORGANISATIONS)
    sizes = first.browsers[PERSONS].splitter.sizes()
    first.close()
    second = make_window(demo_app)
    assert second.height() == 650
    assert second.section == ORGANISATIONS
    assert second.stack.currentWidget() is second.pages[ORGANISATIONS]
    restored = second.browsers[PERSONS].splitter.sizes()
    # The offscreen screen may make the window narrower: the split keeps its proportion.
    assert restored[0] / sum(restored) == pytest.approx(sizes[0] / sum(sizes), abs=0.01)
    assert second.browsers[PERSONS].view.horizontalHeader().sectionSize(1) == 333


def test_switching_to_english_retranslates_without_restart(
        qtbot: QtBot, window: MainWindow, demo_app: Any) -> None:
    dialog = SettingsDialog(current_language())
    qtbot.addWidget(dialog)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    apply_language(demo_app.prefs, dialog.language())
    assert window.actions_.file_menu.title() == "&File"
    assert window.sidebar.item(0).text() == "Persons"
    assert window.browsers[PERSONS].model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert load_preferences().language == "en"
    set_application_language("de")
    assert window.actions_.file_menu.title() == _("&File")


# -- screenshots ----------------------------------------------------------------------------


def test_screenshots_of_every_view(qtbot: QtBot, window: MainWindow, demo_app: Any) -> None:
    """Grabs every view at 1366×768 in German into /tmp/screens for a look."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.setGeometry(QRect(QPoint(0, 0), window.size()))
    window.resize(1366, 768)

    def shot(name: str) -> None:
        qtbot.wait(50)  # let layouts settle; nothing is waited for
        image = window.grab()
        assert image.width() == 1366
        image.save(str(SCREENS / f"window-{name}.png"))

    _show_first_person(qtbot, window)
    shot("persons")
    gera = demo_app.municipalities.get(GERA)
    former = next(r for e in demo_app.municipalities.directory(gera.uid).organisations
                  for r in e.former)
    with qtbot.waitSignal(window.browsers[PERSONS].detail.detail_shown, timeout=5000):
        window.open_record("person", former.person.uid)
    shot("person-former-role")
    window.show_section(ORGANISATIONS)
    organisations = window.browsers[ORGANISATIONS]
    with qtbot.waitSignal(organisations.detail.detail_shown, timeout=5000):
        organisations.view.selectRow(0)
    shot("organisations")
    window.show_section(MUNICIPALITIES)
    municipalities = window.browsers[MUNICIPALITIES]
    with qtbot.waitSignal(municipalities.detail.detail_shown, timeout=5000):
        window.open_record("municipality", demo_app.municipalities.get(GERA).uid)
    shot("municipalities")
    for key in ("history", "tasks", "events", "reports"):
        window.show_section(key)
        shot(key)
    window.show_section(PERSONS)
    with qtbot.waitSignal(window.search_box.results_shown, timeout=5000):
        qtbot.keyClicks(window.search_box, "Erfurt")
    shot("search")
    _dialog_screenshots(qtbot, window)


def _dialog_screenshots(qtbot: QtBot, window: MainWindow) -> None:
    from ui.about import AboutDialog
    from ui.welcome import WelcomeDialog

    for name, dialog in (("welcome", WelcomeDialog("Amira Haddad")),
                         ("settings", SettingsDialog("de", window)),
                         ("about", AboutDialog(window.app.location, window))):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.grab().save(str(SCREENS / f"window-{name}.png"))
        dialog.close()


# -- start and exit -------------------------------------------------------------------------


def test_main_says_clearly_when_there_is_no_display() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "main", Path(__file__).resolve().parents[2] / "main.py")
    assert spec is not None and spec.loader is not None
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)

    assert "No display" in (main.display_problem({}, "linux") or "")
    assert main.display_problem({"DISPLAY": ":0"}, "linux") is None
    assert main.display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert main.display_problem({}, "win32") is None


def test_first_start_asks_who_is_working_and_remembers_it(
        qtbot: QtBot, app: Any, monkeypatch: pytest.MonkeyPatch, state_file: Path) -> None:
    from PySide6.QtWidgets import QApplication

    import ui.app
    from ui.welcome import WelcomeAnswer, WelcomeDialog

    monkeypatch.setenv("BRUECKE_WINDOW_STATE", str(state_file))
    monkeypatch.setattr(WelcomeDialog, "ask", staticmethod(
        lambda **kwargs: WelcomeAnswer("Amira Haddad", "AH", demo=False)))
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    opened: list[tuple[str | None, str | None]] = []

    def opener(initials: str | None, name: str | None) -> Any:
        opened.append((initials, name))
        return app

    monkeypatch.setattr(app, "close", lambda: None)  # the fixture closes it
    assert ui.app.run(opener, None, []) == 0
    assert opened == [("AH", "Amira Haddad")]
    assert load_preferences().staff_initials == "AH"


def test_a_database_that_cannot_be_opened_is_reported(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm.config import Preferences, save_preferences
    from crm.errors import DatabaseError
    from ui.app import run

    save_preferences(Preferences(staff_initials="TS"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))

    def opener(initials: str | None, name: str | None) -> Any:
        raise DatabaseError("not_sqlite", "/tmp/x.db")

    assert run(opener, None, []) == 1
    assert shown and "/tmp/x.db" in shown[0]


def test_ctrl_c_in_the_terminal_reaches_the_event_loop(qtbot: QtBot) -> None:
    import os
    import signal

    from ui.app import _SignalWakeup

    received: list[bool] = []
    wakeup = _SignalWakeup(lambda: received.append(True))
    try:
        os.kill(os.getpid(), signal.SIGINT)
        qtbot.waitUntil(lambda: bool(received))
    finally:
        wakeup.restore()


def test_welcome_suggests_initials_from_the_name(qtbot: QtBot) -> None:
    from ui.welcome import WelcomeDialog

    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Nguyễn Thị Minh")
    dialog.name_edit.textEdited.emit("Nguyễn Thị Minh")
    assert dialog.initials_edit.text() == "NTM"
    dialog.demo_button.setChecked(True)
    assert dialog.answer().demo


def test_ctrl_q_closes_the_window(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
