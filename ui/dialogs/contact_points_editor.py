"""Edit a list of contact points: kind, label, value and "preferred", one row each.

Each value is checked through the service while the user types (phones, emails); the
message appears under the row and the typed text stays. Blank rows are ignored on save.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm.errors import BrueckeError, ValidationError
from crm.i18n import _
from crm.messages import error_message, field_message
from crm.services.rows import ContactInput, ContactPointRow
from ui.dialogs.base import contact_kind_labels, contact_label_labels
from ui.field_errors import make_error_label, mark_invalid

Check = Callable[[ContactInput], str]
_KEY = re.compile(r"^(?P<field>[\w-]+)\[(?P<index>\d+)\]$")
_KINDS = ("email", "phone", "mobile", "fax", "web", "postal", "messenger")
_LABELS = ("work", "private", "other")


def _placeholders() -> dict[str, str]:
    return {
        "email": _("name@example.org"),
        "phone": _("e.g. 0361 123456"),
        "mobile": _("e.g. 0151 23456789"),
        "fax": _("e.g. 0361 123457"),
        "web": _("https://…"),
        "postal": _("Street 1, 99084 Erfurt"),
        "messenger": _("Name or number in the messenger"),
    }


class ContactPointRowEditor(QWidget):
    """One contact point: kind, label, value, preferred, remove."""

    edited = Signal()
    value_edited = Signal()
    remove_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verified_on: date | None = None
        self.kind_combo = QComboBox(self)
        self.label_combo = QComboBox(self)
        for code in _KINDS:
            self.kind_combo.addItem(code, code)
        for code in _LABELS:
            self.label_combo.addItem(code, code)
        self.value_edit = QLineEdit(self)
        self.preferred_check = QCheckBox(self)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.error_label = make_error_label(self)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.kind_combo)
        line.addWidget(self.label_combo)
        line.addWidget(self.value_edit, 1)
        line.addWidget(self.preferred_check)
        line.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(line)
        layout.addWidget(self.error_label)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.label_combo.currentIndexChanged.connect(self.edited)
        self.value_edit.textEdited.connect(self.value_edited)
        self.value_edit.textChanged.connect(self.edited)
        self.preferred_check.toggled.connect(self.edited)
        self.remove_button.clicked.connect(self.remove_requested)
        self.retranslate()

    def retranslate(self) -> None:
        kinds = contact_kind_labels()
        labels = contact_label_labels()
        for i in range(self.kind_combo.count()):
            self.kind_combo.setItemText(i, kinds[self.kind_combo.itemData(i)])
        for i in range(self.label_combo.count()):
            self.label_combo.setItemText(i, labels[self.label_combo.itemData(i)])
        self.kind_combo.setToolTip(_("Kind of contact"))
        self.kind_combo.setAccessibleName(_("Kind of contact"))
        self.label_combo.setToolTip(_("Work, private or other"))
        self.label_combo.setAccessibleName(_("Label"))
        self.value_edit.setAccessibleName(_("Contact value"))
        self.value_edit.setPlaceholderText(_placeholders()[self.kind()])
        self.preferred_check.setText(_("Preferred"))
        self.remove_button.setToolTip(_("Remove this contact point"))
        self.remove_button.setAccessibleName(_("Remove this contact point"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def set_values(self, kind: str, label: str, value: str, preferred: bool,
                   verified_on: date | None = None) -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.label_combo.setCurrentIndex(max(0, self.label_combo.findData(label)))
        self.value_edit.setText(value)
        self.preferred_check.setChecked(preferred)
        self.verified_on = verified_on

    def is_blank(self) -> bool:
        return not self.value_edit.text().strip()

    def to_input(self) -> ContactInput:
        return ContactInput(kind=self.kind(), value=self.value_edit.text(),
                            label=str(self.label_combo.currentData()),
                            preferred=self.preferred_check.isChecked(),
                            verified_on=self.verified_on)

    def state(self) -> tuple[object, ...]:
        return (self.kind(), self.label_combo.currentData(), self.value_edit.text().strip(),
                self.preferred_check.isChecked())

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        mark_invalid(self.value_edit, bool(message), message)

    def error(self) -> str:
        return self.error_label.text()

    def focus_widgets(self) -> list[QWidget]:
        return [self.kind_combo, self.label_combo, self.value_edit, self.preferred_check,
                self.remove_button]

    def _on_kind_combo_changed(self) -> None:
        self.value_edit.setPlaceholderText(_placeholders()[self.kind()])
        self.edited.emit()
        self.value_edited.emit()


class ContactPointsEditor(QWidget):
    """The contact points of one person or organisation."""

    changed = Signal()
    rows_changed = Signal()  # a row was added or removed: the tab order must follow
    CHECK_DELAY_MS = 300

    def __init__(self, check: Check | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._check = check
        self._rows: list[ContactPointRowEditor] = []
        self._pending: list[ContactPointRowEditor] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.CHECK_DELAY_MS)
        self._timer.timeout.connect(self.flush_checks)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        self.empty_label = QLabel(self)
        self.empty_label.setEnabled(False)
        self.add_button = QPushButton(self)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._rows_layout)
        layout.addLayout(buttons)
        self.retranslate()
        self._update_empty()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add contact point"))
        self.empty_label.setText(_("No contact points yet."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- content -----------------------------------------------------------------------------

    def rows(self) -> list[ContactPointRowEditor]:
        return list(self._rows)

    def set_points(self, points: Sequence[ContactPointRow]) -> None:
        for row in list(self._rows):
            self._remove(row, notify=False)
        for point in points:
            self.add_point(point.kind, point.label, point.display, point.preferred,
                           point.verified_on, notify=False)
        self.rows_changed.emit()

    def add_point(self, kind: str = "email", label: str = "work", value: str = "",
                  preferred: bool = False, verified_on: date | None = None, *,
                  notify: bool = True) -> ContactPointRowEditor:
        row = ContactPointRowEditor(self)
        row.set_values(kind, label, value, preferred, verified_on)
        row.edited.connect(self.changed)
        row.value_edited.connect(lambda r=row: self._schedule(r))
        row.value_edit.editingFinished.connect(lambda r=row: self._check_row(r))
        row.remove_requested.connect(lambda r=row: self._remove(r))
        self._rows.append(row)
        self._rows_layout.addWidget(row)
        self._update_empty()
        if notify:
            self.rows_changed.emit()
            self.changed.emit()
        return row

    def inputs(self) -> list[ContactInput]:
        """The non-blank rows, in order, as the service takes them."""
        return [row.to_input() for row in self._input_rows()]

    def state(self) -> tuple[tuple[object, ...], ...]:
        return tuple(row.state() for row in self._input_rows())

    def focus_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = []
        for row in self._rows:
            widgets.extend(row.focus_widgets())
        return [*widgets, self.add_button]

    # -- errors ------------------------------------------------------------------------------

    def place_errors(self, exc: ValidationError) -> list[str]:
        """Show the service's ``email[2]``-style errors under their rows; the rest back."""
        rows = self._input_rows()
        unplaced: list[str] = []
        for key, (code, values) in exc.errors.items():
            match = _KEY.match(key)
            index = int(match["index"]) if match else -1
            if match and 0 <= index < len(rows):
                rows[index].show_error(field_message(match["field"], code, values))
            else:
                unplaced.append(field_message(key, code, values))
        return unplaced

    def clear_errors(self) -> None:
        for row in self._rows:
            row.show_error("")

    def first_invalid(self) -> QWidget | None:
        return next((row.value_edit for row in self._rows if row.error()), None)

    def flush_checks(self) -> None:
        self._timer.stop()
        pending, self._pending = self._pending, []
        for row in pending:
            if row in self._rows:
                self._check_row(row)

    # -- internals ---------------------------------------------------------------------------

    def _input_rows(self) -> list[ContactPointRowEditor]:
        return [row for row in self._rows if not row.is_blank()]

    def _schedule(self, row: ContactPointRowEditor) -> None:
        if row not in self._pending:
            self._pending.append(row)
        self._timer.start()

    def _check_row(self, row: ContactPointRowEditor) -> None:
        if self._check is None:
            return
        if row.is_blank():
            row.show_error("")
            return
        try:
            self._check(row.to_input())
        except ValidationError as exc:
            code, values = next(iter(exc.errors.values()))
            row.show_error(field_message(row.kind(), code, values))
        except BrueckeError as exc:
            row.show_error(error_message(exc))
        else:
            row.show_error("")

    def _remove(self, row: ContactPointRowEditor, *, notify: bool = True) -> None:
        index = self._rows.index(row)
        focus_next = row.isAncestorOf(self.focusWidget()) if self.focusWidget() else False
        self._rows.remove(row)
        if row in self._pending:
            self._pending.remove(row)
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._update_empty()
        if focus_next:
            target = (self._rows[min(index, len(self._rows) - 1)].value_edit if self._rows
                      else self.add_button)
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        if notify:
            self.rows_changed.emit()
            self.changed.emit()

    def _update_empty(self) -> None:
        self.empty_label.setVisible(not self._rows)

    def _on_add_button_clicked(self) -> None:
        row = self.add_point()
        row.kind_combo.setFocus(Qt.FocusReason.OtherFocusReason)
