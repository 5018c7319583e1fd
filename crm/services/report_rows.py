"""The results of the printable reports.

Free of SQLAlchemy, so that ui/ can read them (the import-linter contract forbids ui/ from
importing anything that imports SQLAlchemy); crm.services.reports re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReportResult:
    path: str
    pages: int


@dataclass(frozen=True, slots=True)
class SkippedRecipient:
    uid: str
    name: str


@dataclass(frozen=True, slots=True)
class LabelResult:
    path: str
    pages: int
    printed: int
    # Persons with neither an own postal address nor one of a current organisation.
    skipped: tuple[SkippedRecipient, ...]
    # Persons left out because they withdrew consent to mailings.
    withheld: int = 0
