"""The schema revision the migration scripts declare, read as text: no SQLAlchemy, no
Alembic (importing Alembic costs ~0.1 s; the window's first page is read without either,
see :mod:`crm.first_page`)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_ASSIGNMENT = r"""^{name}\s*(?::[^=]+)?=\s*(?:["']([^"']+)["']|None)\s*$"""


@lru_cache(maxsize=1)
def declared_head() -> str | None:
    """The newest revision as the migration scripts declare it, read as text (no imports);
    None when the scripts do not form one plain line (Alembic then decides)."""
    revisions: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        found = re.search(_ASSIGNMENT.format(name="revision"), text, re.MULTILINE)
        down = re.search(_ASSIGNMENT.format(name="down_revision"), text, re.MULTILINE)
        if found is None and down is None:
            continue  # not a migration script (__init__.py)
        if found is None or down is None:
            return None
        revisions[found.group(1)] = down.group(1)
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else None
