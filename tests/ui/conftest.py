"""Every window test starts and ends in German, with Qt's own German texts (Strg+N), as
the window does by default: a test that switches to English cannot leak it into the next."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ui.app import set_application_language


@pytest.fixture(autouse=True)
def _german(qapp: Any) -> Iterator[None]:
    set_application_language("de")  # (also German dates: 01.03.2023)
    yield
    set_application_language("de")
