"""The 抽查复核 checks (issue 14): for each, a minimal workbook that triggers it at its
cell, and a near miss just short of it that must stay silent."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.findings import CATALOGUE
from selfeval_xlsx.rules import SEED, RulesError, dump_rules, parse_rules
from tests.forms import IND_KEYS, filled_template
from tests.test_checks import CLEAN, ind, one, project

REVIEW_CODES = ("I121", "I122", "I123", "I124", "I125", "P125", "P126", "P127", "P128", "P129",
                "P130", "P131", "P132", "P133", "U106", "B105")


def rows(changes: dict[int, dict], base: dict = CLEAN) -> list[tuple]:
    """CLEAN's indicator rows with several rows changed: {4: {"actual": "效果明显"}}."""
    out = [list(r) for r in base["indicators"]]
    for i, change in changes.items():
        for key, value in change.items():
            out[i][IND_KEYS.index(key)] = value
    return [tuple(r) for r in out]


def with_rules(tmp_path, rules, *projects):
    folder = tmp_path / "in"
    folder.mkdir(parents=True, exist_ok=True)
    filled_template(folder / "u.xlsx", list(projects) or [CLEAN])
    return run_batch(folder, rules).all_findings()


def units(tmp_path, *files: tuple[str, list[dict]]):
    """One file per (unit, projects)."""
    folder = tmp_path / "in"
    folder.mkdir(parents=True, exist_ok=True)
    for n, (unit, projects) in enumerate(files):
        filled_template(folder / f"{n}_{unit}.xlsx", projects, unit=unit)
    return run_batch(folder, SEED).all_findings()


def distinct(name: str, satisfaction: str = "100%") -> dict:
    """A project whose rows are its own (named after it), with the satisfaction given."""
    return project(name=name, indicators=[(a, b, f"{name}{c}", d, e, w, s, r) if a != "满意度指标"
                                          else (a, b, c, d, satisfaction, w, s, r)
                                          for a, b, c, d, e, w, s, r in CLEAN["indicators"]])


def goals(planned: str, achieved: str) -> dict:
    return project(cells={"B13": planned, "F13": achieved})


STOCK = rows({4: {"actual": "效果明显", "self_score": 20}, 5: {"actual": "有效提升。", "self_score": 20}})
REVERSE = {1: {"level3": "群众投诉率", "target": "≤20%", "actual": "5%"}}

# code → (workbook that triggers it, the cell the finding points at)
TRIGGERS = {
    # 1. ≥10次 done 13 times (1.3 × the target), full marks, nothing said.
    "I121": (lambda t: one(t, ind(0, actual="13次")), "D15"),
    # 2. 40 → 25 万元 (cut 37.5 %), all 25 spent.
    "P125": (lambda t: one(t, project(initial=40, executed=25)), "D7"),
    "P126": (lambda t: one(t, project(initial=None)), "C7"),
    # 3. 98 % with no survey named; three projects all at 100 %.
    "I122": (lambda t: one(t, ind(6, actual="98%")), "E21"),
    "U106": (lambda t: one(t, *(distinct(n, "100%") for n in ("甲项目", "乙项目", "丙项目"))), "E21"),
    # 4. Stock phrases at full marks; a project copied within the unit and across units.
    "P127": (lambda t: one(t, project(indicators=STOCK)), "E19"),
    "P128": (lambda t: one(t, CLEAN, project(name="社区活动经费")), "C15"),
    "B105": (lambda t: units(t, ("中山东路街道办事处", [CLEAN]), ("建北街道办事处", [project(name="社区活动经费")])),
             "C15"),
    # 5. Reasons that say nothing, or say "not met" at full marks.
    "I123": (lambda t: one(t, ind(0, actual="8次", self_score=8, reason="无")), "H15"),
    "I124": (lambda t: one(t, ind(1, actual="96%", reason="合规率未达到目标")), "G16"),
    "P129": (lambda t: one(t, project(executed=20, exec_reason="按计划推进")), "C11"),
    # 6. No 成本指标 where the rules require one; a quantity with ≤.
    "P130": (lambda t: with_rules(t, replace(SEED, require_cost=True),
                                  project(indicators=[r for r in CLEAN["indicators"] if r[1] != "成本指标"])), "A15"),
    "I125": (lambda t: one(t, ind(0, target="≤10次", actual="8次")), "D15"),
    # 7. 35 % executed, indicators at 86/90 (95.56 %): the total 89.5 is below P115's 90.
    "P131": (lambda t: one(t, project(executed=8.75, exec_reason="项目延期至次年实施")), "G30"),
    # 8. Goals.
    "P132": (lambda t: one(t, goals("请填写年度总体目标", "开展专项活动10次")), "B13"),
    "P133": (lambda t: one(t, goals("开展专项活动10次。", "开展专项活动10次")), "F13"),
}

NEAR_MISSES = {
    "I121": [lambda t: one(t, ind(0, actual="11次")),                                   # 1.1 ×
             lambda t: one(t, ind(0, actual="13次", reason="新增两个社区，活动相应增加")),   # explained
             lambda t: one(t, ind(0, actual="13次", self_score=9)),                      # not full marks
             lambda t: one(t, ind(3, actual="15万元")),                                    # a cost cap is the budget
             lambda t: one(t, project(indicators=rows({1: {**REVERSE[1], "actual": "17%"}}))),  # 20/17 < 1.2
             # A percentage 1.6 × its target but only 3 points beyond: a rate of change that moved.
             lambda t: one(t, ind(1, level3="发案率下降", target="≥5%", actual="8%")),
             lambda t: one(t, project(indicators=rows({1: {**REVERSE[1], "target": "≤5%", "actual": "2%"}})))],
    "P125": [lambda t: one(t, project(initial=30, executed=25)),                          # cut 16.7 %
             lambda t: one(t, project(initial=40, executed=24)),                          # 96 % executed
             lambda t: one(t, project(initial=40, executed=25, exec_reason="年中压减公用经费15万元"))],
    "P126": [lambda t: one(t, project(initial=None, exec_reason="年中追加项目"))],
    "I122": [lambda t: one(t, ind(6, actual="94%")),
             lambda t: one(t, ind(6, actual="98%", reason="问卷调查，样本200份，2020年11月"))],
    "U106": [lambda t: one(t, *(distinct(n, "100%") for n in ("甲项目", "乙项目"))),
             lambda t: one(t, distinct("甲项目"), distinct("乙项目"), distinct("丙项目", "98%"))],
    "P127": [lambda t: one(t, project(indicators=rows({4: {"actual": "效果明显", "self_score": 20},
                                                      5: {"actual": "有效提升", "self_score": 18}}))),
             lambda t: one(t, project(indicators=rows({4: {"actual": "效果明显", "self_score": 20},
                                                      5: {"actual": "建立议事制度3项并运行", "self_score": 20}})))],
    "P128": [lambda t: one(t, CLEAN, project(name="社区活动经费", indicators=rows(
        {0: {"actual": "12次"}, 3: {"actual": "23万元"}})))],                     # 5 of 7 rows shared
    "B105": [lambda t: units(t, ("中山东路街道办事处", [CLEAN]),
                             ("建北街道办事处", [project(indicators=rows({0: {"actual": "12次"}, 3: {"actual": "23万元"}}))]))],
    "I123": [lambda t: one(t, ind(0, actual="8次", self_score=8, reason="受疫情影响，两次活动顺延至次年"))],
    "I124": [lambda t: one(t, ind(1, actual="96%", self_score=8, reason="合规率未达到目标，已整改")),
             lambda t: one(t, ind(1, reason="无未完成情况"))],
    "P129": [lambda t: one(t, project(executed=20, exec_reason="年底部分合同未到付款节点"))],
    "P130": [lambda t: with_rules(t, replace(SEED, require_cost=True), CLEAN),
             lambda t: one(t, project(indicators=[r for r in CLEAN["indicators"] if r[1] != "成本指标"]))],
    "I125": [lambda t: one(t, ind(0, level3="安全事故次数", target="≤1次", actual="0次"))],
    "P131": [lambda t: with_rules(t, replace(SEED, score_rate_gap=Decimal("0.7")),
                                  project(executed=8.75, exec_reason="项目延期至次年实施"))],
    "P132": [lambda t: one(t, goals("开展社区专项活动10次", "开展专项活动10次，惠及居民2000人"))],
    "P133": [lambda t: one(t, goals("开展社区专项活动10次", "开展专项活动10次，惠及居民2000人"))],
}


def test_the_review_codes_are_in_the_catalogue():
    assert set(TRIGGERS) == set(REVIEW_CODES) <= set(CATALOGUE)


@pytest.mark.parametrize("code", REVIEW_CODES)
def test_triggers_at_the_cell(tmp_path, code):
    make, cell = TRIGGERS[code]
    findings = make(tmp_path)
    hits = [f for f in findings if f.code == code]
    assert hits, f"{code} not raised; got {[(f.code, f.cell) for f in findings]}"
    f = hits[0]
    assert len(hits) == (2 if code == "B105" else 1)   # a copy across units: both sides
    assert f.severity == CATALOGUE[code].severity
    assert f.message.endswith(CATALOGUE[code].fix)
    assert f.cell == cell, (code, f.cell, f.message)
    assert f.file and f.unit


@pytest.mark.parametrize("code,n", [(c, n) for c in REVIEW_CODES for n in range(len(NEAR_MISSES[c]))])
def test_near_misses_stay_silent(tmp_path, code, n):
    findings = NEAR_MISSES[code][n](tmp_path)
    assert [f.message for f in findings if f.code == code] == []


def test_the_clean_project_raises_none_of_them(tmp_path):
    assert one(tmp_path) == []


def test_messages_name_the_numbers(tmp_path):
    [p125] = [f for f in one(tmp_path, project(initial=40, executed=25)) if f.code == "P125"]
    # 25 of 40: 62.5 % on the 年初 basis; cut (40 − 25) / 40 = 37.5 %.
    assert "年初预算数 40.00 万元" in p125.message and "调减为 25.00 万元" in p125.message
    assert "37.50%" in p125.message and "执行率 100.00%" in p125.message and "62.50%" in p125.message
    [i121] = [f for f in one(tmp_path / "b", ind(0, actual="13次")) if f.code == "I121"]
    assert "1.30 倍" in i121.message and "≥10次" in i121.message
    [p131] = [f for f in one(tmp_path / "c", project(executed=8.75, exec_reason="项目延期至次年实施"))
              if f.code == "P131"]
    # 86 of 90 points = 95.56 %; 8.75 of 25 = 35 %; gap 60.56 %.
    assert "95.56%" in p131.message and "35.00%" in p131.message and "60.56%" in p131.message


def test_reverse_indicators_mirror_and_exact_overshoot(tmp_path):
    found = one(tmp_path, project(indicators=rows(REVERSE)))
    assert [f.cell for f in found if f.code == "I121"] == ["D16"]   # 20 % is 4 × 5 %, 15 points
    # =4场 held 6 times: 1.5 × an exact target.
    found = one(tmp_path / "b", ind(0, level3="培训场次", target="=4场", actual="6场"))
    assert [(f.cell, "1.50 倍" in f.message) for f in found if f.code == "I121"] == [("D15", True)]


def test_a_copy_across_units_is_reported_on_both_sides(tmp_path):
    found = [f for f in units(tmp_path, ("中山东路街道办事处", [CLEAN]), ("建北街道办事处", [CLEAN]))
             if f.code == "B105"]
    assert sorted((f.unit, f.value) for f in found) == [("中山东路街道办事处", "建北街道办事处"),
                                                       ("建北街道办事处", "中山东路街道办事处")]


def test_p115_and_p131_never_both(tmp_path):
    # 60 % executed, total 92: the threshold rule P115 fires first, P131 keeps quiet.
    codes = [f.code for f in one(tmp_path, project(executed=15, exec_reason="项目延期至次年实施"))]
    assert "P115" in codes and "P131" not in codes


def test_a_rules_file_switches_checks_off(tmp_path):
    text = dump_rules(SEED) + '\n'
    text = text.replace('"代码" = []', '"代码" = ["I121", "b105"]')
    rules = parse_rules(text)
    assert rules.disabled == {"I121", "B105"}
    assert [f for f in with_rules(tmp_path, rules, ind(0, actual="13次")) if f.code == "I121"] == []
    folder = tmp_path / "two"
    folder.mkdir()
    filled_template(folder / "a.xlsx", [CLEAN], unit="中山东路街道办事处")
    filled_template(folder / "b.xlsx", [CLEAN], unit="建北街道办事处")
    assert [f for f in run_batch(folder, rules).all_findings() if f.code == "B105"] == []


def test_rules_file_refuses_what_it_cannot_use():
    base = dump_rules(SEED)
    with pytest.raises(RulesError, match="错误"):
        parse_rules(base.replace('"代码" = []', '"代码" = ["P101"]'))
    with pytest.raises(RulesError, match="未知代码"):
        parse_rules(base.replace('"代码" = []', '"代码" = ["X999"]'))
    with pytest.raises(RulesError, match="整数"):
        parse_rules(base.replace('"原因最少字数" = 6', '"原因最少字数" = 2.5'))
    with pytest.raises(RulesError, match="true 或 false"):
        parse_rules(base.replace('"须设成本指标" = false', '"须设成本指标" = "是"'))
    rules = parse_rules(base.replace('"须设成本指标" = false', '"须设成本指标" = true')
                        .replace('"套话" = [', '"套话" = ["成效斐然", '))
    assert rules.require_cost and rules.stock_phrases[0] == "成效斐然"


def test_dumped_rules_read_back_the_same():
    rules = replace(SEED, disabled=frozenset({"P126"}), require_cost=True)
    back = parse_rules(dump_rules(rules))
    assert replace(back, name=rules.name) == rules


def test_district_report_groups_the_problems_under_plain_headings(tmp_path):
    from selfeval_xlsx.findings import topic_of
    from selfeval_xlsx.report import district_report, unit_data
    assert {topic_of(c) for c in ("I121", "P125", "I122", "P127")} == {"目标设定", "预算调整", "佐证材料", "文字质量"}
    folder = tmp_path / "in"
    folder.mkdir()
    filled_template(folder / "u.xlsx", [ind(0, actual="13次"), project(name="社区活动经费", initial=40, executed=25,
                                                                    indicators=rows({0: {"level3": "巡查次数"}}))])
    with run_batch(folder, SEED) as result:
        rep = district_report(result, unit_data(result))
        table = next(b for b in rep.blocks if b.kind == "table" and b.claims[0].kind == "code_count")
        cells = [c.cells for c in table.claims]
    assert ("目标设定", "I121", "指标值设定偏低", "1") in cells
    assert ("预算调整", "P125", "预算大幅调减后执行率接近 100%", "1") in cells


def test_survey_columns_are_read_and_count_as_evidence(tmp_path):
    """A form with 调查方式 and 样本量 columns beside 偏差原因 (a district's own template)."""
    from selfeval_xlsx.rules import NATIONAL
    from selfeval_xlsx.workbook import process_file
    from tests.other_forms import small_project, write

    def form(method, size):
        rows = small_project("社区养老服务", 10, 10)
        rows[7] += ["调查方式", "样本量"]
        rows[11] += [None, method, size]
        return rows

    shown = process_file(write(tmp_path / "a.xlsx", {"养老": form("问卷调查，2022年11月", "200份")}), "a.xlsx", NATIONAL)
    [sp] = shown.projects
    satisfaction = sp.project.indicators[-1]
    assert (satisfaction.survey_method, satisfaction.sample_size) == ("问卷调查，2022年11月", "200份")
    assert [f for f in shown.findings if f.code == "I122"] == []
    blank = process_file(write(tmp_path / "b.xlsx", {"养老": form(None, None)}), "b.xlsx", NATIONAL)
    assert [f.cell for f in blank.findings if f.code == "I122"] == ["E12"]


# --- the cheaper forms of _norm and word lists (issue 17) stay what they replace -----

def test_row_digest_is_the_digest_of_row_key():
    import hashlib
    import re

    from selfeval_xlsx.model import Indicator
    from selfeval_xlsx.review_checks import _NOISE, _NOISE_BUT_SEP, row_digest, row_key
    from selfeval_xlsx.targets import Actual, Target

    def old(i: Indicator) -> bytes:
        return hashlib.blake2b("\x1f".join(row_key(i)).encode(), digest_size=8).digest()

    rows = [("群众满意度", "≥95%", "96%", "无。"), ("道路 长度", "＝6 个", "6个", "按计划，完成！"),
            ("a\x1fb", "x", "y\x1f", ""),              # a text holding the separator itself
            ("a", "b", "c", "原因" * 300),              # too long to cache
            ("", "", "", ""), ("（）", " ", "\u3000", "“”")]
    for level3, target, actual, reason in rows:
        i = Indicator("产出指标", "数量指标", level3, Target("positive", target), Actual(actual), None, None, reason)
        assert row_digest(i) == old(i) == row_digest(i)   # twice: cached and not
    # Two rows that differ only in noise are the same row; different rows are not.
    a = Indicator("产出指标", "数量指标", "长度", Target("positive", "≥6个"), Actual("6个"), None, None, "无")
    b = Indicator("产出指标", "数量指标", "长 度。", Target("positive", "≥6个"), Actual("6个"), None, None, "无！")
    c = Indicator("产出指标", "数量指标", "长度", Target("positive", "≥6个"), Actual("7个"), None, None, "无")
    assert row_digest(a) == row_digest(b) != row_digest(c)
    # The one-pass regex removes exactly what _norm removes, but for \x1f.
    differ = [c for c in map(chr, range(0x110000)) if bool(_NOISE.fullmatch(c)) != bool(_NOISE_BUT_SEP.fullmatch(c))]
    assert differ == ["\x1f"]
    assert re.fullmatch(r"\s", "\x1f")


def test_any_word_is_any_of_the_words():
    from selfeval_xlsx.review_checks import any_word
    words = ("问卷", "调查", "a.b", "(")
    for text in ("", "问卷调查", "电话回访", "a.b", "axb", "((", "无"):
        assert bool(any_word(words).search(text)) == any(w in text for w in words)
    assert not any_word(()).search("任何文字")   # no words: nothing matches, as any() of none
