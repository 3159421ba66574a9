"""Walks every claim of every drafted report and checks it against the run's results.

The results are what the other outputs show — the JSON tables (项目明细, 问题清单,
运行信息) — and the rule of figures.py is re-stated here from scratch over those rows,
so a report that drifts from the tables, or a rule applied in one place and not
another, shows up as an unsupported claim.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from selfeval_xlsx.batch import BatchResult
from selfeval_xlsx.claims import NOT_ASSERTING, Report
from selfeval_xlsx.numbers import fmt, fmt_pct, round_half_up
from selfeval_xlsx.report import TARGET_CODES
from selfeval_xlsx.tables import as_json

UNNAMED = "（未填单位名称）"
CENT = Decimal("0.01")


def dec(x) -> Decimal | None:
    return None if x is None else Decimal(str(x))


class Results:
    """What the run's tables say, and the rule applied to them by hand."""

    def __init__(self, result: BatchResult, count_other_years: bool = False):
        data = as_json(result)
        self.result = result
        self.rules = result.rules
        self.rows = data["项目明细"]
        self.findings = data["问题清单"]
        self.files = data["运行信息"]["文件"]
        self.counted_paths = {r["文件"] for r in self.rows}
        self.infos = {w.unit or UNNAMED: w.unit_info for w in result.files}
        self.review = data.get("复核")   # a 复核底稿 read back (--review), else None

    def unit_of(self, name) -> str:
        return name or UNNAMED

    def unit_rows(self, unit: str) -> list[dict]:
        return [r for r in self.rows if self.unit_of(r["单位名称"]) == unit]

    def units(self) -> list[str]:
        return list(dict.fromkeys(self.unit_of(r["单位名称"]) for r in self.rows))

    def unit_findings(self, unit: str) -> list[dict]:
        paths = {r["文件"] for r in self.unit_rows(unit)}
        return [f for f in self.findings if self.unit_of(f["单位名称"]) == unit and f["文件"] in paths]

    @staticmethod
    def why_out(r: dict) -> str | None:
        """The rule, re-stated: which rows enter the figures."""
        if r["全年预算数"] is None:
            return "缺少全年预算数"
        if r["全年预算数"] <= 0:
            return "全年预算数不大于0"
        if r["全年执行数"] is None:
            return "缺少全年执行数"
        if r["计算总分"] is None:
            return "无法计算总分"
        return None

    def doubts(self, rows: list[dict]) -> list[dict]:
        """元/万元 findings on the entered projects among `rows`: their totals are in doubt."""
        entered = {(r["文件"], r["工作表"]) for r in rows if self.why_out(r) is None}
        return [x for x in self.findings if x["代码"] == "P114" and (x["文件"], x["工作表"]) in entered]

    def figures(self, rows: list[dict]) -> dict:
        entered = [r for r in rows if self.why_out(r) is None]
        budget = sum((dec(r["全年预算数"]) for r in entered), Decimal(0))
        executed = sum((dec(r["全年执行数"]) for r in entered), Decimal(0))
        scores = [(dec(r["计算总分"]), dec(r["全年预算数"])) for r in entered]
        return {"entered": len(entered), "budget": budget, "executed": executed,
                "rate": executed / budget if budget else None,
                "mean": sum(s for s, _ in scores) / len(scores) if scores else None,
                "weighted": sum(s * b for s, b in scores) / budget if budget else None,
                "complete": len(entered) == len(rows)}

    def eligible(self) -> dict[str, dict]:
        out = {}
        for u in self.units():
            f = self.figures(self.unit_rows(u))
            if f["complete"] and f["weighted"] is not None:
                out[u] = f
        return out


def close(a: Decimal | None, b: Decimal | None, slack: Decimal = CENT) -> bool:
    """Scores recomputed from rounded rows may differ from exact ones in the last place."""
    if a is None or b is None:
        return a is b
    return abs(round_half_up(a) - round_half_up(b)) <= slack


def check_claim(c, res: Results) -> str | None:
    """None if the claim holds; else why not."""
    k, f, u = c.kind, c.facts, c.unit
    rows = res.unit_rows(u) if u else res.rows
    fig = res.figures(rows)
    thr = res.rules.rate_threshold
    if k in NOT_ASSERTING:
        if k == "clerk":
            info = res.infos.get(u)
            return None if info and getattr(info, f["field"]) == c.text else "不是本单位填写的原文"
        return None
    if k == "title_unit":
        return None if f["unit"] == u and u in res.units() else "单位不在结果中"
    if k in ("title_year", "organisation", "unit_listed", "unit_projects") and f["year"] != res.result.year:
        return "年度与本批次不同"
    if k in ("title_year", "organisation"):
        return None
    if k == "unit_listed":
        return None if list(f["names"]) == [r["项目名称"] for r in rows] else "项目名单不符"
    if k == "unit_projects":
        entered = [r["项目名称"] for r in rows if res.why_out(r) is None]
        return None if list(f["names"]) == entered else f"计入项目不符：{entered}"
    if k == "project_row":
        match = [r for r in rows if r["工作表"] == f["sheet"] and r["项目名称"] == f["name"]]
        if len(match) != 1:
            return "项目明细中没有这一行"
        r = match[0]
        ok = (fmt(dec(r["全年预算数"])) == fmt(f["budget"]) and fmt(dec(r["全年执行数"])) == fmt(f["executed"])
              and fmt_pct(dec(r["执行率"])) == fmt_pct(f["rate"]))
        return None if ok else "金额或执行率与项目明细不符"
    if k in ("unit_total_row", "unit_budget", "unit_execution", "district_budget", "district_rest"):
        for key in ("budget", "executed"):
            if key in f and fmt(f[key]) != fmt(fig[key]):
                return f"{key} {fmt(f[key])} ≠ {fmt(fig[key])}"
        if "rate" in f and fmt_pct(f["rate"]) != fmt_pct(fig["rate"]):
            return "执行率不符"
        if "entered" in f and f["entered"] != fig["entered"]:
            return "计入项目数不符"
        for key in ("mean", "weighted"):
            if key in f and not close(f[key], fig[key]):
                return f"{key}不符"
        if k == "district_budget" and ("计入汇总" in c.text) == fig["complete"]:
            return "是否全部计入的说法不符"
        return None
    if k == "district_count":
        ok = f["units"] == len(res.units()) and f["listed"] == len(res.rows)
        return None if ok else "单位数或项目数不符"
    if k == "doubt":
        doubted = {(res.unit_of(x["单位名称"]), x["项目名称"] or "") for x in res.doubts(rows)}
        said = {(res.unit_of(a), b or "") for a, b in f["where"]}
        return None if said == doubted and doubted else f"应提示的金额存疑项目：{doubted}"
    if k == "left_out":
        out = {(res.unit_of(r["单位名称"]), r["项目名称"], res.why_out(r)) for r in rows if res.why_out(r)}
        said = set(f["left_out"]) if not u else {(u, p, why) for p, why in f["left_out"]}
        return None if said == out else f"未计入项目应为：{out}"
    if k == "left_out_files":
        expected = set()
        for x in res.findings:
            if x["代码"] == "U103" and "不计入" in x["说明"]:
                expected.add((x["文件"], "评价年度与本批次不同"))
            if x["代码"] == "B101":
                expected.add((x["文件"], "重复报送"))
        said = {(lf.path, lf.reason) for lf in f["files"]}
        projects = {e["文件"]: e["项目数"] for e in res.files}
        if said != expected or any(projects[lf.path] != lf.projects for lf in f["files"]):
            return f"未计入的文件应为：{expected}"
        return None
    if k == "self_scores":
        want = [(r["项目名称"], fmt(dec(r["自评总分"]))) for r in rows if res.why_out(r) is None]
        return None if [(n, fmt(s)) for n, s in f["scores"]] == want else "自评得分不符"
    if k == "rescored":
        want = [(r["项目名称"], fmt(dec(r["计算总分"])), fmt(dec(r["自评总分"]))) for r in rows
                if r["计算总分"] is not None and r["自评总分"] is not None
                and fmt(dec(r["计算总分"])) != fmt(dec(r["自评总分"]))]
        return None if [(n, fmt(t), fmt(s)) for n, t, s in f["differ"]] == want else "复核得分不符"
    if k in ("rates_met", "rates_low", "rates_unknown"):
        if "threshold" in f and f["threshold"] != thr:
            return "执行率下限不是规则中的值"
        unknown = [r["项目名称"] for r in rows if r["执行率"] is None]
        low = [r for r in rows if r["执行率"] is not None and dec(r["执行率"]) < thr]
        if k == "rates_met":
            ok = not low and [n for n, _ in f["except"]] == unknown and len(unknown) < len(rows)
            return None if ok else f"并非均达标：低于下限{[r['项目名称'] for r in low]}，无执行率{unknown}"
        if k == "rates_unknown":
            return None if [n for n, _ in f["unknown"]] == unknown and unknown else "无执行率的项目不符"
        said = [(n, fmt_pct(rate), fmt(b), fmt(e)) for n, rate, b, e, _ in f["low"]]
        want = [(r["项目名称"], fmt_pct(dec(r["执行率"])), fmt(dec(r["全年预算数"])), fmt(dec(r["全年执行数"])))
                for r in low]
        return None if said == want and want else f"低于下限的项目应为：{want}"
    found = res.unit_findings(u) if u else res.findings
    if k == "targets_ok":
        bad = [x["代码"] for x in found if x["代码"] in TARGET_CODES]
        return None if not bad else f"存在目标设定问题：{bad}"
    if k == "targets_issues":
        want = Counter(x["代码"] for x in found if x["代码"] in TARGET_CODES)
        return None if dict(f["issues"]) == dict(want) and want else f"目标设定问题应为：{dict(want)}"
    actionable = Counter(x["代码"] for x in found if x["级别"] != "提示")
    if k == "action":
        return None if actionable.get(f["code"]) == f["n"] else "整改措施没有对应的问题"
    if k == "actions_intro":
        return None if f["n"] == len(actionable) else "整改措施条数不符"
    if k == "no_actions":
        return None if not actionable else f"存在需整改的问题：{dict(actionable)}"
    if k == "title_district":
        return None if (f["district"], f["year"]) == (res.result.district, res.result.year) else "区县或年度不符"
    if k == "nothing_counted":
        return None if not res.rows else "实际有可汇总的项目"
    eligible = res.eligible()
    if k == "rank":
        mine = eligible.get(u)
        if mine is None:
            return "该单位不应参加排名"
        shown = round_half_up(mine["weighted"])
        place = 1 + sum(round_half_up(e["weighted"]) > shown for e in eligible.values())
        ok = (f["place"] == place and close(f["weighted"], mine["weighted"])
              and fmt_pct(f["rate"]) == fmt_pct(mine["rate"]) and f["projects"] == mine["entered"]
              and f["grade"] == res.rules.grade(f["weighted"]))
        return None if ok else f"名次或得分不符（应为第{place}名）"
    if k == "unranked":
        want = set(res.units()) - set(eligible)
        return None if {n for n, _ in f["units"]} == want and want else f"未排名单位应为：{want}"
    if k == "no_ranking":
        return None if not eligible else "有可排名的单位"
    if k == "grades":
        want = Counter(res.rules.grade(e["weighted"]) for e in eligible.values())
        return None if {g: n for g, n in f["grades"].items() if n} == dict(want) else "等级分布不符"
    if k == "code_count":
        n = sum(x["代码"] == f["code"] for x in res.findings)
        return None if n == f["n"] else "问题数量不符"
    if k == "no_findings":
        return None if not res.findings and res.rows else "并非未发现问题"
    if k == "no_review":
        return None if not res.rows and not res.findings else "并非没有可审核的内容"
    if k in ("review_overview", "review_unit", "review_above"):
        return _check_review(k, c, res)
    roster = res.result.roster
    missing = {x["单位名称"] for x in res.findings if x["代码"] == "B102"}
    if k == "no_roster":
        return None if not roster else "提供了单位名单"
    if k == "missing_units":
        return None if roster and set(f["missing"]) == missing and missing else "缺报单位不符"
    if k == "all_reported":
        return None if roster and not missing and f["roster"] == len(roster) else "并非名单中的单位均已报送"
    return f"未知的说法类型 {k}"


def _check_review(k: str, c, res: Results) -> str | None:
    """The 抽查复核 claims, re-derived from the 复核 rows: 差异 recomputed from the two scores."""
    if res.review is None:
        return "没有读回复核底稿"
    tol = res.rules.review_tolerance
    rows = [r for r in res.review if k != "review_unit" or r["单位名称"] == c.unit]
    diffs = [(r, dec(r["自评得分"]) - dec(r["复核得分"])) for r in rows
             if r["自评得分"] is not None and r["复核得分"] is not None]
    above = [(r, d) for r, d in diffs if d > tol]
    if k == "review_above":
        want = [(r["单位名称"], r["项目名称"], fmt(dec(r["自评得分"])), fmt(dec(r["复核得分"]))) for r, _ in above]
        said = [(u, p, fmt(s), fmt(v)) for u, p, s, v in c.facts["projects"]]
        return None if said == want and want else f"自评明显偏高的项目应为：{want}"
    f = c.facts
    want = {"sampled": len(rows), "reviewed": sum(r["复核得分"] is not None for r in rows),
            "compared": len(diffs), "above": len(above)}
    if any(f[key] != n for key, n in want.items()):
        return f"抽查复核数字应为：{want}"
    share = Decimal(len(above)) / len(diffs) if diffs else None
    if fmt_pct(f["share"]) != fmt_pct(share):
        return "自评偏高占比不符"
    if k == "review_overview" and f["tolerance"] != tol:
        return "容差不是规则中的值"
    return None


def unsupported(reports: list[Report], res: Results) -> list[str]:
    """Every claim that does not hold, as 'report: kind: text: why'; and rows of a unit
    table or ranking that leave something out."""
    out = []
    for rep in reports:
        for c in rep.claims():
            why = check_claim(c, res)
            if why:
                out.append(f"{rep.name}：{c.kind}：{c.text or c.cells}：{why}")
        if rep.unit:
            shown = [c.facts["sheet"] for c in rep.claims() if c.kind == "project_row"]
            if shown != [r["工作表"] for r in res.unit_rows(rep.unit)]:
                out.append(f"{rep.name}：项目表缺行或多行")
        else:
            ranked = {c.unit for c in rep.claims() if c.kind == "rank"}
            if ranked != set(res.eligible()):
                out.append(f"{rep.name}：排名表应列出 {set(res.eligible())}")
        out += [f"{rep.name}：缺少“{what}”" for what in _required(rep, res) - {c.kind for c in rep.claims()}]
        for group in _one_of(rep):
            if len(group & {c.kind for c in rep.claims()}) != 1:
                out.append(f"{rep.name}：{sorted(group)} 应恰有一种")
    units = {rep.unit for rep in reports if rep.unit}
    if units != set(res.units()):
        out.append(f"单位报告应为：{set(res.units())}")
    return out


def _required(rep: Report, res: Results) -> set[str]:
    """Claims a report must make when the results hold what they are about."""
    rows = res.unit_rows(rep.unit) if rep.unit else res.rows
    need = set()
    if any(res.why_out(r) for r in rows):
        need.add("left_out")
    if res.doubts(rows):
        need.add("doubt")
    if not rep.unit and any(x["代码"] == "B101" or (x["代码"] == "U103" and "不计入" in x["说明"])
                            for x in res.findings):
        need.add("left_out_files")
    if not rep.unit and set(res.units()) - set(res.eligible()):
        need.add("unranked")
    if not rep.unit and res.review is not None:
        need.add("review_overview")
    return need


def _one_of(rep: Report) -> list[set[str]]:
    """Sets of claims of which a report must make exactly one."""
    if rep.unit:
        return [{"targets_ok", "targets_issues"}, {"no_actions", "actions_intro"}]
    groups = [{"no_roster", "missing_units", "all_reported"}]
    if not any(c.kind == "code_count" for c in rep.claims()):
        groups.append({"no_findings", "no_review"})
    return groups
