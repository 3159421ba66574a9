"""What a careful reviewer checks on one project form. Each check yields findings."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .findings import Finding, make
from .form import DIMENSIONS, FUND_ROWS
from .model import Indicator, Project
from .numbers import fmt, fmt_pct
from .rules import Rules
from .scoring import (FALLBACK_LATE, FALLBACK_UNREADABLE, MONEY_SCALE, IndicatorScore,
                      ProjectScore)
from .targets import POSITIVE, QUALITATIVE

CENT = Decimal("0.005")
_VAGUE_DIMENSIONS = {"数量指标", "质量指标", "时效指标", "成本指标"}
_POSITIVE_MARKS = ("≥", ">=", "≧", "不低于", "不少于", "大于等于", ">", "大于", "高于")


class _Emitter:
    def __init__(self, p: Project):
        self.p = p

    def __call__(self, code: str, problem: str, cell: str = "", value: object = "") -> Finding:
        return make(code, problem, value=value, file=self.p.file, sheet=self.p.sheet,
                    cell=cell, unit=self.p.unit, project=self.p.name)


def check_funds(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    emit = _Emitter(p)
    total = p.total_line
    budget, executed = p.budget, p.executed
    if budget is not None and budget <= 0:
        yield emit("P104", f"全年预算数为 {fmt(budget)} 万元", total.cells.get("budget", ""), fmt(budget))
    if executed is not None and executed < 0:
        yield emit("P105", f"全年执行数为 {fmt(executed)} 万元", total.cells.get("executed", ""), fmt(executed))
    if budget is not None and executed is not None and budget > 0 and executed > budget:
        yield emit("P106", f"全年执行数 {fmt(executed)} 万元超过全年预算数 {fmt(budget)} 万元",
                   total.cells.get("executed", ""), fmt(executed))
    if s.rate is not None and s.rate < rules.rate_threshold and not p.exec_reason:
        yield emit("P107", f"执行率 {fmt_pct(s.rate)}，低于 {fmt_pct(rules.rate_threshold)}，未说明原因",
                   p.cells.get("exec_reason") or total.cells.get("executed", ""), fmt_pct(s.rate))
    for column, name in (("initial", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数")):
        parts = [getattr(p.funds[f.key], column) for f in FUND_ROWS[1:] if f.key in p.funds]
        parts = [x for x in parts if x is not None]
        whole = getattr(total, column)
        if parts and whole is not None and abs(sum(parts) - whole) > CENT:
            yield emit("P108", f"{name}：三项资金来源合计 {fmt(sum(parts))} 万元，年度资金总额为 {fmt(whole)} 万元",
                       total.cells.get(column, ""), fmt(whole))
    # One finding per project: the clerk retypes the whole block, not one cell.
    large = [(line, column, getattr(line, column)) for line in p.funds.values()
             for column in ("initial", "budget", "executed")
             if getattr(line, column) is not None and getattr(line, column) >= rules.yuan_threshold]
    if large:
        line, column, x = large[0]
        yield emit("P114", f"{line.label}等 {len(large)} 处金额达 {fmt(x)} 万元，数额异常大",
                   line.cells.get(column, ""), fmt(x))
    if p.rate_weight is not None and p.rate_weight != rules.rate_weight:
        yield emit("P117", f"表中预算执行率分值为 {p.rate_weight}，规则为 {rules.rate_weight}",
                   total.cells.get("weight", ""), p.rate_weight)


def check_totals(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    emit = _Emitter(p)
    if not p.indicators:
        yield emit("P116", "该表没有填写任何绩效指标", p.cells.get("name", ""))
        return
    header = p.indicators[0].cells.get("level1", "")
    for dim, weight in rules.weights.items():
        if dim not in DIMENSIONS:
            continue
        present = [i for i in p.indicators if i.level1 == dim]
        if not present:
            yield emit("P112", f"没有“{dim}”类指标", header, dim)
        elif s.weights_by_dimension.get(dim) != weight:
            yield emit("P111", f"“{dim}”各指标分值合计 {s.weights_by_dimension.get(dim)}，规则为 {weight}",
                       present[0].cells.get("weight", ""), s.weights_by_dimension.get(dim))
    if s.self_total is not None and s.total is not None and abs(s.self_total - s.total) > rules.tolerance:
        how = "（按各指标自评得分合计）" if s.self_total_derived else ""
        yield emit("P109", f"自评总分 {fmt(s.self_total)}{how}，按规则计算为 {fmt(s.total)}，"
                           f"相差 {fmt(abs(s.self_total - s.total))} 分",
                   p.cells.get("self_total", ""), fmt(s.self_total))
    if p.self_grade and s.self_total is not None:
        expected = rules.grade(s.self_total)
        if p.self_grade.strip() != expected:
            yield emit("P110", f"自评总分 {fmt(s.self_total)} 对应等级“{expected}”，表中为“{p.self_grade}”",
                       p.cells.get("self_grade", ""), p.self_grade)
    if p.self_rate_score is not None and s.rate_score is not None \
            and abs(p.self_rate_score - s.rate_score) > rules.tolerance:
        yield emit("P118", f"表中执行率得分 {fmt(p.self_rate_score)}，按执行率 {fmt_pct(s.rate)} 计算应为 "
                           f"{fmt(s.rate_score)}", p.total_line.cells.get("score", ""), fmt(p.self_rate_score))
    weights = [i.weight for i in p.indicators]
    if all(w is not None for w in weights):
        form_total = (p.rate_weight if p.rate_weight is not None else rules.rate_weight) + sum(weights)
        if form_total != 100:
            yield emit("P119", f"预算执行率与各指标分值合计为 {fmt(form_total)} 分", header, fmt(form_total))
    if (s.self_total is not None and s.rate is not None and s.self_total >= rules.suspicious_score
            and s.rate < rules.suspicious_rate):
        yield emit("P115", f"执行率仅 {fmt_pct(s.rate)}，自评总分却为 {fmt(s.self_total)}",
                   p.cells.get("self_total") or p.total_line.cells.get("executed", ""), fmt(s.self_total))


def _what(ind: Indicator) -> str:
    return f"指标“{ind.level3 or '（未命名）'}”"


def check_indicator(p: Project, ind: Indicator, s: IndicatorScore, rules: Rules) -> Iterator[Finding]:
    emit = _Emitter(p)
    cell = ind.cells.get
    t, a = ind.target, ind.actual
    if ind.level1 not in DIMENSIONS:
        yield emit("I117", f"{_what(ind)}的一级指标“{ind.level1}”不在规范列表中", cell("level1", ""), ind.level1)
    elif ind.level2 not in DIMENSIONS[ind.level1]:
        yield emit("I117", f"{_what(ind)}的二级指标“{ind.level2}”不属于“{ind.level1}”", cell("level2", ""), ind.level2)
    if not t.text:
        yield emit("I101", f"{_what(ind)}未填写年度指标值", cell("target", ""))
    elif t.error:
        yield emit("I103", f"{_what(ind)}的指标值“{t.text}”无法识别", cell("target", ""), t.text)
    if not a.text:
        yield emit("I102", f"{_what(ind)}未填写实际完成值", cell("actual", ""))
    elif s.fallback == FALLBACK_UNREADABLE and not t.error and t.text:
        yield emit("I104", f"{_what(ind)}的完成值“{a.text}”无法与指标值“{t.text}”比较", cell("actual", ""), a.text)
    if ind.weight is None:
        yield emit("I105", f"{_what(ind)}未填写分值", cell("weight", ""))
    if ind.self_score is None:
        yield emit("I106", f"{_what(ind)}未填写得分", cell("self_score", ""))
    elif ind.weight is not None and ind.self_score > ind.weight:
        yield emit("I107", f"{_what(ind)}得分 {fmt(ind.self_score)} 高于分值 {fmt(ind.weight)}",
                   cell("self_score", ""), fmt(ind.self_score))
    if (ind.self_score is not None and s.score is not None and s.fallback is None
            and abs(ind.self_score - s.score) > rules.tolerance):
        yield emit("I108", f"{_what(ind)}自评得分 {fmt(ind.self_score)}，按{s.rule}规则计算为 {fmt(s.score)}"
                           f"（指标值 {t.text}，完成值 {a.text}）",
                   cell("self_score", ""), fmt(ind.self_score))
    if s.fallback == FALLBACK_LATE and ind.weight is not None and ind.self_score is not None \
            and ind.self_score >= ind.weight:
        yield emit("I109", f"{_what(ind)}时限为 {t.date:%Y年%m月%d日}前，实际 {a.date:%Y年%m月%d日}完成，却得满分 {fmt(ind.self_score)}",
                   cell("self_score", ""), a.text)
    if t.kind == QUALITATIVE and s.achievement and ind.weight and ind.self_score is not None:
        lo, hi = rules.qualitative_bands[s.achievement]
        share = ind.self_score / ind.weight
        if share < lo or share > hi:
            yield emit("I110", f"{_what(ind)}完成情况为“{s.achievement}”，得分 {fmt(ind.self_score)} 不在 "
                               f"{fmt(lo * ind.weight)}–{fmt(hi * ind.weight)} 之间",
                       cell("self_score", ""), fmt(ind.self_score))
    if s.met is False and not ind.reason:
        yield emit("I111", f"{_what(ind)}未达到指标值（指标值 {t.text}，完成值 {a.text}），未分析偏差原因",
                   cell("reason", ""), a.text)
    if ind.level2 == "成本指标" and t.kind == POSITIVE and t.text.startswith(_POSITIVE_MARKS):
        yield emit("I112", f"{_what(ind)}是成本指标，指标值却写作“{t.text}”", cell("target", ""), t.text)
    actual_value = s.actual_value if s.actual_value is not None else a.value
    if ("满意度" in ind.level1 + ind.level3 and actual_value is not None
            and (a.percent or t.percent) and actual_value > 100):
        yield emit("I113", f"{_what(ind)}完成值为 {a.text}，超过 100%", cell("actual", ""), a.text)
    if t.value is not None and t.value == 0:
        yield emit("I114", f"{_what(ind)}指标值为 0（{t.text}）", cell("target", ""), t.text)
    if t.kind == QUALITATIVE and t.text and ind.level2 in _VAGUE_DIMENSIONS:
        yield emit("I115", f"{_what(ind)}属于{ind.level2}，指标值“{t.text}”不可量化", cell("target", ""), t.text)
    if (t.unit and a.unit and t.unit != a.unit
            and not (t.unit in MONEY_SCALE and a.unit in MONEY_SCALE)):
        yield emit("I116", f"{_what(ind)}指标值单位为“{t.unit}”，完成值单位为“{a.unit}”", cell("actual", ""), a.text)
    if s.percent_from_fraction:
        yield emit("I118", f"{_what(ind)}完成值 {a.text} 已按 {fmt(s.actual_value)}% 计分", cell("actual", ""), a.text)


def check_project(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    yield from check_funds(p, s, rules)
    yield from check_totals(p, s, rules)
    for ind, score in zip(p.indicators, s.indicators):
        yield from check_indicator(p, ind, score, rules)
