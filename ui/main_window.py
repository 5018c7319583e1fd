"""The main window: navigation, global search, the sections, menus and the status bar.

Hooks for the other parts of the window:

- ``set_section_widget(key, widget)`` puts a page into a section ("history", "tasks",
  "events", "reports"; the record sections can be replaced too). A page may implement
  ``refresh()`` (called by :meth:`refresh`) and ``open_record(uid)`` (search results and
  links of its type); it retranslates itself on LanguageChange.
- The actions ``new_person_action``, ``new_organisation_action``, ``edit_action``,
  ``archive_action``, ``undo_action`` and ``redo_action`` are connected by the editing
  controller (ui/editing.py); ``current_record()`` says what edit and archive act on, and
  ``on_record_changed(kind, uid)`` shows a change. Enter or a double-click on a row
  triggers ``edit_action``.
- ``refresh()`` after data changed; ``open_record(kind, uid)`` shows any record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _, ngettext
from crm.messages import error_message
from crm.services.listing_rows import MUNICIPALITIES, ORGANISATIONS, PERSONS
from ui.activity_wiring import install_activity
from ui.app import icon
from ui.detail.browser import RecordBrowser
from ui.detail.html import format_date
from ui.import_wizard import install_io_menu
from ui.main_actions import WindowActions
from ui.report_actions import install_reports
from ui.search_box import SearchBox
from ui.settings import WindowSettings
from ui.sidebar import Sidebar
from ui.task import TaskRunner

App = Any  # crm.app.App
RECORD_SECTIONS = (PERSONS, ORGANISATIONS, MUNICIPALITIES)
PAGE_SECTIONS = ("history", "tasks", "events", "reports")
SECTIONS = RECORD_SECTIONS + PAGE_SECTIONS
# The section that shows a search result or a link of this type.
TYPE_SECTION = {"person": PERSONS, "organisation": ORGANISATIONS,
                "municipality": MUNICIPALITIES, "interaction": "history", "follow_up": "tasks",
                "event": "events", "project": "reports"}
SECTION_TITLES: dict[str, Callable[[], str]] = {
    PERSONS: lambda: _("Persons"),
    ORGANISATIONS: lambda: _("Organisations"),
    MUNICIPALITIES: lambda: _("Municipalities"),
    "history": lambda: _("History"),
    "tasks": lambda: _("Tasks"),
    "events": lambda: _("Events"),
    "reports": lambda: _("Reports"),
}
# What a section holds, for the page shown until its own page is plugged in.
_ABOUT_TEXTS: dict[str, Callable[[], str]] = {
    "history": lambda: _("Meetings, calls, e-mails and visits with municipalities and "
                         "organisations, newest first."),
    "tasks": lambda: _("Follow-ups agreed in conversations, with their due dates."),
    "events": lambda: _("Workshops, seminars and conferences with their attendance lists."),
    "reports": lambda: _("Activity reports for the board and for funders, contact sheets "
                         "and directories as PDF."),
}


def _count_text(key: str, count: int) -> str:
    n = QLocale().toString(count)
    if key == "history":
        return ngettext("{n} conversation recorded.", "{n} conversations recorded.",
                        count).format(n=n)
    if key == "tasks":
        return ngettext("{n} open task.", "{n} open tasks.", count).format(n=n)
    return ngettext("{n} event recorded.", "{n} events recorded.", count).format(n=n)


class SectionInfoPage(QWidget):
    """A section's page until the module that lists its entries plugs in its own page
    (``MainWindow.set_section_widget``): what the section holds and how much of it."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.count: int | None = None
        self.title = QLabel()
        self.text = QLabel()
        self.amount = QLabel()
        for label in (self.text, self.amount):
            label.setWordWrap(True)
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.text.setStyleSheet("font-size: 11pt;")
        self.amount.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addWidget(self.title)
        layout.addSpacing(8)
        layout.addWidget(self.text)
        layout.addWidget(self.amount)
        layout.addStretch(1)
        self.retranslate()

    def set_count(self, count: int | None) -> None:
        self.count = count
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(SECTION_TITLES[self.key]())
        self.text.setText(_ABOUT_TEXTS[self.key]())
        if self.count is None:
            self.amount.hide()
        else:
            self.amount.setText(_count_text(self.key, self.count) if self.count else
                                _("No entries yet."))
            self.amount.show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class _Pages(dict[str, QWidget]):
    """The sections' pages. ``pages[key]`` builds a deferred page first (see
    :meth:`MainWindow.defer_section`); ``get`` and iterating do not."""

    def __init__(self, build: Callable[[str], None]) -> None:
        super().__init__()
        self._build = build

    def __getitem__(self, key: str) -> QWidget:
        self._build(key)
        return super().__getitem__(key)


class MainWindow(QMainWindow):
    section_changed = Signal(str)

    def __init__(self, app: App, settings: WindowSettings | None = None,
                 demo_loader: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.settings = settings or WindowSettings()
        self.runner = TaskRunner(self)
        self._demo_loader = demo_loader
        self._changed: tuple[str, str] | None = None
        self._change_timer = QTimer(self)
        self._change_timer.setSingleShot(True)
        self._change_timer.setInterval(0)
        self._change_timer.timeout.connect(self._apply_record_change)
        # Pages plugged in one after another (at start-up: five) count once, afterwards.
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(0)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self.section = PERSONS
        self._deferred: dict[str, Callable[[], object]] = {}  # see defer_section()
        self.pages: dict[str, QWidget] = _Pages(self._build_section)
        self.browsers: dict[str, RecordBrowser] = {}
        self.stack = QStackedWidget()
        self.sidebar = Sidebar([(k, SECTION_TITLES[k], icon(k)) for k in SECTIONS])
        self.search_box = SearchBox(app.search.search, self)
        self.map_widget = self._make_map()
        self._build_pages()
        self.actions_ = WindowActions(self)
        install_io_menu(self)  # File → Import …, Export …; Extras → Duplicates …
        actions = self.actions_
        # The names the dialog and undo code connect to (see the module docstring).
        self.new_person_action: QAction = actions.new_person
        self.new_organisation_action: QAction = actions.new_organisation
        self.edit_action: QAction = actions.edit
        self.archive_action: QAction = actions.archive
        self.undo_action: QAction = actions.undo
        self.redo_action: QAction = actions.redo
        self.search_action: QAction = actions.search
        self.mail_selection_action: QAction = actions.mail_selection
        self.quit_action: QAction = actions.quit
        from ui.privacy import PrivacyMenu

        self.privacy_menu = PrivacyMenu(self)  # "Privacy": consents, Art. 15/17, log, backup
        self._build_layout()
        self._build_status_bar()
        self._connect()
        install_reports(self)  # the Berichte page, "Print contact sheet …"
        self.activity = install_activity(self)  # Verlauf, Aufgaben, Veranstaltungen, Ctrl+L
        self.retranslate()
        self.refresh_counts()
        self.refresh_lists()
        self._restore()

    # -- public hooks --------------------------------------------------------------------

    def set_section_widget(self, key: str, widget: QWidget) -> None:
        """Show ``widget`` as the page of a section, replacing what was there."""
        if key not in SECTIONS:
            raise ValueError(key)
        deferred = self._deferred.pop(key, None) is not None
        old = self.pages.get(key)
        index = self.stack.indexOf(old) if old is not None else -1
        self.pages[key] = widget
        if not isinstance(widget, RecordBrowser):
            self.browsers.pop(key, None)
        if index >= 0:
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(old)
            old.deleteLater()
        else:
            self.stack.addWidget(widget)
        if key == self.section:
            self.stack.setCurrentWidget(widget)
        if not deferred:  # a deferred page was counted as plugged in already
            self._counts_timer.start()

    def defer_section(self, key: str, build: Callable[[], object]) -> None:
        """Build a section's page only when it is needed: when the section is shown, or
        after the window's first paint (:meth:`build_deferred_sections`), whichever comes
        first. ``build`` plugs the page in with :meth:`set_section_widget`."""
        if key not in SECTIONS:
            raise ValueError(key)
        self._deferred[key] = build

    def build_deferred_sections(self) -> None:
        """Build the pages still deferred (ui/app.py: once the list has painted)."""
        for key in list(self._deferred):
            self._build_section(key)

    def _build_section(self, key: str) -> None:
        build = self._deferred.pop(key, None)
        if build is not None:
            build()

    def current_record(self) -> tuple[str, str] | None:
        """(kind, uid) of the record edit and archive act on: the one shown in the current
        section's detail pane, else its selected row; None if there is none."""
        browser = self.current_browser()
        uid = browser.current_uid() if browser is not None else None
        return (browser.record_kind, uid) if browser is not None and uid else None

    def current_record_archived(self) -> bool:
        """Whether :meth:`current_record` is archived: the archive action then restores."""
        browser = self.current_browser()
        return browser is not None and browser.current_archived()

    def on_record_changed(self, kind: str, uid: str) -> None:
        """A record was created, changed, archived, restored (also by undo): show it.

        Several changes in a row (a handover changes three records) refresh once.
        """
        self._changed = (kind, uid)
        self._change_timer.start()

    def _apply_record_change(self) -> None:
        changed, self._changed = self._changed, None
        self.refresh()
        if changed is not None and TYPE_SECTION.get(changed[0]) == self.section:
            self.open_record(*changed)

    def open_record(self, kind: str, uid: str) -> None:
        """Switch to the record's section and show it.

        ``("history", "<kind>/<uid>")`` (a pane's ``bruecke:history/…`` link) opens the
        record's whole history in Verlauf; ``("consents", "<person uid>")`` (the person
        pane's ``bruecke:consents/…`` link) opens the person's consents."""
        if kind == "history":
            target_kind, _sep, target_uid = uid.partition("/")
            if target_kind and target_uid:
                self.activity.show_history_of(target_kind, target_uid)
            return
        if kind == "consents":
            self.privacy_menu.open_consents(uid)
            return
        section = TYPE_SECTION.get(kind)
        if section is None:
            return
        self.show_section(section)
        page = self.pages[section]
        opener = getattr(page, "open_record", None)
        if callable(opener):
            opener(uid)

    def show_section(self, key: str) -> None:
        if key not in self.pages:
            return
        self._build_section(key)
        self.section = key
        self.stack.setCurrentWidget(self.pages[key])
        self.sidebar.select("section", key)
        self.actions_.check_section(key)
        browser = self.browsers.get(key)
        if browser is not None:
            browser.ensure_loaded()  # its status text counts the rows
        self.section_label.setText(browser.status_text() if browser else "")
        if key == MUNICIPALITIES:
            self.refresh_map()
        self.update_actions()
        self.section_changed.emit(key)

    def current_browser(self) -> RecordBrowser | None:
        return self.browsers.get(self.section)

    def refresh(self) -> None:
        """Read everything shown again, after data changed (an edit, an import, undo …)."""
        for key, page in self.pages.items():
            refresh = getattr(page, "refresh", None)
            if callable(refresh):
                refresh()
            if key == self.section and key in self.browsers:
                self.section_label.setText(self.browsers[key].status_text())
        self.refresh_counts()
        self.refresh_lists()
        self.refresh_map()
        self.update_actions()

    def refresh_counts(self) -> None:
        self._counts_timer.stop()  # counted now: no need for the pending count
        try:
            counts = self.app.listing.counts()
        except Exception as exc:  # noqa: BLE001 - shown, the window stays usable
            self.statusBar().showMessage(error_message(exc), 10000)
            return
        values: dict[str, int | None] = {PERSONS: counts.persons,
                                         ORGANISATIONS: counts.organisations}
        if self._has_page("tasks"):
            values["tasks"] = counts.open_tasks
        if self._has_page("events"):
            values["events"] = counts.upcoming_events
        self.sidebar.set_counts(values)
        page_counts = {"history": counts.interactions, "tasks": counts.open_tasks,
                       "events": counts.events}
        for key, count in page_counts.items():
            page = self.pages.get(key)
            if isinstance(page, SectionInfoPage):
                page.set_count(count)
        demo = self._demo_loader is not None and counts.persons == counts.organisations == 0
        self.actions_.load_demo.setEnabled(demo)
        for browser in self.browsers.values():
            browser.set_demo_available(demo)

    def _has_page(self, key: str) -> bool:
        """Whether the section has its own page (or one that is built when needed)."""
        return key in self._deferred or not isinstance(self.pages.get(key), SectionInfoPage)

    def refresh_lists(self) -> None:
        """The saved distribution lists in the navigation."""
        try:
            self.sidebar.set_lists(self.app.listing.lists())
        except Exception as exc:  # noqa: BLE001
            self.statusBar().showMessage(error_message(exc), 10000)

    def refresh_map(self) -> None:
        if self.map_widget is None:
            return
        stats = self.app.listing.district_contacts()
        self.map_widget.set_contact_stats({
            ags: (s.count, s.days_since, format_date(s.last) if s.last else None)
            for ags, s in stats.items()
        })

    def update_actions(self) -> None:
        self.actions_.update_enabled()

    def retranslate(self) -> None:
        read_only = getattr(self, "read_only", False)  # set by ui.read_only
        self.setWindowTitle(_("Brücke – read-only") if read_only else _("Brücke"))
        self.actions_.retranslate()
        staff = self.app.current_staff
        if staff is None:
            self.staff_label.setText("")
        elif staff.name and staff.name != staff.initials:
            self.staff_label.setText(_("Staff member: {name} ({initials})").format(
                name=staff.name, initials=staff.initials))
        else:
            self.staff_label.setText(_("Staff member: {initials}").format(
                initials=staff.initials))
        location = self.location_label.fontMetrics().elidedText(
            str(self.app.location), Qt.TextElideMode.ElideMiddle, 360)
        self.location_label.setText(_("Database: {location}").format(location=location))
        self.location_label.setToolTip(str(self.app.location))
        browser = self.current_browser()
        self.section_label.setText(browser.status_text() if browser else "")

    def app_opened(self) -> None:
        """The app is open now (ui/app.py painted the first page read without it): the
        staff member shows, the lists are read through the services (kept when the same)."""
        self.retranslate()
        for browser in self.browsers.values():
            browser.reread()
        self.update_actions()

    def load_demo(self) -> None:
        from ui.main_actions import load_demo

        if self._demo_loader is not None:
            load_demo(self, self._demo_loader)

    def shutdown(self) -> None:
        """Wait for background work before the database closes."""
        self.runner.wait()
        for child in self.findChildren(TaskRunner):
            child.wait()

    # -- set-up --------------------------------------------------------------------------

    def _make_map(self) -> QWidget | None:
        try:
            from ui.map_widget import DistrictMapWidget
        except ImportError:  # the map is optional: the list works without it
            return None
        widget = DistrictMapWidget()
        widget.district_clicked.connect(self._on_map_widget_district_clicked)
        return widget

    def _build_pages(self) -> None:
        for key in SECTIONS:
            if key in RECORD_SECTIONS:
                top = self.map_widget if key == MUNICIPALITIES else None
                # Read when first shown: at start-up only the section painted reads its rows.
                browser = RecordBrowser(self.app, key, top=top, load=False)
                browser.set_demo_available(self._demo_loader is not None)
                self.browsers[key] = browser
                page: QWidget = browser
            else:
                page = SectionInfoPage(key)
            self.pages[key] = page
            self.stack.addWidget(page)

    def _build_layout(self) -> None:
        toolbar = QToolBar()
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for action in (self.actions_.new_person, self.actions_.new_organisation,
                       self.actions_.mail_selection):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addWidget(self.search_box)
        self.search_box.setMaximumWidth(560)
        self.toolbar = toolbar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.addWidget(self.sidebar)
        self.main_splitter.addWidget(self.stack)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setChildrenCollapsible(False)
        self.main_splitter.setSizes([200, 1100])
        self.sidebar.setMinimumWidth(160)
        self.setCentralWidget(self.main_splitter)

    def _build_status_bar(self) -> None:
        self.section_label = QLabel()
        self.staff_label = QLabel()
        self.location_label = QLabel()
        self.location_label.setMaximumWidth(460)
        self.location_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.section_label, self.staff_label, self.location_label):
            label.setTextFormat(Qt.TextFormat.PlainText)  # names and paths are not HTML
        bar = self.statusBar()
        bar.addWidget(self.section_label)
        bar.addPermanentWidget(self.staff_label)
        bar.addPermanentWidget(self.location_label)

    def _connect(self) -> None:
        self.sidebar.section_selected.connect(self.show_section)
        self.sidebar.list_selected.connect(self.actions_.apply_distribution_list)
        self.sidebar.list_delete_requested.connect(self.actions_.delete_distribution_list)
        self.search_box.record_requested.connect(self._on_search_box_record_requested)
        self.search_box.search_failed.connect(
            lambda exc: self.statusBar().showMessage(error_message(exc), 10000))
        for browser in self.browsers.values():
            browser.selection_changed.connect(self.update_actions)
            browser.detail.detail_shown.connect(lambda *_a: self.update_actions())
            browser.record_activated.connect(self.actions_.edit_record)
            browser.save_filter_requested.connect(self.actions_.save_distribution_list)
            browser.demo_requested.connect(self.load_demo)
            browser.status_message.connect(self._on_browser_status_message)

    def _restore(self) -> None:
        if not self.settings.restore_window(self):
            self.resize(1366, 768)
        for browser in self.browsers.values():
            browser.restore_state(self.settings)
        self.settings.restore_splitter("main", self.main_splitter)
        self.show_section(self.settings.last_section(PERSONS))

    # -- slots ---------------------------------------------------------------------------

    def _on_search_box_record_requested(self, kind: str, uid: str) -> None:
        self.open_record(kind, uid)

    def _on_map_widget_district_clicked(self, ags: str) -> None:
        try:
            place = self.app.municipalities.get(ags)
        except Exception as exc:  # noqa: BLE001
            self.statusBar().showMessage(error_message(exc), 10000)
            return
        self.open_record("municipality", place.uid)

    def _on_browser_status_message(self, text: str) -> None:
        browser = self.current_browser()
        if browser is not None and self.sender() is browser and text == browser.status_text():
            self.section_label.setText(text)
        else:
            self.statusBar().showMessage(text, 8000)

    # -- Qt overrides --------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)

    def save_state(self) -> None:
        self.settings.save_window(self)
        self.settings.save_splitter("main", self.main_splitter)
        for browser in self.browsers.values():
            browser.save_state(self.settings)
        self.settings.set_last_section(self.section)
        self.settings.sync()
