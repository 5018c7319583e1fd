"""Events (Veranstaltungen): the list of events, and beside it the selected event with its
invitations and attendance.

Invite persons one by one (type a name, Enter invites the top hit), everyone with a tag,
or everyone currently holding a role such as "Integrationsbeauftragte:r". The status
column (F2 or a double-click) sets invited / registered / attended / cancelled; on the
day, "Attendance …" opens the checklist (ui/attendance_checklist.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm.errors import BrueckeError
from crm.i18n import _, ngettext
from crm.messages import error_message, value_label
from crm.services.activity_rows import STATUSES, AttendeeRow, EventDetail, EventRow
from ui.attendance_checklist import AttendanceChecklist
from ui.detail.html import esc, format_moment
from ui.dialogs.base import install_completer
from ui.dialogs.role_dialog import TITLE_SUGGESTIONS
from ui.event_dialog import EventDialog, event_kind_label
from ui.history_view import UndoNotice
from ui.participant_field import RecordPicker
from ui.task import TaskRunner, guarded

App = Any  # crm.app.App
Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 100
UID_ROLE = Qt.ItemDataRole.UserRole + 1
NAME, WHERE, STATUS = range(3)


def status_label(status: str) -> str:
    text = value_label("attendee_status", status)
    return text[:1].upper() + text[1:]


class EventTableModel(QAbstractTableModel):
    """Events, newest first, a page at a time (the service has no count: a full page
    means there may be more)."""

    COLUMNS: tuple[tuple[str, Callable[[], str]], ...] = (
        ("date", lambda: _("Date")), ("title", lambda: _("Title")),
        ("kind", lambda: _("Kind")), ("place", lambda: _("Venue")),
    )

    def __init__(self, events: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events = events
        self._rows: list[EventRow] = []
        self._more = False
        self._fetching = False

    def first_page(self) -> list[EventRow]:
        """Service call only: for the worker thread."""
        return list(self._events.events(offset=0, limit=PAGE_SIZE))

    def reset_rows(self, rows: list[EventRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._more = len(rows) == PAGE_SIZE
        self.endResetModel()

    def row_at(self, row: int) -> EventRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, uid: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.uid == uid), -1)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.COLUMNS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            key = self.COLUMNS[index.column()][0]
            if key == "date":
                return format_moment(row.starts_at)
            if key == "title":
                return row.title
            if key == "kind":
                return event_kind_label(row.kind)
            place = row.municipality.name if row.municipality else ""
            return " · ".join(v for v in (row.venue, place) if v)
        if role == UID_ROLE:
            return row.uid
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section][1]()
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._fetching or not self._more:
            return
        self._fetching = True
        try:
            start = len(self._rows)
            batch = list(self._events.events(offset=start, limit=PAGE_SIZE))
            self._more = len(batch) == PAGE_SIZE
            if batch:
                self.beginInsertRows(QModelIndex(), start, start + len(batch) - 1)
                self._rows.extend(batch)
                self.endInsertRows()
        except Exception:  # noqa: BLE001 - the list keeps what it has
            self._more = False
        finally:
            self._fetching = False


class AttendeeModel(QAbstractTableModel):
    """The invited persons of one event; the status column is editable."""

    def __init__(self, set_status: Callable[[str, str], bool],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._set_status = set_status
        self._rows: list[AttendeeRow] = []

    def set_rows(self, rows: tuple[AttendeeRow, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> AttendeeRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 2))

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == STATUS:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == NAME:
                return row.name
            if index.column() == WHERE:
                return ", ".join(v for v in (row.role_title, row.organisation) if v)
            return status_label(row.status)
        if role == Qt.ItemDataRole.EditRole and index.column() == STATUS:
            return row.status
        if role == UID_ROLE:
            return row.person.uid
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or index.column() != STATUS or role != Qt.ItemDataRole.EditRole:
            return False
        return self._set_status(row.person.uid, str(value))

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (_("Name"), _("Role and organisation"), _("Status"))
        return titles[section] if 0 <= section < 3 else None


class _StatusDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        combo = QComboBox(parent)
        for status in STATUSES:
            combo.addItem(status_label(status), status)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(
                Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox) and editor.currentData() != index.data(
                Qt.ItemDataRole.EditRole):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def _table(view: QTableView) -> None:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setShowGrid(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class EventsView(QWidget):
    """The Veranstaltungen section (see the module docstring)."""

    record_requested = Signal(str, str)
    data_changed = Signal()
    status_message = Signal(str)
    loaded = Signal()  # the event list arrived
    event_shown = Signal(object)  # EventDetail, after loading or a change

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._runner = TaskRunner(self)
        self._sequence = 0
        self._keep: str | None = None
        self.current_event: EventDetail | None = None  # not .event: QWidget.event()
        self.model = EventTableModel(app.events, self)
        self.view = QTableView(self)
        self.new_button = QPushButton(self)
        self.edit_button = QPushButton(self)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.counts_label = QLabel(self)
        self.counts_label.setWordWrap(True)
        self.attendees = AttendeeModel(self.set_status, self)
        self.attendee_view = QTableView(self)
        self.attendance_button = QPushButton(self)
        self.invite_label = QLabel(self)
        self.invite_field = RecordPicker(app.search.search, {"person"}, keep_picked=False,
                                         popup_host=self, parent=self)
        self.tag_label = QLabel(self)
        self.tag_combo = QComboBox(self)
        self.tag_button = QPushButton(self)
        self.role_label = QLabel(self)
        self.role_edit = QLineEdit(self)
        install_completer(self.role_edit, TITLE_SUGGESTIONS)
        self.role_button = QPushButton(self)
        self.notice = UndoNotice(self)
        self.detail = QWidget(self)
        self._setup_views()
        self._layout()
        self._connect()
        self.retranslate()
        self._show_event(None)
        self.load_options()
        self.reload()

    def _setup_views(self) -> None:
        self.view.setModel(self.model)
        _table(self.view)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for column, width in enumerate((150, 260, 110)):
            self.view.horizontalHeader().resizeSection(column, width)
        self.attendee_view.setModel(self.attendees)
        _table(self.attendee_view)
        self.attendee_view.setItemDelegateForColumn(STATUS, _StatusDelegate(self.attendee_view))
        self.attendee_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                           | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.attendee_view.horizontalHeader().setSectionResizeMode(
            NAME, QHeaderView.ResizeMode.Interactive)
        self.attendee_view.horizontalHeader().resizeSection(NAME, 200)
        self.attendee_view.horizontalHeader().resizeSection(WHERE, 260)

    def _layout(self) -> None:
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.view, 1)
        invite = QGridLayout()
        invite.addWidget(self.invite_label, 0, 0)
        invite.addWidget(self.invite_field, 0, 1, 1, 2)
        invite.addWidget(self.tag_label, 1, 0)
        invite.addWidget(self.tag_combo, 1, 1)
        invite.addWidget(self.tag_button, 1, 2)
        invite.addWidget(self.role_label, 2, 0)
        invite.addWidget(self.role_edit, 2, 1)
        invite.addWidget(self.role_button, 2, 2)
        invite.setColumnStretch(1, 1)
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(8, 0, 8, 0)
        detail_layout.addWidget(self.heading)
        counts = QHBoxLayout()
        counts.addWidget(self.counts_label, 1)
        counts.addWidget(self.attendance_button)
        detail_layout.addLayout(counts)
        detail_layout.addWidget(self.attendee_view, 1)
        detail_layout.addLayout(invite)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([480, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_event)
        self.edit_button.clicked.connect(self.edit_event)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_changed)
        self.view.activated.connect(lambda _index: self.edit_event())
        self.attendance_button.clicked.connect(self.record_attendance)
        self.invite_field.picked.connect(lambda uid, _name: self.invite([uid]))
        self.tag_button.clicked.connect(self.invite_tag)
        self.role_button.clicked.connect(self.invite_role_holders)
        self.role_edit.returnPressed.connect(self.invite_role_holders)
        for key, slot in (("Ctrl+Shift+E", self.new_event),
                          ("Ctrl+Shift+A", self.record_attendance)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- public API ----------------------------------------------------------------------

    def refresh(self) -> None:
        self.load_options()
        self.reload()

    def load_options(self) -> None:
        try:
            tags = [t.name for t in self._app.listing.tags()]
        except Exception as exc:  # noqa: BLE001
            self.status_message.emit(error_message(exc))
            return
        current = self.tag_combo.currentText()
        self.tag_combo.clear()
        self.tag_combo.addItems(tags)
        if current in tags:
            self.tag_combo.setCurrentText(current)

    def reload(self, select_uid: str | None = None) -> None:
        """Read the list again on the worker thread; keep or pick the selected event."""
        shown = self.current_event
        self._keep = select_uid or self._keep or (shown.uid if shown else None)
        self._sequence += 1
        sequence, model = self._sequence, self.model
        self._runner.start(model.first_page,
                           guarded(self, lambda rows: self._on_loaded(sequence, rows)),
                           guarded(self, lambda exc: self.status_message.emit(
                               error_message(exc))))

    def open_record(self, uid: str) -> None:
        row = self.model.row_of(uid)
        if row >= 0:
            self.view.selectRow(row)
            self.view.scrollTo(self.model.index(row, 0))
        else:
            self.view.clearSelection()
            self.load_event(uid)

    def load_event(self, uid: str) -> None:
        events = self._app.events
        self._runner.start(lambda: events.get(uid), guarded(self, self._show_event),
                           guarded(self, lambda exc: self.status_message.emit(
                               error_message(exc))))

    def new_event(self) -> EventDetail | None:
        saved = EventDialog.ask(self._app, self)
        if saved is not None:
            self._changed(saved)
        return saved

    def edit_event(self) -> EventDetail | None:
        if self.current_event is None:
            return None
        try:
            current = self._app.events.get(self.current_event.uid)
        except BrueckeError as exc:
            self.notice.show_message(error_message(exc))
            return None
        saved = EventDialog.ask(self._app, self, current)
        if saved is not None:
            self._changed(saved)
        return saved

    def invite(self, person_uids: list[str]) -> None:
        self._run_invite(lambda uid: self._app.events.invite(uid, person_uids))

    def invite_tag(self) -> None:
        tag = self.tag_combo.currentText()
        if tag:
            self._run_invite(lambda uid: self._app.events.invite_tag(uid, tag))

    def invite_role_holders(self) -> None:
        title = self.role_edit.text().strip()
        if title:
            self._run_invite(lambda uid: self._app.events.invite_role_holders(uid, title))

    def set_status(self, person_uid: str, status: str) -> bool:
        if self.current_event is None:
            return False
        try:
            self._app.events.set_status(self.current_event.uid, person_uid, status)
            detail = self._app.events.get(self.current_event.uid)
        except BrueckeError as exc:
            self.notice.show_message(error_message(exc))
            return False
        self._show_event(detail)
        return True

    def record_attendance(self) -> EventDetail | None:
        if self.current_event is None:
            return None
        saved = AttendanceChecklist.ask(self._app, self.current_event.uid, self)
        if saved is not None:
            self._changed(saved)
            present = saved.counts["attended"]
            self.notice.show_message(ngettext("{n} person attended.", "{n} persons attended.",
                                              present).format(n=present))
        return saved

    def retranslate(self) -> None:
        self.model.retranslate()
        self.attendees.retranslate()
        self.new_button.setText(_("New event … ({keys})").format(keys=_native("Ctrl+Shift+E")))
        self.edit_button.setText(_("Edit …"))
        self.attendance_button.setText(_("Attendance … ({keys})").format(
            keys=_native("Ctrl+Shift+A")))
        self.invite_label.setText(_("Invite a person"))
        self.invite_field.set_placeholder(_("Type a name, Enter invites the first match"))
        self.tag_label.setText(_("Everyone with the tag"))
        self.tag_button.setText(_("Invite"))
        self.role_label.setText(_("Everyone who is"))
        self.role_edit.setPlaceholderText(_("a role title, e.g. Integrationsbeauftragte:r"))
        self.role_button.setText(_("Invite"))
        self.view.setAccessibleName(_("Events"))
        self.attendee_view.setAccessibleName(_("Invited persons"))
        self._show_heading()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- internals -----------------------------------------------------------------------

    def _run_invite(self, call: Callable[[str], Any]) -> None:
        if self.current_event is None:
            self.notice.show_message(_("Select an event first."))
            return
        try:
            result = call(self.current_event.uid)
            detail = self._app.events.get(self.current_event.uid)
        except BrueckeError as exc:
            self.notice.show_message(error_message(exc))
            return
        added, already = len(result.added), len(result.already)
        text = ngettext("{n} person invited.", "{n} persons invited.", added).format(n=added)
        if already:
            text += " " + ngettext("{n} was invited already.", "{n} were invited already.",
                                   already).format(n=already)
        self.notice.show_message(text)
        self._show_event(detail)
        self.data_changed.emit()

    def _changed(self, detail: EventDetail) -> None:
        self._show_event(detail)
        self.reload(select_uid=detail.uid)
        self.data_changed.emit()

    def _on_loaded(self, sequence: int, rows: list[EventRow]) -> None:
        if sequence != self._sequence:
            return
        self.model.reset_rows(rows)
        keep, self._keep = self._keep, None
        row = self.model.row_of(keep) if keep else -1
        if row < 0 and keep is None and rows:
            row = 0
        if row >= 0:
            self.view.selectRow(row)
        self.loaded.emit()

    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row())
        if row is not None and (self.current_event is None or self.current_event.uid != row.uid):
            self.load_event(row.uid)

    def _show_event(self, detail: EventDetail | None) -> None:
        self.current_event = detail
        self.attendees.set_rows(detail.attendees if detail else ())
        for widget in (self.edit_button, self.attendance_button, self.invite_field,
                       self.tag_button, self.role_button, self.role_edit, self.tag_combo):
            widget.setEnabled(detail is not None)
        self._show_heading()
        if detail is not None:
            self.event_shown.emit(detail)

    def _show_heading(self) -> None:
        event = self.current_event
        if event is None:
            self.heading.setText(esc(_("Select an event, or create one with {keys}.").format(
                keys=_native("Ctrl+Shift+E"))))
            self.counts_label.setText("")
            return
        facts = [event_kind_label(event.kind), format_moment(event.starts_at)]
        place = ", ".join(v for v in (event.venue, event.municipality.name
                                      if event.municipality else "") if v)
        if place:
            facts.append(place)
        lines = [f'<span style="font-size:14pt;font-weight:600">{esc(event.title)}</span>',
                 esc(" · ".join(facts))]
        if event.organisers:
            lines.append(esc(_("Co-organisers: {names}").format(
                names=", ".join(o.name for o in event.organisers))))
        if event.project:
            lines.append(esc(_("Project: {name}").format(name=event.project.name)))
        self.heading.setText("<br>".join(lines))
        self.counts_label.setText(" · ".join(
            f"{status_label(s)}: {n}" for s, n in event.counts.items()))


def _native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
