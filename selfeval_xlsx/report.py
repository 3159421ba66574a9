"""Drafts the 绩效自评工作报告 from the numbers, so its text cannot drift from them.

The seed report blamed 社区党建 for a low execution rate while its own table showed
社区党建经费 at 100% and 专项经费 at 60%. Here every sentence is a claim (claims.py)
built from the consolidated results, carrying the figures and findings it rests on;
which projects enter a figure is figures.py's rule. The clerk edits only the prose.
"""
from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Container, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from docx.document import Document as DocxDocument

from . import figures
from .atomic import replacing
from .batch import BatchResult
from .claims import Claim, Report
from .docx_style import heading, new_document, para, table, title
from .findings import CATALOGUE, TOPICS, Finding, Severity, topic_of
from .model import UnitInfo
from .numbers import fmt, fmt_pct, round_half_up
from .rows import ProjectStat, stat_from_row
from .textgate import file_part

if TYPE_CHECKING:
    from .review import Review

# Findings about how targets and indicators were set (not how they were met): any of
# them contradicts "未发现目标设定方面的问题".
# (I104 and I118 are about actuals, not targets.)
TARGET_CODES = ("I101", "I103", "I112", "I114", "I115", "I116", "I117", "I119",
                "P111", "P112", "P116", "P117", "P119",
                "T101", "T102", "T103", "T104", "T105",   # drifted from the approved targets
                "T107")   # no approved targets to hold the project to (--targets)
# Findings that put an amount itself in doubt: said next to any total they enter.
DOUBT_CODES = ("P114",)
ORGANISATION = ("本单位成立绩效自评工作小组，对照年初设定的绩效目标，全面收集项目资料，"
                "采用定量与定性相结合的方法，对{year}预算项目逐项开展自评，形成本报告。")
WELL_SET = "经审核，各项目绩效目标设定清晰，绩效指标可衡量，指标值与实际完成值口径一致，未发现目标设定方面的问题。"
ACTIONS = {
    "P107": "对执行率偏低的{projects}，补充说明原因，制定支出计划，加快预算执行进度。",
    "P115": "对{projects}，按资金执行和目标完成的实际情况重新核定自评得分。",
    "P109": "按评分规则重新核对{projects}的各项指标得分和总分。",
    "I108": "按评分规则重新核对{projects}的指标得分，偏差较大的在偏差原因中说明理由。",
    "I111": "对{projects}未完成目标的指标逐项分析偏差原因，提出改进措施。",
    "I109": "对{projects}逾期完成的时效指标按实际情况扣分并说明原因。",
    "I110": "按完成情况对应的得分区间调整{projects}定性指标的自评得分。",
    "P108": "核对{projects}的资金来源，确保本年财政拨款、上年结转和其他资金之和等于资金总额。",
    "P114": "核对{projects}的金额单位，统一按万元填报。",
    "P106": "核对{projects}的执行数与调整后预算数。",
    "B104": "多数项目自评为优而资金执行率偏低，对全部项目的自评得分进行复核，按实际完成情况调整。",
}
GENERIC_ACTION = "针对“{title}”问题（{n}处，涉及{projects}）逐项整改。"
UNIT_SUFFIX = "年度绩效自评工作报告.docx"
DISTRICT_SUFFIX = "年度预算绩效自评汇总报告.docx"


@dataclass
class UnitData:
    fig: figures.UnitFigures
    info: UnitInfo | None = None
    projects: list[ProjectStat] = field(default_factory=list)   # as shown in 项目明细
    findings: list[Finding] = field(default_factory=list)       # on its counted files
    entered_at: set[tuple[str, str]] = field(default_factory=set)   # (file, sheet) of entered projects

    def doubts(self) -> list[Finding]:
        """Findings that put an amount in doubt, on projects whose amounts are in the totals."""
        return [f for f in self.findings if f.code in DOUBT_CODES and (f.file, f.sheet) in self.entered_at]

    @property
    def unit(self) -> str:
        return self.fig.unit

    @property
    def year(self) -> int | None:
        return self.fig.year


def _year(year: int | None) -> str:
    """"2020年度"; a year nobody filled in is said to be unknown, not printed as None."""
    return f"{year}年度" if year else "（评价年度未知）"


def _names(items: Iterable[str]) -> str:
    return "、".join(items)


def unit_data(result: BatchResult) -> list[UnitData]:
    out = [UnitData(u, next((w.unit_info for w in u.files if w.unit_info), None)) for u in figures.unit_figures(result)]
    by_file = {w.no: d for d in out for w in d.fig.files}
    for no, d in by_file.items():
        for row in result.spool.projects({no}):
            p = stat_from_row(row)
            d.projects.append(p)
            if figures.left_out_because(p.budget, p.executed, p.total) is None:
                d.entered_at.add((row.file or "", p.sheet))   # to_rows fills every row's file
    for d in out:
        paths = {w.entry.path for w in d.fig.files}
        for raw in dict.fromkeys(w.unit for w in d.fig.files):
            d.findings += [f for f in result.spool.findings(unit=raw) if f.file in paths]
    return out


def _by_code(findings: Iterable[Finding], codes: Container[str] | None = None) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        if codes is None or f.code in codes:
            out.setdefault(f.code, []).append(f)
    return out


def _projects_of(findings: Iterable[Finding]) -> str:
    names = list(dict.fromkeys(f.project for f in findings if f.project))
    return _names(names) if names else "相关项目"


def doubt(fs: list[Finding], unit: str, by_unit: bool = False) -> Claim | None:
    """The parenthesis beside a total that a 元/万元 finding (UnitData.doubts) puts in doubt."""
    if not fs:
        return None
    where = list(dict.fromkeys((f"{f.unit}·" if by_unit else "") + (f.project or f.sheet) for f in fs))
    titles = "、".join(dict.fromkeys(CATALOGUE[f.code].title for f in fs))
    return Claim("doubt", f"（其中{_names(where)}{titles}，该数可能失真，请核实）", unit,
                 {"where": tuple((f.unit, f.project) for f in fs)}, tuple(fs))


# --- the unit report ---------------------------------------------------------------------

def _rate_why(p: ProjectStat) -> str:
    return figures.left_out_because(p.budget, p.executed, Decimal(0)) or ""


def rates(data: UnitData, threshold: Decimal) -> list[Claim]:
    """The execution-rate sentences: who is below the threshold and why, who has no rate."""
    line = fmt_pct(threshold)
    unknown = tuple((p.name, _rate_why(p)) for p in data.projects if p.rate is None)
    low = [p for p in data.projects if p.rate is not None and p.rate < threshold]
    known = len(data.projects) - len(unknown)
    unknown_text = _names(f"{name}{why}" for name, why in unknown)
    out = []
    if not low and known:
        text = (f"除{unknown_text}、无法计算执行率外，其余项目" if unknown else "各项目") + f"预算执行率均达到{line}以上。"
        return [Claim("rates_met", text, data.unit, {"threshold": threshold, "except": unknown})]
    if low:
        parts = []
        for p in low:
            why = f"主要原因是{p.exec_reason.rstrip('。')}" if p.exec_reason else "单位未说明原因，须补充说明"
            parts.append(f"{p.name}项目预算执行率为{fmt_pct(p.rate)}（预算{fmt(p.budget)}万元，"
                         f"执行{fmt(p.executed)}万元），{why}")
        out.append(Claim("rates_low", f"其中，执行率低于{line}的项目：" + "；".join(parts) + "。", data.unit,
                         {"threshold": threshold,
                          "low": tuple((p.name, p.rate, p.budget, p.executed, p.exec_reason) for p in low)}))
    if unknown:
        out.append(Claim("rates_unknown", f"{unknown_text}，无法计算执行率。", data.unit, {"unknown": unknown}))
    return out


def overview(data: UnitData) -> list[Claim | None]:
    r = data.fig.rollup
    entered = [p for p in data.projects if figures.left_out_because(p.budget, p.executed, p.total) is None]
    u = data.unit
    out: list[Claim | None] = [Claim("unit_projects", f"根据预算绩效管理要求，本单位组织对{_year(data.year)}一般公共预算项目支出"
                 f"全面开展了绩效自评，涉及{_names(p.name for p in entered)}共{r.entered}个项目", u,
                 {"year": data.year, "names": tuple(p.name for p in entered)})]
    if r.entered:
        out += [Claim("unit_budget", f"，共涉及预算资金{fmt(r.budget)}万元", u, {"budget": r.budget}),
                doubt(data.doubts(), u),
                Claim("unit_execution", f"，全年执行{fmt(r.executed)}万元，总体预算执行率{fmt_pct(r.rate)}。", u,
                      {"executed": r.executed, "rate": r.rate})]
    else:
        out[0] = Claim("unit_projects", f"根据预算绩效管理要求，本单位组织对{_year(data.year)}一般公共预算项目支出"
                       f"全面开展了绩效自评，所报项目均无法计入预算执行和得分的汇总。", u,
                       {"year": data.year, "names": ()})
    if r.left_out:
        out.append(Claim("left_out", figures.note(r.left_out) + "。", u, {"left_out": r.left_out}))
    if entered:
        out.append(Claim("self_scores", f"从评价情况看，{_names(p.name for p in entered)}项目自评得分分别为"
                         f"{'、'.join(fmt(p.self_total) for p in entered)}。", u,
                         {"scores": tuple((p.name, p.self_total) for p in entered)}))
    differ = [p for p in data.projects if p.self_total is not None and p.total is not None
              and round_half_up(p.self_total) != round_half_up(p.total)]
    if differ:
        out.append(Claim("rescored", "按评分规则复核，" + "；".join(
            f"{p.name}得分为{fmt(p.total)}（自评{fmt(p.self_total)}）" for p in differ) + "。", u,
            {"differ": tuple((p.name, p.total, p.self_total) for p in differ)}))
    return out


def quality(data: UnitData) -> list[Claim]:
    u = data.unit
    listed = Claim("unit_listed", f"本单位{_year(data.year)}预算项目共{len(data.projects)}个，分别为："
                   f"{_names(p.name for p in data.projects)}。", u,
                   {"year": data.year, "names": tuple(p.name for p in data.projects)})
    issues = _by_code(data.findings, TARGET_CODES)
    if not issues:
        return [listed, Claim("targets_ok", WELL_SET, u, {"codes": TARGET_CODES})]
    parts = [f"{CATALOGUE[code].title}（{len(fs)}处，涉及{_projects_of(fs)}）" for code, fs in issues.items()]
    return [listed,
            Claim("targets_issues", "经审核，部分绩效目标设定不够规范：" + "；".join(parts) + "。", u,
                  {"issues": tuple((code, len(fs)) for code, fs in issues.items())},
                  tuple(f for fs in issues.values() for f in fs)),
            Claim("commitment", "下一步将按照指标可衡量、口径一致的要求修订绩效目标。", u)]


def actions(data: UnitData) -> list[Claim]:
    out = []
    for code, fs in _by_code([f for f in data.findings if f.severity is not Severity.INFO]).items():
        template = ACTIONS.get(code, GENERIC_ACTION)
        text = template.format(projects=_projects_of(fs), title=CATALOGUE[code].title, n=len(fs))
        out.append(Claim("action", text, data.unit, {"code": code, "n": len(fs)}, tuple(fs)))
    return out


def unit_report(data: UnitData, threshold: Decimal, name: str = "") -> Report:
    u, year, r = data.unit, data.year, data.fig.rollup
    rep = Report(name, u)
    rep.title(Claim("title_unit", u, u, {"unit": u}))
    rep.title(Claim("title_year", f"关于{_year(year)}绩效自评工作报告", u, {"year": year}))
    rep.heading("一、绩效自评工作组织开展情况")
    own = data.info.organisation if data.info and data.info.organisation else ""
    rep.para(Claim("clerk", own, u, {"field": "organisation"}) if own else
             Claim("organisation", ORGANISATION.format(year=_year(year)), u, {"year": year}))
    rep.heading("（一）部门项目预算安排及执行", level=2)
    rows = [Claim("project_row", "", u, {"sheet": p.sheet, "name": p.name, "budget": p.budget,
                                         "executed": p.executed, "rate": p.rate},
                  cells=(str(i), p.name, fmt(p.budget), fmt(p.executed), fmt_pct(p.rate)))
            for i, p in enumerate(data.projects, start=1)]
    label = "合计" if r.complete else "合计（不含未计入项目）"
    rows.append(Claim("unit_total_row", "", u, {"budget": r.budget, "executed": r.executed, "rate": r.rate},
                      cells=("", label, fmt(r.budget), fmt(r.executed), fmt_pct(r.rate))))
    rep.table(["序号", "项目名称", "全年预算数（万元）", "全年执行数（万元）", "执行率"], rows, align_right={2, 3, 4})
    rep.heading("二、绩效目标实现情况")
    rep.para(*overview(data))
    for claim in rates(data, threshold):
        rep.para(claim)
    rep.heading("三、绩效目标设定质量情况")
    rep.para(*quality(data))
    rep.heading("四、整改措施及结果应用")
    for key in ("problems", "measures"):
        text = getattr(data.info, key, "") if data.info else ""
        rep.para(Claim("clerk", text, u, {"field": key}) if text else None)
    steps = actions(data)
    if steps:
        rep.para(Claim("actions_intro", "针对自评发现的问题，采取以下整改措施：", u, {"n": len(steps)}))
        for i, step in enumerate(steps, start=1):
            rep.para(Claim(step.kind, f"{i}. {step.text}", u, step.facts, step.findings))
    else:
        rep.para(Claim("no_actions", "自评未发现需要整改的问题。", u),
                 Claim("commitment", "本单位将把自评结果作为下一年度预算安排和绩效目标设定的重要依据。", u))
    return rep


# --- the district report -----------------------------------------------------------------

def district_report(result: BatchResult, units: list[UnitData], name: str = "") -> Report:
    rules = result.rules
    figs = [d.fig for d in units]
    year = _year(result.year)
    rep = Report(name, "")
    rep.title(Claim("title_district", f"{result.district}{year}预算绩效自评汇总报告", "",
                    {"district": result.district, "year": result.year}))
    rep.heading("一、总体情况")
    left_files = figures.left_out_files(result)
    files_note = figures.files_note(left_files)
    files_claim = Claim("left_out_files", files_note + "。", "", {"files": tuple(left_files)}) if files_note else None
    everything = figures.district_totals(figs).rollup()
    if not figs:
        rep.para(Claim("nothing_counted", f"本次没有可汇总的项目自评表（读取文件{len(result.files)}个，"
                       f"跳过{len(result.skipped)}个），以下各项均无数据。", "",
                       {"files": len(result.files), "skipped": len(result.skipped)}), files_claim)
    else:
        which = "，" if everything.complete else f"，计入汇总的{everything.entered}个项目"
        left = figures.district_note(figs)
        rep.para(Claim("district_count", f"本次共汇总{len(figs)}个单位报送的{everything.projects}个项目自评表", "",
                       {"units": len(figs), "listed": everything.projects}),
                 Claim("district_budget", f"{which}涉及预算资金{fmt(everything.budget)}万元", "",
                       {"entered": everything.entered, "budget": everything.budget}),
                 doubt([f for d in units for f in d.doubts()], "", by_unit=True),
                 Claim("district_rest", f"，全年执行{fmt(everything.executed)}万元，总体预算执行率"
                       f"{fmt_pct(everything.rate)}；项目平均得分{fmt(everything.mean_score)}，"
                       f"按预算加权平均得分{fmt(everything.weighted_score)}。", "",
                       {"executed": everything.executed, "rate": everything.rate,
                        "mean": everything.mean_score, "weighted": everything.weighted_score}),
                 Claim("left_out", left + "。", "", {"left_out": tuple((u.unit, p, why) for u in figs
                                                                      for p, why in u.totals.left_out)})
                 if left else None,
                 files_claim)
    rep.heading("二、各单位得分排名")
    ranked, unranked = figures.ranking(figs)
    if ranked:
        rep.table(["名次", "单位", "项目数", "执行率", "加权平均得分", "等级"],
                  [Claim("rank", "", r.unit.unit, {"place": r.place, "projects": r.rollup.entered,
                                                   "rate": r.rollup.rate, "weighted": r.rollup.weighted_score,
                                                   "grade": rules.grade(r.rollup.weighted_score)},
                         cells=(str(r.place), r.unit.unit, str(r.rollup.entered), fmt_pct(r.rollup.rate),
                                fmt(r.rollup.weighted_score), rules.grade(r.rollup.weighted_score) or "—"))
                   for r in ranked], align_right={2, 3, 4})
    else:
        rep.para(Claim("no_ranking", "没有可排名的单位。", "", {"units": 0}))
    if unranked:
        rep.para(Claim("unranked", "以下单位未参加排名：" + "；".join(f"{x.unit.unit}（{x.reason}）" for x in unranked)
                       + "。", "", {"units": tuple((x.unit.unit, x.reason) for x in unranked)}))
    if files_claim:
        rep.para(files_claim)
    rep.heading("三、等级分布")
    if ranked:
        grades = Counter(rules.grade(r.rollup.weighted_score) for r in ranked)
        names = [g for g, _ in rules.grades] + ["差"]
        rep.para(Claim("grades", "按参加排名的各单位预算加权平均得分评定：" + "，".join(
            f"{g}{grades.get(g, 0)}个" for g in names) + "。", "", {"grades": {g: grades.get(g, 0) for g in names}}))
    else:
        rep.para(Claim("no_ranking", "没有参加排名的单位，不评定等级。", "", {"units": 0}))
    rep.heading("四、主要问题")
    codes = result.spool.code_counts()[:10]
    if codes:
        # The ten commonest, grouped under plain headings (目标设定, 预算调整…), commonest first within each.
        order = list(TOPICS)
        codes = sorted(codes, key=lambda cn: order.index(topic_of(cn[0])) if topic_of(cn[0]) in order else len(order))
        rep.table(["类别", "代码", "问题", "数量"], [Claim("code_count", "", "", {"code": c, "n": n},
                                                         cells=(topic_of(c), c, CATALOGUE[c].title, str(n)))
                                                   for c, n in codes],
                  align_right={3})
    elif not figs:
        rep.para(Claim("no_review", "没有读取到可汇总的自评表，未进行审核。", "", {"units": 0}))
    else:
        rep.para(Claim("no_findings", "审核未发现问题。", "", {"findings": 0}))
    rep.heading("五、报送情况")
    if result.roster is None:
        rep.para(Claim("no_roster", "未提供单位名单，未核对缺报情况。", "", {"roster": None}))
    elif not result.roster:
        rep.para(Claim("no_roster", "单位名单为空，未核对缺报情况。", "", {"roster": ()}))
    elif result.missing_units:
        rep.para(Claim("missing_units", f"单位名单中有{len(result.missing_units)}个单位未报送自评表："
                       f"{_names(result.missing_units)}，请督促报送。", "", {"missing": tuple(result.missing_units)}))
    else:
        rep.para(Claim("all_reported", f"单位名单中的{len(result.roster)}个单位均已报送自评表。", "",
                       {"roster": len(result.roster)}))
    if result.review is not None:
        review_section(rep, result.review)
    return rep


def review_section(rep: Report, review: Review) -> None:
    """六、抽查复核情况: built from the 复核/复核汇总 tables (review.py), when a review was read."""
    rep.heading("六、抽查复核情况")
    units, total = review.unit_rows()
    tol = fmt(review.tolerance)
    facts: dict[str, object] = {"sampled": total.sampled, "reviewed": total.reviewed, "compared": total.compared,
             "above": total.above, "share": total.share, "tolerance": review.tolerance}
    if not total.sampled:
        rep.para(Claim("review_overview", "复核底稿中没有读到本批次的抽查项目（原因见汇总工作簿的问题清单），本节暂无复核结果。",
                       "", facts))
        return
    if not total.reviewed:
        rep.para(Claim("review_overview", f"本次抽查{total.sampled}个项目，复核底稿中尚未填写有效的复核得分。", "", facts))
        return
    rep.para(Claim("review_overview", f"本次抽查{total.sampled}个项目，已复核{total.reviewed}个；其中{total.above}个项目"
                   f"自评得分比复核得分高出超过{tol}分，占"
                   + ("已复核项目" if total.compared == total.reviewed else f"已复核且有自评得分的{total.compared}个项目")
                   + f"的{fmt_pct(total.share)}。", "", facts))
    above = [r for r in review.rows if r.diff is not None and r.diff > review.tolerance]
    if above:
        rep.para(Claim("review_above", "自评明显偏高的项目：" + "；".join(
            f"{r.unit}·{r.project}（自评{fmt(r.self_total)}分，复核{fmt(r.review_score)}分）" for r in above) + "。", "",
            {"projects": tuple((r.unit, r.project, r.self_total, r.review_score) for r in above)}))
    rep.table(["单位", "抽查项目数", "已复核", f"自评高出超过{tol}分", "占比"],
              [Claim("review_unit", "", u.unit or "", {"sampled": u.sampled, "reviewed": u.reviewed,
                                                       "compared": u.compared, "above": u.above, "share": u.share},
                     cells=(u.unit or "", str(u.sampled), str(u.reviewed), str(u.above), fmt_pct(u.share) if u.share is not None else "—"))
               for u in units], align_right={1, 2, 3, 4})


# --- writing -----------------------------------------------------------------------------

def file_names(units: list[str]) -> dict[str, str]:
    """Each unit's part of its report's file name: safe, bounded, and unique — units
    that differ only in characters a file name cannot hold (`/`, `:`), or only past
    the length bound, get a short digest of the full name so none overwrites another."""
    parts = {u: file_part(u, fallback=figures.UNNAMED_UNIT.strip("（）")) for u in units}
    seen = Counter(p.casefold() for p in parts.values())
    return {u: (p if seen[p.casefold()] == 1 else
                f"{p}_{hashlib.sha256(u.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}")
            for u, p in parts.items()}


def draft_reports(result: BatchResult) -> list[Report]:
    """Every report of a run: one per unit, then the district's."""
    units = unit_data(result)
    year = result.year or ""
    names = file_names([d.unit for d in units])
    reports = [unit_report(d, result.rules.rate_threshold, f"{names[d.unit]}_{d.year or ''}{UNIT_SUFFIX}")
               for d in units]
    district = file_part(result.district, fallback="区县")
    reports.append(district_report(result, units, f"{district}_{year}{DISTRICT_SUFFIX}"))
    return reports


def render(rep: Report) -> DocxDocument:
    doc = new_document()
    lines: list[str] = []   # consecutive title lines go out together
    for block in rep.blocks:
        if block.kind == "title":
            lines.append(block.text)
            continue
        if lines:
            title(doc, *lines)
            lines = []
        if block.kind == "heading":
            heading(doc, block.text, level=block.level)
        elif block.kind == "para":
            para(doc, block.text)
        else:
            table(doc, list(block.headers), [list(c.cells) for c in block.claims], align_right=set(block.align_right))
    return doc


def save(rep: Report, path: str | Path) -> None:
    render(rep).save(str(path))


def report_files(result: BatchResult) -> list[tuple[str, Callable[[Path], None]]]:
    """Every report as (file name, a function that writes it to the path given): for a
    writer that places a whole set of outputs at once."""
    return [(rep.name, functools.partial(save, rep)) for rep in draft_reports(result)]


def write_reports(result: BatchResult, outdir: str | Path) -> list[Path]:
    """One 绩效自评工作报告 per unit and a district overview, as .docx files.

    All or nothing: every report is drafted and saved beside its destination first;
    only when all have been saved are they renamed into place."""
    outdir = Path(outdir)
    files = report_files(result)
    with ExitStack() as stack:
        for name, write in files:
            write(stack.enter_context(replacing(outdir / name)))
    return [outdir / name for name, _ in files]
