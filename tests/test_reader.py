"""The reader finds fields by their labels, wherever the layout puts them."""
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.rules import SEED
from selfeval_xlsx.workbook import process_file
from tests.forms import SPECIAL, convert, filled_template, national_sheet, national_workbook


def read(path: Path):
    return process_file(path, path.name, SEED)


def codes(result):
    return sorted({f.code for f in result.findings})


def assert_special(p, s):
    assert p.name == "专项经费"
    assert (p.budget, p.executed, p.initial) == (D(25), D(15), D(25))
    assert s.rate == D("0.6") and s.rate_score == D(6)
    assert len(p.indicators) == 7
    assert [i.level1 for i in p.indicators] == ["产出指标"] * 4 + ["效益指标"] * 2 + ["满意度指标"]
    assert p.indicators[4].level2 == "社会效益指标" and p.indicators[5].level2 == "可持续影响指标"
    assert s.total == D(92)


def test_filled_template(tmp_path):
    path = filled_template(tmp_path / "t.xlsx", [SPECIAL])
    r = read(path)
    assert r.file.status == "已读取"
    assert (r.unit, r.district, r.year) == ("中山东路街道办事处", "长安区", 2020)
    [sp] = r.projects
    assert_special(sp.project, sp.score)
    # Cells point at what the clerk sees in our template.
    assert sp.project.cells["name"] == "B3"
    assert sp.project.total_line.cells["budget"] == "D7"
    assert sp.project.indicators[0].cells["self_score"] == "G15"
    # openpyxl keeps the 总分 formula but no cached value: rebuilt from self scores.
    assert sp.score.self_total == D(96) and sp.score.self_total_derived
    assert "P107" in codes(r) and "P115" in codes(r)


def test_spare_template_sheets_are_ignored(tmp_path):
    from selfeval_xlsx.template import write_template
    path = filled_template(tmp_path / "t.xlsx", [SPECIAL])
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["项目1"]).title = "备用"
    wb.save(path)
    blank = write_template(tmp_path / "blank.xlsx", projects=3)
    assert len(read(path).projects) == 2
    r = read(blank)
    assert r.projects == [] and "F103" in codes(r)


@pytest.mark.parametrize("top, left", [(0, 0), (4, 3)])
def test_national_layout_without_unit_sheet(tmp_path, top, left):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "专项经费自评表"
    where = national_sheet(ws, SPECIAL, top=top, left=left, total=96, grade="优")
    wb.save(tmp_path / "n.xlsx")
    r = read(tmp_path / "n.xlsx")
    assert r.unit_info is None
    assert r.unit == "中山东路街道办事处"      # from 实施单位
    assert r.year == 2020                    # from the title （2020年度）
    [sp] = r.projects
    assert_special(sp.project, sp.score)
    assert sp.project.total_line.cells["budget"] == where["budget"]
    assert sp.project.cells["name"] == where["name"]
    assert sp.project.indicators[0].cells["self_score"] == where["first_score"]
    assert sp.project.cells["self_total"] == where["total"]
    assert sp.score.self_total == D(96) and not sp.score.self_total_derived
    assert sp.project.self_grade == "优"


def test_cached_values_are_never_trusted(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    national_sheet(ws, SPECIAL, total=96)
    ws["I6"] = 0.95   # a stale cached 执行率
    ws["J6"] = 10     # and its score
    wb.save(tmp_path / "n.xlsx")
    [sp] = read(tmp_path / "n.xlsx").projects
    assert sp.score.rate == D("0.6") and sp.score.rate_score == D(6)


def test_inserted_rows_and_columns_and_extra_indicators(tmp_path):
    p = dict(SPECIAL, indicators=SPECIAL["indicators"] + [
        ("产出指标", "数量指标", f"附加指标{i}", "≥1次", "1次", 0, 0, "") for i in range(18)])
    wb = openpyxl.Workbook()
    ws = wb.active
    national_sheet(ws, p, total=96, merge=False)
    ws.insert_rows(4, amount=2)     # two rows above the funds block
    ws.insert_cols(1)               # a column before everything
    wb.save(tmp_path / "n.xlsx")
    [sp] = read(tmp_path / "n.xlsx").projects
    assert sp.project.budget == D(25)
    assert sp.project.total_line.cells["budget"] == "G8"
    assert len(sp.project.indicators) == 25
    assert sp.project.indicators[-1].level3 == "附加指标17"


def test_copied_and_renamed_sheets(tmp_path):
    path = filled_template(tmp_path / "t.xlsx", [SPECIAL])
    wb = openpyxl.load_workbook(path)
    wb["项目1"].title = "专项"
    copy = wb.copy_worksheet(wb["专项"])
    copy.title = "党建经费"
    copy["B3"] = "社区党建经费"
    copy["D7"], copy["E7"] = 8.94, 8.94
    wb.save(path)
    r = read(path)
    names = {sp.project.sheet: (sp.project.name, sp.score.rate) for sp in r.projects}
    assert names == {"专项": ("专项经费", D("0.6")), "党建经费": ("社区党建经费", D(1))}


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_legacy_and_open_formats(tmp_path, fmt):
    """Saved as .xls and .ods by LibreOffice, a real spreadsheet program."""
    src = filled_template(tmp_path / "template.xlsx", [SPECIAL])
    national = national_workbook(tmp_path / "national.xlsx", [SPECIAL], total=96)
    for path in (convert(src, fmt, tmp_path / fmt), convert(national, fmt, tmp_path / fmt)):
        r = read(path)
        assert r.file.format == fmt
        assert r.unit == "中山东路街道办事处"
        [sp] = r.projects
        assert_special(sp.project, sp.score)
        # LibreOffice recalculated our 总分 formula and cached 96: read, not rebuilt.
        assert sp.score.self_total == D(96)


def test_renamed_legacy_file_is_read_by_content(tmp_path):
    src = filled_template(tmp_path / "template.xlsx", [SPECIAL])
    xls = convert(src, "xls", tmp_path / "xls")
    renamed = tmp_path / "看起来是xlsx.xlsx"
    renamed.write_bytes(xls.read_bytes())
    r = read(renamed)
    assert len(r.projects) == 1 and "F105" in codes(r)


def test_unreadable_files_become_findings(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "text.xlsx").write_text("不是表格", encoding="utf-8")
    (tmp_path / "cut.xlsx").write_bytes(filled_template(tmp_path / "t.xlsx", [SPECIAL]).read_bytes()[:2000])
    for name in ("empty.xlsx", "text.xlsx", "cut.xlsx"):
        r = read(tmp_path / name)
        assert r.file.status == "读取失败"
        assert codes(r) == ["F101"], name


def test_a_missing_indicator_column_is_named(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    national_sheet(ws, SPECIAL, total=96)
    ws["F12"] = "备注"   # the 实际完成值 header replaced by something else
    wb.save(tmp_path / "n.xlsx")
    r = read(tmp_path / "n.xlsx")
    [p101] = [f for f in r.findings if f.code == "P101"]
    assert "实际完成值" in p101.message and p101.cell == "A12"
