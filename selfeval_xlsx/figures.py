"""Which projects enter which figure: the one rule, used by every output.

The summary workbook, JSON, the terminal, the reports and the charts all take their
unit and district figures from here, so none of them can count a project another leaves
out.

The rule
--------
1. Files. A file's projects enter the figures unless the file is left out:
   - a duplicate submission (B101): the same unit and year sent twice, the two files
     sharing a project; the file whose path sorts last counts, the others are left out
     (files of one unit with no project in common are parts of one return and all count);
   - a file for another year (U103): its 评价年度 differs from the batch's. Left out by
     default (`count_other_years` puts them back).
   A left-out file is still listed (运行信息, 问题清单) and every place that shows a
   total says how many files and projects were left out and why.
2. Projects. A project of a counted file enters its unit's figures, and so the
   district's, only when all of them can be computed from it: a 全年预算数 above 0, a
   全年执行数, and a computed total. Then it enters every figure — 预算合计, 执行合计,
   执行率 = Σ执行 / Σ预算, the plain mean of the computed totals and their mean
   weighted by 全年预算数, and the 自评偏高 check (B104) — and otherwise none of them:
   one row, one denominator. A blank 执行数 is never read as 0 (that would lower the
   rate and hide the gap) and a project that cannot be scored never drags an average.
   Reasons, first that applies: 缺少全年预算数, 全年预算数不大于0, 缺少全年执行数,
   无法计算总分. The project stays listed in 项目明细 with its blanks.
3. Everything left out is counted by reason and named where the figure is shown:
   "另有1个项目因缺少全年执行数未计入（专项经费）" (`note`, `notes`). 项目数 counts the
   listed projects; `Rollup.entered` those in the figures.
4. Ranking. A unit is ranked on its budget-weighted mean score only when every project
   it listed entered its figures; a unit with a project left out, or with nothing to
   score, is listed after the ranking with the reason (a unit must not climb by leaving
   a bad project blank). Units whose files were all left out are not units of the batch.
   Equal scores (as shown, to two decimals) share a place.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Protocol

from .numbers import CENTS

if TYPE_CHECKING:   # batch.py imports this module
    from .batch import BatchResult
    from .rows import FileRows


class Figures(Protocol):
    """What rollup() reads of a project (rows.ProjectStat, schema.ProjectRow)."""
    @property
    def budget(self) -> Decimal | None: ...
    @property
    def executed(self) -> Decimal | None: ...
    @property
    def total(self) -> Decimal | None: ...

ZERO = Decimal(0)

NO_BUDGET = "缺少全年预算数"
BAD_BUDGET = "全年预算数不大于0"
NO_EXECUTED = "缺少全年执行数"
UNSCORED = "无法计算总分"
PROJECT_REASONS = (NO_BUDGET, BAD_BUDGET, NO_EXECUTED, UNSCORED)
DUPLICATE = "重复报送"
OTHER_YEAR = "评价年度与本批次不同"
FILE_REASONS = (DUPLICATE, OTHER_YEAR)


def left_out_because(budget: Decimal | None, executed: Decimal | None, total: Decimal | None) -> str | None:
    """Why a project of a counted file stays out of its unit's figures; None if it enters."""
    if budget is None:
        return NO_BUDGET
    if budget <= 0:
        return BAD_BUDGET
    if executed is None:
        return NO_EXECUTED
    if total is None:
        return UNSCORED
    return None


@dataclass(frozen=True)
class Rollup:
    """The figures over a set of projects (a unit, or the whole district)."""
    projects: int                  # listed: every project of the counted files
    entered: int                   # in the figures below
    budget: Decimal
    executed: Decimal
    rate: Decimal | None
    mean_score: Decimal | None
    weighted_score: Decimal | None
    left_out: tuple[tuple[str, str], ...] = ()   # (project, reason), in file order

    def left_out_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(PROJECT_REASONS, 0)
        for _, reason in self.left_out:
            counts[reason] += 1
        return {r: n for r, n in counts.items() if n}

    @property
    def complete(self) -> bool:
        return not self.left_out



def norm_unit(name: str) -> str:
    """A unit's identity: its name without spaces, full-width forms folded. Every place
    that groups by unit (figures, duplicates, roster) uses it."""
    return "".join(unicodedata.normalize("NFKC", name).split())

@dataclass
class Totals:
    """Sums over projects that add up across files and units: what a rollup needs,
    kept instead of the projects themselves so memory does not grow with them (only
    the few projects left out are kept, by name)."""
    projects: int = 0
    entered: int = 0
    budget: Decimal = ZERO         # Σ over entered projects, like every sum here
    executed: Decimal = ZERO
    score_sum: Decimal = ZERO
    weighted_sum: Decimal = ZERO   # Σ total × budget
    self_scored: int = 0           # entered projects with a self total
    self_high: int = 0             # self totals at or above the rules' suspicious score
    left_out: tuple[tuple[str, str], ...] = ()

    def add(self, budget: Decimal | None, executed: Decimal | None, total: Decimal | None,
            self_total: Decimal | None = None, high_mark: Decimal | None = None, name: str = "") -> None:
        self.projects += 1
        reason = left_out_because(budget, executed, total)
        if reason is None:
            # left_out_because lets in only projects with all three figures
            assert budget is not None and executed is not None and total is not None
            self.entered += 1
            self.budget += budget
            self.executed += executed
            self.score_sum += total
            self.weighted_sum += total * budget
            if self_total is not None:   # 自评偏高 compares these with the rate: same projects
                self.self_scored += 1
                self.self_high += high_mark is not None and self_total >= high_mark
        else:
            self.left_out += ((name, reason),)

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.projects + other.projects, self.entered + other.entered,
                      self.budget + other.budget, self.executed + other.executed,
                      self.score_sum + other.score_sum, self.weighted_sum + other.weighted_sum,
                      self.self_scored + other.self_scored, self.self_high + other.self_high,
                      self.left_out + other.left_out)

    def rollup(self) -> Rollup:
        has_budget = self.entered and self.budget > 0
        return Rollup(self.projects, self.entered, self.budget, self.executed,
                      self.executed / self.budget if has_budget else None,
                      self.score_sum / self.entered if self.entered else None,
                      self.weighted_sum / self.budget if has_budget else None,
                      self.left_out)


def total_of(items: Iterable[Totals]) -> Totals:
    return sum(items, Totals())


def rollup(projects: Iterable[Figures]) -> Rollup:
    """Figures over projects: anything with `budget`, `executed`, `total` and `name`."""
    t = Totals()
    for p in projects:
        t.add(p.budget, p.executed, p.total, name=getattr(p, "name", ""))
    return t.rollup()


def note(left_out: Iterable[tuple[str, ...]]) -> str:
    """"另有1个项目因缺少全年执行数未计入（专项经费）", one clause per reason; "" if none.
    `left_out`: (project, reason) pairs, or (unit, project, reason) for a district."""
    groups: dict[str, list[str]] = {}
    for *who, reason in left_out:
        name = "·".join(who) if all(who) else who[-1]
        groups.setdefault(reason, []).append(name or "（未填项目名称）")
    return "；".join(f"另有{len(names)}个项目因{reason}未计入（{'、'.join(names)}）"
                     for reason in PROJECT_REASONS if (names := groups.get(reason)))


# --- a batch's figures -------------------------------------------------------------------

@dataclass
class UnitFigures:
    unit: str
    district: str
    year: int | None
    files: list[FileRows] = field(default_factory=list)      # the unit's counted files
    totals: Totals = field(default_factory=Totals)

    @property
    def rollup(self) -> Rollup:
        return self.totals.rollup()

    def note(self) -> str:
        return note(self.totals.left_out)


@dataclass(frozen=True)
class LeftOutFile:
    path: str
    unit: str
    year: int | None
    projects: int
    reason: str


UNNAMED_UNIT = "（未填单位名称）"


def unit_figures(result: BatchResult) -> list[UnitFigures]:
    """Each unit of the batch (its counted files), in file order."""
    by_unit: dict[str, UnitFigures] = {}
    for w in result.counted:
        name = w.unit or UNNAMED_UNIT
        # One unit however its name was spaced or typed (全角/半角): as the roster and the
        # duplicate rule see it; shown as its first file spells it.
        u = by_unit.setdefault(norm_unit(name), UnitFigures(name, w.district, w.year or result.year))
        u.district = u.district or w.district
        u.files.append(w)
        u.totals += w.totals
    return list(by_unit.values())


def left_out_files(result: BatchResult) -> list[LeftOutFile]:
    """Files read whose projects are not in any figure, and why (rule 1)."""
    return [LeftOutFile(w.entry.path, w.unit, w.year, w.totals.projects, reason)
            for w in result.files if (reason := result.left_out.get(w.no)) and w.totals.projects]


def files_note(files: list[LeftOutFile]) -> str:
    """"另有1个文件（3个项目）因评价年度与本批次不同未计入汇总和排名：甲.xlsx（2019年度）"."""
    parts = []
    for reason in FILE_REASONS:
        fs = [f for f in files if f.reason == reason]
        if fs:
            shown = "、".join(f"{f.path}（{f.year}年度）" if reason == OTHER_YEAR else f.path for f in fs)
            parts.append(f"另有{len(fs)}个文件（{sum(f.projects for f in fs)}个项目）因{reason}"
                         f"未计入汇总和排名：{shown}")
    return "；".join(parts)


def district_totals(units: list[UnitFigures]) -> Totals:
    return total_of(u.totals for u in units)


def district_note(units: list[UnitFigures]) -> str:
    return note([(u.unit, p, r) for u in units for p, r in u.totals.left_out], )


def notes(result: BatchResult) -> list[str]:
    """What every place showing the district's totals must say beside them (the terminal,
    the summary sheet): projects and files left out, with reasons and names."""
    units = unit_figures(result)
    return [text for text in (district_note(units), files_note(left_out_files(result))) if text]


@dataclass(frozen=True)
class Ranked:
    place: int
    unit: UnitFigures
    rollup: Rollup


@dataclass(frozen=True)
class Unranked:
    unit: UnitFigures
    reason: str


def ranking(units: list[UnitFigures]) -> tuple[list[Ranked], list[Unranked]]:
    """Rule 4: the ranked units, best first, and the others with why."""
    eligible, others = [], []
    for u in units:
        r = u.rollup
        if r.weighted_score is None:
            others.append(Unranked(u, "没有可计分的项目"))
        elif not r.complete:
            counts = r.left_out_counts()
            others.append(Unranked(u, "，".join(f"{n}个项目{reason}" for reason, n in counts.items())
                                   + "，得分不完整"))
        else:
            eligible.append((u, r))
    eligible.sort(key=lambda ur: (-_shown(ur[1].weighted_score), ur[0].unit))
    ranked: list[Ranked] = []
    for i, (u, r) in enumerate(eligible, start=1):
        same = ranked and _shown(ranked[-1].rollup.weighted_score) == _shown(r.weighted_score)
        ranked.append(Ranked(ranked[-1].place if same else i, u, r))
    return ranked, others


def _shown(x: Decimal | None) -> Decimal:
    """Ranks follow the score people see (only scored units are ranked)."""
    return ZERO if x is None else x.quantize(CENTS, ROUND_HALF_UP)
