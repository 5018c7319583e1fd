"""The printed reports from the demo network: A4, complete, navigable, written safely."""

from __future__ import annotations

import math
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_report_support import (
    assert_a4,
    checkpoint,
    contains,
    outline_titles,
    page_texts,
    plain,
    reader,
)

from crm.config import Preferences
from crm.domain import (
    AttendeeStatus,
    Event,
    EventAttendee,
    InteractionParticipant,
    Municipality,
    Organisation,
    Person,
    Project,
)
from crm.errors import ValidationError
from crm.i18n import _, ngettext, set_language
from crm.reports import data as report_data
from crm.services.reports import ReportService

NETWORK = "Netzwerk <Test> & Co"


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Overrides conftest's: the ``app`` fixture opens a copy of the demo network (300
    persons), built once for the module."""
    from crm.app import open_app
    from crm.demo import build_demo

    path = tmp_path_factory.mktemp("report-template") / "demo.db"
    application = open_app(path, staff="TS", prefs=Preferences())
    build_demo(application.db.sessions, seed=1, persons=300)
    application.close()
    checkpoint(path)
    return path


@pytest.fixture(scope="module")
def pg_template(pg_cluster) -> Iterator[str]:  # noqa: ANN001
    """The same for PostgreSQL: the demo network in a template database of the module."""
    from crm.app import open_app
    from crm.demo import build_demo

    name = "bruecke_report_template"
    pg_cluster.drop_database(name)
    url = pg_cluster.create_database(name)
    application = open_app(url, staff="TS", prefs=Preferences())
    build_demo(application.db.sessions, seed=1, persons=300)
    application.close()
    yield name
    pg_cluster.drop_database(name)


@pytest.fixture
def reports(app) -> ReportService:  # noqa: ANN001
    return ReportService(app.ctx, Preferences(network_name=NETWORK))


@pytest.fixture
def out(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "out"
    folder.mkdir()
    yield folder


def _busiest_person(app) -> Person:  # noqa: ANN001
    with app.db.sessions() as session:
        person_id = session.execute(
            select(InteractionParticipant.person_id, func.count())
            .where(InteractionParticipant.person_id.is_not(None))
            .group_by(InteractionParticipant.person_id)
            .order_by(func.count().desc()).limit(1)).first()[0]
        return session.get_one(Person, person_id)


def _footer(page: int, pages: int) -> str:
    return _("Page {page} of {pages}").format(page=page, pages=pages)


# --- every report --------------------------------------------------------------------------

def test_contact_sheet_of_a_person(app, reports: ReportService, out: Path) -> None:  # noqa: ANN001
    person = _busiest_person(app)
    result = reports.contact_sheet(person.uid, out / "sheet.pdf", last_n=5)
    assert_a4(out / "sheet.pdf")
    texts = page_texts(out / "sheet.pdf")
    assert result.pages == len(texts)
    assert contains(texts[0], person.full_name)
    assert contains(texts[-1], _footer(result.pages, result.pages))
    meta = reader(out / "sheet.pdf").metadata
    assert meta.author == NETWORK
    assert person.full_name in meta.title
    assert meta.creation_date.date() == date.today()


def test_contact_sheet_of_an_organisation(app, reports: ReportService, out: Path) -> None:  # noqa: ANN001
    with app.db.sessions() as session:
        org = session.scalars(select(Organisation).where(
            Organisation.name == "Stadtverwaltung Erfurt")).one()
        holders = [r.person.full_name for r in org.roles if r.is_current]
    reports.contact_sheet(org.uid, out / "org.pdf")
    text = "".join(page_texts(out / "org.pdf"))
    assert contains(text, "Stadtverwaltung Erfurt")
    assert holders and all(contains(text, name) for name in holders)


def test_directory_lists_every_district_with_toc_and_bookmarks(
        app, reports: ReportService, out: Path) -> None:  # noqa: ANN001
    result = reports.directory(out / "dir.pdf")
    assert_a4(out / "dir.pdf")
    texts = page_texts(out / "dir.pdf")
    assert result.pages == len(texts)
    with app.db.sessions() as session:
        districts = report_data.directory(session, None)
    outline = outline_titles(out / "dir.pdf")
    assert [title for level, title, _page in outline if level == 0] == [
        d.name for d in districts]
    # The table of contents names the page each heading is on, as the bookmarks do.
    toc = _toc_entries(out / "dir.pdf")
    assert [title for title, _page in toc] == [title for _level, title, _page in outline]
    for (title, page), (_level, _title, bookmark_page) in zip(toc, outline, strict=True):
        assert bookmark_page == page - 1
        assert contains(texts[page - 1], title), title
    for number, text in enumerate(texts, start=1):
        assert contains(text, _footer(number, len(texts)))
    # Every current holder in the data is printed.
    everyone = [h.name for d in districts for p in d.places for o in p.organisations
                for h in o.holders]
    whole = plain("".join(texts))
    assert everyone and all(plain(name) in whole for name in everyone)


def _toc_entries(path: Path) -> list[tuple[str, int]]:
    """(title, page number) of every line of the table of contents, as printed."""
    entries = []
    for page in reader(path).pages:
        for line in page.extract_text(extraction_mode="layout").splitlines():
            match = re.match(r"^\s*(\S.*?)\s+(?:\.\s*){3,}(\d+)\s*$", line)
            if match:
                entries.append((match.group(1), int(match.group(2))))
    return entries


def test_directory_of_selected_municipalities(reports: ReportService, out: Path) -> None:
    reports.directory(out / "dir.pdf", ["Erfurt", "16067"])  # Landkreis Gotha by AGS
    outline = outline_titles(out / "dir.pdf")
    assert [t for level, t, _p in outline if level == 0] == ["Erfurt", "Landkreis Gotha"]
    assert all(not contains(text, "Jena") for text in page_texts(out / "dir.pdf")[1:])


def test_attendance_list_has_everyone_not_cancelled(app, reports: ReportService,
                                                    out: Path) -> None:  # noqa: ANN001
    with app.db.sessions() as session:
        event = session.scalars(
            select(Event).join(EventAttendee).where(
                EventAttendee.status == AttendeeStatus.CANCELLED)
            .order_by(Event.starts_at.desc())).first()
        rows = session.execute(select(Person.full_name, EventAttendee.status)
                               .join(EventAttendee).where(EventAttendee.event_id == event.id)
                               ).all()
        title, uid = event.title, event.uid
    result = reports.attendance(uid, out / "att.pdf", walk_in_rows=3)
    assert_a4(out / "att.pdf")
    text = "".join(page_texts(out / "att.pdf"))
    assert contains(text, title)
    present = [n for n, s in rows if s is not AttendeeStatus.CANCELLED]
    cancelled = [n for n, s in rows if s is AttendeeStatus.CANCELLED]
    assert all(contains(text, name) for name in present)
    assert not any(contains(text, name) for name in cancelled if name not in present)
    # One numbered row per attendee, then the empty walk-in rows.
    assert str(len(present) + 3) in text.split()
    assert result.pages >= 1


def test_attendance_rows_are_tall_enough_to_sign(app) -> None:  # noqa: ANN001
    from reportlab.lib.units import mm

    from crm.reports import attendance

    sheet = report_data.AttendanceData(
        "Workshop", "workshop", datetime(2026, 3, 1, 10), None, "", "", (), "", "",
        "", tuple(report_data.AttendeeLine(f"Person {i}", "", "Org " * (i * 8), "Erfurt",
                                           "invited") for i in range(4)))
    table = attendance._table(sheet, walk_in_rows=2)
    table.wrap(180 * mm, 800 * mm)
    assert len(table._rowHeights) == 1 + 4 + 2
    assert min(table._rowHeights[1:]) >= 12 * mm
    assert table._rowHeights[4] > table._rowHeights[1]  # a long organisation grows its row


def test_activity_report_for_a_period_and_a_project(app, reports: ReportService,
                                                    out: Path) -> None:  # noqa: ANN001
    from crm.geo import ATTRIBUTION

    result = reports.activity(out / "act.pdf", "2026-01-01", "2026-03-31")
    assert_a4(out / "act.pdf")
    text = "".join(page_texts(out / "act.pdf"))
    assert contains(text, _("Activity report")) and contains(text, ATTRIBUTION)
    with app.db.sessions() as session:
        project = session.scalars(select(Project).order_by(Project.id)).first()
        everything = report_data.activity(session, date(2026, 1, 1), date(2026, 3, 31), None)
        one = report_data.activity(session, date(2026, 1, 1), date(2026, 3, 31), project)
    assert 0 < one.total < everything.total
    assert contains(text, ngettext("{n} interaction", "{n} interactions",
                                   everything.total).format(n=everything.total))
    only = reports.activity(out / "project.pdf", date(2026, 1, 1), date(2026, 3, 31),
                            project=project.uid)
    assert contains("".join(page_texts(out / "project.pdf")), project.name)
    assert only.pages < result.pages


def test_activity_period_must_not_end_before_it_starts(reports: ReportService,
                                                       out: Path) -> None:
    with pytest.raises(ValidationError) as info:
        reports.activity(out / "x.pdf", "2026-06-30", "2026-01-01")
    assert "to" in info.value.errors
    assert not (out / "x.pdf").exists()


def test_labels_skip_persons_without_any_address(app, reports: ReportService,
                                                 out: Path) -> None:  # noqa: ANN001
    result = reports.labels(out / "labels.pdf", layout="3x8")
    assert_a4(out / "labels.pdf")
    with app.db.sessions() as session:
        active = session.scalar(select(func.count(Person.id)).where(
            Person.archived_at.is_(None)))
    assert result.printed + len(result.skipped) == active
    assert result.pages == math.ceil(result.printed / 24)
    text = plain("".join(page_texts(out / "labels.pdf")))
    with app.db.sessions() as session:
        names = Counter(session.scalars(select(Person.full_name)))
    unique = [p.name for p in result.skipped if names[p.name] == 1]
    assert unique and [n for n in unique
                       if re.search(rf"(?<!\w){re.escape(plain(n))}(?!\w)", text)] == []
    l7163 = reports.labels(out / "l7163.pdf", layout="2x7")
    assert l7163.pages == math.ceil(l7163.printed / 14)


def test_labels_by_tag_and_layout_check(app, reports: ReportService, out: Path) -> None:  # noqa: ANN001
    with app.db.sessions() as session:
        tag = session.scalars(select(report_data.Tag.name).order_by(report_data.Tag.id)).first()
    tagged = reports.labels(out / "tag.pdf", tag=tag)
    everyone = reports.labels(out / "all.pdf")
    assert 0 < tagged.printed + len(tagged.skipped) < everyone.printed + len(everyone.skipped)
    with pytest.raises(ValidationError) as info:
        reports.labels(out / "x.pdf", layout="4x10")
    assert info.value.errors["layout"][0] == "invalid_choice_of"


def test_phone_list_is_compact(reports: ReportService, out: Path) -> None:
    result = reports.phone_list(out / "phones.pdf")
    assert_a4(out / "phones.pdf")
    assert 1 <= result.pages <= 2
    text = "".join(page_texts(out / "phones.pdf"))
    assert contains(text, "Stadtverwaltung Erfurt")


# --- writing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["missing-folder/x.pdf", "."])
def test_an_output_that_cannot_be_written_is_refused(reports: ReportService, out: Path,
                                                     target: str) -> None:
    path = out / target
    with pytest.raises(ValidationError) as info:
        reports.phone_list(path)
    assert info.value.errors == {"output": ("cannot_write", {"path": str(path)})}
    assert sorted(os.listdir(out)) == []  # no temporary file left behind
    with pytest.raises(ValidationError):
        reports.labels(path)


def test_output_is_private_and_replaced_atomically(reports: ReportService, out: Path) -> None:
    target = out / "phones.pdf"
    target.write_bytes(b"old")
    calls: list[tuple[int, int]] = []
    reports.phone_list(target, progress=lambda done, total: calls.append((done, total)))
    assert target.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(out) == ["phones.pdf"]
    assert calls and calls[-1][0] == calls[-1][1]


def test_reports_follow_the_language(reports: ReportService, out: Path) -> None:
    set_language("en")
    reports.directory(out / "en.pdf", ["Erfurt"])
    text = page_texts(out / "en.pdf")[0]
    assert "Municipal contact directory" in text and "Page 1 of" in text
    assert f"As of: {date.today():%d} " in text  # en_GB: "As of: 25 Nov 2026"
    set_language("de")
    reports.directory(out / "de.pdf", ["Erfurt"])
    german = page_texts(out / "de.pdf")[0]
    assert f"{date.today():%d.%m.%Y}" in german
    assert "Seite 1 von" in german


def test_unknown_municipality_is_reported(reports: ReportService, out: Path) -> None:
    from crm.errors import NotFoundError

    with pytest.raises(NotFoundError):
        reports.directory(out / "x.pdf", ["Atlantis"])
    assert not (out / "x.pdf").exists()


def test_directory_reads_with_a_fixed_number_of_queries(app) -> None:  # noqa: ANN001
    from sqlalchemy import event

    statements: list[str] = []
    engine = app.db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with app.db.sessions() as session:
            places = [m for m in session.scalars(select(Municipality.id)).all()]
            report_data.directory(session, None)
            small = len(statements)
            statements.clear()
            report_data.directory(session, places)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert small <= 8 and len(statements) <= 8


def _png(path: Path, width: int = 40, height: int = 20) -> Path:
    """A small blue PNG, written by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x1f\x4e\x79" * width for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def _images(path: Path) -> int:
    count = 0
    for page in reader(path).pages:
        objects = page["/Resources"].get("/XObject", {})
        count += sum(1 for ref in objects.values() if ref.get_object()["/Subtype"] == "/Image")
    return count


def test_logos_and_funder_text_from_the_preferences(app, out: Path) -> None:  # noqa: ANN001
    logo = _png(out / "logo.png")
    with app.db.sessions() as session:
        event = session.scalars(select(Event).order_by(Event.id)).first().uid
    with_logos = ReportService(app.ctx, Preferences(
        network_name=NETWORK, logo_path=str(logo), funder_logo_path=str(logo),
        funder_text="Gefördert durch den Freistaat Thüringen & <die EU>"))
    with_logos.attendance(event, out / "with.pdf")
    assert _images(out / "with.pdf") >= 2  # the network's in the header, the funder's
    assert "Gefördert durch den Freistaat Thüringen & <die EU>" in page_texts(
        out / "with.pdf")[0]
    broken = ReportService(app.ctx, Preferences(logo_path=str(out / "missing.png"),
                                                funder_logo_path=str(out)))
    broken.attendance(event, out / "without.pdf")  # a broken logo is left out, no error
    assert _images(out / "without.pdf") == 0
