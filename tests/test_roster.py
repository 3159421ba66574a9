"""A roster workbook is read under the submissions' protections: a hostile one costs a
worker process and gives a Chinese message, never the run (or the machine's memory)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter

from selfeval_xlsx.errors import RosterError
from selfeval_xlsx.roster import load_roster
from tests.forms import filled_template
from tests.hostile import far_value, zip_bomb
from tests.test_checks import CLEAN


def roster_workbook(path: Path, names: list[str]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("名单")
    for r, name in enumerate(["单位名称", *names]):
        ws.write(r + 2, 1, name)   # not at A1: the first filled column counts
    wb.close()
    return path


def test_a_workbook_roster_is_read_in_a_worker(tmp_path):
    path = roster_workbook(tmp_path / "名单.xlsx", ["中山东路街道办事处", "建北街道办事处", "中山东路街道办事处"])
    assert load_roster(path) == ["中山东路街道办事处", "建北街道办事处"]


@pytest.mark.parametrize("build, message", [
    (lambda p, t: far_value(p, keep_dimension=False), "名单工作簿无法读取：读取进程意外终止，通常是文件内容使程序内存耗尽"),
    (lambda p, t: far_value(p, keep_dimension=True), ("名单工作簿无法读取：工作表部件 xl/worksheets/sheet1.xml 的数据范围"
                                                     "延伸到 XFD1048576（1048576 行 × 16384 列），远超自评表的大小")),
    (zip_bomb, "名单工作簿无法读取：解压后共 1024 MB，超过上限 300 MB（疑似“压缩炸弹”）"),
])
def test_hostile_roster_workbooks_are_refused(tmp_path, build, message):
    template = filled_template(tmp_path / "t.xlsx", [CLEAN]).read_bytes()
    path = build(tmp_path / "名单.xlsx", template)
    started = time.monotonic()
    with pytest.raises(RosterError) as e:
        load_roster(path)
    assert str(e.value) == message
    assert time.monotonic() - started < 30


def test_a_crafted_xlsb_roster_gives_a_message_not_a_traceback(tmp_path):
    # A zip that claims to be an .xlsb (xl/workbook.bin) with garbage inside.
    import zipfile
    with zipfile.ZipFile(tmp_path / "名单.xlsb", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", os.urandom(2000))
    folder = tmp_path / "in"
    folder.mkdir()
    filled_template(folder / "a.xlsx", [CLEAN])
    res = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "run", str(folder), "-o", str(tmp_path / "s.xlsx"),
                          "--roster", str(tmp_path / "名单.xlsb")], check=False, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert res.stderr.startswith("错误：名单工作簿无法读取：") and "Traceback" not in res.stderr
    assert not (tmp_path / "s.xlsx").exists()


def test_special_and_oversize_roster_files_are_refused_unread(tmp_path):
    os.mkfifo(tmp_path / "名单.txt")
    with pytest.raises(RosterError, match="命名管道"):
        load_roster(tmp_path / "名单.txt")
    with open(tmp_path / "大名单.txt", "wb") as fh:
        fh.truncate(60 * 1024 ** 3)
    started = time.monotonic()
    with pytest.raises(RosterError, match="超过上限"):
        load_roster(tmp_path / "大名单.txt")
    assert time.monotonic() - started < 2
