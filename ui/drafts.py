"""Drafts of the quick log: what was typed survives an accidental close or a crash.

The dialog hands its state (plain JSON data) to a :class:`DraftWriter` on every change;
the writer waits until the typing pauses and then replaces the draft file atomically
(write a temporary file, fsync, rename), so a crash mid-write never leaves half a draft.
The draft is deleted when the entry is saved or the user discards it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from crm.paths import user_data_dir

DRAFT_VERSION = 1
DEBOUNCE_MS = 400


def drafts_dir() -> Path:
    return user_data_dir() / "drafts"


def quick_log_path() -> Path:
    return drafts_dir() / "quick_log.json"


class DraftStore:
    """One draft file: read, replace atomically, delete."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or quick_log_path()

    def load(self) -> dict[str, Any] | None:
        """The saved draft, or None if there is none or it cannot be read."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or raw.get("version") != DRAFT_VERSION:
            return None
        data = raw.get("data")
        return data if isinstance(data, dict) else None

    def save(self, data: dict[str, Any]) -> None:
        """Replace the draft; the file is private to the user (it holds personal data)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": DRAFT_VERSION, "data": data}, ensure_ascii=False,
                          indent=1)
        handle, name = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(name, 0o600)
            os.replace(name, self.path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)

    def exists(self) -> bool:
        return self.path.exists()


class DraftWriter(QObject):
    """Writes ``state()`` to the store shortly after the last change.

    ``state`` returns the draft data, or None when the form holds nothing worth keeping
    (then the draft file is removed). Write errors go to ``on_error`` and never stop typing.
    """

    def __init__(self, store: DraftStore, state: Callable[[], dict[str, Any] | None],
                 on_error: Callable[[OSError], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._state = state
        self._on_error = on_error
        self._enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

    def schedule(self) -> None:
        if self._enabled:
            self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Write now (the dialog closes, or the timer fired)."""
        self._timer.stop()
        if not self._enabled:
            return
        try:
            data = self._state()
            if data is None:
                self.store.delete()
            else:
                self.store.save(data)
        except OSError as exc:
            if self._on_error is not None:
                self._on_error(exc)

    def discard(self) -> None:
        """Delete the draft and write no more (saved, or discarded by the user)."""
        self._timer.stop()
        self._enabled = False
        try:
            self.store.delete()
        except OSError as exc:
            if self._on_error is not None:
                self._on_error(exc)

    def resume(self) -> None:
        self._enabled = True
