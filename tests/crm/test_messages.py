"""Every error code and exception reads as one translated line (crm.messages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm.errors import (
    AmbiguousError,
    BrueckeError,
    ConflictError,
    DatabaseError,
    NotFoundError,
    ValidationError,
)
from crm.i18n import set_language
from crm.messages import (
    FIELD_LABELS,
    error_message,
    field_errors,
    field_label,
    field_message,
    known_codes,
    value_label,
)

CRM = Path(__file__).resolve().parents[2] / "crm"
DATABASE_CODES = ("cannot_create", "not_a_file", "unreadable", "not_sqlite", "read_only",
                  "damaged", "not_bruecke", "too_new", "locked", "operational")


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def _codes_raised_in_crm() -> set[str]:
    """Every error code a module under crm/ raises, found in the source."""
    codes: set[str] = set()
    for path in CRM.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        single = r'ValidationError\.single\(\s*[^,()]+,\s*"([a-z_]+)"'
        codes.update(re.findall(single, text, re.S))
        codes.update(re.findall(r'\(\s*"([a-z][a-z_]*)",\s*\{', text))
    return codes


def test_every_code_raised_in_crm_has_its_own_message() -> None:
    codes = _codes_raised_in_crm()
    assert {"required", "invalid_email", "invalid_date", "control_chars"} <= codes
    generic = sorted(codes - known_codes())
    assert generic == [], f"codes without a message in crm/messages.py: {generic}"


def test_field_message_names_field_and_value() -> None:
    text = field_message("email", "invalid_email", {"value": "anna@"})
    assert text == 'E-mail: "anna@" is not a valid email address.'
    assert field_message("since", "invalid_date", {"value": "31.02.2026"}).startswith(
        'Since: "31.02.2026" is not a valid date')
    assert "300" in field_message("full_name", "too_long", {"limit": 300})


def test_indexed_fields_are_labelled_like_their_kind() -> None:
    assert field_label("email[2]") == field_label("email") == "E-mail"
    assert field_message("phone[1]", "invalid_phone", {"value": "12"}).startswith("Phone:")


def test_unknown_code_field_or_missing_value_still_gives_a_sentence() -> None:
    assert field_message("colour", "too_pink", {}) == "colour: the value is not valid (too_pink)."
    assert "invalid_email" in field_message("email", "invalid_email", {})  # no {value}


def test_control_characters_in_values_are_shown_escaped_on_one_line() -> None:
    text = field_message("email", "invalid_email", {"value": "a\nb\x07"})
    assert "\n" not in text and "\x07" not in text
    assert "a\\nb\\x07" in text


def test_validation_error_with_several_fields_is_one_line() -> None:
    exc = ValidationError({"full_name": ("required", {}),
                           "email[1]": ("invalid_email", {"value": "x"})})
    text = error_message(exc)
    assert "\n" not in text
    assert text.startswith("Name: a value is required.")
    assert 'E-mail: "x"' in text
    assert field_errors(exc) == {"full_name": "Name: a value is required.",
                                 "email[1]": 'E-mail: "x" is not a valid email address.'}


def test_not_found_and_ambiguous_name_the_reference_and_candidates() -> None:
    assert error_message(NotFoundError("person", "Anna")) == 'No person found for "Anna".'
    assert "interaction" in error_message(NotFoundError("interaction", "x"))
    assert "gadget" in error_message(NotFoundError("gadget", "x"))
    text = error_message(AmbiguousError("person", "Anna", ["Anna A (1)", "Anna B (2)"]))
    assert text == '"Anna" matches several persons: Anna A (1); Anna B (2)'
    assert "Gera (16052)" in error_message(
        AmbiguousError("municipality", "Ge", ["Gera (16052)", "Gehlberg (16)"]))


@pytest.mark.parametrize("code", DATABASE_CODES)
def test_every_database_error_names_the_file(code: str) -> None:
    text = error_message(DatabaseError(code, "/data/b.db", "disk I/O error\nmore"))
    assert "/data/b.db" in text
    assert "\n" not in text


def test_too_new_and_foreign_files_say_they_were_left_unchanged() -> None:
    assert "newer version" in error_message(DatabaseError("too_new", "x.db", "9999"))
    assert "unchanged" in error_message(DatabaseError("not_sqlite", "x.db"))


def test_conflict_and_other_errors() -> None:
    assert "someone else" in error_message(ConflictError("person", "u", {}, {}))
    assert error_message(BrueckeError("boom")).endswith("boom")
    assert error_message(RuntimeError("oops")).startswith("Unexpected error: RuntimeError")
    text = error_message(PermissionError(13, "Permission denied", "/out/report.pdf"))
    assert text == "The file /out/report.pdf cannot be used: Permission denied"


def test_value_labels() -> None:
    assert value_label("organisation_kind", "council") == "advisory council"
    assert value_label("salutation", "frau") == "Ms"
    assert value_label("contact_kind", "nonsense") == "nonsense"


def test_messages_follow_the_current_language() -> None:
    exc = ValidationError.single("email", "invalid_email", value="x")
    english = error_message(exc)
    set_language("de")
    german = error_message(exc)
    assert english == 'E-mail: "x" is not a valid email address.'
    assert german  # the German catalog decides the wording
    from crm.i18n import _

    if _("Name") != "Name" or _("Persons") != "Persons":  # a German catalog is installed
        assert german != english


def test_every_field_label_is_a_source_string() -> None:
    for key, source in FIELD_LABELS.items():
        assert source and source[0].isupper(), key
