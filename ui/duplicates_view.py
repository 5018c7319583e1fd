"""Likely duplicates as pairs with score and reason; merge a pair from here."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _
from crm.messages import value_label
from ui.merge_dialog import MergeDialog


class DuplicatesView(QDialog):
    merged = Signal(object)

    def __init__(self, duplicates: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duplicates = duplicates
        self.pairs: list[Any] = []
        self.summary = QLabel()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("Score"), _("Type"), _("First"), _("Second"),
                                              _("Reason")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.merge_button = QPushButton(_("Merge …"))
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.setWindowTitle(_("Duplicates"))
        self.resize(900, 480)
        self.refresh()

    def refresh(self) -> None:
        self.pairs = list(self.duplicates.find())
        self.table.setRowCount(len(self.pairs))
        for row, pair in enumerate(self.pairs):
            cells = [str(pair.score), value_label("record_type", pair.kind), pair.first.name,
                     pair.second.name, pair.reason_text]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.summary.setText(_("{n} likely duplicates.").format(n=len(self.pairs))
                             if self.pairs else _("No likely duplicates found."))
        self.merge_button.setEnabled(bool(self.pairs))
        if self.pairs:
            self.table.selectRow(0)

    def _on_merge_button_clicked(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.pairs):
            return
        pair = self.pairs[row]
        result = MergeDialog.ask(self.duplicates, pair.kind, (pair.first.uid, pair.first.name),
                                 (pair.second.uid, pair.second.name), self)
        if result is not None:
            self.merged.emit(result)
            self.refresh()
