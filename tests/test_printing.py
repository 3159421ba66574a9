"""Printed sheets are legible and say what they are (issue 13, point 8)."""
from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from selfeval_xlsx import printing, summary_xlsx
from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.rules import SEED
from tests.sheetcheck import NS

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区"
TABLES = ("汇总", "项目明细", "指标明细", "问题清单", "运行信息")


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "汇总.xlsx"
    rules = replace(SEED, rate_threshold=Decimal("0.85"))
    with run_batch(EXAMPLES, rules, jobs=1) as result:
        summary_xlsx.write_summary(result, out)
    return out


def sheets(path: Path) -> dict[str, ET.Element]:
    """Sheet name → its parsed worksheet XML."""
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        names = [s.get("name") for s in book.iter(f"{NS}sheet")]
        return {n: ET.fromstring(z.read(f"xl/worksheets/sheet{i}.xml")) for i, n in enumerate(names, start=1)}


def test_fit_chooses_paper_and_never_shrinks_below_eight_points():
    assert printing.fit([10] * 5) == (printing.A4, 100, False)
    paper, scale, split = printing.fit([12] * 19)               # 19 columns of 12: A3 at 90 %
    assert (paper, split) == (printing.A3, False) and 80 <= scale < 100
    assert printing.fit([30] * 19) == (printing.A3, printing.MIN_SCALE, True)


def test_every_table_prints_at_eight_points_or_more_with_a_header(summary):
    defined = zipfile.ZipFile(summary).read("xl/workbook.xml").decode()
    for name, root in sheets(summary).items():
        setup = root.find(f"{NS}pageSetup")
        header = root.find(f"{NS}headerFooter/{NS}oddHeader").text
        assert "长安区" in header and "2020年度" in header and name in header, (name, header)
        if name == "图表":
            continue
        sheet_pr = root.find(f"{NS}sheetPr/{NS}pageSetUpPr")
        assert sheet_pr is None or sheet_pr.get("fitToPage") != "1", name   # no squeezing to a page
        scale = int(setup.get("scale", "100"))
        assert scale >= printing.MIN_SCALE and setup.get("orientation") == "landscape", name
        widths = [float(c.get("width")) for c in root.iter(f"{NS}col")
                  for _ in range(int(c.get("min")), int(c.get("max")) + 1)]
        paper = int(setup.get("paperSize"))
        printable = (printing._PAPER_WIDTH[paper] - 2 * printing.MARGIN) * 96
        # xlsxwriter stores widths with Excel's padding: pixels = width × 7 (+ 5 already in it)
        need = sum(w * 7 for w in widths) * scale / 100
        if need > printable:   # split into page groups: the key columns repeat
            assert re.search(rf"Print_Titles\" localSheetId=\"\d+\">'?{name}'?!\$A:\$B", defined), name
    setups = {n: sheets(summary)[n].find(f"{NS}pageSetup") for n in ("项目明细", "指标明细")}
    assert setups["项目明细"].get("paperSize") == setups["指标明细"].get("paperSize") == str(printing.A3)


def test_a_blank_rate_is_not_coloured_as_low(summary):
    root = sheets(summary)["项目明细"]
    rules = [r for cf in root.iter(f"{NS}conditionalFormatting") if cf.get("sqref").startswith("F")
             for r in cf.iter(f"{NS}cfRule")]
    [rule] = rules
    # a formula that needs a number (Excel compares a blank cell as 0) under the rules' threshold
    assert rule.get("type") == "expression" and rule.find(f"{NS}formula").text == "AND(ISNUMBER(F2),F2<0.85)"


def test_the_summary_says_it_is_ours(summary):
    custom = zipfile.ZipFile(summary).read("docProps/custom.xml").decode()
    assert re.search(r'name="selfeval-xlsx"><vt:lpwstr>summary</vt:lpwstr>', custom)


def test_hostile_district_names_stay_in_the_header():
    assert printing.header_text("A&B\x1b[31m区\n") == "A&&B区"
    assert len(printing.header_text("长" * 300)) == printing.HEADER_TEXT


def test_a_table_wider_than_a3_prints_in_column_groups_with_its_key_columns(tmp_path):
    import xlsxwriter
    path = tmp_path / "wide.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("宽表")
    for c in range(19):
        ws.set_column(c, c, 30)
        ws.write_string(0, c, f"列{c}")
    printing.page_setup(ws, "宽表", [30] * 19, printing.Title("长安区", 2020))
    wb.close()
    book = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    assert "宽表!$A:$B,宽表!$1:$1" in book
    assert 'scale="80"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
