"""One returned workbook, end to end: bytes → sheets → forms → scores → findings.

`process_bytes` never raises for anything a file can contain: whatever goes wrong
becomes a finding on that file, so a batch always goes on.
"""
from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import BinaryIO

from . import form
from .checks import check_dept_projects, check_project
from .container import LIMITS, Limits, inspect_zip
from .errcells import ErrorCells, blank_cells, restore
from .findings import Finding, make
from .grid import Sheet, WorkbookError, load_sheets, open_zip, sniff
from .interpret import interpret_project, interpret_unit
from .layout import Labels, classify, read_project, read_unit
from .model import Project, UnitInfo
from .review_checks import check_unit
from .rules import Rules
from .scoring import ProjectScore, score_project
from .sheetkinds import Cycle

READ, SKIPPED, FAILED = "已读取", "已跳过", "读取失败"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et", ".ett", ".xltx", ".xltm"}
_EXPECTED_FORMAT = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xltm": "xlsx",
                    ".xlsb": "xlsb", ".xls": "xls", ".et": "xls", ".ett": "xls", ".ods": "ods"}


@dataclass
class FileEntry:
    path: str
    size: int = 0
    sha256: str = ""
    status: str = READ
    reason: str = ""
    format: str = ""
    sheets: int = 0
    projects: int = 0
    kinds: str = ""   # the kinds of sheet found (sheetkinds.Cycle.summary)


@dataclass
class ScoredProject:
    project: Project
    score: ProjectScore

    @property
    def kind(self) -> str:
        """project, or dept for a 部门整体支出绩效自评表."""
        return self.project.kind


@dataclass
class WorkbookResult:
    file: FileEntry
    unit_info: UnitInfo | None = None
    unit: str = ""
    district: str = ""
    year: int | None = None
    projects: list[ScoredProject] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    counted: bool = True  # False when a duplicate submission outranks this one
    # 部门整体支出绩效自评表 (kind "dept"): scored by the same rules, kept apart so they
    # never count as projects.
    dept: list[ScoredProject] = field(default_factory=list)


def _failed(entry: FileEntry, code: str, reason: str) -> WorkbookResult:
    entry.status, entry.reason = FAILED, reason
    return WorkbookResult(entry, findings=[make(code, reason, file=entry.path)])


def _template_only(name: str, visible: bool) -> bool:
    """Our template's own 填报说明, 自查 and hidden 选项 sheets: nothing a clerk fills in
    (known by name, so a file never pays for reading them)."""
    folded = form.norm_label(name)
    return folded in (form.INSTRUCTIONS_SHEET, form.SELF_CHECK_SHEET) or (folded == form.LISTS_SHEET and not visible)


OURS_REASON = "本工具生成的汇总工作簿或复核底稿（另存过），不是自评表，未读取"
# Our own outputs by their sheets, for a copy that lost the marker inputs.is_summary looks
# for: a summary or 复核底稿 saved as .xls (LibreOffice, WPS) into the input folder.
_OUR_SHEETS = ({"项目明细", "问题清单", "运行信息"}, {"复核底稿", "抽样说明"})


def _ours(sheets: list[Sheet]) -> bool:
    names = {s.name for s in sheets}
    return any(ours <= names for ours in _OUR_SHEETS)


def _is_instructions(sheet: Sheet) -> bool:
    if form.norm_label(sheet.name) == form.INSTRUCTIONS_SHEET:
        return True
    first = next(iter(sheet.nonempty()), None)
    return bool(first and isinstance(first[2], str) and form.INSTRUCTIONS_SHEET in first[2][:30])


def process_bytes(data: bytes, path: str, rules: Rules, limits: Limits = LIMITS) -> WorkbookResult:
    """Reads, scores and checks one workbook held in memory; `path` is how we name it."""
    entry = FileEntry(path, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    if not data:
        return _failed(entry, "F101", "文件为空（0 字节）")
    z = open_zip(data)   # opened once for the format and the container checks
    kind = sniff(data, z)
    entry.format = kind
    if kind == "encrypted":
        return _failed(entry, "F102", "文件设有打开密码，无法读取")
    if kind not in ("xlsx", "xlsb", "xls", "ods"):
        return _failed(entry, "F101", "文件不是电子表格，或已损坏")
    findings: list[Finding] = []
    if kind in ("xlsx", "xlsb", "ods"):
        for problem in inspect_zip(data, limits, z):
            if problem.fatal:
                return _failed(entry, problem.code, problem.message)
            findings.append(make(problem.code, problem.message, file=path))
    expected = _EXPECTED_FORMAT.get(PurePath(path).suffix.lower())
    if expected and expected != kind:
        findings.append(make("F105", f"扩展名为 {PurePath(path).suffix}，内容实为 {kind} 格式",
                             file=path, value=kind))
    try:
        sheets = load_sheets(data, skip=_template_only)
    except WorkbookError as e:
        return _failed(entry, e.code, str(e))
    entry.sheets = len(sheets)
    if _ours(sheets):
        entry.status, entry.reason = SKIPPED, OURS_REASON
        return WorkbookResult(entry)
    errors_for = ErrorCells(data, z) if kind == "xlsx" else None
    return _assemble(entry, sheets, findings, rules, errors_for)


def _read_sheets(path: str, sheets: list[Sheet], findings: list[Finding], rules: Rules,
                 errors_for: ErrorCells | None = None, cycle: Cycle | None = None) -> tuple[UnitInfo | None, list[Project]]:
    """The unit's 单位信息 and its forms (projects and 部门整体), whatever the sheets are called.
    `errors_for(sheet name)`: the sheet's error cells (#NAME?…), which calamine reads as
    empty; asked only for a form with an empty required cell."""
    info: UnitInfo | None = None
    raws = []
    cycle = cycle or Cycle(path)
    for sheet in sheets:
        if _is_instructions(sheet):
            continue
        labels = Labels(sheet)
        kind = classify(labels)
        if kind in ("project", "dept"):
            raw = read_project(labels, kind)
            if cycle.take(labels, kind, raw):
                continue  # a 申报表, 监控表 or another sheet of an export: not a project
            if raw.is_blank():
                continue  # a spare template sheet the clerk did not need
            if errors_for is not None and blank_cells(raw):
                restore(raw, errors_for(sheet.name))
            raws.append(raw)
        elif kind == "unit" and info is None:
            info, fs = interpret_unit(read_unit(labels), path)
            findings.extend(fs)
        else:
            cycle.skip(labels)
    findings.extend(cycle.findings())
    # A sheet that names no year (9月前 needs one) takes the file's.
    titled = Counter(r.title_year for r in raws if r.title_year)
    year = (info.year if info else None) or (titled.most_common(1)[0][0] if titled else None)
    projects: list[Project] = []
    for raw in raws:
        p, fs = interpret_project(raw, path, rules.saving_words, year)
        projects.append(p)
        findings.extend(fs)
    return info, projects


def _assemble(entry: FileEntry, sheets: list[Sheet], findings: list[Finding], rules: Rules,
              errors_for: ErrorCells | None = None) -> WorkbookResult:
    path = entry.path
    cycle = Cycle(path)
    info, forms = _read_sheets(path, sheets, findings, rules, errors_for, cycle)
    cycle.apply([p for p in forms if p.kind == "project"], findings)
    entry.kinds = cycle.summary(info is not None)
    result = WorkbookResult(entry, unit_info=info)
    for p in forms:
        p.template_form = info is not None   # our template: 总分 and 执行率得分 are formulas
    projects = [p for p in forms if p.kind == "project"]
    depts = [p for p in forms if p.kind == "dept"]
    if not forms:
        entry.status, entry.reason = FAILED, "未找到项目支出绩效自评表"
        findings.append(make("F103", "文件中没有可识别的项目支出绩效自评表", file=path))

    named = Counter(p.unit for p in forms if p.unit)
    result.unit = (info.unit if info and info.unit else "") or (named.most_common(1)[0][0] if named else "")
    result.district = info.district if info else ""
    years = Counter(p.year for p in forms if p.year)
    result.year = (info.year if info and info.year else None) or (years.most_common(1)[0][0] if years else None)
    if not result.unit:
        where = info.cells.get("unit", "") if info else ""
        findings.append(make("U101", "文件中没有填写单位名称", file=path,
                             sheet=info.sheet if info else "", cell=where))
    for p in forms:
        if p.unit and result.unit and p.unit != result.unit:
            findings.append(make("U102", f"实施单位填写为“{p.unit}”，本文件单位为“{result.unit}”",
                                 file=path, sheet=p.sheet, cell=p.cells.get("unit", ""),
                                 project=p.name, value=p.unit))
        if not p.unit:
            p.unit = result.unit
        score = score_project(p, rules)
        findings.extend(check_project(p, score, rules))
        (result.dept if p.kind == "dept" else result.projects).append(ScoredProject(p, score))
    for d in depts:
        findings.extend(check_dept_projects(d, projects, rules))
    findings.extend(check_unit([(sp.project, sp.score) for sp in result.projects], rules))
    seen: dict[str, str] = {}
    for p in projects:
        if p.name and p.name in seen:
            findings.append(make("P113", f"项目“{p.name}”在工作表“{seen[p.name]}”中已填报", file=path,
                                 sheet=p.sheet, cell=p.cells.get("name", ""), project=p.name, value=p.name))
        seen.setdefault(p.name, p.sheet)
    entry.projects = len(projects)
    # Every finding of a file belongs to the file's unit, whatever a sheet called it.
    # A district's rules file may switch checks off ([关闭的审核]).
    result.findings = [f if f.unit == result.unit else replace(f, unit=result.unit) for f in findings
                       if f.code not in rules.disabled]
    return result


def digest(fh: BinaryIO) -> tuple[int, str]:
    """Size and SHA-256 of an open file, read in chunks (the file may be huge)."""
    h, size = hashlib.sha256(), 0
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
    return size, h.hexdigest()


def process_file(path: str | os.PathLike[str], display: str, rules: Rules, limits: Limits = LIMITS) -> WorkbookResult:
    """Reads a file from disk (opened read-only, never written) and processes it."""
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > limits.file_bytes:
                size, sha = digest(fh)
                entry = FileEntry(display, size=size, sha256=sha)
                return _failed(entry, "F107", f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 "
                                              f"{limits.file_bytes // 1024 // 1024} MB")
            data = fh.read()
    except OSError as e:
        return _failed(FileEntry(display), "F101", f"无法打开文件：{e.strerror or e}")
    try:
        return process_bytes(data, display, rules, limits)
    except MemoryError:
        entry = FileEntry(display, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        return _failed(entry, "F113", "读取时内存超限")
    except Exception as e:
        entry = FileEntry(display, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        return _failed(entry, "F106", f"读取时发生意外错误（{type(e).__name__}）")
