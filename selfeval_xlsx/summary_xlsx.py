"""Writes the consolidated workbook.

Text from the inputs is always written as text: a project named `=HYPERLINK(…)`
must stay a name. The file is written beside its destination and renamed into
place, so an interrupted run never leaves half a workbook.
"""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from .atomic import replacing
from .batch import BatchResult
from .tables import AMOUNT, INT, RATE, RUN_INFO, SCORE, FINDINGS, Table, build_tables, run_facts

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                "strings_to_numbers": False, "nan_inf_to_errors": True}


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


def _write_cell(ws, r: int, c: int, value, kind: str, fmt, fmts: _Formats, total=False):
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), (fmts.total_by_kind if total else fmts.by_kind).get(kind, fmt))
    else:
        ws.write_string(r, c, str(value), fmt)


MAX_LINKS = 65000  # Excel keeps at most 65,530 hyperlinks on a worksheet


def link_target(root: Path, out_dir: Path, file: str, sheet: str, cell: str) -> str:
    """A relative external link, so the district folder and the output can move together."""
    rel = os.path.relpath(root / file, out_dir).replace(os.sep, "/")
    target = f"external:{rel}"
    if sheet and cell:
        target += "#'" + sheet.replace("'", "''") + "'!" + cell
    return target


def _write_links(ws, table: Table, fmts: _Formats, root: Path, out_dir: Path, start_row: int = 0):
    for i, (col, file, sheet, cell) in list(table.sources.items())[:MAX_LINKS]:
        text = table.rows[i][col]
        url = link_target(root, out_dir, file, sheet, cell)
        # write_url refuses over-long targets; the plain text is already in the cell.
        if len(url) <= 2000:
            ws.write_url(start_row + 1 + i, col, url, fmts.link, string=str(text),
                         tip="打开源文件并定位到此单元格")


def _write_table(wb, table: Table, fmts: _Formats, start_row: int = 0, ws=None):
    ws = ws or wb.add_worksheet(table.name)
    cols = table.columns
    for c, col in enumerate(cols):
        ws.write_string(start_row, c, col.header, fmts.header)
        ws.set_column(c, c, col.width)
    r = start_row
    for r, row in enumerate(table.rows, start=start_row + 1):
        for c, (col, value) in enumerate(zip(cols, row)):
            _write_cell(ws, r, c, value, col.kind, fmts.text, fmts)
    last = start_row + len(table.rows)
    if table.total_row:
        last += 1
        for c, (col, value) in enumerate(zip(cols, table.total_row)):
            _write_cell(ws, last, c, value, col.kind, fmts.total, fmts, total=True)
    ws.autofilter(start_row, 0, max(start_row, last - (1 if table.total_row else 0)), len(cols) - 1)
    ws.freeze_panes(start_row + 1, 0)
    return ws, last


def _highlight(ws, table: Table, fmts: _Formats, last: int):
    headers = [c.header for c in table.columns]
    if last < 1:
        return
    if "执行率" in headers:
        c = headers.index("执行率")
        ws.conditional_format(1, c, last, c, {"type": "cell", "criteria": "<", "value": 0.9,
                                              "format": fmts.low})
    if "级别" in headers:
        c = headers.index("级别")
        for word, f in (("错误", fmts.error), ("警告", fmts.warning), ("提示", fmts.info)):
            ws.conditional_format(1, c, last, c, {"type": "cell", "criteria": "==",
                                                  "value": f'"{word}"', "format": f})


def write_summary(result: BatchResult, path: str | Path) -> Path:
    path = Path(path)
    with replacing(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), SAFE_OPTIONS)
        fmts = _Formats(wb)
        for table in build_tables(result):
            if table.name == RUN_INFO:
                ws = wb.add_worksheet(RUN_INFO)
                facts = run_facts(result)
                for r, (k, v) in enumerate(facts):
                    ws.write_string(r, 0, k, fmts.header)
                    _write_cell(ws, r, 1, v, "", fmts.text, fmts)
                _write_table(wb, table, fmts, start_row=len(facts) + 1, ws=ws)
                continue
            ws, last = _write_table(wb, table, fmts)
            _highlight(ws, table, fmts, last)
            if table.name == FINDINGS:
                ws.set_column(8, 8, 60, fmts.wrap)
                _write_links(ws, table, fmts, Path(result.root).resolve(), path.parent.resolve())
        wb.close()
    return path
