"""Checking and normalising user input: names, text, dates, phones, emails.

Every function raises :class:`ValidationError` naming the field and an error code; the
caller (CLI, dialog) turns the code into translated text via :mod:`crm.messages`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from crm.errors import ValidationError

DEFAULT_REGION = "DE"
MAX_NAME = 300
MAX_NOTES = 200_000
# C0/C1 controls except tab and newline; also lone surrogates cannot be stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(field: str, value: str | None, *, limit: int, multiline: bool = False) -> str:
    """Strip, refuse control characters and over-long text; keep any script as written."""
    if value and value.isprintable():  # no line breaks, controls or surrogates: only
        text = value.strip()           # the length and the normal form are left to check
        if len(text) > limit:
            raise ValidationError.single(field, "too_long", limit=limit)
        return text if text.isascii() else unicodedata.normalize("NFC", text)
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if not multiline and "\n" in text.strip():
        raise ValidationError.single(field, "control_chars")
    text = text.strip()
    if _CONTROL.search(text) or _SURROGATE.search(text):
        raise ValidationError.single(field, "control_chars")
    if len(text) > limit:
        raise ValidationError.single(field, "too_long", limit=limit)
    return unicodedata.normalize("NFC", text)


def required_name(field: str, value: str | None, *, limit: int = MAX_NAME) -> str:
    text = clean_text(field, value, limit=limit)
    if not text:
        raise ValidationError.single(field, "required")
    return text


def optional_text(field: str, value: str | None, *, limit: int = MAX_NAME) -> str | None:
    return clean_text(field, value, limit=limit) or None


def notes(field: str, value: str | None) -> str:
    return clean_text(field, value, limit=MAX_NOTES, multiline=True)


# A number already in E.164 form for the default region, without a national prefix: parsing
# it gives back country code 49 and exactly these digits (nothing to strip), so only the
# validity check is left to do (an import checks tens of thousands of stored numbers).
_HOME_E164 = re.compile(r"\+49[1-9][0-9]{1,14}")


def normalise_phone(field: str, value: str) -> str:
    """Validate a phone number and return it in E.164 (default region Germany)."""
    import phonenumbers  # imported on first use: it adds ~25 ms to the window's start-up

    text = clean_text(field, value, limit=50)
    if _HOME_E164.fullmatch(text) and _valid_home_number(text[3:]):
        return text  # what parse + format would give (invalid ones take the full path)
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError.single(field, "invalid_phone", value=text) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError.single(field, "invalid_phone", value=text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _valid_home_number(national: str) -> bool:
    """``phonenumbers.is_valid_number`` of +49 and these digits (no leading 0): the same
    checks of the same metadata – the general pattern, then any number type's – asked in a
    cheaper order (fixed line and mobile first, where it stops for most numbers)."""
    general, types = _home_number_checks()
    return (general is not None and _matches(general, national)
            and any(_matches(check, national) for check in types))


_Check = tuple[frozenset[int], "re.Pattern[str]"]


@lru_cache(maxsize=1)
def _home_number_checks() -> tuple[_Check | None, tuple[_Check, ...]]:
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region(DEFAULT_REGION)

    def check(desc: Any) -> _Check | None:
        if desc is None or not desc.national_number_pattern:
            return None  # (phonenumbers: such a description matches nothing)
        return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)

    types = (meta.fixed_line, meta.mobile, meta.premium_rate, meta.toll_free,
             meta.shared_cost, meta.voip, meta.personal_number, meta.pager, meta.uan,
             meta.voicemail)
    return check(meta.general_desc), tuple(c for d in types if (c := check(d)) is not None)


def _matches(check: _Check, national: str) -> bool:
    lengths, pattern = check
    if lengths and len(national) not in lengths:
        return False
    return pattern.fullmatch(national) is not None


@lru_cache(maxsize=8192)
def display_phone(e164: str) -> str:
    """A stored E.164 number as people read it: national for German, else international."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# A plain address: an ASCII dot-atom before the @ (which email_validator accepts and keeps
# as it is) and an ASCII host name after it (checked by email_validator once per domain).
_ATEXT = r"[a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~]+"
_PLAIN_EMAIL = re.compile(rf"({_ATEXT}(?:\.{_ATEXT})*)@([A-Za-z0-9.\-]+)")
_MAX_EMAIL = 254
# RFC 2142 mailboxes email_validator lower-cases: these take the full path.
_MAILBOX_NAMES = frozenset((
    "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster",
    "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp"))


@lru_cache(maxsize=4096)
def _email_domain(domain: str) -> tuple[str, str] | None:
    """email_validator's normalised (domain, ASCII domain) of a domain, None if refused."""
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email("a@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(result.domain), str(result.ascii_domain)


def _plain_email(text: str) -> str | None:
    """``validate_email(text).normalized`` for a plain address, with the domain checked once
    per domain (domains repeat, addresses do not); None where the full check must decide."""
    match = _PLAIN_EMAIL.fullmatch(text)
    if match is None or match[1].lower() in _MAILBOX_NAMES:
        return None
    domain = _email_domain(match[2])
    if domain is None:
        return None
    local = match[1]
    forms = (text, f"{local}@{domain[0]}", f"{local}@{domain[1]}")
    if any(len(form.encode("utf-8")) > _MAX_EMAIL for form in forms):
        return None
    return forms[1]


def normalise_email(field: str, value: str) -> str:
    text = clean_text(field, value, limit=254)
    plain = _plain_email(text)
    if plain is not None:
        return plain
    from email_validator import EmailNotValidError, validate_email  # ~50 ms, on first use

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError.single(field, "invalid_email", value=text) from exc
    return str(result.normalized)


def parse_date(field: str, value: str | date | None) -> date | None:
    """ISO (2026-03-01) or German (01.03.2026) dates; an impossible date is an error."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError.single(field, "invalid_date", value=text)


def parse_datetime(field: str, value: str | datetime | None) -> datetime | None:
    """ISO date-times (2026-03-01T14:30, with or without zone) or dates; local time if naive."""
    if value is None or isinstance(value, datetime):
        return value
    text = value.strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).astimezone()
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError.single(field, "invalid_date", value=text) from exc
    return parsed if parsed.tzinfo else parsed.astimezone()


def parse_postal(field: str, value: str) -> str:
    """A postal address "STREET, ZIP CITY" (more lines separated by commas are kept)."""
    text = clean_text(field, value, limit=500, multiline=True)
    if not text:
        raise ValidationError.single(field, "required")
    return text


def collect(*checks: Callable[[], Any]) -> list[Any]:
    """Run every check; raise one ValidationError with all their field errors, if any."""
    results: list[Any] = []
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for check in checks:
        try:
            results.append(check())
        except ValidationError as exc:
            errors.update(exc.errors)
            results.append(None)
    if errors:
        raise ValidationError(errors)
    return results
