"""A record changed since it was opened: show both values per field and let the user
decide (overwrite with mine, keep theirs, back to editing). Nothing is overwritten silently.

The same dialog, with only a Close button, reports an undo that is no longer possible.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm.errors import ConflictError
from crm.i18n import _
from crm.messages import field_label
from crm.services.rows import ContactInput
from crm.validation import display_phone
from ui.dialogs.base import (
    contact_kind_labels,
    contact_label_labels,
    format_date,
    organisation_kind_labels,
    salutation_labels,
)

_PHONES = {"phone", "mobile", "fax"}


class ConflictChoice(enum.Enum):
    OVERWRITE = "overwrite"
    KEEP_THEIRS = "keep_theirs"


def label_of(field: str) -> str:
    if field == "contact_points":
        return _("Contact points")
    return field_label(field)


def format_value(field: str, value: Any, name: str = "") -> str:
    """A stored or entered value as the user reads it ("—" for nothing)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "salutation":
        return salutation_labels(name).get(str(value), str(value))
    if field == "kind":
        return organisation_kind_labels().get(str(value), str(value))
    if isinstance(value, (list, tuple)):
        if field == "contact_points":
            return "\n".join(_contact_text(v) if isinstance(v, ContactInput) else str(v)
                             for v in value)
        return ", ".join(str(v) for v in value)
    return str(value)


def _contact_text(point: ContactInput) -> str:
    kind = contact_kind_labels().get(point.kind, point.kind)
    label = contact_label_labels().get(point.label, point.label)
    value = display_phone(point.value) if point.kind in _PHONES else point.value
    star = " ★" if point.preferred else ""
    return f"{kind} ({label}): {value}{star}"


def conflict_rows(error: ConflictError, name: str = "") -> list[tuple[str, str, str]]:
    """(field label, my value, their value) for every field of the conflict."""
    fields = list(error.mine) + [k for k in error.theirs if k not in error.mine]
    return [(label_of(f), format_value(f, error.mine.get(f), name),
             format_value(f, error.theirs.get(f), name)) for f in fields]


class ConflictDialog(QDialog):
    """Both values of every field: mine (not saved) and theirs (saved meanwhile)."""

    def __init__(self, error: ConflictError, name: str = "", *, report_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.name = name
        self.report_only = report_only
        self.choice: ConflictChoice | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox(self)
        self.overwrite_button: QPushButton | None = None
        self.keep_button: QPushButton | None = None
        if report_only:
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
            self.buttons.rejected.connect(self.reject)
        else:
            self.overwrite_button = self.buttons.addButton(
                "", QDialogButtonBox.ButtonRole.DestructiveRole)
            self.keep_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            self.overwrite_button.clicked.connect(self._on_overwrite_button_clicked)
            self.keep_button.clicked.connect(self._on_keep_button_clicked)
            self.buttons.rejected.connect(self.reject)
            self.keep_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self._fill(conflict_rows(error, name))
        self.retranslate()
        self.table.horizontalHeader().sectionResized.connect(
            lambda *_args: self.table.resizeRowsToContents())
        (self.keep_button or self.buttons.buttons()[0]).setFocus()
        self.resize(720, 320)

    @classmethod
    def ask(cls, parent: QWidget | None, error: ConflictError, *, name: str = "",
            report_only: bool = False) -> ConflictChoice | None:
        """Show the conflict; the user's choice, or None for "back to editing"/close."""
        dialog = cls(error, name, report_only=report_only, parent=parent)
        try:
            dialog.exec()
            return dialog.choice
        finally:
            dialog.deleteLater()

    def retranslate(self) -> None:
        name = self.name or _("This record")
        if self.report_only:
            self.setWindowTitle(_("Undo not possible"))
            self.intro.setText(_(
                "“{name}” was changed by someone else after this step. Undoing it would "
                "overwrite their change, so nothing was changed. Compare the values below."
            ).format(name=name))
        else:
            self.setWindowTitle(_("Changed in the meantime"))
            self.intro.setText(_(
                "“{name}” was changed by someone else after you opened it. Your changes "
                "are not saved yet. Which values should be kept?"
            ).format(name=name))
        if self.overwrite_button is not None and self.keep_button is not None:
            self.overwrite_button.setText(_("Overwrite with my values"))
            self.keep_button.setText(_("Keep their values"))
            cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
            cancel.setText(_("Back to editing"))
        else:
            self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        mine = _("What undo would restore") if self.report_only else _("Your value (not saved)")
        self.table.setHorizontalHeaderLabels([_("Field"), mine, _("Saved meanwhile")])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def rows(self) -> list[tuple[str, str, str]]:
        """The table's text, row by row (for tests and screen readers)."""
        def text(r: int, c: int) -> str:
            item = self.table.item(r, c)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1), text(r, 2)) for r in range(self.table.rowCount())]

    def _fill(self, rows: Sequence[tuple[str, str, str]]) -> None:
        self.table.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for r, (label, mine, theirs) in enumerate(rows):
            for c, text in enumerate((label, mine, theirs)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if mine != theirs and c > 0:
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.fit_to_rows()

    def fit_to_rows(self) -> None:
        """As tall as the rows need (up to a limit): no clipped values, no empty area."""
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        table = rows + self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        extra = self.height() - self.table.height()
        self.resize(self.width(), min(table + extra + 2, 560))

    def _on_overwrite_button_clicked(self) -> None:
        self.choice = ConflictChoice.OVERWRITE
        self.accept()

    def _on_keep_button_clicked(self) -> None:
        self.choice = ConflictChoice.KEEP_THEIRS
        self.accept()
