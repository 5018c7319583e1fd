"""The change log (audit trail): who changed what and when, filterable, loaded in pages."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDateTime, QEvent, QLocale, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm import validation
from crm.i18n import _, ngettext
from crm.messages import error_message, field_label, value_label
from crm.services.privacy import AuditFilter, AuditRow

PrivacyService = Any  # crm.services.privacy.PrivacyService (or a fake)
PAGE = 200


class AuditTableModel(QAbstractTableModel):
    """Newest first; fetches the next page when the view scrolls to the end."""

    def __init__(self, service: PrivacyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.filter = AuditFilter()
        self.rows: list[AuditRow] = []
        self.total = 0

    def set_filter(self, flt: AuditFilter) -> None:
        total = self.service.audit_count(flt)
        first = self.service.audit(flt, offset=0, limit=PAGE)
        self.beginResetModel()
        self.filter, self.total, self.rows = flt, total, list(first)
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        batch = self.service.audit(self.filter, offset=len(self.rows), limit=PAGE)
        if not batch:
            self.total = len(self.rows)
            return
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(batch) - 1)
        self.rows.extend(batch)
        self.endInsertRows()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (_("When"), _("Who"), _("Record"), _("Action"), _("Changed fields"))
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return row.record_uid
        return None

    @staticmethod
    def _text(row: AuditRow, column: int) -> str:
        if column == 0:
            local = row.at.astimezone()
            return QLocale().toString(QDateTime(local.date(), local.time()),
                                      QLocale.FormatType.ShortFormat)
        if column == 1:
            return row.staff
        if column == 2:
            kind = value_label("record_type", row.record_type)
            return f"{kind}: {row.record_name or row.record_uid}"
        if column == 3:
            return value_label("audit_action", row.action)
        return ", ".join(field_label(k) for k in row.changes)


class AuditView(QDialog):
    def __init__(self, service: PrivacyService, record: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.model = AuditTableModel(service, self)
        self.record = QLineEdit(record or "")
        self.staff = QComboBox()
        self.staff.addItem("", "")
        for initials in service.staff_initials():
            self.staff.addItem(initials, initials)
        self.date_from, self.date_to = QLineEdit(), QLineEdit()
        self.apply_button = QPushButton()
        self.count = QLabel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._labels = [QLabel() for _i in range(4)]
        filters = QHBoxLayout()
        for label, field in zip(self._labels, (self.record, self.staff, self.date_from,
                                               self.date_to), strict=True):
            label.setBuddy(field)
            filters.addWidget(label)
            filters.addWidget(field, 2 if field is self.record else 1)
        filters.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        for edit in (self.record, self.date_from, self.date_to):
            edit.returnPressed.connect(self.apply)
        self.apply_button.clicked.connect(self.apply)
        self.resize(1000, 600)
        self.retranslate()
        self.apply()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Change log"))
        for label, text in zip(self._labels, (_("&Record:"), _("&Staff:"), _("&From:"),
                                              _("&To:")), strict=True):
            label.setText(text)
        self.record.setPlaceholderText(_("Person or organisation (name or ID)"))
        for edit in (self.date_from, self.date_to):
            edit.setPlaceholderText(_("DD.MM.YYYY"))
        self.apply_button.setText(_("&Filter"))
        self._show_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def current_filter(self) -> AuditFilter:
        start, end = validation.collect(
            lambda: validation.parse_date("from", self.date_from.text().strip() or None),
            lambda: validation.parse_date("to", self.date_to.text().strip() or None))
        return AuditFilter(self.record.text().strip() or None,
                           self.staff.currentData() or None, start, end)

    def apply(self) -> None:
        try:
            self.model.set_filter(self.current_filter())
        except Exception as exc:  # noqa: BLE001 - a bad date or an unknown record
            QMessageBox.warning(self, _("Change log"), error_message(exc))
        self._show_count()

    def _show_count(self) -> None:
        n = self.model.total
        self.count.setText(ngettext("{n} entry", "{n} entries", n).format(
            n=QLocale().toString(n)))
