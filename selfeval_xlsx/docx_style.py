"""Chinese official-document formatting for python-docx: fonts, headings, A4, page numbers.

Every text passes textgate.xml_text: python-docx refuses \x0b or U+FFFE with ValueError.

Fonts are named with fallbacks in mind: 仿宋_GB2312 and 方正小标宋简体 are what
government templates ask for; Word falls back to 仿宋/宋体 where they are missing.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Length, Pt
from docx.text.run import Run

from .textgate import xml_text

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
BODY_SIZE = Pt(16)     # 三号
TABLE_SIZE = Pt(10.5)  # 五号


def _font(run: Run, name: str, size: Length, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)


def new_document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_numbers(section)
    return doc


def _page_numbers(section: Section) -> None:
    """— 1 — centred in the footer, as official documents number their pages."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), TABLE_FONT, Pt(14))
    run = p.add_run()
    _font(run, TABLE_FONT, Pt(14))
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _font(p.add_run(" —"), TABLE_FONT, Pt(14))


def title(doc: DocxDocument, *lines: str) -> None:
    for line in lines:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(6)
        _font(p.add_run(xml_text(line)), TITLE_FONT, Pt(22))
    doc.add_paragraph()


def heading(doc: DocxDocument, text: str, level: int = 1) -> None:
    """一、… in 黑体, （一）… in 楷体, both at body size, as GB/T 9704 lays them out."""
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(32)
    _font(p.add_run(xml_text(text)), HEADING_FONT if level == 1 else SUBHEADING_FONT, BODY_SIZE, bold=level == 2)


def para(doc: DocxDocument, text: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(32)  # two characters
    p.paragraph_format.line_spacing = Pt(28)
    _font(p.add_run(xml_text(text)), BODY_FONT, BODY_SIZE)


def table(doc: DocxDocument, headers: list[str], rows: list[list[str]],
          align_right: AbstractSet[int] = frozenset()) -> None:
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, headers):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(xml_text(text)), TABLE_FONT, TABLE_SIZE, bold=True)
    for row in rows:
        cells = t.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row)):
            cell.paragraphs[0].alignment = (WD_ALIGN_PARAGRAPH.RIGHT if i in align_right
                                            else WD_ALIGN_PARAGRAPH.CENTER)
            _font(cell.paragraphs[0].add_run(xml_text(text)), TABLE_FONT, TABLE_SIZE)
    doc.add_paragraph()
