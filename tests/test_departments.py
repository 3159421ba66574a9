"""部门整体 forms across files: the 部门整体 sheet, its 项目支出 against the unit's projects."""
import shutil
from pathlib import Path

import openpyxl

from selfeval_xlsx.api import evaluate

WILD = Path(__file__).resolve().parent / "fixtures" / "wild"
DEPT, PROJECTS = "16a_部门整体_长征街道办事处.xlsx", "16b_项目_长征街道办事处.xlsx"


def _run(folder: Path):
    return evaluate(folder, preset="national", isolate=False)


def test_department_form_in_its_own_file_agrees_with_the_projects(tmp_path):
    for name in (DEPT, PROJECTS):
        shutil.copy(WILD / name, tmp_path / name)
    with _run(tmp_path) as res:
        assert [f.code for f in res.findings if f.code == "U105"] == []
        [dept] = res.departments
        # 16a's 项目支出 line is 120.5, the sum of 16b's two projects (80 + 40.5)
        assert (dept.unit, dept.project_spend) == ("长征街道办事处", 120.5)
        assert dept.file == DEPT


def test_department_form_in_its_own_file_that_disagrees_is_a_warning(tmp_path):
    shutil.copy(WILD / DEPT, tmp_path / DEPT)
    wb = openpyxl.load_workbook(WILD / PROJECTS)
    wb["环境整治"]["F6"] = 90          # 全年预算数 80 → 90: the projects now add up to 130.5
    wb["环境整治"]["F7"] = 90
    wb.save(tmp_path / PROJECTS)
    with _run(tmp_path) as res:
        [u105] = [f for f in res.findings if f.code == "U105"]
        assert (u105.severity, u105.file, u105.unit) == ("警告", DEPT, "长征街道办事处")
        assert "120.50" in u105.message and "130.50" in u105.message and "相差 10.00 万元" in u105.message


def test_a_unit_that_sent_only_its_department_form_has_reported(tmp_path):
    shutil.copy(WILD / DEPT, tmp_path / DEPT)
    res = evaluate(tmp_path, preset="national", isolate=False, roster=["长征街道办事处"])
    with res:
        assert not [f for f in res.findings if f.code == "B102"]

