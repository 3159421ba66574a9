"""抽查复核: a reproducible sample of projects for the bureau to review by hand.

The population is every project that enters the figures (figures.py's rule): a
project left out of the totals has no figures to check a review against, and a file
left out (a duplicate, another year) is not this batch's. What is left out is named.

Reproducible: the population is sorted by its stable key (file path as shown, sheet)
before anything random happens, and every draw comes from `random.Random(seed)`, so
the same inputs, rules and seed give the same sample whatever the file order or the
number of reading processes. No hash() of text is involved (it changes per process).

One method for both kinds of draw: each project gets a key and the largest keys are
taken. Simple random sampling: key = u, u uniform in [0, 1) (the top k of uniform keys
are a uniformly chosen k-subset). Risk-weighted (--risk), Efraimidis–Spirakis
weighted sampling without replacement: key = u^(1/w) with w the project's weight
(risk_factors), compared as log(u)/w. `at_least_per_unit` then adds, for each unit not
drawn, its project with the largest key: the sample grows by one per such unit.
"""
from __future__ import annotations

import bisect
import math
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from . import figures, schema
from .batch import BatchResult
from .findings import CATALOGUE, Finding, Severity
from .keys import unit_key
from .numbers import fmt, fmt_pct
from .rules import Rules, RulesError, _share
from .tables import project_table

SIMPLE = "简单随机抽样"
RISK = "按风险加权抽样（Efraimidis–Spirakis 加权无放回抽样）"
DRAWN, ADDED = "按比例抽中", "每单位至少1个补抽"


class SampleError(Exception):
    """Options a sample cannot be drawn with; the message says what to fix."""


def parse_share(text: str | float) -> Decimal:
    """15%, 15 and 0.15 all mean 15%, as shares in a rules file (rules._share)."""
    try:
        share = _share(text, "抽样比例（--share）")
    except RulesError as e:
        raise SampleError(str(e)) from None
    if share <= 0:
        raise SampleError("抽样比例（--share）须大于 0，如 15%、15 或 0.15")
    return share


@dataclass(frozen=True)
class Candidate:
    """A project of the population with the findings on its sheet."""
    row: schema.ProjectRow
    findings: tuple[Finding, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.row.file or "", self.row.sheet or "")

    @property
    def serious(self) -> int:
        """警告 and 错误 on the project's sheet."""
        return sum(f.severity is not Severity.INFO for f in self.findings)


@dataclass(frozen=True)
class Factors:
    """Why a project weighs what it does (risk_factors)."""
    low_exec: bool          # executed below 偏高执行率 while self-scored at least 偏高总分
    budget_cut: bool        # 全年预算数 below 年初预算数
    findings: int           # 警告/错误 counted, at most the rules' cap
    budget_share: Decimal   # the budget's rank in the population, 0 to 1 (budget_ranks)
    weight: Decimal

    def text(self) -> str:
        parts = ["低执行高自评" if self.low_exec else "", "预算调减" if self.budget_cut else "",
                 f"问题{self.findings}条" if self.findings else "", f"预算规模位次{fmt_pct(self.budget_share)}"]
        return "；".join(p for p in parts if p)


WEIGHT_FORMULA = ("权重 = 1 + 低执行高自评×{low} + 预算调减×{cut} + 警告和错误条数（至多{cap}条）×{per}"
                  " + 预算规模位次×{size}（预算规模位次：抽样总体中全年预算数小于本项目的项目，占其余项目的比例，"
                  "最小的为0、最大的为1）")


def weight_formula(rules: Rules) -> str:
    return WEIGHT_FORMULA.format(low=fmt(rules.risk_low_exec), cut=fmt(rules.risk_budget_cut),
                                 cap=int(rules.risk_finding_cap), per=fmt(rules.risk_per_finding),
                                 size=fmt(rules.risk_budget))


def budget_ranks(budgets: list[Decimal]) -> list[Decimal]:
    """Each budget's place among the others: the share of the other projects with a
    smaller 全年预算数 (0 the smallest, 1 the largest). A rank, not budget ÷ largest:
    one amount typed in 元 (P114) must not flatten every other project's factor."""
    if len(budgets) < 2:
        return [Decimal(1)] * len(budgets)
    ordered = sorted(budgets)
    below = {b: bisect.bisect_left(ordered, b) for b in budgets}
    return [Decimal(below[b]) / (len(budgets) - 1) for b in budgets]


def risk_factors(c: Candidate, rank: Decimal, rules: Rules) -> Factors:
    """`rank`: the project's budget_ranks entry."""
    r = c.row
    low = (r.rate is not None and r.rate < rules.suspicious_rate and r.self_total is not None
           and r.self_total >= rules.suspicious_score)
    cut = r.initial is not None and r.budget is not None and r.budget < r.initial
    n = min(c.serious, int(rules.risk_finding_cap))
    share = rank
    weight = (1 + rules.risk_low_exec * low + rules.risk_budget_cut * cut + rules.risk_per_finding * n
              + rules.risk_budget * share)
    return Factors(low, cut, n, share, weight)


@dataclass(frozen=True)
class Drawn:
    candidate: Candidate
    factors: Factors
    how: str                 # DRAWN or ADDED


@dataclass
class Sample:
    seed: int
    seed_given: bool
    share: Decimal
    risk: bool
    at_least_per_unit: bool
    population: list[Candidate]
    target: int              # ceil(share × population), at least 1
    drawn: list[Drawn]       # in unit, file, sheet order
    left_out: list[tuple[str, str, str]] = field(default_factory=list)   # (unit, project, reason)
    left_out_files: list[figures.LeftOutFile] = field(default_factory=list)
    population_rules: Rules | None = None

    @property
    def method(self) -> str:
        return RISK if self.risk else SIMPLE

    @property
    def added(self) -> int:
        return sum(d.how == ADDED for d in self.drawn)

    def left_out_note(self) -> str:
        """What is not in the population and why, for the terminal and 抽样说明."""
        parts = [figures.note(self.left_out), figures.files_note(self.left_out_files)]
        return "；".join(p for p in parts if p)


def population(result: BatchResult) -> tuple[list[Candidate], list[tuple[str, str, str]]]:
    """The projects entering the figures, sorted by (file, sheet), each with its findings;
    and those left out as (unit, project, reason)."""
    on_sheet: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in result.spool.findings():
        if f.file and f.sheet:
            on_sheet[(f.file, f.sheet)].append(f)
    members, left_out = [], []
    for row in project_table(result).rows:
        reason = figures.left_out_because(row.budget, row.executed, row.total)
        if reason:
            left_out.append((row.unit or figures.UNNAMED_UNIT, row.project or "", reason))
            continue
        found = sorted(on_sheet.get((row.file or "", row.sheet or ""), []), key=Finding.sort_key)
        members.append(Candidate(row, tuple(found)))
    members.sort(key=lambda c: (c.key, c.row.project or ""))
    return members, left_out


def _key(rng: random.Random, weight: Decimal) -> float:
    """log(u)/w: the Efraimidis–Spirakis key u^(1/w), in log space (no underflow)."""
    u = rng.random()
    return -math.inf if u == 0 else math.log(u) / float(weight)


def draw(result: BatchResult, share: Decimal, seed: int | None = None, *, risk: bool = False,
         at_least_per_unit: bool = False) -> Sample:
    """The sample of `result`'s projects (see the module's docstring)."""
    seed_given = seed is not None
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    members, left_out = population(result)
    rules = result.rules
    ranks = budget_ranks([c.row.budget or Decimal(0) for c in members])
    factors = [risk_factors(c, rank, rules) for c, rank in zip(members, ranks)]
    rng = random.Random(seed)
    keys = [_key(rng, f.weight if risk else Decimal(1)) for f in factors]
    target = max(1, math.ceil(share * len(members))) if members else 0
    order = sorted(range(len(members)), key=lambda i: (-keys[i], i))
    chosen = dict.fromkeys(order[:target], DRAWN)
    if at_least_per_unit:
        units = {unit_key(members[i].row.unit or "") for i in chosen}
        for i in order:   # each unit's largest key first; a unit as 汇总 groups it (keys.py)
            unit = unit_key(members[i].row.unit or "")
            if unit not in units:
                units.add(unit)
                chosen[i] = ADDED
    drawn = [Drawn(members[i], factors[i], how) for i, how in chosen.items()]
    drawn.sort(key=lambda d: (d.candidate.row.unit or "", d.candidate.key))
    return Sample(seed, seed_given, share, risk, at_least_per_unit, members, target, drawn, left_out,
                  figures.left_out_files(result), rules)


def findings_text(c: Candidate, limit: int = 20) -> str:
    """The project's findings as `[警告] P109 自评总分与计算总分不符（H20）`, one a line:
    our own words (the catalogue's titles), never the workbook's text."""
    lines = [f"[{f.severity.value}] {f.code} {CATALOGUE[f.code].title}" + (f"（{f.cell}）" if f.cell else "")
             for f in c.findings[:limit]]
    if len(c.findings) > limit:
        lines.append(f"……另有{len(c.findings) - limit}条，见汇总工作簿的问题清单")
    return "\n".join(lines)


def report_lines(sample: Sample, path: object, again: str) -> list[str]:
    """What `selfeval sample` prints: how it drew, what it left out, what it drew."""
    lines = [f"随机种子：{sample.seed}（{'命令行指定' if sample.seed_given else '自动选择'}）　方法：{sample.method}",
             f"抽样总体：{len(sample.population)} 个项目　比例：{fmt_pct(sample.share)}　"
             f"按比例应抽：{sample.target} 个　实际抽取：{len(sample.drawn)} 个"
             + (f"（每单位至少1个，补抽 {sample.added} 个）" if sample.at_least_per_unit else "")]
    if note := sample.left_out_note():
        lines.append(f"未纳入抽样总体：{note}")
    if sample.risk and sample.population_rules is not None:
        lines.append(weight_formula(sample.population_rules))
    lines.append("")
    for d in sample.drawn:
        r = d.candidate.row
        risk = f"　权重 {fmt(d.factors.weight)}（{d.factors.text()}）" if sample.risk else ""
        lines.append(f"{r.unit}·{r.project}［{r.sheet}］　执行率 {fmt_pct(r.rate)}　自评 {fmt(r.self_total)}"
                     f"　计算 {fmt(r.total)}" + (f"　{d.how}" if d.how == ADDED else "") + risk)
    lines += ["", f"复核底稿：{path}", f"重抽同一样本：{again}"]
    return lines
