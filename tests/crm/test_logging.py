"""The log file never holds names, e-mail addresses, phone numbers or notes."""

from __future__ import annotations

import io
import logging
import os
import stat
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from crm import backup, logging_setup
from crm.cli import main
from crm.logging_setup import scrub, setup_logging
from crm.services.contacts import ContactInput
from crm.services.people import PersonInput
from crm.services.privacy import PrivacyService

SECRETS = ("Şahin", "Sahin", "anna.sahin@example.org", "3615551234", "5551234",
           "vertraulich", "Bilal")


def test_a_session_of_operations_logs_no_personal_data(app, tmp_path: Path) -> None:  # noqa: ANN001
    log_file = setup_logging(tmp_path / "log")
    assert log_file is not None
    privacy = PrivacyService(app.ctx, app.prefs)
    uid = app.people.create(PersonInput(
        full_name="Anna Şahin", notes="vertraulich",
        contact_points=[ContactInput(kind="email", value="anna.sahin@example.org"),
                        ContactInput(kind="phone", value="0361 5551234")])).uid
    privacy.add_consent(uid, "newsletter", "2024-01-01", notes="vertraulich")
    privacy.withdraw_purpose(uid, "newsletter")
    privacy.export_access(uid, tmp_path / "a.json")
    backup.automatic_backup(app.db.path, tmp_path / "backups")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(["--db", str(app.db.path), "person", "show", "Anna Şahin"])
        main(["--db", str(app.db.path), "person", "add", "Bilal", "--email", "bilal@x.org"])
    setup_logging(tmp_path / "log")  # the CLI logged to the default folder; back here
    logging.getLogger("bruecke.test").error("slip: %s, %s", "anna.sahin@example.org",
                                            "+49 361 5551234")
    other = logging.StreamHandler(io.StringIO())  # formats first, caching the traceback
    logging.getLogger("bruecke").handlers.insert(0, other)
    try:
        raise ValueError("Anna Şahin vertraulich")
    except ValueError:
        logging.getLogger("bruecke.test").exception("failed for %s", uid)
    logging.getLogger("bruecke").removeHandler(other)
    privacy.erase(uid)
    for handler in logging.getLogger("bruecke").handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "consent added" in text and "person erased" in text and uid in text
    assert "ValueError (message omitted)" in text
    assert [s for s in SECRETS if s in text] == []
    assert stat.S_IMODE(os.stat(log_file).st_mode) == 0o600


def test_cli_logs_command_names_not_arguments(app, tmp_path: Path,  # noqa: ANN001
                                              monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv(logging_setup.LOG_ENV, str(tmp_path / "cli-log"))
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        main(["--db", str(app.db.path), "person", "add", "Nguyễn Thị Minh Khai"])
    text = (tmp_path / "cli-log" / logging_setup.FILE_NAME).read_text(encoding="utf-8")
    assert "command person add" in text and "Nguy" not in text


def test_scrub_keeps_uids_and_counts() -> None:
    uid = "550e8400-e29b-41d4-a716-446655440000"
    assert scrub(f"uid={uid} count=1234567") == f"uid={uid} count=1234567"
    assert scrub("mail a.b+c@verein.example.de now") == "mail [email] now"
    assert scrub("tel 0361/555-1234 or +49 (361) 5551234") == "tel [phone] or [phone]"
