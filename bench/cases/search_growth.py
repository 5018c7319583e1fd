"""Search growth: p95 of the same kind of queries on the largest set vs the next smaller one.

Ten times the data may cost at most twice the time. With a single size selected (the smoke
test), the set is compared with itself.
"""

from __future__ import annotations

from bench.cases import ORDER, Context
from bench.cases.search import measure
from bench.report import Entry

NAME = "search growth"
TARGET = 2.0


def run(ctx: Context) -> Entry:
    large = ctx.largest
    chosen = [s for s in ORDER if s in ctx.sizes and ORDER.index(s) < ORDER.index(large)]
    smaller = chosen[-1] if chosen else large
    big, small = measure(ctx, large), measure(ctx, smaller)
    return Entry(NAME, big["p95"], "s", small["p95"], TARGET, dataset=f"{large}/{smaller}",
                 details={"p95_ms": big["p95"] * 1000, "smaller_p95_ms": small["p95"] * 1000,
                          "p50_ms": big["p50"] * 1000, "smaller_p50_ms": small["p50"] * 1000})
