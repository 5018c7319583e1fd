"""The import's cost per card: SQL statements that do not grow with the cards (no N+1), and
the shortcuts it takes giving exactly what the full checks give (bench: issue 9)."""

from __future__ import annotations

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
