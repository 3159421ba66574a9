"""What we write, proven in a real spreadsheet program (LibreOffice, headless)."""
import shutil
import subprocess
import zipfile
from decimal import Decimal as D
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.rows import to_rows
from selfeval_xlsx.rules import NATIONAL, SEED
from selfeval_xlsx.summary_xlsx import write_summary
from selfeval_xlsx.template import LAYOUT, write_template
from selfeval_xlsx.workbook import process_file
from tests.forms import SPECIAL, convert, filled_template, need_soffice
from tests.test_checks import CLEAN

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "input_templates" / "examples" / "长安区"
SYSTEM_PYTHON = "/usr/bin/python3"


def probe(*args) -> str:
    need_soffice()
    check = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], check=False, capture_output=True)
    if check.returncode != 0:
        pytest.fail("python3-uno is needed to drive LibreOffice (apt-get install python3-uno)")
    out = subprocess.run([SYSTEM_PYTHON, str(HERE / "lo_probe.py"), *map(str, args)],
                         capture_output=True, text=True, timeout=240, check=True)
    return out.stdout


def follow_link(summary: Path, row: int, col: int, profile: Path) -> tuple[str, str, str]:
    path, sheet, cell = probe("follow", summary, "问题清单", row, col, profile).strip().split("\t")
    return path, sheet, cell


def test_finding_link_opens_the_cell_after_moving_both_folders(tmp_path):
    district = tmp_path / "a" / "长安区"
    shutil.copytree(EXAMPLES, district)
    summary = write_summary(run_batch(district, SEED), tmp_path / "a" / "output" / "汇总.xlsx")
    # Move the district folder and the output together: the links are relative.
    shutil.move(tmp_path / "a", tmp_path / "b")
    summary = tmp_path / "b" / "output" / "汇总.xlsx"
    ws = openpyxl.load_workbook(summary)["问题清单"]
    header = [c.value for c in ws[1]]
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=1):  # noqa: B007 - r is used after the loop
        rec = dict(zip(header, row))
        if rec["代码"] == "P107" and rec["单位名称"] == "中山东路街道办事处":
            break
    else:
        pytest.fail("P107 for 中山东路街道办事处 missing")
    assert (rec["工作表"], rec["单元格"]) == ("项目3", "C11")
    path, sheet, cell = follow_link(summary, r, header.index("单元格"), tmp_path / "profile")
    assert Path(path) == tmp_path / "b" / "长安区" / "中山东路街道办事处.xlsx"
    assert (sheet, cell) == ("项目3", "C11")


def cached(path: Path, sheet: str, ref: str):
    """What a spreadsheet program saved in a cell (calamine reads cached values)."""
    from selfeval_xlsx.grid import load_sheets
    [ws] = [w for w in load_sheets(path.read_bytes()) if w.name == sheet]
    col = ord(ref[0]) - 65
    return ws.get(int(ref[1:]) - 1, col)


@pytest.mark.parametrize("project, rate, rate_score, total, grade", [
    (CLEAN, 0.96, 9.6, 95.6, "优"),                                  # 24 of 25 spent
    (dict(SPECIAL, exec_reason="疫情影响"), 0.6, 6.0, 96.0, "优"),    # the seed's 专项经费
])
def test_template_formulas_agree_with_selfeval(tmp_path, project, rate, rate_score, total, grade):
    """Filled by a program, recalculated and saved by LibreOffice: its formula cells
    show what selfeval computes from the same inputs."""
    src = filled_template(tmp_path / "filled.xlsx", [project])
    saved = convert(src, "xlsx", tmp_path / "lo")
    L = LAYOUT
    rate_cell = f"G{L.funds_first + 1}"
    score_cell = f"H{L.funds_first + 1}"
    total_cell = f"G{L.total + 1}"
    grade_cell = f"F{L.grade + 1}"
    [sp] = process_file(src, "filled.xlsx", SEED).projects
    assert cached(saved, "项目1", rate_cell) == pytest.approx(float(sp.score.rate), abs=1e-12) == rate
    assert cached(saved, "项目1", score_cell) == pytest.approx(float(sp.score.rate_score), abs=1e-12)
    assert cached(saved, "项目1", score_cell) == pytest.approx(rate_score, abs=1e-12)
    # The template's 总分 adds the clerk's own scores; selfeval derives the same.
    assert cached(saved, "项目1", total_cell) == pytest.approx(float(sp.score.self_total), abs=1e-9)
    assert cached(saved, "项目1", total_cell) == pytest.approx(total, abs=1e-9)
    assert cached(saved, "项目1", grade_cell) == grade == sp.score.grade
    if project is CLEAN:  # every self score follows the rule: the computed total matches too
        assert sp.score.total == D("95.6")


def test_template_saved_by_libreoffice_reads_back_the_same(tmp_path):
    src = filled_template(tmp_path / "filled.xlsx", [SPECIAL, CLEAN])
    saved = convert(src, "xlsx", tmp_path / "lo")
    ours, theirs = (to_rows(process_file(p, "f.xlsx", SEED)) for p in (src, saved))
    assert theirs.project_rows == ours.project_rows
    assert theirs.indicator_rows == ours.indicator_rows
    assert [(f.code, f.sheet, f.cell) for f in theirs.findings] == \
        [(f.code, f.sheet, f.cell) for f in ours.findings]
    # LibreOffice kept the merged cells: the empty 执行率未达90%原因 still points past them.
    [p107] = [f for f in theirs.findings if f.code == "P107"]
    assert p107.cell == "C11"
    # and its styles: amounts keep two decimals.
    wb = openpyxl.load_workbook(saved)
    assert wb["项目1"]["D7"].number_format == "0.00"
    assert "C11:H11" in {str(r) for r in wb["项目1"].merged_cells.ranges}


def _is_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF") and data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 1


def test_template_and_summary_render_to_pdf(tmp_path):
    template = write_template(tmp_path / "模板.xlsx", projects=2)
    with run_batch(EXAMPLES, NATIONAL) as result:
        summary = write_summary(result, tmp_path / "汇总.xlsx")
    for path in (template, summary):
        pdf = convert(path, "pdf", tmp_path / "pdf")
        assert _is_pdf(pdf), path


def test_summary_opens_cleanly(tmp_path):
    with run_batch(EXAMPLES, NATIONAL) as result:
        summary = write_summary(result, tmp_path / "汇总.xlsx")
    # Every part is well-formed XML and declared in [Content_Types].xml.
    with zipfile.ZipFile(summary) as z:
        types = z.read("[Content_Types].xml").decode()
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(z.read(name))
            if name.startswith("xl/worksheets/sheet"):
                assert f'PartName="/{name}"' in types
    lines = probe("open", summary, tmp_path / "profile").splitlines()
    assert [line.split("\t")[0] for line in lines] == ["汇总", "图表", "项目明细", "指标明细", "问题清单", "运行信息"]
    assert lines[0].split("\t")[1] == "单位名称"


def test_readme_shows_every_rendering():
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    images = sorted((HERE.parent / "docs" / "images").glob("*.png"))
    assert images, "run python docs/render.py"
    for png in images:
        assert f"docs/images/{png.name}" in readme, png.name
    for sheet in ("汇总", "图表", "项目明细", "指标明细", "问题清单", "运行信息"):
        assert (HERE.parent / "docs" / "images" / f"汇总-{sheet}.png").exists(), sheet
