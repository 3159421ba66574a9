"""Everything the command line prints for a person is Chinese: click's usage errors and
help, file-system errors, our own messages. English is allowed only for command and
option names, preset names, file names and format names."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from selfeval_xlsx.cli import main
from tests.forms import filled_template
from tests.test_checks import CLEAN

# Words a Chinese message may contain: names of commands, options, presets and formats.
ALLOWED = {"selfeval", "python", "selfeval_xlsx", "seed", "national", "check", "checks", "run", "report",
           "rules", "template", "sample", "TOML", "JSON", "xlsx", "xlsm", "xls", "xlsb", "ods", "et", "docx", "txt",
           "toml", "md", "docs", "output", "Excel", "WPS", "Python", "TMPDIR", "SIGTERM", "SIGHUP", "FIFO",
           "VBA", "Office", "input_templates", "examples", "Ctrl", "CPU", "merge", "json"}


def english_words(text: str, also: set[str] = frozenset()) -> list[str]:
    """ASCII words of two letters or more that are not an option (--x, -x), a path we
    were given, or an allowed name."""
    text = re.sub(r"(?<![\w])--?[A-Za-z][\w-]*", " ", text)        # options
    words = re.findall(r"[A-Za-z][A-Za-z_]+", text)
    return [w for w in words if w not in ALLOWED and w not in also]


def selfeval(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *map(str, args)], check=False, capture_output=True,
                          text=True, timeout=120, cwd=cwd, env={"LANG": "C", "PATH": "/usr/bin:/bin",
                                                                 "PYTHONPATH": str(Path(__file__).parent.parent)})


def test_run_on_a_missing_folder(tmp_path):
    res = selfeval("run", "nonexistent", cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr == "错误：找不到目录：nonexistent\n"
    assert english_words(res.stderr, {"nonexistent"}) == []
    assert list(tmp_path.iterdir()) == []


def test_run_on_a_file_points_to_check(tmp_path):
    filled_template(tmp_path / "a.xlsx", [CLEAN])
    res = selfeval("run", "a.xlsx", cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr == ("错误：“a.xlsx”是一个文件，不是目录。汇总需要一个存放各单位自评表的目录；"
                          "要审核单个自评表，请用：selfeval check a.xlsx\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_a_bad_option(tmp_path):
    res = selfeval("run", "--bad-option", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr == ("用法： python -m selfeval_xlsx run [选项] 目录\n"
                          "运行 'python -m selfeval_xlsx run --help' 查看帮助。\n\n"
                          "错误：没有选项 '--bad-option'。\n")
    assert english_words(res.stderr) == []


@pytest.mark.parametrize("args", [
    ["--help"], ["run", "--help"], ["report", "-h"], ["check", "-h"], ["template", "-h"], ["rules", "-h"],
    ["checks", "-h"], ["run"], ["check"], ["run", "x", "--jobs", "many"], ["run", "x", "--year", "1900"],
    ["run", "x", "--preset", "nope"], ["nosuchcommand"], ["check", "-o"], ["run", "a", "b"],
    ["merge", "-h"], ["merge"], ["merge", "x", "--jobs", "many"],
])
def test_help_and_usage_errors_are_chinese(args):
    res = subprocess.run([sys.executable, "-m", "selfeval_xlsx", *args], check=False, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode in (0, 2)
    text = res.stdout + res.stderr
    assert text.strip()
    assert english_words(text, {"nosuchcommand", "many", "nope", "x", "a", "b"}) == [], text


def test_every_command_is_in_the_main_help():
    res = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "--help"], check=False, capture_output=True, text=True,
                         timeout=120)
    for name, command in main.commands.items():
        assert f"  {name} " in res.stdout
        assert command.help and "例：" in command.help, name


def test_file_system_errors_are_chinese(tmp_path):
    res = selfeval("check", "没有这个文件.xlsx", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr == "错误：找不到文件：没有这个文件.xlsx\n"
    res = selfeval("run", tmp_path, "--rules", tmp_path / "没有.toml")
    assert res.returncode == 2
    assert res.stderr == f"错误：找不到规则文件：{tmp_path / '没有.toml'}\n"
    filled_template(tmp_path / "a.xlsx", [CLEAN])
    (tmp_path / "s.xlsx").mkdir()   # the output's name is taken by a folder: click says so
    res = selfeval("run", tmp_path, "-o", tmp_path / "s.xlsx")
    assert res.returncode == 2
    assert res.stderr.endswith(f"错误：'-o' / '--output' 的取值无效：文件 '{tmp_path / 's.xlsx'}' 是一个目录，不是文件。\n")
    (tmp_path / "备注.txt").write_text("x", encoding="utf-8")   # a folder on the way is a file: we say so
    res = selfeval("run", tmp_path, "-o", tmp_path / "备注.txt" / "s.xlsx")
    assert res.returncode == 2
    assert res.stderr == f"错误：无法在 {tmp_path / '备注.txt'} 写入：它是一个文件，不是目录\n"
