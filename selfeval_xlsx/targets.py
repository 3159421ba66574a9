"""Indicator targets and actuals as clerks write them.

`≥95%`, `≤24.65万元`, `=6个`, `100%`, `≥11528户`, `2020年12月31日前`, `有效提升` …
become a `Target` with the rule it is scored by. The same few texts recur on every
form, so parses are cached (the results are immutable).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .numbers import parse_number, to_decimal

POSITIVE, REVERSE, EXACT, DATE, QUALITATIVE = "positive", "reverse", "exact", "date", "qualitative"
RULE_NAMES = {
    POSITIVE: "正向（≥）",
    REVERSE: "反向（≤）",
    EXACT: "等于（=）",
    DATE: "时限（…前）",
    QUALITATIVE: "定性",
}

# Longest first, so that 不低于 wins over 低于.
_PREFIXES = sorted([
    (">=", POSITIVE), ("≥", POSITIVE), ("≧", POSITIVE), ("不低于", POSITIVE), ("不少于", POSITIVE),
    ("大于等于", POSITIVE), ("达到", POSITIVE), (">", POSITIVE), ("大于", POSITIVE),
    ("高于", POSITIVE), ("超过", POSITIVE),
    ("<=", REVERSE), ("≤", REVERSE), ("≦", REVERSE), ("不高于", REVERSE), ("不超过", REVERSE),
    ("不多于", REVERSE), ("小于等于", REVERSE), ("控制在", REVERSE), ("<", REVERSE),
    ("小于", REVERSE), ("低于", REVERSE),
    ("=", EXACT), ("等于", EXACT),
], key=lambda p: -len(p[0]))
_SUFFIXES = (("以上", POSITIVE), ("以内", REVERSE), ("以下", REVERSE))
_NATURE = {"正向": POSITIVE, "≥": POSITIVE, ">=": POSITIVE, "反向": REVERSE, "≤": REVERSE,
           "<=": REVERSE, "等于": EXACT, "=": EXACT, "定性": QUALITATIVE}

_DATE_PATTERNS = (
    re.compile(r"^(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日?(?:之)?前"),
    re.compile(r"^(?P<y>[0-9]{4})[-./](?P<m>[0-9]{1,2})[-./](?P<d>[0-9]{1,2})(?:之)?前"),
    re.compile(r"^(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?:底|末)(?:之)?前"),
    re.compile(r"^(?P<y>[0-9]{4})年(?:底|末)(?:之)?前"),
    re.compile(r"^(?P<m>[0-9]{1,2})月(?:底|末)(?:之)?前"),
    re.compile(r"^(?:年底|年末)(?:之)?前|^年内"),
)
_ACTUAL_DATE = (
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"),
    re.compile(r"(?P<y>[0-9]{4})[-./](?P<m>[0-9]{1,2})[-./](?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?:底|末)"),
)


@dataclass(frozen=True)
class Target:
    kind: str
    text: str
    value: Decimal | None = None
    unit: str = ""
    date: dt.date | None = None
    error: str | None = None  # why the number could not be read

    @property
    def percent(self) -> bool:
        return self.unit == "%"

    @property
    def rule_name(self) -> str:
        return RULE_NAMES[self.kind]


@dataclass(frozen=True)
class Actual:
    text: str
    value: Decimal | None = None
    unit: str = ""
    date: dt.date | None = None
    achievement: str | None = None  # 达成 / 部分达成 / 未达成
    from_number_cell: bool = False

    @property
    def percent(self) -> bool:
        return self.unit == "%"


def _clean(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()[:10]
    if isinstance(raw, float):
        return repr(raw)
    s = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"\s+", "", s)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _date_target(s: str, year: int | None) -> dt.date | None:
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if not m:
            continue
        g = m.groupdict()
        y = int(g["y"]) if g.get("y") else year
        if y is None:
            return None
        try:
            if g.get("d"):
                return dt.date(y, int(g["m"]), int(g["d"]))
            if g.get("m"):
                return _month_end(y, int(g["m"]))
            return dt.date(y, 12, 31)
        except ValueError:
            return None
    return None


@functools.lru_cache(maxsize=8192)
def parse_target(raw: object, nature: object = None, year: int | None = None) -> Target:
    """Reads a 年度指标值; `nature` is the optional 指标性质 column, which wins."""
    s = _clean(raw)
    forced = _NATURE.get(_clean(nature)) if nature not in (None, "") else None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Target(forced or POSITIVE, s, value=to_decimal(raw))
    if not s:
        return Target(QUALITATIVE, s, error="空")
    date = _date_target(s, year)
    if date is not None:
        return Target(DATE, s, date=date)
    kind = None
    body = s
    for prefix, k in _PREFIXES:
        if body.startswith(prefix):
            kind, body = k, body[len(prefix):]
            break
    for suffix, k in _SUFFIXES:
        if body.endswith(suffix):
            kind, body = kind or k, body[: -len(suffix)]
            break
    if not re.search(r"[0-9]", body):
        return Target(forced or QUALITATIVE, s)
    num = parse_number(body)
    if num.value is None:
        return Target(forced or kind or POSITIVE, s, error=num.error)
    if forced == QUALITATIVE:
        forced = None
    return Target(forced or kind or POSITIVE, s, value=num.value, unit=num.suffix)


def _achievement(s: str) -> str | None:
    if s.startswith(("未达成", "未完成", "未达到", "没有完成")):
        return "未达成"
    if s.startswith(("部分达成", "部分完成", "基本达成", "基本完成", "部分实现", "基本实现")):
        return "部分达成"
    if s.startswith(("达成", "完成", "已完成", "已达成", "达到", "实现", "已实现", "全部完成")):
        return "达成"
    return None


@functools.lru_cache(maxsize=8192)
def parse_actual(raw: object) -> Actual:
    """Reads a 实际完成值: a number (with unit), a date, or words of achievement."""
    if isinstance(raw, (dt.date, dt.datetime)):
        d = raw.date() if isinstance(raw, dt.datetime) else raw
        return Actual(_clean(raw), date=d)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Actual(_clean(raw), value=to_decimal(raw), from_number_cell=True)
    s = _clean(raw)
    if not s:
        return Actual(s)
    for pat in _ACTUAL_DATE:
        m = pat.search(s)
        if m:
            g = m.groupdict()
            try:
                d = (dt.date(int(g["y"]), int(g["m"]), int(g["d"])) if g.get("d")
                     else _month_end(int(g["y"]), int(g["m"])))
            except ValueError:
                continue
            return Actual(s, date=d)
    body = s
    for prefix, _ in _PREFIXES:
        if body.startswith(prefix):
            body = body[len(prefix):]
            break
    num = parse_number(body)
    if num.value is not None:
        return Actual(s, value=num.value, unit=num.suffix)
    return Actual(s, achievement=_achievement(s))
