"""Workbook bytes → sheets of cells at their true coordinates.

python-calamine reads .xlsx .xlsm .xls .xlsb .ods; given the bytes rather than a path
it goes by the content, so an .xls renamed .xlsx still reads. It trims the leading
empty area, so each sheet keeps its offset: every A1 reference we report is the
cell the clerk sees.
"""
from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import python_calamine as pc


class WorkbookError(Exception):
    """The bytes are not a workbook we can read; `code` names the finding."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@functools.lru_cache(maxsize=1024)
def col_letters(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


@functools.lru_cache(maxsize=65536)
def a1(row: int, col: int) -> str:
    """0-based (row, col) → A1 reference (cached: a form's cells repeat file after file)."""
    return f"{col_letters(col)}{row + 1}"


def open_zip(data: bytes) -> zipfile.ZipFile | None:
    """The bytes as a zip (an .xlsx, .xlsb or .ods), or None."""
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def sniff(data: bytes, z: zipfile.ZipFile | None = None) -> str:
    """The workbook format by content: xlsx (also xlsm/xlsb), ods, xls, or '' if none.
    `z`: the bytes already opened by open_zip."""
    if data[:4] == b"PK\x03\x04":
        z = z or open_zip(data)   # in memory: nothing to close
        try:
            names = set(z.namelist()) if z else set()
            if z and "mimetype" in names and b"opendocument.spreadsheet" in z.read("mimetype"):
                return "ods"
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "[Content_Types].xml" in names:
                return "xlsx"
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return "zip"
        return "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # OLE2 holds legacy Excel, or a password-protected xlsx in an EncryptedPackage stream.
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "encrypted"
        return "xls"
    return ""


# A cell's value as python-calamine gives it (str, float, int, bool, date, datetime,
# time, timedelta; "" when empty). Any: the readers dispatch on the exact type
# (type(v) is float) for speed, which mypy does not follow.
Cell = Any


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    top: int = 0
    left: int = 0
    visible: bool = True
    # Merged ranges as ((row1, col1), (row2, col2)); .ods files do not report them.
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Built on first use: first column → (first row, last row, last column) of the
        # ranges starting in that column, in the sheet's order. A form asks a few times
        # per sheet, so an index by column beats one by every merged cell.
        self._by_column: dict[int, list[tuple[int, int, int]]] | None = None
        self.bottom = self.top + len(self.rows)
        self.right = self.left + max(map(len, self.rows), default=0)

    def merge_end(self, row: int, col: int) -> int:
        """The last column of the merged range whose left column holds (row, col), else col."""
        if self._by_column is None:
            by_column: dict[int, list[tuple[int, int, int]]] = {}
            # (Ranges over 100 rows last, as before: only overlapping ranges, which no
            # spreadsheet writes, could tell the difference. Two passes, not a sort with
            # a key function: a form has dozens of merged ranges.)
            tall = []
            for (r1, c1), (r2, c2) in self.merged:
                if r2 - r1 > 100:
                    tall.append((r1, c1, r2, c2))
                else:
                    by_column.setdefault(c1, []).append((r1, r2, c2))
            for r1, c1, r2, c2 in tall:
                by_column.setdefault(c1, []).append((r1, r2, c2))
            self._by_column = by_column
        for r1, r2, c2 in self._by_column.get(col, ()):
            if r1 <= row <= r2:
                return c2
        return col

    def get(self, row: int, col: int) -> Cell:
        r, c = row - self.top, col - self.left
        if 0 <= r < len(self.rows):
            line = self.rows[r]
            if 0 <= c < len(line):
                return line[c]
        return ""

    def values(self, row: int, cols: Iterable[int]) -> list[Cell]:
        """get(row, c) for each of `cols`, in one call (a form reads its blocks row by row)."""
        r = row - self.top
        line = self.rows[r] if 0 <= r < len(self.rows) else []
        left, n = self.left, len(line)
        return [line[c - left] if 0 <= c - left < n else "" for c in cols]

    def nonempty(self) -> Iterator[tuple[int, int, Cell]]:
        """(row, col, value) of every non-empty cell, row by row."""
        for r, line in enumerate(self.rows, start=self.top):
            for c, v in enumerate(line, start=self.left):
                if v != "" and v is not None:
                    yield r, c, v


def _keep_all(name: str, visible: bool) -> bool:
    return False


def load_sheets(data: bytes, skip: Callable[[str, bool], bool] = _keep_all) -> list[Sheet]:
    """The worksheets of a workbook, in order, but those `skip(name, visible)` names
    (which are never parsed). Raises WorkbookError."""
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise WorkbookError("F102", "文件设有打开密码，无法读取") from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as e:
        raise WorkbookError("F101", f"文件已损坏或不是电子表格（{type(e).__name__}）") from None
    sheets = []
    try:
        for meta in wb.sheets_metadata:
            visible = meta.visible == pc.SheetVisibleEnum.Visible
            if meta.typ != pc.SheetTypeEnum.WorkSheet or skip(meta.name, visible):
                continue
            ws = wb.get_sheet_by_name(meta.name)
            start = ws.start or (0, 0)
            rows = ws.to_python() if ws.start is not None else []
            sheets.append(Sheet(meta.name, rows, start[0], start[1], visible,
                                list(ws.merged_cell_ranges or ())))
    except pc.PasswordError:
        raise WorkbookError("F102", "文件设有打开密码，无法读取") from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as e:
        raise WorkbookError("F101", f"文件内容已损坏（{type(e).__name__}）") from None
    finally:
        wb.close()
    return sheets
