"""The Berichte section: every report creates an A4 preview off the GUI thread; labels list
who was left out; the preview saves and prints; persons and organisations print their
contact sheet from the context menu."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from crm.config import Preferences
from crm.i18n import _
from crm.services.listing_rows import PERSONS, ListFilter
from crm.services.report_rows import LabelResult, ReportResult
from ui.app import set_application_language
from ui.main_window import MainWindow
from ui.pdf_preview import PdfPreview
from ui.report_options import ActivityOptions, ContactSheetOptions, DirectoryOptions
from ui.reports_view import ReportsView
from ui.settings import WindowSettings
from ui.settings_dialog import SettingsDialog

SCREENS = Path("/tmp/screens")
A4 = (595.28, 841.89)  # points
TIMEOUT = 60_000



@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


@pytest.fixture
def view(qtbot: QtBot, demo_app: Any) -> Iterator[ReportsView]:
    widget = ReportsView(demo_app)
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.runner.wait()


def _generate(qtbot: QtBot, view: ReportsView) -> Any:
    with qtbot.waitSignal(view.report_created, timeout=TIMEOUT) as blocker:
        assert view.generate()
    return blocker.args[0]


def _assert_a4(path: str | Path) -> int:
    pages = PdfReader(str(path)).pages
    for page in pages:
        assert float(page.mediabox.width) == pytest.approx(A4[0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(A4[1], abs=0.5)
    return len(pages)


def _first_person(app: Any) -> Any:
    return app.listing.page(PERSONS, limit=1)[0]


def _choose_contact(view: ReportsView, app: Any) -> None:
    person = _first_person(app)
    options = view.options["contact_sheet"]
    assert isinstance(options, ContactSheetOptions)
    options.choose("person", person.uid, person.name)


def _wide_period(view: ReportsView) -> None:
    options = view.options["activity"]
    assert isinstance(options, ActivityOptions)
    options.set_period(date(2020, 1, 1), date(2030, 12, 31))


SETUP: dict[str, Callable[[ReportsView, Any], None]] = {
    "contact_sheet": _choose_contact,
    "directory": lambda view, app: None,
    "attendance": lambda view, app: None,
    "activity": lambda view, app: _wide_period(view),
    "labels": lambda view, app: None,
    "phone_list": lambda view, app: None,
}


# -- every report ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(SETUP))
def test_each_report_creates_an_a4_preview(qtbot: QtBot, view: ReportsView, demo_app: Any,
                                            key: str) -> None:
    view.select_report(key)
    assert view.options[key].isVisible()
    SETUP[key](view, demo_app)
    result = _generate(qtbot, view)
    assert isinstance(result, ReportResult | LabelResult)
    assert view.preview.document.pageCount() == result.pages > 0
    size = view.preview.document.pagePointSize(0)
    assert (size.width(), size.height()) == pytest.approx(A4, abs=0.5)
    assert _assert_a4(result.path) == result.pages
    assert view.preview.page_label.text() == _("of {n}").format(n=result.pages)
    assert view.preview.print_action.isEnabled() and view.preview.save_action.isEnabled()
    assert not view.progress.isVisible() and view.create_button.isEnabled()


def test_a_new_report_replaces_the_previous_file(qtbot: QtBot, view: ReportsView) -> None:
    view.select_report("phone_list")
    first = _generate(qtbot, view)
    second = _generate(qtbot, view)
    assert Path(second.path).exists() and not Path(first.path).exists()


def test_contact_sheet_is_chosen_by_searching(qtbot: QtBot, view: ReportsView,
                                              demo_app: Any) -> None:
    person = _first_person(demo_app)
    options = view.options["contact_sheet"]
    assert isinstance(options, ContactSheetOptions)
    with qtbot.waitSignal(options.search.results_shown, timeout=TIMEOUT):
        options.search.setText(person.name)  # QTest types ASCII only
        options.search.textEdited.emit(person.name)
    qtbot.keyClick(options.search, Qt.Key.Key_Return)
    assert options.choice is not None and options.choice[2] == person.name
    assert person.name in options.chosen.text()
    result = _generate(qtbot, view)
    assert result.pages == 1
    assert view.preview.file_name == f"Kontaktblatt – {person.name}.pdf"


def test_missing_choice_is_explained_and_nothing_runs(qtbot: QtBot, view: ReportsView) -> None:
    view.select_report("contact_sheet")
    assert not view.generate()
    assert view.status.text() == _("Search for the person or organisation first.")
    assert not view.busy


def test_directory_of_ticked_districts_is_shorter(qtbot: QtBot, view: ReportsView) -> None:
    view.select_report("directory")
    everything = _generate(qtbot, view)
    options = view.options["directory"]
    assert isinstance(options, DirectoryOptions)
    district = options.tree.topLevelItem(0)
    district.setCheckState(0, Qt.CheckState.Checked)
    assert options.some_radio.isChecked()
    assert options.chosen_refs() == [district.data(0, Qt.ItemDataRole.UserRole)]
    some = _generate(qtbot, view)
    assert 0 < some.pages < everything.pages


def test_directory_of_single_towns(view: ReportsView) -> None:
    options = view.options["directory"]
    assert isinstance(options, DirectoryOptions)
    tree = options.tree
    district = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                    if tree.topLevelItem(i).childIndicatorPolicy()
                    == QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
    district.setCheckState(0, Qt.CheckState.Checked)
    district.setExpanded(True)  # the towns are read now, ticked like their district
    assert district.childCount() > 1
    assert options.chosen_refs() == [district.data(0, Qt.ItemDataRole.UserRole)]
    district.child(0).setCheckState(0, Qt.CheckState.Unchecked)
    assert district.checkState(0) == Qt.CheckState.PartiallyChecked
    assert len(options.chosen_refs()) == district.childCount() - 1


def test_directory_with_nothing_ticked_asks_for_a_choice(view: ReportsView) -> None:
    view.select_report("directory")
    options = view.options["directory"]
    assert isinstance(options, DirectoryOptions)
    options.some_radio.setChecked(True)
    assert not view.generate()
    assert view.status.text() == _("Tick at least one district or municipality.")


def test_activity_report_for_a_project_opened_by_link(qtbot: QtBot, view: ReportsView,
                                                       demo_app: Any) -> None:
    project = demo_app.projects.projects()[0]
    view.open_record(project.uid)
    assert view.current_key() == "activity"
    options = view.options["activity"]
    assert isinstance(options, ActivityOptions)
    assert options.project.currentData() == project.uid
    _wide_period(view)
    assert _generate(qtbot, view).pages > 0


def test_activity_period_presets(view: ReportsView) -> None:
    options = view.options["activity"]
    assert isinstance(options, ActivityOptions)
    options.period.setCurrentIndex(options.period.findData("last_year"))
    year = date.today().year - 1
    assert options.date_from.date().toPython() == date(year, 1, 1)
    assert options.date_to.date().toPython() == date(year, 12, 31)
    options.date_to.setDate(options.date_to.date().addDays(-1))
    assert options.period.currentData() == "custom"
    assert options.date_from.displayFormat().count("y") == 4


# -- labels ---------------------------------------------------------------------------------


def test_labels_list_the_persons_without_a_postal_address(qtbot: QtBot, view: ReportsView
                                                          ) -> None:
    view.select_report("labels")
    result = _generate(qtbot, view)
    assert isinstance(result, LabelResult)
    assert result.printed > 0 and result.skipped
    assert result.pages == -(-result.printed // 24)  # 3 × 8 per sheet
    names = [view.skipped_list.item(i).text() for i in range(view.skipped_list.count())]
    assert names == [p.name for p in result.skipped]
    assert view.skipped_list.isVisible()
    n = len(result.skipped)
    assert f"{n} Personen haben keine Postanschrift und wurden ausgelassen:" in (
        view.status.text())


def test_labels_two_by_seven_for_a_tag(qtbot: QtBot, view: ReportsView, demo_app: Any) -> None:
    view.select_report("labels")
    options = view.options["labels"]
    options.layout_combo.setCurrentIndex(options.layout_combo.findData("2x7"))
    options.source.setCurrentIndex(options.source.findData("tag"))
    options.value.setCurrentIndex(options.value.findData("Vorstand"))
    assert options.value.isVisible()
    result = _generate(qtbot, view)
    tagged = demo_app.listing.count(PERSONS, ListFilter(tags=("Vorstand",)))
    assert result.printed + len(result.skipped) == tagged
    assert result.pages == -(-result.printed // 14)


def test_labels_for_a_distribution_list(qtbot: QtBot, view: ReportsView, demo_app: Any) -> None:
    flt = ListFilter(tags=("Newsletter",))
    saved = demo_app.listing.save_list("Newsletter-Verteiler", PERSONS, flt)
    view.refresh()
    view.select_report("labels")
    options = view.options["labels"]
    options.source.setCurrentIndex(options.source.findData("list"))
    options.value.setCurrentIndex(options.value.findData(saved.uid))
    result = _generate(qtbot, view)
    assert result.printed + len(result.skipped) == demo_app.listing.count(PERSONS, flt) > 0
    assert view.preview.file_name == "Adressetiketten – Newsletter-Verteiler.pdf"


@pytest.mark.parametrize("source", ["kind", "event"])
def test_labels_by_organisation_kind_and_event(qtbot: QtBot, view: ReportsView,
                                               source: str) -> None:
    view.select_report("labels")
    options = view.options["labels"]
    options.source.setCurrentIndex(options.source.findData(source))
    assert options.value.count() > 0
    result = _generate(qtbot, view)
    assert isinstance(result, LabelResult) and result.printed + len(result.skipped) > 0


# -- failures and cancelling ----------------------------------------------------------------


def test_a_failing_report_shows_the_error(qtbot: QtBot, view: ReportsView,
                                          demo_app: Any) -> None:
    view.select_report("attendance")
    options = view.options["attendance"]
    uid = options.event_combo.currentData()
    demo_app.events.delete(uid)
    with qtbot.waitSignal(view.report_failed, timeout=TIMEOUT) as blocker:
        assert view.generate()
    assert blocker.args[0] == view.status.text()
    assert uid in view.status.text()
    assert view.create_button.isEnabled()


def test_cancel_stops_a_long_report(qtbot: QtBot, view: ReportsView) -> None:
    view.select_report("activity")
    _wide_period(view)
    with qtbot.waitSignal(view.report_cancelled, timeout=TIMEOUT):
        assert view.generate()
        assert view.cancel_button.isVisible()
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert view.status.text() == _("Cancelled.")
    assert view.preview.page_count() == 0


# -- save as and print ----------------------------------------------------------------------


def test_save_as_copies_the_report(qtbot: QtBot, view: ReportsView, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    view.select_report("phone_list")
    result = _generate(qtbot, view)
    asked: list[str] = []

    def get_save_file_name(parent: Any, title: str, suggested: str, *args: Any) -> Any:
        asked.append(suggested)
        return str(tmp_path / "Telefonliste"), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    with qtbot.waitSignal(view.preview.saved) as blocker:
        view.preview.save_action.trigger()
    target = tmp_path / "Telefonliste.pdf"
    assert blocker.args == [str(target)]
    assert target.read_bytes() == Path(result.path).read_bytes()
    assert asked[0].endswith("Telefonliste.pdf")


def test_save_as_to_an_unwritable_place_shows_the_error(
        qtbot: QtBot, view: ReportsView, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    view.select_report("phone_list")
    _generate(qtbot, view)
    target = tmp_path / "missing-folder" / "liste.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(target), "PDF (*.pdf)"))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *a: warnings.append(text))
    assert view.preview.save_as() is None
    assert len(warnings) == 1 and str(target) in warnings[0]
    assert not target.exists()


def _pdf_printer(path: Path) -> Callable[[], QPrinter]:
    def make() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer
    return make


def test_print_renders_every_page(qtbot: QtBot, view: ReportsView, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    view.select_report("attendance")
    result = _generate(qtbot, view)
    printed = tmp_path / "printed.pdf"
    monkeypatch.setattr(view.preview, "create_printer", _pdf_printer(printed))
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(view.preview.printed) as blocker:
        view.preview.print_action.trigger()
    assert blocker.args == [result.pages]
    assert _assert_a4(printed) == result.pages


def test_print_a_page_range(qtbot: QtBot, view: ReportsView, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    view.select_report("directory")
    _generate(qtbot, view)
    printed = tmp_path / "range.pdf"
    make = _pdf_printer(printed)

    def ranged() -> QPrinter:
        printer = make()
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 4)
        return printer

    monkeypatch.setattr(view.preview, "create_printer", ranged)
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    assert view.preview.print_document() == 3
    assert _assert_a4(printed) == 3


def test_cancelled_print_dialog_prints_nothing(qtbot: QtBot, view: ReportsView, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    view.select_report("phone_list")
    _generate(qtbot, view)
    printed = tmp_path / "nothing.pdf"
    monkeypatch.setattr(view.preview, "create_printer", _pdf_printer(printed))
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert view.preview.print_document() == 0
    assert not printed.exists()


def test_preview_navigation_and_zoom(qtbot: QtBot, view: ReportsView) -> None:
    view.select_report("directory")
    result = _generate(qtbot, view)
    preview: PdfPreview = view.preview
    preview.last_action.trigger()
    assert preview.current_page() == result.pages - 1
    assert preview.page_spin.value() == result.pages
    assert not preview.next_action.isEnabled()
    preview.page_spin.setValue(3)
    assert preview.current_page() == 2
    preview.first_action.trigger()
    assert preview.current_page() == 0 and not preview.previous_action.isEnabled()
    preview.set_zoom(1.0)
    preview.zoom_in_action.trigger()
    assert preview.view.zoomFactor() == pytest.approx(1.25)
    preview.zoom_out_action.trigger()
    preview.zoom_out_action.trigger()
    assert preview.view.zoomFactor() == pytest.approx(0.75)
    assert preview.zoom_combo.currentData() == pytest.approx(0.75)


# -- the main window --------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, demo_app: Any, tmp_path: Path) -> Iterator[MainWindow]:
    main = MainWindow(demo_app, settings=WindowSettings(str(tmp_path / "window.ini")))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.shutdown()


def _menu_texts(qtbot: QtBot, owner: Any) -> list[str]:
    """The entries of the context menu shown for ``owner``, which is then closed."""
    menu = next(m for m in owner.findChildren(QMenu) if m.isVisible())
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    menu.close()
    return texts


def test_the_reports_section_shows_the_page(window: MainWindow) -> None:
    window.show_section("reports")
    assert isinstance(window.pages["reports"], ReportsView)
    assert window.stack.currentWidget() is window.pages["reports"]


def test_print_contact_sheet_from_the_person_list(qtbot: QtBot, window: MainWindow,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    browser = window.browsers[PERSONS]
    row = browser.model.row_at(0)
    pos = browser.view.visualRect(browser.model.index(0, 0)).center()
    browser.view.customContextMenuRequested.emit(pos)
    action: QAction = window.report_actions.contact_sheet_action  # type: ignore[attr-defined]
    entries = _menu_texts(qtbot, browser.view)
    assert action.text() in entries and window.edit_action.text() in entries
    assert window.current_record() == ("person", row.uid)
    page = window.pages["reports"]
    assert isinstance(page, ReportsView)
    printed = tmp_path / "sheet.pdf"
    monkeypatch.setattr(page.preview, "create_printer", _pdf_printer(printed))
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(page.preview.printed, timeout=TIMEOUT):
        action.trigger()
    assert window.section == "reports"
    assert page.current_key() == "contact_sheet"
    assert page.options["contact_sheet"].choice == ("person", row.uid, row.name)
    assert _assert_a4(printed) == 1


def test_detail_pane_menu_offers_the_contact_sheet(qtbot: QtBot, window: MainWindow,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    window.show_section("organisations")
    browser = window.current_browser()
    assert browser is not None
    with qtbot.waitSignal(browser.detail.detail_shown, timeout=TIMEOUT):
        browser.view.selectRow(0)
    browser.detail.customContextMenuRequested.emit(QPoint(10, 10))
    action = window.report_actions.contact_sheet_action  # type: ignore[attr-defined]
    assert action.text() in _menu_texts(qtbot, browser.detail) and action.isEnabled()


def test_contact_sheet_action_needs_a_person_or_organisation(window: MainWindow) -> None:
    window.show_section("municipalities")
    assert not window.report_actions.contact_sheet_action.isEnabled()  # type: ignore[attr-defined]


# -- settings and language ------------------------------------------------------------------


def test_print_settings_go_into_the_preferences(qtbot: QtBot,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    prefs = Preferences(funder_text="alt")
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: _fill_print_group(self))
    assert SettingsDialog.ask(None, prefs) == "de"
    assert prefs.funder_text == "Gefördert vom Freistaat Thüringen"
    assert prefs.funder_logo_path == "/tmp/logo.png"
    assert prefs.network_name == Preferences().network_name  # empty: the default


def _fill_print_group(dialog: SettingsDialog) -> QDialog.DialogCode:
    group = dialog.print_group
    assert group.funder_text.toPlainText() == "alt"
    group.network_name.clear()
    group.funder_text.setPlainText("Gefördert vom Freistaat Thüringen")
    group.funder_logo.edit.setText("/tmp/logo.png")
    return QDialog.DialogCode.Accepted


def test_the_page_follows_a_language_switch(view: ReportsView) -> None:
    set_application_language("en")
    assert view.create_button.text() == "Create preview"
    assert view.report_list.item(5).text() == "Phone list"
    set_application_language("de")
    assert view.create_button.text() == "Vorschau erstellen"
    assert view.heading.text() == "Berichte"


# -- screenshots ------------------------------------------------------------------------------


def _laid_out(page: ReportsView) -> bool:
    """The wrapped description got its height (one layout pass after a switch)."""
    label = page.description
    return label.height() >= label.heightForWidth(label.width())


def _page_drawn(preview: PdfPreview) -> bool:
    """Whether QPdfView (which renders on its own thread) painted some text of page 1."""
    image = preview.view.viewport().grab(QRect(0, 0, 500, 300)).toImage()
    return any(image.pixelColor(x, y).lightness() < 100
               for x in range(40, 500, 3) for y in range(40, 300, 3))


def test_screenshots(qtbot: QtBot, window: MainWindow, demo_app: Any) -> None:
    """The Berichte section at 1366×768 in German, with options and with previews."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.resize(1366, 768)
    window.show_section("reports")
    page = window.pages["reports"]
    assert isinstance(page, ReportsView)
    for key, name in (("labels", "options"), ("directory", "directory_options")):
        page.select_report(key)
        qtbot.waitUntil(lambda: _laid_out(page))
        window.grab().save(str(SCREENS / f"reports_{name}.png"))
    page.select_report("activity")
    _wide_period(page)
    with qtbot.waitSignal(page.report_created, timeout=TIMEOUT):
        page.generate()
        qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=TIMEOUT)
        window.grab().save(str(SCREENS / "reports_progress.png"))
    for key, name in (("directory", "preview"), ("labels", "labels")):
        page.select_report(key)
        _generate(qtbot, page)
        qtbot.waitUntil(lambda: _page_drawn(page.preview), timeout=10_000)
        window.grab().save(str(SCREENS / f"reports_{name}.png"))
    _choose_contact(page, demo_app)
    page.select_report("contact_sheet")
    _generate(qtbot, page)
    qtbot.waitUntil(lambda: _page_drawn(page.preview), timeout=10_000)
    window.grab().save(str(SCREENS / "reports_contact_sheet.png"))
    dialog = SettingsDialog("de", window, Preferences(funder_text="Gefördert vom Freistaat "
                                                                  "Thüringen"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(SCREENS / "reports_settings_print.png"))
