"""The window's data protection: the "Privacy" menu, and what happens at start and close.

- :class:`PrivacyMenu` (consents, access export, erasure, retention review, change log,
  check, backup);
- :func:`recover_damaged_database`: a damaged database at start → :class:`DamagedDialog`;
- :func:`start` / :func:`stop`: the lock file (a second window opens read-only), the
  network-share warning, and automatic backups at start and close, off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from crm import backup as backups
from crm.config import Preferences
from crm.errors import DatabaseError
from crm.i18n import _
from crm.messages import error_message

if TYPE_CHECKING:  # both import SQLAlchemy: loaded when used, not before the first paint
    from crm import integrity, lockfile

App = Any  # crm.app.App
DAMAGED_CODES = ("damaged",)  # "not_sqlite" may be a wrong file chosen: not offered


# -- start and close -------------------------------------------------------------------------

def recover_damaged_database(exc: BaseException, prefs: Preferences,
                             parent: QWidget | None = None,
                             passphrase: str | None = None) -> bool | None:
    """After ``open_app`` failed: True when a backup was restored (open again), None when
    the user chose to quit, False when the error is not a damaged database.
    ``passphrase``: of an encrypted database, whose backups are encrypted with it."""
    if not isinstance(exc, DatabaseError) or exc.code not in DAMAGED_CODES:
        return False
    from ui.privacy.damaged_dialog import RESTORE, DamagedDialog

    folder = backups.backup_folder(prefs)
    latest = backups.latest_good_backup(folder, passphrase)
    taken = next((b.taken_at for b in backups.backups(folder) if b.path == latest), None)
    if DamagedDialog.ask(exc.path, exc.detail, latest, taken, parent) != RESTORE:
        return None
    assert latest is not None
    try:
        backups.restore(latest, exc.path, label="damaged", passphrase=passphrase)
    except DatabaseError as failed:
        QMessageBox.critical(parent, _("The database is damaged"), error_message(failed))
        return None
    return True


@dataclass
class PrivacySession:
    lock: lockfile.DatabaseLock | None
    read_only: bool


def start(window: Any, app: App) -> PrivacySession | None:
    """Before the window shows: lock, network share, automatic backup. None: quit."""
    path = app.db.path
    if path is None:
        return PrivacySession(None, False)
    from crm import lockfile

    lock = lockfile.DatabaseLock(path)
    holder = lock.acquire()
    read_only = False
    if holder is not None:
        answer = QMessageBox.question(
            window, _("Brücke is already open"),
            _("This database is already open in another Brücke window (process {pid} on "
              "{host}). Two windows writing at once can overwrite each other's changes.\n\n"
              "Open it read-only?").format(pid=holder.pid, host=holder.host))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        app.set_read_only()
        read_only = True
        from ui.read_only import make_read_only

        make_read_only(window)
    kind = lockfile.network_filesystem(path)
    if kind is not None:
        QMessageBox.warning(window, _("Database on a network drive"), _(
            "The database lies on a network drive ({kind}). SQLite cannot keep such a "
            "database safe when it is used from there; copy it to a local disk and keep "
            "backups on the network drive instead.").format(kind=kind))
    if not read_only:
        run_backup(window, app)
    return PrivacySession(None if read_only else lock, read_only)


def run_backup(window: Any, app: App) -> None:
    """An automatic backup on a worker thread; the result shows in the status bar."""
    path, folder = app.db.path, backups.backup_folder(app.prefs)
    key = app.db.passphrase  # an encrypted database: its backups are encrypted too
    window.runner.start(
        lambda: backups.automatic_backup(path, folder, passphrase=key),
        lambda _saved: window.statusBar().showMessage(_("Backup saved."), 5000),
        lambda exc: window.statusBar().showMessage(error_message(exc), 15000))


def stop(window: Any, app: App, session: PrivacySession | None) -> None:
    """At close: a last automatic backup (waited for), then the lock is released."""
    if session is None:
        return
    if not session.read_only and app.db.path is not None:
        path, folder = app.db.path, backups.backup_folder(app.prefs)
        key = app.db.passphrase
        window.runner.start(lambda: backups.automatic_backup(path, folder, passphrase=key),
                            lambda _saved: None, lambda _exc: None)
        window.runner.wait(60000)
    if session.lock is not None:
        session.lock.release()


# -- the menu ------------------------------------------------------------------------------------

class PrivacyMenu(QObject):
    """The "Privacy" menu of the main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self._service: Any = None
        bar = window.menuBar()
        self.menu = QMenu(bar)
        help_menu = getattr(getattr(window, "actions_", None), "help_menu", None)
        if help_menu is not None:
            bar.insertMenu(help_menu.menuAction(), self.menu)
        else:
            bar.addMenu(self.menu)
        self.consents = self._add(self.open_consents)
        self.export = self._add(self.export_access)
        self.erase = self._add(self.erase_person)
        self.retention = self._add(self.review_retention)
        self.menu.addSeparator()
        self.audit = self._add(self.open_audit)
        self.menu.addSeparator()
        self.check = self._add(self.check_database)
        self.backup = self._add(self.save_backup)
        window.installEventFilter(self)
        self.retranslate()

    def _add(self, slot: Any) -> QAction:
        action = self.menu.addAction("")
        action.triggered.connect(lambda _checked=False: slot())
        return action

    @property
    def service(self) -> Any:
        if self._service is None:
            from crm.services.privacy import PrivacyService

            self._service = PrivacyService(self.window.app.ctx, self.window.app.prefs)
        return self._service

    def retranslate(self) -> None:
        self.menu.setTitle(_("&Privacy"))
        self.consents.setText(_("&Consents of the person …"))
        self.export.setText(_("&Access request: export everything about the person (Art. 15) …"))
        self.erase.setText(_("&Erase the person (Art. 17) …"))
        self.retention.setText(_("&Review retention …"))
        self.audit.setText(_("Change &log …"))
        self.check.setText(_("Check the &database"))
        self.backup.setText(_("Save a &backup …"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    # -- actions ---------------------------------------------------------------------------

    def _person(self, uid: str | None = None) -> tuple[str, str] | None:
        record = ("person", uid) if uid else self.window.current_record()
        if record is None or record[0] != "person":
            self.window.statusBar().showMessage(_("Select a person first."), 8000)
            return None
        try:
            return record[1], self.window.app.people.get(record[1]).name
        except Exception as exc:  # noqa: BLE001
            self.window.statusBar().showMessage(error_message(exc), 10000)
            return None

    def open_consents(self, person_uid: str | None = None) -> None:
        """The consents of ``person_uid`` (default: the person shown); the person's pane
        is shown again afterwards, with the consents as they are now."""
        from ui.privacy.consent_view import ConsentView

        person = self._person(person_uid)
        if person is None:
            return
        view = ConsentView(self.service, person[0], person[1], self.window)
        if getattr(self.window, "read_only", False):  # see ui.read_only
            from ui.read_only import pin_buttons

            pin_buttons((view.add_button, view.withdraw_button, view.delete_button))
        view.exec()
        browser = self.window.current_browser()
        if browser is not None and browser.detail.current_record() == ("person", person[0]):
            browser.detail.reload()

    def export_access(self) -> None:
        person = self._person()
        if person is None:
            return
        path, _chosen = QFileDialog.getSaveFileName(
            self.window, _("Access request"), f"Auskunft {person[1]}.pdf",
            _("PDF document (*.pdf);;JSON for machines (*.json)"))
        if not path:
            return
        self.window.runner.start(
            lambda: self.service.export_access(person[0], path),
            lambda result: self.window.statusBar().showMessage(
                _("Wrote {path}.").format(path=result.path), 10000),
            lambda exc: QMessageBox.warning(self.window, _("Access request"),
                                            error_message(exc)))

    def erase_person(self) -> None:
        from ui.privacy.erase_dialog import EraseDialog

        person = self._person()
        if person is None:
            return
        try:
            plan = self.service.erasure_plan(person[0])
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self.window, _("Erase person"), error_message(exc))
            return
        keys = EraseDialog.ask(plan, self.window)
        if keys is None:
            return
        self.window.runner.start(
            lambda: self.service.erase(plan.person_uid, keys, expected_version=plan.version),
            lambda _result: self._erased(plan.name),
            lambda exc: QMessageBox.warning(self.window, _("Erase person"),
                                            error_message(exc)))

    def _erased(self, name: str) -> None:
        self.window.refresh()
        self.window.statusBar().showMessage(_("{name} was erased.").format(name=name), 10000)

    def review_retention(self) -> None:
        from ui.privacy.retention_view import RetentionView

        RetentionView(self.window.app.privacy, self.window).exec()
        self.window.refresh()

    def open_audit(self) -> None:
        from ui.privacy.audit_view import AuditView

        record = self.window.current_record()
        AuditView(self.service, record[1] if record else None, self.window).exec()

    def check_database(self, rebuild: bool = False) -> None:
        app = self.window.app
        if app.db.path is None:
            return
        self.window.runner.start(
            lambda: _integrity().check(app.db.path, app.db.sessions, rebuild,
                                       app.db.passphrase),
            self._checked,
            lambda exc: QMessageBox.warning(self.window, _("Check the database"),
                                            error_message(exc)))

    def _checked(self, report: integrity.IntegrityReport) -> None:
        text = "\n\n".join(_integrity().report_lines(report))
        if report.ok:
            QMessageBox.information(self.window, _("Check the database"), text)
            return
        if (any(f.code == "search_index" for f in report.findings)
                and not getattr(self.window, "read_only", False)):
            answer = QMessageBox.question(self.window, _("Check the database"),
                                          text + "\n\n" + _("Rebuild the search index now?"))
            if answer == QMessageBox.StandardButton.Yes:
                self.check_database(rebuild=True)
            return
        QMessageBox.warning(self.window, _("Check the database"), text)

    def save_backup(self) -> None:
        app = self.window.app
        if app.db.path is None:
            return
        path, _chosen = QFileDialog.getSaveFileName(
            self.window, _("Save a backup"), str(Path.home() / "bruecke-sicherung.db"),
            _("Brücke database (*.db)"))
        if not path:
            return
        self.window.runner.start(
            lambda: backups.make_backup(app.db.path, path, app.db.passphrase),
            lambda saved: self.window.statusBar().showMessage(
                _("Backup written to {path}.").format(path=saved), 10000),
            lambda exc: QMessageBox.warning(self.window, _("Save a backup"),
                                            error_message(exc)))


def _integrity() -> Any:
    from crm import integrity

    return integrity
