"""The complete JSON export restores into an empty database exactly; iCalendar export."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar

from crm.app import open_app
from crm.services.activity_rows import EventInput, FollowUpInput, LogInput
from crm.services.exports import Selection

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "io"


def _fill(app) -> None:  # noqa: ANN001
    for name in ("thunderbird.vcf", "apple.vcf", "outlook_de.csv", "google.csv"):
        app.imports.run(app.imports.read(FIXTURES / name), name)
    ayse = app.people.resolve("Ayşe Yılmaz").uid
    app.interactions.log(LogInput(kind="meeting", subject="Beiratssitzung",
                                  participants=[ayse]))
    event = app.events.create(EventInput(title="Fachtag Integration", kind="fachtagung",
                                         starts_at="2026-05-12 10:00", venue="Erfurt"))
    app.events.invite(event.uid, [ayse])
    app.followups.add(FollowUpInput(due="2030-01-01", text="Protokoll schicken"), person=ayse)
    sabine = app.people.resolve("Sabine Weiß").uid
    other = app.people.resolve("Jörg Krämer").uid
    app.duplicates.merge("person", sabine, other)


def _load(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("exported_at")
    return document


@pytest.fixture
def fresh_target(db_engine: str, seeded_template: Path, tmp_path: Path,
                 request: pytest.FixtureRequest) -> Iterator[str]:
    """A second, newly set up database on the same engine as ``app``'s."""
    if db_engine != "postgresql":
        shutil.copyfile(seeded_template, tmp_path / "fresh.db")
        yield str(tmp_path / "fresh.db")
        return
    cluster = request.getfixturevalue("pg_cluster")
    cluster.drop_database("bruecke_json_fresh")
    yield cluster.create_database("bruecke_json_fresh",
                                  template=request.getfixturevalue("pg_template"))
    cluster.drop_database("bruecke_json_fresh")


def test_json_export_restores_into_an_empty_database_exactly(app, fresh_target: str,
                                                             tmp_path: Path) -> None:  # noqa: ANN001
    _fill(app)
    first = tmp_path / "first.json"
    app.exports.export(first, "json")
    fresh = open_app(fresh_target, staff="TS")
    try:
        preview = fresh.imports.preview(fresh.imports.read(first))
        assert preview.counts["created"] > 20
        result = fresh.imports.run(fresh.imports.read(first), "first.json")
        assert result.created >= preview.counts["created"]
        second = tmp_path / "second.json"
        fresh.exports.export(second, "json")
        assert _load(first) == _load(second)
        assert fresh.search.search("Yilmaz") is not None
        again = fresh.imports.run(fresh.imports.read(first), "first.json")
        assert again.created == 0
    finally:
        fresh.close()
    tables = _load(first)["tables"]
    assert {"person", "merged_uid", "audit_entry", "event_attendee"} <= set(tables)
    assert all("id" not in row for row in tables["person"])


def test_calendar_export_holds_events_and_follow_ups(app, tmp_path: Path) -> None:  # noqa: ANN001
    _fill(app)
    out = tmp_path / "cal.ics"
    result = app.exports.export(out, "ics", Selection())
    calendar = Calendar.from_ical(out.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    todos = [c for c in calendar.walk("VTODO")]
    assert result.count == len(events) + len(todos) == 2
    assert str(events[0]["summary"]) == "Fachtag Integration"
    assert str(todos[0]["summary"]) == "Protokoll schicken"


def test_selection_by_tag_and_event(app, tmp_path: Path) -> None:  # noqa: ANN001
    _fill(app)
    app.exports.export(tmp_path / "tag.vcf", "vcf", Selection(tag="Netzwerk"))
    text = (tmp_path / "tag.vcf").read_text(encoding="utf-8")
    assert "Олена Шевченко" in text and "Ayşe" not in text
    event = app.events.events()[0].uid
    result = app.exports.export(tmp_path / "event.csv", "csv", Selection(event=event))
    assert result.count == 1
