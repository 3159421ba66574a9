"""How the summary's sheets print: legible, and saying what they are.

A reviewer prints 项目明细 (19 columns) and 指标明细 (16). Squeezed to one page width
they printed at about 5 pt. Here each sheet gets the smallest paper that holds its
columns at a scale of at least MIN_SCALE (10 pt text prints at 8 pt or larger): A4
landscape, else A3 landscape; a table wider than A3 at that scale is printed in
page-wide groups of columns, its key columns (unit and project) repeated on each.
Every page's header names the district, the year and the sheet.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

from . import textgate

MIN_SCALE = 80        # percent: 10 pt cells print at 8 pt
MARGIN = 0.3          # inches, left and right
A4, A3 = 9, 8         # Excel's paper size codes
_PAPER_WIDTH = {A4: 11.69, A3: 16.54}   # landscape, inches
_DPI = 96
HEADER_TEXT = 40      # characters of the district's name in a page header


@dataclass(frozen=True)
class Title:
    """What every printed page says it is."""
    district: str = ""
    year: int | None = None


def column_pixels(width: float) -> int:
    """A column's width in pixels as Excel lays it out (Excel's own formula for its units)."""
    return int(width * 7 + 5) if width >= 1 else int(width * 12)


def fit(widths: list[float]) -> tuple[int, int, bool]:
    """(paper, scale in percent, whether the columns need splitting into page groups)."""
    total = sum(column_pixels(w) for w in widths)
    for paper in (A4, A3):
        printable = (_PAPER_WIDTH[paper] - 2 * MARGIN) * _DPI
        scale = min(100, int(100 * printable / total))
        if scale >= MIN_SCALE:
            return paper, scale, False
    return A3, MIN_SCALE, True


def header_text(text: str) -> str:
    """User text in a page header: one line, no controls, `&` doubled (it starts a code)."""
    text = textgate.terminal(str(text)).strip()[:HEADER_TEXT]
    return text.replace("&", "&&")


def page_setup(ws: Worksheet, sheet_name: str, widths: list[float], title: Title, header_row: int = 0,
               key_columns: int = 2) -> None:
    """Paper, scale, repeated header row (and key columns when split), header and footer."""
    paper, scale, split = fit(widths)
    ws.set_landscape()
    ws.set_paper(paper)
    ws.set_print_scale(scale)
    ws.set_margins(left=MARGIN, right=MARGIN, top=0.6, bottom=0.6)
    ws.repeat_rows(header_row)
    if split:
        ws.repeat_columns(0, key_columns - 1)
    year = f"{title.year}年度" if title.year else "年度未知"
    district = header_text(title.district) or "区县未知"
    ws.set_header(f"&L{district}&C{header_text(sheet_name)}&R{year}", {"margin": 0.3})
    ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})
