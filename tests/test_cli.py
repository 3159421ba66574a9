"""The `selfeval` command through click's CliRunner: output, files and exit codes."""
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selfeval_xlsx import summary_xlsx
from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.cli import main
from selfeval_xlsx.rules import NATIONAL
from selfeval_xlsx.summary_xlsx import write_summary
from selfeval_xlsx.tables import as_json
from tests.forms import SPECIAL, filled_template

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区"
SHEETS = ["汇总", "项目明细", "指标明细", "问题清单", "运行信息"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows(ws):
    header, *body = [list(r) for r in ws.iter_rows(values_only=True)]
    return [dict(zip(header, r)) for r in body]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    res = invoke("run", EXAMPLES, "-o", out / "sum.xlsx", "--json", out / "sum.json")
    assert res.exit_code == 0, res.output
    return res, out


def test_run_on_the_example_district(example_run):
    res, out = example_run
    wb = openpyxl.load_workbook(out / "sum.xlsx")
    assert wb.sheetnames == ["汇总", "图表", "项目明细", "指标明细", "问题清单", "运行信息"]
    units = {r["单位名称"]: r for r in rows(wb["汇总"])}
    z = units["中山东路街道办事处"]
    assert (z["项目数"], z["全年预算数（万元）"], z["全年执行数（万元）"]) == (5, 72.59, 62.59)
    assert z["执行率"] == 0.8622                       # shown as 86.22%
    assert wb["汇总"]["G2"].number_format == "0.00%"
    projects = {(r["单位名称"], r["项目名称"]): r for r in rows(wb["项目明细"])}
    special = projects[("中山东路街道办事处", "专项经费")]
    assert (special["执行率"], special["执行率得分"]) == (0.6, 6)
    assert (special["计算总分"], special["自评总分"], special["差异"]) == (92, 96, 4)
    # The seed's problem: 60 % spent, 96 claimed, no reason given.
    problems = [(r["代码"], r["单元格"]) for r in rows(wb["问题清单"])
                if r["单位名称"] == "中山东路街道办事处" and r["项目名称"] == "专项经费"]
    assert ("P107", "C11") in problems and ("P115", "G30") in problems
    lines = res.output.splitlines()
    assert lines[3:5] == [
        "单位  项目  全年预算数（万元）  全年执行数（万元）  执行率  错误  警告  提示",
        "   8    27          236,532.18          230,510.83  97.45%     4    31    13",
    ]
    # 27 projects listed, 26 in the figures: the one left out is named beside them
    assert lines[5] == "另有1个项目因缺少全年执行数未计入（跃进街道办事处·信访维稳经费）"
    assert lines[-2] == f"汇总工作簿：{out / 'sum.xlsx'}"


def test_clean_units_raise_no_error_or_warning(example_run):
    _, out = example_run
    wb = openpyxl.load_workbook(out / "sum.xlsx")
    units = {r["单位名称"]: r for r in rows(wb["汇总"])}
    for clean in ("建北街道办事处", "青园街道办事处"):
        assert (units[clean]["错误"], units[clean]["警告"]) == (0, 0), clean


def test_json_holds_the_same_results_as_the_workbook_and_the_library(example_run):
    _, out = example_run
    data = json.loads((out / "sum.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(out / "sum.xlsx")
    for name in SHEETS[:4]:
        assert data[name] == rows(wb[name]), name
    with run_batch(EXAMPLES, NATIONAL) as result:
        library = as_json(result)
    for name in SHEETS[:4]:
        assert data[name] == library[name], name
    assert data["运行信息"]["文件"] == library["运行信息"]["文件"]
    assert len(data["运行信息"]["文件"]) == 8
    assert all(len(f["SHA-256"]) == 64 for f in data["运行信息"]["文件"])


def test_run_default_output_is_named_after_district_and_year(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("run", EXAMPLES)
    assert res.exit_code == 0
    assert (tmp_path / "output" / "长安区_2020_绩效自评汇总.xlsx").exists()


def test_check_exit_codes(tmp_path):
    # 其中 rows not adding up is a 错误; 60 % with no reason is a 警告 (no figure is wrong).
    bad = filled_template(tmp_path / "bad.xlsx", [dict(SPECIAL, fiscal=20)])
    good = filled_template(tmp_path / "good.xlsx", [dict(SPECIAL, exec_reason="疫情影响，活动取消，资金结转")])
    res = invoke("check", bad)
    assert res.exit_code == 1
    assert "错误 P108 项目1!D7" in res.output and "警告 P107 项目1!C11" in res.output
    assert "执行率 60.00%" in res.output   # each project's line, from the worker's per-project stats
    res = invoke("check", good)
    assert res.exit_code == 0, res.output
    assert "错误 0" in res.output
    assert invoke("check", tmp_path / "missing.xlsx").exit_code == 2
    assert invoke("check").exit_code == 2


def test_usage_errors_exit_2(tmp_path):
    assert invoke("run", tmp_path / "nope").exit_code == 2
    bad_rules = tmp_path / "r.toml"
    bad_rules.write_text('["权重"]\n"预算执行率" = 10\n"产出指标" = 40\n"效益指标" = 40\n"满意度指标" = 20\n',
                         encoding="utf-8")
    res = invoke("run", EXAMPLES, "--rules", bad_rules, "-o", tmp_path / "x.xlsx")
    assert res.exit_code == 2
    assert "合计为 110" in res.output
    assert invoke("run", EXAMPLES, "--preset", "nope").exit_code == 2


def test_rules_round_trip_and_national_preset(tmp_path):
    res = invoke("rules", "--preset", "national")
    assert res.exit_code == 0 and '"产出指标" = 50' in res.output
    rules_file = tmp_path / "national.toml"
    rules_file.write_text(res.output, encoding="utf-8")
    path = filled_template(tmp_path / "t.xlsx", [SPECIAL])
    res = invoke("check", path, "--rules", rules_file)
    # Weighted 40/40 on the form, 50/30 by the rules: one finding naming both schemes.
    assert res.output.count("P111") == 1 and "产出40、效益40" in res.output
    res = invoke("check", path, "--preset", "national")
    assert res.output.count("P111") == 1


def test_template_command(tmp_path):
    res = invoke("template", "-o", tmp_path / "t.xlsx", "--unit", "青园街道办事处", "--year", 2021,
                 "--projects", 3)
    assert res.exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["填报说明", "自查", "单位信息", "项目1", "项目2", "项目3", "选项"]
    assert wb["单位信息"]["B3"].value == "青园街道办事处"
    assert wb["项目1"]["F4"].value == "青园街道办事处"
    assert wb["项目1"].protection.sheet
    assert wb["选项"].sheet_state == "hidden"


def test_formula_text_from_inputs_stays_text(tmp_path):
    payloads = ['=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
    folder = tmp_path / "in"
    folder.mkdir()
    projects = [dict(SPECIAL, name=p, exec_reason=p) for p in payloads]
    filled_template(folder / "u.xlsx", projects, unit='=HYPERLINK("http://x","单位")')
    res = invoke("run", folder, "-o", tmp_path / "s.xlsx", "--json", tmp_path / "s.json")
    assert res.exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
                if cell.hyperlink is not None:
                    # Only our own links, into the source workbook, from 问题清单.
                    assert ws.title == "问题清单"
                    assert cell.hyperlink.target.replace("\\", "/").endswith("in/u.xlsx")
                    assert cell.value not in payloads
    assert set(payloads) <= seen


@pytest.mark.parametrize("kind", ["txt", "xlsx"])
def test_roster_flags_missing_and_unexpected_units(tmp_path, kind):
    names = ["单位名称", "中山东路街道办事处", "建北街道办事处", "西兴街道办事处"]
    if kind == "txt":
        roster = tmp_path / "名单.txt"
        roster.write_text("\n".join(names) + "\n", encoding="utf-8")
    else:
        roster = tmp_path / "名单.xlsx"
        wb = openpyxl.Workbook()
        for n in names:
            wb.active.append([n])
        wb.save(roster)
    res = invoke("run", EXAMPLES, "--roster", roster, "-o", tmp_path / "s.xlsx")
    assert res.exit_code == 0, res.output
    assert "缺报单位 1 个：西兴街道办事处" in res.output
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    first = rows(wb["汇总"])[0]
    assert (first["单位名称"], first["项目数"], first["等级"]) == ("西兴街道办事处", 0, "缺报")
    problems = rows(wb["问题清单"])
    assert [r["单位名称"] for r in problems if r["代码"] == "B102"] == ["西兴街道办事处"]
    assert len([r for r in problems if r["代码"] == "B103"]) == 6   # reported, not on the roster


def test_checks_command_prints_the_catalogue():
    res = invoke("checks")
    assert res.exit_code == 0
    assert "| P107 | 项目 | 警告 | 执行率未达标且未说明原因 |" in res.output


def test_a_table_longer_than_a_worksheet_continues_on_the_next(tmp_path, monkeypatch):
    from selfeval_xlsx import summary_xlsx
    monkeypatch.setattr(summary_xlsx, "MAX_ROWS", 100)   # 99 data rows a sheet
    with run_batch(EXAMPLES, NATIONAL) as result:
        expected = as_json(result)["指标明细"]
        summary_xlsx.write_summary(result, tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    parts = [name for name in wb.sheetnames if name.startswith("指标明细")]
    assert parts == ["指标明细", "指标明细（续1）"]       # 27 projects × 7 indicators = 189 rows: 99 + 90
    assert [wb[name].max_row for name in parts] == [100, 91]
    got = [r for name in parts for r in rows(wb[name])]
    assert [r["三级指标"] for r in got] == [r["三级指标"] for r in expected]
    assert [r["计算得分"] for r in got] == [r["计算得分"] for r in expected]
    assert all(wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref for name in parts)


def test_an_empty_folder_says_so_and_writes_nothing(tmp_path):
    res = invoke("run", tmp_path, "-o", tmp_path / "s.xlsx")
    assert res.exit_code == 2
    assert res.output == f"错误：目录 {tmp_path} 中没有可读取的电子表格（.xlsx .xlsm .xls .xlsb .ods .et），未写出任何文件（目录为空）\n"
    assert list(tmp_path.iterdir()) == []


def test_links_stop_at_the_limit_and_unlinked_rows_do_not_look_linked(tmp_path, monkeypatch):
    """Excel keeps ~65,530 hyperlinks a sheet; past our limit a 问题清单 row has no link,
    and so must not wear the blue underlined link style either."""
    monkeypatch.setattr(summary_xlsx, "MAX_LINKS", 3)
    with run_batch(EXAMPLES, NATIONAL) as result:
        path = write_summary(result, tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path)["问题清单"]
    linked, unlinked = [], []
    for row in ws.iter_rows(min_row=2):
        cell = row[7] if row[7].value else row[5]   # 单元格, or 文件 for a finding on a whole file
        if not row[5].value:
            continue   # a finding on no file (a unit missing from the roster) links nowhere
        (linked if cell.hyperlink is not None else unlinked).append(cell)
    assert len(linked) == 3 and len(unlinked) > 10
    assert all(c.font.underline == "single" and c.font.color.rgb.endswith("0563C1") for c in linked)
    assert all(not c.font.underline and (c.font.color is None or not str(c.font.color.rgb).endswith("0563C1"))
               for c in unlinked)
    assert [c.hyperlink.location for c in linked] == [f"'{ws.cell(c.row, 7).value}'!{c.value}" for c in linked]
