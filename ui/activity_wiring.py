"""The activity pages and the quick log plugged into the main window (see
:class:`ActivityWiring`). The pages and the quick log dialog are imported when first used:
none of them is needed for the window's first paint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton

from crm.i18n import _
from crm.messages import error_message
from ui.detail.activity import overdue_message
from ui.detail.html import format_moment
from ui.task import guarded

if TYPE_CHECKING:
    from crm.services.activity_rows import InteractionDetail
    from ui.events_view import EventsView
    from ui.history_view import HistoryView
    from ui.quick_log import QuickLogDialog
    from ui.tasks_view import TasksView


class ActivityWiring(QObject):
    """Plugs the activity pages and the quick log into the main window.

    - Verlauf / Aufgaben / Veranstaltungen get :class:`HistoryView`, :class:`TasksView`,
      :class:`EventsView` (via ``window.set_section_widget``);
    - "Quick log" (Ctrl+L, from anywhere in the application) and "Log interaction with
      this record" (Ctrl+Shift+L, the person, organisation or municipality shown) open the
      quick log, non-modal, one at a time; "Show history" (Ctrl+Shift+H) shows the record's
      timeline in Verlauf;
    - on start, a quiet status-bar button tells what is overdue for the current staff member.
    """

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.app = window.app
        self._pages: dict[str, Any] = {}
        self.dialog: QuickLogDialog | None = None
        # The pages are built when first needed: shown, used (self.history …), or after the
        # window's first paint (MainWindow.defer_section) — not before the list is painted.
        for key in _PAGE_KEYS:
            window.defer_section(key, lambda key=key: self._page(key))
        self.quick_log_action = self._action("Ctrl+L", Qt.ShortcutContext.ApplicationShortcut,
                                             lambda: self.open_quick_log())
        self.log_record_action = self._action("Ctrl+Shift+L", Qt.ShortcutContext.WindowShortcut,
                                              self.log_current_record)
        self.history_action = self._action("Ctrl+Shift+H", Qt.ShortcutContext.WindowShortcut,
                                           self.show_current_history)
        self._add_to_menus()
        self.overdue_button = QPushButton(window)
        self.overdue_button.setFlat(True)
        self.overdue_button.setStyleSheet("color: #b3261e; text-align: left;")
        self.overdue_button.hide()
        self.overdue_button.clicked.connect(self._on_overdue_button_clicked)
        window.statusBar().addWidget(self.overdue_button)
        window.section_changed.connect(self._on_window_section_changed)
        for browser in window.browsers.values():
            browser.selection_changed.connect(self.update_enabled)
        window.installEventFilter(self)
        self.retranslate()
        self.update_enabled()
        QTimer.singleShot(0, self.check_overdue)

    @property
    def history(self) -> HistoryView:
        return cast("HistoryView", self._page("history"))

    @property
    def tasks(self) -> TasksView:
        return cast("TasksView", self._page("tasks"))

    @property
    def events(self) -> EventsView:
        return cast("EventsView", self._page("events"))

    def _page(self, key: str) -> Any:
        """The page of Verlauf, Aufgaben or Veranstaltungen, plugged into the window on first
        use."""
        page = self._pages.get(key)
        if page is not None:
            return page
        from ui.history_view import window_undo_stack

        if key == "history":
            from ui.history_view import HistoryView

            page = HistoryView(self.app, window_undo_stack(self.window))
        elif key == "tasks":
            from ui.tasks_view import TasksView

            page = TasksView(self.app, window_undo_stack(self.window))
        else:
            from ui.events_view import EventsView

            page = EventsView(self.app)
        self._pages[key] = page
        self.window.set_section_widget(key, page)
        page.record_requested.connect(self.window.open_record)
        page.data_changed.connect(self._on_page_data_changed)
        page.status_message.connect(self._show_message)
        return page

    def _action(self, keys: str, context: Qt.ShortcutContext,
                slot: Any) -> QAction:
        action = QAction(self.window)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(context)
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        return action

    def _add_to_menus(self) -> None:
        actions = getattr(self.window, "actions_", None)
        menu = getattr(actions, "file_menu", None)
        if menu is not None:
            first = menu.actions()[0] if menu.actions() else None
            menu.insertAction(first, self.quick_log_action)
            menu.insertAction(first, self.log_record_action)
            menu.insertSeparator(first)
        view_menu = getattr(actions, "view_menu", None)
        if view_menu is not None:
            view_menu.addAction(self.history_action)
        toolbar = getattr(self.window, "toolbar", None)
        if toolbar is not None:
            first_tool = toolbar.actions()[0] if toolbar.actions() else None
            toolbar.insertAction(first_tool, self.quick_log_action)
            self.quick_log_action.setIcon(_icon("history"))

    # -- actions -------------------------------------------------------------------------

    def open_quick_log(self, context: tuple[str, str] | None = None) -> QuickLogDialog:
        """Show the quick log (non-modal; a second Ctrl+L brings the open one forward)."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        from ui.quick_log import QuickLogDialog  # (imported on first use, not at start)

        dialog = QuickLogDialog(self.app, context, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.logged.connect(self._on_dialog_logged)
        dialog.destroyed.connect(lambda *_a: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def log_current_record(self) -> None:
        record = self.window.current_record()
        self.open_quick_log(record if record and record[0] in _CONTEXT_KINDS else None)

    def show_current_history(self) -> None:
        record = self.window.current_record()
        if record and record[0] in _CONTEXT_KINDS:
            self.show_history_of(*record)

    def show_history_of(self, kind: str, uid: str) -> None:
        """Verlauf with only this person's, organisation's or municipality's entries (the
        target of ``bruecke:history/<kind>/<uid>`` links in the detail panes)."""
        if kind not in _CONTEXT_KINDS:
            return
        try:
            service = {"person": self.app.people, "organisation": self.app.organisations,
                       "municipality": self.app.municipalities}[kind]
            name = service.get(uid).name
        except Exception as exc:  # noqa: BLE001
            self._show_message(error_message(exc))
            return
        self.history.show_timeline_of(kind, uid, name)
        self.window.show_section("history")

    def check_overdue(self) -> None:
        """The start-up notice, read off the GUI thread."""
        followups = self.app.followups
        self.window.runner.start(
            followups.overdue_for,
            guarded(self.overdue_button,
                    lambda rows: self._show_overdue(overdue_message(rows))),
            lambda _exc: None)

    def update_enabled(self) -> None:
        record = self.window.current_record()
        enabled = bool(record) and record[0] in _CONTEXT_KINDS
        self.log_record_action.setEnabled(enabled)
        self.history_action.setEnabled(enabled)

    def retranslate(self) -> None:
        texts = ((self.quick_log_action, _("&Quick log …"), "Ctrl+L"),
                 (self.log_record_action, _("&Log interaction with this record …"),
                  "Ctrl+Shift+L"),
                 (self.history_action, _("History of this &record"), "Ctrl+Shift+H"))
        for action, text, keys in texts:
            action.setText(text)
            native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text.replace('&', '').rstrip(' …')} ({native})")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    # -- slots ---------------------------------------------------------------------------

    def _show_overdue(self, text: str | None) -> None:
        self.overdue_button.setText(f"⚠ {text}" if text else "")
        self.overdue_button.setVisible(bool(text))
        keys = QKeySequence("Ctrl+5").toString(QKeySequence.SequenceFormat.NativeText)
        self.overdue_button.setToolTip(_("Show the tasks ({keys})").format(keys=keys))

    def _on_overdue_button_clicked(self) -> None:
        self.window.show_section("tasks")

    def _on_window_section_changed(self, key: str) -> None:
        if key == "tasks":
            self.overdue_button.hide()
        self.update_enabled()

    def _on_dialog_logged(self, detail: InteractionDetail) -> None:
        self.window.refresh()
        self._show_message(_("Saved: “{subject}” ({moment}).").format(
            subject=detail.subject, moment=format_moment(detail.occurred_at)))

    def _on_page_data_changed(self) -> None:
        self.window.refresh_counts()

    def _show_message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)


_CONTEXT_KINDS = ("person", "organisation", "municipality")
_PAGE_KEYS = ("history", "tasks", "events")


def _icon(name: str) -> Any:
    from ui.app import icon

    return icon(name)


def install_activity(window: Any) -> ActivityWiring:
    """Called once by the main window's constructor (see :class:`ActivityWiring`)."""
    return ActivityWiring(window)
