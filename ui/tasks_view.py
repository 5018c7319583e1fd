"""Tasks (Aufgaben): open follow-ups grouped overdue / today / this week / later.

Space marks the current follow-up done (again: open; Ctrl+Z or the notice undoes it), F2
reschedules it (a date editor in the due column), the assignee column reassigns it, Enter
or a double-click opens the interaction it came from; the context menu also opens the
people. On start the window shows a quiet notice of what is overdue for the current staff
member (:func:`ui.detail.activity.overdue_message`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPalette, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from crm.errors import BrueckeError
from crm.i18n import _
from crm.messages import error_message
from crm.services.activity_rows import FollowUpGroups, FollowUpRow
from ui.detail.html import format_date
from ui.history_view import UndoNotice, UndoStackSource, ViewReporter, undo_stack_of
from ui.task import TaskRunner, guarded
from ui.undo import ServiceCommand

App = Any  # crm.app.App
Index = QModelIndex | QPersistentModelIndex
GROUPS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("overdue", lambda: _("Overdue")),
    ("today", lambda: _("Today")),
    ("this_week", lambda: _("This week")),
    ("later", lambda: _("Later")),
)
COLUMNS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("text", lambda: _("Follow-up")),
    ("due", lambda: _("Due")),
    ("assignee", lambda: _("Assigned to")),
    ("people", lambda: _("People")),
    ("interaction", lambda: _("From the conversation")),
)
TEXT, DUE, ASSIGNEE, PEOPLE, INTERACTION = range(5)
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOUR = "#b3261e"
Editor = Callable[[str, str, Any], FollowUpRow | None]  # (uid, field, value) → new row


def _people_text(row: FollowUpRow) -> str:
    names = ", ".join(p.name for p in row.people)
    if row.organisation is not None:
        return f"{names} · {row.organisation.name}" if names else row.organisation.name
    return names


class FollowUpModel(QAbstractItemModel):
    """Groups (top level) with their follow-ups (children). Done rows stay, struck
    through, until the next reload, so that Space can open them again."""

    def __init__(self, editor: Editor | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self._groups: list[tuple[str, list[FollowUpRow]]] = []

    def set_groups(self, groups: FollowUpGroups) -> None:
        self.beginResetModel()
        self._groups = [(key, list(getattr(groups, key))) for key, _title in GROUPS
                        if getattr(groups, key)]
        self.endResetModel()

    def row_at(self, index: Index) -> FollowUpRow | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        rows = self._groups[index.internalId() - 1][1]
        return rows[index.row()] if 0 <= index.row() < len(rows) else None

    def index_of(self, uid: str, column: int = 0) -> QModelIndex:
        for g, (_key, rows) in enumerate(self._groups):
            for r, row in enumerate(rows):
                if row.uid == uid:
                    return self.createIndex(r, column, g + 1)
        return QModelIndex()

    def replace_row(self, new: FollowUpRow) -> None:
        index = self.index_of(new.uid)
        if not index.isValid():
            return
        self._groups[index.internalId() - 1][1][index.row()] = new
        self.dataChanged.emit(index, self.index_of(new.uid, len(COLUMNS) - 1))

    def group_key(self, index: Index) -> str | None:
        if index.isValid() and index.internalId() == 0:
            return self._groups[index.row()][0]
        return None

    def all_rows(self) -> list[FollowUpRow]:
        return [row for _key, rows in self._groups for row in rows]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._groups:  # the group titles; the rows' texts do not depend on the language
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._groups) - 1, 0))

    # -- Qt overrides --------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() == 0:
            return base
        if index.column() == TEXT:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() in (DUE, ASSIGNEE):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._group_data(index, role)
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.EditRole:
            if column == DUE:
                return QDate(row.due.year, row.due.month, row.due.day)
            return row.assignee if column == ASSIGNEE else self._text(row, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == TEXT:
            return Qt.CheckState.Checked if row.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.FontRole and row.done:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row.done:
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == ROW_ROLE:
            return row
        return None

    def _group_data(self, index: Index, role: int) -> Any:
        if index.column() != 0:
            return None
        key, rows = self._groups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            title = dict(GROUPS)[key]()
            return _("{group} ({n})").format(group=title, n=len(rows))
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and key == "overdue":
            return QColor(OVERDUE_COLOUR)
        return None

    @staticmethod
    def _text(row: FollowUpRow, column: int) -> str:
        if column == TEXT:
            return row.text
        if column == DUE:
            return format_date(row.due)
        if column == ASSIGNEE:
            return row.assignee_name or row.assignee or ""
        if column == PEOPLE:
            return _people_text(row)
        if row.interaction is None:
            return ""
        day = format_date(row.interaction_date) if row.interaction_date else ""
        return _("{date}: {subject}").format(date=day, subject=row.interaction.name)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self.row_at(index)
        if row is None or self._editor is None:
            return False
        if index.column() == TEXT and role == Qt.ItemDataRole.CheckStateRole:
            done = Qt.CheckState(value) == Qt.CheckState.Checked
            new = self._editor(row.uid, "done", done)
        elif index.column() == DUE and role == Qt.ItemDataRole.EditRole:
            new = self._editor(row.uid, "due", value.toPython() if isinstance(value, QDate)
                               else value)
        elif index.column() == ASSIGNEE and role == Qt.ItemDataRole.EditRole:
            new = self._editor(row.uid, "assignee", value)
        else:
            return False
        if new is not None:
            self.replace_row(new)
        return new is not None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section][1]()
        return None


class _TaskDelegate(QStyledItemDelegate):
    """A date editor for the due column, the staff list for the assignee column."""

    def __init__(self, staff: Callable[[], list[Any]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._staff = staff

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), option.fontMetrics.height() + 10))

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        if index.column() == DUE:
            editor = QDateEdit(parent)
            editor.setCalendarPopup(True)
            editor.setDisplayFormat(_date_format())
            return editor
        if index.column() == ASSIGNEE:
            combo = QComboBox(parent)
            for member in self._staff():
                combo.addItem(f"{member.name} ({member.initials})", member.initials)
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QDateEdit) and isinstance(value, QDate):
            editor.setDate(value)
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QDateEdit):
            if editor.date() != index.data(Qt.ItemDataRole.EditRole):
                model.setData(index, editor.date(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QComboBox):
            if editor.currentData() != index.data(Qt.ItemDataRole.EditRole):
                model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


def _date_format() -> str:
    from PySide6.QtCore import QLocale

    pattern = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


class FollowUpDoneCommand(ServiceCommand):
    """Marked done (or opened again): undo sets it back."""

    def __init__(self, followups: Any, row: FollowUpRow, reporter: Any) -> None:
        text = (_("Mark “{text}” done") if row.done else _("Open “{text}” again")).format(
            text=row.text[:60])
        super().__init__(text, reporter, row.text[:60])
        self._followups = followups
        self._uid = row.uid
        self._done = row.done

    def apply(self) -> None:
        self._set(self._done)

    def revert(self) -> None:
        self._set(not self._done)

    def _set(self, done: bool) -> None:
        self._followups.set_done(self._uid, done)
        self._reporter.changed("follow_up", self._uid)


class TasksView(QWidget):
    """The Aufgaben section (see the module docstring)."""

    record_requested = Signal(str, str)  # kind, uid: the interaction or a person
    data_changed = Signal()
    status_message = Signal(str)
    loaded = Signal(int)  # number of open follow-ups shown

    def __init__(self, app: App, undo_stack: UndoStackSource | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._undo_source = undo_stack
        self._own_stack = QUndoStack(self)
        self._reporter = ViewReporter(self._on_undo_changed, self._show_failure)
        self._runner = TaskRunner(self)
        self._sequence = 0
        self._keep: str | None = None
        self._staff: list[Any] = []
        self.model = FollowUpModel(self._edit, self)
        self.view = QTreeView(self)
        self.scope_combo = QComboBox(self)
        self.new_button = QPushButton(self)
        self.done_button = QPushButton(self)
        self.reschedule_button = QPushButton(self)
        self.reassign_button = QPushButton(self)
        self.open_button = QPushButton(self)
        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.notice = UndoNotice(self)
        self._setup_view()
        self._layout()
        self._connect()
        self.load_options()
        self.retranslate()
        self.reload()

    def _setup_view(self) -> None:
        view = self.view
        view.setModel(self.model)
        view.setItemDelegate(_TaskDelegate(lambda: self._staff, view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked)
        view.setAlternatingRowColors(True)
        view.setUniformRowHeights(True)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.installEventFilter(self)
        header = view.header()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((360, 110, 170, 260)):
            header.resizeSection(column, width)

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        bar.addWidget(self.scope_combo)
        bar.addStretch(1)
        for button in (self.new_button, self.done_button, self.reschedule_button,
                       self.reassign_button, self.open_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)

    def _connect(self) -> None:
        self.scope_combo.activated.connect(lambda _i: self.reload())
        self.new_button.clicked.connect(self.new_follow_up)
        self.done_button.clicked.connect(self.toggle_current)
        self.reschedule_button.clicked.connect(lambda: self._edit_current(DUE))
        self.reassign_button.clicked.connect(lambda: self._edit_current(ASSIGNEE))
        self.open_button.clicked.connect(self.open_current)
        self.view.activated.connect(self._on_view_activated)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu)
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())
        for keys, column in (("F2", DUE), ("Ctrl+Shift+D", ASSIGNEE)):
            shortcut = QShortcut(QKeySequence(keys), self.view)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda c=column: self._edit_current(c))

    # -- public API ----------------------------------------------------------------------

    @property
    def undo_stack(self) -> QUndoStack:
        return undo_stack_of(self._undo_source, self._own_stack)

    def refresh(self) -> None:
        self.load_options()
        self.reload()

    def load_options(self) -> None:
        try:
            self._staff = list(self._app.staff.list())
        except Exception as exc:  # noqa: BLE001
            self.status_message.emit(error_message(exc))
        current = self.scope_combo.currentData()
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        self.scope_combo.addItem("", "mine")
        self.scope_combo.addItem("", "")
        for member in self._staff:
            self.scope_combo.addItem(f"{member.name} ({member.initials})", member.initials)
        index = self.scope_combo.findData(current) if current is not None else 0
        self.scope_combo.setCurrentIndex(max(0, index))
        self.scope_combo.blockSignals(False)
        self._retranslate_scope()

    def reload(self) -> None:
        """Read the open follow-ups again (worker thread); the current one stays selected."""
        current = self.current_row()
        self._keep = self._keep or (current.uid if current else None)
        scope = self.scope_combo.currentData()
        followups = self._app.followups
        self._sequence += 1
        sequence = self._sequence

        def load() -> FollowUpGroups:
            if scope == "mine":
                return followups.grouped(mine=True)
            return followups.grouped(assignee=scope or None)

        self._runner.start(load, guarded(self, lambda groups: self._on_loaded(sequence, groups)),
                           guarded(self, lambda exc: self._on_failed(sequence, exc)))

    def open_record(self, uid: str) -> None:
        """A follow-up from a search or link: select it (shows all staff if needed)."""
        if not self.select_uid(uid):
            self.scope_combo.setCurrentIndex(max(0, self.scope_combo.findData("")))
            self._keep = uid
            self.reload()

    def new_follow_up(self) -> FollowUpRow | None:
        """Ask for a follow-up of its own and store it (offline: queue it)."""
        from ui.follow_up_dialog import NewFollowUpDialog

        dialog = NewFollowUpDialog(self._app, self)
        if not dialog.exec() or dialog.saved_result is None:
            return None
        self.follow_up_created(dialog.saved_result)
        return dialog.saved_result

    def follow_up_created(self, row: FollowUpRow) -> None:
        if getattr(self._app, "offline", None) is not None:
            self.status_message.emit(_("Follow-up “{text}” kept; it is sent when the server "
                                       "is reachable again.").format(text=row.text))
            return
        self.status_message.emit(_("Follow-up “{text}” saved.").format(text=row.text))
        self._keep = row.uid
        self.reload()
        self.data_changed.emit()

    def current_row(self) -> FollowUpRow | None:
        return self.model.row_at(self.view.currentIndex())

    def select_uid(self, uid: str) -> bool:
        index = self.model.index_of(uid)
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def toggle_current(self) -> FollowUpRow | None:
        """Space: done ↔ open, one undo step."""
        row = self.current_row()
        if row is None:
            return None
        new = self._edit(row.uid, "done", not row.done)
        if new is not None:
            self.model.replace_row(new)
        return new

    def open_current(self) -> None:
        row = self.current_row()
        if row is not None and row.interaction is not None:
            self.record_requested.emit("interaction", row.interaction.uid)
        elif row is not None and row.people:
            self.record_requested.emit("person", row.people[0].uid)

    def retranslate(self) -> None:
        self.model.retranslate()
        self._retranslate_scope()
        self.new_button.setText(_("New follow-up …"))
        self.done_button.setText(_("Done (Space)"))
        self.reschedule_button.setText(_("Reschedule … (F2)"))
        self.reassign_button.setText(_("Reassign … ({keys})").format(
            keys=QKeySequence("Ctrl+Shift+D").toString(
                QKeySequence.SequenceFormat.NativeText)))
        self.open_button.setText(_("Open conversation (Enter)"))
        self.view.setAccessibleName(_("Tasks"))
        self.empty_label.setText(_("No open follow-ups."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.view and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Space
                and self.view.state() != QAbstractItemView.State.EditingState):
            self.toggle_current()
            return True
        return super().eventFilter(watched, event)

    # -- internals -----------------------------------------------------------------------

    def _edit(self, uid: str, field: str, value: Any) -> FollowUpRow | None:
        """Done, due or assignee changed through the service; done becomes an undo step."""
        followups = self._app.followups
        try:
            if field == "done":
                new = followups.set_done(uid, bool(value))
                command = FollowUpDoneCommand(followups, new, self._reporter)
                stack = self.undo_stack
                stack.push(command)
                self.notice.show_message((_("Done: “{text}”") if new.done else
                                          _("Open again: “{text}”")).format(
                    text=new.text[:80]), stack, command)
            else:
                version = followups.get(uid).version
                if field == "due":
                    new = followups.reschedule(uid, value, expected_version=version)
                else:
                    new = followups.reassign(uid, value, expected_version=version)
                self._keep = uid
                self.reload()  # the row may move to another group or list
        except BrueckeError as exc:
            self.notice.show_message(error_message(exc))
            return None
        self.data_changed.emit()
        return new

    def _edit_current(self, column: int) -> None:
        index = self.view.currentIndex()
        if self.model.row_at(index) is None:
            return
        target = index.siblingAtColumn(column)
        self.view.setCurrentIndex(target)
        self.view.edit(target)

    def _on_loaded(self, sequence: int, groups: FollowUpGroups) -> None:
        if sequence != self._sequence:
            return
        self.model.set_groups(groups)
        for row in range(self.model.rowCount()):
            self.view.setFirstColumnSpanned(row, QModelIndex(), True)
        self.view.expandAll()
        keep, self._keep = self._keep, None
        if not (keep and self.select_uid(keep)):
            first = self.model.index(0, 0, self.model.index(0, 0))
            if first.isValid():
                self.view.setCurrentIndex(first)
        self.empty_label.setVisible(groups.count == 0)
        self._update_buttons()
        self.loaded.emit(groups.count)

    def _on_failed(self, sequence: int, exc: Exception) -> None:
        if sequence == self._sequence:
            self.status_message.emit(error_message(exc))
            self.loaded.emit(0)

    def _update_buttons(self) -> None:
        row = self.current_row()
        for button in (self.done_button, self.reschedule_button, self.reassign_button):
            button.setEnabled(row is not None)
        self.open_button.setEnabled(row is not None and (row.interaction is not None
                                                         or bool(row.people)))

    def _on_view_activated(self, index: QModelIndex) -> None:
        if self.model.row_at(index) is not None:
            self.open_current()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        # Double-clicks on the due and assignee columns edit them; elsewhere they open.
        if index.column() not in (DUE, ASSIGNEE) and self.model.row_at(index) is not None:
            self.open_current()

    def _on_view_context_menu(self, point: QPoint) -> None:
        row = self.model.row_at(self.view.indexAt(point))
        if row is None:
            return
        menu = QMenu(self)
        if row.interaction is not None:
            action = menu.addAction(_("Open conversation “{subject}”").format(
                subject=row.interaction.name))
            action.triggered.connect(
                lambda: self.record_requested.emit("interaction", row.interaction.uid))
        for person in row.people:
            action = menu.addAction(_("Open {name}").format(name=person.name))
            action.triggered.connect(
                lambda _c=False, uid=person.uid: self.record_requested.emit("person", uid))
        menu.exec(self.view.viewport().mapToGlobal(point))

    def _on_undo_changed(self, _kind: str, uid: str) -> None:
        try:
            self.model.replace_row(self._app.followups.get(uid))
        except BrueckeError:
            self.reload()
        self.data_changed.emit()

    def _show_failure(self, text: str) -> None:
        self.notice.show_message(text)
        self.status_message.emit(text)

    def _retranslate_scope(self) -> None:
        if self.scope_combo.count() >= 2:
            self.scope_combo.setItemText(0, _("My tasks"))
            self.scope_combo.setItemText(1, _("Everyone's tasks"))
