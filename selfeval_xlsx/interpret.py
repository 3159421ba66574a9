"""Raw cells → typed model, saying what had to be normalised or could not be read."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import replace
from decimal import Decimal

from . import form
from .findings import Finding, make
from .layout import Raw, RawProject, RawUnit
from .model import FundLine, Indicator, Project, UnitInfo
from .numbers import fmt, is_blank, parse_number
from .targets import parse_actual, parse_target

_YEAR = re.compile(r"^(19|20)\d{2}")
_SCORE_SUFFIXES = ("", "分")


@functools.lru_cache(maxsize=16384)
def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def text(value: object) -> str:
    if type(value) is str:
        return _clean(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return _clean(str(value))


class _Reader:
    """Collects findings while turning one sheet's raw cells into values."""

    def __init__(self, file: str, sheet: str):
        self.file, self.sheet = file, sheet
        self.project = ""
        self.findings: list[Finding] = []

    def add(self, code: str, problem: str, cell: str, value: object = "") -> None:
        self.findings.append(make(code, problem, value=value, file=self.file, sheet=self.sheet,
                                  cell=cell, project=self.project))

    def amount(self, raw: Raw | None, what: str, required: bool) -> Decimal | None:
        if raw is None or is_blank(raw[0]):
            if required and raw is not None:
                self.add("P101", f"“{what}”未填写", raw[1])
            return None
        value, cell = raw
        p = parse_number(value)
        if p.value is None:
            self.add("P102", f"“{what}”的内容“{text(value)}”不是数字", cell, value)
            return None
        if p.suffix in ("", "万元", "万"):
            result = p.value
        elif p.suffix == "元":
            result = p.value / 10000
        else:
            self.add("P102", f"“{what}”的内容“{text(value)}”单位不是万元", cell, value)
            return None
        if p.normalised:
            self.add("P103", f"“{what}”填写为文本“{text(value)}”，已按 {fmt(result)} 万元计算", cell, value)
        return result

    def number(self, raw: Raw | None, what: str) -> Decimal | None:
        if raw is None:
            return None
        value, cell = raw
        p = parse_number(value)   # blank → Parsed(None) with no error
        if p.value is None and p.error is None:
            return None
        if p.value is None or p.suffix not in _SCORE_SUFFIXES:
            self.add("P102", f"“{what}”的内容“{text(value)}”不是数字", cell, value)
            return None
        if p.normalised:
            self.add("P103", f"“{what}”填写为文本“{text(value)}”，已按 {p.value} 计算", cell, value)
        return p.value

    def year(self, raw: Raw | None) -> int | None:
        if raw is None or is_blank(raw[0]):
            return None
        value, cell = raw
        if isinstance(value, (dt.date, dt.datetime)):
            return value.year
        s = unicodedata.normalize("NFKC", text(value))
        m = _YEAR.match(s)
        if not m:
            self.add("U104", f"评价年度“{s}”无法识别", cell, value)
            return None
        return int(m.group(0))


def _value(raw: Raw | None) -> str:
    return text(raw[0]) if raw else ""


def interpret_unit(raw: RawUnit, file: str) -> tuple[UnitInfo, list[Finding]]:
    rd = _Reader(file, raw.sheet)
    info = UnitInfo(file, raw.sheet)
    for f in form.UNIT_INFO_FIELDS:
        r = raw.values.get(f.key)
        if r is None:
            continue
        info.cells[f.key] = r[1]
        if f.kind == "year":
            info.year = rd.year(r)
        else:
            setattr(info, f.key, _value(r))
    return info, rd.findings


_NONE = ("", "")


def _indicator(rd: _Reader, line: dict[str, Raw], year: int | None) -> Indicator:
    get = line.get
    ind = Indicator(   # positional: this runs for every indicator of a province
        _value(get("level1")), _value(get("level2")), _value(get("level3")),
        parse_target(get("target", _NONE)[0], get("nature", _NONE)[0], year),
        parse_actual(get("actual", _NONE)[0]),
        rd.number(get("weight"), "分值"), rd.number(get("self_score"), "得分"),
        _value(get("reason")), {k: v[1] for k, v in line.items()},
    )
    unit = _value(get("unit"))
    if unit and not ind.target.unit and ind.target.value is not None:
        # A separate 计量单位 column: the bare numbers carry that unit.
        ind = _with_unit(ind, unit)
    return ind


def _with_unit(ind: Indicator, unit: str) -> Indicator:
    t = replace(ind.target, unit=unit)
    a = ind.actual if ind.actual.unit or ind.actual.value is None else replace(ind.actual, unit=unit)
    return replace(ind, target=t, actual=a)


def interpret_project(raw: RawProject, file: str) -> tuple[Project, list[Finding]]:
    rd = _Reader(file, raw.sheet)
    v = raw.values
    p = Project(file=file, sheet=raw.sheet)
    p.name = _value(v.get("name"))
    rd.project = p.name
    p.department = _value(v.get("department"))
    p.unit = _value(v.get("unit"))
    p.year = rd.year(v.get("year")) or raw.title_year
    p.cells = {k: r[1] for k, r in v.items()}

    if "name" not in v:
        rd.add("P101", "未找到“项目名称”", "")
    elif not p.name:
        rd.add("P101", "“项目名称”未填写", v["name"][1])

    if "total" not in raw.funds:
        rd.add("P101", "未找到“项目资金（万元）”区域或“年度资金总额”行", "")
    for f in form.FUND_ROWS:
        cells = raw.funds.get(f.key)
        if cells is None:
            continue
        required = f.key == "total"
        line = FundLine(f.key, raw.fund_labels.get(f.key, f.label))
        line.cells = {k: c[1] for k, c in cells.items()}
        line.initial = rd.amount(cells.get("initial"), f"{f.label}·年初预算数", False)
        line.budget = rd.amount(cells.get("budget"), f"{f.label}·全年预算数", required)
        line.executed = rd.amount(cells.get("executed"), f"{f.label}·全年执行数", required)
        if required:
            p.rate_weight = rd.number(cells.get("weight"), "执行率分值")
            p.self_rate_score = rd.number(cells.get("score"), "执行率得分")
        p.funds[f.key] = line

    if raw.missing_columns:
        rd.add("P101", f"指标表头缺少“{'、'.join(raw.missing_columns)}”列，这些内容无法读取",
               raw.indicator_header, "、".join(raw.missing_columns))
    p.exec_reason = _value(v.get("exec_reason"))
    p.goal_planned = _value(v.get("goal_planned"))
    p.goal_achieved = _value(v.get("goal_achieved"))
    p.indicators = [_indicator(rd, line, p.year) for line in raw.indicators]
    p.self_total = rd.number(v.get("self_total"), "总分")
    p.self_grade = _value(v.get("self_grade"))
    return p, rd.findings
