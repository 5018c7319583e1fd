"""Editing dialogs: persons, organisations, roles, tags, and version conflicts.

Each dialog saves through a service and stays open on an error with all input; its
``ask(...)`` classmethod wraps ``exec()`` and returns what was saved, or None.
"""

from ui.dialogs.base import EditDialog, Saved
from ui.dialogs.conflict_dialog import ConflictChoice, ConflictDialog
from ui.dialogs.contact_points_editor import ContactPointsEditor
from ui.dialogs.organisation_dialog import OrganisationDialog
from ui.dialogs.person_dialog import PersonDialog
from ui.dialogs.role_dialog import AddRoleDialog, TakeOver, TakeOverDialog
from ui.dialogs.tag_editor import TagDialog, TagEditor

__all__ = [
    "AddRoleDialog",
    "ConflictChoice",
    "ConflictDialog",
    "ContactPointsEditor",
    "EditDialog",
    "OrganisationDialog",
    "PersonDialog",
    "Saved",
    "TagDialog",
    "TagEditor",
    "TakeOver",
    "TakeOverDialog",
]
