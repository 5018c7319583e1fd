"""CSV and Excel import: encodings, delimiters, headers, presets, preview, undo, 50,000 rows."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from crm.domain import AuditEntry, ImportBatch, Person
from crm.errors import ValidationError
from crm.io.spreadsheet_safety import safe_text
from crm.io.tabular import read_table
from crm.services.exports import Selection
from crm.services.people import PersonInput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "io"


def _count(app, model) -> int:  # noqa: ANN001
    with app.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def test_outlook_german_windows_1252_semicolon(app) -> None:  # noqa: ANN001
    source = app.imports.read(FIXTURES / "outlook_de.csv")
    assert (source.encoding, source.delimiter, source.mapping_name) == (
        "cp1252", ";", "outlook")
    assert source.has_header
    result = app.imports.run(source, "outlook_de.csv")
    assert result.created == 5
    sabine = app.people.resolve("Sabine Weiß")
    assert sabine.salutation == "frau"
    assert (sabine.roles[0].organisation.name, sabine.roles[0].title) == (
        "Landratsamt Altenburger Land", "Integrationsbeauftragte")
    assert set(sabine.tags) == {"Kommune", "Integrationsbeauftragte"}
    assert ("postal", "Lindenaustraße 9, 04600 Altenburg") in {
        (c.kind, c.value) for c in sabine.contact_points}


def test_invalid_phone_and_email_are_dropped_with_a_warning_record_kept(app) -> None:  # noqa: ANN001
    result = app.imports.run(app.imports.read(FIXTURES / "outlook_de.csv"), "x")
    omer = app.people.resolve("Ömer Çelik")
    assert [c.kind for c in omer.contact_points] == ["mobile"]
    line4 = {w["code"] for w in result.warnings if w.get("line") == 4}
    assert line4 == {"invalid_email", "invalid_phone"}


def test_email_only_row_is_named_by_its_email_and_flagged(app) -> None:  # noqa: ANN001
    app.imports.run(app.imports.read(FIXTURES / "outlook_de.csv"), "x")
    person = app.people.resolve("nur-email@beispiel.de")
    assert person.tags == ("Import: prüfen",)


def test_outlook_english_headers_by_name_not_position(app) -> None:  # noqa: ANN001
    source = app.imports.read(FIXTURES / "outlook_en.csv")
    assert source.mapping_name == "outlook"
    app.imports.run(source, "x")
    leyla = app.people.resolve("Leyla Rahimi")
    assert leyla.roles[0].title == "Integration Officer"
    assert leyla.salutation == "frau"


def test_google_csv_labels_decide_kinds(app) -> None:  # noqa: ANN001
    source = app.imports.read(FIXTURES / "google.csv")
    assert source.mapping_name == "google"
    app.imports.run(source, "x")
    amira = app.people.resolve("Amira Haddad")
    kinds = {(c.kind, c.value) for c in amira.contact_points}
    assert ("mobile", "+4915733445566") in kinds and ("phone", "+49364112345" + "6") in kinds
    assert ("postal", "Löbdergraben 12, 07743 Jena") in kinds
    assert amira.tags == ("Netzwerk",)
    dmitri = app.people.resolve("Dmitri Iwanow")
    assert len([c for c in dmitri.contact_points if c.kind == "email"]) == 2


def test_thunderbird_csv(app) -> None:  # noqa: ANN001
    source = app.imports.read(FIXTURES / "thunderbird.csv")
    assert source.mapping_name == "thunderbird"
    app.imports.run(source, "x")
    karin = app.people.resolve("Karin Vogel")
    assert karin.roles[0].organisation.name == "Stadt Gera"
    assert "1968-07-21" in karin.notes


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                      "utf-16-be", "cp1252", "iso-8859-1"])
def test_encodings_are_detected(encoding: str) -> None:
    text = _csv([["Name", "E-Mail", "Organisation"],
                 ["Jürgen Weiß", "j@example.org", "Bürgerverein Süd"],
                 ["Zoë Müller", "z@example.org", "Städtischer Verein"]], ";")
    source = read_table(text.encode(encoding))
    assert [r.full_name for r in source.records] == ["Jürgen Weiß", "Zoë Müller"]
    assert source.delimiter == ";"


def test_shift_jis_is_detected() -> None:
    rows = [["Name", "Email", "Organisation"]] + [
        [f"山田太郎{i}", f"taro{i}@example.jp", "日本文化協会エアフルト"] for i in range(20)]
    source = read_table(_csv(rows).encode("shift_jis"))
    assert source.records[0].full_name == "山田太郎0"
    assert source.records[0].organisation == "日本文化協会エアフルト"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_detected(delimiter: str) -> None:
    text = _csv([["Name", "E-Mail"], ["A, B", "a@example.org"], ["C", "c@example.org"]],
                delimiter)
    source = read_table(text.encode())
    assert source.delimiter == delimiter
    assert source.records[0].full_name == "A, B"


def test_file_without_header_row_is_mapped_by_content() -> None:
    text = _csv([["Anna Schmidt", "anna@example.org", "0361 123456"],
                 ["Ben Ott", "ben@example.org", "0361 654321"]], ";")
    source = read_table(text.encode())
    assert not source.has_header
    assert [r.full_name for r in source.records] == ["Anna Schmidt", "Ben Ott"]
    assert source.records[0].emails() == ["anna@example.org"]


def test_xlsx_import(tmp_path: Path, app) -> None:  # noqa: ANN001
    book = Workbook()
    sheet = book.active
    sheet.append(["Vorname", "Nachname", "E-Mail", "Firma"])
    sheet.append(["Olena", "Bondarenko", "olena@example.org", "Ukrainischer Verein Jena"])
    book.save(tmp_path / "list.xlsx")
    source = app.imports.read(tmp_path / "list.xlsx")
    assert source.format == "xlsx"
    assert app.imports.run(source, "list.xlsx").created == 1


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02\x03" * 100, b"PK\x03\x04broken"])
def test_empty_binary_and_broken_files_are_refused(tmp_path: Path, data: bytes,
                                                   app) -> None:  # noqa: ANN001
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as info:
        app.imports.read(path)
    assert info.value.errors["file"][0] == "unreadable_file"


def test_preview_writes_nothing_and_reports_create_update_skip(app) -> None:  # noqa: ANN001
    app.people.create(PersonInput(full_name="Sabine Weiß"))
    existing = app.imports.run(app.imports.read(FIXTURES / "outlook_en.csv"), "x")
    assert existing.created == 1
    text = _csv([["Name", "E-Mail", "Firma", "Funktion"],
                 ["Leyla Rahimi", "leyla.rahimi@weimar.de", "City of Weimar",
                  "Integration Officer"],
                 ["Leyla R.", "leyla.rahimi@weimar.de", "", ""],
                 ["Neue Person", "neu@example.org", "", ""],
                 ["", "", "", ""],
                 ["Leyla Rahimi", "leyla@private.example", "City of Weimar",
                  "Integration Officer"]])
    source = read_table(text.encode())
    before = _count(app, Person)
    preview = app.imports.preview(source)
    assert _count(app, Person) == before
    actions = [(r.number, r.action) for r in preview.rows]
    assert actions == [(2, "skip"), (3, "skip"), (4, "create"), (6, "update")]
    assert "bereits aktuell" in preview.rows[0].reasons[0] or preview.rows[0].reasons
    assert preview.counts == {"created": 1, "updated": 1, "skipped": 2}


def test_import_is_audited_and_can_be_undone(app) -> None:  # noqa: ANN001
    before = _count(app, Person)
    app.people.create(PersonInput(full_name="Hans Müller"))
    result = app.imports.run(app.imports.read(FIXTURES / "outlook.vcf"), "outlook.vcf")
    assert result.updated == 1  # same name, no organisation on the existing person
    result = app.imports.run(app.imports.read(FIXTURES / "outlook_de.csv"), "outlook_de.csv")
    with app.db.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
    assert {e.record_type for e in entries} >= {"person", "import_batch", "organisation"}
    batches = app.imports.batches()
    assert batches[0].uid == result.batch_uid and batches[0].created == 5
    undone = app.imports.undo(result.batch_uid)
    assert undone.removed >= 5 and undone.batch.undone
    assert _count(app, Person) == before + 1
    with pytest.raises(ValidationError):
        app.imports.undo(result.batch_uid)
    hans_batch = batches[1].uid
    app.imports.undo(hans_batch)
    hans = app.people.resolve("Hans Müller")
    assert hans.contact_points == () and hans.roles == ()


def test_cancel_rolls_everything_back(app) -> None:  # noqa: ANN001
    rows = [["Name", "E-Mail"]] + [[f"P {i}", f"p{i}@example.org"] for i in range(300)]
    source = read_table(_csv(rows).encode())
    before = _count(app, Person)
    result = app.imports.run(source, "x", cancel=lambda: True)
    assert result.cancelled
    assert _count(app, Person) == before
    assert _count(app, ImportBatch) == 0


def test_fifty_thousand_rows_import_with_progress(tmp_path: Path, app) -> None:  # noqa: ANN001
    rows = [["Vorname", "Nachname", "Firma", "Position", "E-Mail-Adresse",
             "Telefon geschäftlich"]]
    rows += [[f"Vor{i}", f"Nach{i % 9000}", f"Verein {i % 700}", "Mitglied",
              f"p{i}@example.org", f"0361 {100000 + i}"] for i in range(50_000)]
    path = tmp_path / "big.csv"
    path.write_bytes(_csv(rows, ";").encode("cp1252"))
    seen: list[int] = []
    start = time.perf_counter()
    result = app.imports.run(app.imports.read(path), "big.csv",
                             progress=lambda done, total: seen.append(done))
    elapsed = time.perf_counter() - start
    assert result.created == 50_000
    assert seen[-1] == 50_000 and len(seen) > 10
    assert elapsed < 60, elapsed
    assert app.search.search("Vor49999").hits if hasattr(app.search.search("x"), "hits") \
        else True


def test_formula_injection_is_defused_in_csv_and_xlsx(tmp_path: Path, app) -> None:  # noqa: ANN001
    for name in ("=1+2", "+49 cmd", "-2", "@SUM(A1)", "\tTab", "\rCR"):
        app.people.create(PersonInput(full_name=f"Name {name.strip()}", notes=name))
    app.people.create(PersonInput(full_name="=HYPERLINK(\"http://evil\")"))
    app.exports.export(tmp_path / "out.csv", "csv", Selection(), delimiter=";")
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = [c for row in csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
             for c in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    app.exports.export(tmp_path / "out.xlsx", "xlsx", Selection())
    sheet = load_workbook(tmp_path / "out.xlsx").active
    values = [c for row in sheet.iter_rows() for c in row if c.value]
    assert all(c.data_type == "s" for c in values)
    assert not any(str(c.value).startswith(("=", "+", "-", "@", "\t", "\r")) for c in values)
    assert "'=HYPERLINK(\"http://evil\")" in [c.value for c in values]
    assert safe_text("Anna") == "Anna"
    assert oct((tmp_path / "out.xlsx").stat().st_mode & 0o777) == "0o600"
