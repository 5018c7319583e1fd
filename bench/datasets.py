"""Deterministic data sets for the benchmarks, built once and cached under ``bench/data/``.

``python -m bench.datasets large`` builds (or finds) one set; the sets are never committed.
A set is built into a temporary file and renamed when complete, so an interrupted build
leaves nothing that looks finished.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 1
# Bump when the demo generator or the schema changes in a way that makes cached sets stale.
VERSION = 1


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    persons: int
    interactions: int


SPECS = {
    "small": DatasetSpec("small", 1_000, 10_000),
    "medium": DatasetSpec("medium", 10_000, 100_000),
    "large": DatasetSpec("large", 100_000, 1_000_000),
}


@dataclass(frozen=True)
class Dataset:
    spec: DatasetSpec
    path: Path
    build_seconds: float | None  # None when it came from the cache

    @property
    def name(self) -> str:
        return self.spec.name


def dataset_path(spec: DatasetSpec, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{spec.name}-s{SEED}-p{spec.persons}-i{spec.interactions}-v{VERSION}.db"


def ensure(name: str, data_dir: Path = DATA_DIR, log: bool = True) -> Dataset:
    """The data set ``name``, built now if it is not cached yet."""
    spec = SPECS[name]
    path = dataset_path(spec, data_dir)
    if path.exists() and _meta_path(path).exists():
        upgrade(path)
        return Dataset(spec, path, None)
    data_dir.mkdir(parents=True, exist_ok=True)
    if log:
        print(f"building data set {name}: {spec.persons:,} persons, "
              f"{spec.interactions:,} interactions …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    build(spec, path)
    seconds = time.perf_counter() - started
    _meta_path(path).write_text(json.dumps({"persons": spec.persons,
                                            "interactions": spec.interactions,
                                            "seed": SEED, "build_seconds": seconds}))
    if log:
        print(f"built {path.name} in {seconds:.0f} s", file=sys.stderr, flush=True)
    return Dataset(spec, path, seconds)


def build(spec: DatasetSpec, path: Path) -> None:
    """Build the demo network into a fresh file at ``path`` (replacing it)."""
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, *_sidecars(tmp)):
        leftover.unlink(missing_ok=True)
    # The bench never reads the user's own preferences (default database, staff member).
    os.environ.setdefault("BRUECKE_CONFIG", str(path.parent / "bench-config.json"))
    from crm.app import open_app
    from crm.demo import build_demo

    app = open_app(tmp, staff="BE", staff_name="Bench")
    try:
        build_demo(app.db.sessions, seed=SEED, persons=spec.persons,
                   interactions=spec.interactions)
    finally:
        app.close()
    checkpoint(tmp)
    tmp.replace(path)


def upgrade(path: Path) -> None:
    """Bring a cached set to the current schema (migrations added since it was built),
    so that no benchmark measures a migration; the pre-upgrade backup is not kept."""
    from crm.persistence.database import head_revision, open_database

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    if revision and revision[0] == head_revision():
        return
    db = open_database(path)
    try:
        if db.backup_path is not None:
            db.backup_path.unlink(missing_ok=True)
    finally:
        db.dispose()
    checkpoint(path)


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so the file alone is the whole database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for sidecar in _sidecars(path):
        sidecar.unlink(missing_ok=True)


def copy(source: Path, target: Path) -> Path:
    """A private copy of a data set (for benchmarks that write)."""
    for leftover in (target, *_sidecars(target)):
        leftover.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def main(argv: list[str]) -> int:
    for name in argv or list(SPECS):
        print(ensure(name).path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
