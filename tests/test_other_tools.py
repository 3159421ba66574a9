"""Forms from other tools and provinces (issue 11, with issue 12 §5–6, 13 §5–6, 18 §3):
what the reader makes of their phrasings and layouts, figures worked out by hand."""
from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal as D

import openpyxl
import pytest

from selfeval_xlsx import form
from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.checks import check_indicator, check_project
from selfeval_xlsx.model import FundLine, Indicator, Project
from selfeval_xlsx.rules import (
    DEFAULT_PRESET,
    NATIONAL,
    SEED,
    dump_rules,
    parse_rules,
    resolve_rules,
)
from selfeval_xlsx.scoring import score_indicator, score_project
from selfeval_xlsx.targets import parse_actual, parse_target
from selfeval_xlsx.workbook import process_file
from tests.forms import filled_template, need_soffice
from tests.other_forms import dept_form, eldercare_form, road_form, small_project, write
from tests.test_checks import CLEAN


def codes(findings, severity=None):
    return sorted(f.code for f in findings if severity is None or f.severity.value == severity)


# --- deadlines (point 3) ---------------------------------------------------------------
@pytest.mark.parametrize("raw, date", [
    ("9月前", dt.date(2022, 9, 30)),             # a month alone: by its end
    ("11月底前", dt.date(2022, 11, 30)),
    ("2022年12月前", dt.date(2022, 12, 31)),
    ("12月31日前", dt.date(2022, 12, 31)),
    ("2021年12月完成", dt.date(2021, 12, 31)),
    ("年底前", dt.date(2022, 12, 31)),
    ("第三季度前", dt.date(2022, 9, 30)),
    ("2021年12月", dt.date(2021, 12, 31)),
])
def test_deadline_phrasings_take_the_evaluation_year(raw, date):
    t = parse_target(raw, year=2022)
    assert (t.kind, t.date, t.value) == ("date", date, None)


@pytest.mark.parametrize("raw", ["汛期前", "开学前完成", "13月底前"])
def test_a_deadline_we_cannot_date_is_never_a_number(raw):
    t = parse_target(raw, year=2022)
    assert (t.kind, t.date, t.value, t.error) == ("date", None, None, None)


def test_deadline_actuals():
    assert parse_actual("7月", 2022).date == dt.date(2022, 7, 31)
    assert parse_actual("2022年11月", 2022).date == dt.date(2022, 11, 30)
    assert parse_actual("12月20日", 2022).date == dt.date(2022, 12, 20)
    assert parse_actual("按时", 2022).on_time
    def w(t, a):
        return score_indicator(Indicator("产出指标", "时效指标", "完成时间", parse_target(t, year=2022),
                                                   parse_actual(a, 2022), D(10), D(6)))
    assert w("9月前", "7月").score == D(10)
    assert w("11月底前", "2022年11月").score == D(10)
    assert w("2022年12月前", "按时").score == D(10)
    assert w("年底前", "已完成").score == D(10)
    late = w("6月底前", "2022年8月")
    assert (late.score, late.met, late.fallback) == (D(6), False, "late")
    unjudged = w("汛期前", "汛期前完成")
    assert (unjudged.score, unjudged.fallback) == (D(6), "unreadable")


def test_an_unjudgeable_deadline_is_a_warning_that_says_so():
    p = _project([("产出指标", "时效指标", "完成时间", "汛期前", "汛期前完成", 10, 10)])
    found = list(check_project(p, score_project(p, NATIONAL), NATIONAL))
    [i104] = [f for f in found if f.code == "I104"]
    assert i104.severity.value == "警告" and "无法判断是否按时完成" in i104.message
    assert not [f for f in found if f.severity.value == "错误"]


# --- relative and zero targets (point 7) -------------------------------------------------
@pytest.mark.parametrize("raw", ["较上年提高5%", "不低于上年", "与上年持平", "同比增长10%"])
def test_relative_targets_need_a_person(raw):
    t = parse_target(raw)
    assert t.kind == "relative"
    s = score_indicator(Indicator("效益指标", "社会效益指标", "x", t, parse_actual("提高6%"), D(10), D(9)))
    assert (s.score, s.fallback) == (D(9), "relative")


@pytest.mark.parametrize("raw", ["零投诉", "无重大安全事故", "=0起", "0起", "杜绝违规使用资金", "≤0起", "0%"])
def test_zero_targets_are_targets(raw):
    t = parse_target(raw)
    assert t.zero and t.value == 0
    met = score_indicator(Indicator("效益指标", "社会效益指标", "x", t, parse_actual("0起"), D(10), D(10)))
    assert (met.score, met.met) == (D(10), True)
    missed = score_indicator(Indicator("效益指标", "社会效益指标", "x", t, parse_actual("2起"), D(10), D(10)))
    assert (missed.score, missed.met) == (D(0), False)


def test_words_for_nothing_happened_meet_a_zero_target():
    for actual in ("无", "0", "无重大安全事故", "达成"):
        s = score_indicator(Indicator("效益指标", "社会效益指标", "x", parse_target("无重大安全事故"),
                                      parse_actual(actual), D(10), D(10)))
        assert s.score == D(10), actual


def test_only_a_floor_of_zero_is_flagged_as_zero():
    assert not parse_target("≥0").zero
    assert not parse_target("无障碍设施改造").zero      # 无障碍 is a facility, not a zero
    p = _project([("效益指标", "社会效益指标", "投诉", "零投诉", "0", 10, 10),
                  ("产出指标", "成本指标", "成本节约率", "≥0", "3%", 10, 10)])
    found = codes(check_project(p, score_project(p, NATIONAL), NATIONAL))
    assert found.count("I114") == 1


# --- numbers as written (point 11, issue 12 §5–6, issue 13 §6) ----------------------------
def test_whole_numbers_read_as_written():
    assert parse_target(50.0).text == "50" and parse_actual(50.0).text == "50"
    assert parse_target(12.5).text == "12.5"


def test_parse_caches_keep_types_apart():
    # TRUE, 1 and 1.0 compare equal; a cache keyed on the bare value would let whichever
    # file a worker read first decide what the others read.
    assert parse_actual(True).error and parse_actual(True).value is None
    assert parse_actual(1).value == D(1) and parse_actual(1).text == "1"
    assert parse_target(True).error and parse_target(1.0).value == D(1)
    assert parse_actual(1.0).value == D(1)


@pytest.mark.parametrize("actual", ["0.95", 0.95, "95%"])
def test_a_percentage_actual_means_the_same_as_text_or_number(actual):
    s = score_indicator(Indicator("满意度指标", "服务对象满意度指标", "满意度", parse_target("≥96%"),
                                  parse_actual(actual), D(10), D(10)))
    assert s.actual_value == D(95) and s.score == D(10) * D(95) / D(96)


def test_a_plain_number_target_is_positive():
    # DOMAIN: no comparator = positive, so 7 of "6个" is met rather than 1/6 off an exact
    # target (issue 13 suggested ＝); ＝6个 typed with a full-width sign is exact.
    assert parse_target("6个").kind == "positive"
    assert score_indicator(Indicator("产出指标", "数量指标", "x", parse_target("6个"), parse_actual("7个"),
                                     D(10), D(10))).score == D(10)
    assert parse_target("＝6个").kind == "exact" and parse_target("﹦6个").kind == "exact"


def test_amounts_beyond_any_budget_are_an_error_naming_the_cell(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    big = {**CLEAN, "budget": 9e25, "executed": 9e25, "fiscal": 9e25, "initial": 9e25}
    filled_template(folder / "u.xlsx", [big, {**big, "name": "其他项目"}])
    with run_batch(folder, SEED, jobs=1) as res:
        found = res.all_findings()
    p123 = [f for f in found if f.code == "P123"]
    assert p123 and all(f.severity.value == "错误" for f in p123)
    assert {f.cell for f in p123} == {"C7", "D7", "E7", "D8"}
    assert "上限 1,000,000,000,000 万元" in p123[0].message
    assert not [f for f in found if f.code in ("F106", "F113")]


def test_error_values_are_named_not_called_blank(tmp_path):
    """=6个 typed in a spreadsheet program is a formula; LibreOffice computes #NAME? and
    python-calamine reads the cell as empty."""
    need_soffice()
    src = filled_template(tmp_path / "f.xlsx", [CLEAN])
    wb = openpyxl.load_workbook(src)
    wb["项目1"]["D15"] = "=6个"          # typed, so a formula
    wb["项目1"]["E7"] = "=D7/0"         # 全年执行数 a broken formula
    wb.save(src)
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/.lo", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(src)], check=True,
                   capture_output=True, timeout=180)
    found = process_file(out / "f.xlsx", "f.xlsx", SEED).findings
    [i119] = [f for f in found if f.code == "I119"]
    assert i119.cell == "D15" and "#NAME?" in i119.message and i119.severity.value == "错误"
    [p102] = [f for f in found if f.cell == "E7"]
    assert p102.code == "P102" and "#DIV/0!" in p102.message
    assert not [f for f in found if f.code in ("I101", "P101") and f.cell in ("D15", "E7")]


# --- saving indicators under 成本指标 (issue 18 §3) -----------------------------------------
@pytest.mark.parametrize("name", ["成本节约率", "资金节约额", "单位成本降低率", "能耗下降率", "压减一般性支出"])
def test_a_saving_written_with_geq_is_right(name):
    ind = Indicator("产出指标", "成本指标", name, parse_target("≥5%"), parse_actual("6%"), D(10), D(10))
    p = _project([])
    assert "I112" not in codes(check_indicator(p, ind, score_indicator(ind), NATIONAL))


def test_a_true_cost_written_with_geq_is_still_flagged():
    ind = Indicator("产出指标", "成本指标", "项目支出成本", parse_target("≥25万元"), parse_actual("25万元"),
                    D(10), D(10))
    assert "I112" in codes(check_indicator(_project([]), ind, score_indicator(ind), NATIONAL))


def test_saving_words_come_from_the_rules_file():
    text = dump_rules(NATIONAL)
    assert '"节约类关键词"' in text
    rules = parse_rules(text.replace('"节约率", ', ""))
    assert "节约率" not in rules.saving_words and "降低率" in rules.saving_words


def test_a_bare_cost_amount_is_a_ceiling(tmp_path):
    # 1.4万元 against a bare 1.5万元 under 成本指标: spending less is meeting it (10), not
    # 10 × 1.4/1.5 as a floor would give. A saving under 成本指标 stays a floor.
    rows = road_form()
    rows[16] = [None, "成本指标", "成本节约率", None, "5%", None, "6%", 10, 10]
    r = process_file(write(tmp_path / "a.xlsx", {"道路": rows}), "a.xlsx", NATIONAL)
    [sp] = r.projects
    cost, saving = sp.project.indicators[3], sp.project.indicators[4]
    assert (cost.target.kind, sp.score.indicators[3].score) == ("reverse", D(10))
    assert (saving.level3, saving.target.kind, sp.score.indicators[4].score) == ("成本节约率", "positive", D(10))


# --- labels (point 2) ---------------------------------------------------------------------
@pytest.mark.parametrize("label, name, weight", [
    ("产出指标(50分)", "产出指标", D(50)), ("效益指标（30分）", "效益指标", D(30)),
    ("一、产出指标", "产出指标", None), ("产出指标 50分", "产出指标", D(50)),
    ("1.数量指标", "数量指标", None), ("（三）满意度指标", "满意度指标", None),
    ("满意度", "满意度指标", None), ("社会效益", "社会效益指标", None),
])
def test_level_labels_are_normalised(label, name, weight):
    assert form.norm_level(label) == (name, weight)


# --- weight schemes (point 8) -------------------------------------------------------------
def test_national_is_the_default_preset():
    assert DEFAULT_PRESET == "national" and resolve_rules() is NATIONAL
    custom = parse_rules('["权重"]\n"预算执行率" = 10\n"产出指标" = 60\n"效益指标" = 30\n"满意度指标" = 0\n')
    assert custom.tolerance == NATIONAL.tolerance


def test_the_forms_scheme_is_named_against_the_rules():
    # CLEAN is weighted 10/40/40/10: the seed's scheme, one finding under national rules.
    p = _project([r[:5] + r[5:7] for r in CLEAN["indicators"]])
    found = [f for f in check_project(p, score_project(p, NATIONAL), NATIONAL) if f.code == "P111"]
    assert len(found) == 1
    msg = found[0].message
    assert "产出40、效益40、满意度10" in msg and "种子" in msg and "产出50、效益30、满意度10" in msg


def test_a_dimension_weighted_0_is_not_missing():
    wage = parse_rules('["权重"]\n"预算执行率" = 10\n"产出指标" = 60\n"效益指标" = 30\n"满意度指标" = 0\n')
    p = _project([("产出指标", "数量指标", "人数", "46人", "46人", 60, 60),
                  ("效益指标", "社会效益指标", "运转", "正常", "达成", 30, 30)])
    found = codes(check_project(p, score_project(p, wage), wage))
    assert "P112" not in found and "P111" not in found
    assert "P112" in codes(check_project(p, score_project(p, NATIONAL), NATIONAL))


# --- qualitative band (issue 13 §5) -------------------------------------------------------
def test_an_out_of_band_score_is_computed_inside_its_band():
    p = _project([("效益指标", "社会效益指标", "参与度", "明显提高", "部分达成", 20, 19)])
    s = score_project(p, NATIONAL)
    assert s.indicators[0].score == D(16) and s.indicators[0].banded_from == D(19)
    [i110] = [f for f in check_project(p, s, NATIONAL) if f.code == "I110"]
    assert "19.00" in i110.message and "16.00" in i110.message
    low = _project([("效益指标", "社会效益指标", "参与度", "明显提高", "达成", 20, 10)])
    assert score_project(low, NATIONAL).indicators[0].score == D(16)   # 80 % of 20


# --- whole forms -------------------------------------------------------------------------
def test_a_county_form_in_yuan_with_weights_in_labels(tmp_path):
    r = process_file(write(tmp_path / "a.xlsx", {"道路": road_form()}), "a.xlsx", NATIONAL)
    [sp] = r.projects
    p, s = sp.project, sp.score
    assert (r.unit, p.unit_code, r.year) == ("某某镇人民政府", "219001", 2022)
    assert (p.budget, p.executed, p.initial) == (D(50), D(43), D(50))      # 元 ÷ 10000
    assert s.rate == D("0.86") and s.rate_score == D("8.6")
    assert s.indicators[0].score == D(20) * D(28) / D(30)                  # 公里 from 度量单位
    assert s.total == D("8.6") + D(20) * D(28) / D(30) + D(69)   # 10+10+10+14+15+10
    assert s.self_total == D("96.27")                                       # 合计 as 总分
    assert p.declared_weights == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    assert [i.level3 for i in p.indicators][-1] == "群众满意度"             # 指标1 ignored
    assert p.exec_reason.startswith("项目结余资金")                          # from the cost row
    # Two notes, no alarm; and 95 % satisfaction with no survey named (I122, a note).
    assert codes(r.findings) == ["I122", "P120", "P124"]
    seed = process_file(tmp_path / "a.xlsx", "a.xlsx", SEED).findings
    assert codes(seed, "警告") == ["P111"]


def test_low_execution_without_a_money_reason_says_where_to_write_it(tmp_path):
    r = process_file(write(tmp_path / "a.xlsx", {"道路": road_form(reason_on_cost=None)}), "a.xlsx", NATIONAL)
    [p107] = [f for f in r.findings if f.code == "P107"]
    assert p107.severity.value == "警告" and p107.cell == "J16"
    assert "每公里养护成本" in p107.message and "偏差原因分析及改进措施" in p107.message


def test_a_provincial_form_with_a_two_row_header(tmp_path):
    r = process_file(write(tmp_path / "b.xlsx", {"养老": eldercare_form()}), "b.xlsx", NATIONAL)
    [sp] = r.projects
    p, s = sp.project, sp.score
    assert (p.name, r.unit, p.budget, p.executed) == ("社区养老服务补贴", "某某街道办事处", D(100), D(45))
    assert [i.target.kind for i in p.indicators] == ["positive", "exact", "date", "reverse", "relative",
                                                     "exact", "positive"]
    assert [x.score for x in s.indicators] == [D(20), D(10), D(10), D(10), D(18), D(10), D(10)]
    assert s.total == D("92.5") and s.self_total == D("92.5")
    assert p.exec_reason == "下半年补贴资金未拨付到位"                          # the 偏差原因 column
    # The one true problem: 92.5 claimed at 45 % executed. 较上年 is for a person to judge.
    assert codes(r.findings) == ["I118", "I120", "P115"]


def test_a_department_form_beside_its_projects(tmp_path):
    path = write(tmp_path / "c.xlsx", {"部门整体": dept_form(400), "项目A": small_project("项目A", 150, 150),
                                       "项目B": small_project("项目B", 250, 250)})
    r = process_file(path, "c.xlsx", NATIONAL)
    assert [sp.project.name for sp in r.projects] == ["项目A", "项目B"]
    [d] = r.dept
    assert d.kind == "dept" and d.project.unit == "某某镇人民政府" and r.unit == "某某镇人民政府"
    assert (d.project.budget, d.project.executed) == (D(1200), D(1150))
    assert d.project.funds["project_spend"].budget == D(400) and d.project.funds["basic"].budget == D(800)
    assert d.score.total == D(1150) / D(1200) * 10 + D(87)
    # 400 = 150 + 250: the sums agree. The two projects are one form typed twice (P128),
    # each at 95 % satisfaction with no survey named (I122).
    assert codes(r.findings) == ["I115", "I122", "I122", "P128"]
    off = process_file(write(tmp_path / "d.xlsx", {"部门整体": dept_form(300), "项目A": small_project("项目A", 150, 150),
                                                   "项目B": small_project("项目B", 250, 250)}), "d.xlsx", NATIONAL)
    [u105] = [f for f in off.findings if f.code == "U105"]
    assert u105.severity.value == "警告" and u105.cell == "D11" and "400.00" in u105.message


def test_an_unscored_form_has_no_total_and_one_finding(tmp_path):
    path = write(tmp_path / "e.xlsx", {"未评": small_project("未评项目", 10, 9.5, actuals=False, total=0),
                                       "漏填": small_project("漏填总分", 10, 10, total=None)})
    r = process_file(path, "e.xlsx", NATIONAL)
    unscored, blank_total = (sp for sp in r.projects)
    assert unscored.score.total is None and unscored.score.grade is None
    assert [f.code for f in r.findings if f.sheet == "未评"] == ["P121"]
    assert blank_total.score.total == D(100)
    [p122] = [f for f in r.findings if f.sheet == "漏填" and f.code != "I122"]
    assert (p122.code, p122.cell, p122.severity.value) == ("P122", "G13", "警告")


def test_a_deduction_column_instead_of_a_score(tmp_path):
    rows = small_project("扣分项目", 10, 10)
    rows[7][6] = "扣分"
    for r in rows[8:12]:
        r[6] = 0
    rows[9][6] = 2                      # 合格率 100% of 20, 2 deducted → 18
    r = process_file(write(tmp_path / "f.xlsx", {"扣分": rows}), "f.xlsx", NATIONAL)
    [sp] = r.projects
    assert [i.self_score for i in sp.project.indicators] == [D(30), D(18), D(30), D(10)]


def _project(rows) -> Project:
    p = Project(file="f.xlsx", sheet="s", name="p", unit="u", year=2022)
    p.funds["total"] = FundLine("total", "年度资金总额", budget=D(10), executed=D(10))
    p.indicators = [Indicator(l1, l2, l3, parse_target(t, year=2022), parse_actual(a, 2022), D(w), D(sc))
                    for l1, l2, l3, t, a, w, sc in rows]
    return p


def test_a_percent_unit_column_and_a_fraction_cell(tmp_path):
    # 计量单位 "%" beside a target of 95 and an actual typed as 0.96 in a percentage cell.
    rows = road_form()
    rows[13] = [None, "质量指标", "养护合格率", None, 95, "%", 0.96, 10, 10]
    r = process_file(write(tmp_path / "a.xlsx", {"道路": rows}), "a.xlsx", NATIONAL)
    [sp] = r.projects
    assert sp.score.indicators[1].actual_value == D(96) and sp.score.indicators[1].score == D(10)


@pytest.mark.parametrize("raw, unit", [("100%完成", "%"), ("≥95%以上", "%"), ("10个左右", "个")])
def test_words_after_a_unit_are_not_the_unit(raw, unit):
    assert parse_target(raw).unit == unit
    assert parse_actual("98%完成").unit == "%"


def test_dates_typed_as_dates_and_dotted_months():
    assert parse_target(dt.datetime(2022, 12, 31)).date == dt.date(2022, 12, 31)
    assert parse_target("2022.12前").date == dt.date(2022, 12, 31)
    dotted = parse_actual("2022.11", 2022)
    assert (dotted.date, dotted.value) == (dt.date(2022, 11, 30), D("2022.11"))   # either, as the target needs
    assert parse_actual("1200.5").date is None


def test_national_form_dashes_grades_and_2021_cost_dimension(tmp_path):
    """The national form prints — in the 其中 rows; clerks write 优秀; since 2021 some
    forms make 成本指标 a 一级 of its own (its weight counts with 产出)."""
    rows = small_project("项目", 10, 10)
    rows[6] = ["其中：当年财政拨款", None, 10, 10, 10, "—", None, "—"]
    rows.insert(7, ["上年结转资金", None, "—", "—", "—", "—", None, "—"])
    rows[9:11] = [["产出指标", "数量指标", "完成数量", "≥10个", "10个", 20, 20],
                  ["成本指标", "经济成本指标", "单位成本", "≤5万元", "4.8万元", 20, 20],
                  ["产出指标", "质量指标", "合格率", "100%", "100%", 10, 10]]
    rows[13][1] = "满意度指标"            # the 二级 repeated as 满意度指标
    rows.append(["自评等级", None, None, None, None, None, "优秀"])
    r = process_file(write(tmp_path / "n.xlsx", {"项目": rows}), "n.xlsx", NATIONAL)
    [sp] = r.projects
    assert sp.score.weights_by_dimension["产出指标"] == D(50)
    assert sp.project.indicators[-1].level2 == "服务对象满意度指标"
    assert [f.code for f in r.findings if f.severity.value != "提示"] == []


def test_a_label_weight_that_disagrees_with_its_indicators(tmp_path):
    rows = road_form()
    rows[16][7], rows[16][8] = 10, 10      # 效益指标（30分） over 10 + 15 = 25
    r = process_file(write(tmp_path / "a.xlsx", {"道路": rows}), "a.xlsx", NATIONAL)
    [p111] = [f for f in r.findings if f.code == "P111"]
    assert "效益25" in p111.message and "“效益指标”标签注明 30 分，其下各指标分值合计 25 分" in p111.message
    rows[17][7], rows[17][8] = 20, 20      # 10 + 20: 30 again, as the label says
    again = process_file(write(tmp_path / "b.xlsx", {"道路": rows}), "b.xlsx", NATIONAL)
    assert "P111" not in codes(again.findings)


def test_subtotal_rows_are_not_indicators(tmp_path):
    rows = eldercare_form()
    rows.insert(16, [None, "小计", None, None, None, None, 50, 0, 50])
    r = process_file(write(tmp_path / "s.xlsx", {"养老": rows}), "s.xlsx", NATIONAL)
    [sp] = r.projects
    assert len(sp.project.indicators) == 7 and sp.score.total == D("92.5")
    assert codes(r.findings) == ["I118", "I120", "P115"]


def test_a_form_without_a_second_level(tmp_path):
    rows = small_project("项目", 10, 10)
    for r in rows[7:12]:
        del r[1]
    rows[12] = ["总分", None, None, None, 100, 100]
    r = process_file(write(tmp_path / "n.xlsx", {"项目": rows}), "n.xlsx", NATIONAL)
    [sp] = r.projects
    # (满意度指标 has one 二级 only, so it is filled in.)
    assert sp.score.total == D(100) and [i.level2 for i in sp.project.indicators] == ["", "", "", "服务对象满意度指标"]
    assert [f.code for f in r.findings if f.severity.value != "提示"] == []


def test_a_rate_row_in_the_indicator_table(tmp_path):
    # 预算执行率 listed as the table's first row (10 分, self 9): the funds block's rate, once.
    rows = small_project("项目", 10, 9)
    rows[5][5:] = [None, None, None]
    rows.insert(8, ["预算执行率", None, None, "100%", "90%", 10, 9])
    r = process_file(write(tmp_path / "r.xlsx", {"项目": rows}), "r.xlsx", NATIONAL)
    [sp] = r.projects
    p, s = sp.project, sp.score
    assert len(p.indicators) == 4 and (p.rate_weight, p.self_rate_score) == (D(10), D(9))
    assert s.rate_score == D(9) and s.total == D(9) + D(30) + D(20) + D(30) + D(10)
    assert not [f for f in r.findings if f.code in ("I117", "P109", "P119", "P122")]


def test_a_target_in_a_percentage_cell_against_a_typed_percentage():
    def score(actual):
        return score_indicator(Indicator("产出指标", "质量指标", "合格率", parse_target(0.95), parse_actual(actual),
                                         D(10), D(10))).score
    assert score("96%") == D(10)
    assert score("76%") == D(8)          # 10 × 76/95 (compared with 0.95 it would look met)


def test_weights_written_as_percentages(tmp_path):
    rows = small_project("项目", 10, 10)
    for r, w in zip(rows[8:12], ("30%", "20%", "30%", "10%")):
        r[5] = w
    r = process_file(write(tmp_path / "w.xlsx", {"项目": rows}), "w.xlsx", NATIONAL)
    [sp] = r.projects
    assert [i.weight for i in sp.project.indicators] == [D(30), D(20), D(30), D(10)]
    assert sp.score.total == D(100) and "P102" not in codes(r.findings)


def test_a_long_department_title(tmp_path):
    rows = dept_form(400)
    rows[0] = ["某某市某某区某某镇人民政府2022年度部门整体支出绩效自评表（含基本支出和项目支出，单位：万元）"]
    r = process_file(write(tmp_path / "t.xlsx", {"部门": rows}), "t.xlsx", NATIONAL)
    assert r.projects == [] and len(r.dept) == 1 and r.unit == "某某镇人民政府"


def test_a_long_title_stating_yuan(tmp_path):
    rows = road_form()
    rows[0] = ["某某县2022年度农村公路养护项目支出绩效自评表（本表金额单位：元，百分比保留两位小数）（单位：元）"]
    rows[4][0] = "项目资金"
    r = process_file(write(tmp_path / "y.xlsx", {"道路": rows}), "y.xlsx", NATIONAL)
    assert r.projects[0].project.budget == D(50) and "P124" in codes(r.findings)


def test_a_sheet_without_a_year_takes_the_files(tmp_path):
    dated = small_project("有年度", 10, 10)
    undated = small_project("无年度", 10, 10)
    undated[1] = ["（   年度）"]
    undated[9] = ["产出指标", "时效指标", "完成时间", "9月前", "7月", 20, 20]
    r = process_file(write(tmp_path / "y.xlsx", {"甲": dated, "乙": undated}), "y.xlsx", NATIONAL)
    ind = r.projects[1].project.indicators[1]
    assert ind.target.date == dt.date(2022, 9, 30) and r.projects[1].score.indicators[1].score == D(20)
    assert "I104" not in codes(r.findings)


def test_a_form_with_actuals_but_no_scores(tmp_path):
    # All quantitative: the rules can score it; one I106 for the form, not four.
    rows = small_project("未打分", 10, 10)
    for r in rows[8:12]:
        r[6] = None
    rows[10][3], rows[10][4] = "≥90%", "95%"        # make the qualitative row quantitative
    r = process_file(write(tmp_path / "u.xlsx", {"项目": rows}), "u.xlsx", NATIONAL)
    [sp] = r.projects
    assert sp.score.total == D(100) and [f.code for f in r.findings].count("I106") == 1
    # With a qualitative indicator its score can only be the clerk's: no total.
    rows[10][3], rows[10][4] = "有效提升", "达成"
    r = process_file(write(tmp_path / "v.xlsx", {"项目": rows}), "v.xlsx", NATIONAL)
    assert r.projects[0].score.total is None and "P121" in codes(r.findings)
    assert "I106" not in codes(r.findings)


def test_the_national_department_layout_with_uses_beside_sources(tmp_path):
    rows = dept_form(400)
    rows[5:11] = [
        ["按收入性质分：", None, None, None, None, "按支出性质分："],
        ["其中：一般公共预算：", None, 900, 1100, 1060, "其中：基本支出：", 800],
        ["其他资金：", None, 100, 100, 90, "项目支出：", 400],
    ]
    path = write(tmp_path / "d.xlsx", {"部门整体": rows, "项目A": small_project("项目A", 150, 150),
                                       "项目B": small_project("项目B", 200, 200)})
    r = process_file(path, "d.xlsx", NATIONAL)
    [d] = r.dept
    funds = d.project.funds
    assert (funds["fiscal"].budget, funds["other"].budget) == (D(1100), D(100))
    assert (funds["basic"].budget, funds["project_spend"].budget) == (D(800), D(400))
    [u105] = [f for f in r.findings if f.code == "U105"]     # 150 + 200 = 350, not 400
    assert u105.cell == "G8" and "350.00" in u105.message
    assert "P108" not in codes(r.findings)
