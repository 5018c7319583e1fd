"""One record section: the filter bar, the paged list and the detail pane in a splitter.

The Kommunen section puts the cooperation map above its list.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _, ngettext
from crm.messages import error_message
from crm.services.listing_rows import MUNICIPALITIES, ORGANISATIONS, PERSONS, ListFilter
from ui.detail.filter_bar import FilterBar
from ui.detail.pane import DetailPane
from ui.list_models import RecordTableModel
from ui.settings import WindowSettings

App = Any  # crm.app.App
RECORD_KIND = {PERSONS: "person", ORGANISATIONS: "organisation",
               MUNICIPALITIES: "municipality"}
SELECTION_DELAY_MS = 60


class _EmptyState(QLabel):
    """The text over an empty list: what to do next."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view.viewport())
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setContentsMargins(24, 24, 24, 24)
        self.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        view.viewport().installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(event, QResizeEvent):
            self.setGeometry(0, 0, event.size().width(), min(event.size().height(), 220))
        return False


class RecordBrowser(QWidget):
    """The list of one kind with its filter bar and detail pane."""

    selection_changed = Signal()
    record_activated = Signal(str, str)  # kind ("person" …), uid: Enter or double-click
    save_filter_requested = Signal()
    demo_requested = Signal()
    status_message = Signal(str)

    def __init__(self, app: App, kind: str, top: QWidget | None = None,
                 parent: QWidget | None = None, *, load: bool = True) -> None:
        """``load=False``: the list and the filter's choices are read when the browser is
        first shown (or :meth:`ensure_loaded`), not now: the window builds every section
        but paints only one at start-up."""
        super().__init__(parent)
        self._app = app
        self.kind = kind
        self.record_kind = RECORD_KIND[kind]
        self.filter_bar = FilterBar(kind)
        self.model = RecordTableModel(app.listing, kind, load=load, parent=self)
        self._options_loaded = False
        self.view = QTableView()
        self.detail = DetailPane(app)
        self.empty_state = _EmptyState(self.view)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top = top
        self.list_splitter: QSplitter | None = None
        self._demo_available = False
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_DELAY_MS)
        self._selection_timer.timeout.connect(self._show_selected)
        self._setup_view()
        self._layout()
        self._connect()
        self.retranslate()
        if load:
            self.load_options()

    # -- public API ----------------------------------------------------------------------

    def ensure_loaded(self) -> None:
        """Read the list and the filter's choices if that has not happened yet."""
        if not self._options_loaded:
            self.load_options()
        self.model.ensure_loaded()

    def open_record(self, uid: str) -> None:
        """Select the record if it is in the fetched rows and show its details."""
        self.ensure_loaded()
        row = self.model.row_of(uid)
        blocked = self.view.selectionModel().blockSignals(True)
        if row >= 0:
            self.view.selectRow(row)
            self.view.scrollTo(self.model.index(row, 0))
        else:
            self.view.clearSelection()
        self.view.selectionModel().blockSignals(blocked)
        self.detail.show_record(self.record_kind, uid)
        self.selection_changed.emit()

    def selected_rows(self) -> list[Any]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [r for r in (self.model.row_at(i) for i in rows) if r is not None]

    def current_uid(self) -> str | None:
        """The one selected row's record, else the record the detail pane shows."""
        selected = self.selected_rows()
        if len(selected) == 1:
            return selected[0].uid
        shown = self.detail.current_record()
        return shown[1] if shown is not None else None

    def current_archived(self) -> bool:
        """Whether :meth:`current_uid`'s record is archived: as the detail pane shows it once
        loaded, until then as the list's filter says (it shows either archived or not)."""
        uid = self.current_uid()
        if uid is None:
            return False
        if self.detail.current_record() == (self.record_kind, uid):
            shown = self.detail.shown_archived()
            if shown is not None:
                return shown
        return self.filter_bar.current_filter().archived

    def apply_filter(self, flt: ListFilter) -> None:
        self.filter_bar.set_filter(flt)
        self._on_filter_bar_filter_changed(flt)

    def refresh(self) -> None:
        """Fetch again (after changes elsewhere), keeping the filter, order and record."""
        if not self.model.loaded:  # never shown: it reads everything when it is
            return
        shown = self.detail.current_record()
        self.model.reload()
        self.load_options()
        if shown is not None:
            self.open_record(shown[1])

    def reread(self) -> None:
        """The app has opened (ui/app.py painted rows read without it): read the rows
        through the listing service; reloaded only if they differ."""
        if self.model.reread():
            self.refresh()

    def set_demo_available(self, available: bool) -> None:
        """Whether the empty list offers to load the demo network."""
        self._demo_available = available
        self._update_empty_state()

    def load_options(self) -> None:
        tags = [t.name for t in self._app.listing.tags()] if self.kind != MUNICIPALITIES else []
        places = [(m.uid, m.name) for m in self._app.municipalities.districts()]
        self.filter_bar.set_options(tags, places)
        self._options_loaded = True

    def save_state(self, settings: WindowSettings) -> None:
        settings.save_splitter(self.kind, self.splitter)
        settings.save_header(self.kind, self.view.horizontalHeader())
        if self.list_splitter is not None:
            settings.save_splitter(f"{self.kind}/map", self.list_splitter)

    def restore_state(self, settings: WindowSettings) -> None:
        settings.restore_splitter(self.kind, self.splitter)
        header = self.view.horizontalHeader()
        if settings.restore_header(self.kind, header):
            self._sync_sort_indicator()
        if self.list_splitter is not None:
            settings.restore_splitter(f"{self.kind}/map", self.list_splitter)

    def retranslate(self) -> None:
        self.model.retranslate()
        self.view.setAccessibleName({PERSONS: _("Persons"), ORGANISATIONS: _("Organisations"),
                                     MUNICIPALITIES: _("Municipalities")}[self.kind])
        self._update_empty_state()

    def status_text(self) -> str:
        total = self.model.total
        return {
            PERSONS: lambda: ngettext("{n} person", "{n} persons", total),
            ORGANISATIONS: lambda: ngettext("{n} organisation", "{n} organisations", total),
            MUNICIPALITIES: lambda: ngettext("{n} municipality", "{n} municipalities", total),
        }[self.kind]().format(n=_number(total))

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure_loaded()  # before the first paint of a browser built with load=False
        super().showEvent(event)

    # -- set-up --------------------------------------------------------------------------

    def _setup_view(self) -> None:
        view = self.view
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setShowGrid(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        widths = {"name": 230, "organisation": 200, "role": 160, "municipality": 140,
                  "email": 200, "short_name": 100, "kind": 150, "level": 130, "parent": 180,
                  "ags": 80}
        for column in range(self.model.columnCount()):
            header.resizeSection(column, widths.get(self.model.column_key(column), 120))

    def _layout(self) -> None:
        lists: QWidget = self.view
        if self.top is not None:
            self.list_splitter = QSplitter(Qt.Orientation.Vertical)
            self.list_splitter.addWidget(self.top)
            self.list_splitter.addWidget(self.view)
            self.list_splitter.setStretchFactor(0, 1)
            self.list_splitter.setStretchFactor(1, 1)
            self.list_splitter.setChildrenCollapsible(False)
            self.list_splitter.setSizes([340, 300])
            lists = self.list_splitter
        self.splitter.addWidget(lists)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([640, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.filter_bar.filter_changed.connect(self._on_filter_bar_filter_changed)
        self.filter_bar.save_requested.connect(self.save_filter_requested)
        self.view.selectionModel().selectionChanged.connect(
            lambda *_args: self._selection_timer.start())
        self.view.activated.connect(self._on_view_activated)
        self.view.horizontalHeader().sortIndicatorChanged.connect(
            self._on_header_sort_indicator_changed)
        self.model.modelReset.connect(self._update_empty_state)
        self.model.failed.connect(self._on_model_failed)
        self.detail.record_requested.connect(self._on_detail_record_requested)
        self.empty_state.linkActivated.connect(self._on_empty_state_link_activated)

    # -- slots ---------------------------------------------------------------------------

    def _on_filter_bar_filter_changed(self, flt: ListFilter) -> None:
        self.model.set_filter(flt)
        self.detail.clear_record()
        self.status_message.emit(self.status_text())
        self.selection_changed.emit()

    def _on_header_sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        if not self.model.is_sortable(column):
            self._sync_sort_indicator()
            self.status_message.emit(_("This column cannot be sorted."))
            return
        self.model.sort(column, order)

    def _sync_sort_indicator(self) -> None:
        sort = self.model.sort_order
        header = self.view.horizontalHeader()
        blocked = header.blockSignals(True)
        header.setSortIndicator(self.model.column_of(sort.column),
                                Qt.SortOrder.DescendingOrder if sort.descending
                                else Qt.SortOrder.AscendingOrder)
        header.blockSignals(blocked)

    def _show_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.detail.show_record(self.record_kind, rows[0].uid)
        elif rows:
            self.detail.clear_record(ngettext("{n} entry selected.", "{n} entries selected.",
                                              len(rows)).format(n=len(rows)))
        self.selection_changed.emit()

    def _on_view_activated(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.record_activated.emit(self.record_kind, rows[0].uid)

    def _on_detail_record_requested(self, kind: str, uid: str) -> None:
        # Links inside the pane are handled by the window, which knows every section.
        window = self.window()
        opener = getattr(window, "open_record", None)
        if callable(opener):
            opener(kind, uid)

    def _on_model_failed(self, exc: Exception) -> None:
        self.status_message.emit(error_message(exc))

    def _on_empty_state_link_activated(self, link: str) -> None:
        if link == "#demo":
            self.demo_requested.emit()
        elif link == "#reset":
            self.apply_filter(ListFilter())

    def _update_empty_state(self) -> None:
        if self.model.total or not self.model.loaded:
            self.empty_state.hide()
            return
        if not self.model.list_filter.is_empty:
            text = _("No entries match the filter.")
            link = _("Reset the filter")
            html = f'{_escape(text)}<br><a href="#reset">{_escape(link)}</a>'
        else:
            html = self._first_steps()
        self.empty_state.setText(html)
        self.empty_state.show()

    def _first_steps(self) -> str:
        if self.kind == MUNICIPALITIES:
            return _escape(_("No municipalities."))
        if self.kind == PERSONS:
            keys = _shortcut("Ctrl+N")
            text = (_("No persons yet. Create one with {keys} or load the demo network.")
                    if self._demo_available else _("No persons yet. Create one with {keys}."))
        else:
            keys = _shortcut("Ctrl+Shift+N")
            text = (_("No organisations yet. Create one with {keys} or load the demo "
                      "network.") if self._demo_available
                    else _("No organisations yet. Create one with {keys}."))
        html_text = _escape(text.format(keys=keys))
        if self._demo_available:
            link = _("Load the demo network")
            html_text += f'<br><br><a href="#demo">{_escape(link)}</a>'
        return html_text


def _shortcut(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def _escape(text: str) -> str:
    return html.escape(text)


def _number(value: int) -> str:
    return QLocale().toString(value)
