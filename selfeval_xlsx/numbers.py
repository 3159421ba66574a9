"""Numbers as clerks type them: `８.９４`, `8.94万元`, `1,234.5`, `95%`, or a real number cell."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, overload

from .form import nfkc

# Error values a spreadsheet shows for a broken formula (Excel/WPS, and LibreOffice's Err:nnn).
_ERRORS = frozenset({"#DIV/0!", "#REF!", "#NAME?", "#VALUE!", "#N/A", "#NUM!", "#NULL!",
                     "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"})
_LO_ERROR = re.compile(r"^Err:[0-9]{3}$")
# Beyond any budget (1e12 万元 is a hundred times China's whole annual spending): such a
# figure is a typing slip, and Decimal rounding at the default precision would overflow.
AMOUNT_LIMIT = Decimal("1e12")
_NUMBER = re.compile(r"^([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?(.*)$")
CENTS = Decimal("0.01")
_SPACE = re.compile(r"\s+")
_SUFFIX = re.compile(r"[^0-9.,+-]+")   # what may follow a number: no more digits or signs


@dataclass(frozen=True)
class Parsed:
    """What one cell holds, read as a number.

    `normalised` is true when the number came from text rather than a number cell:
    Excel cannot sum such a cell, so the clerk should retype it.
    """
    value: Decimal | None
    suffix: str = ""        # what followed the number: 万元, %, 户 …
    normalised: bool = False
    error: str | None = None

    @property
    def percent(self) -> bool:
        return self.suffix == "%"


def error_value(text: str) -> str | None:
    """The spreadsheet error value a cell's text is (#DIV/0!, #NAME?…), or None."""
    t = text.strip().upper()
    if t in _ERRORS or _LO_ERROR.match(text.strip()):
        return text.strip()
    return None


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def to_decimal(x: float) -> Decimal:
    # repr of a float is the shortest text that reads back to it: 8.94, not 8.9399999…
    return Decimal(repr(float(x))) if isinstance(x, float) else Decimal(x)


def _limited(p: Parsed, raw: object) -> Parsed:
    """`p`, unless its figure is past AMOUNT_LIMIT: then an error naming what was typed."""
    if p.value is not None and abs(p.value) >= AMOUNT_LIMIT:
        return Parsed(None, error=f"数值 {raw} 超出合理范围", suffix=p.suffix)
    return p


@functools.lru_cache(maxsize=8192)
def _parse_text(raw: str) -> Parsed:
    text = nfkc(raw)
    text = _SPACE.sub("", text) if not text.isprintable() or " " in text else text
    err = error_value(text)
    if err:
        return Parsed(None, error=f"是错误值 {err}（公式出错）")
    m = _NUMBER.match(text)
    # Only ASCII digits count: float() would also take Arabic-Indic digits.
    if not m:
        return Parsed(None, error="无法识别为数字")
    sign, whole, frac, suffix = m.groups()
    try:
        value = Decimal(sign + whole.replace(",", "") + (frac or ""))
    except InvalidOperation:
        return Parsed(None, error="无法识别为数字")
    if suffix and not _SUFFIX.fullmatch(suffix):
        return Parsed(None, error="数字后面还有其他数字或符号")
    return _limited(Parsed(value, suffix=suffix, normalised=True), raw)


# Number cells repeat (weights, scores), so their parses are cached, each type in its own
# cache (a TRUE cell never reaches these). The limit is checked inside: a hit is final.
@functools.lru_cache(maxsize=8192)
def _parse_float(raw: float) -> Parsed:
    if not math.isfinite(raw):
        return Parsed(None, error="不是有限数字")
    return _limited(Parsed(to_decimal(raw)), raw)


@functools.lru_cache(maxsize=8192)
def _parse_int(raw: int) -> Parsed:
    return _limited(Parsed(Decimal(raw)), raw)


def parse_number(raw: Any) -> Parsed:   # Any: it dispatches on the exact type, which mypy does not follow
    """Reads a number from a cell value; never raises."""
    t = type(raw)
    # A zero is not cached: 0.0 and -0.0 are equal keys but not the same text.
    if t is float:
        return _parse_float(raw) if raw else Parsed(to_decimal(raw))
    if t is int:
        return _parse_int(raw)
    if t is str:
        return Parsed(None) if not raw.strip() else _parse_text(raw)
    if raw is None:
        return Parsed(None)
    if isinstance(raw, bool):
        return Parsed(None, error="逻辑值不是数字")
    if isinstance(raw, float):   # a subclass of float or int: not cached
        return _limited(Parsed(to_decimal(raw)), raw) if math.isfinite(raw) else Parsed(None, error="不是有限数字")
    if isinstance(raw, int):
        return _limited(Parsed(Decimal(int(raw))), raw)
    return Parsed(None, error="不是数字")


# Rounding in a context wide enough for any sum of amounts: in the default context
# (28 digits) the sum of two 9e25 万元 projects cannot be rounded to the cent at all.
WIDE = Context(prec=120, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)


def plain(x: Decimal) -> str:
    """A rule's number as people write it, in a formula, a rules file or a sentence: 10, 12.5."""
    return format(x.normalize(), "f")


RATE_PLACES = Decimal("0.0001")   # rates are shown to 0.01%


@overload
def round_half_up(x: Decimal, places: Decimal = ...) -> Decimal: ...
@overload
def round_half_up(x: None, places: Decimal = ...) -> None: ...
@overload
def round_half_up(x: Decimal | None, places: Decimal = ...) -> Decimal | None: ...
def round_half_up(x: Decimal | None, places: Decimal = CENTS) -> Decimal | None:
    if x is None:
        return None
    try:
        return x.quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation:   # more digits than the default context holds
        return x.quantize(places, context=WIDE)


def fmt(x: Decimal | None, places: Decimal = CENTS) -> str:
    """A figure as every output shows it: two decimals, thousands separated (1,234.50),
    as the summary workbook's #,##0.00 does, so prose and tables read the same."""
    if x is None:
        return "（空）"
    return f"{round_half_up(x, places):,}"


def fmt_pct(x: Decimal | None) -> str:
    """A rate as every output shows it: 86.22% (the workbook's 0.00%)."""
    if x is None:
        return "（空）"
    return f"{round_half_up(x * 100):,}%"
