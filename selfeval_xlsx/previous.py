"""Last year's results (`--previous`): what each project is compared with, and the comparison.

Last year's summary is our own output: the workbook `selfeval run` wrote (recognised by
its custom property, schema.MARKER, and its sheet headers) or its `--json`. The parent
reads it once (load_index) into a `PreviousIndex` of plain values — only what a
comparison needs — which travels to every reading worker in context.Context. The
comparison is made where a project's rows are made (rows.to_rows calls `Lookup.of`):
every check here needs that one project and last year's record of it, nothing of the
rest of the batch. Only the year check and the rules note need the whole batch
(check_year, facts: batch.py and tables.py).

Matching: by 项目编码 when both years have one, else by unit + project name, both
normalised (keys.py, as --targets matches them). A name or code that last year's summary holds twice
(a duplicate submission, two sheets of one name) matches nothing: guessing which one
would risk a false alarm.

What counts as a repeat (Y101): a 警告 or 错误 code of the project's own form (P, I and T
codes) present in both years. A 提示 is something we normalised (a text number, an
ignored template row): it repeating asks nothing of a reviewer, and listing it would bury
the repeats that do. U, F and B codes concern a file, a unit or the batch, not a
project whose forms were to be corrected.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from . import schema
from .errors import BatchError
from .findings import CATALOGUE, Finding, Severity, codes, make
from .keys import code_key, name_key, unit_key
from .model import Project
from .numbers import RATE_PLACES, fmt, fmt_pct, plain, round_half_up
from .rules import Rules
from .targets import POSITIVE, RULE_NAMES, parse_actual, parse_target

REPEAT_LEVELS = ("P", "I", "T")   # the project's own form: see the module's docstring
# 运行信息 facts compared with this year's rules (a difference is noted, not refused).
RULE_FACTS = ("评分规则", "等级线", "执行率下限", "分差容差")
_LIMIT = 2 * 1024 ** 3   # larger than any summary of a province: not ours


class PreviousError(BatchError):
    """Last year's file cannot be used; the message says why (a usage error)."""


@dataclass(frozen=True)
class PrevProject:
    unit: str
    project: str
    code: str
    total: Decimal | None
    rate: Decimal | None
    codes: tuple[str, ...]   # its 警告/错误 finding codes (REPEAT_LEVELS)
    # Indicators whose actual far exceeded a positive numeric target:
    # (normalised 三级指标, normalised 指标值, 指标值, 实际完成值).
    exceeded: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class PreviousIndex:
    """Last year's projects, and this run's yardsticks (the comparison runs in workers,
    which see the rules' high mark but not the rules)."""
    source: str
    year: int | None
    projects: tuple[PrevProject, ...]
    by_code: dict[str, int]
    by_name: dict[tuple[str, str], int]
    facts: dict[str, str]          # last year's rules, as its 运行信息 shows them
    low_line: Decimal              # a total below this is 偏低 (the second grade's line)
    low_grade: str
    rate_threshold: Decimal
    disabled: frozenset[str] = frozenset()


def norm(text: object) -> str:
    """A text as matched across the two years (keys.py: the same keys as --targets)."""
    return name_key(str(text or ""))


def low_line(rules: Rules) -> tuple[str, Decimal]:
    """The line a total must reach not to count as low: the second grade's (良 in both
    presets, 80). 财预〔2020〕10号 grades 优/良/中/差 and asks that poor results cut the
    next budget; self-evaluations bunch above 90, so a computed total under 良 is already
    the exception, and the same one two years running is what 结果应用 looks for."""
    name, line = rules.grades[min(1, len(rules.grades) - 1)]
    return name, line


# --- reading last year's file ---------------------------------------------------------

def _dec(value: object, places: Decimal) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        # repr of a float is its shortest exact text: 0.9833 stays 0.9833.
        return round_half_up(Decimal(repr(value) if isinstance(value, float) else str(value)), places)
    except (InvalidOperation, ValueError):
        return None


def _read(path: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Last year's tables as {sheet: [{header: value}]} and its facts, read as `selfeval
    merge` reads a district (merge_read.py): one reader of our own outputs."""
    from .merge_read import MergeError, read_summary
    try:
        summary = read_summary(path)
    except MergeError:
        raise PreviousError(_refusal(path)) from None
    tables: dict[str, list[dict[str, Any]]] = {
        t.sheet: [dict(zip(t.headers, r)) for r in rows]
        for t, rows in ((schema.PROJECTS, summary.projects), (schema.INDICATORS, summary.indicators),
                        (schema.FINDINGS, summary.findings))}
    return tables, dict(summary.facts)


def _refusal(path: Path) -> str:
    """Why `path` is not last year's summary: a 复核底稿 (ours too) is named as what it is."""
    try:
        from python_calamine import CalamineWorkbook
        review = "复核底稿" in CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:   # not a workbook at all: calamine raises many kinds
        review = False
    if review:
        return (f"{path} 是抽查复核底稿（selfeval sample 写出），不是汇总；--previous 应为上年 "
                f"`selfeval run` 写出的“…绩效自评汇总.xlsx”或 --json 文件（复核底稿请用 --review）")
    return _not_ours(path)


def _not_ours(path: Path) -> str:
    return (f"{path} 不是本工具生成的汇总工作簿或 JSON，不能作为上年结果；"
            f"请使用上年 `selfeval run` 写出的“…绩效自评汇总.xlsx”或 --json 文件")


def load_index(path: str | os.PathLike[str], rules: Rules) -> PreviousIndex:
    """Last year's summary workbook or JSON as a PreviousIndex; PreviousError if it is
    missing, unreadable or not ours."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise PreviousError(f"找不到上年汇总文件：{p}") from None
    except OSError as e:
        raise PreviousError(f"无法读取上年汇总文件 {p}：{e.strerror or e}") from None
    if not p.is_file():
        raise PreviousError(f"上年汇总 {p} 不是文件；请给出上年的汇总工作簿（.xlsx）或 JSON")
    if size > _LIMIT:
        raise PreviousError(_not_ours(p))
    tables, facts = _read(p)
    headers = {t.sheet: set(t.headers) for t in (schema.PROJECTS, schema.INDICATORS, schema.FINDINGS)}
    for sheet, rows in tables.items():
        needed = {"单位名称", "项目名称", "文件", "工作表"} & headers[sheet]
        if rows and not needed <= set(rows[0]):
            raise PreviousError(_not_ours(p))
    return build_index(tables, facts, str(p), rules)


def _year(value: object) -> int | None:
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def build_index(tables: dict[str, list[dict[str, Any]]], facts: dict[str, Any], source: str,
                rules: Rules) -> PreviousIndex:
    """The index from last year's tables, each a list of {header: value}."""
    margin = 1 + rules.copied_target_margin
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in tables.get(schema.FINDINGS.sheet, []):
        code = str(f.get("代码") or "")
        check = CATALOGUE.get(code)
        if check and check.severity is not Severity.INFO and code[0] in REPEAT_LEVELS:
            found[(str(f.get("文件") or ""), str(f.get("工作表") or ""))].add(code)
    exceeded: dict[tuple[str, str], list[tuple[str, str, str, str]]] = defaultdict(list)
    for i in tables.get(schema.INDICATORS.sheet, []):
        target, actual = str(i.get("年度指标值") or ""), str(i.get("实际完成值") or "")
        t, a = parse_target(target), parse_actual(actual)
        # 计分规则 says how last year scored it (a 指标性质 column may have turned the text round).
        scored_as = str(i.get("计分规则") or RULE_NAMES[POSITIVE])
        if (t.kind == POSITIVE and scored_as.startswith(RULE_NAMES[POSITIVE])
                and t.value is not None and t.value > 0 and t.error is None
                and a.value is not None and a.unit == t.unit and a.value > t.value * margin):
            exceeded[(str(i.get("文件") or ""), str(i.get("工作表") or ""))].append(
                (norm(i.get("三级指标")), norm(target), target, actual))
    projects: list[PrevProject] = []
    for r in tables.get(schema.PROJECTS.sheet, []):
        key = (str(r.get("文件") or ""), str(r.get("工作表") or ""))
        projects.append(PrevProject(
            str(r.get("单位名称") or ""), str(r.get("项目名称") or ""), str(r.get("项目编码") or "").strip(),
            _dec(r.get("计算总分"), Decimal("0.01")), _dec(r.get("执行率"), RATE_PLACES),
            tuple(sorted(found.get(key, ()))), tuple(exceeded.get(key, ()))))
    # Sorted, so that the index (and which name is ambiguous) never depends on row order.
    projects.sort(key=lambda p: (p.unit, p.project, p.code, str(p.total), str(p.rate), p.codes, p.exceeded))
    name, line = low_line(rules)
    return PreviousIndex(
        source, _year(facts.get("评价年度")), tuple(projects),
        _unique((code_key(p.code), n) for n, p in enumerate(projects) if p.code),
        _unique(((unit_key(p.unit), norm(p.project)), n) for n, p in enumerate(projects) if p.project),
        {str(k): _fact(v) for k, v in facts.items()
         if (k in RULE_FACTS or str(k).startswith("权重·")) and v not in (None, "")},
        line, name, rules.rate_threshold, rules.disabled)


def _unique(pairs: Iterable[tuple[Any, int]]) -> dict[Any, int]:
    seen: dict[Any, int] = {}
    twice: set[Any] = set()
    for key, n in pairs:
        if key in seen:
            twice.add(key)
        seen[key] = n
    return {k: n for k, n in seen.items() if k not in twice}


# --- the whole batch (parent) ---------------------------------------------------------

def check_year(index: PreviousIndex, year: int | None) -> None:
    """PreviousError unless last year's summary is of the year before `year`."""
    if year is None:
        return
    if index.year is None:
        raise PreviousError(f"上年汇总 {index.source} 中没有评价年度，无法确认是 {year - 1} 年的结果")
    if index.year != year - 1:
        raise PreviousError(f"上年汇总 {index.source} 的评价年度为 {index.year}，本批次为 {year}；"
                            f"--previous 应为 {year - 1} 年的汇总")


def rule_facts(rules: Rules) -> dict[str, str]:
    """The rules as 运行信息 shows them (tables.run_facts), for comparing two years'."""
    out = {"评分规则": rules.name, "等级线": "，".join(f"{g}≥{v}" for g, v in rules.grades) + "，其余为差",
           "执行率下限": fmt_pct(rules.rate_threshold), "分差容差": plain(rules.tolerance)}
    return out | {f"权重·{k}": plain(v) for k, v in rules.weights.items()}


def _fact(value: object) -> str:
    number = _dec(value, Decimal("0.0001")) if isinstance(value, (int, float)) else None
    return plain(number) if number is not None else str(value)


def facts(index: PreviousIndex, rules: Rules) -> list[tuple[str, object]]:
    """运行信息 lines: which file was last year's, and how its rules differ from this year's."""
    now = rule_facts(rules)
    changed = [f"{k}：上年 {v}，本年 {now[k]}" for k, v in index.facts.items() if k in now and now[k] != v]
    return [("上年汇总", f"{index.source}（{index.year} 年，{len(index.projects)} 个项目）"),
            ("上年规则", "；".join(changed) + "。上年的得分按上年规则计算，对比时请留意"
             if changed else "与本年相同")]


# --- one project (reading worker) -----------------------------------------------------

@dataclass
class Lookup:
    """One file's projects against last year's (built by rows.to_rows when given an index)."""
    index: PreviousIndex
    unit: str
    file: str
    findings: Iterable[Finding]
    _codes: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_sheet: dict[str, set[str]] = defaultdict(set)
        for f in self.findings:
            if f.severity is not Severity.INFO and f.code[0] in REPEAT_LEVELS:
                by_sheet[f.sheet].add(f.code)
        self._codes = dict(by_sheet)

    def match(self, name: str, code: str) -> PrevProject | None:
        ix = self.index
        c = code_key(code)
        if c and c in ix.by_code:
            return ix.projects[ix.by_code[c]]
        n = ix.by_name.get((unit_key(self.unit), norm(name)))
        if n is None:
            return None
        last = ix.projects[n]
        # Both coded and different: two projects of one name (a budget system gives a
        # project one code for its whole life).
        return None if c and last.code and code_key(last.code) != c else last

    def of(self, p: Project, total: Decimal | None, rate: Decimal | None) -> tuple[PrevProject | None, list[Finding]]:
        """Last year's record of project `p` and the findings of the comparison; `total`,
        `rate`: this year's computed figures, compared as shown (rounded, like last year's)."""
        last = self.match(p.name, p.code)
        if last is None:
            return None, []
        total, rate = round_half_up(total), round_half_up(rate, RATE_PLACES)
        ix, out = self.index, []
        where = {"file": self.file, "sheet": p.sheet, "unit": self.unit, "project": p.name}
        name_cell = p.cells.get("name", "")
        repeated = sorted(self._codes.get(p.sheet, set()) & set(last.codes))
        if repeated:
            out.append(make(codes.Y101, "上年已指出的问题今年仍然存在：" + "；".join(
                f"{c} {CATALOGUE[c].title}" for c in repeated), value="、".join(repeated), cell=name_cell, **where))
        if total is not None and last.total is not None and total < ix.low_line and last.total < ix.low_line:
            out.append(make(codes.Y102, f"计算总分连续两年低于“{ix.low_grade}”（{fmt(ix.low_line)} 分）："
                            f"上年 {fmt(last.total)}，本年 {fmt(total)}", value=fmt(total), cell=name_cell, **where))
        if rate is not None and last.rate is not None and rate < ix.rate_threshold and last.rate < ix.rate_threshold:
            out.append(make(codes.Y103, f"执行率连续两年低于 {fmt_pct(ix.rate_threshold)}：上年 {fmt_pct(last.rate)}，"
                            f"本年 {fmt_pct(rate)}", value=fmt_pct(rate), cell=name_cell, **where))
        if last.exceeded:
            before = {(level3, target): (shown, actual) for level3, target, shown, actual in last.exceeded}
            for ind in p.indicators:
                hit = before.get((norm(ind.level3), norm(ind.target.text)))
                if hit and ind.target.kind == POSITIVE:
                    out.append(make(codes.Y104, f"“{ind.level3}”的指标值“{hit[0]}”与上年相同，而上年实际完成"
                                    f"“{hit[1]}”", value=ind.target.text,
                                    cell=ind.cells.get("target", ind.cells.get("level3", "")), **where))
        return last, [f for f in out if f.code not in ix.disabled]
