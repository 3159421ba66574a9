"""Looking inside the zip before any parser allocates for it.

An .xlsx/.ods is a zip of XML parts. Its central directory declares every part's
sizes, and each worksheet starts with a <dimension> that says how far its cells reach.
Reading those costs a few kilobytes, so a zip bomb, thousands of sheets, a sheet that
claims a million rows, or an XML part that declares entities is refused here, with
a finding, before python-calamine would try to allocate for it. What slips through
(sizes that lie) is caught by the worker's memory limit instead.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * 1024 * 1024          # a street office's workbook is well under 1 MB
    unpacked_bytes: int = 300 * 1024 * 1024
    ratio: int = 200                             # unpacked / packed, for parts over 1 MB
    entries: int = 5000
    sheets: int = 300
    cells: int = 2_000_000                       # rows × columns a sheet may span
    memory_bytes: int = 384 * 1024 * 1024        # address space of one reading worker
    seconds: float = 60.0                        # time to read one file


LIMITS = Limits()
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# The XML parts a workbook reader parses: .xlsx workbook, rels, strings, styles and
# sheets; .ods content and styles.
_PARSED = re.compile(r"^(\[Content_Types\]\.xml|_rels/\.rels|xl/(workbook\.xml|_rels/workbook\.xml\.rels"
                     r"|sharedStrings\.xml|styles\.xml|worksheets/[^/]+\.xml)|content\.xml|styles\.xml)$")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    fatal: bool = True


def inspect_zip(data: bytes, limits: Limits = LIMITS, z: zipfile.ZipFile | None = None) -> list[Problem]:
    """Problems with a zip-based workbook's container; fatal ones mean: do not parse.
    `z`: the bytes already opened as a zip."""
    try:
        z = z if z is not None else zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []  # not ours to judge: the parser will say it is corrupt
    problems: list[Problem] = []
    if len(infos) > limits.entries:
        return [Problem("F108", f"压缩包内有 {len(infos)} 个部件，超过上限 {limits.entries}")]
    total = sum(i.file_size for i in infos)
    if total > limits.unpacked_bytes:
        return [Problem("F108", f"解压后共 {total // 1024 // 1024} MB，超过上限 "
                                f"{limits.unpacked_bytes // 1024 // 1024} MB（疑似“压缩炸弹”）")]
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > limits.ratio * max(i.compress_size, 1):
            return [Problem("F108", f"部件 {i.filename} 压缩比 {i.file_size // max(i.compress_size, 1)}:1，"
                                    f"远超正常表格（疑似“压缩炸弹”）")]
    sheets = [i for i in infos if _WORKSHEET.match(i.filename)]
    if len(sheets) > limits.sheets:
        return [Problem("F109", f"工作簿有 {len(sheets)} 张工作表，超过上限 {limits.sheets}")]
    for i in infos:
        if not _PARSED.match(i.filename):
            continue  # parts no reader parses (document properties, themes, printer settings)
        head = _head(data, z, i)
        if _ENTITY.search(head):
            return [Problem("F111", f"部件 {i.filename} 含 XML 实体声明（DOCTYPE/ENTITY）")]
        if i in sheets:
            m = _DIMENSION.search(head)
            if m and m.group(3):
                rows = int(m.group(4)) - int(m.group(2)) + 1
                cols = _col_number(m.group(3)) - _col_number(m.group(1)) + 1
                if rows * cols > limits.cells:
                    last = f"{m.group(3).decode()}{m.group(4).decode()}"
                    problems.append(Problem(
                        "F110", f"工作表部件 {i.filename} 的数据范围延伸到 {last}（{rows} 行 × {cols} 列），"
                                f"远超自评表的大小"))
    if "xl/vbaProject.bin" in {i.filename for i in infos}:
        problems.append(Problem("F112", "工作簿含有宏（VBA）；只读取数值，宏不会被运行", fatal=False))
    return problems


_LOCAL_HEADER = struct.Struct("<4s22xHH")   # signature … file name length, extra field length


def _head(data: bytes, z: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 4096) -> bytes:
    """The start of a part: its XML prolog (where a DOCTYPE must stand) and, for a
    worksheet, the <dimension> element, which writers put right after <sheetPr>.

    A part is inflated straight from the bytes in memory (a sixth of what opening
    it through zipfile costs, and this runs for every part of every file); anything
    unusual (encrypted, another compression, a header that does not add up) goes
    through zipfile."""
    try:
        signature, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, info.header_offset)
        if signature == b"PK\x03\x04" and not info.flag_bits & 1:
            start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
            # 64 KB of deflate holds far more than `size` bytes of XML.
            raw = data[start:start + min(info.compress_size, 65536)]
            if info.compress_type == zipfile.ZIP_DEFLATED:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, size)
            if info.compress_type == zipfile.ZIP_STORED:
                return raw[:size]
    except (struct.error, zlib.error):
        pass
    try:
        with z.open(info) as fh:
            return fh.read(size)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return b""
