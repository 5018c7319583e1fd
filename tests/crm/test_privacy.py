"""Consents, access requests (Art. 15), stale records, the audit trail, label exclusion and
the command line of the privacy area — including a CLI that cannot reach the network."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from crm.cli import main
from crm.errors import NotFoundError, ValidationError
from crm.privacy import NetworkForbiddenError, audit_hook, is_local_address
from crm.services.activity_rows import LogInput
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from crm.services.privacy import AuditFilter, PrivacyService

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def privacy(app) -> PrivacyService:  # noqa: ANN001
    return PrivacyService(app.ctx, app.prefs)


@pytest.fixture
def anna(app) -> str:  # noqa: ANN001
    org = app.organisations.create(OrganisationInput(
        name="Stadtverwaltung Gera", kind="administration", municipality="16052")).uid
    uid = app.people.create(PersonInput(
        full_name="Anna Şahin", notes="spricht Türkisch",
        contact_points=[ContactInput(kind="email", value="anna.sahin@gera.example"),
                        ContactInput(kind="postal", value="Markt 1, 07545 Gera")])).uid
    app.roles.add(uid, org, "Integrationsbeauftragte", since="2021-01-01")
    bilal = app.people.create(PersonInput(full_name="Bilal Nguyễn")).uid
    app.interactions.log(LogInput(kind="meeting", occurred_at="2025-02-03 10:00",
                                  subject="Integrationskonzept", notes="Entwurf besprochen",
                                  participants=[uid, bilal]))
    return uid


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


# -- consents ----------------------------------------------------------------------------

def test_consent_add_withdraw_and_rules(privacy: PrivacyService, anna: str) -> None:
    row = privacy.add_consent(anna, "newsletter", "01.02.2024", "email", "Formular vor Ort")
    assert (row.purpose, row.given_on, row.source, row.active) == (
        "newsletter", date(2024, 2, 1), "email", True)
    with pytest.raises(ValidationError) as dup:
        privacy.add_consent(anna, "newsletter")
    assert dup.value.errors["purpose"][0] == "duplicate"
    with pytest.raises(ValidationError) as bad:
        privacy.add_consent(anna, "spam", "gestern?", "fax")
    assert set(bad.value.errors) == {"purpose", "source", "given_on"}
    with pytest.raises(ValidationError) as early:
        privacy.withdraw_purpose(anna, "newsletter", "2023-01-01")
    assert early.value.errors["withdrawn_on"][0] == "ends_before_starts"
    [withdrawn] = privacy.withdraw_purpose(anna, "newsletter", "2024-06-30")
    assert withdrawn.withdrawn_on == date(2024, 6, 30) and not withdrawn.active
    with pytest.raises(ValidationError) as none:
        privacy.withdraw_purpose(anna, "newsletter")
    assert none.value.errors["purpose"][0] == "no_active_consent"
    again = privacy.add_consent(anna, "newsletter", "2025-01-01")  # may consent anew
    assert [c.uid for c in privacy.consents(anna)] == [row.uid, again.uid]
    changed = privacy.update_consent(again.uid, {"notes": "telefonisch bestätigt"},
                                     expected_version=again.version)
    assert changed.notes == "telefonisch bestätigt"
    privacy.delete_consent(again.uid)
    with pytest.raises(NotFoundError):
        privacy.withdraw(again.uid)


def test_labels_skip_persons_who_withdrew_mailing_consent(app, privacy: PrivacyService,  # noqa: ANN001
                                                          anna: str, tmp_path: Path) -> None:
    app.people.set_tags(anna, ["Einladung"])
    first = app.reports.labels(tmp_path / "a.pdf", tag="Einladung")
    assert (first.printed, first.withheld) == (1, 0)
    privacy.add_consent(anna, "mailings", "2024-01-01")
    privacy.withdraw_purpose(anna, "mailings", "2024-03-01")
    second = app.reports.labels(tmp_path / "b.pdf", tag="Einladung")
    assert (second.printed, second.withheld) == (0, 1)
    assert privacy.excluded([anna]) == {anna}
    assert privacy.excluded([anna], ["event-photos"]) == set()


# -- access request ----------------------------------------------------------------------

def test_access_export_json_holds_everything_and_is_private(app, privacy: PrivacyService,  # noqa: ANN001
                                                             anna: str, tmp_path: Path) -> None:
    privacy.add_consent(anna, "event-photos", "2024-05-01", "verbal")
    result = privacy.export_access(anna, tmp_path / "auskunft.json")
    assert stat.S_IMODE(os.stat(result.path).st_mode) == 0o600
    data = json.loads(Path(result.path).read_text(encoding="utf-8"))
    assert data["person"]["full_name"] == "Anna Şahin"
    assert data["person"]["notes"] == "spricht Türkisch"
    assert {c["value"] for c in data["contact_points"]} == {"anna.sahin@gera.example",
                                                            "Markt 1, 07545 Gera"}
    assert data["roles"][0]["organisation"] == "Stadtverwaltung Gera"
    assert data["consents"][0]["purpose"] == "event-photos"
    [meeting] = data["interactions"]
    assert meeting["notes"] == "Entwurf besprochen" and meeting["other_participants"] == 1
    assert "Bilal" not in json.dumps(data, ensure_ascii=False)  # others are not disclosed
    assert {a["record_type"] for a in data["audit"]} >= {"person", "contact_point", "role",
                                                          "consent"}


def test_access_export_pdf_is_readable(privacy: PrivacyService, anna: str,
                                       tmp_path: Path) -> None:
    result = privacy.export_access(anna, tmp_path / "auskunft.pdf")
    assert result.pages >= 1 and stat.S_IMODE(os.stat(result.path).st_mode) == 0o600
    text = "\n".join(page.extract_text() for page in PdfReader(result.path).pages)
    for expected in ("Anna Şahin", "anna.sahin@gera.example", "Integrationskonzept",
                     "Entwurf besprochen", "Art. 15"):
        assert expected in text
    with pytest.raises(ValidationError):
        privacy.export_access(anna, tmp_path / "auskunft.docx")
    with pytest.raises(ValidationError):
        privacy.export_access(anna, tmp_path / "missing" / "x.pdf")


# -- retention and audit -----------------------------------------------------------------

def test_stale_persons_by_activity(app, privacy: PrivacyService, anna: str) -> None:  # noqa: ANN001
    quiet = app.people.create(PersonInput(full_name="Olena Shevchenko")).uid
    later = date.today().replace(year=date.today().year + 6)
    uids = {r.uid for r in privacy.stale(3, today=later)}
    assert quiet in uids and anna not in uids  # Anna's role still runs
    assert privacy.stale(3) == []  # everyone was recorded just now
    assert privacy.archive_persons([quiet]) == 1
    assert app.people.get(quiet).archived
    with pytest.raises(ValidationError):
        privacy.stale(0)


def test_audit_filters(app, privacy: PrivacyService, anna: str) -> None:  # noqa: ANN001
    total = privacy.audit_count()
    mine = privacy.audit(AuditFilter(record="Anna Şahin"))
    assert {r.record_type for r in mine} >= {"person", "contact_point", "role"}
    assert all(r.staff == "TS" for r in mine)
    assert 0 < privacy.audit_count(AuditFilter(staff="TS")) <= total
    assert privacy.audit(AuditFilter(date_to=date(2000, 1, 1))) == []
    page = privacy.audit(limit=2, offset=1)
    assert len(page) == 2 and page[0].at >= page[1].at
    with pytest.raises(NotFoundError):
        privacy.audit(AuditFilter(staff="ZZ"))


# -- command line ------------------------------------------------------------------------

def test_cli_privacy_commands(app, anna: str, db_target: str, tmp_path: Path) -> None:  # noqa: ANN001
    app.close()
    db = ("--db", db_target, "--as", "TS")
    assert run("consent", "add", anna, "--purpose", "newsletter", "--given", "2024-01-02",
               *db)[0] == 0
    code, out, _err = run("consent", "list", anna, "--json", *db)
    assert code == 0 and json.loads(out)[0]["purpose"] == "newsletter"
    assert run("consent", "withdraw", anna, "--purpose", "newsletter", *db)[0] == 0
    code, _out, err = run("consent", "withdraw", anna, "--purpose", "newsletter", *db)
    assert code == 1 and "newsletter" in err
    assert run("consent", "add", anna, "--purpose", "nope", *db)[0] == 1
    code, out, _err = run("audit", "--record", anna, "--json", *db)
    assert code == 0 and {e["record_type"] for e in json.loads(out)} >= {"person", "consent"}
    code, out, _err = run("privacy", "export", anna, "-o", str(tmp_path / "a.json"), *db)
    assert code == 0 and (tmp_path / "a.json").exists()
    code, out, _err = run("privacy", "stale", "--years", "2", "--json", *db)
    assert code == 0 and json.loads(out) == []
    code, out, err = run("privacy", "erase", anna, *db)
    assert code == 1 and "Anna Şahin" in out and "--yes" in err
    code, out, _err = run("privacy", "erase", anna, "--yes", "--json", *db)
    assert code == 0 and json.loads(out)["marker"].startswith("erased-")
    assert run("privacy", "export", anna, "-o", str(tmp_path / "b.json"), *db)[0] == 1


def test_network_guard_blocks_only_other_machines() -> None:
    hook = audit_hook()
    for address in (("127.0.0.1", 80), ("::1", 443, 0, 0), ("localhost", 1), "/run/x.sock"):
        assert is_local_address(address)
        hook("socket.connect", (None, address))
    for address in (("203.0.113.5", 80), ("2001:db8::1", 80, 0, 0), ("example.org", 443)):
        with pytest.raises(NetworkForbiddenError):
            hook("socket.connect", (None, address))
    with pytest.raises(NetworkForbiddenError):
        hook("socket.getaddrinfo", ("example.org", 443, 0, 0, 0))
    hook("socket.getaddrinfo", ("localhost", 80, 0, 0, 0))


def test_cli_runs_with_the_network_forbidden(app, anna: str, db_target: str,  # noqa: ANN001
                                             db_engine: str, tmp_path: Path) -> None:
    app.close()
    env = {**os.environ, "BRUECKE_FORBID_NETWORK": "1", "PYTHONIOENCODING": "utf-8"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "crm", "--db", db_target, "--as", "TS",
                               *args], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=120)

    # backup and check work on a database file; a server's backups are pg_dump's job.
    files = (("backup", "-o", str(tmp_path / "b.db")), ("check",)) if db_engine == "sqlite" else ()
    for args in (("person", "show", anna), ("search", "Sahin"),
                 ("privacy", "export", anna, "-o", str(tmp_path / "a.pdf")), *files):
        result = cli(*args)
        assert result.returncode == 0, (args, result.stderr)
    # The guard is really installed in such a process (a synthetic event: no packet leaves).
    probe = ("import crm.__main__, sys\n"
             "sys.audit('socket.connect', None, ('127.0.0.1', 9))\n"
             "sys.audit('socket.connect', None, ('203.0.113.5', 80))\n")
    blocked = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert blocked.returncode != 0 and "NetworkForbiddenError" in blocked.stderr
