"""The history (Verlauf): interactions and events, newest first, filterable and paged.

- :class:`TimelineModel` — one page at a time from ``app.interactions.timeline``.
- :class:`TimelineWidget` — the table over a :class:`TimelineFilter`; the detail panes can
  embed it for one person, organisation or municipality (``TimelineFilter(person=uid)``).
- :func:`recent_html` / :func:`load_recent` — the latest entries and the last contact as an
  HTML section for the existing detail panes (load on the worker thread, render on the GUI).
- :class:`HistoryView` — the Verlauf section: filter bar, timeline, the full entry beside it;
  Enter or a double-click opens the entry to edit or delete it (undoable).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm.errors import BrueckeError, NotFoundError, ValidationError
from crm.i18n import _
from crm.messages import error_message, value_label
from crm.services.activity_rows import (
    INTERACTION_KINDS,
    InteractionDetail,
    TimelineEntry,
    TimelineFilter,
)
from crm.services.dates import parse_day
from ui.app import icon
from ui.detail.activity import capital, event_html, interaction_html, kind_text, participants_text
from ui.detail.html import RECORD_SCHEME, empty, format_moment, page
from ui.field_errors import mark_invalid
from ui.task import TaskRunner, guarded
from ui.undo import ServiceCommand

App = Any  # crm.app.App
PAGE_SIZE = 100
UID_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
UndoStackSource = Callable[[], QUndoStack | None]


# -- the model --------------------------------------------------------------------------------

COLUMNS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("date", lambda: _("Date")),
    ("kind", lambda: _("Kind")),
    ("participants", lambda: _("Participants")),
    ("subject", lambda: _("Subject")),
    ("notes", lambda: _("Notes")),
)


class TimelineModel(QAbstractTableModel):
    """Timeline entries, newest first, fetched a page at a time.

    :meth:`reset_rows` takes the first page (loaded on a worker by the widget);
    :meth:`fetchMore` reads the next page when the view scrolls down.
    """

    failed = Signal(Exception)

    def __init__(self, interactions: Any, page_size: int = PAGE_SIZE,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interactions = interactions
        self._page_size = page_size
        self._filter = TimelineFilter()
        self._rows: list[TimelineEntry] = []
        self._total = 0
        self._fetching = False

    @property
    def total(self) -> int:
        return self._total

    @property
    def timeline_filter(self) -> TimelineFilter:
        return self._filter

    def first_page(self, flt: TimelineFilter) -> tuple[int, list[TimelineEntry]]:
        """Count and read the first page (service calls only: for the worker thread)."""
        total = self._interactions.timeline_count(flt)
        return total, list(self._interactions.timeline(flt, offset=0, limit=self._page_size))

    def reset_rows(self, flt: TimelineFilter, total: int, rows: list[TimelineEntry]) -> None:
        self.beginResetModel()
        self._filter, self._total, self._rows = flt, max(total, len(rows)), list(rows)
        self.endResetModel()

    def reload(self) -> None:
        """Read the first page again, here and now (tests; small timelines)."""
        try:
            total, rows = self.first_page(self._filter)
        except Exception as exc:  # noqa: BLE001 - shown by the view
            self.reset_rows(self._filter, 0, [])
            self.failed.emit(exc)
            return
        self.reset_rows(self._filter, total, rows)

    def entry_at(self, row: int) -> TimelineEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, uid: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.uid == uid), -1)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    # -- Qt overrides --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(entry, key)
        if role == UID_ROLE:
            return entry.uid
        if role == ENTRY_ROLE:
            return entry
        return None

    @staticmethod
    def _text(entry: TimelineEntry, key: str) -> str:
        if key == "date":
            return format_moment(entry.occurred_at)
        if key == "kind":
            return kind_text(entry)
        if key == "participants":
            return participants_text(entry)
        if key == "subject":
            return entry.subject
        return entry.excerpt

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section][1]()
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._fetching:
            return
        self._fetching = True
        try:
            start = len(self._rows)
            try:
                batch = list(self._interactions.timeline(self._filter, offset=start,
                                                         limit=self._page_size))
            except Exception as exc:  # noqa: BLE001 - shown by the view
                self._total = start
                self.failed.emit(exc)
                return
            if not batch:
                self._total = start
                return
            self.beginInsertRows(QModelIndex(), start, start + len(batch) - 1)
            self._rows.extend(batch)
            self.endInsertRows()
        finally:
            self._fetching = False


class TimelineWidget(QWidget):
    """A timeline table for a filter: the Verlauf section, or one record's history."""

    loaded = Signal(int)  # total, after the first page arrived
    entry_activated = Signal(object)  # TimelineEntry: Enter or double-click
    current_changed = Signal(object)  # TimelineEntry | None
    failed = Signal(Exception)

    def __init__(self, app: App, flt: TimelineFilter | None = None, *, compact: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._filter = flt or TimelineFilter()
        self._runner = TaskRunner(self)
        self._sequence = 0
        self._select_after: str | None = None
        self.model = TimelineModel(app.interactions, parent=self)
        self.view = QTableView(self)
        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.empty_label.hide()
        self._setup_view(compact)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)
        self.model.failed.connect(self.failed)
        self.view.activated.connect(self._on_view_activated)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_changed)
        self.reload()

    def _setup_view(self, compact: bool) -> None:
        view = self.view
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setShowGrid(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate((140, 125, 200, 220)):
            header.resizeSection(column, width)
        if compact:
            view.setColumnHidden(len(COLUMNS) - 1, True)

    # -- public API ----------------------------------------------------------------------

    @property
    def timeline_filter(self) -> TimelineFilter:
        return self._filter

    def set_filter(self, flt: TimelineFilter) -> None:
        self._filter = flt
        self.reload()

    def reload(self, select_uid: str | None = None) -> None:
        """Read the first page again on the worker thread; keep or pick the selection."""
        current = self.current_entry()
        self._select_after = select_uid or (current.uid if current else None)
        self._sequence += 1
        sequence, flt, model = self._sequence, self._filter, self.model
        self._runner.start(lambda: model.first_page(flt),
                           guarded(self, lambda result: self._on_loaded(sequence, flt, result)),
                           guarded(self, lambda exc: self._on_failed(sequence, exc)))

    @property
    def loading(self) -> bool:
        return self._runner.busy

    def current_entry(self) -> TimelineEntry | None:
        index = self.view.currentIndex()
        return self.model.entry_at(index.row()) if index.isValid() else None

    def select_uid(self, uid: str) -> bool:
        row = self.model.row_of(uid)
        if row < 0:
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        return True

    def retranslate(self) -> None:
        self.model.retranslate()
        self.empty_label.setText(_("No entries match the filter.")
                                 if self._filter != TimelineFilter() else
                                 _("Nothing logged yet. Log a meeting with Ctrl+L."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- slots ---------------------------------------------------------------------------

    def _on_loaded(self, sequence: int, flt: TimelineFilter,
                   result: tuple[int, list[TimelineEntry]]) -> None:
        if sequence != self._sequence:
            return
        total, rows = result
        self.model.reset_rows(flt, total, rows)
        self.retranslate()
        self.empty_label.setVisible(total == 0)
        if self._select_after and not self.select_uid(self._select_after):
            self.current_changed.emit(None)
        self._select_after = None
        self.loaded.emit(total)

    def _on_failed(self, sequence: int, exc: Exception) -> None:
        if sequence == self._sequence:
            self.model.reset_rows(self._filter, 0, [])
            self.failed.emit(exc)
            self.loaded.emit(0)

    def _on_view_activated(self, index: QModelIndex) -> None:
        entry = self.model.entry_at(index.row())
        if entry is not None:
            self.entry_activated.emit(entry)

    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_changed.emit(self.model.entry_at(current.row())
                                  if current.isValid() else None)


# -- undo -------------------------------------------------------------------------------------

class ViewReporter:
    """What undo/redo of a view's commands report to (ui/undo.py's Reporter protocol)."""

    def __init__(self, changed: Callable[[str, str], None],
                 failed: Callable[[str], None]) -> None:
        self._changed = changed
        self._failed = failed

    def changed(self, kind: str, uid: str) -> None:
        self._changed(kind, uid)

    def failed(self, exc: BrueckeError, step: str, name: str) -> None:
        self._failed(_("“{step}” cannot be undone: {reason}").format(
            step=step, reason=error_message(exc)))


class DeleteInteractionCommand(ServiceCommand):
    """A deleted interaction: undo restores it (same uid), redo deletes it again."""

    def __init__(self, interactions: Any, snapshot: Any, reporter: Any) -> None:
        super().__init__(_("Delete “{subject}”").format(subject=snapshot.subject), reporter,
                         snapshot.subject)
        self._interactions = interactions
        self.snapshot = snapshot

    def revert(self) -> None:
        self._interactions.restore_deleted(self.snapshot)
        self._reporter.changed("interaction", self.snapshot.uid)

    def apply(self) -> None:
        self.snapshot = self._interactions.delete(self.snapshot.uid)
        self._reporter.changed("interaction", self.snapshot.uid)


class UndoNotice(QFrame):
    """A quiet line above a list: what just happened, with an Undo button while the step
    is the newest on its undo stack."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoNotice")
        self.setStyleSheet("#undoNotice { background: #e8f0fe; border-radius: 4px; }")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton(self)
        self.undo_button.setIcon(icon("undo"))
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 3, 4, 3)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self._stack: QUndoStack | None = None
        self._command: Any = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(15000)
        self._timer.timeout.connect(self.hide)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.close_button.clicked.connect(self.hide)
        self.retranslate()
        self.hide()

    def show_message(self, text: str, stack: QUndoStack | None = None,
                     command: Any = None) -> None:
        if self._stack is not None:
            with contextlib.suppress(RuntimeError):
                self._stack.indexChanged.disconnect(self._on_stack_index_changed)
        self._stack, self._command = stack, command
        if stack is not None:
            stack.indexChanged.connect(self._on_stack_index_changed)
        self.label.setText(text)
        self.undo_button.setVisible(stack is not None and command is not None)
        self.show()
        self._timer.start()

    def retranslate(self) -> None:
        self.undo_button.setText(_("Undo"))
        self.close_button.setToolTip(_("Close"))

    def _top_is_mine(self) -> bool:
        stack = self._stack
        try:
            return (stack is not None and stack.index() > 0
                    and stack.command(stack.index() - 1) is self._command)
        except RuntimeError:  # the stack is being destroyed with its window
            self._stack = None
            return False

    def _on_stack_index_changed(self, _index: int) -> None:
        if not self._top_is_mine():
            self.undo_button.hide()

    def _on_undo_button_clicked(self) -> None:
        if self._top_is_mine() and self._stack is not None:
            self._stack.undo()
        self.hide()


def undo_stack_of(source: UndoStackSource | None, fallback: QUndoStack) -> QUndoStack:
    stack = source() if source is not None else None
    return stack if stack is not None else fallback


def window_undo_stack(window: QWidget) -> UndoStackSource:
    """The editing controller's stack, once ui/app.py has connected it (window.editing)."""
    def source() -> QUndoStack | None:
        editing = getattr(window, "editing", None)
        return getattr(editing, "undo_stack", None)
    return source


# -- the full entry ---------------------------------------------------------------------------

class EntryDialog(QDialog):
    """One entry in full; for an interaction with Edit (F2) and Delete (Del)."""

    EDIT, DELETE = "edit", "delete"
    record_requested = Signal(str, str)

    def __init__(self, html_text: str, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: str | None = None
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setHtml(html_text)
        self.browser.anchorClicked.connect(self._on_browser_anchor_clicked)
        self.buttons = QDialogButtonBox(self)
        self.edit_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.delete_button = self.buttons.addButton(
            "", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.edit_button.clicked.connect(lambda: self._choose(self.EDIT))
        self.delete_button.clicked.connect(lambda: self._choose(self.DELETE))
        for button in (self.edit_button, self.delete_button):
            button.setVisible(editable)
            button.setAutoDefault(False)  # Enter never deletes
        self.close_button.setDefault(True)
        self._shortcuts = []
        if editable:
            for key, choice in (("F2", self.EDIT), (QKeySequence.StandardKey.Delete,
                                                     self.DELETE)):
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.activated.connect(lambda c=choice: self._choose(c))
                self._shortcuts.append(shortcut)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 560)
        self.retranslate()

    @classmethod
    def ask(cls, parent: QWidget | None, html_text: str, editable: bool) -> str | None:
        """Show the entry; "edit", "delete" or None (closed)."""
        dialog = cls(html_text, editable, parent)
        if parent is not None and hasattr(parent, "record_requested"):
            dialog.record_requested.connect(parent.record_requested)
            dialog.record_requested.connect(dialog.reject)
        try:
            dialog.exec()
            return dialog.choice
        finally:
            dialog.deleteLater()

    def retranslate(self) -> None:
        self.setWindowTitle(_("History entry"))
        self.edit_button.setText(_("Edit … (F2)"))
        self.delete_button.setText(_("Delete (Del)"))
        self.close_button.setText(_("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == RECORD_SCHEME:
            kind, _sep, uid = url.path().partition("/")
            if kind and uid:
                self.record_requested.emit(kind, uid)


# -- the filter bar ---------------------------------------------------------------------------

class HistoryFilterBar(QWidget):
    """Kind, staff member, tag, project, date range and text; emits the whole filter."""

    filter_changed = Signal(object)  # TimelineFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = QLineEdit(self)
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setMinimumWidth(160)
        self.kind_combo = QComboBox(self)
        self.staff_combo = QComboBox(self)
        self.tag_combo = QComboBox(self)
        self.project_combo = QComboBox(self)
        self.project_combo.setMaximumWidth(220)
        self.from_edit = QLineEdit(self)
        self.to_edit = QLineEdit(self)
        for edit in (self.from_edit, self.to_edit):
            edit.setMaximumWidth(120)
        self.reset_button = QToolButton(self)
        self.reset_button.setIcon(icon("filter-reset"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        for widget in (self.text_edit, self.kind_combo, self.staff_combo, self.tag_combo,
                       self.project_combo, self.from_edit, self.to_edit, self.reset_button):
            layout.addWidget(widget)
        layout.setStretch(0, 1)
        self.text_edit.textEdited.connect(lambda _t: self._timer.start())
        self.from_edit.textEdited.connect(lambda _t: self._timer.start())
        self.to_edit.textEdited.connect(lambda _t: self._timer.start())
        for combo in (self.kind_combo, self.staff_combo, self.tag_combo, self.project_combo):
            combo.activated.connect(lambda _i: self._emit())
        self.reset_button.clicked.connect(self.reset)
        self.set_options([], [], [])
        self.retranslate()

    def set_options(self, staff: Sequence[Any], tags: Sequence[str],
                    projects: Sequence[Any]) -> None:
        """Fill the choices, keeping what is selected."""
        choices = ((self.staff_combo, [(f"{s.name} ({s.initials})", s.initials) for s in staff]),
                   (self.tag_combo, [(t, t) for t in tags]),
                   (self.project_combo, [(p.name, p.uid) for p in projects]))
        for combo, items in choices:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("", None)
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)
        if self.kind_combo.count() == 0:
            self.kind_combo.addItem("", None)
            for kind in INTERACTION_KINDS:
                self.kind_combo.addItem("", kind)
        self.retranslate()

    def current_filter(self) -> TimelineFilter:
        kind = self.kind_combo.currentData()
        return TimelineFilter(
            kinds=(kind,) if kind else (), staff=self.staff_combo.currentData(),
            tag=self.tag_combo.currentData(), project=self.project_combo.currentData(),
            date_from=self._day(self.from_edit), date_to=self._day(self.to_edit),
            text=self.text_edit.text().strip())

    def reset(self) -> None:
        for combo in (self.kind_combo, self.staff_combo, self.tag_combo, self.project_combo):
            combo.setCurrentIndex(0)
        for edit in (self.text_edit, self.from_edit, self.to_edit):
            edit.clear()
        self._emit()

    def retranslate(self) -> None:
        self.text_edit.setPlaceholderText(_("Search subject, notes, names …"))
        firsts = ((self.kind_combo, _("All kinds")), (self.staff_combo, _("All staff")),
                  (self.tag_combo, _("All tags")), (self.project_combo, _("All projects")))
        for combo, text in firsts:
            if combo.count():
                combo.setItemText(0, text)
        for row in range(1, self.kind_combo.count()):
            self.kind_combo.setItemText(row, capital(value_label(
                "interaction_kind", self.kind_combo.itemData(row))))
        self.from_edit.setPlaceholderText(_("from"))
        self.to_edit.setPlaceholderText(_("to"))
        tip = _("A date like 01.03.2026, “vor 2 Wochen” or “letzten Montag”")
        self.from_edit.setToolTip(tip)
        self.to_edit.setToolTip(tip)
        self.reset_button.setToolTip(_("Reset the filter"))

    def _day(self, edit: QLineEdit) -> date | None:
        try:
            day = parse_day("date", edit.text(), direction="past")
        except ValidationError as exc:
            mark_invalid(edit, True, error_message(exc))
            return None
        mark_invalid(edit, False)
        return day

    def _emit(self) -> None:
        self._timer.stop()
        self.filter_changed.emit(self.current_filter())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


# -- the section ------------------------------------------------------------------------------

class HistoryView(QWidget):
    """The Verlauf section (see the module docstring)."""

    record_requested = Signal(str, str)  # kind, uid: a link or an event entry
    data_changed = Signal()  # an entry was edited, deleted or restored
    status_message = Signal(str)

    def __init__(self, app: App, undo_stack: UndoStackSource | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._undo_source = undo_stack
        self._own_stack = QUndoStack(self)
        self._reporter = ViewReporter(self._on_undo_changed, self._show_failure)
        self._runner = TaskRunner(self)
        self._shown: TimelineEntry | None = None
        self._scope: tuple[str, str, str] | None = None
        self.filter_bar = HistoryFilterBar(self)
        self.scope_label = QLabel(self)
        self.scope_clear = QToolButton(self)
        self.scope_clear.setText("×")
        self.scope_clear.setAutoRaise(True)
        self.scope_bar = QWidget(self)
        scope_layout = QHBoxLayout(self.scope_bar)
        scope_layout.setContentsMargins(10, 0, 8, 0)
        scope_layout.addWidget(self.scope_label)
        scope_layout.addWidget(self.scope_clear)
        scope_layout.addStretch(1)
        self.scope_bar.hide()
        self.notice = UndoNotice(self)
        self.timeline = TimelineWidget(app, parent=self)
        self.entry_view = QTextBrowser(self)
        self.entry_view.setOpenLinks(False)
        self.edit_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        self._layout()
        self._connect()
        self.load_options()
        self.retranslate()
        self._show_entry(None)

    def _layout(self) -> None:
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.entry_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.timeline)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([860, 310])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.scope_bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.filter_bar.filter_changed.connect(self._apply_filter)
        self.scope_clear.clicked.connect(self.clear_scope)
        self.timeline.current_changed.connect(self._show_entry)
        self.timeline.entry_activated.connect(self._on_timeline_entry_activated)
        self.timeline.failed.connect(lambda exc: self.status_message.emit(error_message(exc)))
        self.entry_view.anchorClicked.connect(self._on_entry_view_anchor_clicked)
        self.edit_button.clicked.connect(lambda: self._shown and self.edit_entry(self._shown.uid))
        self.delete_button.clicked.connect(
            lambda: self._shown and self.delete_entry(self._shown.uid))
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, slot in (("F2", self._edit_current),
                          (QKeySequence.StandardKey.Delete, self._delete_current)):
            shortcut = QShortcut(QKeySequence(key), self.timeline.view)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # -- public API ----------------------------------------------------------------------

    @property
    def undo_stack(self) -> QUndoStack:
        return undo_stack_of(self._undo_source, self._own_stack)

    def refresh(self) -> None:
        """Read again after changes elsewhere (keeps the filter and the selection)."""
        self.load_options()
        self.timeline.reload()

    def load_options(self) -> None:
        try:
            staff = self._app.staff.list()
            tags = [t.name for t in self._app.listing.tags()]
            projects = self._app.projects.projects()
        except Exception as exc:  # noqa: BLE001 - the timeline works without the choices
            self.status_message.emit(error_message(exc))
            return
        self.filter_bar.set_options(staff, tags, projects)

    def open_record(self, uid: str) -> None:
        """Show one interaction (a search result or a link), selected if it is listed."""
        if not self.timeline.select_uid(uid):
            self.timeline.view.clearSelection()
            self._load_entry("interaction", uid)

    def show_timeline_of(self, kind: str, uid: str, name: str) -> None:
        """Only the history of one person, organisation or municipality."""
        self._scope = (kind, uid, name)
        self.scope_bar.show()
        self.retranslate()
        self._apply_filter(self.filter_bar.current_filter())

    def clear_scope(self) -> None:
        self._scope = None
        self.scope_bar.hide()
        self._apply_filter(self.filter_bar.current_filter())

    def open_entry(self, entry: TimelineEntry) -> None:
        """Enter or double-click: the full entry, to edit or delete (events: to Events)."""
        if entry.source == "event":
            self.record_requested.emit("event", entry.uid)
            return
        try:
            detail = self._app.interactions.get(entry.uid)
        except BrueckeError as exc:
            self.status_message.emit(error_message(exc))
            self.timeline.reload()
            return
        choice = EntryDialog.ask(self, interaction_html(detail), editable=True)
        if choice == EntryDialog.EDIT:
            self.edit_entry(entry.uid)
        elif choice == EntryDialog.DELETE:
            self.delete_entry(entry.uid)

    def edit_entry(self, uid: str) -> InteractionDetail | None:
        from ui.quick_log import QuickLogDialog

        try:
            detail = self._app.interactions.get(uid)
        except BrueckeError as exc:
            QMessageBox.warning(self, _("Not possible"), error_message(exc))
            return None
        saved = QuickLogDialog.ask(self._app, self, existing=detail)
        if saved is not None:
            self.timeline.reload(select_uid=uid)
            self._load_entry("interaction", uid)
            self.data_changed.emit()
        return saved

    def delete_entry(self, uid: str) -> bool:
        """Delete an interaction; one undo step (Ctrl+Z, or the notice's button)."""
        try:
            version = self._app.interactions.get(uid).version
            snapshot = self._app.interactions.delete(uid, expected_version=version)
        except BrueckeError as exc:
            QMessageBox.warning(self, _("Not possible"), error_message(exc))
            return False
        command = DeleteInteractionCommand(self._app.interactions, snapshot, self._reporter)
        stack = self.undo_stack
        stack.push(command)
        self.notice.show_message(_("“{subject}” was deleted.").format(
            subject=snapshot.subject), stack, command)
        self._show_entry(None)
        self.timeline.reload()
        self.data_changed.emit()
        return True

    def retranslate(self) -> None:
        self.edit_button.setText(_("Edit … (F2)"))
        self.delete_button.setText(_("Delete (Del)"))
        self.entry_view.setAccessibleName(_("History entry"))
        self.scope_clear.setToolTip(_("Show the whole history"))
        if self._scope is not None:
            self.scope_label.setText(_("History of {name}").format(name=self._scope[2]))
        if self._shown is None:
            self.entry_view.setHtml(page([empty(_("Select an entry to read it in full."))]))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- internals -----------------------------------------------------------------------

    def _apply_filter(self, flt: TimelineFilter) -> None:
        if self._scope is not None:
            kind, uid, _name = self._scope
            flt = replace(flt, **{kind: uid})
        self.timeline.set_filter(flt)

    def _show_entry(self, entry: TimelineEntry | None) -> None:
        self._shown = entry
        editable = entry is not None and entry.source == "interaction"
        self.edit_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        if entry is None:
            self.retranslate()
            return
        self._load_entry(entry.source, entry.uid)

    def _load_entry(self, source: str, uid: str) -> None:
        app = self._app

        def load() -> str:
            if source == "event":
                return event_html(app.events.get(uid))
            return interaction_html(app.interactions.get(uid))

        def shown(html_text: str) -> None:
            current = self._shown
            if current is None or current.uid == uid:
                self.entry_view.setHtml(html_text)

        def failed(exc: Exception) -> None:
            text = (_("This entry no longer exists.") if isinstance(exc, NotFoundError)
                    else error_message(exc))
            self.entry_view.setHtml(page([empty(text)]))

        self._runner.start(load, guarded(self, shown), guarded(self, failed))

    def _edit_current(self) -> None:
        entry = self.timeline.current_entry()
        if entry is not None and entry.source == "interaction":
            self.edit_entry(entry.uid)

    def _delete_current(self) -> None:
        entry = self.timeline.current_entry()
        if entry is not None and entry.source == "interaction":
            self.delete_entry(entry.uid)

    def _on_timeline_entry_activated(self, entry: TimelineEntry) -> None:
        self.open_entry(entry)

    def _on_entry_view_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == RECORD_SCHEME:
            kind, _sep, uid = url.path().partition("/")
            if kind and uid:
                self.record_requested.emit(kind, uid)

    def _on_undo_changed(self, _kind: str, _uid: str) -> None:
        self.timeline.reload()
        self.data_changed.emit()

    def _show_failure(self, text: str) -> None:
        self.notice.show_message(text)
        self.status_message.emit(text)
