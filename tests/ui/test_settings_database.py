"""The settings dialog's database: a file or a server address, the connection test run off
the GUI thread against the test cluster, and the password never shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from crm.config import Preferences
from crm.connection import check_connection, shown, split_password, with_password
from crm.i18n import set_language
from crm.persistence.dialect import connection_problem
from ui.settings_dialog import DatabaseGroup, SettingsDialog

SECRET = "Geheim-4711"


def _test(qtbot: QtBot, group: DatabaseGroup, target: str) -> str:
    group.target.edit.setText(target)
    qtbot.mouseClick(group.test_button, Qt.MouseButton.LeftButton)
    assert not group.test_button.isEnabled()  # running on a worker thread
    qtbot.waitUntil(lambda: group.last_check is not None, timeout=20000)
    assert group.test_button.isEnabled()
    return group.result.text()


def _visible_texts(dialog: SettingsDialog) -> list[str]:
    texts = [w.text() for w in dialog.findChildren(QLabel)]
    texts += [w.text() for w in dialog.findChildren(QLineEdit)
              if w.echoMode() == QLineEdit.EchoMode.Normal]
    return texts


def test_connection_test_against_the_server(qtbot: QtBot, pg_cluster, pg_url: str) -> None:  # noqa: ANN001
    set_language("en")
    dialog = SettingsDialog("en", prefs=Preferences())
    qtbot.addWidget(dialog)
    group = dialog.database_group
    assert group.test_button.text() == "&Test connection"

    text = _test(qtbot, group, pg_url)
    assert group.last_check is not None and group.last_check.ok, text
    assert "is a Brücke database" in text

    text = _test(qtbot, group, pg_cluster.url("gibt_es_nicht"))
    assert group.last_check is not None and group.last_check.problem == "database"
    assert "gibt_es_nicht" in text and "Create it first" in text

    text = _test(qtbot, group, "postgresql+psycopg://anna@/bruecke?host=/nonexistent/socket")
    assert group.last_check is not None and group.last_check.problem == "host"
    assert "cannot be reached" in text

    # the test cluster trusts its socket, so a password is ignored: it is still never shown
    group.password.setText(SECRET)
    text = _test(qtbot, group, pg_cluster.url("gibt_es_nicht").replace("postgres@",
                                                                       "postgres:x@"))
    assert group.last_check is not None and not group.last_check.ok
    assert SECRET not in text and ":x@" not in text
    assert all(SECRET not in t for t in _visible_texts(dialog))


def test_connection_test_in_german_names_the_button_verbindung_testen(qtbot: QtBot,
                                                                      tmp_path: Path) -> None:
    dialog = SettingsDialog("de", prefs=Preferences())
    qtbot.addWidget(dialog)
    group = dialog.database_group
    assert group.test_button.text().replace("&", "") == "Verbindung testen"
    _test(qtbot, group, str(tmp_path / "neu.db"))
    assert group.last_check is not None and group.last_check.ok
    assert not (tmp_path / "neu.db").exists()  # testing creates nothing


def test_a_saved_password_is_kept_but_never_shown(qtbot: QtBot) -> None:
    url = f"postgresql+psycopg://anna:{SECRET}@buero.example/bruecke"
    prefs = Preferences(database=url)
    dialog = SettingsDialog("de", prefs=prefs)
    qtbot.addWidget(dialog)
    group = dialog.database_group
    assert group.target.path() == "postgresql+psycopg://anna@buero.example/bruecke"
    assert group.password.text() == ""
    assert all(SECRET not in t for t in _visible_texts(dialog))
    group.store(prefs)
    assert prefs.database == url  # unchanged: the password stays
    group.password.setText("neu")
    assert split_password(group.value()) == (group.target.path(), "neu")
    group.target.edit.setText(str(Path("/tmp/lokal.db")))
    assert group.value() == "/tmp/lokal.db"


def test_helpers_hide_and_classify() -> None:
    url = f"postgresql+psycopg://anna:{SECRET}@host/db"
    assert SECRET not in shown(url) and "***" in shown(url)
    assert with_password("postgresql+psycopg://anna@host/db", SECRET) == url
    assert with_password("/tmp/a.db", SECRET) == "/tmp/a.db"
    assert not check_connection("").ok
    assert connection_problem(Exception(
        'connection failed: FATAL:  password authentication failed for user "anna"')) == "login"
    assert connection_problem(Exception(
        'could not translate host name "buero" to address')) == "host"
    assert connection_problem(Exception('FATAL:  database "x" does not exist')) == "database"
