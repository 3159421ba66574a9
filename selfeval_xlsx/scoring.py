"""The scoring rules of DOMAIN.md as pure functions over plain data."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Which projects enter a unit's or the district's figures is one rule, stated and kept
# in figures.py; these names stay importable from here.
from .figures import Rollup as Rollup
from .figures import Totals as Totals
from .figures import rollup as rollup
from .figures import total_of as total_of
from .form import DIMENSIONS, dimension_of
from .model import Indicator, Project
from .rules import Rules
from .targets import DATE, POSITIVE, QUALITATIVE, RELATIVE, REVERSE, RULE_NAMES

# The rules' qualitative bands: achievement → (low, high) share of the weight.
Bands = dict[str, tuple[Decimal, Decimal]]

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
MONEY_SCALE = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}

# Why a computed score had to fall back on the clerk's own score.
FALLBACK_UNREADABLE = "unreadable"   # target or actual could not be read as the rule needs
FALLBACK_LATE = "late"               # a date target missed: DOMAIN says use the self-score, flagged
FALLBACK_QUALITATIVE = "qualitative"
FALLBACK_RELATIVE = "relative"       # 较上年提高5%: needs last year's figure, a person judges


# Scores are results nobody changes once made, but not `frozen` dataclasses: a frozen
# dataclass's __init__ sets each field through object.__setattr__, ~5× the cost of a
# plain one, and an IndicatorScore is made for every indicator of every file. They
# hash as before (unsafe_hash: the same hash a frozen one has).
@dataclass(unsafe_hash=True)
class IndicatorScore:
    rule: str
    score: Decimal | None
    met: bool | None = None
    fallback: str | None = None
    actual_value: Decimal | None = None   # the actual as compared, after unit fixes
    percent_from_fraction: bool = False   # 0.98 (number or text) read as 98%
    achievement: str | None = None        # for qualitative indicators
    banded_from: Decimal | None = None    # a qualitative self score moved into its band: the score typed


@dataclass
class ProjectScore:
    rate: Decimal | None
    rate_score: Decimal | None
    dimensions: dict[str, Decimal]
    indicators: tuple[IndicatorScore, ...]
    total: Decimal | None
    grade: str | None
    self_total: Decimal | None
    self_total_derived: bool = False
    weights_by_dimension: dict[str, Decimal] = field(default_factory=dict)
    self_grade: str = ""
    unscorable: str | None = None   # why no total is computed (then total and grade are None)


def execution_rate(budget: Decimal | None, executed: Decimal | None) -> Decimal | None:
    if budget is None or executed is None or budget <= 0:
        return None
    return executed / budget


def rate_score(rate: Decimal | None, weight: Decimal) -> Decimal | None:
    if rate is None:
        return None
    return max(ZERO, min(rate, ONE)) * weight


def _capped(x: Decimal, w: Decimal) -> Decimal:
    return max(ZERO, min(x, w))


def _compare(kind: str, a: Decimal, b: Decimal, w: Decimal) -> tuple[Decimal, bool]:
    """Score and whether the target was met, for target a and actual b."""
    if kind == POSITIVE:
        if b >= a:
            return w, True
        return (_capped(w * b / a, w) if a > 0 else ZERO), False
    if kind == REVERSE:
        if b <= a:
            return w, True
        return (_capped(w * a / b, w) if b > 0 and a >= 0 else ZERO), False
    # EXACT
    if b == a:
        return w, True
    if a == 0:
        return ZERO, False
    return _capped(w * (ONE - abs(b - a) / abs(a)), w), False


def _self(ind: Indicator) -> Decimal | None:
    if ind.self_score is None or ind.weight is None:
        return ind.self_score
    return _capped(ind.self_score, ind.weight)


def _achievement(ind: Indicator) -> str | None:
    act, t = ind.actual, ind.target
    if act.achievement is None and act.text and act.text == t.text:
        return "达成"  # the actual restates the target: achieved as worded
    return act.achievement


def _banded(ind: Indicator, achievement: str | None,
            bands: Bands | None) -> tuple[Decimal | None, Decimal | None]:
    """The qualitative score: the self score, moved to the nearest value of the band its
    achievement allows (DOMAIN: 达成 80–100 %, …). Returns (score, the self score if moved)."""
    score = _self(ind)
    if score is None or bands is None or achievement is None or not ind.weight:
        return score, None
    lo, hi = bands[achievement]
    inside = max(lo * ind.weight, min(score, hi * ind.weight))
    return (inside, ind.self_score) if inside != score else (score, None)


def score_indicator(ind: Indicator, bands: Bands | None = None) -> IndicatorScore:
    """`bands`: the rules' qualitative bands; without them a qualitative score is the
    self score as typed (capped at the weight)."""
    t, act, w = ind.target, ind.actual, ind.weight
    rule = RULE_NAMES[t.kind]
    if w is None:
        return IndicatorScore(rule, None)
    if t.kind == QUALITATIVE:
        achievement = _achievement(ind)
        met = None if achievement is None else achievement == "达成"
        score, moved = _banded(ind, achievement, bands)
        return IndicatorScore(rule, score, met=met, fallback=FALLBACK_QUALITATIVE,
                              achievement=achievement, banded_from=moved)
    if t.kind == RELATIVE:
        return IndicatorScore(rule, _self(ind), fallback=FALLBACK_RELATIVE)
    if t.kind == DATE:
        if t.date is not None and act.date is not None:
            if act.date <= t.date:
                return IndicatorScore(rule, w, met=True)
            return IndicatorScore(rule, _self(ind), met=False, fallback=FALLBACK_LATE)
        if act.date is None and (act.on_time or act.achievement == "达成"):
            # 按时完成 / 已完成: the clerk says the deadline was kept.
            return IndicatorScore(rule, w, met=True)
        if act.achievement in ("未达成", "部分达成"):
            return IndicatorScore(rule, _self(ind), met=False, fallback=FALLBACK_LATE,
                                  achievement=act.achievement)
        return IndicatorScore(rule, _self(ind), fallback=FALLBACK_UNREADABLE)
    a, b = t.value, act.value
    if t.zero and b is None:
        achievement = _achievement(ind)
        if achievement == "达成":     # 零投诉 → 无投诉 / 达成
            return IndicatorScore(rule, w, met=True, achievement=achievement)
        if achievement == "未达成":
            return IndicatorScore(rule, ZERO, met=False, achievement=achievement)
    if a is None or b is None:
        return IndicatorScore(rule, _self(ind), fallback=FALLBACK_UNREADABLE)
    from_fraction = False
    if t.percent and not act.unit and ZERO < b <= ONE < a and t.kind != REVERSE:
        # A cell formatted as a percentage holds 0.98 for 98%; typed as text it reads "0.98".
        # Not for a ceiling (≤5%): its actuals are small, 0.32 there is 0.32%, not 32%.
        b, from_fraction = b * HUNDRED, True
    elif act.percent and not t.unit and ZERO < a <= ONE < b:
        # The target is the percentage cell (0.95 shown as 95%), the actual typed 96%.
        a = a * HUNDRED
    elif t.unit in MONEY_SCALE and act.unit in MONEY_SCALE and t.unit != act.unit:
        b = b * MONEY_SCALE[act.unit] / MONEY_SCALE[t.unit]
    score, met = _compare(t.kind, a, b, w)
    return IndicatorScore(rule, score, met=met, actual_value=b, percent_from_fraction=from_fraction)


def unscorable(project: Project, scores: tuple[IndicatorScore, ...] = ()) -> str | None:
    """Why no total can be computed for a form, or None. A figure made of blanks would
    only look like a score (and drag averages down), so there is none."""
    inds = project.indicators
    if not inds:
        return "没有填写任何绩效指标"
    if all(not i.actual.text for i in inds):
        if all(i.self_score is None for i in inds):
            return "各指标既没有填写实际完成值，也没有填写得分"
        return "各指标都没有填写实际完成值，无法按规则计分"
    if all(i.self_score is None for i in inds) and any(
            s.fallback is not None and s.score is None for s in scores):
        return "各指标都没有填写得分，定性等指标只能采用自评得分，无法计分"
    return None


def score_project(project: Project, rules: Rules) -> ProjectScore:
    rate = execution_rate(project.budget, project.executed)
    r_score = rate_score(rate, rules.rate_weight)
    bands = rules.qualitative_bands
    scores = tuple([score_indicator(ind, bands) for ind in project.indicators])
    dims = dict.fromkeys(DIMENSIONS, ZERO)
    weights = dict.fromkeys(DIMENSIONS, ZERO)
    indicator_sum = ZERO
    # One pass: the sum and the per-dimension sums, each added in the rows' order.
    for ind, s in zip(project.indicators, scores):
        score = s.score or ZERO
        indicator_sum += score
        dim = dimension_of(ind.level1)
        if dim in dims:
            dims[dim] += score
            weights[dim] += ind.weight or ZERO
    why = unscorable(project, scores)
    total = None if r_score is None or why else r_score + indicator_sum
    if why:
        dims = {}

    self_total, derived = project.self_total, False
    if self_total is None and any(i.self_score is not None for i in project.indicators):
        # Our template computes 总分 by formula; a file saved without recalculation
        # has no cached value, so rebuild what that formula shows.
        base = project.self_rate_score if project.self_rate_score is not None else (r_score or ZERO)
        self_total = base + sum((i.self_score or ZERO for i in project.indicators), ZERO)
        derived = True
    # Likewise the template's 自评等级 formula, when its cached value is missing.
    self_grade = project.self_grade or (rules.grade(self_total) if derived else "") or ""
    return ProjectScore(rate, r_score, dims, scores, total, rules.grade(total),
                        self_total, derived, weights, self_grade, why)

