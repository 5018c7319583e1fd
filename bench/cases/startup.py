"""Start-up: process start to the main window painted with the first rows, largest set.

``main.py --db …`` runs with ``BRUECKE_BENCH_EXIT_AFTER_PAINT=1`` (see ``ui/app.py``): it
prints a timestamp after the list's first paint with rows and quits. Baseline: a bare
PySide6 QMainWindow with an empty QTableView, process start to its first paint. One
unmeasured warm-up run each (bytecode compiled, files in the page cache), then runs
alternate; the median counts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cases import ROOT, Context, bench_env, median
from bench.report import Entry

NAME = "start-up"
TARGET = 3.0
TIMEOUT = 300

BARE_WINDOW = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

app = QApplication(sys.argv)
window = QMainWindow()
view = QTableView()
window.setCentralWidget(view)
window.resize(1366, 768)


class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            view.viewport().removeEventFilter(self)
            QTimer.singleShot(0, report)
        return False


def report():
    print(f"bench-painted {time.time():.6f}", flush=True)
    print(f"bench-done {time.time():.6f}", flush=True)
    app.quit()


probe = Probe()
view.viewport().installEventFilter(probe)
window.show()
sys.exit(app.exec())
"""


@dataclass(frozen=True)
class Launch:
    painted: float  # seconds from process start to the first paint with rows
    done: float  # … to the end of the searches after it (memory runs)
    peak_rss_mb: float


def run(ctx: Context) -> Entry:
    size = ctx.largest
    path = ctx.dataset(size).path
    runs = ctx.repeat(5, 2)
    launch_app(ctx, path)  # warm-up
    launch_bare(ctx)
    ours: list[float] = []
    theirs: list[float] = []
    for index in range(runs):
        pair = [(lambda: launch_app(ctx, path), ours), (lambda: launch_bare(ctx), theirs)]
        for fn, bucket in pair if index % 2 == 0 else reversed(pair):
            bucket.append(fn().painted)
    return Entry(NAME, median(ours), "s", median(theirs), TARGET, dataset=size,
                 details={"app_ms": median(ours) * 1000, "bare_ms": median(theirs) * 1000,
                          "app_min_ms": min(ours) * 1000, "bare_min_ms": min(theirs) * 1000,
                          "runs": runs})


def launch_app(ctx: Context, path: Path, searches: list[str] | None = None) -> Launch:
    env = bench_env(ctx.work_dir, path)
    env["BRUECKE_BENCH_EXIT_AFTER_PAINT"] = "1"
    if searches:
        env["BRUECKE_BENCH_SEARCH"] = "|".join(searches)
    return launch([sys.executable, str(ROOT / "main.py"), "--db", str(path)], env)


def launch_bare(ctx: Context) -> Launch:
    return launch([sys.executable, "-c", BARE_WINDOW], bench_env(ctx.work_dir))


def launch(command: list[str], env: dict[str, str]) -> Launch:
    """Run until the program quits; its timestamps and its peak resident memory."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.time()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        status, peak_mb = _wait(process)
        out.seek(0)
        err.seek(0)
        stamps = dict(line.split() for line in out.read().splitlines()
                      if line.startswith("bench-"))
        if status != 0 or "bench-painted" not in stamps:
            raise RuntimeError(f"{command[1]} failed ({status}): {err.read()[-2000:]}")
    return Launch(float(stamps["bench-painted"]) - started,
                  float(stamps["bench-done"]) - started, peak_mb)


def _wait(process: subprocess.Popen[str]) -> tuple[int, float]:
    """Wait for the process; its exit status and its peak resident memory in MB.

    The peak is the process's own ``VmHWM``, read while it runs: ``ru_maxrss`` of a child
    also counts the memory of the parent it was forked from.
    """
    killer = threading.Timer(TIMEOUT, process.kill)
    killer.start()
    peak = [0]
    status_file = Path(f"/proc/{process.pid}/status")

    def watch() -> None:
        while process.returncode is None:
            try:
                for line in status_file.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    watcher.join()
    kilobytes = peak[0] or usage.ru_maxrss  # no /proc: the (higher) rusage figure
    return process.returncode, kilobytes / 1024
