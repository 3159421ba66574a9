"""Duplicate submissions: which file counts."""
import shutil
from pathlib import Path

from selfeval_xlsx.api import evaluate


def test_a_backup_copy_never_outranks_its_workbook(tmp_path):
    """X.xlsx.bak is read (by its content) but the rule "the path sorting last counts" must
    not let it replace X.xlsx, which it would by name alone."""
    src = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区" / "建北街道办事处.xlsx"
    shutil.copy(src, tmp_path / "建北街道办事处.xlsx")
    shutil.copy(src, tmp_path / "建北街道办事处.xlsx.bak")
    with evaluate(tmp_path, preset="national", isolate=False) as res:
        [dup] = [f for f in res.findings if f.code == "B101"]
        assert dup.file == "建北街道办事处.xlsx.bak"
        counted = [u.files for u in res.units if u.grade != "未计入"]
        assert counted == ["建北街道办事处.xlsx"]


def _unit_files(tmp_path, first: list[str], second: list[str]):
    """One unit's return in two workbooks, with the given project names."""
    from tests.forms import SPECIAL, filled_template
    folder = tmp_path / "in"
    folder.mkdir()
    for name, projects in (("a.xlsx", first), ("b.xlsx", second)):
        filled_template(folder / name, [dict(SPECIAL, name=p) for p in projects])
    return evaluate(folder, preset="national", isolate=False)


def test_a_unit_sending_a_workbook_per_project_is_not_a_duplicate(tmp_path):
    """Two files of one unit with no project in common are parts of one return: both count."""
    with _unit_files(tmp_path, ["城市管理经费"], ["社区服务经费"]) as res:
        assert not [f for f in res.findings if f.code == "B101"]
        [unit] = res.units
        assert unit.projects == 2
        assert sorted(p.project for p in res.projects) == ["城市管理经费", "社区服务经费"]


def test_a_resend_sharing_a_project_replaces_the_earlier_file(tmp_path):
    """b.xlsx shares 社区服务经费 with a.xlsx: b counts, a is listed, and the project only
    a holds is named as lost from the figures."""
    with _unit_files(tmp_path, ["城市管理经费", "社区服务经费"], ["社区服务经费"]) as res:
        [dup] = [f for f in res.findings if f.code == "B101"]
        assert dup.file == "a.xlsx"
        assert "另有 1 个项目不在“b.xlsx”中" in dup.message
        [unit] = [u for u in res.units if u.grade != "未计入"]
        assert (unit.files, unit.projects) == ("b.xlsx", 1)


def test_one_unit_however_its_name_is_spaced(tmp_path):
    """“中山东路街道 办事处” (a space typed) and “中山东路街道办事处” are one unit: one row
    in 汇总, as the roster and the duplicate rule see it."""
    from tests.forms import SPECIAL, filled_template
    folder = tmp_path / "in"
    folder.mkdir()
    filled_template(folder / "a.xlsx", [dict(SPECIAL, name="城市管理经费")], unit="中山东路街道 办事处")
    filled_template(folder / "b.xlsx", [dict(SPECIAL, name="社区服务经费")], unit="中山东路街道办事处")
    with evaluate(folder, preset="national", isolate=False) as res:
        [unit] = res.units
        assert (unit.unit, unit.projects) == ("中山东路街道 办事处", 2)
