"""Reports in the main window: the Berichte page, and "Print contact sheet …" on persons and
organisations — in the context menu of their lists and detail panes, and as Ctrl+Shift+P.

The action acts on ``window.current_record()``: a right-click selects the row first, so
the menu, the shortcut and the detail pane all mean the same record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QTableView, QTextBrowser, QWidget

from crm.i18n import _
from crm.messages import error_message
from crm.services.listing_rows import ORGANISATIONS, PERSONS

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.reports_view import ReportsView

SHEET_KINDS = ("person", "organisation")


def install_reports(window: MainWindow) -> ReportActions:
    """Add the contact sheet action; the Berichte page is built when first needed (shown,
    used, or after the window's first paint: see ``MainWindow.defer_section``)."""
    actions = ReportActions(window)
    window.report_actions = actions  # type: ignore[attr-defined]
    window.defer_section("reports", lambda: actions.view)
    return actions


class ReportActions(QObject):
    """Owns :attr:`contact_sheet_action` and the context menus that offer it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._view: ReportsView | None = None
        self.contact_sheet_action = QAction(window)
        self.contact_sheet_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.contact_sheet_action.triggered.connect(self.print_contact_sheet)
        window.addAction(self.contact_sheet_action)
        for key in (PERSONS, ORGANISATIONS):
            browser = window.browsers.get(key)
            if browser is None:
                continue
            _custom_menu(browser.view, lambda pos, b=browser: self._on_list_menu(b, pos))
            _custom_menu(browser.detail, lambda pos, b=browser: self._on_detail_menu(b, pos))
            browser.selection_changed.connect(self.update_enabled)
        window.section_changed.connect(lambda _key: self.update_enabled())
        window.installEventFilter(self)
        self.retranslate()
        self.update_enabled()

    @property
    def view(self) -> ReportsView:
        """The Berichte page, built and plugged into the window on first use."""
        if self._view is None:
            from ui.reports_view import ReportsView  # with the PDF viewer: not at start-up

            self._view = ReportsView(self.window.app)
            self.window.set_section_widget("reports", self._view)
        return self._view

    def record(self) -> tuple[str, str] | None:
        record = self.window.current_record()
        return record if record is not None and record[0] in SHEET_KINDS else None

    def update_enabled(self) -> None:
        self.contact_sheet_action.setEnabled(self.record() is not None)

    def print_contact_sheet(self) -> None:
        """Create the current person's or organisation's contact sheet and print it."""
        record = self.record()
        if record is None:
            return
        kind, uid = record
        try:
            name = self._name_of(kind, uid)
        except Exception as exc:  # noqa: BLE001 - archived or deleted meanwhile …
            self.window.statusBar().showMessage(error_message(exc), 10000)
            return
        self.window.show_section("reports")
        self.view.print_contact_sheet(kind, uid, name)

    def add_to_menu(self, menu: QMenu) -> None:
        """For other context menus of persons and organisations."""
        self.update_enabled()
        menu.addAction(self.contact_sheet_action)

    def retranslate(self) -> None:
        self.contact_sheet_action.setText(_("Print &contact sheet …"))
        self.contact_sheet_action.setStatusTip(_("Creates the contact sheet of the person or "
                                                 "organisation and opens the print dialog."))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    # -- context menus -------------------------------------------------------------------

    def _on_list_menu(self, browser: Any, pos: QPoint) -> None:
        view: QTableView = browser.view
        index = view.indexAt(pos)
        if index.isValid() and not view.selectionModel().isRowSelected(index.row()):
            view.selectRow(index.row())
        self.window.update_actions()
        menu = QMenu(view)
        for name in ("edit_action", "archive_action"):
            action = getattr(self.window, name, None)
            if isinstance(action, QAction):
                menu.addAction(action)
        menu.addSeparator()
        self.add_to_menu(menu)
        _popup(menu, view.viewport().mapToGlobal(pos))

    def _on_detail_menu(self, browser: Any, pos: QPoint) -> None:
        pane: QTextBrowser = browser.detail
        menu = pane.createStandardContextMenu(pos)
        shown = pane.current_record()  # type: ignore[attr-defined]
        if shown is not None and shown[0] in SHEET_KINDS:
            menu.addSeparator()
            self.add_to_menu(menu)
        _popup(menu, pane.viewport().mapToGlobal(pos))

    def _name_of(self, kind: str, uid: str) -> str:
        browser = self.window.current_browser()
        if browser is not None:
            row = browser.model.row_at(browser.model.row_of(uid))
            if row is not None and row.uid == uid:
                return str(row.name)
        service = self.window.app.people if kind == "person" else self.window.app.organisations
        return str(service.get(uid).name)


def _popup(menu: QMenu, pos: QPoint) -> None:
    """Show the menu without a nested event loop; it deletes itself once closed."""
    menu.aboutToHide.connect(menu.deleteLater)
    menu.popup(pos)


def _custom_menu(widget: QWidget, handler: Any) -> None:
    """Route the widget's context menu to ``handler`` unless someone else already did."""
    if widget.contextMenuPolicy() != Qt.ContextMenuPolicy.DefaultContextMenu:
        return
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    widget.customContextMenuRequested.connect(handler)
