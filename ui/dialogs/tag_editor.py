"""Edit the tags of a record (Modellkommune, Vorstand …): type with completion, Enter adds,
Delete removes. Also a small dialog for changing only the tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm.errors import ValidationError
from crm.i18n import _
from crm.messages import field_message
from ui.dialogs.base import EditDialog, Saved
from ui.field_errors import make_error_label, mark_invalid

_RETURN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class TagEditor(QWidget):
    """Tags as chips in a wrapping list, with a line edit to add more."""

    changed = Signal()

    def __init__(self, known: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line_edit = QLineEdit(self)
        self._known = QStringListModel(list(known), self)
        self.completer = QCompleter(self._known, self.line_edit)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.line_edit.setCompleter(self.completer)
        self.completer.activated.connect(self._on_completer_activated)
        self.add_button = QPushButton(self)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.list_widget = QListWidget(self)
        self.list_widget.setFlow(QListView.Flow.LeftToRight)
        self.list_widget.setWrapping(True)
        self.list_widget.setResizeMode(QListView.ResizeMode.Adjust)
        self.list_widget.setSpacing(3)
        self.list_widget.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list_widget.setFixedHeight(62)
        self.list_widget.setStyleSheet(
            "QListWidget::item { border: 1px solid #9fb3c8; border-radius: 9px;"
            " padding: 1px 8px; background: #eef3f8; color: #1d2b36; }"
            "QListWidget::item:selected { background: #cfe0f1; border-color: #3d6a99; }"
        )
        self.remove_button = QPushButton(self)
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.error_label = make_error_label(self)
        self.line_edit.installEventFilter(self)
        self.list_widget.installEventFilter(self)
        entry = QHBoxLayout()
        entry.setContentsMargins(0, 0, 0, 0)
        entry.addWidget(self.line_edit, 1)
        entry.addWidget(self.add_button)
        entry.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(entry)
        layout.addWidget(self.error_label)
        layout.addWidget(self.list_widget)
        self.list_widget.itemSelectionChanged.connect(self._update_buttons)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.line_edit.setPlaceholderText(_("Add a tag and press Enter"))
        self.line_edit.setAccessibleName(_("New tag"))
        self.add_button.setText(_("Add"))
        self.remove_button.setText(_("Remove"))
        self.remove_button.setToolTip(_("Remove the selected tags (Del)"))
        self.list_widget.setAccessibleName(_("Tags"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- content -----------------------------------------------------------------------------

    def tags(self) -> list[str]:
        return [self.list_widget.item(i).text() for i in range(self.list_widget.count())]

    def set_tags(self, names: Sequence[str]) -> None:
        self.list_widget.clear()
        for name in names:
            self._append(name)
        self._update_buttons()

    def set_known(self, names: Sequence[str]) -> None:
        self._known.setStringList(list(names))

    def add_tag(self, text: str) -> bool:
        """Add the comma-separated tags in ``text``; True if any was new."""
        added = False
        for part in text.split(","):
            name = " ".join(part.split())
            if name and name.casefold() not in {t.casefold() for t in self.tags()}:
                self._append(name)
                added = True
        if added:
            self._update_buttons()
            self.changed.emit()
        return added

    def remove_selected(self) -> None:
        rows = sorted((self.list_widget.row(i) for i in self.list_widget.selectedItems()),
                      reverse=True)
        for row in rows:
            self.list_widget.takeItem(row)
        if rows:
            self._update_buttons()
            self.changed.emit()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        mark_invalid(self.line_edit, bool(message), message)

    def focus_widgets(self) -> list[QWidget]:
        return [self.line_edit, self.add_button, self.remove_button, self.list_widget]

    # -- keys --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)
            if (watched is self.line_edit and event.key() in _RETURN_KEYS and plain
                    and self.line_edit.text().strip()):
                self._commit_line()
                return True  # Enter adds the tag; it does not save the dialog
            if watched is self.list_widget and event.key() in (Qt.Key.Key_Delete,
                                                               Qt.Key.Key_Backspace):
                self.remove_selected()
                return True
        return super().eventFilter(watched, event)

    def _commit_line(self) -> None:
        self.add_tag(self.line_edit.text())
        self.line_edit.clear()

    def _on_completer_activated(self, _text: str) -> None:
        # The completer writes the text after this signal; add it once it is there.
        QTimer.singleShot(0, self._commit_line)

    def _on_add_button_clicked(self) -> None:
        self._commit_line()
        self.line_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _append(self, name: str) -> None:
        self.list_widget.addItem(name)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.list_widget.selectedItems()))


class TagDialog(EditDialog):
    """Change only the tags of a person or organisation (one undoable step)."""

    def __init__(self, service: Any, detail: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._detail = detail
        self._version = detail.version
        self._before = detail
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.editor = TagEditor(service.known_tags(), self)
        self.editor.set_tags(detail.tags)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.editor)
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        self.resize(540, self.sizeHint().height())
        self.finish_setup()

    @classmethod
    def ask(cls, service: Any, uid: str, parent: QWidget | None = None) -> Saved[Any] | None:
        """Edit the tags of the record ``uid``; what was saved, or None if cancelled."""
        dialog = cls(service, service.get(uid), parent)
        try:
            return dialog.saved_result if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Tags of {name}").format(name=self._detail.name))
        self.intro.setText(_("Tags group records for lists and filters, for example "
                             "Modellkommune or Vorstand."))

    def form_state(self) -> object:
        return (tuple(self.editor.tags()), self.editor.line_edit.text().strip())

    def record_name(self) -> str:
        return str(self._detail.name)

    def use_version(self, version: int | None) -> None:
        self._version = version
        self._before = self._service.get(self._detail.uid)  # what undo must bring back

    def place_errors(self, exc: ValidationError) -> list[str]:
        unplaced = []
        for key, (code, values) in exc.errors.items():
            message = field_message(key, code, values)
            if key == "tags":
                self.editor.show_error(message)
            else:
                unplaced.append(message)
        return unplaced

    def perform_save(self) -> Saved[Any] | None:
        if self.editor.line_edit.text().strip():
            self.editor.add_tag(self.editor.line_edit.text())
            self.editor.line_edit.clear()
        self.editor.show_error("")
        if list(self._detail.tags) == self.editor.tags():
            return None
        after = self._service.save(self._detail.uid, {}, None, self.editor.tags(),
                                   expected_version=self._version)
        return Saved(self._before, after)
