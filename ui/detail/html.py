"""Small HTML building blocks for the detail panes. Every user value goes through esc()."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import quote

from PySide6.QtCore import QDate, QLocale, QTime

from crm.i18n import _, current_language
from crm.messages import value_label
from crm.services.rows import ContactPointRow

RECORD_SCHEME = "bruecke"

# Qt's rich text understands a subset of CSS 2; keep to it.
CSS = """
body { font-size: 10pt; }
h1 { font-size: 15pt; font-weight: 600; margin: 0 0 2px 0; }
h2 { font-size: 11.5pt; font-weight: 600; margin: 16px 0 4px 0; }
h3 { font-size: 10pt; font-weight: 600; margin: 10px 0 2px 0; }
p { margin: 2px 0; }
td { padding: 2px 10px 2px 0; vertical-align: top; }
.sub { color: #5f6368; }
.muted { color: #5f6368; }
.former { color: #80868b; }
.badge { color: #8a4b00; font-weight: 600; }
.tag { color: #1a5fb4; }
.archived { color: #a51d2d; font-weight: 600; }
.empty { color: #80868b; font-style: italic; }
"""


def esc(value: object) -> str:
    """Escape a value for HTML text and attributes."""
    return html.escape(str(value), quote=True)


def multiline(value: str) -> str:
    return "<br>".join(esc(line) for line in value.splitlines())


def page(body: Iterable[str]) -> str:
    return f"<html><head><style>{CSS}</style></head><body>{''.join(body)}</body></html>"


def record_link(kind: str, uid: str, text: str) -> str:
    return f'<a href="{RECORD_SCHEME}:{esc(kind)}/{esc(quote(uid))}">{esc(text)}</a>'


def mailto_link(address: str) -> str:
    href = "mailto:" + quote(address, safe="@+.-_")
    return f'<a href="{esc(href)}">{esc(address)}</a>'


def tel_link(value: str, display: str) -> str:
    href = "tel:" + quote(value.replace(" ", ""), safe="+")
    return f'<a href="{esc(href)}">{esc(display)}</a>'


def web_link(value: str) -> str:
    href = value if value.lower().startswith(("http://", "https://")) else f"https://{value}"
    return f'<a href="{esc(href)}">{esc(value)}</a>'


def contact_value(point: ContactPointRow) -> str:
    """The contact as a link where one makes sense: mailto:, tel: or the web."""
    if point.kind == "email":
        return mailto_link(point.value)
    if point.kind in ("phone", "mobile"):
        return tel_link(point.value, point.display)
    if point.kind == "web":
        return web_link(point.value)
    if point.kind == "postal":
        return multiline(point.display)
    return esc(point.display)


def contact_table(points: Iterable[ContactPointRow]) -> str:
    rows = []
    for point in points:
        label = value_label("contact_kind", point.kind)
        if point.label != "work":
            label = _("{kind} ({label})").format(
                kind=label, label=value_label("contact_label", point.label))
        rows.append(f'<tr><td class="muted">{esc(label)}</td>'
                    f"<td>{contact_value(point)}</td></tr>")
    return f"<table>{''.join(rows)}</table>" if rows else ""


def format_date(value: date | None) -> str:
    """The date in the locale's short format, with a four-digit year."""
    if value is None:
        return ""
    locale = QLocale()
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return locale.toString(QDate(value.year, value.month, value.day), pattern)


def format_moment(moment: datetime) -> str:
    """ "Di., 10.03.2026, 14:30" in the current locale."""
    local = moment.astimezone()
    locale = QLocale()
    return _("{weekday}, {date}, {time}").format(
        weekday=locale.dayName(local.isoweekday(), QLocale.FormatType.ShortFormat),
        date=format_date(local.date()),
        time=locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat))


def moment_text(moment: datetime) -> str:
    """A moment as the user would type it back: 10.03.2026 14:30 (German) or ISO."""
    local = moment.astimezone()
    return local.strftime("%d.%m.%Y %H:%M" if current_language() == "de" else "%Y-%m-%d %H:%M")


def period(since: date | None, until: date | None) -> str:
    """ "since 01.01.22", "01.01.15 – 31.12.21", "until 31.12.21" (already escaped)."""
    if since and until:
        return esc(_("{start} – {end}").format(start=format_date(since),
                                                end=format_date(until)))
    if since:
        return esc(_("since {date}").format(date=format_date(since)))
    if until:
        return esc(_("until {date}").format(date=format_date(until)))
    return ""


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def heading(text: str) -> str:
    return f"<h2>{esc(text)}</h2>"


def badge(text: str) -> str:
    return f'<span class="badge">{esc(text)}</span>'


def paragraph(text: str, css: str = "") -> str:
    return f'<p class="{esc(css)}">{esc(text)}</p>' if css else f"<p>{esc(text)}</p>"


def empty(text: str) -> str:
    return f'<p class="empty">{esc(text)}</p>'
