"""Dates typed in the quick log: German and English words, German and ISO dates.

Every test passes its reference moment in; nothing depends on today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from crm.errors import ValidationError
from crm.services.dates import local_date, parse_day, parse_moment, utc_bounds

BERLIN = timezone(timedelta(hours=1))
# Thursday, 12 March 2026, 16:45 in Erfurt.
NOW = datetime(2026, 3, 12, 16, 45, tzinfo=BERLIN)
TODAY = NOW.date()


def day_of(text: str, direction: str = "past") -> date:
    return parse_moment("date", text, now=NOW, direction=direction).date()  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [
    ("heute", date(2026, 3, 12)),
    ("Heute", date(2026, 3, 12)),
    ("today", date(2026, 3, 12)),
    ("gestern", date(2026, 3, 11)),
    ("yesterday", date(2026, 3, 11)),
    ("vorgestern", date(2026, 3, 10)),
    ("day before yesterday", date(2026, 3, 10)),
    ("letzten Dienstag", date(2026, 3, 10)),
    ("last tuesday", date(2026, 3, 10)),
    ("letzten Donnerstag", date(2026, 3, 5)),  # "last" never means today
    ("Montag", date(2026, 3, 9)),
    ("Mo", date(2026, 3, 9)),
    ("monday", date(2026, 3, 9)),
    ("Donnerstag", date(2026, 3, 12)),  # a bare weekday in the past includes today
    ("Freitag", date(2026, 3, 6)),
    ("vor 3 Tagen", date(2026, 3, 9)),
    ("2 weeks ago", date(2026, 2, 26)),
    ("12.3.", date(2026, 3, 12)),
    ("1.2.", date(2026, 2, 1)),
    ("24.12.", date(2025, 12, 24)),  # no year: the last 24 December
    ("12.03.2026", date(2026, 3, 12)),
    ("12.03.26", date(2026, 3, 12)),
    ("2026-03-01", date(2026, 3, 1)),
])
def test_past_days(text: str, expected: date) -> None:
    assert day_of(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("morgen", date(2026, 3, 13)),
    ("übermorgen", date(2026, 3, 14)),
    ("tomorrow", date(2026, 3, 13)),
    ("Montag", date(2026, 3, 16)),
    ("Donnerstag", date(2026, 3, 19)),  # a follow-up "Thursday" is next week's
    ("nächsten Freitag", date(2026, 3, 13)),
    ("next friday", date(2026, 3, 13)),
    ("in 2 Wochen", date(2026, 3, 26)),
    ("in 3 days", date(2026, 3, 15)),
    ("1.2.", date(2027, 2, 1)),  # no year: the next 1 February
    ("31.12.2026", date(2026, 12, 31)),
])
def test_future_days_for_follow_ups(text: str, expected: date) -> None:
    assert parse_day("due", text, today=TODAY, direction="future") == expected


def test_times_of_day() -> None:
    assert parse_moment("date", "12.03.2026 14:30", now=NOW) == datetime(
        2026, 3, 12, 14, 30, tzinfo=BERLIN)
    assert parse_moment("date", "gestern 9:05", now=NOW) == datetime(
        2026, 3, 11, 9, 5, tzinfo=BERLIN)
    assert parse_moment("date", "letzten Dienstag um 14 Uhr", now=NOW).time() == time(14, 0)
    assert parse_moment("date", "14:30", now=NOW) == datetime(2026, 3, 12, 14, 30,
                                                              tzinfo=BERLIN)
    assert parse_moment("date", "2026-03-01T10:15", now=NOW) == datetime(
        2026, 3, 1, 10, 15, tzinfo=BERLIN)
    assert parse_moment("date", "2026-03-01T10:15+00:00", now=NOW) == datetime(
        2026, 3, 1, 10, 15, tzinfo=UTC)


def test_today_is_now_other_days_are_at_noon() -> None:
    assert parse_moment("date", "heute", now=NOW) == NOW
    assert parse_moment("date", "", now=NOW) == NOW
    assert parse_moment("date", "gestern", now=NOW).time() == time(12, 0)
    assert parse_moment("date", "2026-03-01", now=NOW).time() == time(12, 0)


def test_results_are_aware() -> None:
    for text in ("heute", "gestern", "12.3.", "12.03.2026 14:30", "2026-03-01", "Montag"):
        assert parse_moment("date", text, now=NOW).tzinfo is not None


@pytest.mark.parametrize("text", [
    "31.02.2026", "30.2.", "2026-02-31", "32.01.2026", "12.13.2026", "gestern 25:00",
    "letzten Blautag", "irgendwann", "12.03.2026 14", "vor drei Tagen", "in 3 Monaten",
])
def test_impossible_dates_are_invalid(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_moment("date", text, now=NOW)
    assert info.value.errors == {"date": ("invalid_date", {"value": text})}


def test_parse_day_refuses_impossible_dates_and_keeps_empty() -> None:
    with pytest.raises(ValidationError) as info:
        parse_day("due", "31.02.2026", today=TODAY)
    assert info.value.errors["due"][0] == "invalid_date"
    assert parse_day("due", "", today=TODAY) is None
    assert parse_day("due", date(2026, 4, 1), today=TODAY) == date(2026, 4, 1)


def test_day_bounds_cover_whole_local_days() -> None:
    start, end = utc_bounds(date(2026, 2, 1), date(2026, 2, 28))  # no clock change
    assert start is not None and end is not None
    assert local_date(start) == date(2026, 2, 1)
    assert end - start == timedelta(days=28)
