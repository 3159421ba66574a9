"""A project's approved targets (绩效目标申报表, or the 执行监控表 that copies them) and
how its self-evaluation drifted from them.

The rules say a project is scored against the indicators and targets approved with its
budget; hand-filled forms drift: an indicator dropped or added, renamed, a target lowered,
a weight changed, a 年初预算数 that is not the approved amount. Each is a 警告 (T1xx):
every figure is computable, a reviewer must look. The sheet is read by the same labels
as the self-evaluation (layout.read_project, interpret_project).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from . import form
from .findings import Finding, make
from .interpret import interpret_project
from .layout import Labels, RawProject
from .model import Indicator, Project
from .numbers import CENTS, fmt, parse_number, round_half_up
from .targets import DATE, EXACT, POSITIVE, REVERSE, Target

_TOTAL_INDEX = form.label_index((form.FUND_TOTAL,))
_IN_YUAN = re.compile(r"\((?:金额)?(?:单位)?:?元\)$|单位:?元$")


@dataclass
class Approved:
    sheet: str
    kind: str                      # targets (申报表) | monitor (执行监控表)
    name: str = ""
    code: str = ""
    amount: Decimal | None = None  # the approved 年度资金总额, 万元
    amount_cell: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    unit: str = ""        # the 实施单位 the sheet names, if any
    name_cell: str = ""   # where its 项目名称 is
    file: str = ""        # a --targets file (approved_targets.py); "" for a sheet of the workbook itself

    @property
    def title(self) -> str:
        return "申报表" if self.kind == "targets" else "执行监控表"

    @property
    def source(self) -> str:
        """How a finding names it: the sheet of this workbook, or the --targets file and sheet."""
        if self.file:
            return f"批复目标“{self.file}”工作表“{self.sheet}”"
        return f"{self.title}“{self.sheet}”"


def read_approved(labels: Labels, raw: RawProject, kind: str, path: str, code: str) -> Approved:
    """The approved targets of a 申报表/监控表 sheet read as a project (its findings are
    not the clerk's to fix: they are dropped)."""
    p, _ = interpret_project(raw, path)
    out = Approved(raw.sheet, kind, p.name, code, indicators=p.indicators, unit=p.unit,
                   name_cell=p.cells.get("name", ""))
    total = p.funds.get("total")
    if total is not None and (total.initial is not None or total.budget is not None):
        use = "initial" if total.initial is not None else "budget"
        out.amount, out.amount_cell = getattr(total, use), total.cells.get(use, "")
        return out
    # A 申报表 writes 年度资金总额 as label and value, not as a funds table.
    stop = labels.indicator_header()
    yuan = False
    for (r, c), (s, bare, _) in labels.text.items():
        if stop is not None and r >= stop:
            break
        yuan = yuan or bool(_IN_YUAN.search(s))
        if _TOTAL_INDEX.get(s) == "total" or _TOTAL_INDEX.get(bare) == "total":
            v, cell = labels.value_right(r, c)
            if v in ("", None):
                v, cell = labels.value_below(r, c)
            n = parse_number(v)
            if n.value is not None and n.suffix in ("", "万元", "元"):
                out.amount = n.value / 10000 if yuan or n.suffix == "元" else n.value
                out.amount_cell = cell
            break
    return out


def _key(name: str) -> str:
    s = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\s\W_]+", "", s)


def _similar(a: str, b: str) -> bool:
    """Two indicator names that share most of their characters (a rename, not a swap)."""
    a, b = _key(a), _key(b)
    if not a or not b:
        return False
    shared = len(set(a) & set(b))
    return shared * 2 >= max(len(set(a)), len(set(b)))


def _change(now: Target, then: Target) -> str | None:
    """How a target moved: 降低 (easier to meet), 提高, 改变, or None when it is the same."""
    if _key(now.text) == _key(then.text):
        return None
    if now.value is not None and then.value is not None and now.unit == then.unit and now.kind == then.kind:
        if now.value == then.value:
            return None   # 95% and ≥95% say the same
        if now.kind == POSITIVE:
            return "降低" if now.value < then.value else "提高"
        if now.kind == REVERSE:
            return "降低" if now.value > then.value else "提高"
        return "改变" if now.kind == EXACT else None
    if now.kind == DATE == then.kind and now.date and then.date:
        return None if now.date == then.date else ("降低" if now.date > then.date else "提高")
    return "改变"


def _plain(x: Decimal) -> str:
    """A weight as it reads: 15, 7.5 (not 15.0)."""
    return format(x.normalize(), "f")


def compare(p: Project, a: Approved, path: str) -> list[Finding]:
    """The self-evaluation `p` against its approved targets `a`."""
    out: list[Finding] = []

    def add(code: str, problem: str, sheet: str, cell: str, value: object) -> None:
        out.append(make(code, problem, value=value, file=path, sheet=sheet, cell=cell, project=p.name))

    src = a.source

    def at(i: Indicator) -> str:
        # a --targets file is not beside the form: name the cell of its indicator too
        return f"（{i.cells.get('level3', '')}）" if a.file and i.cells.get("level3") else ""
    if a.amount is not None:
        # As shown, to the cent: an amount approved in 元 (123456) is 12.3456 万元, and a
        # form's 12.35 is the same money, not a T106.
        def differs(x: Decimal) -> bool:
            assert a.amount is not None
            return round_half_up(x, CENTS) != round_half_up(a.amount, CENTS)
        if p.initial is not None and differs(p.initial):
            add("T106", f"年初预算数 {fmt(p.initial)} 万元，{src}的年度资金总额为 {fmt(a.amount)} 万元",
                p.sheet, p.total_line.cells.get("initial", ""), fmt(p.initial))
        elif p.initial is None and p.budget is not None and differs(p.budget):
            add("T106", f"年初预算数未填写，全年预算数 {fmt(p.budget)} 万元与{src}的年度资金总额 "
                        f"{fmt(a.amount)} 万元不同", p.sheet, p.total_line.cells.get("budget", ""), fmt(p.budget))
    mine = {_key(i.level3): i for i in p.indicators if i.level3}
    theirs = {_key(i.level3): i for i in a.indicators if i.level3}
    pairs = [(mine[k], theirs[k]) for k in mine if k in theirs]
    added = [i for k, i in mine.items() if k not in theirs]
    dropped = [i for k, i in theirs.items() if k not in mine]
    for old in list(dropped):
        same_place = [i for i in added if i.level2 == old.level2]
        new = next((i for i in same_place if _similar(i.level3, old.level3)
                    or _key(i.target.text) == _key(old.target.text)), None)
        if new is None and len(same_place) == 1 and len([d for d in dropped if d.level2 == old.level2]) == 1:
            new = same_place[0]
        if new is not None:
            added.remove(new)
            dropped.remove(old)
            pairs.append((new, old))
            add("T103", f"三级指标“{new.level3}”在{src}{at(old)}中为“{old.level3}”", p.sheet,
                new.cells.get("level3", ""), new.level3)
    for old in dropped:
        # Pointed at the self-evaluation, where it is missing: beside its 二级 if that is there.
        near = next((i for i in p.indicators if i.level2 == old.level2), p.indicators[0] if p.indicators else None)
        where = old.cells.get("level3", "")
        add("T101", f"{src}（{where}）的三级指标“{old.level3}”（{old.level2 or old.level1}，指标值 "
                    f"{old.target.text}）未在自评表中评价", p.sheet,
            near.cells.get("level3", "") if near else "", old.level3)
    for new in added:
        add("T102", f"三级指标“{new.level3}”不在{src}中", p.sheet, new.cells.get("level3", ""), new.level3)
    for new, old in pairs:
        new.approved = old.target.text   # 指标明细's 批复指标值
        how = _change(new.target, old.target)
        if how and new.target.text and old.target.text:
            add("T104", f"三级指标“{new.level3}”的指标值由{src}{at(old)}的“{old.target.text}”改为“{new.target.text}”"
                        f"（目标{how}）", p.sheet, new.cells.get("target", ""), new.target.text)
        if new.weight is not None and old.weight is not None and new.weight != old.weight:
            add("T105", f"三级指标“{new.level3}”的分值为 {_plain(new.weight)}，{src}{at(old)}中为 {_plain(old.weight)}",
                p.sheet, new.cells.get("weight", ""), _plain(new.weight))
    return out
