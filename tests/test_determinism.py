"""The same workbooks give the same JSON whatever their order and however many workers."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import selfeval_xlsx as se

EXAMPLES = Path(__file__).resolve().parent.parent / "input_templates" / "examples" / "长安区"
TIMES = ("开始时间", "结束时间", "输入目录", "输入目录（绝对路径）")


def run_json(source, tmp_path: Path, name: str, **kw) -> dict:
    with se.evaluate(source, **kw) as results:
        se.write_json(results, tmp_path / f"{name}.json")
    data = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    for key in TIMES:
        data["运行信息"]["概况"].pop(key, None)
    return data


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    base = tmp_path_factory.mktemp("order")
    files = sorted(EXAMPLES.glob("*.xlsx"))
    forward, backward = base / "正序" / "长安区", base / "倒序" / "长安区"
    forward.mkdir(parents=True)
    backward.mkdir(parents=True)
    renamed = {}
    for i, f in enumerate(files):
        shutil.copy(f, forward / f.name)
        # The first file sorts last now, and so on.
        new = f"{len(files) - i:02d}_{f.name}"
        shutil.copy(f, backward / new)
        renamed[new] = f.name
    return forward, backward, renamed


def test_jobs_do_not_change_the_json(folders, tmp_path):
    forward, _, _ = folders
    one = run_json(forward, tmp_path, "j1", jobs=1)
    two = run_json(forward, tmp_path, "j2", jobs=2)
    inline = run_json(forward, tmp_path, "inline", isolate=False)
    assert one == two == inline


def test_file_order_does_not_change_the_json(folders, tmp_path):
    forward, backward, renamed = folders
    a = run_json(forward, tmp_path, "a", jobs=2)
    b_text = json.dumps(run_json(backward, tmp_path, "b", jobs=1), ensure_ascii=False)
    for new, old in renamed.items():
        b_text = b_text.replace(new, old)
    b = json.loads(b_text)
    # Rows follow the files' names by design; with the names mapped back, the same rows.
    for key in ("汇总", "项目明细", "指标明细", "问题清单"):
        assert sorted(map(json.dumps, a[key])) == sorted(map(json.dumps, b[key])), key
    assert a["汇总"] == b["汇总"]          # ranked by figures, not by file order
    assert sorted(map(json.dumps, a["运行信息"]["文件"])) == sorted(map(json.dumps, b["运行信息"]["文件"]))
    assert a["运行信息"]["概况"] == b["运行信息"]["概况"]


def test_a_list_of_paths_in_any_order(tmp_path):
    files = sorted(EXAMPLES.glob("*.xlsx"))
    assert run_json(files, tmp_path, "f", isolate=False) == run_json(files[::-1], tmp_path, "r", jobs=2)
