"""Hostile data in every report: names in many scripts, markup, empty fields, 40 roles,
10,000-character notes. Every name prints (shaped and right-to-left where it must), markup
prints as typed, long text breaks across pages instead of failing."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from test_report_support import (
    assert_a4,
    checkpoint,
    contains,
    has_shaped_arabic,
    page_texts,
)

from crm.config import Preferences
from crm.domain import (
    AttendeeStatus,
    Event,
    EventAttendee,
    EventKind,
    Interaction,
    InteractionKind,
    InteractionParticipant,
    Municipality,
    Organisation,
    Person,
    Project,
)
from crm.i18n import _
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from crm.services.reports import ReportService

HOSTILE = '<b>&amp;"\'</b>'
# (full name, transliteration, salutation)
PEOPLE = {
    "latin": ("Zoë Wróbel-Kowalczyk", None, "frau"),
    "turkish": ("Şahin Yılmaz Çağlar", None, "herr"),
    "vietnamese": ("Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai", "frau"),
    "cyrillic": ("Олена Шевченко", "Olena Shevchenko", "frau"),
    "greek": ("Γιώργος Παπαδόπουλος", "Giorgos Papadopoulos", "herr"),
    "arabic": ("محمد علي", "Muhammad Ali", "herr"),
    "persian": ("فاطمه رضایی", "Fatemeh Rezaei", "frau"),
    "ethiopic": ("አበበ በቀለ", "Abebe Bekele", "herr"),
    "chinese": ("王秀英", "Wang Xiuying", "neutral"),
    "hostile": (f"{HOSTILE} Müller", None, "none"),
}
NOTE_END = "ENDE-DER-LANGEN-NOTIZ"
LONG_NOTE = ("Lange Notiz über die Zusammenarbeit <mit> & \"ohne\" Markup. " * 170)[:9_970] \
    + " " + NOTE_END


@dataclass
class Hostile:
    uids: dict[str, str]
    many_roles: str
    event: str
    no_address: str
    org_names: list[str]


@pytest.fixture
def reports(app) -> ReportService:  # noqa: ANN001
    return ReportService(app.ctx, Preferences(network_name=f"Netz {HOSTILE}",
                                              funder_text=f"Gefördert von {HOSTILE}"))


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Hostile]:
    """The hostile data, written once for the module into a seeded database."""
    from crm.app import open_app

    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    application = open_app(path, staff="TS", prefs=Preferences())
    try:
        data = _build(application)
    finally:
        application.close()
    checkpoint(path)
    return path, data


@pytest.fixture(scope="module")
def seeded_template(hostile_template: tuple[Path, Hostile]) -> Path:
    """Overrides conftest's: every ``app`` in this module opens a copy of the hostile data."""
    return hostile_template[0]


@pytest.fixture
def hostile(app, hostile_template: tuple[Path, Hostile]) -> Hostile:  # noqa: ANN001
    return hostile_template[1]


def _build(app) -> Hostile:  # noqa: ANN001
    org = app.organisations.create(OrganisationInput(
        name=f"Verein {HOSTILE} Ümit & Söhne", kind="member", municipality="Erfurt",
        contact_points=[ContactInput("postal", "Juri-Gagarin-Ring 1, 99084 Erfurt"),
                        ContactInput("phone", "0361 123456")]))
    admin = app.organisations.create(OrganisationInput(
        name="Stadtverwaltung Erfurt", kind="administration", municipality="Erfurt"))
    uids = {}
    for index, (key, (name, translit, salutation)) in enumerate(PEOPLE.items()):
        points = [] if key == "hostile" else [
            ContactInput("postal", f"Straße {index}, 99084 Erfurt", label="private")]
        person = app.people.create(PersonInput(full_name=name, transliteration=translit,
                                               salutation=salutation, contact_points=points))
        uids[key] = person.uid
        app.roles.add(person.uid, org.uid, "Mitglied")
        app.roles.add(person.uid, admin.uid, "Integrationsbeauftragte:r")
    empty = app.people.create(PersonInput(full_name="Ohne Adresse"))  # nothing but a name
    many = app.people.create(PersonInput(full_name="Viele Rollen"))
    org_names = []
    for number in range(40):
        other = app.organisations.create(OrganisationInput(
            name=f"Verein Nummer {number:02d} in Gera", kind="member", municipality="Gera"))
        org_names.append(other.name)
        app.roles.add(many.uid, other.uid, f"Rolle {number:02d}", contact_points=[
            ContactInput("phone", f"0365 55{number:04d}"),
            ContactInput("email", f"rolle{number}@verein{number}.example")])
    event = _activity(app, uids, org.uid)
    return Hostile(uids, many.uid, event, empty.uid, org_names)


def _activity(app, uids: dict[str, str], org_uid: str) -> str:  # noqa: ANN001
    with app.db.sessions.begin() as session:
        erfurt = session.scalars(select(Municipality).where(Municipality.ags == "16051")).one()
        org = session.scalars(select(Organisation).where(Organisation.uid == org_uid)).one()
        people = {k: session.scalars(select(Person).where(Person.uid == u)).one()
                  for k, u in uids.items()}
        when = datetime.now(UTC) - timedelta(days=3)
        session.add(Interaction(
            kind=InteractionKind.MEETING, occurred_at=when, subject=f"Treffen {HOSTILE}",
            notes=LONG_NOTE, municipality=erfurt, organisations=[org],
            participants=[InteractionParticipant(person=p, role_title="Mitglied",
                                                 organisation=org) for p in people.values()]))
        session.add(Interaction(
            kind=InteractionKind.CALL, occurred_at=when - timedelta(days=1),
            subject="مكالمة مع محمد علي حول المشروع", notes="ملاحظة قصيرة " * 60,
            municipality=erfurt,
            participants=[InteractionParticipant(person=people["arabic"])]))
        project = Project(name=f"Projekt {HOSTILE}", number="P-1", funder=org)
        event = Event(title=f"Workshop {HOSTILE}", kind=EventKind.WORKSHOP,
                      starts_at=when, venue="Rathaus", municipality=erfurt, project=project,
                      organisers=[org])
        event.attendees = [EventAttendee(person=p, status=AttendeeStatus.REGISTERED)
                           for p in people.values()]
        event.attendees[0].status = AttendeeStatus.CANCELLED
        session.add(event)
        session.flush()
        return event.uid


def _names(keys: list[str] | None = None) -> list[str]:
    return [PEOPLE[k][0] for k in (keys or list(PEOPLE))]


def _check_all_names(text: str, keys: list[str] | None = None) -> None:
    for name in _names(keys):
        assert contains(text, name), name
    assert has_shaped_arabic(text)


def test_contact_sheet_with_forty_roles_breaks_cleanly(hostile: Hostile, reports: ReportService,
                                                      tmp_path: Path) -> None:
    result = reports.contact_sheet(hostile.many_roles, tmp_path / "many.pdf")
    assert_a4(tmp_path / "many.pdf")
    texts = page_texts(tmp_path / "many.pdf")
    assert result.pages == len(texts) >= 2
    assert all(contains("".join(texts), name) for name in hostile.org_names)
    assert all(_("Organisation") in text for text in texts)  # the header row repeats


def test_contact_sheet_with_a_long_note_and_every_script(hostile: Hostile,
                                                        reports: ReportService,
                                                        tmp_path: Path) -> None:
    result = reports.contact_sheet(hostile.uids["arabic"], tmp_path / "arabic.pdf")
    texts = page_texts(tmp_path / "arabic.pdf")
    whole = "".join(texts)
    assert result.pages >= 2  # the 10,000 characters flow on to the next page
    assert contains(texts[0], PEOPLE["arabic"][0]) and contains(texts[0], "Muhammad Ali")
    assert "Lange Notiz" in texts[0] and NOTE_END in texts[-1] and HOSTILE in whole
    _check_all_names(whole, [k for k in PEOPLE if k != "arabic"])  # the other participants
    assert contains(whole, "مكالمة مع محمد علي حول المشروع")


def test_directory_with_every_script(hostile: Hostile, reports: ReportService,
                                     tmp_path: Path) -> None:
    reports.directory(tmp_path / "dir.pdf", ["Erfurt"])
    text = "".join(page_texts(tmp_path / "dir.pdf"))
    _check_all_names(text)
    assert f"Verein {HOSTILE} Ümit & Söhne" in text
    assert "Olena Shevchenko" in text


def test_attendance_with_every_script(hostile: Hostile, reports: ReportService,
                                      tmp_path: Path) -> None:
    reports.attendance(hostile.event, tmp_path / "att.pdf")
    text = "".join(page_texts(tmp_path / "att.pdf"))
    present = list(PEOPLE)[1:]  # the first attendee cancelled
    _check_all_names(text, present)
    assert not contains(text, PEOPLE["latin"][0])
    assert f"Workshop {HOSTILE}" in text and f"Gefördert von {HOSTILE}" in text
    assert f"Projekt {HOSTILE} (P-1)" in text


def test_labels_with_every_script(hostile: Hostile, reports: ReportService,
                                  tmp_path: Path) -> None:
    result = reports.labels(tmp_path / "labels.pdf", layout="2x7")
    text = "".join(page_texts(tmp_path / "labels.pdf"))
    # The person with nothing but a name (and the 40-role one) have no address at all.
    assert {s.uid for s in result.skipped} == {hostile.no_address, hostile.many_roles}
    _check_all_names(text)
    # Without an own address, the organisation's is used, with its name.
    assert f"Verein {HOSTILE} Ümit & Söhne" in text and "Juri-Gagarin-Ring 1" in text
    assert "Frau" in text and "Herr" in text
    chosen = reports.labels(tmp_path / "two.pdf", person_uids=[hostile.uids["cyrillic"],
                                                               hostile.no_address])
    assert chosen.printed == 1 and [s.uid for s in chosen.skipped] == [hostile.no_address]
    assert "Olena Shevchenko" in "".join(page_texts(tmp_path / "two.pdf"))


def test_phone_list_and_activity_with_every_script(hostile: Hostile, reports: ReportService,
                                                   tmp_path: Path) -> None:
    reports.phone_list(tmp_path / "phones.pdf")
    _check_all_names("".join(page_texts(tmp_path / "phones.pdf")))
    today = date.today()
    reports.activity(tmp_path / "act.pdf", today - timedelta(days=30), today)
    text = "".join(page_texts(tmp_path / "act.pdf"))
    assert f"Treffen {HOSTILE}" in text
    # Participants run on as one wrapped list there; the names on one line are all printed.
    _check_all_names(text, ["latin", "cyrillic", "greek", "vietnamese", "arabic", "ethiopic"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_right_to_left_words_are_in_visual_order(hostile: Hostile, reports: ReportService,
                                                 tmp_path: Path) -> None:
    """Arabic reads from the right: the first word of a name stands right of the second."""
    reports.attendance(hostile.event, tmp_path / "att.pdf")
    boxes = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "att.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    import re
    import unicodedata

    words = [(float(x), unicodedata.normalize("NFKC", w)) for x, w in
             re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', boxes)]

    def x_of(word: str) -> float:
        # pdftotext gives the glyphs of a right-to-left word in visual order
        wanted = word[::-1]
        return next(x for x, w in words if w.replace("ی", "ي") == wanted.replace("ی", "ي"))

    assert x_of("محمد") > x_of("علي")
    assert x_of("فاطمه") > x_of("رضایی")
