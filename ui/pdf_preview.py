"""The preview of a generated report: pages, zoom, printing and "Save as …".

The PDF is shown with QtPdf. Printing renders each page with QPdfDocument.render() into the
printer (at most 300 dpi, so that a long report does not need gigabytes), centred and scaled
to the paper; "Save as …" copies the generated file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QMargins,
    QPointF,
    QRectF,
    QSize,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _
from crm.messages import error_message
from crm.paths import resource

MAX_PRINT_DPI = 300
ZOOM_STEPS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
FIT_WIDTH, FIT_PAGE = "width", "page"


class PdfPreview(QWidget):
    """Shows one PDF file; emits :attr:`saved` (target path) and :attr:`printed` (pages)."""

    saved = Signal(str)
    printed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: str | None = None
        self._error: str | None = None
        self.file_name = "report.pdf"  # suggested for "Save as …"
        self.title = ""
        self._folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setDocumentMargins(QMargins(12, 12, 12, 12))
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.placeholder.setContentsMargins(40, 40, 40, 40)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        self._build_toolbar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)
        self.view.pageNavigator().currentPageChanged.connect(self._on_navigator_page_changed)
        self.retranslate()
        self._update_controls()

    # -- public API ----------------------------------------------------------------------

    def show_file(self, path: str, file_name: str = "report.pdf", title: str = "") -> bool:
        """Show ``path``; False (and the placeholder with the error) if it cannot be read."""
        self.document.close()
        self.path, self.file_name, self.title = path, file_name, title
        error = self.document.load(path)
        ok = error == QPdfDocument.Error.None_ and self.document.pageCount() > 0
        self._error = None if ok else path
        if not ok:
            self.path = None
            self.placeholder.setText(_("The preview cannot be shown: {path} is not a readable "
                                       "PDF file.").format(path=path))
        self.stack.setCurrentWidget(self.view if ok else self.placeholder)
        if ok:
            self.go_to_page(0)
        self._update_controls()
        return ok

    def clear(self) -> None:
        self.document.close()
        self.path = self._error = None
        self.stack.setCurrentWidget(self.placeholder)
        self.retranslate()
        self._update_controls()

    def page_count(self) -> int:
        return self.document.pageCount() if self.path else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, index: int) -> None:
        if not self.page_count():
            return
        index = max(0, min(self.page_count() - 1, index))
        self.view.pageNavigator().jump(index, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_controls()

    def set_zoom(self, zoom: float | str) -> None:
        """A factor (1.0 = 100 %), or FIT_WIDTH / FIT_PAGE."""
        if zoom == FIT_WIDTH:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif zoom == FIT_PAGE:
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], float(zoom))))
        self._sync_zoom_combo()

    def zoom_in(self) -> None:
        now = self.effective_zoom()
        self.set_zoom(next((z for z in ZOOM_STEPS if z > now + 0.01), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        now = self.effective_zoom()
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < now - 0.01), ZOOM_STEPS[0]))

    def effective_zoom(self) -> float:
        """The factor shown; QPdfView reports 1.0 in its fit modes, so compute it there."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.Custom or not self.page_count():
            return self.view.zoomFactor()
        page = self.document.pagePointSize(max(0, self.current_page()))
        dpi = self.view.logicalDpiX() / 72.0
        margins = self.view.documentMargins()
        viewport = self.view.viewport().size()
        width = (viewport.width() - margins.left() - margins.right()) / (page.width() * dpi)
        if mode == QPdfView.ZoomMode.FitToWidth:
            return width
        height = (viewport.height() - margins.top() - margins.bottom()) / (page.height() * dpi)
        return min(width, height)

    def create_printer(self) -> QPrinter:
        """The printer the print dialog configures (tests hand in a PDF printer)."""
        return QPrinter(QPrinter.PrinterMode.HighResolution)

    def print_document(self) -> int:
        """Ask for printer and pages, then print; the number of pages printed (0: none)."""
        if not self.page_count():
            return 0
        printer = self.create_printer()
        printer.setDocName(self.title or self.file_name)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)  # the PDF has its own margins
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Print"))
        dialog.setMinMax(1, self.page_count())
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
        painter = QPainter()
        if not painter.begin(printer):
            target = printer.outputFileName() or printer.printerName()
            QMessageBox.warning(self, _("Print"), _("The printer {name} cannot be used.")
                                .format(name=target))
            return 0
        count = self._render_pages(painter, printer, self._pages_to_print(printer))
        if count:
            self.printed.emit(count)
        return count

    def save_as(self) -> str | None:
        """Copy the shown file to where the user says; the target, or None."""
        if self.path is None:
            return None
        suggested = os.path.join(self._folder, self.file_name)
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Save report as"), suggested, _("PDF documents (*.pdf)"))
        if not target:
            return None
        if not target.lower().endswith(".pdf"):
            target += ".pdf"
        try:
            copy_file(self.path, target)
        except OSError as exc:
            QMessageBox.warning(self, _("Save report as"), error_message(exc))
            return None
        self._folder = os.path.dirname(target) or self._folder
        self.saved.emit(target)
        return target

    def retranslate(self) -> None:
        if self.path is None and self._error is None:
            self.placeholder.setText(_("No preview yet. Choose a report and its options, "
                                       "then click “Create preview”."))
        texts = {
            self.first_action: _("First page"),
            self.previous_action: _("Previous page"),
            self.next_action: _("Next page"),
            self.last_action: _("Last page"),
            self.zoom_out_action: _("Zoom out"),
            self.zoom_in_action: _("Zoom in"),
            self.save_action: _("&Save as …"),
            self.print_action: _("&Print …"),
        }
        for action, text in texts.items():
            action.setText(text)  # the zoom actions keep their icon text "+" and "−"
            if action in (self.save_action, self.print_action):
                action.setIconText(text.replace("&", ""))
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            plain = text.replace("&", "").rstrip(" …")
            action.setToolTip(f"{plain} ({keys})" if keys else plain)
        self.page_spin.setAccessibleName(_("Page"))
        zoom_texts = {FIT_WIDTH: _("Page width"), FIT_PAGE: _("Whole page")}
        for index in range(self.zoom_combo.count()):
            data = self.zoom_combo.itemData(index)
            self.zoom_combo.setItemText(index, zoom_texts.get(data) or _percent(float(data)))
        self.zoom_combo.setAccessibleName(_("Zoom"))
        self._update_controls()

    # -- set-up --------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        self.toolbar = QWidget()
        self.toolbar.setObjectName("previewToolbar")
        pixmap = QStyle.StandardPixmap
        self.first_action = self._action(lambda: self.go_to_page(0), "Ctrl+Home",
                                         pixmap.SP_MediaSkipBackward)
        self.previous_action = self._action(lambda: self.go_to_page(self.current_page() - 1),
                                            "Ctrl+PgUp", pixmap.SP_ArrowLeft)
        self.next_action = self._action(lambda: self.go_to_page(self.current_page() + 1),
                                        "Ctrl+PgDown", pixmap.SP_ArrowRight)
        self.last_action = self._action(lambda: self.go_to_page(self.page_count() - 1),
                                        "Ctrl+End", pixmap.SP_MediaSkipForward)
        self.zoom_out_action = self._action(self.zoom_out, QKeySequence.StandardKey.ZoomOut)
        self.zoom_out_action.setIconText("−")
        self.zoom_in_action = self._action(self.zoom_in, QKeySequence.StandardKey.ZoomIn)
        self.zoom_in_action.setIconText("+")
        self.save_action = self._action(self.save_as, "Ctrl+Shift+S",
                                        pixmap.SP_DialogSaveButton)
        self.print_action = self._action(self.print_document, QKeySequence.StandardKey.Print)
        self.print_action.setIcon(_print_icon())
        self.page_spin = QSpinBox()
        self.page_spin.setMinimum(1)
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.valueChanged.connect(lambda value: self.go_to_page(value - 1))
        self.page_label = QLabel()
        self.zoom_combo = QComboBox()
        for data in (FIT_WIDTH, FIT_PAGE, *ZOOM_STEPS):
            self.zoom_combo.addItem("", data)
        self.zoom_combo.activated.connect(
            lambda index: self.set_zoom(self.zoom_combo.itemData(index)))
        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(4)
        items: tuple[QAction | QWidget | None, ...] = (
            self.first_action, self.previous_action, self.page_spin, self.page_label,
            self.next_action, self.last_action, None, self.zoom_out_action, self.zoom_combo,
            self.zoom_in_action)
        for item in items:
            if item is None:
                row.addSpacing(16)
            else:
                row.addWidget(self._button(item) if isinstance(item, QAction) else item)
        row.addStretch(1)
        for action in (self.save_action, self.print_action):
            button = self._button(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(False)
            row.addWidget(button)

    def _action(self, slot: Callable[[], object], keys: str | QKeySequence.StandardKey,
                standard_icon: QStyle.StandardPixmap | None = None) -> QAction:
        action = QAction(self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if standard_icon is not None:
            action.setIcon(self.style().standardIcon(standard_icon))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    @staticmethod
    def _button(action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        return button

    # -- internals -----------------------------------------------------------------------

    def _update_controls(self) -> None:
        count = self.page_count()
        current = self.current_page() if count else 0
        for action in (self.first_action, self.previous_action):
            action.setEnabled(count > 0 and current > 0)
        for action in (self.next_action, self.last_action):
            action.setEnabled(count > 0 and current < count - 1)
        for action in (self.zoom_in_action, self.zoom_out_action, self.print_action,
                       self.save_action):
            action.setEnabled(count > 0)
        self.page_spin.setEnabled(count > 0)
        self.zoom_combo.setEnabled(count > 0)
        blocked = self.page_spin.blockSignals(True)
        self.page_spin.setMaximum(max(1, count))
        self.page_spin.setValue(current + 1)
        self.page_spin.blockSignals(blocked)
        self.page_label.setText(_("of {n}").format(n=count) if count else "")
        self._sync_zoom_combo()

    def _sync_zoom_combo(self) -> None:
        mode = self.view.zoomMode()
        data: str | float = (FIT_WIDTH if mode == QPdfView.ZoomMode.FitToWidth else
                             FIT_PAGE if mode == QPdfView.ZoomMode.FitInView else
                             self.view.zoomFactor())
        index = self.zoom_combo.findData(data)
        if index < 0:  # a factor between the steps: show the nearest
            factor = float(data)
            index = self.zoom_combo.findData(min(ZOOM_STEPS, key=lambda z: abs(z - factor)))
        self.zoom_combo.setCurrentIndex(index)

    def _on_navigator_page_changed(self, _page: int) -> None:
        self._update_controls()

    def _pages_to_print(self, printer: QPrinter) -> list[int]:
        count = self.page_count()
        if printer.printRange() == QPrinter.PrintRange.CurrentPage:
            return [self.current_page()]
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage():
            first = max(1, printer.fromPage())
            last = min(count, printer.toPage() or count)
            return list(range(first - 1, last))
        return list(range(count))

    def _render_pages(self, painter: QPainter, printer: QPrinter, pages: list[int]) -> int:
        """Draw the pages into the printer, each scaled to fit the paper and centred."""
        progress = self._print_progress(len(pages))
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        paper = printer.pageLayout().fullRectPixels(printer.resolution())
        done = 0
        try:
            for number, index in enumerate(pages):
                if progress is not None:
                    progress.setValue(number)
                    if progress.wasCanceled():
                        break
                if number:
                    printer.newPage()
                points = self.document.pagePointSize(index)
                image = self.document.render(index, QSize(round(points.width() * dpi / 72),
                                                          round(points.height() * dpi / 72)))
                target = _fitted(QRectF(paper), points.width(), points.height())
                painter.fillRect(target, QColor("white"))
                painter.drawImage(target, image)
                done += 1
        finally:
            painter.end()
            if progress is not None:
                progress.close()
        return done

    def _print_progress(self, total: int) -> QProgressDialog | None:
        if total < 4:
            return None
        progress = QProgressDialog(_("Printing …"), _("Cancel"), 0, total, self)
        progress.setWindowTitle(_("Print"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)
        return progress

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def copy_file(source: str, target: str) -> None:
    """Copy a report; a new file is readable by its owner only, as the reports are."""
    if os.path.abspath(source) == os.path.abspath(target):
        return
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst)


def _fitted(paper: QRectF, width: float, height: float) -> QRectF:
    scale = min(paper.width() / width, paper.height() / height)
    size_w, size_h = width * scale, height * scale
    return QRectF(paper.x() + (paper.width() - size_w) / 2,
                  paper.y() + (paper.height() - size_h) / 2, size_w, size_h)


def _percent(factor: float) -> str:
    return _("{percent} %").format(percent=round(factor * 100))


def _print_icon() -> QIcon:
    return QIcon.fromTheme("document-print", QIcon(str(resource("icons", "print.svg"))))
