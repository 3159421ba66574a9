"""Every scoring rule of DOMAIN.md, with expected numbers worked out by hand."""
from decimal import Decimal as D

import pytest

from selfeval_xlsx.model import FundLine, Indicator, Project
from selfeval_xlsx.rules import NATIONAL, SEED, parse_rules
from selfeval_xlsx.scoring import execution_rate, rate_score, rollup, score_indicator, score_project
from selfeval_xlsx.targets import parse_actual, parse_target


def ind(target, actual, weight=10, score=None, level1="产出指标", level2="数量指标", year=2020):
    return Indicator(level1, level2, "指标", parse_target(target, year=year), parse_actual(actual),
                     D(weight), None if score is None else D(str(score)))


def test_execution_rate_and_its_score():
    # 专项经费: 15 of 25 → 60% → 6 of 10 points.
    rate = execution_rate(D(25), D(15))
    assert rate == D("0.6")
    assert rate_score(rate, D(10)) == D(6)
    # 社区党建经费 fully spent; over-spending is capped at full marks.
    assert rate_score(execution_rate(D("8.94"), D("8.94")), D(10)) == D(10)
    assert rate_score(execution_rate(D(10), D(12)), D(10)) == D(10)
    # No rate without a positive budget.
    assert execution_rate(D(0), D(5)) is None
    assert execution_rate(None, D(5)) is None
    assert rate_score(None, D(10)) is None


@pytest.mark.parametrize("target, actual, expected", [
    ("≥95%", "98%", D(10)),            # met
    ("≥95%", "95%", D(10)),            # exactly met
    ("≥95%", "76%", D(8)),             # 10 × 76/95 = 8
    ("不低于200户", "150户", D("7.5")),  # 10 × 150/200
    ("100%", "90%", D(9)),             # no comparator: positive
    ("≥11528户", "11528户", D(10)),
    ("达到12次", "9次", D("7.5")),
])
def test_positive_indicator(target, actual, expected):
    s = score_indicator(ind(target, actual))
    assert s.rule == "正向（≥）"
    assert s.score == expected


@pytest.mark.parametrize("target, actual, expected", [
    ("≤24.65万元", "24.65万元", D(10)),
    ("≤20万元", "25万元", D(8)),        # 10 × 20/25
    ("不超过8天", "10天", D(8)),
    ("控制在100万元以内", "125万元", D(8)),
    ("≤20万元", "0万元", D(10)),
])
def test_reverse_indicator(target, actual, expected):
    s = score_indicator(ind(target, actual, level2="成本指标"))
    assert s.rule == "反向（≤）"
    assert s.score == expected


@pytest.mark.parametrize("target, actual, expected", [
    ("=6个", "6个", D(10)),
    ("=6个", "5个", D(10) * (1 - D(1) / D(6))),   # 8.333…
    ("=10个", "13个", D(7)),                       # 10 × (1 − 3/10)
    ("=10个", "30个", D(0)),                       # never below 0
])
def test_exact_indicator(target, actual, expected):
    s = score_indicator(ind(target, actual))
    assert s.rule == "等于（=）"
    assert s.score == expected


def test_date_indicator_met_late_and_unreadable():
    on_time = score_indicator(ind("2020年12月31日前", "2020年12月20日", score=8))
    assert (on_time.score, on_time.met) == (D(10), True)
    # Late: the self-reported score stands, and the indicator is marked missed.
    late = score_indicator(ind("2020年12月31日前", "2021年1月15日", score=10))
    assert (late.score, late.met, late.fallback) == (D(10), False, "late")
    late_honest = score_indicator(ind("2020年12月31日前", "2021-01-15", score=6))
    assert late_honest.score == D(6)
    # 12月底前 takes the evaluation year.
    assert score_indicator(ind("12月底前", "2020年12月30日")).score == D(10)
    # 按时完成 says the deadline was kept; 进行中 cannot be judged, so the self score stands.
    assert score_indicator(ind("2020年12月31日前", "按时完成", score=9)).score == D(10)
    unreadable = score_indicator(ind("2020年12月31日前", "进行中", score=9))
    assert (unreadable.score, unreadable.fallback) == (D(9), "unreadable")


def test_qualitative_indicator_uses_self_score_within_weight():
    s = score_indicator(ind("有效提升", "达成", weight=20, score=17, level1="效益指标", level2="社会效益指标"))
    assert (s.rule, s.score, s.achievement, s.met) == ("定性", D(17), "达成", True)
    partly = score_indicator(ind("明显改善", "部分达成", weight=20, score=13))
    assert (partly.achievement, partly.met) == ("部分达成", False)
    # A self score above the weight never counts for more than the weight.
    assert score_indicator(ind("有效提升", "达成", weight=20, score=25)).score == D(20)
    # Restating the target counts as achieved.
    assert score_indicator(ind("有效提升", "有效提升", weight=20, score=18)).achievement == "达成"


def test_percent_cell_holding_a_fraction():
    # A cell formatted as % holds 0.98 for 98%.
    s = score_indicator(Indicator("满意度指标", "服务对象满意度指标", "满意度", parse_target("≥95%"),
                                  parse_actual(0.9), D(10), D(10)))
    assert s.percent_from_fraction
    assert s.actual_value == D(90)
    assert s.score == D(10) * D(90) / D(95)


def test_money_units_are_converted():
    s = score_indicator(ind("≤24.65万元", "250000元", level2="成本指标"))
    assert s.actual_value == D(25)
    assert s.score == D(10) * D("24.65") / D(25)


def project(budget, executed, indicators, self_total=None):
    p = Project(file="f.xlsx", sheet="s", name="p", unit="u")
    p.funds["total"] = FundLine("total", "年度资金总额", budget=D(str(budget)), executed=D(str(executed)))
    p.indicators = indicators
    p.self_total = None if self_total is None else D(str(self_total))
    return p


def seed_special():
    """The seed's 专项经费: 60% spent, every indicator claimed at full marks (96)."""
    return project(25, 15, [
        ind("≥10次", "6次", 10, 10),                                 # computed 6
        ind("100%", "100%", 10, 10, level2="质量指标"),
        ind("2020年12月31日前", "2020年12月25日", 10, 10, level2="时效指标"),
        ind("≤25万元", "15万元", 10, 10, level2="成本指标"),
        ind("有效提升", "达成", 20, 20, "效益指标", "社会效益指标"),
        ind("建立并持续运行", "达成", 20, 20, "效益指标", "可持续影响指标"),
        ind("≥90%", "95%", 10, 10, "满意度指标", "服务对象满意度指标"),
    ])


def test_project_total_grade_and_derived_self_total():
    s = score_project(seed_special(), SEED)
    assert s.rate == D("0.6") and s.rate_score == D(6)
    assert s.dimensions == {"产出指标": D(36), "效益指标": D(40), "满意度指标": D(10)}
    assert s.total == D(92)          # 6 + 36 + 40 + 10
    assert s.grade == "优"
    # Our template's 总分 is a formula: without a cached value it is 6 + Σ self scores.
    assert s.self_total == D(96) and s.self_total_derived


def test_typed_self_total_is_kept():
    p = seed_special()
    p.self_total = D(97)
    s = score_project(p, SEED)
    assert s.self_total == D(97) and not s.self_total_derived


@pytest.mark.parametrize("total, grade", [(D(90), "优"), (D("89.99"), "良"), (D(80), "良"),
                                          (D("79.5"), "中"), (D(60), "中"), (D("59.99"), "差")])
def test_grade_bands(total, grade):
    assert SEED.grade(total) == grade


def test_presets_and_custom_rules_weigh_the_rate():
    assert (SEED.weights["产出指标"], SEED.weights["效益指标"]) == (D(40), D(40))
    assert (NATIONAL.weights["产出指标"], NATIONAL.weights["效益指标"]) == (D(50), D(30))
    custom = parse_rules('["权重"]\n"预算执行率" = 20\n"产出指标" = 40\n"效益指标" = 30\n"满意度指标" = 10\n'
                         '["等级"]\n"优" = 95\n"良" = 85\n"中" = 60\n')
    s = score_project(seed_special(), custom)
    assert s.rate_score == D(12)      # 60% of 20
    assert s.total == D(98)           # 12 + 86
    assert s.grade == "优"
    assert custom.grade(D(94)) == "良"


def test_unit_rollup_plain_and_budget_weighted():
    # The seed's five projects: 72.59 budgeted, 62.59 spent, 86.22 %.
    class P:
        def __init__(self, budget, executed, total):
            self.budget, self.executed, self.total = D(str(budget)), D(str(executed)), D(total)
    projects = [P(8.94, 8.94, 95), P(24.65, 24.65, 96), P(25, 15, 92), P(7, 7, 97), P(7, 7, 97)]
    r = rollup(projects)
    assert (r.projects, r.budget, r.executed) == (5, D("72.59"), D("62.59"))
    assert r.rate == D("62.59") / D("72.59")
    assert r.mean_score == D("95.4")                     # 477 / 5
    weighted = (D("8.94") * 95 + D("24.65") * 96 + 25 * 92 + 7 * 97 + 7 * 97) / D("72.59")
    assert r.weighted_score == weighted                  # ≈ 94.69
    assert str(round(r.weighted_score, 2)) == "94.69"


def test_rules_file_round_trips_every_threshold():
    from selfeval_xlsx.rules import dump_rules
    custom = parse_rules(dump_rules(NATIONAL).replace('"分差容差" = 0.5', '"分差容差" = 1')
                         .replace('"偏高项目占比" = 0.8', '"偏高项目占比" = 0.6'))
    assert custom.weights == NATIONAL.weights
    assert (custom.tolerance, custom.bunching_share, custom.rate_threshold) == (D(1), D("0.6"), D("0.9"))
    assert custom.qualitative_bands == NATIONAL.qualitative_bands


@pytest.mark.parametrize("text, message", [
    ('["权重"]\n"预算执行率" = 10\n', "缺少"),
    ('["权重"]\n"预算执行率" = 10\n"产出指标" = 40\n"效益指标" = 40\n"满意度指标" = 10\n"其他" = 1\n', "未知项"),
    ('["权重"]\n"预算执行率" = "十"\n"产出指标" = 40\n"效益指标" = 40\n"满意度指标" = 10\n', "必须是数字"),
    ("[权重", "不是有效的 TOML"),
])
def test_bad_rules_files_say_what_to_fix(text, message):
    from selfeval_xlsx.rules import RulesError
    with pytest.raises(RulesError, match=message):
        parse_rules(text)
