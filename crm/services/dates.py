"""Dates as people type them in the quick log: "gestern", "letzten Dienstag", "12.3.", ISO.

Relative words are read against a reference moment that the caller passes in (tests never
depend on today). Which way an incomplete date points depends on what it is for: a meeting
that took place lies in the past ("Montag" = the last Monday, "12.3." = the last 12 March),
a follow-up is due in the future ("Montag" = next Monday).

Supported, German and English, case-insensitive:

- ``heute``/``today``, ``gestern``/``yesterday``, ``vorgestern``/``day before yesterday``,
  ``morgen``/``tomorrow``, ``übermorgen``/``day after tomorrow``;
- weekdays, full or abbreviated: ``Dienstag``, ``Di``, ``letzten Dienstag``, ``nächsten
  Montag``, ``tuesday``, ``last tuesday``, ``next monday``;
- ``vor 3 Tagen``, ``in 2 Wochen``, ``3 days ago``, ``in 2 weeks``;
- ``12.3.``, ``12.03.26``, ``12.03.2026``, ``2026-03-12``, ``2026-03-12T14:30[+01:00]``;
- any of these followed by a time: ``gestern 14:30``, ``12.03.2026 14:30``, ``14 Uhr``;
  a time alone means today.

A moment without a time of day is placed at noon, so that it stays on the same calendar day
in every time zone the database may be read in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from crm.errors import ValidationError

Direction = Literal["past", "future"]
NOON = time(12, 0)

_WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate((
    ("montag", "mo", "monday", "mon"),
    ("dienstag", "di", "tuesday", "tue", "tues"),
    ("mittwoch", "mi", "wednesday", "wed"),
    ("donnerstag", "do", "thursday", "thu", "thur", "thurs"),
    ("freitag", "fr", "friday", "fri"),
    ("samstag", "sa", "sonnabend", "saturday", "sat"),
    ("sonntag", "so", "sunday", "sun"),
)):
    for _name in _names:
        _WEEKDAYS[_name] = _index

_DAY_WORDS = {
    "heute": 0, "today": 0,
    "gestern": -1, "yesterday": -1,
    "vorgestern": -2, "day before yesterday": -2,
    "morgen": 1, "tomorrow": 1,
    "uebermorgen": 2, "day after tomorrow": 2,
}
_LAST = ("letzten", "letzter", "letzte", "vergangenen", "vergangener", "last", "previous")
_NEXT = ("naechsten", "naechster", "naechste", "kommenden", "kommender", "next", "coming")
_ON = ("am", "on")
_UNITS = {"tag": 1, "tage": 1, "tagen": 1, "day": 1, "days": 1,
          "woche": 7, "wochen": 7, "week": 7, "weeks": 7}

_TIME = re.compile(
    r"^(?:um\s+|at\s+)?(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2}))?\s*(?P<suffix>uhr|h)?$"
)
_TRAILING_TIME = re.compile(
    r"^(?P<rest>.*?)\s+(?P<time>(?:um\s+|at\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:uhr|h)?)$"
)
_GERMAN_DATE = re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2}|\d{4})?$")
_RELATIVE = re.compile(r"^(?:vor\s+(?P<ago>\d{1,3})\s+(?P<u1>\w+)|(?P<ago2>\d{1,3})\s+"
                       r"(?P<u2>\w+)\s+ago|in\s+(?P<ahead>\d{1,3})\s+(?P<u3>\w+))$")


def parse_moment(field: str, text: str | datetime | None, *, now: datetime | None = None,
                 direction: Direction = "past") -> datetime:
    """The moment ``text`` names, as an aware datetime in the time zone of ``now``.

    Args:
        field: Named in the ValidationError ("date").
        text: What the user typed; empty means ``now``.
        now: The reference moment (aware); the local current time if not given.
        direction: Where a date without year or a bare weekday points.

    Raises:
        ValidationError: ``{field: ("invalid_date", {"value": text})}``.
    """
    reference = _aware(now or datetime.now().astimezone())
    if isinstance(text, datetime):
        return _aware(text, reference)
    raw = (text or "").strip()
    if not raw:
        return reference
    iso = _iso(field, raw, reference)
    if iso is not None:
        return iso
    words = _normalise(raw)
    clock = _clock(words)
    if clock is not None:
        return datetime.combine(reference.date(), clock, reference.tzinfo)
    day_text, clock = _split_time(words)
    day = _day(day_text, reference.date(), direction)
    if day is None:
        raise ValidationError.single(field, "invalid_date", value=raw)
    if clock is None:
        if day_text in ("heute", "today"):
            return reference
        clock = NOON
    return datetime.combine(day, clock, reference.tzinfo)


def parse_day(field: str, text: str | date | None, *, today: date | None = None,
              direction: Direction = "future") -> date | None:
    """A calendar day (follow-up due dates): same forms as :func:`parse_moment`, no time.

    Empty text gives None. Raises ValidationError ``invalid_date``.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = (text or "").strip()
    if not raw:
        return None
    reference = today or date.today()
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        parsed = None
    if parsed is None and not re.match(r"^\d{4}-", raw):
        parsed = _day(_normalise(raw), reference, direction)
    if parsed is None:
        raise ValidationError.single(field, "invalid_date", value=raw)
    return parsed


def local_date(moment: datetime) -> date:
    """The calendar day of a stored (UTC) moment, in the local time zone."""
    return _aware(moment).astimezone().date()


def utc_bounds(date_from: date | None, date_to: date | None
               ) -> tuple[datetime | None, datetime | None]:
    """Local calendar days (both included) → the moments [start, end) in UTC."""
    def start(day: date) -> datetime:
        return datetime.combine(day, time()).astimezone().astimezone(UTC)
    return (start(date_from) if date_from else None,
            start(date_to + timedelta(days=1)) if date_to else None)


def _aware(moment: datetime, reference: datetime | None = None) -> datetime:
    if moment.tzinfo is not None:
        return moment
    if reference is not None and reference.tzinfo is not None:
        return moment.replace(tzinfo=reference.tzinfo)
    return moment.astimezone()


def _iso(field: str, raw: str, reference: datetime) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", raw):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError.single(field, "invalid_date", value=raw) from None
    if len(raw) == 10:  # a date without a time
        parsed = datetime.combine(parsed.date(), NOON)
    return _aware(parsed, reference)


def _normalise(raw: str) -> str:
    text = raw.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return " ".join(text.replace(",", " ").split())


def _clock(text: str) -> time | None:
    """A time of day: "14:30", "14 Uhr", "14.30 Uhr", "9h"; a bare number is none."""
    match = _TIME.match(text)
    if match is None or not (match.group("sep") == ":" or match.group("suffix")):
        return None
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _split_time(text: str) -> tuple[str, time | None]:
    match = _TRAILING_TIME.match(text)
    if match is None:
        return text, None
    clock = _clock(match.group("time"))
    if clock is None:
        return text, None
    return match.group("rest").strip(), clock


def _day(text: str, today: date, direction: Direction) -> date | None:
    if text in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[text])
    german = _GERMAN_DATE.match(text)
    if german is not None:
        return _german_date(german, today, direction)
    relative = _RELATIVE.match(text)
    if relative is not None:
        return _relative(relative, today)
    return _weekday(text, today, direction)


def _german_date(match: re.Match[str], today: date, direction: Direction) -> date | None:
    day, month, year_text = int(match.group("d")), int(match.group("m")), match.group("y")
    try:
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, month, day)
        candidate = date(today.year, month, day)
    except ValueError:
        return None
    try:
        if direction == "past" and candidate > today:
            return candidate.replace(year=today.year - 1)
        if direction == "future" and candidate < today:
            return candidate.replace(year=today.year + 1)
    except ValueError:  # 29 February in a year without it
        return None
    return candidate


def _relative(match: re.Match[str], today: date) -> date | None:
    number = match.group("ago") or match.group("ago2") or match.group("ahead")
    unit = match.group("u1") or match.group("u2") or match.group("u3")
    if unit not in _UNITS:
        return None
    days = int(number) * _UNITS[unit]
    return today + timedelta(days=days if match.group("ahead") else -days)


def _weekday(text: str, today: date, direction: Direction) -> date | None:
    words = text.split()
    modifier = ""
    if len(words) == 2 and words[0] in (*_LAST, *_NEXT, *_ON):
        modifier, words = words[0], words[1:]
    if len(words) != 1 or words[0].rstrip(".") not in _WEEKDAYS:
        return None
    target = _WEEKDAYS[words[0].rstrip(".")]
    if modifier in _LAST:
        back = (today.weekday() - target) % 7 or 7
        return today - timedelta(days=back)
    if modifier in _NEXT or direction == "future":
        ahead = (target - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return today - timedelta(days=(today.weekday() - target) % 7)


def days_since(day: date | None, today: date | None = None) -> int | None:
    """Whole days from ``day`` to ``today`` (never negative); None without a day."""
    if day is None:
        return None
    return max(0, ((today or date.today()) - day).days)
