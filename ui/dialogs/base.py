"""What every editing dialog shares: save through a service, field errors that keep the
input, a question before discarding changes, Ctrl+Enter to save, conflict handling."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm.errors import BrueckeError, ConflictError, ValidationError
from crm.i18n import _, current_language
from crm.messages import error_message, field_message
from ui.field_errors import FieldErrors

T = TypeVar("T")


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What a dialog saved: the record as it was opened (None when created) and after."""

    before: T | None
    after: T


# -- translated labels of stored codes ----------------------------------------------------

def contact_kind_labels() -> dict[str, str]:
    return {
        "email": _("E-mail"), "phone": _("Phone"), "mobile": _("Mobile"), "fax": _("Fax"),
        "web": _("Website"), "postal": _("Postal address"), "messenger": _("Messenger"),
    }


def contact_label_labels() -> dict[str, str]:
    return {"work": _("Work"), "private": _("Private"), "other": _("Other")}


def organisation_kind_labels() -> dict[str, str]:
    return {
        "member": _("Member organisation (MSO)"),
        "council": _("Advisory council"),
        "administration": _("Administration"),
        "network": _("Network"),
        "public-body": _("Public body"),
        "funder": _("Funder"),
        "other": _("Other"),
    }


def salutation_labels(full_name: str = "") -> dict[str, str]:
    name = full_name.strip() or "…"
    return {
        "none": _("No form of address"),
        "frau": _("Frau"),
        "herr": _("Herr"),
        "neutral": _('Neutral ("Guten Tag {name}")').format(name=name),
    }


# -- dates ---------------------------------------------------------------------------------

def format_date(value: date | None) -> str:
    """A date as the user types it back: 01.03.2026 in German, 2026-03-01 otherwise."""
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if current_language() == "de" else value.isoformat()


def date_placeholder() -> str:
    return _("DD.MM.YYYY")


# -- small helpers for forms ------------------------------------------------------------------

def set_tab_chain(widgets: Sequence[QWidget]) -> None:
    """Tab goes through ``widgets`` in this order."""
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)


def install_completer(edit: QLineEdit, entries: list[str]) -> QCompleter:
    """Suggest ``entries`` containing the typed text, ignoring case."""
    completer = QCompleter(entries, edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setMaxVisibleItems(12)
    edit.setCompleter(completer)
    return completer


class EditDialog(QDialog):
    """Base of the editing dialogs.

    Subclasses build their form, call :meth:`finish_setup`, and implement
    :meth:`form_state` (anything comparable: "modified" means it differs from the state
    after loading), :meth:`perform_save` (calls the service; raises its errors) and
    optionally :meth:`live_check` (validate one field while the user types).
    """

    CHECK_DELAY_MS = 300

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field_errors = FieldErrors()
        self.saved_result: Any = None
        self._initial_state: object = None
        self._pending_checks: dict[str, None] = {}
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(self.CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        self._shortcuts = []
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.save)
            self._shortcuts.append(shortcut)

    @property
    def save_button(self) -> QPushButton:
        return self.button_box.button(QDialogButtonBox.StandardButton.Save)

    @property
    def cancel_button(self) -> QPushButton:
        return self.button_box.button(QDialogButtonBox.StandardButton.Cancel)

    # -- to implement ------------------------------------------------------------------------

    def form_state(self) -> object:
        raise NotImplementedError

    def perform_save(self) -> Any:
        raise NotImplementedError

    def live_check(self, field: str) -> None:
        """Validate one field through the service and show or clear its message."""

    def place_errors(self, exc: ValidationError) -> list[str]:
        """Show each error next to its input; the messages that have no input."""
        return self.field_errors.show_errors(exc)

    def clear_errors(self) -> None:
        self.field_errors.clear_all()

    def first_invalid_widget(self) -> QWidget | None:
        return self.field_errors.first_invalid()

    def retranslate(self) -> None:
        self.save_button.setText(_("Save"))
        self.save_button.setToolTip(_("Save (Ctrl+Enter)"))
        self.cancel_button.setText(_("Cancel"))

    # -- shared behaviour --------------------------------------------------------------------

    def lay_out_record_form(self, form: QLayout, contacts: QWidget, tags: QWidget) -> None:
        """The layout person and organisation dialogs share: form, contact points, tags,
        then the required-field hint beside the buttons."""
        self.contacts_box = QGroupBox(self)
        QVBoxLayout(self.contacts_box).addWidget(contacts)
        self.tags_box = QGroupBox(self)
        QVBoxLayout(self.tags_box).addWidget(tags)
        self.required_hint = QLabel(self)
        self.required_hint.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.required_hint, 1)
        bottom.addWidget(self.button_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.contacts_box)
        layout.addWidget(self.tags_box)
        layout.addStretch(1)
        layout.addLayout(bottom)

    def finish_setup(self) -> None:
        """Call at the end of the subclass's __init__, once the form holds the record."""
        self.retranslate()
        self._initial_state = self.form_state()

    def is_modified(self) -> bool:
        return self.form_state() != self._initial_state

    def event(self, event: QEvent) -> bool:
        # Retranslate after Qt passed the change on to the children: the button box would
        # otherwise put Qt's own texts back on its standard buttons (Save, Cancel).
        handled = super().event(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return handled

    def reject(self) -> None:
        """Esc, Cancel and the window's close button: ask before losing typed input."""
        if self.is_modified() and not self._discard_confirmed():
            return
        super().reject()

    def _discard_confirmed(self) -> bool:
        answer = QMessageBox.question(
            self, _("Discard changes?"),
            _("You have changed this form. Close it and discard your changes?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def save(self) -> None:
        """Save through the service; on an error the dialog stays open with all input."""
        self._check_timer.stop()
        self._pending_checks.clear()
        self.clear_errors()
        try:
            result = self.perform_save()
        except ValidationError as exc:
            self._show_validation(exc)
            return
        except ConflictError as exc:
            self._resolve_conflict(exc)
            return
        except BrueckeError as exc:
            QMessageBox.warning(self, _("Not saved"), error_message(exc))
            return
        self.saved_result = result
        self.accept()

    def _show_validation(self, exc: ValidationError) -> None:
        unplaced = self.place_errors(exc)
        first = self.first_invalid_widget()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        if unplaced:
            QMessageBox.warning(self, _("Not saved"), "\n".join(unplaced))

    def _resolve_conflict(self, exc: ConflictError) -> None:
        from ui.dialogs.conflict_dialog import ConflictChoice, ConflictDialog

        choice = ConflictDialog.ask(self, exc, name=self.record_name())
        if choice is ConflictChoice.OVERWRITE:
            self.use_version(exc.version)
            self.save()
        elif choice is ConflictChoice.KEEP_THEIRS:
            super().reject()

    def record_name(self) -> str:
        return ""

    def use_version(self, version: int | None) -> None:
        """After "overwrite": save against the version the conflict reported."""

    # -- live checks -------------------------------------------------------------------------

    def schedule_check(self, field: str) -> None:
        """Check ``field`` shortly after the user stops typing."""
        self._pending_checks[field] = None
        self._check_timer.start()

    def check_now(self, field: str) -> None:
        self._pending_checks.pop(field, None)
        self.live_check(field)

    def flush_checks(self) -> None:
        """Run the pending checks now (tests, and when a field loses focus)."""
        self._check_timer.stop()
        self._on_check_timer_timeout()

    def _on_check_timer_timeout(self) -> None:
        fields = list(self._pending_checks)
        self._pending_checks.clear()
        for field in fields:
            self.live_check(field)

    def show_check_result(self, field: str, check: Callable[[], object],
                          key: str | None = None) -> None:
        """Run a service check; show its message under ``field`` or clear it."""
        try:
            check()
        except ValidationError as exc:
            code, values = exc.errors.get(key or field, next(iter(exc.errors.values())))
            self.field_errors.show(field, field_message(key or field, code, values))
        except BrueckeError as exc:
            self.field_errors.show(field, error_message(exc))
        else:
            self.field_errors.clear(field)
