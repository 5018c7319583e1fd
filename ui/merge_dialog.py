"""Merge two persons or organisations: both side by side, the user picks each field's value.

Everything else (contact points, roles, interactions, event attendances, follow-ups and
tags) is kept from both; the service records the merge so it can be taken back.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _
from crm.messages import error_message, field_label, value_label


def _text(field: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field == "salutation":
        return value_label("salutation", str(value))
    if field == "kind":
        return value_label("organisation_kind", str(value))
    return str(value)


class MergeDialog(QDialog):
    """``duplicates`` is crm's DuplicateService (or a fake with compare() and merge())."""

    def __init__(self, duplicates: Any, kind: str, keep: tuple[str, str],
                 other: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duplicates = duplicates
        self.kind = kind
        self.keep_uid, self.other_uid = keep[0], other[0]
        self.result_: Any = None
        self.groups: dict[str, QButtonGroup] = {}
        values = duplicates.compare(kind, self.keep_uid, self.other_uid)
        grid = QGridLayout()
        grid.addWidget(self._bold(_("Field")), 0, 0)
        grid.addWidget(self._bold(_("Keep: {name}").format(name=keep[1])), 0, 1)
        grid.addWidget(self._bold(_("Merge in: {name}").format(name=other[1])), 0, 2)
        row = 1
        for field, (mine, theirs) in values.items():
            if mine == theirs or (mine in (None, "") and theirs in (None, "")):
                continue
            label = field_label(field.removesuffix("_id"))
            grid.addWidget(QLabel(label), row, 0)
            group = QButtonGroup(self)
            for column, (value, choice) in enumerate(((mine, "keep"), (theirs, "other")), 1):
                button = QRadioButton(_text(field, value))
                button.setProperty("choice", choice)
                group.addButton(button)
                grid.addWidget(button, row, column)
            empty = mine in (None, "", "none")
            group.buttons()[1 if empty else 0].setChecked(True)
            self.groups[field] = group
            row += 1
        note = QLabel(_("Contact points, roles, conversations, event attendances, follow-ups "
                        "and tags of both are kept. The merge can be taken back."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = buttons.addButton(_("Merge"),
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setWindowTitle(_("Merge duplicates"))
        self.resize(760, 360)

    @staticmethod
    def _bold(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("font-weight: 600;")
        return label

    def choices(self) -> dict[str, str]:
        return {field: group.checkedButton().property("choice")
                for field, group in self.groups.items() if group.checkedButton()}

    def _on_buttons_accepted(self) -> None:
        try:
            self.result_ = self.duplicates.merge(self.kind, self.keep_uid, self.other_uid,
                                                 self.choices())
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, _("Merge duplicates"), error_message(exc))
            return
        self.accept()

    @classmethod
    def ask(cls, duplicates: Any, kind: str, keep: tuple[str, str], other: tuple[str, str],
            parent: QWidget | None = None) -> Any:
        dialog = cls(duplicates, kind, keep, other, parent)
        return dialog.result_ if dialog.exec() == QDialog.DialogCode.Accepted else None
