"""Field-level messages: a short text right under an input, from the services' errors.

Services raise one :class:`~crm.errors.ValidationError` with a code per field; a form
registers its inputs under the services' field names, and :class:`FieldErrors` turns each
code into a translated sentence (:func:`crm.messages.field_message`) shown below the input.
The input keeps its text: nothing here ever clears what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from crm.errors import ValidationError
from crm.messages import field_message

ERROR_COLOR = QColor("#b3261e")
INVALID_BASE = QColor("#fdecec")


def make_error_label(parent: QWidget | None = None) -> QLabel:
    """A hidden, word-wrapping label in the error colour."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR.name()};")
    label.setObjectName("fieldError")
    label.hide()
    return label


def mark_invalid(widget: QWidget, invalid: bool, message: str = "") -> None:
    """Tint the input's background and describe the error for screen readers."""
    if widget.property("invalid") == invalid:
        widget.setAccessibleDescription(message)
        return
    widget.setProperty("invalid", invalid)
    palette = QPalette(widget.palette())
    if invalid:
        widget.setProperty("validBase", palette.color(QPalette.ColorRole.Base))
        palette.setColor(QPalette.ColorRole.Base, INVALID_BASE)
    else:
        base = widget.property("validBase")
        palette.setColor(QPalette.ColorRole.Base, base if isinstance(base, QColor) else
                         QPalette().color(QPalette.ColorRole.Base))
    widget.setPalette(palette)
    widget.setAccessibleDescription(message)


class FieldErrors:
    """The error labels of one form, keyed by the services' field names."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def attach(self, field: str, widget: QWidget) -> QWidget:
        """Put ``widget`` above a hidden message label; add the returned box to the layout."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        label = make_error_label(box)
        layout.addWidget(label)
        self.register(field, widget, label)
        return box

    def register(self, field: str, widget: QWidget, label: QLabel) -> None:
        self._fields[field] = (widget, label)

    def unregister(self, field: str) -> None:
        self._fields.pop(field, None)

    def fields(self) -> list[str]:
        return list(self._fields)

    def widget(self, field: str) -> QWidget | None:
        entry = self._fields.get(field)
        return entry[0] if entry else None

    def label(self, field: str) -> QLabel | None:
        entry = self._fields.get(field)
        return entry[1] if entry else None

    def show(self, field: str, message: str) -> bool:
        """Show ``message`` under the field's input; False if the field is not on the form."""
        entry = self._fields.get(field)
        if entry is None:
            return False
        widget, label = entry
        label.setText(message)
        label.setVisible(bool(message))
        mark_invalid(widget, bool(message), message)
        return True

    def clear(self, field: str) -> None:
        self.show(field, "")

    def clear_all(self) -> None:
        for field in self._fields:
            self.clear(field)

    def message(self, field: str) -> str:
        entry = self._fields.get(field)
        return entry[1].text() if entry else ""

    def has_errors(self) -> bool:
        return any(label.text() for _widget, label in self._fields.values())

    def show_errors(self, exc: ValidationError,
                    field_of: Callable[[str], str] = lambda key: key) -> list[str]:
        """Show every error next to its input; returns the messages that have no input.

        ``field_of`` maps a service key to a form field (``"email[1]"`` → ``"contact_1"``).
        """
        unplaced: list[str] = []
        for key, (code, values) in exc.errors.items():
            message = field_message(key, code, values)
            if not self.show(field_of(key), message):
                unplaced.append(message)
        return unplaced

    def first_invalid(self) -> QWidget | None:
        """The first input (in registration order) that shows an error."""
        for widget, label in self._fields.values():
            if label.text():
                return widget
        return None
