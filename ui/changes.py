"""Changes by others appear in the open window (issue 10): the Qt face of crm.changes.

:class:`ChangeWatcher` starts the app's change listener (a thread, see
:meth:`crm.app.App.watch_changes`) and turns its callbacks into Qt signals, which Qt queues
to the GUI thread. :func:`install_change_watcher` refreshes the window a moment after other
clients committed (a burst of commits refreshes once), keeping every list's selected records
selected, and says in the status bar when the server cannot be reached.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from crm.i18n import _

REFRESH_DELAY_MS = 300


class ChangeWatcher(QObject):
    """Emits ``changed(tables)`` and ``connection_changed(bool)`` in the GUI thread."""

    changed = Signal(object)  # set[str]: the tables written ("*": anything)
    connection_changed = Signal(bool)
    _from_thread = Signal(object)
    _status_from_thread = Signal(bool)

    def __init__(self, app: Any, parent: QObject | None = None, *,
                 interval: float = 0.5) -> None:
        super().__init__(parent)
        self._app = app
        self._interval = interval
        self._listener: Any = None
        # Emitted on the listener's thread; the receiver lives in the GUI thread: queued.
        self._from_thread.connect(self._deliver)
        self._status_from_thread.connect(self._deliver_status)

    def start(self) -> ChangeWatcher:
        if self._listener is None:
            self._listener = self._app.watch_changes(
                self._from_thread.emit, on_status=self._status_from_thread.emit,
                interval=self._interval)
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    @property
    def listener(self) -> Any:
        return self._listener

    def _deliver(self, tables: object) -> None:
        self.changed.emit(tables)

    def _deliver_status(self, connected: bool) -> None:
        self.connection_changed.emit(connected)


class WindowRefresher(QObject):
    """Refreshes ``window`` (MainWindow) after changes by others, selection kept."""

    def __init__(self, window: Any, watcher: ChangeWatcher) -> None:
        super().__init__(window)
        self._window = window
        self.watcher = watcher
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        watcher.changed.connect(self._on_changed)
        watcher.connection_changed.connect(self._on_connection_changed)

    def _on_changed(self, _tables: object) -> None:
        self._timer.start()  # a burst of commits: one refresh
        keeper = getattr(self._window.app, "offline_copy", None)
        if keeper is not None:
            keeper.request()  # the offline copy follows (at most once a minute)

    def refresh(self) -> None:
        """Read everything again, then select the records that were selected before."""
        window = self._window
        selected = {key: [row.uid for row in browser.selected_rows()]
                    for key, browser in window.browsers.items()}
        window.refresh()
        for key, uids in selected.items():
            if uids:
                select_uids(window.browsers[key], uids)

    def _on_connection_changed(self, connected: bool) -> None:
        bar = self._window.statusBar()
        if connected:
            bar.showMessage(_("Connected to the server again."), 10000)
        else:
            bar.showMessage(_("The server cannot be reached: changes by others appear "
                              "once it is back."))


def select_uids(browser: Any, uids: list[str]) -> None:
    """Select the rows of ``uids`` in a RecordBrowser's list (those still in it)."""
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    model, view = browser.model, browser.view
    rows = [r for r in (model.row_of(uid) for uid in uids) if r >= 0]
    if not rows:
        return
    current = {i.row() for i in view.selectionModel().selectedRows()}
    if current == set(rows):
        return
    selection = QItemSelection()
    last = model.columnCount() - 1
    for row in rows:
        selection.select(model.index(row, 0), model.index(row, last))
    flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
             | QItemSelectionModel.SelectionFlag.Rows)
    view.selectionModel().select(selection, flags)


def install_change_watcher(window: Any, *, interval: float = 0.5) -> WindowRefresher:
    """Start watching ``window.app`` for changes by others; ``window.change_refresher``."""
    watcher = ChangeWatcher(window.app, window, interval=interval).start()
    refresher = WindowRefresher(window, watcher)
    window.change_refresher = refresher
    return refresher
