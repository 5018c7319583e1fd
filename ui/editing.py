"""The editing controller: opens the dialogs, performs archive/restore, and keeps the undo
stack. The main window wires its actions to it and refreshes on ``record_changed``::

    editing = EditController(app, window)
    window.new_person_action.triggered.connect(lambda: editing.new_person())
    window.new_organisation_action.triggered.connect(lambda: editing.new_organisation())
    window.edit_action.triggered.connect(lambda: editing.edit(*window.current_record()))
    window.archive_action.triggered.connect(lambda: editing.archive(*window.current_record()))
    editing.bind_undo_actions(window.undo_action, window.redo_action)
    editing.record_changed.connect(window.on_record_changed)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from crm.errors import BrueckeError, ConflictError
from crm.i18n import _
from crm.messages import error_message
from ui.undo import (
    AddRoleCommand,
    ArchiveCommand,
    CreateCommand,
    EditCommand,
    TakeOverCommand,
    Versions,
)

if TYPE_CHECKING:
    from ui.dialogs.base import Saved
    from ui.dialogs.role_dialog import Suggest

KINDS = ("person", "organisation")


class EditController(QObject):
    """Create, edit, archive/restore, tags and role handovers, each one undoable step.

    Methods return the uid of what they created or changed, or None when nothing
    happened (cancelled, or an error that was shown to the user).
    """

    record_changed = Signal(str, str)  # kind ("person", "organisation"), uid
    UNDO_LIMIT = 100

    def __init__(self, app: Any, parent_widget: QWidget | None = None,
                 suggest_person: Suggest | None = None) -> None:
        super().__init__(parent_widget)
        self._app = app
        self._parent = parent_widget
        self._suggest_person = suggest_person
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(self.UNDO_LIMIT)
        self._failures: list[tuple[BrueckeError, str, str]] = []
        self._versions = Versions()

    # -- records -----------------------------------------------------------------------------

    @property
    def suggest_person(self) -> Suggest:
        """Persons as the user types, for the role dialogs (search; made on first use)."""
        if self._suggest_person is None:
            from ui.dialogs.role_dialog import search_suggestions

            self._suggest_person = search_suggestions(self._app.search)
        return self._suggest_person

    def service(self, kind: str) -> Any:
        if kind == "person":
            return self._app.people
        if kind == "organisation":
            return self._app.organisations
        raise ValueError(kind)

    def new_person(self) -> str | None:
        from ui.dialogs.person_dialog import PersonDialog

        saved = PersonDialog.ask(self._app.people, None, self._parent)
        if saved is None:
            return None
        return self._push_created("person", saved.after)

    def new_organisation(self) -> str | None:
        from ui.dialogs.organisation_dialog import OrganisationDialog

        saved = OrganisationDialog.ask(self._app, None, self._parent)
        if saved is None:
            return None
        return self._push_created("organisation", saved.after)

    def edit(self, kind: str, uid: str) -> str | None:
        """Open the record's dialog; an actual change becomes one undo step."""
        if kind not in KINDS:
            return None
        from ui.dialogs.organisation_dialog import OrganisationDialog
        from ui.dialogs.person_dialog import PersonDialog

        saved: Saved[Any] | None
        try:
            if kind == "person":
                saved = PersonDialog.ask(self._app.people, uid, self._parent)
            else:
                saved = OrganisationDialog.ask(self._app, uid, self._parent)
        except BrueckeError as exc:
            self._warn(exc)
            return None
        return self._push_edit(kind, saved.before, saved.after) if saved else None

    def edit_tags(self, kind: str, uid: str) -> str | None:
        from ui.dialogs.tag_editor import TagDialog

        try:
            saved = TagDialog.ask(self.service(kind), uid, self._parent)
        except BrueckeError as exc:
            self._warn(exc)
            return None
        return self._push_edit(kind, saved.before, saved.after) if saved else None

    def archive(self, kind: str, uid: str) -> str | None:
        return self._set_archived(kind, uid, True)

    def restore(self, kind: str, uid: str) -> str | None:
        return self._set_archived(kind, uid, False)

    # -- roles -------------------------------------------------------------------------------

    def add_role(self, person_uid: str | None = None,
                 organisation_uid: str | None = None) -> str | None:
        """Give a person a role; either side may be preset."""
        from ui.dialogs.role_dialog import AddRoleDialog

        try:
            person = self._preset(self._app.people, person_uid)
            org = self._preset(self._app.organisations, organisation_uid)
            saved = AddRoleDialog.ask(self._app, self.suggest_person, person, org, self._parent)
        except BrueckeError as exc:
            self._warn(exc)
            return None
        if saved is None:
            return None
        row = saved.after
        self.undo_stack.push(AddRoleCommand(self._app.roles, row, self))
        self.changed("person", row.person.uid)
        self.changed("organisation", row.organisation.uid)
        return row.uid

    def take_over_role(self, role_uid: str) -> str | None:
        """Hand the role over to a successor; the new role's uid."""
        from ui.dialogs.role_dialog import TakeOverDialog

        try:
            result = TakeOverDialog.ask(self._app.roles, role_uid, self.suggest_person,
                                        self._parent)
        except BrueckeError as exc:
            self._warn(exc)
            return None
        if result is None:
            return None
        self.undo_stack.push(TakeOverCommand(self._app.roles, result.old, result.new, self))
        self.changed("person", result.old.person.uid)
        self.changed("person", result.new.person.uid)
        self.changed("organisation", result.old.organisation.uid)
        return result.new.uid

    # -- undo and redo -----------------------------------------------------------------------

    def undo(self) -> None:
        self.undo_stack.undo()
        self._report_failures()

    def redo(self) -> None:
        self.undo_stack.redo()
        self._report_failures()

    def bind_undo_actions(self, undo_action: QAction, redo_action: QAction) -> None:
        """Trigger undo/redo from the window's actions and keep their state and text."""
        undo_action.triggered.connect(lambda: self.undo())
        redo_action.triggered.connect(lambda: self.redo())
        stack = self.undo_stack

        def update() -> None:
            if not all(isValid(o) for o in (stack, undo_action, redo_action)):
                return  # the stack empties itself while the window is being destroyed
            undo_action.setEnabled(stack.canUndo())
            redo_action.setEnabled(stack.canRedo())
            undo_action.setText(_("&Undo {step}").format(step=stack.undoText()).strip()
                                if stack.canUndo() else _("&Undo"))
            redo_action.setText(_("&Redo {step}").format(step=stack.redoText()).strip()
                                if stack.canRedo() else _("&Redo"))

        stack.indexChanged.connect(lambda _index: update())
        stack.canUndoChanged.connect(lambda _can: update())
        stack.canRedoChanged.connect(lambda _can: update())
        update()

    # -- Reporter (called by the undo commands) -----------------------------------------------

    def changed(self, kind: str, uid: str) -> None:
        self.record_changed.emit(kind, uid)

    def failed(self, exc: BrueckeError, step: str, name: str) -> None:
        self._failures.append((exc, step, name))
        # Undo triggered elsewhere (a QUndoView): report once the stack is done.
        QTimer.singleShot(0, self._report_failures)

    def _report_failures(self) -> None:
        from ui.dialogs.conflict_dialog import ConflictDialog

        failures, self._failures = self._failures, []
        for exc, step, name in failures:
            if isinstance(exc, ConflictError):
                ConflictDialog.ask(self._parent, exc, name=name, report_only=True)
            else:
                QMessageBox.warning(
                    self._parent, _("Undo not possible"),
                    _("“{step}” cannot be undone: {reason}").format(
                        step=step, reason=error_message(exc)))

    # -- internals ---------------------------------------------------------------------------

    def _push_created(self, kind: str, detail: Any) -> str:
        self.undo_stack.push(CreateCommand(self.service(kind), kind, detail, self,
                                             self._versions))
        self.changed(kind, detail.uid)
        return str(detail.uid)

    def _push_edit(self, kind: str, before: Any, after: Any) -> str | None:
        if before is None:
            return self._push_created(kind, after)
        command = EditCommand(self.service(kind), kind, before, after, self, self._versions)
        if not command.change.is_empty():
            self.undo_stack.push(command)
        self.changed(kind, after.uid)
        return str(after.uid)

    def _set_archived(self, kind: str, uid: str, archived: bool) -> str | None:
        if kind not in KINDS:
            return None
        service = self.service(kind)
        try:
            if service.get(uid).archived == archived:
                return uid  # already so: nothing to do, nothing to undo
            detail = service.archive(uid) if archived else service.restore(uid)
        except BrueckeError as exc:
            self._warn(exc)
            return None
        self.undo_stack.push(ArchiveCommand(service, kind, detail, archived, self,
                                            self._versions))
        self.changed(kind, detail.uid)
        return str(detail.uid)

    @staticmethod
    def _preset(service: Any, uid: str | None) -> tuple[str, str] | None:
        if not uid:
            return None
        detail = service.get(uid)
        return (detail.name, detail.uid)

    def _warn(self, exc: BrueckeError) -> None:
        QMessageBox.warning(self._parent, _("Not possible"), error_message(exc))
