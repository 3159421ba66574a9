"""`--targets`: the approved targets in files of their own (approved_targets.py).

The self-evaluations are our template filled by openpyxl (tests/forms.py); the targets
are 申报表 workbooks as a budget system writes them (xlsxwriter), a clerk saves them
(openpyxl) or LibreOffice exports them (.xls). Every expected finding below was worked
out by hand from the rows written here.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from selfeval_xlsx import evaluate, write_summary
from selfeval_xlsx.approved_targets import load
from selfeval_xlsx.batch import run_batch
from selfeval_xlsx.context import Context
from selfeval_xlsx.grid import a1
from selfeval_xlsx.rules import SEED
from selfeval_xlsx.template import LAYOUT
from tests.forms import convert, filled_template, need_soffice
from tests.other_forms import write as by_openpyxl
from tests.test_checks import CLEAN

ROOT = Path(__file__).resolve().parent.parent
UNIT = "中山东路街道办事处"
ROWS = CLEAN["indicators"]   # (一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 偏差原因)
# The same indicators as a 申报表 holds them: (一级, 二级, 三级, 指标值, 分值).
APPROVED = [(r[0], r[1], r[2], r[3], r[5]) for r in ROWS]


def form(name: str, code: str = "") -> dict:
    p = {"name": name, "unit": UNIT, "year": 2020, "initial": 25, "budget": 25, "executed": 24, "fiscal": 25,
         "indicators": ROWS}
    if code:
        p["cells"] = {a1(LAYOUT.year, 5): code}   # the template's optional 项目编码
    return p


def self_evaluations(folder: Path) -> Path:
    """专项经费 (coded), 社区办公经费(一), 信访维稳经费, 补充经费."""
    folder.mkdir(parents=True, exist_ok=True)
    filled_template(folder / "u.xlsx", [form("专项经费", "2020-001"), form("社区办公经费(一)"),
                                        form("信访维稳经费"), form("补充经费")], unit=UNIT)
    return folder


def declaration(name: str, unit: str, code: str, rows: list[tuple], amount: float = 25) -> list[list]:
    """A 项目支出绩效目标申报表 as rows of cells."""
    return [["项目支出绩效目标申报表"], ["（2020年度）"],
            ["项目名称", name, None, "项目编码", code or None],
            ["主管部门", "长安区人民政府", None, "实施单位", unit],
            ["项目资金（万元）", "年度资金总额", amount],
            ["年度绩效目标", "完成年度工作任务。"],
            ["一级指标", "二级指标", "三级指标", "指标值", "分值"], *[list(r) for r in rows]]


def by_xlsxwriter(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    for title, lines in sheets.items():
        ws = wb.add_worksheet(title)
        for r, line in enumerate(lines):
            for c, v in enumerate(line):
                if v is not None:
                    ws.write(r, c, v)
    wb.close()
    return path


def edited(rows: list[tuple], **changes: tuple) -> list[tuple]:
    """APPROVED with rows replaced: edited(APPROVED, r0=(…)); r9=None drops row 9."""
    out = list(rows)
    for key, row in sorted(changes.items(), reverse=True):
        k = int(key[1:])
        if row is None:
            del out[k]
        else:
            out[k] = row
    return out


def district_sheets() -> dict[str, list[list]]:
    """The district's approved targets for 中山东路 (one workbook, a sheet a project)."""
    special = edited(APPROVED, r0=("产出指标", "数量指标", "开展专项活动次数", "≥12次", 10),   # lowered to ≥10次
                     r4=("效益指标", "社会效益指标", "社区治理水平", "有效提升", 15))       # weight 20 on the form
    office = edited(APPROVED, r1=("产出指标", "质量指标", "资金使用合规性", "100%", 10),   # renamed on the form
                    r3=("产出指标", "成本指标", "项目支出成本", "≤30万元", 10),           # ≤25万元 on the form: raised
                    r6=None)                                                               # 居民满意度: added by the form
    office.insert(1, ("产出指标", "数量指标", "服务社区数量", "≥5个", 5))                    # dropped by the form
    return {
        # Its name differs from the form's; the code (full-width here) says it is the same project.
        "专项业务经费": declaration("专项业务经费", UNIT, "２０２０-００１", special),
        "社区办公经费": declaration("社区办公经费 （一）", UNIT, "", office),
        "信访维稳经费": declaration("信访维稳经费", UNIT, "", APPROVED),
        "信访维稳经费2": declaration("信访维稳经费", UNIT, "", APPROVED),
        "老年活动经费": declaration("老年活动经费", UNIT, "", APPROVED),
    }


def other_unit_sheets() -> dict[str, list[list]]:
    """建北 sent nothing; its 补充经费 is not 中山东路's."""
    return {"补充经费": declaration("补充经费", "建北街道办事处", "", APPROVED),
            "环境整治经费": declaration("环境整治经费", "建北街道办事处", "", APPROVED)}


def targets_folder(folder: Path, names: tuple[str, str] = ("a_中山东路.xlsx", "b_建北.xlsx")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    by_xlsxwriter(folder / names[0], district_sheets())
    by_openpyxl(folder / names[1], other_unit_sheets())
    return folder


def run(inputs: Path, targets: Path, **kw):
    return run_batch(inputs, SEED, isolate=False, context=Context(targets=load(targets, SEED)), **kw)


def triggered(tmp_path: Path, broken: bool = False) -> list:
    """Every finding of the district above (test_checks.TRIGGERS: T107–T110)."""
    targets = targets_folder(tmp_path / "targets")
    if broken:
        (targets / "c_坏.xlsx").write_bytes(b"not a workbook")
    with run(self_evaluations(tmp_path / "in"), targets) as result:
        return result.all_findings()


def t_findings(result) -> list[tuple[str, str, str, str, str]]:
    return sorted((f.code, f.project, f.sheet, f.cell, f.value) for f in result.all_findings()
                  if f.code.startswith("T"))


EXPECTED = sorted([
    # 专项经费 (项目1), matched by 项目编码 to 专项业务经费
    ("T104", "专项经费", "项目1", "D15", "≥10次"),
    ("T105", "专项经费", "项目1", "F19", "20"),
    # 社区办公经费(一) (项目2), matched by unit and name (full-width bracket, a space)
    ("T103", "社区办公经费(一)", "项目2", "C16", "资金使用合规率"),
    ("T101", "社区办公经费(一)", "项目2", "C15", "服务社区数量"),
    ("T104", "社区办公经费(一)", "项目2", "D18", "≤25万元"),
    ("T102", "社区办公经费(一)", "项目2", "C21", "居民满意度"),
    # 信访维稳经费 (项目3): two approved projects of that name
    ("T108", "信访维稳经费", "项目3", "B3", "信访维稳经费"),
    # 补充经费 (项目4): only 建北 has one
    ("T107", "补充经费", "项目4", "B3", "补充经费"),
    # approved, never self-evaluated: 中山东路's one project, 建北 as a unit (it sent nothing)
    ("T109", "老年活动经费", "", "", "老年活动经费"),
    ("T109", "", "", "", "2"),
])


def test_each_divergence_and_match(tmp_path):
    with run(self_evaluations(tmp_path / "in"), targets_folder(tmp_path / "targets")) as result:
        assert t_findings(result) == EXPECTED
        found = {(f.code, f.project): f for f in result.all_findings()}
        assert "（目标降低）" in found[("T104", "专项经费")].message
        assert "（目标提高）" in found[("T104", "社区办公经费(一)")].message
        t105 = found[("T105", "专项经费")].message
        assert "分值为 20" in t105 and "“targets/a_中山东路.xlsx”工作表“专项业务经费”（C12）中为 15" in t105
        assert "工作表“信访维稳经费”B3、" in found[("T108", "信访维稳经费")].message
        t109 = {f.unit: f for f in result.all_findings() if f.code == "T109"}
        assert t109[UNIT].file == "u.xlsx"                       # on the unit's own file, to be followed up
        assert t109["建北街道办事处"].file == "" and "2 个项目" in t109["建北街道办事处"].message
        assert all(f.severity.value == "警告" for f in result.all_findings() if f.code.startswith("T"))
        counts = result.severity_counts()
        assert counts[found[("T109", "老年活动经费")].severity] >= len(EXPECTED)


def test_no_code_no_match_by_name_of_another_code(tmp_path):
    """Both sides coded and different: not the same project, whatever the names say."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "u.xlsx", [form("专项经费", "2020-009")], unit=UNIT)
    by_xlsxwriter(tmp_path / "t.xlsx", {"专项经费": declaration("专项经费", UNIT, "2020-001", APPROVED)})
    with run(inputs, tmp_path / "t.xlsx") as result:
        assert [f[0] for f in t_findings(result)] == ["T107", "T109"]


def test_results_do_not_depend_on_file_order(tmp_path):
    inputs = self_evaluations(tmp_path / "in")
    one = targets_folder(tmp_path / "t1", ("a_中山东路.xlsx", "b_建北.xlsx"))
    other = targets_folder(tmp_path / "t2", ("b_中山东路.xlsx", "a_建北.xlsx"))
    with run(inputs, one) as r1, run(inputs, other) as r2:
        assert t_findings(r1) == t_findings(r2) == EXPECTED
    # and not on the reading workers either
    with run_batch(inputs, SEED, jobs=2, context=Context(targets=load(one, SEED))) as r3:
        assert t_findings(r3) == EXPECTED


def test_unreadable_and_unrecognised_files_are_findings(tmp_path):
    targets = targets_folder(tmp_path / "targets")
    (targets / "c_坏.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    by_openpyxl(targets / "d_说明.xlsx", {"说明": [["各单位请于3月底前报送"], ["联系人", "王敏"]]})
    with run(self_evaluations(tmp_path / "in"), targets) as result:
        t110 = sorted(f.value for f in result.all_findings() if f.code == "T110")
        assert t110 == ["targets/c_坏.xlsx", "targets/d_说明.xlsx"]
        assert t_findings(result) == sorted([*EXPECTED, *(("T110", "", "", "", v) for v in t110)])


def test_xls_saved_by_libreoffice(tmp_path):
    need_soffice()
    (tmp_path / "src").mkdir()
    xlsx = by_xlsxwriter(tmp_path / "src" / "中山东路.xlsx", district_sheets())
    targets = tmp_path / "targets"
    convert(xlsx, "xls", targets)
    with run(self_evaluations(tmp_path / "in"), targets) as result:
        assert t_findings(result) == [f for f in EXPECTED if f[4] != "2"]   # no 建北 file this time


def test_approved_value_in_the_summary(tmp_path):
    inputs = self_evaluations(tmp_path / "in")
    targets = targets_folder(tmp_path / "targets")
    with evaluate(inputs, isolate=False, targets=targets) as result:
        out = write_summary(result, tmp_path / "汇总.xlsx")
    ws = openpyxl.load_workbook(out)["指标明细"]
    header = [c.value for c in ws[1]]
    assert header[header.index("年度指标值") + 1] == "批复指标值"
    col = header.index("批复指标值")
    rows = {(r[1], r[4]): (r[5], r[col]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[("专项经费", "开展专项活动次数")] == ("≥10次", "≥12次")
    assert rows[("社区办公经费(一)", "资金使用合规率")] == ("100%", "100%")   # renamed, still paired
    assert rows[("社区办公经费(一)", "项目支出成本")] == ("≤25万元", "≤30万元")
    assert rows[("社区办公经费(一)", "居民满意度")][1] in (None, "")            # not approved
    assert rows[("补充经费", "开展专项活动次数")][1] in (None, "")              # no approved targets
    check = subprocess.run(["bash", "/work/shared/tools/ooxml-validate", str(out)], capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *args], capture_output=True, text=True, check=False,
                          cwd=ROOT, timeout=300)


def test_cli_missing_targets_is_a_usage_error(tmp_path):
    inputs = self_evaluations(tmp_path / "in")
    done = _cli("run", str(inputs), "--targets", str(tmp_path / "没有"), "-o", str(tmp_path / "o.xlsx"), "-q")
    assert done.returncode == 2
    assert "找不到批复目标文件或目录" in done.stderr
    assert not (tmp_path / "o.xlsx").exists()


def test_cli_example_district_finds_exactly_what_was_planted(tmp_path):
    """input_templates/make_targets_example.py planted these and nothing else."""
    examples = ROOT / "input_templates" / "examples"
    done = _cli("run", str(examples / "长安区"), "--targets", str(examples / "长安区绩效目标"),
                "-o", str(tmp_path / "o.xlsx"), "--json", str(tmp_path / "o.json"), "-q")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    found = sorted((f["代码"], f["单位名称"][:2], f["项目名称"]) for f in data["问题清单"] if f["代码"].startswith("T"))
    assert found == sorted([
        ("T104", "中山", "专项经费"), ("T101", "建北", "老旧小区改造配套经费"),
        ("T105", "建北", "老旧小区改造配套经费"), ("T105", "青园", "网格化管理经费"),
        ("T105", "青园", "网格化管理经费"), ("T103", "河东", "社区文化建设经费"),
        ("T107", "广安", "人口普查工作经费"), ("T109", "跃进", "老年活动中心运营经费"),
        ("T106", "跃进", "社区办公经费"), ("T108", "谈固", "社区办公经费"), ("T108", "谈固", "社区办公经费")])


@pytest.mark.parametrize("name", ["２０２０-００１", " 2020-001 ", "'2020-001"])
def test_code_spellings(name):
    from selfeval_xlsx.approved_targets import code_key
    assert code_key(name) == "2020-001"


def flat_list(path: Path, coded_twins: bool = True) -> Path:
    """Every approved project of district_sheets and other_unit_sheets as the flat list a
    budget system exports: a row per indicator, 单位/项目名称/项目编码 merged down each project."""
    projects = []
    for lines in (*district_sheets().values(), *other_unit_sheets().values()):
        name, code, unit = lines[2][1], lines[2][4] or "", lines[3][4]
        projects.append((unit, name, code, lines[7:]))
    if coded_twins:   # two projects of one name in one list are told apart by their codes
        twins = [k for k, p in enumerate(projects) if p[1] == "信访维稳经费"]
        for n, k in enumerate(twins):
            projects[k] = (*projects[k][:2], f"2020-10{n}", projects[k][3])
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("项目绩效目标")
    ws.write_row(0, 0, ["2020年项目支出绩效目标批复表"])
    ws.write_row(1, 0, ["单位名称", "项目名称", "项目编码", "一级指标", "二级指标", "三级指标", "指标值", "分值"])
    r = 2
    for unit, name, code, rows in projects:
        for c, v in enumerate((unit, name, code)):
            if len(rows) > 1:
                ws.merge_range(r, c, r + len(rows) - 1, c, v)
            else:
                ws.write(r, c, v)
        for k, row in enumerate(rows):
            ws.write_row(r + k, 3, row)
        r += len(rows)
    wb.close()
    return path


def test_flat_list_export(tmp_path):
    with run(self_evaluations(tmp_path / "in"), flat_list(tmp_path / "批复目标.xlsx")) as result:
        assert t_findings(result) == EXPECTED
        t105 = next(f for f in result.all_findings() if f.code == "T105")
        # 专项业务经费's rows start at row 3; its 社区治理水平 is the fifth
        assert "“批复目标.xlsx”工作表“项目绩效目标”（F7）中为 15" in t105.message


def test_one_code_twice_is_ambiguous_too(tmp_path):
    """The same approved project in two files (a copy left in the folder): not guessed either."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "u.xlsx", [form("专项经费", "2020-001")], unit=UNIT)
    sheets = {"专项经费": declaration("专项经费", UNIT, "2020-001", APPROVED)}
    targets = tmp_path / "targets"
    targets.mkdir()
    by_xlsxwriter(targets / "批复.xlsx", sheets)
    by_openpyxl(targets / "批复 - 副本.xlsx", sheets)
    with run(inputs, targets) as result:
        [t108] = [f for f in result.all_findings() if f.code.startswith("T")]
        assert t108.code == "T108" and "2 个项目的项目编码相同" in t108.message


def test_approved_value_from_the_workbooks_own_declaration():
    """No --targets: a budget system's export carries its 申报表 (tests/test_exports.py);
    批复指标值 comes from there, and only for indicators the 申报表 has."""
    path = ROOT / "tests" / "fixtures" / "exports" / "01_一个项目全周期_新街口街道办事处.xlsx"
    with evaluate([path], isolate=False) as result:
        approved = {i.level3: (i.target, i.approved) for i in result.indicators}
    assert approved["居民满意度"] == ("≥90%", "≥95%")          # lowered on the form (T104)
    assert approved["整治背街小巷数量"] == ("≥12条", "≥12条")   # renamed on the form (T103), still paired
    assert approved["群众投诉办结率"] == ("≥95%", "")           # added by the form (T102)


def test_flat_list_with_department_before_unit_matches_by_the_unit(tmp_path):
    """Budget-system exports put 部门名称 (the 主管部门) before 单位名称: the unit is the
    one that carries out the project, or nothing would match by name (review finding)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "u.xlsx", [form("专项经费")], unit=UNIT)
    rows = [["部门名称", "单位名称", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]]
    rows += [["长安区人民政府", UNIT, "专项经费", *r] for r in APPROVED]
    by_xlsxwriter(tmp_path / "list.xlsx", {"绩效目标": rows})
    with run(inputs, tmp_path / "list.xlsx") as result:
        assert [f.code for f in result.all_findings() if f.code.startswith("T")] == []
        assert all(i.approved for i in result.spool.indicators())


def test_a_declaration_and_its_monitor_copy_are_one_approved_project(tmp_path):
    """A targets file with the 申报表 and the 执行监控表 that copies it: the project is
    compared with the 申报表, and the 监控表 is not an approved project without a form (T109)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "u.xlsx", [form("专项经费")], unit=UNIT)
    decl = declaration("专项经费", UNIT, "", APPROVED)
    monitor = [list(r) for r in decl]
    monitor[0] = ["项目支出绩效目标执行监控表"]
    by_xlsxwriter(tmp_path / "t.xlsx", {"申报表": decl, "监控表": monitor})
    with run(inputs, tmp_path / "t.xlsx") as result:
        assert [f.code for f in result.all_findings() if f.code.startswith("T")] == []


def test_an_amount_approved_in_yuan_equals_the_forms_amount_to_the_cent(tmp_path):
    """123,456 元 is 12.3456 万元; the form's 12.35 万元 is the same money (no T106)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    f = form("专项经费")
    f.update(initial=12.35, budget=12.35, executed=12.0, fiscal=12.35)
    filled_template(inputs / "u.xlsx", [f], unit=UNIT)
    decl = declaration("专项经费", UNIT, "", APPROVED, amount=123456)
    decl[4][0] = "项目资金（元）"
    by_xlsxwriter(tmp_path / "t.xlsx", {"申报表": decl})
    with run(inputs, tmp_path / "t.xlsx") as result:
        assert [f.code for f in result.all_findings() if f.code.startswith("T")] == []
    decl = declaration("专项经费", UNIT, "", APPROVED, amount=124456)   # 12.4456: 0.10 万元 more
    decl[4][0] = "项目资金（元）"
    by_xlsxwriter(tmp_path / "t.xlsx", {"申报表": decl})
    with run(inputs, tmp_path / "t.xlsx") as result:
        [t106] = [f for f in result.all_findings() if f.code.startswith("T")]
        assert t106.code == "T106" and "年度资金总额为 12.45 万元" in t106.message


def test_a_declaration_naming_no_unit_is_its_files_unit_only(tmp_path):
    """建北's 申报表 leaves 实施单位 blank and sits in a file named after 建北: 中山东路's
    专项经费 is not compared with it (it has no approved targets), 建北's is."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    filled_template(inputs / "u.xlsx", [form("专项经费")], unit=UNIT)
    other = edited(APPROVED, r0=("产出指标", "数量指标", "开展专项活动次数", "≥20次", 10))
    (tmp_path / "t").mkdir()
    by_xlsxwriter(tmp_path / "t" / "建北街道办事处2020年项目绩效目标.xlsx",
                  {"专项经费": declaration("专项经费", None, "", other)})
    with run(inputs, tmp_path / "t") as result:
        codes = sorted(f.code for f in result.all_findings() if f.code.startswith("T"))
        assert codes == ["T107", "T109"]   # and 建北's approved project has no form here
    filled_template(inputs / "u.xlsx", [form("专项经费")], unit="建北街道办事处")
    with run(inputs, tmp_path / "t") as result:
        codes = sorted(f.code for f in result.all_findings() if f.code.startswith("T"))
        assert codes == ["T104"]
