"""Where a reading worker's time goes, per file, grouped by what the code is doing.

Runs the per-file path of a `selfeval run` worker in this one process, the way
selfeval_xlsx.pool._worker does (process_file, then to_rows, then store into a spool
file, then the pickling that sending the result to the parent costs), over a generated
corpus (see bench.py), once plainly for the time per file and once under cProfile for
the split:

    python benchmarks/profile_worker.py --units 200 --corpus diverse
    python benchmarks/profile_worker.py --units 200 --corpus template --top 25

Time spent in the standard library and in built-in functions (zipfile, re, Decimal,
str methods) is charged to the selfeval module that called it, in proportion to the
calls; python-calamine's own calls are "calamine parse". The profiler slows Python code
more than C code, so the table anchors what it can on unprofiled times (calamine by
itself, and the worker's stages timed one by one) and splits only the rest of
process_file by the profile's shares; the raw profile shares are printed too.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pickle
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import bench  # benchmarks/bench.py: its corpora

from selfeval_xlsx.container import LIMITS
from selfeval_xlsx.rows import to_rows
from selfeval_xlsx.rules import resolve_rules
from selfeval_xlsx.workbook import process_file

# selfeval module → what it does, in the words of issue 17.
MODULES = {
    "grid": "grid (sheets from calamine's rows)",
    "layout": "layout (cells by label)", "form": "layout (cells by label)",
    "interpret": "interpret (types)", "targets": "interpret (types)", "numbers": "interpret (types)",
    "scoring": "scoring", "checks": "checks", "findings": "findings (objects)",
    "rows": "row rendering", "sheetxml": "row rendering", "textgate": "row rendering",
    "container": "container checks",
    "workbook": "workbook (glue, sha256, sniff)", "model": "workbook (glue, sha256, sniff)",
}
# Built-in calls that are python-calamine's own (their profile entries do not name it).
CALAMINE_CALLS = ("from_filelike", "from_path", "from_object", "get_sheet_by_name", "get_sheet_by_index",
                  "to_python", "iter_rows", "merged_cell_ranges", "sheets_metadata", "calamine", "Calamine")
PICKLING = "pickling"
SPOOL = "spool write"
OTHER = "other (profile harness)"


def own_category(func: tuple[str, int, str]) -> str | None:
    """The category a function belongs to by itself, or None to charge its callers."""
    filename, _, name = func
    if filename == "~":
        if any(k in name for k in CALAMINE_CALLS):
            return "calamine parse"
        if "pickle" in name and "dumps" in name:
            return PICKLING   # the result sent to the parent
        if "write" in name and "FileIO" in name:
            return SPOOL
        return None
    norm = filename.replace(os.sep, "/")
    if "/selfeval_xlsx/" in norm:
        return MODULES.get(Path(norm).stem, "selfeval, other modules")
    if "python_calamine" in norm:
        return "calamine parse"
    if norm.endswith("profile_worker.py"):
        return {"send": PICKLING, "spool": SPOOL}.get(name, OTHER)
    return None


def split(stats: pstats.Stats) -> dict[str, float]:
    """Self time of every function, charged to categories (see the module's docstring)."""
    raw = stats.stats  # func → (primitive calls, calls, self time, cumulative time, callers)
    memo: dict = {}

    def dist(func, visiting: frozenset) -> dict[str, float]:
        if func in memo:
            return memo[func]
        own = own_category(func)
        if own is not None:
            memo[func] = {own: 1.0}
            return memo[func]
        callers = raw[func][4] if func in raw else {}
        weights = {c: edge[3] or edge[2] or 1e-12 for c, edge in callers.items() if c not in visiting}
        total = sum(weights.values())
        if not total:
            return {OTHER: 1.0}
        out: dict[str, float] = defaultdict(float)
        for c, w in weights.items():
            for cat, share in dist(c, visiting | {func}).items():
                out[cat] += share * w / total
        if not visiting:
            memo[func] = dict(out)
        return out

    times: dict[str, float] = defaultdict(float)
    for func, (_, _, tt, _, _) in raw.items():
        for cat, share in dist(func, frozenset()).items():
            times[cat] += tt * share
    return times


def send(rows) -> bytes:
    """What conn.send does with a worker's result before writing it to the pipe."""
    return pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)


def spool(rows, sink):
    return rows.store(sink)


def work(files: list[Path], rules, sink, stages: dict | None = None) -> int:
    """The worker's loop; with `stages`, CPU seconds per stage are added to it."""
    sent = 0
    clock = time.process_time
    for path in files:
        t0 = clock()
        result = process_file(path, path.name, rules, LIMITS)
        t1 = clock()
        rows = to_rows(result, rules.suspicious_score)
        t2 = clock()
        packed = spool(rows, sink)
        t3 = clock()
        sent += len(send(packed))
        if stages is not None:
            for name, dt in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, clock() - t3)):
                stages[name] += dt
    return sent


STAGES = ("process_file (read, score, check)", "to_rows (result → row tuples)",
          "store (rows → sheet XML, findings XML, spool)", "pickle the result for the parent")


def calamine_alone(files: list[Path]) -> float:
    """CPU seconds python-calamine takes for these files by itself, as grid.py calls it."""
    import io

    import python_calamine as pc
    t = time.process_time()
    for path in files:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--corpus", choices=tuple(bench.CORPORA), default="diverse")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "selfeval-bench")
    ap.add_argument("--top", type=int, default=15, help="also list this many functions by self time")
    args = ap.parse_args()
    name_of, make, what = bench.CORPORA[args.corpus]
    folder = args.workdir / name_of(args.units)
    make(folder, args.units)
    files = sorted(folder.glob("*.xlsx"))
    rules = resolve_rules()   # the default preset, as `selfeval run` uses and the corpora are weighted for
    # As in the worker: nothing loaded so far needs collecting, and few cycles are made.
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "rows.bin", "ab", buffering=0) as sink:
        work(files[: min(10, len(files))], rules, sink)   # warm: imports, lazy tables
        stages: dict[str, float] = defaultdict(float)
        t = time.process_time()
        sent = work(files, rules, sink, stages)
        plain = (time.process_time() - t) / len(files)
        floor = calamine_alone(files) / len(files)
        # CPU time, not wall time: on a busy machine the wall clock charges the waits for
        # a core to whatever function happened to be running.
        prof = cProfile.Profile(time.process_time)
        prof.enable()
        work(files, rules, sink)
        prof.disable()
    stats = pstats.Stats(prof)
    times = split(stats)
    total = sum(times.values())
    print(f"{args.corpus} corpus ({what}): {len(files)} files, "
          f"{sum(f.stat().st_size for f in files) / len(files) / 1024:.0f} KB each")
    print(f"worker CPU per file, unprofiled: {plain * 1000:.2f} ms; python-calamine alone on the same files: "
          f"{floor * 1000:.2f} ms ({plain / floor:.1f}×); sent to the parent: {sent / len(files) / 1024:.1f} KB a file")
    print(f"\n{'stage (unprofiled CPU)':48} {'ms/file':>8} {'share':>6}")
    for name in STAGES:
        print(f"{name:48} {stages[name] / len(files) * 1000:8.3f} {stages[name] / len(files) / plain * 100:5.1f}%")
    # The profiler slows many small Python calls several times more than C code, so its
    # shares are not the unprofiled ones. The unprofiled times anchor what they can:
    # calamine by itself, row rendering (to_rows + pack) and pickling as stages; only the
    # rest of process_file is split as the profile splits it among the other modules.
    n = len(files)
    anchored = {"calamine parse": floor,
                "row rendering (to_rows + pack)": (stages[STAGES[1]] + stages[STAGES[2]]) / n,
                "pickling (result for the parent)": stages[STAGES[3]] / n}
    others = {cat: tt for cat, tt in times.items() if cat not in ("calamine parse", "row rendering", PICKLING, SPOOL)}
    inner = stages[STAGES[0]] / n - floor
    split_rest = {cat: tt / sum(others.values()) * inner for cat, tt in others.items()}
    print(f"\n{'where':48} {'ms/file':>8} {'share':>6}   (profiled: {total / n * 1000:.1f} ms/file)")
    for cat, secs in sorted((anchored | split_rest).items(), key=lambda kv: -kv[1]):
        print(f"{cat:48} {secs * 1000:8.3f} {secs / plain * 100:5.1f}%")
    print(f"\n{'profile shares as measured (biased towards Python)':48} {'share':>6}")
    for cat, tt in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"{cat:48} {tt / total * 100:5.1f}%")
    if args.top:
        print(f"\ntop {args.top} functions by self time (profiled):")
        stats.sort_stats("tottime").print_stats(args.top)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
