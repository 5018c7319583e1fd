"""``check``: is the database intact? The file, its references, and the search index.

Three checks, each reported in plain translated words (:func:`report_lines`):

- ``PRAGMA integrity_check``: the file itself (pages, indexes);
- ``PRAGMA foreign_key_check``: every reference points at an existing record;
- :func:`crm.search.index.check`: the search index says what the tables say.

The file checks read through a read-only connection, so a damaged file is reported, never
changed. Only ``rebuild_index=True`` writes: it rebuilds the search index from the tables.
An encrypted database (SQLCipher) is checked through SQLCipher with its ``passphrase``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crm.errors import ENCRYPTED_HINT, DatabaseError
from crm.i18n import _, ngettext
from crm.persistence import sqlite_files
from crm.search import index

MAX_DETAILS = 20


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # "damaged", "unreadable", "foreign_key", "search_index"
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    path: str
    findings: tuple[Finding, ...]
    index_rebuilt: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings


def check_file(path: str | os.PathLike[str], passphrase: str | None = None) -> list[Finding]:
    """``integrity_check`` and ``foreign_key_check`` on the file, read-only; a file without
    SQLite's header is read as encrypted with ``passphrase``.

    Raises:
        DatabaseError: ``not_sqlite`` (with ``ENCRYPTED_HINT`` when SQLCipher is there) for
            such a file without a passphrase, ``wrong_passphrase`` when it does not open it.
    """
    file = Path(path)
    key = sqlite_files.key_for(file, passphrase)
    if key is None and not sqlite_files.looks_plain(file) and _has_content(file):
        hint = ENCRYPTED_HINT if sqlite_files.encryption_available() else ""
        raise DatabaseError("not_sqlite", str(file), hint)
    try:
        conn = sqlite_files.connect_file(file, key, read_only=True)
    except sqlite_files.driver_errors() as exc:
        return [Finding(code="unreadable", values={"detail": str(exc)})]
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            return [Finding(code="damaged", values={"detail": line})
                    for line in problems[:MAX_DETAILS]]
        return [Finding(code="foreign_key",
                        values={"table": table, "rowid": rowid, "parent": parent})
                for table, rowid, parent, _fk in
                conn.execute("PRAGMA foreign_key_check").fetchall()[:MAX_DETAILS]]
    except sqlite_files.driver_errors() as exc:
        if key is not None and sqlite_files.is_wrong_key(exc):
            raise DatabaseError("wrong_passphrase", str(file)) from exc
        return [Finding(code="damaged", values={"detail": str(exc)})]
    finally:
        conn.close()


def _has_content(file: Path) -> bool:
    try:
        return file.stat().st_size > 0
    except OSError:
        return False


def check_index(sessions: sessionmaker[Session], rebuild: bool = False
                ) -> tuple[list[Finding], bool]:
    """Differences between the search index and the tables; rebuilt if asked and needed."""
    with sessions.begin() as session:
        session.info["audit_disabled"] = True
        problems = index.check(session)
        if not problems or not rebuild:
            return _index_findings(problems), False
        index.rebuild(session)
    with sessions.begin() as session:
        return _index_findings(index.check(session)), True


def _index_findings(problems: list[str]) -> list[Finding]:
    if not problems:
        return []
    return [Finding(code="search_index",
                    values={"n": len(problems), "details": problems[:MAX_DETAILS]})]


def check(path: str | os.PathLike[str], sessions: sessionmaker[Session] | None = None,
          rebuild_index: bool = False, passphrase: str | None = None) -> IntegrityReport:
    """The whole check; the search index only when the file is intact and ``sessions``
    (of an opened database) are given. ``passphrase``: of an encrypted database."""
    findings = check_file(path, passphrase)
    rebuilt = False
    if sessions is not None and not any(f.code in ("damaged", "unreadable") for f in findings):
        index_findings, rebuilt = check_index(sessions, rebuild_index)
        findings += index_findings
    return IntegrityReport(str(path), tuple(findings), rebuilt)


def finding_text(finding: Finding) -> str:
    v = finding.values
    if finding.code == "damaged":
        return _("The database file is damaged: {detail}").format(detail=v.get("detail", ""))
    if finding.code == "unreadable":
        return _("The database file cannot be read: {detail}").format(
            detail=v.get("detail", ""))
    if finding.code == "foreign_key":
        return _("An entry in the table {table} (row {rowid}) refers to a missing entry in "
                 "{parent}.").format(**v)
    if finding.code == "search_index":
        return ngettext(
            "The search index differs from the data in {n} place; rebuild it "
            "(check --rebuild-index, or in the window: Privacy › Check database).",
            "The search index differs from the data in {n} places; rebuild it "
            "(check --rebuild-index, or in the window: Privacy › Check database).",
            v["n"]).format(n=v["n"])
    return finding.code


def report_lines(report: IntegrityReport) -> list[str]:
    lines = []
    if report.index_rebuilt:
        lines.append(_("The search index was rebuilt."))
    if report.ok:
        lines.append(_("The database is in order: the file is intact, every reference is "
                       "valid and the search index matches the data."))
    else:
        lines += [finding_text(f) for f in report.findings]
    return lines
