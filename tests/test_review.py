"""`selfeval run --review`: a filled 复核底稿 read back, differences and shares by hand."""
from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import selfeval_xlsx as se
from selfeval_xlsx.cli import main
from selfeval_xlsx.report import draft_reports
from selfeval_xlsx.review_xlsx import HEADERS, KEY_HEADER, OPINION_HEADER, SCORE_HEADER, write_review_sheet
from selfeval_xlsx.rules import SEED, dump_rules, parse_rules
from selfeval_xlsx.sampling import draw
from tests.claimcheck import Results as Claims
from tests.claimcheck import unsupported
from tests.review_forms import build

VALIDATE = "/work/shared/tools/ooxml-validate"
# What the reviewers typed, by project: self-scores are 95 (甲一低执行) and 100 (the rest).
SCORES = {"甲一低执行": 80, "甲二": 96, "甲三": 94.5, "乙一调减": 100, "乙二小额": None, "乙三": "九十",
          "丙一": 95, "丙二": 120, "丙三": "88"}
OPINIONS = {"甲一低执行": "执行率仅50%，产出指标完成情况与资金使用不符，扣15分", "丙三": "满意度调查无佐证"}


# Where each R code is raised and asserted (tests/test_checks.py requires every code a test).
TRIGGERS = {
    "R101": "test_unreadable_review_is_a_finding_and_the_run_goes_on",
    "R102": "test_project_no_longer_in_batch_and_ambiguous_names",
    "R103": "test_bad_values_and_lost_keys_are_findings",
    "R104": "test_bad_values_and_lost_keys_are_findings",
    "R105": "test_project_no_longer_in_batch_and_ambiguous_names",
}


def test_triggers_name_tests_here():
    assert all(callable(globals().get(name)) for name in TRIGGERS.values())


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("district") / "长安区")


def column(name: str) -> int:
    return HEADERS.index(name) + 1


def fill(path: Path, scores: dict, opinions: dict, drop_key: tuple[str, ...] = (), reverse: bool = True) -> Path:
    """A reviewer's work: scores typed in, the rows sorted the other way round (as 筛选→降序
    would), and, for `drop_key`, the hidden 定位键 lost (rows pasted in from elsewhere)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["复核底稿"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    if reverse:
        rows.reverse()
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            ws.cell(r, c).value = v
        project = values[column("项目名称") - 1]
        ws.cell(r, column(SCORE_HEADER)).value = scores.get(project)
        ws.cell(r, column(OPINION_HEADER)).value = opinions.get(project)
        if project in drop_key:
            ws.cell(r, column(KEY_HEADER)).value = None
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def filled(folder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "复核底稿.xlsx"
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        write_review_sheet(r, draw(r, Decimal(1), 1), out)
    return fill(out, SCORES, OPINIONS, drop_key=("丙三",))


@pytest.fixture(scope="module")
def reviewed(folder, filled):
    with se.evaluate(folder, isolate=False, preset="seed", review=filled) as r:
        yield r


def test_differences_exactly(reviewed):
    rows = {r.project: r for r in reviewed.review.rows}
    assert len(rows) == 9
    D = Decimal
    assert {p: r.diff for p, r in rows.items()} == {
        "甲一低执行": D(15), "甲二": D(4), "甲三": D("5.5"), "乙一调减": D(0), "乙二小额": None, "乙三": None,
        "丙一": D(5), "丙二": None, "丙三": D(12)}
    assert rows["甲一低执行"].self_total == 95 and rows["甲一低执行"].review_score == 80
    assert rows["甲一低执行"].opinion == OPINIONS["甲一低执行"] and rows["丙三"].review_score == 88
    # the table follows the batch's order, not the order the reviewer sorted the rows in
    assert [r.project for r in reviewed.review.rows][:3] == ["丙一", "丙二", "丙三"]


def test_unit_shares_by_hand(reviewed):
    units, total = reviewed.review.unit_rows()
    got = {u.unit: (u.sampled, u.reviewed, u.compared, u.above, u.share) for u in units}
    # 差异 > 5 counts; 丙一's exactly 5 does not.
    assert got == {"丙街道办事处": (3, 2, 2, 1, Decimal("0.5000")),
                   "乙街道办事处": (3, 1, 1, 0, Decimal("0.0000")),
                   "甲街道办事处": (3, 3, 3, 2, Decimal("0.6667"))}
    assert (total.unit, total.sampled, total.reviewed, total.above, total.share) == ("合计", 9, 6, 3, Decimal("0.5000"))


def test_bad_values_and_lost_keys_are_findings(reviewed):
    found = sorted((f.code, f.project, f.value) for f in reviewed.all_findings() if f.code.startswith("R"))
    assert found == [("R103", "丙二", "120"), ("R103", "乙三", "九十"), ("R104", "丙三", "丙街道办事处·丙三")]
    r103 = next(f for f in reviewed.all_findings() if f.code == "R103" and f.project == "丙二")
    assert r103.severity.value == "错误" and r103.cell.startswith("P") and "复核底稿.xlsx" in r103.message


def test_tolerance_from_the_rules_file(folder, filled):
    rules = parse_rules(dump_rules(SEED).replace('"复核差异容差" = 5', '"复核差异容差" = 10'), "r.toml")
    with se.evaluate(folder, isolate=False, rules=rules, review=filled) as r:
        _, total = r.review.unit_rows()
        assert total.above == 2   # 15 and 12; 5.5 is no longer above


def test_project_no_longer_in_batch_and_ambiguous_names(tmp_path):
    folder = build(tmp_path / "区", {"甲街道办事处": [("办公经费", 10, 10, None), ("办公经费", 5, 5, None),
                                                   ("党建经费", 8, 8, None)]})
    out = tmp_path / "底稿.xlsx"
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        write_review_sheet(r, draw(r, Decimal(1), 1), out)
    fill(out, {"办公经费": 90, "党建经费": 90}, {}, drop_key=("办公经费",), reverse=False)
    wb = openpyxl.load_workbook(out)
    ws = wb["复核底稿"]
    ws.append({column("单位名称"): "乙街道办事处", column("项目名称"): "已撤销项目", column(SCORE_HEADER): 70,
               column(KEY_HEADER): json.dumps(["乙街道办事处.xlsx", "项目1"])})
    # 党建经费 pasted a second time, with another score: the first row counts
    ws.append({column("单位名称"): "甲街道办事处", column("项目名称"): "党建经费", column(SCORE_HEADER): 60})
    wb.save(out)
    with se.evaluate(folder, isolate=False, preset="seed", review=out) as r:
        found = sorted((f.code, f.project) for f in r.all_findings() if f.code.startswith("R"))
        assert found == [("R102", "办公经费"), ("R102", "办公经费"), ("R102", "已撤销项目"), ("R105", "党建经费")]
        assert [(x.project, x.review_score) for x in r.review.rows] == [("党建经费", 90)]
        assert any("多个同名项目" in f.message for f in r.all_findings() if f.code == "R102")


def test_unreadable_review_is_a_finding_and_the_run_goes_on(folder, tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with se.evaluate(folder, isolate=False, preset="seed", review=bad) as r:
        [f] = [f for f in r.all_findings() if f.code == "R101"]
        assert "坏.xlsx" in f.message and r.review.rows == [] and len(r.projects) == 9
    other = tmp_path / "别的表.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "单位", "得分"])
    wb.save(other)
    with se.evaluate(folder, isolate=False, preset="seed", review=other) as r:
        assert [f.code for f in r.all_findings() if f.code.startswith("R")] == ["R101"]


def test_cli_run_review_adds_sheets_json_and_report(folder, filled, tmp_path):
    out, js = tmp_path / "汇总.xlsx", tmp_path / "汇总.json"
    res = CliRunner().invoke(main, ["run", str(folder), "--review", str(filled), "-o", str(out), "--json", str(js),
                                    "-q", "--preset", "seed"])
    assert res.exit_code == 0, res.output
    assert subprocess.run(["bash", VALIDATE, str(out)], check=False, capture_output=True).returncode == 0
    wb = openpyxl.load_workbook(out)
    assert {"复核", "复核汇总"} <= set(wb.sheetnames)
    summary = list(wb["复核汇总"].iter_rows(min_row=2, values_only=True))
    assert summary[-1][:5] == ("合计", 9, 6, 6, 3) and summary[-1][5] == pytest.approx(0.5)
    data = json.loads(js.read_text(encoding="utf-8"))
    assert [r["差异（自评−复核）"] for r in data["复核"] if r["项目名称"] == "甲三"] == [5.5]
    missing = CliRunner().invoke(main, ["run", str(folder), "--review", str(tmp_path / "没有.xlsx"), "-q"])
    assert missing.exit_code == 2 and "不存在" in missing.output


def test_district_report_section_holds_against_the_tables(reviewed):
    reports = draft_reports(reviewed)
    assert unsupported(reports, Claims(reviewed)) == []
    district = reports[-1].paragraphs()
    at = district.index("六、抽查复核情况")
    assert district[at + 1] == ("本次抽查9个项目，已复核6个；其中3个项目自评得分比复核得分高出超过5.00分，"
                                "占已复核项目的50.00%。")
    assert "甲街道办事处·甲一低执行（自评95.00分，复核80.00分）" in district[at + 2]


def test_dataframes_follow_the_schema(reviewed):
    frames = reviewed.to_pandas()
    assert list(frames["review"].columns)[:6] == ["单位名称", "项目名称", "自评得分", "计算总分", "复核得分", "差异（自评−复核）"]
    assert frames["review_units"].iloc[-1]["单位名称"] == "合计"
    assert list(reviewed.to_pandas(names=True)["review_units"].columns) == [
        "unit", "sampled", "reviewed", "compared", "above", "share"]
