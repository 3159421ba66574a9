"""Every table we produce, declared once: its columns' names, Chinese headers, kinds and
widths, and the record type of its rows.

Workers build rows by column name, the spool stores them, the workbook, JSON, charts,
reports and DataFrames read them by name. Adding a column is one line here (and, for a
real figure, the line in rows.py that computes it); nothing reads a row by position.
Records are named tuples: they pickle small and render as fast as plain tuples.
"""
from __future__ import annotations

import functools
import marshal
from collections import namedtuple
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .sheetxml import AMOUNT, INT, RATE, SCORE, STYLE_INDEX, TEXT, WRAP, cells_for

__all__ = [
    "AMOUNT",
    "FILES",
    "FINDINGS",
    "INDICATORS",
    "INT",
    "PROJECTS",
    "RATE",
    "SCORE",
    "STORED_FINDING",
    "TEXT",
    "UNITS",
    "WRAP",
    "Column",
    "StoredFinding",
    "TableSchema",
]


@dataclass(frozen=True)
class Column:
    name: str            # English identifier: the record's field, the DataFrame's names=True column
    header: str          # what the sheet, the JSON and the DataFrame show
    kind: str = TEXT     # sheetxml kind: text, amount, score, rate, int
    width: int = 12      # in Excel's character units
    default: object = None   # the value of a row built without it


def _record(type_name: str, columns: tuple[Column, ...]) -> type:
    rec = namedtuple(type_name, [c.name for c in columns], defaults=[c.default for c in columns],
                     module=__name__)
    return rec


@dataclass(frozen=True, eq=False)
class TableSchema:
    key: str                       # English name: Results attribute, to_pandas() key
    sheet: str                     # the worksheet (and JSON key)
    columns: tuple[Column, ...]
    record: type = field(init=False)
    wrap: str | None = None        # the column whose text wraps (rows grow to show it)
    type_name: str = ""

    def __post_init__(self):
        object.__setattr__(self, "record", _record(self.type_name, self.columns))

    @functools.cached_property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @functools.cached_property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        return {c.name: i for i, c in enumerate(self.columns)}

    def index(self, name: str) -> int:
        """Position of a column (for the sheet writer's column letters, not for reading rows)."""
        return self._positions[name]

    def column(self, name: str) -> Column:
        return self.columns[self._positions[name]]

    def styles(self) -> list[int]:
        """Each column's cell style (sheetxml.STYLE_INDEX), the wrapping column wrapped."""
        return [STYLE_INDEX[WRAP] if c.name == self.wrap else STYLE_INDEX.get(c.kind, STYLE_INDEX[TEXT])
                for c in self.columns]

    @functools.cached_property
    def cells(self) -> tuple:
        """The rendered cells of a row (sheetxml.cells_for)."""
        return tuple(cells_for(self.styles()))

    @functools.cached_property
    def _decimals(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c.kind in (AMOUNT, SCORE, RATE))

    def pack(self, rows) -> bytes:
        """Records as bytes for the spool. marshal with decimals as text: a third of
        pickle's time for the same rows, in every worker for every file."""
        dec = Decimal
        return marshal.dumps([tuple([str(v) if type(v) is dec else v for v in r]) for r in rows])

    def unpack(self, data: bytes) -> list:
        """pack's records back, decimals as Decimal again (exactly: as text they lose nothing)."""
        make, at, dec = self.record._make, self._decimals, Decimal
        out = []
        for r in marshal.loads(data):
            r = list(r)
            for i in at:
                if r[i] is not None:
                    r[i] = dec(r[i])
            out.append(make(r))
        return out

    def with_column(self, column: Column, after: str | None = None) -> TableSchema:
        """This table with one more column (after `after`, else last): a new record type.
        For tests and local extensions; a real column is added in the declaration below."""
        cols = list(self.columns)
        at = cols.index(next(c for c in cols if c.name == after)) + 1 if after else len(cols)
        cols.insert(at, column)
        return replace(self, columns=tuple(cols))


UNITS = TableSchema("units", "汇总", (
    Column("unit", "单位名称", width=26), Column("district", "所属区县", width=10),
    Column("year", "评价年度", INT, 9), Column("projects", "项目数", INT, 8),
    Column("budget", "全年预算数（万元）", AMOUNT, 14), Column("executed", "全年执行数（万元）", AMOUNT, 14),
    Column("rate", "执行率", RATE, 10), Column("mean_score", "平均得分", SCORE, 10),
    Column("weighted_score", "预算加权平均得分", SCORE, 12), Column("grade", "等级", width=7),
    Column("errors", "错误", INT, 7), Column("warnings", "警告", INT, 7), Column("infos", "提示", INT, 7),
    Column("note", "说明", width=36), Column("files", "文件", width=36),
), type_name="UnitRow")

# 部门整体支出绩效自评表: one row per form, scored by the same rules as a project.
DEPARTMENTS = TableSchema("departments", "部门整体", (
    Column("unit", "单位名称", width=26), Column("initial", "年初预算数（万元）", AMOUNT, 13),
    Column("budget", "全年预算数（万元）", AMOUNT, 13), Column("executed", "全年执行数（万元）", AMOUNT, 13),
    Column("rate", "执行率", RATE, 9), Column("basic", "基本支出（万元）", AMOUNT, 12),
    Column("project_spend", "项目支出（万元）", AMOUNT, 12), Column("rate_score", "执行率得分", SCORE, 10),
    Column("total", "计算总分", SCORE, 9), Column("self_total", "自评总分", SCORE, 9),
    Column("diff", "差异", SCORE, 8), Column("grade", "等级", width=6), Column("self_grade", "自评等级", width=8),
    Column("file", "文件", width=30), Column("sheet", "工作表", width=12),
), type_name="DepartmentRow")

PROJECTS = TableSchema("projects", "项目明细", (
    Column("unit", "单位名称", width=24), Column("project", "项目名称", width=24),
    Column("initial", "年初预算数", AMOUNT, 11), Column("budget", "全年预算数", AMOUNT, 11),
    Column("executed", "全年执行数", AMOUNT, 11), Column("rate", "执行率", RATE, 9),
    # 执行数 ÷ 年初预算数: a budget cut down to the spending shows here (P125).
    Column("initial_rate", "年初口径执行率", RATE, 11),
    Column("rate_score", "执行率得分", SCORE, 10), Column("output_score", "产出得分", SCORE, 9),
    Column("benefit_score", "效益得分", SCORE, 9), Column("satisfaction_score", "满意度得分", SCORE, 10),
    Column("total", "计算总分", SCORE, 9), Column("self_total", "自评总分", SCORE, 9),
    Column("diff", "差异", SCORE, 8), Column("grade", "等级", width=6), Column("self_grade", "自评等级", width=8),
    Column("exec_reason", "执行率未达标原因", width=30), Column("finding_count", "问题数", INT, 7),
    Column("file", "文件", width=30), Column("sheet", "工作表", width=12),
    Column("code", "项目编码", width=20, default=""),   # last: report.py and tests still read some by position
), type_name="ProjectRow")

INDICATORS = TableSchema("indicators", "指标明细", (
    Column("unit", "单位名称", width=22), Column("project", "项目名称", width=20),
    Column("level1", "一级指标", width=11), Column("level2", "二级指标", width=14),
    Column("level3", "三级指标", width=24), Column("target", "年度指标值", width=16),
    Column("actual", "实际完成值", width=16), Column("rule", "计分规则", width=11),
    Column("weight", "分值", SCORE, 7), Column("self_score", "自评得分", SCORE, 9),
    Column("score", "计算得分", SCORE, 9), Column("diff", "差异", SCORE, 7),
    Column("reason", "偏差原因", width=30), Column("file", "文件", width=28),
    Column("sheet", "工作表", width=12), Column("cell", "单元格", width=8),
), type_name="IndicatorRow")

FINDINGS = TableSchema("findings", "问题清单", (
    Column("severity", "级别", width=6), Column("code", "代码", width=7), Column("title", "问题", width=24),
    Column("unit", "单位名称", width=22), Column("project", "项目名称", width=20),
    Column("file", "文件", width=28), Column("sheet", "工作表", width=12), Column("cell", "单元格", width=8),
    Column("message", "说明", width=60), Column("value", "值", width=16),
), wrap="message", type_name="FindingRow")

FILES = TableSchema("files", "运行信息", (
    Column("file", "文件", width=40), Column("status", "状态", width=9), Column("reason", "原因", width=36),
    Column("format", "格式", width=7), Column("size", "大小（字节）", INT, 12),
    Column("sheets", "工作表数", INT, 9), Column("projects", "项目数", INT, 8),
    Column("sha256", "SHA-256", width=66),
    Column("kinds", "工作表类型", width=44, default=""),   # sheetkinds.Cycle.summary
), type_name="FileRow")

UnitRow, DepartmentRow, ProjectRow, IndicatorRow, FindingRow, FileRow = (
    t.record for t in (UNITS, DEPARTMENTS, PROJECTS, INDICATORS, FINDINGS, FILES))

# A finding as the spool stores it (SQLite columns, in this order): its sort key first.
# Finding.as_row() gives these fields in this order.
STORED_FINDING = ("rank", "unit", "file", "sheet", "code", "cell", "message", "project", "value")
StoredFinding = namedtuple("StoredFinding", STORED_FINDING, module=__name__)
