"""The database cannot be opened at start: say why, offer the latest good backup.

The damaged file is never overwritten: restoring renames it (``…damaged-<time>.db``) so
that it can still be handed to someone who recovers data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, QEvent, QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _
from ui.detail.html import esc

RESTORE, QUIT = "restore", "quit"


def show_moment(moment: datetime) -> str:
    """"Mittwoch, 25. November 2026, 18:51" (local time, as the backup's name says)."""
    stamp = QDateTime(moment.date(), moment.time())
    locale = QLocale()
    day = locale.toString(stamp.date(), QLocale.FormatType.LongFormat)
    return f"{day}, {locale.toString(stamp.time(), QLocale.FormatType.ShortFormat)}"


class DamagedDialog(QDialog):
    def __init__(self, database: str, detail: str, backup: Path | None,
                 taken_at: datetime | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database, self.detail = database, detail
        self.backup, self.taken_at = backup, taken_at
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.restore_button = QPushButton()
        self.quit_button = QPushButton()
        if backup is not None:
            self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setDefault(True)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("The database is damaged"))
        title = _("Brücke cannot start")
        parts = [f"<h3>{esc(title)}</h3>",
                 "<p>{}</p>".format(esc(_(
                     "The file {path} is damaged, for example after a power cut or a full "
                     "disk, and cannot be read.").format(path=self.database)))]
        if self.detail:
            parts.append('<p style="color: gray;">{}</p>'.format(
                esc(_("Details: {detail}").format(detail=self.detail))))
        if self.backup is not None and self.taken_at is not None:
            parts.append("<p>{}</p>".format(esc(_(
                "The latest intact backup is from {when}. Restoring it brings back the data "
                "as it was then; changes made after it are missing.").format(
                    when=show_moment(self.taken_at)))))
            parts.append("<p>{}</p>".format(esc(_(
                "The damaged file is not overwritten: it is kept, renamed, beside the "
                "database, so that data can still be recovered from it."))))
        else:
            parts.append("<p>{}</p>".format(esc(_(
                "There is no intact backup. The file was left as it is; ask someone who can "
                "recover SQLite databases for help, or restore a backup of your own with "
                "“bruecke restore FILE”."))))
        self.text.setText("".join(parts))
        self.restore_button.setText(_("&Restore the backup"))
        self.quit_button.setText(_("&Quit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @classmethod
    def ask(cls, database: str, detail: str, backup: Path | None,
            taken_at: datetime | None, parent: QWidget | None = None) -> str:
        dialog = cls(database, detail, backup, taken_at, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return RESTORE if accepted and backup is not None else QUIT
