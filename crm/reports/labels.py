"""Adressetiketten on A4 label sheets, one DIN 5008 address block per label.

The sheet geometry is data (:data:`LAYOUTS`), in millimetres from the sheet's top left
corner as the manufacturers specify it; :func:`label_box` turns it into PDF points.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from crm.errors import ValidationError
from crm.reports.data import Address, Recipient
from crm.reports.document import ReportMeta, atomic_output
from crm.reports.fonts import FONT, draw_string, normalise, register_fonts, text_width


@dataclass(frozen=True, slots=True)
class LabelSheet:
    """One label product; all lengths in millimetres, origin at the sheet's top left."""

    product: str
    columns: int
    rows: int
    width: float
    height: float
    left: float  # from the sheet's left edge to the first column
    top: float  # from the sheet's top edge to the first row
    h_pitch: float  # from one column's left edge to the next one's
    v_pitch: float  # from one row's top edge to the next one's
    padding_x: float = 6.0  # inner margin of the text; 3474 labels run to the sheet's edge

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LAYOUTS: dict[str, LabelSheet] = {
    # Avery Zweckform 3474: 3 × 8 labels of 70 × 37 mm without margins
    # (3 × 70 = 210 mm wide, 8 × 37 = 296 mm high: 0.5 mm free at top and bottom).
    "3x8": LabelSheet("Avery Zweckform 3474", 3, 8, 70.0, 37.0, left=0.0, top=0.5,
                      h_pitch=70.0, v_pitch=37.0),
    # Avery L7163: 2 × 7 labels of 99.1 × 38.1 mm, 4.65 mm left and 15.15 mm top margin,
    # 2.5 mm between the columns, none between the rows.
    "2x7": LabelSheet("Avery L7163", 2, 7, 99.1, 38.1, left=4.65, top=15.15, h_pitch=101.6,
                      v_pitch=38.1, padding_x=5.0),
}

BASE_SIZE = 10.0
MIN_SIZE = 6.5
LEADING = 1.18
SALUTATIONS = {"frau": "Frau", "herr": "Herr"}  # DIN 5008: the German words, on their own line


def layout_for(name: str) -> LabelSheet:
    try:
        return LAYOUTS[name]
    except KeyError as exc:
        raise ValidationError.single("layout", "invalid_choice_of", value=name,
                                     choices=", ".join(LAYOUTS)) from exc


def label_box(sheet: LabelSheet, index: int) -> tuple[float, float, float, float]:
    """The label at ``index`` (row by row) on its page: (x, y, width, height) in points,
    y measured from the bottom of the page like everything in PDF."""
    position = index % sheet.per_page
    row, column = divmod(position, sheet.columns)
    x = sheet.left + column * sheet.h_pitch
    top = sheet.top + row * sheet.v_pitch
    return x * mm, A4[1] - (top + sheet.height) * mm, sheet.width * mm, sheet.height * mm


# --- address blocks --------------------------------------------------------------------------

def postal_lines(value: str) -> list[str]:
    """"Street 1, 99084 Erfurt" (commas or line breaks) → ["Street 1", "99084 Erfurt"]."""
    return [part.strip() for part in re.split(r"[,\n]", normalise(value)) if part.strip()]


def address_block(person: Recipient) -> Address | None:
    """DIN 5008 lines: salutation, name (and transliteration), organisation, street, town.

    The person's own postal address comes first; a work address (or the organisation's)
    carries the organisation's name, a private one does not. None if there is no address.
    """
    head = [SALUTATIONS[person.salutation]] if person.salutation in SALUTATIONS else []
    head.append(person.name)
    if person.transliteration and person.transliteration != person.name:
        head.append(person.transliteration)
    if person.own_postal:
        label, value = person.own_postal[0]
        org = [person.organisation] if label == "work" and person.organisation else []
        lines = postal_lines(value)
    elif person.organisation_postal:
        org = [person.organisation]
        lines = postal_lines(person.organisation_postal)
    else:
        return None
    if not lines:
        return None
    return Address(person.uid, tuple(normalise(x) for x in (*head, *org, *lines) if x.strip()))


def addresses(people: Sequence[Recipient]) -> tuple[list[Address], list[Recipient]]:
    """The printable address blocks, and the persons skipped for lack of any address."""
    printable: list[Address] = []
    skipped: list[Recipient] = []
    for person in people:
        block = address_block(person)
        if block is None:
            skipped.append(person)
        else:
            printable.append(block)
    return printable, skipped


def fit_lines(lines: Sequence[str], width: float, height: float) -> list[tuple[str, float]]:
    """Each line with the font size it prints at: long lines shrink (down to MIN_SIZE) and
    only wrap if even that is too wide; nothing is ever cut off."""
    fitted: list[tuple[str, float]] = []
    for line in lines:
        natural = text_width(line, FONT, BASE_SIZE)
        size = BASE_SIZE if natural <= width else BASE_SIZE * width / natural
        size = max(MIN_SIZE, int(size * 4) / 4)
        if text_width(line, FONT, size) <= width:
            fitted.append((line, size))
        else:
            fitted.extend((part, MIN_SIZE) for part in _wrap(line, width, MIN_SIZE))
    total = sum(size * LEADING for _line, size in fitted)
    if total > height:
        scale = height / total
        fitted = [(line, size * scale) for line, size in fitted]
    return fitted


def _wrap(line: str, width: float, size: float) -> list[str]:
    parts: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, FONT, size) > width:
            parts.append(current)
            current = word
        else:
            current = candidate
    parts.append(current)
    return parts


# --- drawing ---------------------------------------------------------------------------------

def render(path: str | os.PathLike[str], blocks: Sequence[Address], sheet: LabelSheet,
           meta: ReportMeta, *, progress: Callable[[int, int], None] | None = None,
           canvasmaker: type[Canvas] = Canvas) -> int:
    """Write the labels, row by row, page by page; return the number of pages."""
    register_fonts()
    pages = max(1, -(-len(blocks) // sheet.per_page))
    with atomic_output(path) as tmp:
        canvas = canvasmaker(tmp, pagesize=A4, pageCompression=1)
        canvas.setTitle(meta.title)
        canvas.setAuthor(meta.network)
        canvas.setCreator("Brücke")
        canvas.setSubject(sheet.product)
        for index, block in enumerate(blocks):
            if index and index % sheet.per_page == 0:
                canvas.showPage()
            draw_label(canvas, sheet, index, block.lines)
            if progress is not None and index % 50 == 49:
                progress(index + 1, len(blocks))
        canvas.showPage()
        canvas.save()
    if progress is not None:
        progress(len(blocks), len(blocks))
    return pages


def draw_label(canvas: Any, sheet: LabelSheet, index: int, lines: Sequence[str]) -> None:
    """The address block left-aligned and centred vertically in its label."""
    x, y, width, height = label_box(sheet, index)
    inner_width = width - 2 * sheet.padding_x * mm
    inner_height = height - 6 * mm
    fitted = fit_lines(lines, inner_width, inner_height)
    block = sum(size * LEADING for _line, size in fitted)
    baseline = y + height / 2 + block / 2
    for line, size in fitted:
        baseline -= size * LEADING
        _draw_line(canvas, x + sheet.padding_x * mm, baseline + size * (LEADING - 1), line, size)


def _draw_line(canvas: Any, x: float, y: float, text: str, size: float) -> None:
    draw_string(canvas, x, y, text, FONT, size)
