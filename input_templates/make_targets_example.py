"""Builds the targets approved with the 2020 budget for the example district 长安区.

One workbook per unit, one 项目支出绩效目标申报表 per sheet, as a budget system exports
them (xlsxwriter; one unit's as an .xls saved by LibreOffice, one written by openpyxl,
one as the flat list of every indicator a budget system also exports).
They are the examples' own indicators (read back with selfeval) except for the
divergences planted below, which `selfeval run input_templates/examples/长安区 --targets
input_templates/examples/长安区绩效目标` must find, and nothing else:

- 中山东路 专项经费: 开展专项活动次数 approved ≥12次, the form says ≥10次 (T104, 目标降低);
- 建北 老旧小区改造配套经费: the approved 改造小区数量 (≥3个, 10 分) was dropped and its
  10 points given to 资金使用合规率, 20 instead of 10 (T101, T105);
- 青园 网格化管理经费: approved 社区治理水平 20 / 长效机制建立 10, the form 15 / 15 (T105 ×2);
- 河东 社区文化建设经费: approved 居民文化活动参与度, the form 居民参与度 (T103);
- 广安 人口普查工作经费: added in the year, no approved targets (T107);
- 跃进: 老年活动中心运营经费 was approved but not self-evaluated (T109); its 社区办公经费
  form holds 236000 (元 in a 万元 field, already P114), the approved 23.6 万元 (T106);
- 谈固: two approved projects named 社区办公经费 (coded 2020-谈固-002/003); its forms carry
  no 项目编码, so neither can be told apart (T108 ×2).

    python input_templates/make_targets_example.py   # writes input_templates/examples/长安区绩效目标/
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter

import selfeval_xlsx as se

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "examples" / "长安区"
OUT = HERE / "examples" / "长安区绩效目标"
YEAR = 2020
HEADER = ["一级指标", "二级指标", "三级指标", "指标值", "分值"]

# Indicator rows: (level1, level2, level3, target, weight).
Row = tuple[str, str, str, str, Decimal | None]


def _approved() -> dict[str, list[dict[str, object]]]:
    """Each unit's approved projects: the examples' own, then the planted divergences."""
    with se.evaluate(SOURCE, isolate=False) as r:
        rows: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for i in r.indicators:
            rows[(i.unit or "", i.sheet or "")].append(
                (i.level1 or "", i.level2 or "", i.level3 or "", i.target or "", i.weight))
        units: dict[str, list[dict[str, object]]] = defaultdict(list)
        for p in r.projects:
            n = len(units[p.unit or ""]) + 1
            units[p.unit or ""].append({"name": p.project, "amount": p.initial, "code": f"{YEAR}-{(p.unit or '')[:2]}-{n:03d}",
                                        "rows": list(rows[(p.unit or "", p.sheet or "")])})

    def project(unit: str, name: str) -> dict[str, object]:
        [found] = [p for p in units[unit] if p["name"] == name]
        return found

    def edit(unit: str, name: str, which: str, **kw: object) -> None:
        rows: list[Row] = project(unit, name)["rows"]   # type: ignore[assignment]
        [k] = [k for k, row in enumerate(rows) if row[2] == which]
        l1, l2, l3, target, weight = rows[k]
        rows[k] = (l1, l2, str(kw.get("level3", l3)), str(kw.get("target", target)),
                   Decimal(str(kw["weight"])) if "weight" in kw else weight)

    edit("中山东路街道办事处", "专项经费", "开展专项活动次数", target="≥12次")
    rows: list[Row] = project("建北街道办事处", "老旧小区改造配套经费")["rows"]   # type: ignore[assignment]
    rows.insert(1, ("产出指标", "数量指标", "改造小区数量", "≥3个", Decimal(10)))
    edit("建北街道办事处", "老旧小区改造配套经费", "资金使用合规率", weight=10)
    edit("青园街道办事处", "网格化管理经费", "社区治理水平", weight=20)
    edit("青园街道办事处", "网格化管理经费", "长效机制建立", weight=10)
    edit("河东街道办事处", "社区文化建设经费", "居民参与度", level3="居民文化活动参与度")
    units["广安街道办事处"].remove(project("广安街道办事处", "人口普查工作经费"))
    project("跃进街道办事处", "社区办公经费")["amount"] = Decimal("23.6")
    units["跃进街道办事处"].append({
        "name": "老年活动中心运营经费", "amount": Decimal(12), "code": f"{YEAR}-跃进-004",
        "rows": [("产出指标", "数量指标", "开展老年活动次数", "≥24次", Decimal(30)),
                 ("产出指标", "质量指标", "活动安全事故发生率", "0", Decimal(20)),
                 ("效益指标", "社会效益指标", "老年人精神文化生活", "明显改善", Decimal(30)),
                 ("满意度指标", "服务对象满意度指标", "老年人满意度", "≥90%", Decimal(10))]})
    return units


def _lines(unit: str, p: dict[str, object]) -> list[list[object]]:
    """A 申报表 as cells, row by row (None: an empty cell)."""
    lines: list[list[object]] = [
        ["项目支出绩效目标申报表"], [f"（{YEAR}年度）"],
        ["项目名称", p["name"], None, "项目编码", p["code"]],
        ["主管部门", "长安区人民政府", None, "实施单位", unit],
        ["项目资金（万元）", "年度资金总额", float(p["amount"])],   # type: ignore[arg-type]
        [None, "其中：财政拨款", float(p["amount"])],   # type: ignore[arg-type]
        ["年度绩效目标", f"保障{p['name']}按计划使用，完成年度工作任务。"], HEADER]
    for l1, l2, l3, target, weight in p["rows"]:   # type: ignore[attr-defined]
        lines.append([l1, l2, l3, target, float(weight) if weight is not None else None])
    return lines


def _sheet_names(projects: list[dict[str, object]]) -> list[str]:
    """A sheet per project, named after it; a second of the same name gets （2）."""
    out: list[str] = []
    for p in projects:
        name = str(p["name"])[:28]
        out.append(name if name not in out else f"{name}（{out.count(name) + 1 + sum(o.startswith(name + '（') for o in out)}）")
    return out


def _xlsxwriter(path: Path, unit: str, projects: list[dict[str, object]]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True, "align": "center"})
    for p, sheet in zip(projects, _sheet_names(projects)):
        ws = wb.add_worksheet(sheet)
        ws.set_column(0, 4, 16)
        for r, line in enumerate(_lines(unit, p)):
            for c, v in enumerate(line):
                if v is not None:
                    ws.write(r, c, v, bold if r == 0 else None)
        ws.merge_range(0, 0, 0, 4, "项目支出绩效目标申报表", bold)
    wb.close()


def _flat(path: Path, unit: str, projects: list[dict[str, object]]) -> None:
    """The flat list a budget system exports: a row per indicator, 单位/项目名称/项目编码
    merged down each project's rows."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("绩效目标")
    ws.write_row(0, 0, [f"{YEAR}年项目支出绩效目标批复表"])
    ws.write_row(1, 0, ["单位名称", "项目名称", "项目编码", *HEADER])
    r = 2
    for p in projects:
        rows: list[Row] = p["rows"]   # type: ignore[assignment]
        for c, v in enumerate((unit, p["name"], p["code"])):
            ws.merge_range(r, c, r + len(rows) - 1, c, v)
        for k, (l1, l2, l3, target, weight) in enumerate(rows):
            ws.write_row(r + k, 3, [l1, l2, l3, target, float(weight) if weight is not None else ""])
        r += len(rows)
    wb.close()


def _openpyxl(path: Path, unit: str, projects: list[dict[str, object]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for p, sheet in zip(projects, _sheet_names(projects)):
        ws = wb.create_sheet(sheet)
        for line in _lines(unit, p):
            ws.append(line)
        ws.merge_cells("A1:E1")
    wb.save(path)


def _xls(path: Path, unit: str, projects: list[dict[str, object]]) -> None:
    """An .xls as LibreOffice saves one (budget systems still export .xls)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (path.stem + ".xlsx")
        _xlsxwriter(src, unit, projects)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", "xls:MS Excel 97", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        shutil.copyfile(Path(tmp) / (path.stem + ".xls"), path)


def main(out: Path = OUT) -> list[Path]:
    units = _approved()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for unit in sorted(units):
        base = out / f"{unit}{YEAR}年项目绩效目标"
        if unit == "青园街道办事处":
            path = base.with_suffix(".xls")
            _xls(path, unit, units[unit])
        elif unit == "育才街道办事处":
            path = base.with_suffix(".xlsx")
            _flat(path, unit, units[unit])
        elif unit == "河东街道办事处":
            path = base.with_suffix(".xlsx")
            _openpyxl(path, unit, units[unit])
        else:
            path = base.with_suffix(".xlsx")
            _xlsxwriter(path, unit, units[unit])
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(p)
