"""Worksheet rows as SpreadsheetML text, for rows too many for xlsxwriter's pace.

The contract between the reading workers, the spool and the summary writer, all here:

- Styles: a cell's style is an xf index. STYLE_INDEX gives each kind of cell (STYLES
  order, from 1: xf 0 is Excel's default) its index; the writer registers its formats
  in that order first and checks it got those indices (summary_xlsx._Formats), so the
  workers can render rows before the workbook exists.
- Row numbers: a rendered row (row_xml) has ROW_MARK where its number goes, in <row r>
  and in every <c r>; number_rows puts the numbers in as the writer places the rows.
- Storage: rendered rows are kept one a line (join_rows / split_rows). escape() never
  leaves a raw line break in a row, so a typed Alt+Enter cannot split one.
- Text: every string goes through the text gate (textgate.cell) in escape(), and is
  always an inline string: nothing a clerk typed can become a formula.
- Links: a cell that will carry a hyperlink is rendered in the LINK style
  (link_cells); past Excel's limit the writer takes the style off again (unlink). The
  <hyperlinks> element and relationships are the writer's: it knows the row numbers.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import repeat
from typing import Any, NamedTuple, cast

from . import textgate
from .grid import col_letters

TEXT, WRAP, AMOUNT, SCORE, RATE, INT, LINK = "text", "wrap", "amount", "score", "rate", "int", "link"
STYLES = (TEXT, WRAP, AMOUNT, SCORE, RATE, INT, LINK)
STYLE_INDEX = {k: i + 1 for i, k in enumerate(STYLES)}   # xf 0 is Excel's default
ROW_MARK = "\x00"   # an XML-invalid character, so never part of escaped text
ROW_MARK_BYTES = ROW_MARK.encode()

# Every text escape() had the gate change, in this process: rows.FileTables.store looks
# for its file's texts here (only when there are any) to say so in a finding.
GATED: set[str] = set()
_NEEDS_ESCAPE = re.compile(r"[&<>\n\r]|_x[0-9a-fA-F]{4}_")


@functools.lru_cache(maxsize=16384)
def escape(value: str) -> str:
    """Cell text as Excel stores it, after the text gate (textgate.cell: characters
    XML cannot hold marked, at most 32,767 characters): XML-escaped, a literal
    _xHHHH_ guarded as Excel does, a carriage return as _x000D_ (as Excel and
    xlsxwriter write it; a raw one would be read as a line feed) and a line feed as
    a character reference, so a rendered row never holds a raw line break — the
    spool stores rows one a line. Cached: names repeat row after row."""
    gated = textgate.cell(value)
    if gated is not value:
        GATED.add(value)
        value = gated
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = re.sub(r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "_x000D_").replace("\n", "&#10;")


_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\n": "&#10;", "\r": "&#13;", "\t": "&#9;",
                               # not allowed in XML at all, even as references
                               **{chr(c): "\ufffd" for c in range(32) if c not in (9, 10, 13)}})


_ATTR_SPECIAL = re.compile('[&<>"\x00-\x1f]')


def attr(value: str) -> str:
    """A double-quoted XML attribute value (xml.sax.saxutils.quoteattr would also do,
    but importing it pulls in urllib and ssl: 20 ms of every run's start)."""
    value = textgate.xml_text(value)
    if _ATTR_SPECIAL.search(value) is None:
        return f'"{value}"'
    return f'"{value.translate(_ATTR_ESCAPES)}"'


class CellFormat(NamedTuple):
    """The opening tags of one column's cells, row number left as ROW_MARK. (A named
    tuple: link_cells is cached on a row's formats, and a tuple hashes in C.)"""
    text: str      # an inline string
    spaced: str    # an inline string whose edges are blanks Excel must keep
    number: str


@functools.lru_cache(maxsize=1024)
def cell_format(col: int, style: int) -> CellFormat:
    ref = f'<c r="{col_letters(col)}{ROW_MARK}" s="{style}"'
    return CellFormat(f'{ref} t="inlineStr"><is><t>', f'{ref} t="inlineStr"><is><t xml:space="preserve">',
                      f"{ref}><v>")


def cells_for(styles: list[int]) -> list[CellFormat]:
    """The cell formats of a row whose columns have these styles."""
    return [cell_format(c, s) for c, s in enumerate(styles)]


@functools.lru_cache(maxsize=64)
def link_cells(cells: tuple[CellFormat, ...], col: int) -> tuple[CellFormat, ...]:
    """`cells` with column `col` in the link style: a cell that will carry a hyperlink."""
    return (*cells[:col], cell_format(col, STYLE_INDEX[LINK]), *cells[col + 1:])


@functools.lru_cache(maxsize=64)
def _link_tags(col: int, plain_style: int) -> tuple[bytes, bytes]:
    tag = f'<c r="{col_letters(col)}{ROW_MARK}" s="'
    return f"{tag}{STYLE_INDEX[LINK]}".encode(), f"{tag}{plain_style}".encode()


def unlink(xml: bytes, col: int, plain_style: int) -> bytes:
    """A rendered row (ROW_MARK still in it) whose link cell in `col` is to carry no
    link after all: it goes back to the column's plain style. A province has a
    hundred thousand such rows past Excel's hyperlink limit."""
    return xml.replace(*_link_tags(col, plain_style), 1)


def number_rows(rows: list[bytes], first: int) -> bytes:
    """Rendered rows (ROW_MARK for the row number) numbered first, first + 1, …"""
    return b"".join([row.replace(ROW_MARK_BYTES, b"%d" % n) for row, n in zip(rows, range(first, first + len(rows)))])


_TEXT_END, _NUMBER_END, _BLANKS = "</t></is></c>", "</v></c>", " \t\n"
_ROW_OPEN, ROW_END = f'<row r="{ROW_MARK}">', "</row>"
_ROW_OPEN_BYTES, _ROW_END_BYTES = _ROW_OPEN.encode(), ROW_END.encode()


def row_open(height: float | None) -> str:
    """A rendered row's opening tag: with its height in points, or without one."""
    return f'<row r="{ROW_MARK}" ht="{height:g}" customHeight="1">' if height else _ROW_OPEN


def row_xml(n: str, cells: Sequence[CellFormat], values: Iterable[Any], height: float | None = None) -> str:
    """One <row>. It runs once per row of a province's tables, so it dispatches on
    the exact type and joins pre-built tags. Text is always an inline string: nothing
    a clerk typed can become a formula. `height` (points) is for wrapped text:
    spreadsheet programs do not grow a stored row to fit it."""
    out = [row_open(height)]
    add = out.append
    for cell, v in zip(cells, values):
        t = type(v)
        if t is str:
            if v:
                add(cell.spaced if v[0] in _BLANKS or v[-1] in _BLANKS else cell.text)
                add(escape(v))
                add(_TEXT_END)
        elif v is None:
            continue
        elif t is Decimal:
            add(cell.number)
            add(str(v))
            add(_NUMBER_END)
        elif t is int or (t is float and v - v == 0):   # a float that is neither inf nor nan
            add(cell.number)
            add(repr(float(v)))
            add(_NUMBER_END)
        else:
            add(cell.text)
            add(escape(str(v)))
            add(_TEXT_END)
    add(ROW_END)
    xml = "".join(out)
    return xml if n == ROW_MARK else xml.replace(ROW_MARK, n)


# --- a block of rows, column by column (what a reading worker stores) -------------------
#
# A worker renders a file's rows a column at a time, as UTF-8: each distinct text of a
# column once (a file's unit, project, file and sheet names repeat on every indicator
# row), and a column of texts that need neither the gate nor escaping, or of decimals,
# in a few C-speed passes: joined with a separator, encoded, split, tags joined around
# them. The bytes are those row_xml's rows encode to (tests/test_sheetxml.py).

_SEP = "\x01"   # XML-illegal: in no text that passes the gate unchanged, and in no tag
_SEP_BYTES = _SEP.encode()
# A character the gate marks (textgate._XML_ILLEGAL, less _SEP: _plain counts that) or
# escape() changes (_NEEDS_ESCAPE, less _xHHHH_, which _plain looks for apart: a regex of
# alternatives tries each at every character, a class alone is a fast scan).
_MARKED_OR_ESCAPED = re.compile("[\x00\x02-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff&<>\n\r]")
_HEX_LITERAL = re.compile("_x[0-9a-fA-F]{4}_")


def _plain(joined: str, count: int) -> bool:
    """Whether `count` texts joined by _SEP all render as they are: in a cell as they
    were typed (the gate and escape() change nothing, no blank at an edge)."""
    return (joined.count(_SEP) == count - 1 and not _MARKED_OR_ESCAPED.search(joined)
            and ("_x" not in joined or not _HEX_LITERAL.search(joined))
            and joined[0] not in " \t" and joined[-1] not in " \t"
            and not any(blank in joined for blank in (" \x01", "\t\x01", "\x01 ", "\x01\t")))


_STR = {str}
_DECIMAL = {Decimal}


def cell_xml(cell: CellFormat, v: Any) -> str:
    """One cell as row_xml renders it ("" for None and empty text)."""
    t = type(v)
    if t is str:
        return text_cell(cell, v)
    if v is None:
        return ""
    if t is Decimal:
        return f"{cell.number}{v!s}{_NUMBER_END}"
    if t is int or (t is float and v - v == 0):
        return f"{cell.number}{float(v)!r}{_NUMBER_END}"
    return f"{cell.text}{escape(str(v))}{_TEXT_END}"


def text_cell(cell: CellFormat, v: str) -> str:
    """A text cell as row_xml renders it ("" for empty text)."""
    if not v:
        return ""
    return f"{cell.spaced if v[0] in _BLANKS or v[-1] in _BLANKS else cell.text}{escape(v)}{_TEXT_END}"


def _around(pre: str, parts: list[bytes], end: str) -> list[bytes]:
    """Each part between the tags `pre` and `end`: one join and one split of bytes."""
    pre_b, end_b = pre.encode(), end.encode()
    return (pre_b + (end_b + _SEP_BYTES + pre_b).join(parts) + end_b).split(_SEP_BYTES)


def column_cells(cell: CellFormat, values: Sequence[Any]) -> list[bytes]:
    """One column of a block of rows, each value rendered (UTF-8) as row_xml renders it."""
    cells = text_cells(cell, values)
    return [cell_xml(cell, v).encode("utf-8", "replace") for v in values] if cells is None else cells


def text_cells(cell: CellFormat, values: Sequence[Any]) -> list[bytes] | None:
    """column_cells of a column of texts (and None), each distinct text rendered once;
    None for a column holding anything else. Texts are told by the distinct values'
    types: no value of another type equals a text (only a str subclass could, and the
    spool's marshal refuses those), so none hides behind one."""
    try:
        distinct = dict.fromkeys(values)
    except TypeError:   # an unhashable value
        return None
    distinct.pop(None, None)
    distinct.pop("", None)
    if not set(map(type, distinct)) <= _STR:
        return None
    texts = list(distinct)
    joined = _SEP.join(texts)
    if texts and _plain(joined, len(texts)) and (len(joined) <= textgate.CELL_LIMIT
                                                 or max(map(len, texts)) <= textgate.CELL_LIMIT):
        cells = _around(cell.text, joined.encode().split(_SEP_BYTES), _TEXT_END)
    else:
        cells = [text_cell(cell, v).encode("utf-8", "replace") for v in texts]
    rendered: dict[str | None, bytes] = dict(zip(texts, cells))
    rendered[None] = rendered[""] = b""
    return list(map(rendered.__getitem__, values))


def number_cells(cell: CellFormat, texts: Sequence[str | None]) -> list[bytes]:
    """A column of decimals given as their str() (None for none), rendered as row_xml
    renders the decimals: the spool stores the same texts (TableSchema.pack)."""
    if None in texts:
        return [f"{cell.number}{s}{_NUMBER_END}".encode() if s is not None else b"" for s in texts]
    numbers = cast("Sequence[str]", texts)   # none is None
    return _around(cell.number, _SEP.join(numbers).encode().split(_SEP_BYTES), _NUMBER_END) if numbers else []


def join_columns(columns: Iterable[list[bytes]], count: int) -> bytes:
    """`count` rows from their columns' rendered cells (column_cells, number_cells),
    as join_rows(row_xml(ROW_MARK, …) for each row) stores them."""
    filled = [c for c in columns if any(c)]   # a column empty on every row adds nothing
    return b"\n".join(map(b"".join, zip([_ROW_OPEN_BYTES] * count, *filled, repeat(_ROW_END_BYTES))))


def join_rows(rows: Iterable[str]) -> bytes:
    """Rendered rows (row_xml) as one block for the spool: one a line. A rendered row
    never holds a raw line break (escape writes a typed one as &#10;), so the line
    breaks are the row boundaries."""
    return "\n".join(rows).encode("utf-8", "replace")


def split_rows(block: bytes) -> list[bytes]:
    """join_rows's rows back, as UTF-8."""
    return block.split(b"\n") if block else []


@functools.lru_cache(maxsize=1)
def _wide() -> re.Pattern[str]:
    """A character class of the Basic Multilingual Plane's wide and full-width
    characters (Chinese among them), built once from the Unicode tables: measuring a
    province's texts one character at a time in Python would dominate writing them."""
    ranges, start = [], None
    for cp in range(0x10001):   # U+10000 is outside the plane and closes the last range
        wide = cp < 0x10000 and unicodedata.east_asian_width(chr(cp)) in "WF"
        if wide and start is None:
            start = cp
        elif not wide and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
            start = None
    return re.compile(f"[{''.join(ranges)}]+")   # runs: display_width counts them by removing them


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def display_width(text: str) -> int:
    """Width in character cells (a terminal's, or Excel's column units): Chinese takes two."""
    if text.isascii() and text:   # known without a scan (the string's own flag); "" builds
        return len(text)          # the table below, which is how pool.py has it built early
    width = 2 * len(text) - len(_wide().sub("", text))   # each wide character once more
    for ch in _ASTRAL.findall(text):   # rare: rare characters and emoji
        width += unicodedata.east_asian_width(ch) in "WF"
    return width


def wrapped_height(text: str, column_width: int, line: float = 13.5) -> float | None:
    """The row height that shows all of `text` wrapped in a column (each typed line
    break starts a line), or None for one line; at most Excel's 409 points."""
    per_line = max(column_width - 1, 1)
    if "\n" in text:
        lines = sum(max(1, -(-display_width(part) // per_line)) for part in text.split("\n"))
    else:
        lines = -(-display_width(text) // per_line)
    return textgate.row_height(line * lines) if lines > 1 else None
