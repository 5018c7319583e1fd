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
from functools import cache, partial
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
# Preferences → crm.first_page.FirstPage or None: the first page read without the ORM
FirstPageReader = Callable[[Preferences], Any]

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
        argv: list[str] | None = None, first_page: FirstPageReader | None = None) -> int:
    """Show the window until the user quits; the exit status for main.py.

    ``first_page(prefs)`` (crm.first_page via main.py) may read the persons list's first
    page without the ORM: the window then paints it first and opens the database right
    after its first paint (:func:`_show_preloaded`); None takes the normal path."""
    qapp = create_application(argv if argv is not None else sys.argv)
    wakeup = _SignalWakeup(_quit_everything, qapp)
    try:
        return _start(qapp, wakeup, open_app, load_demo, first_page)
    finally:
        wakeup.restore()


def _start(qapp: QApplication, wakeup: _SignalWakeup, open_app: AppOpener,
           load_demo: DemoLoader | None, first_page: FirstPageReader | None = None) -> int:
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
    page = _read_first_page(first_page, prefs) if not wants_demo else None
    if page is not None:
        return _show_preloaded(qapp, page, open_app, prefs, staff_name, load_demo)
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
            if exc.code == "damaged":  # offer its latest good (encrypted) backup
                from ui.privacy import recover_damaged_database

                if not recover_damaged_database(exc, prefs, passphrase=passphrase):
                    return None
                return _open(partial(open_app, passphrase=passphrase),
                             prefs, staff_name, retry=False)
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
    parts = _OpenParts()
    if not parts.attach(window, app):
        window.deleteLater()
        return 0
    window.show()
    _FirstPaint(window, lambda: _after_first_paint(window))
    if os.environ.get(BENCH_ENV):
        _report_first_paint(qapp, window)
    if wants_demo and demo is not None:
        window.load_demo()
    try:
        return qapp.exec()
    finally:
        if window.isVisible():  # the loop ended otherwise than by closing the window
            window.close()
        parts.stop(window)
        window.deleteLater()


def _read_first_page(first_page: FirstPageReader | None, prefs: Preferences) -> Any:
    if first_page is None:
        return None
    try:
        return first_page(prefs)
    except Exception:  # noqa: BLE001 - the normal path opens it and tells what is wrong
        return None


def _show_preloaded(qapp: QApplication, page: Any, open_app: AppOpener, prefs: Preferences,
                    staff_name: str | None, load_demo: DemoLoader | None) -> int:
    """Paint the window from the first page read without the ORM, then open the database
    (right after the first paint, or earlier if something needs a service) and attach the
    parts that need it: the lock and backup, offline mode, the change watcher, the real
    rows (the same: selection and scroll stay). A failure to open is told as usual and
    closes the window."""
    from ui.main_window import MainWindow
    from ui.pending_app import AppNotOpened, PendingApp

    outcome: dict[str, int] = {}
    shown: dict[str, Any] = {}  # the window, once built
    parts = _OpenParts()

    def give_up(status: int) -> None:  # closing the (last) window ends the event loop
        outcome.setdefault("status", status)
        if shown.get("window") is not None:
            shown["window"].close()

    def opener() -> App | None:
        app = _open(open_app, prefs, staff_name)
        if app is None:
            give_up(1)
        return app

    def attach(app: App) -> None:
        window.app = app
        if not parts.attach(window, app):  # "already open", not read-only: quit
            give_up(0)
            return
        window.app_opened()

    pending = PendingApp(page, opener, prefs=prefs)
    demo = (lambda: load_demo(pending.ensure())) if load_demo is not None else None
    TaskRunner.hold()  # the other sections' loading waits for the list's first paint
    try:
        window = MainWindow(pending, demo_loader=demo)
    except AppNotOpened:  # something needed the app at once, and it did not open (told)
        TaskRunner.release()
        return outcome.get("status", 1)
    if pending.failed:  # something needed the app at once, it did not open, and was told
        TaskRunner.release()
        window.deleteLater()
        return outcome.get("status", 1)
    shown["window"] = window
    connect_editing(window, pending)  # editing opens the app on first use
    pending.on_open(attach)
    if "status" in outcome:  # opened while being built, and the user chose to quit
        TaskRunner.release()
        window.shutdown()
        window.deleteLater()
        pending.close()
        return outcome["status"]

    def open_now() -> None:
        try:
            pending.ensure()
        except AppNotOpened:  # told
            give_up(1)
            return
        _after_first_paint(window)

    window.show()
    # Queued behind the bench probe's report of this paint: the paint is what it measures.
    _FirstPaint(window, lambda: QTimer.singleShot(0, open_now))
    if os.environ.get(BENCH_ENV):
        _report_first_paint(qapp, window)
    try:
        status = qapp.exec()
        return outcome.get("status", status)
    finally:
        if window.isVisible():
            window.close()
        if pending.real is not None:
            parts.stop(window)
        else:  # closed before the database opened (the benchmark quits at the paint)
            pending.abandon()
            TaskRunner.release()
            window.shutdown()
        window.deleteLater()
        pending.close()


class _OpenParts:
    """What the window needs the open app for, besides its services: offline mode, the
    lock, network-share warning and automatic backup, the change watcher; stopped in
    reverse at the end."""

    def __init__(self) -> None:
        self.offline: Any = None
        self.session: Any = None
        self.refresher: Any = None
        self.app: App = None

    def attach(self, window: Any, app: App) -> bool:
        """False: the user chose to quit (the database is open in another window)."""
        from ui import privacy
        from ui.offline import install_offline_mode

        self.offline = install_offline_mode(window)  # the server's offline copy (issue 10)
        self.session = (privacy.start(window, app) if self.offline is None  # lock, backup
                        else privacy.PrivacySession(None, True))
        if self.session is None:
            return False
        from ui.changes import install_change_watcher

        self.refresher = (install_change_watcher(window)  # changes by others (issue 10)
                          if self.offline is None else None)
        self.app = app
        return True

    def stop(self, window: Any) -> None:
        if self.refresher is not None:
            self.refresher.watcher.stop()
        if self.offline is not None:
            self.offline.stop()
        window.shutdown()
        if self.app is not None:
            from ui import privacy

            privacy.stop(window, self.app, self.session)  # last backup, then the lock


def _after_first_paint(window: Any) -> None:
    """The list has painted: start the workers held back, then build the other pages."""
    TaskRunner.release()
    QTimer.singleShot(0, window.build_deferred_sections)


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
