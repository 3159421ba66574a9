"""`selfeval merge` with a district's JSON opened and saved again in Windows Notepad (a
UTF-8 BOM in front), and a file that is no JSON at all (the reason in Chinese)."""
from __future__ import annotations

import json

import pytest

import selfeval_xlsx as se
from selfeval_xlsx.merge_read import MergeError
from tests.test_merge import NAMES, run_part


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("merge")
    return tmp, run_part(tmp, "p1", NAMES[:3]), run_part(tmp, "p2", NAMES[3:])


def test_json_saved_with_a_bom_merges_like_the_original(parts, tmp_path):
    _, a, b = parts
    bom = tmp_path / "p2.json"
    bom.write_bytes(b"\xef\xbb\xbf" + b[0].read_bytes())
    for inputs, out in (([a[0], b[0]], "1.json"), ([a[0], bom], "2.json")):
        with se.merge(inputs) as m:
            se.write_json(m, tmp_path / out)
    first, second = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("1.json", "2.json"))
    assert first["区县汇总"] == second["区县汇总"]
    assert first["项目明细"] == second["项目明细"] and len(first["项目明细"]) == 27


def test_a_text_file_is_refused_in_chinese(tmp_path):
    junk = tmp_path / "名单.json"
    junk.write_text("中山东路街道办事处\n", encoding="utf-8")
    with pytest.raises(MergeError, match="不是 JSON：第 1 行第 1 列无法解析") as e:
        se.merge([junk])
    assert "Expecting" not in str(e.value)
