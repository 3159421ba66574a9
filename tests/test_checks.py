"""Every check in the catalogue: a minimal workbook that triggers it, and a clean one
(plus near misses at each threshold) that must not."""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx import workbook as workbook_module
from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.container import LIMITS
from selfeval_xlsx.findings import CATALOGUE, Severity, catalogue_markdown
from selfeval_xlsx.rules import SEED
from tests import hostile as hostile_files
from tests.forms import IND_KEYS, convert, filled_template
from tests.other_forms import dept_form, road_form, small_project, write

ROOT = Path(__file__).resolve().parent.parent
CLEAN = {
    "name": "专项经费", "unit": "中山东路街道办事处", "year": 2020,
    "initial": 25, "budget": 25, "executed": 24, "fiscal": 25,
    "indicators": [
        ("产出指标", "数量指标", "开展专项活动次数", "≥10次", "10次", 10, 10, ""),
        ("产出指标", "质量指标", "资金使用合规率", "100%", "100%", 10, 10, ""),
        ("产出指标", "时效指标", "资金支付时限", "2020年12月31日前", "2020年12月25日", 10, 10, ""),
        ("产出指标", "成本指标", "项目支出成本", "≤25万元", "24万元", 10, 10, ""),
        ("效益指标", "社会效益指标", "社区治理水平", "有效提升", "达成", 20, 18, ""),
        ("效益指标", "可持续影响指标", "长效机制建立", "建立并持续运行", "达成", 20, 18, ""),
        ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "93%", 10, 10, ""),
    ],
}


def project(**changes) -> dict:
    return {**CLEAN, **changes}


def ind(i: int, **changes) -> dict:
    """CLEAN with indicator i changed, e.g. ind(0, actual="8次")."""
    rows = [list(r) for r in CLEAN["indicators"]]
    for key, value in changes.items():
        rows[i][IND_KEYS.index(key)] = value
    return project(indicators=[tuple(r) for r in rows])


def run(folder: Path, **kw):
    return run_batch(folder, SEED, **kw).all_findings()


def one(tmp_path, *projects, unit="中山东路街道办事处", **kw):
    folder = tmp_path / "in"
    folder.mkdir(parents=True, exist_ok=True)
    filled_template(folder / "u.xlsx", list(projects) or [CLEAN], unit=unit)
    return run(folder, **kw)


def raw_file(tmp_path, name: str, data: bytes):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(data)
    return run(folder)


def clean_bytes(tmp_path) -> bytes:
    return filled_template(tmp_path / "clean.xlsx", [CLEAN]).read_bytes()


def encrypted(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(clean_bytes(tmp_path))).encrypt("123", out)
    return raw_file(tmp_path, "u.xlsx", out.getvalue())


def extra_sheet(tmp_path, only: bool):
    folder = tmp_path / "in"
    folder.mkdir()
    path = filled_template(folder / "u.xlsx", [CLEAN])
    wb = openpyxl.load_workbook(path)
    if only:
        for name in wb.sheetnames:
            del wb[name]
    ws = wb.create_sheet("草稿")
    ws["A1"] = "随手记的数字"
    wb.save(path)
    return run(folder)


def export(tmp_path):
    """A budget system's export whose 自评表 drifted from its 申报表 (tests/test_exports.py)."""
    folder = tmp_path / "in"
    folder.mkdir()
    name = "01_一个项目全周期_新街口街道办事处.xlsx"
    (folder / name).write_bytes((ROOT / "tests" / "fixtures" / "exports" / name).read_bytes())
    return run(folder)


def renamed_legacy(tmp_path):
    xls = convert(filled_template(tmp_path / "u.xlsx", [CLEAN]), "xls", tmp_path / "xls")
    return raw_file(tmp_path, "u.xlsx", xls.read_bytes())


def crash(tmp_path, monkeypatch):
    def boom(*a, **kw):
        raise ZeroDivisionError("surprise")
    monkeypatch.setattr(workbook_module, "interpret_project", boom)
    path = filled_template(tmp_path / "u.xlsx", [CLEAN])
    return workbook_module.process_file(path, "u.xlsx", SEED).findings


def two_files(tmp_path, **kw):
    folder = tmp_path / "in"
    folder.mkdir()
    filled_template(folder / "a.xlsx", [CLEAN])
    filled_template(folder / "b.xlsx", [CLEAN])
    return run(folder, **kw)


def roster(tmp_path, names):
    folder = tmp_path / "in"
    folder.mkdir()
    filled_template(folder / "u.xlsx", [CLEAN])
    return run(folder, roster=names)


def bunched(tmp_path):
    # Three projects at 85 % executed (with reasons), every one self-scored above 90.
    p = [project(name=f"项目{i}", executed=21.25, exec_reason="年底票据未到") for i in range(3)]
    return one(tmp_path, *p)


def other(tmp_path, sheets: dict):
    """A workbook another tool made (no 单位信息 sheet), the sheets given row by row."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "u.xlsx", sheets)
    return run(folder)


def hostile(tmp_path, make, **limits):
    folder = tmp_path / "in"
    folder.mkdir()
    make(folder / "u.xlsx", clean_bytes(tmp_path))
    return run(folder, limits=replace(LIMITS, **limits)) if limits else run(folder)


def targets_triggered(tmp_path, broken: bool = False):
    # Imported here: test_targets_file takes CLEAN from this module.
    from tests.test_targets_file import triggered
    return triggered(tmp_path, broken=broken)


# code → (how to make a workbook that triggers it, the cell the finding must point at)
TRIGGERS = {
    "F101": (lambda t, m: raw_file(t, "u.xlsx", b"PK\x03\x04 not really a zip"), ""),
    "F102": (lambda t, m: encrypted(t), ""),
    "F103": (lambda t, m: extra_sheet(t, only=True), ""),
    "F104": (lambda t, m: extra_sheet(t, only=False), ""),
    "F105": (lambda t, m: renamed_legacy(t), ""),
    "F106": (crash, ""),
    "F107": (lambda t, m: one(t, limits=replace(LIMITS, file_bytes=1000)), ""),
    "F108": (lambda t, m: hostile(t, lambda p, b: hostile_files.zip_bomb(p, b, inflated=8 << 20)), ""),
    "F109": (lambda t, m: hostile(t, lambda p, b: hostile_files.many_sheets(p, 20), sheets=10), ""),
    "F110": (lambda t, m: hostile(t, lambda p, b: hostile_files.far_value(p, keep_dimension=True)), ""),
    "F111": (lambda t, m: hostile(t, hostile_files.entity_expansion), ""),
    "F112": (lambda t, m: hostile(t, hostile_files.macro_workbook), ""),
    "F113": (lambda t, m: hostile(t, lambda p, b: hostile_files.far_value(p, keep_dimension=False)), ""),
    "F114": (lambda t, m: one(t, limits=replace(LIMITS, seconds=0.0)), ""),
    # A control character, as Excel stores one (_x0001_): marked in the summary, and said so.
    "F115": (lambda t, m: one(t, ind(0, reason="原因_x0001_说明")), ""),
    "U101": (lambda t, m: one(t, project(unit=""), unit=""), "B3"),
    "U102": (lambda t, m: one(t, project(unit="中山东路街道")), "F4"),
    "U103": (lambda t, m: one(t, year=2021), "B5"),
    "U104": (lambda t, m: one(t, project(year="二〇二〇年")), "B5"),
    "U105": (lambda t, m: other(t, {"部门整体": dept_form(400), "项目A": small_project("项目A", 150, 150),
                                    "项目B": small_project("项目B", 200, 200)}), "D11"),
    "P101": (lambda t, m: one(t, project(name="")), "B3"),
    "P102": (lambda t, m: one(t, project(budget="二十五")), "D7"),
    "P103": (lambda t, m: one(t, project(budget="２５万元")), "D7"),
    "P104": (lambda t, m: one(t, project(budget=0, fiscal=0)), "D7"),
    "P105": (lambda t, m: one(t, project(executed=-1)), "E7"),
    "P106": (lambda t, m: one(t, project(executed=26)), "E7"),
    "P107": (lambda t, m: one(t, project(executed=15)), "C11"),
    "P108": (lambda t, m: one(t, project(fiscal=20)), "D7"),
    "P109": (lambda t, m: one(t, ind(0, actual="5次")), "G30"),
    "P110": (lambda t, m: one(t, project(cells={"F31": "良"})), "F31"),
    "P111": (lambda t, m: one(t, ind(4, weight=15)), "F19"),
    "P112": (lambda t, m: one(t, project(indicators=CLEAN["indicators"][:6])), "A15"),
    "P113": (lambda t, m: one(t, CLEAN, CLEAN), "B3"),
    "P114": (lambda t, m: one(t, project(initial=250000, budget=250000, executed=240000, fiscal=250000)), "C7"),
    "P115": (lambda t, m: one(t, project(executed=15, exec_reason="疫情影响")), "G30"),
    "P116": (lambda t, m: one(t, project(indicators=[])), "B3"),
    "P117": (lambda t, m: one(t, project(cells={"F7": 20})), "F7"),
    "P118": (lambda t, m: one(t, project(executed=20, exec_reason="疫情影响", cells={"H7": 10})), "H7"),
    "P119": (lambda t, m: one(t, ind(0, weight=12, self_score=12)), "A15"),
    "P120": (lambda t, m: one(t, project(indicators=[*CLEAN["indicators"],
                                                      ("效益指标", "生态效益指标", "指标1", "", "", "", "", "")])), "C22"),
    "P121": (lambda t, m: one(t, project(indicators=[r[:4] + ("", r[5], "", "") for r in CLEAN["indicators"]])), "G30"),
    "P122": (lambda t, m: other(t, {"项目": small_project("项目D", 10, 10, total=None)}), "G13"),
    "P123": (lambda t, m: one(t, project(executed=1e13)), "E7"),
    "P124": (lambda t, m: other(t, {"道路": road_form()}), "A5"),
    "I101": (lambda t, m: one(t, ind(0, target="")), "D15"),
    "I102": (lambda t, m: one(t, ind(0, actual="")), "E15"),
    "I103": (lambda t, m: one(t, ind(0, target="≥10次5")), "D15"),
    "I104": (lambda t, m: one(t, ind(0, actual="很多")), "E15"),
    "I105": (lambda t, m: one(t, ind(0, weight="")), "F15"),
    "I106": (lambda t, m: one(t, ind(0, self_score="")), "G15"),
    "I107": (lambda t, m: one(t, ind(0, self_score=12)), "G15"),
    "I108": (lambda t, m: one(t, ind(0, actual="8次", reason="下半年活动受疫情影响")), "G15"),
    "I109": (lambda t, m: one(t, ind(2, actual="2021年1月15日", reason="供应商延期")), "G17"),
    "I110": (lambda t, m: one(t, ind(4, actual="部分达成", self_score=18, reason="参与面不足")), "G19"),
    "I111": (lambda t, m: one(t, ind(0, actual="8次", self_score=8)), "H15"),
    "I112": (lambda t, m: one(t, ind(3, target="≥25万元", actual="25万元")), "D18"),
    "I113": (lambda t, m: one(t, ind(6, actual="105%")), "E21"),
    "I114": (lambda t, m: one(t, ind(0, target="≥0次")), "D15"),
    "I115": (lambda t, m: one(t, ind(0, target="有效提升", actual="达成", self_score=9)), "D15"),
    "I116": (lambda t, m: one(t, ind(0, actual="10个")), "E15"),
    "I117": (lambda t, m: one(t, ind(0, level2="社会效益指标")), "B15"),
    "I118": (lambda t, m: one(t, ind(6, actual=0.95)), "E21"),
    "I119": (lambda t, m: one(t, ind(0, target="#NAME?")), "D15"),
    "I120": (lambda t, m: one(t, ind(0, target="较上年提高5%", actual="提高6%")), "D15"),
    "T101": (lambda t, m: export(t), "C15"),
    "T102": (lambda t, m: export(t), "C20"),
    "T103": (lambda t, m: export(t), "C15"),
    "T104": (lambda t, m: export(t), "E21"),
    "T105": (lambda t, m: export(t), "G16"),
    "T106": (lambda t, m: export(t), "E7"),
    # --targets (tests/test_targets_file.py)
    "T107": (lambda t, m: targets_triggered(t), "B3"),
    "T108": (lambda t, m: targets_triggered(t), "B3"),
    "T109": (lambda t, m: targets_triggered(t), ""),
    "T110": (lambda t, m: targets_triggered(t, broken=True), ""),
    "B101": (lambda t, m: two_files(t), ""),
    "B102": (lambda t, m: roster(t, ["中山东路街道办事处", "建北街道办事处"]), ""),
    "B103": (lambda t, m: roster(t, ["建北街道办事处"]), ""),
    "B104": (lambda t, m: bunched(t), ""),
}

# Just short of each threshold: these must raise nothing at all.
NEAR_MISSES = {
    "rate exactly 90 %, no reason needed": lambda t: one(t, project(executed=22.5)),
    "self score 0.4 above the rule (tolerance 0.5)": lambda t: one(t, ind(0, actual="9.6次", reason="略有差距")),
    "80 % executed with a reason and a high score": lambda t: one(t, project(executed=20, exec_reason="疫情影响")),
    "9,999 万元 is large but plausible": lambda t: one(t, project(initial=9999, budget=9999, fiscal=9999,
                                                                 executed=9999)),
    "partly achieved at the top of its band": lambda t: one(t, ind(4, actual="部分达成", self_score=16,
                                                                    reason="参与面不足")),
    "a late date honestly marked down": lambda t: one(t, ind(2, actual="2021年1月15日", self_score=6,
                                                              reason="供应商延期")),
    "cost written with ≤ and met": lambda t: one(t, ind(3, target="≤25万元", actual="250000元")),
    "100 % satisfaction": lambda t: one(t, ind(6, actual="100%")),
}


def test_every_check_has_a_trigger():
    from tests.test_previous import TRIGGERS as PREVIOUS  # --previous checks: tested there
    from tests.test_review import TRIGGERS as READ_BACK  # a filled 复核底稿 read back: tested there
    from tests.test_review_checks import TRIGGERS as REVIEW  # 抽查复核 checks: tested there
    assert set(TRIGGERS) | set(REVIEW) | set(PREVIOUS) | set(READ_BACK) == set(CATALOGUE)


def test_clean_workbook_raises_nothing(tmp_path):
    assert one(tmp_path) == []


@pytest.mark.parametrize("case", sorted(NEAR_MISSES))
def test_near_misses_raise_nothing(tmp_path, case):
    findings = NEAR_MISSES[case](tmp_path)
    assert [(f.code, f.message) for f in findings if f.severity != Severity.INFO] == []


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_check_triggers_and_points_at_the_cell(tmp_path, monkeypatch, code):
    make, cell = TRIGGERS[code]
    findings = make(tmp_path, monkeypatch)
    hits = [f for f in findings if f.code == code]
    assert hits, f"{code} not raised; got {[(f.code, f.cell) for f in findings]}"
    f = hits[0]
    assert f.severity == CATALOGUE[code].severity
    assert f.message.endswith(CATALOGUE[code].fix)
    if cell:
        assert f.cell == cell, (code, f.cell, f.message)
        assert f.sheet and f.file


def test_messages_name_both_numbers(tmp_path):
    [i108] = [f for f in one(tmp_path, ind(0, actual="8次", reason="受疫情影响")) if f.code == "I108"]
    assert "自评得分 10.00" in i108.message and "计算为 8.00" in i108.message
    assert (i108.unit, i108.project, i108.sheet, i108.value) == ("中山东路街道办事处", "专项经费", "项目1", "10.00")
    [p109] = [f for f in one(tmp_path / "b", ind(0, actual="5次")) if f.code == "P109"]
    # 9.6 + 10×3 + 18×2 + 10 = 95.6 claimed; the rule gives 5 for 5 of 10 activities: 90.6.
    assert "自评总分 95.60" in p109.message and "计算为 90.60" in p109.message


def test_docs_checks_md_matches_the_code():
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == catalogue_markdown()
