"""One file's results as compact rows: what a reading worker sends back.

Rows are built where the file was read, so the parent holds no Project objects:
it spools the rows to disk and keeps only per-project totals for the rollups.
Numbers are rounded half up here, once: amounts and scores to the cent, rates to
a hundredth of a percent, so what a user sees is what a user sums.
"""
from __future__ import annotations

import functools
import pickle
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .findings import BY_RANK, CATALOGUE, Finding, Severity, count_by_severity
from .grid import col_letters
from .model import UnitInfo
from .numbers import CENTS, round_half_up
from .review_checks import fingerprint
from .scoring import Totals
from .sheetxml import (AMOUNT, INT, LINK, RATE, ROW_MARK, SCORE, STYLE_INDEX, TEXT, WRAP, cells_for, row_xml,
                       wrapped_height)
from .workbook import FileEntry, WorkbookResult

RATE_PLACES = Decimal("0.0001")
_PROTOCOL = pickle.HIGHEST_PROTOCOL


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 12


def amt(x: Decimal | None) -> Decimal | None:
    # round_half_up, inlined: this runs for every figure of every indicator row.
    return None if x is None else x.quantize(CENTS, ROUND_HALF_UP)


def pct(x: Decimal | None) -> Decimal | None:
    return round_half_up(x, RATE_PLACES)


SUMMARY = "汇总"
CHARTS = "图表"
PROJECTS = "项目明细"
INDICATORS = "指标明细"
FINDINGS = "问题清单"
RUN_INFO = "运行信息"

SUMMARY_COLUMNS = (
    Column("单位名称", width=26), Column("所属区县", width=10), Column("评价年度", INT, 9),
    Column("项目数", INT, 8), Column("全年预算数（万元）", AMOUNT, 14), Column("全年执行数（万元）", AMOUNT, 14),
    Column("执行率", RATE, 10), Column("平均得分", SCORE, 10), Column("预算加权平均得分", SCORE, 12),
    Column("等级", width=7), Column("错误", INT, 7), Column("警告", INT, 7), Column("提示", INT, 7),
    Column("文件", width=36),
)
PROJECT_COLUMNS = (
    Column("单位名称", width=24), Column("项目名称", width=24), Column("年初预算数", AMOUNT, 11),
    Column("全年预算数", AMOUNT, 11), Column("全年执行数", AMOUNT, 11), Column("执行率", RATE, 9),
    Column("执行率得分", SCORE, 10), Column("产出得分", SCORE, 9), Column("效益得分", SCORE, 9),
    Column("满意度得分", SCORE, 10), Column("计算总分", SCORE, 9), Column("自评总分", SCORE, 9),
    Column("差异", SCORE, 8), Column("等级", width=6), Column("自评等级", width=8),
    Column("执行率未达标原因", width=30), Column("问题数", INT, 7), Column("文件", width=30),
    Column("工作表", width=12),
)
INDICATOR_COLUMNS = (
    Column("单位名称", width=22), Column("项目名称", width=20), Column("一级指标", width=11),
    Column("二级指标", width=14), Column("三级指标", width=24), Column("年度指标值", width=16),
    Column("实际完成值", width=16), Column("计分规则", width=11), Column("分值", SCORE, 7),
    Column("自评得分", SCORE, 9), Column("计算得分", SCORE, 9), Column("差异", SCORE, 7),
    Column("偏差原因", width=30), Column("文件", width=28), Column("工作表", width=12),
    Column("单元格", width=8),
)
FINDING_COLUMNS = (
    Column("级别", width=6), Column("代码", width=7), Column("问题", width=24),
    Column("单位名称", width=22), Column("项目名称", width=20), Column("文件", width=28),
    Column("工作表", width=12), Column("单元格", width=8), Column("说明", width=60), Column("值", width=16),
)
FILE_COLUMNS = (
    Column("文件", width=40), Column("状态", width=9), Column("原因", width=36), Column("格式", width=7),
    Column("大小（字节）", INT, 12), Column("工作表数", INT, 9), Column("项目数", INT, 8),
    Column("SHA-256", width=66),
)




def stat_from_row(row: tuple) -> ProjectStat:
    """A 项目明细 row read back from the spool (its figures rounded as shown)."""
    return ProjectStat(row[18], row[1], row[2], row[3], row[4], row[5], row[6], row[10], row[11],
                       row[13], row[15])


def column_styles(columns) -> list[int]:
    return [STYLE_INDEX.get(c.kind, STYLE_INDEX[TEXT]) for c in columns]


_PROJECT_CELLS = cells_for(column_styles(PROJECT_COLUMNS))
_INDICATOR_CELLS = cells_for(column_styles(INDICATOR_COLUMNS))
_FINDING_HEADERS = [c.header for c in FINDING_COLUMNS]
FINDING_WRAP = _FINDING_HEADERS.index("说明")   # the message wraps
_FINDING_FILE, _FINDING_SHEET, _FINDING_CELL = (_FINDING_HEADERS.index(h) for h in ("文件", "工作表", "单元格"))
_FINDING_STYLES = [STYLE_INDEX[WRAP] if i == FINDING_WRAP else s
                   for i, s in enumerate(column_styles(FINDING_COLUMNS))]


def finding_row(row: tuple) -> tuple:
    """A 问题清单 row from a finding as the spool stores it (Finding.as_row)."""
    rank, unit, file, sheet, code, cell, message, project, value = row
    return (BY_RANK[rank].value, code, CATALOGUE[code].title, unit, project, file, sheet, cell, message, value)


def finding_link(file: str, sheet: str, cell: str) -> tuple[int, str, str, str] | None:
    """Where a 问题清单 row links from and to: its 单元格 column to the cell, or for a
    finding on a whole file its 文件 column to the file; None for one on no file."""
    return (_FINDING_CELL if cell else _FINDING_FILE, file, sheet, cell) if file else None


def finding_source(row: tuple) -> tuple[int, str, str, str] | None:
    """finding_link of a 问题清单 row."""
    return finding_link(row[_FINDING_FILE], row[_FINDING_SHEET], row[_FINDING_CELL])


@functools.lru_cache(maxsize=4)
def _finding_cells(link_col: int | None) -> list:
    styles = list(_FINDING_STYLES)
    if link_col is not None:
        styles[link_col] = STYLE_INDEX[LINK]
    return cells_for(styles)


def finding_xml(row: tuple) -> bytes:
    """A 问题清单 row (finding_row) rendered, ROW_MARK for the row number and its link
    cell in the link style. Reading workers render their files' findings (FileRows.pack),
    so the writer only copies them; it takes the link style off rows past Excel's
    hyperlink limit (plain_link)."""
    source = finding_source(row)
    height = wrapped_height(str(row[FINDING_WRAP] or ""), FINDING_COLUMNS[FINDING_WRAP].width)
    return row_xml(ROW_MARK, _finding_cells(source[0] if source else None), row, height).encode("utf-8", "replace")


@functools.lru_cache(maxsize=4)
def _unlinked(col: int) -> tuple[bytes, bytes]:
    tag = f'<c r="{col_letters(col)}{ROW_MARK}" s="'
    return f"{tag}{STYLE_INDEX[LINK]}".encode(), f"{tag}{_FINDING_STYLES[col]}".encode()


def plain_link(xml: bytes, col: int) -> bytes:
    """A rendered row whose link cell in `col` is to carry no link after all (a
    province has a hundred thousand such rows past Excel's hyperlink limit)."""
    return xml.replace(*_unlinked(col), 1)


@dataclass
class ProjectStat:
    """What the unit rollups, the terminal and the report need of one project."""
    sheet: str
    name: str
    initial: Decimal | None
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    rate_score: Decimal | None
    total: Decimal | None
    self_total: Decimal | None
    grade: str | None
    exec_reason: str


@dataclass
class FileRows:
    entry: FileEntry
    unit: str = ""
    district: str = ""
    year: int | None = None
    unit_info: UnitInfo | None = None
    projects: list[ProjectStat] = field(default_factory=list)
    project_rows: list[tuple] = field(default_factory=list)
    indicator_rows: list[tuple] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    counts: dict[Severity, int] = field(default_factory=dict)
    indicator_count: int = 0
    totals: Totals = field(default_factory=Totals)
    counted: bool = True   # False when a duplicate submission outranks this one
    # Each project's indicator rows as digests, for B105 (copied across units):
    # (sheet, project, cell, review_checks.fingerprint).
    row_keys: list[tuple[str, str, str, frozenset[bytes]]] = field(default_factory=list)
    no: int = 0            # position in path order, so output order never depends on timing

    # Set by pack(): where the worker wrote this file's rows.
    segments: tuple[str, tuple[tuple[int, int], ...]] | None = None
    # Set by pack(): the findings as the spool stores them, Finding.as_row() and the
    # rendered 问题清单 row (finding_xml); `findings` is then emptied, as objects cost
    # more to send between processes than tuples do.
    stored_findings: list[tuple] | None = None

    def all_findings(self) -> list[Finding]:
        if self.stored_findings is None:
            return list(self.findings)
        return [Finding.from_row(r[:-1]) for r in self.stored_findings]

    def pack(self, sink=None, row_values: bool = True) -> FileRows:
        """Writes the rows to `sink` (the worker's own spool file) and keeps only where.

        Four segments: project and indicator rows pickled, if `row_values` (for JSON
        and reports; the summary workbook needs none; without it the per-project
        stats are dropped too), and the same rows rendered as worksheet XML with
        ROW_MARK for the row number.
        Only small things (totals, findings and their rendered 问题清单 rows, offsets)
        then cross the pipe to the parent, which would otherwise render the findings
        itself, one process doing the work of all the workers.
        Without a sink (a file that failed, so has no rows) nothing is written."""
        if sink is not None and (self.project_rows or self.indicator_rows):
            parts = [pickle.dumps(self.project_rows, _PROTOCOL) if row_values else b"",
                     pickle.dumps(self.indicator_rows, _PROTOCOL) if row_values else b"",
                     "\n".join(row_xml(ROW_MARK, _PROJECT_CELLS, r) for r in self.project_rows).encode(),
                     "\n".join(row_xml(ROW_MARK, _INDICATOR_CELLS, r) for r in self.indicator_rows).encode()]
            start = sink.tell()
            # One unbuffered write before the result is sent: a worker killed later
            # loses nothing the parent has been told about.
            sink.write(b"".join(parts))
            offsets, at = [], start
            for part in parts:
                offsets.append((at, len(part)))
                at += len(part)
            self.segments = (sink.name, tuple(offsets))
        self.project_rows, self.indicator_rows = [], []
        if not row_values:
            self.projects = []   # only the `check` command prints them; totals has the rest
        self.stored_findings = [(*row, finding_xml(finding_row(row))) for row in map(Finding.as_row, self.findings)]
        self.findings = []
        return self

    def drop_rows(self) -> None:
        """After spooling: keep only what the rollups need (`totals`)."""
        self.project_rows, self.indicator_rows, self.findings, self.projects = [], [], [], []
        self.stored_findings = None


def to_rows(w: WorkbookResult, high_mark: Decimal | None = None) -> FileRows:
    """`high_mark`: the self total counted as 自评偏高 (rules.suspicious_score)."""
    out = FileRows(w.file, w.unit, w.district, w.year, w.unit_info, findings=list(w.findings),
                   counts=count_by_severity(w.findings))
    per_sheet = Counter(f.sheet for f in w.findings)
    for sp in w.projects:
        p, s = sp.project, sp.score
        out.projects.append(ProjectStat(p.sheet, p.name, p.initial, p.budget, p.executed, s.rate,
                                        s.rate_score, s.total, s.self_total, s.grade, p.exec_reason))
        out.totals.add(p.budget, p.executed, s.total, s.self_total, high_mark, name=p.name)
        if keys := fingerprint(p, s):
            out.row_keys.append((p.sheet, p.name, p.indicators[0].cells.get("level3", ""), keys))
        diff = None if s.self_total is None or s.total is None else s.self_total - s.total
        out.project_rows.append((
            w.unit, p.name, amt(p.initial), amt(p.budget), amt(p.executed), pct(s.rate),
            amt(s.rate_score), amt(s.dimensions.get("产出指标")), amt(s.dimensions.get("效益指标")),
            amt(s.dimensions.get("满意度指标")), amt(s.total), amt(s.self_total), amt(diff), s.grade,
            s.self_grade, p.exec_reason, per_sheet[p.sheet], p.file, p.sheet))
        for ind, i in zip(p.indicators, s.indicators):
            idiff = None if ind.self_score is None or i.score is None else ind.self_score - i.score
            rule = i.rule + ("（沿用自评）" if i.fallback and i.fallback != "qualitative" else "")
            out.indicator_rows.append((
                w.unit, p.name, ind.level1, ind.level2, ind.level3, ind.target.text, ind.actual.text,
                rule, amt(ind.weight), amt(ind.self_score), amt(i.score), amt(idiff), ind.reason,
                p.file, p.sheet, ind.cells.get("level3", "")))
    out.indicator_count = len(out.indicator_rows)
    return out
