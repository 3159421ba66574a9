"""Scoring rules: weights differ by place and year, so they are configuration.

A rules file is TOML with Chinese keys; `selfeval rules` prints the default as a
file to start from, and `load_rules` reads one back.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import os_reason
from .form import DIMENSIONS, RATE_DIMENSION
from .numbers import plain


class RulesError(Exception):
    """A rules file that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Rules:
    name: str
    # 预算执行率 and the three 一级指标, out of 100.
    weights: dict[str, Decimal]
    # Lowest total for each grade, best first; anything lower is 差.
    grades: tuple[tuple[str, Decimal], ...] = (
        ("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)))
    tolerance: Decimal = Decimal("0.5")
    rate_threshold: Decimal = Decimal("0.9")
    # Share of an indicator's weight a qualitative self-score may take, by achievement.
    qualitative_bands: dict[str, tuple[Decimal, Decimal]] = field(default_factory=lambda: {
        "达成": (Decimal("0.8"), Decimal(1)),
        "部分达成": (Decimal("0.6"), Decimal("0.8")),
        "未达成": (Decimal(0), Decimal("0.6")),
    })
    # A total at least this high on a project executed below `suspicious_rate` is flagged.
    suspicious_score: Decimal = Decimal(90)
    suspicious_rate: Decimal = Decimal("0.8")
    # A unit (or the district) whose self totals are at least this share ≥ suspicious_score
    # while its execution rate is below rate_threshold is flagged as 自评偏高.
    bunching_share: Decimal = Decimal("0.8")
    # An amount in 万元 at or above this looks like it was typed in 元.
    yuan_threshold: Decimal = Decimal(10000)
    # Where these rules came from (a rules file's absolute path and SHA-256; empty for a preset).
    source: str = ""
    sha256: str = ""
    # 成本指标 whose name holds one of these measure a saving, so `≥` is right for them.
    saving_words: tuple[str, ...] = ("节约率", "节约额", "节约", "降低率", "下降率", "压减", "节省", "降低")
    # A unit's 部门整体 项目支出 and the sum of its project budgets may differ by this share.
    dept_tolerance: Decimal = Decimal("0.01")
    # --- 抽查复核 checks (review_checks.py) ---
    # A positive indicator done at least this many times its target, at full marks and
    # unexplained, had its target set too low (the mirror for reverse indicators).
    low_target_ratio: Decimal = Decimal("1.2")
    # …and, for a percentage, at least this many points beyond it: ≥5% done as 8% is a
    # rate of change that moved, ≥80% done as 100% is a target set low.
    low_target_points: Decimal = Decimal(10)
    # 全年预算数 this share or more below 年初预算数 while execution is at least
    # `full_execution`: the budget was cut down to the spending.
    budget_cut_share: Decimal = Decimal("0.2")
    full_execution: Decimal = Decimal("0.99")
    # A satisfaction at least this high should say how it was surveyed.
    satisfaction_evidence: Decimal = Decimal("0.95")
    # The indicators' score share exceeding the execution rate by more than this.
    score_rate_gap: Decimal = Decimal("0.3")
    # A reason shorter than this (characters) explains nothing.
    min_reason_chars: Decimal = Decimal(6)
    # Two projects sharing at least this many identical indicator rows (三级指标, 指标值,
    # 完成值, 偏差原因), at least `copy_share` of the smaller one's rows, were copied.
    copy_rows: Decimal = Decimal(3)
    copy_share: Decimal = Decimal("0.8")
    # --previous: a target copied from last year is flagged when last year's actual
    # exceeded it by more than this share (previous.py, Y104).
    copied_target_margin: Decimal = Decimal("0.2")
    # Whether every project must have a 成本指标 (财预〔2021〕101号 requires one).
    require_cost: bool = False
    # Word lists: stock phrases in qualitative actuals, reasons that explain nothing,
    # template instruction text, 数量指标 rightly written with ≤, words that show a survey.
    stock_phrases: tuple[str, ...] = (
        "达成预期指标", "达到预期目标", "达成预期目标", "达到预期", "效果明显", "效果显著", "成效显著",
        "有效提升", "显著提升", "明显提升", "进一步提升", "大幅提升", "有所提升", "得到提升", "有效改善",
        "明显改善", "显著改善", "稳步提升", "效益明显")
    empty_reasons: tuple[str, ...] = (
        "无", "没有", "无偏差", "按计划推进", "按计划完成", "已完成", "完成", "正常", "无问题", "/", "-", "—")
    template_phrases: tuple[str, ...] = (
        "填写年初设定的年度总体目标", "填写年度总体目标的实际完成情况", "请填写", "（填写", "(填写",
        "XXX", "xxx", "××")
    reverse_quantity_words: tuple[str, ...] = (
        "投诉", "事故", "差错", "违规", "违法", "案件", "失误", "纠纷", "上访", "信访", "返工", "缺陷",
        "不合格", "超标", "死亡", "伤亡", "发生", "控制", "不超过")
    evidence_words: tuple[str, ...] = (
        "问卷", "调查", "调研", "抽样", "样本", "回访", "座谈", "测评", "评议", "份", "人次", "户")
    # Codes a district switches off ([关闭的审核]); their findings are never made.
    disabled: frozenset[str] = frozenset()
    # --- [抽查复核]: risk-weighted sampling (sampling.py) and reading the review back (review.py) ---
    # A project's weight = 1 + each factor × its weight below (sampling.risk_factors).
    risk_low_exec: Decimal = Decimal(3)       # executed below 偏高执行率 while self-scored ≥ 偏高总分
    risk_budget_cut: Decimal = Decimal(2)     # 全年预算数 below 年初预算数
    risk_per_finding: Decimal = Decimal("0.5")   # per 警告/错误 on the project's sheet…
    risk_finding_cap: Decimal = Decimal(5)    # …counting at most this many
    risk_budget: Decimal = Decimal(2)         # × the budget's rank in the population, 0 to 1
    # A self-score more than this above the review score counts as 自评偏高 in 复核汇总:
    # half a grade band (优/良/中 lie 10 points apart), above the point or two that
    # judging a qualitative indicator moves, below a change of grade.
    review_tolerance: Decimal = Decimal(5)

    def __hash__(self) -> int:
        # Usable as a cache key; equal rules have equal names and weights, so equal hashes.
        return hash((self.name, tuple(sorted(self.weights.items()))))

    @property
    def rate_weight(self) -> Decimal:
        return self.weights[RATE_DIMENSION]

    def grade(self, total: Decimal | None) -> str | None:
        if total is None:
            return None
        for name, lowest in self.grades:
            if total >= lowest:
                return name
        return "差"


SEED = Rules("种子（石家庄）", {RATE_DIMENSION: Decimal(10), "产出指标": Decimal(40),
                             "效益指标": Decimal(40), "满意度指标": Decimal(10)})
NATIONAL = Rules("全国（财预〔2020〕10号）", {RATE_DIMENSION: Decimal(10), "产出指标": Decimal(50),
                                          "效益指标": Decimal(30), "满意度指标": Decimal(10)})
PRESETS = {"seed": SEED, "national": NATIONAL}
# The default is the national 10/50/30/10: published self-evaluation forms from every
# province we have seen (2019–2023) overwhelmingly use it, and a district that follows the
# seed's 石家庄 practice (10/40/40/10) says so with `--preset seed` or a rules file. A
# default that disagrees with most forms would raise a weight finding on nearly every project.
DEFAULT_PRESET = "national"
WEIGHT_KEYS = (RATE_DIMENSION, *DIMENSIONS)



def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dump_rules(rules: Rules) -> str:
    """The rules as an editable TOML file with Chinese comments."""
    lines = [
        "# selfeval 评分规则文件。修改后用 `selfeval run 目录 --rules 本文件` 使用。",
        "# 中文键名和节名须保留引号；数值可写整数或小数。",
        f'"名称" = "{rules.name}"',
        "",
        "# 各一级指标分值，合计必须为 100。",
        '["权重"]',
        *(f'"{k}" = {plain(rules.weights[k])}' for k in WEIGHT_KEYS),
        "",
        "# 各等级的最低总分（含）；低于最后一档为“差”。",
        '["等级"]',
        *(f'"{g}" = {plain(v)}' for g, v in rules.grades),
        "",
        '["阈值"]',
        "# 自评得分与按规则计算的得分相差超过此分值即提示核对。",
        f'"分差容差" = {plain(rules.tolerance)}',
        "# 执行率低于此值须说明原因。比例可写小数或百分数：0.9、90、\"90%\" 都表示 90%。",
        f'"执行率下限" = {plain(rules.rate_threshold)}',
        "# 执行率低于“偏高执行率”而总分不低于“偏高总分”时提示自评偏高。",
        f'"偏高总分" = {plain(rules.suspicious_score)}',
        f'"偏高执行率" = {plain(rules.suspicious_rate)}',
        "# 一个单位中自评不低于“偏高总分”的项目占比达到此值、而总执行率低于“执行率下限”时，提示自评普遍偏高。",
        f'"偏高项目占比" = {plain(rules.bunching_share)}',
        "# 以万元填报的金额不低于此值时，疑似按元填报。",
        f'"元万元阈值" = {plain(rules.yuan_threshold)}',
        "# 部门整体自评表的“项目支出”与本单位各项目全年预算数之和相差超过此比例（小数）时提示核对。",
        f'"部门项目支出容差" = {plain(rules.dept_tolerance)}',
        "# 抽查复核：完成值达到指标值的此倍数（反向指标为指标值达到完成值的此倍数）、满分且未说明原因时，提示指标值设定偏低。",
        f'"目标偏低倍数" = {plain(rules.low_target_ratio)}',
        "# 百分比指标还须超出指标值此百分点数以上（如 ≥80% 完成 100% 超出 20 个百分点）。",
        f'"目标偏低百分点" = {plain(rules.low_target_points)}',
        "# 全年预算数比年初预算数调减此比例以上、而执行率不低于“接近全额执行率”时，提示预算调整做高执行率。",
        f'"预算调减比例" = {plain(rules.budget_cut_share)}',
        f'"接近全额执行率" = {plain(rules.full_execution)}',
        "# 满意度不低于此值时，应写明调查方式、样本量或调查时间。",
        f'"满意度佐证线" = {plain(rules.satisfaction_evidence)}',
        "# 各指标得分率不低于“偏高总分”对应的比例（如 90%）、且比执行率高出此比例（小数）以上时，提示得分与执行率不相称。",
        f'"得分率执行率差距" = {plain(rules.score_rate_gap)}',
        "# 偏差原因或执行率原因少于此字数，视为未说明。",
        f'"原因最少字数" = {plain(rules.min_reason_chars)}',
        "# 两个项目相同的指标行（三级指标、指标值、完成值、偏差原因都相同）不少于此行数、且占较小项目指标数的比例不低于“雷同比例”时，提示雷同。",
        f'"雷同指标行数" = {plain(rules.copy_rows)}',
        f'"雷同比例" = {plain(rules.copy_share)}',
        "# 与上年对比（--previous）：指标值与上年相同、而上年实际完成值超出该指标值此比例以上时，提示沿用偏低的目标。",
        f'"沿用目标超额比例" = {plain(rules.copied_target_margin)}',
        "",
        "# 每个项目是否必须设置成本指标（true / false）。",
        '["指标体系"]',
        f'"须设成本指标" = {"true" if rules.require_cost else "false"}',
        "",
        "# 抽查复核用语：定性完成值的套话、不成其为原因的说明、模板说明文字、",
        "# 可写“≤”的数量指标名称关键词、表明做过满意度调查的词语。",
        '["审核用语"]',
        *(f'"{key}" = [' + ", ".join(_toml_str(w) for w in getattr(rules, attr)) + "]"
          for key, attr in WORD_LISTS.items()),
        "",
        "# 关闭的审核：列出不需要的审核代码，如 [\"P126\", \"I122\"]；这些问题不再列出。",
        '["关闭的审核"]',
        '"代码" = [' + ", ".join(f'"{c}"' for c in sorted(rules.disabled)) + "]",
        "",
        "# 成本指标中名称含下列词语的是节约类指标（如成本节约率），写作“≥”是正确的。",
        '["成本指标"]',
        '"节约类关键词" = [' + ", ".join(f'"{w}"' for w in rules.saving_words) + "]",
        "",
        "# 定性指标：按完成情况，自评得分占分值的比例区间 [下限, 上限]，如 [0.8, 1] 或 [80, 100]。",
        '["定性指标得分区间"]',
        *(f'"{k}" = [{plain(lo)}, {plain(hi)}]' for k, (lo, hi) in rules.qualitative_bands.items()),
        "",
        "# 抽查复核（selfeval sample --risk、selfeval run --review）：按风险加权抽样时，",
        "# 项目权重 = 1 + 低执行高自评×权重 + 预算调减×权重 + 问题数（警告、错误，不超过上限）×每条问题权重",
        "# + 预算规模位次（抽样总体中全年预算数小于本项目的项目占其余项目的比例，0～1）×权重；",
        "# 自评得分比复核得分高出超过“复核差异容差”分，即计为自评偏高（恰好等于不计）。",
        '["抽查复核"]',
        *(f'"{k}" = {plain(getattr(rules, attr))}' for k, (attr, _) in SAMPLING.items()),
        "",
    ]
    return "\n".join(lines)


# The [阈值] keys: attribute and kind of value. A field added to Rules that a rules
# file may set needs one line here (and one in dump_rules).
THRESHOLDS: dict[str, tuple[str, str]] = {
    "分差容差": ("tolerance", "score"),
    "执行率下限": ("rate_threshold", "share"),
    "偏高总分": ("suspicious_score", "score"),
    "偏高执行率": ("suspicious_rate", "share"),
    "偏高项目占比": ("bunching_share", "share"),
    "元万元阈值": ("yuan_threshold", "amount"),
    "部门项目支出容差": ("dept_tolerance", "share"),
    "目标偏低倍数": ("low_target_ratio", "amount"),
    "目标偏低百分点": ("low_target_points", "score"),
    "预算调减比例": ("budget_cut_share", "share"),
    "接近全额执行率": ("full_execution", "share"),
    "满意度佐证线": ("satisfaction_evidence", "share"),
    "得分率执行率差距": ("score_rate_gap", "share"),
    "原因最少字数": ("min_reason_chars", "count"),
    "雷同指标行数": ("copy_rows", "count"),
    "雷同比例": ("copy_share", "share"),
    "沿用目标超额比例": ("copied_target_margin", "share"),
}
# The [审核用语] word lists: key → Rules attribute.
WORD_LISTS = {
    "套话": "stock_phrases",
    "空洞原因": "empty_reasons",
    "模板说明文字": "template_phrases",
    "反向数量关键词": "reverse_quantity_words",
    "满意度调查用语": "evidence_words",
}
SECTIONS = ("权重", "等级", "阈值", "成本指标", "定性指标得分区间", "指标体系", "审核用语", "关闭的审核", "抽查复核")
TOP_KEYS = ("名称", *SECTIONS)
BAND_KEYS = ("达成", "部分达成", "未达成")
_WHERE = {**dict.fromkeys(WEIGHT_KEYS, "权重"), **dict.fromkeys(THRESHOLDS, "阈值"),
          **dict.fromkeys(BAND_KEYS, "定性指标得分区间")}
# The [抽查复核] keys: attribute and kind of value (sampling.py, review.py).
SAMPLING: dict[str, tuple[str, str]] = {
    "低执行高自评": ("risk_low_exec", "weight"),
    "预算调减": ("risk_budget_cut", "weight"),
    "每条问题": ("risk_per_finding", "weight"),
    "问题数上限": ("risk_finding_cap", "count"),
    "预算规模": ("risk_budget", "weight"),
    "复核差异容差": ("review_tolerance", "score"),
}


def _unknown(key: str, valid: Iterable[str], where: str) -> RulesError:
    """An unknown key, with the valid key it most likely meant to be."""
    hint = ""
    if where == "顶层" and key in _WHERE:
        hint = f"；它应写在 [{_WHERE[key]}] 一节之下"
    else:
        close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.4)
        if close:
            hint = f"；是否想写“{close[0]}”？"
    return RulesError(f"{where}有未知项“{key}”{hint}（可用的键：{'、'.join(valid)}）")


def _shown(value: object) -> str:
    """A value as it was written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


def _dec(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RulesError(f"{where} 必须是数字，现为 {_shown(value)}")
    try:
        d = Decimal(str(value).strip())
        if not d.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise RulesError(f"{where} 必须是数字，现为 {_shown(value)}") from None
    if d < 0:
        raise RulesError(f"{where} 不能为负数，现为 {_shown(value)}")
    return d


def _share(value: object, where: str, percent: bool = False) -> Decimal:
    """A rate or share as a fraction. 0.9, 90 and "90%" all mean 90%: a number above 1
    can only be a percentage here (a threshold of 9000% means nothing). `percent`: read
    the number as a percentage whatever its size (the other end of a band was one)."""
    if isinstance(value, str) and value.strip().endswith(("%", "％")):
        d, percent = _dec(value.strip()[:-1], where), True
    else:
        d = _dec(value, where)
    if percent or d > 1:
        if d > 100:
            raise RulesError(f"{where} 是比例，应在 0～100% 之间（可写 0.9、90 或 \"90%\"），现为 {_shown(value)}")
        d = d / 100
    return d


def _score(value: object, where: str) -> Decimal:
    d = _dec(value, where)
    if d > 100:
        raise RulesError(f"{where} 是百分制分数，应在 0～100 之间，现为 {_shown(value)}")
    return d


def _amount(value: object, where: str) -> Decimal:
    d = _dec(value, where)
    if d == 0:
        raise RulesError(f"{where} 应大于 0")
    return d


def _count(value: object, where: str) -> Decimal:
    d = _dec(value, where)
    if d != d.to_integral_value():
        raise RulesError(f"{where} 应为整数，现为 {_shown(value)}")
    return d


_KINDS = {"share": _share, "score": _score, "amount": _amount, "count": _count}
_KINDS["weight"] = _dec   # a sampling weight: any number ≥ 0 (0 switches a factor off)


def _section(data: dict[str, Any], name: str, source: str) -> dict[str, Any] | None:
    value = data.get(name)
    if value is not None and not isinstance(value, dict):
        raise RulesError(f"{source} 的 [{name}] 应是一节（[{name}] 下逐行写 \"键\" = 值），现为 {value!r}")
    return value


def parse_rules(text: str, source: str = "规则文件") -> Rules:
    """Reads a rules file; anything it cannot use exactly as meant is refused with
    what to fix: unknown keys (with the closest valid one), wrong types, values out
    of range. Keys left out keep the seed's values."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RulesError(f"{source} 不是有效的 TOML：{e}") from None
    for key in data:
        if key not in TOP_KEYS:
            raise RulesError(f"{source}：" + str(_unknown(key, TOP_KEYS, "顶层")))
    name = data.get("名称", Path(source).stem)
    if not isinstance(name, str) or not name.strip():
        raise RulesError(f"{source} 的“名称”应是一段文字，现为 {name!r}")

    weights_in = _section(data, "权重", source)
    if weights_in is None:
        raise RulesError(f"{source} 缺少 [权重] 一节")
    for key in weights_in:
        if key not in WEIGHT_KEYS:
            raise RulesError(f"{source} 的 [权重] " + str(_unknown(key, WEIGHT_KEYS, "")))
    missing = [k for k in WEIGHT_KEYS if k not in weights_in]
    if missing:
        raise RulesError(f"{source} 的 [权重] 缺少：{'、'.join(missing)}")
    weights = {k: _score(weights_in[k], f"{source} 的 [权重] {k}") for k in WEIGHT_KEYS}
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum != 100:
        raise RulesError(f"{source} 的 [权重] 合计为 {plain(weight_sum)}，必须为 100")
    rules = replace(PRESETS[DEFAULT_PRESET], name=name.strip(), weights=weights)

    grades_in = _section(data, "等级", source)
    if grades_in is not None:
        if not grades_in:
            raise RulesError(f"{source} 的 [等级] 须列出各等级的最低分")
        grades = tuple(sorted(((str(k).strip(), _score(v, f"{source} 的 [等级] {k}")) for k, v in grades_in.items()),
                              key=lambda g: -g[1]))
        names = [g for g, _ in grades]
        if "" in names or len(set(names)) < len(names):
            raise RulesError(f"{source} 的 [等级] 中有空白或重复的等级名称")
        if len({v for _, v in grades}) < len(grades):
            raise RulesError(f"{source} 的 [等级] 中有两个等级的最低分相同，无法区分")
        rules = replace(rules, grades=grades)

    limits = _section(data, "阈值", source) or {}
    for key, value in limits.items():
        if key not in THRESHOLDS:
            raise RulesError(f"{source} 的 [阈值] " + str(_unknown(key, THRESHOLDS, "")))
        attr, kind = THRESHOLDS[key]
        changed: dict[str, Any] = {attr: _KINDS[kind](value, f"{source} 的 [阈值] {key}")}   # one field, by name
        rules = replace(rules, **changed)

    cost = _section(data, "成本指标", source) or {}
    for key, words in cost.items():
        if key != "节约类关键词":
            raise RulesError(f"{source} 的 [成本指标] " + str(_unknown(key, ("节约类关键词",), "")))
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise RulesError(f"{source} 的 [成本指标] 节约类关键词 应为文字列表，如 [\"节约率\", \"降低率\"]")
        rules = replace(rules, saving_words=tuple(w.strip() for w in words))

    bands_in = _section(data, "定性指标得分区间", source)
    if bands_in is not None:
        bands = dict(rules.qualitative_bands)
        for k, v in bands_in.items():
            where = f"[定性指标得分区间] {k}"
            if k not in BAND_KEYS:
                raise RulesError(f"{source} 的 [定性指标得分区间] " + str(_unknown(k, BAND_KEYS, "")))
            if not isinstance(v, list) or len(v) != 2:
                raise RulesError(f"{source} 的 {where} 应为 [下限, 上限]，如 [0.8, 1] 或 [80, 100]")
            # One end above 1 means both are percentages: [60, 80], not 60% to 0.8%.
            percent = any(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 1 for x in v)
            lo, hi = (_share(x, f"{source} 的 {where}", percent) for x in v)
            if lo > hi:
                raise RulesError(f"{source} 的 {where} 须满足 下限 ≤ 上限，现为 {v}")
            bands[k] = (lo, hi)
        rules = replace(rules, qualitative_bands=bands)
    return _sampling_section(data, _review_sections(data, rules, source), source)


def _sampling_section(data: dict[str, Any], rules: Rules, source: str) -> Rules:
    """[抽查复核]: the risk weights of `selfeval sample --risk` and the review's tolerance."""
    for key, value in (_section(data, "抽查复核", source) or {}).items():
        if key not in SAMPLING:
            raise RulesError(f"{source} 的 [抽查复核] " + str(_unknown(key, SAMPLING, "")))
        attr, kind = SAMPLING[key]
        changed: dict[str, Any] = {attr: _KINDS[kind](value, f"{source} 的 [抽查复核] {key}")}
        rules = replace(rules, **changed)
    return rules


def _review_sections(data: dict[str, Any], rules: Rules, source: str) -> Rules:
    """[指标体系], [审核用语] and [关闭的审核]: the 抽查复核 checks' switches and words."""
    tree = _section(data, "指标体系", source) or {}
    for key, value in tree.items():
        if key != "须设成本指标":
            raise RulesError(f"{source} 的 [指标体系] " + str(_unknown(key, ("须设成本指标",), "")))
        if not isinstance(value, bool):
            raise RulesError(f"{source} 的 [指标体系] 须设成本指标 应为 true 或 false，现为 {_shown(value)}")
        rules = replace(rules, require_cost=value)
    words = _section(data, "审核用语", source) or {}
    for key, value in words.items():
        if key not in WORD_LISTS:
            raise RulesError(f"{source} 的 [审核用语] " + str(_unknown(key, WORD_LISTS, "")))
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            raise RulesError(f"{source} 的 [审核用语] {key} 应为文字列表，如 [\"效果明显\", \"有效提升\"]")
        words_of: dict[str, Any] = {WORD_LISTS[key]: tuple(w.strip() for w in value)}
        rules = replace(rules, **words_of)
    off = _section(data, "关闭的审核", source) or {}
    for key, value in off.items():
        if key != "代码":
            raise RulesError(f"{source} 的 [关闭的审核] " + str(_unknown(key, ("代码",), "")))
        from .findings import (
            CATALOGUE,  # findings does not import rules; no cycle at load
        )
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise RulesError(f"{source} 的 [关闭的审核] 代码 应为代码列表，如 [\"P126\", \"I122\"]")
        unknown = [c for c in value if c.strip().upper() not in CATALOGUE]
        if unknown:
            raise RulesError(f"{source} 的 [关闭的审核] 有未知代码：{'、'.join(unknown)}（代码见 selfeval checks）")
        # An 错误 means a figure cannot be trusted: hiding it would pass a wrong sum.
        errors = [c for c in value if CATALOGUE[c.strip().upper()].severity.value == "错误"]
        if errors:
            raise RulesError(f"{source} 的 [关闭的审核] 不能关闭“错误”级的审核：{'、'.join(errors)}")
        rules = replace(rules, disabled=frozenset(c.strip().upper() for c in value))
    return rules


_RULES_FILE_LIMIT = 1024 * 1024


def load_rules(path: str | Path) -> Rules:
    """A rules file, with its path and SHA-256 recorded (运行信息 shows which rules ran)."""
    p = Path(path)
    try:
        st = os.stat(p)
        if not stat.S_ISREG(st.st_mode):   # a FIFO would hang the read
            raise RulesError(f"规则文件 {p} 不是普通文件")
        if st.st_size > _RULES_FILE_LIMIT:
            raise RulesError(f"规则文件 {p} 大小 {st.st_size // 1024} KB，不像规则文件（通常不到 2 KB）")
        data = p.read_bytes()
    except FileNotFoundError:
        raise RulesError(f"找不到规则文件：{p}") from None
    except OSError as e:
        raise RulesError(f"无法读取规则文件 {p}：{os_reason(e)}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError(f"规则文件 {p} 不是 UTF-8 文本") from None
    rules = parse_rules(text, str(p))
    return replace(rules, source=os.path.abspath(p), sha256=hashlib.sha256(data).hexdigest())


def resolve_rules(preset: str = DEFAULT_PRESET, path: str | Path | None = None) -> Rules:
    if path is not None:
        return load_rules(path)
    if preset not in PRESETS:
        raise RulesError(f"未知的预设 {preset}；可选：{'、'.join(PRESETS)}")
    return PRESETS[preset]
