"""The window on the offline copy (issue 10): read-only, but the quick log still works.

:func:`install_offline_mode` runs when the app opened the offline copy of an unreachable
server (``app.offline``, see crm.offline): every action that would change data is disabled
(as in ui.read_only) except the quick log and "new follow-up" on the Tasks page, whose
entries go into the outbox (marking done, rescheduling, reassigning say in a tooltip why
they are off); title and
status bar say "Offline-Kopie vom … – nur lesen, Einträge werden später gesendet". A
watcher thread tries the server now and then; once it answers, the outbox is sent and the
window says how many entries went out, and shows every entry the server refused (those stay
in the outbox: nothing is dropped).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox

from crm.i18n import _, ngettext
from ui.detail.html import format_date
from ui.read_only import _PAGE_WIDGETS, _WINDOW_ACTIONS, _resolve, pin_disabled

# The quick log and new follow-ups keep working offline: their entries are queued.
_STILL_ENABLED = {"activity.quick_log_action", "activity.log_record_action",
                  "activity.tasks.new_button"}
# Changes to follow-ups already on the server wait for it (their reason as a tooltip).
_SERVER_ONLY = ("activity.tasks.done_button", "activity.tasks.reschedule_button",
                "activity.tasks.reassign_button")


def _server_only_tooltips(window: Any) -> None:
    for target in _resolve(window, _SERVER_ONLY):
        target.setToolTip(_("Not possible offline: follow-ups on the server can only be "
                            "changed when it is reachable again. New follow-ups are kept "
                            "and sent later."))


def offline_text(app: Any) -> str:
    state = app.offline
    return _("Offline copy of {date} – read-only, entries are sent later").format(
        date=format_date(state.taken_at_local.date()) + " "
        + state.taken_at_local.strftime("%H:%M"))


class OfflineLabel(QLabel):
    """The permanent status-bar notice, with the number of entries waiting."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.retranslate()

    def retranslate(self) -> None:
        app = self._window.app
        text = offline_text(app)
        pending = app.offline.pending()
        if pending:
            text += " · " + ngettext("{n} entry waiting", "{n} entries waiting",
                                     pending).format(n=pending)
        self.setText(text)
        self.setToolTip(_("The server {server} cannot be reached. This is the offline copy "
                          "kept on this computer; interactions you log now are sent when "
                          "the server is reachable again.").format(
                              server=app.offline.snapshot.source))
        self._window.setWindowTitle(_("Brücke – {state}").format(state=offline_text(app)))
        _server_only_tooltips(self._window)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class OfflineMode(QObject):
    """Keeps the window's offline notice current and reports the outbox once sent."""

    _back = Signal(object)  # emitted on the watcher's thread: queued to the GUI thread
    sent = Signal(object)  # crm.offline.SendReport, in the GUI thread

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self.label = OfflineLabel(window)
        self.watcher: Any = None
        self._back.connect(self._on_back)
        self._timer = QTimer(self)  # the count of waiting entries (a quick log adds one)
        self._timer.setInterval(2000)
        self._timer.timeout.connect(self.label.retranslate)
        self._timer.start()

    def watch_server(self, interval: float = 15.0) -> None:
        self.watcher = self._window.app.offline.watch_server(self._back.emit,
                                                             interval=interval)

    def stop(self) -> None:
        self._timer.stop()
        if self.watcher is not None:
            self.watcher.stop()

    def _on_back(self, report: Any) -> None:
        self.label.retranslate()
        window = self._window
        window.statusBar().showMessage(ngettext(
            "The server is reachable again: {n} entry was sent. Restart Brücke to work "
            "online.", "The server is reachable again: {n} entries were sent. Restart "
            "Brücke to work online.", report.done).format(n=report.done))
        if report.refused:
            box = QMessageBox(QMessageBox.Icon.Warning, _("Entries not sent"), _(
                "The server refused these entries logged offline. They stay in the "
                "outbox:") + "\n\n" + "\n".join(report.refused.values()),
                QMessageBox.StandardButton.Ok, window)
            box.open()
        self.sent.emit(report)


def install_offline_mode(window: Any, *, interval: float = 15.0) -> OfflineMode | None:
    """Turn ``window`` into the offline view if its app runs on the offline copy."""
    if getattr(window.app, "offline", None) is None:
        return None
    window.read_only = True  # for the pages that check (see ui.read_only)
    for path in (*_WINDOW_ACTIONS, *_PAGE_WIDGETS):
        if path not in _STILL_ENABLED:
            for target in _resolve(window, (path,)):
                pin_disabled(target)
    for path in _STILL_ENABLED:
        for target in _resolve(window, (path,)):
            target.setEnabled(True)
    mode = OfflineMode(window)
    window.offline_mode = mode
    window.location_label.hide()  # the copy's file path: the notice names the server
    window.statusBar().addPermanentWidget(mode.label)
    mode.label.retranslate()
    mode.watch_server(interval)
    return mode
