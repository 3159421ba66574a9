"""What we write, proven in a real spreadsheet program (LibreOffice, headless)."""
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.rules import SEED
from selfeval_xlsx.summary_xlsx import write_summary
from tests.forms import need_soffice

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "input_templates" / "examples" / "长安区"
SYSTEM_PYTHON = "/usr/bin/python3"


def follow_link(summary: Path, row: int, col: int, profile: Path) -> tuple[str, str, str]:
    need_soffice()
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        pytest.fail("python3-uno is needed to drive LibreOffice (apt-get install python3-uno)")
    out = subprocess.run([SYSTEM_PYTHON, str(HERE / "lo_follow_link.py"), str(summary), "问题清单",
                          str(row), str(col), str(profile)],
                         capture_output=True, text=True, timeout=240, check=True)
    path, sheet, cell = out.stdout.strip().split("\t")
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
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=1):
        rec = dict(zip(header, row))
        if rec["代码"] == "P107" and rec["单位名称"] == "中山东路街道办事处":
            break
    else:
        pytest.fail("P107 for 中山东路街道办事处 missing")
    assert (rec["工作表"], rec["单元格"]) == ("项目3", "C11")
    path, sheet, cell = follow_link(summary, r, header.index("单元格"), tmp_path / "profile")
    assert Path(path) == tmp_path / "b" / "长安区" / "中山东路街道办事处.xlsx"
    assert (sheet, cell) == ("项目3", "C11")
