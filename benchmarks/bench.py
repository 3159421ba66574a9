"""Speed and memory of `selfeval run` at district and province scale.

Generates N synthetic unit workbooks in one or both of two corpora:

  template  ~10 project sheets with 10 indicators each, filled into the project's own
            template; 6 base workbooks copied with the unit name changed, so the texts
            repeat from file to file (which flatters every cache keyed on text);
  diverse   5 project sheets with 5–30 indicators each, national layout written by
            openpyxl as other tools write it, every name, target, actual and reason
            drawn per unit (benchmarks/diverse.py): small files, where the fixed
            per-file cost shows;

then measures on the same files:

  1. `selfeval run` (read + score + check + write the summary), as a real process;
  2. raw python-calamine reading of every sheet, in one process, and in two processes
     over alternate files (selfeval itself reads with one worker per core): the floors;
  3. a naive script that reads every sheet with pandas.read_excel(engine="openpyxl"),
     which is what one would write by hand.

It prints the times, the ratios and the peak memory (RSS summed over the run's whole
process tree, sampled every 20 ms), and at the end one table of every corpus and size.

    python benchmarks/bench.py --units 1000 --units 10000 --corpus both
    python benchmarks/bench.py --units 200 --naive-sample 0 --repeat 1   # quick look
    python benchmarks/bench.py --units 1000 --corpus template --flat 50000 --repeat 1   # memory at scale

`selfeval run` and the raw reads are timed in turn, three times each by default,
and compared by their medians.

The naive read runs at about 10 files a second here; `--naive-sample K` times it on
K evenly spaced files and scales up (the output says so), to keep a 10,000-unit run
to minutes rather than an hour.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import diverse  # benchmarks/diverse.py: this file's folder is on sys.path when it runs
import openpyxl
import psutil

from selfeval_xlsx import form
from selfeval_xlsx.grid import a1
from selfeval_xlsx.template import LAYOUT, write_template

PLACEHOLDER = "〔单位名称占位〕"
KEYS = ("level1", "level2", "level3", "target", "actual", "weight", "self_score", "reason")
# Ten indicators weighted as the national preset (the default) wants: 产出 50, 效益 30,
# 满意度 10 (with 预算执行率 10). Change TEMPLATE_VERSION when this corpus changes.
INDICATORS = [
    ("产出指标", "数量指标", "开展活动次数", "≥{n}次", "{m}次", 10),
    ("产出指标", "数量指标", "服务覆盖户数", "≥{h}户", "{h}户", 10),
    ("产出指标", "质量指标", "资金使用合规率", "100%", "100%", 10),
    ("产出指标", "时效指标", "资金支付时限", "2020年12月31日前", "2020年12月{d}日", 10),
    ("产出指标", "成本指标", "项目支出成本", "≤{b}万元", "{e}万元", 10),
    ("效益指标", "社会效益指标", "社区治理水平", "有效提升", "达成", 10),
    ("效益指标", "经济效益指标", "带动就业人数", "≥{j}人", "{j}人", 5),
    ("效益指标", "生态效益指标", "垃圾分类覆盖率", "≥85%", "{g}%", 5),
    ("效益指标", "可持续影响指标", "长效机制建立", "建立并持续运行", "达成", 10),
    ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "{s}%", 10),
]
TEMPLATE_VERSION = "t2"   # part of the folder name, as diverse.VERSION


def base_workbook(path: Path, rng: random.Random, projects: int) -> bytes:
    """One unit's workbook in the project's template, the unit name left as a placeholder."""
    write_template(path, unit=PLACEHOLDER, year=2020, projects=projects)
    wb = openpyxl.load_workbook(path)
    info = wb[form.UNIT_SHEET]
    info[a1(2, 1)], info[a1(3, 1)], info[a1(4, 1)] = PLACEHOLDER, "基准区", 2020
    L = LAYOUT
    for i in range(projects):
        ws = wb[f"项目{i + 1}"]
        budget = round(rng.uniform(5, 120), 2)
        executed = round(budget * rng.uniform(0.82, 1.0), 2)
        ws[a1(L.name, 1)] = f"项目经费{i + 1:02d}"
        ws[a1(L.department, 1)] = "基准区人民政府"
        ws[a1(L.year, 1)] = 2020
        fc = L.fund_cols
        for key, v in (("initial", budget), ("budget", budget), ("executed", executed)):
            ws[a1(L.funds_first, fc[key])] = v
            ws[a1(L.funds_first + 1, fc[key])] = v
        if executed / budget < 0.9:
            ws[a1(L.exec_reason, 2)] = "部分支出跨年结算。"
        ws[a1(L.goal_values, 1)], ws[a1(L.goal_values, 5)] = "完成年度工作任务。", "已完成。"
        values = {"n": 12, "m": rng.choice((11, 12, 13)), "h": rng.randint(500, 12000), "d": rng.randint(1, 30),
                      "b": budget, "e": executed, "j": rng.randint(5, 60), "g": rng.randint(80, 95), "s": rng.randint(88, 99)}
        for r, (l1, l2, l3, target, actual, weight) in enumerate(INDICATORS):
            row = (l1, l2, l3, target.format(**values), actual.format(**values), weight,
                   weight - 1 if target == "有效提升" else weight, "")
            for key, v in zip(KEYS, row):
                ws[a1(L.indicator_first + r, L.indicator_cols[key])] = v if v != "" else None
    wb.save(path)
    return path.read_bytes()


def _charrefs(text: str) -> bytes:
    return "".join(f"&#{ord(ch)};" for ch in text).encode()


def with_unit(base: bytes, unit: str) -> bytes:
    """The base workbook with the placeholder replaced by this unit's name (openpyxl may
    have written it as UTF-8 or as numeric character references)."""
    out = io.BytesIO()
    swaps = ((PLACEHOLDER.encode(), unit.encode()), (_charrefs(PLACEHOLDER), _charrefs(unit)))
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".xml"):
                for old, new in swaps:
                    data = data.replace(old, new)
            z.writestr(info, data)
    data = out.getvalue()
    if PLACEHOLDER.encode() in data or _charrefs(PLACEHOLDER) in data:
        raise RuntimeError("the unit name placeholder was not replaced")
    return data


def generate(folder: Path, units: int, seed: int = 7) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.xlsx"))) == units:
        return
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        bases = [base_workbook(Path(tmp) / f"b{k}.xlsx", rng, projects=rng.randint(9, 11)) for k in range(6)]
    for i in range(units):
        (folder / f"单位{i:05d}.xlsx").write_bytes(with_unit(bases[i % len(bases)], f"第{i:05d}街道办事处"))


def measure(cmd: list[str]) -> tuple[float, int, float]:
    """Wall time, peak RSS and CPU time (user + system) of a command's whole process tree.

    CPU time is the larger of what the kernel reports for the command and the
    descendants it waited for, and the sum of every process's own CPU time as last
    sampled (a forkserver outliving its parent is never waited for); both fall short
    of the truth by little. On a machine others are using it is the steadier measure,
    as wall time then depends on how many cores were free.

    RSS is sampled every 20 ms; the tree is re-listed only every 250 ms, because
    listing it means reading every process's /proc entry, which done every 20 ms
    takes a fifth of a core from the command being measured on a 2-core machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps, peak = psutil.Process(proc.pid), 0
    tree, relist = [ps], 0.0
    cpu_seen: dict[int, float] = {}
    while proc.poll() is None:
        if time.perf_counter() >= relist:
            with contextlib.suppress(psutil.NoSuchProcess):
                tree = [ps, *ps.children(recursive=True)]
            relist = time.perf_counter() + 0.25
        total = 0
        for p in tree:
            try:
                total += p.memory_info().rss
                t = p.cpu_times()
                cpu_seen[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
        peak = max(peak, total)
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sum(cpu_seen.values()))
    err = proc.stderr.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed ({proc.returncode}): {err}")
    return elapsed, peak, cpu


NAIVE = """
import sys, pandas as pd
for path in sys.argv[1:]:
    pd.read_excel(path, sheet_name=None, engine="openpyxl")
"""
RAW = """
import sys, python_calamine as pc
for path in sys.argv[1:]:
    wb = pc.CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
"""
# Starts the given commands at once and waits for all: the two-process floor.
TOGETHER = """
import json, subprocess, sys
procs = [subprocess.Popen(cmd) for cmd in json.loads(sys.argv[1])]
sys.exit(max(p.wait() for p in procs))
"""


def script(code: str, files: list[Path], extra: list[str] = ()) -> list[str]:
    listing = Path(tempfile.mkstemp(suffix=".txt")[1])
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    runner = f"import sys; sys.argv = [''] + open({str(listing)!r}, encoding='utf-8').read().split('\\n')\n"
    return [sys.executable, "-c", runner + code, *extra]


def raw_in(procs: int, files: list[Path]) -> list[str]:
    """The raw read split over `procs` processes, files dealt out in turn (as selfeval's
    pool hands them to its workers), all started together."""
    if procs == 1:
        return script(RAW, files)
    return [sys.executable, "-c", TOGETHER, json.dumps([script(RAW, files[k::procs]) for k in range(procs)])]


CORPORA = {
    # name: (folder for N units, generator, what it is)
    "template": (lambda n: f"units-{TEMPLATE_VERSION}-{n}", generate,
                 "~10 project sheets × 10 indicators, our template, 6 base workbooks with the unit renamed"),
    "diverse": (lambda n: f"diverse-{diverse.VERSION}-{n}", diverse.generate,
                "5 project sheets × 5–30 indicators, national layout written by openpyxl, texts drawn per unit"),
}


def bench(corpus: str, units: int, workdir: Path, naive_sample: int, jobs: int, repeat: int) -> dict:
    name_of, make, _ = CORPORA[corpus]
    folder = workdir / name_of(units)
    t = time.perf_counter()
    make(folder, units)
    gen = time.perf_counter() - t
    files = sorted(folder.glob("*.xlsx"))
    out = workdir / f"summary-{corpus}-{units}.xlsx"
    # Timed in turn, `repeat` times, and compared by their medians: on a shared
    # virtual machine one run of the same work varies by ±10 % or more.
    runs, raws, raws2 = [], [], []
    for _ in range(repeat):
        runs.append(measure([sys.executable, "-m", "selfeval_xlsx", "run", str(folder), "-o", str(out),
                             "--quiet", "--jobs", str(jobs)]))
        raws.append(measure(raw_in(1, files)))
        raws2.append(measure(raw_in(2, files)))
    if naive_sample == 0:
        naive_t, naive_note = None, "skipped"
    elif naive_sample >= len(files):
        naive_t = measure(script(NAIVE, files))[0]
        naive_note = f"all {len(files)} files"
    else:
        step = len(files) / naive_sample
        sample = [files[int(i * step)] for i in range(naive_sample)]
        sample_t = measure(script(NAIVE, sample))[0]
        naive_t = sample_t * len(files) / naive_sample
        naive_note = f"timed on {naive_sample} evenly spaced files, scaled to {len(files)}"

    def median(ms, k=0):
        return statistics.median(m[k] for m in ms)

    return {"corpus": corpus, "units": units, "files": len(files), "gen": gen,
            "run": median(runs), "raw": median(raws), "raw2": median(raws2),
            "run_cpu": median(runs, 2), "raw_cpu": median(raws, 2), "raw2_cpu": median(raws2, 2),
            "run_mem": max(m[1] for m in runs), "raw_mem": max(m[1] for m in raws),
            "raw2_mem": max(m[1] for m in raws2), "naive": naive_t, "naive_note": naive_note,
            "run_times": [m[0] for m in runs], "raw_times": [m[0] for m in raws], "raw2_times": [m[0] for m in raws2],
            "size": sum(f.stat().st_size for f in files), "summary": out.stat().st_size,
            "load": os.getloadavg()[0]}


def _spread(times: list[float]) -> str:
    if len(times) == 1:
        return ""
    return f"(median of {len(times)}: " + ", ".join(f"{t:.1f}" for t in times) + ")"


def _range(times: list[float]) -> str:
    """Spread over the runs as ±half the range around the median, in percent."""
    if len(times) == 1:
        return "—"
    return f"±{(max(times) - min(times)) / 2 / statistics.median(times) * 100:.0f}%"


MB = 1024 * 1024


def report(r: dict) -> None:
    print(f"\n== {r['corpus']} corpus, {r['units']} unit workbooks "
          f"({r['size'] / MB:.0f} MB; generated in {r['gen']:.0f} s) ==")
    print(f"selfeval run          {r['run']:8.1f} s   {r['files'] / r['run']:7.0f} files/s   "
          f"peak RSS {r['run_mem'] / MB:5.0f} MB   (summary {r['summary'] / MB:.0f} MB)   {_spread(r['run_times'])}")
    print(f"raw calamine, 1 proc  {r['raw']:8.1f} s   {r['files'] / r['raw']:7.0f} files/s   "
          f"peak RSS {r['raw_mem'] / MB:5.0f} MB   {_spread(r['raw_times'])}")
    print(f"raw calamine, 2 procs {r['raw2']:8.1f} s   {r['files'] / r['raw2']:7.0f} files/s   "
          f"peak RSS {r['raw2_mem'] / MB:5.0f} MB   {_spread(r['raw2_times'])}")
    if r["naive"] is not None:
        print(f"naive pandas+openpyxl {r['naive']:8.1f} s   {r['files'] / r['naive']:7.0f} files/s   "
              f"({r['naive_note']})")
        print(f"selfeval run vs naive read:   {r['naive'] / r['run']:.1f}× faster  (target ≥ 10×)")
    print(f"selfeval run vs raw calamine: {r['run'] / r['raw']:.2f}× the one-process read, "
          f"{r['run'] / r['raw2']:.2f}× the two-process read  (target ≤ 2× the two-process read)")
    print(f"CPU time (user + system, whole tree): selfeval run {r['run_cpu']:.1f} s, raw 1 proc {r['raw_cpu']:.1f} s, "
          f"raw 2 procs {r['raw2_cpu']:.1f} s: {r['run_cpu'] / r['raw2_cpu']:.2f}× the two-process read's CPU  "
          f"(load average {r['load']:.1f})")


def table(results: list[dict]) -> None:
    """All runs in one table, and how peak memory grows with the number of units."""
    print("\n== all runs (medians; spread = ± half the range over the runs; CPU ×2 procs = CPU time of the "
          "whole selfeval tree over that of the two-process read; load = 1-minute load average after) ==")
    print("| corpus | units | MB | selfeval run | spread | raw 1 proc | raw 2 procs | ×1 proc | ×2 procs "
          "| peak RSS | files/s | CPU ×2 procs | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['corpus']} | {r['units']:,} | {r['size'] / MB:.0f} | {r['run']:.2f} s | {_range(r['run_times'])} "
              f"| {r['raw']:.2f} s ({_range(r['raw_times'])}) | {r['raw2']:.2f} s ({_range(r['raw2_times'])}) "
              f"| {r['run'] / r['raw']:.2f}× | {r['run'] / r['raw2']:.2f}× | {r['run_mem'] / MB:.0f} MB "
              f"| {r['files'] / r['run']:.0f} | {r['run_cpu'] / r['raw2_cpu']:.2f}× | {r['load']:.1f} |")
    for corpus in dict.fromkeys(r["corpus"] for r in results):
        rs = sorted((r for r in results if r["corpus"] == corpus), key=lambda r: r["units"])
        if len(rs) > 1:
            lo, hi = rs[0], rs[-1]
            # CPU time is the fairer test of linearity on a shared machine: wall time
            # also counts the waits for a core, which grow with the others' load.
            print(f"{corpus}: {hi['units']:,} vs {lo['units']:,} units (×{hi['units'] / lo['units']:.0f}): "
                  f"wall time ×{hi['run'] / lo['run']:.1f}, CPU time ×{hi['run_cpu'] / lo['run_cpu']:.1f} "
                  f"(raw 2 procs: ×{hi['raw2_cpu'] / lo['raw2_cpu']:.1f}), peak RSS "
                  f"{(hi['run_mem'] / lo['run_mem'] - 1) * 100:+.0f}%")
    for corpus, (_, _, what) in CORPORA.items():
        if any(r["corpus"] == corpus for r in results):
            print(f"{corpus}: {what}")


def flatness(corpus: str, units: int, base: dict, workdir: Path, jobs: int) -> None:
    """Peak memory of one `selfeval run` on `units` workbooks against `base` (the
    smallest run measured): it must stay under 500 MB and within 20 % of the base.
    Run once: at 50,000 units it takes long, and memory varies little between runs."""
    name_of, make, _ = CORPORA[corpus]
    folder = workdir / name_of(units)
    t = time.perf_counter()
    make(folder, units)
    gen = time.perf_counter() - t
    out = workdir / f"summary-{corpus}-{units}.xlsx"
    wall, mem, cpu = measure([sys.executable, "-m", "selfeval_xlsx", "run", str(folder), "-o", str(out),
                              "--quiet", "--jobs", str(jobs)])
    growth = mem / base["run_mem"] - 1
    ok = mem < 500 * MB and growth <= 0.20
    print(f"\n== memory at scale: {corpus}, {units:,} units (generated in {gen:.0f} s) ==")
    print(f"selfeval run {wall:.1f} s ({units / wall:.0f} files/s, CPU {cpu:.1f} s = "
          f"{cpu / units * 1000:.2f} ms a file against {base['run_cpu'] / base['units'] * 1000:.2f} at "
          f"{base['units']:,}), peak RSS {mem / MB:.0f} MB: {growth * 100:+.0f}% against {base['run_mem'] / MB:.0f} MB "
          f"at {base['units']:,} units — {'within' if ok else 'NOT within'} the target (< 500 MB, within 20%)  "
          f"(load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, action="append", help="number of unit workbooks (repeatable)")
    ap.add_argument("--corpus", choices=("template", "diverse", "both"), default="both",
                    help="which generated corpus to measure (default: both)")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "selfeval-bench")
    ap.add_argument("--naive-sample", type=int, default=1000,
                    help="time the naive read on at most this many files (0: skip)")
    ap.add_argument("--jobs", type=int, default=0, help="selfeval run --jobs (0: all cores)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="time selfeval run and the raw reads this many times each, in turn; report medians")
    ap.add_argument("--flat", type=int, metavar="N",
                    help="also run selfeval once on N units of each corpus measured (e.g. 50000) and compare "
                         "its peak RSS with the smallest size's (target: < 500 MB and within 20%%)")
    args = ap.parse_args()
    units = args.units or [1000]
    corpora = ("template", "diverse") if args.corpus == "both" else (args.corpus,)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    results = []
    for corpus in corpora:
        for n in units:
            results.append(bench(corpus, n, args.workdir, args.naive_sample, args.jobs, max(1, args.repeat)))
            report(results[-1])
    table(results)
    if args.flat:
        for corpus in corpora:
            flatness(corpus, args.flat, min((r for r in results if r["corpus"] == corpus), key=lambda r: r["units"]),
                     args.workdir, args.jobs)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
