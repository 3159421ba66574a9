"""The district's list of units expected to report: a text file or a workbook."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from .errors import RosterError
from .grid import WorkbookError, load_sheets, sniff

_HEADERS = {"单位名称", "单位", "名称", "预算单位", "单位全称"}


def norm_unit(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _from_text(data: bytes) -> list[str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError("名单文件既不是 UTF-8 也不是 GBK 编码的文本")
    return [line.strip() for line in text.splitlines()]


def _from_workbook(data: bytes) -> list[str]:
    try:
        sheets = load_sheets(data)
    except WorkbookError as e:
        raise RosterError(f"名单工作簿无法读取：{e}") from None
    if not sheets:
        return []
    first = sheets[0]
    column = min((c for _, c, _ in first.nonempty()), default=first.left)
    return [str(first.get(r, column)).strip() for r in range(first.top, first.bottom)]


def load_roster(path: str | Path) -> list[str]:
    """Unit names in file order, without blanks, headers or repeats."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise RosterError(f"无法读取名单文件 {p}：{e.strerror or e}") from None
    names = _from_workbook(data) if sniff(data) in ("xlsx", "xlsb", "xls", "ods") else _from_text(data)
    out, seen = [], set()
    for name in names:
        key = norm_unit(name)
        if not key or key in _HEADERS or key in seen:
            continue
        seen.add(key)
        out.append(name)
    if not out:
        raise RosterError(f"名单文件 {p} 中没有单位名称（每行一个单位）")
    return out
