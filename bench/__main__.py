"""``python -m bench [--quick] [--sizes small,medium,large] [--only NAME,…]``

Builds (or finds) the data sets, runs every benchmark, prints the table and writes
``bench/results.json``. Each benchmark runs in a process of its own, so that no benchmark
inherits another's memory, caches or garbage. Exit status 1 if a benchmark failed to run
(not if it missed its target: that is what the table is for).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bench.cases import CASES, ORDER, ROOT, Context, load
from bench.report import RESULTS_PATH, Entry, table, write_results

# Benchmarks that share measurements run in one process (growth reuses the search runs).
GROUPS = (("search", "search_growth"),)
_ENTRY, _SKIPPED, _FAILED = "bench-entry ", "bench-skipped ", "bench-failed "


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions (noisier numbers, same structure)")
    parser.add_argument("--sizes", default=",".join(ORDER),
                        help="data sets to use, of small,medium,large (default: all)")
    parser.add_argument("--only", default="",
                        help=f"comma-separated benchmarks to run, of {','.join(CASES)}")
    parser.add_argument("--output", type=Path, default=RESULTS_PATH,
                        help="where to write the results (default: bench/results.json)")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sizes = tuple(s for s in ORDER if s in args.sizes.split(","))
    unknown = set(args.sizes.split(",")) - set(ORDER)
    only = [c for c in args.only.split(",") if c]
    if not sizes or unknown or set(only) - set(CASES):
        print(f"unknown size or benchmark: {args.sizes} {args.only}", file=sys.stderr)
        return 2
    ctx = Context(sizes=sizes, quick=args.quick)
    if args.in_process:  # one group, in a child of the run below
        return _child(ctx, only)
    entries, failed, skipped = run_all(ctx, only or list(CASES))
    print(table(entries, skipped))
    meta = {"quick": args.quick, "sizes": list(sizes), "python": platform.python_version(),
            "machine": platform.machine(), "skipped": skipped, "failed": failed}
    write_results(entries, args.output, meta)
    print(f"\nwrote {args.output}", file=sys.stderr)
    return 1 if failed else 0


def run_all(ctx: Context, names: list[str], isolated: bool = True
            ) -> tuple[list[Entry], list[str], list[str]]:
    """Run the benchmarks; (entries, names that failed, names that did not apply)."""
    started = time.perf_counter()
    for size in ctx.sizes:  # all building first, so that no benchmark waits for it
        ctx.dataset(size)
    entries: list[Entry] = []
    failed: list[str] = []
    skipped: list[str] = []
    for group in _groups(names):
        ctx.log(f"[{time.perf_counter() - started:6.0f} s] {', '.join(group)} …")
        run = _run_isolated if isolated else _run_here
        for kind, value in run(ctx, group):
            if kind == _ENTRY:
                entries.append(value)
            else:
                (skipped if kind == _SKIPPED else failed).append(value)
    ctx.log(f"[{time.perf_counter() - started:6.0f} s] done")
    return entries, failed, skipped


def _groups(names: list[str]) -> list[list[str]]:
    result: list[list[str]] = []
    for name in names:
        group = next((g for g in GROUPS if name in g), (name,))
        wanted = [n for n in group if n in names]
        if wanted not in result:
            result.append(wanted)
    return result


def _run_here(ctx: Context, names: list[str]) -> list[tuple[str, object]]:
    outcome: list[tuple[str, object]] = []
    for name in names:
        case = load(name)
        try:
            entry = case.run(ctx)
        except Exception:  # noqa: BLE001 - report it and go on with the others
            traceback.print_exc()
            outcome.append((_FAILED, case.NAME))
            continue
        outcome.append((_SKIPPED, case.NAME) if entry is None else (_ENTRY, entry))
    return outcome


def _run_isolated(ctx: Context, names: list[str]) -> list[tuple[str, object]]:
    command = [sys.executable, "-m", "bench", "--in-process", "--sizes", ",".join(ctx.sizes),
               "--only", ",".join(names)] + (["--quick"] if ctx.quick else [])
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    outcome: list[tuple[str, object]] = []
    for line in done.stdout.splitlines():
        if line.startswith(_ENTRY):
            outcome.append((_ENTRY, Entry.from_json(json.loads(line[len(_ENTRY):]))))
        elif line.startswith((_SKIPPED, _FAILED)):
            kind, name = line.split(" ", 1)
            outcome.append((kind + " ", name))
    reported = len(outcome)
    for name in names[reported:]:  # the process died before reporting these
        outcome.append((_FAILED, load(name).NAME))
    return outcome


def _child(ctx: Context, names: list[str]) -> int:
    for kind, value in _run_here(ctx, names):
        text = json.dumps(value.to_json()) if isinstance(value, Entry) else value
        print(f"{kind}{text}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
