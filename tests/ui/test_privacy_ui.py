"""The window's data protection: consents, the erasure confirmation, the change log, the
damaged-database dialog, and the start-up checks (lock file, network share)."""

from __future__ import annotations

import json
import os
import socket
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from crm import backup, lockfile
from crm.errors import DatabaseError
from crm.services.activity_rows import LogInput
from crm.services.contacts import ContactInput
from crm.services.organisations import OrganisationInput
from crm.services.people import PersonInput
from crm.services.privacy import PrivacyService
from ui import privacy as privacy_ui
from ui.main_window import MainWindow
from ui.privacy.audit_view import AuditView
from ui.privacy.consent_view import ConsentDialog, ConsentView
from ui.privacy.damaged_dialog import QUIT, RESTORE, DamagedDialog
from ui.privacy.erase_dialog import EraseDialog
from ui.settings import WindowSettings

SCREENS = Path("/tmp/screens")



def _shot(widget: QWidget, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SCREENS / f"privacy_{name}.png"))


@pytest.fixture
def people(app: Any) -> dict[str, str]:
    org = app.organisations.create(OrganisationInput(
        name="Migrationsbeirat Jena", kind="council", municipality="16053",
        notes="Gründung 2016 mit Ayşe Yılmaz als erster Vorsitzender.")).uid
    ayse = app.people.create(PersonInput(
        full_name="Ayşe Yılmaz", given_name="Ayşe", family_name="Yılmaz",
        contact_points=[ContactInput(kind="email", value="ayse.yilmaz@example.org"),
                        ContactInput(kind="mobile", value="0171 5550123")])).uid
    bilal = app.people.create(PersonInput(full_name="Bilal Nguyễn",
                                          notes="Kontakt über Frau Yılmaz.")).uid
    app.roles.add(ayse, org, "Vorsitzende", since="2016-05-01")
    app.interactions.log(LogInput(kind="meeting", occurred_at="2025-09-10 17:00",
                                  subject="Beiratssitzung September",
                                  notes="Ayşe Yılmaz stellt den Haushaltsantrag vor.",
                                  participants=[ayse, bilal]))
    return {"ayse": ayse, "bilal": bilal, "org": org}


@pytest.fixture
def service(app: Any) -> PrivacyService:
    return PrivacyService(app.ctx, app.prefs)


def test_consent_view_shows_adds_and_withdraws(qtbot: QtBot, qtmodeltester: Any,
                                               service: PrivacyService, people: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ayse = people["ayse"]
    service.add_consent(ayse, "newsletter", "2023-03-01", "form", "Anmeldebogen Fachtag")
    service.add_consent(ayse, "event-photos", "2023-03-01", "verbal")
    service.add_consent(ayse, "municipal-sharing", "2024-01-15", "email")
    service.withdraw_purpose(ayse, "event-photos", "2024-11-02")
    view = ConsentView(service, ayse, "Ayşe Yılmaz")
    qtbot.addWidget(view)
    qtmodeltester.check(view.model)
    assert view.model.rowCount() == 3
    assert view.model.index(1, 3).data() != "–"  # the withdrawal date is shown
    monkeypatch.setattr(ConsentDialog, "ask", classmethod(
        lambda cls, parent=None: ("mailings", date(2025, 2, 1), "form", "")))
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert [r.purpose for r in service.consents(ayse)][-1] == "mailings"
    view.table.selectRow(0)
    assert view.withdraw_button.isEnabled()
    qtbot.mouseClick(view.withdraw_button, Qt.MouseButton.LeftButton)
    assert not service.consents(ayse)[0].active
    view.table.selectRow(0)
    assert not view.withdraw_button.isEnabled()  # already withdrawn
    view.show()
    qtbot.waitExposed(view)
    assert view.windowTitle() == "Einwilligungen"
    _shot(view, "consents")


def test_consent_dialog_gives_its_values(qtbot: QtBot) -> None:
    dialog = ConsentDialog()
    qtbot.addWidget(dialog)
    dialog.purpose.setCurrentIndex(dialog.purpose.findData("mailings"))
    assert dialog.values()[0] == "mailings" and dialog.values()[2] == "form"


def test_erase_dialog_names_what_goes_and_asks_twice(qtbot: QtBot, service: PrivacyService,
                                                     people: dict[str, str]) -> None:
    service.add_consent(people["ayse"], "newsletter", "2023-03-01")
    plan = service.erasure_plan(people["ayse"])
    dialog = EraseDialog(plan)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "Ayşe Yılmaz" in dialog.heading.text()
    assert dialog.mentions.count() == 3
    assert not dialog.erase_button.isEnabled()
    assert dialog.redactions() == set(plan.default_redactions())
    assert len(plan.default_redactions()) == 2  # "Frau Yılmaz" alone is not ticked
    dialog.confirm.setChecked(True)
    assert dialog.erase_button.isEnabled()
    _shot(dialog, "erase")


def test_erasure_from_the_menu(qtbot: QtBot, app: Any, people: dict[str, str],
                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = MainWindow(app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(window)
    titles = [a.text() for a in window.menuBar().actions()]
    assert "Datenschutz" in [t.replace("&", "") for t in titles]
    monkeypatch.setattr(window, "current_record", lambda: ("person", people["ayse"]))
    monkeypatch.setattr(EraseDialog, "ask", classmethod(lambda cls, plan, parent=None:
                                                        set(plan.default_redactions())))
    window.privacy_menu.erase.trigger()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10000)
    assert app.search.search("Yılmaz") == [] or all(
        hit.uid != people["ayse"] for hit in app.search.search("Yılmaz"))
    assert "Ayşe" not in app.organisations.get(people["org"]).notes
    window.shutdown()


def test_audit_view_filters_and_pages(qtbot: QtBot, qtmodeltester: Any,
                                      service: PrivacyService, people: dict[str, str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    view = AuditView(service)
    qtbot.addWidget(view)
    qtmodeltester.check(view.model)
    everything = view.model.total
    assert everything >= 6
    view.record.setText("Bilal Nguyễn")
    view.apply()
    assert 0 < view.model.total < everything
    assert all("Bilal" in view.model.index(r, 2).data() or view.model.rows[r].record_type
               != "person" for r in range(view.model.rowCount()))
    view.date_from.setText("kein Datum")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    view.apply()
    assert shown and "kein Datum" in shown[0]


def test_damaged_dialog_explains_and_restores_without_overwriting(
        qtbot: QtBot, app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "backups"
    app.prefs.backup_folder = str(folder)
    saved = backup.automatic_backup(app.db.path, folder)
    app.close()
    damaged = bytearray(app.db.path.read_bytes())
    damaged[100:4096 * 2] = b"\x00" * (4096 * 2 - 100)
    app.db.path.write_bytes(bytes(damaged))
    info = backup.backups(folder)[0]
    dialog = DamagedDialog(str(app.db.path), "database disk image is malformed", saved,
                           info.taken_at)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "wiederherstellen" in dialog.restore_button.text().lower()
    _shot(dialog, "damaged")
    error = DatabaseError("damaged", str(app.db.path), "malformed")
    monkeypatch.setattr(DamagedDialog, "ask", classmethod(lambda cls, *a, **k: QUIT))
    assert privacy_ui.recover_damaged_database(error, app.prefs) is None
    assert app.db.path.read_bytes() == bytes(damaged)  # quitting leaves the file alone
    monkeypatch.setattr(DamagedDialog, "ask", classmethod(lambda cls, *a, **k: RESTORE))
    assert privacy_ui.recover_damaged_database(error, app.prefs) is True
    kept = list(app.db.path.parent.glob("test.damaged-*.db"))
    assert len(kept) == 1 and kept[0].read_bytes() == bytes(damaged)
    assert backup.verify(app.db.path)
    other = DatabaseError("not_sqlite", str(app.db.path))
    assert privacy_ui.recover_damaged_database(other, app.prefs) is False


def test_without_a_backup_only_quitting_is_offered(qtbot: QtBot) -> None:
    dialog = DamagedDialog("/daten/bruecke.db", "", None, None)
    qtbot.addWidget(dialog)
    assert dialog.restore_button.parent() is None or not dialog.restore_button.isVisible()
    assert "keine" in dialog.text.text().lower() or "no intact" in dialog.text.text()


def test_second_window_is_offered_read_only(qtbot: QtBot, app: Any, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    app.prefs.backup_folder = str(tmp_path / "backups")
    window = MainWindow(app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(window)
    lock = lockfile.lock_path(app.db.path)
    lock.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    assert privacy_ui.start(window, app) is None
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    session = privacy_ui.start(window, app)
    assert session is not None and session.read_only
    with pytest.raises(DatabaseError):
        app.people.create(PersonInput(full_name="Neu"))
    privacy_ui.stop(window, app, session)
    assert lock.exists()  # the other window's lock stays
    window.shutdown()


def test_first_window_takes_the_lock_backs_up_and_warns_on_network_shares(
        qtbot: QtBot, app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app.prefs.backup_folder = str(tmp_path / "backups")
    window = MainWindow(app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(window)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    monkeypatch.setattr(lockfile, "network_filesystem", lambda path: "nfs4")
    session = privacy_ui.start(window, app)
    assert session is not None and not session.read_only
    assert warnings and "nfs4" in warnings[0]
    assert lockfile.lock_path(app.db.path).exists()
    qtbot.waitUntil(lambda: len(backup.backups(tmp_path / "backups")) == 1, timeout=10000)
    privacy_ui.stop(window, app, session)
    assert not lockfile.lock_path(app.db.path).exists()
    window.shutdown()


def test_a_damaged_encrypted_database_is_restored_from_its_encrypted_backup(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlcipher3")
    from crm.app import open_app
    from crm.config import Preferences

    secret = "Geheimnis mit Leerzeichen"
    path = tmp_path / "secret.db"
    encrypted = open_app(path, staff="TS", passphrase=secret)
    uid = encrypted.people.create(PersonInput(full_name="Zofia Wiśniewska")).uid
    encrypted.close()
    prefs = Preferences()
    prefs.backup_folder = str(tmp_path / "backups")
    saved = backup.automatic_backup(path, prefs.backup_folder, passphrase=secret)
    assert b"Zofia" not in saved.read_bytes()
    damaged = path.read_bytes()[: 4096 * 3]  # cut off: the schema's pages are gone
    path.write_bytes(damaged)
    error = DatabaseError("damaged", str(path), "malformed")
    offered: list[Any] = []

    def ask(cls: Any, where: str, detail: str, latest: Any, *rest: Any) -> str:
        offered.append(latest)
        return RESTORE

    monkeypatch.setattr(DamagedDialog, "ask", classmethod(ask))
    assert privacy_ui.recover_damaged_database(error, prefs, passphrase=secret) is True
    assert offered == [saved]
    kept = list(tmp_path.glob("secret.damaged-*.db"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    reopened = open_app(path, staff="TS", passphrase=secret)
    try:
        assert reopened.people.get(uid).name == "Zofia Wiśniewska"
    finally:
        reopened.close()
