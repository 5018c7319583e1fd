"""Telefonliste: the current municipal contacts on one or two compact pages.

Grouped by municipality (a spanning row instead of a column), one line per contact: text too
long for its column shrinks rather than wraps.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from crm.i18n import _, ngettext
from crm.reports.data import PhoneLine
from crm.reports.document import CONTENT_WIDTH
from crm.reports.fonts import FONT_BOLD
from crm.reports.styles import ACCENT, HEADER_FILL, fitted, grid, para, styles

WIDTHS = [31 * mm, 28 * mm, 44 * mm, 18 * mm, CONTENT_WIDTH - 121 * mm]
FONT_SIZE = 7
MIN_SIZE = 5


def story(lines: tuple[PhoneLine, ...], title: str) -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [
        para(title, st.title),
        para(_("Integration officers and managers, administration contacts and chairs of the "
               "advisory councils.") + " "
             + ngettext("{n} contact", "{n} contacts", len(lines)).format(n=len(lines)),
             st.subtitle),
    ]
    if not lines:
        flow.append(para(_("No municipal contacts are recorded."), st.body))
        return flow
    style = st.small.clone("phone", fontSize=FONT_SIZE, leading=FONT_SIZE + 1.5, spaceAfter=0)
    rows: list[list[Any]] = [[_("Name"), _("Function"), _("Organisation"), _("Phone"),
                              _("E-mail")]]
    extra: list[tuple[Any, ...]] = [("TOPPADDING", (0, 0), (-1, -1), 1),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    place = None
    for line in lines:
        if line.place != place:
            place = line.place
            row = len(rows)
            extra += [("SPAN", (0, row), (-1, row)),
                      ("BACKGROUND", (0, row), (-1, row), HEADER_FILL),
                      ("TEXTCOLOR", (0, row), (-1, row), ACCENT),
                      ("FONT", (0, row), (-1, row), FONT_BOLD, FONT_SIZE, FONT_SIZE + 1.5)]
            rows.append([fitted(place or _("without municipality"), style, CONTENT_WIDTH),
                         "", "", "", ""])
        rows.append([fitted(value, style, width, MIN_SIZE) for value, width in zip(
            (line.name, line.title, line.organisation, line.phone, line.email), WIDTHS,
            strict=True)])
    flow.append(grid(rows, WIDTHS, font_size=FONT_SIZE, zebra=False, extra=extra))
    return flow
