"""The consolidated results as named tables: what the workbook and JSON hold.

Both writers take these tables, so the workbook and `--json` cannot disagree. The
big tables are iterators over the spool: they are written, never held.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from . import schema, textgate
from .batch import BatchResult, file_counts
from .findings import Severity
from .rows import amt, finding_row, finding_source, pct
from .schema import Column, TableSchema
from .scoring import total_of


@dataclass
class Table:
    """A table's rows for the writers: records of `schema`, or an iterator over the spool."""
    schema: TableSchema
    rows: Iterable[tuple]
    count: int                      # how many rows `rows` yields
    total_row: tuple | None = None
    # Where a row points in the inputs: (column, file, sheet, cell), or None.
    source: Callable[[tuple], tuple[int, str, str, str] | None] | None = None
    # The same rows already rendered as UTF-8 XML (sheetxml.ROW_MARK for the row number);
    # for a table with a `source`, (xml, source) pairs.
    xml: Iterable[bytes] | Iterable[tuple[bytes, tuple | None]] | None = None

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

    def records(self) -> Iterable[dict]:
        """Each row (and the total row) as {Chinese header: JSON value}."""
        for row in self.rows:
            yield {c.header: jsonable(v) for c, v in zip(self.columns, row)}
        if self.total_row:
            yield {c.header: jsonable(v) for c, v in zip(self.columns, self.total_row)}


def jsonable(v):
    """As the workbook stores it: numbers as numbers, an empty cell as null, text as
    the text gate lets it into a cell (textgate.cell; F115 says where it changed), so
    the workbook, the JSON and the DataFrames say the same (and a lone surrogate,
    which no UTF-8 file can hold, is marked)."""
    if isinstance(v, Decimal):
        return float(v)
    if type(v) is str:
        return textgate.cell(v) if v else None
    return v


def _attention(r) -> tuple:
    """Units that need attention first: most errors, then warnings, then lowest score."""
    score = r.weighted_score if r.weighted_score is not None else Decimal(-1)
    return (-r.errors, -r.warnings, score, r.unit)


def unit_rows(result: BatchResult) -> list:
    """汇总's rows (schema.UnitRow) without the total: units on the roster that sent
    nothing first, then the units that reported, those needing attention first."""
    unit_row = schema.UNITS.record
    by_unit: dict[str, list] = {}
    for w in result.counted:
        by_unit.setdefault(w.unit or "（未填单位名称）", []).append(w)
    rows = []
    for unit, ws in by_unit.items():
        r = total_of(w.totals for w in ws).rollup()
        counts = file_counts(ws)
        rows.append(unit_row(
            unit=unit, district=next((w.district for w in ws if w.district), ""),
            year=next((w.year for w in ws if w.year), None), projects=r.projects, budget=amt(r.budget),
            executed=amt(r.executed), rate=pct(r.rate), mean_score=amt(r.mean_score),
            weighted_score=amt(r.weighted_score), grade=result.rules.grade(r.weighted_score),
            errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
            files="、".join(w.entry.path for w in ws)))
    rows.sort(key=_attention)
    missing = [unit_row(unit=name, district="", year=result.year, projects=0, grade="缺报", files="")
               for name in result.missing_units]
    return missing + rows


def summary_table(result: BatchResult) -> Table:
    rows = unit_rows(result)
    everything = total_of(w.totals for w in result.counted).rollup()
    counts = result.severity_counts()
    total = schema.UNITS.record(
        unit="合计", district="", year=result.year, projects=everything.projects, budget=amt(everything.budget),
        executed=amt(everything.executed), rate=pct(everything.rate), mean_score=amt(everything.mean_score),
        weighted_score=amt(everything.weighted_score), grade=result.rules.grade(everything.weighted_score),
        errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
        files=f"{len(result.files)} 个文件")
    return Table(schema.UNITS, rows, len(rows), total)


def project_table(result: BatchResult) -> Table:
    counted = {f.no for f in result.counted}
    return Table(schema.PROJECTS, result.spool.projects(counted),
                 result.spool.count("projects", counted), xml=result.spool.xml("projects", counted))


def indicator_table(result: BatchResult) -> Table:
    counted = {f.no for f in result.counted}
    return Table(schema.INDICATORS, result.spool.indicators(counted),
                 result.spool.count("indicators", counted), xml=result.spool.xml("indicators", counted))


def _finding_rows(result: BatchResult):
    # A generator, so the spool sorts its findings only if someone reads them.
    yield from map(finding_row, result.spool.finding_rows())


def finding_table(result: BatchResult) -> Table:
    return Table(schema.FINDINGS, _finding_rows(result), result.spool.count("findings"),
                 source=finding_source, xml=result.spool.finding_xml())


def file_rows(result: BatchResult) -> list:
    """运行信息's file list (schema.FileRow): every file read or skipped, by path."""
    entries = sorted([w.entry for w in result.files] + result.skipped, key=lambda e: e.path)
    return [schema.FILES.record(file=e.path, status=e.status, reason=e.reason, format=e.format,
                                size=e.size if e.sha256 else None, sheets=e.sheets, projects=e.projects,
                                sha256=e.sha256) for e in entries]


def file_table(result: BatchResult) -> Table:
    rows = file_rows(result)
    return Table(schema.FILES, rows, len(rows))


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
              ("偏高项目占比", rules.bunching_share), ("元万元阈值", rules.yuan_threshold),
              ("重复报送规则", "同一单位同一年度有多个文件时，以文件路径排序在后的为准")]
    return facts


def build_tables(result: BatchResult) -> list[Table]:
    return [summary_table(result), project_table(result), indicator_table(result),
            finding_table(result), file_table(result)]


def as_json(result: BatchResult) -> dict:
    """The whole result as one JSON-ready dict (for small runs and tests; the CLI streams)."""
    tables = build_tables(result)
    out = {t.name: list(t.records()) for t in tables[:4]}
    out[schema.FILES.sheet] = {"概况": {k: jsonable(v) for k, v in run_facts(result)},
                     "文件": list(tables[4].records())}
    return out
