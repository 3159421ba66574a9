"""Reads one district's results for `selfeval merge`: our JSON (`selfeval run --json`) or
our summary workbook (recognised by its custom document property, schema.MARKER).

Both hold the same tables (tables.py) under the same Chinese headers, with amounts and
scores rounded to the cent and rates to 0.01% (rows.amt, rows.pct), so reading either
gives every row's figures exactly as the district shows them: a stored float has the
shortest text that reads back as it, and that text is the rounded decimal.
What the rows cannot give — the district's totals before rounding, and the folder its
links start from — `selfeval run` records in 运行信息 (tables.merge_facts); both inputs
carry those facts. JSON is preferred all the same: it is read without a spreadsheet
library and its text is exactly what was written.

One input is read whole (one district's tables); merging.py streams them on to its
spool one input at a time, so a province never sits in memory.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import schema
from .errors import BatchError
from .inputs import is_summary
from .numbers import CENTS, RATE_PLACES
from .schema import AMOUNT, INT, RATE, SCORE, TableSchema

PROGRAM = "selfeval-xlsx"
TABLES = (schema.UNITS, schema.DEPARTMENTS, schema.PROJECTS, schema.INDICATORS, schema.FINDINGS)


class MergeError(BatchError):
    """An input that cannot be merged (not ours, a repeat, other rules or year): the
    command stops with exit code 2 and this message."""


@dataclass
class Summary:
    """One district's results as merge needs them."""
    path: Path
    kind: str                       # "JSON" or "工作簿"
    sha256: str
    size: int
    facts: dict[str, object]        # 运行信息's 概况, values as JSON has them
    units: list[schema.UnitRow] = field(default_factory=list)       # 汇总 without its 合计 row
    total: schema.UnitRow | None = None
    departments: list[schema.DepartmentRow] = field(default_factory=list)
    projects: list[schema.ProjectRow] = field(default_factory=list)
    indicators: list[schema.IndicatorRow] = field(default_factory=list)
    findings: list[schema.FindingRow] = field(default_factory=list)
    files: list[schema.FileRow] = field(default_factory=list)

    def fact(self, key: str) -> str:
        """A fact as text ("" if absent): 2020 and 2020.0 (JSON, workbook) both "2020"."""
        return cell_text(self.facts.get(key))

    @property
    def district(self) -> str:
        return self.fact("区县")

    @property
    def year(self) -> str:
        return self.fact("评价年度")


def _places(kind: str) -> Decimal | None:
    return CENTS if kind in (AMOUNT, SCORE) else RATE_PLACES if kind == RATE else None


def _converters(table: TableSchema[Any]) -> list[Any]:
    """Per column: a stored value (JSON's or calamine's) back to the record's type."""
    out: list[Any] = []
    for c in table.columns:
        places = _places(c.kind)
        if places is not None:
            out.append(lambda v, q=places: None if v in (None, "") else Decimal(repr(float(v))).quantize(q))
        elif c.kind == INT:
            out.append(lambda v: None if v in (None, "") else int(v))
        else:
            # An empty text is null in JSON and "" in a sheet: one value for both.
            out.append(lambda v: None if v in (None, "") else v if isinstance(v, str) else cell_text(v))
    return out


def cell_text(v: object) -> str:
    """A value read from a sheet or JSON as text: 2020.0 (a sheet's number) and 2020 (JSON's)
    both "2020"; nothing is ""."""
    if v is None:
        return ""
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _records(table: TableSchema[Any], headers: list[str], rows: list[list[Any]]) -> list[Any]:
    """Rows under `headers` as `table`'s records; a column the input lacks (an older
    version's) is left at its default."""
    where = {h: i for i, h in enumerate(headers)}
    convert = _converters(table)
    picks = [(where.get(c.header), conv, c.default) for c, conv in zip(table.columns, convert)]
    new, record = tuple.__new__, table.record
    width = len(headers)
    out = []
    for r in rows:
        if len(r) < width:
            r = [*r, *[None] * (width - len(r))]
        out.append(new(record, [conv(r[i]) if i is not None else d for i, conv, d in picks]))
    return out


def _digest(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _not_ours(path: Path, why: str) -> MergeError:
    return MergeError(f"{path} 不是 selfeval 生成的区县汇总（{why}），不能合并；"
                      f"请使用 `selfeval run 目录 --json 文件` 写出的 JSON 或汇总工作簿")


def read_summary(path: str | Path) -> Summary:
    """One input, by its content: a zip is a workbook, anything else must be our JSON."""
    path = Path(path)
    if not path.is_file():
        raise MergeError(f"找不到文件：{path}")
    sha, size = _digest(path)
    with open(path, "rb") as fh:
        zipped = fh.read(4) == b"PK\x03\x04"
    try:
        summary = _read_workbook(path) if zipped else _read_json(path)
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError, IndexError) as e:
        # An edited or foreign file whose shape we did not foresee: refused, not summed.
        if isinstance(e, MergeError):
            raise
        raise _not_ours(path, f"内容与 selfeval 写出的格式不符：{type(e).__name__}") from None
    summary.sha256, summary.size = sha, size
    if not summary.fact("程序").startswith(PROGRAM):
        raise _not_ours(path, "运行信息中没有“程序：selfeval-xlsx”")
    return summary


def _read_json(path: Path) -> Summary:
    try:
        # utf-8-sig: a JSON opened and saved again in Windows Notepad starts with a BOM.
        with open(path, encoding="utf-8-sig") as fh:
            # A number's text is the rounded decimal it was written from (rows.amt, rows.pct).
            data = json.load(fh, parse_float=Decimal)
    except UnicodeDecodeError:
        raise _not_ours(path, "不是 UTF-8 编码的 JSON") from None
    except json.JSONDecodeError as e:
        raise _not_ours(path, f"不是 JSON：第 {e.lineno} 行第 {e.colno} 列无法解析") from None
    info = data.get(schema.FILES.sheet) if isinstance(data, dict) else None
    if not isinstance(info, dict) or not isinstance(info.get("概况"), dict) \
            or not isinstance(data.get(schema.UNITS.sheet), list):
        raise _not_ours(path, "缺少“汇总”或“运行信息”")
    # Facts as the workbook has them (numbers as floats), so JSON and workbook inputs compare.
    facts = {k: float(v) if isinstance(v, Decimal) else v for k, v in info["概况"].items()}
    out = Summary(path, "JSON", "", 0, facts)
    tables = {}
    for table in (*TABLES, schema.FILES):
        records = info.get("文件", []) if table is schema.FILES else data.get(table.sheet, [])
        tables[table.key] = _json_records(path, table, records)
    _fill(out, tables)
    return out


_NUMBER = {AMOUNT: (Decimal, int), SCORE: (Decimal, int), RATE: (Decimal, int), INT: (int,)}


def _json_records(path: Path, table: TableSchema[Any], records: list[Any]) -> list[Any]:
    """JSON records as `table`'s records. Our JSON holds each value as the record does
    (numbers as decimals, empty as null), so a row is taken as it is; a number column
    holding anything else means the file is not ours (or was edited), and is refused
    rather than summed."""
    headers = [c.header for c in table.columns]
    new, record = tuple.__new__, table.record
    try:
        out = [new(record, [r.get(h) for h in headers]) for r in records]
    except AttributeError:   # a record that is not an object
        raise _not_ours(path, f"“{table.sheet}”的记录格式不对") from None
    for i, c in enumerate(table.columns):
        types = _NUMBER.get(c.kind)
        if types is not None and not all(r[i] is None or type(r[i]) in types for r in out):
            raise _not_ours(path, f"“{table.sheet}”的“{c.header}”一栏有不是数字的值")
    return out


def _read_workbook(path: Path) -> Summary:
    if not is_summary(path):
        raise _not_ours(path, "工作簿没有 selfeval 汇总的文档属性")
    import python_calamine
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:   # calamine raises its own error types for a damaged file
        raise MergeError(f"{path} 无法读取：{e}") from None
    names = book.sheet_names

    def sheet_rows(name: str) -> list[list[Any]]:
        """The table's sheet and its continuations (表名（续1）…), header row first."""
        rows: list[list[Any]] = []
        for n in [name, *sorted((s for s in names if re.fullmatch(re.escape(name) + r"（续\d+）", s)),
                                key=lambda s: int(re.findall(r"\d+", s)[-1]))]:
            part = book.get_sheet_by_name(n).to_python()
            rows += part if not rows else part[1:]
        return rows

    if schema.FILES.sheet not in names or schema.UNITS.sheet not in names:
        raise _not_ours(path, "缺少“汇总”或“运行信息”工作表")
    info = book.get_sheet_by_name(schema.FILES.sheet).to_python()
    facts: dict[str, object] = {}
    at = 0
    while at < len(info) and info[at] and info[at][0] not in ("", None):   # the facts, then a blank row
        facts[str(info[at][0])] = info[at][1] if len(info[at]) > 1 and info[at][1] != "" else None
        at += 1
    out = Summary(path, "工作簿", "", 0, facts)
    tables = {}
    for table in TABLES:
        rows = sheet_rows(table.sheet) if table.sheet in names else []
        tables[table.key] = _records(table, [str(h) for h in rows[0]], rows[1:]) if rows else []
    files = info[at + 1:]
    tables[schema.FILES.key] = _records(schema.FILES, [str(h) for h in files[0]], files[1:]) if files else []
    _fill(out, tables)
    return out


def _fill(out: Summary, tables: dict[str, list[Any]]) -> None:
    units = tables[schema.UNITS.key]
    # 汇总 always ends with its 合计 row (tables.summary_table).
    out.units, out.total = units[:-1], units[-1] if units else None
    out.departments = tables[schema.DEPARTMENTS.key]
    out.projects = tables[schema.PROJECTS.key]
    out.indicators = tables[schema.INDICATORS.key]
    out.findings = tables[schema.FINDINGS.key]
    out.files = tables[schema.FILES.key]
