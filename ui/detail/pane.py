"""The detail pane beside every list: a QTextBrowser showing one person, organisation or
municipality. Links to other records ask the window to open them; mailto:, tel: and web
links go to the desktop's mail program, phone app or browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser, QWidget

from crm.i18n import _
from crm.messages import error_message
from ui.detail.activity import load_recent, recent_html
from ui.detail.html import RECORD_SCHEME, empty, esc, page
from ui.detail.municipality import municipality_html
from ui.detail.organisation import organisation_html
from ui.detail.person import consents_html, person_html
from ui.task import TaskRunner

App = Any  # crm.app.App; ui/ may not import it (it imports SQLAlchemy)
EXTERNAL_SCHEMES = ("mailto", "tel", "http", "https")


def load_detail(app: App, kind: str, uid: str) -> tuple[Any, ...]:
    """Read what the pane shows (runs on a worker thread: services only, no widgets).

    The last item is always the latest interactions, ``(entries, total, last contact)``;
    a person's second item is their consents.
    """
    if kind == "person":
        return app.people.get(uid), app.privacy.consents(uid), load_recent(app, kind, uid)
    if kind == "organisation":
        return app.organisations.get(uid), load_recent(app, kind, uid)
    if kind == "municipality":
        directory = app.municipalities.directory(uid)
        holders = [r.person.uid for e in directory.organisations for r in e.current]
        return directory, app.listing.contacts_of(holders), load_recent(app, kind, uid)
    raise ValueError(kind)


def history_link(kind: str, uid: str) -> str:
    """The "show all" link of a pane's history section: the record's whole Verlauf."""
    return f"{RECORD_SCHEME}:history/{kind}/{quote(uid)}"


def render(kind: str, uid: str, data: tuple[Any, ...]) -> str:
    entries, total, last = data[-1]
    history = recent_html(entries, total, last, more_link=history_link(kind, uid))
    if kind == "person":
        return person_html(data[0], history, consents_html(uid, data[1]))
    if kind == "organisation":
        return organisation_html(data[0], history)
    return municipality_html(data[0], data[1], history)


class DetailPane(QTextBrowser):
    """Shows the selected record; emits :attr:`record_requested` for links to others."""

    record_requested = Signal(str, str)  # kind, uid
    detail_shown = Signal(str, str)  # kind, uid: the pane now shows this record

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._runner = TaskRunner(self)
        self._shown: tuple[str, str] | None = None
        self._data: tuple[Any, ...] | None = None
        self._wanted: tuple[str, str] | None = None
        self._empty_text = ""
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.setMinimumWidth(280)
        self.retranslate()

    # -- public API ----------------------------------------------------------------------

    def show_record(self, kind: str, uid: str) -> None:
        """Load and show the record (off the GUI thread); the latest request wins."""
        self._wanted = (kind, uid)
        self._runner.start(lambda: load_detail(self._app, kind, uid),
                           lambda data: self._on_loaded(kind, uid, data),
                           lambda exc: self._on_failed(kind, uid, exc))

    def reload(self) -> None:
        """Show the current record again (after an edit)."""
        if self._shown is not None:
            self.show_record(*self._shown)

    def clear_record(self, text: str | None = None) -> None:
        """Show the empty state, e.g. when nothing is selected."""
        self._wanted = self._shown = None
        self._data = None
        self._empty_text = text or ""
        self.setHtml(page([empty(self._empty_text or self._default_empty())]))

    def current_record(self) -> tuple[str, str] | None:
        return self._shown

    def shown_archived(self) -> bool | None:
        """Whether the person or organisation shown is archived; None if not known."""
        if self._shown is None or self._data is None:
            return None
        return getattr(self._data[0], "archived", None)

    def retranslate(self) -> None:
        self.setAccessibleName(_("Details"))
        if self._shown is not None and self._data is not None:
            self.setHtml(render(*self._shown, self._data))
        else:
            self.clear_record(self._empty_text or None)

    # -- slots ---------------------------------------------------------------------------

    def _on_loaded(self, kind: str, uid: str, data: tuple[Any, ...]) -> None:
        if self._wanted != (kind, uid):
            return  # a newer selection is on its way
        self._shown, self._data = (kind, uid), data
        self.setHtml(render(kind, uid, data))
        self.detail_shown.emit(kind, uid)

    def _on_failed(self, kind: str, uid: str, exc: Exception) -> None:
        if self._wanted != (kind, uid):
            return
        self._shown = self._data = None
        self.setHtml(page([f"<p>{esc(error_message(exc))}</p>"]))

    def _on_anchor_clicked(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == RECORD_SCHEME:
            kind, _sep, uid = url.path().partition("/")
            if kind and uid:
                self.record_requested.emit(kind, uid)
        elif scheme in EXTERNAL_SCHEMES:
            QDesktopServices.openUrl(url)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @staticmethod
    def _default_empty() -> str:
        return _("Select an entry in the list to see its details here.")
