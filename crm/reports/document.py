"""The A4 page every report shares, and writing a PDF safely.

Header: the report's title, "Stand: <date>" and the network's logo (when configured).
Footer: the network's name and "Seite x von y". The total page count is only known at the
end, so :class:`_NumberedCanvas` keeps every page's state and draws the footers on save.
Headings made with :func:`heading` become PDF bookmarks. A :class:`TableOfContents` lists
them with their page numbers in a single layout pass: its entries are known before the
layout (one line each, so its height is too), and their page numbers are filled in when the
pages are written out at the end, like the page totals in the footers. reportlab's own
table of contents would lay the whole document out twice (``multiBuild``).

Output is written to a temporary file beside the target (mode 0600) and renamed over it
only when complete, so a failed report never leaves half a PDF or clobbers an older one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from crm.errors import ValidationError
from crm.i18n import N_, _, current_language
from crm.messages import value_label
from crm.reports.fonts import FONT, FONT_BOLD, draw_string, register_fonts, text_width
from crm.reports.styles import ACCENT, MUTED, RULE, markup

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
_LOCALES = {"de": "de_DE", "en": "en_GB"}

Progress = Callable[[int, int], None]


def locale_name() -> str:
    return _LOCALES.get(current_language(), current_language())


def format_day(day: date | datetime | None, fmt: str = "medium") -> str:
    """A date in the report's language: 25.11.2025 / 25 Nov 2025."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone().date() if day.tzinfo else day.date()
    return format_date(day, format=fmt, locale=locale_name())


def format_moment(moment: datetime | None) -> str:
    """Date and local time: 25.11.2025, 14:30."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"{format_day(local)}, {format_time(local, format='short', locale=locale_name())}"


@dataclass(frozen=True)
class ReportMeta:
    """What the page frame and the PDF's document properties show."""

    title: str
    network: str
    stand: date
    subtitle: str = ""
    logo_path: str = ""


class Heading(Paragraph):  # type: ignore[misc] # reportlab has no type hints
    """A heading that becomes a bookmark; :attr:`toc_entry` is its line in the contents."""

    def __init__(self, text: str, style: Any, level: int, key: str) -> None:
        super().__init__(markup(text), style)
        self.outline_title = text
        self.outline_level = level
        self.outline_key = key

    @property
    def toc_entry(self) -> TocEntry:
        return TocEntry(self.outline_level, self.outline_title, self.outline_key)


def heading(text: str, style: Any, level: int, key: str) -> Heading:
    return Heading(text, style, level, key)


@dataclass(frozen=True, slots=True)
class TocEntry:
    level: int
    text: str
    key: str  # the key of the heading it points to


class TableOfContents(Flowable):  # type: ignore[misc] # reportlab has no type hints
    """One line per entry; where each line lands is noted now, its text drawn on save."""

    LINE = {0: 15.0, 1: 12.5}

    def __init__(self, entries: Sequence[TocEntry]) -> None:
        super().__init__()
        self.entries = list(entries)

    def _height(self, entries: Sequence[TocEntry]) -> float:
        return sum(self.LINE.get(e.level, 12.5) for e in entries)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, self._height(self.entries)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        used, count = 0.0, 0
        for entry in self.entries:
            used += self.LINE.get(entry.level, 12.5)
            if used > availHeight:
                break
            count += 1
        if count == 0 or count == len(self.entries):
            return []
        return [TableOfContents(self.entries[:count]), TableOfContents(self.entries[count:])]

    def draw(self) -> None:
        canvas = self.canv
        x, y = canvas.absolutePosition(0, self._height(self.entries))
        slots = getattr(canvas, "toc_slots", None)
        if slots is None:
            return
        for entry in self.entries:
            y -= self.LINE.get(entry.level, 12.5)
            slots.append((canvas.getPageNumber(), entry, x, y + 3, self.width))


class ReportDocTemplate(BaseDocTemplate):  # type: ignore[misc] # reportlab has no type hints
    def __init__(self, filename: str, meta: ReportMeta, **kwargs: Any) -> None:
        register_fonts()
        super().__init__(
            filename, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=meta.title,
            author=meta.network, subject=meta.subtitle or meta.title, creator="Brücke",
            lang=current_language(), **kwargs,
        )
        self.meta = meta
        self._logo = _logo(meta.logo_path)
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_WIDTH,
                      PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._draw_header)])

    def _draw_header(self, canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 12 * mm
        right = PAGE_WIDTH - MARGIN_X
        if self._logo is not None:
            reader, ratio = self._logo
            height = 9 * mm
            width = min(height * ratio, 40 * mm)
            canvas.drawImage(reader, right - width, top - 3 * mm, width, height,
                             preserveAspectRatio=True, anchor="e", mask="auto")
            right -= width + 4 * mm
        canvas.setFillColor(ACCENT)
        draw_string(canvas, MARGIN_X, top, _clip(self.meta.title, FONT_BOLD, 10,
                                                 right - MARGIN_X - 45 * mm), FONT_BOLD, 10)
        canvas.setFillColor(MUTED)
        draw_string(canvas, right, top, _("As of: {date}").format(
            date=format_day(self.meta.stand)), FONT, 8.5, align="right")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 3.5 * mm, PAGE_WIDTH - MARGIN_X, top - 3.5 * mm)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, Heading):
            return
        canvas = self.canv
        # XYZ rather than reportlab's default /Fit, which Qt's PDF viewer rejects.
        canvas.bookmarkPage(flowable.outline_key, fit="XYZ", left=0, top=PAGE_HEIGHT)
        canvas.addOutlineEntry(flowable.outline_title, flowable.outline_key,
                               flowable.outline_level, closed=flowable.outline_level > 0)
        pages = getattr(canvas, "heading_pages", None)
        if pages is not None:
            pages[flowable.outline_key] = canvas.getPageNumber()


def _clip(text: str, font: str, size: float, width: float) -> str:
    """A header line shortened with "…" to fit (the report's full title is in the body)."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _logo(path: str) -> tuple[ImageReader, float] | None:
    """The configured logo, or None when unset or unreadable (a report never fails on it)."""
    if not path:
        return None
    try:
        reader = ImageReader(path)
        width, height = reader.getSize()
    except Exception:  # noqa: BLE001 - any broken image file just leaves the logo out
        return None
    return (reader, width / height) if width and height else None


def numbered_canvas(meta: ReportMeta) -> type[Canvas]:
    """A canvas class drawing "Seite x von y" and the network's name on every page."""

    class _NumberedCanvas(Canvas):  # type: ignore[misc] # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self.page_count = 0
            self.toc_slots: list[tuple[int, TocEntry, float, float, float]] = []
            self.heading_pages: dict[str, int] = {}

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            # Bookmarks name the page they are on by this counter; the real pages are only
            # added in save(), so count them here already and start over there.
            self._doc.pageCounter += 1
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            self._doc.pageCounter = 1
            slots, pages = self.toc_slots, self.heading_pages
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                for page, entry, x, y, width in slots:
                    if page == self._pageNumber:
                        _draw_toc_line(self, entry, pages.get(entry.key), x, y, width)
                super().showPage()
            self.page_count = total
            super().save()

        def _draw_footer(self, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            y = 10 * mm
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 4 * mm, PAGE_WIDTH - MARGIN_X, y + 4 * mm)
            draw_string(self, MARGIN_X, y, _clip(meta.network, FONT, 7.5,
                                                 CONTENT_WIDTH - 40 * mm), FONT, 7.5)
            draw_string(self, PAGE_WIDTH - MARGIN_X, y, _("Page {page} of {pages}").format(
                page=self._pageNumber, pages=total), FONT, 7.5, align="right")
            self.restoreState()

    return _NumberedCanvas


def _draw_toc_line(canvas: Canvas, entry: TocEntry, page: int | None, x: float, y: float,
                   width: float) -> None:
    """One line of contents: the heading, dot leaders, its page number; a link to it."""
    font, size = (FONT_BOLD, 10.0) if entry.level == 0 else (FONT, 9.0)
    indent = 14.0 * entry.level
    number = str(page or "")
    number_width = text_width(number, font, size)
    room = width - indent - number_width - 24
    canvas.saveState()
    used = draw_string(canvas, x + indent, y, _clip(entry.text, font, size, room), font, size)
    canvas.setFont(font, size)
    dot = text_width(" .", font, size)
    start = x + indent + used + 6
    count = int((x + width - number_width - 6 - start) / dot)
    if count > 0:
        canvas.setFillColor(MUTED)
        canvas.drawString(start, y, " ." * count)
        canvas.setFillColor("black")
    canvas.drawRightString(x + width, y, number)
    canvas.linkRect("", entry.key, (x, y - 3, x + width, y + size), relative=0, thickness=0)
    canvas.restoreState()


def build_pdf(path: str | os.PathLike[str], story: Sequence[Flowable], meta: ReportMeta, *,
              progress: Progress | None = None) -> int:
    """Lay out the story on A4 pages in one pass, write it atomically; return the pages."""
    canvas_class = numbered_canvas(meta)
    made: list[Any] = []

    def canvasmaker(*args: Any, **kwargs: Any) -> Canvas:
        canvas = canvas_class(*args, **kwargs)
        canvas.setAuthor(meta.network)
        canvas.setTitle(meta.title)
        canvas.showOutline()
        made.append(canvas)
        return canvas

    with atomic_output(path) as tmp:
        doc = ReportDocTemplate(tmp, meta)
        if progress is not None:
            doc.setProgressCallBack(_progress_adapter(progress))
        doc.build(list(story), canvasmaker=canvasmaker)
    return int(made[-1].page_count)


def _progress_adapter(progress: Progress) -> Callable[[str, int], None]:
    state = {"size": 0}

    def callback(kind: str, value: int) -> None:
        if kind == "SIZE_EST":
            state["size"] = value
        elif kind == "PROGRESS" and state["size"]:
            progress(min(value, state["size"]), state["size"])

    return callback


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary file name beside ``path``; rename it over ``path`` on success.

    Raises:
        ValidationError: ``output``/``cannot_write`` when the folder is missing or not
            writable, or ``path`` is a folder.
    """
    target = Path(path)
    if target.is_dir():
        raise ValidationError.single("output", "cannot_write", path=str(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise ValidationError.single("output", "cannot_write", path=str(target)) from exc
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise ValidationError.single("output", "cannot_write", path=str(target)) from exc
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


# Labels of stored values that crm.messages does not (yet) name.
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "interaction_kind": {
        "meeting": N_("meeting"), "call": N_("call"), "email": N_("e-mail"),
        "letter": N_("letter"), "visit": N_("visit"), "event": N_("event"),
        "other": N_("other"),
    },
    "event_kind": {
        "workshop": N_("workshop"), "seminar": N_("seminar"),
        "fachtagung": N_("specialist conference"), "network-meeting": N_("network meeting"),
        "other": N_("other"),
    },
    "attendee_status": {
        "invited": N_("invited"), "registered": N_("registered"), "attended": N_("attended"),
        "cancelled": N_("cancelled"),
    },
}


def value_text(group: str, value: str) -> str:
    """The translated label of a stored choice, for the reports."""
    source = _VALUE_LABELS.get(group, {}).get(value)
    if source is not None:
        return _(source)
    return value_label(group, value)
