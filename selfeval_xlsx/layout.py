"""Finding the form's fields in a sheet by their labels, not by coordinates.

Inserted rows and columns, extra indicator rows, merged cells and renamed sheets all
move the labels with the data, so we look for the labels. The result is still raw:
each field is the cell's value and its A1 reference; `interpret` gives them types.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import form
from .grid import Sheet, a1

Raw = tuple[object, str]  # (value as the cell holds it, A1 reference)

_HEADER_INDEX = form.label_index(form.HEADER_FIELDS)
_FUND_COL_INDEX = form.label_index(form.FUND_COLUMNS)
_FUND_ROW_INDEX = form.label_index(form.FUND_ROWS)
_IND_INDEX = form.label_index(form.INDICATOR_COLUMNS + form.OPTIONAL_INDICATOR_COLUMNS)
_UNIT_INDEX = form.label_index(form.UNIT_INFO_FIELDS)
_SINGLE_INDEX = form.label_index((form.EXEC_REASON, form.TOTAL, form.GRADE))
_ALL_LABELS = {**_HEADER_INDEX, **_FUND_COL_INDEX, **_FUND_ROW_INDEX, **_IND_INDEX,
               **_SINGLE_INDEX, form.norm_label(form.GOAL_CAPTION): "goal",
               form.norm_label(form.GOAL_PLANNED.label): "goal_planned",
               form.norm_label(form.GOAL_ACHIEVED.label): "goal_achieved"}
_YEAR_IN_TITLE = re.compile(r"(20\d{2}|19\d{2})\s*年度")


@dataclass
class RawProject:
    sheet: str
    values: dict[str, Raw] = field(default_factory=dict)
    funds: dict[str, dict[str, Raw]] = field(default_factory=dict)
    fund_labels: dict[str, str] = field(default_factory=dict)
    indicators: list[dict[str, Raw]] = field(default_factory=list)
    indicator_header: str = ""          # A1 of the 一级指标 header, for findings
    missing_columns: list[str] = field(default_factory=list)
    title_year: int | None = None


    def is_blank(self) -> bool:
        """True for a sheet with the form's labels but nothing typed into it."""
        typed = [v for k, (v, _) in self.values.items() if k not in ("unit", "year")]
        typed += [v for cells in self.funds.values()
                  for k, (v, _) in cells.items() if k in ("initial", "budget", "executed")]
        return not self.indicators and all(v in ("", None) for v in typed)


@dataclass
class RawUnit:
    sheet: str
    values: dict[str, Raw] = field(default_factory=dict)


class _Labels:
    """Where each known label sits in one sheet."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.cells: list[tuple[int, int, str]] = []
        for r, c, v in sheet.nonempty():
            if isinstance(v, str) and len(v) <= 40:
                self.cells.append((r, c, v))

    def find(self, index: dict[str, str], key: str) -> tuple[int, int] | None:
        for r, c, v in self.cells:
            if form.match(v, index) == key:
                return r, c
        return None

    def find_inline(self, index: dict[str, str], key: str) -> tuple[int, int, str] | None:
        """A label and its value in one cell: `项目名称：社区党建经费`."""
        for r, c, v in self.cells:
            text = form.norm_label(v)
            if ":" in text:
                head, _, rest = text.partition(":")
                if form.match(head, index) == key and rest:
                    return r, c, rest
        return None

    def row_with(self, index: dict[str, str], keys: set[str], need: int) -> int | None:
        """The first row in which at least `need` of `keys` stand as labels."""
        by_row: dict[int, set[str]] = {}
        for r, c, v in self.cells:
            k = form.match(v, index)
            if k in keys:
                by_row.setdefault(r, set()).add(k)
                if len(by_row[r]) >= need:
                    return r
        return None


def _value_right(sheet: Sheet, row: int, col: int, limit: int = 12) -> Raw:
    """The first non-empty cell right of a label, stopping at the next label.

    When there is none, the cell just right of the label: that is where the clerk
    should type, so that is where a finding points.
    """
    first = sheet.merge_end(row, col) + 1  # a merged label spans several columns
    for c in range(first, min(sheet.right, first + limit)):
        v = sheet.get(row, c)
        if v == "" or v is None:
            continue
        if isinstance(v, str) and form.match(v, _ALL_LABELS):
            break
        return v, a1(row, c)
    return "", a1(row, first)


def _value_below(sheet: Sheet, row: int, col: int, limit: int = 3) -> Raw:
    for r in range(row + 1, min(sheet.bottom, row + 1 + limit)):
        v = sheet.get(r, col)
        if v == "" or v is None:
            continue
        if isinstance(v, str) and form.match(v, _ALL_LABELS):
            break
        return v, a1(r, col)
    return "", a1(row + 1, col)


def _field_right(labels: _Labels, index: dict[str, str], key: str) -> Raw | None:
    pos = labels.find(index, key)
    if pos:
        return _value_right(labels.sheet, *pos)
    inline = labels.find_inline(index, key)
    if inline:
        r, c, rest = inline
        return rest, a1(r, c)
    return None


def classify(sheet: Sheet) -> str:
    """'project', 'unit' or '' for a sheet that is neither."""
    labels = _Labels(sheet)
    has_funds = labels.row_with(_FUND_COL_INDEX, {"budget", "executed"}, 2) is not None
    has_indicators = labels.row_with(_IND_INDEX, {"level1", "level2", "level3", "target"}, 3) is not None
    if has_funds or has_indicators:
        return "project"
    if labels.find(_UNIT_INDEX, "unit") and (labels.find(_UNIT_INDEX, "district")
                                             or labels.find(_UNIT_INDEX, "organisation")
                                             or labels.find(_UNIT_INDEX, "year")):
        return "unit"
    return ""


def read_unit(sheet: Sheet) -> RawUnit:
    labels = _Labels(sheet)
    out = RawUnit(sheet.name)
    for f in form.UNIT_INFO_FIELDS:
        raw = _field_right(labels, _UNIT_INDEX, f.key)
        if raw is not None:
            out.values[f.key] = raw
    return out


def _read_funds(labels: _Labels, out: RawProject) -> None:
    sheet = labels.sheet
    hrow = labels.row_with(_FUND_COL_INDEX, {"budget", "executed"}, 2)
    if hrow is None:
        return
    cols: dict[str, int] = {}
    for c in range(sheet.left, sheet.right):
        k = form.match(sheet.get(hrow, c), _FUND_COL_INDEX)
        if k and k not in cols:
            cols[k] = c
    first_amount = min(cols.values())
    for r in range(hrow + 1, min(sheet.bottom, hrow + 10)):
        key = None
        for c in range(sheet.left, first_amount):
            text = sheet.get(r, c)
            key = form.match(text, _FUND_ROW_INDEX)
            if key is None and isinstance(text, str):
                bare = form.norm_label(text).removeprefix("其中:").removeprefix("其中")
                key = form.match(bare, _FUND_ROW_INDEX)
            if key:
                out.fund_labels[key] = f"{sheet.get(r, c)}"
                break
        if key and key not in out.funds:
            out.funds[key] = {k: (sheet.get(r, c), a1(r, c)) for k, c in cols.items()}


def _read_goal(labels: _Labels, out: RawProject) -> None:
    for f in (form.GOAL_PLANNED, form.GOAL_ACHIEVED):
        idx = form.label_index((f,))
        pos = labels.find(idx, f.key)
        if pos:
            raw = _value_below(labels.sheet, *pos)
            if raw[0] == "":
                right = _value_right(labels.sheet, *pos, limit=1)
                raw = right if right[0] != "" else raw
            out.values[f.key] = raw


def _read_indicators(labels: _Labels, out: RawProject) -> None:
    sheet = labels.sheet
    hrow = labels.row_with(_IND_INDEX, {"level1", "level2", "level3", "target"}, 3)
    if hrow is None:
        out.missing_columns = [f.label for f in form.INDICATOR_COLUMNS]
        return
    cols: dict[str, int] = {}
    for c in range(sheet.left, sheet.right):
        k = form.match(sheet.get(hrow, c), _IND_INDEX)
        if k and k not in cols:
            cols[k] = c
            if k == "level1":
                out.indicator_header = a1(hrow, c)
    out.missing_columns = [f.label for f in form.INDICATOR_COLUMNS if f.key not in cols]
    stop_index = form.label_index((form.TOTAL, form.GRADE))
    carry = {"level1": "", "level2": ""}
    for r in range(hrow + 1, sheet.bottom):
        line = {k: (sheet.get(r, c), a1(r, c)) for k, c in cols.items()}
        if any(form.match(sheet.get(r, c), stop_index)
               for c in range(sheet.left, min(sheet.right, sheet.left + 6))):
            break
        if form.match(line.get("level3", ("", ""))[0], _IND_INDEX) == "level3":
            continue  # a repeated header row
        content = [k for k in ("level3", "target", "actual", "weight", "self_score")
                   if k in line and line[k][0] not in ("", None)]
        for k in ("level1", "level2"):
            if k in line:
                v = line[k][0]
                if v not in ("", None):
                    carry[k] = v
                    if k == "level1" and line.get("level2", ("",))[0] in ("", None):
                        carry["level2"] = ""  # a new 一级指标 starts its own 二级 run
                elif content:
                    # Merged cells hold their value in the top-left cell only.
                    line[k] = (carry[k], line[k][1])
        if content:
            out.indicators.append(line)


def _read_total(labels: _Labels, out: RawProject, key: str, field_: form.Field) -> None:
    sheet = labels.sheet
    pos = labels.find(form.label_index((field_,)), key)
    if not pos:
        return
    r, c = pos
    if key == "self_total":
        score_col = None
        hrow = labels.row_with(_IND_INDEX, {"level1", "level2", "level3", "target"}, 3)
        if hrow is not None:
            for cc in range(sheet.left, sheet.right):
                if form.match(sheet.get(hrow, cc), _IND_INDEX) == "self_score":
                    score_col = cc
        if score_col is not None and score_col > c:
            out.values[key] = (sheet.get(r, score_col), a1(r, score_col))
            return
    out.values[key] = _value_right(sheet, r, c)


def read_project(sheet: Sheet) -> RawProject:
    labels = _Labels(sheet)
    out = RawProject(sheet.name)
    for f in form.HEADER_FIELDS:
        raw = _field_right(labels, _HEADER_INDEX, f.key)
        if raw is not None:
            out.values[f.key] = raw
    for r, c, v in labels.cells:
        if r > sheet.top + 5:
            break
        m = _YEAR_IN_TITLE.search(str(v))
        if m:
            out.title_year = int(m.group(1))
            break
    _read_funds(labels, out)
    reason = _field_right(labels, form.label_index((form.EXEC_REASON,)), "exec_reason")
    if reason is not None:
        out.values["exec_reason"] = reason
    _read_goal(labels, out)
    _read_indicators(labels, out)
    _read_total(labels, out, "self_total", form.TOTAL)
    _read_total(labels, out, "self_grade", form.GRADE)
    return out
