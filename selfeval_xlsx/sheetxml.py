"""Worksheet rows as SpreadsheetML text, for rows too many for xlsxwriter's pace.

Reading workers render each table row here before the workbook exists, with
ROW_MARK standing for the row number, and the summary writer puts the number in.
Cell styles are xf indices that the writer registers first, in STYLES order, so
both sides agree on them without sharing a workbook.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from .grid import col_letters

TEXT, WRAP, AMOUNT, SCORE, RATE, INT = "text", "wrap", "amount", "score", "rate", "int"
STYLES = (TEXT, WRAP, AMOUNT, SCORE, RATE, INT)
STYLE_INDEX = {k: i + 1 for i, k in enumerate(STYLES)}   # xf 0 is Excel's default
ROW_MARK = "\x00"   # an XML-invalid character, so never part of escaped text

_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def escape(value: str) -> str:
    """Text as Excel stores it: XML-escaped, control characters as _xHHHH_ (and a
    literal _xHHHH_ guarded, as Excel does)."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = re.sub(r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def cells_for(styles: list[int]) -> list[tuple[str, str]]:
    """(column letter, style attribute) for each column."""
    return [(col_letters(c), f' s="{s}"') for c, s in enumerate(styles)]


def row_xml(n: str, cells: list[tuple[str, str]], values, height: float | None = None) -> str:
    """One <row>. It runs once per row of a province's tables, so it dispatches on
    the exact type and builds one string. Text is always an inline string: nothing
    a clerk typed can become a formula. `height` (points) is for wrapped text:
    spreadsheet programs do not grow a stored row to fit it."""
    out = [f'<row r="{n}" ht="{height:g}" customHeight="1">' if height else f'<row r="{n}">']
    for (letter, style), v in zip(cells, values):
        t = type(v)
        if t is str:
            if v:
                space = ' xml:space="preserve"' if v[0] in " \t\n" or v[-1] in " \t\n" else ""
                out.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t{space}>{escape(v)}</t></is></c>')
        elif v is None:
            continue
        elif t is Decimal:
            out.append(f'<c r="{letter}{n}"{style}><v>{v}</v></c>')
        elif t is int or t is float:
            out.append(f'<c r="{letter}{n}"{style}><v>{float(v)!r}</v></c>')
        else:
            out.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
    out.append("</row>")
    return "".join(out)


def display_width(text: str) -> int:
    """Width in character cells (a terminal's, or Excel's column units): Chinese takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_height(text: str, column_width: int, line: float = 13.5) -> float | None:
    """The row height that shows all of `text` wrapped in a column, or None for one line."""
    lines = -(-display_width(text) // max(column_width - 1, 1))
    return line * lines if lines > 1 else None
