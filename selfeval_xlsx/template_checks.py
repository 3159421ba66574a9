"""Live checks: the template marks problems while the clerk types (no macros, no Python).

Each live check is the spreadsheet twin of one batch check (same finding code, same
cell): a condition written in standard functions that Excel, WPS and LibreOffice agree
on. On every project sheet a check owns one slot of a hidden block; the slot holds its
running number when the condition holds and "" otherwise. The slots drive

- conditional formats that colour the offending cells,
- the visible 自查提示 column right of the form (outside the print area), and
- the 自查 sheet, which lists every open problem of every project sheet by formula.

Helper cells sit 20 columns right of the form: the reader looks for a label's value at
most 12 columns to its right, so nothing here can be taken for a typed value.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import form
from .grid import a1, col_letters
from .numbers import plain
from .rules import Rules

if TYPE_CHECKING:
    from xlsxwriter.format import Format  # xlsxwriter has no type information: Any to mypy
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from .template import Layout  # template.py imports this module

MSG_COL = 14          # O: the row's 自查提示, visible, not printed
BLOCK_COL = 20        # U..AB: one slot per check (its running number, or "")
BLOCK_WIDTH = 8
LOC_COL = BLOCK_COL + BLOCK_WIDTH      # AC..AJ: the cell each open slot points at
CONTENT_COL = LOC_COL + BLOCK_WIDTH    # AK: 1 on an indicator row the batch reads
LEVEL1_COL = CONTENT_COL + 1           # AL: 一级指标 as the batch carries it down
LEVEL2_COL = CONTENT_COL + 2           # AM: 二级指标 likewise
DIM_COL = CONTENT_COL + 3              # AN: the 一级指标 of indicator rows only
AGG_COL = CONTENT_COL + 4              # AO: 1 problem count, 2 sheet in use, 3 sheet name
HELPER_LAST = AGG_COL               # P..AO hidden
COUNT_CELL, IN_USE_CELL, NAME_CELL = (f"${col_letters(AGG_COL)}${r}" for r in (1, 2, 3))
SPARE_COLS = (8, MSG_COL - 1)          # I..N stay empty and hidden

LIST_ROWS = 100       # problems the 自查 sheet lists one by one
EXTRA_SHEETS = 10     # names of copied project sheets a clerk may add there
MAX_CHOICES = 254     # CHOOSE's limit in Excel



def pct(x: Decimal) -> str:
    """A share as people write it: 0.9 → 90%, 0.875 → 87.5%."""
    return f"{plain(x * 100)}%"


@dataclass(frozen=True)
class Live:
    code: str            # the batch check with the same meaning
    row: int             # 0-based sheet row of the slot (its message shows on this row)
    col: int             # 0-based column inside the slot block
    cond: str            # when the problem is open
    where: str           # Excel expression: the A1 text of the cell the batch names
    marks: tuple[str, ...]  # ranges coloured while it is open
    what: str            # the problem, short, no colon (the reader splits on colons)
    fix: str             # what to do
    dim: str = ""        # the 一级指标 a weight check is about

    @property
    def slot(self) -> str:
        return a1(self.row, BLOCK_COL + self.col)

    @property
    def abs_slot(self) -> str:
        return f"${col_letters(BLOCK_COL + self.col)}${self.row + 1}"

    @property
    def row_slot(self) -> str:
        """The slot with a relative row, for a rule shared by all indicator rows."""
        return f"${col_letters(BLOCK_COL + self.col)}{self.row + 1}"

    @property
    def key(self) -> int:
        """The slot's position as the 自查 sheet finds it: row × 100 + column in block."""
        return (self.row + 1) * 100 + self.col + 1


def _addr(ref: str) -> str:
    """The A1 text of a reference that follows inserted rows (a string would not)."""
    ref = ref.replace("$", "")
    return f"ADDRESS(ROW({ref}),COLUMN({ref}),4)"


def _blank(cell: str) -> str:
    return f'LEN(TRIM({cell}&""))=0'


def xl_text(text: str) -> str:
    """A string literal inside a formula."""
    return '"' + text.replace('"', '""') + '"'


# Workbook-level names keep Chinese text out of the thousands of helper formulas
# (openpyxl writes each CJK character of a formula as an 8-byte character reference,
# and every reader of the file parses them): texts live once on the hidden 选项 sheet.
DIM_NAMES = {d: f"SelfCheckDim{k + 1}" for k, d in enumerate(form.DIMENSIONS)}
PAIRS_NAME = "SelfCheckPairs"
LEVEL1_NAME = "List1"          # the 一级指标 dropdown's own list (template._lists)
SATISFACTION = "满意度"


# What to do, in a few words, after each problem in the 自查提示 column.
TODO = {"P101": "请补填", "P116": "请在指标区填写指标", "P108": "请核对三项资金来源", "P106": "请核对执行数或预算数",
        "P107": "请在本行说明原因及改进措施", "P112": "请补充该类指标", "P111": "请调整各指标分值",
        "P119": "请核对各项分值", "P115": "请核实得分并说明理由", "I117": "请从下拉列表选择", "I101": "请补填",
        "I102": "请补填", "I105": "请补填", "I106": "请补填", "I107": "请改为不高于分值的数", "I113": "请核对完成值"}


def message(check: Live) -> str:
    return f"{check.what}，{TODO[check.code]}；"


def message_names(checks: list[Live]) -> dict[str, str]:
    """Each distinct message text → the name it is reached by."""
    names: dict[str, str] = {}
    for c in checks:
        names.setdefault(c.what, f"SelfCheckMsg{len(names) + 1}")
    return names


def write_texts(wb: Workbook, ws: Worksheet, checks: list[Live], first_col: int) -> None:
    """The texts the helper formulas name, on the hidden 选项 sheet from `first_col` on."""
    letters = [col_letters(first_col + k) for k in range(3)]
    pairs = [f"{d}|{s}" for d, subs in form.DIMENSIONS.items() for s in subs]
    msgs = message_names(checks)
    texts = {c.what: message(c) for c in reversed(checks)}
    for k, (head, values) in enumerate((("自查·一级指标", list(DIM_NAMES)), ("自查·一级|二级", pairs),
                                        ("自查·提示", [texts[w] for w in msgs]))):
        ws.write_string(0, first_col + k, head)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, first_col + k, v)
    sheet = "'" + ws.get_name() + "'"
    for r, name in enumerate(DIM_NAMES.values(), start=2):
        wb.define_name(name, f"={sheet}!${letters[0]}${r}")
    wb.define_name(PAIRS_NAME, f"={sheet}!${letters[1]}$2:${letters[1]}${len(pairs) + 1}")
    for r, name in enumerate(msgs.values(), start=2):
        wb.define_name(name, f"={sheet}!${letters[2]}${r}")


def live_checks(L: Layout, rules: Rules) -> list[Live]:
    """Every live check of one project sheet laid out by `L` (the template's Layout)."""
    fc, ic = L.fund_cols, L.indicator_cols

    def cell(r: int, c: int, absolute: bool = True) -> str:
        return f"${col_letters(c)}${r + 1}" if absolute else a1(r, c)

    def col(c: int, first: int, last: int) -> str:
        return f"${col_letters(c)}${first + 1}:${col_letters(c)}${last + 1}"

    first, last = L.indicator_first, L.indicator_first + L.rows - 1
    content = col(CONTENT_COL, first, last)
    dims = col(DIM_COL, first, last)
    weights = col(ic["weight"], first, last)
    in_use = f"{IN_USE_CELL}=1"
    has_indicators = f"COUNT({content})>0"
    top = cell(first, 0)
    first_indicator = f"ADDRESS(ROW({top})-1+MATCH(1,{content},0),COLUMN({top}),4)"
    name = cell(L.name, 1)
    total_row = L.funds_first
    budget, executed = cell(total_row, fc["budget"]), cell(total_row, fc["executed"])
    rate = cell(total_row, fc["rate"])
    reason = cell(L.exec_reason, 2)
    self_total = cell(L.total, ic["self_score"])
    threshold = pct(rules.rate_threshold)
    out = [
        Live("P101", L.name, 0, f"AND({in_use},{_blank(name)})", _addr(name), (a1(L.name, 1),),
             "项目名称未填写", "填写预算批复中的项目全称。"),
        Live("P116", L.name, 1, f"AND({in_use},NOT({has_indicators}))", _addr(name), (a1(L.name, 1),),
             "没有填写任何绩效指标", "在指标区逐行填写一级、二级、三级指标及指标值、完成值、分值、得分。"),
        Live("P101", total_row, 0, f"AND({in_use},{_blank(budget)})", _addr(budget),
             (a1(total_row, fc["budget"]),), "全年预算数未填写", "填写调整后的全年预算数（万元）。"),
        Live("P101", total_row, 1, f"AND({in_use},{_blank(executed)})", _addr(executed),
             (a1(total_row, fc["executed"]),), "全年执行数未填写", "填写全年实际支出数（万元）。"),
    ]
    # One P108 for the block, named at the first column that does not add up (the batch's
    # rule: a slip in one row usually shows in every column); each such column is marked.
    off: list[str] = []
    at = ""
    for key in reversed(("initial", "budget", "executed")):
        c = fc[key]
        whole, parts = cell(total_row, c), col(c, total_row + 1, total_row + len(form.FUND_ROWS) - 1)
        cond = f"IF(AND(COUNT({parts})>0,ISNUMBER({whole})),ABS(SUM({parts})-{whole})>0.005,FALSE)"
        off.insert(0, cond)
        at = f"IF({cond},{_addr(whole)},{at})" if at else _addr(whole)
    out.append(Live("P108", total_row, 2, f"OR({','.join(off)})", at,
                    tuple(a1(total_row, fc[k]) for k in ("initial", "budget", "executed")),
                    "资金来源各行之和不等于年度资金总额",
                    "核对本年财政拨款、上年结转资金、其他资金三项，使其合计等于年度资金总额。"))
    out += [
        Live("P106", total_row, 5,
             f"IF(AND(ISNUMBER({budget}),ISNUMBER({executed})),AND({budget}>0,{executed}>{budget}),FALSE)",
             _addr(executed), (a1(total_row, fc["executed"]),),
             "全年执行数超过全年预算数", "核对全年执行数或调整后的全年预算数。"),
        Live("P107", L.exec_reason, 0,
             f"IF(ISNUMBER({rate}),AND(ROUND({rate},4)<{plain(rules.rate_threshold)},{_blank(reason)}),FALSE)",
             _addr(reason), (f"{a1(L.exec_reason, 2)}:{a1(L.exec_reason, 7)}",),
             f"执行率低于{threshold}，未说明原因", f"执行率低于{threshold}时，在本行说明原因及改进措施。"),
    ]
    shown_dims = [d for d in rules.weights if d in form.DIMENSIONS]
    for k, d in enumerate(shown_dims):
        out.append(Live("P112", L.indicator_header, k,
                        f"AND({has_indicators},COUNTIF({dims},{DIM_NAMES[d]})=0)", first_indicator,
                        (a1(L.total, ic["weight"]),), f"没有{d}",
                        f"每个项目应设置产出、效益、满意度三类指标；{d}合计{plain(rules.weights[d])}分。"))
    for k, d in enumerate(shown_dims):
        w = plain(rules.weights[d])
        out.append(Live("P111", L.total, k,
                        f"AND(COUNTIF({dims},{DIM_NAMES[d]})>0,ROUND(SUMIF({dims},{DIM_NAMES[d]},{weights}),6)<>{w})",
                        f"ADDRESS(ROW({cell(first, ic['weight'])})-1+MATCH({DIM_NAMES[d]},{dims},0),"
                        f"COLUMN({cell(first, ic['weight'])}),4)", (a1(L.total, ic["weight"]),),
                        f"{d}的分值合计不是{w}分", f"按评分规则，{d}各指标分值合计应为{w}分。", dim=d))
    rate_weight = cell(total_row, fc["weight"])
    k = len(shown_dims)
    out += [
        Live("P119", L.total, k,
             f"AND({has_indicators},SUMPRODUCT(({content}=1)*ISNUMBER({weights}))=COUNT({content}),"
             f"ROUND({rate_weight}+SUM({weights}),6)<>100)", first_indicator, (a1(L.total, ic["weight"]),),
             "各项分值合计不是100分", "预算执行率与各指标分值之和应为100分，请核对分值。"),
        Live("P115", L.total, k + 1,
             f"IF(AND(ISNUMBER({self_total}),ISNUMBER({rate})),AND(ROUND({self_total},6)>="
             f"{plain(rules.suspicious_score)},ROUND({rate},9)<{plain(rules.suspicious_rate)}),FALSE)", _addr(self_total),
             (a1(L.total, ic["self_score"]),),
             f"执行率低于{pct(rules.suspicious_rate)}而总分不低于{plain(rules.suspicious_score)}分",
             "资金执行率较低而自评得分很高，请核实各指标得分并说明理由。"),
    ]
    for r in range(first, last + 1):
        ref = {key: a1(r, c) for key, c in ic.items()}
        used = f"{a1(r, CONTENT_COL)}=1"
        l1, l2 = a1(r, LEVEL1_COL), a1(r, LEVEL2_COL)
        # Exact comparisons (COUNTIF and MATCH would read * and ? in a typed value as wildcards).
        l1_ok = f"SUMPRODUCT(--({LEVEL1_NAME}={l1}))>0"
        pair_ok = f'SUMPRODUCT(--({PAIRS_NAME}={l1}&"|"&{l2}))>0'
        actual, target = ref["actual"], ref["target"]
        value = f'VALUE(SUBSTITUTE(SUBSTITUTE({actual},"％",""),"%",""))'
        out += [
            Live("I117", r, 0, f"AND({used},NOT({pair_ok}))", f"IF({l1_ok},{_addr(a1(r, 1))},{_addr(a1(r, 0))})",
                 (f"{a1(r, 0)}:{a1(r, 1)}",), "一级或二级指标未选或不匹配", "从下拉列表选择一级、二级指标。"),
            Live("I101", r, 1, f"AND({used},{_blank(target)})", _addr(target), (target,),
                 "年度指标值未填写", "填写年度指标值，如 ≥95%、≤24.65万元、2020年12月31日前。"),
            Live("I102", r, 2, f"AND({used},{_blank(actual)})", _addr(actual), (actual,),
                 "实际完成值未填写", "填写实际完成值。"),
            Live("I105", r, 3, f"AND({used},{_blank(ref['weight'])})", _addr(ref["weight"]), (ref["weight"],),
                 "分值未填写", "填写该指标的分值。"),
            Live("I106", r, 4, f"AND({used},{_blank(ref['self_score'])})", _addr(ref["self_score"]),
                 (ref["self_score"],), "得分未填写", "填写该指标的自评得分。"),
            Live("I107", r, 5, f"IF(AND(ISNUMBER({ref['weight']}),ISNUMBER({ref['self_score']})),"
                               f"{ref['self_score']}>{ref['weight']},FALSE)", _addr(ref["self_score"]),
                 (ref["self_score"],), "得分高于分值", "得分不能超过该指标的分值。"),
            Live("I113", r, 6, f'AND({used},ISNUMBER(SEARCH("{SATISFACTION}",{l1}&{ref["level3"]})),'
                               f'ISNUMBER(FIND("%",SUBSTITUTE({actual}&{target},"％","%"))),'
                               f"IFERROR({value}>100,FALSE))", _addr(actual), (actual,),
                 "满意度超过100%", "满意度等比率不能超过100%，请核对完成值。"),
        ]
    return out


def write_live_marks(ws: Worksheet, L: Layout, rules: Rules, mark_format: Format, message_format: Format) -> list[Live]:
    """Writes the helper cells, the marks and the row messages onto one project sheet."""
    checks = live_checks(L, rules)
    first, last = L.indicator_first, L.indicator_first + L.rows - 1
    ic = L.indicator_cols
    # What the batch reads on each indicator row: content, and 一级/二级 carried down merges.
    for r in range(first, last + 1):
        a, b = f"TRIM({a1(r, 0)}&\"\")", f"TRIM({a1(r, 1)}&\"\")"
        used = a1(r, CONTENT_COL)
        prev1 = a1(r - 1, LEVEL1_COL) if r > first else '""'
        prev2 = a1(r - 1, LEVEL2_COL) if r > first else '""'
        ws.write_formula(r, CONTENT_COL, f'=IF(COUNTA({a1(r, ic["level3"])}:{a1(r, ic["self_score"])})>0,1,"")',
                         None, "")
        ws.write_formula(r, LEVEL1_COL, f'=IF({a}<>"",{a},{prev1})', None, "")
        ws.write_formula(r, LEVEL2_COL, f'=IF(AND({used}<>1,{a}=""),{prev2},IF({b}<>"",{b},IF({a}<>"","",{prev2})))',
                         None, "")
        ws.write_formula(r, DIM_COL, f'=IF({used}=1,{a1(r, LEVEL1_COL)},"")', None, "")
    block = f"${col_letters(BLOCK_COL)}$1:${col_letters(BLOCK_COL + BLOCK_WIDTH - 1)}$"
    for chk in checks:
        earlier = []
        if chk.row > 0:
            earlier.append(f"COUNT({block}{chk.row})")
        if chk.col > 0:
            earlier.append(f"COUNT({a1(chk.row, BLOCK_COL)}:{a1(chk.row, BLOCK_COL + chk.col - 1)})")
        number = "+".join([*earlier, "1"])
        # AND() evaluates every argument, so guards are IFs; IFERROR keeps an odd cell
        # (an error value typed or pasted) from turning the slot into an error.
        ws.write_formula(chk.row, BLOCK_COL + chk.col, f'=IF(IFERROR({chk.cond},FALSE),{number},"")', None, "")
        ws.write_formula(chk.row, LOC_COL + chk.col, f'=IF(ISNUMBER({chk.slot}),"{chk.key}|"&{chk.where},"")',
                         None, "")
    g = L.indicator_header
    used_cells = [a1(L.name, 1), a1(L.department, 1), a1(L.exec_reason, 2), a1(L.goal_values, 1),
                  a1(L.goal_values, 5), f"{a1(L.funds_first, 2)}:{a1(L.funds_first + 3, 4)}",
                  f"{a1(first, ic['level3'])}:{a1(last, ic['self_score'])}"]
    ws.write_formula(0, AGG_COL, f"=COUNT({block}{L.grade + 1})", None, "")
    ws.write_formula(1, AGG_COL, f"=IF(COUNTA({','.join(used_cells)})>0,1,0)", None, "")
    cell_name = 'CELL("filename",$A$1)'
    ws.write_formula(2, AGG_COL, f'=IFERROR(MID({cell_name},FIND("]",{cell_name})+1,255),'
                                 f'IFERROR(MID({cell_name},FIND("#$",{cell_name})+2,255),""))', None, "")

    # The row's message: every open problem of the row, in words.
    msgs = message_names(checks)
    by_row: dict[int, list[Live]] = {}
    for chk in checks:
        by_row.setdefault(chk.row, []).append(chk)
    ws.write_string(g, MSG_COL, "自查提示（不打印）", message_format)
    for r, row_checks in by_row.items():
        if r == g:
            continue
        parts = [f'IF(ISNUMBER({c.slot}),{msgs[c.what]},"")' for c in row_checks]
        if r == L.total:
            parts = [f'IF(ISNUMBER({c.slot}),{msgs[c.what]},"")' for c in by_row.get(g, [])] + parts
        ws.write_formula(r, MSG_COL, "=" + "&".join(parts), message_format, "")

    # The marks: a cell is coloured while any of its checks is open. Indicator rows
    # share one rule per column (the slot's row is relative); other marks name their slot.
    marked: dict[str, list[str]] = {}
    for chk in checks:
        if first < chk.row <= last:
            continue
        for rng in chk.marks:
            if chk.row == first:
                head, _, tail = rng.partition(":")
                tail_col = "".join(ch for ch in (tail or head) if ch.isalpha())
                marked.setdefault(f"{head}:{tail_col}{last + 1}", []).append(f"ISNUMBER({chk.row_slot})")
            else:
                marked.setdefault(rng, []).append(f"ISNUMBER({chk.abs_slot})")
    # The 分值 of each indicator of a dimension whose weights do not add up.
    weight_cells = f"{a1(first, ic['weight'])}:{a1(last, ic['weight'])}"
    for chk in checks:
        if chk.code == "P111":
            marked.setdefault(weight_cells, []).append(
                f"AND(${col_letters(DIM_COL)}{first + 1}={DIM_NAMES[chk.dim]},ISNUMBER({chk.abs_slot}))")
    for rng, conds in marked.items():
        criteria = conds[0] if len(conds) == 1 else "OR(" + ",".join(conds) + ")"
        ws.conditional_format(rng, {"type": "formula", "criteria": "=" + criteria, "format": mark_format})
    ws.set_column(SPARE_COLS[0], SPARE_COLS[1], None, None, {"hidden": True})
    ws.set_column(MSG_COL, MSG_COL, 60)
    ws.set_column(MSG_COL + 1, HELPER_LAST, None, None, {"hidden": True})
    return checks


