"""About Brücke: version, licence, the data and icons it ships, where the data lives."""

from __future__ import annotations

import html
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QEvent, Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from crm.i18n import _
from ui.app import icon


def version() -> str:
    try:
        return metadata.version("bruecke")
    except metadata.PackageNotFoundError:
        return "0.1.0"


class AboutDialog(QDialog):
    def __init__(self, location: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._location = location
        self.logo = QLabel()
        self.logo.setPixmap(icon("bruecke").pixmap(64, 64))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setOpenExternalLinks(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.logo, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("About Brücke"))
        lines = [
            f"<h2>Brücke {html.escape(version())}</h2>",
            "<p>" + html.escape(_(
                "Contacts, roles and conversations of a network of migrant organisations "
                "with municipalities, members and funders. Works offline; nothing is sent "
                "anywhere.")) + "</p>",
            "<p>" + html.escape(_("Licence: GNU General Public License, version 3 or later."))
            + "</p>",
            "<p>" + html.escape(_(
                "Municipal data: © Statistische Ämter des Bundes und der Länder, Zensus 2022; "
                "maps: © GeoBasis-DE / BKG 2021 (data changed); Datenlizenz Deutschland – "
                "Namensnennung 2.0. Icons: CC0.")) + "</p>",
            "<p>" + html.escape(_("Qt {qt}, PySide {pyside}").format(
                qt=qVersion(), pyside=pyside_version)) + "</p>",
        ]
        if self._location:
            lines.append("<p>" + html.escape(_("Database: {location}").format(
                location=self._location)) + "</p>")
        self.text.setText("".join(lines))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
