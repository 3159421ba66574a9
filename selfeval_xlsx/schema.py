"""Every table we produce, declared once: its columns' names, Chinese headers, kinds and
widths, and the record type of its rows.

Workers build rows by column name, the spool stores them, the workbook, JSON, charts,
reports and DataFrames read them by name. Adding a column is a change here only: its
Column and the matching field of the table's record (and, for a real figure, the line
in rows.py that computes it); nothing reads a row by position.
Records are named tuples: they pickle small and render as fast as plain tuples. Each
table's record is declared below as a typing.NamedTuple, so that the type checker knows
its fields; TableSchema refuses a declaration that differs from its columns (names,
order, defaults), so the two cannot drift apart.
"""
from __future__ import annotations

import functools
import marshal
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

from .sheetxml import AMOUNT, INT, RATE, SCORE, STYLE_INDEX, TEXT, WRAP, CellFormat, cells_for

__all__ = [
    "AMOUNT",
    "FILES",
    "FINDINGS",
    "INDICATORS",
    "INT",
    "PROJECTS",
    "RATE",
    "REVIEW",
    "REVIEW_UNITS",
    "SCORE",
    "STORED_FINDING",
    "TEXT",
    "UNITS",
    "WRAP",
    "Column",
    "DepartmentRow",
    "FileRow",
    "FindingRow",
    "IndicatorRow",
    "ProjectRow",
    "ReviewRow",
    "ReviewUnitRow",
    "StoredFinding",
    "TableSchema",
    "UnitRow",
]


# The custom document property every summary we write carries, so that reading a folder
# skips our own output (inputs.py) instead of taking it for a submission: (name, value).
MARKER = ("selfeval-xlsx", "summary")

@dataclass(frozen=True)
class Column:
    name: str            # English identifier: the record's field, the DataFrame's names=True column
    header: str          # what the sheet, the JSON and the DataFrame show
    kind: str = TEXT     # sheetxml kind: text, amount, score, rate, int
    width: int = 12      # in Excel's character units
    default: object = None   # the value of a row built without it


# A table's record: a named tuple, declared below or made by _record.
R = TypeVar("R", bound=tuple[Any, ...])


def _record(type_name: str, columns: tuple[Column, ...]) -> Any:
    # Any: a record type made at run time (tests, local extensions) has no static fields.
    return namedtuple(type_name, [c.name for c in columns],  # noqa: PYI024 - fields known only at run time
                      defaults=[c.default for c in columns], module=__name__)


def drift(record: type[NamedTuple], columns: tuple[Column, ...]) -> str | None:
    """How a declared record differs from its table's columns (names, order, defaults); None if not."""
    names = tuple(c.name for c in columns)
    if record._fields != names:
        return f"{record.__name__} fields {record._fields} != columns {names}"
    defaults = {c.name: c.default for c in columns}
    if record._field_defaults != defaults:
        return f"{record.__name__} defaults {record._field_defaults} != columns' {defaults}"
    return None


@dataclass(frozen=True, eq=False)
class TableSchema(Generic[R]):
    key: str                       # English name: Results attribute, to_pandas() key
    sheet: str                     # the worksheet (and JSON key)
    columns: tuple[Column, ...]
    record: type[R] = field(init=False)
    wrap: str | None = None        # the column whose text wraps (rows grow to show it)
    type_name: str = ""
    declared: type[R] | None = None   # the record's static declaration (below), if it has one

    def __post_init__(self) -> None:
        if self.declared is None:
            object.__setattr__(self, "record", _record(self.type_name, self.columns))
            return
        declared: type[Any] = self.declared   # a NamedTuple class (R only says "a tuple")
        wrong = drift(declared, self.columns)
        if wrong:   # a programming error in this module: the declaration below was not updated
            raise TypeError(wrong)
        object.__setattr__(self, "record", self.declared)

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
    def cells(self) -> tuple[CellFormat, ...]:
        """The rendered cells of a row (sheetxml.cells_for)."""
        return tuple(cells_for(self.styles()))

    @functools.cached_property
    def _decimals(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c.kind in (AMOUNT, SCORE, RATE))

    def pack(self, rows: Iterable[R]) -> bytes:
        """Records as bytes for the spool. marshal with decimals as text: a third of
        pickle's time for the same rows, in every worker for every file."""
        dec = Decimal
        return marshal.dumps([tuple([str(v) if type(v) is dec else v for v in r]) for r in rows])

    def unpack(self, data: bytes) -> list[R]:
        """pack's records back, decimals as Decimal again (exactly: as text they lose nothing)."""
        # tuple.__new__(record, values) is what the record's _make does, without the lookup.
        new, record, at, dec = tuple.__new__, self.record, self._decimals, Decimal
        out = []
        for packed in marshal.loads(data):
            r = list(packed)
            for i in at:
                if r[i] is not None:
                    r[i] = dec(r[i])
            out.append(new(record, r))
        return out

    def with_column(self, column: Column, after: str | None = None) -> TableSchema[Any]:
        """This table with one more column (after `after`, else last): a new record type,
        made at run time. For tests and local extensions; a real column is added in the
        declarations below (the column and its record's field)."""
        cols = list(self.columns)
        at = cols.index(next(c for c in cols if c.name == after)) + 1 if after else len(cols)
        cols.insert(at, column)
        return TableSchema(self.key, self.sheet, tuple(cols), wrap=self.wrap,
                           type_name=self.type_name or self.record.__name__)


# Each table's record, declared for the type checker. The fields are the columns below,
# in their order, with their defaults; a number column is a Decimal (int for counts).
# TableSchema checks each against its columns when this module loads.

class UnitRow(NamedTuple):
    unit: str | None = None
    district: str | None = None
    year: int | None = None
    projects: int | None = None
    budget: Decimal | None = None
    executed: Decimal | None = None
    rate: Decimal | None = None
    mean_score: Decimal | None = None
    weighted_score: Decimal | None = None
    grade: str | None = None
    errors: int | None = None
    warnings: int | None = None
    infos: int | None = None
    note: str | None = None
    files: str | None = None


class DepartmentRow(NamedTuple):
    unit: str | None = None
    initial: Decimal | None = None
    budget: Decimal | None = None
    executed: Decimal | None = None
    rate: Decimal | None = None
    basic: Decimal | None = None
    project_spend: Decimal | None = None
    rate_score: Decimal | None = None
    total: Decimal | None = None
    self_total: Decimal | None = None
    diff: Decimal | None = None
    grade: str | None = None
    self_grade: str | None = None
    file: str | None = None
    sheet: str | None = None


class ProjectRow(NamedTuple):
    unit: str | None = None
    project: str | None = None
    initial: Decimal | None = None
    budget: Decimal | None = None
    executed: Decimal | None = None
    rate: Decimal | None = None
    initial_rate: Decimal | None = None
    rate_score: Decimal | None = None
    output_score: Decimal | None = None
    benefit_score: Decimal | None = None
    satisfaction_score: Decimal | None = None
    total: Decimal | None = None
    self_total: Decimal | None = None
    diff: Decimal | None = None
    grade: str | None = None
    self_grade: str | None = None
    exec_reason: str | None = None
    finding_count: int | None = None
    file: str | None = None
    sheet: str | None = None
    code: str | None = ""
    prev_total: Decimal | None = None
    prev_rate: Decimal | None = None


class IndicatorRow(NamedTuple):
    unit: str | None = None
    project: str | None = None
    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    target: str | None = None
    approved: str | None = None
    actual: str | None = None
    rule: str | None = None
    weight: Decimal | None = None
    self_score: Decimal | None = None
    score: Decimal | None = None
    diff: Decimal | None = None
    reason: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None


class FindingRow(NamedTuple):
    severity: str | None = None
    code: str | None = None
    title: str | None = None
    unit: str | None = None
    project: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    message: str | None = None
    value: str | None = None


class FileRow(NamedTuple):
    file: str | None = None
    status: str | None = None
    reason: str | None = None
    format: str | None = None
    size: int | None = None
    sheets: int | None = None
    projects: int | None = None
    sha256: str | None = None
    kinds: str | None = ""





UNITS = TableSchema("units", "汇总", (
    Column("unit", "单位名称", width=26), Column("district", "所属区县", width=10),
    Column("year", "评价年度", INT, 9), Column("projects", "项目数", INT, 8),
    Column("budget", "全年预算数（万元）", AMOUNT, 14), Column("executed", "全年执行数（万元）", AMOUNT, 14),
    Column("rate", "执行率", RATE, 10), Column("mean_score", "平均得分", SCORE, 10),
    Column("weighted_score", "预算加权平均得分", SCORE, 12), Column("grade", "等级", width=7),
    Column("errors", "错误", INT, 7), Column("warnings", "警告", INT, 7), Column("infos", "提示", INT, 7),
    Column("note", "说明", width=36), Column("files", "文件", width=36),
), type_name="UnitRow", declared=UnitRow)

# 部门整体支出绩效自评表: one row per form, scored by the same rules as a project.
DEPARTMENTS = TableSchema("departments", "部门整体", (
    Column("unit", "单位名称", width=26), Column("initial", "年初预算数（万元）", AMOUNT, 13),
    Column("budget", "全年预算数（万元）", AMOUNT, 13), Column("executed", "全年执行数（万元）", AMOUNT, 13),
    Column("rate", "执行率", RATE, 9), Column("basic", "基本支出（万元）", AMOUNT, 12),
    Column("project_spend", "项目支出（万元）", AMOUNT, 12), Column("rate_score", "执行率得分", SCORE, 10),
    Column("total", "计算总分", SCORE, 9), Column("self_total", "自评总分", SCORE, 9),
    Column("diff", "差异", SCORE, 8), Column("grade", "等级", width=6), Column("self_grade", "自评等级", width=8),
    Column("file", "文件", width=30), Column("sheet", "工作表", width=12),
), type_name="DepartmentRow", declared=DepartmentRow)

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
    Column("code", "项目编码", width=20, default=""),   # from budget-system exports (sheetkinds)
    # Last year's 计算总分 and 执行率 of the same project (--previous, previous.py).
    Column("prev_total", "上年得分", SCORE, 9), Column("prev_rate", "上年执行率", RATE, 10),
), type_name="ProjectRow", declared=ProjectRow)

INDICATORS = TableSchema("indicators", "指标明细", (
    Column("unit", "单位名称", width=22), Column("project", "项目名称", width=20),
    Column("level1", "一级指标", width=11), Column("level2", "二级指标", width=14),
    Column("level3", "三级指标", width=24), Column("target", "年度指标值", width=16),
    Column("approved", "批复指标值", width=16),   # from --targets or the workbook's 申报表 (approved.py)
    Column("actual", "实际完成值", width=16), Column("rule", "计分规则", width=11),
    Column("weight", "分值", SCORE, 7), Column("self_score", "自评得分", SCORE, 9),
    Column("score", "计算得分", SCORE, 9), Column("diff", "差异", SCORE, 7),
    Column("reason", "偏差原因", width=30), Column("file", "文件", width=28),
    Column("sheet", "工作表", width=12), Column("cell", "单元格", width=8),
), type_name="IndicatorRow", declared=IndicatorRow)

FINDINGS = TableSchema("findings", "问题清单", (
    Column("severity", "级别", width=6), Column("code", "代码", width=7), Column("title", "问题", width=24),
    Column("unit", "单位名称", width=22), Column("project", "项目名称", width=20),
    Column("file", "文件", width=28), Column("sheet", "工作表", width=12), Column("cell", "单元格", width=8),
    Column("message", "说明", width=60), Column("value", "值", width=16),
), wrap="message", type_name="FindingRow", declared=FindingRow)

FILES = TableSchema("files", "运行信息", (
    Column("file", "文件", width=40), Column("status", "状态", width=9), Column("reason", "原因", width=36),
    Column("format", "格式", width=7), Column("size", "大小（字节）", INT, 12),
    Column("sheets", "工作表数", INT, 9), Column("projects", "项目数", INT, 8),
    Column("sha256", "SHA-256", width=66),
    Column("kinds", "工作表类型", width=44, default=""),   # sheetkinds.Cycle.summary
), type_name="FileRow", declared=FileRow)

# --- 抽查复核: a filled 复核底稿 read back (review.py; `selfeval run --review`) -------------

class ReviewRow(NamedTuple):
    unit: str | None = None
    project: str | None = None
    self_total: Decimal | None = None
    total: Decimal | None = None
    review_score: Decimal | None = None
    diff: Decimal | None = None
    opinion: str | None = None
    file: str | None = None
    sheet: str | None = None


class ReviewUnitRow(NamedTuple):
    unit: str | None = None
    sampled: int | None = None
    reviewed: int | None = None
    compared: int | None = None
    above: int | None = None
    share: Decimal | None = None


# One row per sampled project matched to the batch, in unit and file order.
REVIEW = TableSchema("review", "复核", (
    Column("unit", "单位名称", width=24), Column("project", "项目名称", width=24),
    Column("self_total", "自评得分", SCORE, 9), Column("total", "计算总分", SCORE, 9),
    Column("review_score", "复核得分", SCORE, 9),
    Column("diff", "差异（自评−复核）", SCORE, 11), Column("opinion", "复核意见", width=40),
    Column("file", "文件", width=30), Column("sheet", "工作表", width=12),
), wrap="opinion", type_name="ReviewRow", declared=ReviewRow)

# Per unit: 自评偏高 = self-score more than rules.review_tolerance above the review;
# the share is of the projects that have both scores (compared).
REVIEW_UNITS = TableSchema("review_units", "复核汇总", (
    Column("unit", "单位名称", width=26), Column("sampled", "抽查项目数", INT, 10),
    Column("reviewed", "已复核", INT, 8), Column("compared", "可比较", INT, 8),
    Column("above", "自评高出容差", INT, 11), Column("share", "自评偏高占比", RATE, 11),
), type_name="ReviewUnitRow", declared=ReviewUnitRow)


# A finding as the spool stores it (SQLite columns, in this order): its sort key first.
# Finding.as_row() gives these fields in this order.
class StoredFinding(NamedTuple):
    rank: int
    unit: str
    file: str
    sheet: str
    code: str
    cell: str
    message: str
    project: str
    value: str


STORED_FINDING = StoredFinding._fields
