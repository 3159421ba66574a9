"""The template is written from the rules in force, and teaches only what works when typed."""
import re
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.rules import NATIONAL, SEED, parse_rules
from selfeval_xlsx.template import LAYOUT, write_template
from selfeval_xlsx.workbook import process_file
from tests.forms import convert, filled_template

CUSTOM_TEXT = """
"名称" = "测试区（自定义）"
["权重"]
"预算执行率" = 20
"产出指标" = 40
"效益指标" = 30
"满意度指标" = 10
["等级"]
"优" = 85
"良" = 70
"中" = 55
["阈值"]
"执行率下限" = 0.85
"""
CUSTOM = parse_rules(CUSTOM_TEXT, "测试区.toml")
L = LAYOUT
RATE_WEIGHT, RATE_SCORE = f"F{L.funds_first + 1}", f"H{L.funds_first + 1}"
WEIGHT_TOTAL, TOTAL, GRADE = f"F{L.total + 1}", f"G{L.total + 1}", f"F{L.grade + 1}"


def project(weights: dict[str, list[int]], scores: dict[str, list[int]]) -> dict:
    """25 万元 budgeted, 20 spent (80%); indicators with the given weights and self scores."""
    rows = []
    level2 = {"产出指标": "数量指标", "效益指标": "社会效益指标", "满意度指标": "服务对象满意度指标"}
    for dim, ws in weights.items():
        for k, (w, s) in enumerate(zip(ws, scores[dim])):
            rows.append((dim, level2[dim], f"{dim}{k + 1}", "有效提升", "达成", w, s, ""))
    return {"name": "测试项目", "initial": 25, "budget": 25, "executed": 20, "fiscal": 25,
            "exec_reason": "", "indicators": rows}


# Both projects total 87: 优 by the custom lines (≥85), 良 by the national ones (≥90).
CASES = [
    (NATIONAL, project({"产出指标": [10] * 5, "效益指标": [15, 15], "满意度指标": [10]},
                       {"产出指标": [10, 10, 10, 10, 8], "效益指标": [12, 12], "满意度指标": [7]}),
     8.0, 87.0, "良"),
    (CUSTOM, project({"产出指标": [10] * 4, "效益指标": [15, 15], "满意度指标": [10]},
                     {"产出指标": [10, 10, 10, 8], "效益指标": [12, 12], "满意度指标": [9]}),
     16.0, 87.0, "优"),
]


def cached(path: Path, sheet: str, ref: str):
    return openpyxl.load_workbook(path, data_only=True)[sheet][ref].value


@pytest.mark.parametrize("rules, proj, rate_score, total, grade", CASES, ids=["national", "custom"])
def test_formulas_follow_the_rules_when_recalculated(tmp_path, rules, proj, rate_score, total, grade):
    """LibreOffice recalculates the filled template: 执行率得分, 总分 and 自评等级 follow
    the rules the template was written with, and agree with selfeval's own scoring."""
    src = filled_template(tmp_path / "filled.xlsx", [proj], rules=rules)
    saved = convert(src, "xlsx", tmp_path / "lo")
    wb = openpyxl.load_workbook(saved, data_only=True)
    ws = wb["项目1"]
    assert ws[RATE_WEIGHT].value == float(rules.rate_weight)
    assert ws[RATE_SCORE].value == pytest.approx(0.8 * float(rules.rate_weight)) == rate_score
    assert ws[WEIGHT_TOTAL].value == pytest.approx(100)
    assert ws[TOTAL].value == pytest.approx(total)
    assert ws[GRADE].value == grade == rules.grade(D(str(total)))
    [sp] = process_file(src, "filled.xlsx", rules).projects
    assert sp.score.rate_score == D(str(rate_score)) and sp.score.self_total == D(str(total))
    # The dimension weights the template teaches are those the batch checks (no P111/P117/P119).
    codes = {f.code for f in process_file(saved, "saved.xlsx", rules).findings}
    assert not codes & {"P111", "P117", "P119"}


def _texts(path: Path) -> list[str]:
    """Every text a clerk reads in the file: cell strings and input messages."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and not c.value.startswith("="):
                    out.append(c.value)
        for dv in ws.data_validations.dataValidation:
            out += [dv.promptTitle or "", dv.prompt or "", dv.error or ""]
    return out


def test_template_text_comes_from_the_rules(tmp_path):
    path = write_template(tmp_path / "t.xlsx", rules=CUSTOM)
    text = "\n".join(_texts(path))
    assert "预算执行率20分、产出指标40分、效益指标30分、满意度指标10分" in text
    assert "优≥85、良≥70、中≥55、差<55" in text
    assert "执行率低于85%时" in text and not re.search(r"执行率[^\n。；]{0,12}90%", text)
    assert "测试区（自定义）" in text
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    assert ws[RATE_WEIGHT].value == 20
    assert ">=85" in ws[GRADE].value and ">=90" not in ws[GRADE].value
    # The national preset's template says its own numbers.
    text = "\n".join(_texts(write_template(tmp_path / "n.xlsx", rules=NATIONAL)))
    assert "产出指标50分、效益指标30分" in text and "执行率低于90%时" in text
    text = "\n".join(_texts(write_template(tmp_path / "s.xlsx", rules=SEED)))
    assert "产出指标40分、效益指标40分" in text


def test_reason_row_for_another_threshold_is_read_back(tmp_path):
    """85% in force: the reason row names it, and the reader still finds the reason."""
    proj = CASES[1][1]
    bare = filled_template(tmp_path / "bare.xlsx", [proj], rules=CUSTOM)
    given = filled_template(tmp_path / "given.xlsx", [dict(proj, exec_reason="部分活动延期")], rules=CUSTOM)
    ws = openpyxl.load_workbook(given)["项目1"]
    assert "85%" in ws[f"A{L.exec_reason + 1}"].value
    assert "P107" in {f.code for f in process_file(bare, "b.xlsx", CUSTOM).findings}
    r = process_file(given, "g.xlsx", CUSTOM)
    assert r.projects[0].project.exec_reason == "部分活动延期"
    assert "P107" not in {f.code for f in r.findings}


def test_default_template_follows_the_default_rules(tmp_path):
    from selfeval_xlsx.rules import resolve_rules
    default = resolve_rules()
    ws = openpyxl.load_workbook(write_template(tmp_path / "d.xlsx"))["项目1"]
    assert ws[RATE_WEIGHT].value == float(default.rate_weight)
    assert f">={default.grades[0][1].normalize():f}" in ws[GRADE].value


def test_no_typed_formula_and_no_markdown_in_any_text(tmp_path):
    """Issue 13.6: nothing the template teaches turns into a formula when typed
    (=6个 becomes #NAME?), and no cell or message carries markdown."""
    path = write_template(tmp_path / "t.xlsx")
    texts = _texts(path)
    with zipfile.ZipFile(path) as z:
        raw = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    for t in texts:
        assert not re.search(r"(^|[、：:，,\s(（“])=\d", t), t      # no "=6个" taught anywhere
        assert "`" not in t and "**" not in t, t
    assert "=6个" not in raw and "`" not in raw
    assert any("＝6个" in t for t in texts)


def test_full_width_equals_target_is_read_as_exact(tmp_path):
    """What the template now teaches reads as an exact target."""
    proj = CASES[0][1]
    rows = list(proj["indicators"])
    rows[0] = ("产出指标", "数量指标", "服务社区数量", "＝6个", "5个", 10, 10, "")
    path = filled_template(tmp_path / "t.xlsx", [dict(proj, indicators=rows)], rules=NATIONAL)
    [sp] = process_file(path, "t.xlsx", NATIONAL).projects
    first = sp.score.indicators[0]
    assert first.rule.startswith("等于")
    assert first.score == D(10) * (1 - D(1) / D(6))
