"""The one gate for text we write: worksheet cells, links, charts, documents, the terminal,
file names.

Anything a person can type reaches us: line breaks (Alt+Enter), control characters,
U+FFFE, 40,000-character cells, `#` and `%` in file names. Each writer passes text
through here, so no writer has its own idea of what is safe:

- XML 1.0 forbids most C0 controls, U+FFFE/U+FFFF and lone surrogates outright (not
  even as character references); they become MARK, a visible replacement character,
  so a reader sees that something was there. Tab, line feed and carriage return stay.
- A cell holds at most 32,767 characters (Excel's limit); longer text is cut and says so.
- A link target is percent-encoded as xlsxwriter (and Excel) do for file links.
- The terminal gets no escape sequences and no control characters at all.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MARK = "\ufffd"
CELL_LIMIT = 32_767        # Excel: characters in one cell
ROW_HEIGHT_LIMIT = 409.0   # Excel: points in one row
FILE_PART_LIMIT = 60       # characters of user text in a file name we make

# Not allowed anywhere in an XML 1.0 document.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Gated:
    """Text made safe to write, and what had to change (for a 提示)."""
    text: str
    replaced: int = 0      # characters that XML cannot hold, now MARK
    cut_from: int = 0      # the original length, when the text was cut

    @property
    def changed(self) -> bool:
        return bool(self.replaced or self.cut_from)

    def note(self) -> str:
        """What happened, in Chinese, for the finding that says so."""
        parts = []
        if self.replaced:
            parts.append(f"{self.replaced} 个无法写入表格的控制字符已替换为“{MARK}”")
        if self.cut_from:
            parts.append(f"原文 {self.cut_from} 字，超过 Excel 单元格上限 {CELL_LIMIT} 字，已截断")
        return "；".join(parts)


def xml_text(text: str) -> str:
    """`text` with every character XML cannot hold replaced by MARK."""
    return _XML_ILLEGAL.sub(MARK, text) if _XML_ILLEGAL.search(text) else text


def cell_text(text: str, limit: int = CELL_LIMIT) -> Gated:
    """Text for one worksheet cell: XML-legal and within Excel's length limit."""
    replaced = len(_XML_ILLEGAL.findall(text))
    if replaced:
        text = _XML_ILLEGAL.sub(MARK, text)
    if len(text) <= limit:
        return Gated(text, replaced)
    tail = f"…（已截断，原文 {len(text)} 字）"
    return Gated(text[:limit - len(tail)] + tail, replaced, len(text))


def cell(text: str) -> str:
    """cell_text's text alone, for writers that have nowhere to report a change."""
    if len(text) <= CELL_LIMIT and not _XML_ILLEGAL.search(text):
        return text
    return cell_text(text).text


def row_height(points: float | None) -> float | None:
    return None if points is None else min(points, ROW_HEIGHT_LIMIT)


# Percent-encoding of a file link's target as xlsxwriter writes it (its url.py), plus
# `#` and `?`, which would otherwise start a location or a query and open another file.
_LINK_ESCAPES = {"%": "%25", '"': "%22", " ": "%20", "<": "%3c", ">": "%3e", "[": "%5b",
                 "]": "%5d", "^": "%5e", "`": "%60", "{": "%7b", "}": "%7d", "#": "%23", "?": "%3f"}
_LINK_TABLE = str.maketrans(_LINK_ESCAPES)


def link_target(path: str) -> str:
    """A relative file path as a hyperlink target (backslashes, as Excel writes them)."""
    return xml_text(path).translate(_LINK_TABLE).replace("/", "\\")


def sheet_location(sheet: str, cell_ref: str) -> str:
    """`'项目1'!C11`: a location inside the linked workbook (quotes doubled)."""
    return f"'{xml_text(sheet).replace(chr(39), chr(39) * 2)}'!{cell_ref}" if sheet and cell_ref else ""


# CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other two-character escapes, then
# any remaining C0/C1 control: a cell's text must not move the cursor or retitle a terminal.
_TERMINAL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"
                       r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal(text: str) -> str:
    """One line for the terminal: no escape sequences, controls or line breaks."""
    text = _TERMINAL.sub("", text.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    return _XML_ILLEGAL.sub(MARK, text)


_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def file_part(text: str, limit: int = FILE_PART_LIMIT, fallback: str = "未命名") -> str:
    """User text as part of a file name: no separators or characters Windows refuses,
    no leading dots (hidden files, `..`), NFC, at most `limit` characters."""
    text = unicodedata.normalize("NFC", xml_text(text)).replace(MARK, "")
    cleaned = _NOT_IN_NAMES.sub("_", text).strip(" .")
    return cleaned[:limit].rstrip(" .") or fallback
