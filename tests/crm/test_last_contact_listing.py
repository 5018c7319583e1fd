"""Last contact in the record lists: read with the page, sortable in the query."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from crm.services.listing_rows import (
    LAST_CONTACT,
    MUNICIPALITIES,
    ORGANISATIONS,
    PERSONS,
    SORTABLE,
    ListFilter,
    Sort,
)

KINDS = (PERSONS, ORGANISATIONS, MUNICIPALITIES)


@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


def _all(app: Any, kind: str, sort: Sort) -> list[Any]:
    total = app.listing.count(kind)
    return app.listing.page(kind, ListFilter(), sort, 0, total + 10)


@pytest.mark.parametrize("kind", KINDS)
def test_page_rows_carry_the_last_contact(demo_app: Any, kind: str) -> None:
    rows = _all(demo_app, kind, Sort())
    expected = demo_app.interactions.last_contacts(kind)
    assert expected, "the demo data has contacts"
    assert {r.uid: r.last_contact for r in rows if r.last_contact} == {
        uid: day for uid, day in expected.items() if uid in {r.uid for r in rows}}
    assert all(isinstance(r.last_contact, date) for r in rows if r.last_contact)


@pytest.mark.parametrize("kind", KINDS)
def test_sorting_by_last_contact_is_newest_first_never_contacted_last(
        demo_app: Any, kind: str) -> None:
    assert LAST_CONTACT in SORTABLE[kind]
    by_name = _all(demo_app, kind, Sort())
    newest = _all(demo_app, kind, Sort(LAST_CONTACT, descending=True))
    assert sorted(r.uid for r in newest) == sorted(r.uid for r in by_name)
    days = [r.last_contact for r in newest]
    contacted = [d for d in days if d is not None]
    assert contacted and contacted == sorted(contacted, reverse=True)
    assert days == [*contacted, *[None] * (len(days) - len(contacted))]
    assert {r.uid: r.last_contact for r in newest} == {r.uid: r.last_contact for r in by_name}
    oldest = _all(demo_app, kind, Sort(LAST_CONTACT))
    quiet = [r.last_contact for r in oldest]
    never = len(days) - len(contacted)
    assert quiet[:never] == [None] * never
    assert quiet[never:] == sorted(contacted)


def test_last_contact_sort_pages_without_gaps(demo_app: Any) -> None:
    sort = Sort(LAST_CONTACT, descending=True)
    whole = [r.uid for r in _all(demo_app, PERSONS, sort)]
    paged = [r.uid for offset in range(0, len(whole), 7)
             for r in demo_app.listing.page(PERSONS, ListFilter(), sort, offset, 7)]
    assert paged == whole
