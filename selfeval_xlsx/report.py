"""Drafts the 绩效自评工作报告 from the numbers, so its figures cannot drift from them.

The seed report blamed 社区党建 for a low execution rate while its own table showed
社区党建经费 at 100% and 专项经费 at 60%. Here every figure and every project named
comes from the consolidated results; the clerk edits only the prose around them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .atomic import replacing
from .batch import BatchResult
from .docx_style import heading, new_document, para, table, title
from .findings import CATALOGUE, Finding
from .model import UnitInfo
from .numbers import fmt, fmt_pct, round_half_up
from .rows import ProjectStat, stat_from_row
from .scoring import Totals, total_of

QUALITY_CODES = ("I101", "I103", "I112", "I114", "I115", "I116", "I117", "P111", "P112")
ORGANISATION = ("本单位成立绩效自评工作小组，对照年初设定的绩效目标，全面收集项目资料，"
                "采用定量与定性相结合的方法，对{year}年度预算项目逐项开展自评，形成本报告。")
WELL_SET = ("本单位{year}年度预算项目共{n}个，分别为：{names}。经审核，各项目绩效目标设定清晰，"
            "绩效指标可衡量，指标值与实际完成值口径一致，未发现目标设定方面的问题。")
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


@dataclass
class UnitData:
    unit: str
    year: int | None
    info: UnitInfo | None
    totals: Totals                   # exact, as in 汇总
    projects: list[ProjectStat] = field(default_factory=list)   # as shown in 项目明细
    findings: list[Finding] = field(default_factory=list)


def _score(x: Decimal | None) -> str:
    """A score as people write it in prose: 96, 95.6, 94.69."""
    if x is None:
        return "—"
    text = fmt(x)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _names(items) -> str:
    return "、".join(items)


def unit_data(result: BatchResult) -> list[UnitData]:
    by_unit: dict[str, UnitData] = {}
    unit_of: dict[int, UnitData] = {}
    for f in result.counted:
        data = by_unit.setdefault(f.unit, UnitData(f.unit, f.year or result.year, f.unit_info, Totals()))
        data.info = data.info or f.unit_info
        data.totals += f.totals
        unit_of[f.no] = data
    for row in result.spool.projects(set(unit_of)):
        by_unit[row[0]].projects.append(stat_from_row(row))
    for data in by_unit.values():
        data.findings = list(result.spool.findings(unit=data.unit))
    return list(by_unit.values())


def _summary(data: UnitData) -> list[str]:
    r = data.totals.rollup()
    names = [p.name for p in data.projects]
    lines = [
        f"根据预算绩效管理要求，本单位组织对{data.year}年度一般公共预算项目支出全面开展了绩效自评，"
        f"涉及{_names(names)}共{len(names)}个项目，共涉及预算资金{fmt(r.budget)}万元，"
        f"全年执行{fmt(r.executed)}万元，总体预算执行率{fmt_pct(r.rate)}。从评价情况看，"
        f"{_names(names)}项目自评得分分别为{'、'.join(_score(p.self_total) for p in data.projects)}。"
    ]
    differ = [p for p in data.projects if p.self_total is not None and p.total is not None
              and round_half_up(p.self_total) != round_half_up(p.total)]
    if differ:
        lines.append("按评分规则复核，" + "；".join(
            f"{p.name}得分为{_score(p.total)}（自评{_score(p.self_total)}）" for p in differ) + "。")
    return lines


def low_execution(data: UnitData, threshold: Decimal) -> str:
    """The sentence that names the projects executed below the threshold, and why."""
    low = [p for p in data.projects if p.rate is not None and p.rate < threshold]
    line = f"{_score(threshold * 100)}%"
    if not low:
        return f"各项目预算执行率均达到{line}以上。"
    parts = []
    for p in low:
        why = f"主要原因是{p.exec_reason.rstrip('。')}" if p.exec_reason else "单位未说明原因，须补充说明"
        parts.append(f"{p.name}项目预算执行率为{fmt_pct(p.rate)}（预算{fmt(p.budget)}万元，"
                     f"执行{fmt(p.executed)}万元），{why}")
    return f"其中，执行率低于{line}的项目：" + "；".join(parts) + "。"


def _by_code(findings: list[Finding], codes=None) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        if codes is None or f.code in codes:
            out.setdefault(f.code, []).append(f)
    return out


def _projects_of(findings: list[Finding]) -> str:
    names = list(dict.fromkeys(f.project for f in findings if f.project))
    return _names(names) if names else "相关项目"


def quality(data: UnitData) -> str:
    issues = _by_code(data.findings, QUALITY_CODES)
    if not issues:
        return WELL_SET.format(year=data.year, n=len(data.projects),
                               names=_names(p.name for p in data.projects))
    parts = [f"{CATALOGUE[code].title}{len(fs)}处（{_projects_of(fs)}）" for code, fs in issues.items()]
    return (f"本单位{data.year}年度预算项目共{len(data.projects)}个。经审核，部分绩效目标设定不够规范："
            + "；".join(parts) + "。下一步将按照指标可衡量、口径一致的要求修订绩效目标。")


def actions(data: UnitData) -> list[str]:
    out = []
    for code, fs in _by_code([f for f in data.findings if f.severity.value != "提示"]).items():
        template = ACTIONS.get(code, GENERIC_ACTION)
        out.append(template.format(projects=_projects_of(fs), title=CATALOGUE[code].title, n=len(fs)))
    return out


def draft_unit(data: UnitData, threshold: Decimal):
    total = data.totals.rollup()
    doc = new_document()
    title(doc, data.unit, f"关于{data.year}年度绩效自评工作报告")
    heading(doc, "一、绩效自评工作组织开展情况")
    organisation = data.info.organisation if data.info and data.info.organisation else ""
    para(doc, organisation or ORGANISATION.format(year=data.year))
    heading(doc, "（一）部门项目预算安排及执行", level=2)
    table(doc, ["序号", "项目名称", "全年预算数（万元）", "全年执行数（万元）", "执行率"],
          [[str(i), p.name, fmt(p.budget), fmt(p.executed), fmt_pct(p.rate)]
           for i, p in enumerate(data.projects, start=1)] +
          [["", "合计", fmt(total.budget), fmt(total.executed), fmt_pct(total.rate)]], align_right={2, 3, 4})
    heading(doc, "二、绩效目标实现情况")
    for line in _summary(data):
        para(doc, line)
    para(doc, low_execution(data, threshold))
    heading(doc, "三、绩效目标设定质量情况")
    para(doc, quality(data))
    heading(doc, "四、整改措施及结果应用")
    for text in (data.info.problems if data.info else "", data.info.measures if data.info else ""):
        if text:
            para(doc, text)
    steps = actions(data)
    if steps:
        para(doc, "针对自评发现的问题，采取以下整改措施：")
        for i, step in enumerate(steps, start=1):
            para(doc, f"{i}. {step}")
    else:
        para(doc, "自评未发现需要整改的问题。本单位将把自评结果作为下一年度预算安排和绩效目标设定的重要依据。")
    return doc


def draft_district(result: BatchResult, units: list[UnitData]):
    rules = result.rules
    doc = new_document()
    title(doc, f"{result.district}{result.year or ''}年度预算绩效自评汇总报告")
    everything = total_of(u.totals for u in units).rollup()
    heading(doc, "一、总体情况")
    para(doc, f"本次共汇总{len(units)}个单位报送的{everything.projects}个项目自评表，涉及预算资金"
              f"{fmt(everything.budget)}万元，全年执行{fmt(everything.executed)}万元，总体预算执行率"
              f"{fmt_pct(everything.rate)}；项目平均得分{_score(everything.mean_score)}，"
              f"按预算加权平均得分{_score(everything.weighted_score)}。")
    heading(doc, "二、各单位得分排名")
    ranked = sorted(((u, u.totals.rollup()) for u in units),
                    key=lambda ur: (-(ur[1].weighted_score or Decimal(-1)), ur[0].unit))
    table(doc, ["名次", "单位", "项目数", "执行率", "加权平均得分", "等级"],
          [[str(i), u.unit, str(r.projects), fmt_pct(r.rate), _score(r.weighted_score),
            rules.grade(r.weighted_score) or "—"] for i, (u, r) in enumerate(ranked, start=1)],
          align_right={2, 3, 4})
    heading(doc, "三、等级分布")
    grades = Counter(rules.grade(r.weighted_score) for _, r in ranked if r.weighted_score is not None)
    para(doc, "按各单位预算加权平均得分评定：" + "，".join(
        f"{g}{grades.get(g, 0)}个" for g in [name for name, _ in rules.grades] + ["差"]) + "。")
    heading(doc, "四、主要问题")
    codes = result.spool.code_counts()[:10]
    if codes:
        table(doc, ["代码", "问题", "数量"], [[c, CATALOGUE[c].title, str(n)] for c, n in codes],
              align_right={2})
    else:
        para(doc, "审核未发现问题。")
    heading(doc, "五、报送情况")
    if result.missing_units:
        para(doc, f"单位名单中有{len(result.missing_units)}个单位未报送自评表："
                  f"{_names(result.missing_units)}，请督促报送。")
    else:
        para(doc, "本次汇总的单位均已报送（未提供单位名单时，不核对缺报）。")
    return doc


def write_reports(result: BatchResult, outdir: str | Path) -> list[Path]:
    """One 绩效自评工作报告 per unit and a district overview, as .docx files."""
    outdir = Path(outdir)
    units = unit_data(result)
    written = []
    for data in units:
        path = outdir / f"{_safe(data.unit)}_{data.year or ''}年度绩效自评工作报告.docx"
        with replacing(path) as tmp:
            draft_unit(data, result.rules.rate_threshold).save(str(tmp))
        written.append(path)
    path = outdir / f"{_safe(result.district)}_{result.year or ''}年度预算绩效自评汇总报告.docx"
    with replacing(path) as tmp:
        draft_district(result, units).save(str(tmp))
    written.append(path)
    return written


def _safe(name: str) -> str:
    """A unit name as a file name: no path separators or characters Windows refuses."""
    cleaned = "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in name).strip(" .")
    return cleaned[:80] or "未命名单位"
