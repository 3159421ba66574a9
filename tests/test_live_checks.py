"""The template checks itself: its live checks, recalculated by LibreOffice, list exactly
the problems `selfeval check` finds for the same checks — and stay silent on a clean fill."""
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.form import SELF_CHECK_SHEET
from selfeval_xlsx.rules import NATIONAL, SEED
from selfeval_xlsx.template import LAYOUT, write_template
from selfeval_xlsx.template_checks import (
    AGG_COL,
    BLOCK_COL,
    LIST_ROWS,
    MSG_COL,
    live_checks,
)
from selfeval_xlsx.workbook import process_file
from tests.forms import convert, filled_template, need_soffice
from tests.test_checks import CLEAN
from tests.test_template import CUSTOM

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "input_templates" / "examples" / "长安区"
LIVE_CODES = {c.code for c in live_checks(LAYOUT, SEED)}
FIRST_LISTED = 8   # 1-based row of problem 1 on the 自查 sheet


def rows(changes: dict[int, dict] | None = None, drop: tuple[int, ...] = ()) -> list[tuple]:
    """CLEAN's indicators with some fields changed: {row: {field: value}}."""
    keys = ("level1", "level2", "level3", "target", "actual", "weight", "self_score", "reason")
    out = []
    for i, r in enumerate(CLEAN["indicators"]):
        if i in drop:
            continue
        d = dict(zip(keys, r))
        d.update((changes or {}).get(i, {}))
        out.append(tuple(d[k] for k in keys))
    return out


def case(name: str, **changes) -> dict:
    return {**CLEAN, "name": name, **changes}


# One project sheet per problem (some carry two), each named for what it shows.
CASES = [
    case("干净项目"),
    case(None, exec_reason="已说明"),                                        # P101 项目名称
    case("缺预算数", budget=None, fiscal=None),                              # P101 全年预算数
    case("缺执行数", executed=None),                                        # P101 全年执行数
    case("来源不符", fiscal=20, cells={"C8": 20, "E8": 24}),                 # P108 ×2: 年初, 全年预算
    case("超预算", executed=26),                                            # P106
    case("低执行无原因", executed=15, indicators=rows({0: {"self_score": 10}})),  # P107 + P115
    case("低执行有原因", executed=15, exec_reason="疫情影响，活动取消"),        # P115 only
    case("分值不符", indicators=rows({0: {"weight": 15}})),                  # P111 产出 + P119
    case("缺满意度", indicators=rows(drop=(6,))),                            # P112 满意度 + P119
    case("没有指标", indicators=[]),                                         # P116
    case("指标不规范", indicators=rows({0: {"level1": None}, 4: {"level2": "数量指标"}})),  # I117 ×2
    case("合并单元格", indicators=rows({1: {"level1": None, "level2": None}, 2: {"level1": None}})),
    case("缺指标内容", indicators=rows({1: {"target": None}, 2: {"actual": None},
                                        3: {"weight": None}, 4: {"self_score": None}})),  # I101 I102 I105 I106
    case("得分超分值", indicators=rows({1: {"self_score": 12}})),            # I107
    case("满意度超百", indicators=rows({6: {"actual": "105%"}})),            # I113
    case("满意度数字", indicators=rows({6: {"target": "≥90%", "actual": 101}})),  # I113 (a number cell)
]


def listed(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """The 自查 sheet as LibreOffice left it: the status line and (sheet, cell, code) rows."""
    ws = openpyxl.load_workbook(path, data_only=True)[SELF_CHECK_SHEET]
    out = []
    for r in range(FIRST_LISTED, FIRST_LISTED + LIST_ROWS):
        n, sheet, _project, cell, code = (ws.cell(row=r, column=c).value for c in range(1, 6))
        if n in (None, ""):
            break
        assert n == len(out) + 1
        out.append((sheet, cell, code))
    return ws["A2"].value, out


def batch(path: Path, rules) -> list[tuple[str, str, str]]:
    return [(f.sheet, f.cell, f.code) for f in process_file(path, path.name, rules).findings
            if f.code in LIVE_CODES]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    need_soffice()
    tmp = tmp_path_factory.mktemp("live")
    src = filled_template(tmp / "cases.xlsx", CASES, rules=SEED)
    return src, convert(src, "xlsx", tmp / "lo")


def test_every_live_check_reports_what_the_batch_reports(recalculated):
    src, saved = recalculated
    status, live = listed(saved)
    expected = batch(src, SEED)
    assert Counter(live) == Counter(expected)
    # Every live check was exercised by at least one case.
    assert {code for _, _, code in live} == LIVE_CODES
    assert status == f"本表共发现 {len(live)} 处需要修改"
    # The clean sheet (项目1) and the reasoned low rate's sheet have nothing but what is expected.
    assert not [x for x in live if x[0] == "项目1"]
    assert [x[2] for x in live if x[0] == "项目8"] == ["P115"]


def test_the_file_libreoffice_saved_reads_back_the_same(recalculated):
    """Cached helper values and messages do not change what the batch reads (only the
    wording of P109 differs: a saved 总分 is read, an unsaved one is rebuilt)."""
    src, saved = recalculated
    ours, theirs = (process_file(p, "f.xlsx", SEED) for p in (src, saved))
    assert sorted((f.code, f.sheet, f.cell, f.value) for f in theirs.findings) == \
        sorted((f.code, f.sheet, f.cell, f.value) for f in ours.findings)
    assert [(sp.project.name, sp.score.total, sp.score.self_total) for sp in theirs.projects] == \
        [(sp.project.name, sp.score.total, sp.score.self_total) for sp in ours.projects]
    # The 自查 sheet is not taken for an unrecognised sheet (F104), before or after recalculation.
    assert not [f for r in (ours, theirs) for f in r.findings if f.code == "F104"]


def test_row_messages_name_each_open_problem(recalculated):
    _, saved = recalculated
    wb = openpyxl.load_workbook(saved, data_only=True)
    L = LAYOUT
    def msg(sheet, r):
        return wb[sheet].cell(row=r + 1, column=MSG_COL + 1).value or ""
    assert msg("项目7", L.exec_reason) == "执行率低于90%，未说明原因，请在本行说明原因及改进措施；"
    assert "执行率低于80%而总分不低于90分" in msg("项目7", L.total)
    assert msg("项目5", L.funds_first) == "资金来源各行之和不等于年度资金总额，请核对三项资金来源；"
    assert msg("项目15", L.indicator_first + 1) == "得分高于分值，请改为不高于分值的数；"
    assert all(not msg("项目1", r) for r in range(L.grade + 1) if r != L.indicator_header)
    # Each sheet knows its own name and count (what the 自查 sheet and its 3-D total read).
    ws = wb["项目7"]
    assert ws.cell(row=1, column=AGG_COL + 1).value == 2 and ws.cell(row=3, column=AGG_COL + 1).value == "项目7"


@pytest.mark.parametrize("rules, executed, reason_needed", [
    (NATIONAL, 22, True),     # 88% is below the national 90%
    (CUSTOM, 22, False),      # … and above the custom 85%
])
def test_clean_fill_is_silent_and_thresholds_follow_the_rules(tmp_path, rules, executed, reason_needed):
    weights = {"产出指标": [10, 10, 10, 20] if rules is NATIONAL else [10, 10, 10, 10],
               "效益指标": [15, 15], "满意度指标": [10]}
    inds = []
    for r in CLEAN["indicators"]:
        w = weights[r[0]][sum(1 for x in inds if x[0] == r[0])]
        inds.append((*r[:5], w, w if r[0] != "效益指标" else w - 1, ""))
    clean = case("干净项目", executed=24, indicators=inds)
    near = case("执行率88%", executed=executed, indicators=inds)
    src = filled_template(tmp_path / "f.xlsx", [clean, near], rules=rules)
    saved = convert(src, "xlsx", tmp_path / "lo")
    status, live = listed(saved)
    assert Counter(live) == Counter(batch(src, rules))
    if reason_needed:
        assert live == [("项目2", "C11", "P107")] and status == "本表共发现 1 处需要修改"
    else:
        assert live == [] and status == "自查通过"


def test_blank_template_says_nothing_is_filled(tmp_path):
    saved = convert(write_template(tmp_path / "t.xlsx", projects=2), "xlsx", tmp_path / "lo")
    status, live = listed(saved)
    assert (status, live) == ("尚未填写任何项目表", [])


def test_renamed_and_copied_sheets_are_covered(tmp_path):
    """A renamed sheet keeps its entry (the reference follows the name); a copied sheet
    is counted by the 3-D total at once and listed once its name is entered."""
    need_soffice()
    src = filled_template(tmp_path / "f.xlsx", [case("低执行", executed=15)], rules=SEED)
    script = tmp_path / "edit.py"
    script.write_text(_UNO_EDIT, encoding="utf-8")
    out = tmp_path / "edited.xlsx"
    subprocess.run(["/usr/bin/python3", str(script), str(src), str(out), str(tmp_path / "profile")],
                   check=True, capture_output=True, timeout=240)
    status, live = listed(out)
    # 专项 (renamed 项目1) has P107 + P115; its copy is unlisted: counted, not listed.
    assert live == [("专项", "C11", "P107"), ("专项", "G30", "P115")]
    assert status == "本表共发现 4 处需要修改"
    ws = openpyxl.load_workbook(out, data_only=True)[SELF_CHECK_SHEET]
    assert "另有 2 处问题" in ws["A4"].value


# Renames 项目1 to 专项 and copies it (as LibreOffice's own sheet commands do), then saves.
_UNO_EDIT = r'''
import socket, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(n, v):
    p = PropertyValue(); p.Name, p.Value = n, v; return p

src, out, profile = sys.argv[1:4]
with socket.socket() as s:
    s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
office = subprocess.Popen(["soffice", "--headless", "--norestore", "--nologo",
                           f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
                           f"--accept=socket,host=127.0.0.1,port={port};urp;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    sheets = doc.Sheets
    sheets.getByName("项目1").Name = "专项"
    names = list(sheets.ElementNames)
    sheets.copyByName("专项", "专项 (2)", names.index("专项") + 1)
    doc.calculateAll()
    doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    desktop.terminate()
finally:
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()
'''


def test_example_district_agrees_with_the_batch(tmp_path):
    """Every example unit, recalculated: the 自查 sheet lists what `selfeval check` finds
    for the live checks, and the two clean units pass."""
    out = tmp_path / "lo"
    paths = sorted(EXAMPLES.glob("*.xlsx"))
    # One LibreOffice run converts (and so recalculates) all eight.
    subprocess.run([need_soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=300)
    for path in paths:
        status, live = listed(out / path.name)
        assert Counter(live) == Counter(batch(path, NATIONAL)), path.stem
        if path.stem in ("建北街道办事处", "青园街道办事处", "河东街道办事处"):
            assert status == "自查通过" and live == [], path.stem
        else:
            assert status == f"本表共发现 {len(live)} 处需要修改" and live, path.stem


def test_marks_and_helpers_do_not_get_in_the_way(tmp_path):
    """Input cells stay unlocked, helper columns are hidden and outside the print area."""
    path = write_template(tmp_path / "t.xlsx", projects=1)
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    L = LAYOUT
    assert ws.protection.sheet
    assert ws.print_area == ["'项目1'!$A$1:$H$31"] or "$A$1:$H$31" in str(ws.print_area)
    from openpyxl.utils import get_column_letter
    for c in range(BLOCK_COL, AGG_COL + 1):
        assert ws.column_dimensions[get_column_letter(c + 1)].hidden or \
            any(d.min <= c + 1 <= d.max and d.hidden for d in ws.column_dimensions.values())
    for ref in ("B3", "D7", "E7", "C11", f"D{L.indicator_first + 1}", f"G{L.indicator_first + 1}"):
        assert ws[ref].protection.locked is False, ref
    rules = ws.conditional_formatting
    ranges = {str(r.sqref) for r in rules}
    assert {"B3", "C11:H11", "E7", f"G{L.total + 1}"} <= ranges
    assert wb.sheetnames[:3] == ["填报说明", SELF_CHECK_SHEET, "单位信息"]
    assert wb[SELF_CHECK_SHEET].protection.sheet
