"""Kontaktverzeichnis Kommunen: every current role holder, district → town → organisation.

Built for size (10,000 persons and more): one table per place, plain-string cells wherever
the text prints as it is (no markup parsing), Paragraphs only for text that needs shaping,
reordering or wrapping.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak

from crm.i18n import N_, _, ngettext
from crm.reports.data import DirectoryDistrict, DirectoryOrg, DirectoryPlace
from crm.reports.document import CONTENT_WIDTH, Heading, TableOfContents, heading
from crm.reports.fonts import FONT_BOLD
from crm.reports.styles import ACCENT, HEADER_FILL, ZEBRA, cell, grid, para, styles

KIND_HEADINGS = {
    "administration": N_("Administration"),
    "council": N_("Advisory councils"),
    "member": N_("Migrant organisations"),
    "public-body": N_("Public bodies"),
    "network": N_("Networks"),
    "funder": N_("Funders"),
    "other": N_("Other organisations"),
}
WIDTHS = [48 * mm, 38 * mm, 27 * mm, CONTENT_WIDTH - 113 * mm]


def story(districts: tuple[DirectoryDistrict, ...], title: str) -> list[Flowable]:
    st = styles()
    people = sum(len(o.holders) for d in districts for p in d.places for o in p.organisations)
    places = sum(len(d.places) for d in districts)
    flow: list[Flowable] = [
        para(title, st.title),
        para(ngettext("{n} person", "{n} persons", people).format(n=people) + " · "
             + ngettext("{n} municipality", "{n} municipalities", places).format(n=places),
             st.subtitle),
    ]
    if not districts:
        flow.append(para(_("No contacts are recorded for these municipalities."), st.body))
        return flow
    body: list[Flowable] = []
    for index, district in enumerate(districts):
        body += [PageBreak(), heading(district.name, st.h1, 0, f"d{index}")]
        for number, place in enumerate(district.places):
            if place.ags != district.ags:
                body += [CondPageBreak(30 * mm),
                         heading(place.name, st.h2, 1, f"d{index}p{number}")]
            body.append(place_table(place))
    contents = TableOfContents([f.toc_entry for f in body if isinstance(f, Heading)])
    return [*flow, para(_("Contents"), st.h2), contents, *body]


def place_table(place: DirectoryPlace) -> Flowable:
    st = styles()
    rows: list[list[Any]] = [[_("Name"), _("Function"), _("Phone"), _("E-mail")]]
    extra: list[tuple[Any, ...]] = []
    kind = None
    for org in place.organisations:
        if org.kind != kind:
            kind = org.kind
            extra += _span_row(len(rows), kind_row=True)
            rows.append([_(KIND_HEADINGS.get(kind, kind)), "", "", ""])
        extra += _span_row(len(rows), kind_row=False)
        rows.append(_org_row(org))
        rows.extend(_holder_rows(org, st))
    if len(rows) == 1:
        return para(_("No organisations recorded."), st.muted)
    return grid(rows, WIDTHS, zebra=False, extra=extra)


def _span_row(row: int, *, kind_row: bool) -> list[tuple[Any, ...]]:
    if kind_row:
        return [("SPAN", (0, row), (-1, row)), ("BACKGROUND", (0, row), (-1, row), HEADER_FILL),
                ("TEXTCOLOR", (0, row), (-1, row), ACCENT),
                ("FONT", (0, row), (-1, row), FONT_BOLD, 8, 10)]
    return [("SPAN", (0, row), (1, row)), ("BACKGROUND", (0, row), (-1, row), ZEBRA),
            ("FONT", (0, row), (1, row), FONT_BOLD, 8, 10)]


def _org_row(org: DirectoryOrg) -> list[Any]:
    st = styles()
    return [cell(org.name, st.cell_bold, WIDTHS[0] + WIDTHS[1]), "",
            cell(org.phone, st.cell, WIDTHS[2]), cell(org.email, st.cell, WIDTHS[3])]


def _holder_rows(org: DirectoryOrg, st: Any) -> list[list[Any]]:
    rows = []
    for h in org.holders:
        name = f"{h.name}\n{h.transliteration}" if h.transliteration else h.name
        rows.append([cell(name, st.cell, WIDTHS[0]), cell(h.title, st.cell, WIDTHS[1]),
                     cell(h.phone, st.cell, WIDTHS[2]), cell(h.email, st.cell, WIDTHS[3])])
    return rows
