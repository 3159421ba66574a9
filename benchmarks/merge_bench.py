"""How `selfeval merge` scales: time and peak memory of merging N synthetic districts.

Each district's JSON is the example district's (input_templates/examples/长安区) run
repeated until it holds about --rows indicator rows (10,000 by default: 300 districts are
then the issue's 3 million), every unit renamed so no two districts share one. Each
size runs in a fresh process, so its peak RSS is its own:

    python benchmarks/merge_bench.py 30 100            # districts per run
    python benchmarks/merge_bench.py 30 --rows 2000

Prints, per size: indicator rows, seconds (wall/CPU) to read and spool the inputs
(merge), to write the merged workbook (write_summary) and the JSON, and peak RSS.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "input_templates" / "examples" / "长安区"


def example_json(folder: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    import selfeval_xlsx as se
    with se.evaluate(EXAMPLES, isolate=False) as results:
        se.write_json(results, folder / "example.json")
    return json.loads((folder / "example.json").read_text(encoding="utf-8"))


def district(example: dict, no: int, copies: int) -> dict:
    """The example `copies` times over as district 区{no}: units, files and their rows renamed."""
    def renamed(rows: list[dict], k: int) -> list[dict]:
        out = []
        for r in rows:
            r = dict(r)
            if r.get("单位名称"):
                r["单位名称"] = f"{r['单位名称']}{k}"
            if r.get("所属区县"):
                r["所属区县"] = f"区{no}"
            if r.get("文件"):
                r["文件"] = f"{k}/{r['文件']}"
            out.append(r)
        return out
    data: dict = {}
    for table in ("汇总", "项目明细", "指标明细", "问题清单"):
        rows = example[table][:-1] if table == "汇总" else example[table]
        data[table] = [r for k in range(copies) for r in renamed(rows, k)]
    data["汇总"].append(dict(example["汇总"][-1], 文件=f"{8 * copies} 个文件"))
    facts = dict(example["运行信息"]["概况"], 区县=f"区{no}")
    # The example's folder stays the folder of every district, so 问题清单 gets its links
    # (up to Excel's 65,000 a sheet), as a province merged beside its districts' folders would.
    sums = dict(p.split("=") for p in facts["合并用合计（未舍入）"].split("；"))
    facts["合并用合计（未舍入）"] = "；".join(f"{k}={Decimal(v) * copies}" for k, v in sums.items())
    data["运行信息"] = {"概况": facts, "文件": []}
    return data


def measure(folder: Path, jobs: int) -> dict:
    """In this process: merge every JSON in `folder`, write the workbook and JSON.
    Wall and CPU seconds of each step (CPU: this process's; with --jobs 1 that is all of it)."""
    sys.path.insert(0, str(ROOT))
    import selfeval_xlsx as se
    inputs = sorted(folder.glob("区*.json"))
    marks = [(time.perf_counter(), time.process_time())]
    with se.merge(inputs, name="基准", jobs=jobs) as m:
        marks.append((time.perf_counter(), time.process_time()))
        rows = m.spool.count("indicators")
        m.write_summary(folder / "out.xlsx")
        marks.append((time.perf_counter(), time.process_time()))
        m.write_json(folder / "out.json")
        marks.append((time.perf_counter(), time.process_time()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steps = {}
    for name, (w0, c0), (w1, c1) in zip(("merge", "workbook", "json"), marks, marks[1:]):
        steps[name] = f"{w1 - w0:.1f}/{c1 - c0:.1f}"
    return {"districts": len(inputs), "indicator_rows": rows, **steps, "peak_rss_mb": round(peak)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[30, 100])
    ap.add_argument("--rows", type=int, default=10_000, help="indicator rows per district")
    ap.add_argument("--jobs", type=int, default=1,
                    help="reading processes (default 1: the CPU and peak RSS shown are then all of the work)")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.jobs)))
        return
    with tempfile.TemporaryDirectory(prefix="merge-bench-") as tmp:
        example = example_json(Path(tmp))
        copies = max(1, round(args.rows / len(example["指标明细"])))
        print(f"jobs {args.jobs}; seconds as wall/CPU")
        print("districts  indicator rows  merge      workbook   json       peak RSS MB")
        for n in args.sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            for d in range(n):
                (folder / f"区{d:04d}.json").write_text(json.dumps(district(example, d, copies), ensure_ascii=False),
                                                        encoding="utf-8")
            done = subprocess.run([sys.executable, __file__, "--measure", str(folder), "--jobs", str(args.jobs)],
                                  capture_output=True, text=True, check=True)
            r = json.loads(done.stdout)
            print(f"{r['districts']:9d}  {r['indicator_rows']:14,d}  {r['merge']:9s}  {r['workbook']:9s}  "
                  f"{r['json']:9s}  {r['peak_rss_mb']:11d}", flush=True)
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
