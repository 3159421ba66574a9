"""Forms from the wild (issue 11): every figure read right, and only true problems flagged.

The forms are built by tests/fixtures/make_wild.py the way other tools and provinces make
them; what a careful reviewer reads and flags on each, computed by hand, is in
tests/fixtures/wild_expected.py.
"""
from __future__ import annotations

import functools
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.rules import NATIONAL, PRESETS, load_rules
from selfeval_xlsx.tables import as_json
from selfeval_xlsx.workbook import process_file
from tests.fixtures import make_wild
from tests.fixtures.wild_expected import FILES, PAIR_16

FIXTURES = Path(__file__).parent / "fixtures"
WILD = FIXTURES / "wild"
CENT, BASIS = Decimal("0.01"), Decimal("0.0001")
WORKBOOK_SUFFIXES = {".xlsx", ".xls"}


def short(name: str) -> str:
    """An ASCII test id: the form's number (pytest escapes Chinese ids unreadably)."""
    return name.split("_")[0]


def rules_for(name: str):
    rules = FILES[name].get("rules")
    if rules is None:
        return NATIONAL
    return PRESETS[rules] if rules in PRESETS else load_rules(FIXTURES / rules)


@functools.cache
def result(name: str, national: bool = False):
    """The file read in-process, under its own rules (or the national preset)."""
    return process_file(WILD / name, name, NATIONAL if national else rules_for(name))


def q(x, places=CENT):
    """As the summary shows it: rounded half up."""
    if x is None:
        return None
    return Decimal(str(x)).quantize(places, ROUND_HALF_UP)


# --- matching findings against the specs of wild_expected -------------------------------
_ROW = re.compile(r"^[A-Z]{1,3}([0-9]+)$")


def _alts(v) -> tuple:
    return v if isinstance(v, tuple) else (v,)


def matches(f, spec: dict) -> bool:
    for key, want in spec.items():
        if key == "code" and f.code != want:
            return False
        if key == "severity" and f.severity.value not in _alts(want):
            return False
        if key == "sheet" and f.sheet != want:
            return False
        if key == "cell" and f.cell not in _alts(want):
            return False
        if key == "rows":
            m = _ROW.match(f.cell or "")
            if not m or int(m.group(1)) not in want:
                return False
        if key == "keyword" and not any(w in f.message for w in _alts(want)):
            return False
        if key == "unit" and f.unit != want:
            return False
    return True


def listing(findings) -> str:
    return "\n".join(f"  {f.severity.value} {f.code} {f.sheet}!{f.cell} {f.message[:90]}" for f in findings)


def assert_specs(findings, must=(), must_not=(), at_most=()):
    for spec in must:
        assert any(matches(f, spec) for f in findings), f"missing a finding like {spec}; found:\n{listing(findings)}"
    for spec in must_not:
        bad = [f for f in findings if matches(f, spec)]
        assert not bad, f"false alarm(s) matching {spec}:\n{listing(bad)}"
    for spec, n in at_most:
        hits = [f for f in findings if matches(f, spec)]
        assert len(hits) <= n, f"{len(hits)} findings match {spec}, at most {n}:\n{listing(hits)}"


# --- the corpus itself ---------------------------------------------------------------------
def test_corpus_holds_every_form_and_nothing_else():
    on_disk = {p.name for p in WILD.iterdir() if p.suffix in WORKBOOK_SUFFIXES}
    assert on_disk == set(FILES)
    assert len(on_disk) >= 14
    assert any(n.endswith(".xls") for n in on_disk)


@pytest.mark.parametrize("name", [n for n in make_wild.FORMS if n.endswith(".xlsx")], ids=short)
def test_committed_forms_are_what_the_script_writes(tmp_path, name):
    path = tmp_path / name
    make_wild.FORMS[name](path)
    make_wild.normalize_zip(path)
    assert path.read_bytes() == (WILD / name).read_bytes(), "rerun tests/fixtures/make_wild.py and commit"


# --- per file: unit, year, figures ---------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FILES), ids=short)
def test_unit_and_year(name):
    r = result(name)
    assert r.file.status == "已读取", r.file.reason
    assert (r.unit, r.year) == (FILES[name]["unit"], FILES[name]["year"])


SHEETS = [(name, sheet) for name in sorted(FILES) for sheet in FILES[name]["sheets"]]
SHEET_IDS = [f"{short(n)}-sheet{list(FILES[n]['sheets']).index(s) + 1}" for n, s in SHEETS]


@pytest.mark.parametrize("name, sheet", SHEETS, ids=SHEET_IDS)
def test_project_figures(name, sheet):
    want = FILES[name]["sheets"][sheet]
    found = [sp for sp in result(name).projects if sp.project.sheet == sheet]
    assert len(found) == 1, f"sheet {sheet} read as {len(found)} project forms"
    p, s = found[0].project, found[0].score
    assert p.name == want["name"]
    for key in ("initial", "budget", "executed"):
        if key in want:
            assert q(getattr(p, key)) == q(want[key]), f"{key} in 万元"
    assert q(s.rate, BASIS) == q(want["rate"], BASIS)
    assert q(s.rate_score) == q(want["rate_score"])
    assert q(s.total) == q(want["total"]), "计算总分"
    if "grade" in want:
        assert s.grade == want["grade"]
    if "self_total" in want:
        assert q(s.self_total) == q(want["self_total"])
    if "scores" in want:
        assert [q(x.score) for x in s.indicators] == [q(x) for x in want["scores"]]
    if "levels" in want:
        assert [(i.level1, i.level2) for i in p.indicators] == want["levels"]
    if "level3" in want:
        assert [i.level3 for i in p.indicators] == want["level3"]
    if "exec_reason_has" in want:
        assert want["exec_reason_has"] in p.exec_reason


@pytest.mark.parametrize("name", [n for n in sorted(FILES) if FILES[n].get("not_projects")], ids=short)
def test_department_form_is_not_a_project(name):
    sheets = {sp.project.sheet for sp in result(name).projects}
    assert not sheets & set(FILES[name]["not_projects"])


# --- per file: what must and must not be flagged --------------------------------------------
@pytest.mark.parametrize("name", sorted(FILES), ids=short)
def test_findings(name):
    spec = FILES[name]
    assert_specs(result(name).findings, spec.get("must", ()), spec.get("must_not", ()),
                 spec.get("at_most", ()))


@pytest.mark.parametrize("name", sorted(FILES), ids=short)
def test_every_error_and_warning_is_a_true_problem(name):
    """A false alarm costs as much as a miss: each 错误/警告 is one the reviewer expects."""
    spec = FILES[name]
    expected = [*spec.get("must", ()), *spec.get("batch_must", ())]
    unexpected = [f for f in result(name).findings if f.severity.value in ("错误", "警告")
                  and not any(matches(f, e) for e in expected)]
    assert not unexpected, f"false alarms:\n{listing(unexpected)}"


@pytest.mark.parametrize("name", [n for n in sorted(FILES) if FILES[n].get("national_must")], ids=short)
def test_form_scheme_against_national_rules(name):
    """The same form under rules it does not follow: the difference is reported."""
    assert_specs(result(name, national=True).findings, FILES[name]["national_must"])


# --- through the whole run: summary, 部门整体 sheet, roster ----------------------------------
def batch(tmp_path: Path, names, rules=NATIONAL, roster=None) -> dict:
    folder = tmp_path / "district"
    folder.mkdir()
    for n in names:
        shutil.copy(WILD / n, folder / n)
    with run_batch(folder, rules, roster=roster, jobs=1) as res:
        out = as_json(res)
        out["findings"] = res.all_findings()
    return out


def column(record: dict, key: str):
    """A column by its header, with or without the （万元） that follows it."""
    hits = [h for h in record if h == key or h.startswith(key + "（")]
    assert hits, f"no column {key} in {sorted(record)}"
    return record[hits[0]]


def assert_record(record: dict, want: dict):
    for key, value in want.items():
        got = column(record, key)
        if isinstance(value, Decimal):
            places = BASIS if key == "执行率" else CENT
            assert q(got, places) == q(value, places), key
        else:
            assert got == value, key


def unit_row(table: list[dict], unit: str) -> dict:
    rows = [r for r in table if r.get("单位名称") == unit]
    assert len(rows) == 1, f"{unit}: {len(rows)} rows in {[r.get('单位名称') for r in table]}"
    return rows[0]


@pytest.mark.parametrize("name", [n for n in sorted(FILES) if FILES[n].get("summary")], ids=short)
def test_summary_row(tmp_path, name):
    spec = FILES[name]
    out = batch(tmp_path, [name], rules_for(name))
    assert_record(unit_row(out["汇总"], spec["summary"]["单位名称"]), spec["summary"])
    for project, want in spec.get("project_rows", {}).items():
        [row] = [r for r in out["项目明细"] if r["项目名称"] == project]
        assert_record(row, want)
    assert_specs(out["findings"], spec.get("batch_must", ()))


@pytest.mark.parametrize("names", [["12_部门整体含项目_裕华路街道办事处.xlsx"], PAIR_16["files"]],
                         ids=["12-one-workbook", "16-two-files"])
def test_department_summary_sheet(tmp_path, names):
    out = batch(tmp_path, names)
    assert "部门整体" in out, "the summary has a 部门整体 sheet"
    want = next(FILES[n]["department"] for n in names if "department" in FILES[n])
    assert_record(unit_row(out["部门整体"], want["单位名称"]), want)
    # never a project row, never a unit without a name
    assert all(r["项目名称"] for r in out["项目明细"])
    assert all(r["单位名称"] != "（未填单位名称）" for r in out["汇总"])


def test_department_and_projects_in_two_files_agree(tmp_path):
    out = batch(tmp_path, PAIR_16["files"])
    assert_record(unit_row(out["汇总"], "长征街道办事处"), PAIR_16["summary"])
    assert_specs(out["findings"], must_not=PAIR_16["batch_must_not"])


def test_budget_code_prefix_matches_the_roster(tmp_path):
    name = "13_预算编码单位名_石岗镇人民政府.xlsx"
    out = batch(tmp_path, [name], roster=FILES[name]["roster"])
    assert_specs(out["findings"], must_not=[{"code": "B102"}, {"code": "B103"}])
    unit_row(out["汇总"], "石岗镇人民政府")


_FLOAT_TAIL = re.compile(r"[0-9]\.0(?![0-9])")


@pytest.mark.parametrize("name", [n for n in sorted(FILES) if FILES[n].get("shown")], ids=short)
def test_values_shown_as_written(tmp_path, name):
    out = batch(tmp_path, [name])
    for level3, (target, actual) in FILES[name]["shown"].items():
        [row] = [r for r in out["指标明细"] if r["三级指标"] == level3]
        shown_target, shown_actual = str(row["年度指标值"]), str(row["实际完成值"])
        assert target in shown_target and not _FLOAT_TAIL.search(shown_target), shown_target
        assert actual in shown_actual and not _FLOAT_TAIL.search(shown_actual), shown_actual
