"""What a careful reviewer checks on one project form. Each check yields findings."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .findings import Finding, make
from .form import (
    COST,
    COST_LEVEL2,
    DEPT_EXTRA_LEVEL1,
    DIMENSIONS,
    SOURCE_KEYS,
    USE_KEYS,
    dimension_of,
    is_cost,
)
from .model import Indicator, Project
from .numbers import RATE_PLACES, fmt, fmt_pct, plain, round_half_up
from .review_checks import check_exec_reason, check_review, p115_fires
from .rules import PRESETS, Rules
from .scoring import (
    FALLBACK_LATE,
    FALLBACK_RELATIVE,
    FALLBACK_UNREADABLE,
    MONEY_SCALE,
    IndicatorScore,
    ProjectScore,
)
from .targets import DATE, POSITIVE, QUALITATIVE

CENT = Decimal("0.005")
_VAGUE_DIMENSIONS = {"数量指标", "质量指标", "时效指标", "成本指标"}
_POSITIVE_MARKS = ("≥", ">=", "≧", "不低于", "不少于", "大于等于", ">", "大于", "高于")


def _say(p: Project, code: str, problem: str, cell: str = "", value: object = "", fix: str = "") -> Finding:
    """A finding on project `p` (built only when a check fires)."""
    return make(code, problem, value=value, file=p.file, sheet=p.sheet,
                cell=cell, unit=p.unit, project=p.name, fix=fix)


def grade_fix(rules: Rules) -> str:
    """P110's fix with the rules' grade lines ("优≥90，良80–90，中60–80，差<60")."""
    parts: list[str] = []
    above: Decimal | None = None
    for name, lowest in rules.grades:
        parts.append(f"{name}≥{plain(lowest)}" if above is None else f"{name}{plain(lowest)}–{plain(above)}")
        above = lowest
    return "" if above is None else f"请按总分确定等级：{'，'.join(parts)}，差<{plain(above)}。"


def bands_fix(rules: Rules) -> str:
    """I110's fix with the rules' bands ("达成得分应在分值的80%–100%，部分达成60%–80%，…")."""
    def pct(x: Decimal) -> str:
        return "0" if x == 0 else f"{plain(x * 100)}%"
    parts = [f"{name}{pct(lo)}–{pct(hi)}" for name, (lo, hi) in rules.qualitative_bands.items()]
    if not parts:
        return ""
    first, *rest = parts
    name = next(iter(rules.qualitative_bands))
    return "，".join([f"{name}得分应在分值的{first[len(name):]}", *rest]) + "。"


def check_funds(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    total = p.total_line
    budget, executed = p.budget, p.executed
    if budget is not None and budget <= 0:
        yield _say(p, "P104", f"全年预算数为 {fmt(budget)} 万元，无法计算执行率和总分", total.cells.get("budget", ""),
                   fmt(budget))
    if executed is not None and executed < 0:
        yield _say(p, "P105", f"全年执行数为 {fmt(executed)} 万元", total.cells.get("executed", ""), fmt(executed))
    if budget is not None and executed is not None and budget > 0 and executed > budget:
        yield _say(p, "P106", f"全年执行数 {fmt(executed)} 万元超过全年预算数 {fmt(budget)} 万元",
                   total.cells.get("executed", ""), fmt(executed))
    # The rate as every output shows it (to 0.01%): 89.996% is shown, and so judged, as 90.00%.
    if s.rate is not None and round_half_up(s.rate, RATE_PLACES) < rules.rate_threshold and not p.exec_reason:
        where, cell = _reason_place(p)
        yield _say(p, "P107", f"执行率 {fmt_pct(s.rate)}，低于 {fmt_pct(rules.rate_threshold)}，表中未见原因说明；{where}",
                   cell, fmt_pct(s.rate))
    for keys, what in ((SOURCE_KEYS, "资金来源"), (USE_KEYS, "基本支出与项目支出")):
        # One finding per block: a slip in one row usually shows in every column.
        off = []
        for column, name in (("initial", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数")):
            parts = [x for x in (getattr(p.funds[k], column) for k in keys if k in p.funds) if x is not None]
            whole = getattr(total, column)
            if parts and whole is not None and abs(sum(parts) - whole) > CENT:
                off.append((column, f"{name}：{what}各行合计 {fmt(sum(parts))} 万元，年度资金总额为 {fmt(whole)} 万元",
                            whole))
        if off:
            yield _say(p, "P108", "；".join(text for _, text, _ in off), total.cells.get(off[0][0], ""), fmt(off[0][2]))
    # One finding per project: the clerk retypes the whole block, not one cell. A form that
    # states its amounts in 元 has been converted already. A caption saying 万元 is no
    # evidence either way: the national form prints 项目资金（万元） whatever the clerk
    # typed, so such forms are guessed at like forms that state nothing. A 部门整体 form
    # holds a whole unit's budget, which may pass 1 亿元 honestly.
    threshold = rules.yuan_threshold * (100 if p.kind == "dept" else 1)
    large = [] if p.amount_unit == "元" else [
        (line, column, getattr(line, column)) for line in p.funds.values()
        for column in ("initial", "budget", "executed")
        if getattr(line, column) is not None and getattr(line, column) >= threshold]
    if large:
        line, column, x = large[0]
        yield _say(p, "P114", f"{line.label}等 {len(large)} 处金额达 {fmt(x)} 万元，数额异常大",
                   line.cells.get(column, ""), fmt(x))
    if p.rate_weight is not None and p.rate_weight != rules.rate_weight:
        yield _say(p, "P117", f"表中预算执行率分值为 {fmt_weight(p.rate_weight)}，规则为 {fmt_weight(rules.rate_weight)}",
                   total.cells.get("weight", ""), fmt_weight(p.rate_weight))


def _reason_place(p: Project) -> tuple[str, str]:
    """Where this layout has room for the reason, said and pointed at."""
    if "exec_reason" in p.cells:
        return "本表应写在“执行率未达90%原因”一栏", p.cells["exec_reason"]
    if p.fund_note_column:
        return ("本表应写在资金表的原因说明（备注）列",
                p.total_line.cells.get("note") or p.total_line.cells.get("executed", ""))
    cost = next((i for i in p.indicators if is_cost(i.level1, i.level2) and "reason" in i.cells), None)
    if cost is not None:
        return (f"本表没有执行率原因的栏目，应写在成本指标“{cost.level3}”的“偏差原因分析及改进措施”中",
                cost.cells["reason"])
    return ("本表没有执行率原因的栏目，应写在与资金相关的指标的“偏差原因分析及改进措施”中",
            p.total_line.cells.get("executed", ""))


_SCHEME_DIMS = tuple(DIMENSIONS)


def _scheme(weights: dict[str, Decimal | None] | dict[str, Decimal]) -> str:
    return "、".join(f"{d.removesuffix('指标')}{fmt_weight(weights.get(d))}" for d in _SCHEME_DIMS)


def fmt_weight(x: Decimal | None) -> str:
    return "（无）" if x is None else plain(x)


def _preset_named(weights: dict[str, Decimal | None]) -> str:
    for preset in PRESETS.values():
        if all(preset.weights[d] == (weights.get(d) or 0) for d in _SCHEME_DIMS):
            return f"（与“{preset.name}”相同）"
    return "（自定方案）"


def form_scheme(p: Project, s: ProjectScore) -> tuple[dict[str, Decimal], str]:
    """The 一级指标 weights the form itself uses: the sums of its 分值 per dimension, or
    where no 分值 is filled, the weights its labels declare (产出指标(50分))."""
    declared = p.declared_weights
    # The dimensions that have an indicator with its 分值 filled: one pass over the rows.
    weighted = {dimension_of(i.level1) for i in p.indicators if i.weight is not None}
    out: dict[str, Decimal] = {}
    for d in _SCHEME_DIMS:
        if d in weighted:
            out[d] = s.weights_by_dimension.get(d, Decimal(0))
        elif d in declared:
            out[d] = declared[d]
    how = "按标签中注明的分值" if declared and not weighted else "按各指标分值合计"
    return out, how


def check_totals(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    if not p.indicators:
        yield _say(p, "P116", "该表没有填写任何绩效指标", p.cells.get("name", ""))
        return
    if s.unscorable:
        yield _say(p, "P121", f"{s.unscorable}，无法计算总分和等级（不计入平均分和排名）",
                   p.cells.get("self_total") or p.indicators[0].cells.get("actual", ""), s.unscorable)
    header = p.indicators[0].cells.get("level1", "")
    if p.kind == "dept" and any(i.level1 in DEPT_EXTRA_LEVEL1 for i in p.indicators):
        # A newer local 部门整体 form (履职效能, 管理效率…): its own dimensions, not the rules'.
        yield from _score_checks(p, s, rules, header)
        return
    present = {dimension_of(i.level1) for i in p.indicators}
    for dim, weight in rules.weights.items():
        if dim not in DIMENSIONS or weight == 0:
            continue   # a weight of 0: the rules expect no such indicators (工资性支出 templates)
        if dim not in present:
            yield _say(p, "P112", f"没有“{dim}”类指标", header, dim)
    scheme, how = form_scheme(p, s)
    expected = {d: rules.weights[d] for d in _SCHEME_DIMS}
    off = [d for d in _SCHEME_DIMS if d in scheme and scheme[d] != expected[d]]
    # A weight the label declares (效益指标（30分）) that its indicators' 分值 do not add up to.
    declared = p.declared_weights
    clash = [d for d in _SCHEME_DIMS if d in declared and declared[d] != scheme.get(d, declared[d])]
    said = "；".join(f"“{d}”标签注明 {fmt_weight(declared[d])} 分，其下各指标分值合计 "
                    f"{fmt_weight(scheme[d])} 分" for d in clash)
    if off:
        first = next((i for i in p.indicators if dimension_of(i.level1) == off[0]), None)
        cell = (first.cells.get("weight") or first.cells.get("level1", "")) if first else header
        shown = {d: scheme.get(d) for d in _SCHEME_DIMS}
        yield _say(p, "P111", f"本表一级指标分值（{how}）为 {_scheme(shown)}{_preset_named(shown)}，"
                           f"所用规则“{rules.name}”为 {_scheme(expected)}" + (f"；{said}" if said else ""),
                   cell, _scheme(shown))
    elif clash:
        first = next(i for i in p.indicators if i.declared_weight is not None and dimension_of(i.level1) == clash[0])
        yield _say(p, "P111", said, first.cells.get("level1", ""), fmt_weight(declared[clash[0]]))
    yield from _score_checks(p, s, rules, header)


# How forms spell the grades: 优秀 is 优.
_GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "一般": "中", "较差": "差", "合格": "中", "不合格": "差"}


def _grade_word(grade: str | None) -> str:
    g = (grade or "").strip()
    return _GRADE_WORDS.get(g, g)


def _score_checks(p: Project, s: ProjectScore, rules: Rules, header: str) -> Iterator[Finding]:
    if s.self_total is not None and s.total is not None and abs(s.self_total - s.total) > rules.tolerance:
        how = "（按各指标自评得分合计）" if s.self_total_derived else ""
        yield _say(p, "P109", f"自评总分 {fmt(s.self_total)}{how}，按规则计算为 {fmt(s.total)}，"
                           f"相差 {fmt(abs(s.self_total - s.total))} 分",
                   p.cells.get("self_total", ""), fmt(s.self_total))
    if p.self_grade and s.self_total is not None:
        expected = rules.grade(s.self_total)
        # Both sides through the same words: a rules file may name its grades 优秀/良好.
        if _grade_word(p.self_grade) != _grade_word(expected):
            yield _say(p, "P110", f"自评总分 {fmt(s.self_total)} 对应等级“{expected}”，表中为“{p.self_grade}”",
                       p.cells.get("self_grade", ""), p.self_grade, fix=grade_fix(rules))
    if p.self_rate_score is not None and s.rate_score is not None \
            and abs(p.self_rate_score - s.rate_score) > rules.tolerance:
        yield _say(p, "P118", f"表中执行率得分 {fmt(p.self_rate_score)}，按执行率 {fmt_pct(s.rate)} 计算应为 "
                           f"{fmt(s.rate_score)}", p.total_line.cells.get("score", ""), fmt(p.self_rate_score))
    weights = [i.weight for i in p.indicators if i.weight is not None]
    if len(weights) == len(p.indicators):   # every indicator has its weight
        form_total = (p.rate_weight if p.rate_weight is not None else rules.rate_weight) + sum(weights)
        if form_total != 100:
            yield _say(p, "P119", f"预算执行率与各指标分值合计为 {fmt(form_total)} 分", header, fmt(form_total))
    if not p.template_form and any(i.self_score is not None for i in p.indicators):
        # A filled form from another tool leaves these blank only by oversight; in our
        # template they are formulas, which a file saved unrecalculated shows blank.
        if p.self_total is None and "self_total" in p.cells:
            yield _say(p, "P122", f"各指标已自评打分，但“总分”未填写（各项得分合计为 {fmt(s.self_total)}）",
                       p.cells["self_total"], "")
        if p.self_rate_score is None and "score" in p.total_line.cells and s.rate_score is not None:
            yield _say(p, "P122", f"各指标已自评打分，但执行率得分未填写（年度资金总额行的“得分”，按执行率应为 {fmt(s.rate_score)}）",
                       p.total_line.cells["score"], "")
    if p115_fires(s, rules):
        yield _say(p, "P115", f"执行率仅 {fmt_pct(s.rate)}，自评总分却为 {fmt(s.self_total)}",
                   p.cells.get("self_total") or p.total_line.cells.get("executed", ""), fmt(s.self_total))


def _what(ind: Indicator) -> str:
    return f"指标“{ind.level3 or '（未命名）'}”"


def check_indicator(p: Project, ind: Indicator, s: IndicatorScore, rules: Rules,
                    quiet: frozenset[str] = frozenset()) -> Iterator[Finding]:
    """`quiet`: blanks already said once for the whole form (P121, or one I106), so not
    listed row by row."""
    cell = ind.cells.get
    t, a = ind.target, ind.actual
    if ind.level1 == COST:
        if ind.level2 not in COST_LEVEL2:
            yield _say(p, "I117", f"{_what(ind)}的二级指标“{ind.level2}”不属于“{ind.level1}”", cell("level2", ""), ind.level2)
    elif ind.level1 not in DIMENSIONS:
        if not (p.kind == "dept" and ind.level1 in DEPT_EXTRA_LEVEL1):
            yield _say(p, "I117", f"{_what(ind)}的一级指标“{ind.level1}”不在规范列表中", cell("level1", ""), ind.level1)
    elif (ind.level2 not in DIMENSIONS[ind.level1] and (ind.level2 or "level2" in p.score_columns)
          and not (ind.level1 == "产出指标" and ind.level2 in COST_LEVEL2)):
        # 经济成本指标 etc. (财预〔2021〕101号) sit under 产出指标 where 成本指标 is not a 一级 of its own.
        yield _say(p, "I117", f"{_what(ind)}的二级指标“{ind.level2}”不属于“{ind.level1}”", cell("level2", ""), ind.level2)
    if not t.text:
        yield _say(p, "I101", f"{_what(ind)}未填写年度指标值", cell("target", ""))
    elif (t.error and t.error.startswith("#")) or (t.error and t.error.startswith("Err:")):
        yield _say(p, "I119", f"{_what(ind)}的指标值是错误值“{t.text}”：单元格中是一个出错的公式"
                           f"（以“=”开头的内容会被当作公式），计分时无法使用", cell("target", ""), t.text)
    elif t.error:
        yield _say(p, "I103", f"{_what(ind)}的指标值“{t.text}”无法识别", cell("target", ""), t.text)
    if not a.text:
        if "I102" not in quiet:
            yield _say(p, "I102", f"{_what(ind)}未填写实际完成值", cell("actual", ""))
    elif a.error:
        what = "是错误值（公式出错）" if a.text.startswith(("#", "Err:")) else f"无法使用（{a.error}）"
        yield _say(p, "I104", f"{_what(ind)}的完成值“{a.text}”{what}，无法计分", cell("actual", ""), a.text)
    elif s.fallback == FALLBACK_UNREADABLE and t.kind == DATE and not t.error:
        why = "无法识别指标值中的时限" if t.date is None else f"无法从完成值“{a.text}”判断完成时间"
        yield _say(p, "I104", f"{_what(ind)}是时限指标（{t.text}），{why}，无法判断是否按时完成", cell("actual", ""), a.text)
    elif s.fallback == FALLBACK_UNREADABLE and not t.error and t.text:
        yield _say(p, "I104", f"{_what(ind)}的完成值“{a.text}”无法与指标值“{t.text}”比较", cell("actual", ""), a.text)
    if s.fallback == FALLBACK_RELATIVE:
        yield _say(p, "I120", f"{_what(ind)}的指标值“{t.text}”以上年为基准，需人工判断是否完成；已沿用自评得分",
                   cell("target", ""), t.text)
    if ind.weight is None and "I105" not in quiet:
        yield _say(p, "I105", f"{_what(ind)}未填写分值", cell("weight", ""))
    if ind.self_score is None:
        if "I106" not in quiet:
            yield _say(p, "I106", f"{_what(ind)}未填写得分", cell("self_score", ""))
    elif ind.weight is not None and ind.self_score > ind.weight:
        yield _say(p, "I107", f"{_what(ind)}得分 {fmt(ind.self_score)} 高于分值 {fmt(ind.weight)}",
                   cell("self_score", ""), fmt(ind.self_score))
    if (ind.self_score is not None and s.score is not None and s.fallback is None
            and abs(ind.self_score - s.score) > rules.tolerance):
        yield _say(p, "I108", f"{_what(ind)}自评得分 {fmt(ind.self_score)}，按{s.rule}规则计算为 {fmt(s.score)}"
                           f"（指标值 {t.text}，完成值 {a.text}）",
                   cell("self_score", ""), fmt(ind.self_score))
    if s.fallback == FALLBACK_LATE and ind.weight is not None and ind.self_score is not None \
            and ind.self_score >= ind.weight:
        # A target or actual without a date (汛期前, 未完成) is late too: say it as written.
        due = f"{t.date:%Y年%m月%d日}前" if t.date else f"“{t.text}”"
        done = f"实际 {a.date:%Y年%m月%d日}完成" if a.date else f"完成情况为“{a.text}”"
        yield _say(p, "I109", f"{_what(ind)}时限为 {due}，{done}，却得满分 {fmt(ind.self_score)}",
                   cell("self_score", ""), a.text)
    if t.kind == QUALITATIVE and s.achievement and ind.weight and ind.self_score is not None:
        lo, hi = rules.qualitative_bands[s.achievement]
        share = ind.self_score / ind.weight
        if share < lo or share > hi:
            yield _say(p, "I110", f"{_what(ind)}完成情况为“{s.achievement}”，自评得分 {fmt(ind.self_score)} 不在 "
                               f"{fmt(lo * ind.weight)}–{fmt(hi * ind.weight)} 之间，计算得分取区间内最接近的 "
                               f"{fmt(s.score)}",
                       cell("self_score", ""), fmt(ind.self_score), fix=bands_fix(rules))
    if s.met is False and not ind.reason:
        yield _say(p, "I111", f"{_what(ind)}未达到指标值（指标值 {t.text}，完成值 {a.text}），未分析偏差原因",
                   cell("reason", ""), a.text)
    if (is_cost(ind.level1, ind.level2) and t.kind == POSITIVE and t.text.startswith(_POSITIVE_MARKS)
            and not any(w in ind.level3 for w in rules.saving_words)):
        # A saving (成本节约率 ≥5%) is rightly ≥: the meaning decides before the sign does.
        yield _say(p, "I112", f"{_what(ind)}是成本指标，指标值却写作“{t.text}”", cell("target", ""), t.text)
    actual_value = s.actual_value if s.actual_value is not None else a.value
    if ("满意度" in ind.level1 + ind.level3 and actual_value is not None
            and (a.percent or t.percent) and actual_value > 100):
        yield _say(p, "I113", f"{_what(ind)}完成值为 {a.text}，超过 100%", cell("actual", ""), a.text)
    if t.value is not None and t.value == 0 and not t.zero:
        # 零投诉 / =0起 are targets (nothing may happen); only ≥0 measures nothing.
        yield _say(p, "I114", f"{_what(ind)}指标值为 0（{t.text}）", cell("target", ""), t.text)
    if t.kind == QUALITATIVE and t.text and not t.error and ind.level2 in _VAGUE_DIMENSIONS:
        yield _say(p, "I115", f"{_what(ind)}属于{ind.level2}，指标值“{t.text}”不可量化", cell("target", ""), t.text)
    if (t.unit and a.unit and t.unit != a.unit
            and not (t.unit in MONEY_SCALE and a.unit in MONEY_SCALE)
            and not (t.unit.startswith(a.unit) or a.unit.startswith(t.unit))):   # 人 and 人次
        yield _say(p, "I116", f"{_what(ind)}指标值单位为“{t.unit}”，完成值单位为“{a.unit}”", cell("actual", ""), a.text)
    if s.percent_from_fraction:
        yield _say(p, "I118", f"{_what(ind)}完成值 {a.text} 已按 {fmt(s.actual_value)}% 计分", cell("actual", ""), a.text)


_UNFILLED = frozenset({"I102", "I105", "I106"})
_UNSCORED = frozenset({"I106"})


def check_project(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    yield from check_funds(p, s, rules)
    yield from check_totals(p, s, rules)
    unfilled = s.unscorable is not None
    unscored = not unfilled and len(p.indicators) > 1 and all(i.self_score is None for i in p.indicators)
    if unscored:
        # Not one 得分 typed: one finding for the form, not one per row.
        first = p.indicators[0]
        yield _say(p, "I106", f"各指标均未填写得分（共 {len(p.indicators)} 项），自评未完成",
                          first.cells.get("self_score", ""))
    quiet = _UNFILLED if unfilled else _UNSCORED if unscored else frozenset()
    for ind, score in zip(p.indicators, s.indicators):
        yield from check_indicator(p, ind, score, rules, quiet)
    yield from check_exec_reason(p, s, rules)
    yield from check_review(p, s, rules)   # 抽查复核 (issue 14)


def check_dept_projects(dept: Project, projects: list[Project], rules: Rules) -> Iterator[Finding]:
    """A unit that sent its 部门整体 form and its project forms in one workbook: the 部门整体
    项目支出 line should agree with the sum of the projects' 全年预算数."""
    line = dept.funds.get("project_spend")
    budgets = [p.budget for p in projects if p.budget is not None]
    if line is None or line.budget is None or not budgets:
        return
    f = dept_projects_mismatch(line.budget, sum(budgets, Decimal(0)), len(budgets), rules, file=dept.file,
                               sheet=dept.sheet, cell=line.cells.get("budget", ""), unit=dept.unit)
    if f is not None:
        yield f


def dept_projects_mismatch(spend: Decimal, projects_total: Decimal, count: int, rules: Rules, *,
                           file: str, sheet: str, cell: str, unit: str) -> Finding | None:
    """U105 from the figures alone, for a batch that holds a unit's 部门整体 form and its
    project forms in different files (it keeps sums, not projects)."""
    gap = abs(projects_total - spend)
    if gap <= max(CENT, rules.dept_tolerance * spend):
        return None
    return make("U105", f"部门整体自评表的项目支出全年预算数为 {fmt(spend)} 万元，本单位 {count} 个项目的"
                        f"全年预算数合计 {fmt(projects_total)} 万元，相差 {fmt(gap)} 万元",
                value=fmt(spend), file=file, sheet=sheet, cell=cell, unit=unit, project="部门整体支出")
