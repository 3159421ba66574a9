"""The worker's output path alone: to_rows, store (spool file) and the pickle sent to the parent.

profile_worker.py times these stages beside process_file; here the files are read and
scored once, up front, and only what follows is measured, in passes over all files
(each pass starts cold, as a fresh worker does: the text caches are cleared), so the
times can be compared between checkouts:

    python benchmarks/profile_rows.py --corpus diverse --units 200 --passes 7
    python benchmarks/profile_rows.py --corpus diverse --callgrind --files 60   # instructions
    PYTHONPATH=/other/checkout python benchmarks/profile_rows.py ...                # compare

--callgrind counts instructions under valgrind (stable on a shared machine): one run
per stage, each running all three a stage at a time over all files and counting only
inside the one stage (PYTHONHASHSEED fixed, so the runs do the same work).
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import os
import pickle
import pstats
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import instructions  # benchmarks/instructions.py: its callgrind runner

STAGES = ("read", "to_rows", "store", "pickle")


def _clear_caches() -> None:
    """What a fresh worker starts with: no text seen yet."""
    from selfeval_xlsx import sheetxml
    for name in dir(sheetxml):
        f = getattr(sheetxml, name)
        if callable(getattr(f, "cache_clear", None)) and name not in ("_wide", "cell_format", "link_cells",
                                                                       "_link_tags"):
            f.cache_clear()
    sheetxml.GATED.clear()


def _results(folder: Path, files: int):
    from selfeval_xlsx.container import LIMITS
    from selfeval_xlsx.rules import resolve_rules
    from selfeval_xlsx.workbook import process_file
    rules = resolve_rules()   # the default preset, as `selfeval run` uses and the corpora are weighted for
    paths = sorted(folder.glob("*.xlsx"))[:files]
    return rules, [process_file(p, p.name, rules, LIMITS) for p in paths]


def one_pass(results, rules, sink, upto: str = "pickle", stages: dict | None = None) -> int:
    from selfeval_xlsx.rows import to_rows
    _clear_caches()
    clock = time.process_time
    n = STAGES.index(upto)
    sent = 0
    for r in results:
        t0 = clock()
        rows = to_rows(r, rules.suspicious_score)
        t1 = clock()
        if n < 2:
            continue
        record = rows.store(sink)
        t2 = clock()
        if n < 3:
            continue
        sent += len(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
        t3 = clock()
        if stages is not None:
            stages["to_rows"] += t1 - t0
            stages["store"] += t2 - t1
            stages["pickle"] += t3 - t2
    return sent


def child(folder: Path, files: int, stage: str) -> None:
    """All three stages over the files, a stage at a time; only `stage` runs inside
    functools.reduce, the C function valgrind counts in (--toggle-collect)."""
    from selfeval_xlsx.rows import to_rows
    from selfeval_xlsx.sheetxml import display_width
    rules, results = _results(folder, files)
    display_width("")   # as pool.py does on import: the table of wide characters is built
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)   # as in the worker
    _clear_caches()
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "rows.bin", "ab", buffering=0) as sink:
        steps = {"to_rows": lambda r: to_rows(r, rules.suspicious_score), "store": lambda t: t.store(sink),
                 "pickle": lambda rec: pickle.dumps(rec, pickle.HIGHEST_PROTOCOL)}
        items = results
        for name, step in steps.items():
            if name == stage:
                items = functools.reduce(lambda done, item: [*done, step(item)], items, [])
            else:
                items = [step(item) for item in items]


def count(folder: Path, files: int, stage: str) -> int:
    return instructions.callgrind([__file__, "--child", stage, "--folder", str(folder), "--files", str(files)],
                                  ("--toggle-collect=functools_reduce",), {**os.environ, "PYTHONHASHSEED": "0"})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="diverse")
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--passes", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "selfeval-bench")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--jobs", type=int, default=1, help="valgrind runs at once (--callgrind)")
    ap.add_argument("--profile", type=int, default=0, help="list this many functions by self time")
    ap.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.folder, args.files, args.child)
        return
    import bench  # benchmarks/bench.py: its corpora
    name_of, make, _ = bench.CORPORA[args.corpus]
    folder = args.workdir / name_of(args.units)
    make(folder, args.units)
    if args.callgrind:
        with ThreadPoolExecutor(args.jobs) as pool:
            counts = dict(zip(STAGES[1:], pool.map(lambda s: count(folder, args.files, s), STAGES[1:])))
        n = args.files
        print(f"{args.corpus}, first {n} files: M instructions per file")
        for stage, c in counts.items():
            print(f"  {stage:10} {c / n / 1e6:7.3f}")
        print(f"  {'all three':10} {sum(counts.values()) / n / 1e6:7.3f}")
        return
    rules, results = _results(folder, args.files)
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "rows.bin", "ab", buffering=0) as sink:
        one_pass(results, rules, sink)   # warm
        runs = []
        for _ in range(args.passes):
            stages = dict.fromkeys(STAGES[1:], 0.0)
            sent = one_pass(results, rules, sink, stages=stages)
            runs.append(stages)
        n = len(results)
        print(f"{args.corpus}: {n} files, {sent / n / 1024:.1f} KB pickled a file; ms/file over {args.passes} passes")
        print(f"  {'stage':10} {'min':>7} {'median':>7}")
        for stage in (*STAGES[1:], "all"):
            vals = sorted(sum(r.values()) if stage == "all" else r[stage] for r in runs)
            print(f"  {stage:10} {vals[0] / n * 1e3:7.3f} {vals[len(vals) // 2] / n * 1e3:7.3f}")
        if args.profile:
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            one_pass(results, rules, sink)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
