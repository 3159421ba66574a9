"""Checks of a written workbook's worksheet XML that validators do not make."""
from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree as ET

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_paths(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted((n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                      key=lambda n: int(re.sub(r"\D", "", n)))


def check_rows(path) -> dict[str, int]:
    """Asserts every worksheet parses, its rows are numbered upwards without repeats,
    every <c r> names its own row and columns go left to right, no text is over
    Excel's 32,767 characters and no row is taller than 409 points. Returns rows per sheet."""
    counts = {}
    with zipfile.ZipFile(path) as z:
        for name in sheet_paths(path):
            root = ET.fromstring(z.read(name))   # raises on ill-formed XML
            last = 0
            rows = root.iter(f"{NS}row")
            n = 0
            for row in rows:
                r = int(row.get("r"))
                assert r > last, f"{name}: row {r} after row {last}"
                last, n = r, n + 1
                if row.get("ht"):
                    assert float(row.get("ht")) <= 409, f"{name}: row {r} is {row.get('ht')} pt"
                col = 0
                for c in row.iter(f"{NS}c"):
                    m = re.fullmatch(r"([A-Z]+)(\d+)", c.get("r"))
                    assert m and int(m.group(2)) == r, f"{name}: cell {c.get('r')} in row {r}"
                    letters = 0
                    for ch in m.group(1):
                        letters = letters * 26 + ord(ch) - 64
                    assert letters > col, f"{name}: cell {c.get('r')} out of order"
                    col = letters
                    for t in c.iter(f"{NS}t"):
                        assert len(t.text or "") <= 32_767, f"{name}: {c.get('r')} too long"
            counts[name] = n
    return counts


def data_rows_contiguous(path, sheet_path: str, first: int) -> None:
    """Rows of a table from its header row `first` on are numbered first, first+1, …"""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read(sheet_path))
    numbers = [int(r.get("r")) for r in root.iter(f"{NS}row") if int(r.get("r")) >= first]
    assert numbers == list(range(first, first + len(numbers))), sheet_path
