"""The consolidated results as named tables: what the workbook and JSON hold.

Both writers take these tables, so the workbook and `--json` cannot disagree. The
big tables are iterators over the spool: they are written, never held.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import figures, schema, textgate
from .batch import BatchResult, file_counts
from .findings import Severity
from .numbers import WIDE, fmt_pct
from .rows import Link, amt, finding_row, finding_source, pct
from .schema import Column, TableSchema


@dataclass
class Table:
    """A table's rows for the writers: records of `schema`, or an iterator over the spool."""
    schema: TableSchema[Any]
    rows: Iterable[Any]             # records of `schema` (its record type)
    count: int                      # how many rows `rows` yields
    total_row: tuple[Any, ...] | None = None
    # Where a row points in the inputs: (column, file, sheet, cell), or None.
    source: Callable[[Any], Link | None] | None = None
    # The same rows already rendered as UTF-8 XML (sheetxml.ROW_MARK for the row number);
    # for a table with a `source`, (xml, source) pairs.
    xml: Iterable[bytes] | Iterable[tuple[bytes, Link | None]] | None = None

    @property
    def name(self) -> str:
        return self.schema.sheet

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.schema.columns

    @property
    def wrap_column(self) -> int | None:
        """The column whose text wraps: its rows are made tall enough to show it."""
        return self.schema.index(self.schema.wrap) if self.schema.wrap else None

    def records(self) -> Iterable[dict[str, object]]:
        """Each row (and the total row) as {Chinese header: JSON value}."""
        for row in self.rows:
            yield {c.header: jsonable(v) for c, v in zip(self.columns, row)}
        if self.total_row:
            yield {c.header: jsonable(v) for c, v in zip(self.columns, self.total_row)}


def jsonable(v: object) -> object:
    """As the workbook stores it: numbers as numbers, an empty cell as null, text as
    the text gate lets it into a cell (textgate.cell; F115 says where it changed), so
    the workbook, the JSON and the DataFrames say the same (and a lone surrogate,
    which no UTF-8 file can hold, is marked)."""
    if isinstance(v, Decimal):
        return float(v)
    if type(v) is str:
        return textgate.cell(v) if v else None
    return v


def _attention(r: schema.UnitRow) -> tuple[int, int, Decimal, str]:
    """Units that need attention first: most errors, then warnings, then lowest score."""
    score = r.weighted_score if r.weighted_score is not None else Decimal(-1)
    return (-(r.errors or 0), -(r.warnings or 0), score, r.unit or "")   # unit_rows fills all three


LEFT_OUT = "未计入"   # the 等级 of a 汇总 row for a file left out of every figure


def unit_rows(result: BatchResult) -> list[schema.UnitRow]:
    """汇总's rows (schema.UnitRow) without the total: units on the roster that sent
    nothing first, then the units that reported, those needing attention first, then
    files read but left out of every figure (figures.py, rule 1), each saying why."""
    unit_row = schema.UNITS.record
    rows = []
    for u in figures.unit_figures(result):
        r, counts = u.rollup, file_counts(u.files)
        rows.append(unit_row(
            unit=u.unit, district=u.district, year=u.year, projects=r.projects, budget=amt(r.budget),
            executed=amt(r.executed), rate=pct(r.rate), mean_score=amt(r.mean_score),
            weighted_score=amt(r.weighted_score), grade=result.rules.grade(r.weighted_score),
            errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
            note=u.note(), files="、".join(w.entry.path for w in u.files)))
    rows.sort(key=_attention)
    missing = [unit_row(unit=name, district="", year=result.year, projects=0, grade="缺报", files="")
               for name in result.missing_units]
    by_path = {w.entry.path: w for w in result.files}
    left_out = []
    for f in figures.left_out_files(result):
        counts = file_counts([by_path[f.path]])
        left_out.append(unit_row(
            unit=f.unit or figures.UNNAMED_UNIT, district=by_path[f.path].district, year=f.year,
            projects=f.projects, grade=LEFT_OUT, errors=counts[Severity.ERROR],
            warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
            note=f"本文件{f.reason}，未计入汇总和排名", files=f.path))
    return missing + rows + left_out


def summary_table(result: BatchResult) -> Table:
    rows = unit_rows(result)
    everything = figures.district_totals(figures.unit_figures(result)).rollup()
    counts = result.severity_counts()
    total = schema.UNITS.record(
        unit="合计", district="", year=result.year, projects=everything.projects, budget=amt(everything.budget),
        executed=amt(everything.executed), rate=pct(everything.rate), mean_score=amt(everything.mean_score),
        weighted_score=amt(everything.weighted_score), grade=result.rules.grade(everything.weighted_score),
        errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
        note="；".join(figures.notes(result)), files=f"{len(result.files)} 个文件")
    return Table(schema.UNITS, rows, len(rows), total)


def department_table(result: BatchResult) -> Table:
    """部门整体: each 部门整体支出绩效自评表 of a counted file."""
    # A file may hold only its 部门整体 form (no project, so not in `counted`); files
    # left out as duplicates or for another year stay out here too.
    rows = [d for w in result.files if w.counted and w.no not in result.left_out for d in w.departments]
    return Table(schema.DEPARTMENTS, rows, len(rows))


def project_table(result: BatchResult) -> Table:
    counted = {f.no for f in result.counted}
    return Table(schema.PROJECTS, result.spool.projects(counted),
                 result.spool.count("projects", counted), xml=result.spool.xml("projects", counted))


def indicator_table(result: BatchResult) -> Table:
    counted = {f.no for f in result.counted}
    return Table(schema.INDICATORS, result.spool.indicators(counted),
                 result.spool.count("indicators", counted), xml=result.spool.xml("indicators", counted))


def _finding_rows(result: BatchResult) -> Iterator[schema.FindingRow]:
    # A generator, so the spool sorts its findings only if someone reads them.
    yield from map(finding_row, result.spool.finding_rows())


def finding_table(result: BatchResult) -> Table:
    return Table(schema.FINDINGS, _finding_rows(result), result.spool.count("findings"),
                 source=finding_source, xml=result.spool.finding_xml())


def file_rows(result: BatchResult) -> list[schema.FileRow]:
    """运行信息's file list (schema.FileRow): every file read or skipped, by path."""
    entries = sorted([w.entry for w in result.files] + result.skipped, key=lambda e: e.path)
    return [schema.FILES.record(file=e.path, status=e.status, reason=e.reason, format=e.format,
                                size=e.size if e.sha256 else None, sheets=e.sheets, projects=e.projects,
                                kinds=e.kinds, sha256=e.sha256) for e in entries]


def file_table(result: BatchResult) -> Table:
    rows = file_rows(result)
    return Table(schema.FILES, rows, len(rows))


def review_tables(result: BatchResult) -> list[Table]:
    """复核 and 复核汇总, when a filled 复核底稿 was read back (`--review`); else none."""
    if result.review is None:
        return []
    rows = result.review.rows
    units, total = result.review.unit_rows()
    return [Table(schema.REVIEW, rows, len(rows)), Table(schema.REVIEW_UNITS, units, len(units), total)]


def run_facts(result: BatchResult) -> list[tuple[str, object]]:
    rules = result.rules
    facts: list[tuple[str, object]] = [
        ("程序", f"selfeval-xlsx {result.version}"),
        ("开始时间", result.started), ("结束时间", result.finished),
        ("输入目录", result.root), ("区县", result.district), ("评价年度", result.year),
        ("评分规则", rules.name),
        ("规则文件", rules.source or "（内置预设，未使用规则文件）"),
    ]
    if rules.sha256:
        facts.append(("规则文件 SHA-256", rules.sha256))
    facts += [(f"权重·{k}", v) for k, v in rules.weights.items()]
    # Shares as percentages, as the rules file may write them (90%), never as 0.9.
    facts += [("等级线", "，".join(f"{g}≥{v}" for g, v in rules.grades) + "，其余为差"),
              ("分差容差", rules.tolerance), ("执行率下限", fmt_pct(rules.rate_threshold)),
              ("偏高总分", rules.suspicious_score), ("偏高执行率", fmt_pct(rules.suspicious_rate)),
              ("偏高项目占比", fmt_pct(rules.bunching_share)), ("元万元阈值", rules.yuan_threshold),
              ("重复报送规则", "同一单位同一年度的多个文件有相同项目时，以文件路径排序在后的为准；没有相同项目的文件均计入"),
              ("计入规则", ("项目须有大于0的全年预算数、全年执行数和计算总分，才计入执行率、平均得分和排名；"
                       "评价年度与本批次不同的文件和重复报送的文件不计入"))]
    facts += [("未计入", text) for text in figures.notes(result)]
    if result.context.previous is not None:   # --previous: which file, and whether its rules differ
        from .previous import facts as previous_facts
        facts += previous_facts(result.context.previous, rules)
    if result.review is not None:
        facts += [("复核底稿", result.review.path), ("复核差异容差", result.review.tolerance)]
    facts += merge_facts(result)
    return facts


# What `selfeval merge` (merging.py) needs of a district beyond its rows: the folder the
# links of its 问题清单 start from, and its totals before rounding (a rounded sum of
# rounded figures, or a weighted mean of rounded means, would not be the district's).
SOURCE_FOLDER = "输入目录（绝对路径）"
EXACT_TOTALS = "合并用合计（未舍入）"
EXACT_PLACES = Decimal("1E-12")
EXACT_FIELDS = ("projects", "entered", "budget", "executed", "score_sum", "weighted_sum",
                "self_scored", "self_high")


def merge_facts(result: BatchResult) -> list[tuple[str, object]]:
    facts: list[tuple[str, object]] = []
    if Path(result.root).is_dir():   # not for (name, bytes) inputs: they have no folder
        facts.append((SOURCE_FOLDER, str(Path(result.root).resolve())))
    t = figures.district_totals(figures.unit_figures(result))
    values = [getattr(t, k) for k in EXACT_FIELDS]
    # Decimals as plain text (a number cell, a float, would lose their digits), to 12
    # places: a sum of scores like 96.666… differs in its 28th digit with the order of
    # the files, and the output must not.
    facts.append((EXACT_TOTALS, "；".join(f"{k}={format(v.quantize(EXACT_PLACES, context=WIDE), 'f')}"
                                      if isinstance(v, Decimal) else f"{k}={v}" for k, v in zip(EXACT_FIELDS, values))))
    return facts


def build_tables(result: BatchResult) -> list[Table]:
    """Every table in sheet order, 运行信息 (file_table) last; 部门整体 only when the
    batch holds such forms."""
    departments = department_table(result)
    return [summary_table(result), *([departments] if departments.count else []), project_table(result),
            indicator_table(result), finding_table(result), *review_tables(result), file_table(result)]


def as_json(result: BatchResult) -> dict[str, object]:
    """The whole result as one JSON-ready dict (for small runs and tests; the CLI streams)."""
    tables = build_tables(result)
    *data, files = tables
    out: dict[str, object] = {t.name: list(t.records()) for t in data}
    out[schema.FILES.sheet] = {"概况": {k: jsonable(v) for k, v in run_facts(result)},
                               "文件": list(files.records())}
    return out
