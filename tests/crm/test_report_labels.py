"""Address labels: sheet geometry to the half millimetre, DIN 5008 blocks, nothing cut off."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from test_report_support import assert_a4, page_texts

from crm.reports import labels
from crm.reports.data import Address, Recipient
from crm.reports.document import ReportMeta
from crm.reports.fonts import text_width
from crm.services.reports import _excluded_by_consent

TOLERANCE = 0.5 * mm
PAGE_HEIGHT_MM = A4[1] / mm


def _mm_box(layout: str, index: int) -> tuple[float, float, float, float]:
    """(left, top, width, height) in mm from the sheet's top left corner."""
    x, y, w, h = labels.label_box(labels.LAYOUTS[layout], index)
    return x / mm, PAGE_HEIGHT_MM - (y + h) / mm, w / mm, h / mm


@pytest.mark.parametrize(("layout", "index", "expected"), [
    # Avery Zweckform 3474: 70 × 37 mm, no margins, 0.5 mm free at the top.
    ("3x8", 0, (0.0, 0.5, 70.0, 37.0)),
    ("3x8", 2, (140.0, 0.5, 70.0, 37.0)),
    ("3x8", 3, (0.0, 37.5, 70.0, 37.0)),
    ("3x8", 23, (140.0, 259.5, 70.0, 37.0)),
    ("3x8", 24, (0.0, 0.5, 70.0, 37.0)),  # the next sheet starts over
    # Avery L7163: 99.1 × 38.1 mm, margins 4.65 mm left and 15.15 mm top, 2.5 mm gap.
    ("2x7", 0, (4.65, 15.15, 99.1, 38.1)),
    ("2x7", 1, (106.25, 15.15, 99.1, 38.1)),
    ("2x7", 13, (106.25, 243.75, 99.1, 38.1)),
])
def test_label_positions(layout: str, index: int, expected: tuple[float, ...]) -> None:
    assert _mm_box(layout, index) == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize("layout", ["3x8", "2x7"])
def test_labels_fill_the_sheet_inside_its_edges(layout: str) -> None:
    sheet = labels.LAYOUTS[layout]
    boxes = [_mm_box(layout, i) for i in range(sheet.per_page)]
    assert min(b[0] for b in boxes) >= -0.01 and min(b[1] for b in boxes) >= -0.01
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    if layout == "3x8":  # edge to edge
        assert (right, bottom) == pytest.approx((210.0, 296.5), abs=0.5)
    else:  # symmetric margins
        assert (210.0 - right, 297.0 - bottom) == pytest.approx((4.65, 15.15), abs=0.5)


class _RecordingCanvas(Canvas):
    """Remembers where every string was drawn (in points, PDF coordinates)."""

    drawn: list[tuple[int, float, float, str, float]] = []

    def drawString(self, x: float, y: float, text: str, *args: Any, **kwargs: Any  # noqa: N802
                   ) -> None:
        _RecordingCanvas.drawn.append((self.getPageNumber(), x, y, str(text),
                                       self._fontsize))
        super().drawString(x, y, text, *args, **kwargs)


@pytest.mark.parametrize("layout", ["3x8", "2x7"])
def test_text_starts_at_the_label_origin(layout: str, tmp_path: Path) -> None:
    sheet = labels.LAYOUTS[layout]
    blocks = [Address(str(i), ("Frau", f"Person {i}", "Musterweg 1", "99084 Erfurt"))
              for i in range(sheet.per_page + 2)]
    _RecordingCanvas.drawn = []
    meta = ReportMeta("Etiketten", "Netz", date.today())
    pages = labels.render(tmp_path / "l.pdf", blocks, sheet, meta,
                          canvasmaker=_RecordingCanvas)
    assert pages == 2
    assert_a4(tmp_path / "l.pdf")
    drawn = _RecordingCanvas.drawn
    assert len(drawn) == 4 * len(blocks)
    for index in range(len(blocks)):
        page, _x, _y, first, _size = drawn[4 * index]
        left, top, _width, height = _mm_box(layout, index)
        assert page == 1 + index // sheet.per_page
        assert first == "Frau"
        # Every line of the block starts at the label's left edge plus the inner margin …
        for _page, x, y, _text, _size in drawn[4 * index: 4 * index + 4]:
            assert abs(x / mm - (left + sheet.padding_x)) <= 0.5
            # … and lies inside the label, a few millimetres from its top and bottom.
            y_mm = PAGE_HEIGHT_MM - y / mm
            assert top + 3 <= y_mm <= top + height - 3


def _recipient(**values: Any) -> Recipient:
    base: dict[str, Any] = {"uid": "u", "name": "Ayşe Yılmaz", "transliteration": "",
                            "salutation": "frau", "own_postal": (), "organisation": "",
                            "organisation_postal": ""}
    base.update(values)
    return Recipient(**base)


def test_din_5008_address_blocks() -> None:
    own_private = _recipient(own_postal=(("private", "Anger 1, 99084 Erfurt"),),
                             organisation="Verein")
    assert labels.address_block(own_private).lines == (
        "Frau", "Ayşe Yılmaz", "Anger 1", "99084 Erfurt")
    at_work = _recipient(salutation="herr", name="Olek Nowak",
                         own_postal=(("work", "Postfach 5\nc/o Amt, Markt 2, 07743 Jena"),),
                         organisation="Stadtverwaltung Jena")
    assert labels.address_block(at_work).lines == (
        "Herr", "Olek Nowak", "Stadtverwaltung Jena", "Postfach 5", "c/o Amt", "Markt 2",
        "07743 Jena")
    via_org = _recipient(salutation="neutral", name="Alex Kim", transliteration="",
                         organisation="Bunte Brücke e.V.",
                         organisation_postal="Bahnhofstraße 3, 99510 Apolda")
    assert labels.address_block(via_org).lines == (
        "Alex Kim", "Bunte Brücke e.V.", "Bahnhofstraße 3", "99510 Apolda")
    cyrillic = _recipient(name="Олена Шевченко", transliteration="Olena Shevchenko",
                          own_postal=(("private", "Anger 1, 99084 Erfurt"),))
    assert labels.address_block(cyrillic).lines[:3] == (
        "Frau", "Олена Шевченко", "Olena Shevchenko")
    assert labels.address_block(_recipient(organisation="Verein")) is None


def test_persons_without_address_are_skipped_not_printed_empty() -> None:
    people = [_recipient(uid="a", own_postal=(("private", "Anger 1, 99084 Erfurt"),)),
              _recipient(uid="b", name="Ohne Adresse"),
              _recipient(uid="c", organisation="Verein", organisation_postal="Markt 1, 07743 Jena")]
    printable, skipped = labels.addresses(people)
    assert [a.person_uid for a in printable] == ["a", "c"]
    assert [p.uid for p in skipped] == ["b"]


def test_long_names_shrink_instead_of_being_cut() -> None:
    width, height = 58 * mm, 31 * mm
    name = "Prof. Dr. Maximiliane Alexandra von und zu Hohenzollern-Sigmaringen-Wróbel"
    fitted = labels.fit_lines(["Frau", name, "99084 Erfurt"], width, height)
    sizes = dict(fitted)
    assert sizes["Frau"] == labels.BASE_SIZE
    printed = " ".join(line for line, _size in fitted[1:-1])
    assert printed == name  # every word is there, nothing cut
    for line, size in fitted:
        assert size >= labels.MIN_SIZE * 0.75
        assert text_width(line, "BrueckeSans", size) <= width + 0.01
    medium = labels.fit_lines(["Migrationsbeirat Mühlhausen/Thüringen"], width, height)
    assert len(medium) == 1 and labels.MIN_SIZE <= medium[0][1] < labels.BASE_SIZE


def test_consent_hook_excludes_nobody_without_persons() -> None:
    assert _excluded_by_consent(None, []) == set()  # type: ignore[arg-type]


def test_labels_pdf_has_the_addresses(tmp_path: Path) -> None:
    blocks = [Address("a", ("Herr", "محمد علي", "Muhammad Ali", "Anger 1", "99084 Erfurt"))]
    meta = ReportMeta("Etiketten", "Netz", date.today())
    labels.render(tmp_path / "one.pdf", blocks, labels.LAYOUTS["3x8"], meta)
    text = page_texts(tmp_path / "one.pdf")[0]
    assert "Muhammad Ali" in text and "99084 Erfurt" in text
