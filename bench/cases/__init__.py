"""The benchmarks, one module each, and what they share: the run's context and timers.

Every case module has ``NAME`` and ``run(ctx) -> Entry | None`` (None: the case does not
apply here, e.g. a service that does not exist yet).
"""

from __future__ import annotations

import importlib
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import datasets

ORDER = ("small", "medium", "large")
CASES = ("search", "search_growth", "startup", "open_list", "log_interaction", "imports",
         "directory", "memory", "file_size")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Context:
    sizes: tuple[str, ...] = ORDER
    quick: bool = False
    data_dir: Path = datasets.DATA_DIR
    memo: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)

    def size(self, preferred: str) -> str:
        """``preferred`` if selected, else the largest selected size below it, else the
        smallest selected."""
        chosen = [s for s in ORDER if s in self.sizes]
        below = [s for s in chosen if ORDER.index(s) <= ORDER.index(preferred)]
        return below[-1] if below else chosen[0]

    @property
    def largest(self) -> str:
        return self.size("large")

    def dataset(self, name: str) -> datasets.Dataset:
        key = f"dataset:{name}"
        if key not in self.memo:
            self.memo[key] = datasets.ensure(name, self.data_dir)
        return self.memo[key]

    @property
    def work_dir(self) -> Path:
        path = self.data_dir / "work"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def repeat(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def load(name: str) -> Any:
    return importlib.import_module(f"bench.cases.{name}")


# -- measuring ---------------------------------------------------------------------------

def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between the closest ranks (``pct`` from 0 to 100)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    pos = (len(ordered) - 1) * pct / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median(values: list[float]) -> float:
    return percentile(values, 50)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_of(fn: Callable[[], Any], runs: int) -> list[float]:
    return [timed(fn) for _ in range(runs)]


def interleaved(a: Callable[[], Any], b: Callable[[], Any], runs: int
                ) -> tuple[list[float], list[float]]:
    """Time ``a`` and ``b`` alternately, so that machine noise hits both alike."""
    first: list[float] = []
    second: list[float] = []
    for index in range(runs):
        pair = (a, first), (b, second)
        for fn, bucket in pair if index % 2 == 0 else reversed(pair):
            bucket.append(timed(fn))
    return first, second


# -- the app on a data set ---------------------------------------------------------------

def bench_env(work_dir: Path, database: Path | None = None) -> dict[str, str]:
    """Environment for the app: the bench's own config and window settings, headless, and
    a backup folder per data set (the window backs its database up at start and close)."""
    label = database.stem if database is not None else "none"
    config = work_dir / f"config-{label}.json"
    settings = {"staff_initials": "BE", "language": "de",
                "backup_folder": str(work_dir / "backups" / label)}  # never the user's own
    if not config.exists() or json.loads(config.read_text(encoding="utf-8")) != settings:
        config.write_text(json.dumps(settings), encoding="utf-8")
    _prune_backups(Path(settings["backup_folder"]))
    env = dict(os.environ)
    env["BRUECKE_CONFIG"] = str(config)
    env["XDG_CONFIG_HOME"] = str(work_dir / "xdg-config")
    env["XDG_DATA_HOME"] = str(work_dir / "xdg-data")
    env.pop("BRUECKE_DB", None)
    env["QT_QPA_PLATFORM"] = os.environ.get("BENCH_QT_PLATFORM", "offscreen")
    # A user's installation has its bytecode compiled; measure that, not the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _prune_backups(folder: Path) -> None:
    """Keep only the newest of the bench's backups: each is as big as its data set."""
    found = sorted(folder.glob("bruecke-*.db")) if folder.is_dir() else []
    for old in found[:-1]:
        old.unlink(missing_ok=True)


@contextmanager
def app_env(work_dir: Path, database: Path | None = None) -> Iterator[None]:
    """This process with the bench environment (config, settings) while opening the app."""
    saved = dict(os.environ)
    keys = ("BRUECKE_CONFIG", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "QT_QPA_PLATFORM")
    os.environ.update({k: v for k, v in bench_env(work_dir, database).items() if k in keys})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def open_app(ctx: Context, path: Path) -> Any:
    with app_env(ctx.work_dir, path):
        from crm.app import open_app as open_crm_app

        return open_crm_app(path, staff="BE", staff_name="Bench")


def private_copy(ctx: Context, name: str, label: str) -> Path:
    """A fresh copy of a data set for a benchmark that writes."""
    source = ctx.dataset(name).path
    target = ctx.work_dir / f"{label}-{name}.db"
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def connect_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def rng(label: str) -> random.Random:
    """A random source per purpose: the same picks whatever else the bench does."""
    return random.Random(f"bench-{datasets.SEED}-{label}")
