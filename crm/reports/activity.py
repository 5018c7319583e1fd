"""Tätigkeitsbericht: what the network did in a period (optionally for one funded project)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from babel.dates import format_date
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from crm.i18n import _, ngettext
from crm.messages import value_label
from crm.reports.data import ActivityData
from crm.reports.document import CONTENT_WIDTH, format_day, locale_name, value_text
from crm.reports.fonts import FONT
from crm.reports.map_drawing import district_map
from crm.reports.styles import cell, fitted, grid, para, section, styles

PALETTE = [colors.HexColor(c) for c in (
    "#1f4e79", "#2e86ab", "#a23b72", "#f18f01", "#c73e1d", "#3b8b5a", "#7d7d7d", "#6c4f9e")]


def story(report: ActivityData) -> list[Flowable]:
    st = styles()
    period = f"{format_day(report.date_from)} – {format_day(report.date_to)}"
    subtitle = (_("{period}, project: {project}").format(period=period, project=report.project)
                if report.project else period)
    attended = sum(e.attended for e in report.events)
    flow: list[Flowable] = [
        para(_("Activity report"), st.title), para(subtitle, st.subtitle),
        para(" · ".join((
            ngettext("{n} interaction", "{n} interactions", report.total).format(n=report.total),
            ngettext("{n} event", "{n} events", len(report.events)).format(n=len(report.events)),
            ngettext("{n} participant", "{n} participants", attended).format(n=attended),
        )), st.body),
    ]
    if not report.total and not report.events:
        flow.append(para(_("Nothing was recorded in this period."), st.body))
        return flow
    flow += _by_kind(report) + _by_month(report) + _by_district(report)
    flow += _by_org_kind(report) + _events(report) + _list(report)
    return flow


def _counts_table(rows: list[tuple[str, int]], head: str) -> Flowable:
    data: list[list[Any]] = [[head, _("Number")]]
    data += [[cell(label, styles().cell, 60 * mm), str(n)] for label, n in rows]
    return grid(data, [60 * mm, 20 * mm], extra=[("ALIGN", (1, 0), (1, -1), "RIGHT")])


def _by_kind(report: ActivityData) -> list[Flowable]:
    if not report.by_kind:
        return []
    rows = [(value_text("interaction_kind", k), n) for k, n in report.by_kind]
    pie = _pie(rows, 70 * mm, 45 * mm)
    side = grid([[_counts_table(rows, _("Kind")), pie]], [85 * mm, CONTENT_WIDTH - 85 * mm],
                header=False, zebra=False, extra=[("LINEBELOW", (0, 0), (-1, -1), 0, "white")])
    return [*section(_("Interactions by kind")), side]


def _pie(rows: list[tuple[str, int]], width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 5, 5, height - 10, height - 10
    pie.data = [n for _label, n in rows]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.5
    for index in range(len(rows)):
        pie.slices[index].fillColor = PALETTE[index % len(PALETTE)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = height + 2, height - 6
    legend.fontName, legend.fontSize = FONT, 7
    legend.alignment = "right"
    legend.columnMaximum = len(rows)
    legend.deltay = 10
    legend.dx = legend.dy = 6
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], label)
                             for i, (label, _n) in enumerate(rows)]
    drawing.add(legend)
    return drawing


def _by_month(report: ActivityData) -> list[Flowable]:
    if not report.by_month:
        return []
    kinds = [k for k, _n in report.by_kind]
    months = [_month(m, "MMM yy") for m, _c in report.by_month]  # short: under narrow bars
    first = 22 * mm
    rest = (CONTENT_WIDTH - first) / (len(kinds) + 1)
    # Many kinds make narrow columns: a long name ("Veranstaltung") shrinks to fit its own.
    number_head = ParagraphStyle("count-head", styles().cell_head, fontSize=7.5, leading=9.5,
                                 alignment=TA_RIGHT)
    head = [_("Month"), *[fitted(value_text("interaction_kind", k), number_head, rest)
                          for k in kinds], fitted(_("Total"), number_head, rest)]
    rows: list[list[Any]] = [head]
    for month, counts in report.by_month:
        rows.append([_month(month), *[str(counts.get(k, 0)) for k in kinds],
                     str(sum(counts.values()))])
    table = grid(rows, [first] + [rest] * (len(kinds) + 1), font_size=7.5,
                 extra=[("ALIGN", (1, 0), (-1, -1), "RIGHT")])
    chart = _bar_chart(months, [[c.get(k, 0) for _m, c in report.by_month] for k in kinds], kinds)
    return [*section(_("Interactions by month")), KeepTogether([chart, table])]


def _month(key: str, pattern: str = "LLLL yyyy") -> str:
    """"2026-03" → "März 2026" / "March 2026" (or "März 26" with ``MMM yy``)."""
    year, month = (int(x) for x in key.split("-"))
    return format_date(date(year, month, 1), pattern, locale=locale_name())


def _bar_chart(months: list[str], series: list[list[int]], kinds: list[str]) -> Drawing:
    width, height = CONTENT_WIDTH, 55 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    tilted = len(months) > 8  # slanted labels need room below the axis
    bottom = 30 if tilted else 18
    chart.x, chart.y, chart.height = 28, bottom, height - bottom - 10
    chart.width = min(width - 150, max(90, 42 * len(months)))  # no fat bars for short periods
    chart.data = series
    chart.categoryAxis.categoryNames = months
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30 if tilted else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if tilted else "n"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    highest = max((sum(column) for column in zip(*series, strict=True)), default=0)
    chart.valueAxis.valueStep = max(1, math.ceil(highest / 5))  # whole numbers only
    chart.barSpacing = 1
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 110, height - 8
    legend.fontName, legend.fontSize = FONT, 7
    legend.alignment = "right"
    legend.columnMaximum = len(kinds)
    legend.deltay = 10
    legend.dx = legend.dy = 6
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], value_text("interaction_kind", k))
                             for i, k in enumerate(kinds)]
    drawing.add(legend)
    return drawing


def _by_district(report: ActivityData) -> list[Flowable]:
    flow: list[Flowable] = section(_("Contacts by district"), room=110 * mm)
    flow.append(district_map(report.district_contacts, CONTENT_WIDTH, 95 * mm, report.date_to))
    if report.by_district:
        flow += [Spacer(1, 2 * mm), _counts_table(list(report.by_district), _("District"))]
    else:
        flow.append(para(_("No interaction is assigned to a municipality."), styles().muted))
    return flow


def _by_org_kind(report: ActivityData) -> list[Flowable]:
    if not report.by_org_kind:
        return []
    rows = [(value_label("organisation_kind", k), n) for k, n in report.by_org_kind]
    return [*section(_("Interactions by kind of organisation")),
            _counts_table(rows, _("Kind of organisation"))]


def _events(report: ActivityData) -> list[Flowable]:
    st = styles()
    if not report.events:
        return []
    widths = [22 * mm, CONTENT_WIDTH - 112 * mm, 36 * mm, 18 * mm, 18 * mm, 18 * mm]
    rows: list[list[Any]] = [[_("Date"), _("Event"), _("Municipality"), _("attended"),
                              _("registered"), _("invited")]]
    for e in report.events:
        rows.append([format_day(e.starts_at), cell(e.title, st.cell, widths[1]),
                     cell(e.place, st.cell, widths[2]), str(e.attended), str(e.registered),
                     str(e.invited)])
    return [*section(_("Events")),
            grid(rows, widths, extra=[("ALIGN", (3, 0), (-1, -1), "RIGHT")])]


def _list(report: ActivityData) -> list[Flowable]:
    st = styles()
    if not report.interactions:
        return []
    widths = [18 * mm, 15 * mm, 55 * mm, 34 * mm, CONTENT_WIDTH - 122 * mm]
    rows: list[list[Any]] = [[_("Date"), _("Kind"), _("Subject"), _("Municipality"),
                              _("Participants")]]
    for i in report.interactions:
        rows.append([format_day(i.occurred_at), value_text("interaction_kind", i.kind),
                     cell(i.subject, st.cell, widths[2]), cell(i.place, st.cell, widths[3]),
                     cell(", ".join(i.names), st.cell, widths[4])])
    return [*section(_("All interactions")), grid(rows, widths, font_size=7.5)]
