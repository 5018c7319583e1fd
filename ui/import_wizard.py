"""The import wizard (file → detection and preview → column mapping → plan → run → result)
and the File-menu entries for import, export and duplicates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from crm.i18n import _
from crm.messages import error_message
from ui.settings import WindowSettings
from ui.task import TaskRunner

ACTIONS = {"create": lambda: _("create"), "update": lambda: _("update"),
           "skip": lambda: _("skip")}
PRESET_NAMES = {"google": "Google Contacts", "outlook": "Outlook",
                "thunderbird": "Thunderbird", "generic": lambda: _("detected by name")}


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row[:table.columnCount()]):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()


class _Bridge(QObject):
    progressed = Signal(int, int)


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.path_edit = QLineEdit()
        self.browse = QPushButton()
        self.browse.clicked.connect(self._on_browse_clicked)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.path_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.setTitle(_("Choose a file"))
        self.hint.setText(_("vCard (.vcf) from Thunderbird, Apple, Google, Android, Outlook or "
                            "Nextcloud; CSV or Excel lists; or a Brücke JSON export."))
        self.browse.setText(_("Browse …"))

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        try:
            self.wizard_.load(self.path_edit.text().strip())
        except Exception as exc:  # noqa: BLE001 - shown on the page
            self.error.setText(error_message(exc))
            return False
        self.error.clear()
        return True

    def _on_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import"), "", _("Contacts (*.vcf *.csv *.txt *.xlsx *.json);;All files (*)"))
        if path:
            self.path_edit.setText(path)


class DetectPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.facts = QLabel()
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.table = _table([])
        layout = QVBoxLayout(self)
        layout.addWidget(self.facts)
        layout.addWidget(self.table, 1)
        self.setTitle(_("What was recognised"))

    def initializePage(self) -> None:
        source = self.wizard_.source
        assert source is not None
        lines = [_("Format: {format}").format(format=source.format.upper())]
        if source.encoding:
            lines.append(_("Encoding: {encoding}").format(encoding=source.encoding))
        if source.delimiter:
            shown = {"\t": _("tab"), ";": ";", ",": ","}.get(source.delimiter, source.delimiter)
            lines.append(_("Delimiter: {delimiter}").format(delimiter=shown))
        if source.format in ("csv", "xlsx"):
            lines.append(_("Header row: yes") if source.has_header else _("Header row: no"))
        lines.append(_("Records found: {n}").format(n=len(source.records)))
        self.facts.setText("\n".join(lines))
        if source.columns:
            self.table.setColumnCount(len(source.columns))
            self.table.setHorizontalHeaderLabels(source.columns)
            _fill(self.table, source.preview)
        else:
            self.table.setColumnCount(3)
            self.table.setHorizontalHeaderLabels([_("Name"), _("Organisation"), _("E-mail")])
            _fill(self.table, [[r.display_name() or r.organisation, r.organisation,
                                ", ".join(r.emails())] for r in source.records[:20]])


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.preset = QComboBox()
        self.preset.addItem(_("as detected"), "auto")
        for key in _tabular().PRESETS:
            self.preset.addItem(str(PRESET_NAMES[key]), key)
        self.preset.activated.connect(self._on_preset_activated)
        self.table = _table([_("Column"), _("Example"), _("Field")])
        self.combos: list[QComboBox] = []
        form = QFormLayout()
        form.addRow(_("Program:"), self.preset)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        self.setTitle(_("Assign the columns"))

    def _key(self) -> str:
        source = self.wizard_.source
        return "import_mapping/" + "|".join(source.columns if source else [])[:500]

    def initializePage(self) -> None:
        source = self.wizard_.source
        assert source is not None
        remembered = self.wizard_.settings.value(self._key())
        mapping = {int(k): v for k, v in json.loads(remembered).items()} if remembered \
            else dict(source.mapping)
        index = self.preset.findData(source.mapping_name)
        self.preset.setCurrentIndex(max(index, 0))
        self._show(mapping)

    def _show(self, mapping: dict[int, str]) -> None:
        source = self.wizard_.source
        assert source is not None
        self.table.setRowCount(len(source.columns))
        self.combos = []
        for row, header in enumerate(source.columns):
            self.table.setItem(row, 0, QTableWidgetItem(header))
            sample = next((r[row] for r in source.preview if row < len(r) and r[row]), "")
            self.table.setItem(row, 1, QTableWidgetItem(sample))
            combo = QComboBox()
            field = mapping.get(row, "")
            for key, label in _tabular().FIELDS.items():
                combo.addItem(_(label), key)
            if field and combo.findData(field) < 0:
                combo.addItem(_field_label(field), field)
            combo.setCurrentIndex(combo.findData(field))
            self.table.setCellWidget(row, 2, combo)
            self.combos.append(combo)
        self.table.resizeColumnsToContents()

    def mapping(self) -> dict[int, str]:
        return {i: c.currentData() for i, c in enumerate(self.combos) if c.currentData()}

    def _on_preset_activated(self, _index: int) -> None:
        from crm.io.tabular import detect_preset, mapping_for

        source = self.wizard_.source
        assert source is not None
        preset = self.preset.currentData()
        if preset == "auto":
            preset = detect_preset(source.columns)
        self._show(mapping_for(source.columns, preset))

    def validatePage(self) -> bool:
        mapping = self.mapping()
        self.wizard_.settings.set_value(self._key(), json.dumps(mapping))
        try:
            self.wizard_.remap(mapping)
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, _("Import"), error_message(exc))
            return False
        return True


def _tabular() -> Any:
    """crm.io.tabular, imported when the wizard is used (not before the first paint)."""
    from crm.io import tabular

    return tabular


def _field_label(field: str) -> str:
    base, _sep, number = field.partition("@")
    label = _tabular().FIELDS.get(base.replace("_label", ""), base)
    if base == "postal":
        label = "Postal address"
    text = _(label) if label else base
    if base.endswith("_label"):
        return _("{field} {n} (type)").format(field=text, n=number)
    return f"{text} {number}"


class PlanPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.summary = QLabel()
        self.table = _table([_("Place"), _("Action"), _("Name"), _("Reason"), _("Notes")])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.setTitle(_("Preview: nothing has been written yet"))

    def initializePage(self) -> None:
        from crm.io.plan import where_text

        preview = self.wizard_.make_preview()
        c = preview.counts
        self.summary.setText(_("{created} will be created, {updated} updated, {skipped} "
                               "skipped.").format(**c))
        rows = [[where_text(r.where, r.number), ACTIONS[r.action](), r.name,
                 "; ".join(r.reasons), "; ".join(r.warnings)] for r in preview.rows[:2000]]
        rows += [[where_text("card" if "card" in e else "line", e.get("card", e.get("line", 0))),
                  ACTIONS["skip"](), "", e["reason"], ""] for e in preview.errors
                 if e.get("code") in ("card_not_closed", "unreadable_line", "no_name")]
        _fill(self.table, rows)


class RunPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.cancel_button = QPushButton(_("Cancel import"))
        self.undo_button = QPushButton(_("Undo this import"))
        self.undo_button.hide()
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.setTitle(_("Import"))
        self.done = False

    def initializePage(self) -> None:
        self.done = False
        self.status.setText(_("Importing …"))
        self.cancel_button.show()
        self.wizard_.start_run()

    def isComplete(self) -> bool:
        return self.done

    def show_result(self, result: Any) -> None:
        self.done = True
        self.cancel_button.hide()
        if result.cancelled:
            self.status.setText(_("The import was cancelled; nothing was written."))
        else:
            self.status.setText(_("{created} created, {updated} updated, {skipped} skipped."
                                  ).format(created=result.created, updated=result.updated,
                                           skipped=result.skipped))
            self.undo_button.setVisible(bool(result.batch_uid))
        self.completeChanged.emit()

    def _on_cancel_button_clicked(self) -> None:
        self.wizard_.cancelled = True
        self.status.setText(_("Cancelling …"))

    def _on_undo_button_clicked(self) -> None:
        try:
            self.wizard_.undo()
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, _("Import"), error_message(exc))
            return
        self.undo_button.hide()
        self.status.setText(_("The import was taken back."))


class ImportWizard(QWizard):
    """Steps through an import; ``imports`` is crm's ImportService (or a fake)."""

    imported = Signal(object)

    def __init__(self, imports: Any, settings: WindowSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.imports = imports
        self.settings = settings or WindowSettings()
        self.runner = TaskRunner(self)
        self.source: Any = None
        self.path = ""
        self.result: Any = None
        self.cancelled = False
        self._bridge = _Bridge()
        self.file_page = FilePage(self)
        self.detect_page = DetectPage(self)
        self.mapping_page = MappingPage(self)
        self.plan_page = PlanPage(self)
        self.run_page = RunPage(self)
        self.mapping_id = 0
        for page in (self.file_page, self.detect_page, self.mapping_page, self.plan_page,
                     self.run_page):
            pid = self.addPage(page)
            if page is self.mapping_page:
                self.mapping_id = pid
        self._bridge.progressed.connect(self._on_bridge_progressed)
        self.setWindowTitle(_("Import contacts"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.resize(900, 620)

    def nextId(self) -> int:
        current = self.currentId()
        following = super().nextId()
        if following == self.mapping_id and self.source is not None and \
                self.source.format not in ("csv", "xlsx"):
            return following + 1
        return following if current != -1 else following

    # -- steps (also called by tests) -----------------------------------------------------

    def load(self, path: str) -> None:
        self.path = path
        self.source = self.imports.read(path)

    def remap(self, mapping: dict[int, str]) -> None:
        if mapping != self.source.mapping:
            self.source = self.imports.read(self.path, self.source.format, mapping=mapping)

    def make_preview(self) -> Any:
        return self.imports.preview(self.source)

    def start_run(self) -> None:
        self.cancelled = False
        source, path = self.source, self.path
        self.runner.start(
            lambda: self.imports.run(source, path, progress=self._bridge.progressed.emit,
                                     cancel=lambda: self.cancelled),
            self._on_run_done, self._on_run_failed)

    def undo(self) -> None:
        if self.result is not None and self.result.batch_uid:
            self.imports.undo(self.result.batch_uid)
            self.imported.emit(None)

    # -- slots ------------------------------------------------------------------------------

    def _on_bridge_progressed(self, done: int, total: int) -> None:
        self.run_page.progress.setMaximum(max(total, 1))
        self.run_page.progress.setValue(done)

    def _on_run_done(self, result: Any) -> None:
        self.result = result
        self.run_page.progress.setValue(self.run_page.progress.maximum())
        self.run_page.show_result(result)
        if not result.cancelled:
            self.imported.emit(result)

    def _on_run_failed(self, exc: Exception) -> None:
        self.run_page.done = True
        self.run_page.status.setText(error_message(exc))
        self.run_page.completeChanged.emit()


# -- menu entries -----------------------------------------------------------------------------

EXPORT_FILTERS = (("vcf", "vCard 4.0 (*.vcf)"), ("csv", "CSV (*.csv)"),
                  ("xlsx", "Excel (*.xlsx)"), ("json", "JSON (*.json)"),
                  ("ics", "iCalendar (*.ics)"))


def install_io_menu(window: Any) -> None:
    """File → Import …, Export …; Extras → Duplicates … (called by the main window)."""
    menu_bar = window.menuBar()
    file_menu = window.actions_.file_menu
    first = file_menu.actions()[0] if file_menu.actions() else None
    import_action = QAction(_("&Import …"), window)
    export_action = QAction(_("E&xport …"), window)
    file_menu.insertAction(first, import_action)
    file_menu.insertAction(first, export_action)
    file_menu.insertSeparator(first)
    window.extras_menu = QMenu(_("E&xtras"), window)
    menu_bar.insertMenu(window.actions_.help_menu.menuAction(), window.extras_menu)
    duplicates = QAction(_("&Duplicates …"), window)
    window.extras_menu.addAction(duplicates)
    import_action.triggered.connect(lambda: open_import(window))
    export_action.triggered.connect(lambda: open_export(window))
    duplicates.triggered.connect(lambda: open_duplicates(window))
    window.import_action, window.export_action, window.duplicates_action = (
        import_action, export_action, duplicates)


def open_import(window: Any) -> None:
    wizard = ImportWizard(window.app.imports, window.settings, window)
    wizard.imported.connect(lambda _r: window.refresh())
    wizard.exec()


def open_export(window: Any) -> None:
    from crm.services.exports import Selection

    filters = ";;".join(text for _key, text in EXPORT_FILTERS)
    path, chosen = QFileDialog.getSaveFileName(window, _("Export"), "", filters)
    if not path:
        return
    fmt = next((k for k, text in EXPORT_FILTERS if text == chosen), Path(path).suffix[1:])
    window.runner.start(
        lambda: window.app.exports.export(path, fmt, Selection()),
        lambda r: window.statusBar().showMessage(
            _("{n} records exported to {path}.").format(n=r.count, path=r.path), 10000),
        lambda exc: QMessageBox.warning(window, _("Export"), error_message(exc)))


def open_duplicates(window: Any) -> None:
    from ui.duplicates_view import DuplicatesView

    view = DuplicatesView(window.app.duplicates, window)
    view.merged.connect(lambda _r: window.refresh())
    view.exec()
