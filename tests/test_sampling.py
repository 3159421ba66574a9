"""`selfeval sample`: a reproducible, optionally risk-weighted sample and its 复核底稿."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import selfeval_xlsx as se
from selfeval_xlsx import schema
from selfeval_xlsx.cli import main
from selfeval_xlsx.inputs import is_summary, scan
from selfeval_xlsx.review_xlsx import HEADERS, KEY_HEADER, OPINION_HEADER, SCORE_HEADER, write_review_sheet
from selfeval_xlsx.rules import SEED, RulesError, dump_rules, parse_rules
from selfeval_xlsx.sampling import ADDED, SampleError, draw, parse_share
from tests.review_forms import build

VALIDATE = "/work/shared/tools/ooxml-validate"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("district") / "长安区")


@pytest.fixture(scope="module")
def result(folder):
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        yield r


def keys(sample) -> list[tuple[str, str]]:
    return [d.candidate.key for d in sample.drawn]


def test_share_is_written_as_in_rules_files():
    assert parse_share("15%") == parse_share("15") == parse_share("0.15") == Decimal("0.15")
    assert parse_share("100%") == 1
    for bad in ("0", "150", "abc", "-5%"):
        with pytest.raises(SampleError):
            parse_share(bad)


def test_same_seed_same_sample_another_seed_another(result):
    a, b = draw(result, Decimal("0.3"), 7), draw(result, Decimal("0.3"), 7)
    assert keys(a) == keys(b) and len(a.drawn) == 3   # ceil(0.3 × 9)
    samples = {tuple(keys(draw(result, Decimal("0.3"), seed))) for seed in range(10)}
    assert len(samples) > 5   # 84 possible samples of 3 from 9: ten seeds cannot all agree


def test_size_is_ceil_of_share_and_at_least_one(result):
    assert len(result.projects) == 9
    assert [draw(result, Decimal(s), 1).target for s in ("0.01", "0.12", "0.5", "1")] == [1, 2, 5, 9]


def test_independent_of_file_order_and_jobs(folder, result):
    files = sorted(folder.glob("*.xlsx"))
    want = keys(draw(result, Decimal("0.4"), 2021, risk=True))
    with se.evaluate(list(reversed(files)), isolate=False, preset="seed") as r2, \
            se.evaluate(folder, jobs=2, preset="seed") as r3:
        assert keys(draw(r2, Decimal("0.4"), 2021, risk=True)) == want
        assert keys(draw(r3, Decimal("0.4"), 2021, risk=True)) == want


def test_at_least_one_per_unit(result):
    plain = draw(result, Decimal("0.1"), 3)
    assert len(plain.drawn) == 1
    every = draw(result, Decimal("0.1"), 3, at_least_per_unit=True)
    units = [d.candidate.row.unit for d in every.drawn]
    assert sorted(set(units)) == ["丙街道办事处", "乙街道办事处", "甲街道办事处"]
    # the one drawn by share stays; each unit without one adds exactly one
    assert keys(plain)[0] in keys(every) and len(every.drawn) == 3 and every.added == 2
    assert [d.how for d in every.drawn].count(ADDED) == 2


def weights(result) -> dict[str, Decimal]:
    return {d.candidate.row.project: d.factors.weight for d in draw(result, Decimal(1), 0, risk=True).drawn}


def test_risk_weights_by_hand(result):
    # Budgets 5 6 8 10 12 15 20 30 100: a project's rank is how many of the other 8 are smaller, ÷ 8.
    w = weights(result)
    assert w["甲一低执行"] == 1 + 3 + Decimal("0.5") * 1 + 2 * 1          # rate 50%, self 95; P115; largest
    assert w["乙一调减"] == 1 + 2 + Decimal("0.5") * 1 + 2 * Decimal(7) / 8   # 30 < 40; P125
    assert w["乙二小额"] == 1                                               # smallest, nothing found
    assert w["丙三"] == 1 + 2 * Decimal(1) / 8
    assert sum(w.values()) == 24


def test_risk_draws_the_risky_far_more_often(result):
    # One project a draw: Efraimidis–Spirakis picks each with probability weight ÷ 24.
    seeds = range(600)
    hits = [draw(result, Decimal("0.1"), s, risk=True).drawn[0].candidate.row.project for s in seeds]
    risky, small = hits.count("甲一低执行") / len(seeds), hits.count("乙二小额") / len(seeds)
    assert abs(risky - 6.5 / 24) < 0.06 and abs(small - 1 / 24) < 0.03
    assert risky > 3 * small
    plain = [draw(result, Decimal("0.1"), s).drawn[0].candidate.row.project for s in seeds]
    assert abs(plain.count("甲一低执行") / len(seeds) - 1 / 9) < 0.05


def test_risk_weights_come_from_the_rules_file(folder):
    text = dump_rules(SEED).replace('"低执行高自评" = 3', '"低执行高自评" = 10')
    rules = parse_rules(text, "r.toml")
    with se.evaluate(folder, isolate=False, rules=rules) as r:
        assert weights(r)["甲一低执行"] == 1 + 10 + Decimal("0.5") + 2
    base = dump_rules(SEED)
    for old, bad, why in (('"预算调减" = 2', '"预算调减" = -1', "不能为负数"),
                          ('"问题数上限" = 5', '"问题数上限" = 2.5', "整数"),
                          ('"复核差异容差" = 5', '"复核差异容差" = 200', "0～100"),
                          ('"预算调减" = 2', '"预算调减" = "高"', "必须是数字"),
                          ('"预算规模" = 2', '"预算规模大小" = 2', "是否想写“预算规模”")):
        assert old in base
        with pytest.raises(RulesError, match=why):
            parse_rules(base.replace(old, bad), "r.toml")


def test_population_is_the_projects_in_the_figures(tmp_path):
    folder = build(tmp_path / "区", {"甲街道办事处": [("甲一", 10, 10, None), ("甲二", 10, 10, None)]})
    wb = openpyxl.load_workbook(folder / "甲街道办事处.xlsx")
    from selfeval_xlsx.grid import a1
    from selfeval_xlsx.template import LAYOUT
    wb["项目2"][a1(LAYOUT.funds_first, LAYOUT.fund_cols["executed"])] = None   # 全年执行数 left blank
    wb.save(folder / "甲街道办事处.xlsx")
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        s = draw(r, Decimal(1), 1)
    assert [d.candidate.row.project for d in s.drawn] == ["甲一"]
    assert s.left_out == [("甲街道办事处", "甲二", "缺少全年执行数")]
    assert "甲二" in s.left_out_note()
    wb["项目1"][a1(LAYOUT.funds_first, LAYOUT.fund_cols["executed"])] = None   # now no project enters
    wb.save(folder / "甲街道办事处.xlsx")
    res = CliRunner().invoke(main, ["sample", str(folder), "--share", "50%", "-q", "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 2 and "没有计入汇总的项目可供抽样" in res.output and not (tmp_path / "o.xlsx").exists()


def test_review_sheet_is_protected_but_for_two_columns(result, tmp_path):
    s = draw(result, Decimal("0.5"), 11, risk=True)
    path = write_review_sheet(result, s, tmp_path / "复核底稿.xlsx", "selfeval sample …")
    assert subprocess.run(["bash", VALIDATE, str(path)], check=False, capture_output=True).returncode == 0
    ws = openpyxl.load_workbook(path)["复核底稿"]
    assert ws.protection.sheet and [c.value for c in ws[1]] == list(HEADERS)
    editable = {HEADERS[c.column - 1] for row in ws.iter_rows(min_row=2) for c in row if not c.protection.locked}
    assert editable == {SCORE_HEADER, OPINION_HEADER}
    assert ws.max_row == 1 + len(s.drawn) == 6
    key_col = openpyxl.utils.get_column_letter(HEADERS.index(KEY_HEADER) + 1)
    assert ws.column_dimensions[key_col].hidden
    [dv] = ws.data_validations.dataValidation
    assert (dv.type, dv.operator or "between", dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
    assert str(dv.sqref) == f"P2:P{ws.max_row}"
    # each row links to its project's sheet, relative to the 底稿's folder
    link = ws.cell(2, HEADERS.index("源表") + 1).hyperlink
    row = s.drawn[0].candidate.row
    assert link.location == f"'{row.sheet}'!A1" and link.target.endswith(row.file)
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(path)["抽样说明"].iter_rows() if r[0].value}
    assert about["随机种子"] == "11" and "Efraimidis" in about["抽样方法"] and about["实际抽取"] == "5 个"
    # a 底稿 saved into the district's folder is not read as a submission
    assert is_summary(path)


def test_text_from_workbooks_stays_text(tmp_path):
    folder = build(tmp_path / "区", {"=HYPERLINK(\"http://x\",\"点\")": [("=1+1", 10, 10, None)]})
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        path = write_review_sheet(r, draw(r, Decimal(1), 1), tmp_path / "底稿.xlsx")
    ws = openpyxl.load_workbook(path)["复核底稿"]
    assert ws["B2"].value == '=HYPERLINK("http://x","点")' and ws["B2"].data_type == "s"
    assert ws["C2"].value == "=1+1" and ws["C2"].data_type == "s"


def test_cli_prints_and_stores_the_seed(folder, tmp_path):
    runner = CliRunner()
    out = tmp_path / "底稿.xlsx"
    first = runner.invoke(main, ["sample", str(folder), "--share", "30%", "-o", str(out), "-q", "--preset", "seed"])
    assert first.exit_code == 0, first.output
    seed = first.output.split("随机种子：")[1].split("（")[0]
    assert "自动选择" in first.output and f"--seed {seed}" in first.output
    rows = lambda p: [r[HEADERS.index(KEY_HEADER)] for r in openpyxl.load_workbook(p)["复核底稿"].iter_rows(  # noqa: E731
        min_row=2, values_only=True)]
    again = runner.invoke(main, ["sample", str(folder), "--share", "0.3", "--seed", seed, "-o", str(tmp_path / "2.xlsx"),
                                 "-q", "--preset", "seed"])
    assert again.exit_code == 0 and rows(out) == rows(tmp_path / "2.xlsx") and len(rows(out)) == 3
    bad = runner.invoke(main, ["sample", str(folder), "--share", "0%", "-q"])
    assert bad.exit_code == 2 and "须大于 0" in bad.output


@pytest.mark.parametrize("saved_again", [False, True])
def test_run_skips_a_review_sheet_saved_in_the_folder(folder, saved_again):
    with se.evaluate(folder, isolate=False, preset="seed") as r:
        write_review_sheet(r, draw(r, Decimal("0.3"), 5), folder / "复核底稿.xlsx")
    if saved_again:   # filled and saved by another program: its custom.xml is written differently
        wb = openpyxl.load_workbook(folder / "复核底稿.xlsx")
        wb["复核底稿"]["P2"] = 90
        wb.save(folder / "复核底稿.xlsx")
    try:
        listing = scan(folder)
        assert [d for _, d in listing.found] == sorted(p.name for p in folder.glob("*街道办事处.xlsx"))
        assert any(e.path == "复核底稿.xlsx" for e in listing.skipped)
    finally:
        (folder / "复核底稿.xlsx").unlink()


def test_module_runs_as_cli(folder, tmp_path):
    out = tmp_path / "o.xlsx"
    p = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "sample", str(folder), "--share", "25%", "--seed", "9",
                        "--risk", "--at-least", "1-per-unit", "-o", str(out), "-q", "--preset", "seed"],
                       check=False, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "权重 = 1 + 低执行高自评×3.00" in p.stdout and "每单位至少1个" in p.stdout
    assert openpyxl.load_workbook(out).custom_doc_props[schema.MARKER[0]].value == schema.MARKER[1]


def test_one_unit_however_its_files_spell_it(tmp_path):
    """中山东路's two files spell it with and without a space: one unit, as 汇总 shows it,
    so --at-least 1-per-unit adds nobody once one of its projects is drawn."""
    from tests.forms import SPECIAL, filled_template
    filled_template(tmp_path / "a.xlsx", [dict(SPECIAL, name="甲")], unit="中山东路街道 办事处")
    filled_template(tmp_path / "b.xlsx", [dict(SPECIAL, name="乙")], unit="中山东路街道办事处")
    with se.evaluate(tmp_path, isolate=False) as r:
        assert len(r.units) == 1
        every = draw(r, Decimal("0.5"), 1, at_least_per_unit=True)
        assert (len(every.drawn), every.added) == (1, 0)


def test_the_printed_command_draws_the_same_sample(tmp_path, monkeypatch):
    """With --risk, --targets adds findings that weigh in: the command printed (and stored
    in 抽样说明) carries it, quoted for a shell where the folder name needs it."""
    import shlex
    import shutil
    root = Path(__file__).resolve().parent.parent / "input_templates" / "examples"
    shutil.copytree(root / "长安区", tmp_path / "长安 区#1")
    shutil.copytree(root / "长安区绩效目标", tmp_path / "目标")
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["sample", "长安 区#1", "--share", "25%", "--seed", "3", "--risk",
                                      "--targets", "目标", "-q", "-o", "a.xlsx"])
    assert first.exit_code == 0, first.output
    [again] = [line.split("：", 1)[1] for line in first.output.splitlines() if line.startswith("重抽同一样本：")]
    assert again.startswith("selfeval sample '长安 区#1' --share 25% --seed 3 --risk") and "--targets 目标" in again
    second = CliRunner().invoke(main, [*shlex.split(again)[1:], "-q", "-o", "b.xlsx"])
    assert second.exit_code == 0, second.output
    drawn = [[line for line in out.splitlines() if "·" in line and "执行率" in line] for out in (first.output, second.output)]
    assert drawn[0] == drawn[1] and len(drawn[0]) == 7
