"""Where the parent process of `selfeval run` spends its CPU time, and the workers' total.

profile_worker.py covers what a reading worker does per file; this covers the rest of
a run: the parent receiving and storing each file's record, the whole-batch checks,
writing the summary workbook and the JSON. It runs `selfeval run` in this process
(workers are real, contained processes as in a normal run) under cProfile with a CPU
clock, so waiting for the workers costs nothing, and samples the workers' CPU time:

    python benchmarks/profile_parent.py --units 1000 --corpus diverse
    python benchmarks/profile_parent.py --units 1000 --corpus template --top 25

CPU time, not wall time: the machine this runs on is often shared. The parent's is
all its threads' (the summary is compressed in a second one) less the thread that
samples the workers; the profile is of its main thread.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

import bench  # benchmarks/bench.py: its corpora
import psutil

# Parent stages, by the functions whose cumulative CPU time they are (file:function, |-separated).
STAGES = (
    ("receive a file's record (unpickle)", "connection.py:_recv_bytes|connection.py:recv"),
    ("store a file's record (spool.add, head)", "spool.py:add|rows.py:head"),
    ("whole-batch checks", ("batch.py:_batch_checks|batch.py:_department_checks|batch.py:_bunching"
                           "|batch.py:_copied_across_units")),
    ("write the summary workbook", "summary_xlsx.py:write_summary"),
    ("write the JSON", "json_out.py:write_json"),
    ("terminal report", "terminal.py:run_report"),
)


def _cumulative(stats: pstats.Stats, spec: str) -> float:
    """Cumulative CPU time of the functions named (file:function, |-separated), which
    must not call one another (or their time would count twice)."""
    total = 0.0
    for (filename, _, name), (_, _, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        for one in spec.split("|"):
            file, func = one.split(":")
            if filename.endswith(file) and name == func:
                total += ct
    return total


class TreeCPU:
    """CPU time of this process's descendants (the workers and the forkserver), sampled:
    they are not this process's children to wait for, so getrusage misses them."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.own = 0.0   # this sampling thread's own CPU time
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for p in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    self.seen[p.pid] = t.user + t.system
            self._stop.wait(0.05)
        self.own = time.thread_time()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def total(self) -> float:
        return sum(self.seen.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--corpus", choices=tuple(bench.CORPORA), default="diverse")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "selfeval-bench")
    ap.add_argument("--json", action="store_true", help="also write the JSON (--json)")
    ap.add_argument("--dump", type=Path, help="save the parent's profile here (pstats format)")
    ap.add_argument("--no-warm", action="store_true", help="no warm-up run first (for large corpora)")
    ap.add_argument("--no-profile", action="store_true", help="the unprofiled run only")
    ap.add_argument("--top", type=int, default=20, help="also list this many parent functions by self time")
    args = ap.parse_args()
    name_of, make, what = bench.CORPORA[args.corpus]
    folder = args.workdir / name_of(args.units)
    make(folder, args.units)
    n = len(list(folder.glob("*.xlsx")))
    from selfeval_xlsx.cli import main as cli

    def run(prof: cProfile.Profile | None) -> tuple[float, float, float, float]:
        """(parent CPU, its main thread's, workers' CPU, wall) of one `selfeval run` in this process."""
        with tempfile.TemporaryDirectory() as tmp:
            argv = ["run", str(folder), "-o", str(Path(tmp) / "summary.xlsx"), "--quiet"]
            if args.json:
                argv += ["--json", str(Path(tmp) / "out.json")]
            t0, main0, wall = time.process_time(), time.thread_time(), time.perf_counter()
            with TreeCPU() as tree, contextlib.redirect_stdout(None):
                if prof:
                    prof.enable()
                try:
                    cli.main(argv, standalone_mode=False)
                finally:
                    if prof:
                        prof.disable()
            return (time.process_time() - t0 - tree.own, time.thread_time() - main0, tree.total,
                    time.perf_counter() - wall)

    if not args.no_warm:
        run(None)   # warm: imports and the page cache, so neither timed run pays for them
    parent, main_thread, workers, wall = run(None)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.corpus} corpus ({what}): {n} files, `selfeval run{' --json' if args.json else ''}` in this "
          f"process, wall {wall:.1f} s (load average {psutil.getloadavg()[0]:.1f})")
    print(f"CPU, unprofiled: parent {parent:.2f} s ({parent / n * 1000:.2f} ms/file; main thread "
          f"{main_thread / n * 1000:.2f}), workers and forkserver {workers:.2f} s ({workers / n * 1000:.2f} ms/file); "
          f"parent's peak RSS {peak:.0f} MB")
    if args.no_profile:
        return
    prof = cProfile.Profile(time.thread_time)
    run(prof)
    stats = pstats.Stats(prof)
    if args.dump:
        stats.dump_stats(args.dump)
    # The profiler inflates Python-heavy code; its shares split the unprofiled parent time.
    profiled = sum(tt for _, _, tt, _, _ in stats.stats.values())  # type: ignore[attr-defined]
    print(f"\n{'parent stage (profile shares of the main thread unprofiled)':60} {'ms/file':>8} {'share':>6}")
    named = 0.0
    rows = []
    for label, spec in STAGES:
        ct = _cumulative(stats, spec)
        named += ct
        rows.append((label, ct))
    rows.insert(0, ("other (imports, listing, workers start, the loop)", profiled - named))
    for label, ct in rows:
        ms = ct / profiled * main_thread / n * 1000
        print(f"{label:60} {ms:8.3f} {ms / parent * n / 10:5.1f}%")
    other = parent - main_thread   # zipsink's thread (compressing the summary), mostly
    print(f"{'other threads (compressing the summary)':60} {other / n * 1000:8.3f} {other / parent * 100:5.1f}%")
    if args.top:
        print(f"\ntop {args.top} parent functions by self time (profiled):")
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
