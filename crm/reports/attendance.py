"""Teilnahmeliste: who was invited, registered or attended, with room to sign."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Spacer, Table, TableStyle

from crm.i18n import _
from crm.reports.data import AttendanceData
from crm.reports.document import CONTENT_WIDTH, format_day, format_moment, value_text
from crm.reports.styles import cell, grid, para, styles

ROW_HEIGHT = 13 * mm  # room for a signature (funders ask for at least 12 mm)
WIDTHS = [9 * mm, 52 * mm, 46 * mm, 30 * mm, CONTENT_WIDTH - 137 * mm]


def story(sheet: AttendanceData, walk_in_rows: int, funder_text: str = "",
          funder_logo_path: str = "") -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [para(_("Attendance list"), st.title), para(sheet.title, st.h1)]
    flow.append(_facts(sheet))
    funder = _funder_block(funder_text, funder_logo_path)
    if funder is not None:
        flow += [Spacer(1, 2 * mm), funder]
    flow += [Spacer(1, 3 * mm),
             para(_("With my signature I confirm that I took part in this event."), st.muted),
             _table(sheet, walk_in_rows)]
    return flow


def _when(sheet: AttendanceData) -> str:
    start = format_moment(sheet.starts_at)
    if sheet.ends_at is None:
        return start
    if format_day(sheet.ends_at) == format_day(sheet.starts_at):
        return f"{start} – {format_moment(sheet.ends_at).split(', ')[-1]}"
    return f"{start} – {format_moment(sheet.ends_at)}"


def _venue(sheet: AttendanceData) -> str:
    if sheet.place and sheet.place not in sheet.venue:
        return ", ".join(x for x in (sheet.venue, sheet.place) if x)
    return sheet.venue


def _facts(sheet: AttendanceData) -> Flowable:
    st = styles()
    project = sheet.project
    if project and sheet.project_number:
        project = f"{project} ({sheet.project_number})"
    rows = [(_("Date"), _when(sheet)), (_("Kind"), value_text("event_kind", sheet.kind)),
            (_("Venue"), _venue(sheet)),
            (_("Organised with"), ", ".join(sheet.organisers)), (_("Project"), project),
            (_("Funded by"), sheet.funder)]
    label_width = 34 * mm
    data = [[cell(label, st.cell_bold), cell(value, st.body, CONTENT_WIDTH - label_width)]
            for label, value in rows if value]
    return grid(data, [label_width, CONTENT_WIDTH - label_width], header=False, zebra=False,
                font_size=9.5, extra=[("LINEBELOW", (0, 0), (-1, -1), 0, "white")])


def _funder_block(text: str, logo_path: str) -> Flowable | None:
    """The funder's logo and required wording from the preferences (a broken logo is left out)."""
    st = styles()
    logo = _image(logo_path, 45 * mm, 16 * mm) if logo_path else None
    if logo is None and not text:
        return None
    if logo is None:
        return para(text, st.small)
    if not text:
        return logo
    table = Table([[logo, para(text, st.small)]], colWidths=[50 * mm, CONTENT_WIDTH - 50 * mm],
                  style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0)]), hAlign="LEFT")
    return table


def _image(path: str, max_width: float, max_height: float) -> Image | None:
    try:
        image = Image(path)
        ratio = image.imageWidth / image.imageHeight
    except Exception:  # noqa: BLE001 - a missing or broken logo must not stop the list
        return None
    width = min(max_width, max_height * ratio)
    image.drawWidth, image.drawHeight = width, width / ratio
    image.hAlign = "LEFT"
    return image


def _table(sheet: AttendanceData, walk_in_rows: int) -> Flowable:
    st = styles()
    rows: list[list[Any]] = [["#", _("Name"), _("Organisation"), _("Municipality"),
                              _("Signature")]]
    for number, person in enumerate(sheet.attendees, start=1):
        name = (f"{person.name}\n{person.transliteration}" if person.transliteration
                else person.name)
        rows.append([str(number), cell(name, st.cell_large, WIDTHS[1]),
                     cell(person.organisation, st.cell_large, WIDTHS[2]),
                     cell(person.place, st.cell_large, WIDTHS[3]), _signing_room()])
    for number in range(len(sheet.attendees) + 1, len(sheet.attendees) + walk_in_rows + 1):
        rows.append([str(number), "", "", "", _signing_room()])
    return grid(rows, WIDTHS, zebra=False, font_size=9,
                extra=[("GRID", (0, 0), (-1, -1), 0.4, "#8a94a6"),
                       ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
                       ("TEXTCOLOR", (0, 1), (0, -1), "#555555")])


def _signing_room() -> Flowable:
    """An empty cell content that makes its row at least ROW_HEIGHT tall (padding included);
    rows with a long, wrapping name grow taller still."""
    return Spacer(1, ROW_HEIGHT - 4.5)
