"""Getting contacts in and out: vCard, CSV/XLSX, JSON, iCalendar.

Readers turn a file into :class:`ContactRecord` values plus :class:`ReadIssue` entries for
what could not be read; they never touch the database. :mod:`crm.io.plan` matches records
against the database and :mod:`crm.services.imports` writes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


class UnreadableFileError(Exception):
    """The file cannot be read at all (binary, empty, unknown format)."""

    def __init__(self, code: str, path: str = "", detail: str = "") -> None:
        super().__init__(code, path, detail)
        self.code = code
        self.path = path
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """Something wrong at one place of the file: ``where`` is "line" or "card"."""

    where: str
    number: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        from crm.io.plan import reason_text

        return {self.where: self.number, "reason": reason_text(self.code, self.values),
                "code": self.code}


@dataclass(frozen=True, slots=True)
class Point:
    """A contact value as it came: ``kind`` email/phone/mobile/fax/web/postal."""

    kind: str
    value: str
    label: str = "work"
    preferred: bool = False


@dataclass
class ContactRecord:
    """One contact as a file described it, before any matching or checking."""

    where: str  # "line" or "card"
    number: int
    full_name: str = ""
    given_name: str = ""
    family_name: str = ""
    salutation: str = ""
    organisation: str = ""
    department: str = ""
    title: str = ""
    points: list[Point] = field(default_factory=list)
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    birthday: str = ""
    uid: str = ""
    is_organisation: bool = False  # a card for an organisation itself (no person)
    issues: list[ReadIssue] = field(default_factory=list)

    def display_name(self) -> str:
        if self.full_name.strip():
            return self.full_name.strip()
        joined = " ".join(p for p in (self.given_name, self.family_name) if p.strip())
        return joined.strip()

    def emails(self) -> list[str]:
        return [p.value for p in self.points if p.kind == "email"]

    def issue(self, code: str, **values: Any) -> None:
        self.issues.append(ReadIssue(self.where, self.number, code, values))


@dataclass
class ReadResult:
    """Records and per-place problems of one file, plus what was detected."""

    records: list[ContactRecord]
    issues: list[ReadIssue] = field(default_factory=list)
    format: str = ""
    encoding: str = ""
    delimiter: str = ""
    has_header: bool = False
    mapping_name: str = ""
    columns: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    preview: list[list[str]] = field(default_factory=list)
    payload: Any = None  # the parsed document of formats that are not contact lists (JSON)


class RecordStream:
    """A file's records and issues in file order, read as they are taken. Everything taken
    is kept, so that :meth:`read_all` can still give the whole file (an import that has to
    start over plans it whole)."""

    def __init__(self, items: Iterator[ContactRecord | ReadIssue], *, format: str,
                 encoding: str, expected: int = 0) -> None:
        self._items = items
        self.expected = expected  # how many records the file seems to hold
        self.format = format
        self.encoding = encoding
        self.records: list[ContactRecord] = []
        self.issues: list[ReadIssue] = []

    def take(self, count: int) -> list[ContactRecord]:
        """The next ``count`` records (fewer at the end); issues on the way are kept."""
        taken: list[ContactRecord] = []
        for item in self._items:
            if isinstance(item, ReadIssue):
                self.issues.append(item)
                continue
            taken.append(item)
            if len(taken) == count:
                break
        self.records.extend(taken)
        return taken

    def read_all(self) -> ReadResult:
        """The whole file: the records taken so far and all the rest."""
        while self.take(10_000):
            pass
        return ReadResult(self.records, self.issues, format=self.format,
                          encoding=self.encoding)


FORMATS = ("vcf", "csv", "xlsx", "json")


def detect_format(path: str, head: bytes) -> str:
    """vcf, csv, xlsx or json from the content (the extension only breaks ties)."""
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n\t")
    lower = path.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    text = stripped.replace(b"\x00", b"")[:200].upper()
    if text.startswith(b"BEGIN:VCARD"):
        return "vcf"
    if text.startswith(b"{") and (lower.endswith(".json") or b'"FORMAT"' in text
                                  or b'"BRUECKE' in text):
        return "json"
    if lower.endswith(".vcf") or lower.endswith(".vcard"):
        return "vcf"
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(".xlsx"):
        return "xlsx"
    return "csv"
