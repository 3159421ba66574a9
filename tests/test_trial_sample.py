"""`selfeval sample` as a bureau uses it: the printed 重抽同一样本 command, pasted back
into a shell, draws the same sample (a folder with spaces and #, --targets given)."""
from __future__ import annotations

import shlex
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import selfeval_xlsx as se
from selfeval_xlsx.cli import main
from selfeval_xlsx.review_xlsx import HEADERS, KEY_HEADER
from selfeval_xlsx.sampling import draw

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples"


def keys(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)["复核底稿"]
    return [r[HEADERS.index(KEY_HEADER)] for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None]


@pytest.mark.skipif(not (EXAMPLES / "长安区").is_dir(), reason="examples not built")
def test_again_line_replays_the_sample(tmp_path, monkeypatch):
    folder = tmp_path / "my dir #1 %20" / "长安 区"
    shutil.copytree(EXAMPLES / "长安区", folder)
    targets = tmp_path / "绩效 目标"
    shutil.copytree(EXAMPLES / "长安区绩效目标", targets)
    # A seed whose risk-weighted sample depends on --targets (its findings weigh in), so
    # a replay line without --targets would draw another sample.
    with se.evaluate(folder, isolate=False) as bare, se.evaluate(folder, isolate=False, targets=targets) as full:
        seed = next(s for s in range(200)
                    if [d.candidate.key for d in draw(bare, Decimal("0.25"), s, risk=True).drawn]
                    != [d.candidate.key for d in draw(full, Decimal("0.25"), s, risk=True).drawn])
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["sample", str(folder), "--share", "25%", "--seed", str(seed), "--risk",
                                 "--targets", str(targets), "-o", "1.xlsx", "-q"])
    assert first.exit_code == 0, first.output
    line = first.output.split("重抽同一样本：")[1].strip()
    args = shlex.split(line)
    assert args[:3] == ["selfeval", "sample", str(folder)] and "--targets" in args
    again = runner.invoke(main, [*args[1:], "-o", "2.xlsx", "-q"])
    assert again.exit_code == 0, again.output
    assert keys(tmp_path / "1.xlsx") == keys(tmp_path / "2.xlsx") and keys(tmp_path / "1.xlsx")
