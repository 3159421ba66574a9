"""How much room "≤ 2× the raw calamine read" leaves, measured: the least any Python
tool that writes a consolidated summary must do per file, beside selfeval's worker.

Issue 17 asks `selfeval run` to take at most twice the wall time of a raw
python-calamine read split over two processes. Both use two cores, so that is about
twice the raw read's CPU time per file. This times, in one process and in CPU time (the
machine may be shared), over the same files of a generated corpus (see bench.py):

  1. raw read         every sheet to Python values, as bench.py's floor does;
  2. + one row each   the raw read, then every row with at least six filled cells
                      written once as a worksheet <row> (text escaped, inline strings)
                      and deflated at level 1: no labels found, nothing scored or
                      checked, one sheet instead of six; the least a summary with one
                      row per indicator costs in Python;
  3. selfeval worker  what one `selfeval run` worker does per file (workbook.process_file,
                      rows.to_rows, FileTables.store, pickling for the parent), as
                      profile_worker.py runs it, without the parent's work.

    python benchmarks/floor.py --corpus diverse --units 1000 --files 300

If (2) alone is near 2× (1), the target leaves nothing for finding cells by label,
scoring, sixty checks and the other sheets, whatever the code does.
"""
from __future__ import annotations

import argparse
import gc
import tempfile
import time
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import bench  # benchmarks/bench.py: its corpora
import profile_worker
import python_calamine as pc

from selfeval_xlsx.rules import resolve_rules


def raw(path: Path) -> list[list[list]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return [wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names]


def one_row_each(sheets: list[list[list]], deflate) -> None:
    """Every row with six or more filled cells as one <row>, deflated."""
    out = []
    for rows in sheets:
        for r, row in enumerate(rows, 1):
            if sum(v != "" for v in row) < 6:
                continue
            cells = []
            for c, v in enumerate(row):
                if v == "":
                    continue
                if type(v) is str:
                    cells.append(f'<c r="{c}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
                else:
                    cells.append(f'<c r="{c}{r}"><v>{v}</v></c>')
            out.append(f'<row r="{r}">{"".join(cells)}</row>')
    deflate.compress("".join(out).encode())


def cpu_per_file(files: list[Path], step) -> float:
    t = time.process_time()
    for path in files:
        step(path)
    return (time.process_time() - t) / len(files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=tuple(bench.CORPORA), default="diverse")
    ap.add_argument("--units", type=int, default=1000, help="the corpus size to take files from")
    ap.add_argument("--files", type=int, default=300, help="time this many of its files")
    ap.add_argument("--repeat", type=int, default=3, help="take the least of this many timings of each")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "selfeval-bench")
    args = ap.parse_args()
    name_of, make, what = bench.CORPORA[args.corpus]
    folder = args.workdir / name_of(args.units)
    make(folder, args.units)
    files = sorted(folder.glob("*.xlsx"))[: args.files]
    rules = resolve_rules()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)   # as selfeval's workers run
    deflate = zlib.compressobj(1)
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "rows.bin", "ab", buffering=0) as sink:
        steps = {
            "raw read": raw,
            "raw read + one <row> per filled row, deflated": lambda p: one_row_each(raw(p), deflate),
            "selfeval worker (read, score, check, rows, store)": lambda p: profile_worker.work([p], rules, sink),
        }
        for step in steps.values():
            cpu_per_file(files[:10], step)   # warm: imports, lazy tables
        # The least of several timings: on a shared machine the others' load only adds.
        best = {name: min(cpu_per_file(files, step) for _ in range(args.repeat)) for name, step in steps.items()}
    floor = best["raw read"]
    print(f"{args.corpus} corpus ({what}): {len(files)} files, CPU per file in one process, "
          f"least of {args.repeat}")
    for name, secs in best.items():
        print(f"{name:52} {secs * 1000:6.2f} ms  {secs / floor:5.2f}× the raw read")
    print("issue 17's target, ≤ 2× the two-process raw read, is about 2× the raw read's CPU for the whole run "
          "(parent included)")


if __name__ == "__main__":
    main()
