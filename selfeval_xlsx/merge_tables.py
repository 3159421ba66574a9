"""The merged results as tables (merging.py reads and stores them): the district summary's
sheets from the same schema, plus the 区县 level — 区县汇总 (each district's totals and
its place) and 区县问题 (findings by code in each district).

Written by summary_xlsx.write_tables and json_out.write_tables_json, the writers of a
district's summary; read as DataFrames by api.Results.to_pandas.
"""
from __future__ import annotations

import functools
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import schema
from .figures import FILE_REASONS, LeftOutFile, files_note, note, total_of
from .findings import CATALOGUE, Severity
from .rows import Link, amt, finding_source, pct
from .schema import AMOUNT, INT, RATE, SCORE, Column, TableSchema
from .spool import Spool
from .tables import LEFT_OUT, Table, _attention

if TYPE_CHECKING:
    from .merging import Input

DISTRICTS: TableSchema[Any] = TableSchema("districts", "区县汇总", (
    Column("district", "区县", width=14), Column("year", "评价年度", INT, 9),
    Column("inputs", "汇总文件数", INT, 9), Column("units", "单位数", INT, 8), Column("projects", "项目数", INT, 8),
    Column("budget", "全年预算数（万元）", AMOUNT, 14), Column("executed", "全年执行数（万元）", AMOUNT, 14),
    Column("rate", "执行率", RATE, 10), Column("mean_score", "平均得分", SCORE, 10),
    Column("weighted_score", "预算加权平均得分", SCORE, 12), Column("grade", "等级", width=7),
    Column("place", "排名", INT, 7),
    Column("errors", "错误", INT, 7), Column("warnings", "警告", INT, 7), Column("infos", "提示", INT, 7),
    Column("note", "说明", width=40), Column("files", "汇总文件", width=36),
), type_name="DistrictRow")

DISTRICT_CODES: TableSchema[Any] = TableSchema("district_codes", "区县问题", (
    Column("district", "区县", width=14), Column("code", "代码", width=7), Column("title", "问题", width=30),
    Column("severity", "级别", width=6), Column("count", "数量", INT, 8),
), type_name="DistrictCodeRow")

FINDING_ORDER = "ORDER BY rank, district, unit, file, sheet, code, cell, src_key, seq"
_SEVERITY = {s.rank: s.value for s in Severity}
_SEVERITIES = {s.rank: s for s in Severity}


def _left_out_file(row: schema.UnitRow) -> LeftOutFile:
    """A 汇总 row of a file left out (tables.unit_rows: "本文件重复报送，未计入汇总和排名")."""
    reason = next((r for r in FILE_REASONS if f"本文件{r}" in (row.note or "")), FILE_REASONS[0])
    return LeftOutFile(row.files or "", row.unit or "", row.year, row.projects or 0, reason)


def _notes(inputs: list[Input]) -> str:
    """What stays out of the figures, as tables.run_facts says it for one district:
    projects grouped by unit in the order they come, then files."""
    by_unit: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for i in inputs:
        for unit, project, reason in i.left_out:
            by_unit[(i.district, unit)].append((project, reason))
    projects = note([(unit, p, r) for (_, unit), items in by_unit.items() for p, r in items])
    files = files_note([_left_out_file(u) for i in inputs for u in i.units if u.grade == LEFT_OUT])
    return "；".join(t for t in (projects, files) if t)


class MergedTables:
    """The tables of merging.Merged (its reading and checking are in merging.py)."""
    inputs: list[Input]
    spool: Spool
    db: sqlite3.Connection
    given_name: str | None
    allow_mixed_rules: bool
    allow_mixed_years: bool
    started: str
    finished: str
    version: str

    # --- what the merge covers -------------------------------------------------------------

    @property
    def name(self) -> str:
        """What the merge covers: as given, else the one district, else how many."""
        districts = sorted({i.district for i in self.inputs})
        return self.given_name or (districts[0] if len(districts) == 1 else f"{len(districts)}个区县")

    @property
    def year(self) -> int | None:
        years = Counter(i.year for i in self.inputs if i.year)
        if not years:
            return None
        return int(min(years, key=lambda y: (-years[y], y)))   # the most common; ties: the earliest

    def grade(self, score: Decimal | None) -> str | None:
        """The grade of a total by the first input's 等级线 (all inputs share it unless
        --allow-mixed-rules): "优≥90，良≥80，中≥60，其余为差"."""
        if score is None:
            return None
        lines = str(self.inputs[0].facts.get("等级线") or "") if self.inputs else ""
        for name, lowest in re.findall(r"([^，≥]+)≥([0-9.]+)", lines):
            if score >= Decimal(lowest):
                return str(name)
        return "差"

    # --- findings ----------------------------------------------------------------------------

    def finding_rows(self) -> Iterator[schema.FindingRow]:
        record = schema.FINDINGS.record
        for rank, code, title, unit, project, file, sheet, cell, message, value in self.db.execute(
                f"SELECT rank, code, title, unit, project, file, sheet, cell, message, value FROM findings "
                f"{FINDING_ORDER}"):
            yield record(severity=_SEVERITY[rank], code=code, title=title or None, unit=unit or None,
                         project=project or None, file=file or None, sheet=sheet or None, cell=cell or None,
                         message=message or None, value=value or None)

    def finding_xml(self, out_dir: Path | None) -> Iterator[tuple[bytes, Link | None]]:
        """问题清单 rows rendered, each with its link, the target already resolved from the
        output's folder to the file in its district's folder (so write_tables gets
        links=str); no link when that folder is not known."""
        from .rows import finding_link, plain_link
        from .summary_xlsx import link_target
        folders = {i.src: i.folder for i in self.inputs}

        @functools.cache
        def target(src: int, file: str) -> str | None:
            folder = folders[src]
            return None if folder is None or out_dir is None else link_target(folder, out_dir, file)

        for xml, file, sheet, cell, src in self.db.execute(
                f"SELECT xml, file, sheet, cell, src FROM findings {FINDING_ORDER}"):
            link = finding_link(file, sheet, cell)
            if link is None:
                yield xml, None
            elif (to := target(src, file)) is None:
                yield plain_link(xml, link[0]), None
            else:
                yield xml, (link[0], to, sheet, cell)

    def counts(self) -> dict[str, dict[Severity, int]]:
        """Findings by severity in each district, and over all ("")."""
        out: dict[str, dict[Severity, int]] = defaultdict(lambda: dict.fromkeys(Severity, 0))
        for district, rank, n in self.db.execute("SELECT district, rank, COUNT(*) FROM findings "
                                                 "GROUP BY district, rank"):
            out[district][_SEVERITIES[rank]] += n
            out[""][_SEVERITIES[rank]] += n
        return out

    def code_counts(self) -> list[tuple[str, int]]:
        return list(self.db.execute("SELECT code, COUNT(*) AS n FROM findings GROUP BY code ORDER BY n DESC, code"))

    # --- rows ----------------------------------------------------------------------------------

    def unit_rows(self) -> tuple[list[schema.UnitRow], schema.UnitRow]:
        """汇总 as tables.unit_rows orders a district's: units that sent nothing, the
        units (those needing attention first), the files left out; and the 合计 row."""
        rows = [u for i in self.inputs for u in i.units]
        missing = [u for u in rows if u.grade == "缺报"]
        left_out = [u for u in rows if u.grade == LEFT_OUT]
        reported = sorted((u for u in rows if u.grade not in ("缺报", LEFT_OUT)),
                          key=lambda u: (*_attention(u), u.district or ""))
        t = total_of(i.totals for i in self.inputs).rollup()
        counts = self.counts()[""]
        total = schema.UNITS.record(
            unit="合计", district="", year=self.year, projects=t.projects, budget=amt(t.budget),
            executed=amt(t.executed), rate=pct(t.rate), mean_score=amt(t.mean_score),
            weighted_score=amt(t.weighted_score), grade=self.grade(t.weighted_score),
            errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
            note=_notes(self.inputs) or None, files=f"{sum(i.sources for i in self.inputs)} 个文件")
        return missing + reported + left_out, total

    def district_rows(self) -> list[Any]:
        """区县汇总: one row per district (its inputs together), best score first; a
        district with nothing scored after, unranked. Equal scores (as shown) share a place."""
        groups: dict[str, list[Input]] = defaultdict(list)
        for i in self.inputs:
            groups[i.district].append(i)
        rows = []
        by_district = self.counts()
        for district, inputs in groups.items():
            t = total_of(i.totals for i in inputs).rollup()
            counts = by_district[district]
            years = sorted({i.year for i in inputs if i.year})
            units = sum(1 for i in inputs for u in i.units if u.grade not in ("缺报", LEFT_OUT))
            rows.append(DISTRICTS.record(
                district=district, year=int(years[0]) if len(years) == 1 else None, inputs=len(inputs),
                units=units, projects=t.projects, budget=amt(t.budget), executed=amt(t.executed), rate=pct(t.rate),
                mean_score=amt(t.mean_score), weighted_score=amt(t.weighted_score),
                grade=self.grade(t.weighted_score), errors=counts[Severity.ERROR],
                warnings=counts[Severity.WARNING], infos=counts[Severity.INFO],
                note="；".join(x for x in (("评价年度：" + "、".join(years)) if len(years) > 1 else "",
                                          _notes(inputs)) if x) or None,
                files="、".join(i.path.name for i in inputs)))
        rows.sort(key=lambda r: (r.weighted_score is None, -(r.weighted_score or 0), r.district))
        placed: list[Any] = []
        for n, r in enumerate(rows, start=1):
            if r.weighted_score is None:
                placed.append(r)
                continue
            same = placed and placed[-1].weighted_score == r.weighted_score
            placed.append(r._replace(place=placed[-1].place if same else n))
        return placed

    def district_total(self) -> Any:
        """区县汇总's 合计 row: the 汇总's, over the districts."""
        t = self.unit_rows()[1]
        return DISTRICTS.record(
            district="合计", year=t.year, inputs=len(self.inputs), units=sum(r.units for r in self.district_rows()),
            projects=t.projects, budget=t.budget, executed=t.executed, rate=t.rate, mean_score=t.mean_score,
            weighted_score=t.weighted_score, grade=t.grade, errors=t.errors, warnings=t.warnings, infos=t.infos,
            note=t.note, files=f"{len(self.inputs)} 份汇总")

    def district_code_rows(self) -> list[Any]:
        """区县问题: how often each code was found in each district, most frequent first."""
        return [DISTRICT_CODES.record(district=d, code=code, severity=_SEVERITY[rank], count=n,
                                      title=title or (CATALOGUE[code].title if code in CATALOGUE else None))
                for d, code, title, rank, n in self.db.execute(
                    "SELECT district, code, MAX(title), rank, COUNT(*) AS n FROM findings "
                    "GROUP BY district, code, rank ORDER BY district, n DESC, code, rank")]

    def department_rows(self) -> list[schema.DepartmentRow]:
        return [d for i in self.inputs for d in i.departments]

    def file_rows(self) -> list[schema.FileRow]:
        """运行信息's list: the inputs themselves, each with its district, year and rules."""
        out = []
        for i in self.inputs:
            where = (f"源文件目录：{i.folder}" if i.folder is not None
                     else "源文件目录未知或不在本机，问题清单不设链接")
            exact = "" if i.exact else "；缺少未舍入的合计（旧版本生成），合计按舍入后的项目数字计算"
            rules = "；".join(f"{k}：{v}" for k, v in i.rules().items() if v)
            out.append(schema.FILES.record(
                file=str(i.path), status="已合并", reason=f"{i.district} {i.year}年度，{i.sources} 个文件；{where}{exact}",
                format=i.kind, size=i.size, projects=i.totals.projects, sha256=i.sha256, kinds=rules))
        return out

    def facts(self) -> list[tuple[str, object]]:
        first = self.inputs[0].facts if self.inputs else {}
        facts: list[tuple[str, object]] = [
            ("程序", f"selfeval-xlsx {self.version}"), ("开始时间", self.started), ("结束时间", self.finished),
            ("合并范围", self.name), ("合并输入数", len(self.inputs)),
            ("区县", "、".join(sorted({i.district for i in self.inputs}))), ("评价年度", self.year)]
        facts += [(k, v) for k, v in first.items() if k in self.inputs[0].rules()]
        if len({tuple(i.rules().items()) for i in self.inputs}) > 1:
            facts.append(("评分规则不一致", ("已按 --allow-mixed-rules 合并；合计和区县的等级按第一份输入的等级线，"
                                      "各输入的规则见下表“工作表类型”一栏")))
        years = Counter(i.year for i in self.inputs)
        if len(years) > 1:
            facts.append(("评价年度不一致", "已按 --allow-mixed-years 合并：" + "、".join(
                f"{y or '未知'}年度 {n} 份" for y, n in sorted(years.items()))))
        facts += [("合并规则", ("各区县的项目、指标和问题按原样合并，不重新读取自评表；合计按各区县未舍入的合计相加。"
                              "需要整批数据的审核只在每份输入内部进行：B105（指标照抄）只比较同一份输入中的单位，"
                              "B101（重复报送）只看同一份输入中的文件，B104（自评偏高）按单位和各份输入判断，"
                              "不对合并范围整体判断"))]
        if text := _notes(self.inputs):
            facts.append(("未计入", text))
        return facts

    # --- tables, writers, DataFrames ----------------------------------------------------------

    def build_tables(self, out_dir: Path | None = None) -> list[Table]:
        """Every table in sheet order, 运行信息 last; `out_dir`: where the workbook goes
        (its 问题清单 links start there)."""
        units, total = self.unit_rows()
        districts = self.district_rows()
        codes = self.district_code_rows()
        departments = self.department_rows()
        findings = Table(schema.FINDINGS, self.finding_rows(), self.counts_total(),
                         source=finding_source, xml=self.finding_xml(out_dir))
        files = self.file_rows()
        return [Table(DISTRICTS, districts, len(districts), self.district_total()),
                Table(DISTRICT_CODES, codes, len(codes)),
                Table(schema.UNITS, units, len(units), total),
                *([Table(schema.DEPARTMENTS, departments, len(departments))] if departments else []),
                Table(schema.PROJECTS, self.spool.projects(), self.spool.count("projects"),
                      xml=self.spool.xml("projects", None)),
                Table(schema.INDICATORS, self.spool.indicators(), self.spool.count("indicators"),
                      xml=self.spool.xml("indicators", None)),
                findings, Table(schema.FILES, files, len(files))]

    def counts_total(self) -> int:
        return sum(self.counts()[""].values())

    def write_summary(self, path: str | Path, max_rows: int | None = None) -> Path:
        from .printing import Title
        from .summary_xlsx import SUMMARY, Options, _charts, write_tables
        path = Path(path)
        title = Title(self.name, self.year)
        known = [(c, n) for c, n in self.code_counts() if c in CATALOGUE]

        def charts(wb: Any, fmts: Any, table: Table) -> None:
            if table.name == SUMMARY:
                _charts(wb, fmts, table, known, title)

        rate = str(self.inputs[0].facts.get("执行率下限") or "90%") if self.inputs else "90%"
        low = float(rate.rstrip("%")) / 100 if rate.endswith("%") else float(rate)
        opts = Options(title, low, max_rows)
        return write_tables(path, self.build_tables(path.parent.resolve()), facts=self.facts(), links=str,
                            after=charts, options=opts)

    def write_json(self, path: str | Path) -> Path:
        from .json_out import write_tables_json
        return write_tables_json(path, self.build_tables(None), self.facts())

    def tables(self) -> dict[str, tuple[TableSchema[Any], list[Any]]]:
        """Each table's schema and rows, by its English key (as api.Results.tables)."""
        units, _ = self.unit_rows()
        return {"districts": (DISTRICTS, self.district_rows()), "district_codes": (DISTRICT_CODES,
                                                                                  self.district_code_rows()),
                "units": (schema.UNITS, units), "departments": (schema.DEPARTMENTS, self.department_rows()),
                "projects": (schema.PROJECTS, list(self.spool.projects())),
                "indicators": (schema.INDICATORS, list(self.spool.indicators())),
                "findings": (schema.FINDINGS, list(self.finding_rows())), "files": (schema.FILES, self.file_rows())}

    def to_pandas(self, names: bool = False) -> dict[str, Any]:
        """As api.Results.to_pandas, with "districts" and "district_codes" too."""
        from .api import Results
        return Results.to_pandas(self, names)   # type: ignore[arg-type]  # it reads only .tables()

    @property
    def units(self) -> list[schema.UnitRow]:
        return self.unit_rows()[0]

    @property
    def total(self) -> schema.UnitRow:
        return self.unit_rows()[1]

    @property
    def districts(self) -> list[Any]:
        return self.district_rows()

    @property
    def projects(self) -> list[schema.ProjectRow]:
        return list(self.spool.projects())

    @property
    def indicators(self) -> list[schema.IndicatorRow]:
        return list(self.spool.indicators())

    @property
    def findings(self) -> list[schema.FindingRow]:
        return list(self.finding_rows())

    @property
    def departments(self) -> list[schema.DepartmentRow]:
        return self.department_rows()

    @property
    def file_list(self) -> list[schema.FileRow]:
        return self.file_rows()
