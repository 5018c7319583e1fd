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


# -- both engines ---------------------------------------------------------------------
#
# The persistence, service, search and CLI tests run against SQLite and against a real
# PostgreSQL server that the suite starts itself (tests/pg_cluster.py). A test module opts
# in by name below; a test in it that needs the SQLite file itself is marked sqlite_only.

BOTH_ENGINES = {
    "test_persistence", "test_services", "test_services_tags", "test_editing_services",
    "test_interactions", "test_events", "test_listing", "test_last_contact_listing",
    "test_search", "test_duplicates", "test_io_vcard", "test_io_tabular", "test_io_json",
    "test_cli", "test_cli_io", "test_reports", "test_privacy", "test_engines",
    "test_bulk_writes",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_engine" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    both = (module in BOTH_ENGINES and "/tests/crm/" in str(metafunc.definition.path)
            and metafunc.definition.get_closest_marker("sqlite_only") is None)
    metafunc.parametrize("db_engine", ["sqlite", "postgresql"] if both else ["sqlite"])


@pytest.fixture(scope="session")
def pg_cluster():  # noqa: ANN201 - tests.pg_cluster.PgCluster
    from tests.pg_cluster import MISSING, PgCluster, server_bin_dir

    bin_dir = server_bin_dir()
    if bin_dir is None:
        pytest.fail(MISSING)
    cluster = PgCluster(bin_dir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster) -> str:  # noqa: ANN001
    """A migrated and seeded PostgreSQL database, the template of every test's database."""
    from crm.app import open_app
    from crm.config import Preferences

    name = "bruecke_template"
    url = pg_cluster.create_database(name)
    open_app(url, staff="TS", prefs=Preferences()).close()
    return name


_pg_counter = iter(range(1, 1_000_000))


@pytest.fixture
def pg_url(pg_cluster, pg_template: str) -> Iterator[str]:  # noqa: ANN001
    """A fresh database of its own (a copy of the template) for one test."""
    name = f"bruecke_test_{next(_pg_counter)}"
    url = pg_cluster.create_database(name, template=pg_template)
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture
def db_engine() -> str:
    return "sqlite"  # parametrized by pytest_generate_tests where both engines run


@pytest.fixture
def db_target(db_engine: str, db_path: Path, seeded_template: Path,
              request: pytest.FixtureRequest) -> str:
    """Where the test's database lives: the SQLite file's path or the PostgreSQL URL."""
    if db_engine == "postgresql":
        return request.getfixturevalue("pg_url")
    if not db_path.exists():
        shutil.copyfile(seeded_template, db_path)
        os.chmod(db_path, 0o600)
    return str(db_path)


@pytest.fixture
def app(db_target: str):  # noqa: ANN201 - crm.app.App
    from crm.app import open_app

    application = open_app(db_target, staff="TS")
    yield application
    application.close()
