"""The import's cost per card: SQL statements that do not grow with the cards (no N+1), and
the shortcuts it takes giving exactly what the full checks give (bench: issue 9)."""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

import phonenumbers
import pytest
from anyascii import anyascii
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from crm import validation
from crm.errors import ValidationError
from crm.io import Point
from crm.io.vcard import CardData, write_vcards
from crm.search import normalize

ORGS = 5


def _cards(count: int, offset: int = 0) -> str:
    cards = []
    for i in range(offset, offset + count):
        cards.append(CardData(
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bruecke-test-{i}")),
            full_name=f"Jana Nguyễn{i}", given_name="Jana", family_name=f"Nguyễn{i}",
            organisation=f"Verein {i % ORGS}", title="Referentin",
            points=(Point("email", f"jana.{i}@Verein.example", "work", True),
                    Point("mobile", f"+49151{i:08d}", "work", False)),
            notes="Sommerfest"))
    return write_vcards(cards)


def _statements(app, path: Path) -> int:  # noqa: ANN001
    count = 0

    def counted(*_args: object) -> None:
        nonlocal count
        count += 1

    engine = app.db.engine
    source = app.imports.read(path)
    event.listen(engine, "before_cursor_execute", counted)
    try:
        result = app.imports.run(source, path.name)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert result.created == len(source.records)
    return count


@pytest.mark.parametrize(("small", "large"), [(20, 400)])
def test_import_statements_do_not_grow_with_the_cards(app, tmp_path: Path,  # noqa: ANN001
                                                      small: int, large: int) -> None:
    first, second = tmp_path / "first.vcf", tmp_path / "second.vcf"
    first.write_text(_cards(small), encoding="utf-8")
    second.write_text(_cards(large, offset=small), encoding="utf-8")
    few = _statements(app, first)  # creates the organisations too
    many = _statements(app, second)  # 20× the cards, the organisations known
    assert few < 50, few  # about 40: reads, one insert per table, the index, the batch
    assert many <= few + 5, (few, many)  # a batched statement more here and there, no N+1


def test_bulk_import_is_searchable_audited_and_undone(app, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "cards.vcf"
    path.write_text(_cards(30), encoding="utf-8")
    result = app.imports.run(app.imports.read(path), path.name)
    assert result.created == 30
    person = app.people.resolve("Jana Nguyễn7")
    assert {(c.kind, c.value) for c in person.contact_points} == {
        ("email", "jana.7@verein.example"), ("mobile", "+4915100000007")}
    assert [r.organisation.name for r in person.current_roles] == ["Verein 2"]
    for query in ("nguyen7", "Nguyễn7", "jana.7@verein.example", "015100000007"):
        assert person.uid in [h.uid for h in app.search.search(query)], query
    conn = sqlite3.connect(app.db.engine.url.database)
    try:
        audited = conn.execute("SELECT count(*) FROM audit_entry WHERE action = 'import' "
                               "AND changes LIKE ?", (f'%"batch": "{result.batch_uid}"%',)
                               ).fetchone()[0]
    finally:
        conn.close()
    assert audited == 30 + ORGS  # one entry per record the import created
    undone = app.imports.undo(result.batch_uid)
    assert undone.removed == 30 + ORGS
    assert person.uid not in [h.uid for h in app.search.search("nguyen7")]


# -- the shortcuts give what the full checks give ---------------------------------------

def _full_email(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def _full_phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, validation.DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ours(check, text: str) -> str | None:  # noqa: ANN001
    try:
        return check("field", text)
    except ValidationError:
        return None


_LOCAL = st.text(alphabet="abcXYZ09._+-!#'~é\"@ ", min_size=0, max_size=12)
_DOMAIN = st.one_of(
    st.text(alphabet="abcXY09.-_é", min_size=0, max_size=14),
    st.sampled_from(["example.org", "Verein.EXAMPLE", "xn--mnchen-3ya.de", "localhost",
                     "x.test", "a.invalid", "1.2.3.4", "[1.2.3.4]", "b" * 250 + ".de"]))


@settings(max_examples=3000, suppress_health_check=list(HealthCheck), deadline=None)
@given(_LOCAL, _DOMAIN)
def test_email_shortcut_gives_what_email_validator_gives(local: str, domain: str) -> None:
    text = f"{local}@{domain}".strip()
    if len(text) > 254:
        return  # refused by the length check before either
    assert _ours(validation.normalise_email, text) == _full_email(text)


@pytest.mark.parametrize("text", ["Info@Verein.example", "postmaster@x.de", "a" * 70 + "@x.de",
                                  "a" * 64 + "@" + "b" * 180 + ".example"])
def test_email_shortcut_edge_cases(text: str) -> None:
    assert _ours(validation.normalise_email, text) == _full_email(text)


@settings(max_examples=3000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.one_of(st.from_regex(r"\+49[0-9]{1,16}", fullmatch=True),
                 st.from_regex(r"\+4[0-9]{2,14}", fullmatch=True),
                 st.from_regex(r"0[0-9 ]{3,14}", fullmatch=True)))
def test_phone_shortcut_gives_what_phonenumbers_gives(text: str) -> None:
    assert _ours(validation.normalise_phone, text) == _full_phone(text)


def _fold_whole(text: str) -> str:
    latin = anyascii(normalize._strip_marks(text.translate(normalize._SPECIAL)))
    latin = normalize._JOINERS.sub("", latin.lower())
    return " ".join(normalize._NON_WORD.sub(" ", latin).split())


@settings(max_examples=3000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_fold_by_pieces_gives_the_whole_text_fold(text: str) -> None:
    assert normalize.fold(text) == _fold_whole(text)


@pytest.mark.parametrize("text", ["Nguyễn Thị", "O'Connor  Straße", "Şahin-Öztürk",
                                  " a\u0301 \u0301b ", "\u2028x \u00a0 ß", "中文 Олена"])
def test_fold_examples(text: str) -> None:
    assert normalize.fold(text) == _fold_whole(text)


def _is_valid_home(digits: str) -> bool:
    return phonenumbers.is_valid_number(
        phonenumbers.PhoneNumber(country_code=49, national_number=int(digits)))


@settings(max_examples=5000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.one_of(st.from_regex(r"[1-9][0-9]{2,14}", fullmatch=True),
                 st.from_regex(r"(15|16|17|30|361|40|69|89|180|700|800|900)[0-9]{4,10}",
                               fullmatch=True)))
def test_home_number_check_gives_what_phonenumbers_gives(digits: str) -> None:
    assert validation._valid_home_number(digits) == _is_valid_home(digits)


def test_home_number_check_on_every_number_type_s_examples() -> None:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(validation.DEFAULT_REGION)
    examples = [desc.example_number for desc in (
        meta.fixed_line, meta.mobile, meta.premium_rate, meta.toll_free, meta.shared_cost,
        meta.voip, meta.personal_number, meta.pager, meta.uan, meta.voicemail)
        if desc is not None and desc.example_number]
    assert len(examples) >= 6
    for example in examples:
        for digits in (example, example[:-1], example + "0", example + "12",
                       example[:-2] + "99", "9" + example[1:]):
            assert validation._valid_home_number(digits) == _is_valid_home(digits), digits


def _reference_clean_text(value: str, limit: int, multiline: bool) -> tuple[str, ...] | str:
    """clean_text as it was before its shortcut for printable text."""
    import unicodedata

    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline and "\n" in text.strip():
        return ("control_chars",)
    text = text.strip()
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text) or re.search(
            "[\ud800-\udfff]", text):
        return ("control_chars",)
    if len(text) > limit:
        return ("too_long",)
    return unicodedata.normalize("NFC", text)


@settings(max_examples=4000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.text(alphabet=st.one_of(
    st.sampled_from(" \t\n\r\x00\x1f\x7f\x85\x9f\u00a0\u2028\ud800e\u0301ÄßŞ<&\"'"),
    st.characters()), max_size=14), st.integers(min_value=0, max_value=12), st.booleans())
def test_clean_text_shortcut_gives_what_the_full_check_gives(value: str, limit: int,
                                                             multiline: bool) -> None:
    try:
        ours: tuple[str, ...] | str = validation.clean_text("f", value, limit=limit,
                                                            multiline=multiline)
    except ValidationError as exc:
        ours = (next(iter(exc.errors.values()))[0],)
    assert ours == _reference_clean_text(value, limit, multiline)
