"""Settings: the language of the window (takes effect at once, no restart), what the
printed reports show (the network's name and logo, the funder's wording and logo), and the
database opened at the next start (a file or an office server, with a connection test)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm.config import Preferences, load_preferences, save_preferences
from crm.connection import ConnectionCheck, check_connection, split_password, with_password
from crm.i18n import LANGUAGES, _, current_language
from crm.messages import error_message
from ui.app import language_name, set_application_language
from ui.task import TaskRunner


def apply_language(prefs: Preferences, language: str) -> None:
    """Switch every open window to ``language`` and remember it for the next start."""
    set_application_language(language)
    prefs.language = language
    save_preferences(prefs)


class ImagePathField(QWidget):
    """A path to an image file, typed or chosen with "…"."""

    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(path)
        self.edit.setClearButtonEnabled(True)
        self.button = QToolButton()
        self.button.setText("…")
        self.button.clicked.connect(self._on_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        self.setFocusProxy(self.edit)

    def path(self) -> str:
        return self.edit.text().strip()

    def _on_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose an image"), self.path(), _("Images (*.png *.jpg *.jpeg)"))
        if path:
            self.edit.setText(path)


class PrintSettingsGroup(QGroupBox):
    """The preferences the PDF reports print (crm.config.Preferences)."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network_name = QLineEdit(prefs.network_name)
        self.network_name.setCursorPosition(0)  # show the name's start, not its end
        self.network_name.setMinimumWidth(300)
        self.logo = ImagePathField(prefs.logo_path)
        self.funder_text = QPlainTextEdit(prefs.funder_text)
        self.funder_text.setTabChangesFocus(True)
        self.funder_text.setFixedHeight(self.funder_text.fontMetrics().lineSpacing() * 4 + 12)
        self.funder_logo = ImagePathField(prefs.funder_logo_path)
        form = QFormLayout(self)
        self.labels = [QLabel() for _field in range(4)]
        for label, field in zip(self.labels, (self.network_name, self.logo, self.funder_text,
                                              self.funder_logo), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)

    def store(self, prefs: Preferences) -> None:
        prefs.network_name = self.network_name.text().strip() or Preferences().network_name
        prefs.logo_path = self.logo.path()
        prefs.funder_text = self.funder_text.toPlainText().strip()
        prefs.funder_logo_path = self.funder_logo.path()

    def retranslate(self) -> None:
        self.setTitle(_("Print"))
        for label, text in zip(self.labels, (_("&Network name:"), _("Net&work logo:"),
                                             _("&Funder’s wording:"), _("F&under’s logo:")),
                               strict=True):
            label.setText(text)
        self.funder_text.setPlaceholderText(_("Printed on attendance lists, e.g. “Funded by "
                                              "…”"))


class DatabaseGroup(QGroupBox):
    """Which database Brücke opens at the next start: a file or a server address, with a
    connection test that runs off the GUI thread. The password has its own masked field
    and is never shown."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        shown, self._saved_password = split_password(prefs.database)
        self._original = prefs.database
        self.target = ImagePathField(shown)
        self.target.button.clicked.disconnect()
        self.target.button.clicked.connect(self._choose_file)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = QPushButton()
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setWordWrap(True)
        # Room for three wrapped lines from the start: a form row does not grow afterwards.
        self.result.setMinimumHeight(3 * self.result.fontMetrics().lineSpacing())
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._runner = TaskRunner(self)
        self.last_check: ConnectionCheck | None = None
        form = QFormLayout(self)
        self.labels = [QLabel(), QLabel()]
        for label, field in zip(self.labels, (self.target, self.password), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.test_button)
        form.addRow(self.result)  # the whole width: messages name the server and wrap

    def value(self) -> str:
        """The database to store: what was typed, with the password (typed or kept)."""
        text = self.target.path()
        password = self.password.text() or self._saved_password
        return with_password(text, password) if text else ""

    def store(self, prefs: Preferences) -> None:
        prefs.database = self.value()

    def test_connection(self) -> None:
        target = self.value()
        self.test_button.setEnabled(False)
        self.last_check = None
        self.result.setText(_("Testing the connection …"))
        self._runner.start(lambda: check_connection(target), self._tested, self._failed)

    def _tested(self, check: ConnectionCheck) -> None:
        self.last_check = check
        self.test_button.setEnabled(True)
        self.result.setText(("✓ " if check.ok else "✗ ") + check.message)
        self.window().adjustSize()  # a long message wraps onto more lines: make room

    def _failed(self, exc: Exception) -> None:
        self._tested(ConnectionCheck(False, error_message(exc), "other"))

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Choose a database file"), self.target.path(),
            _("Brücke databases (*.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.target.edit.setText(path)

    def retranslate(self) -> None:
        self.setTitle(_("Database"))
        self.labels[0].setText(_("File or ser&ver:"))
        self.labels[1].setText(_("&Password:"))
        self.target.edit.setPlaceholderText(
            _("a file, or postgresql+psycopg://login@server/bruecke"))
        self.password.setPlaceholderText(
            _("saved, not shown") if self._saved_password
            else _("only for a server; empty: from ~/.pgpass"))
        self.test_button.setText(_("&Test connection"))
        self.target.setToolTip(_("Brücke opens this database at the next start."))


class SettingsDialog(QDialog):
    def __init__(self, language: str, parent: QWidget | None = None,
                 prefs: Preferences | None = None) -> None:
        super().__init__(parent)
        self.print_group = PrintSettingsGroup(prefs or load_preferences())
        self.database_group = DatabaseGroup(prefs or load_preferences())
        self.language_combo = QComboBox()
        for code in LANGUAGES:
            self.language_combo.addItem(language_name(code), code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language_combo)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.language_label, self.language_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.print_group)
        layout.addWidget(self.database_group)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.retranslate()

    @classmethod
    def ask(cls, parent: QWidget | None = None, prefs: Preferences | None = None
            ) -> str | None:
        """The chosen language, or None if cancelled; the print fields go into ``prefs``
        (saved with the language by :func:`apply_language`)."""
        dialog = cls(current_language(), parent, prefs)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if prefs is not None:
            dialog.print_group.store(prefs)
            dialog.database_group.store(prefs)
        return dialog.language()

    def language(self) -> str:
        return str(self.language_combo.currentData())

    def retranslate(self) -> None:
        self.setWindowTitle(_("Settings"))
        self.language_label.setText(_("&Language:"))
        self.hint.setText(_("The window switches at once. The command line and reports use "
                            "the same language."))
        self.print_group.retranslate()
        self.database_group.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
