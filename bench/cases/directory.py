"""Directory report: the municipal contact directory PDF of the medium set through the report
service, against plain reportlab building the same flowables (an escaped Paragraph per cell,
the same font, one table per place, reportlab's TableOfContents with ``multiBuild``) from
rows fetched by one raw query.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from bench.cases import Context, connect_readonly, interleaved, median, open_app
from bench.report import Entry

NAME = "directory report"
TARGET = 1.5

# Every organisation with a seat, with its current role holders (or none), in print order.
ROWS_SQL = """
SELECT COALESCE(CASE WHEN m.level IN ('district', 'independent-city') THEN m.name END,
                d.name) AS district,
       m.name AS place, m.level IN ('district', 'independent-city') AS seat,
       o.id, o.name, o.kind,
       (SELECT value FROM contact_point c WHERE c.organisation_id = o.id
        AND c.kind IN ('phone', 'mobile') ORDER BY c.preferred DESC, c.id LIMIT 1),
       (SELECT value FROM contact_point c WHERE c.organisation_id = o.id AND c.kind = 'email'
        ORDER BY c.preferred DESC, c.id LIMIT 1),
       h.full_name, h.transliteration, h.title,
       (SELECT value FROM contact_point c WHERE (c.role_id = h.role_id OR c.person_id = h.pid)
        AND c.kind IN ('phone', 'mobile') ORDER BY c.role_id IS NULL, c.preferred DESC, c.id
        LIMIT 1),
       (SELECT value FROM contact_point c WHERE (c.role_id = h.role_id OR c.person_id = h.pid)
        AND c.kind = 'email' ORDER BY c.role_id IS NULL, c.preferred DESC, c.id LIMIT 1)
FROM organisation o
JOIN municipality m ON m.id = o.municipality_id
LEFT JOIN municipality d ON d.id = m.parent_id
LEFT JOIN (SELECT r.id AS role_id, r.organisation_id, r.title, p.id AS pid, p.full_name,
                  p.transliteration, p.sort_key
           FROM role r JOIN person p ON p.id = r.person_id
           WHERE p.archived_at IS NULL AND (r.end_date IS NULL OR r.end_date > :today)) h
       ON h.organisation_id = o.id
WHERE o.archived_at IS NULL AND m.level != 'state'
ORDER BY district, seat DESC, m.sort_key, o.kind, o.sort_key, o.id, h.title, h.sort_key
"""


def run(ctx: Context) -> Entry:
    size = ctx.size("medium")
    path = ctx.dataset(size).path
    app = open_app(ctx, path)
    ours_pdf = ctx.work_dir / "directory-bruecke.pdf"
    theirs_pdf = ctx.work_dir / "directory-baseline.pdf"
    pages: dict[str, int] = {}
    try:
        def ours() -> None:
            pages["bruecke"] = app.reports.directory(ours_pdf).pages

        def theirs() -> None:
            pages["baseline"] = baseline_directory(path, theirs_pdf)

        runs = ctx.repeat(2, 1)
        app_times, raw_times = interleaved(ours, theirs, runs)
    finally:
        app.close()
    return Entry(NAME, median(app_times), "s", median(raw_times), TARGET, dataset=size,
                 details={"pages": pages.get("bruecke", 0),
                          "baseline_pages": pages.get("baseline", 0), "runs": runs})


# -- the baseline -----------------------------------------------------------------------------

def baseline_directory(path: Path, output: Path) -> int:
    """Plain reportlab: every cell an escaped Paragraph, contents by ``multiBuild``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        CondPageBreak,
        Frame,
        PageBreak,
        PageTemplate,
        Paragraph,
    )
    from reportlab.platypus.tableofcontents import TableOfContents

    from crm.reports.fonts import register_fonts

    register_fonts()
    st = _styles()
    rows = _rows(path)

    class Doc(BaseDocTemplate):  # type: ignore[misc]
        def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's name
            level = getattr(flowable, "toc_level", None)
            if level is not None:
                self.notify("TOCEntry", (level, flowable.getPlainText(), self.page))

    doc = Doc(str(output), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
              topMargin=24 * mm, bottomMargin=18 * mm)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame])])
    toc = TableOfContents()
    story: list[Any] = [Paragraph("Kontaktverzeichnis Kommunen", st["title"]),
                        Paragraph("Inhalt", st["h2"]), toc]
    for district, places in groupby(rows, key=lambda r: r[0]):
        story += [PageBreak(), _heading(district, st["h1"], 0)]
        for (place, seat), orgs in groupby(places, key=lambda r: (r[1], r[2])):
            if not seat:
                story += [CondPageBreak(30 * mm), _heading(place, st["h2"], 1)]
            story.append(_table(list(orgs), st))
    doc.multiBuild(story)
    return int(doc.page)


def _rows(path: Path) -> list[tuple[Any, ...]]:
    conn = connect_readonly(path)
    try:
        return conn.execute(ROWS_SQL, {"today": date.today().isoformat()}).fetchall()
    finally:
        conn.close()


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    from crm.reports.fonts import FONT, FONT_BOLD

    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=17, leading=21),
        "h1": ParagraphStyle("h1", base, fontName=FONT_BOLD, fontSize=14, leading=18),
        "h2": ParagraphStyle("h2", base, fontName=FONT_BOLD, fontSize=11.5, leading=15),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10),
        "bold": ParagraphStyle("bold", base, fontName=FONT_BOLD, fontSize=8, leading=10),
    }


def _heading(text: str, style: Any, level: int) -> Any:
    from reportlab.platypus import Paragraph

    heading = Paragraph(_escape(text), style)
    heading.toc_level = level
    return heading


def _escape(text: str | None) -> str:
    from xml.sax.saxutils import escape

    return escape(text or "")


def _table(rows: list[tuple[Any, ...]], st: dict[str, Any]) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    def p(text: str | None, style: str = "cell") -> Paragraph:
        return Paragraph(_escape(text), st[style])

    data: list[list[Any]] = [[p("Name", "bold"), p("Funktion", "bold"), p("Telefon", "bold"),
                              p("E-Mail", "bold")]]
    spans: list[tuple[Any, ...]] = []
    for kind, by_kind in groupby(rows, key=lambda r: r[5]):
        spans.append(("SPAN", (0, len(data)), (-1, len(data))))
        data.append([p(kind, "bold"), "", "", ""])
        for _org, holders in groupby(by_kind, key=lambda r: r[3]):
            for number, row in enumerate(holders):
                if number == 0:
                    spans.append(("SPAN", (0, len(data)), (1, len(data))))
                    data.append([p(row[4], "bold"), "", p(row[6]), p(row[7])])
                if row[8] is not None:
                    name = f"{row[8]}\n{row[9]}" if row[9] else row[8]
                    data.append([p(name), p(row[10]), p(row[11]), p(row[12])])
    widths = [48 * mm, 38 * mm, 27 * mm, 174 * mm - 113 * mm]
    return Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT",
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *spans]))
