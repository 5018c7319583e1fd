"""Undo and redo of edits, archive/restore, tags and role handovers, always through the
services, so every undo is itself a change in the audit trail.

An action is done first (by a dialog or the controller) and then pushed, already done:
the first ``redo()`` that ``QUndoStack.push`` calls does nothing. Undoing an edit writes
the old values back with ``expected_version`` = the version after the edit; if someone
changed the record since, the service raises ConflictError, the step is dropped from the
stack (it can no longer be undone) and the conflict is reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from crm.errors import BrueckeError
from crm.i18n import _
from crm.services.rows import ContactInput, OrganisationDetail, PersonDetail, RoleRow

Detail = PersonDetail | OrganisationDetail


class Reporter(Protocol):
    """Who hears about the effects of undo and redo (the EditController)."""

    def changed(self, kind: str, uid: str) -> None: ...

    def failed(self, exc: BrueckeError, step: str, name: str) -> None: ...


class Versions:
    """The version of each record as the undo stack last wrote or saw it.

    Consecutive steps on one record chain through it: undoing step 2 moves the record to a
    new version, and undoing step 1 then expects exactly that one. Any other version means
    someone else changed the record, which the service reports as a conflict.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], int] = {}

    def get(self, kind: str, uid: str, fallback: int) -> int:
        return self._known.get((kind, uid), fallback)

    def set(self, kind: str, uid: str, version: int) -> None:
        self._known[(kind, uid)] = version


# -- snapshots of a record, in the form the services' save() takes ----------------------------

def record_fields(kind: str, detail: Any) -> dict[str, Any]:
    """The editable fields of a detail row, as ``save()`` takes them back."""
    if kind == "person":
        return {"full_name": detail.name, "given_name": detail.given_name or "",
                "family_name": detail.family_name or "",
                "transliteration": detail.transliteration or "",
                "salutation": detail.salutation, "languages": detail.languages,
                "notes": detail.notes}
    return {"name": detail.name, "short_name": detail.short_name or "", "kind": detail.kind,
            "notes": detail.notes, "member_since": detail.member_since,
            "member_until": detail.member_until,
            "municipality": detail.municipality.uid if detail.municipality else "",
            "parent": detail.parent.uid if detail.parent else ""}


def contact_inputs(detail: Any) -> list[ContactInput]:
    return [ContactInput(kind=p.kind, value=p.value, label=p.label, preferred=p.preferred,
                         verified_on=p.verified_on) for p in detail.contact_points]


def _points_key(points: list[ContactInput]) -> list[tuple[Any, ...]]:
    return sorted((p.kind, p.value, p.label, p.preferred, str(p.verified_on)) for p in points)


class Change:
    """The parts of a record that differ between two snapshots (before → after)."""

    def __init__(self, kind: str, before: Any, after: Any) -> None:
        old, new = record_fields(kind, before), record_fields(kind, after)
        keys = [k for k in new if old[k] != new[k]]
        self.fields_before = {k: old[k] for k in keys}
        self.fields_after = {k: new[k] for k in keys}
        old_points, new_points = contact_inputs(before), contact_inputs(after)
        same_points = _points_key(old_points) == _points_key(new_points)
        self.points_before = None if same_points else old_points
        self.points_after = None if same_points else new_points
        same_tags = sorted(before.tags) == sorted(after.tags)
        self.tags_before = None if same_tags else list(before.tags)
        self.tags_after = None if same_tags else list(after.tags)

    def is_empty(self) -> bool:
        return not self.fields_after and self.points_after is None and self.tags_after is None

    def only_tags(self) -> bool:
        return not self.fields_after and self.points_after is None


# -- commands -----------------------------------------------------------------------------------

class ServiceCommand(QUndoCommand):
    """Base: runs undo/redo through a service; a failure drops the step and is reported."""

    def __init__(self, text: str, reporter: Reporter, name: str, *, done: bool = True) -> None:
        super().__init__(text)
        self._reporter = reporter
        self._name = name
        self._skip_redo = done

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def _run(self, step: Callable[[], None]) -> None:
        try:
            step()
        except BrueckeError as exc:
            # Qt removes an obsolete command from the stack after this undo/redo.
            self.setObsolete(True)
            self._reporter.failed(exc, self.text(), self._name)


class EditCommand(ServiceCommand):
    """Fields, contact points and tags of a person or organisation changed by a dialog."""

    def __init__(self, service: Any, kind: str, before: Detail, after: Detail,
                 reporter: Reporter, versions: Versions) -> None:
        self.change = Change(kind, before, after)
        if self.change.only_tags():
            text = _("Change tags of {name}").format(name=after.name)
        else:
            text = _("Edit {name}").format(name=after.name)
        super().__init__(text, reporter, after.name)
        self._service = service
        self._kind = kind
        self._uid = after.uid
        self._versions = versions
        self._version = after.version
        versions.set(kind, after.uid, after.version)

    def revert(self) -> None:
        c = self.change
        self._save(c.fields_before, c.points_before, c.tags_before)

    def apply(self) -> None:
        c = self.change
        self._save(c.fields_after, c.points_after, c.tags_after)

    def _save(self, fields: dict[str, Any], points: list[ContactInput] | None,
              tags: list[str] | None) -> None:
        expected = self._versions.get(self._kind, self._uid, self._version)
        detail = self._service.save(self._uid, fields, points, tags,
                                    expected_version=expected)
        self._version = detail.version
        self._versions.set(self._kind, self._uid, detail.version)
        self._reporter.changed(self._kind, self._uid)


class CreateCommand(ServiceCommand):
    """A new record: undo archives it (nothing is deleted), redo restores it."""

    def __init__(self, service: Any, kind: str, detail: Detail, reporter: Reporter,
                 versions: Versions) -> None:
        super().__init__(_("Create {name}").format(name=detail.name), reporter, detail.name)
        self._service = service
        self._kind = kind
        self._uid = detail.uid
        self._versions = versions
        versions.set(kind, detail.uid, detail.version)

    def revert(self) -> None:
        self._seen(self._service.archive(self._uid))

    def apply(self) -> None:
        self._seen(self._service.restore(self._uid))

    def _seen(self, detail: Detail) -> None:
        self._versions.set(self._kind, self._uid, detail.version)
        self._reporter.changed(self._kind, self._uid)


class ArchiveCommand(ServiceCommand):
    """Archive (``archived=True``) or restore a record; undo does the opposite."""

    def __init__(self, service: Any, kind: str, detail: Detail, archived: bool,
                 reporter: Reporter, versions: Versions) -> None:
        text = (_("Archive {name}") if archived else _("Restore {name}")).format(
            name=detail.name)
        super().__init__(text, reporter, detail.name)
        self._service = service
        self._kind = kind
        self._uid = detail.uid
        self._archived = archived
        self._versions = versions
        versions.set(kind, detail.uid, detail.version)

    def _set(self, archived: bool) -> None:
        service = self._service
        detail = service.archive(self._uid) if archived else service.restore(self._uid)
        self._versions.set(self._kind, self._uid, detail.version)
        self._reporter.changed(self._kind, self._uid)

    def apply(self) -> None:
        self._set(self._archived)

    def revert(self) -> None:
        self._set(not self._archived)


class TakeOverCommand(ServiceCommand):
    """A handover: undo removes the successor's role and reopens the old one."""

    def __init__(self, roles: Any, old: RoleRow, new: RoleRow, reporter: Reporter) -> None:
        text = _("Hand over {title} to {name}").format(title=old.title, name=new.person.name)
        super().__init__(text, reporter, f"{old.title} – {old.organisation.name}")
        self._roles = roles
        self._old = old
        self._new = new

    def revert(self) -> None:
        self._roles.undo_take_over(self._new.uid, self._old.uid, self._old.until)
        self._notify()

    def apply(self) -> None:
        on: date | None = self._new.since
        self._new = self._roles.take_over(self._old.uid, self._new.person.uid, on)
        self._notify()

    def _notify(self) -> None:
        self._reporter.changed("person", self._old.person.uid)
        self._reporter.changed("person", self._new.person.uid)
        self._reporter.changed("organisation", self._old.organisation.uid)


class AddRoleCommand(ServiceCommand):
    """A role added by mistake: undo deletes it (audited) unless it changed since."""

    def __init__(self, roles: Any, row: RoleRow, reporter: Reporter) -> None:
        text = _("Add role {title} for {name}").format(title=row.title, name=row.person.name)
        super().__init__(text, reporter, f"{row.title} – {row.organisation.name}")
        self._roles = roles
        self._row = row

    def revert(self) -> None:
        self._roles.remove(self._row.uid, expected=self._row)
        self._notify()

    def apply(self) -> None:
        row = self._row
        self._row = self._roles.add(row.person.uid, row.organisation.uid, row.title, row.since)
        self._notify()

    def _notify(self) -> None:
        self._reporter.changed("person", self._row.person.uid)
        self._reporter.changed("organisation", self._row.organisation.uid)
