"""`--targets`: the performance targets approved with the budget, from files of their own.

The bureau holds the 绩效目标申报表 (or 批复的绩效目标) of every project as the budget
system exported them: a workbook per unit or per project, one project a sheet, or one
flat list of every indicator of every project. They are read here, in the parent, once,
by the same labels as a 申报表 sheet inside a self-evaluation (sheetkinds.Cycle,
approved.read_approved) into a `TargetsIndex`: plain, picklable data that reaches every
reading worker in `context.Context`. There each project is matched to its approved
targets and compared (approved.compare: T101–T106) where its rows are made (`check`,
called by rows.to_rows), so 指标明细 can show the approved value.

Matching: by 项目编码 when both sides have one, else by unit and project name, folded
(full/half width, spaces, brackets). Two candidates are never guessed between (T108).
After the batch, approved projects no self-evaluation matched are named (`unmatched`):
one finding per project when its unit reported (a form is missing), one per unit when
the unit sent nothing at all (one line, not one per project of a unit that is absent).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .approved import Approved, compare
from .approved_list import is_list, read_list
from .container import LIMITS, Limits, inspect_zip
from .errors import BatchError
from .findings import Finding, make
from .grid import WorkbookError, load_sheets, open_zip, sniff
from .keys import code_key, name_key, norm_unit, unit_key
from .rules import Rules
from .sheetkinds import MONITOR, TARGETS, Cycle
from .workbook import WORKBOOK_SUFFIXES, WorkbookResult, _read_sheets


@dataclass(frozen=True)
class Entry:
    """One approved project of the targets files."""
    approved: Approved     # .file is the targets file as findings name it
    unit: str
    # Without a unit on the sheet: its file path, sheet name and title, folded (unit_key),
    # where budget systems put the unit instead ("中山东路街道办事处2020年项目绩效目标.xlsx").
    hint: str = ""

    def names(self, unit: str) -> bool:
        """Whether this unitless entry's file or title names `unit` (a unit_key)."""
        return bool(unit) and unit in self.hint

    @property
    def where(self) -> str:
        a = self.approved
        return f"批复目标“{a.file}”工作表“{a.sheet}”{a.name_cell}"


@dataclass(frozen=True)
class TargetsIndex:
    """The approved projects of a --targets path and how to find them."""
    source: str
    entries: tuple[Entry, ...] = ()
    by_code: dict[str, tuple[int, ...]] = field(default_factory=dict)
    by_name: dict[str, tuple[int, ...]] = field(default_factory=dict)
    problems: tuple[Finding, ...] = ()      # files that could not be read (T110)
    disabled: frozenset[str] = frozenset()  # codes the rules switch off

    def candidates(self, unit: str, name: str, code: str) -> tuple[int, ...]:
        """Every entry that may be this project: by 项目编码, else by unit and name."""
        c = code_key(code)
        found: Iterable[int] = self.by_code.get(c, ()) if c else ()
        if not found:
            u = unit_key(unit)
            found = [i for i in self.by_name.get(name_key(name), ())
                     if self._same_unit(i, u)
                     and not (c and self.entries[i].approved.code)]   # both coded and different: not it
        return tuple(found)

    def _same_unit(self, i: int, u: str) -> bool:
        """By name, only within one unit: 专项经费 is a name every unit has. An entry
        whose form names no unit belongs to the unit its file, folder, sheet or title
        names, if any (Entry.hint)."""
        e = self.entries[i]
        if not u:
            return False
        if e.unit:
            return unit_key(e.unit) == u
        return e.names(u)

    def match(self, unit: str, name: str, code: str) -> tuple[int, ...]:
        """The entries a project is compared with. One is a match; several are
        ambiguous; none, no approved targets."""
        found = self.candidates(unit, name, code)
        # A 监控表 copies the 申报表: where both are there, the 申报表 is the approved one.
        declared = tuple(i for i in found if self.entries[i].approved.kind == TARGETS)
        return declared or found


class _Skip(Exception):
    """A targets file that cannot be read; the message says why."""


def load(path: str | os.PathLike[str], rules: Rules, limits: Limits = LIMITS) -> TargetsIndex:
    """Reads a targets workbook, or every workbook in a folder (and its subfolders).
    Raises BatchError when `path` does not exist; a file that cannot be read or holds
    no 申报表 becomes a T110 finding and the run goes on."""
    root = Path(path)
    if not root.exists():
        raise BatchError(f"找不到批复目标文件或目录：{root}")
    if root.is_dir():
        files = sorted((p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
                        and not p.name.startswith(("~$", "."))), key=lambda p: p.relative_to(root).as_posix())
        shown = [f"{root.name}/{p.relative_to(root).as_posix()}" for p in files]
    else:
        files, shown = [root], [root.name]
    entries: list[Entry] = []
    problems: list[Finding] = []
    for p, name in zip(files, shown):
        try:
            entries.extend(_read(p, name, rules, limits))
        except _Skip as e:
            problems.append(make("T110", f"批复目标文件“{name}”{e}，其中的项目未参与对照", value=name))
        except Exception as e:   # a bad targets file is a finding; the run goes on
            problems.append(make("T110", f"批复目标文件“{name}”读取时出错（{type(e).__name__}），其中的项目未参与对照",
                                 value=name))
    if root.is_dir() and not files:
        problems.append(make("T110", f"目录“{root.name}”中没有工作簿文件，未对照批复目标", value=root.name))
    by_code: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        if entry.approved.code:
            by_code.setdefault(code_key(entry.approved.code), []).append(i)
        if entry.approved.name:
            by_name.setdefault(name_key(entry.approved.name), []).append(i)
    return TargetsIndex(str(path), tuple(entries), {k: tuple(v) for k, v in by_code.items()},
                        {k: tuple(v) for k, v in by_name.items()}, tuple(problems), frozenset(rules.disabled))


def _read(path: Path, shown: str, rules: Rules, limits: Limits) -> list[Entry]:
    try:
        if path.stat().st_size > limits.file_bytes:
            raise _Skip(f"超过 {limits.file_bytes // 1024 // 1024} MB")
        data = path.read_bytes()
    except OSError as e:
        raise _Skip(f"无法打开（{e.strerror or e}）") from None
    z = open_zip(data)
    kind = sniff(data, z)
    if kind == "encrypted":
        raise _Skip("设有打开密码")
    if kind not in ("xlsx", "xlsb", "xls", "ods"):
        raise _Skip("不是电子表格，或已损坏")
    if kind != "xls":
        fatal = [p for p in inspect_zip(data, limits, z) if p.fatal]
        if fatal:
            raise _Skip(f"结构异常（{fatal[0].message}）")
    try:
        sheets = load_sheets(data)
    except WorkbookError as e:
        raise _Skip(f"无法读取（{e}）") from None
    cycle = Cycle(shown)
    info, _ = _read_sheets(shown, sheets, [], rules, None, cycle)
    # A flat list (approved_list.py) is read as such, not as one project of every indicator.
    lists = [s for s in sheets if is_list(s)]
    found = [a for a in cycle.approved if a.kind in (TARGETS, MONITOR) and a.sheet not in {s.name for s in lists}]
    found += [a for s in lists for a in read_list(s, shown, info.year if info else None)]
    if not found:
        raise _Skip("中没有可识别的绩效目标申报表（需有项目名称、三级指标、指标值等标题）")
    unit = info.unit if info else ""
    titles = {s.name: " ".join(str(v) for row in s.rows[:3] for v in row if type(v) is str) for s in sheets}
    return [Entry(replace(a, file=shown), a.unit or unit,
                  "" if a.unit or unit else norm_unit(f"{shown} {a.sheet} {titles.get(a.sheet, '')}"))
            for a in found]


# --- in the worker: one file's projects ------------------------------------------------

def check(w: WorkbookResult, index: TargetsIndex | None) -> list[Finding]:
    """Each project of `w` against its approved targets (sets each indicator's
    `approved`); findings the workbook's own 申报表 already gave are not repeated."""
    if index is None or not index.entries:
        return []   # nothing could be read (T110 says why): not every project "has no targets"
    seen = {(f.code, f.sheet, f.cell, f.value) for f in w.findings}
    out: list[Finding] = []

    def add(f: Finding) -> None:
        if f.code not in index.disabled and (f.code, f.sheet, f.cell, f.value) not in seen:
            out.append(replace(f, unit=w.unit))
    for sp in w.projects:
        p = sp.project
        hits = index.match(w.unit, p.name, p.code)   # the unit 项目明细 shows: unmatched() sees the same
        cell = p.cells.get("name", "")
        if not hits:
            coded = f"（项目编码 {p.code}）" if p.code else ""
            add(make("T107", f"项目“{p.name}”{coded}在批复目标“{index_name(index)}”中没有对应的项目，"
                             f"未能对照批复的绩效目标", file=p.file, sheet=p.sheet, cell=cell, project=p.name,
                     value=p.name))
        elif len(hits) > 1:
            places = "、".join(index.entries[i].where for i in hits[:5])
            same = "的项目编码相同" if code_key(p.code) in index.by_code else "同名"
            add(make("T108", f"项目“{p.name}”与批复目标中 {len(hits)} 个项目{same}（{places}），无法确定对应哪一个，"
                             f"未对照", file=p.file, sheet=p.sheet, cell=cell, project=p.name, value=p.name))
        else:
            for f in compare(p, index.entries[hits[0]].approved, p.file):
                add(f)
    return out


def index_name(index: TargetsIndex) -> str:
    return Path(index.source).name


# --- in the parent, after the batch ----------------------------------------------------

def unmatched(index: TargetsIndex, projects: Iterable[tuple[str, str, str]],
              files_by_unit: dict[str, tuple[str, str]]) -> Iterator[Finding]:
    """T109 for approved projects no self-evaluation matched. `projects`: (unit, name,
    项目编码) of every counted project; `files_by_unit`: unit_key → (unit as reported,
    its first file). Ambiguous candidates count as accounted for (T108 names them)."""
    used: set[int] = set()
    for unit, name, code in projects:
        # every candidate: a 监控表 beside its 申报表 is accounted for by the same project
        used.update(index.candidates(unit, name, code))
    absent: dict[str, list[Entry]] = {}
    for i, e in enumerate(index.entries):
        if i in used:
            continue
        # Unitless: the unit its file or title names, the longest first (中山东路街道办事处
        # names 东路街道办事处 too).
        reported = files_by_unit.get(unit_key(e.unit)) if e.unit else next(
            (files_by_unit[u] for u in sorted(files_by_unit, key=lambda u: (-len(u), u)) if e.names(u)), None)
        if reported is None and e.unit:
            absent.setdefault(unit_key(e.unit), []).append(e)
            continue
        a = e.approved
        coded = f"（项目编码 {a.code}）" if a.code else ""
        unit, file = reported or ("", "")
        yield make("T109", f"{e.where}的项目“{a.name}”{coded}没有对应的自评表", file=file,
                   unit=unit or e.unit, project=a.name, value=a.name)
    for es in absent.values():
        unit = es[0].unit
        names = "、".join(f"“{e.approved.name}”" for e in es[:5]) + ("等" if len(es) > 5 else "")
        yield make("T109", f"{unit}在批复目标“{es[0].approved.file}”中有 {len(es)} 个项目（{names}），"
                           f"本批次没有收到该单位的自评表", unit=unit, value=len(es))
