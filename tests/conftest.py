"""Fixtures shared by all tests: a fresh app on a temporary database, pinned language."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """No test reaches the network (pytest-socket); Unix sockets (Qt, socketpair) are fine."""
    config.option.disable_socket = True
    config.option.allow_unix_socket = True


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user's config or data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BRUECKE_CONFIG", str(home / "config.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # the log file
    monkeypatch.delenv("BRUECKE_DB", raising=False)


@pytest.fixture(autouse=True)
def _german(request: pytest.FixtureRequest) -> Iterator[None]:
    from crm.i18n import set_language

    set_language("de")
    yield
    set_language("de")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded database, built once and copied for every test."""
    from crm.app import open_app
    from crm.config import Preferences

    path = tmp_path_factory.mktemp("template") / "template.db"
    open_app(path, staff="TS", prefs=Preferences()).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def app(db_path: Path, seeded_template: Path):  # noqa: ANN201 - crm.app.App
    from crm.app import open_app

    shutil.copyfile(seeded_template, db_path)
    os.chmod(db_path, 0o600)
    application = open_app(db_path, staff="TS")
    yield application
    application.close()
