"""The exceptions that services raise; callers turn them into translated text."""

from __future__ import annotations

from typing import Any

FieldErrors = dict[str, tuple[str, dict[str, Any]]]


class BrueckeError(Exception):
    """Base of every error meant for the user (CLI exit 1, a message box in the UI)."""


class ValidationError(BrueckeError):
    """Invalid input: per field, an error code and the values its message needs."""

    def __init__(self, errors: FieldErrors) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def single(cls, field: str, code: str, **values: Any) -> ValidationError:
        return cls({field: (code, values)})


class NotFoundError(BrueckeError):
    def __init__(self, kind: str, ref: str) -> None:
        super().__init__(kind, ref)
        self.kind = kind
        self.ref = ref


class AmbiguousError(BrueckeError):
    def __init__(self, kind: str, ref: str, candidates: list[str]) -> None:
        super().__init__(kind, ref, candidates)
        self.kind = kind
        self.ref = ref
        self.candidates = candidates


class ConflictError(BrueckeError):
    """The record changed since the caller read it (optimistic locking)."""

    def __init__(self, kind: str, uid: str, mine: dict[str, Any], theirs: dict[str, Any],
                 version: int | None = None) -> None:
        super().__init__(kind, uid)
        self.kind = kind
        self.uid = uid
        self.mine = mine
        self.theirs = theirs
        self.version = version  # the record's current version, to overwrite knowingly


# DatabaseError("not_sqlite", path, ENCRYPTED_HINT): the file has no SQLite header and
# SQLCipher is installed, so it may be an encrypted database that needs its passphrase.
ENCRYPTED_HINT = "maybe_encrypted"


class DatabaseError(BrueckeError):
    """The database cannot be used: not Brücke's, too new, damaged, read-only …"""

    def __init__(self, code: str, path: str, detail: str = "") -> None:
        super().__init__(code, path, detail)
        self.code = code
        self.path = path
        self.detail = detail
