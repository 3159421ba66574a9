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
