"""The Berichte section: choose a report and its options, create it, preview, print, save.

The PDF is written by the report service on a worker thread (``TaskRunner``) into a
temporary folder of this page; progress comes back by signal, and "Cancel" stops the
layout at its next progress step. The preview (ui/pdf_preview.py) prints and saves it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _, ngettext
from crm.messages import error_message
from crm.services.report_rows import LabelResult
from ui.app import icon
from ui.pdf_preview import PdfPreview
from ui.report_options import (
    ActivityOptions,
    AttendanceOptions,
    ContactSheetOptions,
    DirectoryOptions,
    LabelOptions,
    OptionsError,
    PhoneListOptions,
    ReportJob,
    ReportOptions,
)
from ui.task import TaskRunner

App = Any  # crm.app.App
UID_ROLE = Qt.ItemDataRole.UserRole
PANEL_WIDTH = 410


class GenerationCancelled(Exception):
    """Raised in the worker by the progress callback after "Cancel"."""


class _ProgressRelay(QObject):
    """Created on the GUI thread: the worker emits, the slots run here."""

    changed = Signal(int, int)


def _progress_callback(relay: _ProgressRelay, cancel: threading.Event
                       ) -> Callable[[int, int], None]:
    """Reports every 1/200 of the way at most, and stops the worker once cancelled."""
    last = [-1]

    def progress(done: int, total: int) -> None:
        if cancel.is_set():
            raise GenerationCancelled
        step = done * 200 // total if total > 0 else 0
        if step != last[0]:
            last[0] = step
            relay.changed.emit(done, total)

    return progress


class ReportsView(QWidget):
    """Emits :attr:`report_created` (the service's result) once the preview shows it, else
    :attr:`report_failed` (the message shown) or :attr:`report_cancelled`."""

    report_created = Signal(object)
    report_failed = Signal(str)
    report_cancelled = Signal()

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = TaskRunner(self)
        self._folder = tempfile.TemporaryDirectory(prefix="bruecke-reports-")
        self._serial = 0
        self._cancel: threading.Event | None = None
        self.busy = False  # a report is being created (the runner's count lags the signals)
        self._print_when_ready = False
        self._stale = True
        self._status: Callable[[], str] | None = None
        self._relay = _ProgressRelay(self)
        self._relay.changed.connect(self._on_relay_changed)
        self.options: dict[str, ReportOptions] = {}
        for options in (ContactSheetOptions(app, self), DirectoryOptions(app),
                        AttendanceOptions(app), ActivityOptions(app), LabelOptions(app),
                        PhoneListOptions(app)):
            self.options[options.key] = options
        self.preview = PdfPreview()
        self._build()
        self.retranslate()
        self.select_report("contact_sheet")

    # -- public API ----------------------------------------------------------------------

    def current_key(self) -> str:
        item = self.report_list.currentItem()
        return str(item.data(UID_ROLE)) if item is not None else "contact_sheet"

    def select_report(self, key: str) -> None:
        for row in range(self.report_list.count()):
            if self.report_list.item(row).data(UID_ROLE) == key:
                self.report_list.setCurrentRow(row)

    def generate(self) -> bool:
        """Create the chosen report off the GUI thread; False if it could not start."""
        if self.busy:
            self._show_status(lambda: _("A report is being created. Wait until it is done."))
            return False
        try:
            job = self.options[self.current_key()].job()
        except OptionsError as exc:
            self._show_status(functools.partial(str, exc), error=True)
            self._print_when_ready = False
            return False
        self._serial += 1
        path = os.path.join(self._folder.name, f"report-{self._serial}.pdf")
        self._cancel = threading.Event()
        progress = _progress_callback(self._relay, self._cancel)
        self._set_busy(True)
        self.runner.start(lambda: job.run(path, progress),
                          lambda result: self._on_generated(job, result),
                          self._on_generation_failed)
        return True

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)

    def print_contact_sheet(self, kind: str, uid: str, name: str) -> None:
        """Create the contact sheet of a person or organisation, then ask to print it."""
        self.select_report("contact_sheet")
        options = self.options["contact_sheet"]
        assert isinstance(options, ContactSheetOptions)
        options.choose(kind, uid, name)
        self._print_when_ready = self.generate()

    def open_record(self, uid: str) -> None:
        """A project (search result or link): its activity report."""
        self.select_report("activity")
        options = self.options["activity"]
        assert isinstance(options, ActivityOptions)
        options.choose_project(uid)

    def refresh(self) -> None:
        """Data changed: offer the current events, projects, lists … when shown next."""
        self._stale = True
        if self.isVisible():
            self._load_options()

    def retranslate(self) -> None:
        self.heading.setText(_("Reports"))
        for row in range(self.report_list.count()):
            item = self.report_list.item(row)
            options = self.options[item.data(UID_ROLE)]
            item.setText(options.title())
            item.setToolTip(options.description())
        self.report_list.setAccessibleName(_("Report"))
        self.create_button.setText(_("Create preview"))
        self.create_button.setToolTip(_("Create the report and show it here ({keys})").format(
            keys=QKeySequence("Ctrl+Return").toString(QKeySequence.SequenceFormat.NativeText)))
        self.cancel_button.setText(_("Cancel"))
        self.skipped_list.setToolTip(_("Double-click a name to open the person and add a "
                                       "postal address."))
        self.skipped_list.setAccessibleName(_("Persons left out"))
        self._update_options_box()
        if self._status is not None:
            self.status.setText(self._status())

    # -- set-up --------------------------------------------------------------------------

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.report_list = QListWidget()
        self.report_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for key in self.options:
            item = QListWidgetItem(icon("reports"), "")
            item.setData(UID_ROLE, key)
            self.report_list.addItem(item)
        self.report_list.currentRowChanged.connect(self._on_report_list_current_row_changed)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: palette(placeholder-text);")
        self.options_box = QGroupBox()
        box = QVBoxLayout(self.options_box)
        box.addWidget(self.description)
        box.addSpacing(4)
        for options in self.options.values():
            box.addWidget(options)
        self.create_button = QPushButton(icon("reports"), "")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.generate)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.skipped_list = QListWidget()
        self.skipped_list.itemActivated.connect(self._on_skipped_list_item_activated)
        self.skipped_list.hide()
        generate = QAction(self)
        generate.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        generate.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        generate.triggered.connect(self.generate)
        self.addAction(generate)
        self._layout()

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(16, 14, 12, 12)
        column.addWidget(self.heading)
        column.addSpacing(6)
        column.addWidget(self.report_list)
        column.addSpacing(6)
        column.addWidget(self.options_box)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.skipped_list, 1)
        column.addStretch(0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(panel)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setMinimumWidth(340)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.scroll_area)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([PANEL_WIDTH, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        rows = self.report_list.count()
        self.report_list.setFixedHeight(self.report_list.sizeHintForRow(0) * rows
                                        + 2 * self.report_list.frameWidth() + 4)

    # -- slots ---------------------------------------------------------------------------

    def _on_report_list_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        # Hidden, not stacked: a QStackedWidget is as tall as its tallest page.
        for index, options in enumerate(self.options.values()):
            options.setVisible(index == row)
        self._update_options_box()

    def _on_relay_changed(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_generated(self, job: ReportJob, result: Any) -> None:
        self._set_busy(False)
        if not self.preview.show_file(result.path, job.file_name, job.title):
            self._show_status(lambda: _("The report was created but cannot be shown."),
                              error=True)
            self._print_when_ready = False
            return
        self._remove_old_files(result.path)
        self._show_result(result)
        self.report_created.emit(result)
        if self._print_when_ready:
            self._print_when_ready = False
            self.preview.print_document()

    def _on_generation_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self._print_when_ready = False
        if isinstance(exc, GenerationCancelled):
            self._show_status(lambda: _("Cancelled."))
            self.report_cancelled.emit()
            return
        message = error_message(exc)
        self._show_status(lambda: error_message(exc), error=True)
        self.report_failed.emit(message)

    def _on_skipped_list_item_activated(self, item: QListWidgetItem) -> None:
        opener = getattr(self.window(), "open_record", None)
        if callable(opener):
            opener("person", item.data(UID_ROLE))

    # -- internals -----------------------------------------------------------------------

    def _update_options_box(self) -> None:
        options = self.options[self.current_key()]
        self.options_box.setTitle(options.title())
        self.description.setText(options.description())

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.create_button.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)  # busy until the layout reports its size
        if busy:
            self.skipped_list.hide()
            self._show_status(lambda: _("Creating the report …"))

    def _show_status(self, text: Callable[[], str], error: bool = False) -> None:
        self._status = text
        self.status.setText(text())
        self.status.setStyleSheet("color: #b3261e;" if error else "")

    def _show_result(self, result: Any) -> None:
        if not isinstance(result, LabelResult):
            pages = result.pages
            self._show_status(lambda: ngettext("Preview created: {n} page.",
                                               "Preview created: {n} pages.",
                                               pages).format(n=pages))
            return
        self._show_status(lambda: _label_summary(result))
        self.skipped_list.clear()
        for person in result.skipped:
            item = QListWidgetItem(person.name)
            item.setData(UID_ROLE, person.uid)
            self.skipped_list.addItem(item)
        self.skipped_list.setVisible(bool(result.skipped))

    def _remove_old_files(self, keep: str) -> None:
        for name in os.listdir(self._folder.name):
            path = os.path.join(self._folder.name, name)
            if path != keep:
                with contextlib.suppress(OSError):
                    os.remove(path)

    def _load_options(self) -> None:
        self._stale = False
        for options in self.options.values():
            try:
                options.load()
            except Exception as exc:  # noqa: BLE001 - shown; the other reports stay usable
                self._show_status(functools.partial(error_message, exc), error=True)

    # -- Qt overrides --------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._load_options()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _label_summary(result: LabelResult) -> str:
    lines = [ngettext("{n} address label was created.", "{n} address labels were created.",
                      result.printed).format(n=result.printed)]
    if result.withheld:
        lines.append(ngettext(
            "{n} person withdrew consent to mailings and was left out.",
            "{n} persons withdrew consent to mailings and were left out.",
            result.withheld).format(n=result.withheld))
    if result.skipped:
        lines.append(ngettext("{n} person has no postal address and was left out:",
                              "{n} persons have no postal address and were left out:",
                              len(result.skipped)).format(n=len(result.skipped)))
    elif result.printed:
        lines.append(_("Every person has a postal address."))
    return "\n".join(lines)
