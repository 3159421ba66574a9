"""The 自查 sheet of the template: a status line and, by formula, every open problem of
every project sheet, read from the slots `template_checks` writes on each of them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import form
from .grid import col_letters
from .template_checks import (
    BLOCK_COL,
    BLOCK_WIDTH,
    COUNT_CELL,
    EXTRA_SHEETS,
    IN_USE_CELL,
    LIST_ROWS,
    LOC_COL,
    MAX_CHOICES,
    NAME_CELL,
    Live,
    xl_text,
)

if TYPE_CHECKING:   # xlsxwriter has no type information: these are Any to mypy
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet


def _sheet_ref(name: str) -> str:
    return "'" + name.replace("'", "''") + "'!"


def write_self_check(wb: Workbook, ws: Worksheet, styles: dict[str, Format], sheets: list[str], checks: list[Live], rules_line: str,
                     block_rows: int) -> None:
    """The 自查 sheet: a plain status line, then every open problem of every project sheet.

    Prepared sheets are named directly (Excel and LibreOffice rewrite the references when
    a sheet is renamed, and turn them into #REF! when it is deleted); copies the clerk
    makes are named in the spare rows of the sheet table and reached through INDIRECT.
    The total comes from a 3-D sum over every sheet between 单位信息 and 选项, so a copy
    nobody listed still counts, and the status line says so."""
    first_row = 7                                 # 0-based: row 8 holds problem 1 and sheet 1
    # CHOOSE takes at most 254 choices; sheets beyond are still counted by the 3-D total.
    sheets = sheets[:MAX_CHOICES - EXTRA_SHEETS]
    n_sheets = len(sheets) + EXTRA_SHEETS
    last_sheet = first_row + n_sheets - 1
    S = {k: col_letters(c) for k, c in (("name", 8), ("project", 9), ("count", 10), ("before", 11),
                                        ("missing", 12), ("s", 13), ("k", 14), ("pos", 15), ("loc", 16),
                                        ("at", 17), ("key", 18), ("code", 19), ("what", 20), ("fix", 21))}

    def rng(key: str, a: int = first_row, b: int = last_sheet) -> str:
        return f"${S[key]}${a + 1}:${S[key]}${b + 1}"

    src_block = (f"${col_letters(BLOCK_COL)}$1:${col_letters(BLOCK_COL + BLOCK_WIDTH - 1)}${block_rows}",
                 f"${col_letters(LOC_COL)}$1:${col_letters(LOC_COL + BLOCK_WIDTH - 1)}${block_rows}")
    ws.set_column(0, 0, 6)
    ws.set_column(1, 2, 18)
    ws.set_column(3, 4, 8)
    ws.set_column(5, 5, 36)
    ws.set_column(6, 6, 46)
    ws.set_column(7, 7, 2)
    ws.set_column(8, 9, 18)
    ws.set_column(10, 10, 8)
    ws.set_column(11, 21, None, None, {"hidden": True})
    ws.merge_range(0, 0, 0, 6, "自查（按填报说明和评分规则自动检查各项目表，无需填写）", styles["title"])
    ws.set_row(0, 28)

    unit, lists = form.UNIT_SHEET, form.LISTS_SHEET
    totals = {  # hidden: problems on all sheets between 单位信息 and 选项, listed, missing names, in use
        "all": (0, f"=SUM({unit}:{lists}!{COUNT_CELL.replace('$', '')})"),
        "listed": (1, f"=SUM({rng('count')})"),
        "missing": (2, f"=SUM({rng('missing')})"),
        "in_use": (3, f"=SUM({unit}:{lists}!{IN_USE_CELL.replace('$', '')})"),
    }
    for row, formula in totals.values():
        ws.write_formula(row, 13, formula, None, "")
    n_all, n_listed, n_missing, n_in_use = (f"${S['s']}${r + 1}" for r, _ in totals.values())
    shown = f"(MAX({n_all},{n_listed})+{n_missing})"
    ws.merge_range(1, 0, 1, 6, "", styles["status"])
    ws.write_formula(1, 0, f'=IF({shown}>0,"本表共发现 "&{shown}&" 处需要修改",'
                           f'IF({n_in_use}=0,"尚未填写任何项目表","自查通过"))', styles["status"], "")
    ws.conditional_format(1, 0, 1, 6, {"type": "formula", "criteria": f"={shown}>0", "format": styles["bad"]})
    ws.conditional_format(1, 0, 1, 6, {"type": "formula", "criteria": f"=AND({shown}=0,{n_in_use}>0)",
                                       "format": styles["good"]})
    ws.set_row(1, 30)
    ws.merge_range(2, 0, 2, 6, rules_line, styles["note"])
    ws.set_row(2, 30)
    ws.merge_range(3, 0, 3, 6, "", styles["warn"])
    ws.write_formula(3, 0, f'=TRIM(IF({n_all}>{n_listed},"另有 "&({n_all}-{n_listed})&" 处问题在右侧“项目表”未列出的工作表中'
                           f'（如复制出的表），请在右侧空白处填写其工作表名称。","")'
                           f'&IF({n_missing}>0," 右侧有 "&{n_missing}&" 个工作表名称找不到，请核对。","")'
                           f'&IF({n_listed}>{LIST_ROWS}," 下表只列出前 {LIST_ROWS} 处。",""))', styles["warn"], "")
    ws.set_row(3, 30)
    ws.merge_range(4, 0, 4, 6, "项目表中标红的单元格即需要修改之处，表格右侧的“自查提示”列写明原因；"
                               "本表随填写自动更新。复制出的项目表请在右侧“项目表”列的空白处填写其工作表名称。",
                   styles["note"])
    ws.set_row(4, 30)
    for c, h in enumerate(("序号", "工作表", "项目名称", "单元格", "代码", "问题", "如何修改")):
        ws.write_string(first_row - 1, c, h, styles["head"])
    for c, h in ((8, "项目表"), (9, "项目名称"), (10, "问题数")):
        ws.write_string(first_row - 1, c, h, styles["head"])

    # The sheet table: one row per project sheet, prepared ones first, then spare rows.
    sources, loc_sources = [], []
    for i in range(n_sheets):
        r = first_row + i
        name_cell = f"${S['name']}${r + 1}"
        if i < len(sheets):
            ref = _sheet_ref(sheets[i])
            agg_name = ref + NAME_CELL
            ws.write_formula(r, 8, f'=IF(ISERROR({agg_name}),"（已删除）",IF({agg_name}="",'
                                   f'{xl_text(sheets[i])},{agg_name}))', styles["cell"], "")
            ws.write_formula(r, 9, f'=IF(ISERROR({ref}$B$3),"",{ref}$B$3&"")', styles["cell"], "")
            ws.write_formula(r, 10, f"=IF(ISERROR({ref}{COUNT_CELL}),0,{ref}{COUNT_CELL})", styles["cell"], "")
            ws.write_number(r, 12, 0)
            blocks = (ref + src_block[0], ref + src_block[1])
        else:
            ws.write_blank(r, 8, None, styles["input"])
            quoted = f'"\'"&SUBSTITUTE({name_cell},"\'","\'\'")&"\'!'
            found = f'NOT(ISERROR(INDIRECT({quoted}{COUNT_CELL}")))'
            prepared = f"COUNTIF({rng('name', first_row, first_row + len(sheets) - 1)},{name_cell})>0"
            again = f"COUNTIF(${S['name']}${first_row + 1}:{S['name']}{r},{name_cell})>0"
            ws.write_formula(r, 9, f'=IF({name_cell}="","",IF({found},INDIRECT({quoted}$B$3")&"","找不到该工作表"))',
                             styles["cell"], "")
            ws.write_formula(r, 10, f'=IF(OR({name_cell}="",{prepared},{again}),0,'
                                    f'IF({found},INDIRECT({quoted}{COUNT_CELL}"),0))', styles["cell"], "")
            ws.write_formula(r, 12, f'=IF(AND({name_cell}<>"",NOT({found})),1,0)', None, "")
            here = "'" + ws.get_name() + "'!" + name_cell
            quoted_here = f'"\'"&SUBSTITUTE({here},"\'","\'\'")&"\'!'
            blocks = (f'INDIRECT({quoted_here}{src_block[0]}")', f'INDIRECT({quoted_here}{src_block[1]}")')
        # Named once in the workbook (S_3: the third sheet's slots, C_3: their cells): the
        # list's formulas do not repeat sheet names or INDIRECT expressions a hundred times.
        for name, target in zip((f"S_{i + 1}", f"C_{i + 1}"), blocks):
            wb.define_name(name, "=" + target)
        sources.append(f"S_{i + 1}")
        loc_sources.append(f"C_{i + 1}")
        ws.write_formula(r, 11, f"=SUM(${S['count']}${first_row + 1}:{S['count']}{r})" if i else "=0", None, "")
    ws.data_validation(first_row + len(sheets), 8, last_sheet, 8, {
        "validate": "any", "input_title": "复制出的项目表",
        "input_message": "复制项目表后，在此填写新工作表的名称（与工作表标签一致），本表即逐条列出其问题。"})

    # The static table: what each slot means.
    for i, chk in enumerate(sorted({c.key: c for c in checks}.values(), key=lambda c: c.key)):
        r = first_row + i
        ws.write_number(r, 18, chk.key)
        ws.write_string(r, 19, chk.code)
        ws.write_string(r, 20, chk.what)
        ws.write_string(r, 21, chk.fix)
    n_keys = len({c.key for c in checks})

    def static(key: str) -> str:
        return f"${S[key]}${first_row + 1}:${S[key]}${first_row + n_keys}"

    # The list: problem n lives on the last sheet whose problems before it are fewer than n;
    # there it is the slot holding n - before. The slot's position is taken relative to its
    # block, and its key and cell from the twin location cell, so rows a clerk inserts into
    # a project sheet shift nothing here.
    for i in range(LIST_ROWS):
        r, n = first_row + i, i + 1
        s, k, pos, loc, at = (f"${S[x]}{r + 1}" for x in ("s", "k", "pos", "loc", "at"))
        slots = f"CHOOSE({s},{','.join(sources)})"
        ws.write_formula(r, 13, f'=IF({n}>{n_listed},"",COUNTIF({rng("before")},"<="&{n - 1}))', None, "")
        ws.write_formula(r, 14, f'=IF({s}="","",{n}-INDEX({rng("before")},{s}))', None, "")
        ws.write_formula(r, 15, f'=IF({s}="","",SUMPRODUCT(({slots}={k})*((ROW({slots})-ROW(INDEX({slots},1,1)))*100'
                                f'+COLUMN({slots})-COLUMN(INDEX({slots},1,1))+101)))', None, "")
        ws.write_formula(r, 16, f'=IF({s}="","",INDEX(CHOOSE({s},{",".join(loc_sources)}),INT({pos}/100),MOD({pos},100)))',
                         None, "")
        ws.write_formula(r, 17, f'=IF({s}="","",MATCH(VALUE(LEFT({loc},FIND("|",{loc})-1)),{static("key")},0))',
                         None, "")
        cells = (
            f'=IF({s}="","",{n})',
            f'=IF({s}="","",INDEX({rng("name")},{s}))',
            f'=IF({s}="","",INDEX({rng("project")},{s}))',
            f'=IF({s}="","",MID({loc},FIND("|",{loc})+1,20))',
            f'=IF({s}="","",INDEX({static("code")},{at}))',
            f'=IF({s}="","",INDEX({static("what")},{at}))',
            f'=IF({s}="","",INDEX({static("fix")},{at}))',
        )
        for c, f in enumerate(cells):
            ws.write_formula(r, c, f, styles["cell"], "")
    ws.protect("", {"format_rows": True, "format_columns": True})
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    # No print area: LibreOffice prints a sheet with one even while it is hidden, which
    # spoils printing any other single sheet; the used range is the list and sheet table.
    ws.repeat_rows(first_row - 1)
