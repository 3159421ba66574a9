"""One bad file never stops a district's run, and nothing the user gave us is changed."""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import psutil
import pytest
from click.testing import CliRunner

from selfeval_xlsx import batch as batch_module
from selfeval_xlsx import summary_xlsx
from selfeval_xlsx.cli import main
from selfeval_xlsx.container import inspect_zip
from tests.forms import filled_template
from tests.hostile import build_corpus
from tests.test_checks import CLEAN

GOOD = {
    "中山东路街道办事处.xlsx": ("中山东路街道办事处", [CLEAN]),
    "مكتب_الشارع.xlsx": ("建北街道办事处", [dict(CLEAN, name="社区党建经费")]),
    "=HYPERLINK(点我).xlsx": ("青园街道办事处", [dict(CLEAN, name="网格化管理经费")]),
    "Улица 😀.xlsx": ("广安街道办事处", [dict(CLEAN, name="人口普查工作经费")]),
}
GIB = 1024 ** 3


def hashes(folder: Path) -> dict[bytes, str]:
    out = {}
    for dirpath, _, names in os.walk(os.fsencode(folder)):
        for name in names:
            p = os.path.join(dirpath, name)
            if os.path.islink(p):
                out[p] = "link:" + os.fsdecode(os.readlink(p))
            else:
                with open(p, "rb") as fh:
                    out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


def run_measured(args: list[str]) -> tuple[subprocess.CompletedProcess, int]:
    """Runs the CLI as a real process; returns it and the peak RSS of its whole process tree."""
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [ps, *ps.children(recursive=True)]
            total = 0
            for p in tree:
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += p.memory_info().rss
            peak = max(peak, total)
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.01)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), peak


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "来件"
    expect = build_corpus(folder, GOOD)
    before = hashes(folder)
    res, peak = run_measured(["run", str(folder), "-o", str(base / "out" / "汇总.xlsx"),
                              "--json", str(base / "out" / "汇总.json")])
    data = json.loads((base / "out" / "汇总.json").read_text(encoding="utf-8"))
    return {"folder": folder, "expect": expect, "before": before, "res": res, "peak": peak, "data": data, "base": base}


def test_run_finishes_normally_and_quietly(hostile_run):
    res = hostile_run["res"]
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr and "panicked" not in res.stderr and "stack backtrace" not in res.stderr
    assert "汇总工作簿：" in res.stdout


def test_every_good_file_is_summarised(hostile_run):
    units = {r["单位名称"] for r in hostile_run["data"]["汇总"]}
    assert {u for u, _ in GOOD.values()} <= units
    files = {r["文件"]: r for r in hostile_run["data"]["运行信息"]["文件"]}
    for name in GOOD:
        assert files[name]["状态"] == "已读取", name


def test_every_bad_file_is_named_with_its_reason(hostile_run):
    problems = hostile_run["data"]["问题清单"]
    files = {r["文件"]: r for r in hostile_run["data"]["运行信息"]["文件"]}
    for name, code in hostile_run["expect"].items():
        if code == "skip":
            assert files[name]["状态"] == "已跳过" and files[name]["原因"], name
            assert not [p for p in problems if p["文件"] == name], name
        elif code:
            found = {p["代码"] for p in problems if p["文件"] == name}
            assert found & set(code.split("|")), (name, code, found)
            assert all(p["说明"] for p in problems if p["文件"] == name)


def test_inputs_are_byte_identical(hostile_run):
    assert hashes(hostile_run["folder"]) == hostile_run["before"]


def test_peak_memory_stays_under_1_gib(hostile_run):
    # Sampled over the whole process tree (the run and its reading workers) every 10 ms;
    # each worker is also capped by its address-space limit, so no spike can exceed it.
    assert 0 < hostile_run["peak"] < GIB, hostile_run["peak"]


def test_text_from_hostile_names_stays_text(hostile_run):
    wb = openpyxl.load_workbook(hostile_run["base"] / "out" / "汇总.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    names = [r[0] for r in wb["运行信息"].iter_rows(values_only=True)]
    assert "=HYPERLINK(点我).xlsx" in names


def test_locked_output_keeps_the_previous_file(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    filled_template(folder / "a.xlsx", [CLEAN])
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"previous summary")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr("selfeval_xlsx.atomic.os.replace", locked)
    res = CliRunner().invoke(main, ["run", str(folder), "-o", str(out)])
    assert res.exit_code == 2
    assert "正在 Excel/WPS 中打开" in res.output
    assert out.read_bytes() == b"previous summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "汇总.xlsx"]


def test_ctrl_c_leaves_no_partial_output(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    filled_template(folder / "a.xlsx", [CLEAN])

    def interrupted(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(summary_xlsx.xlsxwriter.Workbook, "close", interrupted)
    res = CliRunner().invoke(main, ["run", str(folder), "-o", str(tmp_path / "out" / "s.xlsx")])
    assert res.exit_code == 130
    assert "已中断" in res.output
    assert list((tmp_path / "out").iterdir()) == []


def test_internal_error_has_no_traceback_unless_debug(tmp_path, monkeypatch):
    def broken(*a, **kw):
        raise RuntimeError("boom")
    monkeypatch.setattr(batch_module, "run_batch", broken)
    filled_template(tmp_path / "a.xlsx", [CLEAN])
    res = CliRunner().invoke(main, ["run", str(tmp_path)])
    assert res.exit_code == 3
    assert "内部错误" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["--debug", "run", str(tmp_path)])
    assert isinstance(res.exception, RuntimeError)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
@pytest.mark.parametrize("code, tamper", [
    ("F111", lambda d: d.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "a">]><worksheet', 1)),
    ("F110", lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d)),
])
def test_container_checks_read_parts_however_they_are_compressed(tmp_path, method, code, tamper):
    """Part heads are inflated straight from memory for stored and deflated parts and
    through zipfile otherwise; an entity declaration or a huge range is found either way."""
    clean = filled_template(tmp_path / "clean.xlsx", [CLEAN]).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(clean)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, tamper(data) if info.filename == "xl/worksheets/sheet4.xml" else data)
    problems = inspect_zip(out.getvalue())
    assert [p.code for p in problems] == [code]
    assert "sheet4.xml" in problems[0].message
    assert inspect_zip(clean) == []
