"""First start: who is using Brücke, and should it start with the demo network?"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _


@dataclass(frozen=True)
class WelcomeAnswer:
    name: str
    initials: str
    demo: bool


def initials_for(name: str) -> str:
    """ "Amira Haddad" → "AH"; at most three letters."""
    parts = [p for p in name.replace(".", " ").replace("-", " ").split() if p]
    return "".join(p[0] for p in parts[:3]).upper()


class WelcomeDialog(QDialog):
    """Asks for the staff member's name and initials and how to start."""

    def __init__(self, default_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._initials_edited = False
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.name_edit = QLineEdit(default_name)
        self.name_edit.setMaxLength(200)
        self.initials_edit = QLineEdit(initials_for(default_name))
        self.initials_edit.setMaxLength(10)
        self.initials_edit.setMaximumWidth(90)
        self.name_label = QLabel()
        self.initials_label = QLabel()
        self.name_label.setBuddy(self.name_edit)
        self.initials_label.setBuddy(self.initials_edit)
        self.demo_button = QRadioButton()
        self.empty_button = QRadioButton()
        self.empty_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.demo_button)
        group.addButton(self.empty_button)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._layout()
        self.name_edit.textEdited.connect(self._on_name_edit_text_edited)
        self.initials_edit.textEdited.connect(self._on_initials_edit_text_edited)
        self.name_edit.textChanged.connect(self._update_ok)
        self.initials_edit.textChanged.connect(self._update_ok)
        self.retranslate()
        self._update_ok()

    @classmethod
    def ask(cls, default_name: str = "", parent: QWidget | None = None) -> WelcomeAnswer | None:
        dialog = cls(default_name, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()

    def answer(self) -> WelcomeAnswer:
        return WelcomeAnswer(self.name_edit.text().strip(),
                             self.initials_edit.text().strip().upper(),
                             self.demo_button.isChecked())

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome to Brücke"))
        self.intro.setText(_(
            "Brücke keeps the network's contacts: persons, organisations and municipalities, "
            "who holds which role, and every meeting. Everything stays on this computer.\n\n"
            "Who is using Brücke? Your initials mark the entries you log."))
        self.name_label.setText(_("&Your name:"))
        self.initials_label.setText(_("&Initials:"))
        self.demo_button.setText(_("Start with the &demo network (invented people to try "
                                   "things out)"))
        self.empty_button.setText(_("Start with an &empty database"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.name_label, self.name_edit)
        form.addRow(self.initials_label, self.initials_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.empty_button)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_name_edit_text_edited(self, text: str) -> None:
        if not self._initials_edited:
            self.initials_edit.setText(initials_for(text))

    def _on_initials_edit_text_edited(self, _text: str) -> None:
        self._initials_edited = True

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name_edit.text().strip() and self.initials_edit.text().strip()))
