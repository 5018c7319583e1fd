"""Search as you type: p95 of 200 queries through SearchService on the largest set.

Baseline: the same queries as ranked prefix queries (``ORDER BY rank LIMIT 20``, rows
fetched as Python tuples) on a bare in-memory FTS5 table holding the persons' folded names.
The queries are drawn from the data set: 3-letter prefixes, full names, accent-free
spellings and words with one typo, 50 each.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bench.cases import Context, connect_readonly, median, open_app, percentile, rng, timed
from bench.report import Entry

NAME = "search as you type"
TARGET = 5.0
PER_KIND = 50
LETTERS = "abcdefghijklmnoprstuvwxyz"


def run(ctx: Context) -> Entry:
    size = ctx.largest
    measured = measure(ctx, size)
    return Entry(NAME, measured["p95"], "s", measured["baseline_p95"], TARGET,
                 dataset=size, details={
                     "p50_ms": measured["p50"] * 1000, "p95_ms": measured["p95"] * 1000,
                     "baseline_p50_ms": measured["baseline_p50"] * 1000,
                     "baseline_p95_ms": measured["baseline_p95"] * 1000,
                     "queries": measured["queries"], "rounds": measured["rounds"],
                 })


def measure(ctx: Context, size: str) -> dict[str, Any]:
    """p50/p95 of Brücke and of the baseline on one data set (memoised per run)."""
    key = f"search:{size}"
    if key in ctx.memo:
        return ctx.memo[key]
    path = ctx.dataset(size).path
    queries = queries_for(path)
    app = open_app(ctx, path)
    baseline = BareNames(path)
    try:
        for query in queries:  # warm both: caches, pages, the index's first maintenance
            app.search.search(query)
            baseline.search(query)
        rounds = ctx.repeat(3, 1)
        ours_by_query: list[list[float]] = [[] for _ in queries]
        theirs_by_query: list[list[float]] = [[] for _ in queries]
        for number in range(rounds):
            for index, query in enumerate(queries):
                pair = [(app.search.search, ours_by_query[index]),
                        (baseline.search, theirs_by_query[index])]
                for fn, bucket in pair if (index + number) % 2 == 0 else reversed(pair):
                    bucket.append(timed(lambda f=fn, q=query: f(q)))
        # Each query's median over the rounds: one query's time, not the machine's hiccup.
        ours = [median(times) for times in ours_by_query]
        theirs = [median(times) for times in theirs_by_query]
    finally:
        app.close()
        baseline.close()
    result = {"p50": percentile(ours, 50), "p95": percentile(ours, 95),
              "baseline_p50": percentile(theirs, 50), "baseline_p95": percentile(theirs, 95),
              "queries": len(queries), "rounds": rounds}
    ctx.memo[key] = result
    return result


# -- the queries --------------------------------------------------------------------------

def queries_for(path: Path, per_kind: int = PER_KIND) -> list[str]:
    """``4 × per_kind`` queries drawn deterministically from the data set's persons."""
    from crm.search.normalize import fold

    conn = connect_readonly(path)
    try:
        names = [(full, family or full) for full, family in conn.execute(
            "SELECT full_name, family_name FROM person ORDER BY id")]
    finally:
        conn.close()
    pick = rng("search")
    prefixes = [family[:3] for _full, family in pick.sample(names, per_kind)]
    full_names = [full for full, _family in pick.sample(names, per_kind)]
    accented = [full for full, _family in names if not full.isascii()] or [n[0] for n in names]
    plain = [fold(full) for full in pick.choices(accented, k=per_kind)]
    long_words = [w for _full, family in names for w in fold(family).split()
                  if len(w) >= 6 and w.isalpha()] or ["mustermann"]
    typos = [_typo(word, pick) for word in pick.choices(long_words, k=per_kind)]
    queries = prefixes + full_names + plain + typos
    pick.shuffle(queries)
    return queries


def _typo(word: str, pick: Any) -> str:
    """One edit after the first two letters: substitution, swap, deletion or insertion."""
    at = pick.randrange(2, len(word) - 1)
    kind = pick.randrange(4)
    if kind == 0:
        return word[:at] + pick.choice(LETTERS.replace(word[at], "")) + word[at + 1:]
    if kind == 1 and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    if kind == 2:
        return word[:at] + word[at + 1:]
    return word[:at] + pick.choice(LETTERS) + word[at:]


# -- the baseline --------------------------------------------------------------------------

class BareNames:
    """A bare FTS5 table of the persons' folded names, searched by ranked prefix queries."""

    def __init__(self, path: Path) -> None:
        from crm.search.normalize import fold

        source = connect_readonly(path)
        try:
            rows = [(pid, fold(name)) for pid, name in
                    source.execute("SELECT id, full_name FROM person")]
        finally:
            source.close()
        self._conn = sqlite3.connect(":memory:")
        self._conn.execute("CREATE VIRTUAL TABLE names USING fts5(name, prefix = '1 2 3')")
        self._conn.executemany("INSERT INTO names (rowid, name) VALUES (?, ?)", rows)
        self._conn.commit()
        self._fold = fold

    def search(self, query: str) -> list[tuple[Any, ...]]:
        words = self._fold(query).split()
        if not words:
            return []
        expression = " ".join(f'"{w}"*' for w in words)
        return self._conn.execute(
            "SELECT rowid, name FROM names WHERE names MATCH ? ORDER BY rank LIMIT 20",
            (expression,)).fetchall()

    def close(self) -> None:
        self._conn.close()
