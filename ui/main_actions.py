"""The main window's actions and menus, and what the window itself does with them:
e-mail to the selection, distribution lists, the demo network, settings, about."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox, QProgressDialog

from crm.errors import ValidationError
from crm.i18n import _, ngettext
from crm.messages import error_message
from crm.services.listing_rows import PERSONS
from ui.app import icon
from ui.detail.mail import mailto_batches

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Key = QKeySequence.StandardKey


def native(sequence: QKeySequence | str) -> str:
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


class WindowActions(QObject):
    """Creates the actions and the menu bar of ``window`` and handles the window's own."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._texts: list[tuple[QAction, Callable[[], str]]] = []
        self.restoring = False  # the archive action restores: the record is archived
        self.new_person = self._action("new-person", lambda: _("New &person …"), "Ctrl+N")
        self.new_organisation = self._action("new-organisation",
                                             lambda: _("New &organisation …"), "Ctrl+Shift+N")
        self.mail_selection = self._action("mail", lambda: _("&E-mail to selection …"),
                                           "Ctrl+Shift+M")
        self.mail_all = self._action(None, lambda: _("E-mail to &everyone in the list …"))
        self.save_list = self._action("save-list",
                                      lambda: _("&Save filter as distribution list …"))
        self.load_demo = self._action(None, lambda: _("Load the &demo network"))
        self.settings = self._action("settings", lambda: _("Se&ttings …"), "Ctrl+,")
        self.quit = self._action(None, lambda: _("&Quit"), "Ctrl+Q")
        self.undo = self._action("undo", lambda: _("&Undo"), Key.Undo)
        self.redo = self._action("redo", lambda: _("&Redo"), Key.Redo)
        self.edit = self._action("edit", lambda: _("&Edit …"), "F2")
        self.archive = self._action("archive", self._archive_text, Key.Delete)
        self.search = self._action("search", lambda: _("&Search"), "Ctrl+F", "Ctrl+K")
        self.refresh = self._action(None, lambda: _("Re&load"), Key.Refresh)
        self.about = self._action(None, lambda: _("&About Brücke"))
        self.section_actions: dict[str, QAction] = {}
        self._sections = QActionGroup(self)
        from ui.main_window import SECTION_TITLES, SECTIONS

        for number, key in enumerate(SECTIONS, start=1):
            action = self._action(key, SECTION_TITLES[key], f"Ctrl+{number}")
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, k=key: window.show_section(k))
            self._sections.addAction(action)
            self.section_actions[key] = action
        self._menus = self._build_menus()
        self._connect()
        self.undo.setEnabled(False)
        self.redo.setEnabled(False)

    # -- building ------------------------------------------------------------------------

    def _action(self, icon_name: str | None, text: Callable[[], str],
                *keys: str | QKeySequence.StandardKey) -> QAction:
        action = QAction(self.window)
        if icon_name:
            action.setIcon(icon(icon_name))
        if keys:
            sequences = []
            for key in keys:
                if isinstance(key, QKeySequence.StandardKey):
                    sequences.extend(QKeySequence.keyBindings(key))
                else:
                    sequences.append(QKeySequence(key))
            action.setShortcuts(sequences)
        self._texts.append((action, text))
        self.window.addAction(action)
        return action

    def _build_menus(self) -> list[tuple[QMenu, Callable[[], str]]]:
        bar = self.window.menuBar()
        file_menu = bar.addMenu("")
        for item in (self.new_person, self.new_organisation, None, self.mail_selection,
                     self.mail_all, self.save_list, None, self.load_demo, self.settings, None,
                     self.quit):
            file_menu.addSeparator() if item is None else file_menu.addAction(item)
        edit_menu = bar.addMenu("")
        for item in (self.undo, self.redo, None, self.edit, self.archive, None, self.search):
            edit_menu.addSeparator() if item is None else edit_menu.addAction(item)
        view_menu = bar.addMenu("")
        for action in self.section_actions.values():
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh)
        help_menu = bar.addMenu("")
        help_menu.addAction(self.about)
        self.file_menu, self.edit_menu, self.view_menu, self.help_menu = (
            file_menu, edit_menu, view_menu, help_menu)
        return [(file_menu, lambda: _("&File")), (edit_menu, lambda: _("&Edit")),
                (view_menu, lambda: _("&View")), (help_menu, lambda: _("&Help"))]

    def _connect(self) -> None:
        w = self.window
        self.mail_selection.triggered.connect(self.mail_to_selection)
        self.mail_all.triggered.connect(self.mail_to_list)
        self.save_list.triggered.connect(self.save_distribution_list)
        self.load_demo.triggered.connect(w.load_demo)
        self.settings.triggered.connect(self.open_settings)
        self.about.triggered.connect(self.open_about)
        self.quit.triggered.connect(w.close)
        self.search.triggered.connect(w.search_box.focus_and_select)
        self.refresh.triggered.connect(w.refresh)

    def retranslate(self) -> None:
        for action, text in self._texts:
            self._set_text(action, text())
        for menu, title in self._menus:
            menu.setTitle(title())
        self.mail_selection.setStatusTip(_("Opens the mail program with the selected "
                                           "persons' addresses in BCC."))

    def _archive_text(self) -> str:
        return _("&Restore") if self.restoring else _("&Archive …")

    @staticmethod
    def _set_text(action: QAction, label: str) -> None:
        action.setText(label)
        plain = label.replace("&", "").rstrip(" …")
        keys = ", ".join(native(k) for k in action.shortcuts())
        action.setToolTip(f"{plain} ({keys})" if keys else plain)

    # -- state ---------------------------------------------------------------------------

    def check_section(self, key: str) -> None:
        action = self.section_actions.get(key)
        if action is not None:
            action.setChecked(True)

    def update_enabled(self) -> None:
        """Edit and archive need a person or organisation (archive restores an archived
        one); e-mail needs the persons list."""
        w = self.window
        browser = w.current_browser()
        record = w.current_record()
        editable = record is not None and record[0] in ("person", "organisation")
        self.edit.setEnabled(editable)
        self.archive.setEnabled(editable)
        restoring = editable and w.current_record_archived()
        if restoring != self.restoring:
            self.restoring = restoring
            self._set_text(self.archive, self._archive_text())
        persons = browser is not None and browser.kind == PERSONS
        self.mail_selection.setEnabled(persons)
        self.mail_all.setEnabled(persons)
        self.save_list.setEnabled(browser is not None and browser.kind != "municipalities")

    def edit_record(self, kind: str, uid: str) -> None:
        """Enter or a double-click on a row: the same as the edit action."""
        if self.edit.isEnabled() and self.window.current_record() == (kind, uid):
            self.edit.trigger()

    # -- e-mail --------------------------------------------------------------------------

    def mail_to_selection(self) -> None:
        browser = self.window.browsers.get(PERSONS)
        rows = browser.selected_rows() if browser else []
        if not rows:
            self.window.statusBar().showMessage(_("Select persons in the list first."), 8000)
            return
        emails = [row.email for row in rows if row.email]
        self.send_mail(emails, len(rows) - len(emails))

    def mail_to_list(self) -> None:
        browser = self.window.browsers.get(PERSONS)
        if browser is None:
            return
        try:
            recipients = self.window.app.listing.recipients(browser.model.list_filter)
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self.window, _("E-mail"), error_message(exc))
            return
        self.send_mail(list(recipients.emails), recipients.skipped)

    def send_mail(self, emails: list[str], skipped: int) -> int:
        """Open the mail program with the addresses in BCC; returns the mails opened."""
        bar = self.window.statusBar()
        urls = mailto_batches(emails)
        if not urls:
            bar.showMessage(_("None of these persons has an e-mail address."), 10000)
            return 0
        if len(urls) > 1:
            answer = QMessageBox.question(
                self.window, _("E-mail"),
                _("The {n} addresses are split into {mails} e-mails, so that every mail "
                  "program can open them. Open them now?").format(n=len(emails),
                                                                   mails=len(urls)))
            if answer != QMessageBox.StandardButton.Yes:
                return 0
        for url in urls:
            QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))
        message = ngettext("Mail program opened for {n} address.",
                           "Mail program opened for {n} addresses.", len(emails))
        message = message.format(n=len(emails))
        if skipped:
            message += " " + ngettext("{n} person without an e-mail address was skipped.",
                                      "{n} persons without an e-mail address were skipped.",
                                      skipped).format(n=skipped)
        bar.showMessage(message, 15000)
        return len(urls)

    # -- distribution lists --------------------------------------------------------------

    def save_distribution_list(self) -> None:
        browser = self.window.current_browser()
        if browser is None:
            return
        name, ok = QInputDialog.getText(
            self.window, _("Save distribution list"),
            _("Name of the distribution list (the current filter is saved):"),
            QLineEdit.EchoMode.Normal, "")
        if not ok or not name.strip():
            return
        listing = self.window.app.listing
        flt = browser.model.list_filter
        try:
            try:
                saved = listing.save_list(name, browser.kind, flt)
            except ValidationError as exc:
                if exc.errors.get("name", ("",))[0] != "duplicate" or QMessageBox.question(
                        self.window, _("Save distribution list"),
                        _("A distribution list named “{name}” exists. Replace it?").format(
                            name=name.strip())) != QMessageBox.StandardButton.Yes:
                    raise
                saved = listing.save_list(name, browser.kind, flt, replace_existing=True)
        except ValidationError as exc:
            if exc.errors.get("name", ("",))[0] != "duplicate":
                QMessageBox.warning(self.window, _("Save distribution list"),
                                    error_message(exc))
            return
        self.window.refresh_lists()
        self.window.sidebar.select("list", saved.uid)
        self.window.statusBar().showMessage(
            _("Distribution list “{name}” saved.").format(name=saved.name), 8000)

    def apply_distribution_list(self, uid: str) -> None:
        try:
            saved = self.window.app.listing.apply_list(uid)
        except Exception as exc:  # noqa: BLE001 - deleted meanwhile, database gone …
            self.window.statusBar().showMessage(error_message(exc), 10000)
            self.window.refresh_lists()
            return
        self.window.show_section(saved.section)
        browser = self.window.browsers.get(saved.section)
        if browser is not None:
            browser.apply_filter(saved.criteria)
        self.window.sidebar.select("list", uid)

    def delete_distribution_list(self, uid: str) -> None:
        if QMessageBox.question(self.window, _("Delete distribution list"),
                                _("Delete this distribution list? The persons and "
                                  "organisations in it stay.")) != QMessageBox.StandardButton.Yes:
            return
        try:
            self.window.app.listing.delete_list(uid)
        except Exception as exc:  # noqa: BLE001
            self.window.statusBar().showMessage(error_message(exc), 10000)
        self.window.refresh_lists()

    # -- dialogs -------------------------------------------------------------------------

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog, apply_language

        language = SettingsDialog.ask(self.window, self.window.app.prefs)
        if language is not None:
            apply_language(self.window.app.prefs, language)

    def open_about(self) -> None:
        from ui.about import AboutDialog

        AboutDialog(self.window.app.location, self.window).exec()


def load_demo(window: MainWindow, loader: Callable[[], None]) -> None:
    """Fill the empty database with the demo network, off the GUI thread."""
    progress = QProgressDialog(_("Loading the demo network …"), "", 0, 0, window)
    progress.setCancelButton(None)
    progress.setWindowTitle(_("Demo network"))
    progress.setMinimumDuration(0)
    progress.show()

    def done(_result: object) -> None:
        progress.close()
        window.refresh()
        window.statusBar().showMessage(_("The demo network was loaded."), 10000)

    def failed(exc: Exception) -> None:
        progress.close()
        QMessageBox.warning(window, _("Demo network"), error_message(exc))

    window.runner.start(loader, done, failed)
