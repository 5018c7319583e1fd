"""vCard import as address books write it, and vCard export that reads back the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import vobject

from crm.app import open_app
from crm.errors import ValidationError
from crm.io.vcard import fold, read_vcards
from crm.services.exports import Selection

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "io"


def _import(app, name: str):  # noqa: ANN001, ANN202
    source = app.imports.read(FIXTURES / name)
    return source, app.imports.run(source, name)


def _person(app, name: str):  # noqa: ANN001, ANN202
    return app.people.resolve(name)


@pytest.mark.parametrize(("name", "created"), [
    ("thunderbird.vcf", 2), ("apple.vcf", 2), ("google.vcf", 2), ("android.vcf", 2),
    ("outlook.vcf", 1), ("nextcloud.vcf", 1),
])
def test_every_program_s_cards_import(app, name: str, created: int) -> None:  # noqa: ANN001
    _source, result = _import(app, name)
    assert result.created == created
    assert result.errors == ()


def test_thunderbird_card_becomes_person_role_organisation_and_contacts(app) -> None:  # noqa: ANN001
    _import(app, "thunderbird.vcf")
    ayse = _person(app, "Ayşe Yılmaz")
    assert ayse.uid == "2a7c5e3c-1d4e-4b8e-9d0c-8f1e2a3b4c5d"
    assert (ayse.given_name, ayse.family_name) == ("Ayşe", "Yılmaz")
    role = ayse.current_roles[0]
    assert (role.organisation.name, role.title) == ("Stadt Jena", "Integrationsbeauftragte")
    kinds = {(c.kind, c.value) for c in ayse.contact_points}
    assert ("phone", "+49364149256" + "0") in kinds
    assert ("mobile", "+4915123456789") in kinds
    assert ("postal", "Am Anger 26, 07743 Jena") in kinds
    assert "Migrationsbeirat, Termine" in ayse.notes


def test_vcard_21_quoted_printable_charset_and_photo(app) -> None:  # noqa: ANN001
    _source, result = _import(app, "android.vcf")
    khai = _person(app, "Nguyễn Thị Minh Khai")
    assert khai.family_name == "Nguyễn"
    assert "Förderung des Sommerfests" in khai.notes
    assert any(w["code"] == "photo_skipped" for w in result.warnings)


def test_outlook_windows_1252_card(app) -> None:  # noqa: ANN001
    source, _result = _import(app, "outlook.vcf")
    hans = _person(app, "Hans Müller")
    assert source.encoding == "cp1252"
    assert "Rückfragen an Frau Weiß" in hans.notes
    assert {c.kind for c in hans.contact_points} >= {"phone", "fax", "mobile", "email"}


def test_apple_groups_categories_birthday_and_company_card(app) -> None:  # noqa: ANN001
    _source, result = _import(app, "apple.vcf")
    olena = _person(app, "Олена Шевченко")
    assert set(olena.tags) == {"Netzwerk", "MSO"}
    assert "1985-04-12" in olena.notes
    assert any(w["code"] == "birthday_in_notes" for w in result.warnings)
    beirat = app.organisations.resolve("Migrationsbeirat Erfurt")
    assert beirat.contact_points[0].value == "migrationsbeirat@erfurt.de"


def test_card_with_only_an_email_is_named_by_it_and_flagged(app) -> None:  # noqa: ANN001
    _import(app, "google.vcf")
    person = _person(app, "newsletter@landesnetzwerk.de")
    assert "Import: prüfen" in person.tags


def test_malformed_cards_are_reported_and_the_others_import(app) -> None:  # noqa: ANN001
    _source, result = _import(app, "malformed.vcf")
    assert result.created == 3
    assert [(e["card"], e["code"]) for e in result.errors] == [
        (2, "card_not_closed"), (4, "unreadable_line")]
    boris = _person(app, "Boris Petrov")
    assert [c.value for c in boris.contact_points] == ["+49361123456"]
    codes = {w["code"] for w in result.warnings}
    assert {"invalid_email", "invalid_phone"} <= codes


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02binary\xff" * 50,
                                  b"hello world"])
def test_unreadable_vcard_files_raise_a_field_error(data: bytes, tmp_path: Path,
                                                    app) -> None:  # noqa: ANN001
    path = tmp_path / "x.vcf"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as info:
        app.imports.read(path)
    assert info.value.errors["file"][0] == "unreadable_file"


def test_long_lines_fold_at_75_octets_without_splitting_characters() -> None:
    line = "NOTE:" + "ä" * 100
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_round_trip_keeps_persons(app, seeded_template: Path, tmp_path: Path,
                                        version: str) -> None:  # noqa: ANN001
    for name in ("thunderbird.vcf", "apple.vcf", "outlook.vcf", "nextcloud.vcf"):
        _import(app, name)
    out = tmp_path / "out.vcf"
    app.exports.export(out, "vcf", Selection(), vcard_version=version)
    if version == "3.0":
        assert len(list(vobject.readComponents(out.read_text(encoding="utf-8")))) >= 6
    shutil.copyfile(seeded_template, tmp_path / "fresh.db")
    fresh = open_app(tmp_path / "fresh.db", staff="TS")
    try:
        result = fresh.imports.run(fresh.imports.read(out), "out.vcf")
        assert result.errors == ()
        for name in ("Ayşe Yılmaz", "Hans Müller", "Олена Шевченко", "Fatima Al-Hassan"):
            before, after = app.people.resolve(name), fresh.people.resolve(name)
            assert after.uid == before.uid
            assert (after.given_name, after.family_name) == (before.given_name,
                                                             before.family_name)
            assert sorted((c.kind, c.value) for c in after.contact_points) == sorted(
                (c.kind, c.value) for c in before.contact_points)
            assert [(r.organisation.name, r.title) for r in after.roles] == [
                (r.organisation.name, r.title) for r in before.roles]
            assert set(after.tags) == set(before.tags)
        again = fresh.imports.preview(fresh.imports.read(out))
        assert again.counts["created"] == 0  # a second import matches every card
    finally:
        fresh.close()


def test_reader_handles_bare_21_types_and_quoted_params() -> None:
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nTEL;WORK;FAX:0361 1\r\n"
            b'TEL;TYPE="home,voice":0361 2\r\nEND:VCARD\r\n')
    record = read_vcards(data).records[0]
    assert [(p.kind, p.label) for p in record.points] == [("fax", "work"), ("phone", "private")]
