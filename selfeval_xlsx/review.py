"""Reads a filled 复核底稿 back (`selfeval run --review`): the reviewers' scores beside
the self-scores, per project and per unit.

The sheet is read by its header labels (review_xlsx), so added, hidden or moved
columns do not matter. Each row finds its project by the hidden 定位键 (file, sheet);
when the key is gone or names no project of this batch, by 单位名称 + 项目名称 if
that names exactly one project (R104 says so). A row matching nothing, a second row
for a project (the first in the sheet counts), an unreadable file, a 复核得分 that is
not a number from 0 to 100 are findings; the run goes on.

差异 = 自评得分 − 复核得分. Per unit: projects sampled (rows matched), reviewed (a valid
复核得分), compared (reviewed and self-scored), above (差异 > rules.review_tolerance)
and the share above among those compared.
"""
from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import python_calamine as pc

from . import schema
from .batch import BatchResult
from .container import LIMITS
from .findings import Finding, codes, make
from .grid import a1
from .keys import name_key, unit_key
from .numbers import plain
from .review_xlsx import KEY_HEADER, OPINION_HEADER, PROJECT_HEADER, SCORE_HEADER, SHEET, UNIT_HEADER
from .rows import amt, pct
from .tables import project_table

REVIEW_SHEET = "复核底稿"   # where findings on the review file point


@dataclass
class Review:
    """A review read back: its rows (schema.ReviewRow, by unit, file, sheet) and findings."""
    path: str
    rows: list[schema.ReviewRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tolerance: Decimal = Decimal(5)

    def unit_rows(self) -> tuple[list[schema.ReviewUnitRow], schema.ReviewUnitRow]:
        """复核汇总: one row per unit with a sampled project, and the 合计 row."""
        by_unit: dict[str, list[schema.ReviewRow]] = defaultdict(list)
        for r in self.rows:   # one unit however its files spell it, shown as first spelt
            by_unit[unit_key(r.unit or "")].append(r)
        out = [self._unit_row(rs[0].unit or "", rs) for rs in by_unit.values()]
        return out, self._unit_row("合计", self.rows)

    def _unit_row(self, unit: str, rows: list[schema.ReviewRow]) -> schema.ReviewUnitRow:
        compared = [r for r in rows if r.diff is not None]
        above = sum(r.diff > self.tolerance for r in compared if r.diff is not None)
        return schema.REVIEW_UNITS.record(
            unit=unit, sampled=len(rows), reviewed=sum(r.review_score is not None for r in rows),
            compared=len(compared), above=above,
            share=pct(Decimal(above) / len(compared)) if compared else None)


def _label(v: object) -> str:
    return "".join(str(v).split()) if isinstance(v, str) else ""


def _score(v: object) -> Decimal | str | None:
    """A 复核得分 as a number 0–100; None when blank; the text shown when unusable."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        text = repr(v)
    elif isinstance(v, str):
        text = v.strip().replace("分", "") if v.strip().endswith("分") else v.strip()
        if not text:
            return None
    else:
        return str(v)
    try:
        d = Decimal(text)
    except InvalidOperation:
        return str(v)
    if not d.is_finite() or d < 0 or d > 100:
        return plain_value(v) if isinstance(v, (int, float)) else str(v)
    return d


def _rows(data: bytes) -> list[list[Any]]:
    """The review sheet's cells (raises on anything that is not a readable workbook)."""
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    name = SHEET if SHEET in wb.sheet_names else wb.sheet_names[0]
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def read_review(result: BatchResult, path: str | Path) -> Review:
    """The review at `path` matched to `result`'s projects (see the module's docstring)."""
    path = Path(path)
    review = Review(str(path), tolerance=result.rules.review_tolerance)
    shown = path.name

    def problem(code: str, text: str, **where: Any) -> None:
        review.findings.append(make(code, f"复核底稿“{shown}”{text}", sheet=REVIEW_SHEET, **where))

    try:
        if path.stat().st_size > LIMITS.file_bytes:
            raise ValueError("文件过大")
        data = path.read_bytes()
        if not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):   # neither zip (xlsx, ods) nor OLE (xls)
            problem(codes.R101, "不是 Excel/WPS 工作簿（如 JSON、文本或 PDF）", value=shown)
            return review
        cells = _rows(data)
    except Exception as e:   # any failure to read is the file's: calamine raises many kinds
        problem(codes.R101, f"无法读取（{type(e).__name__}）", value=str(e)[:200])
        return review
    header_at = next((i for i, row in enumerate(cells[:50])
                      if {SCORE_HEADER, PROJECT_HEADER} <= {_label(v) for v in row}), None)
    if header_at is None:
        problem(codes.R101, f"中找不到“{PROJECT_HEADER}”和“{SCORE_HEADER}”表头")
        return review
    col = {_label(v): c for c, v in enumerate(cells[header_at]) if _label(v)}
    projects = list(project_table(result).rows)
    by_key = {(p.file or "", p.sheet or ""): p for p in projects}
    by_name: dict[tuple[str, str], list[schema.ProjectRow]] = defaultdict(list)
    for p in projects:
        by_name[(unit_key(p.unit or ""), name_key(p.project or ""))].append(p)

    def get(row: list[Any], header: str) -> Any:
        c = col.get(header)
        return row[c] if c is not None and c < len(row) else None

    matched: list[schema.ReviewRow] = []
    seen: dict[tuple[str, str], int] = {}   # (file, sheet) → the row it was read from
    for r, row in enumerate(cells[header_at + 1:], start=header_at + 1):
        unit, project = str(get(row, UNIT_HEADER) or "").strip(), str(get(row, PROJECT_HEADER) or "").strip()
        if not unit and not project:
            continue
        where = {"cell": a1(r, col[SCORE_HEADER]), "unit": unit, "project": project}
        p = by_key.get(_key(get(row, KEY_HEADER)) or ("", ""))
        if p is None:
            named = by_name.get((unit_key(unit), name_key(project)), [])
            if len(named) != 1:
                why = "有多个同名项目，无法确定是哪一个" if named else "已不在本次汇总中"
                problem(codes.R102, f"第 {r + 1} 行的“{unit}·{project}”{why}", value=f"{unit}·{project}", **where)
                continue
            p, keyless = named[0], True
        else:
            keyless = False
        if (p.file or "", p.sheet or "") in seen:
            first = seen[(p.file or "", p.sheet or "")]
            problem(codes.R105, f"第 {r + 1} 行与第 {first} 行是同一项目（“{p.file}”的“{p.sheet}”），第 {r + 1} 行未采用",
                    value=f"{unit}·{project}", **where)
            continue
        seen[(p.file or "", p.sheet or "")] = r + 1
        if keyless:
            problem(codes.R104, f"第 {r + 1} 行没有可用的定位键，已按单位和项目名称匹配到“{p.file}”的“{p.sheet}”",
                    value=f"{unit}·{project}", **where)
        score = _score(get(row, SCORE_HEADER))
        if isinstance(score, str):
            problem(codes.R103, f"第 {r + 1} 行的复核得分“{score[:40]}”不是 0～100 的数字", value=score, **where)
            score = None
        opinion = get(row, OPINION_HEADER)
        opinion_text = "" if opinion is None else (opinion if isinstance(opinion, str) else plain_value(opinion))
        self_total, review_score = p.self_total, amt(score)
        diff = None if self_total is None or review_score is None else self_total - review_score
        matched.append(schema.REVIEW.record(
            unit=p.unit, project=p.project, self_total=self_total, total=p.total, review_score=review_score,
            diff=diff, opinion=opinion_text.strip(), file=p.file, sheet=p.sheet))
    # The reviewer may have re-sorted the rows: the table follows the batch's order.
    review.rows = sorted(matched, key=lambda x: (x.unit or "", x.file or "", x.sheet or ""))
    return review


def plain_value(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return plain(Decimal(str(v))) if isinstance(v, (int, float)) else str(v)


def _key(value: object) -> tuple[str, str] | None:
    """A 定位键 back to (file, sheet); None when it is missing or not one of ours."""
    if not isinstance(value, str):
        return None
    try:
        key = json.loads(value)
    except ValueError:
        return None
    if isinstance(key, list) and len(key) == 2 and all(isinstance(x, str) for x in key):
        return (key[0], key[1])
    return None


def attach_review(result: BatchResult, path: str | Path) -> Review:
    """Reads the review, keeps it on `result` (result.review) and adds its findings."""
    review = read_review(result, path)
    result.review = review
    result.spool.add_findings([f for f in review.findings if f.code not in result.rules.disabled])
    return review
