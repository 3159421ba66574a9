"""Outputs never touch inputs, change together or not at all, and the run survives its
surroundings (signals, full disks, closed pipes). Driven through the real command."""
from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selfeval_xlsx import json_out, spool
from selfeval_xlsx.atomic import OutputError, OutputSet, replacing
from selfeval_xlsx.cli import main
from tests.forms import filled_template
from tests.test_checks import CLEAN

PREVIOUS = b"previous summary"


def invoke(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], **kw)


def selfeval(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *map(str, args)], check=False, capture_output=True,
                          text=True, timeout=300, **kw)


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def district(tmp_path) -> Path:
    folder = tmp_path / "长安区"
    folder.mkdir()
    for unit in ("中山东路街道办事处", "建北街道办事处"):
        filled_template(folder / f"{unit}.xlsx", [dict(CLEAN, unit=unit)], unit=unit)
    return folder


def test_an_output_on_top_of_an_input_is_refused(district, tmp_path):
    before = tree(tmp_path)
    submission = district / "中山东路街道办事处.xlsx"
    res = invoke("run", district, "-o", submission)
    assert res.exit_code == 2
    assert res.output == (f"错误：汇总工作簿（-o） {submission} 是输入目录中待汇总的文件“中山东路街道办事处.xlsx”；"
                          f"写出会覆盖报送的自评表，请换一个输出位置\n")
    res = invoke("run", district, "-o", tmp_path / "s.xlsx", "--json", district / "." / "建北街道办事处.xlsx")
    assert res.exit_code == 2 and "JSON（--json）" in res.output and "建北街道办事处.xlsx" in res.output
    os.link(submission, tmp_path / "硬链接.xlsx")   # the same file under another name is the same file
    before = tree(tmp_path)
    assert invoke("run", district, "-o", tmp_path / "硬链接.xlsx").exit_code == 2
    assert tree(tmp_path) == before


def test_one_path_per_kind_of_output(district, tmp_path):
    res = invoke("run", district, "-o", tmp_path / "x", "--json", tmp_path / "x")
    assert res.exit_code == 2
    assert res.output == f"错误：汇总工作簿（-o）和JSON（--json）指向同一个文件 {tmp_path / 'x'}；请为每种输出指定不同的文件名\n"
    assert not (tmp_path / "x").exists()


def test_a_report_folder_that_is_a_file_is_refused(district, tmp_path):
    before = tree(tmp_path)
    res = invoke("report", district, "-o", district / "建北街道办事处.xlsx")
    assert res.exit_code == 2
    assert "是一个已有的文件，不是目录" in res.output
    assert tree(tmp_path) == before


def test_running_twice_in_the_folder_does_not_read_the_first_summary(district, monkeypatch):
    monkeypatch.chdir(district)
    first = invoke("run", ".", "--json", "../a.json")
    assert first.exit_code == 0, first.output
    second = invoke("run", ".", "--json", "../b.json")
    assert second.exit_code == 0, second.output
    assert "文件：读取 2 个，跳过 1 个" in second.output
    data = json.loads((district.parent / "b.json").read_text(encoding="utf-8"))
    assert [r["单位名称"] for r in data["汇总"]] == ["中山东路街道办事处", "建北街道办事处", "合计"]
    skipped = {f["文件"]: f["原因"] for f in data["运行信息"]["文件"] if f["状态"] == "已跳过"}
    assert skipped == {"output/": "本工具的默认输出目录，其中的文件不作为自评表读取"}


@pytest.mark.parametrize("hostile, expected", [
    ("../../逃逸", "___逃逸"), ("/etc/cron.d/x", "_etc_cron.d_x"), ("长安区" + "区" * 300, "长安区" + "区" * 57),
    ("..", "汇总"), ("长安区\x00", "长安区"),
])
def test_default_output_names_come_from_cleaned_text_inside_output(tmp_path, monkeypatch, hostile, expected):
    folder = tmp_path / "in"
    folder.mkdir()
    path = filled_template(folder / "a.xlsx", [CLEAN], district="ZZDISTRICT")
    _retype(path, "ZZDISTRICT", hostile)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    res = invoke("run", folder)
    assert res.exit_code == 0, res.output
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(folder)]
    assert written == [Path("work/output") / f"{expected}_2020_绩效自评汇总.xlsx"]


def _retype(path: Path, placeholder: str, text: str) -> None:
    """Puts text openpyxl refuses to write (NUL, …) where the placeholder was typed."""
    src, out = path.read_bytes(), io.BytesIO()
    raw = text.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8")
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info).replace(placeholder.encode(), raw))
    path.write_bytes(out.getvalue())


def test_outputs_change_together_when_the_json_cannot_be_written(district, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "s.xlsx").write_bytes(PREVIOUS)

    def full(*args, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")
    real_open = open

    def open_or_full(file, mode="r", *args, **kw):
        if str(file).endswith(".json") and "w" in mode:
            full()
        return real_open(file, mode, *args, **kw)
    monkeypatch.setattr(json_out, "open", open_or_full, raising=False)
    res = invoke("run", district, "-o", out / "s.xlsx", "--json", out / "s.json")
    assert res.exit_code == 4
    assert res.output.startswith("错误：无法写入") and "磁盘空间已满" in res.output
    assert sorted(p.name for p in out.iterdir()) == ["s.xlsx"]
    assert (out / "s.xlsx").read_bytes() == PREVIOUS


def test_a_set_whose_second_rename_fails_puts_the_first_back(tmp_path, monkeypatch):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.json"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real_replace = os.replace

    def refuse_b(src, dst):
        if str(dst) == str(b):
            raise PermissionError(errno.EACCES, "locked")
        return real_replace(src, dst)
    monkeypatch.setattr("selfeval_xlsx.atomic.os.replace", refuse_b)
    with pytest.raises(OutputError, match="正在 Excel/WPS 中打开"), OutputSet():
        for path, text in ((a, b"new a"), (b, b"new b")):
            with replacing(path) as tmp:
                tmp.write_bytes(text)
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.json"]


def test_outputs_are_created_with_the_users_umask(district, tmp_path):
    previous = os.umask(0o002)
    try:
        assert invoke("run", district, "-o", tmp_path / "s.xlsx", "--json", tmp_path / "s.json").exit_code == 0
    finally:
        os.umask(previous)
    assert {oct(os.stat(tmp_path / n).st_mode & 0o777) for n in ("s.xlsx", "s.json")} == {"0o664"}


def test_a_full_temporary_folder_has_its_own_message(district, tmp_path, monkeypatch):
    def full(self, *args, **kw):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(spool.Spool, "__init__", full)
    res = invoke("run", district, "-o", tmp_path / "s.xlsx")
    assert res.exit_code == 4
    assert res.output.startswith("错误：临时目录") and "TMPDIR" in res.output
    assert not (tmp_path / "s.xlsx").exists()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 16 KB file system (needs root to mount)."""
    where = tmp_path / "tiny"
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(where)],
                                           check=False, capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here")
    yield where
    subprocess.run(["umount", str(where)], check=True)


def test_a_really_full_output_disk(district, tiny_disk):
    (tiny_disk / "s.xlsx").write_bytes(PREVIOUS)
    res = selfeval("run", district, "-o", tiny_disk / "s.xlsx", "--json", tiny_disk / "s.json")
    assert res.returncode == 4, res.stderr
    assert "磁盘空间已满" in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["s.xlsx"]
    assert (tiny_disk / "s.xlsx").read_bytes() == PREVIOUS


def test_a_really_full_temporary_folder(district, tiny_disk, tmp_path):
    res = selfeval("run", district, "-o", tmp_path / "s.xlsx", env={**os.environ, "TMPDIR": str(tiny_disk)})
    assert res.returncode == 4, res.stderr
    assert res.stderr.startswith(f"错误：临时目录 {tiny_disk} 所在磁盘空间不足")
    assert list(tiny_disk.iterdir()) == [] and not (tmp_path / "s.xlsx").exists()


@pytest.mark.parametrize("sig, code, name", [(signal.SIGTERM, 143, "终止（SIGTERM）"),
                                             (signal.SIGHUP, 129, "挂断（SIGHUP）")])
def test_sigterm_and_sighup_clean_up_like_ctrl_c(tmp_path, sig, code, name):
    folder = tmp_path / "in"
    folder.mkdir()
    one = filled_template(folder / "u0.xlsx", [CLEAN]).read_bytes()
    for i in range(1, 400):
        (folder / f"u{i}.xlsx").write_bytes(one)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "run", str(folder), "-j", "1",
                             "-o", str(tmp_path / "out" / "s.xlsx")], env={**os.environ, "TMPDIR": str(scratch)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith("selfeval-") for p in scratch.iterdir()):   # the spool exists: mid-run
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err == f"已收到{name}信号，已停止，未写出新的结果。\n"
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_closed_pipe_is_not_an_internal_error(district, tmp_path):
    shell = (f"{sys.executable} -m selfeval_xlsx run '{district}' -o '{tmp_path / 's.xlsx'}' | true; "
             f"exit ${{PIPESTATUS[0]}}")
    res = subprocess.run(["bash", "-c", shell], check=False, capture_output=True, text=True, timeout=300)
    assert res.returncode == 141
    assert res.stderr == "提示：输出管道已关闭（如 | head），其余内容未显示；已写出的文件不受影响。\n"
    assert openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames[0] == "汇总"


def test_terminal_output_carries_no_control_sequences(tmp_path):
    unit = "中山东路\x1b]0;被改了标题\x07街道\x1b[2J办事处\x9b31m"
    path = filled_template(tmp_path / "a.xlsx", [dict(CLEAN, name="ZZNAME")], unit="ZZUNIT")
    _retype(path, "ZZUNIT", unit)
    _retype(path, "ZZNAME", "专项\r\n经费\x1b[1A")
    res = invoke("check", path)
    assert res.exit_code == 0, res.output
    assert not any(ch in res.output for ch in "\x1b\x07\x9b\r")
    assert "中山东路街道办事处" in res.output and "专项 经费" in res.output


def test_check_refuses_special_and_oversize_files_without_reading_them(tmp_path):
    os.mkfifo(tmp_path / "管道.xlsx")
    res = invoke("check", tmp_path / "管道.xlsx")
    assert res.exit_code == 2 and "命名管道（FIFO）" in res.output
    with open(tmp_path / "巨大.xlsx", "wb") as fh:
        fh.truncate(60 * 1024 ** 3)
    started = time.monotonic()
    res = invoke("check", tmp_path / "巨大.xlsx")
    assert time.monotonic() - started < 10
    assert res.exit_code == 1
    assert res.output == f"{tmp_path / '巨大.xlsx'}：错误 F107 （文件）：文件大小 60.0 GB，超过上限 50.0 MB，未读取\n"


def test_a_folder_whose_own_name_is_not_utf8_is_summarised(tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"\xb3\xa4\xb0\xb2\xc7\xf8")   # 长安区 in GBK
    os.mkdir(folder)
    filled_template(Path(os.fsdecode(folder)) / "a.xlsx", [CLEAN])
    res = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "run", folder, "-o", str(tmp_path / "s.xlsx")],
                         check=False, capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr.decode()


def test_a_folder_with_no_readable_workbook_writes_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "坏.xlsx").write_bytes(b"PK\x03\x04broken")
    (folder / "说明.txt").write_text("见附件", encoding="utf-8")
    res = invoke("run", folder, "-o", tmp_path / "s.xlsx")
    assert res.exit_code == 2
    assert res.output == f"错误：目录 {folder} 中没有能读出项目自评表的文件，未写出任何文件。坏.xlsx：文件不是电子表格，或已损坏\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
    (folder / "坏.xlsx").unlink()
    res = invoke("run", folder, "-o", tmp_path / "s.xlsx")
    assert res.exit_code == 2
    assert res.output == (f"错误：目录 {folder} 中没有可读取的电子表格（.xlsx .xlsm .xls .xlsb .ods .et），"
                          f"未写出任何文件。跳过的文件：1 个不是电子表格文件\n")


def test_follow_links_reads_what_a_link_outside_points_to(tmp_path):
    folder, other = tmp_path / "in", tmp_path / "别处"
    folder.mkdir()
    other.mkdir()
    filled_template(folder / "a.xlsx", [CLEAN])
    filled_template(other / "b.xlsx", [dict(CLEAN, unit="建北街道办事处")], unit="建北街道办事处")
    os.symlink(other / "b.xlsx", folder / "b.xlsx")
    for extra, units in (([], ["中山东路街道办事处"]), (["--follow-links"], ["中山东路街道办事处", "建北街道办事处"])):
        res = invoke("run", folder, "-o", tmp_path / "s.xlsx", "--json", tmp_path / "s.json", *extra)
        assert res.exit_code == 0, res.output
        data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
        assert [r["单位名称"] for r in data["汇总"]][:-1] == units
    res = invoke("run", folder, "-o", tmp_path / "s.xlsx", "--json", tmp_path / "s.json")
    files = {f["文件"]: f for f in json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["运行信息"]["文件"]}
    assert (files["b.xlsx"]["状态"], files["b.xlsx"]["原因"]) == (
        "已跳过", "符号链接，指向输入目录之外，未读取（确需读取请加 --follow-links）")


def test_sigterm_while_writing_leaves_the_previous_outputs_and_no_partial_file(district, tmp_path, monkeypatch):
    from selfeval_xlsx import summary_xlsx
    from selfeval_xlsx.errors import Terminated
    out = tmp_path / "out"
    out.mkdir()
    (out / "s.xlsx").write_bytes(PREVIOUS)

    def killed(self):
        raise Terminated(signal.SIGTERM)   # what the handler raises when the signal lands here
    monkeypatch.setattr(summary_xlsx.xlsxwriter.Workbook, "close", killed)
    res = invoke("run", district, "-o", out / "s.xlsx", "--json", out / "s.json")
    assert res.exit_code == 143
    assert res.output == "已收到终止（SIGTERM）信号，已停止，未写出新的结果。\n"
    assert sorted(p.name for p in out.iterdir()) == ["s.xlsx"]
    assert (out / "s.xlsx").read_bytes() == PREVIOUS


def test_a_summary_written_inside_the_folder_is_not_read_back(district):
    inside = district / "汇总.xlsx"
    assert invoke("run", district, "-o", inside).exit_code == 0
    res = invoke("run", district, "-o", inside, "--json", district.parent / "s.json")
    assert res.exit_code == 0, res.output
    data = json.loads((district.parent / "s.json").read_text(encoding="utf-8"))
    files = {f["文件"]: (f["状态"], f["原因"]) for f in data["运行信息"]["文件"]}
    assert files["汇总.xlsx"] == ("已跳过", "本工具生成的汇总工作簿，不是自评表，未读取")
    assert [r["单位名称"] for r in data["汇总"]] == ["中山东路街道办事处", "建北街道办事处", "合计"]
