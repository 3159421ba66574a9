"""--review given the wrong file (a JSON, a summary): one clear R101, and neither the
terminal nor the district report speaks of "0 projects sampled, share （空）"."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import selfeval_xlsx as se
from selfeval_xlsx.cli import main
from selfeval_xlsx.report import draft_reports
from tests.claimcheck import Results as Claims
from tests.claimcheck import unsupported
from tests.review_forms import build


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("district") / "长安区")


def test_a_json_given_as_review(folder, tmp_path):
    js = tmp_path / "长安区.json"
    js.write_text(json.dumps({"汇总": []}), encoding="utf-8")
    with se.evaluate(folder, isolate=False, preset="seed", review=js) as r:
        [f] = [f for f in r.all_findings() if f.code.startswith("R")]
        assert f.code == "R101" and "“长安区.json”不是 Excel/WPS 工作簿" in f.message
        reports = draft_reports(r)
        assert unsupported(reports, Claims(r)) == []
        district = reports[-1].paragraphs()
        at = district.index("六、抽查复核情况")
        assert district[at + 1].startswith("复核底稿中没有读到本批次的抽查项目")
    res = CliRunner().invoke(main, ["run", str(folder), "--review", str(js), "-o", str(tmp_path / "o.xlsx"),
                                    "-q", "--preset", "seed"])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("抽查复核："))
    assert "没有读到本批次的抽查项目" in line and "（空）" not in line
