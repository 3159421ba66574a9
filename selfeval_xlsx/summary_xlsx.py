"""Writes the consolidated workbook.

xlsxwriter lays out every sheet — headers, column widths, formats, filters, frozen
panes, conditional formats, print setup — but at ~140,000 cells a second it would
need minutes for a province's millions of indicator rows. So the table rows are
spliced in afterwards: each sheet's <sheetData> is streamed straight from the spool
into the final zip, using the styles xlsxwriter registered. A table longer than a
worksheet continues on 表名（续1）.

Text from the inputs is always written as an inline string: a project named
`=HYPERLINK(…)` stays a name. The file is written beside its destination and
renamed into place, so an interrupted run never leaves half a workbook.
"""
from __future__ import annotations

import functools
import itertools
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from . import schema, textgate
from .atomic import replacing
from .batch import BatchResult
from .findings import CATALOGUE
from .grid import col_letters
from .printing import Title, page_setup
from .printing import header_text as title_text
from .rows import Link, plain_link
from .sheetxml import (
    AMOUNT,
    INT,
    LINK,
    RATE,
    SCORE,
    STYLE_INDEX,
    STYLES,
    TEXT,
    WRAP,
    attr,
    cells_for,
    number_rows,
    row_xml,
    wrapped_height,
)
from .tables import LEFT_OUT, Table, build_tables, run_facts
from .zipsink import _Sink, background

if TYPE_CHECKING:   # xlsxwriter has no type information: these are Any to mypy
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                "strings_to_numbers": False, "nan_inf_to_errors": True}
MAX_ROWS = 1_048_576   # rows on one Excel worksheet
MAX_LINKS = 65_000     # Excel keeps at most 65,530 hyperlinks on a worksheet
CHARTS = "图表"
SUMMARY, RUN_INFO = schema.UNITS.sheet, schema.FILES.sheet
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


# A hyperlink target for a source file (link_target); what may add sheets after a table's.
Links = Callable[[str], str]
After = Callable[["Workbook", "_Formats", Table], None]


class _Formats:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        # The row styles first, in sheetxml.STYLES order: rows rendered by the reading
        # workers refer to them by index.
        self.text = wb.add_format({**base})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.by_kind = {
            AMOUNT: wb.add_format({**base, "num_format": "#,##0.00"}),
            SCORE: wb.add_format({**base, "num_format": "0.00"}),
            RATE: wb.add_format({**base, "num_format": "0.00%"}),
            INT: wb.add_format({**base, "num_format": "0"}),
        }
        self.link = wb.add_format({**base, "font_color": "#0563C1", "underline": 1})
        registered = {TEXT: self.text, WRAP: self.wrap, **self.by_kind, LINK: self.link}
        for kind in STYLES:
            if registered[kind]._get_xf_index() != STYLE_INDEX[kind]:
                raise RuntimeError(f"style {kind} did not get xf index {STYLE_INDEX[kind]}")
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                     "text_wrap": True, "align": "center"})
        self.total = wb.add_format({**base, "bold": True, "top": 1})
        self.total_by_kind = {k: wb.add_format({**base, "bold": True, "top": 1,
                                                "num_format": f.num_format})
                              for k, f in self.by_kind.items()}
        self.error = wb.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
        self.warning = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.info = wb.add_format({"bg_color": "#DDEBF7"})
        self.low = wb.add_format({"bg_color": "#F8CBAD"})
        self.grades = {g: wb.add_format({"bg_color": bg, "font_color": fg}) for g, bg, fg in (
            ("优", "#C6EFCE", "#006100"), ("良", "#DDEBF7", "#1F4E78"), ("中", "#FFEB9C", "#9C5700"),
            ("差", "#FFC7CE", "#9C0006"), ("缺报", "#D9D9D9", "#404040"))}
        self.chart_title = wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True})
        self.pct = wb.add_format({**base, "num_format": "0.00%"})
        self.num = wb.add_format({**base, "num_format": "0.00"})

    def styles(self, table: Table, total: bool) -> list[int]:
        """The xf index of each column's cells. Registering the index now puts the
        format in styles.xml even though xlsxwriter itself writes no such cell."""
        plain = self.total if total else self.text
        kinds = self.total_by_kind if total else self.by_kind
        out = []
        for c, col in enumerate(table.columns):
            fmt = self.wrap if c == table.wrap_column and not total else kinds.get(col.kind, plain)
            out.append(fmt._get_xf_index())
        return out


def link_target(root: Path, out_dir: Path, file: str) -> str:
    """A hyperlink target from the summary to a source file: relative, so both folders
    can move together; absolute when there is no relative path (Windows: another
    drive). Percent-encoded (textgate.link_target): a `#` or `?` in a file name must
    not open another file."""
    try:
        return textgate.link_target(os.path.relpath(root / file, out_dir))
    except ValueError:
        return "file:///" + textgate.link_target(str(root / file))


@dataclass
class _Part:
    """One worksheet's share of a table: data rows below a header row."""
    index: int            # xlsxwriter's sheet index: xl/worksheets/sheet{index+1}.xml
    header_row: int       # 0-based
    rows: int             # data rows, the total row included
    links: _Links | None = None   # its hyperlinks, while its rows are written

    @property
    def path(self) -> str:
        return f"xl/worksheets/sheet{self.index + 1}.xml"

    @property
    def rels_path(self) -> str:
        return f"xl/worksheets/_rels/sheet{self.index + 1}.xml.rels"


class _Links:
    """A sheet's hyperlinks as its rows are written (up to MAX_LINKS): the <hyperlink>
    elements, which go after the rows, and their relationships, a zip entry of their
    own, each into a temporary file (held in memory they cost ~300 bytes a link).
    `rels_xml`: the sheet's relationships xlsxwriter wrote, if any."""

    def __init__(self, folder: Path, name: str, rels_xml: str | None) -> None:
        self.count = 0
        self._next = max((int(n) for n in re.findall(r'Id="rId(\d+)"', rels_xml or "")), default=0) + 1
        self.elements_path, self.rels_path = folder / f"{name}.links", folder / f"{name}.rels"
        self._elements = open(self.elements_path, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._rels = open(self.rels_path, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._rels.write(rels_xml.rsplit("</Relationships>", 1)[0] if rels_xml else _RELS_HEAD)
        # Rows come sorted by unit and file: consecutive links mostly share a file and a
        # sheet, whose escaped forms are made once for the run of them.
        self._target: tuple[str, str] = ("", "")   # (target, its relationship's tail)
        self._sheet: tuple[str, str] = ("", "")    # (sheet, its location's escaped head)

    def add(self, ref: str, target: str, sheet: str, cell: str) -> None:
        i = self._next + self.count
        self.count += 1
        if sheet and cell:
            if self._sheet[0] != sheet:
                # textgate.sheet_location, escaped as attr() would: both change characters
                # one at a time, so the head and the cell can be escaped apart.
                self._sheet = (sheet, attr(textgate.sheet_location(sheet, "!"))[1:-2])
            location = f' location="{self._sheet[1]}{cell if cell.isascii() and cell.isalnum() else attr(cell)[1:-1]}"'
        else:
            location = ""
        self._elements.write(f'<hyperlink ref="{ref}" r:id="rId{i}"{location} tooltip="打开源文件并定位到此单元格"/>')
        if self._target[0] != target:
            # `target` is encoded already (link_target): backslashes, as Excel writes them.
            self._target = (target, f'Type="{HYPERLINK}" Target={attr(target)} TargetMode="External"/>')
        self._rels.write(f'<Relationship Id="rId{i}" {self._target[1]}')

    def close(self) -> None:
        self._elements.close()
        self._rels.write("</Relationships>")
        self._rels.close()


@dataclass(frozen=True)
class Options:
    """What the sheets say about the run: page headers, the rate coloured as low."""
    title: Title = field(default_factory=Title)
    low_rate: float = 0.9          # rules.rate_threshold
    max_rows: int | None = None    # rows on one worksheet (MAX_ROWS); smaller for tests


def _plan(wb: Workbook, table: Table, fmts: _Formats, opts: Options, ws: Worksheet | None = None,
          header_row: int = 0) -> list[_Part]:
    """Lays out the table's sheets in the skeleton and says what rows go where."""
    remaining = table.count + (1 if table.total_row else 0)
    parts: list[_Part] = []
    while True:
        if ws is None:
            ws = wb.add_worksheet(table.name if not parts else f"{table.name}（续{len(parts)}）")
        take = min(remaining, (opts.max_rows or MAX_ROWS) - header_row - 1)
        if take <= 0 < remaining:
            raise ValueError(f"{table.name}: no room for rows below row {header_row + 1}")
        parts.append(_Part(ws.index, header_row, take))
        _sheet_setup(ws, table, fmts, opts, header_row, take,
                     has_total=bool(table.total_row) and take == remaining)
        remaining -= take
        if remaining <= 0:
            return parts
        ws, header_row = None, 0


def _sheet_setup(ws: Worksheet, table: Table, fmts: _Formats, opts: Options, header_row: int, rows: int,
                 has_total: bool) -> None:
    ncols = len(table.columns)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, col.width, fmts.wrap if c == table.wrap_column else None)
        ws.write_string(header_row, c, col.header, fmts.header)
    last = header_row + rows
    ws.autofilter(header_row, 0, last - (1 if has_total else 0), ncols - 1)
    ws.freeze_panes(header_row + 1, 0)
    page_setup(ws, ws.name, [c.width for c in table.columns], opts.title, header_row)
    if rows:
        _highlight(ws, table, fmts, header_row + 1, last, opts.low_rate)


def _highlight(ws: Worksheet, table: Table, fmts: _Formats, first: int, last: int, low_rate: float) -> None:
    names = table.schema.names
    if "rate" in names:
        c = names.index("rate")
        # A blank rate (no 全年执行数) is not a low one: Excel compares a blank as 0.
        ref = f"{col_letters(c)}{first + 1}"
        ws.conditional_format(first, c, last, c, {"type": "formula", "format": fmts.low,
                                                  "criteria": f"=AND(ISNUMBER({ref}),{ref}<{low_rate!r})"})
    for name in ("grade", "self_grade"):
        if name in names:
            c = names.index(name)
            for grade, f in fmts.grades.items():
                ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==",
                                                          "value": f'"{grade}"', "format": f})
    if "severity" in names:
        c = names.index("severity")
        for word, f in (("错误", fmts.error), ("警告", fmts.warning), ("提示", fmts.info)):
            ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==",
                                                      "value": f'"{word}"', "format": f})


def _stream_rows(out: _Sink, table: Table, part: _Part, rows: Iterator[Any], row_styles: list[int],
                 total_styles: list[int], links: Links | None) -> None:
    """Writes this part's share of the table: `rows` yields values, or pre-rendered XML
    (which a table that links to its sources must be: the link styles are in it)."""
    if table.source is not None and table.xml is None:
        raise ValueError(f"{table.name}: rows that link to their sources come pre-rendered")
    plain = cells_for(row_styles)
    wrap, wrap_name = table.wrap_column, table.schema.wrap
    r = part.header_row + 1  # 1-based number of the header row
    left = part.rows
    if table.xml is not None:
        # Pre-rendered rows (a province has millions): numbered a thousand at a time.
        while left:
            chunk = list(itertools.islice(rows, min(left, 1000)))
            if not chunk:
                break
            if table.source is not None:
                chunk = [_linked(xml, link, r + i, part, links) for i, (xml, link) in enumerate(chunk, start=1)]
            out.write(number_rows(chunk, r + 1))
            r += len(chunk)
            left -= len(chunk)
    for _ in range(left):
        item = next(rows, None)
        r += 1
        if item is None:  # the total row closes the table (part.rows counts it only if there is one)
            assert table.total_row is not None
            out.write(row_xml(str(r), cells_for(total_styles), table.total_row))
        else:
            height = None
            if wrap is not None and wrap_name is not None:
                height = wrapped_height(str(getattr(item, wrap_name) or ""), table.columns[wrap].width)
            out.write(row_xml(str(r), plain, item, height))


def _linked(xml: bytes, link: Link | None, r: int, part: _Part, links: Links | None) -> bytes:
    """A pre-rendered row that links to its source: the link is noted for the sheet's
    <hyperlinks>, or, past Excel's limit, the row loses its link style."""
    if link is None:
        return xml
    col, file, sheet, cell = link
    if links and part.links is not None and part.links.count < MAX_LINKS:
        part.links.add(f"{col_letters(col)}{r}", links(file), sheet, cell)
        return xml
    return plain_link(xml, col)


_RELS_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">')


def _splice(skeleton: Path, final: Path, plans: list[tuple[Table, list[_Part]]], fmts: _Formats,
            links: Links | None) -> None:
    spliced = {part.path: (table, part) for table, parts in plans for part in parts}
    with zipfile.ZipFile(skeleton) as zin, \
            zipfile.ZipFile(final, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        names = zin.namelist()
        pending_rels: dict[str, Path] = {}   # a zip takes one open entry at a time
        for table, parts in plans:
            rows: Iterator[Any] = iter(table.xml if table.xml is not None else table.rows)
            row_styles = fmts.styles(table, total=False)
            total_styles = fmts.styles(table, total=True)
            for part in parts:
                xml = zin.read(part.path).decode("utf-8")
                head, tail = xml.split("</sheetData>", 1)
                head = head.replace("<sheetData/>", "<sheetData>")
                last = part.header_row + 1 + part.rows
                head = re.sub(r'<dimension ref="[^"]*"/>',
                              f'<dimension ref="A1:{col_letters(len(table.columns) - 1)}{last}"/>', head, count=1)
                if table.source and links:
                    old = zin.read(part.rels_path).decode() if part.rels_path in names else None
                    part.links = _Links(skeleton.parent, f"links{len(pending_rels)}", old)
                with zout.open(part.path, "w", force_zip64=True) as raw, background(raw) as out:
                    out.write(head)
                    _stream_rows(out, table, part, rows,
                                 row_styles, total_styles, links if table.source else None)
                    out.write("</sheetData>")
                    if part.links is not None:
                        part.links.close()
                    if part.links is not None and part.links.count:
                        # <hyperlinks> goes after the conditional formats, before the page setup.
                        end = re.search(r"<printOptions|<pageMargins|<pageSetup|<headerFooter|</worksheet>", tail)
                        assert end is not None   # xlsxwriter always closes the sheet with </worksheet>
                        at = end.start()
                        out.write(tail[:at])
                        out.write("<hyperlinks>")
                        with open(part.links.elements_path, encoding="utf-8") as elements:
                            while chunk := elements.read(1 << 16):
                                out.write(chunk)
                        out.write("</hyperlinks>")
                        pending_rels[part.rels_path] = part.links.rels_path
                        tail = tail[at:]
                    out.write(tail)
                if part.links is not None:
                    part.links.elements_path.unlink()
                    if part.rels_path not in pending_rels:
                        part.links.rels_path.unlink()
                    part.links = None
        for name, rels_file in pending_rels.items():
            zout.write(rels_file, name)
            rels_file.unlink()
        for item in zin.infolist():
            if item.filename not in spliced and item.filename not in pending_rels:
                zout.writestr(item, zin.read(item))


CHART_UNITS = 40  # more bars than this cannot be read on a page
CHART_LABEL = 30  # characters of a unit's name on a chart axis: a longer label only stalls rendering


def chart_label(text: str) -> str:
    text = textgate.cell(" ".join(str(text).split()))
    return text if len(text) <= CHART_LABEL else text[:CHART_LABEL - 1] + "…"


def _charts(wb: Workbook, fmts: _Formats, summary: Table, codes: list[tuple[str, int]], page: Title) -> None:
    """图表: score and execution rate of the units needing attention, findings by code.

    The charts draw on a small table on the same sheet, written here, so they carry
    their data with them."""
    ws = wb.add_worksheet(CHARTS)
    # units whose projects are in the figures (not the files left out, listed last)
    units = [r for r in summary.rows if r.projects and r.grade != LEFT_OUT][:CHART_UNITS]
    ws.write_string(0, 0, "图表", fmts.chart_title)
    note = (f"按需关注程度排序的前 {len(units)} 个单位" if len(units) == CHART_UNITS
            else f"全部 {len(units)} 个报送单位")
    ws.write_string(1, 0, f"数据：{note}；问题按代码统计。", fmts.text)
    top = 3
    for c, h in enumerate(("单位名称", "预算加权平均得分", "执行率", "", "代码", "问题", "数量")):
        if h:
            ws.write_string(top, 12 + c, h, fmts.header)
    for i, r in enumerate(units, start=top + 1):
        ws.write_string(i, 12, chart_label(r.unit), fmts.text)
        if r.weighted_score is not None:
            ws.write_number(i, 13, float(r.weighted_score), fmts.num)
        if r.rate is not None:
            ws.write_number(i, 14, float(r.rate), fmts.pct)
    for i, (code, n) in enumerate(codes, start=top + 1):
        ws.write_string(i, 16, code, fmts.text)
        ws.write_string(i, 17, CATALOGUE[code].title, fmts.text)
        ws.write_number(i, 18, n, fmts.text)
    ws.set_column(12, 12, 24)
    ws.set_column(13, 14, 14)
    ws.set_column(16, 16, 7)
    ws.set_column(17, 17, 26)
    last_unit, last_code = top + len(units), top + len(codes)
    height = max(300, 22 * len(units) + 90)
    row = top  # charts stack down columns A–J; the data sits to their right
    if units:
        for col, title, axis in ((13, "各单位预算加权平均得分", {"min": 0, "max": 100}),
                                 (14, "各单位预算执行率", {"min": 0, "num_format": "0%"})):
            chart = wb.add_chart({"type": "bar"})
            chart.add_series({"name": title, "categories": [CHARTS, top + 1, 12, last_unit, 12],
                              "values": [CHARTS, top + 1, col, last_unit, col],
                              "data_labels": {"value": True, "num_format": "0.00" if col == 13 else "0.00%"},
                              "fill": {"color": "#5B9BD5" if col == 13 else "#70AD47"}})
            chart.set_title({"name": title})
            chart.set_legend({"none": True})
            chart.set_x_axis(axis)
            chart.set_y_axis({"reverse": True})
            chart.set_size({"width": 700, "height": height})
            ws.insert_chart(row, 0, chart)
            row += height // 20 + 1
    if codes:
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "问题数", "categories": [CHARTS, top + 1, 16, last_code, 16],
                          "values": [CHARTS, top + 1, 18, last_code, 18],
                          "data_labels": {"value": True}, "fill": {"color": "#ED7D31"}})
        chart.set_title({"name": "问题按代码统计"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 700, "height": 360})
        ws.insert_chart(row, 0, chart)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)   # charts are pictures: they scale, unlike text
    ws.set_header(f"&L{title_text(page.district)}&C{CHARTS}&R{page.year or ''}年度")


def write_summary(result: BatchResult, path: str | Path, max_rows: int | None = None) -> Path:
    """The consolidated workbook. `max_rows` (rows on one worksheet) is for tests of
    tables that continue on a second sheet."""
    custom = getattr(result, "write_summary", None)
    if custom is not None:   # merged district results (merging.py) lay out tables of their own
        return Path(custom(path, max_rows))
    path = Path(path)
    root, out_dir = Path(result.root).resolve(), path.parent.resolve()

    # Bounded: 问题清单 comes sorted by unit and file, so a file's links come together, and
    # a province has a hundred thousand files.
    @functools.lru_cache(maxsize=1024)
    def links(file: str) -> str:
        return link_target(root, out_dir, file)

    title = Title(result.district, result.year)

    def charts(wb: Workbook, fmts: _Formats, table: Table) -> None:
        if table.name == SUMMARY:
            _charts(wb, fmts, table, result.spool.code_counts(), title)

    opts = Options(title, float(result.rules.rate_threshold), max_rows)
    return write_tables(path, build_tables(result), facts=run_facts(result), links=links, after=charts,
                        options=opts)


def write_tables(path: str | Path, tables: list[Table], *, facts: Sequence[tuple[str, object]] = (),
                 links: Links | None = None, after: After | None = None, options: Options | None = None) -> Path:
    """Writes `tables` as sheets: rows spliced in (sheetxml), xlsxwriter for the rest.
    The RUN_INFO table goes below `facts`; `after(wb, fmts, table)` may add sheets
    after a table's; `links(file)` is the hyperlink target of a source file.
    The workbook carries the custom document property MARKER, so that reading a
    folder can recognise it as our output rather than a submission."""
    path = Path(path)
    options = options or Options()
    with replacing(path) as final, tempfile.TemporaryDirectory(prefix="selfeval-") as tmp:
        skeleton = Path(tmp) / "skeleton.xlsx"
        wb = xlsxwriter.Workbook(str(skeleton), SAFE_OPTIONS)
        wb.set_custom_property(*schema.MARKER)
        fmts = _Formats(wb)
        plans: list[tuple[Table, list[_Part]]] = []
        for table in tables:
            if table.name == RUN_INFO:
                ws = wb.add_worksheet(RUN_INFO)
                for r, (k, v) in enumerate(facts):
                    ws.write_string(r, 0, k, fmts.header)
                    if isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
                        ws.write_number(r, 1, float(v), fmts.text)
                    elif v not in (None, ""):
                        ws.write_string(r, 1, textgate.cell(str(v)), fmts.text)
                plans.append((table, _plan(wb, table, fmts, options, ws=ws, header_row=len(facts) + 1)))
            else:
                plans.append((table, _plan(wb, table, fmts, options)))
            if after is not None:
                after(wb, fmts, table)
        for table, _ in plans:  # register every style the rows will use
            fmts.styles(table, total=False)
            fmts.styles(table, total=True)
        wb.close()
        _splice(skeleton, final, plans, fmts, links)
    return path
