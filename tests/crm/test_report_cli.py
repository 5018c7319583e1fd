"""``python -m crm report …`` end to end: the PDF is written, or exit 1 with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_support import assert_a4, checkpoint, contains, page_texts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """A small demo database and an environment that keeps away from the user's files."""
    from crm.app import open_app
    from crm.config import Preferences
    from crm.demo import build_demo

    home = tmp_path_factory.mktemp("report-cli")
    path = home / "demo.db"
    application = open_app(path, staff="TS", prefs=Preferences())
    build_demo(application.db.sessions, seed=2, persons=40)
    application.close()
    checkpoint(path)
    env = dict(os.environ)
    env.pop("BRUECKE_DB", None)
    env.update(BRUECKE_CONFIG=str(home / "config.json"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"))
    return env, path


def _bruecke(cli_env: tuple[dict[str, str], Path], *args: str
             ) -> subprocess.CompletedProcess[str]:
    env, path = cli_env
    return subprocess.run([sys.executable, "-m", "crm", "--db", str(path), *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=120)


def test_report_directory_writes_the_pdf(cli_env: tuple[dict[str, str], Path],
                                         tmp_path: Path) -> None:
    target = tmp_path / "verzeichnis.pdf"
    done = _bruecke(cli_env, "report", "directory", "--municipality", "Erfurt",
                    "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert str(target) in done.stdout and done.stderr == ""
    assert_a4(target)
    assert contains(page_texts(target)[1], "Erfurt")


def test_report_that_cannot_be_written_exits_1(cli_env: tuple[dict[str, str], Path],
                                               tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "telefon.pdf"
    done = _bruecke(cli_env, "report", "phone-list", "-o", str(target))
    assert done.returncode == 1
    assert done.stdout == ""
    assert str(target) in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not target.parent.exists()


def test_report_labels_json_lists_the_skipped(cli_env: tuple[dict[str, str], Path],
                                              tmp_path: Path) -> None:
    target = tmp_path / "etiketten.pdf"
    done = _bruecke(cli_env, "--json", "report", "labels", "--layout", "2x7", "-o",
                    str(target))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["path"] == str(target) and result["printed"] > 0
    assert all({"uid", "name"} <= set(s) for s in result["skipped"])
    assert_a4(target)
    bad = _bruecke(cli_env, "report", "labels", "--layout", "5x5", "-o", str(target))
    assert bad.returncode == 1 and "5x5" in bad.stderr
