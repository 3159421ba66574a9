"""Indicator targets and actuals as clerks write them.

`≥95%`, `≤24.65万元`, `＝6个` (or `=6个` where a tool kept it as text), `100%`, `≥11528户`, `2020年12月31日前`, `9月前`,
`较上年提高5%`, `零投诉`, `有效提升` … become a `Target` with the rule it is scored by.
The same few texts recur on every form, so parses are cached (the results are
immutable) — keyed by the value's type too, so a TRUE cell never answers for a 1.

A number with no comparator (`6个`, `100%`) is a floor, as DOMAIN.md says: doing 7 of 6 is
meeting the target. Issue 13 suggested reading it as ＝, which would mark over-achievement
down; published forms write `100%`/`6个` meaning "at least", so we keep DOMAIN's rule.
`＝6个` (full-width, so Excel keeps it as text) is exact.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from .form import nfkc
from .numbers import error_value, parse_number

POSITIVE, REVERSE, EXACT, DATE, QUALITATIVE, RELATIVE = (
    "positive", "reverse", "exact", "date", "qualitative", "relative")
RULE_NAMES = {
    POSITIVE: "正向（≥）",
    REVERSE: "反向（≤）",
    EXACT: "等于（=）",
    DATE: "时限（…前）",
    QUALITATIVE: "定性",
    RELATIVE: "相对上年（需人工判断）",
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
# One regex for the loop over them (tried in the same order, so the longest wins too).
_PREFIX = re.compile("|".join(re.escape(p) for p, _ in _PREFIXES))
_PREFIX_KIND = dict(_PREFIXES)
_SUFFIXES = (("以上", POSITIVE), ("以内", REVERSE), ("以下", REVERSE))
# A separate 指标性质 column, after NFKC (which turns ＝ and ﹦ into =, ＞ into >).
_NATURE = {"正向": POSITIVE, "正向指标": POSITIVE, "≥": POSITIVE, ">=": POSITIVE, "≧": POSITIVE,
           ">": POSITIVE, "反向": REVERSE, "反向指标": REVERSE, "≤": REVERSE, "<=": REVERSE,
           "≦": REVERSE, "<": REVERSE, "等于": EXACT, "=": EXACT, "定性": QUALITATIVE,
           "定性指标": QUALITATIVE}
_DIGIT = re.compile(r"[0-9]")
_ZERO_WORDS = ("零", "无", "杜绝", "不发生", "未发生", "没有发生", "避免")
_RELATIVE = re.compile(r"上年|上一年|去年|同比|往年|前一年|上年度|较年初")

# Deadlines. Every pattern may end in 前/之前/以前/完成/底前…; a month alone means its
# last day ("9月前" is read as "by the end of September", as clerks mean it).
_END = r"(?:底|末)?(?:之|以)?前|(?:底|末)?(?:前)?完成|底|末"
_DATE_PATTERNS = (
    re.compile(rf"^(?:(?P<y>[0-9]{{4}})年)?(?P<m>[0-9]{{1,2}})月(?P<d>[0-9]{{1,2}})[日号]?(?:{_END})"),
    re.compile(rf"^(?P<y>[0-9]{{4}})[-./](?P<m>[0-9]{{1,2}})[-./](?P<d>[0-9]{{1,2}})(?:{_END})"),
    re.compile(rf"^(?:(?P<y>[0-9]{{4}})年)?(?P<m>[0-9]{{1,2}})月(?:份)?(?:{_END})"),
    re.compile(rf"^(?P<y>[0-9]{{4}})[-./](?P<m>[0-9]{{1,2}})(?:月)?(?:{_END})"),
    re.compile(r"^(?:(?P<y>[0-9]{4})年)?(?:年)?(?:底|末)(?:之|以)?前"),
    re.compile(r"^(?:(?P<y>[0-9]{4})年)?(?P<q>第?[一二三四1-4])季度(?:末|底)?(?:之|以)?前"),
    re.compile(r"^(?:(?P<y>[0-9]{4})年)?(?P<h>上半年|年中)(?:之|以)?前?"),
    re.compile(r"^(?:年底|年末|年内|本年度内|当年)(?:之|以)?前?(?:完成)?$"),
)
_FULL_DATE = re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?:份)?(?:(?P<d>[0-9]{1,2})[日号])?")
_QUARTER = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
_MEASURE = re.compile(r"[%％‰≥≤><=＝﹦]|不低于|不少于|不超过|不高于")
# Something that reads as a deadline but that we could not turn into a date.
_DEADLINE_LIKE = re.compile(r"[0-9]月|季度|年底|年末|上半年|下半年")
_DONE_BY = re.compile(r"前|完成|之内|以内")
_BEFORE = re.compile(r"(?:之|以)?前(?:完成|完工|到位|发放|拨付)?$")

_ACTUAL_DATE = (
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]"),
    re.compile(r"(?P<y>[0-9]{4})[-./](?P<m>[0-9]{1,2})[-./](?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月"),
    re.compile(r"^(?P<y>(?:19|20)[0-9]{2})[-/](?P<m>[0-9]{1,2})(?:月|$)"),
    re.compile(r"^(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]"),
    re.compile(r"^(?P<m>[0-9]{1,2})月"),
)
# A character every _ACTUAL_DATE pattern requires (年…月, or - . / between the numbers).
_DATE_MARKS = frozenset("月-./")
# Words that say a deadline was kept, without a date.
_ON_TIME = ("按时", "按期", "如期", "提前", "及时完成", "准时", "在规定时间内", "规定时限内")


@dataclass(frozen=True)
class Target:
    kind: str
    text: str
    value: Decimal | None = None
    unit: str = ""
    date: dt.date | None = None
    error: str | None = None   # why the target could not be read
    comparator: str = ""       # the comparator as written (≥, 不低于, =…), "" for none
    zero: bool = False         # a zero target: 零投诉, =0起, 无重大安全事故
    deadline: bool = False     # reads as a deadline, whether or not a date came out

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
    on_time: bool = False           # 按时完成, 如期完成 …
    error: str | None = None        # an error value such as #NAME?

    @property
    def percent(self) -> bool:
        return self.unit == "%"


def show_number(x: float) -> str:
    """A number cell as it reads on the form: 50, not 50.0."""
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)
    return str(x)


_SPACE = re.compile(r"\s+")


def _clean(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()[:10]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return show_number(raw)
    s = nfkc(str(raw))
    return _SPACE.sub("", s) if not s.isprintable() or " " in s else s


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
        if y is None or (g.get("m") and not 1 <= int(g["m"]) <= 12):
            return None
        try:
            if g.get("d"):
                return dt.date(y, int(g["m"]), int(g["d"]))
            if g.get("m"):
                return _month_end(y, int(g["m"]))
            if g.get("q"):
                return _month_end(y, _QUARTER[g["q"][-1]])
            if g.get("h"):
                return dt.date(y, 6, 30)
            return dt.date(y, 12, 31)
        except ValueError:
            return None
    return None


# 2022.11 is a month to a deadline and a number to anything else: it is read as both.
_DOTTED_MONTH = re.compile(r"^(?P<y>(?:19|20)[0-9]{2})\.(?P<m>1[0-2]|0?[1-9])$")
_UNIT_TAIL = re.compile(r"(?:完成|左右|及以上|以上|以内|以下|或以上|或以下|\(含\))+$")


@functools.lru_cache(maxsize=2048)
def _unit(suffix: str) -> str:
    """The unit after a number, without words that only qualify it: 100%完成 is %."""
    if not suffix:
        return suffix
    bare = _UNIT_TAIL.sub("", suffix)
    return "%" if bare.startswith("%") else bare


def _bare_date(s: str) -> dt.date | None:
    """`2021年12月`, `2021年12月31日` written as a target with no 前: that date."""
    m = _FULL_DATE.fullmatch(s)
    if not m:
        return None
    try:
        y, mo, d = int(m["y"]), int(m["m"]), m["d"]
        return dt.date(y, mo, int(d)) if d else _month_end(y, mo)
    except ValueError:
        return None


def _zero_target(s: str) -> bool:
    """零投诉, 无重大安全事故, 杜绝…: the target is that nothing happens
    (无障碍 is a kind of facility, not a zero)."""
    return s.startswith(_ZERO_WORDS) and not s.startswith("无障碍")


def parse_target(raw: object, nature: object = None, year: int | None = None) -> Target:
    """Reads a 年度指标值; `nature` is the optional 指标性质 column, which wins."""
    return _parse_target(raw, nature, year)


# typed: the types are part of the key, or True, 1 and 1.0 would be one entry.
@functools.lru_cache(maxsize=8192, typed=True)
def _parse_target(raw: object, nature: object, year: int | None) -> Target:
    s = _clean(raw)
    forced = _NATURE.get(_clean(nature)) if nature not in (None, "") else None
    if isinstance(raw, bool):
        return Target(QUALITATIVE, "是" if raw else "否", error="逻辑值")
    if isinstance(raw, (dt.date, dt.datetime)):
        # A date typed into the target cell (Excel made it a date): done by that day.
        d = raw.date() if isinstance(raw, dt.datetime) else raw
        return Target(DATE, s, date=d, deadline=True)
    if isinstance(raw, (int, float)):
        num = parse_number(raw)   # NaN, ±inf and figures past any budget are errors
        if num.value is None:
            return Target(forced or POSITIVE, s, error=num.error)
        value = num.value
        return Target(forced or POSITIVE, s, value=value, zero=value == 0 and forced != POSITIVE)
    if not s:
        return Target(QUALITATIVE, s, error="空")
    err = error_value(s)
    if err:
        return Target(QUALITATIVE, s, error=err)
    if _RELATIVE.search(s):
        return Target(RELATIVE, s)
    # 上半年支出进度≥50%, 12月底前完成率100%: a rate with a time in its name, not a deadline.
    date = None if _MEASURE.search(s) else _date_target(s, year) or _bare_date(s)
    if date is not None:
        return Target(DATE, s, date=date, deadline=True)
    if ((_DEADLINE_LIKE.search(s) and _DONE_BY.search(s)) or ("前" in s and _BEFORE.search(s))) \
            and "%" not in s:
        # 汛期前, 开学前, 13月底前: a deadline we cannot date. Never read it as a number.
        return Target(DATE, s, deadline=True)
    kind, comparator, body = None, "", s
    m = _PREFIX.match(body)
    if m:
        comparator = m.group()
        kind, body = _PREFIX_KIND[comparator], body[m.end():]
    for suffix, k in _SUFFIXES:
        if body.endswith(suffix):
            kind, body = kind or k, body[: -len(suffix)]
            comparator = comparator or suffix
            break
    if _zero_target(body):
        # 零投诉 / 无重大安全事故 / 杜绝…: nothing may happen, so 0 is the target.
        return Target(forced if forced in (REVERSE, EXACT) else EXACT, s, value=Decimal(0),
                      comparator=comparator, zero=True)
    if not _DIGIT.search(body):
        return Target(forced or QUALITATIVE, s, comparator=comparator)
    num = parse_number(body)
    if num.value is None:
        return Target(forced or kind or POSITIVE, s, error=num.error, comparator=comparator)
    if forced == QUALITATIVE:
        forced = None
    kind = forced or kind or POSITIVE
    unit = _unit(num.suffix)
    # 0起, =0起, ≤0起 say nothing may happen; only "≥0" (or 不低于0) says nothing at all.
    zero = (num.value == 0 and kind != POSITIVE) or (num.value == 0 and not comparator and not forced)
    if zero and kind == POSITIVE:
        kind = EXACT
    return Target(kind, s, value=num.value, unit=unit, comparator=comparator, zero=zero)


def _achievement(s: str) -> str | None:
    if s.startswith(("未达成", "未完成", "未达到", "没有完成", "未实现", "未完工", "未按期", "未按时")):
        return "未达成"
    if s.startswith(("部分达成", "部分完成", "基本达成", "基本完成", "部分实现", "基本实现")):
        return "部分达成"
    if s.startswith(("达成", "完成", "已完成", "已达成", "达到", "实现", "已实现", "全部完成",
                     "按时", "按期", "如期", "提前")):
        return "达成"
    return None


def parse_actual(raw: object, year: int | None = None) -> Actual:
    """Reads a 实际完成值: a number (with unit), a date, or words of achievement.
    `year` is the evaluation year, for dates written without one (`7月`)."""
    return _parse_actual(raw, year)


@functools.lru_cache(maxsize=8192, typed=True)
def _parse_actual(raw: object, year: int | None) -> Actual:
    if isinstance(raw, (dt.date, dt.datetime)):
        d = raw.date() if isinstance(raw, dt.datetime) else raw
        return Actual(_clean(raw), date=d)
    if isinstance(raw, bool):
        return Actual("是" if raw else "否", error="逻辑值")
    if isinstance(raw, (int, float)):
        num = parse_number(raw)
        if num.value is None:
            return Actual(_clean(raw), error=num.error, from_number_cell=True)
        return Actual(_clean(raw), value=num.value, from_number_cell=True)
    s = _clean(raw)
    if not s:
        return Actual(s)
    err = error_value(s)
    if err:
        return Actual(s, error=err)
    # Every date pattern needs a 月 or a separator: most completions (95%, 11003人次, 达成)
    # have neither and skip the six searches.
    for pat in _ACTUAL_DATE if _DATE_MARKS.intersection(s) else ():
        m = pat.search(s)
        if m:
            g = m.groupdict()
            y = int(g["y"]) if g.get("y") else year
            if y is None:
                continue
            try:
                d = (dt.date(y, int(g["m"]), int(g["d"])) if g.get("d")
                     else _month_end(y, int(g["m"])))
            except ValueError:
                continue
            return Actual(s, date=d, on_time=s.startswith(_ON_TIME))
    m = _PREFIX.match(s)
    body = s[m.end():] if m else s
    if _zero_target(body) or body in ("0", "没有"):
        return Actual(s, value=Decimal(0), achievement=_achievement(s))
    num = parse_number(body)
    if num.value is not None:
        m = _DOTTED_MONTH.match(s)
        date = _month_end(int(m["y"]), int(m["m"])) if m else None
        return Actual(s, value=num.value, unit=_unit(num.suffix), date=date)
    on_time = s.startswith(_ON_TIME) or any(w in s for w in _ON_TIME[:4])
    return Actual(s, achievement=_achievement(s), on_time=on_time)
