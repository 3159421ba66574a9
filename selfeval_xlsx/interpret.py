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
from .numbers import AMOUNT_LIMIT, fmt, is_blank, parse_number
from .targets import POSITIVE, REVERSE, parse_actual, parse_target

_YEAR = re.compile(r"^(19|20)\d{2}")
_LIMIT_TEXT = f"{AMOUNT_LIMIT:,.0f} 万元"


@functools.lru_cache(maxsize=16384)
def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def text(value: object) -> str:
    if type(value) is str:
        return _clean(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
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
        self.scale: Decimal | None = None   # the form states its amounts in 元: divide by this

    def add(self, code: str, problem: str, cell: str, value: object = "") -> None:
        self.findings.append(make(code, problem, value=value, file=self.file, sheet=self.sheet,
                                  cell=cell, project=self.project))

    def amount(self, raw: Raw | None, what: str, required: bool) -> Decimal | None:
        if raw is None or _dash(raw[0]):
            if required and raw is not None:
                self.add("P101", f"“{what}”未填写", raw[1])
            return None
        value, cell = raw
        p = parse_number(value)
        if p.value is None:
            self._not_a_number(what, value, cell, p.error)
            return None
        if p.suffix in ("", "万元", "万"):
            result = p.value
            if self.scale is not None and p.suffix == "":
                result = p.value / self.scale   # the form says its amounts are in 元
        elif p.suffix == "元":
            result = p.value / 10000
        else:
            self.add("P102", f"“{what}”的内容“{text(value)}”单位不是万元", cell, value)
            return None
        if p.normalised:
            self.add("P103", f"“{what}”填写为文本“{text(value)}”，已按 {fmt(result)} 万元计算", cell, value)
        return result

    def _not_a_number(self, what: str, value: object, cell: str, error: str | None) -> None:
        if error and error.startswith("数值"):
            self.add("P123", f"“{what}”为 {text(value)}，超出任何预算的合理范围（上限 {_LIMIT_TEXT}）",
                     cell, value)
        elif error and error.startswith("是错误值"):
            self.add("P102", f"“{what}”{error}", cell, value)
        else:
            self.add("P102", f"“{what}”的内容“{text(value)}”不是数字", cell, value)

    def number(self, raw: Raw | None, what: str, suffixes: tuple[str, ...] = ("", "分")) -> Decimal | None:
        """`suffixes`: what may follow the number (a 权重 may be written 10%, out of 100)."""
        if raw is None:
            return None
        value, cell = raw
        if type(value) is not float and _dash(value):   # (a number cell is never a dash)
            return None
        p = parse_number(value)   # blank → Parsed(None) with no error
        if p.value is None and p.error is None:
            return None
        if p.value is None or p.suffix not in suffixes:
            self._not_a_number(what, value, cell, p.error)
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
        s = form.nfkc(text(value))
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
    info.unit = form.split_unit_code(info.unit)[0]
    return info, rd.findings


_NONE = ("", "")
_DASHES = frozenset({"-", "—", "－", "–", "/", "／", "——", "--", "无", "\\"})


def _dash(value: object) -> bool:
    """Blank, or a dash the national form prints where nothing is to be filled (the 其中
    rows' 分值/得分, a source with no money)."""
    return is_blank(value) or (type(value) is str and value.strip() in _DASHES)
_SAVING_DEFAULT = ("节约", "降低率", "下降率", "压减", "节省")
# The indicator columns read as plain text.
_TEXT_KEYS = frozenset({"level1", "level2", "level3", "reason", "survey_method", "sample_size", "unit"})


def _indicator(rd: _Reader, line: dict[str, Raw], year: int | None,
               saving: tuple[str, ...] = _SAVING_DEFAULT) -> Indicator:
    get = line.get
    # The row's texts at once (a column the form lacks reads as ""): this runs for every
    # indicator of a province.
    texts = {k: text(v[0]) for k, v in line.items() if k in _TEXT_KEYS}
    value = texts.get
    level1, declared = form.norm_level(value("level1", ""))
    level2, _ = form.norm_level(value("level2", ""))
    if level1 == "满意度指标" and level2 in ("", "满意度指标"):
        level2 = "服务对象满意度指标"   # the one 二级 under 满意度, often not repeated
    level3 = value("level3", "")
    actual_raw = get("actual", _NONE)[0]
    if type(actual_raw) is str and form.is_template_text(actual_raw):
        actual_raw = ""   # 对照年度目标，说明…: the blank form's own words
    weight = rd.number(get("weight"), "分值", ("", "分", "%"))
    self_score = rd.number(get("self_score"), "得分")
    if self_score is None and "deduct" in line and weight is not None and not is_blank(actual_raw):
        # A 扣分 column instead of 得分: the score is what is left (blank = nothing deducted).
        deduct = rd.number(get("deduct"), "扣分")
        self_score = weight - (deduct or 0)
    target = parse_target(get("target", _NONE)[0], get("nature", _NONE)[0], year)
    if (target.kind == POSITIVE and not target.comparator and form.is_cost(level1, level2)
            and target.value is not None and not any(w in level3 for w in saving)
            and get("nature", _NONE)[0] in ("", None)):
        # A cost written as a bare amount (24.65万元) is a ceiling, not a floor.
        target = replace(target, kind=REVERSE)
    ind = Indicator(   # positional: this runs for every indicator of a province
        level1, level2, level3, target, parse_actual(actual_raw, year),
        weight, self_score, value("reason", ""), {k: v[1] for k, v in line.items()}, declared,
        value("survey_method", ""), value("sample_size", ""),
    )
    unit = value("unit", "")
    if unit and not ind.target.unit and ind.target.value is not None:
        # A separate 计量单位 column: the bare numbers carry that unit.
        ind = _with_unit(ind, unit)
    return ind


def _with_unit(ind: Indicator, unit: str) -> Indicator:
    t = replace(ind.target, unit=unit)
    a = ind.actual
    if not a.unit and a.value is not None and not (
            unit == "%" and t.kind != REVERSE and t.value is not None and a.value <= 1 < t.value):
        # (0.96 against 95 % is a percentage cell's fraction: scoring reads it as 96 %. Not
        # against a ceiling: 结余率 ≤5 % with 完成值 0.32 is 0.32 %, as the unit column says.)
        a = replace(a, unit=unit)
    return replace(ind, target=t, actual=a)


_MONEY_WORDS = re.compile(r"资金|支出|执行|预算|拨付|拨款|结转|结余|经费|支付|付款|成本|采购|招标|决算|"
                          r"到位|报账|结算|票据|节约|未使用|开支|财政|款项|工程款")


def exec_reason(p: Project) -> str:
    """The reason for a low execution rate, wherever the form's layout let the clerk write it:
    the 执行率未达90%原因 field, a funds-block column (偏差原因, 原因说明, 备注…), or the
    偏差原因 of an indicator about the money (the national form has no field of its own)."""
    if p.exec_reason and not form.is_no_reason(p.exec_reason):
        return p.exec_reason
    for line in p.funds.values():
        if line.note and not form.is_no_reason(line.note):
            return line.note
    for i in p.indicators:
        # (is_no_reason last: it is the dearest test, and most reasons are not about money)
        if i.reason and (form.is_cost(i.level1, i.level2) or _MONEY_WORDS.search(i.level3)
                         or _MONEY_WORDS.search(i.reason)) and not form.is_no_reason(i.reason):
            return i.reason
    return ""


def _rate_row(p: Project) -> None:
    """A 预算执行率 row in the indicator table is the funds block's rate, not an indicator:
    its 分值 and 得分 are the rate's (the rate itself is computed from the amounts)."""
    rows = [i for i in p.indicators if i.level1 in form.RATE_ROW_NAMES
            or (not i.level1 and i.level3 in form.RATE_ROW_NAMES)]
    if not rows:
        return
    drop = {id(i) for i in rows}
    p.indicators = [i for i in p.indicators if id(i) not in drop]
    row = rows[0]
    if p.rate_weight is None:
        p.rate_weight = row.weight
    if p.self_rate_score is None:
        p.self_rate_score = row.self_score
        if "self_score" in row.cells:
            p.total_line.cells.setdefault("score", row.cells["self_score"])


def _unit_name(p: Project) -> None:
    name, code = form.split_unit_code(p.unit)
    if code:
        p.unit, p.unit_code = name, code


def interpret_project(raw: RawProject, file: str, saving: tuple[str, ...] = _SAVING_DEFAULT,
                      file_year: int | None = None) -> tuple[Project, list[Finding]]:
    """`saving`: words that make a 成本指标 a saving (节约率…), from the rules;
    `file_year`: the workbook's year, for deadlines on a sheet that names none."""
    rd = _Reader(file, raw.sheet)
    v = raw.values
    dept = raw.kind == "dept"
    p = Project(file=file, sheet=raw.sheet, kind=raw.kind)
    p.name = "部门整体支出" if dept else _value(v.get("name"))
    rd.project = p.name
    p.department = _value(v.get("department"))
    p.unit = _value(v.get("unit"))
    _unit_name(p)
    p.year = rd.year(v.get("year")) or raw.title_year
    p.cells = {k: r[1] for k, r in v.items()}
    p.score_columns = raw.score_columns
    p.fund_note_column = "note" in raw.fund_columns

    if dept:
        if not p.unit:
            rd.add("P101", "未找到“部门（单位）名称”" if "unit" not in v else "“部门（单位）名称”未填写",
                   v["unit"][1] if "unit" in v else "")
    elif "name" not in v:
        rd.add("P101", "未找到“项目名称”", "")
    elif not p.name:
        rd.add("P101", "“项目名称”未填写", v["name"][1])

    caption = "年度预算执行情况" if dept else "项目资金（万元）"
    if "total" not in raw.funds:
        rd.add("P101", f"未找到“{caption}”区域或“年度资金总额”行", "")
    unit_cell = ""
    if raw.amount_unit is not None:
        p.amount_unit, unit_cell = str(raw.amount_unit[0]), raw.amount_unit[1]
        if p.amount_unit == "元":
            rd.scale = Decimal(10000)
    for f in form.READ_FUND_ROWS:
        cells = raw.funds.get(f.key)
        if cells is None:
            continue
        required = f.key == "total"
        line = FundLine(f.key, raw.fund_labels.get(f.key, f.label))
        line.cells = {k: c[1] for k, c in cells.items()}
        line.initial = rd.amount(cells.get("initial"), f"{f.label}·年初预算数", False)
        line.budget = rd.amount(cells.get("budget"), f"{f.label}·全年预算数", required)
        line.executed = rd.amount(cells.get("executed"), f"{f.label}·全年执行数", required)
        line.note = _value(cells.get("note"))
        if required:
            p.rate_weight = rd.number(cells.get("weight"), "执行率分值", ("", "分", "%"))
            p.self_rate_score = rd.number(cells.get("score"), "执行率得分")
        p.funds[f.key] = line
    if p.amount_unit == "元" and any(getattr(line, k) is not None for line in p.funds.values()
                                    for k in ("initial", "budget", "executed")):
        rd.add("P124", "表中注明金额单位为“元”，各项金额已除以 10000 按万元计算", unit_cell, "元")

    if raw.missing_columns:
        rd.add("P101", f"指标表头缺少“{'、'.join(raw.missing_columns)}”列，这些内容无法读取",
               raw.indicator_header, "、".join(raw.missing_columns))
    p.exec_reason = _value(v.get("exec_reason"))
    p.goal_planned = _value(v.get("goal_planned"))
    p.goal_achieved = _value(v.get("goal_achieved"))
    p.indicators = [_indicator(rd, line, p.year or file_year, saving) for line in raw.indicators]
    _rate_row(p)
    p.exec_reason = exec_reason(p)
    if raw.ignored_rows:
        n = len(raw.ignored_rows)
        rd.add("P120", f"指标区有 {n} 行只有模板占位内容（如“指标1”“……”）或只有一级/二级指标名称，已忽略",
               raw.ignored_rows[0], n)
    p.self_total = rd.number(v.get("self_total"), "总分")
    p.self_grade = _value(v.get("self_grade"))
    return p, rd.findings
