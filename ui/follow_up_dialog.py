"""A new follow-up of its own (Aufgaben → "New follow-up …"): due date, what to do, for whom.

Online it is stored at once (``app.followups.add``); on the offline copy the offline
follow-up service queues it in the outbox (see crm.offline), to be sent later.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from crm.errors import BrueckeError
from crm.i18n import _
from crm.messages import error_message
from crm.services.activity_rows import FollowUpInput, FollowUpRow


class NewFollowUpDialog(QDialog):
    """Asks for due date, text and (optionally) the staff member; ``saved_result`` after
    :meth:`save` is the new follow-up."""

    def __init__(self, app: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.saved_result: FollowUpRow | None = None
        self.due_edit = QLineEdit(self)
        self.text_edit = QLineEdit(self)
        self.assignee_edit = QLineEdit(self)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)  # room for the placeholders and a sentence of task
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("New follow-up"))
        while self._form.rowCount():
            self._form.takeRow(0)
        self._form.addRow(_("&Due:"), self.due_edit)
        self._form.addRow(_("&Task:"), self.text_edit)
        self._form.addRow(_("&For:"), self.assignee_edit)
        self.due_edit.setPlaceholderText(_("e.g. Friday, 30.11."))
        self.assignee_edit.setPlaceholderText(_("initials; empty: yourself"))

    def save(self) -> FollowUpRow | None:
        data = FollowUpInput(self.due_edit.text().strip(), self.text_edit.text(),
                             self.assignee_edit.text().strip() or None)
        try:
            self.saved_result = self._app.followups.add(data)
        except BrueckeError as exc:
            self.error_label.setText(error_message(exc))
            self.error_label.show()
            return None
        self.accept()
        return self.saved_result
