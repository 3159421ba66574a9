"""The text gate: what every writer does to text a person typed."""
from selfeval_xlsx.textgate import (
    CELL_LIMIT,
    MARK,
    cell_text,
    file_part,
    link_target,
    row_height,
    sheet_location,
    terminal,
    xml_text,
)


def test_xml_illegal_characters_become_a_visible_mark_and_line_breaks_stay():
    assert xml_text("甲\x0b乙\ufffe丙\uffff\x00") == f"甲{MARK}乙{MARK}丙{MARK}{MARK}"
    assert xml_text("第一行\n第二行\r\t") == "第一行\n第二行\r\t"
    g = cell_text("原因\x0b说明")
    assert (g.text, g.replaced, g.cut_from, g.changed) == (f"原因{MARK}说明", 1, 0, True)
    assert "1 个无法写入表格的控制字符" in g.note()


def test_long_text_is_cut_to_excels_limit_and_says_so():
    g = cell_text("字" * 40_000)
    assert len(g.text) == CELL_LIMIT and g.cut_from == 40_000
    assert g.text.endswith("…（已截断，原文 40000 字）")
    assert not cell_text("字" * CELL_LIMIT).changed
    assert row_height(13.5 * 100) == 409.0 and row_height(27.0) == 27.0 and row_height(None) is None


def test_link_targets_are_percent_encoded():
    assert link_target("../长安区/甲#1 100%?.xlsx") == r"..\长安区\甲%231%20100%25%3f.xlsx"
    assert sheet_location("张三's 表", "C11") == "'张三''s 表'!C11"
    assert sheet_location("", "C11") == ""


def test_terminal_output_has_no_escape_sequences_or_controls():
    assert terminal("\x1b[31m红\x1b[0m\x1b]0;title\x07字\n下一行\x9b\x07") == "红字 下一行"


def test_file_parts_are_safe_and_bounded():
    assert file_part("../../etc/passwd") == "_.._etc_passwd"
    assert file_part("a/b:c") == "a_b_c"
    assert file_part("...") == "未命名"
    assert len(file_part("长" * 200)) == 60
    assert file_part("甲\x00乙\x01丙") == "甲乙丙"
