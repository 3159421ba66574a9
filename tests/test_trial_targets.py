"""`--targets` with files as budget systems really give them: a code of digits stored as a
number on one side (its leading zeros gone), and 申报表 that name their unit only in the
file name or title, beside another unit's 申报表 for a project of the same name."""
from __future__ import annotations

from pathlib import Path

from tests.forms import filled_template
from tests.test_targets_file import APPROVED, UNIT, by_openpyxl, by_xlsxwriter, declaration, form, run, t_findings

OTHER = "建北街道办事处"


def test_code_without_its_leading_zeros_is_the_same_code(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "u.xlsx", [form("专项经费", "012345")], unit=UNIT)
    sheet = declaration("专项业务经费", UNIT, "", APPROVED)   # another name: only the code can match it
    sheet[2][4] = 12345                                       # the export wrote the code as a number
    by_openpyxl(tmp_path / "t.xlsx", {"专项": sheet})
    with run(inputs, tmp_path / "t.xlsx") as result:
        assert t_findings(result) == []


def unitless(name: str, title: str = "项目支出绩效目标申报表") -> list[list]:
    sheet = declaration(name, "", "", APPROVED)
    sheet[0] = [title]
    sheet[3] = ["主管部门", "长安区人民政府"]   # no 实施单位 at all
    return sheet


def two_units(inputs: Path) -> None:
    inputs.mkdir()
    filled_template(inputs / "a.xlsx", [form("社区党建经费")], unit=UNIT)
    p = form("社区党建经费")
    p["unit"] = OTHER
    filled_template(inputs / "b.xlsx", [p], unit=OTHER)


def test_unit_in_the_file_name_only(tmp_path):
    """建北's own 申报表 names its unit; 中山东路's says it only in its file name. Neither
    project is ambiguous, and 中山东路's project is matched to its own file."""
    two_units(tmp_path / "in")
    targets = tmp_path / "targets"
    targets.mkdir()
    by_xlsxwriter(targets / f"{UNIT}2020年项目绩效目标.xlsx", {"Sheet1": unitless("社区党建经费")})
    by_xlsxwriter(targets / f"{OTHER}2020年项目绩效目标.xlsx",
                  {"社区党建经费": declaration("社区党建经费", OTHER, "", APPROVED)})
    with run(tmp_path / "in", targets) as result:
        assert t_findings(result) == []


def test_unit_in_the_title_only_and_its_missing_project(tmp_path):
    """Titles name the units; 建北 has no form for its 申报表's second project: T109 on
    建北's file, not a unit-less line."""
    two_units(tmp_path / "in")
    by_xlsxwriter(tmp_path / "t.xlsx", {
        "1": unitless("社区党建经费", f"{UNIT}项目支出绩效目标申报表"),
        "2": unitless("社区党建经费", f"{OTHER}项目支出绩效目标申报表"),
        "3": unitless("环境整治经费", f"{OTHER}项目支出绩效目标申报表")})
    with run(tmp_path / "in", tmp_path / "t.xlsx") as result:
        assert t_findings(result) == [("T109", "环境整治经费", "", "", "环境整治经费")]
        t109 = next(f for f in result.all_findings() if f.code == "T109")
        assert (t109.unit, t109.file) == (OTHER, "b.xlsx")


def test_unitless_with_nothing_naming_a_unit_is_no_units(tmp_path):
    """Two 申报表 of the same name, neither naming a unit anywhere: matched to no unit's
    project (never guessed), each named as having no form."""
    two_units(tmp_path / "in")
    by_xlsxwriter(tmp_path / "t.xlsx", {"1": unitless("社区党建经费"), "2": unitless("社区党建经费")})
    with run(tmp_path / "in", tmp_path / "t.xlsx") as result:
        assert [f[0] for f in t_findings(result)] == ["T107", "T107", "T109", "T109"]


def test_unreadable_targets_are_one_finding_not_one_per_project(tmp_path):
    """--targets pointing at a PDF: T110 says it; no project is "without approved targets"."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "u.xlsx", [form("专项经费"), form("补充经费")], unit=UNIT)
    (tmp_path / "批复文件.pdf").write_bytes(b"%PDF-1.4\n")
    with run(inputs, tmp_path / "批复文件.pdf") as result:
        assert [f[0] for f in t_findings(result)] == ["T110"]


def test_missing_project_goes_to_the_longest_unit_its_title_names(tmp_path):
    """东路街道办事处 is part of 中山东路街道办事处: a 申报表 titled with the longer name is
    the longer unit's."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "a.xlsx", [form("社区党建经费")], unit=UNIT)
    p = form("社区办公经费")
    p["unit"] = "东路街道办事处"
    filled_template(inputs / "b.xlsx", [p], unit="东路街道办事处")
    by_xlsxwriter(tmp_path / "t.xlsx", {"1": unitless("社区党建经费", f"{UNIT}项目支出绩效目标申报表"),
                                        "2": unitless("环境整治经费", f"{UNIT}项目支出绩效目标申报表"),
                                        "3": unitless("社区办公经费", "东路街道办事处项目支出绩效目标申报表")})
    with run(inputs, tmp_path / "t.xlsx") as result:
        assert t_findings(result) == [("T109", "环境整治经费", "", "", "环境整治经费")]
        t109 = next(f for f in result.all_findings() if f.code == "T109")
        assert (t109.unit, t109.file) == (UNIT, "a.xlsx")
