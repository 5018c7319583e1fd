"""Paragraph styles and the one way user text enters a report: escaped, shaped, ordered.

Every text typed by a user (names, notes, organisation names …) goes through :func:`markup`
or :func:`para`: ``<``, ``&``, ``>`` and quotes are escaped so that they print as themselves
and never act as reportlab markup. Table cells take :func:`cell`, which keeps plain strings
(fast, no markup parsing) where they suffice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from crm.reports.fonts import (
    FONT,
    FONT_BOLD,
    fallback_markup,
    has_rtl,
    is_complex,
    is_rtl_paragraph,
    normalise,
    register_fonts,
    text_width,
    visual,
)

_QUOTES = {'"': "&quot;", "'": "&#39;"}
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b7c3")
HEADER_FILL = colors.HexColor("#dde5f0")
ZEBRA = colors.HexColor("#f3f5f9")


def escape(text: str) -> str:
    """Escape user text for Paragraph markup: ``<b>&amp;"'`` prints as typed."""
    return _xml_escape(text, _QUOTES)


def markup(text: str | None) -> str:
    """User text (one or more lines) as safe Paragraph markup, in visual order."""
    lines = normalise(text).split("\n")
    return "<br/>".join(fallback_markup(escape(visual(line))) for line in lines)


def para(text: str | None, style: ParagraphStyle, *, prefix: str = "",
         align_rtl: bool = False) -> Paragraph:
    """A Paragraph of user text; ``prefix`` is trusted markup (e.g. a bold label) before it.

    With ``align_rtl`` (for running text such as notes), mostly right-to-left text aligns
    right; names and titles stay left-aligned like everything else in the report.
    """
    clean = normalise(text)
    if has_rtl(clean):
        return BidiParagraph(clean, style, prefix=prefix, align_rtl=align_rtl)
    shaped = is_complex(clean) or is_complex(prefix)
    return Paragraph(prefix + markup(clean), shaping_variant(style) if shaped else style)


def cell(text: str | None, style: ParagraphStyle, width: float | None = None) -> Any:
    """A table cell: the plain string where it prints as is and fits, else a Paragraph.

    Plain strings skip reportlab's markup parser (the directory has tens of thousands of
    cells); they may hold line breaks, which the table draws line by line.
    """
    clean = normalise(text)
    if is_complex(clean):
        return para(clean, style)
    if width is not None:
        room = width - 6
        for line in clean.split("\n"):
            if stringWidth(line, style.fontName, style.fontSize) > room:
                return Paragraph(markup(clean), style)
    return clean


def fitted(text: str | None, style: ParagraphStyle, width: float, min_size: float = 5.5
           ) -> Any:
    """A one-line cell that shrinks (down to ``min_size``) instead of wrapping; it wraps only
    when even that is too wide. For compact lists such as the phone list."""
    clean = normalise(text)
    room = width - 6
    natural = text_width(clean, style.fontName, style.fontSize)
    if natural <= room:
        return cell(clean, style)
    size = max(min_size, int(style.fontSize * room / natural * 4) / 4)
    return para(clean, _sized(style, size))


@lru_cache(maxsize=64)
def _sized(style: ParagraphStyle, size: float) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size,
                          leading=max(style.leading * size / style.fontSize, size + 1))


@lru_cache(maxsize=64)
def _variant(style: ParagraphStyle, rtl: bool) -> ParagraphStyle:
    changes: dict[str, Any] = {"shaping": 1}
    if rtl:
        changes["alignment"] = TA_RIGHT
    return ParagraphStyle(f"{style.name}-shaped{'-rtl' if rtl else ''}", parent=style, **changes)


def shaping_variant(style: ParagraphStyle, rtl: bool = False) -> ParagraphStyle:
    """The style with HarfBuzz shaping on (only used for text that needs it: it is slower)."""
    return _variant(style, rtl)


class BidiParagraph(Paragraph):  # type: ignore[misc] # reportlab has no type hints
    """A paragraph with right-to-left text, broken into lines before the words are reordered.

    Reordering words visually before reportlab wraps them would put the end of a long
    Arabic note on the first line; so the lines are chosen in logical order for the width
    the paragraph gets, then each line is reordered on its own.
    """

    def __init__(self, text: str | None, style: ParagraphStyle, bulletText: Any = None,  # noqa: N803
                 frags: Any = None, *, prefix: str = "", align_rtl: bool = False) -> None:
        self._raw = text
        self._prefix = prefix
        self._base_style = style
        self._laid_out_for: float | None = None
        if frags is not None:
            # The second half of a split: its lines are already laid out and ordered.
            self._raw = None
            super().__init__(None, style, bulletText=bulletText, frags=frags)
            return
        self._rtl = align_rtl and is_rtl_paragraph(text or "")
        super().__init__(prefix + markup(text), shaping_variant(style, self._rtl))

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._raw is not None and self._laid_out_for != availWidth:
            self._laid_out_for = availWidth
            style = self._base_style
            room = availWidth - style.leftIndent - style.rightIndent
            lines = [line for raw in self._raw.split("\n")
                     for line in _break_lines(raw, style.fontName, style.fontSize, room)]
            text = "<br/>".join(fallback_markup(escape(visual(line))) for line in lines)
            Paragraph.__init__(self, self._prefix + text, shaping_variant(style, self._rtl))
        width, height = super().wrap(availWidth, availHeight)
        return float(width), float(height)


def _break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking in logical order, measuring each word as it prints (shaped)."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in text.split(" "):
        needed = text_width(word, font, size)
        if current and used + space + needed > width:
            lines.append(" ".join(current))
            current, used = [word], needed
        else:
            used += (space if current else 0.0) + needed
            current.append(word)
    lines.append(" ".join(current))
    return lines


def section(title: str, style: ParagraphStyle | None = None, room: float = 30 * mm
            ) -> list[Flowable]:
    """A section heading that never stands alone at the foot of a page.

    Headings do not use ``keepWithNext``: kept with a long table, a heading would drag the
    whole table to the next page and leave the rest of this one empty.
    """
    return [CondPageBreak(room), para(title, style or styles().h2)]


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_head: ParagraphStyle
    cell_large: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=3)
    return Styles(
        title=ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=17, leading=21,
                             textColor=ACCENT, spaceAfter=2),
        subtitle=ParagraphStyle("subtitle", base, fontSize=10.5, leading=14, textColor=MUTED,
                                spaceAfter=8),
        h1=ParagraphStyle("h1", base, fontName=FONT_BOLD, fontSize=14, leading=18,
                          textColor=ACCENT, spaceBefore=10, spaceAfter=5),
        h2=ParagraphStyle("h2", base, fontName=FONT_BOLD, fontSize=11.5, leading=15,
                          spaceBefore=8, spaceAfter=3),
        h3=ParagraphStyle("h3", base, fontName=FONT_BOLD, fontSize=10, leading=13,
                          spaceBefore=5, spaceAfter=2, textColor=MUTED),
        body=base,
        small=ParagraphStyle("small", base, fontSize=8, leading=10),
        muted=ParagraphStyle("muted", base, fontSize=8, leading=10, textColor=MUTED),
        cell=ParagraphStyle("cell", base, fontSize=8, leading=10, spaceAfter=0),
        cell_bold=ParagraphStyle("cell_bold", base, fontName=FONT_BOLD, fontSize=8, leading=10,
                                 spaceAfter=0),
        cell_head=ParagraphStyle("cell_head", base, fontName=FONT_BOLD, fontSize=8, leading=10,
                                 spaceAfter=0),
        cell_large=ParagraphStyle("cell_large", base, fontSize=9, leading=11, spaceAfter=0),
    )


def grid(data: list[list[Any]], widths: list[float], *, header: bool = True,
         zebra: bool = True, split_in_row: bool = False, font_size: float = 8,
         extra: list[tuple[Any, ...]] | None = None) -> Table:
    """The house table: bold header row repeated on every page, light rules and stripes."""
    register_fonts()
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size, font_size + 2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header:
        commands += [("FONT", (0, 0), (-1, 0), FONT_BOLD, font_size, font_size + 2),
                     ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT)]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1),
                         [colors.white, ZEBRA]))
    commands += extra or []
    return Table(data, colWidths=widths, repeatRows=1 if header else 0,
                 style=TableStyle(commands), splitInRow=1 if split_in_row else 0,
                 hAlign="LEFT")
