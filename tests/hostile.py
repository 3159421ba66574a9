"""A corpus of broken and hostile files, generated here (nothing is downloaded)."""
from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import xlsxwriter

from tests.forms import convert, filled_template

SHEET = "xl/worksheets/sheet1.xml"
BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                    b"</sheetData></worksheet>")


def _rewrite(src: bytes, change) -> bytes:
    """A copy of a zip with `change(name, data)` applied to each part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return out.getvalue()


def far_value(path: Path, keep_dimension: bool) -> Path:
    """A 5 KB workbook with one value at XFD1048576: calamine would try to allocate ~550 GB."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("项目1")
    ws.write(0, 0, "项目名称")
    ws.write(1048575, 16383, 1)
    wb.close()
    if not keep_dimension:
        data = _rewrite(path.read_bytes(),
                        lambda n, d: re.sub(rb"<dimension[^>]*/>", b"", d) if n == SHEET else d)
        path.write_bytes(data)
    return path


def zip_bomb(path: Path, template: bytes, inflated: int = 1 << 30, part: str = SHEET) -> Path:
    """About 1 MB on disk, `inflated` bytes of XML once unpacked (in `part`)."""
    with zipfile.ZipFile(io.BytesIO(template)) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            if info.filename != part:
                z.writestr(info.filename, src.read(info))
        with z.open(part, "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main"><sheetData>')
            chunk = b" " * (1 << 20)
            for _ in range(inflated >> 20):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    return path


def lying_bomb(path: Path, template: bytes) -> Path:
    """A part whose central directory claims 2 KB but which inflates to 256 MB: the
    first project sheet of our template (sheet3: after 填报说明 and 单位信息)."""
    part = "xl/worksheets/sheet3.xml"
    zip_bomb(path, template, inflated=256 << 20, part=part)
    data = bytearray(path.read_bytes())
    # Patch the declared uncompressed size of the sheet in the zip64 extra fields to 2048.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        real = z.getinfo(part).file_size
    for width in (8, 4):  # zip64 extra fields, and the central directory's own fields
        needle = real.to_bytes(width, "little")
        for m in re.finditer(re.escape(needle), bytes(data)):
            data[m.start():m.start() + width] = (2048).to_bytes(width, "little")
    path.write_bytes(bytes(data))
    return path


def entity_expansion(path: Path, template: bytes) -> Path:
    path.write_bytes(_rewrite(template, lambda n, d: BILLION_LAUGHS if n == SHEET else d))
    return path


def many_sheets(path: Path, n: int = 2000) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    for i in range(n):
        wb.add_worksheet(f"S{i}")
    wb.close()
    return path


def enormous_sheet(path: Path) -> Path:
    """A sheet whose data really spans 200,000 rows × 30 columns (a pasted database dump)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("项目1")
    ws.write(0, 0, "项目名称")
    for r in range(1, 200_000, 997):
        ws.write(r, 29, r)
    ws.write(199_999, 29, 1)
    wb.close()
    return path


def macro_workbook(path: Path, template: bytes) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info.filename, zin.read(info))
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nShell \"calc\"\nEnd Sub")
    path.write_bytes(out.getvalue())
    return path


def encrypted(path: Path, template: bytes) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(template)).encrypt("123456", out)
    path.write_bytes(out.getvalue())
    return path


def docx_renamed(path: Path) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", "<w:document/>")
    path.write_bytes(out.getvalue())
    return path


def build_corpus(folder: Path, good: dict[str, list[dict]]) -> dict[str, str]:
    """Writes good units and every hostile case into `folder`.

    Returns {file name as we report it: the code its finding must carry, or '' for a
    file that must be read normally, or 'skip' for a file that must be skipped}.
    """
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[str, str] = {}
    for name, (unit, projects) in good.items():
        filled_template(folder / name, [dict(p, unit=unit) for p in projects], unit=unit)
        expect[name] = ""
    scratch = folder.parent / (folder.name + "-scratch")
    scratch.mkdir(exist_ok=True)
    projects = next(iter(good.values()))[1]

    def unit_file(unit: str) -> Path:
        return filled_template(scratch / f"{unit}.xlsx", [dict(p, unit=unit) for p in projects], unit=unit)

    template = unit_file("模板街道办事处").read_bytes()

    def add(name: str, code: str, data: bytes | None = None):
        if data is not None:
            (folder / name).write_bytes(data)
        expect[name] = code

    add("空文件.xlsx", "F101", b"")
    add("不是表格.xlsx", "F101", "这是一段文字，不是表格。".encode())
    add("PDF改名.xlsx", "F101", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")
    add("截断.xlsx", "F101", template[: len(template) // 2])
    add("Word改名.xlsx", "F101", docx_renamed(scratch / "w.docx").read_bytes())
    encrypted(folder / "有密码.xlsx", template); add("有密码.xlsx", "F102")
    entity_expansion(folder / "实体炸弹.xlsx", template); add("实体炸弹.xlsx", "F111")
    many_sheets(folder / "两千张表.xlsx"); add("两千张表.xlsx", "F109")
    far_value(folder / "远处一个值.xlsx", keep_dimension=True); add("远处一个值.xlsx", "F110")
    far_value(folder / "远处一个值无范围.xlsx", keep_dimension=False); add("远处一个值无范围.xlsx", "F113")
    enormous_sheet(folder / "巨大工作表.xlsx"); add("巨大工作表.xlsx", "F110")
    zip_bomb(folder / "压缩炸弹.xlsx", template); add("压缩炸弹.xlsx", "F108")
    lying_bomb(folder / "谎报大小的压缩包.xlsx", template); add("谎报大小的压缩包.xlsx", "F101|F103|F113")
    macro_workbook(folder / "含宏.xlsm", unit_file("丙街道办事处").read_bytes()); add("含宏.xlsm", "F112")
    legacy = convert(unit_file("丁街道办事处"), "xls", scratch)
    add("旧格式改名.xlsx", "F105", legacy.read_bytes())
    for junk in ("~$中山东路街道办事处.xlsx", ".~lock.建北.xlsx#", "Thumbs.db", "desktop.ini", ".DS_Store",
                 "说明.docx"):
        add(junk, "skip", b"junk")
    os.symlink(folder, folder / "循环链接")
    expect["循环链接"] = "skip"
    os.symlink(folder / "不存在.xlsx", folder / "断开的链接.xlsx")
    expect["断开的链接.xlsx"] = "skip"
    # A name that is not valid UTF-8 (GBK from some zip tools): reported with its bytes escaped,
    # so that two such names stay two names.
    with open(os.path.join(os.fsencode(folder), b"\xb2\xe2\xca\xd4.xlsx"), "wb") as fh:
        fh.write(b"not a workbook")
    expect["\\xb2\\xe2\\xca\\xd4.xlsx"] = "F101"
    return expect
