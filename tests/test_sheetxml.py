"""Widths and escaping used when rows are rendered straight to worksheet XML."""
import marshal
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_xlsx.findings import make
from selfeval_xlsx.sheetxml import (
    ROW_MARK,
    attr,
    cells_for,
    display_width,
    escape,
    join_rows,
    row_xml,
    wrapped_height,
)


@pytest.mark.parametrize("text, width", [
    ("", 0), ("abc 12", 6), ("中山东路", 8), ("中山abc", 7),
    ("（）：，。", 10),          # full-width punctuation takes two cells
    ("≥…—", 3),                # East Asian "ambiguous" characters take one
    ("ｱ", 1),                  # half-width katakana
    ("😀", 2), ("𠀀𪚥", 4),      # emoji and CJK beyond the Basic Multilingual Plane
    ("\U0001D400", 1),         # a narrow character beyond it
])
def test_display_width_counts_wide_characters_twice(text, width):
    assert display_width(text) == width


def test_wrapped_height_grows_by_lines():
    assert wrapped_height("短", 60) is None
    assert wrapped_height("一\n二\n三", 60) == 13.5 * 3       # typed line breaks are lines
    assert wrapped_height("问" * 10_000, 60) == 409             # Excel's tallest row
    assert wrapped_height("问" * 59, 60) == 13.5 * 2    # 118 cells in a 59-cell line: two lines


def test_text_is_escaped_and_never_markup():
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert escape("x\x01y\ufffe") == "x\ufffdy\ufffd"  # the text gate marks what XML cannot hold
    assert escape("a\nb\r\n") == "a&#10;b_x000D_&#10;"   # no raw line break in a rendered row
    assert len(escape("问" * 40_000)) == 32_767
    assert escape("_x0041_") == "_x005F_x0041_"       # a literal _xHHHH_ survives Excel's decoding
    assert attr('项目"1"&<') == '"项目&quot;1&quot;&amp;&lt;"'
    assert attr("a\x01b") == '"a\ufffdb"'             # not allowed in XML even as a reference


def test_row_xml_types_and_row_number():
    cells = cells_for([1, 3])
    assert row_xml("7", cells, ("=SUM(A1)", None)) == (
        '<row r="7"><c r="A7" s="1" t="inlineStr"><is><t>=SUM(A1)</t></is></c></row>')
    xml = row_xml(ROW_MARK, cells, (" 前后有空格 ", 1.5))
    assert xml.replace(ROW_MARK, "9") == ('<row r="9"><c r="A9" s="1" t="inlineStr"><is><t xml:space="preserve">'
                                          ' 前后有空格 </t></is></c><c r="B9" s="3"><v>1.5</v></c></row>')


def test_the_contract_numbering_storage_and_link_style():
    from selfeval_xlsx.sheetxml import (
        LINK,
        STYLE_INDEX,
        join_rows,
        link_cells,
        number_rows,
        split_rows,
        unlink,
    )
    cells = tuple(cells_for([1, 1]))
    rows = [row_xml(ROW_MARK, cells, ("甲\n乙", "x")), row_xml(ROW_MARK, link_cells(cells, 1), ("丙", "f.xlsx"))]
    stored = split_rows(join_rows(rows))
    assert len(stored) == 2                                       # the typed line break split nothing
    linked = stored[1]
    assert f'<c r="B{ROW_MARK}" s="{STYLE_INDEX[LINK]}"'.encode() in linked
    assert number_rows(stored, 5) == (
        b'<row r="5"><c r="A5" s="1" t="inlineStr"><is><t>\xe7\x94\xb2&#10;\xe4\xb9\x99</t></is></c>'
        b'<c r="B5" s="1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="6"><c r="A6" s="1" t="inlineStr"><is><t>\xe4\xb8\x99</t></is></c>'
        b'<c r="B6" s="7" t="inlineStr"><is><t>f.xlsx</t></is></c></row>')
    assert number_rows([unlink(linked, 1, 1)], 9).endswith(
        b'<c r="B9" s="1" t="inlineStr"><is><t>f.xlsx</t></is></c></row>')
    assert split_rows(b"") == []


def test_style_indices_are_what_the_writer_registers(tmp_path):
    # summary_xlsx._Formats raises if xlsxwriter gave a kind another xf index than STYLE_INDEX
    import xlsxwriter

    from selfeval_xlsx.summary_xlsx import SAFE_OPTIONS, _Formats
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), SAFE_OPTIONS)
    _Formats(wb)
    wb.close()


# --- a worker's block of rows, rendered a column at a time (rows.table_parts) -----------


# What a clerk can type, and every kind of value a row may hold: text with Alt+Enter,
# control characters, blanks at the edges, _xHHHH_ literals and formulas; decimals of any
# exponent and sign (-0.00 and 0.00 are equal but shown differently); ints, floats, bools.
# (\x01 is what a worker joins a column's texts with; _x00 and 41_ make _x0041_ across
# two texts; two 20,000-character texts are within a cell's limit, joined they are not.)
_TEXT = st.one_of(st.sampled_from(["", " ", "a\nb", "a\r\nb", "\x01", "a\x01b", "_x0041_", "_x00", "41_",
                                   "=SUM(A1)", "<&>", " 甲 ", "甲\t", "长安区", "\ufffe", "\t", "问" * 20_000,
                                   "长" * 40_000]), st.text(max_size=12))
_VALUE = st.one_of(_TEXT, st.none(), st.decimals(allow_nan=True, allow_infinity=True, places=None),
                   st.sampled_from([Decimal("-0.00"), Decimal("0.00"), Decimal(8), Decimal("8.00"),
                                    Decimal("1E+3")]),
                   st.integers(-10**20, 10**20), st.floats(), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(
    st.one_of(_TEXT, _VALUE), min_size=width, max_size=width).map(tuple), max_size=6)))
def test_a_block_renders_and_packs_as_row_by_row(rows):
    from selfeval_xlsx.rows import table_parts
    from selfeval_xlsx.schema import Column, TableSchema
    width = len(rows[0]) if rows else 3
    table = TableSchema("t", "t", tuple(Column(f"c{i}", f"c{i}", kind) for i, kind in
                                        zip(range(width), ("text", "amount", "rate", "int"))), type_name="T")
    records = [table.record(*r) for r in rows]
    values, xml = table_parts(table, records)
    assert xml == join_rows(row_xml(ROW_MARK, table.cells, r) for r in records)
    # the same values (marshal's bytes may differ: it marks objects it saw twice)
    assert repr(marshal.loads(values)) == repr(marshal.loads(table.pack(records)))


@pytest.mark.parametrize("text", ["", "a", "中山东路 abc", "（）", "😀𠀀\U0001D400", "ｱ≥…—", "\x00\ufffe\ud800",
                                  "问" * 40_000, "a\n中"])
def test_display_width_by_runs_counts_as_character_by_character(text):
    import unicodedata
    want = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    assert display_width(text) == want


_CODES = st.sampled_from(["F101", "P109", "I111", "B105", "U102"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.builds(
    lambda code, message, file, sheet, cell, unit, project, value: make(
        code, message, file=file, sheet=sheet, cell=cell, unit=unit, project=project, value=value),
    _CODES, st.one_of(_TEXT, st.just("问" * 300), st.just("长" * 40_000)),
    st.sampled_from(["", "a.xlsx", "区/街道 #1.xlsx"]), st.sampled_from(["", "项目1", "it's"]),
    st.sampled_from(["", "C11"]), _TEXT, _TEXT, st.one_of(_TEXT, st.decimals(allow_nan=False), st.none())),
    max_size=6))
def test_a_files_findings_render_as_one_by_one(findings):
    from selfeval_xlsx.rows import stored, stored_all
    assert stored_all(findings) == [stored(f) for f in findings]
