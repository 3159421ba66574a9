"""--previous: last year's summary (workbook or JSON) against this year's forms.

Each scenario fills the template for 2019 and 2020 the way a clerk would, runs the 2019
folder through our own pipeline to get last year's summary, and runs 2020 against it.
Figures are worked out by hand in the comments (SEED weights 10/40/40/10)."""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import selfeval_xlsx as se
from selfeval_xlsx.cli import main
from selfeval_xlsx.previous import PreviousError, build_index, load_index
from selfeval_xlsx.rules import NATIONAL, SEED
from tests.forms import filled_template
from tests.test_checks import CLEAN, ind, project

UNIT = "中山东路街道办事处"
Y_CODES = ("Y101", "Y102", "Y103", "Y104")


def last_year(p: dict) -> dict:
    """The same project dated 2019 (its 评价年度 and its deadline)."""
    rows = [tuple(str(v).replace("2020", "2019") if isinstance(v, str) else v for v in r) for r in p["indicators"]]
    return {**p, "year": 2019, "indicators": rows}


def summary(tmp_path: Path, projects: list[dict], kind: str = "json", rules=SEED, code: str = "") -> Path:
    """Last year's summary, written by our own pipeline from 2019 forms."""
    folder = tmp_path / "2019"
    folder.mkdir(exist_ok=True)
    book = filled_template(folder / "u.xlsx", [last_year(p) for p in projects], year=2019, unit=UNIT, rules=rules)
    if code:
        with_code(book, code)
    out = tmp_path / f"长安区2019年汇总.{kind}"
    with se.evaluate(folder, rules=rules, isolate=False) as r:
        assert r.year == 2019
        (se.write_json if kind == "json" else se.write_summary)(r, out)
    return out


def with_code(path: Path, code: str) -> None:
    """A budget system's 项目基本信息 sheet: the file's one project gets its 项目编码."""
    wb = openpyxl.load_workbook(path)
    info = wb.create_sheet("项目基本信息")
    info["A1"], info["A2"], info["B2"] = "项目基本信息", "项目编码", code
    wb.save(path)


def this_year(tmp_path: Path, projects: list[dict], previous: Path, rules=SEED, code: str = "") -> se.Results:
    folder = tmp_path / "2020"
    folder.mkdir(exist_ok=True)
    book = filled_template(folder / "u.xlsx", projects, unit=UNIT, rules=rules)
    if code:
        with_code(book, code)
    return se.evaluate(folder, rules=rules, isolate=False, previous=previous)


def distinct(p: dict, name: str) -> dict:
    """`p` named `name`, two of its indicator names its own: projects of one unit that
    share nearly every row are copies (P128), which these tests are not about."""
    rows = [tuple(f"{v}（{name}）" if k == 2 and i in (1, 2) else v for k, v in enumerate(r))
            for i, r in enumerate(p["indicators"])]
    return {**p, "name": name, "indicators": rows}


def y_findings(results: se.Results) -> list[tuple[str, str]]:
    return sorted((f.code, f.project) for f in results.all_findings() if f.code in Y_CODES)


def pair(tmp_path: Path, last: dict, this: dict, kind: str = "json") -> list[tuple[str, str]]:
    with this_year(tmp_path, [this], summary(tmp_path, [last], kind)) as r:
        return y_findings(r)


# --- the four kinds, each with the near miss that must stay silent ------------------------

# I111 (警告): 8 of ≥10次 done, no reason given — in both years.
MISSED = ind(0, actual="8次", self_score=8)
# 76 = 10 (all spent) + 2 + 10 + 10 + 10 (产出) + 12 + 12 (部分达成, bottom of the band) + 10.
LOW = project(executed=25, indicators=[
    ("产出指标", "数量指标", "开展专项活动次数", "≥10次", "2次", 10, 2, "受疫情影响，活动大幅减少"),
    *CLEAN["indicators"][1:4],
    ("效益指标", "社会效益指标", "社区治理水平", "有效提升", "部分达成", 20, 12, "参与面不足，下年扩大宣传"),
    ("效益指标", "可持续影响指标", "长效机制建立", "建立并持续运行", "部分达成", 20, 12, "机制尚在试行，下年完善"),
    CLEAN["indicators"][6]])
# 80 exactly: 6 of ≥10次 instead of 2 — 良, not low.
AT_LINE = {**LOW, "indicators": [("产出指标", "数量指标", "开展专项活动次数", "≥10次", "6次", 10, 6, "受疫情影响，活动减少"),
                                 *LOW["indicators"][1:]]}
# 20 of 25 spent (80 %), with a reason: no P107, only the rate.
SLOW = project(executed=20, exec_reason="部分工程款按合同于次年支付")
# 13 done against ≥10次 (1.3 × the target, over the 20 % margin), explained (no I121).
EXCEEDED = ind(0, actual="13次", reason="上级临时增派任务，超额完成")

TRIGGERS = {
    "Y101": lambda t: pair(t, MISSED, MISSED),
    "Y102": lambda t: pair(t, LOW, LOW),
    "Y103": lambda t: pair(t, SLOW, SLOW),
    "Y104": lambda t: pair(t, EXCEEDED, CLEAN),
}
NEAR_MISSES = {
    # fixed this year: a reason now explains the shortfall
    "repeat fixed": lambda t: pair(t, MISSED, ind(0, actual="8次", self_score=8, reason="受疫情影响，少开展两次活动")),
    # a 提示 repeating (P103: ２５ typed as text both years) is not a reviewer's concern
    "提示 repeated": lambda t: pair(t, project(budget="２５", initial="２５"), project(budget="２５", initial="２５")),
    "low only this year": lambda t: pair(t, AT_LINE, LOW),
    "low only last year": lambda t: pair(t, LOW, AT_LINE),
    # 22.5 of 25 is 90 % exactly: not below the threshold
    "slow only this year": lambda t: pair(t, project(executed=22.5), SLOW),
    # 12 of ≥10次 is 1.2 ×: not more than the 20 % margin
    "exceeded by the margin exactly": lambda t: pair(t, ind(0, actual="12次", reason="上级增派任务，超额完成"), CLEAN),
    "target raised this year": lambda t: pair(t, EXCEEDED, ind(0, target="≥13次", actual="13次")),
    # 13个 against ≥10次: not the same unit, not comparable
    "another unit last year": lambda t: pair(t, ind(0, actual="13个", reason="上级临时增派任务，超额完成"), CLEAN),
    # ≤25万元 spent 15: a cost kept low is no target set low
    "reverse target": lambda t: pair(t, ind(3, target="≤25万元", actual="15万元"), CLEAN),
}


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_each_kind_of_repeat_is_found(tmp_path, code):
    assert TRIGGERS[code](tmp_path) == [(code, "专项经费")]


@pytest.mark.parametrize("case", sorted(NEAR_MISSES))
def test_near_misses_find_nothing(tmp_path, case):
    assert NEAR_MISSES[case](tmp_path) == []


def test_the_findings_say_what_repeated(tmp_path):
    with this_year(tmp_path, [EXCEEDED | {"name": "甲"}, SLOW | {"name": "乙"}, LOW | {"name": "丙"}, MISSED],
                   summary(tmp_path, [EXCEEDED | {"name": "甲"}, SLOW | {"name": "乙"}, LOW | {"name": "丙"}, MISSED])
                   ) as r:
        found = {(f.code, f.project): f for f in r.all_findings() if f.code in Y_CODES}
    # 甲 kept ≥10次 after doing 13; the four projects share six indicator rows (P128 in
    # both years, so 乙's P128 repeats too).
    assert set(found) == {("Y101", "专项经费"), ("Y101", "乙"), ("Y102", "丙"), ("Y103", "乙"), ("Y104", "甲")}
    assert found[("Y101", "专项经费")].value == "I111、P128"
    assert found[("Y101", "乙")].value == "P128"
    assert "I111 未完成目标且未分析偏差原因" in found[("Y101", "专项经费")].message
    assert "上年 76.00，本年 76.00" in found[("Y102", "丙")].message
    assert "上年 80.00%，本年 80.00%" in found[("Y103", "乙")].message
    assert found[("Y103", "乙")].severity.value == "警告"


def test_a_copied_target_is_flagged_at_its_cell(tmp_path):
    with this_year(tmp_path, [CLEAN], summary(tmp_path, [EXCEEDED])) as r:
        [f] = [f for f in r.all_findings() if f.code == "Y104"]
    assert (f.sheet, f.cell, f.value) == ("项目1", "D15", "≥10次")   # the 年度指标值 of the first indicator row
    assert "“≥10次”与上年相同，而上年实际完成“13次”" in f.message


# --- columns ------------------------------------------------------------------------------

def test_last_years_score_and_rate_fill_the_columns(tmp_path):
    # Last year 专项经费 spent 20 of 25 (80 %): 8 + 10×4 + 18 + 18 + 10 = 94;
    # 新项目 did not exist last year and gets nothing.
    prev = summary(tmp_path, [SLOW])
    with this_year(tmp_path, [CLEAN, project(name="新项目")], prev) as r:
        rows = {p.project: p for p in r.projects}
        frame = r.to_pandas()["projects"]
    assert (rows["专项经费"].prev_total, rows["专项经费"].prev_rate) == (Decimal("94.00"), Decimal("0.8000"))
    assert (rows["新项目"].prev_total, rows["新项目"].prev_rate) == (None, None)
    assert list(frame.columns[-2:]) == ["上年得分", "上年执行率"]
    assert frame.loc[frame["项目名称"] == "专项经费", "上年得分"].item() == 94


def test_the_summary_workbook_and_json_show_the_columns(tmp_path):
    prev = summary(tmp_path, [SLOW])
    with this_year(tmp_path, [CLEAN], prev) as r:
        se.write_summary(r, tmp_path / "2020.xlsx")
        se.write_json(r, tmp_path / "2020.json")
    data = json.loads((tmp_path / "2020.json").read_text("utf-8"))
    [row] = data["项目明细"]
    assert (row["上年得分"], row["上年执行率"]) == (94, 0.8)
    assert data["运行信息"]["概况"]["上年规则"] == "与本年相同"
    ws = openpyxl.load_workbook(tmp_path / "2020.xlsx", read_only=True)["项目明细"]
    head, first = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    assert (first[head.index("上年得分")], first[head.index("上年执行率")]) == (94, 0.8)


# --- reading last year's file -------------------------------------------------------------

def test_the_workbook_and_the_json_give_the_same_index(tmp_path):
    projects = [MISSED, distinct(SLOW, "乙"), distinct(EXCEEDED, "甲"), distinct(project(budget="２５"), "丁")]
    book = load_index(summary(tmp_path, projects, "xlsx"), SEED)
    data = load_index(summary(tmp_path, projects, "json"), SEED)
    assert replace(book, source="") == replace(data, source="")
    assert book.year == 2019 and len(book.projects) == 4
    by_name = {p.project: p for p in book.projects}
    assert by_name["专项经费"].codes == ("I111",)            # its 警告; no 提示 is kept
    assert by_name["丁"].codes == ()                          # P103 (提示) only
    assert by_name["甲"].exceeded == (("开展专项活动次数", "≥10次", "≥10次", "13次"),)
    assert by_name["乙"].rate == Decimal("0.8000")


def test_the_index_does_not_depend_on_row_order():
    rows = [{"单位名称": u, "项目名称": n, "计算总分": t, "执行率": 0.8, "文件": f"{u}.xlsx", "工作表": "项目1",
             "项目编码": c} for u, n, t, c in
            [("甲", "党建经费", 70, ""), ("乙", "党建经费", 75, "A1"), ("乙", "党建经费", 90, "A2"),
             ("丙", "办公经费", 60, "A2")]]
    facts = {"评价年度": 2019}
    one = build_index({"项目明细": rows, "指标明细": [], "问题清单": []}, facts, "x", SEED)
    other = build_index({"项目明细": rows[::-1], "指标明细": [], "问题清单": []}, facts, "x", SEED)
    assert one == other
    # 乙's two 党建经费 and the two A2 codes are ambiguous: they match nothing.
    assert set(one.by_name) == {("甲", "党建经费"), ("丙", "办公经费")}
    assert set(one.by_code) == {"A1"}


def test_a_renamed_project_is_matched_by_its_code(tmp_path):
    code = "130102200000000007"
    prev = summary(tmp_path, [SLOW | {"name": "社区专项经费"}], code=code)
    with this_year(tmp_path, [SLOW | {"name": "社区专项工作经费"}], prev, code=code) as r:
        [row] = r.projects
        assert (row.code, row.prev_rate) == (code, Decimal("0.8000"))
        assert y_findings(r) == [("Y103", "社区专项工作经费")]


def test_a_renamed_project_without_a_code_is_new(tmp_path):
    with this_year(tmp_path, [SLOW | {"name": "社区专项工作经费"}], summary(tmp_path, [SLOW | {"name": "社区专项经费"}])) as r:
        assert [(p.prev_total, p.prev_rate) for p in r.projects] == [(None, None)]
        assert y_findings(r) == []


def test_another_code_this_year_is_another_project(tmp_path):
    prev = summary(tmp_path, [SLOW], code="A-1")
    with this_year(tmp_path, [SLOW], prev, code="A-2") as r:
        assert y_findings(r) == [] and r.projects[0].prev_rate is None


def test_rules_that_differ_from_last_years_are_noted(tmp_path):
    prev = summary(tmp_path, [project(name="甲")], rules=SEED)
    with this_year(tmp_path, [project(name="甲")], prev, rules=NATIONAL) as r:
        from selfeval_xlsx.tables import run_facts
        facts = dict(run_facts(r))
    assert facts["上年汇总"].endswith("（2019 年，1 个项目）")
    assert "评分规则：上年 种子（石家庄），本年 全国（财预〔2020〕10号）" in facts["上年规则"]
    assert "权重·产出指标：上年 40，本年 50" in facts["上年规则"]


def test_switched_off_codes_are_not_made(tmp_path):
    rules = replace(SEED, disabled=frozenset({"Y103"}))
    prev = summary(tmp_path, [SLOW], rules=rules)
    with this_year(tmp_path, [SLOW], prev, rules=rules) as r:
        assert y_findings(r) == []


# --- bad input ----------------------------------------------------------------------------

def run_cli(tmp_path: Path, previous: str) -> tuple[int, str]:
    folder = tmp_path / "2020"
    folder.mkdir(exist_ok=True)
    filled_template(folder / "u.xlsx", [CLEAN], unit=UNIT)
    r = CliRunner().invoke(main, ["run", str(folder), "-o", str(tmp_path / "out.xlsx"), "-q",
                                  "--jobs", "1", "--previous", previous])
    return r.exit_code, r.output


def test_a_missing_file_is_a_usage_error(tmp_path):
    code, out = run_cli(tmp_path, str(tmp_path / "没有.xlsx"))
    assert code == 2 and "找不到上年汇总文件" in out
    assert not (tmp_path / "out.xlsx").exists()


def test_a_form_is_not_a_summary(tmp_path):
    form = filled_template(tmp_path / "自评表.xlsx", [CLEAN], unit=UNIT)
    code, out = run_cli(tmp_path, str(form))
    assert code == 2 and "不是本工具生成的汇总工作簿或 JSON" in out


@pytest.mark.parametrize("text", ['{"项目明细": []}', "not json", '[1, 2]'])
def test_a_foreign_json_is_refused(tmp_path, text):
    (tmp_path / "x.json").write_text(text, "utf-8")
    with pytest.raises(PreviousError, match="不是本工具生成的汇总"):
        load_index(tmp_path / "x.json", SEED)


def test_a_summary_of_another_year_is_refused(tmp_path):
    prev = summary(tmp_path, [CLEAN])
    data = json.loads(prev.read_text("utf-8"))
    data["运行信息"]["概况"]["评价年度"] = 2018
    prev.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, out = run_cli(tmp_path, str(prev))
    assert code == 2
    assert "评价年度为 2018，本批次为 2020；--previous 应为 2019 年的汇总" in out
    assert not (tmp_path / "out.xlsx").exists()


def test_this_years_own_summary_is_refused_as_last_years(tmp_path):
    folder = tmp_path / "2020"
    folder.mkdir()
    filled_template(folder / "u.xlsx", [CLEAN], unit=UNIT)
    with se.evaluate(folder, rules=SEED, isolate=False) as r:
        se.write_summary(r, tmp_path / "2020汇总.xlsx")
    with pytest.raises(PreviousError, match="评价年度为 2020，本批次为 2020"):
        se.evaluate(folder, rules=SEED, isolate=False, previous=tmp_path / "2020汇总.xlsx")


def test_the_output_may_not_overwrite_last_years_summary(tmp_path):
    prev = summary(tmp_path, [CLEAN], "xlsx")
    before = prev.read_bytes()
    folder = tmp_path / "2020"
    folder.mkdir()
    filled_template(folder / "u.xlsx", [CLEAN], unit=UNIT)
    r = CliRunner().invoke(main, ["run", str(folder), "-o", str(prev), "-q", "--jobs", "1", "--previous", str(prev)])
    assert r.exit_code == 2 and "上年汇总" in r.output
    assert prev.read_bytes() == before


def test_the_cli_runs_with_workers_and_matches_the_library(tmp_path):
    prev = summary(tmp_path, [MISSED, distinct(SLOW, "乙")])
    folder = tmp_path / "2020"
    folder.mkdir()
    filled_template(folder / "u.xlsx", [MISSED, distinct(SLOW, "乙")], unit=UNIT)
    r = CliRunner().invoke(main, ["run", str(folder), "-o", str(tmp_path / "o.xlsx"), "--json",
                                  str(tmp_path / "o.json"), "-q", "--jobs", "2", "--preset", "seed",
                                  "--previous", str(prev)])
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "o.json").read_text("utf-8"))
    assert sorted((f["代码"], f["项目名称"]) for f in data["问题清单"] if f["代码"] in Y_CODES) == [
        ("Y101", "专项经费"), ("Y103", "乙")]


# --- the example district -----------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples"


def test_the_example_shows_exactly_the_planted_repeats():
    """make_previous_example.py plants four repeats in 长安区's 2019 forms; every other
    project of 2020 (including 广安's text amounts, a 提示, in both years) stays silent."""
    with se.evaluate(EXAMPLES / "长安区", previous=EXAMPLES / "长安区2019年汇总.xlsx", jobs=1) as r:
        found = sorted((f.code, f.unit, f.project, f.value) for f in r.all_findings() if f.code in Y_CODES)
        rows = {(p.unit, p.project): p for p in r.projects}
    assert found == [
        ("Y101", "中山东路街道办事处", "专项经费", "I111"),
        ("Y101", "育才街道办事处", "环境卫生保洁经费", "I112"),
        ("Y103", "谈固街道办事处", "平安建设经费", "70.00%"),
        ("Y104", "育才街道办事处", "社区设施维护经费", "≥4次"),
    ]
    # 2019: 10.7 of 13 万元 spent; new in 2020: 人口普查工作经费.
    assert rows[("谈固街道办事处", "平安建设经费")].prev_rate == Decimal("0.8231")
    assert rows[("广安街道办事处", "人口普查工作经费")].prev_total is None


def test_the_example_does_not_depend_on_workers_or_last_years_format(tmp_path):
    """The same findings and columns with two reading workers or in this process, from
    last year's workbook or from its JSON."""
    # last year's workbook and JSON, written by one run of the example's 2019 forms
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_previous_example", EXAMPLES.parent / "make_previous_example.py")
    assert spec and spec.loader
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    book, prev_json = tmp_path / "2019.xlsx", tmp_path / "2019.json"
    maker.main(book, prev_json)
    assert replace(load_index(book, NATIONAL), source="") == replace(load_index(prev_json, NATIONAL), source="")
    runs = []
    for kw in ({"jobs": 2, "previous": book}, {"isolate": False, "previous": prev_json}):
        with se.evaluate(EXAMPLES / "长安区", **kw) as r:
            runs.append((sorted(f.as_row() for f in r.all_findings()),
                         [(p.unit, p.project, p.prev_total, p.prev_rate) for p in r.projects]))
    assert runs[0] == runs[1]


def test_only_targets_last_year_scored_as_higher_is_better_count():
    """`10次` done 13 times: far exceeded when it was scored 正向; not when a 指标性质
    column made it 反向 (an upper limit), nor when the units differ or it was 10 % over."""
    def row(target, actual, rule):
        return {"单位名称": "甲", "项目名称": "乙", "三级指标": "巡查 次数", "年度指标值": target, "实际完成值": actual,
                "计分规则": rule, "文件": "甲.xlsx", "工作表": "项目1"}
    rows = [row("10次", "13次", "正向（≥）"), row("11次", "13次", "反向（≤）"), row("≥12次", "13次", "正向（≥）"),
            row("≥5次", "13个", "正向（≥）"), row("≥50%", "70%", "正向（≥）（沿用自评）")]
    index = build_index({"项目明细": [{"单位名称": "甲", "项目名称": "乙", "文件": "甲.xlsx", "工作表": "项目1"}],
                         "指标明细": rows, "问题清单": []}, {"评价年度": 2019}, "x", SEED)
    assert index.projects[0].exceeded == (("巡查次数", "10次", "10次", "13次"), ("巡查次数", "≥50%", "≥50%", "70%"))


def test_a_code_spelled_differently_is_the_same_code(tmp_path):
    """２０２０－００１ (full width, as one system exports it) last year, 2020-001 this
    year: one project, matched as --targets matches codes (keys.code_key)."""
    prev = summary(tmp_path, [SLOW | {"name": "社区专项经费"}], code="２０２０－００１")
    with this_year(tmp_path, [SLOW | {"name": "社区专项工作经费"}], prev, code="2020-001") as r:
        assert r.projects[0].prev_rate == Decimal("0.8000")
        assert y_findings(r) == [("Y103", "社区专项工作经费")]
