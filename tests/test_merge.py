"""`selfeval merge`: the example district run in parts and merged equals the district run
at once, figure for figure; what needs the whole batch (B105) honestly differs; other
rules, other years, repeats and inputs not ours are refused; links reach the forms."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import selfeval_xlsx as se
from selfeval_xlsx.cli import main
from selfeval_xlsx.merge_read import MergeError

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区"
VALIDATE = "/work/shared/tools/ooxml-validate"
# In path order (as a run reads a folder): the first three, then the other five.
NAMES = sorted(p.name for p in EXAMPLES.glob("*.xlsx"))
TABLES = ("汇总", "项目明细", "指标明细", "问题清单")


def run_part(tmp: Path, name: str, files: list[str], **kw) -> tuple[Path, Path]:
    """Runs a folder holding `files` of the example district; its JSON and workbook."""
    folder = tmp / name
    folder.mkdir()
    for f in files:
        shutil.copy(EXAMPLES / f, folder / f)
    with se.evaluate(folder, isolate=False, **kw) as results:
        js, wb = se.write_json(results, tmp / f"{name}.json"), se.write_summary(results, tmp / f"{name}.xlsx")
    return js, wb


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("merge")
    whole = run_part(tmp, "全部", NAMES)
    a = run_part(tmp, "p1", NAMES[:3])
    b = run_part(tmp, "p2", NAMES[3:])
    return tmp, whole, a, b


def merged_json(paths, out: Path, **kw) -> dict:
    with se.merge(paths, **kw) as m:
        se.write_json(m, out)
    return load(out)


@pytest.mark.parametrize("form", [0, 1], ids=["JSON", "工作簿"])
def test_merging_parts_equals_running_all_at_once(parts, form):
    tmp, whole, a, b = parts
    assert len(NAMES) == 8
    merged = merged_json([b[form], a[form]], tmp / f"合并{form}.json")   # the order given does not matter
    once = load(whole[0])
    for table in TABLES:   # every unit, project, indicator and finding, figures as shown
        assert merged[table] == once[table], table
    assert len(merged["汇总"]) == 9 and len(merged["项目明细"]) == 27 and len(merged["指标明细"]) == 189
    # The 区县 level: one district, its totals the run's 合计 row, ranked first.
    district, district_total = merged["区县汇总"]
    total = once["汇总"][-1]
    assert district_total == dict(district, 区县="合计", 排名=None, 汇总文件="2 份汇总")
    assert district["区县"] == "长安区" and district["排名"] == 1 and district["汇总文件数"] == 2
    assert district["单位数"] == 8 and district["项目数"] == 27
    for header in ("全年预算数（万元）", "全年执行数（万元）", "执行率", "平均得分", "预算加权平均得分", "等级",
                   "错误", "警告", "提示", "说明"):
        assert district[header] == total[header], header
    assert total["全年预算数（万元）"] == 236532.18 and total["执行率"] == 0.9745   # README's figures
    codes = {(r["代码"], r["级别"]): r["数量"] for r in merged["区县问题"]}
    assert codes[("P103", "提示")] == 12 and sum(codes.values()) == len(once["问题清单"])
    facts = merged["运行信息"]["概况"]
    assert facts["合并输入数"] == 2 and facts["评价年度"] == 2020 and facts["评分规则"] == once["运行信息"]["概况"]["评分规则"]
    listed = {r["文件"]: r for r in merged["运行信息"]["文件"]}
    for path in (a[form], b[form]):
        import hashlib
        assert listed[str(path)]["SHA-256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert "全国" in listed[str(path)]["工作表类型"]


def test_findings_that_need_the_whole_district_differ_when_split(tmp_path):
    """B105 (indicator rows copied from another unit) compares units within one run: 河东
    and 育才 copied 社区党建经费 from each other, so run together each gets a B105 warning;
    run in parts that separate them, neither does, and merging cannot bring it back. Every
    figure is still the same; only those two units' warning counts (and the 合计's) differ."""
    split = NAMES.index("河东街道办事处.xlsx") + 1
    assert NAMES[split] == "育才街道办事处.xlsx"
    whole = load(run_part(tmp_path, "全部", NAMES)[0])
    a = run_part(tmp_path, "p1", NAMES[:split])[0]
    b = run_part(tmp_path, "p2", NAMES[split:])[0]
    merged = merged_json([a, b], tmp_path / "合并.json")
    b105 = [f["单位名称"] for f in whole["问题清单"] if f["代码"] == "B105"]
    assert sorted(b105) == ["河东街道办事处", "育才街道办事处"]
    assert not [f for f in merged["问题清单"] if f["代码"] == "B105"]
    assert [f for f in whole["问题清单"] if f["代码"] != "B105"] == merged["问题清单"]
    assert merged["项目明细"] == whole["项目明细"] and merged["指标明细"] == whole["指标明细"]
    once = {u["单位名称"]: u for u in whole["汇总"]}
    for u in merged["汇总"]:
        expected = dict(once[u["单位名称"]])
        if u["单位名称"] in b105:
            expected["警告"] -= 1
        elif u["单位名称"] == "合计":
            expected["警告"] -= 2
        assert u == expected, u["单位名称"]


def test_other_rules_or_years_are_refused_unless_allowed(parts, tmp_path):
    _tmp, _, a, _ = parts
    seed = run_part(tmp_path, "p2", NAMES[3:], preset="seed")[0]
    with pytest.raises(MergeError, match=r"评分规则不同.*--allow-mixed-rules"):
        se.merge([a[0], seed])
    runner = CliRunner()
    res = runner.invoke(main, ["merge", str(a[0]), str(seed), "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "评分规则不同" in res.output and not (tmp_path / "x.xlsx").exists()
    mixed = merged_json([a[0], seed], tmp_path / "规则.json", allow_mixed_rules=True)
    assert "评分规则不一致" in mixed["运行信息"]["概况"] and len(mixed["项目明细"]) == 27

    other = tmp_path / "year"
    other.mkdir()
    year = run_part(other, "p2", NAMES[3:], year=2019)[0]   # the batch's year is 2019: its forms left out
    assert load(year)["运行信息"]["概况"]["评价年度"] == 2019
    res = runner.invoke(main, ["merge", str(a[0]), str(year), "-o", str(tmp_path / "y.xlsx")])
    assert res.exit_code == 2 and "评价年度为 2019" in res.output and "--allow-mixed-years" in res.output
    res = runner.invoke(main, ["merge", str(a[0]), str(year), "-o", str(tmp_path / "y.xlsx"), "--allow-mixed-years",
                               "--json", str(tmp_path / "y.json")])
    assert res.exit_code == 0, res.output
    facts = load(tmp_path / "y.json")["运行信息"]["概况"]
    assert facts["评价年度不一致"] == "已按 --allow-mixed-years 合并：2019年度 1 份、2020年度 1 份"


def test_repeats_overlaps_and_foreign_inputs_are_refused(parts, tmp_path):
    _tmp, _, a, b = parts
    copy = tmp_path / "副本.json"
    shutil.copy(a[0], copy)
    cases = {"给出了两次": [a[0], a[0]], "内容相同": [a[0], copy],
             "同一单位只能出现在一份输入中": [a[0], a[1]],     # the JSON and workbook of one run
             "不是 selfeval 生成的区县汇总": [a[0], EXAMPLES / NAMES[0]]}
    junk = tmp_path / "other.json"
    junk.write_text('{"汇总": []}', encoding="utf-8")
    cases["不是 selfeval 生成的区县汇总（缺少"] = [junk]
    edited = load(b[0])
    edited["项目明细"][0]["全年预算数"] = "很多"   # summed, text would stop the merge halfway
    (tmp_path / "改过.json").write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    cases["“项目明细”的“全年预算数”一栏有不是数字的值"] = [a[0], tmp_path / "改过.json"]
    for message, inputs in cases.items():
        with pytest.raises(MergeError, match=message):
            se.merge(inputs)
    with se.merge([a[0], b[0]]) as m:
        se.write_summary(m, tmp_path / "市.xlsx")
    with pytest.raises(MergeError, match="合并结果"):
        se.merge([tmp_path / "市.xlsx"])


def finding_links(path: Path) -> list[tuple[str, str, str | None]]:
    """(文件 of each 问题清单 row, its linked cell's target, location) for rows with a link."""
    ws = openpyxl.load_workbook(path)["问题清单"]
    out = []
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.hyperlink is not None:
                out.append((row[5].value, cell.hyperlink.target, cell.hyperlink.location))
    return out


def test_links_point_from_the_merged_workbook_to_each_districts_forms(parts, tmp_path):
    tmp, _, a, b = parts
    out = tmp_path / "市" / "汇总"
    out.mkdir(parents=True)
    with se.merge([a[0], b[1]]) as m:
        path = se.write_summary(m, out / "市汇总.xlsx")
        assert set(m.to_pandas()) >= {"districts", "district_codes", "units", "projects", "indicators", "findings"}
    links = finding_links(path)
    assert len(links) == 48   # every finding of the example is on a file
    part_of = {n: "p1" if n in NAMES[:3] else "p2" for n in NAMES}
    for file, target, location in links:
        resolved = (out / target.replace("\\", "/")).resolve()
        assert resolved == (tmp / part_of[file] / file).resolve() and resolved.is_file(), (file, target)
        assert location is None or location.startswith("'")
    if Path(VALIDATE).exists():
        done = subprocess.run(["bash", VALIDATE, str(path)], capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_a_district_whose_folder_is_unknown_keeps_its_text_and_loses_its_links(parts, tmp_path):
    """A summary run on files given as bytes (or sent without its folder) has no folder
    to link into: its rows are listed without a link rather than with a wrong one."""
    _tmp, _, a, _ = parts
    pairs = [(n, (EXAMPLES / n).read_bytes()) for n in NAMES[3:]]
    with se.evaluate(pairs, isolate=False) as results:
        loose = se.write_json(results, tmp_path / "p2.json")
    with se.merge([a[0], loose]) as m:
        path = se.write_summary(m, tmp_path / "市汇总.xlsx")
        rows = m.findings
    linked = {file for file, _, _ in finding_links(path)}
    assert linked == {f.file for f in rows if f.file in NAMES[:3]}
    assert {f.file for f in rows} - linked == {f.file for f in rows if f.file in NAMES[3:]}
    listed = {r.file: r.reason for r in m_files(a[0], loose)}
    assert "问题清单不设链接" in listed[str(loose)]


def m_files(*paths):
    with se.merge(paths) as m:
        return m.file_list


def test_a_workbook_whose_tables_continue_on_more_sheets_reads_whole(parts, tmp_path):
    """指标明细 longer than a sheet continues on 指标明细（续1）…: read back in order."""
    tmp, whole, a, _b = parts
    with se.evaluate(tmp / "p2", isolate=False) as results:
        long = se.write_summary(results, tmp_path / "p2.xlsx", max_rows=40)
    assert "指标明细（续2）" in openpyxl.load_workbook(long, read_only=True).sheetnames
    merged = merged_json([a[1], long], tmp_path / "合并.json")
    once = load(whole[0])
    for table in TABLES:
        assert merged[table] == once[table], table


def test_a_summary_without_its_unrounded_totals_is_summed_from_its_rows_and_says_so(parts, tmp_path):
    """A summary written before 运行信息 held the unrounded totals (tables.merge_facts):
    its totals come from its 项目明细 as shown, and 运行信息 says so. The example's
    amounts have two decimals, so 预算 and 执行 still agree; averages may differ by a cent."""
    _tmp, whole, a, b = parts
    old = load(b[0])
    del old["运行信息"]["概况"]["合并用合计（未舍入）"]
    older = tmp_path / "旧版.json"
    older.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    with se.merge([a[0], older]) as m:
        total, files = m.total, {r.file: r for r in m.file_list}
    once = load(whole[0])["汇总"][-1]
    assert float(total.budget) == once["全年预算数（万元）"] and float(total.executed) == once["全年执行数（万元）"]
    assert abs(float(total.weighted_score) - once["预算加权平均得分"]) <= 0.01
    assert "缺少未舍入的合计" in files[str(older)].reason and "缺少" not in files[str(a[0])].reason


def test_results_do_not_depend_on_the_order_or_processes(parts, tmp_path):
    """In this process or in two reading processes, inputs given in any order: the same."""
    _, whole, _, _ = parts
    inputs = [run_part(tmp_path, f"p{k}", names)[k % 2] for k, names in
              enumerate((NAMES[:2], NAMES[2:5], NAMES[5:]), start=1)]
    one = merged_json(inputs, tmp_path / "1.json", jobs=1)
    two = merged_json(inputs[::-1], tmp_path / "2.json", jobs=2)
    for data in (one, two):
        for key in ("开始时间", "结束时间"):
            data["运行信息"]["概况"].pop(key)
    assert one == two
    once = load(whole[0])
    for table in TABLES:
        assert one[table] == once[table], table


def test_a_part_can_raise_a_district_wide_finding_the_whole_district_does_not(tmp_path):
    """B104 (自评偏高) is also judged over a whole run: 中山东路 and 谈固 run together have
    8 projects all self-scored 90 or more at 87.76% execution, so that run warns about
    "全长安区"; the whole district (97.45%) does not. Merged, the part's warning stays
    (it is that input's finding): the 合计 has one warning more, no unit's count changes,
    and every figure is the same."""
    odd = ["中山东路街道办事处.xlsx", "谈固街道办事处.xlsx"]
    whole = load(run_part(tmp_path, "全部", NAMES)[0])
    a = run_part(tmp_path, "p1", odd)[0]
    b = run_part(tmp_path, "p2", [n for n in NAMES if n not in odd])[0]
    merged = merged_json([a, b], tmp_path / "合并.json")

    def rows(data: dict, table: str) -> list[str]:   # the parts' rows come part by part: compare as sets
        return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in data[table])
    extra = [f for f in merged["问题清单"] if f["代码"] == "B104" and not f["单位名称"]]
    assert len(extra) == 1 and extra[0]["说明"].startswith("全长安区共 8 个项目，8 个自评 90.00 分以上，而总执行率仅 87.76%")
    assert not [f for f in whole["问题清单"] if f["代码"] == "B104" and not f["单位名称"]]
    assert rows({"x": [f for f in merged["问题清单"] if f not in extra]}, "x") == rows(whole, "问题清单")
    for table in ("项目明细", "指标明细"):
        assert rows(merged, table) == rows(whole, table)
    assert rows({"x": merged["汇总"][:-1]}, "x") == rows({"x": whole["汇总"][:-1]}, "x")
    assert merged["汇总"][-1] == dict(whole["汇总"][-1], 警告=whole["汇总"][-1]["警告"] + 1)


def test_the_command_prints_what_it_merged(parts, tmp_path):
    _, _, a, b = parts
    out = tmp_path / "市汇总.xlsx"
    res = CliRunner().invoke(main, ["merge", str(a[0]), str(b[1]), "-o", str(out), "--json", str(tmp_path / "市.json")])
    assert res.exit_code == 0, res.output
    assert res.output == (
        "合并：2 份汇总，1 个区县，单位 8 个，项目 27 个；全年预算数 236,532.18 万元，全年执行数 230,510.83 万元，"
        "执行率 97.45%；错误 4，警告 31，提示 13\n"
        f"汇总工作簿：{out}\nJSON：{tmp_path / '市.json'}\n")
    res = CliRunner().invoke(main, ["merge", str(tmp_path / "没有.json"), "-o", str(out)])
    assert res.exit_code == 2 and "找不到文件" in res.output
    res = CliRunner().invoke(main, ["merge", str(a[0]), "-o", str(out), "--json", str(out)])
    assert res.exit_code == 2 and "同一个文件" in res.output


def test_two_districts_each_keep_their_own_totals_and_share_a_place_when_equal(parts, tmp_path):
    """A second district made from the first (its units renamed, as another district's
    street offices would be): each 区县 row is that district's 合计, the merged 合计 is
    both together, equal scores share first place, and 区县问题 counts each district."""
    _, whole, _, _ = parts
    data = load(whole[0])
    data["运行信息"]["概况"]["区县"] = "桥西区"
    for table in ("汇总", "项目明细", "指标明细", "问题清单"):
        for r in data[table]:
            if r.get("单位名称") and r["单位名称"] != "合计":
                r["单位名称"] = "桥西" + r["单位名称"]
            if r.get("所属区县"):
                r["所属区县"] = "桥西区"
    other = tmp_path / "桥西区.json"
    other.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    merged = merged_json([whole[0], other], tmp_path / "市.json", name="石家庄市")
    once = load(whole[0])["汇总"][-1]
    first, second, total = merged["区县汇总"]
    assert [first["区县"], second["区县"]] == ["桥西区", "长安区"] and first["排名"] == second["排名"] == 1
    for row in (first, second):
        assert row["全年预算数（万元）"] == once["全年预算数（万元）"] and row["警告"] == once["警告"]
    assert total["全年预算数（万元）"] == 473064.36 and total["执行率"] == once["执行率"]
    assert total["预算加权平均得分"] == once["预算加权平均得分"] and total["警告"] == 2 * once["警告"]
    assert total["说明"] == ("另有2个项目因缺少全年执行数未计入（桥西跃进街道办事处·信访维稳经费、"
                           "跃进街道办事处·信访维稳经费）")
    units = merged["汇总"][:-1]
    assert len(units) == 16 and {u["所属区县"] for u in units} == {"长安区", "桥西区"}
    counts = {(r["区县"], r["代码"]): r["数量"] for r in merged["区县问题"]}
    assert counts[("长安区", "P103")] == counts[("桥西区", "P103")] == 12
    assert merged["运行信息"]["概况"]["合并范围"] == "石家庄市"


def test_text_from_an_input_stays_text_and_within_a_cell(parts, tmp_path):
    """An input edited by hand (or by another tool) may hold anything a cell cannot: a
    formula-like name, control characters, 40,000 characters. Merged, each is text, cut
    to a cell and marked, and the workbook is valid."""
    _, _, a, b = parts
    data = load(b[0])
    data["指标明细"][0]["偏差原因"] = "第一行\n第二行\x01" + "长" * 40_000
    data["指标明细"][1]["三级指标"] = '=HYPERLINK("http://x","y")'
    data["问题清单"][0]["说明"] = "说明\r\n换行 _x0001_ <b>&amp;"
    edited = tmp_path / "p2.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with se.merge([a[0], edited]) as m:
        path = m.write_summary(tmp_path / "市.xlsx")
        rows = m.indicators
    reason = next(r.reason for r in rows if r.reason and r.reason.startswith("第一行"))
    assert len(reason) == 32_767 and reason.startswith("第一行\n第二行\ufffd") and reason.endswith("…（已截断，原文 40008 字）")
    ws = openpyxl.load_workbook(path)["指标明细"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value]
    assert not [c for c in cells if c.data_type == "f"]
    assert '=HYPERLINK("http://x","y")' in {c.value for c in cells}
    if Path(VALIDATE).exists():
        done = subprocess.run(["bash", VALIDATE, str(path)], capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_inputs_of_an_unforeseen_shape_are_refused_not_crashed_on(parts, tmp_path):
    """Edited files whose shape no check foresaw (a table that is not a list, a 文件 list
    that is a number, an amount typed as text in the workbook) stop the merge with a
    refusal (exit 2), never an internal error."""
    import openpyxl
    _tmp, _, a, b = parts
    bad = {}
    for name, change in (("表不是列表", lambda d: d.__setitem__("项目明细", 5)),
                         ("文件不是列表", lambda d: d["运行信息"].__setitem__("文件", 7))):
        data = load(b[0])
        change(data)
        bad[name] = tmp_path / f"{name}.json"
        bad[name].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    wb = openpyxl.load_workbook(b[1])
    ws = wb["项目明细"]
    col = next(c.column for c in ws[1] if c.value == "全年预算数")
    ws.cell(row=2, column=col).value = "12万"
    bad["工作簿"] = tmp_path / "改过.xlsx"
    wb.save(bad["工作簿"])
    for path in bad.values():
        with pytest.raises(MergeError, match="不是 selfeval 生成的区县汇总"):
            se.merge([a[0], path])
        res = CliRunner().invoke(main, ["merge", str(a[0]), str(path), "-o", str(tmp_path / "市.xlsx")])
        assert res.exit_code == 2 and "内部错误" not in res.output, res.output
