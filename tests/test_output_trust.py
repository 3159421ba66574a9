"""What clerks type cannot break, alter or redirect the summary workbook."""
from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from selfeval_xlsx import summary_xlsx
from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.rows import text_changes
from selfeval_xlsx.rules import SEED
from selfeval_xlsx.schema import Column, TableSchema
from tests.forms import SPECIAL, filled_template
from tests.sheetcheck import check_rows, data_rows_contiguous, sheet_paths

VALIDATE = "/work/shared/tools/ooxml-validate"
EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区"


def validate(*paths) -> None:
    if not Path(VALIDATE).exists():
        pytest.skip("ooxml-validate is not installed here")
    done = subprocess.run(["bash", VALIDATE, *map(str, paths)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def hostile_project(reason: str, name: str = "专项经费") -> dict:
    p = dict(SPECIAL, name=name, exec_reason=reason)
    inds = [list(r) for r in SPECIAL["indicators"]]
    inds[0][7] = "第一行原因\n第二行措施"                 # Alt+Enter in 偏差原因
    inds[1][7] = "控制字符_x0001_与_x0002_"               # as Excel stores \x01 and \x02
    inds[2][7] = "长" * 32_767                            # Excel's limit (openpyxl cuts longer text)
    p["indicators"] = [tuple(r) for r in inds]
    return p


@pytest.fixture(scope="module")
def hostile_district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("d") / "区 #1"
    folder.mkdir()
    # The last project of the last file has the line break: once it split the sheet's last row.
    filled_template(folder / "a #1 %20?.xlsx", [hostile_project("资金\n未到位")], unit="甲街道")
    filled_template(folder / "b.xlsx", [SPECIAL, hostile_project("原因\r\n其二", "末项目")],
                    unit="乙" * 1000)
    return folder


def test_typed_text_survives_and_is_reported(hostile_district, tmp_path):
    out = tmp_path / "out" / "汇总.xlsx"
    with run_batch(hostile_district, SEED, jobs=1) as result:
        summary_xlsx.write_summary(result, out)
        f115 = [f for f in result.all_findings() if f.code == "F115"]
    # One 提示 per file that had text changed, naming how many and why.
    assert sorted(f.file for f in f115) == ["a #1 %20?.xlsx", "b.xlsx"]
    assert all(f.severity.value == "提示" for f in f115)
    assert f115[0].message.startswith("项目“末项目”的“偏差原因”文字写入汇总表时已调整：2 个无法写入表格的控制字符")
    counts = check_rows(out)
    wb = CalamineWorkbook.from_path(str(out))
    projects = wb.get_sheet_by_name("项目明细").to_python()
    assert [r[16] for r in projects[1:]] == ["资金\n未到位", "", "原因\r\n其二"]
    assert [r[19] for r in projects[1:]] == ["项目1", "项目1", "项目2"]       # no cell slid into another row
    indicators = wb.get_sheet_by_name("指标明细").to_python()
    reasons = [r[indicators[0].index("偏差原因")] for r in indicators[1:]]
    assert reasons.count("第一行原因\n第二行措施") == 2
    assert reasons.count("控制字符\ufffd与\ufffd") == 2
    assert reasons.count("长" * 32_767) == 2
    assert len(indicators) == 1 + 7 * 3
    assert counts  # every sheet parsed and numbered
    # The chart's labels are the capped names, not 1,000 characters.
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert charts and all("乙" * 40 not in c for c in charts) and any("乙" * 29 + "…" in c for c in charts)
    validate(out)


def test_json_holds_the_text_the_workbook_holds(hostile_district, tmp_path):
    from selfeval_xlsx.json_out import write_json
    from selfeval_xlsx.tables import jsonable
    with run_batch(hostile_district, SEED, jobs=1) as result:
        write_json(result, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    reasons = [r["偏差原因"] for r in data["指标明细"] if r["偏差原因"]]
    # the same text as the workbook's cells (F115 says where it differs from the file)
    assert reasons.count("控制字符\ufffd与\ufffd") == 2 and reasons.count("第一行原因\n第二行措施") == 2
    assert jsonable("a\ud800b") == "a\ufffdb" and jsonable("") is None   # no UTF-8 file holds a lone surrogate


def test_text_changes_counts_every_changed_text():
    table = TableSchema("t", "表", tuple(Column(n, h) for n, h in (
        ("unit", "单位名称"), ("project", "项目名称"), ("note", "说明"), ("reason", "原因"), ("sheet", "工作表"))),
        type_name="TrustRow")
    rows = [table.record("甲", "项目", "ok", "a\ufffeb", "项目1"),
            table.record("甲", "项目二", "x" * 40_000, "\U0001F600\n", "项目2")]
    cols = table.columns
    assert text_changes(rows, cols) == (2, "项目1", "项目", "原因", "1 个无法写入表格的控制字符已替换为“\ufffd”")
    assert text_changes(rows[1:], cols)[:4] == (1, "项目2", "项目二", "说明")
    assert text_changes([table.record("甲", "乙\n丙\t", "😀", "", "项目1")], cols) is None


def test_link_targets_are_encoded(hostile_district, tmp_path):
    out = tmp_path / "汇总.xlsx"
    with run_batch(hostile_district, SEED, jobs=1) as result:
        summary_xlsx.write_summary(result, out)
    ws = openpyxl.load_workbook(out)["问题清单"]
    targets = {c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink}
    want = os.path.relpath(hostile_district / "a #1 %20?.xlsx", out.parent).replace("/", "\\")
    assert any(unquote(t) == want for t in targets), targets
    assert all("#" not in t and "?" not in t and " " not in t for t in targets)


def test_a_link_across_windows_drives_falls_back_to_an_absolute_path(monkeypatch):
    def across_drives(path, start):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")
    monkeypatch.setattr(summary_xlsx.os.path, "relpath", across_drives)
    target = summary_xlsx.link_target(Path("/d/区县"), Path("/c/out"), "a b.xlsx")
    assert target == "file:///\\d\\区县\\a%20b.xlsx"


def test_example_summary_rows_and_continued_sheets(tmp_path):
    out = tmp_path / "续.xlsx"
    with run_batch(EXAMPLES, SEED, jobs=1) as result:
        summary_xlsx.write_summary(result, out, max_rows=40)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "指标明细（续1）" in wb.sheetnames and "问题清单（续1）" in wb.sheetnames
    counts = check_rows(out)
    assert all(n <= 40 for name, n in counts.items() if "sheet" in name)
    names = wb.sheetnames
    for name, path in zip(names, sheet_paths(out)):
        if name not in ("图表", "运行信息"):
            data_rows_contiguous(out, path, 1)
    validate(out)


def test_rounding_never_overflows():
    from decimal import Decimal

    from selfeval_xlsx.rows import amt, pct
    assert amt(Decimal("9E+25") * 2) == Decimal("180000000000000000000000000.00")
    assert amt(Decimal("1E+80")) == Decimal("1E+80") and amt(Decimal("-0.005")) == Decimal("-0.01")
    assert pct(Decimal("0.86225")) == Decimal("0.8623") and pct(None) is None


def test_reports_and_json_read_the_rows_as_the_workbook_shows_them(hostile_district):
    with run_batch(hostile_district, SEED, jobs=1) as result:
        reasons = [r.reason for r in result.spool.indicators()]
        projects = list(result.spool.projects())
    assert reasons.count("控制字符\ufffd与\ufffd") == 2
    assert [p.exec_reason for p in projects] == ["资金\n未到位", "", "原因\r\n其二"]
