"""The library as a notebook or a script uses it: evaluate() → Results → DataFrames."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import selfeval_xlsx as se
from selfeval_xlsx import schema, summary_xlsx, tables
from selfeval_xlsx.schema import Column
from selfeval_xlsx.tables import run_facts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "input_templates" / "examples" / "长安区"


def plain(df: pd.DataFrame) -> list[list]:
    """A frame's cells as Python values, an empty cell as None."""
    return df.astype(object).where(df.notna(), None).values.tolist()


def sheet(path: Path, name: str, skip: int = 0) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, skiprows=skip, engine="openpyxl")


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    """What an analyst types in a notebook."""
    out = tmp_path_factory.mktemp("nb") / "汇总.xlsx"
    results = se.evaluate(EXAMPLES, isolate=False)
    frames = results.to_pandas()
    se.write_summary(results, out)
    yield results, frames, out
    results.close()


def test_dataframes_equal_what_the_summary_workbook_holds(notebook):
    results, frames, out = notebook
    assert set(frames) == {"units", "departments", "projects", "indicators", "findings", "files"}
    # no 部门整体 form in the example district: an empty frame with the sheet's columns, no sheet
    assert frames["departments"].empty and list(frames["departments"].columns) == schema.DEPARTMENTS.headers
    assert schema.DEPARTMENTS.sheet not in openpyxl.load_workbook(out, read_only=True).sheetnames
    units = sheet(out, "汇总")
    assert list(units.columns) == list(frames["units"].columns) == schema.UNITS.headers
    assert plain(units)[:-1] == plain(frames["units"])             # the sheet adds the 合计 row
    assert plain(units)[-1][0] == "合计"
    for key, table in (("projects", schema.PROJECTS), ("indicators", schema.INDICATORS),
                       ("findings", schema.FINDINGS)):
        got = sheet(out, table.sheet)
        assert list(got.columns) == table.headers == list(frames[key].columns)
        assert plain(got) == plain(frames[key]), key
    files = sheet(out, schema.FILES.sheet, skip=len(run_facts(results)) + 1)
    assert plain(files) == plain(frames["files"])
    # by hand, from the example's 中山东路街道办事处 (5 projects, 72.59 of which 62.59 spent)
    z = frames["units"].set_index("单位名称").loc["中山东路街道办事处"]
    assert (z["项目数"], z["全年预算数（万元）"], z["全年执行数（万元）"], z["执行率"]) == (5, 72.59, 62.59, 0.8622)
    assert len(frames["projects"]) == 27 and len(frames["indicators"]) == 189


def test_typed_records_carry_names(notebook):
    results, _, _ = notebook
    special = next(p for p in results.projects if p.unit == "中山东路街道办事处" and p.project == "专项经费")
    assert (special.rate, special.rate_score, special.total, special.self_total) == (Decimal("0.6"), 6, 92, 96)
    assert type(special).__name__ == "ProjectRow" and special.sheet.startswith("项目")
    assert {f.code for f in results.findings} >= {"P107", "P115"}
    assert results.to_pandas(names=True)["projects"].columns[0] == "unit"
    assert results.total.unit == "合计" and results.total.projects == 27


def test_paths_and_bytes_give_the_same_results(tmp_path):
    files = sorted(EXAMPLES.glob("*.xlsx"))[:3]
    by_path = se.evaluate(files, isolate=False)
    by_bytes = se.evaluate([(f.name, f.read_bytes()) for f in files], isolate=False)
    for key in ("units", "projects", "indicators", "findings"):
        assert plain(by_path.to_pandas()[key]) == plain(by_bytes.to_pandas()[key]), key
    assert [f.file for f in by_bytes.findings if f.file] and all(
        f.file in {p.name for p in files} for f in by_bytes.findings if f.file)
    se.write_json(by_bytes, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["汇总"]


def test_a_script_without_a_main_guard_runs_workers(tmp_path):
    # forkserver re-imports the main script in every worker unless we hide it: this
    # script would then call evaluate() again from inside each worker.
    script = tmp_path / "my_script.py"
    script.write_text(textwrap.dedent(f"""
        import selfeval_xlsx as se
        r = se.evaluate({str(EXAMPLES)!r}, jobs=2)
        print("units", len(r.units), "projects", len(r.projects))
    """), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          env=env, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "units 8 projects 27"


def test_a_column_added_in_the_schema_reaches_sheet_json_and_dataframe(tmp_path, monkeypatch):
    # The one-place change: a column declared in the schema (here with a default value).
    extended = schema.PROJECTS.with_column(Column("checked_by", "审核人", width=10, default="待定"),
                                           after="grade")
    monkeypatch.setattr(schema, "PROJECTS", extended)
    results = se.evaluate(sorted(EXAMPLES.glob("*.xlsx"))[:2], isolate=False)
    out = tmp_path / "s.xlsx"
    summary_xlsx.write_summary(results, out)
    got = sheet(out, "项目明细")
    at = list(got.columns).index("审核人")
    assert list(got.columns)[at - 1] == "等级" and set(got["审核人"]) == {"待定"}
    assert list(got.columns)[at + 1] == "自评等级" and got["自评等级"].notna().any()
    assert [r["审核人"] for r in tables.as_json(results)["项目明细"]] == ["待定"] * len(got)
    frame = results.to_pandas()["projects"]
    assert list(frame.columns) == list(got.columns) and set(frame["审核人"]) == {"待定"}


# Modules that handle our tables' rows.
ROW_MODULES = ("rows", "tables", "sheetxml", "summary_xlsx", "spool", "pool", "json_out", "api", "batch",
               "terminal", "printing", "report", "claims", "figures")


def test_no_module_reads_a_table_row_by_position():
    pattern = re.compile(r"\b(row|rows|r|item|record|stored|values|unit_row|s)\[-?\d+\]")
    for name in ROW_MODULES:
        text = (ROOT / "selfeval_xlsx" / f"{name}.py").read_text(encoding="utf-8")
        assert not pattern.findall(text), name
