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
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import quoteattr

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from .atomic import replacing
from .batch import BatchResult
from .rows import AMOUNT, FINDINGS, INT, RATE, RUN_INFO, SCORE
from .tables import Table, build_tables, run_facts

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                "strings_to_numbers": False, "nan_inf_to_errors": True}
MAX_ROWS = 1_048_576   # rows on one Excel worksheet
MAX_LINKS = 65_000     # Excel keeps at most 65,530 hyperlinks on a worksheet
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                     "text_wrap": True, "align": "center"})
        self.text = wb.add_format({**base})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.by_kind = {
            AMOUNT: wb.add_format({**base, "num_format": "#,##0.00"}),
            SCORE: wb.add_format({**base, "num_format": "0.00"}),
            RATE: wb.add_format({**base, "num_format": "0.00%"}),
            INT: wb.add_format({**base, "num_format": "0"}),
        }
        self.total = wb.add_format({**base, "bold": True, "top": 1})
        self.total_by_kind = {k: wb.add_format({**base, "bold": True, "top": 1,
                                                "num_format": f.num_format})
                              for k, f in self.by_kind.items()}
        self.link = wb.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self.error = wb.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
        self.warning = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.info = wb.add_format({"bg_color": "#DDEBF7"})
        self.low = wb.add_format({"bg_color": "#F8CBAD"})

    def styles(self, columns, total: bool) -> list[int]:
        """The xf index of each column's cells. Registering the index now puts the
        format in styles.xml even though xlsxwriter itself writes no such cell."""
        plain = self.total if total else self.text
        kinds = self.total_by_kind if total else self.by_kind
        out = []
        for col in columns:
            fmt = kinds.get(col.kind, plain)
            if col.header == "说明" and not total:
                fmt = self.wrap
            out.append(fmt._get_xf_index())
        return out


def link_target(root: Path, out_dir: Path, file: str) -> str:
    """A relative path from the summary to a source file, so both folders can move together."""
    return os.path.relpath(root / file, out_dir)


def _text(value: str) -> str:
    """Text as Excel stores it: XML-escaped, control characters as _xHHHH_ (and a
    literal _xHHHH_ guarded, as Excel does)."""
    value = re.sub(r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def _row_xml(r: int, cells: list[tuple[str, str]], values) -> str:
    """One <row>; `cells` holds each column's letter and style attribute.

    This runs once per row of a province's tables, so it dispatches on the exact
    type and builds one string."""
    n = str(r)
    out = [f'<row r="{n}">']
    for (letter, style), v in zip(cells, values):
        t = type(v)
        if t is str:
            if v:
                space = ' xml:space="preserve"' if v[0] in " \t\n" or v[-1] in " \t\n" else ""
                if _NEEDS_ESCAPE.search(v):
                    v = _text(v)
                out.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t{space}>{v}</t></is></c>')
        elif v is None:
            continue
        elif t is Decimal:
            out.append(f'<c r="{letter}{n}"{style}><v>{v}</v></c>')
        elif t is int or t is float:
            out.append(f'<c r="{letter}{n}"{style}><v>{float(v)!r}</v></c>')
        else:
            out.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t>{_text(str(v))}</t></is></c>')
    out.append("</row>")
    return "".join(out)


@dataclass
class _Part:
    """One worksheet's share of a table: data rows below a header row."""
    index: int            # xlsxwriter's sheet index: xl/worksheets/sheet{index+1}.xml
    header_row: int       # 0-based
    rows: int             # data rows, the total row included
    links: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"xl/worksheets/sheet{self.index + 1}.xml"


def _plan(wb, table: Table, fmts: _Formats, ws=None, header_row: int = 0) -> list[_Part]:
    """Lays out the table's sheets in the skeleton and says what rows go where."""
    remaining = table.count + (1 if table.total_row else 0)
    parts = []
    while True:
        if ws is None:
            ws = wb.add_worksheet(table.name if not parts else f"{table.name}（续{len(parts)}）")
        take = min(remaining, MAX_ROWS - header_row - 1)
        parts.append(_Part(ws.index, header_row, take))
        _sheet_setup(ws, table, fmts, header_row, take, has_total=bool(table.total_row) and take == remaining)
        remaining -= take
        if remaining <= 0:
            return parts
        ws, header_row = None, 0


def _sheet_setup(ws, table: Table, fmts: _Formats, header_row: int, rows: int, has_total: bool):
    ncols = len(table.columns)
    for c, col in enumerate(table.columns):
        ws.set_column(c, c, col.width, fmts.wrap if col.header == "说明" else None)
        ws.write_string(header_row, c, col.header, fmts.header)
    last = header_row + rows
    ws.autofilter(header_row, 0, last - (1 if has_total else 0), ncols - 1)
    ws.freeze_panes(header_row + 1, 0)
    ws.repeat_rows(header_row)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C第 &P 页，共 &N 页")
    if rows:
        _highlight(ws, table, fmts, header_row + 1, last)


def _highlight(ws, table: Table, fmts: _Formats, first: int, last: int):
    headers = [c.header for c in table.columns]
    if "执行率" in headers:
        c = headers.index("执行率")
        ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "<", "value": 0.9,
                                                  "format": fmts.low})
    if "级别" in headers:
        c = headers.index("级别")
        for word, f in (("错误", fmts.error), ("警告", fmts.warning), ("提示", fmts.info)):
            ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==",
                                                      "value": f'"{word}"', "format": f})


def _stream_rows(out, table: Table, part: _Part, rows, link_style: int,
                 row_styles: list[int], total_styles: list[int], links) -> None:
    letters = [xl_col_to_name(c) for c in range(len(table.columns))]
    plain = [(c, f' s="{s}"') for c, s in zip(letters, row_styles)]
    r = part.header_row + 1  # 1-based number of the header row
    for _ in range(part.rows):
        values = next(rows, None)
        r += 1
        if values is None:  # the total row closes the table
            out.write(_row_xml(r, [(c, f' s="{s}"') for c, s in zip(letters, total_styles)],
                               table.total_row))
            continue
        cells = plain
        link = table.source(values) if table.source and links else None
        if link and len(part.links) < MAX_LINKS:
            col, file, sheet, cell = link
            cells = list(plain)
            cells[col] = (letters[col], f' s="{link_style}"')
            part.links.append((f"{letters[col]}{r}", links(file), sheet, cell))
        out.write(_row_xml(r, cells, values))


def _hyperlinks(part: _Part, rels_xml: str | None) -> tuple[str, str]:
    """The <hyperlinks> element for a sheet and its relationships file."""
    existing = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels_xml or "")]
    start = max(existing, default=0) + 1
    links, rels = [], []
    for i, (ref, target, sheet, cell) in enumerate(part.links, start=start):
        location = f"'{sheet.replace(chr(39), chr(39) * 2)}'!{cell}" if sheet and cell else ""
        attrs = f'ref="{ref}" r:id="rId{i}"' + (f" location={quoteattr(location)}" if location else "")
        links.append(f'<hyperlink {attrs} tooltip="打开源文件并定位到此单元格"/>')
        # Excel writes relative file links with backslashes; LibreOffice reads them too.
        rels.append(f'<Relationship Id="rId{i}" Type="{HYPERLINK}" '
                    f'Target={quoteattr(target.replace("/", chr(92)))} TargetMode="External"/>')
    head = rels_xml.rsplit("</Relationships>", 1)[0] if rels_xml else (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">')
    return f"<hyperlinks>{''.join(links)}</hyperlinks>", head + "".join(rels) + "</Relationships>"


def _splice(skeleton: Path, final: Path, plans, fmts: _Formats, links) -> None:
    spliced = {part.path: (table, part) for table, parts in plans for part in parts}
    with zipfile.ZipFile(skeleton) as zin, \
            zipfile.ZipFile(final, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        names = zin.namelist()
        pending_rels: dict[str, str] = {}
        for table, parts in plans:
            rows = iter(table.rows)
            row_styles = fmts.styles(table.columns, total=False)
            total_styles = fmts.styles(table.columns, total=True)
            for part in parts:
                xml = zin.read(part.path).decode("utf-8")
                head, tail = xml.split("</sheetData>", 1)
                head = head.replace("<sheetData/>", "<sheetData>")
                last = part.header_row + 1 + part.rows
                head = re.sub(r'<dimension ref="[^"]*"/>',
                              f'<dimension ref="A1:{xl_col_to_name(len(table.columns) - 1)}{last}"/>', head, 1)
                with zout.open(part.path, "w", force_zip64=True) as raw:
                    out = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", write_through=False)
                    out.write(head)
                    _stream_rows(out, table, part, rows, fmts.link._get_xf_index(),
                                 row_styles, total_styles, links if table.source else None)
                    out.write("</sheetData>")
                    if part.links:
                        rels_name = part.path.replace("worksheets/", "worksheets/_rels/") + ".rels"
                        old = zin.read(rels_name).decode() if rels_name in names else None
                        element, rels = _hyperlinks(part, old)
                        anchor = re.search(r"<printOptions|<pageMargins|<pageSetup|<headerFooter|</worksheet>", tail)
                        tail = tail[:anchor.start()] + element + tail[anchor.start():]
                        pending_rels[rels_name] = rels
                    out.write(tail)
                    out.flush()
                    out.detach()
        for name, rels in pending_rels.items():  # a zip takes one open entry at a time
            zout.writestr(name, rels)
        for item in zin.infolist():
            if item.filename not in spliced and item.filename not in pending_rels:
                zout.writestr(item, zin.read(item))


def write_summary(result: BatchResult, path: str | Path) -> Path:
    path = Path(path)
    root, out_dir = Path(result.root).resolve(), path.parent.resolve()

    @functools.lru_cache(maxsize=None)
    def links(file):
        return link_target(root, out_dir, file)

    with replacing(path) as final, tempfile.TemporaryDirectory(prefix="selfeval-") as tmp:
        skeleton = Path(tmp) / "skeleton.xlsx"
        wb = xlsxwriter.Workbook(str(skeleton), SAFE_OPTIONS)
        fmts = _Formats(wb)
        plans = []
        for table in build_tables(result):
            if table.name == RUN_INFO:
                ws = wb.add_worksheet(RUN_INFO)
                facts = run_facts(result)
                for r, (k, v) in enumerate(facts):
                    ws.write_string(r, 0, k, fmts.header)
                    if isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
                        ws.write_number(r, 1, float(v), fmts.text)
                    elif v not in (None, ""):
                        ws.write_string(r, 1, str(v), fmts.text)
                plans.append((table, _plan(wb, table, fmts, ws=ws, header_row=len(facts) + 1)))
            else:
                plans.append((table, _plan(wb, table, fmts)))
        for table, _ in plans:  # register every style the rows will use
            fmts.styles(table.columns, total=False)
            fmts.styles(table.columns, total=True)
        fmts.link._get_xf_index()
        wb.close()
        _splice(skeleton, final, plans, fmts, links)
    return path
