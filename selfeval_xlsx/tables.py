"""The consolidated results as named tables: what the workbook and JSON hold.

Both writers take these tables, so the workbook and `--json` cannot disagree. The
big tables are iterators over the spool: they are written, never held.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from .batch import BatchResult, file_counts
from .findings import Severity
from .rows import (FILE_COLUMNS, FINDING_COLUMNS, FINDING_WRAP, FINDINGS, INDICATOR_COLUMNS, INDICATORS,
                   PROJECT_COLUMNS, PROJECTS, RUN_INFO, SUMMARY, SUMMARY_COLUMNS, Column, amt, finding_row,
                   finding_source, pct)
from .scoring import total_of


@dataclass
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple]
    count: int                      # how many rows `rows` yields
    total_row: tuple | None = None
    # Where a row points in the inputs: (column, file, sheet, cell), or None.
    source: Callable[[tuple], tuple[int, str, str, str] | None] | None = None
    # The same rows already rendered as UTF-8 XML (sheetxml.ROW_MARK for the row number);
    # for a table with a `source`, (xml, source) pairs.
    xml: Iterable[bytes] | Iterable[tuple[bytes, tuple | None]] | None = None
    # The column whose text wraps: its rows are made tall enough to show it.
    wrap_column: int | None = None

    def records(self) -> Iterable[dict]:
        for row in self.rows:
            yield {c.header: jsonable(v) for c, v in zip(self.columns, row)}
        if self.total_row:
            yield {c.header: jsonable(v) for c, v in zip(self.columns, self.total_row)}


def jsonable(v):
    """As the workbook stores it: numbers as numbers, an empty cell as null."""
    if isinstance(v, Decimal):
        return float(v)
    return None if v == "" else v


def summary_table(result: BatchResult) -> Table:
    by_unit: dict[str, list] = {}
    for w in result.counted:
        by_unit.setdefault(w.unit or "（未填单位名称）", []).append(w)
    rows = []
    for unit, ws in by_unit.items():
        r = total_of(w.totals for w in ws).rollup()
        rows.append((unit, next((w.district for w in ws if w.district), ""),
                     next((w.year for w in ws if w.year), None), r.projects, amt(r.budget),
                     amt(r.executed), pct(r.rate), amt(r.mean_score), amt(r.weighted_score),
                     result.rules.grade(r.weighted_score), *file_counts(ws).values(),
                     "、".join(w.entry.path for w in ws)))
    # Units that need attention first: most errors, then warnings, then lowest score.
    rows.sort(key=lambda r: (-r[10], -r[11], r[8] if r[8] is not None else Decimal(-1), r[0]))
    # Units on the roster that sent nothing come first of all.
    rows[:0] = [(name, "", result.year, 0, None, None, None, None, None, "缺报", None, None, None, "")
                for name in result.missing_units]
    everything = total_of(w.totals for w in result.counted).rollup()
    counts = result.severity_counts()
    total = ("合计", "", result.year, everything.projects, amt(everything.budget),
             amt(everything.executed), pct(everything.rate), amt(everything.mean_score),
             amt(everything.weighted_score), result.rules.grade(everything.weighted_score),
             *(counts[s] for s in Severity), f"{len(result.files)} 个文件")
    return Table(SUMMARY, SUMMARY_COLUMNS, rows, len(rows), total)


def project_table(result: BatchResult) -> Table:
    counted = {f.no for f in result.counted}
    return Table(PROJECTS, PROJECT_COLUMNS, result.spool.projects(counted),
                 result.spool.count("projects", counted), xml=result.spool.xml("projects", counted))


def indicator_table(result: BatchResult) -> Table:
    counted = {f.no for f in result.counted}
    return Table(INDICATORS, INDICATOR_COLUMNS, result.spool.indicators(counted),
                 result.spool.count("indicators", counted), xml=result.spool.xml("indicators", counted))


def _finding_rows(result: BatchResult):
    # A generator, so the spool sorts its findings only if someone reads them.
    yield from map(finding_row, result.spool.finding_rows())


def finding_table(result: BatchResult) -> Table:
    return Table(FINDINGS, FINDING_COLUMNS, _finding_rows(result), result.spool.count("findings"),
                 source=finding_source, xml=result.spool.finding_xml(), wrap_column=FINDING_WRAP)


def file_table(result: BatchResult) -> Table:
    entries = sorted([w.entry for w in result.files] + result.skipped, key=lambda e: e.path)
    rows = [(e.path, e.status, e.reason, e.format, e.size if e.sha256 else None,
             e.sheets, e.projects, e.sha256) for e in entries]
    return Table(RUN_INFO, FILE_COLUMNS, rows, len(rows))


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
    out[RUN_INFO] = {"概况": {k: jsonable(v) for k, v in run_facts(result)},
                     "文件": list(tables[4].records())}
    return out
