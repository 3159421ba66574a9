"""Writes the 复核底稿: the sampled projects, for the bureau's reviewers to score by hand.

One row per sampled project with our recomputed figures, its findings (our catalogue's
words), a link to its sheet in the source file, its risk factors, and two columns for
the reviewer: 复核得分 (0–100, validated) and 复核意见. The sheet is protected so only
those two can be typed in (filtering stays possible; Excel sorts a protected sheet's
locked cells only once it is unprotected). A hidden 定位键 column
holds each row's (file, sheet), so the review reads back (review.py) even when the rows
are re-sorted; 抽样说明 records how the sample was drawn, to repeat it.

The workbook carries the custom property schema.MARKER: saved inside the district's
folder by mistake, it is skipped by `selfeval run` (inputs.py) instead of read as a
submission. Text from the inputs is written as strings only (never a formula or link)
and through the text gate.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import xlsxwriter

from . import __version__, schema, textgate
from .batch import BatchResult
from .numbers import CENTS, fmt_pct
from .sampling import Sample, findings_text, weight_formula
from .summary_xlsx import SAFE_OPTIONS, link_target
from .tables import file_rows

SHEET, ABOUT = "复核底稿", "抽样说明"
SCORE_HEADER, OPINION_HEADER, KEY_HEADER = "复核得分", "复核意见", "定位键"
UNIT_HEADER, PROJECT_HEADER = "单位名称", "项目名称"
# (header, width, kind): kind picks the cell format.
COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("序号", 6, "int"), (UNIT_HEADER, 22, "text"), (PROJECT_HEADER, 22, "text"),
    ("年初预算数", 11, "amount"), ("全年预算数", 11, "amount"), ("全年执行数", 11, "amount"),
    ("执行率", 9, "rate"), ("自评得分", 9, "score"), ("计算总分", 9, "score"), ("等级", 6, "text"),
    ("问题", 40, "wrap"), ("源表", 26, "link"), ("抽取方式", 12, "text"), ("风险权重", 9, "score"),
    ("风险因素", 26, "wrap"), (SCORE_HEADER, 10, "input_score"), (OPINION_HEADER, 40, "input_text"),
    (KEY_HEADER, 30, "text"),
)
HEADERS = tuple(h for h, _, _ in COLUMNS)
METHOD = ("抽样总体按（文件路径，工作表）排序后，用此种子的伪随机数（Python random.Random）为每个项目生成键，"
          "取键最大的项目；同样的输入、规则和种子，抽样结果相同，与文件顺序和并行进程数无关。")
HOW_TO_FILL = ("只在“复核底稿”表的“复核得分”（0～100）和“复核意见”两列填写；可以筛选（表格受保护，Excel 中排序需先撤销保护），"
               "不要删除或改动隐藏的“定位键”列。填好后运行：selfeval run 目录 --review 本文件")
MAX_URL = 2000   # xlsxwriter (and Excel) refuse longer link targets


def row_key(file: str, sheet: str) -> str:
    """The hidden 定位键: JSON in ASCII, so any Excel or WPS save keeps it as it was."""
    return json.dumps([file, sheet])


def _formats(wb: Any) -> dict[str, Any]:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    entry = {**base, "locked": False, "bg_color": "#FFF2CC", "border": 1}
    return {
        "text": wb.add_format(base), "wrap": wb.add_format({**base, "text_wrap": True}),
        "int": wb.add_format({**base, "num_format": "0"}),
        "amount": wb.add_format({**base, "num_format": "#,##0.00"}),
        "score": wb.add_format({**base, "num_format": "0.00"}),
        "rate": wb.add_format({**base, "num_format": "0.00%"}),
        "link": wb.add_format({**base, "font_color": "#0563C1", "underline": 1}),
        "input_score": wb.add_format({**entry, "num_format": "0.00"}),
        "input_text": wb.add_format({**entry, "text_wrap": True}),
        "header": wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                 "align": "center"}),
        "title": wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True}),
    }


def _cell(ws: Any, r: int, c: int, value: object, fmt: Any) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, textgate.cell(value), fmt)
    else:
        ws.write_number(r, c, float(value), fmt)   # type: ignore[arg-type]  # Decimal or int


def _sample_sheet(wb: Any, f: dict[str, Any], sample: Sample, links: dict[str, str]) -> None:
    ws = wb.add_worksheet(SHEET)
    for c, (header, width, kind) in enumerate(COLUMNS):
        ws.set_column(c, c, width, f.get(kind), {"hidden": header == KEY_HEADER})
        ws.write_string(0, c, header, f["header"])
    for i, d in enumerate(sample.drawn, start=1):
        p, fac = d.candidate.row, d.factors
        values: dict[str, object] = {
            "序号": i, UNIT_HEADER: p.unit, PROJECT_HEADER: p.project, "年初预算数": p.initial,
            "全年预算数": p.budget, "全年执行数": p.executed, "执行率": p.rate, "自评得分": p.self_total,
            "计算总分": p.total, "等级": p.grade, "问题": findings_text(d.candidate) or "（无）",
            "抽取方式": d.how, "风险权重": fac.weight.quantize(CENTS) if sample.risk else None,
            "风险因素": fac.text(), KEY_HEADER: row_key(p.file or "", p.sheet or ""),
        }
        for c, (header, _, kind) in enumerate(COLUMNS):
            if header == "源表":
                _link(ws, i, c, p.file or "", p.sheet or "", links, f)
            elif kind.startswith("input"):
                ws.write_blank(i, c, None, f[kind])
            else:
                _cell(ws, i, c, values.get(header), f[kind])
    last = len(sample.drawn)
    score_col = HEADERS.index(SCORE_HEADER)
    if last:
        ws.data_validation(1, score_col, last, score_col, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
            "input_title": SCORE_HEADER, "input_message": "填写 0～100 的分数",
            "error_title": "复核得分有误", "error_message": "复核得分应为 0 到 100 之间的数字。"})
    ws.autofilter(0, 0, max(last, 1), len(COLUMNS) - 2)
    ws.freeze_panes(1, 3)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    # Only the unlocked 复核得分 and 复核意见 cells take input; filtering stays (sorting is
    # allowed too, but Excel sorts locked cells only on an unprotected sheet).
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})


def _link(ws: Any, r: int, c: int, file: str, sheet: str, links: dict[str, str], f: dict[str, Any]) -> None:
    """The project's sheet in its source file: a link built from our own path, its text gated."""
    shown = textgate.cell(f"{file}［{sheet}］")
    target = links.get(file, "")
    location = textgate.sheet_location(sheet, "A1")
    url = f"external:{target}" + (f"#{location}" if location else "")
    if not target or len(url) > MAX_URL or ws.write_url(r, c, url, f["link"], shown, "打开源文件的该项目表") < 0:
        ws.write_string(r, c, shown, f["text"])


def _about_sheet(wb: Any, f: dict[str, Any], result: BatchResult, sample: Sample, command: str) -> None:
    ws = wb.add_worksheet(ABOUT)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 90, f["wrap"])
    rules = result.rules
    facts: list[tuple[str, object]] = [
        ("程序", f"selfeval-xlsx {__version__}"),
        ("生成时间", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        ("输入目录", result.root), ("区县", result.district), ("评价年度", result.year),
        ("随机种子", sample.seed), ("种子来源", "命令行指定" if sample.seed_given else "程序自动选择（重抽时用 --seed 指定此值）"),
        ("抽样比例", fmt_pct(sample.share)), ("抽样方法", sample.method),
        ("方法说明", METHOD),
        ("抽样总体", f"{len(sample.population)} 个项目（计入汇总的项目）"),
        ("未纳入总体", sample.left_out_note() or "无"),
        ("按比例应抽", f"{sample.target} 个（比例 × 总体，向上取整，至少 1 个）"),
        ("每单位至少1个", f"是，补抽 {sample.added} 个" if sample.at_least_per_unit else "否"),
        ("实际抽取", f"{len(sample.drawn)} 个"),
        ("风险权重公式", weight_formula(rules) if sample.risk else "不适用（简单随机抽样）"),
        ("评分规则", rules.name), ("规则文件", rules.source or "（内置预设）"),
        ("规则文件 SHA-256", rules.sha256 or "—"),
        ("复核差异容差", f"自评得分比复核得分高出超过 {rules.review_tolerance} 分，计为自评偏高"),
        ("重现命令", command),
        ("填写说明", HOW_TO_FILL),
    ]
    ws.write_string(0, 0, "抽样说明", f["title"])
    for r, (k, v) in enumerate(facts, start=2):
        ws.write_string(r, 0, k, f["header"])
        _cell(ws, r, 1, v if isinstance(v, str) or v is None else str(v), f["wrap"])
    top = len(facts) + 3
    ws.write_string(top, 0, "输入文件", f["header"])
    ws.write_string(top, 1, "SHA-256", f["header"])
    for r, row in enumerate(file_rows(result), start=top + 1):
        _cell(ws, r, 0, row.file, f["text"])
        _cell(ws, r, 1, row.sha256 or f"（{row.status or ''}：{row.reason or ''}）", f["text"])


def write_review_sheet(result: BatchResult, sample: Sample, path: str | Path, command: str = "") -> Path:
    """The 复核底稿 workbook at `path` (written beside it and renamed into place)."""
    from .atomic import replacing
    path = Path(path)
    root, out_dir = Path(result.root).resolve(), path.parent.resolve()
    links = {f: link_target(root, out_dir, f) for f in {d.candidate.row.file or "" for d in sample.drawn} if f}
    with replacing(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), SAFE_OPTIONS)
        wb.set_custom_property(*schema.MARKER)
        wb.set_properties({"title": f"{result.district}{result.year or ''}年度抽查复核底稿",
                           "comments": f"selfeval sample，随机种子 {sample.seed}"})
        f = _formats(wb)
        _sample_sheet(wb, f, sample, links)
        _about_sheet(wb, f, result, sample, command)
        wb.close()
    return path


