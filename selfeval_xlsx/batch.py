"""A district's folder of returned workbooks → one consolidated result."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Self

from . import __version__, figures
from .approved_targets import unmatched
from .checks import dept_projects_mismatch
from .container import LIMITS, Limits
from .context import NONE, Context
from .findings import Finding, Severity, make
from .inputs import list_inputs
from .keys import name_key, unit_key
from .numbers import fmt, fmt_pct
from .pool import read_contained, read_in_process
from .procs import warm_up
from .review_checks import check_across_units
from .roster import norm_unit
from .rows import FileRows
from .rules import Rules
from .scoring import Totals, total_of
from .spool import Spool
from .workbook import SKIPPED, WORKBOOK_SUFFIXES, FileEntry

if TYPE_CHECKING:   # review.py reads a BatchResult
    from .review import Review

# progress(done, total), called as files finish.
Progress = Callable[[int, int], object]


@dataclass
class BatchResult:
    """A whole run. Per-file totals stay in memory; the rows live in `spool`.

    Use it as a context manager (or call close()) to remove the spool.
    """
    root: str
    rules: Rules
    year: int | None
    district: str
    spool: Spool
    files: list[FileRows] = field(default_factory=list)
    skipped: list[FileEntry] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)  # on the roster, sent nothing
    roster: list[str] | None = None   # the roster checked against, if one was given
    # Files read but left out of every figure (figures.py, rule 1): file no → reason.
    left_out: dict[int, str] = field(default_factory=dict)
    started: str = ""
    finished: str = ""
    version: str = __version__
    context: Context = NONE   # the reference data the run compared with (context.py)
    review: Review | None = None   # a filled 复核底稿 read back (`--review`, review.py)

    @property
    def counted(self) -> list[FileRows]:
        """The files whose projects enter the figures (figures.py, rule 1)."""
        return [f for f in self.files if f.counted and f.no not in self.left_out and f.totals.projects]

    def all_findings(self) -> list[Finding]:
        return list(self.spool.findings())

    def severity_counts(self) -> dict[Severity, int]:
        """Findings by severity: each file's, plus those on no file (missing units, the district)."""
        counts = file_counts(self.files)
        for f in self.spool.findings_without_file():
            counts[f.severity] += 1
        return counts

    def close(self) -> None:
        self.spool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def file_counts(files: Iterable[FileRows]) -> dict[Severity, int]:
    """Findings by severity over some files."""
    return {s: sum(f.counts.get(s, 0) for f in files) for s in Severity}


def _add(result: BatchResult, file: FileRows | None, finding: Finding) -> None:
    if finding.code in result.rules.disabled:   # [关闭的审核] in the rules file
        return
    result.spool.add_findings([finding])
    if file is not None:
        file.counts[finding.severity] = file.counts.get(finding.severity, 0) + 1


def _batch_checks(result: BatchResult, count_other_years: bool = False) -> None:
    """Findings that need the whole batch: the batch's year, duplicate submissions.
    Files for another year are left out of the figures unless `count_other_years`."""
    for w in result.files:
        if result.year and w.year and w.year != result.year:
            info = w.unit_info
            if count_other_years:
                effect = "，仍按要求计入汇总"
            else:
                effect = "，本文件不计入汇总和排名"
                result.left_out[w.no] = figures.OTHER_YEAR
            _add(result, w, make("U103", f"本文件评价年度为 {w.year}，本批次为 {result.year}{effect}",
                                 file=w.entry.path, sheet=info.sheet if info else "",
                                 cell=info.cells.get("year", "") if info else "", unit=w.unit,
                                 value=w.year))
    groups: dict[tuple[str, int | None], list[FileRows]] = defaultdict(list)
    for w in result.files:
        if w.unit and w.totals.projects:
            groups[(norm_unit(w.unit), w.year)].append(w)
    for ws in groups.values():
        if len(ws) > 1:
            _superseded(result, ws)


def _superseded(result: BatchResult, ws: list[FileRows]) -> None:
    """One unit's files for one year. A file is a resend of another when they share a
    project: then the file whose path sorts last counts (a resend is usually named
    …（修改）, …_v2 or dated later) and the other is listed but not summed. Files with no
    project in common are parts of one return (a unit may send a workbook per project)
    and all count. A copy read by its content (X.xlsx.bak, X.xlsx(1)) never outranks a
    workbook named as one."""
    names = {w.no: {name_key(r.project or "") for r in result.spool.projects({w.no})} for w in ws}
    ranked = sorted(ws, key=lambda w: (Path(w.entry.path).suffix.lower() in WORKBOOK_SUFFIXES, w.entry.path),
                    reverse=True)
    kept: list[FileRows] = []

    def shared(a: FileRows, b: FileRows) -> bool:   # rows not known: as if they did
        return bool(names[a.no] & names[b.no]) or not (names[a.no] and names[b.no])

    for w in ranked:
        keep = next((k for k in kept if shared(k, w)), None)
        if keep is None:
            kept.append(w)
            continue
        w.counted = False
        result.left_out[w.no] = figures.DUPLICATE
        only_here = names[w.no] - set().union(*(names[k.no] for k in kept))
        lost = f"；本文件另有 {len(only_here)} 个项目不在“{keep.entry.path}”中，如仍需报送请并入后重报" if only_here else ""
        _add(result, w, make(
            "B101", f"{w.unit} {w.year or ''} 年度同时报送了“{w.entry.path}”和“{keep.entry.path}”（有相同的项目），"
                    f"按规则以文件名排序在后的“{keep.entry.path}”为准，本文件不计入汇总{lost}",
            file=w.entry.path, unit=w.unit, value=w.entry.path))


def _bunching(result: BatchResult) -> None:
    """自评偏高: most projects self-scored at the top while the money went unspent."""
    rules = result.rules
    by_unit: dict[str, Totals] = defaultdict(Totals)
    first: dict[str, FileRows] = {}
    for w in result.counted:
        by_unit[norm_unit(w.unit)] += w.totals
        first.setdefault(norm_unit(w.unit), w)
    groups: list[tuple[str, Totals, FileRows | None]] = [(first[key].unit, t, first[key]) for key, t in by_unit.items()]
    if len(by_unit) > 1:  # and the district as a whole
        groups.append(("", total_of(by_unit.values()), None))
    for unit, t, file in groups:
        if t.self_scored < 3:
            continue
        rate = t.rollup().rate
        if (t.self_high / t.self_scored >= rules.bunching_share and rate is not None
                and rate < rules.rate_threshold):
            who = unit or f"全{result.district}"
            _add(result, file, make(
                "B104", f"{who}共 {t.self_scored} 个项目，{t.self_high} 个自评 {fmt(rules.suspicious_score)} 分以上，"
                        f"而总执行率仅 {fmt_pct(rate)}", file=file.entry.path if file else "",
                unit=unit, value=fmt_pct(rate)))


def _copied_across_units(result: BatchResult) -> None:
    """B105: indicator rows one unit copied from another's (review_checks)."""
    counted = {w.no: w for w in result.counted}
    files = {w.entry.path: w for w in counted.values()}
    # A generator: check_across_units reads it once, into a database of its own.
    projects = ((counted[no].unit, counted[no].entry.path, sheet, project, cell, keys)
                for no, sheet, project, cell, keys in result.spool.row_keys(set(counted)))
    for f in check_across_units(projects, result.rules):
        _add(result, files[f.file], f)


def _targets_checks(result: BatchResult, context: Context) -> None:
    """--targets: its files that could not be read (T110), and the approved projects no
    self-evaluation matched (T109), on the unit's first file when the unit reported."""
    index = context.targets
    if index is None:
        return
    for f in index.problems:
        _add(result, None, f)
    first: dict[str, FileRows] = {}
    for w in result.counted:
        first.setdefault(unit_key(w.unit), w)
    rows = result.spool.projects({w.no for w in result.counted})
    for f in unmatched(index, ((r.unit or "", r.project or "", r.code or "") for r in rows),
                       {k: (w.unit, w.entry.path) for k, w in first.items()}):
        _add(result, first.get(unit_key(f.unit)) if f.file else None, f)


def _department_checks(result: BatchResult) -> None:
    """U105 for a unit whose 部门整体 form came in another file than its project forms
    (within one file the reader compares them already)."""
    by_unit: dict[str, list[FileRows]] = defaultdict(list)
    for w in result.files:
        if w.unit and w.counted and w.no not in result.left_out:
            by_unit[norm_unit(w.unit)].append(w)
    for ws in by_unit.values():
        depts = [w for w in ws if w.departments]
        others = [w for w in ws if w.totals.projects and not w.departments]
        if not depts or not others:
            continue
        budgets = [r.budget for r in result.spool.projects({w.no for w in ws if w.totals.projects})]
        listed = [b for b in budgets if b is not None]
        for w in depts:
            for d in w.departments:
                if d.project_spend is None:
                    continue
                found = dept_projects_mismatch(d.project_spend, sum(listed, Decimal(0)), len(listed),
                                               result.rules, file=w.entry.path, sheet=d.sheet or "", cell="",
                                               unit=w.unit)
                if found:
                    _add(result, w, found)


def _roster_checks(result: BatchResult, roster: list[str]) -> None:
    result.roster = list(roster)
    # A file holding only the unit's 部门整体 form is a report from that unit too. A unit whose
    # files were all left out (another year) did report: the figures say what was left out.
    reported = {norm_unit(w.unit): w for w in result.files if w.unit and (w.totals.projects or w.departments)}
    expected = {norm_unit(name): name for name in roster}
    for key, name in expected.items():
        if key not in reported:
            result.missing_units.append(name)
            _add(result, None, make("B102", f"名单中的“{name}”没有报送自评表", unit=name, value=name))
    for key, w in reported.items():
        if key not in expected:
            _add(result, w, make("B103", f"“{w.unit}”不在单位名单中", file=w.entry.path, unit=w.unit,
                                 value=w.unit))


def run_batch(root: str | Path, rules: Rules, year: int | None = None,
              roster: list[str] | None = None, jobs: int = 0, limits: Limits = LIMITS,
              progress: Progress | None = None, debug: bool = False,
              inputs: tuple[list[tuple[Path, str]], list[FileEntry]] | None = None,
              isolate: bool = True, result_type: type[BatchResult] | None = None,
              context: Context = NONE) -> BatchResult:
    """Reads every workbook under `root` and scores and checks them all.

    Each file is read in a contained worker process (`jobs` of them, default one
    per core), or with `isolate=False` in this process. Rows stream into a spool
    as files finish; `progress(done, total)` is called after each. `inputs`: the
    (path, display name) pairs to read and the files skipped, when not every
    workbook under `root` (see list_inputs). `context`: reference data every
    project is compared with (context.py).
    """
    root = Path(root)
    started = dt.datetime.now().astimezone()
    if isolate:
        warm_up()
    paths, listed = inputs if inputs is not None else list_inputs(root)
    skipped = list(listed)
    order = {display: no for no, (_, display) in enumerate(paths)}
    spool = Spool()
    files: list[FileRows] = []
    try:
        reading = (read_contained(paths, rules, spool.dir, jobs=jobs, limits=limits, debug=debug,
                                  reference=context, stats=False) if isolate
                   else read_in_process(paths, rules, spool.dir, limits=limits, context=context))
        done = 0
        for rows in reading:
            done += 1
            if progress:
                progress(done, len(paths))
            if rows.entry.status == SKIPPED:   # our own output, known only once read (workbook._ours)
                skipped.append(rows.entry)
                continue
            rows.no = order[rows.entry.path]
            spool.add(rows.no, rows)
            files.append(rows.head())
    except BaseException:
        spool.close()
        raise
    files.sort(key=lambda f: f.no)
    years = Counter(w.year for w in files if w.year)
    districts = Counter(w.district for w in files if w.district)
    result = (result_type or BatchResult)(
        root=str(root), rules=rules, spool=spool,
        year=year or (years.most_common(1)[0][0] if years else None),
        district=districts.most_common(1)[0][0] if districts else root.resolve().name,
        files=files, skipped=skipped, started=started.isoformat(timespec="seconds"), context=context)
    if context.previous is not None:   # needs the batch's year, known only now
        from .previous import check_year
        try:
            check_year(context.previous, result.year)
        except BaseException:
            spool.close()
            raise
    _batch_checks(result)
    _department_checks(result)
    _bunching(result)
    _copied_across_units(result)
    _targets_checks(result, context)
    if roster is not None:
        _roster_checks(result, roster)
    result.finished = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return result
