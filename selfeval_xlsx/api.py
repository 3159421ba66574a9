"""The library: `evaluate()` a district's workbooks, get the results as data.

    import selfeval_xlsx as se
    results = se.evaluate("长安区/")                  # a folder, paths, or (name, bytes) pairs
    frames = results.to_pandas()                      # the summary's sheets as DataFrames
    se.write_summary(results, "汇总.xlsx")

Every figure is the one the summary workbook shows: the same schema (schema.py), the
same rounding, the same rows.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from . import batch, schema
from .batch import BatchResult, Progress
from .container import LIMITS, Limits
from .context import Context
from .errors import BatchError
from .rules import DEFAULT_PRESET, Rules, resolve_rules
from .textgate import file_part

Source = str | os.PathLike[str] | tuple[str, bytes]



class Results(BatchResult):
    """A run's results. The tables are read from the run's spool on each access; use
    the results as a context manager (or call close()) to remove the spool early.

    - units: 汇总's rows (schema.UnitRow), without the 合计 row (`total`);
    - projects, indicators: 项目明细 and 指标明细 (schema.ProjectRow, IndicatorRow);
    - findings: 问题清单 (schema.FindingRow); all_findings() gives Finding objects;
    - files: each file read (rows.FileRows: entry, unit, counts, totals…);
      file_list: 运行信息's list of every file read or skipped (schema.FileRow).
    """

    @property
    def units(self) -> list[schema.UnitRow]:
        from .tables import unit_rows
        return unit_rows(self)

    @property
    def total(self) -> tuple[Any, ...] | None:
        from .tables import summary_table
        return summary_table(self).total_row

    @property
    def departments(self) -> list[schema.DepartmentRow]:
        """部门整体支出绩效自评表, one row each (schema.DepartmentRow)."""
        from .tables import department_table
        return list(department_table(self).rows)

    @property
    def projects(self) -> list[schema.ProjectRow]:
        from .tables import project_table
        return list(project_table(self).rows)

    @property
    def indicators(self) -> list[schema.IndicatorRow]:
        from .tables import indicator_table
        return list(indicator_table(self).rows)

    @property
    def findings(self) -> list[schema.FindingRow]:
        from .tables import finding_table
        return list(finding_table(self).rows)

    @property
    def file_list(self) -> list[schema.FileRow]:
        from .tables import file_rows
        return file_rows(self)

    def tables(self) -> dict[str, tuple[schema.TableSchema[Any], list[Any]]]:
        """Each table's schema and rows, by its English key."""
        out: dict[str, tuple[schema.TableSchema[Any], list[Any]]] = {
                "units": (schema.UNITS, self.units), "departments": (schema.DEPARTMENTS, self.departments),
                "projects": (schema.PROJECTS, self.projects),
                "indicators": (schema.INDICATORS, self.indicators),
                "findings": (schema.FINDINGS, self.findings), "files": (schema.FILES, self.file_list)}
        if self.review is not None:   # `review=`: 复核 and 复核汇总 (its 合计 row last)
            units, total = self.review.unit_rows()
            out["review"] = (schema.REVIEW, list(self.review.rows))
            out["review_units"] = (schema.REVIEW_UNITS, [*units, total])
        return out

    def to_pandas(self, names: bool = False) -> dict[str, Any]:   # Any: pandas.DataFrame, an optional import
        """{"units", "departments", "projects", "indicators", "findings", "files"} → pandas DataFrame
        with the summary sheets' columns (Chinese headers; `names=True`: the schema's
        English names). Amounts, scores and rates are floats as the workbook stores
        them; an empty cell is None (NaN in number columns). Needs pandas
        (pip install "selfeval-xlsx[pandas]")."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError('to_pandas() needs pandas: pip install "selfeval-xlsx[pandas]"') from None
        from .tables import jsonable
        out = {}
        for key, (table, rows) in self.tables().items():
            columns = table.names if names else table.headers
            out[key] = pd.DataFrame.from_records([[jsonable(v) for v in r] for r in rows], columns=columns)
        return out


def _rules(rules: Rules | str | os.PathLike[str] | None, preset: str | None) -> Rules:
    if isinstance(rules, Rules):
        return rules
    return resolve_rules(preset or DEFAULT_PRESET, None if rules is None else Path(rules))


def _inputs(sources: Iterable[Source], scratch: Path) -> tuple[Path, list[tuple[Path, str]]]:
    """(root, [(path, display name)]) of a list of paths and (name, bytes) pairs;
    pairs are written under `scratch` (workers read files, not memory)."""
    items = list(sources)
    paths = [Path(s) for s in items if not isinstance(s, tuple)]
    for p in paths:
        if not p.is_file():
            raise BatchError(f"找不到文件：{p}")
    root = Path(os.path.commonpath([p.resolve().parent for p in paths])) if paths else scratch
    out: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for s in items:
        if isinstance(s, tuple):
            name, data = s
            shown = str(name)
            # The file on disk gets a safe name; findings name it as the caller did.
            path = scratch / f"{len(out):05d}_{file_part(Path(shown).name, fallback='workbook')}"
            path.write_bytes(data)
        else:
            path = Path(s)
            resolved = path.resolve()
            shown = resolved.relative_to(root).as_posix() if root != scratch else resolved.name
        if shown in seen:
            raise BatchError(f"文件名重复：{shown}")
        seen.add(shown)
        out.append((path, shown))
    # In name order, as a folder is read: results never depend on the order given.
    return root, sorted(out, key=_shown)


def _shown(task: tuple[Path, str]) -> str:
    _, shown = task
    return shown


def evaluate(sources: str | os.PathLike[str] | Iterable[Source], *, rules: Rules | str | os.PathLike[str] | None = None,
             preset: str | None = None, jobs: int | None = None, isolate: bool = True,
             year: int | None = None, roster: list[str] | None = None, limits: Limits = LIMITS,
             progress: Progress | None = None, debug: bool = False,
             targets: str | os.PathLike[str] | None = None,
             previous: str | os.PathLike[str] | None = None,
             review: str | os.PathLike[str] | None = None) -> Results:
    """Reads, scores and checks workbooks: what `selfeval run` does, as data.

    sources: a folder (every workbook in it, as `selfeval run` reads it), a list of
    workbook paths, or (name, bytes) pairs (mixed freely with paths).
    rules: a Rules object or a rules file (TOML); else `preset` ("seed", "national").
    jobs: reading processes (default one per core). isolate=False reads in this
    process: no worker processes, for notebooks and quick tests, but a file that
    crashes the reader (see pool.py) takes the caller down with it.
    year: the batch's year (default: most files' year). roster: unit names expected.
    progress(done, total) is called as files finish; debug lets the reader's own
    error output through.
    targets: the performance targets approved with the budget (a workbook or a folder
    of them) each project is compared with (approved_targets.py); BatchError if missing.
    previous: last year's summary workbook or JSON (written by `selfeval run`): each
    project gains 上年得分/上年执行率 and the repeats are flagged (previous.py).
    review: a filled 复核底稿 (`selfeval sample`) to read back: results.review, and the
    复核/复核汇总 tables (review.py); a file that cannot be used gives findings.
    """
    chosen = _rules(rules, preset)
    kw: dict[str, Any] = {"year": year, "roster": roster, "jobs": jobs or 0, "limits": limits, "progress": progress,
          "isolate": isolate, "result_type": Results, "debug": debug}
    # Reference data is read once, here, before any worker starts (context.py).
    approved = None
    if targets is not None:
        from .approved_targets import load
        approved = load(targets, chosen, limits)
    last_year = None
    if previous is not None:   # its year checked now if we know ours, else in run_batch
        from .previous import check_year, load_index
        last_year = load_index(previous, chosen)
        check_year(last_year, year)
    if approved is not None or last_year is not None:
        kw["context"] = Context(targets=approved, previous=last_year)
    if isinstance(sources, (str, os.PathLike)):
        return _reviewed(cast(Results, batch.run_batch(Path(sources), chosen, **kw)), review)
    with tempfile.TemporaryDirectory(prefix="selfeval-in-") as scratch:
        root, inputs = _inputs(sources, Path(scratch))
        result = batch.run_batch(root, chosen, inputs=(inputs, []), **kw)
    if root == Path(scratch):
        result.root = "（内存中的文件）"
    return _reviewed(cast(Results, result), review)


def _reviewed(result: Results, review: str | os.PathLike[str] | None) -> Results:
    """The results with a filled 复核底稿 read back, when one is given."""
    if review is not None:
        from .review import attach_review
        try:
            attach_review(result, Path(review))
        except BaseException:
            result.close()
            raise
    return result
