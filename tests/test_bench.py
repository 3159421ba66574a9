"""The benchmark script keeps working (its timings are for people to read, not for tests)."""
import subprocess
import sys
from pathlib import Path

import python_calamine as pc

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_generates_distinct_units_and_prints_its_comparison(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--units", "4",
                          "--naive-sample", "0", "--repeat", "1", "--workdir", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "== 4 unit workbooks" in res.stdout
    assert "selfeval run vs raw calamine:" in res.stdout
    # Four different units, so none is set aside as a duplicate submission.
    wb = pc.CalamineWorkbook.from_path(str(tmp_path / "summary-4.xlsx"))
    rows = wb.get_sheet_by_name("汇总").to_python()
    units = [r[0] for r in rows[1:] if r[0] and r[0] != "合计"]
    assert sorted(units) == [f"第{i:05d}街道办事处" for i in range(4)]
