"""Start the window: QApplication, language, Qt's own translations, icons, first-start
questions, the database, and a clean exit on Ctrl+Q, closing the window, Ctrl+C or SIGTERM.

main.py wires the database side (crm.app.open_app, the demo network) and passes it in, since
ui/ never imports modules that talk SQL.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QSocketNotifier,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crm.config import Preferences, config_path, load_preferences, save_preferences
from crm.i18n import LANGUAGES, _, set_language
from crm.paths import resource
from ui.task import TaskRunner

App = Any  # crm.app.App
# (staff initials, staff name, passphrase=None) → App; a passphrase opens an encrypted file
AppOpener = Callable[..., App]
DemoLoader = Callable[[App], None]

# Freedesktop theme names tried before the bundled icon of the same purpose.
_THEME_NAMES = {
    "search": "edit-find",
    "undo": "edit-undo",
    "redo": "edit-redo",
    "edit": "document-edit",
    "mail": "mail-send",
    "settings": "preferences-system",
}
_LOCALES = {"de": "de_DE", "en": "en_GB"}
_qt_translator: QTranslator | None = None
# For `python -m bench`: print the time of the list's first paint with rows, then quit.
BENCH_ENV = "BRUECKE_BENCH_EXIT_AFTER_PAINT"
BENCH_SEARCH_ENV = "BRUECKE_BENCH_SEARCH"  # "|"-separated queries searched before quitting


@cache
def _bundled(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))


def icon(name: str) -> QIcon:
    """The theme's icon for this purpose if the desktop has one, else Brücke's own."""
    theme = _THEME_NAMES.get(name)
    if theme and QIcon.hasThemeIcon(theme):
        return QIcon.fromTheme(theme)
    return _bundled(name)


def set_application_language(language: str) -> None:
    """Switch gettext, Qt's own texts and the locale; every widget gets LanguageChange.

    Installing or removing a QTranslator already posts LanguageChange to every widget; it is
    sent explicitly as well, because gettext changes even when Qt's translator does not.
    """
    global _qt_translator
    if language not in LANGUAGES:
        raise ValueError(language)
    set_language(language)
    QLocale.setDefault(QLocale(_LOCALES[language]))
    app = QCoreApplication.instance()
    if app is None:
        return
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if language != "en" and translator.load(f"qtbase_{language}", folder):
        app.installTranslator(translator)
        _qt_translator = translator
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))


class _SignalWakeup(QObject):
    """Quit cleanly on SIGINT (Ctrl+C in the terminal) and SIGTERM.

    Python runs signal handlers only when the interpreter gets control; while Qt's event
    loop waits in C++, a socket written by ``signal.set_wakeup_fd`` wakes it up.
    """

    def __init__(self, on_signal: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.received = False
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read,
                                         self)
        self._notifier.activated.connect(self._drain)
        self._on_signal = on_signal
        self._old_handlers = {
            sig: signal.signal(sig, self._handle) for sig in (signal.SIGINT, signal.SIGTERM)
        }

    def _handle(self, _signum: int, _frame: object) -> None:
        self.received = True
        self._on_signal()

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except OSError:
            pass

    def restore(self) -> None:
        signal.set_wakeup_fd(self._old_fd)
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def _quit_everything() -> None:
    """Close every window (they save their state) and leave the event loop."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            widget.close()
        app.quit()


def create_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Brücke")
    app.setOrganizationName("bruecke")
    app.setApplicationDisplayName("Brücke")
    app.setDesktopFileName("bruecke")
    app.setWindowIcon(_bundled("bruecke"))
    QGuiApplication.setQuitOnLastWindowClosed(True)
    return app


def run(open_app: AppOpener, load_demo: DemoLoader | None = None,
        argv: list[str] | None = None) -> int:
    """Show the window until the user quits; the exit status for main.py."""
    qapp = create_application(argv if argv is not None else sys.argv)
    wakeup = _SignalWakeup(_quit_everything, qapp)
    try:
        return _start(qapp, wakeup, open_app, load_demo)
    finally:
        wakeup.restore()


def _start(qapp: QApplication, wakeup: _SignalWakeup, open_app: AppOpener,
           load_demo: DemoLoader | None) -> int:
    prefs = load_preferences()
    from crm.logging_setup import setup_logging

    setup_logging()
    set_application_language(prefs.language if prefs.language in LANGUAGES else "de")
    wants_demo = False
    staff_name: str | None = None
    if not config_path().exists() or not prefs.staff_initials:
        from ui.welcome import WelcomeDialog

        answer = WelcomeDialog.ask(default_name="")
        if answer is None or wakeup.received:
            return 0
        prefs.staff_initials, staff_name, wants_demo = answer.initials, answer.name, answer.demo
        save_preferences(prefs)
    app = _open(open_app, prefs, staff_name)
    if app is None:
        return 1
    try:
        return 0 if wakeup.received else _show(qapp, app, load_demo, wants_demo)
    finally:
        app.close()


def _open(open_app: AppOpener, prefs: Preferences, staff_name: str | None,
          retry: bool = True) -> App | None:
    try:
        return open_app(prefs.staff_initials or None, staff_name)
    except Exception as exc:  # noqa: BLE001 - every failure is told, not a traceback
        if _maybe_encrypted(exc):
            return _open_encrypted(open_app, prefs, staff_name)
        from ui.privacy import recover_damaged_database

        recovered = recover_damaged_database(exc, prefs) if retry else False
        if recovered is None:
            return None
        if recovered:
            return _open(open_app, prefs, staff_name, retry=False)
        from crm.messages import error_message

        QMessageBox.critical(None, _("Brücke cannot start"), error_message(exc))
        return None


def _maybe_encrypted(exc: Exception) -> bool:
    """No SQLite header, and SQLCipher is installed: perhaps an encrypted database."""
    from crm.errors import ENCRYPTED_HINT, DatabaseError

    return (isinstance(exc, DatabaseError) and exc.code == "not_sqlite"
            and exc.detail == ENCRYPTED_HINT)


def _open_encrypted(open_app: AppOpener, prefs: Preferences,
                    staff_name: str | None) -> App | None:
    """Ask for the passphrase until it opens the database or the user cancels."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from crm.errors import DatabaseError
    from crm.messages import error_message

    label = _("The database is encrypted or is not a Brücke database. Passphrase:")
    while True:
        passphrase, ok = QInputDialog.getText(None, _("Encrypted database"), label,
                                              QLineEdit.EchoMode.Password)
        if not ok or not passphrase:
            return None
        try:
            return open_app(prefs.staff_initials or None, staff_name, passphrase=passphrase)
        except DatabaseError as exc:
            if exc.code != "wrong_passphrase":
                QMessageBox.critical(None, _("Brücke cannot start"), error_message(exc))
                return None
            label = error_message(exc) + "\n" + _("Passphrase:")
        except Exception as exc:  # noqa: BLE001 - every failure is told, not a traceback
            QMessageBox.critical(None, _("Brücke cannot start"), error_message(exc))
            return None


def _show(qapp: QApplication, app: App, load_demo: DemoLoader | None, wants_demo: bool) -> int:
    from ui.main_window import MainWindow

    demo = (lambda: load_demo(app)) if load_demo is not None else None
    TaskRunner.hold()  # the other sections' loading waits for the list's first paint
    window = MainWindow(app, demo_loader=demo)
    connect_editing(window, app)
    from ui import privacy

    session = privacy.start(window, app)  # lock file, network share, automatic backup
    if session is None:
        window.deleteLater()
        return 0
    window.show()
    _FirstPaint(window, TaskRunner.release)
    if os.environ.get(BENCH_ENV):
        _report_first_paint(qapp, window)
    if wants_demo and demo is not None:
        window.load_demo()
    try:
        return qapp.exec()
    finally:
        if window.isVisible():  # the loop ended otherwise than by closing the window
            window.close()
        window.shutdown()
        privacy.stop(window, app, session)  # the last automatic backup, then the lock
        window.deleteLater()


class _FirstPaint(QObject):
    """Calls ``then`` once the window has painted (or after a second, if it does not)."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(1000, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            QTimer.singleShot(0, self._fire)  # once this paint has finished
        return False

    def _fire(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()


class _PaintProbe(QObject):
    """Waits for the current list's first paint with rows (see :data:`BENCH_ENV`)."""

    def __init__(self, qapp: QApplication, window: Any) -> None:
        super().__init__(window)
        self._qapp, self._window, self._done = qapp, window, False
        self._view = window.current_browser().view
        self._view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._done and event.type() == QEvent.Type.Paint
                and self._view.model().rowCount() > 0):
            self._done = True
            QTimer.singleShot(0, self._report)  # after this paint has finished
        return False

    def _report(self) -> None:
        print(f"bench-painted {time.time():.6f}", flush=True)
        for query in filter(None, os.environ.get(BENCH_SEARCH_ENV, "").split("|")):
            self._window.app.search.search(query)
        print(f"bench-done {time.time():.6f}", flush=True)
        self._qapp.quit()


def _report_first_paint(qapp: QApplication, window: Any) -> None:
    _PaintProbe(qapp, window)


def connect_editing(window: Any, app: App) -> Any:
    """Give the window's new/edit/archive/undo actions their dialogs (ui/editing.py)."""
    from ui.editing import EditController

    editing = EditController(app, window)
    window.new_person_action.triggered.connect(lambda: editing.new_person())
    window.new_organisation_action.triggered.connect(lambda: editing.new_organisation())
    window.edit_action.triggered.connect(
        lambda: window.current_record() and editing.edit(*window.current_record()))

    def archive_or_restore() -> None:
        record = window.current_record()
        if record is None:
            return
        if window.current_record_archived():
            editing.restore(*record)
        else:
            editing.archive(*record)

    window.archive_action.triggered.connect(lambda: archive_or_restore())
    editing.bind_undo_actions(window.undo_action, window.redo_action)
    editing.record_changed.connect(window.on_record_changed)
    window.editing = editing
    return editing


def language_name(language: str) -> str:
    """The language's own name: "Deutsch", "English"."""
    return QLocale(_LOCALES[language]).nativeLanguageName().capitalize()
