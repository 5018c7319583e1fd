"""Window state in QSettings: geometry, dock and splitter sizes, column widths, last section.

Only this module uses QSettings; everything else the CLI or reports need too lives in
crm.config. Set ``BRUECKE_WINDOW_STATE`` to an ini file path to keep the state elsewhere
(tests do).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

STATE_ENV = "BRUECKE_WINDOW_STATE"
ORGANISATION = "bruecke"
APPLICATION = "window"


class WindowSettings:
    """Typed access to the window state; keys are declared here and nowhere else."""

    def __init__(self, path: str | None = None) -> None:
        path = path or os.environ.get(STATE_ENV)
        if path:
            self._settings = QSettings(path, QSettings.Format.IniFormat)
        else:
            self._settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                       ORGANISATION, APPLICATION)

    @property
    def location(self) -> str:
        return self._settings.fileName()

    # -- main window ---------------------------------------------------------------------

    def save_window(self, window: QMainWindow) -> None:
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.setValue("window/state", window.saveState())

    def restore_window(self, window: QMainWindow) -> bool:
        """Restore geometry and toolbars; False if nothing was saved yet."""
        geometry = self._bytes("window/geometry")
        if geometry is None:
            return False
        window.restoreGeometry(geometry)
        state = self._bytes("window/state")
        if state is not None:
            window.restoreState(state)
        return True

    # -- splitters and headers -----------------------------------------------------------

    def save_splitter(self, key: str, splitter: QSplitter) -> None:
        self._settings.setValue(f"splitters/{key}", splitter.saveState())

    def restore_splitter(self, key: str, splitter: QSplitter) -> bool:
        state = self._bytes(f"splitters/{key}")
        return state is not None and splitter.restoreState(state)

    def save_header(self, key: str, header: QHeaderView) -> None:
        self._settings.setValue(f"headers/{key}", header.saveState())

    def restore_header(self, key: str, header: QHeaderView) -> bool:
        state = self._bytes(f"headers/{key}")
        return state is not None and header.restoreState(state)

    # -- navigation ----------------------------------------------------------------------

    def last_section(self, default: str) -> str:
        value = self._settings.value("navigation/section", default)
        return value if isinstance(value, str) and value else default

    def set_last_section(self, key: str) -> None:
        self._settings.setValue("navigation/section", key)

    # -- small preferences of dialogs (remembered column mappings …) -----------------------

    def value(self, key: str, default: str = "") -> str:
        value = self._settings.value(f"dialogs/{key}", default)
        return value if isinstance(value, str) else default

    def set_value(self, key: str, value: str) -> None:
        self._settings.setValue(f"dialogs/{key}", value)

    def sync(self) -> None:
        self._settings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes | bytearray) and value:
            return QByteArray(bytes(value))
        return None
