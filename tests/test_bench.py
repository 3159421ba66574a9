"""The benchmark scripts keep working (their timings are for people to read, not for tests)."""
import random
import subprocess
import sys
from pathlib import Path

import openpyxl
import python_calamine as pc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import diverse  # noqa: E402 - benchmarks/ is not a package: importable only after the path insert


def _summary_units(path: Path) -> list[str]:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("汇总").to_python()
    return sorted(r[0] for r in rows[1:] if r[0] and r[0] != "合计")


def test_benchmark_measures_both_corpora_and_prints_one_table(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--units", "4", "--units", "3",
                          "--corpus", "both", "--naive-sample", "0", "--repeat", "2", "--workdir", str(tmp_path)],
                         check=False, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    for corpus in ("template", "diverse"):
        for n in (3, 4):
            assert f"== {corpus} corpus, {n} unit workbooks" in res.stdout
    assert "× the two-process read" in res.stdout
    table = [line for line in res.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| corpus | units |")
    # One row per corpus and size, each with the median of its two runs and both ratios.
    rows = [line.split(" | ") for line in table[1:]]
    assert [(r[0], r[1]) for r in rows] == [("| template", "4"), ("| template", "3"),
                                            ("| diverse", "4"), ("| diverse", "3")]
    for r in rows:
        run, raw1, raw2 = (float(r[i].split(" s")[0]) for i in (3, 5, 6))
        assert run > 0 and raw1 > 0 and raw2 > 0
        assert r[7].endswith("×") and r[8].endswith("×") and r[9].endswith(" MB")
    # Distinct units in both corpora, so none is set aside as a duplicate submission.
    assert _summary_units(tmp_path / "summary-template-4.xlsx") == [f"第{i:05d}街道办事处" for i in range(4)]
    assert _summary_units(tmp_path / "summary-diverse-4.xlsx") == sorted(
        diverse.unit_name(i, random.Random(f"7:{i}")) for i in range(4))
    # The smaller diverse corpus (measured second) is the larger one's first units, linked.
    small = sorted(p.name for p in (tmp_path / f"diverse-{diverse.VERSION}-3").glob("*.xlsx"))
    assert small == sorted(p.name for p in (tmp_path / f"diverse-{diverse.VERSION}-4").glob("*.xlsx"))[:3]


def test_diverse_units_differ_in_their_texts(tmp_path):
    """No cache-friendly repetition: two units share no project name set and few indicator texts."""
    paths = [diverse.write_unit(tmp_path, i) for i in range(3)]
    texts = []
    for p in paths:
        wb = openpyxl.load_workbook(p)
        assert len(wb.sheetnames) == diverse.PROJECTS
        cells = set()
        for ws in wb.worksheets:
            assert ws["A1"].value == "项目支出绩效自评表"
            indicators = [r for r in ws.iter_rows(min_row=13, values_only=True) if r[6] is not None and r[0] not in ("总分", "自评等级")]
            assert 5 <= len(indicators) <= 30
            cells |= {v for r in indicators for v in (r[2], r[4], r[5], r[8]) if isinstance(v, str)}
        texts.append(cells)
    assert texts[0] != texts[1] and len(texts[0] & texts[1]) < len(texts[0]) / 2
    # Unit i is the same file on every call (the corpus is reproducible and can be extended).
    (tmp_path / "again").mkdir()
    again = diverse.write_unit(tmp_path / "again", 1)
    a, b = openpyxl.load_workbook(paths[1]), openpyxl.load_workbook(again)
    assert [[c.value for row in ws.iter_rows() for c in row] for ws in a.worksheets] == \
           [[c.value for row in ws.iter_rows() for c in row] for ws in b.worksheets]


def test_profile_helper_splits_the_worker_time(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "profile_worker.py"), "--units", "3",
                          "--corpus", "diverse", "--top", "0", "--workdir", str(tmp_path)],
                         check=False, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    for part in ("calamine parse", "layout (cells by label)", "interpret (types)", "scoring", "checks",
                 "row rendering (to_rows + pack)", "container checks", "pickling (result for the parent)"):
        assert part in res.stdout, part


def test_benchmark_checks_memory_at_a_larger_size(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--units", "3", "--corpus", "diverse",
                          "--naive-sample", "0", "--repeat", "1", "--flat", "5", "--workdir", str(tmp_path)],
                         check=False, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    line = res.stdout.split("== memory at scale: diverse, 5 units")[1].splitlines()[1]
    # One run on the larger corpus, its peak memory set against the 3-unit run's.
    assert "peak RSS" in line and "against" in line and "at 3 units" in line
    # The verdict either way: on a busy machine a 3-unit run's sampled peak can miss the top.
    assert "— within the target" in line or "— NOT within the target" in line
    assert len(list((tmp_path / f"diverse-{diverse.VERSION}-5").glob("*.xlsx"))) == 5


def test_floor_sets_the_worker_against_the_least_a_summary_costs(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor.py"), "--units", "3", "--files", "3",
                          "--repeat", "1", "--corpus", "diverse", "--workdir", str(tmp_path)],
                         check=False, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [line for line in res.stdout.splitlines() if line.endswith("× the raw read")]
    assert len(lines) == 3 and lines[0].split()[-4] == "1.00×"
    # The worker does far more than read: it cannot cost less than the read itself.
    assert float(lines[2].split()[-4].rstrip("×")) > 1
