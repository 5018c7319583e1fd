"""One window per database: a lock file beside it, and a warning for network shares.

The first window writes ``<database>.lock`` (its pid, host and start time); a second
window finds it and offers to open the database read-only. A lock whose process is gone
(same host, pid not alive) is stale and taken over. The command line never takes the lock:
short commands next to an open window are fine, SQLite's own locking keeps them apart.

SQLite's WAL mode needs shared memory that network file systems (NFS, SMB/CIFS) do not
provide reliably: :func:`network_filesystem` tells when the database lies on one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger("bruecke.lock")
NETWORK_FS = ("nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "ncpfs",
              "9p", "fuse.sshfs", "davfs", "fuse.davfs2", "glusterfs", "ceph")
MOUNTS = Path("/proc/mounts")


@dataclass(frozen=True, slots=True)
class LockOwner:
    pid: int
    host: str
    started: str


def lock_path(database: str | os.PathLike[str]) -> Path:
    return Path(f"{Path(database).expanduser().resolve()}.lock")


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def is_stale(owner: LockOwner) -> bool:
    """Only a lock of this machine can be judged: elsewhere the pid means nothing here."""
    return owner.host == socket.gethostname() and not pid_alive(owner.pid)


class DatabaseLock:
    """``acquire()`` → None when this process holds the lock, else the holder."""

    def __init__(self, database: str | os.PathLike[str]) -> None:
        self.path = lock_path(database)
        self.held = False

    def owner(self) -> LockOwner | None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return LockOwner(int(raw["pid"]), str(raw["host"]), str(raw.get("started", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def acquire(self) -> LockOwner | None:
        for _attempt in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                holder = self.owner()
                if holder is not None and not is_stale(holder):
                    if holder.pid == os.getpid() and holder.host == socket.gethostname():
                        self.held = True
                        return None
                    return holder
                log.info("stale lock removed pid=%s", holder.pid if holder else "?")
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                continue
            except OSError:
                return None  # a read-only folder: nothing to lock, SQLite still guards
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                           "started": datetime.now(UTC).isoformat(timespec="seconds")}, fh)
            self.held = True
            return None
        return self.owner()

    def release(self) -> None:
        if not self.held:
            return
        holder = self.owner()
        if holder is not None and holder.pid == os.getpid():
            with contextlib.suppress(OSError):
                self.path.unlink()
        self.held = False


def set_read_only(engine: Engine) -> None:
    """Every connection of ``engine`` refuses writes from now on (``PRAGMA query_only``)."""
    if engine.dialect.name != "sqlite":
        return

    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = 1")

    if not event.contains(engine, "connect", _on_connect):
        event.listen(engine, "connect", _on_connect)
    engine.dispose()  # pooled connections were opened writable


def mount_point_fs(path: str | os.PathLike[str], mounts: str | None = None) -> str | None:
    """The file system type of the mount that holds ``path`` (from /proc/mounts)."""
    if mounts is None:
        try:
            mounts = MOUNTS.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(Path(path).expanduser().resolve())
    best, kind = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def network_filesystem(path: str | os.PathLike[str], mounts: str | None = None) -> str | None:
    """The network file system type holding ``path`` ("nfs4", "cifs" …), else None."""
    kind = mount_point_fs(path, mounts)
    if kind is None:
        return None
    return kind if kind in NETWORK_FS or kind.startswith(("nfs", "smb", "cifs")) else None
