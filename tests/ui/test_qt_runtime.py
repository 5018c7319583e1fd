"""Guards against Qt bindings that corrupt the interpreter (PySide6 6.12.0 on Python 3.11)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF


def test_void_qt_calls_keep_none_alive() -> None:
    point = QPointF()
    before = sys.getrefcount(None)
    for _ in range(5000):
        point.setX(1.0)
    # A leaking binding loses one reference per call; Python 3.11 then aborts.
    assert sys.getrefcount(None) >= before - 50
