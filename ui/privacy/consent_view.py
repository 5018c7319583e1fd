"""A person's consents (Einwilligungen): shown in a table, added, withdrawn, removed."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QEvent, QLocale, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _
from crm.messages import error_message, value_label
from crm.services.privacy import PURPOSES, SOURCES, ConsentRow

PrivacyService = Any  # crm.services.privacy.PrivacyService (or a fake in tests)


def show_day(value: date | None) -> str:
    if value is None:
        return ""
    locale = QLocale()
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:  # a consent's year must be unambiguous: 01.03.2023
        pattern = pattern.replace("yy", "yyyy")
    return locale.toString(QDate(value.year, value.month, value.day), pattern)


class ConsentTableModel(QAbstractTableModel):
    """Few rows per person: all in memory."""

    COLUMNS = ("purpose", "given_on", "source", "withdrawn_on", "notes")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ConsentRow] = []

    def set_rows(self, rows: list[ConsentRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (_("Purpose"), _("Given on"), _("Source"), _("Withdrawn on"), _("Notes"))
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "purpose":
                return value_label("consent_purpose", row.purpose)
            if column == "source":
                return value_label("consent_source", row.source)
            if column in ("given_on", "withdrawn_on"):
                return show_day(getattr(row, column)) or ("–" if column == "withdrawn_on"
                                                          else "")
            return row.notes.replace("\n", " ")
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            from PySide6.QtGui import QPalette

            return QPalette().brush(QPalette.ColorGroup.Disabled,
                                    QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.ToolTipRole and not row.active:
            return _("Withdrawn: the person may not be contacted for this purpose.")
        return None


class ConsentDialog(QDialog):
    """Record a new consent: purpose, date, how it was given, notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.purpose = QComboBox()
        for value in PURPOSES:
            self.purpose.addItem(value_label("consent_purpose", value), value)
        self.given_on = QDateEdit(QDate.currentDate())
        self.given_on.setCalendarPopup(True)
        self.source = QComboBox()
        for value in SOURCES:
            self.source.addItem(value_label("consent_source", value), value)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(70)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self._labels = [QLabel() for _i in range(4)]
        for label, field in zip(self._labels, (self.purpose, self.given_on, self.source,
                                               self.notes), strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Record consent"))
        for label, text in zip(self._labels, (_("&Purpose:"), _("&Given on:"),
                                              _("&Source:"), _("&Notes:")), strict=True):
            label.setText(text)

    def values(self) -> tuple[str, date, str, str]:
        day = self.given_on.date()
        return (self.purpose.currentData(), date(day.year(), day.month(), day.day()),
                self.source.currentData(), self.notes.toPlainText())

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> tuple[str, date, str, str] | None:
        dialog = cls(parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ConsentView(QDialog):
    """The consents of one person, editable (opened from the Privacy menu)."""

    def __init__(self, service: PrivacyService, person_uid: str, person_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.person_uid = person_uid
        self.person_name = person_name
        self.model = ConsentTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.add_button, self.withdraw_button = QPushButton(), QPushButton()
        self.delete_button, self.close_button = QPushButton(), QPushButton()
        buttons = QHBoxLayout()
        for button in (self.add_button, self.withdraw_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.withdraw_button.clicked.connect(self._on_withdraw_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.close_button.clicked.connect(self.accept)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.resize(760, 360)
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Consents"))
        self.heading.setText(_("Consents of {name}").format(name=self.person_name))
        self.hint.setText(_("What the person agreed to under the GDPR. A withdrawn consent "
                            "stays on record with its date; lists and labels for newsletters "
                            "and mailings leave the person out."))
        self.add_button.setText(_("&Record consent …"))
        self.withdraw_button.setText(_("&Withdraw"))
        self.delete_button.setText(_("&Remove entry"))
        self.close_button.setText(_("&Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reload(self) -> None:
        try:
            self.model.set_rows(self.service.consents(self.person_uid))
        except Exception as exc:  # noqa: BLE001 - shown, the dialog stays usable
            QMessageBox.warning(self, _("Consents"), error_message(exc))
        self._update_buttons()

    def selected(self) -> ConsentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        row = self.selected()
        self.withdraw_button.setEnabled(row is not None and row.active)
        self.delete_button.setEnabled(row is not None)

    def _on_add_button_clicked(self) -> None:
        values = ConsentDialog.ask(self)
        if values is None:
            return
        purpose, given_on, source, notes = values
        self._call(lambda: self.service.add_consent(self.person_uid, purpose, given_on,
                                                    source, notes))

    def _on_withdraw_button_clicked(self) -> None:
        row = self.selected()
        if row is not None:
            self._call(lambda: self.service.withdraw(row.uid))

    def _on_delete_button_clicked(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(
            self, _("Remove entry"),
            _("Remove this entry? Only for entries made by mistake: a consent that was "
              "withdrawn is recorded with “Withdraw”."))
        if answer == QMessageBox.StandardButton.Yes:
            self._call(lambda: self.service.delete_consent(row.uid))

    def _call(self, action: Any) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, _("Consents"), error_message(exc))
        self.reload()
