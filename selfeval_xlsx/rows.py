"""One file's results as table rows (schema records), and what a reading worker sends.

Rows are built where the file was read, so the parent holds no Project objects.
Numbers are rounded half up here, once: amounts and scores to the cent, rates to a
hundredth of a percent, so what a user sees is what a user sums.

Two declared records, one conversion:
- `FileTables` (to_rows): one file's project and indicator rows as values, its
  findings as objects. Nothing is stored yet.
- `FileRows` (FileTables.store): what the worker sends the parent. The rows went
  to the worker's spool file, always in both forms — values (TableSchema.pack, for JSON,
  reports and DataFrames) and rendered worksheet rows (sheetxml, for the workbook)
  — and the record says where. Its findings travel as `schema.StoredFinding`s with
  their rendered 问题清单 row, so the parent renders nothing.
"""
from __future__ import annotations

import functools
import marshal
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import repeat
from operator import itemgetter
from typing import Any, BinaryIO, TypeVar

from . import approved_targets, schema, textgate
from .context import NONE, Context
from .findings import (
    BY_RANK,
    CATALOGUE,
    Finding,
    Severity,
    codes,
    count_by_severity,
    make,
)
from .model import UnitInfo
from .numbers import CENTS, RATE_PLACES, WIDE, round_half_up
from .previous import Lookup
from .review_checks import fingerprint
from .scoring import Totals, execution_rate
from .sheetxml import (
    GATED,
    LINK,
    ROW_END,
    ROW_MARK,
    STYLE_INDEX,
    cell_format,
    cell_xml,
    column_cells,
    join_columns,
    link_cells,
    number_cells,
    row_open,
    row_xml,
    text_cells,
    unlink,
    wrapped_height,
)
from .workbook import FileEntry, WorkbookResult

# Where a 问题清单 row links: (its column, file, sheet, cell).
Link = tuple[int, str, str, str]
# A finding as the spool stores it, with its rendered 问题清单 row.
StoredPair = tuple[schema.StoredFinding, bytes]
R = TypeVar("R", schema.ProjectRow, schema.IndicatorRow)


def amt(x: Decimal | None) -> Decimal | None:
    # round half up to the cent, inlined: this runs for every figure of every indicator row.
    if x is None:
        return None
    try:
        return x.quantize(CENTS, ROUND_HALF_UP)
    except InvalidOperation:   # more digits than the default context holds
        return x.quantize(CENTS, context=WIDE)


def pct(x: Decimal | None) -> Decimal | None:
    return round_half_up(x, RATE_PLACES)


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


def stat_from_row(row: schema.ProjectRow) -> ProjectStat:
    """A 项目明细 row (schema.ProjectRow) read back from the spool, figures as shown.
    (`or ""`: to_rows always fills these texts; the record's fields may be None.)"""
    return ProjectStat(row.sheet or "", row.project or "", row.initial, row.budget, row.executed, row.rate,
                       row.rate_score, row.total, row.self_total, row.grade, row.exec_reason or "")


# --- 问题清单 rows ------------------------------------------------------------------

def finding_row(stored: schema.StoredFinding) -> schema.FindingRow:
    """A 问题清单 row (schema.FindingRow) from a finding as the spool stores it."""
    return schema.FINDINGS.record(
        severity=BY_RANK[stored.rank].value, code=stored.code, title=CATALOGUE[stored.code].title,
        unit=stored.unit, project=stored.project, file=stored.file, sheet=stored.sheet, cell=stored.cell,
        message=stored.message, value=stored.value)


def finding_link(file: str, sheet: str, cell: str) -> Link | None:
    """Where a 问题清单 row links from and to: its 单元格 column to the cell, or for a
    finding on a whole file its 文件 column to the file; None for one on no file."""
    table = schema.FINDINGS
    return (table.index("cell") if cell else table.index("file"), file, sheet, cell) if file else None


def finding_source(row: schema.FindingRow) -> Link | None:
    """finding_link of a 问题清单 row (schema.FindingRow)."""
    return finding_link(row.file or "", row.sheet or "", row.cell or "")   # finding_row fills all three


def finding_xml(row: schema.FindingRow) -> bytes:
    """A 问题清单 row rendered (sheetxml.row_xml, ROW_MARK for the row number), its link
    cell in the link style (the writer takes it off rows past Excel's hyperlink limit)."""
    table = schema.FINDINGS
    source = finding_source(row)
    wrap = getattr(row, table.wrap) if table.wrap else None
    height = wrapped_height(str(wrap), table.column(table.wrap).width) if wrap and table.wrap else None
    cells = link_cells(table.cells, source[0]) if source else table.cells
    return row_xml(ROW_MARK, cells, row, height).encode("utf-8", "replace")


def plain_link(xml: bytes, col: int) -> bytes:
    """A rendered 问题清单 row whose link cell is to carry no link after all."""
    return unlink(xml, col, schema.FINDINGS.styles()[col])


def stored(finding: Finding) -> StoredPair:
    """A finding as the spool stores it, with its rendered 问题清单 row."""
    s = schema.StoredFinding._make(finding.as_row())
    return s, finding_xml(finding_row(s))


def stored_all(findings: Sequence[Finding]) -> list[StoredPair]:
    """[stored(f) for f in findings], the rows rendered a column at a time (as
    table_parts renders a table): a file's findings share its unit and file, and mostly
    their sheets, codes and titles, which are rendered once."""
    if not findings:
        return []
    table = schema.FINDINGS
    kept = [schema.StoredFinding._make(f.as_row()) for f in findings]
    field = dict(zip(schema.STORED_FINDING, zip(*kept)))   # as finding_row fills a row
    field["severity"] = tuple(BY_RANK[rank].value for rank in field["rank"])
    field["title"] = tuple(CATALOGUE[code].title for code in field["code"])
    columns = [field[name] for name in table.names]
    cells = [column_cells(fmt, values) for fmt, values in zip(table.cells, columns)]
    for n, s in enumerate(kept):   # the link cell in the link style, as finding_xml has it
        if link := finding_link(s.file or "", s.sheet or "", s.cell or ""):
            col = link[0]
            cells[col][n] = cell_xml(cell_format(col, STYLE_INDEX[LINK]), columns[col][n]).encode("utf-8", "replace")
    if table.wrap:
        width = table.column(table.wrap).width
        opens = [row_open(wrapped_height(str(v), width) if v else None).encode()
                 for v in columns[table.index(table.wrap)]]
    else:
        opens = [row_open(None).encode()] * len(kept)
    return list(zip(kept, map(b"".join, zip(opens, *cells, repeat(ROW_END.encode())))))


def from_stored(s: schema.StoredFinding) -> Finding:
    return Finding(s.code, BY_RANK[s.rank], s.message, file=s.file, sheet=s.sheet, cell=s.cell,
                   unit=s.unit, project=s.project, value=s.value)


# --- one file -----------------------------------------------------------------------

@dataclass
class FileTables:
    """One file's rows and findings, in memory (see the module's docstring)."""
    entry: FileEntry
    unit: str = ""
    district: str = ""
    year: int | None = None
    unit_info: UnitInfo | None = None
    projects: list[ProjectStat] = field(default_factory=list)
    project_rows: list[schema.ProjectRow] = field(default_factory=list)
    departments: list[schema.DepartmentRow] = field(default_factory=list)   # few: kept in memory
    indicator_rows: list[schema.IndicatorRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    counts: dict[Severity, int] = field(default_factory=dict)
    totals: Totals = field(default_factory=Totals)
    # Each project's indicator rows as digests, for B105 (copied across units):
    # (sheet, project, cell, review_checks.fingerprint).
    row_keys: list[tuple[str, str, str, bytes]] = field(default_factory=list)

    def store(self, sink: BinaryIO | None = None) -> FileRows:
        """Writes the rows to `sink` (a binary file opened unbuffered for appending:
        the worker's own spool file) and returns the record that says where.
        A file with no rows (one that failed) needs no sink."""
        segments = None
        if self.project_rows or self.indicator_rows:
            if sink is None:
                raise ValueError("rows need a spool file to go to")
            p_values, p_xml = table_parts(schema.PROJECTS, self.project_rows)
            i_values, i_xml = table_parts(schema.INDICATORS, self.indicator_rows)
            # sheetxml.escape notes every text the gate changed (sheetxml.GATED): only
            # once there is one do we look for this file's. The values are stored as
            # the workbook shows them, so JSON, reports and DataFrames say the same.
            if GATED:
                changed = text_changes(self.project_rows, schema.PROJECTS.columns,
                                       self.indicator_rows, schema.INDICATORS.columns)
                if changed:
                    self.findings.append(changed_finding(self, *changed))
                    self.counts = count_by_severity(self.findings)
                    self.gate_values()
                    # the values again, as gated (the XML was gated as it was rendered)
                    p_values = schema.PROJECTS.pack(self.project_rows)
                    i_values = schema.INDICATORS.pack(self.indicator_rows)
            parts = [p_values, i_values, p_xml, i_xml]
            start = sink.tell()
            # One unbuffered write before the result is sent: a worker killed later
            # loses nothing the parent has been told about.
            sink.write(b"".join(parts))
            offsets, at = [], start
            for part in parts:
                offsets.append((at, len(part)))
                at += len(part)
            segments = Segments(sink.name, *offsets)
        return FileRows(self.entry, self.unit, self.district, self.year, self.unit_info, self.projects,
                        stored_all(self.findings), dict(self.counts), len(self.indicator_rows),
                        self.totals, segments, departments=self.departments, row_keys=self.row_keys)


    def gate_values(self) -> None:
        """Every text of the rows and project stats as the text gate lets it into a cell."""
        def gated(row: R) -> R:
            return type(row)._make(textgate.cell(v) if type(v) is str else v for v in row)
        self.project_rows = [gated(r) for r in self.project_rows]
        self.indicator_rows = [gated(r) for r in self.indicator_rows]
        self.projects = [replace(p, sheet=textgate.cell(p.sheet), name=textgate.cell(p.name),
                                 exec_reason=textgate.cell(p.exec_reason)) for p in self.projects]


@dataclass(frozen=True)
class Segments:
    """Where in a spool file one file's rows are: (offset, length) of each form."""
    path: str
    project_values: tuple[int, int]
    indicator_values: tuple[int, int]
    project_xml: tuple[int, int]
    indicator_xml: tuple[int, int]


@dataclass
class FileRows:
    """One file as the reading worker sends it to the parent (FileTables.store)."""
    entry: FileEntry
    unit: str = ""
    district: str = ""
    year: int | None = None
    unit_info: UnitInfo | None = None
    projects: list[ProjectStat] = field(default_factory=list)
    # (schema.StoredFinding, rendered 问题清单 row) of each finding
    findings: list[StoredPair] = field(default_factory=list)
    counts: dict[Severity, int] = field(default_factory=dict)
    indicator_count: int = 0
    totals: Totals = field(default_factory=Totals)
    segments: Segments | None = None
    counted: bool = True   # False when a duplicate submission outranks this one
    no: int = 0            # position in path order, so output order never depends on timing
    departments: list[schema.DepartmentRow] = field(default_factory=list)   # of its 部门整体 forms
    row_keys: list[tuple[str, str, str, bytes]] = field(default_factory=list)   # FileTables'

    def all_findings(self) -> list[Finding]:
        return [from_stored(s) for s, _ in self.findings]

    def head(self) -> FileRows:
        """This record without its projects, findings, row keys and segments, once the
        spool has them (Spool.add): what a batch keeps of each file (a province has a
        hundred thousand; the row keys alone were 2.5 KB of 5.8 KB a file)."""
        return replace(self, projects=[], findings=[], row_keys=[], segments=None)


@functools.lru_cache(maxsize=16)
def _builder(table: schema.TableSchema[R], names: str) -> Callable[..., R]:
    """A constructor of `table`'s records that takes the fields `names` lists, by
    position and in that order, and gives any other field its default: to_rows builds
    a province's million rows at the cost of a positional call (a keyword call costs
    three times as much), with the names kept beside the values and no way for a
    reordered or extended table to shift them."""
    order = names.split()
    fields, defaults = table.record._fields, table.record._field_defaults
    others = [f for f in fields if f not in order]
    if not set(order) <= set(fields) or not set(others) <= set(defaults):
        raise TypeError(f"{table.key}: {order} do not fill the fields {fields}")
    pick = itemgetter(*[(order + others).index(f) for f in fields])
    rest = tuple(defaults[f] for f in others)
    new, record = tuple.__new__, table.record
    return lambda *values: new(record, pick(values + rest))


# The values in to_rows are given in these orders, a line of names to a line of values.
_PROJECT_FIELDS = """unit project code
    initial budget executed rate initial_rate
    rate_score output_score benefit_score
    satisfaction_score
    total self_total diff grade self_grade
    exec_reason finding_count file sheet
    prev_total prev_rate"""
_INDICATOR_FIELDS = """unit project level1 level2 level3
    target approved actual rule
    weight self_score score diff
    reason file sheet cell"""


def to_rows(w: WorkbookResult, high_mark: Decimal | None = None, context: Context = NONE) -> FileTables:
    """`high_mark`: the self total counted as 自评偏高 (rules.suspicious_score);
    `context`: what each project is compared with (context.py)."""
    if context.targets is not None:   # --targets: each project against its approved targets
        w = replace(w, findings=[*w.findings, *approved_targets.check(w, context.targets)])
    out = FileTables(w.file, w.unit, w.district, w.year, w.unit_info, findings=list(w.findings))
    per_sheet = Counter(f.sheet for f in w.findings)
    project_row = _builder(schema.PROJECTS, _PROJECT_FIELDS)
    indicator_row = _builder(schema.INDICATORS, _INDICATOR_FIELDS)
    # Last year's record of each project, and what comparing with it finds (previous.py).
    earlier = Lookup(context.previous, w.unit, w.file.path, w.findings) if context.previous is not None else None
    for sp in w.projects:
        p, s = sp.project, sp.score
        last, repeats = earlier.of(p, s.total, s.rate) if earlier is not None else (None, [])
        out.findings.extend(repeats)
        out.projects.append(ProjectStat(p.sheet, p.name, p.initial, p.budget, p.executed, s.rate,
                                        s.rate_score, s.total, s.self_total, s.grade, p.exec_reason))
        out.totals.add(p.budget, p.executed, s.total, s.self_total, high_mark, name=p.name)
        if keys := fingerprint(p, s):
            out.row_keys.append((p.sheet, p.name, p.indicators[0].cells.get("level3", ""), keys))
        diff = None if s.self_total is None or s.total is None else s.self_total - s.total
        out.project_rows.append(project_row(
            w.unit, p.name, p.code,
            amt(p.initial), amt(p.budget), amt(p.executed), pct(s.rate), pct(execution_rate(p.initial, p.executed)),
            amt(s.rate_score), amt(s.dimensions.get("产出指标")), amt(s.dimensions.get("效益指标")),
            amt(s.dimensions.get("满意度指标")),
            amt(s.total), amt(s.self_total), amt(diff), s.grade, s.self_grade,
            p.exec_reason, per_sheet[p.sheet] + len(repeats), p.file, p.sheet,
            last.total if last else None, last.rate if last else None))
        add, unit, name, file, sheet = out.indicator_rows.append, w.unit, p.name, p.file, p.sheet
        for ind, i in zip(p.indicators, s.indicators):
            idiff = None if ind.self_score is None or i.score is None else ind.self_score - i.score
            rule = i.rule + ("（沿用自评）" if i.fallback and i.fallback != "qualitative" else "")
            add(indicator_row(
                unit, name, ind.level1, ind.level2, ind.level3,
                ind.target.text, ind.approved, ind.actual.text, rule,
                amt(ind.weight), amt(ind.self_score), amt(i.score), amt(idiff),
                ind.reason, file, sheet, ind.cells.get("level3", "")))
    for sp in w.dept:
        p, s = sp.project, sp.score
        diff = None if s.self_total is None or s.total is None else s.self_total - s.total
        use = {k: p.funds[k].budget if k in p.funds else None for k in ("basic", "project_spend")}
        out.departments.append(schema.DEPARTMENTS.record(
            unit=w.unit, initial=amt(p.initial), budget=amt(p.budget), executed=amt(p.executed), rate=pct(s.rate),
            basic=amt(use["basic"]), project_spend=amt(use["project_spend"]), rate_score=amt(s.rate_score),
            total=amt(s.total), self_total=amt(s.self_total), diff=amt(diff), grade=s.grade,
            self_grade=s.self_grade, file=p.file, sheet=p.sheet))
    out.counts = count_by_severity(out.findings)
    return out


def table_parts(table: schema.TableSchema[Any], rows: list[Any]) -> tuple[bytes, bytes]:
    """`rows` as the spool stores them: their values (as table.pack packs them:
    decimals as text) and their rendered rows (as sheetxml.join_rows stores
    row_xml's). Made a column at a time, not a cell at a time: a column's kind of
    values is looked at once, a text repeated down a column (unit, project, file,
    sheet) rendered once, and a decimal turned into text once for both forms."""
    if not rows:
        return table.pack(rows), b""
    values: list[Sequence[Any]] = []
    xml: list[list[bytes]] = []
    cells = table.cells
    for at, column in enumerate(zip(*rows)):
        if at < len(cells) and table.columns[at].kind in _TEXT_COLUMNS:
            texts = text_cells(cells[at], column)   # looks at the distinct values only
            if texts is not None:
                xml.append(texts)
                values.append(column)
                continue
        packed: Sequence[Any] = column
        kinds = set(map(type, column))
        if kinds <= _DECIMALS and Decimal in kinds:   # texts made once, for both forms
            packed = list(map(str, column)) if kinds == _DECIMAL else [v if v is None else str(v) for v in column]
            if at < len(cells):
                xml.append(number_cells(cells[at], packed))
        else:
            if at < len(cells):
                xml.append(column_cells(cells[at], column))
            if Decimal in kinds:
                packed = [str(v) if type(v) is Decimal else v for v in column]
        values.append(packed)
    return marshal.dumps(list(zip(*values))), join_columns(xml, len(rows))


_DECIMAL = {Decimal}
_DECIMALS = {Decimal, type(None)}
_TEXT_COLUMNS = (schema.TEXT, schema.WRAP)


def text_changes(*tables: Any) -> tuple[int, str, str, str, str] | None:
    """Where the text gate (textgate.cell_text) will change a table text: how many
    texts, and the first one's sheet, project, column and note; None if none will.
    `tables`: rows, columns, rows, columns… (rows with `sheet` and `project` fields).
    One scan of the file's joined texts decides the common case of no change."""
    pairs = list(zip(tables[::2], tables[1::2]))
    texts = [v for rows, _ in pairs for r in rows for v in r if type(v) is str]
    if GATED.isdisjoint(texts):
        joined = "".join(texts)
        if textgate.xml_text(joined) is joined and all(len(t) <= textgate.CELL_LIMIT for t in texts):
            return None
    count, first = 0, None
    for rows, columns in pairs:
        for r in rows:
            for col, v in zip(columns, r):
                if type(v) is str and textgate.cell_text(v).changed:
                    count += 1
                    if first is None:
                        first = (r.sheet, r.project, col.header, textgate.cell_text(v).note())
    return (count, *first) if first else None


def changed_finding(t: FileTables, count: int, sheet: str, project: str, column: str, note: str) -> Finding:
    """F115: text the summary shows differently from the file (textgate)."""
    more = f"等 {count} 处" if count > 1 else ""
    return make(codes.F115, f"项目“{textgate.cell(project)[:40]}”的“{column}”{more}文字写入汇总表时已调整：{note}",
                file=t.entry.path, sheet=sheet, unit=t.unit, project=project, value=count)
