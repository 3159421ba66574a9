"""Which form each sheet of a workbook is (issue 18).

Budget systems export a project's whole cycle in one workbook: 项目基本信息, 立项依据,
实施方案, 支出计划, 支出明细, the 绩效目标申报表, the 执行监控表, the 自评表 and review
reports. Only the self-evaluation sheets are projects. The 申报表 and 监控表 carry the
approved targets (approved.py compares them with the 自评表), 项目基本信息 carries the
项目编码; the other sheets are not forms and get no finding. A sheet we cannot place at
all is named once per file (F104), in case it is a form we failed to recognise.

A sheet's title (its first text, above any label) and its name decide first; the layout
decides only where they say nothing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import form
from .approved import Approved, compare, read_approved
from .findings import Finding, make
from .interpret import text
from .layout import Labels, RawProject
from .model import Project

SELF, DEPT, UNIT, TARGETS, MONITOR, OTHER, UNKNOWN = (
    "project", "dept", "unit", "targets", "monitor", "other", "")
KIND_NAMES = {SELF: "项目支出绩效自评表", DEPT: "部门整体支出绩效自评表", UNIT: "单位信息表",
              TARGETS: "绩效目标申报表", MONITOR: "绩效目标执行监控表", OTHER: "非表单", UNKNOWN: "未识别"}
_ORDER = (SELF, DEPT, UNIT, TARGETS, MONITOR, OTHER, UNKNOWN)

_MONITOR_WORDS = ("执行监控", "运行监控", "绩效监控", "监控表")
_TARGET_WORDS = ("目标申报", "申报表", "绩效目标表", "目标表", "批复的绩效目标", "绩效目标批复")
# Not forms: the rest of a project's file in a budget system, review reports, instructions.
_OTHER_WORDS = ("基本信息", "立项依据", "实施方案", "支出计划", "支出明细", "资金明细", "预算明细",
                "用款计划", "采购计划", "评审", "审核意见", "审查意见", "专家意见", "意见书", "报告",
                "填表说明", "填写说明", "填报说明", "编制说明", "指标说明", "佐证", "附表说明")

CODE = form.PROJECT_CODE
_CODE_INDEX = form.label_index((CODE,))
_NAME_INDEX = form.label_index((form.PROJECT_NAME,))


def _title(labels: Labels) -> str:
    """The sheet's title: its first texts above the first label (folded)."""
    sheet, out = labels.sheet, list[str]()
    for r, line in enumerate(sheet.rows[:3], start=sheet.top):
        for c, v in enumerate(line, start=sheet.left):
            if type(v) is not str or not v.strip():
                continue
            hit = labels.text.get((r, c))
            if hit and hit[2]:
                return "".join(out)   # a label: the title, if any, is above
            out.append(form.norm_label(v[:200]))
    return "".join(out)


def _words_kind(s: str, others: bool) -> str | None:
    if "自评" in s:
        return SELF
    if any(w in s for w in _MONITOR_WORDS):
        return MONITOR
    if any(w in s for w in _TARGET_WORDS):
        return TARGETS
    if others and any(w in s for w in _OTHER_WORDS):
        return OTHER
    return None


def form_kind(labels: Labels, layout_kind: str, raw: RawProject | None = None) -> str:
    """The sheet's kind: SELF/DEPT (a self-evaluation, as layout.classify says), TARGETS,
    MONITOR, OTHER or UNKNOWN. `raw`: the sheet read as a project, when it was."""
    titled = _words_kind(_title(labels), True)
    said = titled or _words_kind(form.norm_label(labels.sheet.name), True)
    if layout_kind in (SELF, DEPT):
        if titled is None and said == TARGETS and raw is not None and {"actual", "self_score"} <= raw.score_columns:
            said = None   # a sheet named 绩效目标表 holding what was achieved and scored: a self-evaluation
        if said in (None, SELF):
            if raw is not None and raw.indicators and not raw.score_columns & {"actual", "self_score", "deduct"} \
                    and "executed" not in raw.fund_columns:
                return TARGETS   # targets and weights, nothing achieved or spent: a 绩效目标表
            return layout_kind
        return said
    if layout_kind == UNIT:
        return UNIT
    return said if said not in (None, SELF) else UNKNOWN


def labelled(labels: Labels, index: dict[str, str], key: str, last_row: int | None = None) -> tuple[str, str]:
    """The value beside (or under) a label the form's own indexes do not hold (项目编码),
    and its A1: `项目编码 | 123`, `项目编码：123` or the value below a header."""
    for (r, c), (s, bare, _) in labels.text.items():
        if last_row is not None and r > last_row:
            break
        if index.get(s) == key or index.get(bare) == key:
            v, cell = labels.value_right(r, c)
            if v in ("", None):
                v, cell = labels.value_below(r, c)
            if v not in ("", None):
                return text(v), cell
        elif ":" in s:
            head, _, rest = s.partition(":")
            if rest and index.get(head) == key:
                return rest, ""
    return "", ""


@dataclass
class Cycle:
    """What one workbook holds besides its self-evaluations."""
    path: str
    kinds: Counter[str] = field(default_factory=Counter)
    approved: list[Approved] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)      # sheet → 项目编码 of a self-evaluation
    infos: list[tuple[str, str]] = field(default_factory=list)   # (项目名称, 项目编码) of other sheets
    skipped: list[str] = field(default_factory=list)          # sheets we could not place

    def take(self, labels: Labels, kind: str, raw: RawProject) -> bool:
        """A sheet layout reads as a form: True when it is not a self-evaluation
        (so not a project); the approved targets of a 申报表/监控表 are kept."""
        kind = form_kind(labels, kind, raw)
        self.kinds[kind] += 1
        if kind in (SELF, DEPT):
            header_end = labels.funds_header() or labels.indicator_header()
            code = labelled(labels, _CODE_INDEX, "code", header_end)[0]
            if code:
                self.codes[labels.sheet.name] = code
            return False
        if kind in (TARGETS, MONITOR):
            self.approved.append(read_approved(labels, raw, kind, self.path,
                                               labelled(labels, _CODE_INDEX, "code")[0]))
        self._info(labels)
        return True

    def skip(self, labels: Labels) -> None:
        """A sheet that is neither a form layout reads nor the unit's 单位信息."""
        sheet = labels.sheet
        if not any(True for _ in sheet.nonempty()):
            return   # an empty Sheet2 is nothing at all
        kind = form_kind(labels, UNKNOWN)
        self.kinds[kind] += 1
        self._info(labels)
        if kind == UNKNOWN and sheet.visible:
            self.skipped.append(sheet.name)

    def _info(self, labels: Labels) -> None:
        code = labelled(labels, _CODE_INDEX, "code")[0]
        if code:
            self.infos.append((labelled(labels, _NAME_INDEX, "name")[0], code))

    def findings(self) -> list[Finding]:
        """At most one F104 per file, naming every sheet we could not place."""
        if not self.skipped:
            return []
        names = "、".join(f"“{n}”" for n in self.skipped)
        return [make("F104", f"工作表{names}不是可识别的自评表、申报表、监控表或单位信息表", file=self.path,
                     sheet=self.skipped[0], value=len(self.skipped))]

    def summary(self, unit_sheet: bool) -> str:
        """The kinds of sheet found, for 运行信息: 项目支出绩效自评表 1、绩效目标申报表 1、非表单 8."""
        kinds = self.kinds + Counter({UNIT: 1} if unit_sheet else {})
        return "、".join(f"{KIND_NAMES[k]} {kinds[k]}" for k in _ORDER if kinds[k])

    def apply(self, projects: list[Project], findings: list[Finding]) -> None:
        """Gives each project its 项目编码, compares it with its approved targets, and says
        once per sheet what an export does to every figure (findings are changed in place)."""
        findings[:] = _text_figures(projects, findings)
        findings.extend(self._compare(projects))

    def _compare(self, projects: list[Project]) -> list[Finding]:
        for p in projects:
            p.code = self.codes.get(p.sheet, "")
        pairs = _pair(projects, self.approved)
        out: list[Finding] = []
        for p in projects:
            a = pairs.get(id(p))
            p.code = p.code or (a.code if a else "") or _info_code(p, self.infos)
            if a is not None:
                out.extend(compare(p, a, self.path))
        return out


def _key(name: str) -> str:
    return form.norm_label(name)


def _info_code(p: Project, infos: list[tuple[str, str]]) -> str:
    named = [code for name, code in infos if name and _key(name) == _key(p.name)]
    if named:
        return named[0]
    codes = {code for _, code in infos}
    return codes.pop() if len(codes) == 1 and not any(name for name, _ in infos if name) else ""


def _pair(projects: list[Project], approved: list[Approved]) -> dict[int, Approved]:
    """Each project's approved targets: by 项目编码, else by name; one project and one
    申报表 left over are each other's. A 申报表 outranks a 监控表 (which copies it)."""
    ranked = sorted(approved, key=lambda a: a.kind != TARGETS)
    out: dict[int, Approved] = {}
    used: set[int] = set()
    for rule in ("code", "name"):
        for p in projects:
            if id(p) in out:
                continue
            for a in ranked:
                if id(a) in used:
                    continue
                if (rule == "code" and p.code and a.code == p.code) or (
                        rule == "name" and p.name and _key(a.name) == _key(p.name)):
                    out[id(p)] = a
                    used.add(id(a))
                    break
    left_p = [p for p in projects if id(p) not in out and p.kind == SELF]
    left_a = [a for a in ranked if id(a) not in used]
    if len(left_p) == 1 and left_a and len({_key(a.name) for a in left_a}) == 1:
        out[id(left_p[0])] = left_a[0]
    return out


def _figures(p: Project) -> int:
    """How many figures the sheet holds (amounts, weights, scores)."""
    n = sum(getattr(line, k) is not None for line in p.funds.values() for k in ("initial", "budget", "executed"))
    n += sum(x is not None for x in (p.rate_weight, p.self_rate_score, p.self_total))
    return n + sum((i.weight is not None) + (i.self_score is not None) for i in p.indicators)


def _text_figures(projects: list[Project], findings: list[Finding]) -> list[Finding]:
    """A sheet whose every figure is text (`1,250.00`, `10.0`) is how budget systems export:
    one P103 for the sheet, not one per cell (a clerk's odd text cell is still named alone)."""
    texts: dict[str, list[Finding]] = {}
    for f in findings:
        if f.code == "P103":
            texts.setdefault(f.sheet, []).append(f)
    whole = {p.sheet for p in projects if p.sheet in texts and len(texts[p.sheet]) >= 3
             and len(texts[p.sheet]) == _figures(p)}
    if not whole:
        return findings
    out = [f for f in findings if not (f.code == "P103" and f.sheet in whole)]
    for sheet in sorted(whole):
        first = texts[sheet][0]
        out.append(make("P103", f"本表全部 {len(texts[sheet])} 处数字均以文本保存（如 {first.cell} “{first.value}”，"
                                f"多见于预算系统导出）", file=first.file, sheet=sheet,
                        cell=first.cell, project=first.project, value=len(texts[sheet])))
    return out
