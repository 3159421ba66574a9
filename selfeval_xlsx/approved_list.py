"""The flat list of approved targets budget systems export: one table, a row per
indicator, many projects (单位, 项目名称, 项目编码, 一级/二级/三级指标, 指标值, 分值).

Read by its header labels; each row's indicator is made by the self-evaluation's own
reader (interpret._indicator), so a cost target written `24.65万元` is a ceiling here as
it is on a form. Unit, name, code, 一级 and 二级 cells merged down their rows (calamine
gives the first cell only) or left blank carry on from the row above (a code only
while the name does).
"""
from __future__ import annotations

from . import form
from .approved import Approved
from .grid import Sheet, a1
from .interpret import _indicator, _Reader, text
from .layout import Raw
from .sheetkinds import TARGETS

_HEADERS = {
    "org": ("单位", "单位名称", "预算单位", "实施单位", "项目单位", "部门", "部门名称", "预算部门"),
    "name": ("项目名称",),
    "code": ("项目编码", "项目代码", "项目编号"),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "指标名称", "三级指标名称"),
    "target": ("指标值", "年度指标值", "目标值", "绩效指标值", "年度目标值"),
    "weight": ("分值", "权重", "指标分值", "权重(分值)"),
}
_INDEX = {form.norm_label(s): key for key, spellings in _HEADERS.items() for s in spellings}
# A unit column's headers, most specific first: the unit that carries out the project,
# then its department (主管部门) only when no unit column is there.
_ORG_ORDER = ("单位名称", "实施单位", "预算单位", "项目单位", "单位", "部门名称", "部门", "预算部门")
_ORG_RANK = {form.norm_label(s): i for i, s in enumerate(_ORG_ORDER)}
_CARRIED = ("org", "name", "code", "level1", "level2")
_SCAN = 20   # the header is among the first rows


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(row, field → column) of a header naming 项目名称, 三级指标 and 指标值 together."""
    for r, line in enumerate(sheet.rows[:_SCAN], start=sheet.top):
        cols: dict[str, int] = {}
        org_rank = len(_HEADERS["org"])
        for c, v in enumerate(line, start=sheet.left):
            label = form.norm_label(v) if type(v) is str else ""
            key = _INDEX.get(label)
            if key == "org":
                # Exports often list 部门名称 before 单位名称: the most specific unit wins.
                rank = _ORG_RANK[label]
                if rank < org_rank:
                    cols["org"], org_rank = c, rank
            elif key and key not in cols:
                cols[key] = c
        if {"name", "level3", "target"} <= cols.keys():
            return r, cols
    return None


def is_list(sheet: Sheet) -> bool:
    return _header(sheet) is not None


def read_list(sheet: Sheet, file: str, year: int | None = None) -> list[Approved]:
    """The approved projects of a flat list sheet, in the order they first appear."""
    found = _header(sheet)
    if found is None:
        return []
    head, cols = found
    rd = _Reader(file, sheet.name)
    out: dict[tuple[str, str, str], Approved] = {}
    carried: dict[str, Raw] = {}
    for r in range(head + 1, sheet.bottom):
        line: dict[str, Raw] = {k: (sheet.get(r, c), a1(r, c)) for k, c in cols.items()}
        if text(line["name"][0]):
            carried.pop("code", None)   # a project named afresh: its code is its own, even blank
        for k in _CARRIED:
            if k in line and text(line[k][0]):
                carried[k] = line[k]
            elif k in carried:
                line[k] = carried[k]
        if not text(line["level3"][0]) or not text(line["name"][0]):
            continue
        unit, name, code = (text(line[k][0]) if k in line else "" for k in ("org", "name", "code"))
        a = out.get((unit, name, code))
        if a is None:
            a = out[(unit, name, code)] = Approved(sheet.name, TARGETS, name, code, unit=form.split_unit_code(unit)[0],
                                                   name_cell=line["name"][1], file=file)
        line.pop("org", None)   # _indicator's "unit" is a 计量单位; ours is not passed
        a.indicators.append(_indicator(rd, line, year))
    return list(out.values())
