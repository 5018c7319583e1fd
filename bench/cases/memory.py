"""Memory: peak resident memory of the app with the largest set open and searched, against
the bare window of the start-up benchmark. The difference counts (at most 150 MB)."""

from __future__ import annotations

from bench.cases import Context
from bench.cases.search import queries_for
from bench.cases.startup import launch_app, launch_bare
from bench.report import DIFFERENCE, Entry

NAME = "memory"
TARGET = 150.0
SEARCHES = 40


def run(ctx: Context) -> Entry:
    size = ctx.largest
    path = ctx.dataset(size).path
    searches = queries_for(path)[:SEARCHES]
    app = launch_app(ctx, path, searches)
    bare = launch_bare(ctx)
    return Entry(NAME, app.peak_rss_mb, "MB", bare.peak_rss_mb, TARGET, compare=DIFFERENCE,
                 dataset=size, details={"searches": len(searches),
                                        "search_s": app.done - app.painted})
