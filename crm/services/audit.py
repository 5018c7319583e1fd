"""The audit trail: every insert, update and delete of a record, written in its transaction.

A ``before_flush`` hook on the session factory records what changed (field, old, new), and
who did it (``session.info["staff_id"]``). Because it runs inside the same flush, the audit
entry lands or rolls back together with the change.
"""

from __future__ import annotations

import json
import weakref
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from crm.domain import AuditEntry
from crm.domain.base import RecordMixin

_SKIPPED = {"id", "uid", "created_at", "updated_at", "version", "sort_key"}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _changes(obj: Any, *, new: bool, deleted: bool) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIPPED:
            continue
        history = state.attrs[key].history
        if new:
            value = getattr(obj, key)
            if value not in (None, "", False):
                changes[key] = [None, _plain(value)]
        elif deleted:
            changes[key] = [_plain(getattr(obj, key)), None]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            now = history.added[0] if history.added else None
            if _plain(old) != _plain(now):
                changes[key] = [_plain(old), _plain(now)]
    return changes


def record(session: Session, obj: Any, action: str, changes: dict[str, list[Any]]) -> None:
    session.add(
        AuditEntry(
            staff_id=session.info.get("staff_id"),
            record_type=type(obj).__tablename__,
            record_uid=obj.uid,
            action=action,
            changes=json.dumps(changes, ensure_ascii=False),
        )
    )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("audit_disabled"):
        return
    for obj in list(session.new):
        if isinstance(obj, RecordMixin):
            if obj.uid is None:
                from crm.domain.base import new_uid

                obj.uid = new_uid()
            record(session, obj, "create", _changes(obj, new=True, deleted=False))
    for obj in list(session.dirty):
        if isinstance(obj, RecordMixin) and session.is_modified(obj, include_collections=False):
            changes = _changes(obj, new=False, deleted=False)
            if changes:
                action = session.info.pop(("action", id(obj)), "update")
                record(session, obj, action, changes)
    for obj in list(session.deleted):
        if isinstance(obj, RecordMixin):
            record(session, obj, "delete", _changes(obj, new=False, deleted=True))


# The session factories the audit is installed on. Not ``event.contains``: SQLAlchemy keeps
# that record by ``id()`` of the factory and never forgets it, so a new factory placed at a
# freed one's address would look audited already and write no audit entries at all.
_audited: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


def install_audit(sessions: sessionmaker[Session]) -> None:
    """Record every change made through sessions from ``sessions`` (idempotent)."""
    if sessions in _audited:
        return
    event.listen(sessions, "before_flush", _before_flush)
    _audited.add(sessions)


def mark_action(session: Session, obj: Any, action: str) -> None:
    """Name the next update of ``obj`` in the audit trail (archive, restore, merge …)."""
    session.info[("action", id(obj))] = action
