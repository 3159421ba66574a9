"""Instructions per file of the read path, stage by stage, counted by valgrind.

On a shared machine CPU times move ±15 % from run to run, more than most single
improvements; an instruction count does not move at all. This runs the read path
(process_bytes' stages, as workbook.py chains them) over the first N files of a generated
corpus under `valgrind --tool=callgrind`, once per stage with every stage up to it, and
prints the differences: what each stage adds, in millions of instructions per file
(python-calamine's Rust code included, in "sheets"). Counts ignore cache misses, so
compare them with each other, not with times.

    python benchmarks/instructions.py --corpus diverse --files 40
    PYTHONPATH=/some/other/checkout python benchmarks/instructions.py ...   # compare

Slow: each of the nine runs takes about as long as the files take times 50.
"""
from __future__ import annotations

import argparse
import gc
import itertools
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

STAGES = ("load", "sheets", "labels", "read", "interpret", "score", "checks", "unit", "full")
WHAT = {"sheets": "calamine + grid (load_sheets)", "labels": "layout: Labels + classify",
        "read": "layout: read_project", "interpret": "interpret_project", "score": "score_project",
        "checks": "check_project (with review checks)", "unit": "check_unit (across a file's projects)"}


def run_stages(folder: Path, files: int, upto: str) -> None:
    """The child: every stage up to `upto` over the files ("full": process_bytes itself)."""
    from selfeval_xlsx.checks import check_project
    from selfeval_xlsx.container import LIMITS
    from selfeval_xlsx.grid import load_sheets
    from selfeval_xlsx.interpret import interpret_project
    from selfeval_xlsx.layout import Labels, classify, read_project
    from selfeval_xlsx.review_checks import check_unit
    from selfeval_xlsx.rules import resolve_rules
    from selfeval_xlsx.scoring import score_project
    from selfeval_xlsx.workbook import _is_instructions, _template_only, process_bytes

    datas = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.xlsx"))[:files]]
    rules = resolve_rules()   # the default preset, as `selfeval run` uses and the corpora are weighted for
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)   # as in the worker
    n = STAGES.index(upto)
    for name, data in datas:
        if upto == "full":
            process_bytes(data, name, rules, LIMITS)
            continue
        if n < 1:
            break
        sheets = [s for s in load_sheets(data, skip=_template_only) if not _is_instructions(s)]
        if n < 2:
            continue
        labels = [Labels(s) for s in sheets]
        kinds = [classify(lb) for lb in labels]
        if n < 3:
            continue
        raws = [read_project(lb, k) for lb, k in zip(labels, kinds) if k in ("project", "dept")]
        if n < 4:
            continue
        projects = [interpret_project(r, name, rules.saving_words, 2020)[0] for r in raws]
        if n < 5:
            continue
        scores = [score_project(p, rules) for p in projects]
        if n < 6:
            continue
        for p, s in zip(projects, scores):
            list(check_project(p, s, rules))
        if n < 7:
            continue
        list(check_unit(list(zip(projects, scores)), rules))


def callgrind(argv: list[str], options: tuple[str, ...] = (), env: dict[str, str] | None = None) -> int:
    """Instructions `python argv…` executes under valgrind's callgrind (with `options`,
    e.g. --toggle-collect to count inside one function only)."""
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *options,
                          sys.executable, *argv],
                         capture_output=True, text=True, check=True, env=env or os.environ)
    m = re.search(r"Collected : (\d+)", out.stderr)
    if not m:
        raise SystemExit(f"valgrind said:\n{out.stderr[-2000:]}")
    return int(m.group(1))


def count(folder: Path, files: int, upto: str) -> int:
    return callgrind([__file__, "--child", upto, "--folder", str(folder), "--files", str(files)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="diverse")
    ap.add_argument("--units", type=int, default=200, help="corpus size to generate (bench.py's folders)")
    ap.add_argument("--files", type=int, default=40, help="how many of its files to count")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "selfeval-bench")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_stages(args.folder, args.files, args.child)
        return
    import bench  # benchmarks/bench.py: its corpora
    name_of, make, what = bench.CORPORA[args.corpus]
    folder = args.workdir / name_of(args.units)
    make(folder, args.units)
    with ThreadPoolExecutor(args.jobs) as pool:
        counts = dict(zip(STAGES, pool.map(lambda s: count(folder, args.files, s), STAGES)))
    n = args.files
    print(f"{args.corpus} corpus ({what}), first {n} files; M instructions per file")
    for before, stage in itertools.pairwise(STAGES[:-1]):   # not "full": it is process_bytes
        print(f"  {WHAT[stage]:42} {(counts[stage] - counts[before]) / n / 1e6:7.2f}")
    print(f"  {'the rest of process_bytes (zip, sha256…)':42} {(counts['full'] - counts['unit']) / n / 1e6:7.2f}")
    print(f"  {'process_bytes in all':42} {(counts['full'] - counts['load']) / n / 1e6:7.2f}")


if __name__ == "__main__":
    main()
