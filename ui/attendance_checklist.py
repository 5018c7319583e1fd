"""Attendance on the day: every invited person with a checkbox.

Space ticks the current person, typing a name's first letters jumps to it, "Mark all
present" ticks everyone who has not cancelled. Saving sets the ticked persons to
"attended"; persons un-ticked who were marked attended go back to "registered"; nobody
else changes.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm.errors import BrueckeError
from crm.i18n import _, ngettext
from crm.messages import error_message, value_label
from crm.services.activity_rows import AttendeeRow, EventDetail
from ui.detail.html import format_moment

App = Any  # crm.app.App
UID_ROLE = Qt.ItemDataRole.UserRole + 1
ATTENDED, REGISTERED, CANCELLED = "attended", "registered", "cancelled"


def folded(text: str) -> str:
    """For matching typed names: "sahin" finds "Şahin", "nguyen" finds "Nguyễn"."""
    plain = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def attendee_text(row: AttendeeRow) -> str:
    where = ", ".join(v for v in (row.role_title, row.organisation) if v)
    status = value_label("attendee_status", row.status)
    return (_("{name} – {where} ({status})") if where else _("{name} ({status})")).format(
        name=row.name, where=where, status=status)


def attendance_changes(event: EventDetail, ticked: set[str]) -> dict[str, str]:
    """{person uid: new status} for what the checklist changes."""
    changes: dict[str, str] = {}
    for row in event.attendees:
        uid = row.person.uid
        if uid in ticked and row.status != ATTENDED:
            changes[uid] = ATTENDED
        elif uid not in ticked and row.status == ATTENDED:
            changes[uid] = REGISTERED
    return changes


class AttendanceChecklist(QDialog):
    """See the module docstring; ``ask`` returns the event after saving, or None."""

    def __init__(self, app: App, event: EventDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.event_detail = event
        self.saved_result: EventDetail | None = None
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600;")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(1)
        self.list.setWordWrap(True)
        self.count_label = QLabel(self)
        self.all_button = QPushButton(self)
        self.all_button.setAutoDefault(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
        self._fill()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.all_button)
        bottom.addWidget(self.count_label, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.all_button.clicked.connect(self.mark_all_present)
        self.list.itemChanged.connect(lambda _item: self._update_count())
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.filter_edit.returnPressed.connect(self._on_filter_edit_return_pressed)
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self).activated.connect(self.save)
        self.resize(660, 640)
        self.retranslate()
        self.list.setFocus()
        self.list.setCurrentRow(0)

    @classmethod
    def ask(cls, app: App, event_uid: str, parent: QWidget | None = None
            ) -> EventDetail | None:
        try:
            event = app.events.get(event_uid)
        except BrueckeError as exc:
            QMessageBox.warning(parent, _("Not possible"), error_message(exc))
            return None
        dialog = cls(app, event, parent)
        try:
            dialog.exec()
            return dialog.saved_result
        finally:
            dialog.deleteLater()

    # -- public API ----------------------------------------------------------------------

    def items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def ticked(self) -> set[str]:
        return {item.data(UID_ROLE) for item in self.items()
                if item.checkState() == Qt.CheckState.Checked}

    def mark_all_present(self) -> None:
        """Tick everyone who has not cancelled (cancelled ones are ticked one by one)."""
        statuses = {a.person.uid: a.status for a in self.event_detail.attendees}
        for item in self.items():
            if statuses.get(item.data(UID_ROLE)) != CANCELLED and not item.isHidden():
                item.setCheckState(Qt.CheckState.Checked)

    def save(self) -> None:
        changes = attendance_changes(self.event_detail, self.ticked())
        if not changes:
            self.saved_result = self.event_detail
            self.accept()
            return
        try:
            self.saved_result = self._app.events.record_attendance(self.event_detail.uid, changes)
        except BrueckeError as exc:
            QMessageBox.warning(self, _("Not saved"), error_message(exc))
            return
        self.accept()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Attendance"))
        self.heading.setText(_("{title} – {moment}").format(
            title=self.event_detail.title, moment=format_moment(self.event_detail.starts_at)))
        self.filter_edit.setPlaceholderText(_("Find a name (Enter jumps to the list)"))
        self.all_button.setText(_("Mark all present"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip(
            _("Save (Ctrl+Enter)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.list.setAccessibleName(_("Attendance list: Space ticks a person"))
        for item in self.items():
            row = item.data(Qt.ItemDataRole.UserRole + 2)
            item.setText(attendee_text(row))
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- internals -----------------------------------------------------------------------

    def _fill(self) -> None:
        for row in self.event_detail.attendees:
            item = QListWidgetItem(attendee_text(row))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if row.status == ATTENDED
                               else Qt.CheckState.Unchecked)
            item.setData(UID_ROLE, row.person.uid)
            item.setData(Qt.ItemDataRole.UserRole + 2, row)
            self.list.addItem(item)

    def _update_count(self) -> None:
        total = self.list.count()
        present = len(self.ticked())
        self.count_label.setText(ngettext("{present} of {n} person present",
                                          "{present} of {n} persons present", total)
                                 .format(present=present, n=total))

    def _on_filter_edit_text_changed(self, text: str) -> None:
        words = folded(text).split()
        for item in self.items():
            item.setHidden(not all(w in folded(item.text()) for w in words))

    def _on_filter_edit_return_pressed(self) -> None:
        visible = [i for i, item in enumerate(self.items()) if not item.isHidden()]
        if visible:
            self.list.setCurrentRow(visible[0])
        self.list.setFocus()
