"""Run service calls off the GUI thread; results come back by signal, on the GUI thread.

Workers never touch widgets: ``fn`` calls services only, and the slots connected to
``done``/``failed`` run on the GUI thread because the signal object was created there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(Exception)
    finished = Signal()


class Task(QRunnable):
    """One call of ``fn`` on a pool thread."""

    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__()
        self.signals = _Signals()  # created on the GUI thread, so slots run there
        self._fn = fn
        self.setAutoDelete(False)  # Python keeps it alive (see TaskRunner._running)

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread as it is
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)
        finally:
            self.signals.finished.emit()


class TaskRunner(QObject):
    """Starts tasks on a thread pool and keeps them alive until their signals arrived."""

    # Tasks asked for while start-up holds the workers back (see hold()); None: not held.
    _held: list[tuple[QThreadPool, Task]] | None = None

    @classmethod
    def hold(cls) -> None:
        """Queue new tasks instead of starting them, until :meth:`release`.

        At start-up, workers loading the other sections would take turns with the GUI
        thread (Python runs one thread at a time) before the window has painted its list.
        """
        if cls._held is None:
            cls._held = []

    @classmethod
    def release(cls) -> None:
        """Start the queued tasks (idempotent)."""
        held, cls._held = cls._held or [], None
        for pool, task in held:
            pool.start(task)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[Task] = set()

    def start(self, fn: Callable[[], object], on_done: Callable[[Any], None],
              on_failed: Callable[[Exception], None] | None = None) -> Task:
        """Run ``fn`` on the pool; call ``on_done(result)`` or ``on_failed(exc)`` here."""
        task = Task(fn)
        task.signals.done.connect(on_done)
        if on_failed is not None:
            task.signals.failed.connect(on_failed)
        task.signals.finished.connect(lambda: self._running.discard(task))
        self._running.add(task)
        if TaskRunner._held is not None:
            TaskRunner._held.append((self._pool, task))
        else:
            self._pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for the running tasks (at shutdown, before the database closes)."""
        TaskRunner.release()  # a task still held back would never run
        return self._pool.waitForDone(msecs)


def guarded(owner: QObject, slot: Callable[..., None]) -> Callable[..., None]:
    """``slot``, skipped once ``owner`` is destroyed: a worker's answer can arrive after
    its dialog was closed."""
    def call(*args: Any) -> None:
        if shiboken6.isValid(owner):
            slot(*args)
    return call
