"""Small hand-built workbooks for the tests: the template filled in, and forms laid out
the way other tools lay out the national 项目支出绩效自评表 (shifted, merged, renamed)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from selfeval_xlsx import form
from selfeval_xlsx.grid import a1
from selfeval_xlsx.template import LAYOUT, write_template

# One project, the seed's 专项经费 with its indicators (weights 10/10/10/10/20/20/10).
SPECIAL = {
    "name": "专项经费", "unit": "中山东路街道办事处", "department": "长安区人民政府", "year": 2020,
    "initial": 25, "budget": 25, "executed": 15, "fiscal": 25, "exec_reason": "",
    "indicators": [
        ("产出指标", "数量指标", "开展专项活动次数", "≥10次", "6次", 10, 10, ""),
        ("产出指标", "质量指标", "资金使用合规率", "100%", "100%", 10, 10, ""),
        ("产出指标", "时效指标", "资金支付时限", "2020年12月31日前", "2020年12月25日", 10, 10, ""),
        ("产出指标", "成本指标", "项目支出成本", "≤25万元", "15万元", 10, 10, ""),
        ("效益指标", "社会效益指标", "社区治理水平", "有效提升", "达成", 20, 20, ""),
        ("效益指标", "可持续影响指标", "长效机制建立", "建立并持续运行", "达成", 20, 20, ""),
        ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "95%", 10, 10, ""),
    ],
}
IND_KEYS = ("level1", "level2", "level3", "target", "actual", "weight", "self_score", "reason")


def _put(ws, ref: str, value) -> None:
    """Types a value as a clerk would: text that starts with "=" stays text."""
    ws[ref] = value
    if isinstance(value, str) and value.startswith("="):
        ws[ref].data_type = "s"


def filled_template(path: Path, projects: list[dict], unit: str = "中山东路街道办事处",
                    year: int = 2020, district: str = "长安区", rules=None) -> Path:
    """The project's template (written from `rules`), filled with openpyxl the way a clerk types."""
    write_template(path, unit=unit, year=year, projects=max(1, len(projects)), rules=rules)
    wb = openpyxl.load_workbook(path)
    info = wb[form.UNIT_SHEET]
    values = {"unit": unit, "district": district, "year": year}
    for r, f in enumerate(form.UNIT_INFO_FIELDS, start=2):
        _put(info, a1(r, 1), values.get(f.key))
    L = LAYOUT
    for i, p in enumerate(projects):
        ws = wb[f"项目{i + 1}"]
        _put(ws, a1(L.name, 1), p["name"])
        _put(ws, a1(L.department, 5), p.get("unit", unit))
        _put(ws, a1(L.year, 1), p.get("year", year))
        for key in ("initial", "budget", "executed"):
            _put(ws, a1(L.funds_first, L.fund_cols[key]), p.get(key))
        if "fiscal" in p:
            _put(ws, a1(L.funds_first + 1, L.fund_cols["budget"]), p["fiscal"])
        _put(ws, a1(L.exec_reason, 2), p.get("exec_reason") or None)
        for j, row in enumerate(p["indicators"]):
            for key, value in zip(IND_KEYS, row):
                _put(ws, a1(L.indicator_first + j, L.indicator_cols[key]), value if value != "" else None)
        for ref, value in p.get("cells", {}).items():  # anything else a clerk typed over
            _put(ws, ref, value)
    wb.save(path)
    return path


def national_sheet(ws, p: dict, top: int = 0, left: int = 0, total=None, grade=None,
                   year_in_title: bool = True, merge: bool = True) -> dict:
    """The national form as other tools make it, from (top, left): no 评价年度 row,
    the year in the title, 一级/二级指标 merged down their rows, 总分 typed.
    Returns where things landed, as A1 references."""
    def at(r, c):
        return ws.cell(row=top + r + 1, column=left + c + 1)

    def put(r, c, v):
        at(r, c).value = v

    def merge_cells(r1, c1, r2, c2):
        if merge and (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=top + r1 + 1, start_column=left + c1 + 1,
                           end_row=top + r2 + 1, end_column=left + c2 + 1)

    where = {}
    put(0, 0, "项目支出绩效自评表"); merge_cells(0, 0, 0, 9)
    put(1, 0, f"（{p['year']}年度）" if year_in_title else "（年度）"); merge_cells(1, 0, 1, 9)
    put(2, 0, "项目名称"); merge_cells(2, 0, 2, 1); put(2, 2, p["name"]); merge_cells(2, 2, 2, 9)
    where["name"] = a1(top + 2, left + 2)
    put(3, 0, "主管部门"); merge_cells(3, 0, 3, 1); put(3, 2, p["department"]); merge_cells(3, 2, 3, 5)
    put(3, 6, "实施单位"); put(3, 7, p["unit"]); merge_cells(3, 7, 3, 9)
    heads = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    put(4, 0, "项目资金（万元）"); merge_cells(4, 0, 4, 3)
    for k, h in enumerate(heads):
        put(4, 4 + k, h)
    rows = (("年度资金总额", p["initial"], p["budget"], p["executed"]),
            ("其中：当年财政拨款", p["initial"], p.get("fiscal", p["budget"]), p["executed"]),
            ("上年结转资金", None, None, None), ("其他资金", None, None, None))
    for k, (label, a, b, e) in enumerate(rows):
        r = 5 + k
        put(r, 2, label); merge_cells(r, 2, r, 3)
        put(r, 4, a); put(r, 5, b); put(r, 6, e)
    put(5, 0, "—")
    put(5, 7, 10)
    rate = p["executed"] / p["budget"]
    put(5, 8, rate); put(5, 9, min(rate, 1) * 10)  # cached values another tool computed
    where["budget"] = a1(top + 5, left + 5)
    where["executed"] = a1(top + 5, left + 6)
    put(9, 0, "年度总体目标"); merge_cells(9, 0, 10, 0)
    put(9, 1, "预期目标"); merge_cells(9, 1, 9, 5); put(9, 6, "实际完成情况"); merge_cells(9, 6, 9, 9)
    put(10, 1, "开展社区专项活动。"); merge_cells(10, 1, 10, 5)
    put(10, 6, "开展专项活动6次。"); merge_cells(10, 6, 10, 9)
    ind_heads = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    # Indicator block: one extra column for 三级指标 (merged over two), as many tools do.
    cols = (0, 1, 2, 4, 5, 6, 7, 8)
    for h, c in zip(ind_heads, cols):
        put(11, c, h)
    merge_cells(11, 2, 11, 3); merge_cells(11, 8, 11, 9)
    r = 12
    runs: dict[str, list[int]] = {}
    for row in p["indicators"]:
        l1, l2 = row[0], row[1]
        first1 = l1 not in runs
        runs.setdefault(l1, []).append(r)
        runs.setdefault((l1, l2), []).append(r)
        if first1 or not merge:
            put(r, 0, l1)
        if len(runs[(l1, l2)]) == 1 or not merge:
            put(r, 1, l2)
        for v, c in zip(row[2:], cols[2:]):
            put(r, c, v if v != "" else None)
        merge_cells(r, 2, r, 3); merge_cells(r, 8, r, 9)
        where.setdefault("first_score", a1(top + r, left + 7))
        r += 1
    for key, rs in runs.items():
        c = 0 if isinstance(key, str) else 1
        merge_cells(rs[0], c, rs[-1], c)
    put(r, 0, "总分"); merge_cells(r, 0, r, 5); put(r, 6, 100); put(r, 7, total)
    where["total"] = a1(top + r, left + 7)
    put(r + 1, 0, "自评等级"); merge_cells(r + 1, 0, r + 1, 5); put(r + 1, 6, grade)
    ws.column_dimensions[get_column_letter(left + 1)].width = 14
    return where


def national_workbook(path: Path, projects: list[dict], **kw) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for p in projects:
        national_sheet(wb.create_sheet(p.get("sheet", p["name"])), p, **kw)
    wb.save(path)
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def need_soffice() -> str:
    """LibreOffice, or a skip; in CI its absence is a failure, not a skip."""
    exe = soffice()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install LibreOffice (libreoffice-calc-nogui)")
        pytest.skip("LibreOffice not installed")
    return exe


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Converts with headless LibreOffice (a real spreadsheet program) and returns the file."""
    exe = need_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not write {out}"
    return out
