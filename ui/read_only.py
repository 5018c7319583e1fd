"""A window that opened its database read-only: another Brücke window holds the lock.

:func:`make_read_only` turns the window into a viewer: every action and button that would
change data is disabled and *stays* disabled (the views re-enable their buttons as the
selection changes; :func:`pin_disabled` switches them off again at once), the title says
"schreibgeschützt", and a permanent status-bar label explains why. What is not a button —
a keyboard shortcut of a page, a link in a detail pane, the sidebar's context menu — still
reaches a service, which refuses the change with a clear message ("opened_read_only",
see :meth:`crm.app.App.set_read_only`). Reading, searching, reports, exports and backups
work as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

from crm.i18n import _

# Page widgets (attribute paths below the window) whose buttons change data.
_PAGE_WIDGETS = (
    "activity.history.edit_button", "activity.history.delete_button",
    "activity.tasks.new_button",
    "activity.tasks.done_button", "activity.tasks.reschedule_button",
    "activity.tasks.reassign_button",
    "activity.events.new_button", "activity.events.edit_button",
    "activity.events.attendance_button", "activity.events.tag_button",
    "activity.events.role_button", "activity.events.invite_field",
    "activity.events.role_edit",
)
# Window actions that change data.
_WINDOW_ACTIONS = (
    "actions_.new_person", "actions_.new_organisation", "actions_.edit", "actions_.archive",
    "actions_.undo", "actions_.redo", "actions_.save_list", "actions_.load_demo",
    "import_action", "duplicates_action",
    "activity.quick_log_action", "activity.log_record_action",
    "privacy_menu.erase", "privacy_menu.retention",
)


def is_read_only(window: Any) -> bool:
    return bool(getattr(window, "read_only", False))


def make_read_only(window: Any) -> None:
    """Disable everything in ``window`` that changes data; say so in title and status bar."""
    window.read_only = True
    for target in _resolve(window, _WINDOW_ACTIONS + _PAGE_WIDGETS):
        pin_disabled(target)
    label = ReadOnlyLabel(window)
    window.read_only_label = label
    window.statusBar().addPermanentWidget(label)
    window.retranslate()  # the title


def pin_disabled(target: QAction | QWidget) -> None:
    """Disable ``target`` and keep it disabled whatever its owner enables later."""
    target.setEnabled(False)
    if isinstance(target, QAction):
        target.changed.connect(lambda: target.isEnabled() and target.setEnabled(False))
    else:
        target.installEventFilter(_KeepDisabled(target))


def pin_buttons(widgets: Iterable[QWidget]) -> None:
    for widget in widgets:
        pin_disabled(widget)


class _KeepDisabled(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.EnabledChange and isinstance(watched, QWidget)
                and watched.isEnabled()):
            watched.setEnabled(False)
        return False


class ReadOnlyLabel(QLabel):
    """The permanent status-bar notice "Schreibgeschützt" with the reason as tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(_("Read-only"))
        self.setToolTip(_("Another Brücke window has this database open: it can be read "
                          "here, but changes are only possible in the other window."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _resolve(window: Any, paths: Iterable[str]) -> list[Any]:
    found = []
    for path in paths:
        target: Any = window
        for name in path.split("."):
            target = getattr(target, name, None)
            if target is None:
                break
        if isinstance(target, QAction | QWidget):
            found.append(target)
    return found
