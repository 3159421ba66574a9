"""Checks from 抽查复核 practice (issue 14): what finance bureaus' spot checks and the
budget systems' warning rules catch that arithmetic does not — targets set too low, a
budget cut down to the spending, satisfaction without a survey, boilerplate and copied
rows, reasons that explain nothing, an incomplete indicator tree, scores out of
proportion to the spending, goals left as template text.

Pure functions over one project (or one file's projects) and the rules, yielding
findings like checks.py. Every threshold and word list is in the rules file.
"""
from __future__ import annotations

import functools
import hashlib
import math
import re
import sqlite3
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from decimal import Decimal

from .findings import Finding, make
from .form import is_cost
from .model import Indicator, Project
from .numbers import fmt, fmt_pct
from .rules import Rules
from .scoring import IndicatorScore, ProjectScore
from .targets import EXACT, POSITIVE, QUALITATIVE, REVERSE

_HUNDRED = Decimal(100)
# Punctuation and spaces a clerk adds around a stock phrase: 效果明显。 is 效果明显.
_NOISE = re.compile(r"[\s。，,.;；:：!！、“”\"'‘’（）()]+")
# A reason that says the target was not met.
_NOT_MET = ("未完成", "未达到", "未达标", "没有完成", "未能完成", "尚未完成", "没有达到", "未能达到")
# …unless it says there was nothing unmet: 无未完成情况, 不存在未达标.
_NOTHING_UNMET = ("无未", "没有未", "不存在未", "均无未")
# Words that say a project was added during the year (P126).
_ADDED = ("追加", "新增", "年中", "调增")
_LE_MARKS = ("≤", "<=", "≦", "<", "不高于", "不超过", "不多于", "小于", "低于", "以内", "以下")


def _norm(text: str) -> str:
    # A file's texts are folded several times (its copied-row keys twice: here and in its
    # fingerprint), so short ones are cached; a str → str cache cannot mix up types.
    if not text:
        return ""
    return _norm_short(text) if len(text) <= 200 else _NOISE.sub("", text)


@functools.lru_cache(maxsize=8192)
def _norm_short(text: str) -> str:
    return _NOISE.sub("", text)


@functools.lru_cache(maxsize=64)
def any_word(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex that finds any of `words` in a text: `any_word(ws).search(t)` is
    `any(w in t for w in ws)` in one C call instead of a Python loop over a rules list.
    Built once per list (the rules' tuples are the keys: str only, no type mix-ups)."""
    if not words:
        return re.compile(r"(?!)")   # never matches, as any() over no words is False
    return re.compile("|".join(map(re.escape, words)))


def _say(p: Project, code: str, problem: str, cell: str = "", value: object = "") -> Finding:
    """A finding on project `p` (built only when a check fires)."""
    return make(code, problem, value=value, file=p.file, sheet=p.sheet, cell=cell,
                unit=p.unit, project=p.name)


def says_nothing(text: str, rules: Rules) -> bool:
    """A reason that is only a stock phrase (无, 按计划推进) or too short to explain."""
    t = _norm(text)
    return not t or t in rules.empty_reasons or len(t) < rules.min_reason_chars


def _full_marks(ind: Indicator) -> bool:
    return ind.weight is not None and ind.self_score is not None and ind.weight > 0 \
        and ind.self_score >= ind.weight


def _what(ind: Indicator) -> str:
    return f"指标“{ind.level3 or '（未命名）'}”"


def _is_satisfaction(ind: Indicator) -> bool:
    return "满意度" in ind.level1 + ind.level2 + ind.level3


def satisfaction_value(ind: Indicator, s: IndicatorScore) -> Decimal | None:
    """A satisfaction actual as a percentage (98 for 98%), or None if it is none."""
    if not _is_satisfaction(ind):
        return None
    value = s.actual_value if s.actual_value is not None else ind.actual.value
    if value is None or not (ind.actual.percent or ind.target.percent or s.percent_from_fraction):
        return None
    return value


def p115_fires(s: ProjectScore, rules: Rules) -> bool:
    """The threshold rule P115 (checks.py): a high total on a low execution rate."""
    return (s.self_total is not None and s.rate is not None and s.self_total >= rules.suspicious_score
            and s.rate < rules.suspicious_rate)


# --- per project ---------------------------------------------------------------------------

def check_review(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    """Every per-project 抽查复核 check."""
    if p.kind != "project":
        return   # a 部门整体 form has its own dimensions and no project goals
    yield from _budget_cut(p, s, rules)
    yield from _goals(p, rules)
    if not p.indicators or s.unscorable:
        return   # P116/P121 say the form is unfilled; nothing here would help
    yield from _tree(p, rules)
    yield from _score_vs_rate(p, s, rules)
    yield from _stock_actuals(p, rules)
    for ind, sc in zip(p.indicators, s.indicators):
        yield from _indicator(p, ind, sc, rules)


def _budget_cut(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    total = p.total_line
    initial, budget, executed = p.initial, p.budget, p.executed
    said = _norm(p.exec_reason) + _norm(total.note)
    if budget is None or budget <= 0:
        return
    if initial is not None and initial > 0 and executed is not None and s.rate is not None:
        cut = (initial - budget) / initial
        if cut >= rules.budget_cut_share and s.rate >= rules.full_execution and says_nothing(said, rules):
            yield _say(p, "P125", f"年初预算数 {fmt(initial)} 万元，全年预算数调减为 {fmt(budget)} 万元"
                               f"（调减 {fmt_pct(cut)}），执行率 {fmt_pct(s.rate)}，年初口径执行率"
                               f"（执行数÷年初预算数）仅 {fmt_pct(executed / initial)}，未说明调整原因",
                       total.cells.get("budget", ""), fmt(budget))
    elif ("initial" in total.cells and (initial is None or initial == 0)
          and not any_word(_ADDED).search(said)):
        yield _say(p, "P126", f"年初预算数为{'空' if initial is None else ' 0'}，全年预算数 {fmt(budget)} 万元，"
                           "应是年中新增的项目", total.cells["initial"], "" if initial is None else "0")


def _goals(p: Project, rules: Rules) -> Iterator[Finding]:
    left = [(key, text) for key, text in (("goal_planned", p.goal_planned), ("goal_achieved", p.goal_achieved))
            if text and any_word(rules.template_phrases).search(text)]
    for key, text in left:
        what = "预期目标" if key == "goal_planned" else "实际完成情况"
        yield _say(p, "P132", f"“{what}”仍为模板说明文字“{text.strip()[:40]}”", p.cells.get(key, ""), text)
    planned, achieved = _norm(p.goal_planned), _norm(p.goal_achieved)
    if not left and planned and planned == achieved:
        yield _say(p, "P133", f"“实际完成情况”与“预期目标”一字不差（“{p.goal_achieved.strip()[:40]}”）",
                   p.cells.get("goal_achieved", ""), p.goal_achieved)


def _tree(p: Project, rules: Rules) -> Iterator[Finding]:
    if rules.require_cost and not any(is_cost(i.level1, i.level2) for i in p.indicators):
        header = p.indicators[0].cells.get("level1", "")
        yield _say(p, "P130", "该项目没有设置成本指标", header, "")


def _score_vs_rate(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    """The budget systems' rule: the indicators' score share far above the execution
    rate. P115 (the threshold rule) fires first; where it does, this stays silent."""
    if s.rate is None or p115_fires(s, rules):
        return
    scored = [(i.self_score, i.weight) for i in p.indicators
              if i.self_score is not None and i.weight is not None and i.weight > 0]
    weight = sum((w for _, w in scored), Decimal(0))
    if not weight:
        return
    share = sum((x for x, _ in scored), Decimal(0)) / weight
    gap = share - min(s.rate, Decimal(1))
    # Near-full marks (the share P115 calls high), far above the rate: a project already
    # marked down for what it missed is scored in proportion, whatever its rate.
    if share * _HUNDRED >= rules.suspicious_score and gap > rules.score_rate_gap:
        yield _say(p, "P131", f"各指标得分率 {fmt_pct(share)}（{fmt(weight * share)}/{fmt(weight)} 分），"
                               f"执行率 {fmt_pct(s.rate)}，相差 {fmt_pct(gap)}",
                       p.cells.get("self_total") or p.total_line.cells.get("executed", ""), fmt_pct(share))


def _stock(text: str, rules: Rules) -> str | None:
    """The stock phrase a short actual consists of, or None."""
    t = _norm(text)
    if not t or len(t) > 12:
        return None
    return next((w for w in rules.stock_phrases if w in t), None)


def _stock_actuals(p: Project, rules: Rules) -> Iterator[Finding]:
    qualitative = [i for i in p.indicators if i.target.kind == QUALITATIVE and i.actual.text]
    if len(qualitative) < 2 or not all(_full_marks(i) for i in p.indicators):
        return
    phrases = [_stock(i.actual.text, rules) for i in qualitative]
    if all(phrases):
        shown = "、".join(dict.fromkeys(f"“{i.actual.text.strip()}”" for i in qualitative))
        yield _say(p, "P127", f"{len(qualitative)} 项定性指标的完成值都是套话（{shown}），各指标均为满分",
                       qualitative[0].cells.get("actual", ""), qualitative[0].actual.text)


def _indicator(p: Project, ind: Indicator, s: IndicatorScore, rules: Rules) -> Iterator[Finding]:
    cell = ind.cells.get
    t = ind.target
    # 1. Target set too low: done k times over, full marks, nothing said about it.
    a = s.actual_value
    if (a is not None and t.value is not None and t.value > 0 and a > 0 and not t.zero and s.fallback is None
            and _full_marks(ind) and says_nothing(ind.reason, rules)):
        k = rules.low_target_ratio
        # A cost cap is the budget: spending less is the execution rate's business, not a low target.
        points = abs(a - t.value) >= rules.low_target_points if t.percent else True
        if points and ((t.kind in (POSITIVE, EXACT) and a >= k * t.value) or
                       (t.kind == REVERSE and not is_cost(ind.level1, ind.level2) and t.value >= k * a)):
            times = a / t.value if t.kind != REVERSE else t.value / a
            yield _say(p, "I121", f"{_what(ind)}指标值 {t.text}，完成值 {ind.actual.text}，"
                               f"{'完成值为指标值' if t.kind != REVERSE else '指标值为完成值'}的 {fmt(times)} 倍"
                               f"（规则：{fmt(k)} 倍），得满分且未说明原因", cell("target", ""), t.text)
    # 3. Satisfaction without evidence.
    value = satisfaction_value(ind, s)
    if value is not None and value >= rules.satisfaction_evidence * _HUNDRED:
        said = f"{ind.reason} {ind.actual.text} {ind.survey_method} {ind.sample_size}"
        if not any_word(rules.evidence_words).search(said):
            yield _say(p, "I122", f"{_what(ind)}完成值 {ind.actual.text}，未说明调查方式、样本量或调查时间",
                       cell("actual", ""), ind.actual.text)
    # 5. Reasons that explain nothing, or contradict the score.
    reason = ind.reason.strip()
    if reason and s.met is not True and _full_marks(ind) and any_word(_NOT_MET).search(reason) \
            and not any_word(_NOTHING_UNMET).search(reason):
        yield _say(p, "I124", f"{_what(ind)}偏差原因写“{reason[:40]}”，得分却为满分 {fmt(ind.self_score)}",
                   cell("self_score", ""), fmt(ind.self_score))
    elif reason and s.met is False and says_nothing(reason, rules):
        yield _say(p, "I123", f"{_what(ind)}未达到指标值（指标值 {t.text}，完成值 {ind.actual.text}），"
                           f"偏差原因只写了“{reason[:40]}”", cell("reason", ""), reason)
    # 6. A quantity written as a ceiling (the mirror of I112).
    if (ind.level2 == "数量指标" and t.kind == REVERSE and t.text.lstrip().startswith(_LE_MARKS)
            and not any_word(rules.reverse_quantity_words).search(ind.level3)):
        yield _say(p, "I125", f"{_what(ind)}是数量指标，指标值却写作“{t.text}”", cell("target", ""), t.text)


def check_exec_reason(p: Project, s: ProjectScore, rules: Rules) -> Iterator[Finding]:
    """5. An execution-rate reason that is there but says nothing (P107 covers none)."""
    if s.rate is not None and s.rate < rules.rate_threshold and p.exec_reason.strip() \
            and says_nothing(p.exec_reason, rules):
        yield _say(p, "P129", f"执行率 {fmt_pct(s.rate)}，原因只写了“{p.exec_reason.strip()[:40]}”",
                       p.cells.get("exec_reason", ""), p.exec_reason)


# --- one file's projects (one unit) -------------------------------------------------------

def row_key(ind: Indicator) -> tuple[str, str, str, str]:
    """An indicator row as copy-paste reproduces it: 三级指标, 指标值, 完成值, 偏差原因."""
    return (_norm(ind.level3), _norm(ind.target.text), _norm(ind.actual.text), _norm(ind.reason))


def row_digest(ind: Indicator) -> bytes:
    """row_key as a stable 8-byte digest (the same in every worker process, unlike hash()):
    how rows are compared, within a file (P128) and across the batch (B105)."""
    row = "\x1f".join((ind.level3, ind.target.text, ind.actual.text, ind.reason))
    if len(row) > 400 or row.count("\x1f") != 3:
        # Long rows are not cached (a cache must not hold 40,000-character cells); a text
        # with a \x1f of its own (an _x001F_ in the file) is folded text by text.
        return _digest("\x1f".join(row_key(ind)))
    return _joined_digest(row)


# The noise _norm removes, but for the \x1f between a row's texts: \s spelled out (the
# characters str.isspace() accepts; a test holds the two to each other) without \x1f.
_NOISE_BUT_SEP = re.compile("[\t\n\x0b\x0c\r\x1c-\x1e \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
                            r"""。，,.;；:：!！、“”"'‘’（）()]+""")


@functools.lru_cache(maxsize=4096)
def _joined_digest(row: str) -> bytes:
    # Each row's digest is wanted twice per file (check_unit, then fingerprint when the
    # file's rows are rendered): cached, so the second time is one lookup (str → bytes:
    # no value of another type can answer). The four texts are folded in one regex pass:
    # removing noise from the joined texts is "\x1f".join(row_key) when no text holds \x1f.
    return _digest(_NOISE_BUT_SEP.sub("", row))


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


def copied(a: Iterable[Hashable], b: Iterable[Hashable], rules: Rules) -> int:
    """How many rows two projects share, if enough to call it copying; else 0."""
    sa, sb = set(a), set(b)
    shared = len(sa & sb)
    if sa and sb and shared >= rules.copy_rows and shared >= rules.copy_share * min(len(sa), len(sb)):
        return shared
    return 0


def check_unit(scored: list[tuple[Project, ProjectScore]], rules: Rules) -> Iterator[Finding]:
    """Checks across one file's projects: rows copied between projects (P128), the same
    100% satisfaction on every project (U106)."""
    projects = [(p, s) for p, s in scored if p.kind == "project" and p.indicators and not s.unscorable]
    # Rows compared by their digests, as across units: two different rows share a
    # 64-bit digest by chance about once in 10^17 pairs.
    keys = [frozenset(row_digest(i) for i in p.indicators if i.level3) for p, _ in projects]
    for n, (p, _) in enumerate(projects):
        for m in range(n):
            shared = copied(keys[m], keys[n], rules)
            if shared:
                other = projects[m][0]
                yield _say(p, "P128", f"项目“{p.name}”有 {shared} 行指标（三级指标、指标值、完成值、偏差原因）"
                                       f"与本单位项目“{other.name}”（工作表“{other.sheet}”）完全相同",
                               p.indicators[0].cells.get("level3", ""), other.name)
                break
    sat = [[(ind, v) for ind, sc in zip(p.indicators, s.indicators)
            if (v := satisfaction_value(ind, sc)) is not None] for p, s in projects]
    with_sat = [(p, rows) for (p, _), rows in zip(projects, sat) if rows]
    if len(with_sat) >= 3 and all(v == _HUNDRED for _, rows in with_sat for _, v in rows):
        p, rows = with_sat[0]
        yield make("U106", f"本单位 {len(with_sat)} 个项目的满意度完成值全部为 100%", value="100%",
                   file=p.file, sheet=p.sheet, cell=rows[0][0].cells.get("actual", ""), unit=p.unit)


# --- across units (the batch) -------------------------------------------------------------

def fingerprint(p: Project, s: ProjectScore) -> bytes:
    """A project's indicator rows as stable 8-byte digests (the same in every worker
    process, unlike hash()), sorted and joined: what the batch keeps of each project to
    compare projects it no longer holds — about 80 bytes a project."""
    if p.kind != "project" or s.unscorable:
        return b""
    return b"".join(sorted({row_digest(i) for i in p.indicators if i.level3}))


def _digests(blob: bytes) -> frozenset[bytes]:
    return frozenset(blob[k:k + 8] for k in range(0, len(blob), 8))


# A row in more projects than this (资金使用合规率 100% 100%) finds no candidate pairs by
# itself; pairs it joins are still counted in full once another row brings them together.
_COMMON_ROW = 30

# B105 runs in the parent on a whole province's projects, after every file is read. Its
# index of which projects hold which row (a row digest, a project number, its unit's)
# lives in a private temporary SQLite database, which keeps at most its page cache in
# memory and spills the rest to disk: held in Python it cost ~8 KB a file at its peak.
_ACROSS_SCHEMA = """
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE; PRAGMA cache_size=-8000;
CREATE TABLE project (n INTEGER PRIMARY KEY, unit TEXT, file TEXT, sheet TEXT, name TEXT, cell TEXT,
                      keys BLOB, need INTEGER);
CREATE TABLE unit (name TEXT PRIMARY KEY);
CREATE TABLE seq (i INTEGER PRIMARY KEY);
"""
# Each project's row digests (8 bytes each, fingerprint()) with its unit's number; how
# many projects hold each row held by more than one; each project's rows held by more
# than _COMMON_ROW projects (`common`); and, for the rows held by at most _COMMON_ROW,
# their holders with what the candidate test below needs of them.
_HOLDERS = """
CREATE TABLE holder AS
  SELECT substr(p.keys, 8 * s.i + 1, 8) AS digest, p.n AS n, u.rowid AS u
  FROM project p JOIN unit u ON u.name = p.unit JOIN seq s ON s.i < length(p.keys) / 8;
CREATE TABLE shared (digest BLOB PRIMARY KEY, k INTEGER) WITHOUT ROWID;
INSERT INTO shared SELECT digest, count(*) AS k FROM holder GROUP BY digest HAVING k > 1;
CREATE TABLE common (n INTEGER PRIMARY KEY, rows INTEGER);
INSERT INTO common SELECT h.n, count(*) FROM holder h JOIN shared s ON s.digest = h.digest AND s.k > {common}
  GROUP BY h.n;
CREATE TABLE rare AS
  SELECT h.digest, h.n, h.u, p.need, coalesce(c.rows, 0) AS common
  FROM holder h JOIN shared s ON s.digest = h.digest AND s.k <= {common}
       JOIN project p ON p.n = h.n LEFT JOIN common c ON c.n = h.n;
CREATE INDEX rare_digest ON rare (digest, n, u, need, common);
"""
# The pairs of projects of different units that can share enough rows (see _across_units).
# `need` and `common` depend on the project alone, so any row of a group has the right ones.
_CANDIDATES = """
SELECT a.n, b.n FROM rare a JOIN rare b ON b.digest = a.digest AND b.n > a.n AND b.u != a.u
GROUP BY a.n, b.n HAVING count(*) + min(a.common, b.common) >= min(a.need, b.need)
ORDER BY a.n, b.n
"""


def check_across_units(projects: Iterable[tuple[str, str, str, str, str, bytes]],
                       rules: Rules) -> Iterator[Finding]:
    """B105: indicator rows shared with another unit's project. `projects` are
    (unit, file, sheet, project, cell, fingerprint()), read once as they come; each
    project is reported once."""
    db = sqlite3.connect("")   # private, on disk, removed when closed
    try:
        yield from _across_units(db, projects, rules)
    finally:
        db.close()


def _across_units(db: sqlite3.Connection, projects: Iterable[tuple[str, str, str, str, str, bytes]],
                  rules: Rules) -> Iterator[Finding]:
    db.executescript(_ACROSS_SCHEMA)
    longest = 0

    def rows() -> Iterator[tuple[object, ...]]:
        nonlocal longest
        for n, (unit, file, sheet, name, cell, keys) in enumerate(projects):
            size = len(keys) // 8   # fingerprint() holds each row once
            longest = max(longest, size)
            # copied() wants max(copy_rows, copy_share × the smaller project's rows) shared
            # rows, which is the smaller of the two projects' `need`.
            yield n, unit, file, sheet, name, cell, keys, math.ceil(max(rules.copy_rows, rules.copy_share * size))

    db.executemany("INSERT INTO project VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows())
    db.execute("INSERT OR IGNORE INTO unit SELECT unit FROM project ORDER BY n")
    db.executemany("INSERT INTO seq VALUES (?)", ((i,) for i in range(longest)))
    db.executescript(_HOLDERS.format(common=_COMMON_ROW))
    # Two projects share at most the rows held by few projects that both hold, plus the
    # fewer of their common rows. Pairs that cannot reach `need` (nearly all: most share
    # one row by chance) are not compared in full. Both sides of a copy are reported, each
    # naming its first partner by unit and name: which unit copied which cannot be told,
    # and file order must not decide it.
    partners: dict[int, list[int]] = defaultdict(list)
    keys_of = "SELECT keys FROM project WHERE n = ?"
    for a, b in db.execute(_CANDIDATES).fetchall():
        ka, kb = (_digests(db.execute(keys_of, (k,)).fetchone()[0]) for k in (a, b))
        if copied(ka, kb, rules):
            partners[a].append(b)
            partners[b].append(a)
    detail = "SELECT unit, file, sheet, name, cell, keys FROM project WHERE n = ?"
    for n in sorted(partners):
        unit, file, sheet, name, cell, keys = db.execute(detail, (n,)).fetchone()
        others = [db.execute(detail, (k,)).fetchone() for k in partners[n]]
        other = min(others, key=lambda o: (o[0], o[3], o[1], o[2]))
        shared = copied(_digests(keys), _digests(other[5]), rules)
        more = f"等 {len(others)} 个项目" if len(others) > 1 else ""
        yield make("B105", f"项目“{name}”有 {shared} 行指标（三级指标、指标值、完成值、偏差原因）与"
                           f"{other[0]}的项目“{other[3]}”（{other[1]}）{more}完全相同",
                   value=other[0], file=file, sheet=sheet, cell=cell, unit=unit, project=name)
