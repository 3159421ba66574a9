"""`selfeval merge`: district results → one city or province summary, without reading a
single form again.

Each input (merge_read.py) is one district's JSON or summary workbook. Its rows go to a
spool one input at a time — 项目明细 and 指标明细 as the reading workers store them
(rows.FileTables.store, spool.Spool), 问题清单 into a SQLite table that sorts them — so
memory holds one district's tables at most, and what stays is each input's few unit
rows and totals. The merged summary has the district summary's sheets (written by
summary_xlsx.write_tables from the same schema) plus the 区县 level (merge_tables.py).

What equals a run over all the forms at once, and what cannot:
- every row of 项目明细, 指标明细 and the units of 汇总 is the district's own, figure
  for figure; the 合计 and 区县 rows are summed from each district's totals before
  rounding (tables.merge_facts), so they too equal a run over all the forms;
- findings that need the whole batch are each input's own: B105 (indicator rows copied
  from another unit) compares only the units of one input, B101 (duplicates) only one
  input's files, and B104 (自评偏高) over "the whole district" is over one input — never
  over the merge as a whole. A district split into parts therefore loses a B105 between
  units in different parts (tests/test_merge.py), and a part may get a B104 of its own
  that the whole district would not; a unit's warning count includes them.
Inputs must not share a unit (the same district's summary given as JSON and workbook,
or overlapping parts): merge refuses them, as it refuses a repeat, an input that is not
ours, and inputs made under different rules or for different years unless told.
"""
from __future__ import annotations

import collections
import datetime as dt
import itertools
import os
import sqlite3
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

from . import __version__, schema
from .figures import Totals, left_out_because
from .findings import Severity
from .merge_read import MergeError, Summary, cell_text, read_summary
from .merge_tables import MergedTables
from .rows import FileTables, finding_xml
from .spool import Spool
from .tables import EXACT_FIELDS, EXACT_TOTALS, SOURCE_FOLDER
from .workbook import FileEntry

__all__ = ["MergeError", "Merged", "merge"]

CHUNK = 50_000   # rows of a table stored at a time: one district's, or a slice of a very big input
RANK = {s.value: s.rank for s in Severity}
# The facts that make two runs' figures comparable: same name, same rules file, same numbers.
RULE_FACTS = ("评分规则", "规则文件 SHA-256", "等级线", "分差容差", "执行率下限", "偏高总分", "偏高执行率",
              "偏高项目占比", "元万元阈值")
MERGED_MARK = "合并输入数"   # a fact only a merged summary has
_FINDING_COLUMNS = ("district", "rank", "unit", "file", "sheet", "code", "cell", "title", "project", "message",
                    "value", "src", "src_key", "seq", "xml")


@dataclass
class Input:
    """What stays in memory of one input once its rows are in the spool."""
    path: Path
    kind: str
    sha256: str
    size: int
    facts: dict[str, object]
    district: str
    year: str
    units: list[schema.UnitRow]
    total: schema.UnitRow | None
    departments: list[schema.DepartmentRow]
    sources: int                             # files its district read
    totals: Totals = field(default_factory=Totals)
    exact: bool = True                       # totals from tables.merge_facts, not from rounded rows
    left_out: list[tuple[str, str, str]] = field(default_factory=list)   # (unit, project, reason)
    folder: Path | None = None               # where its 问题清单 links start
    chunks: list[Any] = field(default_factory=list)   # rows.FileRows of its stored rows
    key: str = ""                            # its place among the inputs (sort order)
    src: int = 0                             # its place in the order it was read (findings' src)
    pending: list[tuple[Any, ...]] = field(default_factory=list)   # its findings, until stored

    def rules(self) -> dict[str, str]:
        return {k: cell_text(self.facts.get(k)) for k in self.facts if k in RULE_FACTS or k.startswith("权重·")}


def _exact_totals(s: Summary) -> Totals | None:
    """tables.merge_facts' totals, or None when the input is older than them."""
    text = s.fact(EXACT_TOTALS)
    parts = dict(p.split("=", 1) for p in text.split("；") if "=" in p)
    if set(parts) != set(EXACT_FIELDS):
        return None
    try:
        n = {k: int(parts[k]) for k in ("projects", "entered", "self_scored", "self_high")}
        d = {k: Decimal(parts[k]) for k in ("budget", "executed", "score_sum", "weighted_sum")}
    except (ValueError, ArithmeticError):   # edited by hand: sum the rows instead
        return None
    if not all(v.is_finite() for v in d.values()):
        return None
    return Totals(n["projects"], n["entered"], d["budget"], d["executed"], d["score_sum"], d["weighted_sum"],
                  n["self_scored"], n["self_high"])


def _folder(s: Summary) -> Path | None:
    """The folder the district was read from, if it is on this machine: its links start
    there. Unknown (an in-memory run, a relative path from another working folder, a
    folder that is not here) means no link rather than a wrong one."""
    for key in (SOURCE_FOLDER, "输入目录"):
        text = s.fact(key)
        if text and os.path.isabs(text) and os.path.isdir(text):
            return Path(text)
    return None


def load(path: Path, spool_dir: Path) -> Input:
    """Reads one input and stores its rows: 项目明细 and 指标明细 into a spool file of
    this process in `spool_dir` (as a reading worker does), its findings rendered for
    Merged.accept. What it returns is the input without its big tables."""
    s = read_summary(path)
    item = Input(s.path, s.kind, s.sha256, s.size, s.facts, s.district, s.year,
                 [u._replace(district=u.district or s.district) for u in s.units], s.total, s.departments,
                 sources=_count_files(s.total), folder=_folder(s), key=f"{s.path.name}\x00{s.sha256}")
    rounded = Totals()
    for p in s.projects:   # the counted files' projects (tables.project_table)
        rounded.add(p.budget, p.executed, p.total, p.self_total, name=p.project or "")
        if (reason := left_out_because(p.budget, p.executed, p.total)) is not None:
            item.left_out.append((p.unit or "", p.project or "", reason))
    exact = _exact_totals(s)
    item.totals, item.exact = (exact, True) if exact is not None else (rounded, False)
    with open(spool_dir / f"rows-{os.getpid()}.bin", "ab", buffering=0) as sink:
        for at in range(0, max(len(s.projects), len(s.indicators), 1), CHUNK):
            t = FileTables(FileEntry(str(s.path)), project_rows=s.projects[at:at + CHUNK],
                           indicator_rows=s.indicators[at:at + CHUNK])
            t.totals.projects = len(t.project_rows)
            if t.project_rows or t.indicator_rows:
                item.chunks.append(t.store(sink))
    item.pending = [(RANK.get(r.severity or "", 2), r.unit or "", r.file or "", r.sheet or "", r.code or "",
                     r.cell or "", r.title or "", r.project or "", r.message or "", r.value or "", finding_xml(r))
                    for r in s.findings]
    return item


class Merged(MergedTables):
    """The merged results: like api.Results (units, projects, indicators, findings,
    file_list, tables(), to_pandas()), plus `districts` and `district_codes`; write it
    with write_summary / write_json. Close it (or use `with`) to remove its spool."""

    def __init__(self, name: str | None, allow_mixed_rules: bool, allow_mixed_years: bool) -> None:
        self.inputs: list[Input] = []
        self.spool = Spool()
        self.db = sqlite3.connect(self.spool.dir / "merge.sqlite")
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE; "
                              f"CREATE TABLE findings ({', '.join(_FINDING_COLUMNS)});")
        self.given_name = name
        self.allow_mixed_rules, self.allow_mixed_years = allow_mixed_rules, allow_mixed_years
        self.started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        self.finished = ""
        self.version = __version__
        self._seq = 0

    # --- reading ------------------------------------------------------------------------

    def accept(self, item: Input) -> None:
        """One input, loaded (load()): checked against those before it, its findings stored."""
        self._check(item)
        item.src = len(self.inputs)
        batch = []
        for row in item.pending:
            self._seq += 1
            batch.append((item.district, *row[:-1], item.src, item.key, self._seq, row[-1]))
        self.db.executemany(f"INSERT INTO findings VALUES ({', '.join('?' * len(_FINDING_COLUMNS))})", batch)
        self.db.commit()
        item.pending = []
        self.inputs.append(item)

    def _check(self, s: Input) -> None:
        if MERGED_MARK in s.facts:
            raise MergeError(f"{s.path} 是 selfeval merge 的合并结果，不能再次合并；请合并各区县自己的汇总")
        mine_units = {(u.district, u.unit) for u in s.units if u.grade != "缺报"}
        for other in self.inputs:
            if other.sha256 == s.sha256:
                raise MergeError(f"{s.path} 与 {other.path} 内容相同（SHA-256 {s.sha256[:12]}…），同一份汇总只能合并一次")
            mine, theirs = s.rules(), other.rules()
            if mine != theirs and not self.allow_mixed_rules:
                key = next(k for k in sorted(set(mine) | set(theirs)) if mine.get(k) != theirs.get(k))
                raise MergeError(
                    f"{s.path} 与 {other.path} 的评分规则不同（{key}：{mine.get(key) or '无'} 与 "
                    f"{theirs.get(key) or '无'}），按不同规则算出的得分不能直接合并；"
                    f"请用同一规则重新运行各区县，或加 --allow-mixed-rules 仍然合并")
            if other.year != s.year and not self.allow_mixed_years:
                raise MergeError(f"{s.path} 的评价年度为 {s.year or '未知'}，{other.path} 为 {other.year or '未知'}；"
                                 f"不同年度的结果不能直接合并，确需合并请加 --allow-mixed-years")
            shared = sorted(mine_units & {(u.district, u.unit) for u in other.units if u.grade != "缺报"}, key=str)
            if shared:
                district, unit = shared[0]
                raise MergeError(f"{s.path} 与 {other.path} 都含有“{district}·{unit}”"
                                 f"{f'等 {len(shared)} 个单位' if len(shared) > 1 else ''}：同一单位只能出现在一份输入中"
                                 f"（同一次运行的 JSON 和工作簿只需给一份）")

    def finish(self) -> None:
        """Puts the inputs in their order (by district, then file name): results never
        depend on the order the inputs were given in."""
        self.inputs.sort(key=lambda i: (i.district, i.key))
        for no, item in enumerate(self.inputs):
            for k, chunk in enumerate(item.chunks):
                self.spool.add(no * 100_000 + k, chunk)
            item.chunks = []
        self.finished = dt.datetime.now().astimezone().isoformat(timespec="seconds")

    # --- the results ---------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()
        self.spool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _count_files(total: schema.UnitRow | None) -> int:
    """The files a district read: its 合计 row says "8 个文件"."""
    text = (total.files if total else "") or ""
    digits = text.split(" ", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _loaded(paths: list[Path], spool_dir: Path, jobs: int) -> Iterator[Input]:
    """Each input loaded (load()), in the order of `paths`: in `jobs` processes (as
    many as the inputs keep busy), at most two per process ahead of the one awaited,
    so finished inputs do not pile up in memory."""
    if jobs <= 1 or len(paths) < 3:
        for p in paths:
            yield load(p, spool_dir)
        return
    from .procs import context, main_hidden
    with main_hidden():
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context())
        try:
            ahead: collections.deque[Future[Input]] = collections.deque()
            todo = iter(paths)
            for p in itertools.islice(todo, 2 * jobs):
                ahead.append(pool.submit(load, p, spool_dir))
            while ahead:
                item = ahead.popleft().result()
                for p in itertools.islice(todo, 1):
                    ahead.append(pool.submit(load, p, spool_dir))
                yield item
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def merge(paths: Iterable[str | os.PathLike[str]], *, name: str | None = None, allow_mixed_rules: bool = False,
          allow_mixed_years: bool = False, jobs: int | None = None) -> Merged:
    """Merges district results (our JSON or summary workbooks) into one summary.

    name: what the merge covers (石家庄市), for the sheets' headers; default the one
    district's name or "N个区县". jobs: reading processes (default one per core).
    Raises MergeError for an input that is not ours, one given twice, units in two
    inputs, or inputs under other rules or for another year (unless
    allow_mixed_rules / allow_mixed_years)."""
    given = [Path(p) for p in paths]
    if not given:
        raise MergeError("没有给出要合并的汇总文件")
    seen: dict[str, Path] = {}
    for p in given:
        real = os.path.realpath(p)
        if real in seen:
            raise MergeError(f"{p} 给出了两次（与 {seen[real]} 是同一个文件），同一份汇总只能合并一次")
        seen[real] = p
    merged = Merged(name, allow_mixed_rules, allow_mixed_years)
    try:
        ordered = sorted(given, key=lambda p: (p.name, str(p)))
        for item in _loaded(ordered, merged.spool.dir, jobs or os.cpu_count() or 1):
            merged.accept(item)
        merged.finish()
    except BaseException:
        merged.close()
        raise
    return merged
