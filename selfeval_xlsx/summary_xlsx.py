"""Writes the consolidated workbook, streaming.

Text from the inputs is always written as text: a project named `=HYPERLINK(…)`
must stay a name. Rows go to disk as they are written (xlsxwriter's constant-memory
mode), a table longer than a worksheet continues on a second one, and the file is
written beside its destination and renamed into place, so an interrupted run
never leaves half a workbook.
"""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from .atomic import replacing
from .batch import BatchResult
from .rows import AMOUNT, FINDINGS, INT, RATE, RUN_INFO, SCORE
from .tables import Table, build_tables, run_facts

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                "strings_to_numbers": False, "nan_inf_to_errors": True}
MAX_ROWS = 1_048_576   # rows on one Excel worksheet
MAX_LINKS = 65_000     # Excel keeps at most 65,530 hyperlinks on a worksheet


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
        self.error = wb.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
        self.warning = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.info = wb.add_format({"bg_color": "#DDEBF7"})
        self.low = wb.add_format({"bg_color": "#F8CBAD"})
        self.link = wb.add_format({**base, "font_color": "#0563C1", "underline": 1})


def link_target(root: Path, out_dir: Path, file: str, sheet: str, cell: str) -> str:
    """A relative external link, so the district folder and the output can move together."""
    rel = os.path.relpath(root / file, out_dir).replace(os.sep, "/")
    target = f"external:{rel}"
    if sheet and cell:
        target += "#'" + sheet.replace("'", "''") + "'!" + cell
    return target


def _cell(ws, r: int, c: int, value, kind: str, fmts: _Formats, total: bool = False):
    text_fmt = fmts.total if total else fmts.text
    if value is None or value == "":
        ws.write_blank(r, c, None, text_fmt)
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), (fmts.total_by_kind if total else fmts.by_kind).get(kind, text_fmt))
    else:
        ws.write_string(r, c, str(value), text_fmt)


class _TableWriter:
    """Writes one table, continuing on 表名（续1）… past a worksheet's last row."""

    def __init__(self, wb, table: Table, fmts: _Formats, links=None, ws=None, start_row: int = 0):
        self.wb, self.table, self.fmts, self.links = wb, table, fmts, links
        self.parts = 0
        self._open(ws, start_row)

    def _open(self, ws=None, start_row: int = 0):
        name = self.table.name if not self.parts else f"{self.table.name}（续{self.parts}）"
        self.ws = ws or self.wb.add_worksheet(name)
        self.first = start_row
        self.row = start_row
        self.linked = 0
        for c, col in enumerate(self.table.columns):
            self.ws.set_column(c, c, col.width)
            self.ws.write_string(start_row, c, col.header, self.fmts.header)

    def _close(self, total: bool):
        ws, last, ncols = self.ws, self.row, len(self.table.columns)
        ws.autofilter(self.first, 0, last - (1 if total else 0), ncols - 1)
        ws.freeze_panes(self.first + 1, 0)
        ws.repeat_rows(self.first)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        if last > self.first:
            _highlight(ws, self.table, self.fmts, self.first + 1, last)

    def write(self):
        cols = self.table.columns
        source = self.table.source
        for values in self.table.rows:
            if self.row + 1 >= MAX_ROWS:
                self._close(total=False)
                self.parts += 1
                self._open()
            self.row += 1
            link = source(values) if source and self.links else None
            for c, (col, value) in enumerate(zip(cols, values)):
                if link and c == link[0] and self.linked < MAX_LINKS:
                    url = self.links(*link[1:])
                    if len(url) <= 2000:  # longer targets are refused by Excel
                        self.ws.write_url(self.row, c, url, self.fmts.link, string=str(value),
                                          tip="打开源文件并定位到此单元格")
                        self.linked += 1
                        continue
                _cell(self.ws, self.row, c, value, col.kind, self.fmts)
        total = self.table.total_row
        if total:
            self.row += 1
            for c, (col, value) in enumerate(zip(cols, total)):
                _cell(self.ws, self.row, c, value, col.kind, self.fmts, total=True)
        self._close(total=bool(total))


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
    if "说明" in headers:
        c = headers.index("说明")
        ws.set_column(c, c, table.columns[c].width, fmts.wrap)


def write_summary(result: BatchResult, path: str | Path) -> Path:
    path = Path(path)
    root, out_dir = Path(result.root).resolve(), path.parent.resolve()

    def links(file, sheet, cell):
        return link_target(root, out_dir, file, sheet, cell)

    with replacing(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {**SAFE_OPTIONS, "constant_memory": True})
        fmts = _Formats(wb)
        for table in build_tables(result):
            if table.name == RUN_INFO:
                ws = wb.add_worksheet(RUN_INFO)
                facts = run_facts(result)
                for r, (k, v) in enumerate(facts):
                    ws.write_string(r, 0, k, fmts.header)
                    _cell(ws, r, 1, v, "", fmts)
                _TableWriter(wb, table, fmts, ws=ws, start_row=len(facts) + 1).write()
            else:
                _TableWriter(wb, table, fmts, links if table.name == FINDINGS else None).write()
        wb.close()
    return path
