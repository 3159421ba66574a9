"""Finding the form's fields in a sheet by their labels, not by coordinates.

Inserted rows and columns, extra indicator rows, merged cells and renamed sheets all
move the labels with the data, so we look for the labels. The result is still raw:
each field is the cell's value and its A1 reference; `interpret` gives them types.
"""
from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from . import form
from .grid import Cell, Sheet, a1

Raw = tuple[object, str]  # (value as the cell holds it, A1 reference)

_HEADER_INDEX = form.label_index(form.HEADER_FIELDS)
_DEPT_INDEX = form.label_index(form.DEPT_HEADER_FIELDS)
_FUND_COL_INDEX = form.label_index(form.FUND_COLUMNS + (form.FUND_NOTE,))
_FUND_ROW_INDEX = form.label_index(form.READ_FUND_ROWS)
_IND_INDEX = form.label_index(form.INDICATOR_COLUMNS + form.OPTIONAL_INDICATOR_COLUMNS)
_UNIT_INDEX = form.label_index(form.UNIT_INFO_FIELDS)
_SINGLE_INDEX = form.label_index((form.EXEC_REASON, form.TOTAL, form.GRADE))
_ALL_LABELS = {**_HEADER_INDEX, **_FUND_COL_INDEX, **_FUND_ROW_INDEX, **_IND_INDEX,
               **_SINGLE_INDEX, form.norm_label(form.GOAL_CAPTION): "goal",
               form.norm_label(form.GOAL_PLANNED.label): "goal_planned",
               form.norm_label(form.GOAL_ACHIEVED.label): "goal_achieved"}
# 项目编码 (our template beside 评价年度): a value search stops there too.
_ALL_LABELS.update(form.label_index((form.PROJECT_CODE,)))
_FUND_KEYS = frozenset({"budget", "executed"})
_FUND_KEYS_INITIAL = frozenset({"initial", "executed"})
_IND_KEYS = frozenset({"level1", "level2", "level3", "target"})
_CONTENT_KEYS = frozenset({"level3", "target", "actual", "weight", "self_score", "deduct"})  # what makes a row an indicator
_FILLED_KEYS = frozenset({"target", "actual", "self_score", "deduct"})   # what a left-over row lacks
_STOP_INDEX = form.label_index((form.TOTAL, form.GRADE))
_EXEC_REASON_INDEX = form.label_index((form.EXEC_REASON,))
_GOAL_INDEX = form.label_index((form.GOAL_PLANNED, form.GOAL_ACHIEVED))
_TOTAL_INDEX = form.label_index((form.TOTAL,))
_GRADE_INDEX = form.label_index((form.GRADE,))
# Every index the layout searches, and for each folded label text the (index, key)
# pairs it answers to: one pass over a sheet's cells finds all labels at once.
_INDEXES = (_HEADER_INDEX, _FUND_COL_INDEX, _FUND_ROW_INDEX, _IND_INDEX, _UNIT_INDEX,
            _STOP_INDEX, _EXEC_REASON_INDEX, _GOAL_INDEX, _TOTAL_INDEX, _GRADE_INDEX, _DEPT_INDEX)
_COMBINED: dict[str, list[tuple[int, str]]] = {}
for _i, _index in enumerate(_INDEXES):
    for _text, _key in _index.items():
        _COMBINED.setdefault(_text, []).append((_i, _key))
_INDEX_NO = {id(index): i for i, index in enumerate(_INDEXES)}


@functools.lru_cache(maxsize=16384)
def _fold(value: str) -> tuple[str, str, tuple[tuple[int, str], ...]] | None:
    """A short cell text folded, without brackets, and the (index, key) labels it is;
    None when nothing is left after folding."""
    s = form.norm_label(value)
    if not s:
        return None
    # (Most cells are values, not labels, and have no brackets: no dicts built for them.)
    bare = form.strip_parens(s) if "(" in s else s
    exact = _COMBINED.get(s, ())
    if bare == s:
        return s, bare, tuple(dict(exact).items()) if exact else ()
    hits = dict(_COMBINED.get(bare, ()))
    hits.update(exact)  # the exact text wins over the bracket-free one
    return s, bare, tuple(hits.items())


_YEAR_IN_TITLE = re.compile(r"(20\d{2}|19\d{2})\s*年度")
# How a form states the unit of its amounts: 项目资金（元）, 单位：元, 金额（万元）.
_AMOUNT_UNIT = re.compile(r"(?:\((?:金额)?(?:单位)?:?(万元|元)\)|单位:?(万元|元)[)]?)$")


@functools.lru_cache(maxsize=4096)
def _amount_unit(folded: str) -> str | None:
    m = _AMOUNT_UNIT.search(folded)
    return (m.group(1) or m.group(2)) if m else None


@functools.lru_cache(maxsize=4096)
def _is_dept_title(folded: str) -> bool:
    return "部门整体支出" in folded and "绩效" in folded and "项目支出绩效" not in folded


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
    kind: str = "project"               # project | dept (部门整体支出绩效自评表)
    amount_unit: Raw | None = None      # (元 or 万元, where the form says so)
    ignored_rows: list[str] = field(default_factory=list)   # left-over template rows (A1 of 三级指标)
    fund_columns: frozenset[str] = frozenset()               # the funds block's column keys
    score_columns: frozenset[str] = frozenset()              # indicator columns found


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


class Labels:
    """The label-like text of one sheet, folded once, and where each label sits."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        # (row, col) → (folded, without brackets, labels), in reading order
        self.text: dict[tuple[int, int], tuple[str, str, tuple[tuple[int, str], ...]]] = {}
        self._rows: dict[tuple[int, frozenset[str], int], int | None] = {}
        self._columns: dict[tuple[int, int], dict[str, int]] = {}
        self._positions: list[dict[str, list[tuple[int, int]]]] = [{} for _ in _INDEXES]
        self._inline: list[tuple[int, int, str, str]] | None = None   # (row, col, head, rest): find_inline
        # (header row, columns, first data row)
        self.indicator_columns: tuple[int, dict[str, int], int] | None = None
        # One pass over the cells finds every label of every index (this runs for
        # each sheet of a province, so the per-text work is cached in _fold).
        text, positions = self.text, self._positions
        fold = _fold
        for r, line in enumerate(sheet.rows, start=sheet.top):
            c = sheet.left - 1
            for v in line:
                c += 1
                # Most cells are empty (''): the truth test first turns them away cheapest.
                if v and type(v) is str and len(v) <= 40:
                    folded = fold(v)
                    if folded is not None:
                        text[r, c] = folded
                        for i, key in folded[2]:
                            positions[i].setdefault(key, []).append((r, c))

    @staticmethod
    def _lookup(s: str, bare: str, index: dict[str, str]) -> str | None:
        return index.get(s) or (index.get(bare) if bare != s else None)

    def key(self, row: int, col: int, index: dict[str, str]) -> str | None:
        t = self.text.get((row, col))
        return self._lookup(t[0], t[1], index) if t else None

    def positions(self, index: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
        """Every cell where each of the index's labels stands, in reading order."""
        return self._positions[_INDEX_NO[id(index)]]

    def find(self, index: dict[str, str], key: str) -> tuple[int, int] | None:
        hits = self.positions(index).get(key)
        return hits[0] if hits else None

    def find_inline(self, index: dict[str, str], key: str) -> tuple[int, int, str] | None:
        """A label and its value in one cell: `项目名称：社区党建经费`."""
        if self._inline is None:   # the cells with a colon, split once per sheet
            self._inline = [(r, c, *s.partition(":")[::2]) for (r, c), (s, _, _) in self.text.items() if ":" in s]
        for r, c, head, rest in self._inline:
            if rest and form.match(head, index) == key:
                return r, c, rest
        return None

    def row_with(self, index: dict[str, str], keys: frozenset[str], need: int) -> int | None:
        """The first row in which at least `need` of `keys` stand as labels."""
        memo = (id(index), keys, need)
        if memo not in self._rows:
            by_row: dict[int, set[str]] = {}
            for k, hits in self.positions(index).items():
                if k in keys:
                    for r, _ in hits:
                        by_row.setdefault(r, set()).add(k)
            rows = [r for r, ks in by_row.items() if len(ks) >= need]
            self._rows[memo] = min(rows) if rows else None
        return self._rows[memo]

    def funds_header(self) -> int | None:
        # Older forms (北京 2016) have no 全年预算数: 年初预算数（A） and 全年执行数（B）, rate B/A.
        return (self.row_with(_FUND_COL_INDEX, _FUND_KEYS, 2)
                or self.row_with(_FUND_COL_INDEX, _FUND_KEYS_INITIAL, 2))

    def indicator_header(self) -> int | None:
        return self.row_with(_IND_INDEX, _IND_KEYS, 3)

    def value_right(self, row: int, col: int, limit: int = 12) -> Raw:
        """The first non-empty cell right of a label, stopping at the next label.

        When there is none, the cell just right of the label (or of its merged
        range): that is where the clerk should type, so that is where a finding points.
        """
        sheet = self.sheet
        first = sheet.merge_end(row, col) + 1
        found = self._first_value((row, c) for c in range(first, min(sheet.right, first + limit)))
        return found or ("", a1(row, first))

    def value_below(self, row: int, col: int, limit: int = 3) -> Raw:
        found = self._first_value((r, col) for r in range(row + 1, min(self.sheet.bottom, row + 1 + limit)))
        return found or ("", a1(row + 1, col))

    def _first_value(self, cells: Iterable[tuple[int, int]]) -> Raw | None:
        """The first non-empty of `cells`, unless a label comes first."""
        for r, c in cells:
            v = self.sheet.get(r, c)
            if v == "" or v is None:
                continue
            if self.key(r, c, _ALL_LABELS):
                return None
            return v, a1(r, c)
        return None

    def columns(self, row: int, index: dict[str, str]) -> dict[str, int]:
        """Field key → column, left to right, for the labels standing in one header row
        (the leftmost where a label repeats)."""
        memo = (row, id(index))
        cols = self._columns.get(memo)
        if cols is None:
            found = []
            for k, hits in self.positions(index).items():
                for r, c in hits:
                    if r == row:
                        found.append((c, k))
                        break
            found.sort()
            cols = self._columns[memo] = {k: c for c, k in found}
        return cols   # shared by the callers, who only read it


def _field_right(labels: Labels, index: dict[str, str], key: str) -> Raw | None:
    pos = labels.find(index, key)
    if pos:
        return labels.value_right(*pos)
    inline = labels.find_inline(index, key)
    if inline:
        r, c, rest = inline
        return rest, a1(r, c)
    return None


def _title_rows(labels: Labels) -> Iterator[str]:
    """The texts of the sheet's first rows, where a title stands (titles may be longer
    than the labels the sheet's index keeps)."""
    for line in labels.sheet.rows[:5]:
        for v in line:
            if type(v) is str and v:
                yield form.norm_label(v[:200])


def _says_dept(labels: Labels) -> bool:
    # A substring test first: this runs for every project sheet of a province.
    if not any(type(v) is str and "部门整体" in v for line in labels.sheet.rows[:5] for v in line):
        return False
    return any(_is_dept_title(t) for t in _title_rows(labels))


def classify(labels: Labels) -> str:
    """'project', 'dept' (部门整体支出绩效自评表), 'unit' or '' for a sheet that is none."""
    if labels.funds_header() is not None or labels.indicator_header() is not None:
        return "dept" if _says_dept(labels) else "project"
    if labels.find(_UNIT_INDEX, "unit") and (labels.find(_UNIT_INDEX, "district")
                                             or labels.find(_UNIT_INDEX, "organisation")
                                             or labels.find(_UNIT_INDEX, "year")):
        return "unit"
    return ""


def read_unit(labels: Labels) -> RawUnit:
    out = RawUnit(labels.sheet.name)
    for f in form.UNIT_INFO_FIELDS:
        raw = _field_right(labels, _UNIT_INDEX, f.key)
        if raw is not None:
            out.values[f.key] = raw
    return out


def _read_funds(labels: Labels, out: RawProject) -> None:
    sheet = labels.sheet
    hrow = labels.funds_header()
    if hrow is None:
        return
    cols = labels.columns(hrow, _FUND_COL_INDEX)
    if "budget" not in cols and "initial" in cols and "executed" in cols:
        cols = {**cols, "budget": cols["initial"]}   # the only budget the form has; its rate is B/A on it
    out.fund_columns = frozenset(cols)
    amounts = [c for k, c in cols.items() if k != "note"] or list(cols.values())
    first_amount = min(amounts)   # row labels stand left of the amounts (a 备注 column may not)
    text = labels.text
    # The unit of the amounts, where the form states it: in the caption, a column header
    # or a 单位：元 line above the block.
    for (r, c), t in text.items():
        if r > hrow:
            break
        unit = _amount_unit(t[0])
        if unit:
            out.amount_unit = (unit, a1(r, c))
            if unit == "元":
                break
    if out.amount_unit is None:
        # A title too long to be a label: 2021年度项目支出绩效自评表（金额单位：元）
        for r, line in enumerate(sheet.rows[:min(5, hrow - sheet.top)], start=sheet.top):
            for c, v in enumerate(line, start=sheet.left):
                if type(v) is str and len(v) > 40 and _amount_unit(form.norm_label(v[-20:])):
                    out.amount_unit = (_amount_unit(form.norm_label(v[-20:])), a1(r, c))
    # The funds block ends where the goal or the indicator block begins.
    ends = [r for r, _ in labels.positions(_GOAL_INDEX).get("goal_planned", ()) if r > hrow]
    ind = labels.indicator_header()
    if ind is not None and ind > hrow:
        ends.append(ind)
    for r in range(hrow + 1, min(sheet.bottom, hrow + 14, *ends)):
        key = None
        for c in range(sheet.left, first_amount):
            label = text.get((r, c))
            key = _fund_row_key(label[0]) if label else None
            if key:
                out.fund_labels[key] = f"{sheet.get(r, c)}"
                break
        if key and key not in out.funds:
            out.funds[key] = dict(zip(cols, zip(sheet.values(r, cols.values()),
                                                _refs(r, tuple(cols.values())))))
        if out.kind == "dept":
            _side_line(labels, out, r, first_amount)


def _side_line(labels: Labels, out: RawProject, r: int, first: int) -> None:
    """The national 部门整体 form puts 按支出性质分 beside the source rows, to the right of
    the amounts: `其中：基本支出：| 800`. Its one figure is the line's 全年预算数."""
    sheet, text = labels.sheet, labels.text
    for c in range(first, sheet.right):
        label = text.get((r, c))
        key = _fund_row_key(label[0]) if label else None
        if key in form.USE_KEYS and key not in out.funds:
            out.fund_labels[key] = f"{sheet.get(r, c)}"
            value = labels.value_right(r, c, limit=4)
            out.funds[key] = {"budget": value}
            return


_EMPTY = frozenset({"", None})


@functools.lru_cache(maxsize=4096)
def _refs(row: int, columns: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(a1(row, c) for c in columns)


@functools.lru_cache(maxsize=1024)
def _fund_row_key(folded: str) -> str | None:
    """The fund row a folded label names; 其中：本年财政拨款 names 本年财政拨款,
    按支出性质分：基本支出 and 1.基本支出 name 基本支出."""
    key = form.match(folded, _FUND_ROW_INDEX)
    if key:
        return key
    # 按收入性质分：财政拨款, 其中：基本支出: the line is named after the last colon.
    bare = folded.rstrip(":").rpartition(":")[2].removeprefix("其中")
    bare = _NUMBERING.sub("", bare)
    return form.match(bare, _FUND_ROW_INDEX) if bare else None


_NUMBERING = re.compile(r"^(?:[0-9]+[、.]|[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十0-9]+\))")


def _read_goal(labels: Labels, out: RawProject) -> None:
    for f in (form.GOAL_PLANNED, form.GOAL_ACHIEVED):
        pos = labels.find(_GOAL_INDEX, f.key)
        if pos:
            raw = labels.value_below(*pos)
            if raw[0] == "":
                right = labels.value_right(*pos, limit=1)
                raw = right if right[0] != "" else raw
            out.values[f.key] = raw


def _indicator_columns(labels: Labels, hrow: int) -> tuple[dict[str, int], int]:
    """The indicator block's columns and its first data row. Two-row headers: labels of a
    row above (merged down) or a row below (sub-columns of a spanning label) join in,
    the lower row's winning where both name a column. (Shared: callers only read it.)"""
    memo = labels.indicator_columns
    if memo is None or memo[0] != hrow:
        memo = labels.indicator_columns = (hrow, *_find_indicator_columns(labels, hrow))
    return memo[1], memo[2]


def _find_indicator_columns(labels: Labels, hrow: int) -> tuple[dict[str, int], int]:
    sheet = labels.sheet
    cols = dict(labels.columns(hrow, _IND_INDEX))
    first = hrow + 1
    above = labels.columns(hrow - 1, _IND_INDEX) if hrow - 1 >= sheet.top else {}
    if len(set(above) - _IND_KEYS) >= 2:
        for k, c in above.items():
            cols.setdefault(k, c)
    below = labels.columns(hrow + 1, _IND_INDEX) if hrow + 1 < sheet.bottom else {}
    level3 = cols.get("level3")
    if below and (level3 is None or labels.key(hrow + 1, level3, _IND_INDEX)
                  or sheet.get(hrow + 1, level3) in ("", None)):
        taken = {c: k for k, c in below.items()}
        cols = {k: c for k, c in cols.items() if c not in taken or taken[c] == k}
        cols.update(below)
        first = hrow + 2
    return dict(sorted(cols.items(), key=lambda kc: kc[1])), first


def _read_indicators(labels: Labels, out: RawProject) -> None:
    sheet = labels.sheet
    hrow = labels.indicator_header()
    if hrow is None:
        return  # no indicator block at all: P116 says so
    cols, first = _indicator_columns(labels, hrow)
    out.score_columns = frozenset(cols)
    if "level1" in cols:
        out.indicator_header = a1(hrow, cols["level1"])
    # 二级指标 is not needed to score (some provincial forms have none); 扣分 stands in for 得分.
    have = set(cols) | ({"self_score"} if "deduct" in cols else set()) | {"level2"}
    out.missing_columns = [f.label for f in form.INDICATOR_COLUMNS if f.required and f.key not in have]
    # The block ends at the first 总分/自评等级 label in the leftmost columns below it.
    stops = [r for hits in labels.positions(_STOP_INDEX).values() for r, c in hits
             if r >= first and c < sheet.left + 6]
    carry = {"level1": "", "level2": ""}
    keys, columns = tuple(cols), tuple(cols.values())
    offsets = tuple(c - sheet.left for c in columns)
    pick = operator.itemgetter(*offsets) if len(offsets) > 1 else None   # one C call per row
    content_at = [j for j, k in enumerate(keys) if k in _CONTENT_KEYS]
    content_of = _picker(content_at)
    filled_at = [j for j, k in enumerate(keys) if k in _FILLED_KEYS]
    level1_at = keys.index("level1") if "level1" in cols else None
    level2_at = keys.index("level2") if "level2" in cols else None
    level3_at = keys.index("level3") if "level3" in cols else None
    repeated = {r for r, c in labels.positions(_IND_INDEX).get("level3", ()) if c == cols.get("level3")}
    level_at = tuple(j for j in (level1_at, level2_at, level3_at) if j is not None)
    labels_at = tuple(j for j in (level1_at, level2_at) if j is not None)
    levels_of, labels_of = _picker(level_at), _picker(labels_at)
    ignored: list[int] = []
    label_only: int | None = None   # a row holding only a 一级/二级 label, until a row uses it
    placeholder = form.is_placeholder
    for r in range(first, min(stops, default=sheet.bottom)):
        if r in repeated:
            continue  # a repeated header row
        row = sheet.rows[r - sheet.top]
        if pick is not None and len(row) > offsets[-1]:
            values = pick(row)
        else:
            values = [row[i] if i < len(row) else "" for i in offsets]
        content = not _EMPTY.issuperset(content_of(values))
        if content:
            if not _SUBTOTALS.isdisjoint(levels_of(values)):
                continue   # 小计 of a 一级: its figures are its indicators' again
        elif _EMPTY.issuperset(labels_of(values)):
            continue  # an empty row of the indicator block
        if content and (level3_at is None or _blank_or_placeholder(values[level3_at], placeholder)) \
                and all(_blank_or_placeholder(values[j], placeholder) for j in filled_at):
            content = False   # 指标1, ……, a dash: a row the template left behind
            ignored.append(r)
        elif not content:
            if label_only is not None:
                ignored.append(label_only)
            label_only = r
        line = dict(zip(keys, zip(values, _refs(r, columns))))
        for k, j in (("level1", level1_at), ("level2", level2_at)):
            if j is None:
                continue
            v = values[j]
            if v not in _EMPTY:
                carry[k] = v
                if k == "level1" and (level2_at is None or values[level2_at] in _EMPTY):
                    carry["level2"] = ""  # a new 一级指标 starts its own 二级 run
            elif content:
                # Merged cells hold their value in the top-left cell only.
                line[k] = (carry[k], line[k][1])
                if label_only is not None:
                    label_only = None   # the label row was a section heading for this row
        if content:
            if label_only is not None and label_only != r:
                ignored.append(label_only)
                label_only = None
            out.indicators.append(line)
    if label_only is not None:
        ignored.append(label_only)
    anchor = cols.get("level3", cols.get("level1", sheet.left))
    out.ignored_rows = [a1(r, anchor) for r in sorted(set(ignored))]


# As typed (a set lookup per cell, no folding: this runs for every indicator row).
_SUBTOTALS = frozenset({"小计", "小计:", "小计：", "小 计", "分项小计", "一级指标小计", "小计得分"})


def _picker(at: Sequence[int]) -> Callable[[Sequence[Cell]], Sequence[Cell]]:
    """A row's values at the positions `at`, picked in one C call (this runs for every
    indicator row; itemgetter gives a bare value for one position, hence the cases)."""
    if len(at) > 1:
        return operator.itemgetter(*at)
    if at:
        j = at[0]
        return lambda values: (values[j],)
    return lambda values: ()


def _blank_or_placeholder(v: object, placeholder: Callable[[str], bool]) -> bool:
    return v in _EMPTY or (type(v) is str and placeholder(v))


def _read_total(labels: Labels, out: RawProject) -> None:
    hrow = labels.indicator_header()
    hits = labels.positions(_TOTAL_INDEX).get("self_total", ())
    # 合计 also names the funds block's total row: the 总分 is the one below the indicators.
    below = [p for p in hits if hrow is None or p[0] > hrow]
    pos = below[0] if below else None
    if pos:
        r, c = pos
        cols = _indicator_columns(labels, hrow)[0] if hrow is not None else {}
        score_col = cols.get("self_score")
        if score_col is not None and score_col > c:
            out.values["self_total"] = (labels.sheet.get(r, score_col), a1(r, score_col))
        else:
            # The first figure right of the label that is not the 分值 (100) or 扣分 sum.
            skip = {cols.get("weight"), cols.get("deduct")}
            sheet = labels.sheet
            first = sheet.merge_end(r, c) + 1
            found = labels._first_value((r, cc) for cc in range(first, min(sheet.right, first + 12))
                                        if cc not in skip)
            out.values["self_total"] = found or ("", a1(r, first))
    pos = labels.find(_GRADE_INDEX, "self_grade")
    if pos:
        out.values["self_grade"] = labels.value_right(*pos)


def read_project(labels: Labels, kind: str = "project") -> RawProject:
    """One project form, or with kind='dept' a 部门整体支出绩效自评表 (whose unit is its
    部门（单位）名称 and which has no project name)."""
    sheet = labels.sheet
    out = RawProject(sheet.name, kind=kind)
    for f in form.HEADER_FIELDS:
        raw = _field_right(labels, _HEADER_INDEX, f.key)
        if raw is not None:
            out.values[f.key] = raw
    if kind == "dept":
        out.values.pop("name", None)
        raw = _field_right(labels, _DEPT_INDEX, "unit")
        if raw is not None:
            out.values["unit"] = raw
    for r, c in labels.text:
        if r > sheet.top + 5:
            break
        m = _YEAR_IN_TITLE.search(str(sheet.get(r, c)))
        if m:
            out.title_year = int(m.group(1))
            break
    _read_funds(labels, out)
    reason = _field_right(labels, _EXEC_REASON_INDEX, "exec_reason")
    if reason is not None:
        out.values["exec_reason"] = reason
    _read_goal(labels, out)
    _read_indicators(labels, out)
    _read_total(labels, out)
    return out
