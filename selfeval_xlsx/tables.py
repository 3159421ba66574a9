"""The consolidated results as named tables of rows: what the workbook and JSON hold.

Both writers take these tables, so the workbook and `--json` cannot disagree.
Numbers are rounded half up here, once: amounts and scores to the cent, rates to
a hundredth of a percent, so what a user sees is what a user sums.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .batch import BatchResult
from .findings import CATALOGUE, Severity, count_by_severity
from .numbers import round_half_up
from .scoring import rollup
from .workbook import WorkbookResult

TEXT, AMOUNT, RATE, SCORE, INT = "text", "amount", "rate", "score", "int"
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 12


@dataclass
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: list[list]
    total_row: list | None = None
    # Where a row points in the inputs: row index → (column, file, sheet, cell).
    sources: dict[int, tuple[int, str, str, str]] = field(default_factory=dict)

    def records(self) -> list[dict]:
        rows = self.rows + ([self.total_row] if self.total_row else [])
        return [{c.header: _jsonable(v) for c, v in zip(self.columns, row)} for row in rows]


def _jsonable(v):
    """As the workbook stores it: numbers as numbers, an empty cell as null."""
    if isinstance(v, Decimal):
        return float(v)
    return None if v == "" else v


def _amt(x: Decimal | None) -> Decimal | None:
    return round_half_up(x)


def _rate(x: Decimal | None) -> Decimal | None:
    return round_half_up(x, RATE_PLACES)


SUMMARY = "汇总"
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


def _unit_row(unit: str, ws: list[WorkbookResult], rules) -> list:
    pairs = [(sp.project, sp.score) for w in ws for sp in w.projects]
    r = rollup(pairs)
    counts = count_by_severity(f for w in ws for f in w.findings)
    district = next((w.district for w in ws if w.district), "")
    year = next((w.year for w in ws if w.year), None)
    return [unit, district, year, r.projects, _amt(r.budget), _amt(r.executed), _rate(r.rate),
            _amt(r.mean_score), _amt(r.weighted_score), rules.grade(r.weighted_score),
            counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO],
            "、".join(w.file.path for w in ws)]


def summary_table(result: BatchResult) -> Table:
    by_unit: dict[str, list[WorkbookResult]] = {}
    for w in result.counted:
        by_unit.setdefault(w.unit or "（未填单位名称）", []).append(w)
    rows = [_unit_row(u, ws, result.rules) for u, ws in by_unit.items()]
    # Units that need attention first: most errors, then warnings, then lowest score.
    rows.sort(key=lambda r: (-r[10], -r[11], r[8] if r[8] is not None else Decimal(-1), r[0]))
    # Units on the roster that sent nothing come first of all.
    rows[:0] = [[name, "", result.year, 0, None, None, None, None, None, "缺报", None, None, None, ""]
                for name in result.missing_units]
    everything = rollup((sp.project, sp.score) for w in result.counted for sp in w.projects)
    counts = count_by_severity(result.all_findings())
    total = ["合计", "", result.year, everything.projects, _amt(everything.budget),
             _amt(everything.executed), _rate(everything.rate), _amt(everything.mean_score),
             _amt(everything.weighted_score), result.rules.grade(everything.weighted_score),
             counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO],
             f"{len(result.workbooks)} 个文件"]
    return Table(SUMMARY, SUMMARY_COLUMNS, rows, total)


def project_table(result: BatchResult) -> Table:
    per_sheet = Counter((f.file, f.sheet) for f in result.all_findings())
    rows = []
    for w in result.counted:
        for sp in w.projects:
            p, s = sp.project, sp.score
            diff = None if s.self_total is None or s.total is None else s.self_total - s.total
            rows.append([w.unit, p.name, _amt(p.initial), _amt(p.budget), _amt(p.executed),
                         _rate(s.rate), _amt(s.rate_score), _amt(s.dimensions.get("产出指标")),
                         _amt(s.dimensions.get("效益指标")), _amt(s.dimensions.get("满意度指标")),
                         _amt(s.total), _amt(s.self_total), _amt(diff), s.grade, p.self_grade,
                         p.exec_reason, per_sheet[(p.file, p.sheet)], p.file, p.sheet])
    return Table(PROJECTS, PROJECT_COLUMNS, rows)


def indicator_table(result: BatchResult) -> Table:
    rows = []
    for w in result.counted:
        for sp in w.projects:
            p = sp.project
            for ind, s in zip(p.indicators, sp.score.indicators):
                diff = (None if ind.self_score is None or s.score is None
                        else ind.self_score - s.score)
                rule = s.rule + ("（沿用自评）" if s.fallback and s.fallback != "qualitative" else "")
                rows.append([w.unit, p.name, ind.level1, ind.level2, ind.level3, ind.target.text,
                             ind.actual.text, rule, _amt(ind.weight), _amt(ind.self_score),
                             _amt(s.score), _amt(diff), ind.reason, p.file, p.sheet,
                             ind.cells.get("level3", "")])
    return Table(INDICATORS, INDICATOR_COLUMNS, rows)


def finding_table(result: BatchResult) -> Table:
    findings = result.all_findings()
    rows = [[f.severity.value, f.code, CATALOGUE[f.code].title, f.unit, f.project, f.file,
             f.sheet, f.cell, f.message, f.value] for f in findings]
    # The 单元格 column links to the cell; a finding on a whole file links from 文件.
    sources = {i: (7 if f.cell else 5, f.file, f.sheet, f.cell)
               for i, f in enumerate(findings) if f.file}
    return Table(FINDINGS, FINDING_COLUMNS, rows, sources=sources)


def file_table(result: BatchResult) -> Table:
    entries = sorted([w.file for w in result.workbooks] + result.skipped, key=lambda e: e.path)
    rows = [[e.path, e.status, e.reason, e.format, e.size if e.sha256 else None,
             e.sheets, e.projects, e.sha256] for e in entries]
    return Table(RUN_INFO, FILE_COLUMNS, rows)


def run_facts(result: BatchResult) -> list[tuple[str, object]]:
    rules = result.rules
    facts = [
        ("程序", f"selfeval-xlsx {result.version}"),
        ("开始时间", result.started), ("结束时间", result.finished),
        ("输入目录", result.root), ("区县", result.district), ("评价年度", result.year),
        ("评分规则", rules.name),
    ]
    facts += [(f"权重·{k}", v) for k, v in rules.weights.items()]
    facts += [("等级线", "，".join(f"{g}≥{v}" for g, v in rules.grades) + "，其余为差"),
              ("分差容差", rules.tolerance), ("执行率下限", rules.rate_threshold),
              ("偏高总分", rules.suspicious_score), ("偏高执行率", rules.suspicious_rate),
              ("元万元阈值", rules.yuan_threshold),
              ("重复报送规则", "同一单位同一年度有多个文件时，以文件路径排序在后的为准")]
    return facts


def build_tables(result: BatchResult) -> list[Table]:
    return [summary_table(result), project_table(result), indicator_table(result),
            finding_table(result), file_table(result)]


def as_json(result: BatchResult) -> dict:
    tables = build_tables(result)
    out = {t.name: t.records() for t in tables[:4]}
    out[RUN_INFO] = {"概况": {k: _jsonable(v) for k, v in run_facts(result)},
                     "文件": tables[4].records()}
    return out
