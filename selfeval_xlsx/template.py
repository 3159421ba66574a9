"""The blank filling template: 填报说明, 单位信息 and N sheets of the national form.

Labels come from `form`, so what the template says is what the reader looks for.
Weights, grade lines and the execution-rate threshold come from the `Rules` the
template is written with, the same rules the batch scores by: a district with its own
rules hands out a template that agrees with them.
Formula cells (执行率, 执行率得分, 总分, 自评等级) are locked and carry no cached
value: the reader never trusts them anyway, and a blank beats a misleading 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import xlsxwriter

from . import form
from .atomic import replacing
from .grid import a1, col_letters
from .numbers import plain
from .rules import Rules, resolve_rules
from .summary_xlsx import SAFE_OPTIONS
from .template_checks import (
    Live,
    pct,
    write_live_marks,
    write_texts,
)
from .template_selfcheck import write_self_check

if TYPE_CHECKING:   # xlsxwriter has no type information: these are Any to mypy
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

INDICATOR_ROWS = 15
LAST_COL = 7  # H


@dataclass(frozen=True)
class Layout:
    """Where the template puts things (0-based rows); the example filler uses it."""
    title: int = 0
    year_line: int = 1
    name: int = 2
    department: int = 3
    year: int = 4
    funds_header: int = 5
    funds_first: int = 6       # 年度资金总额, then 财政拨款, 结转, 其他
    exec_reason: int = 10
    goal_header: int = 11
    goal_values: int = 12
    indicator_header: int = 13
    indicator_first: int = 14
    rows: int = INDICATOR_ROWS

    @property
    def total(self) -> int:
        return self.indicator_first + self.rows

    @property
    def grade(self) -> int:
        return self.total + 1

    # Columns of the indicator block, by field key.
    indicator_cols: ClassVar[dict[str, int]] = {"level1": 0, "level2": 1, "level3": 2, "target": 3, "actual": 4,
                      "weight": 5, "self_score": 6, "reason": 7}
    fund_cols: ClassVar[dict[str, int]] = {"initial": 2, "budget": 3, "executed": 4, "weight": 5, "rate": 6, "score": 7}


LAYOUT = Layout()

def exec_reason_label(rules: Rules) -> str:
    """The label of the reason row, naming the threshold in force.

    The reader must find it again: "执行率未达90%原因" is the national form's own
    label; for another threshold the label keeps a reader-known stem and names the
    threshold in brackets, which the reader folds away."""
    named = f"执行率未达{pct(rules.rate_threshold)}原因"
    if form.match(named, form.label_index((form.EXEC_REASON,))) == form.EXEC_REASON.key:
        return named
    return f"执行率偏低原因（未达{pct(rules.rate_threshold)}）"


def grade_lines(rules: Rules) -> str:
    """优≥90、良≥80、中≥60、差<60, from the rules."""
    parts = [f"{g}≥{plain(v)}" for g, v in rules.grades]
    return "、".join(parts + [f"差<{plain(rules.grades[-1][1])}"])


def weight_lines(rules: Rules) -> str:
    return "、".join(f"{k}{plain(rules.weights[k])}分" for k in (form.RATE_DIMENSION, *form.DIMENSIONS))


def instructions(rules: Rules) -> tuple[str, ...]:
    threshold = pct(rules.rate_threshold)
    return (
        "1. 每个项目填写一张“项目支出绩效自评表”。项目较多时，右键工作表标签→“移动或复制”→勾选“建立副本”，复制一张空白表再填写；工作表名称可改为项目简称。",
        "2. 先填写“单位信息”表：单位名称须为全称，评价年度为四位年份。组织开展情况、存在问题、整改措施将写入绩效自评报告。",
        "3. 金额单位一律为“万元”，保留两位小数，直接输入数字（如 8.94），不要输入“万元”等文字，不要用全角数字。",
        "4. 全年预算数填调整后的预算数。本年财政拨款、上年结转资金、其他资金三项之和应等于年度资金总额。",
        ("5. 执行率、执行率得分、总分、自评等级由公式自动计算，无需填写（灰色单元格已锁定）。"
        f"执行率得分 = 执行率（超过100%按100%计）× {plain(rules.rate_weight)}分。"),
        f"6. 执行率低于{threshold}时，必须在“{exec_reason_label(rules)}”一栏说明原因及改进措施。",
        ("7. 一级、二级指标从下拉列表选择；年度指标值按“比较符+数字+单位”填写：≥95%、≤24.65万元、≥11528户；"
        "要求恰好等于某数的写“＝6个”（用全角等号，或直接写“6个”按“达到”计分）；"
        "时效指标写“2020年12月31日前”；确无法量化的写“有效提升”等，并在实际完成值填“达成/部分达成/未达成”。"),
        "8. 成本指标一般为反向指标，写作“≤”；满意度不超过100%。",
        "9. 得分不得高于分值；未完成目标或未得满分的指标，须填写偏差原因分析及改进措施。",
        (f"10. 各一级指标分值：{weight_lines(rules)}，合计100分（评分规则：{rules.name}）。"
        f"自评等级：{grade_lines(rules)}。"),
        ("11. 模板边填边查：项目表中标红的单元格需要修改，表格右侧的“自查提示”列写明原因；"
         "“自查”表逐条列出全部问题，显示“自查通过”后再报送。复制出的项目表，请在“自查”表右侧登记其工作表名称。"),
    )


EXAMPLE = (  # the seed's projects (中山东路街道办事处, 2020), amounts in 万元
    ("社区党建经费", 8.94, 8.94, ""),
    ("社区办公经费", 24.65, 24.65, ""),
    ("专项经费", 25, 15, "疫情影响，部分活动取消，15万元已支出，其余结转下年"),
    ("信访维稳经费", 7, 7, ""),
    ("补充经费", 7, 7, ""),
)

EXAMPLE_INDICATORS = (
    ("产出指标", "数量指标", "服务社区数量", "＝6个", "6个", "等于指标（全角＝），恰好相等得满分"),
    ("产出指标", "质量指标", "人口普查上报率", "≥95%", "100%", "实际值不低于指标值即得满分"),
    ("产出指标", "时效指标", "经费支付时限", "2020年12月31日前", "2020年12月20日", "在时限前完成得满分"),
    ("产出指标", "成本指标", "办公经费支出", "≤24.65万元", "24.65万元", "反向指标，不超过即得满分"),
    ("效益指标", "社会效益指标", "基层治理水平", "有效提升", "达成", "定性指标：达成得80%–100%"),
    ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "95%", "满意度不超过100%"),
)


# Input messages that say more than the form's generic hint (no "=" at the start of
# a taught target: typed into Excel, "=6个" becomes a formula and shows #NAME?).
_INDICATOR_HINTS = {
    "target": "按“比较符+数字+单位”填写，如：≥95%、≤24.65万元、≥11528户、＝6个（等于，用全角＝）、"
              "2020年12月31日前、有效提升。",
    "weight": "本指标的分值。各部分分值：{weights}，合计100分。",
}


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "text_wrap": True}
        self.title = wb.add_format({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center",
                                    "valign": "vcenter"})
        self.subtitle = wb.add_format({"font_name": "宋体", "font_size": 11, "align": "center"})
        self.label = wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#F2F2F2"})
        self.input = wb.add_format({**base, "locked": False})
        self.input_amount = wb.add_format({**base, "locked": False, "num_format": "0.00"})
        self.input_score = wb.add_format({**base, "locked": False, "num_format": "0.00", "align": "center"})
        self.formula_pct = wb.add_format({**base, "num_format": "0.00%", "bg_color": "#E7E6E6", "align": "center"})
        self.formula_num = wb.add_format({**base, "num_format": "0.00", "bg_color": "#E7E6E6", "align": "center"})
        self.formula_text = wb.add_format({**base, "bg_color": "#E7E6E6", "align": "center"})
        self.fixed = wb.add_format({**base, "align": "center", "bg_color": "#E7E6E6"})
        self.note = wb.add_format({"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"})
        self.head = wb.add_format({"font_name": "宋体", "font_size": 10, "bold": True, "border": 1,
                                   "bg_color": "#DDEBF7", "align": "center", "valign": "vcenter",
                                   "text_wrap": True})
        self.cell = wb.add_format({"font_name": "宋体", "font_size": 10, "border": 1, "text_wrap": True,
                                   "valign": "vcenter"})
        self.cell_num = wb.add_format({"font_name": "宋体", "font_size": 10, "border": 1, "num_format": "0.00"})
        self.cell_pct = wb.add_format({"font_name": "宋体", "font_size": 10, "border": 1, "num_format": "0.00%"})
        # Live marks: Excel's own "bad" colours, which every spreadsheet program shows alike.
        self.mark = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        # Not wrapped: a long message runs on to the right over empty cells.
        self.message = wb.add_format({"font_name": "宋体", "font_size": 9, "font_color": "#9C0006",
                                      "valign": "vcenter"})
        self.self_check = {
            "title": self.title,
            "status": wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True, "align": "center",
                                     "valign": "vcenter", "border": 1}),
            "bad": self.mark,
            "good": wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"}),
            "note": self.note,
            "warn": wb.add_format({"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top",
                                   "font_color": "#9C0006"}),
            "head": self.head,
            "cell": self.cell,
            "input": wb.add_format({"font_name": "宋体", "font_size": 10, "border": 1, "locked": False,
                                    "bg_color": "#FFF2CC"}),
        }


def _hint(ws: Worksheet, cell: str, title: str, message: str, **validation: object) -> None:
    opts: dict[str, object] = {"validate": "any"} if not validation else dict(validation)
    opts["input_title"] = title[:32]
    opts["input_message"] = message[:255]
    ws.data_validation(cell, opts)


def _input(ws: Worksheet, first: tuple[int, int], last: tuple[int, int], fmt: Format,
           value: str | float = "") -> None:
    if first == last:
        ws.write_blank(*first, None, fmt) if value == "" else ws.write(*first, value, fmt)
    else:
        ws.merge_range(*first, *last, value, fmt)


def _height(text: str, width: float) -> float:
    """A row tall enough for wrapped 10-pt text in a cell `width` characters wide
    (a Chinese character takes about two)."""
    per_line = max(1, int(width / 2) - 1)
    lines = -(-sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) // (2 * per_line))
    return max(18, 14 * lines + 6)


def _instructions(wb: Workbook, st: _Styles, rules: Rules) -> None:
    ws = wb.add_worksheet(form.INSTRUCTIONS_SHEET)
    widths = (14, 16, 16, 16, 16, 30)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.merge_range(0, 0, 0, 5, f"{form.INSTRUCTIONS_SHEET}（{form.TITLE}）", st.title)
    ws.set_row(0, 30)
    r = 2
    for line in instructions(rules):
        ws.merge_range(r, 0, r, 5, line, st.note)
        ws.set_row(r, _height(line, sum(widths)))
        r += 1
    r += 1
    ws.merge_range(r, 0, r, 5, "示例一：中山东路街道办事处 2020 年度项目资金（万元）及自动计算结果", st.head)
    r += 1
    for c, h in enumerate(("示例项目", "示例·调整后预算", "示例·实际支出", "执行率", "执行率得分", "须说明原因")):
        ws.write_string(r, c, h, st.head)
    for name, budget, executed, reason in EXAMPLE:
        r += 1
        ws.write_string(r, 0, name, st.cell)
        ws.write_number(r, 1, budget, st.cell_num)
        ws.write_number(r, 2, executed, st.cell_num)
        ws.write_number(r, 3, executed / budget, st.cell_pct)
        rate = Decimal(str(executed)) / Decimal(str(budget))
        ws.write_number(r, 4, float(min(rate, Decimal(1)) * rules.rate_weight), st.cell_num)
        shown = reason if rate < rules.rate_threshold else "—"
        ws.write_string(r, 5, shown, st.cell)
        ws.set_row(r, _height(shown, widths[5]))
    r += 2
    ws.merge_range(r, 0, r, 5, "示例二：绩效指标的写法", st.head)
    r += 1
    for c, h in enumerate(("一级", "二级", "三级（示例）", "指标值写法", "完成值写法", "计分")):
        ws.write_string(r, c, h, st.head)
    for row in EXAMPLE_INDICATORS:
        r += 1
        for c, v in enumerate(row):
            ws.write_string(r, c, v, st.cell)
        ws.set_row(r, max(_height(v, widths[c]) for c, v in enumerate(row)))
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.activate()


def _lists(wb: Workbook) -> Worksheet:
    """The hidden 选项 sheet: dropdown lists in A:D (the live checks' texts follow)."""
    ws = wb.add_worksheet(form.LISTS_SHEET)
    columns = (("一级指标", tuple(form.DIMENSIONS)),
               ("二级指标", tuple(x for v in form.DIMENSIONS.values() for x in v)),
               ("指标性质", form.NATURES), ("完成情况", form.ACHIEVEMENT_WORDS))
    for c, (head, values) in enumerate(columns):
        ws.write_string(0, c, head)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, v)
        letter = col_letters(c)
        wb.define_name(f"List{c + 1}", f"={form.LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}")
    ws.hide()
    return ws


def _unit_sheet(wb: Workbook, st: _Styles, unit: str, year: int | None) -> None:
    ws = wb.add_worksheet(form.UNIT_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 70)
    ws.merge_range(0, 0, 0, 1, "单位信息", st.title)
    ws.set_row(0, 30)
    prefill = {"unit": unit, "year": year}
    for r, f in enumerate(form.UNIT_INFO_FIELDS, start=2):
        ws.write_string(r, 0, f.label, st.label)
        value = prefill.get(f.key) or ""
        long_text = f.key in ("organisation", "problems", "measures")
        ws.set_row(r, 90 if long_text else 22)
        _input(ws, (r, 1), (r, 1), st.input, value)
        if f.kind == "year":
            _hint(ws, a1(r, 1), f.label, f.hint, validate="integer", criteria="between",
                  minimum=2000, maximum=2100, error_message="请填写四位年份，如 2020。")
        else:
            _hint(ws, a1(r, 1), f.label, f.hint)
    ws.protect("", {"format_rows": True, "format_columns": True})
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _project_sheet(wb: Workbook, st: _Styles, name: str, unit: str, year: int | None, rules: Rules) -> list[Live]:
    L = LAYOUT
    ws = wb.add_worksheet(name)
    ws.set_default_row(20)
    for c, w in enumerate((13, 14, 22, 17, 17, 8, 9, 30)):
        ws.set_column(c, c, w)
    ws.merge_range(L.title, 0, L.title, LAST_COL, form.TITLE, st.title)
    ws.set_row(L.title, 30)
    ws.merge_range(L.year_line, 0, L.year_line, LAST_COL, f"（{year or '        '}年度）", st.subtitle)

    def label(r: int, c: int, text: str, r2: int | None = None, c2: int | None = None) -> None:
        if r2 is None and c2 is None:
            ws.write_string(r, c, text, st.label)
        else:
            ws.merge_range(r, c, r2 if r2 is not None else r, c2 if c2 is not None else c, text, st.label)

    label(L.name, 0, form.PROJECT_NAME.label)
    _input(ws, (L.name, 1), (L.name, LAST_COL), st.input)
    _hint(ws, a1(L.name, 1), form.PROJECT_NAME.label, form.PROJECT_NAME.hint)
    label(L.department, 0, form.DEPARTMENT.label)
    _input(ws, (L.department, 1), (L.department, 3), st.input)
    _hint(ws, a1(L.department, 1), form.DEPARTMENT.label, form.DEPARTMENT.hint)
    label(L.department, 4, form.UNIT.label)
    _input(ws, (L.department, 5), (L.department, LAST_COL), st.input, unit)
    _hint(ws, a1(L.department, 5), form.UNIT.label, form.UNIT.hint)
    label(L.year, 0, form.YEAR.label)
    _input(ws, (L.year, 1), (L.year, 3), st.input, year or "")
    _hint(ws, a1(L.year, 1), form.YEAR.label, form.YEAR.hint, validate="integer", criteria="between",
          minimum=2000, maximum=2100, error_message="请填写四位年份，如 2020。")
    label(L.year, 4, form.PROJECT_CODE.label)   # optional (selfeval run --targets)
    _input(ws, (L.year, 5), (L.year, LAST_COL), st.input)
    _hint(ws, a1(L.year, 5), form.PROJECT_CODE.label, form.PROJECT_CODE.hint)

    # Funds block.
    label(L.funds_header, 0, form.FUNDS_CAPTION, c2=1)
    for f in form.FUND_COLUMNS:
        label(L.funds_header, L.fund_cols[f.key], f.label)
    for i, f in enumerate(form.FUND_ROWS):
        r = L.funds_first + i
        label(r, 0, f.label, c2=1)
        for col in form.FUND_INPUT_COLUMNS:
            c = L.fund_cols[col.key]
            ws.write_blank(r, c, None, st.input_amount)
            _hint(ws, a1(r, c), f"{f.label}·{col.label}"[:32], col.hint, validate="decimal",
                  criteria=">=", value=0, error_message="请输入不小于 0 的数字，单位万元。")
        if i:
            ws.merge_range(r, 5, r, LAST_COL, "—", st.fixed)
    r = L.funds_first
    cols = {k: col_letters(c) for k, c in L.fund_cols.items()}
    ws.write_number(r, L.fund_cols["weight"], float(rules.rate_weight), st.fixed)
    budget, executed = f"{cols['budget']}{r + 1}", f"{cols['executed']}{r + 1}"
    rate_cell = f"{cols['rate']}{r + 1}"
    ws.write_formula(r, L.fund_cols["rate"],
                     f'=IF(AND(ISNUMBER({budget}),ISNUMBER({executed})),IF({budget}>0,{executed}/{budget},""),"")',
                     st.formula_pct, "")
    ws.write_formula(r, L.fund_cols["score"],
                     f'=IF({rate_cell}="","",MAX(0,MIN({rate_cell},1))*{cols["weight"]}{r + 1})', st.formula_num, "")
    reason_label = exec_reason_label(rules)
    label(L.exec_reason, 0, reason_label, c2=1)
    _input(ws, (L.exec_reason, 2), (L.exec_reason, LAST_COL), st.input)
    threshold = pct(rules.rate_threshold)
    _hint(ws, a1(L.exec_reason, 2), reason_label,
          f"全年执行率低于{threshold}时必须填写原因及改进措施；执行率达到{threshold}可留空。")
    ws.set_row(L.exec_reason, 32)

    # Annual goal.
    ws.merge_range(L.goal_header, 0, L.goal_values, 0, form.GOAL_CAPTION, st.label)
    label(L.goal_header, 1, form.GOAL_PLANNED.label, c2=4)
    label(L.goal_header, 5, form.GOAL_ACHIEVED.label, c2=LAST_COL)
    _input(ws, (L.goal_values, 1), (L.goal_values, 4), st.input)
    _input(ws, (L.goal_values, 5), (L.goal_values, LAST_COL), st.input)
    _hint(ws, a1(L.goal_values, 1), form.GOAL_PLANNED.label, form.GOAL_PLANNED.hint)
    _hint(ws, a1(L.goal_values, 5), form.GOAL_ACHIEVED.label, form.GOAL_ACHIEVED.hint)
    ws.set_row(L.goal_values, 60)

    # Indicators.
    for f in form.INDICATOR_COLUMNS:
        label(L.indicator_header, L.indicator_cols[f.key], f.label)
    ws.set_row(L.indicator_header, 30)
    first, last = L.indicator_first, L.indicator_first + L.rows - 1
    for f in form.INDICATOR_COLUMNS:
        c = L.indicator_cols[f.key]
        fmt = st.input_score if f.kind == "number" else st.input
        for r in range(first, last + 1):
            ws.write_blank(r, c, None, fmt)
        rng = f"{a1(first, c)}:{a1(last, c)}"
        if f.key == "level1":
            _hint(ws, rng, f.label, f.hint, validate="list", source="=List1")
        elif f.key == "level2":
            _hint(ws, rng, f.label, f.hint, validate="list", source="=List2")
        elif f.kind == "number":
            _hint(ws, rng, f.label, _INDICATOR_HINTS.get(f.key, f.hint).format(weights=weight_lines(rules)),
                  validate="decimal", criteria="between", minimum=0,
                  maximum=100, error_message="请输入 0–100 之间的数字。")
        else:
            _hint(ws, rng, f.label, _INDICATOR_HINTS.get(f.key, f.hint))
    score_col = col_letters(L.indicator_cols["self_score"])
    weight_col = col_letters(L.indicator_cols["weight"])
    rate_score = f"{cols['score']}{L.funds_first + 1}"
    label(L.total, 0, form.TOTAL.label, c2=4)
    ws.write_formula(L.total, L.indicator_cols["weight"],
                     f"={cols['weight']}{L.funds_first + 1}+SUM({weight_col}{first + 1}:{weight_col}{last + 1})",
                     st.formula_num, "")
    total_cell = f"{score_col}{L.total + 1}"
    ws.write_formula(L.total, L.indicator_cols["self_score"],
                     f'=IF(COUNT({score_col}{first + 1}:{score_col}{last + 1})=0,"",'
                     f'N({rate_score})+SUM({score_col}{first + 1}:{score_col}{last + 1}))', st.formula_num, "")
    ws.write_blank(L.total, LAST_COL, None, st.fixed)
    label(L.grade, 0, form.GRADE.label, c2=4)
    ws.merge_range(L.grade, 5, L.grade, LAST_COL, "", st.formula_text)
    ws.write_formula(L.grade, 5, grade_formula(total_cell, rules),
                     st.formula_text, "")

    checks = write_live_marks(ws, L, rules, st.mark, st.message)

    ws.protect("", {"format_rows": True, "format_columns": True, "insert_rows": True})
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_area(0, 0, L.grade, LAST_COL)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    return checks


def grade_formula(total_cell: str, rules: Rules) -> str:
    """自评等级 by the rules' grade lines, best first; below the last line is 差."""
    inner = '"差"'
    for name, lowest in reversed(rules.grades):
        quoted = name.replace('"', '""')
        inner = f'IF({total_cell}>={plain(lowest)},"{quoted}",{inner})'
    return f'=IF({total_cell}="","",{inner})'


def write_template(path: str | Path, unit: str = "", year: int | None = None, projects: int = 5,
                   rules: Rules | None = None) -> Path:
    """The blank template, written from `rules` (default: the default preset)."""
    rules = rules if rules is not None else resolve_rules()
    path = Path(path)
    with replacing(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), SAFE_OPTIONS)
        st = _Styles(wb)
        _instructions(wb, st, rules)
        # 自查 stands before 单位信息: its 3-D total runs over 单位信息 … 选项.
        self_check = wb.add_worksheet(form.SELF_CHECK_SHEET)
        _unit_sheet(wb, st, unit, year)
        names = [f"项目{i}" for i in range(1, projects + 1)]
        checks = [_project_sheet(wb, st, name, unit, year, rules) for name in names]
        lists = _lists(wb)
        write_texts(wb, lists, checks[0] if checks else [], first_col=5)
        rules_line = (f"评分规则：{rules.name}。分值：{weight_lines(rules)}；执行率低于"
                      f"{pct(rules.rate_threshold)}须说明原因；自评等级：{grade_lines(rules)}。")
        write_self_check(wb, self_check, st.self_check, names, checks[0] if checks else [], rules_line,
                         LAYOUT.grade + 1)
        wb.close()
    return path
