"""Budget-system exports holding a project's whole cycle (issue 18).

The workbooks are built by tests/fixtures/make_exports.py; every expectation below was
worked out by hand from the rows written there (sheet layout: funds lines on rows 7–10,
indicators on rows 15– of the 自评表; the 申报表's indicators from row 10).
"""
from __future__ import annotations

import shutil
from decimal import Decimal as D

import openpyxl
import pytest

from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.rules import NATIONAL
from selfeval_xlsx.tables import as_json
from selfeval_xlsx.workbook import process_file
from tests.fixtures import make_exports
from tests.forms import filled_template

EXPORTS = make_exports.OUT
ONE, TWO, ONE_XLS = (sorted(p.name for p in EXPORTS.iterdir() if p.suffix in (".xlsx", ".xls")))
ONE_PROJECT = (ONE, ONE_XLS)


def read(name: str):
    return process_file(EXPORTS / name, name, NATIONAL)


def test_the_fixtures_are_what_the_script_writes(tmp_path):
    for name, build in make_exports.FORMS.items():
        build(tmp_path / name)
        assert (tmp_path / name).read_bytes() == (EXPORTS / name).read_bytes(), \
            "rerun tests/fixtures/make_exports.py and commit"
    assert set(make_exports.XLS) == {ONE_XLS}


# --- one project per 自评表 sheet, with its 项目编码 --------------------------------------------
@pytest.mark.parametrize("name", ONE_PROJECT, ids=["xlsx", "xls"])
def test_an_eleven_sheet_export_is_one_project(name):
    r = read(name)
    assert r.file.status == "已读取" and (r.unit, r.year) == ("新街口街道办事处", 2021)
    [sp] = r.projects
    p, s = sp.project, sp.score
    assert (p.sheet, p.name, p.code) == ("项目支出绩效自评表", "背街小巷环境整治项目", "110105210000001234")
    # Text amounts with thousands separators read as the national form's numbers.
    assert (p.initial, p.budget, p.executed) == (D("1200.00"), D("1250.00"), D("1187.50"))
    assert s.rate == D("0.95") and s.rate_score == D("9.5")
    # 15+15+10+10+14+15+10 = 89, plus 9.5: the clerk's 98.5 (text "98.5").
    assert [x.score for x in s.indicators] == [15, 15, 10, 10, 14, 15, 10]
    assert s.total == D("98.5") and p.self_total == D("98.5") and s.grade == "优"
    assert [(i.level1, i.level2) for i in p.indicators][4:6] == [("效益指标", "社会效益指标")] * 2
    assert r.file.kinds == "项目支出绩效自评表 1、绩效目标申报表 1、绩效目标执行监控表 1、非表单 8"
    assert r.file.projects == 1 and r.dept == []


def test_two_projects_take_their_codes_from_the_matching_申报表():
    r = read(TWO)
    got = [(sp.project.sheet, sp.project.name, sp.project.code, sp.score.rate, sp.score.total) for sp in r.projects]
    assert got == [
        ("项目支出绩效自评表1", "农村公路养护经费", "620825220000000101", D("0.975"), D("97.75")),
        ("项目支出绩效自评表2", "农村饮水安全维护经费", "620825220000000102", D(1), D(100)),
    ]
    assert r.file.kinds == "项目支出绩效自评表 2、绩效目标申报表 2、绩效目标执行监控表 2、非表单 12"


# --- findings: only on the self-evaluations, and only what a reviewer expects --------------
@pytest.mark.parametrize("name", [ONE, TWO, ONE_XLS])
def test_no_finding_on_a_sheet_that_is_not_a_self_evaluation(name):
    r = read(name)
    forms = {sp.project.sheet for sp in r.projects}
    assert {f.sheet for f in r.findings} <= forms
    assert not [f for f in r.findings if f.code in ("F104", "P113", "I102", "I106", "P101")]


@pytest.mark.parametrize("name", [ONE, TWO, ONE_XLS])
def test_every_figure_as_text_is_one_note_per_sheet(name):
    r = read(name)
    p103 = [f for f in r.findings if f.code == "P103"]
    # 01: 12 amounts + 执行率分值/得分 + 7 × (分值, 得分) + 总分 = 29; 02: 12 + 2 + 5 × 2 + 1 = 25.
    want = {sp.project.sheet: "29" if name != TWO else "25" for sp in r.projects}
    assert {f.sheet: f.value for f in p103} == want and len(p103) == len(want)
    assert all(f.severity.value == "提示" for f in p103)


@pytest.mark.parametrize("name", ONE_PROJECT, ids=["xlsx", "xls"])
def test_the_申报表_differences_are_found(name):
    r = read(name)
    found = sorted((f.code, f.cell, f.value) for f in r.findings if f.code.startswith("T"))
    assert found == [
        ("T101", "C15", "长效管护机制"),      # 可持续影响指标 gone: pointed at the first indicator
        ("T101", "C16", "道路保洁覆盖率"),    # a 质量指标 gone: beside the remaining 质量指标
        ("T102", "C20", "群众投诉办结率"),
        ("T103", "C15", "整治背街小巷数量"),  # 背街小巷整治数量 reworded
        ("T104", "E21", "≥90%"),             # 居民满意度 ≥95% lowered to ≥90%
        ("T105", "G16", "15"),               # 整治验收合格率 weighed 10 in the 申报表
        ("T106", "E7", "1,200.00"),          # approved 1,250.00 万元
    ]
    t = {f.code + f.cell: f for f in r.findings}
    assert "由申报表“项目支出绩效目标申报表”的“≥95%”改为“≥90%”（目标降低）" in t["T104E21"].message
    assert "（C12）的三级指标“道路保洁覆盖率”" in t["T101C16"].message
    assert all(f.severity.value == "警告" for f in r.findings if f.code.startswith("T"))
    # Nothing else a reviewer must look at: the 成本节约率 ≥5% is a saving, rightly ≥.
    others = [f.code for f in r.findings if f.severity.value != "提示" and not f.code.startswith("T")]
    assert others == []


def test_a_self_evaluation_keeping_to_its_申报表_raises_nothing():
    """The 申报表 writes 指标性质/指标值/度量单位 apart (≥ | 95 | %): the same target."""
    assert [(f.code, f.sheet) for f in read(TWO).findings if f.severity.value != "提示"] == []


# --- through a run: 项目数, and 运行信息 says what each file holds -------------------------------
@pytest.mark.parametrize("name, unit, projects", [(ONE, "新街口街道办事处", 1), (TWO, "城关镇人民政府", 2)],
                         ids=["one", "two"])
def test_the_run_counts_one_project_per_self_evaluation(tmp_path, name, unit, projects):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXPORTS / name, folder / name)
    with run_batch(folder, NATIONAL, jobs=1) as res:
        out = as_json(res)
    assert (out["汇总"][0]["单位名称"], out["汇总"][0]["项目数"]) == (unit, projects)
    assert [r["项目编码"] for r in out["项目明细"]] == [sp.project.code for sp in read(name).projects]
    assert all(r["项目编码"] for r in out["项目明细"]) and len(out["项目明细"]) == projects
    [entry] = out["运行信息"]["文件"]
    assert entry["工作表类型"] == read(name).file.kinds
    assert entry["工作表类型"].startswith(f"项目支出绩效自评表 {projects}、绩效目标申报表 {projects}、")
    assert entry["原因"] in ("", None)


# --- sheets we cannot place: one note per file ---------------------------------------------
CLEAN = {
    "name": "专项经费", "unit": "中山东路街道办事处", "year": 2020,
    "initial": 25, "budget": 25, "executed": 24, "fiscal": 25,
    "indicators": [
        ("产出指标", "数量指标", "开展专项活动次数", "≥10次", "10次", 20, 20, ""),
        ("产出指标", "质量指标", "资金使用合规率", "100%", "100%", 15, 15, ""),
        ("产出指标", "成本指标", "项目支出成本", "≤25万元", "24万元", 15, 15, ""),
        ("效益指标", "社会效益指标", "社区治理水平", "有效提升", "达成", 30, 27, ""),
        ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "95%", 10, 10, ""),
    ],
}


def test_unplaced_sheets_are_named_in_one_note_and_known_ones_are_silent(tmp_path):
    path = filled_template(tmp_path / "u.xlsx", [CLEAN])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("草稿")["A1"] = "随手记的数字"
    wb.create_sheet("备忘")["B2"] = "下周报送"
    wb.create_sheet("Sheet9")                                # empty: nothing at all
    info = wb.create_sheet("项目基本信息")
    info["A1"], info["A2"], info["B2"] = "项目基本信息", "项目编码", "130102200000000007"
    detail = wb.create_sheet("支出明细")
    for row in (["支出内容", "预算数", "执行数"], ["办公用品", 5, 4.8], ["合计", 5, 4.8]):
        detail.append(row)
    wb.save(path)
    r = process_file(path, "u.xlsx", NATIONAL)
    [f104] = [f for f in r.findings if f.code == "F104"]
    assert (f104.sheet, f104.value, f104.severity.value) == ("草稿", "2", "提示")
    assert "“草稿”、“备忘”" in f104.message
    assert [sp.project.name for sp in r.projects] == ["专项经费"]
    assert r.projects[0].project.code == "130102200000000007"   # the only 项目编码 in the file
    assert not [f for f in r.findings if f.sheet in ("项目基本信息", "支出明细", "Sheet9")]
    assert r.file.kinds == "项目支出绩效自评表 1、单位信息表 1、非表单 2、未识别 2"


def test_a_workbook_of_targets_only_has_no_projects_and_says_what_it_holds(tmp_path):
    path = tmp_path / "t.xlsx"
    make_exports.write(path, [("申报表", lambda g: make_exports.targets(g, make_exports.ALLEYS))])
    r = process_file(path, "t.xlsx", NATIONAL)
    assert r.projects == [] and {f.code for f in r.findings} == {"F103", "U101"}   # no unit either
    assert r.file.reason == "未找到项目支出绩效自评表" and r.file.kinds == "绩效目标申报表 1"


def test_a_targets_table_without_a_title_is_known_by_its_columns(tmp_path):
    """Indicators with targets and weights but nothing achieved, scored or spent."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["项目名称", "专项经费"])
    ws.append(["一级指标", "二级指标", "三级指标", "指标值", "分值"])
    ws.append(["产出指标", "数量指标", "开展专项活动次数", "≥10次", 20])
    wb.save(tmp_path / "t.xlsx")
    r = process_file(tmp_path / "t.xlsx", "t.xlsx", NATIONAL)
    assert r.projects == [] and r.file.kinds == "绩效目标申报表 1"


def test_a_self_evaluation_in_a_sheet_named_like_targets_is_still_a_project(tmp_path):
    """The name says 绩效目标表, the columns say achieved and scored: the columns win (no title)."""
    path = filled_template(tmp_path / "u.xlsx", [CLEAN])
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    ws.title = "绩效目标表"
    ws["A1"] = ws["A2"] = None   # no title to say 自评
    wb.save(path)
    r = process_file(path, "u.xlsx", NATIONAL)
    assert [sp.project.sheet for sp in r.projects] == ["绩效目标表"]


def test_the_unit_report_does_not_call_drifted_targets_well_set(tmp_path):
    from selfeval_xlsx.report import draft_reports
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXPORTS / ONE, folder / ONE)
    from tests.claimcheck import Results, unsupported
    with run_batch(folder, NATIONAL, jobs=1) as res:
        reports = draft_reports(res)
        assert unsupported(reports, Results(res)) == []
    unit = next(r for r in reports if r.unit)
    said = "".join(c.text for c in unit.claims())
    assert "未发现目标设定方面的问题" not in said
    assert "指标值与申报表不一致（1处，涉及背街小巷环境整治项目）" in said


def test_a_review_table_of_indicators_is_not_a_project(tmp_path):
    """A 绩效目标审核意见表 lists 一级/二级/三级/指标值 like a form: its title says what it is."""
    path = filled_template(tmp_path / "u.xlsx", [CLEAN])
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("审核")
    ws.append(["绩效目标审核意见表"])
    ws.append(["项目名称", "专项经费"])
    ws.append(["一级指标", "二级指标", "三级指标", "指标值", "审核意见"])
    ws.append(["产出指标", "数量指标", "开展专项活动次数", "≥10次", "指标值偏低，建议提高"])
    wb.save(path)
    r = process_file(path, "u.xlsx", NATIONAL)
    assert [sp.project.sheet for sp in r.projects] == ["项目1"]
    assert not [f for f in r.findings if f.sheet == "审核"]
    assert "非表单 1" in r.file.kinds
