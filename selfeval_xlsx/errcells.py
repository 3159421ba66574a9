"""Error values (#NAME?, #DIV/0!, #REF!) that python-calamine reads as empty cells.

A target typed as `=6个` becomes a formula whose value is #NAME?; calamine hands back ''
for it, so the reader would call a visibly filled cell empty. For .xlsx we look the
cell up in the sheet's XML — only for cells that came back empty where a value is
required, so a well-filled file costs nothing. (.xls and .ods keep no such trace that
calamine exposes; there the cell stays "not filled".)
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.sax.saxutils import unescape

from .layout import RawProject

_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"|<sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_VALUE = re.compile(rb"<v>(.*?)</v>", re.DOTALL)
_FORMULA = re.compile(rb"<f\b[^>]*>(.*?)</f>", re.DOTALL)
# Cells a form needs filled: where an empty reading is worth a second look.
# (Not 总分: our template computes it by formula, which a file saved unrecalculated leaves
# empty without any error.)
_IND_WATCHED = ("target", "actual", "weight", "self_score")
_FUND_WATCHED = ("budget", "executed")   # 年初预算数 is often left blank
_WATCHED = frozenset(_IND_WATCHED + _FUND_WATCHED)


def _text(b: bytes) -> str:
    return unescape(b.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})


def _sheet_path(z: zipfile.ZipFile, name: str) -> str | None:
    book = z.read("xl/workbook.xml")
    rid = None
    for m in _SHEET.finditer(book):
        n, r = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        if _text(n) == name:
            rid = r
            break
    if rid is None:
        return None
    for m in _REL.finditer(z.read("xl/_rels/workbook.xml.rels")):
        i, target = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        if i == rid:
            t = _text(target)
            return t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
    return None


class ErrorCells:
    """The error cells of one .xlsx, read sheet by sheet when first asked for."""

    def __init__(self, data: bytes, z: zipfile.ZipFile | None = None):
        self.data, self.z = data, z
        self.sheets: dict[str, dict[str, tuple[str, str]]] = {}

    def __call__(self, sheet: str) -> dict[str, tuple[str, str]]:
        if sheet not in self.sheets:
            self.sheets[sheet] = self._read(sheet)
        return self.sheets[sheet]

    def _read(self, sheet: str) -> dict[str, tuple[str, str]]:
        try:
            z = self.z or zipfile.ZipFile(io.BytesIO(self.data))
            path = _sheet_path(z, sheet)
            if path is None:
                return {}
            xml = z.read(path)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for m in _CELL.finditer(xml):
            ref, value = _REF.search(m.group(1)), _VALUE.search(m.group(2))
            if ref and value:
                formula = _FORMULA.search(m.group(2))
                out[ref.group(1).decode()] = (_text(value.group(1)), _text(formula.group(1)) if formula else "")
        return out


def _blank(v: object) -> bool:
    return v is None or v == ""


def blank_cells(raw: RawProject) -> bool:
    """Whether any required cell of the form came back empty."""
    # Only the total line of the funds block: the 其中 lines are often left blank.
    # (Plain loops: this runs for every form.)
    for line in raw.indicators:
        for k in _IND_WATCHED:
            cell = line.get(k)
            if cell is not None and (cell[0] == "" or cell[0] is None):
                return True
    total = raw.funds.get("total", {})
    return any(_blank(total[k][0]) for k in _FUND_WATCHED if k in total)


def restore(raw: RawProject, errors: dict[str, tuple[str, str]]) -> None:
    """Puts the error values back where calamine read ''."""
    if not errors:
        return
    for line in [*raw.indicators, raw.funds.get("total", {})]:
        for k, (v, ref) in list(line.items()):
            if k in _WATCHED and _blank(v) and ref in errors:
                line[k] = (errors[ref][0], ref)
