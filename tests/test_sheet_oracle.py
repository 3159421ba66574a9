"""Our spliced sheet writer against plain xlsxwriter, on anything a clerk could type.

Hypothesis makes rows of arbitrary Unicode (line breaks, carriage returns, control
characters, U+FFFE, astral characters, texts past Excel's 32,767 limit) and numbers at
the edges; they are written once through our path (rendered rows, stored in the
spool's one-row-a-line blocks, spliced into an xlsxwriter skeleton) and once by
xlsxwriter itself from the text gate's output, and read back cell by cell.
"""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from selfeval_xlsx import textgate
from selfeval_xlsx.schema import Column, TableSchema
from selfeval_xlsx.sheetxml import (
    AMOUNT,
    INT,
    ROW_MARK,
    TEXT,
    join_rows,
    row_xml,
    split_rows,
)
from selfeval_xlsx.summary_xlsx import SAFE_OPTIONS, write_tables
from selfeval_xlsx.tables import Table
from tests.sheetcheck import check_rows

SCHEMA = TableSchema("t", "表", (Column("a", "甲", TEXT, 20), Column("b", "乙", AMOUNT, 12),
                                Column("c", "丙", TEXT, 30), Column("d", "丁", INT, 8)), type_name="OracleRow")
COLUMNS = SCHEMA.columns

awkward = st.sampled_from(["\n", "\r", "\r\n", "\t", "\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff",
                           "\ud800", "_x0041_", "&", "<", ">", '"', " ", "😀", "𠀀", "=SUM(A1)"])
texts = st.one_of(
    st.text(st.characters(), max_size=40),
    st.lists(st.one_of(awkward, st.text(max_size=5)), max_size=12).map("".join),
    st.builds(lambda a, n: a * n, st.sampled_from(["问", "x\n", "a"]), st.integers(32_700, 33_000)),
)
decimals = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**14, max_value=10**14),
    st.builds(lambda m, e: Decimal(m).scaleb(e), st.integers(-10**20, 10**20), st.integers(-30, 30)),
)
values = st.tuples(st.one_of(st.none(), texts), st.one_of(st.none(), decimals),
                   st.one_of(st.none(), texts), st.one_of(st.none(), st.integers(-10**9, 10**9)))


def ours(path: Path, rows: list[tuple]) -> None:
    # As a reading worker does: render, store one block, read the block back.
    block = join_rows(row_xml(ROW_MARK, SCHEMA.cells, r) for r in rows)
    table = Table(SCHEMA, iter(rows), len(rows), xml=iter(split_rows(block)))
    write_tables(path, [table])


def plain(path: Path, rows: list[tuple]) -> None:
    # constant_memory: xlsxwriter then writes inline strings, as we do (openpyxl reads
    # shared and inline strings' _xHHHH_ escapes differently).
    wb = xlsxwriter.Workbook(str(path), {**SAFE_OPTIONS, "constant_memory": True})
    ws = wb.add_worksheet("表")
    for c, col in enumerate(COLUMNS):
        ws.write_string(0, c, col.header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, str) and v:
                ws.write_string(r, c, textgate.cell(v))
            elif isinstance(v, (int, Decimal)):
                ws.write_number(r, c, float(v))
    wb.close()


def cells(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)["表"]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-15, abs_tol=0)
    return a == b


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(rows=st.lists(values, min_size=1, max_size=6))
def test_spliced_rows_read_back_as_xlsxwriter_writes_them(tmp_path, rows):
    a, b = tmp_path / "ours.xlsx", tmp_path / "plain.xlsx"
    ours(a, rows)
    plain(b, rows)
    check_rows(a)
    got, want = cells(a), cells(b)
    assert len(got) == len(want)
    for r, (g, w) in enumerate(zip(got, want)):
        w = w + [None] * (len(g) - len(w))
        assert all(same(x, y) for x, y in zip(g, w)), (r, g, w)


def test_a_typed_line_break_stays_in_its_cell(tmp_path):
    rows = [("第一行\n第二行", Decimal("1.5"), "原因：\r\n资金未到位", 3), ("末行\n", None, "\ufffe", 4)]
    ours(tmp_path / "a.xlsx", rows)
    # calamine decodes _x000D_ into the carriage return, as Excel does (openpyxl does not)
    sheet = CalamineWorkbook.from_path(str(tmp_path / "a.xlsx")).get_sheet_by_name("表").to_python()
    assert sheet[1:] == [["第一行\n第二行", 1.5, "原因：\r\n资金未到位", 3], ["末行\n", "", textgate.MARK, 4]]
    assert check_rows(tmp_path / "a.xlsx") == {"xl/worksheets/sheet1.xml": 3}
