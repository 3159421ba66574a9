"""The drafted reports say exactly what the consolidated numbers say."""
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.cli import main
from selfeval_xlsx.report import write_reports
from selfeval_xlsx.rules import SEED
from selfeval_xlsx.tables import as_json
from tests.forms import convert

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区"
ROSTER = EXAMPLES.parent / "长安区名单.txt"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    from selfeval_xlsx.roster import load_roster
    with run_batch(EXAMPLES, SEED, roster=load_roster(ROSTER)) as result:
        paths = write_reports(result, out)
        data = as_json(result)
    return {p.name: p for p in paths}, data


def text(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text]


def tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def test_one_report_per_unit_and_a_district_overview(drafted):
    paths, data = drafted
    units = {r["单位名称"] for r in data["汇总"] if r["项目数"]} - {"合计"}
    assert set(paths) == {f"{u}_2020年度绩效自评工作报告.docx" for u in units} | {"长安区_2020年度预算绩效自评汇总报告.docx"}


def test_zhongshan_names_the_right_project_for_low_execution(drafted):
    paths, _ = drafted
    lines = text(paths["中山东路街道办事处_2020年度绩效自评工作报告.docx"])
    [low] = [line for line in lines if line.startswith("其中，执行率低于90%")]
    assert "专项经费项目预算执行率为60.00%" in low
    assert "社区党建" not in low
    assert "单位未说明原因" in low
    [summary] = [line for line in lines if line.startswith("根据预算绩效管理要求")]
    assert "共5个项目，共涉及预算资金72.59万元，全年执行62.59万元，总体预算执行率86.22%" in summary
    assert "自评得分分别为95、96、96、97、97" in summary
    assert "按评分规则复核，专项经费得分为92（自评96）。" in lines


def test_every_figure_matches_the_consolidated_results(drafted):
    paths, data = drafted
    for unit in {r["单位名称"] for r in data["项目明细"]}:
        rows = [r for r in data["项目明细"] if r["单位名称"] == unit]
        [table] = tables(paths[f"{unit}_2020年度绩效自评工作报告.docx"])
        assert table[0] == ["序号", "项目名称", "全年预算数（万元）", "全年执行数（万元）", "执行率"]
        for i, (line, r) in enumerate(zip(table[1:], rows), start=1):
            assert line == [str(i), r["项目名称"], f"{r['全年预算数']:.2f}" if r["全年预算数"] is not None else "（空）",
                            f"{r['全年执行数']:.2f}" if r["全年执行数"] is not None else "（空）",
                            f"{r['执行率'] * 100:.2f}%" if r["执行率"] is not None else "（空）"], unit
        total = [r for r in data["汇总"] if r["单位名称"] == unit][0]
        assert table[-1][1:4] == ["合计", f"{total['全年预算数（万元）']:.2f}", f"{total['全年执行数（万元）']:.2f}"]


def test_units_with_every_project_on_target_say_so(drafted):
    paths, _ = drafted
    lines = text(paths["建北街道办事处_2020年度绩效自评工作报告.docx"])
    assert "各项目预算执行率均达到90%以上。" in lines
    assert "自评未发现需要整改的问题" in lines[-1]


def test_district_overview(drafted):
    paths, data = drafted
    path = paths["长安区_2020年度预算绩效自评汇总报告.docx"]
    lines = text(path)
    total = [r for r in data["汇总"] if r["单位名称"] == "合计"][0]
    assert any(f"涉及预算资金{total['全年预算数（万元）']:,.2f}".replace(",", "") in line for line in lines)
    ranking, problems = tables(path)
    units = [r for r in data["汇总"] if r["项目数"] and r["单位名称"] != "合计"]
    expected = sorted(units, key=lambda r: (-r["预算加权平均得分"], r["单位名称"]))
    assert [row[1] for row in ranking[1:]] == [r["单位名称"] for r in expected]
    assert problems[1][0] == "P103" and problems[1][2] == "12"
    assert any("西兴街道办事处" in line and "未报送" in line for line in lines)


def test_official_formatting(drafted):
    paths, _ = drafted
    d = docx.Document(str(paths["中山东路街道办事处_2020年度绩效自评工作报告.docx"]))
    section = d.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    body = [p for p in d.paragraphs if p.text.startswith("根据预算绩效管理要求")][0]
    fonts = body.runs[0]._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    headings = [p.text for p in d.paragraphs if p.text[:2] in ("一、", "二、", "三、", "四、")]
    assert headings == ["一、绩效自评工作组织开展情况", "二、绩效目标实现情况", "三、绩效目标设定质量情况",
                        "四、整改措施及结果应用"]
    assert "PAGE" in section.footer.paragraphs[0]._element.xml


def test_report_renders_in_libreoffice(drafted, tmp_path):
    paths, _ = drafted
    pdf = convert(paths["中山东路街道办事处_2020年度绩效自评工作报告.docx"], "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_report_command(tmp_path):
    res = CliRunner().invoke(main, ["report", str(EXAMPLES), "-o", str(tmp_path), "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.output.count("已生成：") == 9
