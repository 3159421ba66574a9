"""The README is the front door: what it shows must be what the program prints."""
import re
from pathlib import Path

from click.testing import CliRunner

from selfeval_xlsx.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_output_is_what_run_prints(tmp_path, monkeypatch):
    shown = re.search(r"实际输出：\n\n```\n(.*?)```", README, re.DOTALL).group(1)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["run", str(ROOT / "input_templates" / "examples" / "长安区")])
    assert res.exit_code == 0
    assert res.output == shown


def test_every_command_is_documented():
    for name in main.commands:
        assert f"`selfeval {name}" in README, name
        assert "例：" in main.commands[name].help, name


def test_readme_commands_exist():
    for path in ("input_templates/项目支出绩效自评表模板.xlsx", "input_templates/make_examples.py",
                 "input_templates/examples/长安区名单.txt", "docs/checks.md", "docs/render.py",
                 "benchmarks/bench.py", ".ci/run"):
        assert (ROOT / path).exists(), path


def test_python_example_runs_as_shown(tmp_path):
    """The README's library example, run as a plain script (no __main__ guard) in a fresh folder."""
    import subprocess
    import sys
    code = re.search(r"## 在 Python 中使用.*?```python\n(.*?)```", README, re.DOTALL).group(1)
    script = tmp_path / "example.py"
    script.write_text(code.replace("input_templates/examples/长安区",
                                   str(ROOT / "input_templates" / "examples" / "长安区")), encoding="utf-8")
    res = subprocess.run([sys.executable, str(script)], cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "2 个项目执行率低于 90%： 专项经费、平安建设经费" in res.stdout
    assert (tmp_path / "output" / "长安区_2020_绩效自评汇总.xlsx").is_file()
    assert (tmp_path / "output" / "长安区.json").is_file()


def test_the_year_in_four_commands_prints_what_the_readme_shows(tmp_path, monkeypatch):
    """“一年的工作”: each command run as written (from a folder holding the examples),
    and steps 2–4 print exactly the output shown."""
    import shlex
    import shutil
    section = README.split("## 一年的工作", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^selfeval .*$", re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1), re.MULTILINE)
    shown = re.findall(r"第 \d 步的输出：\n\n```\n(.*?)```", section, re.DOTALL)
    assert len(commands) == 4 and len(shown) == 3
    shutil.copytree(ROOT / "input_templates" / "examples", tmp_path / "input_templates" / "examples")
    monkeypatch.chdir(tmp_path)
    outputs = []
    for command in commands:
        res = CliRunner().invoke(main, shlex.split(command)[1:])
        assert res.exit_code == 0, (command, res.output)
        outputs.append(res.output)
    assert outputs[1:] == shown
    assert (tmp_path / "output" / "长安区_2020_抽查复核底稿.xlsx").is_file()
