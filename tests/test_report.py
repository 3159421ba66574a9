"""The drafted reports say exactly what the consolidated numbers say."""
import io
import zipfile
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from click.testing import CliRunner

from selfeval_xlsx import figures
from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.cli import main
from selfeval_xlsx.report import TARGET_CODES, draft_reports, write_reports
from selfeval_xlsx.roster import load_roster
from selfeval_xlsx.rules import NATIONAL, SEED
from selfeval_xlsx.tables import as_json
from selfeval_xlsx.textgate import MARK, xml_text
from tests.claimcheck import Results, unsupported
from tests.forms import SPECIAL, convert, filled_template

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区"
ROSTER = EXAMPLES.parent / "长安区名单.txt"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    with run_batch(EXAMPLES, NATIONAL, roster=load_roster(ROSTER)) as result:
        paths = write_reports(result, out)
        data = as_json(result)
        problems = unsupported(draft_reports(result), Results(result))
    return {p.name: p for p in paths}, data, problems


def text(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text]


def tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def test_every_claim_of_the_example_district_holds(drafted):
    assert drafted[2] == []


def test_the_walker_finds_claims_the_data_do_not_back():
    """Reports that say what the issue saw said: the walker must object to each."""
    from selfeval_xlsx.claims import Claim
    with run_batch(EXAMPLES, NATIONAL) as result:
        reports = draft_reports(result)
        res = Results(result)
        zhong = next(r for r in reports if r.unit == "中山东路街道办事处")
        yue = next(r for r in reports if r.unit == "跃进街道办事处")
        yu = next(r for r in reports if r.unit == "育才街道办事处")
        district = reports[-1]
        for rep, kind, wrong in (
                (zhong, "rates_low", Claim("rates_met", "各项目预算执行率均达到90.00%以上。", zhong.unit,
                                           {"threshold": NATIONAL.rate_threshold, "except": ()})),
                (yu, "targets_issues", Claim("targets_ok", "未发现目标设定方面的问题。", yu.unit,
                                             {"codes": TARGET_CODES})),   # 育才 wrote a cost target with ≥ (I112)
                (yue, "doubt", Claim("unit_listed", "", yue.unit, {"year": 2020, "names": ()})),
                (district, "no_roster", Claim("all_reported", "单位名单中的8个单位均已报送自评表。", "",
                                              {"roster": 8}))):
            blocks = [b for b in rep.blocks if any(c.kind == kind for c in b.claims)]
            saved = [list(b.claims) for b in blocks]
            for b in blocks:
                b.claims[:] = [wrong if c.kind == kind else c for c in b.claims]
            assert unsupported(reports, res), kind
            for b, claims in zip(blocks, saved):
                b.claims[:] = claims
        assert unsupported(reports, res) == []


def test_one_report_per_unit_and_a_district_overview(drafted):
    paths, data, _ = drafted
    units = {r["单位名称"] for r in data["汇总"] if r["项目数"]} - {"合计"}
    assert set(paths) == {f"{u}_2020年度绩效自评工作报告.docx" for u in units} | {"长安区_2020年度预算绩效自评汇总报告.docx"}


def test_zhongshan_names_the_right_project_for_low_execution(drafted):
    paths, _, _ = drafted
    lines = text(paths["中山东路街道办事处_2020年度绩效自评工作报告.docx"])
    [low] = [line for line in lines if line.startswith("其中，执行率低于90.00%")]
    assert "专项经费项目预算执行率为60.00%（预算25.00万元，执行15.00万元）" in low
    assert "社区党建" not in low
    assert "单位未说明原因" in low
    [summary] = [line for line in lines if line.startswith("根据预算绩效管理要求")]
    assert "共5个项目，共涉及预算资金72.59万元，全年执行62.59万元，总体预算执行率86.22%" in summary
    assert "自评得分分别为95.00、96.00、96.00、97.00、97.00。" in summary
    assert summary.endswith("按评分规则复核，专项经费得分为92.00（自评96.00）。")


def test_units_with_every_project_on_target_say_so(drafted):
    paths, _, _ = drafted
    lines = text(paths["建北街道办事处_2020年度绩效自评工作报告.docx"])
    assert "各项目预算执行率均达到90.00%以上。" in lines
    assert "自评未发现需要整改的问题" in lines[-1]


def test_a_project_without_execution_is_named_not_counted_as_zero(drafted):
    """跃进: 信访维稳经费 has no 全年执行数 (8.00 budgeted). It is out of every figure."""
    paths, _, _ = drafted
    lines = text(paths["跃进街道办事处_2020年度绩效自评工作报告.docx"])
    [summary] = [line for line in lines if line.startswith("根据预算绩效管理要求")]
    assert "涉及社区办公经费、文化活动经费共2个项目，共涉及预算资金236,006.00万元" in summary
    assert "另有1个项目因缺少全年执行数未计入（信访维稳经费）。" in summary
    assert "除信访维稳经费缺少全年执行数、无法计算执行率外，其余项目预算执行率均达到90.00%以上。" in lines
    assert not any("各项目预算执行率均达到" in line for line in lines)
    # 元/万元 beside the figure it puts in doubt
    assert "236,006.00万元（其中社区办公经费金额疑似以元填报，该数可能失真，请核实）" in summary
    # I104 (an actual that cannot be scored) is about what was achieved, not how the target
    # was set: 跃进 has no target-setting finding, and its report may say so.
    assert "I104" not in TARGET_CODES
    assert any("未发现目标设定方面的问题" in line for line in lines)
    assert not any("实际完成值无法按规则计分" in line for line in lines if "目标设定" in line)
    table = tables(paths["跃进街道办事处_2020年度绩效自评工作报告.docx"])[0]
    assert table[-1] == ["", "合计（不含未计入项目）", "236,006.00", "230,006.50", "97.46%"]


def test_district_overview(drafted):
    paths, _, _ = drafted
    path = paths["长安区_2020年度预算绩效自评汇总报告.docx"]
    lines = text(path)
    assert ("本次共汇总8个单位报送的27个项目自评表，计入汇总的26个项目涉及预算资金236,532.18万元"
            "（其中跃进街道办事处·社区办公经费金额疑似以元填报，该数可能失真，请核实），全年执行230,510.83万元") in lines[2]
    assert "另有1个项目因缺少全年执行数未计入（跃进街道办事处·信访维稳经费）。" in lines[2]
    ranking, problems = tables(path)
    assert "跃进街道办事处" not in [row[1] for row in ranking]
    assert "以下单位未参加排名：跃进街道办事处（1个项目缺少全年执行数，得分不完整）。" in lines
    assert problems[1][:2] == ["资金与执行", "P103"] and problems[1][3] == "12"   # grouped under headings
    assert "单位名单中有1个单位未报送自评表：西兴街道办事处，请督促报送。" in lines


def test_documents_hold_exactly_the_claims(tmp_path):
    """Nothing reaches a document except through a claim."""
    with run_batch(EXAMPLES, NATIONAL) as result:
        reports = draft_reports(result)
        paths = write_reports(result, tmp_path)
    for rep, path in zip(reports, paths):
        assert path.name == rep.name
        assert text(path) == [xml_text(t) for t in rep.paragraphs()]
        shown = [[list(b.headers)] + [list(c.cells) for c in b.claims] for b in rep.blocks if b.kind == "table"]
        assert tables(path) == shown


def test_official_formatting(drafted):
    paths, _, _ = drafted
    d = docx.Document(str(paths["中山东路街道办事处_2020年度绩效自评工作报告.docx"]))
    section = d.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    body = next(p for p in d.paragraphs if p.text.startswith("根据预算绩效管理要求"))
    fonts = body.runs[0]._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    headings = [p.text for p in d.paragraphs if p.text[:2] in ("一、", "二、", "三、", "四、")]
    assert headings == ["一、绩效自评工作组织开展情况", "二、绩效目标实现情况", "三、绩效目标设定质量情况",
                        "四、整改措施及结果应用"]
    assert "PAGE" in section.footer.paragraphs[0]._element.xml


def test_report_renders_in_libreoffice(drafted, tmp_path):
    paths, _, _ = drafted
    pdf = convert(paths["中山东路街道办事处_2020年度绩效自评工作报告.docx"], "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_report_command(tmp_path):
    res = CliRunner().invoke(main, ["report", str(EXAMPLES), "-o", str(tmp_path), "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.output.count("已生成：") == 9


# --- a district built with the hard cases ------------------------------------------------

def project(name, budget=25, executed=25, indicators=None, **kw):
    p = {**{k: v for k, v in SPECIAL.items() if k != "unit"}, "name": name, "initial": budget,
         "budget": budget, "executed": executed, "fiscal": budget, **kw}
    p["indicators"] = indicators or [
        ("产出指标", "数量指标", "开展专项活动次数", "≥10次", "12次", 10, 10, ""),
        *SPECIAL["indicators"][1:]]
    return p


ZERO_TARGET = [("产出指标", "数量指标", "开展专项活动次数", "≥10次", "12次", 10, 10, ""),
               ("产出指标", "数量指标", "培训人次", "≥0人次", "30人次", 10, 10, ""),   # ≤0起 is a zero target, scored
               *SPECIAL["indicators"][2:]]
LONG = "长" * 72
SIXTY = "甲" * 61
UNITS = ["甲街道办事处", "乙街道办事处", "丙街道办事处", "丁街道办事处", "己街道办事处", "戊/街道办事处",
         "戊:街道办事处", LONG, SIXTY + "一", SIXTY + "二"]


def _raw_fffe(path: Path) -> None:
    """Puts a U+FFFE into the file as bytes (openpyxl refuses it; Excel-made files have it)."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info).replace(b"QQFFFEQQ", "\ufffe".encode()))
    path.write_bytes(out.getvalue())


def build_cases(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # 甲: one project without 全年执行数; its rate must not count it as 0.
    filled_template(folder / "甲.xlsx", [project("党建经费"), project("维稳经费", budget=8, executed=None)],
                    unit="甲街道办事处")
    # 乙: a file for another year, and it would rank first.
    filled_template(folder / "乙.xlsx", [project("办公经费", year=2019)], unit="乙街道办事处", year=2019)
    # 丙: amounts in 元 (P114), once in a project left out anyway; a target of 0 (I114).
    filled_template(folder / "丙.xlsx", [project("专项经费", budget=250000, executed=250000, indicators=ZERO_TARGET),
                                        project("补充经费", budget=10, executed=5),
                                        project("元填经费", budget=300000, executed=None)], unit="丙街道办事处")
    # 丁: no 全年预算数 (unscorable), a low rate explained with a vertical tab, U+FFFE in a name.
    filled_template(folder / "丁.xlsx", [project("预算经费", budget=None, executed=3),
                                        project("低执行经费", budget=20, executed=10, exec_reason="年底_x000B_未付"),
                                        project("特殊QQFFFEQQ经费")], unit="丁街道办事处")
    _raw_fffe(folder / "丁.xlsx")
    # 己: nothing it sent can enter a figure.
    filled_template(folder / "己.xlsx", [project("维稳经费", executed=None)], unit="己街道办事处")
    for i, unit in enumerate(UNITS[5:]):
        filled_template(folder / f"名{i}.xlsx", [project("办公经费")], unit=unit)
    return folder


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = build_cases(tmp_path_factory.mktemp("cases") / "长安区")
    roster = tmp_path_factory.mktemp("roster") / "名单.txt"
    roster.write_text("\n".join(UNITS), encoding="utf-8")
    return folder, roster


def run_cases(folder, roster=None, out=None):
    """One run over the cases: its reports (by file name), what the walker found, the
    files written (if `out`), the figures and notes the other outputs get, the JSON."""
    with run_batch(folder, SEED, roster=roster) as result:
        reports = draft_reports(result)
        return SimpleNamespace(
            result=result, reports={r.name: r for r in reports}, problems=unsupported(reports, Results(result)),
            paths=write_reports(result, out) if out else [], units=figures.unit_figures(result),
            notes=figures.notes(result), data=as_json(result))


def lines_of(rep):
    return rep.paragraphs()


def test_cases_every_claim_holds(cases, tmp_path):
    folder, roster = cases
    for given in (load_roster(roster), None, []):
        run = run_cases(folder, given)
        assert run.problems == [], given
        assert len(run.reports) == len(UNITS) - 1 + 1   # 乙 is for another year: no report of its own


def test_one_rule_for_a_missing_execution(cases):
    folder, _ = cases
    run = run_cases(folder)
    reports, units, notes = run.reports, run.units, run.notes
    jia = next(u for u in units if u.unit == "甲街道办事处")
    r = jia.rollup
    # 党建经费 alone: 25 budgeted, 25 spent, total 100 (every indicator met); 维稳经费 in nothing.
    assert (r.projects, r.entered, r.budget, r.executed, r.rate, r.mean_score, r.weighted_score) == \
        (2, 1, D(25), D(25), D(1), D(100), D(100))
    assert r.left_out == (("维稳经费", figures.NO_EXECUTED),)
    assert jia.note() == "另有1个项目因缺少全年执行数未计入（维稳经费）"
    lines = lines_of(reports["甲街道办事处_2020年度绩效自评工作报告.docx"])
    assert "除维稳经费缺少全年执行数、无法计算执行率外，其余项目预算执行率均达到90.00%以上。" in lines
    assert not any(line.startswith("各项目预算执行率均达到") for line in lines)
    # 丁: no 全年预算数 is the same rule, another reason
    ding = next(u for u in units if u.unit == "丁街道办事处")
    assert ding.rollup.left_out == (("预算经费", figures.NO_BUDGET),)
    assert ding.rollup.budget == D(45) and ding.rollup.executed == D(35)
    assert notes[0] == ("另有1个项目因缺少全年预算数未计入（丁街道办事处·预算经费）；"
                        "另有3个项目因缺少全年执行数未计入（丙街道办事处·元填经费、己街道办事处·维稳经费、"
                        "甲街道办事处·维稳经费）")
    ji = lines_of(reports["己街道办事处_2020年度绩效自评工作报告.docx"])
    assert ("根据预算绩效管理要求，本单位组织对2020年度一般公共预算项目支出全面开展了绩效自评，"
            "所报项目均无法计入预算执行和得分的汇总。另有1个项目因缺少全年执行数未计入（维稳经费）。") in ji
    assert "维稳经费缺少全年执行数，无法计算执行率。" in ji
    assert not any("均达到" in line for line in ji)


def test_a_wrong_year_file_is_listed_but_not_summed_or_ranked(cases):
    folder, _ = cases
    run = run_cases(folder)
    reports, units, notes, data = run.reports, run.units, run.notes, run.data
    assert run.result.year == 2020
    assert "乙街道办事处" not in {u.unit for u in units}
    assert "乙街道办事处" not in {r["单位名称"] for r in data["项目明细"]}
    [u103] = [f for f in data["问题清单"] if f["代码"] == "U103"]
    assert u103["说明"].startswith("本文件评价年度为 2019，本批次为 2020，本文件不计入汇总和排名。")
    assert notes[1] == "另有1个文件（1个项目）因评价年度与本批次不同未计入汇总和排名：乙.xlsx（2019年度）"
    assert any(f["文件"] == "乙.xlsx" for f in data["运行信息"]["文件"])
    district = reports["长安区_2020年度预算绩效自评汇总报告.docx"]
    lines = lines_of(district)
    assert notes[1] + "。" in lines   # under the ranking, where the unit would have stood
    ranked = [c.unit for c in district.claims() if c.kind == "rank"]
    assert "乙街道办事处" not in ranked and "甲街道办事处" not in ranked and "丁街道办事处" not in ranked
    assert ("以下单位未参加排名：丁街道办事处（1个项目缺少全年预算数，得分不完整）；"
            "丙街道办事处（1个项目缺少全年执行数，得分不完整）；己街道办事处（没有可计分的项目）；"
            "甲街道办事处（1个项目缺少全年执行数，得分不完整）。") in lines   # in file order


def test_doubtful_totals_and_target_findings_are_said(cases):
    folder, _ = cases
    reports = run_cases(folder).reports
    bing = lines_of(reports["丙街道办事处_2020年度绩效自评工作报告.docx"])
    # 元填经费 is in 元 too, but it has no 执行数, so it is in no total: only 专项经费 is said
    assert any("共涉及预算资金250,010.00万元（其中专项经费金额疑似以元填报，该数可能失真，请核实）" in line for line in bing)
    assert any("经审核，部分绩效目标设定不够规范：指标值为 0（1处，涉及专项经费）。" in line for line in bing)
    assert not any("未发现目标设定方面的问题" in line for line in bing)
    assert not any("01处" in line for rep in reports.values() for line in lines_of(rep))
    district = lines_of(reports["长安区_2020年度预算绩效自评汇总报告.docx"])
    assert any("万元（其中丙街道办事处·专项经费金额疑似以元填报，该数可能失真，请核实）" in line for line in district)


def test_roster_sentences(cases):
    folder, roster = cases
    for given, expected in ((load_roster(roster), f"单位名单中的{len(UNITS)}个单位均已报送自评表。"),
                            (None, "未提供单位名单，未核对缺报情况。"), ([], "单位名单为空，未核对缺报情况。")):
        reports = run_cases(folder, given).reports
        lines = lines_of(reports["长安区_2020年度预算绩效自评汇总报告.docx"])
        assert lines[-1] == expected
        assert not any("均已报送" in line for line in lines[:-1])


def test_an_empty_run_claims_no_success(tmp_path):
    (tmp_path / "空").mkdir()
    for roster in (None, ["甲街道办事处"]):
        with run_batch(tmp_path / "空", SEED, roster=roster) as result:
            [district] = draft_reports(result)
            assert unsupported([district], Results(result)) == []
        lines = lines_of(district)
        assert "本次没有可汇总的项目自评表（读取文件0个，跳过0个），以下各项均无数据。" in lines
        assert not any("审核未发现问题" in line or "均已报送" in line for line in lines)
        assert "没有可排名的单位。" in lines
        assert ("没有读取到可汇总的自评表，未进行审核。" in lines) == (roster is None)


def test_file_names_unique_bounded_and_text_gated(cases, tmp_path):
    folder, roster = cases
    paths = run_cases(folder, load_roster(roster), out=tmp_path).paths
    assert len({p.name for p in paths}) == len(paths) == len(UNITS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)   # no temp files left
    assert all(len(p.name.encode()) < 255 for p in paths)
    titles = {text(p)[0] for p in paths}
    assert set(UNITS) - {"乙街道办事处"} < titles   # each unit's report under its own name
    ding = text(tmp_path / "丁街道办事处_2020年度绩效自评工作报告.docx")
    assert any(f"年底{MARK}未付" in line for line in ding)
    assert any(f"特殊{MARK}经费" in line for line in ding)


def test_a_failed_report_leaves_no_report_written(cases, tmp_path, monkeypatch):
    folder, _ = cases
    from selfeval_xlsx import report
    real = report.save
    calls = []

    def failing(rep, path):
        calls.append(rep.name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real(rep, path)
    monkeypatch.setattr(report, "save", failing)
    with run_batch(folder, SEED) as result, pytest.raises(RuntimeError):
        write_reports(result, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_totals_rule_for_an_unscorable_project():
    """A project whose total cannot be computed is out of every figure, not only the averages."""
    t = figures.Totals()
    t.add(D(10), D(9), D(90), name="甲")
    t.add(D(30), D(30), None, name="乙")
    t.add(D(0), D(1), D(50), name="丙")
    r = t.rollup()
    assert (r.projects, r.entered, r.budget, r.executed, r.rate, r.mean_score, r.weighted_score) == \
        (3, 1, D(10), D(9), D("0.9"), D(90), D(90))
    assert r.left_out_counts() == {figures.BAD_BUDGET: 1, figures.UNSCORED: 1}
    assert figures.note(r.left_out) == ("另有1个项目因全年预算数不大于0未计入（丙）；"
                                        "另有1个项目因无法计算总分未计入（乙）")
    assert (t + t).rollup().left_out == r.left_out * 2


def test_equal_shown_scores_share_a_place():
    def unit(name, score):
        u = figures.UnitFigures(name, "", 2020)
        u.totals.add(D(10), D(10), score, name="项目")
        return u
    ranked, unranked = figures.ranking([unit("乙", D("95.004")), unit("甲", D("95.001")), unit("丙", D(80))])
    # 95.004 and 95.001 both show as 95.00: one place, in name order
    assert [(r.place, r.unit.unit) for r in ranked] == [(1, "乙"), (1, "甲"), (3, "丙")]
    assert unranked == []


def _file(no, path, unit, year, budget=D(10)):
    from selfeval_xlsx.rows import FileRows
    from selfeval_xlsx.workbook import FileEntry
    w = FileRows(FileEntry(path), unit=unit, year=year, no=no)
    w.totals.add(budget, budget, D(90), name="项目")
    return w


@pytest.mark.parametrize("count_other_years", [False, True])
def test_files_left_out_by_rule_one(count_other_years):
    """Duplicates always, other years by default: out of `counted`, listed with the reason."""
    from selfeval_xlsx.batch import BatchResult, _batch_checks
    from selfeval_xlsx.spool import Spool
    files = [_file(0, "甲.xlsx", "甲", 2020), _file(1, "甲（修改）.xlsx", "甲", 2020, D(20)),
             _file(2, "乙.xlsx", "乙", 2019, D(40))]
    with BatchResult("", SEED, 2020, "长安区", Spool(), files=files) as result:
        _batch_checks(result, count_other_years=count_other_years)
        assert [w.entry.path for w in result.counted] == ["甲（修改）.xlsx"] + (["乙.xlsx"] if count_other_years else [])
        left = figures.left_out_files(result)
        assert [(f.path, f.reason) for f in left] == [("甲.xlsx", figures.DUPLICATE)] + (
            [] if count_other_years else [("乙.xlsx", figures.OTHER_YEAR)])
        assert figures.district_totals(figures.unit_figures(result)).rollup().budget == (D(60) if count_other_years else D(20))
        [u103] = [f for f in result.spool.findings() if f.code == "U103"]
        assert ("仍按要求计入汇总" if count_other_years else "本文件不计入汇总和排名") in u103.message


def test_a_complete_district_says_its_figures_plainly(tmp_path):
    """甲: 25 of 25 spent, every indicator met → 100. 乙: 5 of 10 → rate score 5, + 90 → 95.
    District: 35 budgeted, 30 spent (85.71%); mean (100 + 95) / 2 = 97.50;
    weighted (100 × 25 + 95 × 10) / 35 = 98.57."""
    filled_template(tmp_path / "区" / "甲.xlsx", [project("办公经费")], unit="甲街道办事处")
    filled_template(tmp_path / "区" / "乙.xlsx", [project("专项经费", budget=10, executed=5)], unit="乙街道办事处")
    with run_batch(tmp_path / "区", SEED, roster=["甲街道办事处", "乙街道办事处"]) as result:
        reports = draft_reports(result)
        assert unsupported(reports, Results(result)) == []
    lines = lines_of(reports[-1])
    assert lines[2] == ("本次共汇总2个单位报送的2个项目自评表，涉及预算资金35.00万元，全年执行30.00万元，"
                        "总体预算执行率85.71%；项目平均得分97.50，按预算加权平均得分98.57。")
    [ranking] = [b for b in reports[-1].blocks if b.kind == "table" and b.headers[0] == "名次"]
    assert [c.cells for c in ranking.claims] == [("1", "甲街道办事处", "1", "100.00%", "100.00", "优"),
                                                 ("2", "乙街道办事处", "1", "50.00%", "95.00", "优")]
    assert "以下单位未参加排名" not in "".join(lines)
    assert lines[-1] == "单位名单中的2个单位均已报送自评表。"
