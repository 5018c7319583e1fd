"""One window per database: the lock file, stale locks, read-only mode, network shares."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from crm import lockfile
from crm.errors import DatabaseError
from crm.services.people import PersonInput


def test_second_window_finds_the_lock_and_a_released_lock_is_free(tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "a.db"
    first = lockfile.DatabaseLock(db)
    assert first.acquire() is None and first.path.exists()
    assert oct(first.path.stat().st_mode & 0o777) == "0o600"
    # Another process's lock (a live pid that is not ours: our parent).
    first.path.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    holder = lockfile.DatabaseLock(db).acquire()
    assert holder is not None and holder.pid == os.getppid()
    first.path.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
    first.release()
    assert not first.path.exists()
    assert lockfile.DatabaseLock(db).acquire() is None


def test_a_stale_lock_is_taken_over(tmp_path) -> None:  # noqa: ANN001
    db = tmp_path / "a.db"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    lock = lockfile.lock_path(db)
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
    assert lockfile.DatabaseLock(db).acquire() is None
    lock.write_text("garbage")  # an unreadable lock is stale as well
    assert lockfile.DatabaseLock(db).acquire() is None
    other_host = {"pid": 1, "host": "somewhere-else"}
    lock.write_text(json.dumps(other_host))
    assert lockfile.DatabaseLock(db).acquire() is not None  # cannot judge: respected


def test_read_only_mode_refuses_writes(app) -> None:  # noqa: ANN001
    app.people.create(PersonInput(full_name="Anna Şahin"))
    lockfile.set_read_only(app.db.engine)
    assert app.people.count() == 1
    with pytest.raises(DatabaseError) as refused:
        app.people.create(PersonInput(full_name="Bilal Nguyễn"))
    assert refused.value.code == "read_only"


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/verein nfs4 rw,relatime 0 0
//nas/daten /mnt/nas\\040daten cifs rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(("path", "kind"), [
    ("/mnt/verein/bruecke.db", "nfs4"), ("/mnt/nas daten/b.db", "cifs"),
    ("/home/anna/bruecke.db", None), ("/mnt/vereinsdaten/x.db", None), ("/tmp/x.db", None)])
def test_network_shares_are_recognised(path: str, kind: str | None) -> None:
    assert lockfile.network_filesystem(path, MOUNTS) == kind


def test_this_machines_mounts_are_read(tmp_path) -> None:  # noqa: ANN001
    assert lockfile.mount_point_fs(tmp_path) is not None


def test_the_command_line_is_not_blocked_by_a_windows_lock_but_restore_is(
        app, tmp_path) -> None:  # noqa: ANN001
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from crm import backup
    from crm.cli import main

    saved = backup.make_backup(app.db.path, tmp_path / "saved.db")
    app.close()
    lock = lockfile.lock_path(app.db.path)  # a window of a running process holds it
    lock.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    db = ["--db", str(app.db.path), "--lang", "en"]

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main([*db, *args])
        return code, out.getvalue(), err.getvalue()

    assert run("person", "add", "Ana Popescu")[0] == 0
    code, out, _err = run("--json", "person", "list")
    assert code == 0 and "Ana Popescu" in out
    assert run("backup", "-o", str(tmp_path / "while-open.db"))[0] == 0
    code, out, err = run("restore", str(saved))
    assert code == 1 and "window" in err and out == ""
    assert lock.exists()
